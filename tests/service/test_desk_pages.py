"""The desk's pages as staff use them: log a call that opens a repair, dispatch, complete, call back; the API and
the pages refuse bad input and illegal steps with a clear message and change nothing."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service.models import Complaint, Contact, Material, ServiceCharge, WorkOrder
from tests.conftest import actor


def _csrf(client, url):
    html = client.get(url).get_data(as_text=True)
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    return m.group(1) if m else ""


@pytest.fixture
def desk(login_as):
    return login_as(roles.SERVICE)


def _intake(client, estate, **overrides):
    data = {"csrf_token": _csrf(client, "/service-desk/"), "channel": "phone", "community": str(estate["community"]),
            "house_no": "1-1-0101", "person": "张先生", "phone": "13800001234", "summary": "厨房水管漏水",
            "kind": "repair", "scope": "private", "category": "water_power", "urgency": "urgent", "place": "",
            "appointment": "", "complaint_category": "other", "severity": "normal",
            "consultation_kind": "consultation", "answer": "", "service": "", "handling": "", "occurred_at": ""}
    data.update(overrides)
    return client.post("/service-desk/", data=data)


def test_a_call_becomes_a_repair_linked_both_ways(app, estate, desk):
    resp = _intake(desk, estate)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        order = db.session.query(WorkOrder).one()
        contact = db.session.query(Contact).one()
        assert order.contact_id == contact.id and contact.linked() is order
        assert order.urgency == "urgent" and order.house.house_no == "1-1-0101"
        assert order.arrive_due - order.reported_at == timedelta(minutes=30)
        assert contact.received_by_name and contact.kind == "repair"
        assert resp.headers["Location"].endswith(f"/work-orders/show/{order.id}")
    page = desk.get(resp.headers["Location"]).get_data(as_text=True)
    assert order.order_no in page and "派单" in page and "待派单" in page
    assert "13800001234" not in page  # the reporter's phone is masked


def test_intake_with_unknown_house_changes_nothing(app, estate, desk):
    resp = _intake(desk, estate, house_no="9-9-9999")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "9-9-9999" in html and "没有" in html
    with app.app_context():
        assert db.session.query(Contact).count() == 0 and db.session.query(WorkOrder).count() == 0


@pytest.mark.parametrize("typed,stored", [("0571-88887777", "0571-88887777"), ("0571 8888 7777", "0571-88887777"),
                                          ("88887777-123", "88887777-123"), ("010-12345678", "010-12345678")])
def test_intake_takes_a_landline_as_the_contact_number(app, estate, desk, typed, stored):
    resp = _intake(desk, estate, phone=typed)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.query(Contact).one().phone == stored
        assert db.session.query(WorkOrder).one().reporter_phone == stored


@pytest.mark.parametrize("kind", ["repair", "other"])
def test_intake_refuses_a_bad_contact_number_on_its_field(app, estate, desk, kind):
    resp = _intake(desk, estate, phone="12345", kind=kind)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    # the message stands under the phone field (the form's field error), in Chinese
    phone_row = html.split('id="phone"', 1)[1].split("<tr>", 1)[0]
    assert "联系电话应为11位手机号码或固定电话" in phone_row and "alert-danger" in phone_row
    with app.app_context():
        assert db.session.query(Contact).count() == 0 and db.session.query(WorkOrder).count() == 0


def test_the_place_typed_at_the_desk_shows_with_the_house(app, estate, desk):
    resp = _intake(desk, estate, place="厨房水槽下")
    assert resp.status_code == 302
    page = desk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "1-1-0101 厨房水槽下" in page
    assert "1-1-0101 厨房水槽下" in desk.get("/work-orders/list/").get_data(as_text=True)


def test_intake_refuses_script_and_huge_text(app, estate, desk):
    resp = _intake(desk, estate, summary="<script>alert(1)</script>" + "漏" * 2000)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<script>alert(1)</script>" not in html
    with app.app_context():
        assert db.session.query(Contact).count() == 0
    resp = _intake(desk, estate, summary="<script>alert(1)</script>")
    assert resp.status_code == 302
    page = desk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_complaint_from_the_desk_and_its_overdue_flag(app, estate, desk, login_as):
    resp = _intake(desk, estate, kind="complaint", summary="楼道垃圾三天没清", complaint_category="cleaning",
                   severity="major")
    assert resp.status_code == 302
    with app.app_context():
        c = db.session.query(Complaint).one()
        assert c.severity == "major" and c.responsible_id == actor(app, roles.SERVICE).id
        c.received_at = c.received_at - timedelta(hours=3)
        c.respond_due = c.received_at + timedelta(minutes=30)
        db.session.commit()
        no = c.complaint_no
    manager = login_as(roles.MANAGER)
    home = manager.get("/").get_data(as_text=True)
    assert no in home  # the manager sees the overdue, major complaint at once
    listing = manager.get("/overdue-complaints/list/").get_data(as_text=True)
    assert no in listing


def test_dispatch_complete_callback_through_the_pages(app, estate, desk, login_as):
    with app.app_context():
        set_cli_actor("test")
        db.session.add(Material(name="角阀", spec="DN15", unit="个", unit_price=Decimal("18.5000")))
        db.session.commit()
        material_id = db.session.query(Material).one().id
        set_cli_actor(None)
    resp = _intake(desk, estate)
    url = resp.headers["Location"]
    with app.app_context():
        order = db.session.query(WorkOrder).one()
        oid, engineer_id = order.id, actor(app, roles.ENGINEER).id
    token = _csrf(desk, url)
    resp = desk.post(f"/work-order-actions/{oid}/dispatch", data={"csrf_token": token, "assignee": engineer_id,
                                                                   "version": 1})
    assert resp.status_code == 302
    engineer = login_as(roles.ENGINEER)
    mine = engineer.get("/my-work-orders/list/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WorkOrder, oid).order_no in mine
    token = _csrf(engineer, f"/my-work-orders/show/{oid}")
    assert engineer.post(f"/work-order-actions/{oid}/arrive", data={"csrf_token": token}).status_code == 302
    # completion before dispatch: refused, nothing changed
    bad = engineer.post(f"/work-order-actions/{oid}/complete", data={
        "csrf_token": token, "at": "2020-01-01T10:00", "result": "换角阀"}, follow_redirects=True)
    assert "不能早于" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WorkOrder, oid).state == "in_progress"
    ok = engineer.post(f"/work-order-actions/{oid}/complete", data={
        "csrf_token": token, "result": "换角阀", "labour_fee": "20", "material_0": material_id, "quantity_0": "2"})
    assert ok.status_code == 302
    with app.app_context():
        order = db.session.get(WorkOrder, oid)
        assert order.state == "completed" and order.total_fee == Decimal("57.00")
        assert db.session.query(ServiceCharge).one().amount == Decimal("57.00")
    # the engineer cannot call back; the desk can, and a satisfaction outside the scale is refused
    refused = engineer.post(f"/work-order-actions/{oid}/callback", data={"csrf_token": token,
                                                                         "satisfaction": "satisfied"},
                            follow_redirects=True)
    assert refused.status_code in (200, 403)
    token = _csrf(desk, url)
    desk.post(f"/work-order-actions/{oid}/callback", data={"csrf_token": token, "satisfaction": "great"})
    with app.app_context():
        assert db.session.get(WorkOrder, oid).state == "completed"
    desk.post(f"/work-order-actions/{oid}/callback", data={"csrf_token": token, "satisfaction": "very_satisfied",
                                                           "remark": "师傅很专业"})
    with app.app_context():
        order = db.session.get(WorkOrder, oid)
        assert order.state == "closed" and order.satisfaction == "very_satisfied"
    # a closed order: every further step refused with a message
    again = desk.post(f"/work-order-actions/{oid}/cancel", data={"csrf_token": token, "note": "x"},
                      follow_redirects=True)
    assert "不能" in again.get_data(as_text=True)


def test_api_refuses_illegal_transition_with_the_same_message(app, estate, login_as):
    client = login_as(roles.SERVICE)
    resp = client.post("/api/v1/work_order/open", json={"house": estate["houses"][0], "scope": "private",
                                                         "category": "civil", "source": "online",
                                                         "urgency": "normal", "description": "墙面开裂"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    oid = resp.get_json()["id"]
    bad = client.post(f"/api/v1/work_order/{oid}/transition", json={"action": "complete", "result": "x"})
    assert bad.status_code == 422 and "待派单" in bad.get_data(as_text=True)
    unknown = client.post(f"/api/v1/work_order/{oid}/transition", json={"action": "explode"})
    assert unknown.status_code == 422
    with app.app_context():
        assert db.session.get(WorkOrder, oid).state == "pending"
    engineer_id = None
    with app.app_context():
        engineer_id = actor(app, roles.ENGINEER).id
    ok = client.post(f"/api/v1/work_order/{oid}/transition", json={"action": "dispatch", "assignee_id": engineer_id,
                                                                    "version": 1})
    assert ok.status_code == 200 and ok.get_json()["state"] == "dispatched"
    stale = client.post(f"/api/v1/work_order/{oid}/transition", json={"action": "cancel", "note": "重复报修",
                                                                       "version": 1})
    assert stale.status_code == 422
    got = client.get(f"/api/v1/work_order/{oid}").get_json()["result"]
    assert got["state"] == "dispatched"


def test_api_bad_house_is_422(estate, login_as):
    client = login_as(roles.SERVICE)
    resp = client.post("/api/v1/work_order/open", json={"house": 987654, "scope": "private", "category": "civil",
                                                         "source": "online", "urgency": "normal",
                                                         "description": "墙面开裂"})
    assert resp.status_code == 422 and "房屋" in resp.get_data(as_text=True)


def test_daily_log_page_and_pdf(app, estate, desk):
    _intake(desk, estate)
    _intake(desk, estate, kind="other", summary="业主询问快递柜位置", handling="已告知")
    page = desk.get("/daily-log/").get_data(as_text=True)
    assert "厨房水管漏水" in page and "业主询问快递柜位置" in page
    bad = desk.get("/daily-log/?day=2026-13-45&community=abc")
    assert bad.status_code == 200
    pdf = desk.get(f"/daily-log/pdf?day={date.today().isoformat()}")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"


@pytest.mark.parametrize("url", ["/service-desk/", "/daily-log/", "/work-log/list/", "/open-work-orders/list/",
                                 "/overdue-work-orders/list/", "/work-orders/list/", "/complaints/list/",
                                 "/overdue-complaints/list/", "/consultations/list/", "/service-requests/list/",
                                 "/special-services/list/", "/materials/list/", "/service-charges/list/",
                                 "/service-deadlines/list/", "/work-orders/add", "/complaints/add",
                                 "/work-log/add", "/consultations/add", "/service-requests/add"])
def test_every_page_opens_for_the_manager(estate, login_as, url):
    resp = login_as(roles.MANAGER).get(url)
    assert resp.status_code == 200, url
