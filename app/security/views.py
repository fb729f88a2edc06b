"""The user administration page, read the way the office reads it (是/否, 角色 joined, dates in Chinese)."""
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import gettext

from app.core.formatting import format_datetime


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
