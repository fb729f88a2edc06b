"""The user administration page, read the way the office reads it (是/否, 角色 joined, dates in Chinese)."""
from flask import current_app
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, Select2ManyWidget
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.security.views import PermissionModelView as FABPermissionModelView
from flask_appbuilder.security.views import PermissionViewModelView as FABPermissionViewModelView
from flask_appbuilder.security.views import ResetMyPasswordView as FABResetMyPasswordView
from flask_appbuilder.security.views import ResetPasswordView as FABResetPasswordView
from flask_appbuilder.security.views import RoleModelView as FABRoleModelView
from flask_appbuilder.security.views import UserDBModelView, UserModelView
from flask_appbuilder.security.views import UserGroupModelView as FABUserGroupModelView
from flask_appbuilder.security.views import UserStatsChartView as FABUserStatsChartView
from flask_appbuilder.security.views import ViewMenuModelView as FABViewMenuModelView
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired

from app.core.formatting import format_datetime
from app.core.views import SafeModelViewMixin
from app.security.labels import permission_label, permissions_text
from app.security.passwords import MIN_LENGTH


def _yes_no(value) -> str:
    return gettext("Yes") if value else gettext("No")


def _names(items) -> str:
    return "、".join(str(getattr(item, "name", item)) for item in (items or []))


class PMUserDBModelView(SafeModelViewMixin, UserDBModelView):
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
                             validators=[DataRequired(), PasswordComplexityValidator()],
                             widget=BS3PasswordFieldWidget())


# FAB's names kept: its endpoints, links and permissions stay the same
class ResetPasswordView(FABResetPasswordView):
    form = PasswordRuleForm


class ResetMyPasswordView(FABResetMyPasswordView):
    form = PasswordRuleForm


# FAB's role page prints "can list on CommunityView"; ours says 小区：列表、查看 by the role matrix's labels. The plain
# list and show widgets (ours: they apply formatters) instead of FAB's role widgets (they do not).
def _permission_views():
    sm = current_app.appbuilder.sm
    return sm.session.query(sm.permissionview_model).order_by(sm.permissionview_model.id)


class RoleModelView(SafeModelViewMixin, FABRoleModelView):
    list_widget = ListWidget
    show_widget = ShowWidget
    label_columns = {**FABRoleModelView.label_columns, "user": _l("Users"), "groups": _l("Groups")}
    formatters_columns = {"permissions": permissions_text}
    search_columns = ["name", "user", "groups"]  # a role is found by its name; its permissions read on its page
    add_form_extra_fields = edit_form_extra_fields = {
        "permissions": QuerySelectMultipleField(_l("Permissions"), query_func=_permission_views,
                                                get_pk_func=lambda pv: pv.id, get_label=permission_label,
                                                widget=Select2ManyWidget()),
    }


class UserGroupModelView(SafeModelViewMixin, FABUserGroupModelView):
    label_columns = {"name": _l("Name"), "label": _l("Label"), "description": _l("Group description"),
                     "users": _l("Users"), "roles": _l("Roles")}
    formatters_columns = {"users": _names, "roles": _names}


class UserStatsChartView(FABUserStatsChartView):
    label_columns = dict(UserModelView.label_columns)
    definitions = [
        {"label": _l("Login count"), "group": "username", "series": ["login_count"]},
        {"label": _l("Failed login count"), "group": "username", "series": ["fail_login_count"]},
    ]


# FAB's permission pages, as they are but without the attachment download (see SafeModelViewMixin)
class PermissionModelView(SafeModelViewMixin, FABPermissionModelView):
    pass


class ViewMenuModelView(SafeModelViewMixin, FABViewMenuModelView):
    pass


class PermissionViewModelView(SafeModelViewMixin, FABPermissionViewModelView):
    pass
