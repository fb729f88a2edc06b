"""The caller's contact number on a work order (issue 13, point 3), written from the rule as the office states it:
the engineer assigned to an open order and the 客服 doing its 回访 see the number on the order's page and on the
派工单, each showing written to the audit log; nobody else does; a closed or cancelled order shows it masked to
everybody."""
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.audit import set_cli_actor
from app.core.models import AuditLog
from app.extensions import db
from app.security import roles
from app.service import services
from app.service.models import WorkOrder
from tests.conftest import PASSWORD, actor, login, role_user

pytestmark = pytest.mark.moment("2026-11-20 10:00")

NUMBER = "0571-88887777"
MASKED = "0571-****7777"
OTHER_ENGINEER = "eng_other"


@pytest.fixture
def other_engineer(app):
    """A second 工程维修, to whom the order is not assigned."""
    from app.security.services import create_user

    with app.app_context():
        if app.appbuilder.sm.find_user(username=OTHER_ENGINEER) is None:
            create_user(app.appbuilder, OTHER_ENGINEER, PASSWORD, [roles.ENGINEER], first_name="李师傅")
    client = app.test_client()
    assert login(client, OTHER_ENGINEER).status_code == 302
    yield client
    with app.app_context():
        db.session.delete(app.appbuilder.sm.find_user(username=OTHER_ENGINEER))
        db.session.commit()


def _order(app, estate, state="dispatched") -> int:
    """A repair of 1-1-0101 reported with a landline, moved through the services up to `state`."""
    with app.app_context():
        set_cli_actor("test")
        desk, engineer = actor(app, roles.SERVICE), actor(app, roles.ENGINEER)
        order = services.create_order({
            "house": estate["houses"][0], "scope": "private", "category": "water_power", "source": "phone",
            "urgency": "normal", "description": "厨房水管漏水", "place": "厨房水槽下", "reporter_name": "张先生",
            "reporter_phone": "0571 8888 7777"}, desk)
        steps = {"pending": [], "dispatched": ["dispatch"], "in_progress": ["dispatch", "arrive"],
                 "completed": ["dispatch", "arrive", "complete"],
                 "closed": ["dispatch", "arrive", "complete", "callback"], "cancelled": ["dispatch", "cancel"]}[state]
        for step in steps:
            if step == "dispatch":
                services.transition(order.id, "dispatch", desk, assignee_id=engineer.id)
            elif step == "arrive":
                services.transition(order.id, "arrive", engineer)
            elif step == "complete":
                services.transition(order.id, "complete", engineer, result="更换角阀")
            elif step == "callback":
                services.callback(order.id, desk, "satisfied")
            else:
                services.transition(order.id, "cancel", desk, note="业主自行修好")
        db.session.commit()
        assert order.reporter_phone == NUMBER and order.state == state
        set_cli_actor(None)
        return order.id


def _views(app, oid):
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.action == "view", AuditLog.record_id == str(oid),
                                                         AuditLog.table_name == WorkOrder.__tablename__)
                                  .order_by(AuditLog.id)).all()


def _pdf_text(client, oid) -> str:
    resp = client.get(f"/work-orders/print/?ids={oid}")
    assert resp.status_code == 200 and resp.data[:4] == b"%PDF", resp.status_code
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)


def _page(client, oid) -> str:
    resp = client.get(f"/work-orders/show/{oid}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


# ---------------------------------------------------------------------------- the rule, state by state


@pytest.mark.parametrize("state,engineer,desk", [
    ("pending", False, False),
    ("dispatched", True, False),
    ("in_progress", True, False),
    ("completed", False, True),  # 已完成(待回访): the 客服 calls back; the engineer's work is done
    ("closed", False, False),
    ("cancelled", False, False),
])
def test_who_may_see_the_number_in_each_state(app, estate, state, engineer, desk):
    from app.service.contact import may_see_contact

    oid = _order(app, estate, state)
    with app.app_context():
        order = db.session.get(WorkOrder, oid)
        assert may_see_contact(order, actor(app, roles.ENGINEER)) is engineer
        assert may_see_contact(order, actor(app, roles.SERVICE)) is desk
        for role in (roles.ADMIN, roles.MANAGER, roles.CASHIER, roles.ORDER, roles.CLEANING, roles.ARCHIVES,
                     roles.COMMITTEE):
            assert may_see_contact(order, actor(app, role)) is False, role
        assert may_see_contact(order, None) is False


def test_suspended_order_stays_open_for_its_engineer(app, estate):
    from app.service.contact import may_see_contact

    oid = _order(app, estate, "in_progress")
    with app.app_context():
        services.transition(oid, "suspend", actor(app, roles.ENGINEER), note="等配件")
        db.session.commit()
        assert may_see_contact(db.session.get(WorkOrder, oid), actor(app, roles.ENGINEER)) is True


# ---------------------------------------------------------------------------- the page and the 派工单


def test_the_assigned_engineer_sees_the_number_on_the_page_and_the_form_and_it_is_audited(app, estate, login_as):
    oid = _order(app, estate, "in_progress")
    engineer = login_as(roles.ENGINEER)
    page = engineer.get(f"/my-work-orders/show/{oid}").get_data(as_text=True)
    assert NUMBER in page and MASKED not in page
    assert "1-1-0101 厨房水槽下" in page
    text = _pdf_text(engineer, oid)
    assert NUMBER in text and "厨房水槽下" in text
    views = _views(app, oid)
    assert len(views) == 2 and {v.username for v in views} == {role_user(roles.ENGINEER)}
    details = [json.loads(v.changes) for v in views]
    assert [d["via"] for d in details] == ["page", "print"]
    assert {d["field"] for d in details} == {"reporter_phone"} and {d["purpose"] for d in details} == {"repair"}


def test_nobody_else_sees_it_and_nothing_is_logged(app, estate, login_as, other_engineer):
    oid = _order(app, estate, "dispatched")
    for client in (other_engineer, login_as(roles.SERVICE), login_as(roles.MANAGER), login_as(roles.ARCHIVES)):
        page = _page(client, oid)
        assert NUMBER not in page and MASKED in page
        text = _pdf_text(client, oid)
        assert NUMBER not in text and MASKED in text
    committee = login_as(roles.COMMITTEE)  # 业委会: no work orders at all, and never the number
    for url in (f"/work-orders/show/{oid}", f"/work-orders/print/?ids={oid}", f"/api/v1/work_order/{oid}"):
        resp = committee.get(url)
        assert resp.status_code in (302, 401, 403) and NUMBER not in resp.get_data(as_text=True)
    assert _views(app, oid) == []


def test_the_desk_sees_it_during_the_callback(app, estate, login_as):
    oid = _order(app, estate, "completed")
    desk = login_as(roles.SERVICE)
    assert NUMBER in _page(desk, oid) and NUMBER in _pdf_text(desk, oid)
    engineer = login_as(roles.ENGINEER)  # his work is done: masked for him now
    assert NUMBER not in _page(engineer, oid) and MASKED in _page(engineer, oid)
    views = _views(app, oid)
    assert [v.username for v in views] == [role_user(roles.SERVICE)] * 2
    assert {json.loads(v.changes)["purpose"] for v in views} == {"callback"}


@pytest.mark.parametrize("state", ["closed", "cancelled"])
def test_a_closed_order_is_masked_for_everybody(app, estate, login_as, state):
    oid = _order(app, estate, state)
    for role in (roles.ENGINEER, roles.SERVICE, roles.MANAGER, roles.ADMIN):
        client = login_as(role)
        page, text = _page(client, oid), _pdf_text(client, oid)
        assert NUMBER not in page and MASKED in page, role
        assert NUMBER not in text and MASKED in text, role
    assert _views(app, oid) == []


def test_closing_masks_it_again_for_the_engineer(app, estate, login_as):
    oid = _order(app, estate, "dispatched")
    engineer = login_as(roles.ENGINEER)
    assert NUMBER in _page(engineer, oid)
    with app.app_context():
        set_cli_actor("test")
        services.transition(oid, "cancel", actor(app, roles.SERVICE), note="业主自行修好")
        db.session.commit()
        set_cli_actor(None)
    page = _page(engineer, oid)
    assert NUMBER not in page and MASKED in page
    assert len(_views(app, oid)) == 1

