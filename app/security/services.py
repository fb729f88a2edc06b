"""Applying the role matrix and creating users: plain functions used by the CLI and tests."""
from flask_babel import gettext

from app.security import roles
from app.security.passwords import password_problem


class UserError(ValueError):
    pass


def sync_permissions(appbuilder) -> None:
    """Create the permission rows of every registered view and menu (idempotent)."""
    appbuilder.add_permissions(update_perms=True)


def apply_matrix(appbuilder) -> dict[str, int]:
    """Make every role's permissions exactly what the matrix says. Returns permissions per role."""
    sm = appbuilder.sm
    for role_name in roles.ROLES:
        if sm.find_role(role_name) is None:
            sm.add_role(role_name)
    sync_permissions(appbuilder)
    all_pvms = sm.session.query(sm.permissionview_model).all()
    result = {}
    for role_name in roles.ROLES:
        role = sm.find_role(role_name)
        wanted = []
        for pvm in all_pvms:
            view, perm = pvm.view_menu.name, pvm.permission.name
            if perm == "menu_access":
                if _menu_allowed(role_name, view):
                    wanted.append(pvm)
            elif roles.allowed(role_name, view, perm):
                wanted.append(pvm)
        if {p.id for p in role.permissions} != {p.id for p in wanted}:
            role.permissions = wanted
            sm.session.commit()
        result[role_name] = len(wanted)
    if sm.find_role(sm.auth_role_public) is None:
        sm.add_role(sm.auth_role_public)
    return result


def _menu_allowed(role_name: str, menu_name: str) -> bool:
    if role_name == roles.ADMIN:
        return True
    for view, (item, category) in roles.MENU_OF_VIEW.items():
        if menu_name in (item, category) and roles.level(role_name, view):
            return True
    return False


def create_user(appbuilder, username: str, password: str, role_names: list[str],
                first_name: str = "", last_name: str = "", email: str | None = None):
    sm = appbuilder.sm
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise UserError(gettext("The user name must not be empty and may have at most 64 characters."))
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    role_objs = []
    for name in role_names:
        role = sm.find_role(name)
        if role is None:
            raise UserError(gettext("No such role: %(name)s (choose from %(roles)s)", name=name, roles="、".join(roles.ROLES)))
        role_objs.append(role)
    if sm.find_user(username=username) is not None:
        raise UserError(gettext("The user %(name)s already exists.", name=username))
    user = sm.add_user(
        username=username,
        first_name=first_name or username,
        last_name=last_name,
        email=email or f"{username}@pm.local",
        role=role_objs,
        password=password,
    )
    if not user:
        raise UserError(gettext("The user %(name)s could not be created.", name=username))
    return user
