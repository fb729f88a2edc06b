"""Every role against every registered view and API endpoint: the matrix decides, nothing else."""
import pytest
from flask_appbuilder import BaseView, ModelRestApi, ModelView

from app.security import roles
from app.security.services import apply_matrix


def _views(app):
    return list(app.appbuilder.baseviews)


def test_every_registered_view_has_a_decision(app):
    undecided = sorted(
        v.class_permission_name for v in _views(app)
        if v.base_permissions and v.class_permission_name not in roles.decided_views()
    )
    assert undecided == [], f"views without a place in app/security/roles.py: {undecided}"


def test_matrix_names_only_real_views(app):
    registered = {v.class_permission_name for v in _views(app)}
    for resource, names in roles.RESOURCES.items():
        for name in names:
            assert name in registered, f"{resource}: {name} is not a registered view"


def test_pm_init_is_idempotent(app):
    with app.app_context():
        sm = app.appbuilder.sm
        before = {r.name: sorted(p.id for p in r.permissions) for r in sm.get_all_roles()}
        apply_matrix(app.appbuilder)
        after = {r.name: sorted(p.id for p in r.permissions) for r in sm.get_all_roles()}
    assert before == after


def _targets(app, estate):
    """(view name, permission, method, url) for each endpoint worth walking."""
    out = []
    samples = {
        "CommunityView": estate["community"], "BuildingView": estate["b1"], "UnitView": estate["u11"],
        "HouseView": estate["houses"][0], "ParkingSpaceView": estate["parking"],
        "CommunityApi": estate["community"], "BuildingApi": estate["b1"], "UnitApi": estate["u11"],
        "HouseApi": estate["houses"][0], "ParkingSpaceApi": estate["parking"],
    }
    for view in _views(app):
        name = view.class_permission_name
        if isinstance(view, ModelRestApi):
            base = f"/api/v1/{view.resource_name}"
            out.append((name, "can_get", "GET", f"{base}/"))
            out.append((name, "can_info", "GET", f"{base}/_info"))
            if name in samples:
                out.append((name, "can_get", "GET", f"{base}/{samples[name]}"))
                out.append((name, "can_delete", "DELETE", f"{base}/999999"))
        elif isinstance(view, ModelView):
            base = view.route_base
            if "can_list" in view.base_permissions:
                out.append((name, "can_list", "GET", f"{base}/list/"))
            if "can_add" in view.base_permissions:
                out.append((name, "can_add", "GET", f"{base}/add"))
            if name in samples:
                out.append((name, "can_show", "GET", f"{base}/show/{samples[name]}"))
                out.append((name, "can_edit", "GET", f"{base}/edit/{samples[name]}"))
        elif name == "RosterPrintView":
            out.append((name, "can_roster", "GET", f"/print/roster?building={estate['b1']}"))
        elif isinstance(view, BaseView):
            continue
    return out


@pytest.mark.parametrize("role", roles.ROLES)
def test_role_reaches_exactly_what_the_matrix_allows(app, login_as, estate, role):
    client = login_as(role)
    wrong = []
    for view, perm, method, url in _targets(app, estate):
        resp = client.open(url, method=method)
        allowed = roles.allowed(role, view, perm)
        if allowed:
            ok = resp.status_code in (200, 404) and not (
                resp.status_code == 302 and "/login" in resp.headers.get("Location", "")
            )
            if url.endswith("/999999"):
                ok = resp.status_code == 404
        else:
            ok = resp.status_code in (302, 401, 403) and resp.status_code != 200
        if not ok:
            wrong.append(f"{method} {url} ({view}.{perm}) allowed={allowed} got {resp.status_code}")
    assert wrong == []


@pytest.mark.parametrize("role", roles.ROLES)
def test_role_sees_only_the_menus_of_its_duty(app, login_as, role):
    from flask_babel import force_locale

    client = login_as(role)
    html = client.get("/").get_data(as_text=True)
    nav = html.split('role="navigation"', 1)[1].split("</header>", 1)[0]
    with app.test_request_context(), force_locale("zh"):
        from flask_babel import gettext

        for view, (item, _category) in roles.MENU_OF_VIEW.items():
            label = gettext(item)
            shown = f">{label}<" in nav.replace("&nbsp;", "").replace(" ", "").replace("\n", "")
            assert shown == bool(roles.level(role, view)), f"{role}: menu {label} shown={shown}"
        admin_menu = gettext("List Users")
        assert (admin_menu in nav) == (role == roles.ADMIN)


def test_read_only_committee_cannot_write_through_api(app, login_as, estate):
    client = login_as(roles.COMMITTEE)
    resp = client.post("/api/v1/community/", json={"name": "新小区", "code": "C9"})
    assert resp.status_code in (401, 403)
    resp = client.get(f"/api/v1/community/{estate['community']}")
    assert resp.status_code == 200
