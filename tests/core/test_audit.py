"""The audit log: who changed which record, when, which fields from what to what; never secrets."""
import json

from sqlalchemy import select

from app.core.models import AuditLog
from app.extensions import db
from app.security.roles import ARCHIVES, MANAGER, SERVICE


def _rows(app, table):
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.table_name == table).order_by(AuditLog.id)).all()


def test_create_update_delete_are_logged_with_user_and_fields(app, login_as, estate):
    c = login_as(ARCHIVES)
    c.post("/communities/add", data={"name": "新城花园", "code": "C100", "address": "人民路8号"})
    created = [r for r in _rows(app, "estate_community") if r.action == "create" and "新城花园" in r.changes]
    assert len(created) == 1
    row = created[0]
    assert row.username == "u_7" and row.user_id is not None
    assert json.loads(row.changes)["address"] == [None, "人民路8号"]
    pk = row.record_id
    c.post(f"/communities/edit/{pk}", data={"name": "新城花园", "code": "C100", "address": "人民路9号"})
    updated = [r for r in _rows(app, "estate_community") if r.action == "update" and r.record_id == pk]
    assert json.loads(updated[-1].changes) == {"address": ["人民路8号", "人民路9号"]}
    c.post(f"/communities/delete/{pk}")
    deleted = [r for r in _rows(app, "estate_community") if r.action == "delete" and r.record_id == pk]
    assert deleted and json.loads(deleted[0].changes)["name"] == ["新城花园", None]


def test_api_changes_are_logged_too(app, login_as, estate):
    c = login_as(MANAGER)
    resp = c.put(f"/api/v1/house/{estate['houses'][0]}", json={"layout": "三室两厅"})
    assert resp.status_code == 200
    rows = [r for r in _rows(app, "estate_house") if r.action == "update"]
    assert json.loads(rows[-1].changes)["layout"] == ["两室一厅", "三室两厅"]
    assert rows[-1].username == "u_1"


def test_refused_change_writes_nothing(app, login_as, estate):
    before = len(_rows(app, "estate_house"))
    c = login_as(MANAGER)
    c.put(f"/api/v1/house/{estate['houses'][0]}", json={"building_area": "-1"})
    assert len(_rows(app, "estate_house")) == before


def test_users_and_passwords_are_not_in_the_audit_log(app, admin):
    from app.security import roles

    with app.app_context():
        role_id = app.appbuilder.sm.find_role(roles.SERVICE).id
    admin.post("/users/add", data={
        "first_name": "李", "last_name": "四", "username": "lisi", "email": "ls@pm.local", "active": "y",
        "roles": str(role_id), "password": "Strong-Pass-2026", "conf_password": "Strong-Pass-2026",
    })
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="lisi") is not None
        text = " ".join(r.changes for r in db.session.scalars(select(AuditLog)).all())
    assert "Strong-Pass-2026" not in text and "pbkdf2" not in text and "scrypt" not in text


def test_manager_can_filter_the_audit_log_and_front_desk_cannot_see_it(app, login_as, estate):
    m = login_as(MANAGER)
    html = m.get("/audit/list/?_flt_0_table_name=estate_house").get_data(as_text=True)
    assert "操作日志" in html and "estate_house" in html and "estate_community" not in html
    assert login_as(SERVICE).get("/audit/list/").status_code in (302, 403)


def test_audit_summary_uses_chinese_labels_and_values(app, login_as, estate):
    c = login_as(MANAGER)
    c.put(f"/api/v1/house/{estate['houses'][0]}", json={"status": "vacant"})
    html = c.get("/audit/list/?_flt_0_table_name=estate_house").get_data(as_text=True)
    assert "状态：自住 → 空置" in html
    assert "Building Id" not in html and "Unit Id" not in html


def test_a_house_change_is_told_with_the_house_labels_not_the_parking_space_ones(app, login_as, estate):
    c = login_as(MANAGER)
    assert c.put(f"/api/v1/house/{estate['houses'][0]}", json={"status": "rented"}).status_code == 200
    html = c.get("/audit/list/?_flt_0_table_name=estate_house").get_data(as_text=True)
    assert "状态：自住 → 出租" in html and "已租" not in html


def test_a_payment_is_logged_with_its_receipt_number_and_the_cashier_by_name(app, fees, login_as):
    from app.security.roles import CASHIER
    from tests.conftest import pay_first_bill_at_counter

    pay_first_bill_at_counter(app, fees, login_as(CASHIER))
    rows = [r for r in _rows(app, "billing_payment")]
    assert [r.action for r in rows] == ["create"]  # the number is the receipt's from the start, not a change
    assert rows[0].record_label.startswith("SK") and "TMP-" not in rows[0].changes
    html = login_as(MANAGER).get("/audit/list/?_flt_0_table_name=billing_payment").get_data(as_text=True)
    assert "TMP-" not in html and "收据号：SK" in html
    assert "cashier_id" not in html and "收费员：收费员" in html
    assert "year" not in html and "serial" not in html


def test_fields_pointing_at_users_are_told_by_name(app):
    from app.core.audit import describe_changes
    from app.security.roles import ENGINEER
    from tests.conftest import role_user

    with app.test_request_context():
        engineer = app.appbuilder.sm.find_user(username=role_user(ENGINEER))
        text = describe_changes("service_work_order", json.dumps({"assignee_id": [None, engineer.id], "version": [1, 2]}))
    assert text == "维修人员：工程维修"


def test_every_audited_column_has_a_label(app):
    from flask_appbuilder import Model

    from app.core import audit

    with app.test_request_context():
        for mapper in Model.registry.mappers:
            if not issubclass(mapper.class_, audit.Audited):
                continue
            table = mapper.class_.__tablename__
            assert table in audit._TABLE_LABELS, table
            fields = audit._TABLE_LABELS[table][1]
            unnamed = [a.key for a in mapper.column_attrs if a.key not in ("id", "version")
                       and audit.field_label(fields, a.key) == a.key]
            assert unnamed == [], table


def test_yes_no_dates_and_coded_values_are_told_in_chinese(app):
    from app.core.audit import describe_changes

    with app.test_request_context():
        text = describe_changes("billing_fee_item", json.dumps({"active": [True, False], "area_basis": [None, "building_area"]}))
        run = describe_changes("billing_run", json.dumps({"created_at": [None, "2026-11-20T10:00:00"]}))
    assert "在用：是 → 否" in text and "building_area" not in text and "True" not in text
    assert "2026年11月20日 10:00" in run and "T10" not in run
