"""The user administration page, read the way the office reads it (是/否, 角色 joined, dates in Chinese)."""
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.security.views import ResetMyPasswordView as FABResetMyPasswordView
from flask_appbuilder.security.views import ResetPasswordView as FABResetPasswordView
from flask_appbuilder.security.views import UserDBModelView
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired

from app.core.formatting import format_datetime
from app.security.passwords import MIN_LENGTH


def _yes_no(value) -> str:
    return gettext("Yes") if value else gettext("No")


def _names(items) -> str:
    return "、".join(str(getattr(item, "name", item)) for item in (items or []))


class PMUserDBModelView(UserDBModelView):
    class_permission_name = "UserDBModelView"  # keep FAB's permission names
    list_columns = ["last_name", "first_name", "username", "email", "active", "roles", "last_login"]  # 姓 before 名
    formatters_columns = {
        "active": _yes_no,
        "roles": _names,
        "groups": _names,
        "last_login": format_datetime,
        "created_on": format_datetime,
        "changed_on": format_datetime,
    }


# the rule app.security.passwords checks, said where the password is typed (FAB's form says nothing is checked)
PASSWORD_RULE = _l("%(min)d to 128 characters, with at least three of: upper-case letters, lower-case letters, "
                   "digits, symbols.", min=MIN_LENGTH)


class PasswordRuleForm(ResetPasswordForm):
    password = PasswordField(_l("Password"), description=PASSWORD_RULE,
                             validators=[DataRequired(), PasswordComplexityValidator()], widget=BS3PasswordFieldWidget())


# FAB's names kept: its endpoints, links and permissions stay the same
class ResetPasswordView(FABResetPasswordView):
    form = PasswordRuleForm


class ResetMyPasswordView(FABResetMyPasswordView):
    form = PasswordRuleForm
