"""A `back` or `next` URL never sends the user off-site, whatever trick it is written with."""
from urllib.parse import urlsplit

import pytest

from app.core.redirects import safe_next
from app.security import roles
from tests.conftest import PASSWORD, role_user

TRICKS = [
    "//evil.example/",
    "/\t/evil.example/",
    "/\r\n/evil.example/",
    " //evil.example/",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https://evil.example/",
    "http:/\\evil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "///evil.example",
]


@pytest.mark.parametrize("url", TRICKS)
def test_safe_next_refuses_each_trick(app, url):
    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_next(url, "/fallback") == "/fallback"


def test_safe_next_keeps_paths_of_this_site(app):
    with app.test_request_context("/", base_url="http://localhost"):
        assert safe_next("/my-work-orders/show/3?x=1", "/f") == "/my-work-orders/show/3?x=1"
        assert safe_next("http://localhost/owners/list/?page=2", "/f") == "/owners/list/?page=2"
        assert safe_next("/owners/\tlist/", "/f") == "/owners/list/"  # as the browser reads it
        assert safe_next(None, "/f") == "/f" and safe_next("", "/f") == "/f"


def _location(resp) -> str:
    assert resp.status_code in (301, 302, 303), resp.status_code
    return resp.headers["Location"]


def _on_site(location: str) -> bool:
    parts = urlsplit(location.replace("\t", "").replace("\r", "").replace("\n", ""))
    return parts.netloc in ("", "localhost") and not parts.path.startswith(("//", "/\\"))


@pytest.fixture
def order_id(app, estate, login_as):
    from app.extensions import db
    from app.service.models import WorkOrder

    desk = login_as(roles.SERVICE)
    resp = desk.post("/service-desk/", data={
        "channel": "phone", "community": str(estate["community"]), "house_no": "1-1-0101", "person": "张先生",
        "phone": "13800001234", "summary": "厨房水管漏水", "kind": "repair", "scope": "private",
        "category": "water_power", "urgency": "urgent", "place": "", "appointment": "",
        "complaint_category": "other", "severity": "normal", "consultation_kind": "consultation", "answer": "",
        "service": "", "handling": "", "occurred_at": ""})
    assert resp.status_code == 302
    with app.app_context():
        return db.session.query(WorkOrder).one().id


@pytest.mark.parametrize("back", TRICKS)
def test_work_order_action_back_stays_on_site(login_as, order_id, back):
    engineer = login_as(roles.ENGINEER)
    # a step the order cannot take (it is not dispatched): refused, then sent "back"
    resp = engineer.post(f"/work-order-actions/{order_id}/complete", data={"back": back})
    if "\x00" in back:  # a NUL is refused before any view (app/core/web.py): sent nowhere
        assert resp.status_code == 400
        return
    location = _location(resp)
    assert _on_site(location), location
    assert location.endswith(f"/work-orders/show/{order_id}")


def test_work_order_action_back_to_its_own_page(login_as, order_id):
    engineer = login_as(roles.ENGINEER)
    location = _location(engineer.post(f"/work-order-actions/{order_id}/complete",
                                       data={"back": f"/my-work-orders/show/{order_id}"}))
    assert location.endswith(f"/my-work-orders/show/{order_id}")


@pytest.mark.parametrize("next_url", TRICKS)
def test_login_next_stays_on_site(app, next_url):
    client = app.test_client()
    resp = client.post("/login/", query_string={"next": next_url},
                       data={"username": role_user(roles.SERVICE), "password": PASSWORD})
    if "\x00" in next_url:  # a NUL is refused before any view (app/core/web.py): sent nowhere
        assert resp.status_code == 400
        assert client.get("/login/", query_string={"next": next_url}).status_code == 400
        return
    location = _location(resp)
    assert _on_site(location), location
    # and once logged in, the login page sends the user on the same way
    assert _on_site(_location(client.get("/login/", query_string={"next": next_url})))


def test_login_next_to_a_page_of_this_site(app):
    client = app.test_client()
    resp = client.post("/login/", query_string={"next": "http://localhost/owners/list/"},
                       data={"username": role_user(roles.SERVICE), "password": PASSWORD})
    assert _location(resp).endswith("/owners/list/")


@pytest.mark.parametrize("role, opened, form, lands", [
    # a page opened from a link or a bookmark (FAB knows no earlier page): saving lands on the list, not the home
    (roles.ADMIN, "/communities/add", {"name": "新小区", "code": "XQ9"}, "/communities/list/"),
    (roles.ADMIN, "/communities/edit/{community}", {"name": "翠湖花园", "code": "CH"}, "/communities/list/"),
])
def test_saving_a_page_opened_directly_lands_on_its_list(app, estate, login_as, role, opened, form, lands):
    client = login_as(role)
    opened = opened.format(**estate)
    assert client.get(opened).status_code == 200
    resp = client.post(opened, data=form)
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == lands


def test_editing_from_the_record_goes_back_to_where_the_user_was(app, estate, login_as):
    admin = login_as(roles.ADMIN)
    pk = estate["community"]
    admin.get("/communities/list/")
    admin.get(f"/communities/show/{pk}")
    admin.get(f"/communities/edit/{pk}")
    resp = admin.post(f"/communities/edit/{pk}", data={"name": "翠湖花园", "code": "CH"})
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path in (
        "/communities/list/", f"/communities/show/{pk}")
