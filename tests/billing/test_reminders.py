"""催缴 records: what the desk records of a reminder, the promises that are due, bad input refused."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.billing import services
from app.billing.models import Reminder
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor


def _bills(app, fees):
    with app.app_context():
        set_cli_actor("test")
        services.commit_run(fees["community"], "2026-11", actor(app, roles.MANAGER), today=TODAY)
        db.session.commit()
        set_cli_actor(None)


def _add(client, **values):
    data = {"method": "phone", "contact_person": "张三", "outcome": "业主答应月底前缴清", "promised_on": "",
            "promised_amount": ""}
    data.update(values)
    return client.post("/reminders/add", data=data)


def test_a_reminder_keeps_the_arrears_of_the_moment_and_its_promise(app, fees, login_as):
    _bills(app, fees)
    cashier = login_as(roles.CASHIER)
    soon = date.today() + timedelta(days=3)
    resp = _add(cashier, house=str(fees["houses"][0]), promised_on=soon.isoformat(), promised_amount="360.33")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        r = db.session.scalars(select(Reminder)).one()
        assert (r.arrears, r.promised_amount, r.promised_on, r.community_id) == (
            Decimal("360.33"), Decimal("360.33"), soon, fees["community"])
        assert r.by_name == "收费员"
        # not due yet; once the date has come and the house still owes, it is on the list to call back
        assert db.session.scalar(select(func.count()).select_from(Reminder)
                                 .where(services.due_promises_clause(date.today()))) == 0
        assert db.session.scalar(select(func.count()).select_from(Reminder)
                                 .where(services.due_promises_clause(soon))) == 1
        services.pay(fees["houses"][0], [line.id for line in services.unpaid_lines(fees["houses"][0])], "cash",
                     actor(app, roles.CASHIER))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Reminder)
                                 .where(services.due_promises_clause(soon))) == 0
    html = cashier.get("/reminders/list/").get_data(as_text=True)
    assert "业主答应月底前缴清" in html and "电话" in html


def test_bad_reminders_are_refused_and_nothing_written(app, fees, login_as):
    cashier = login_as(roles.CASHIER)
    for values, message in [
        (dict(house="999999"), "必填"),  # not one of the houses offered: the form says so
        (dict(house=str(fees["houses"][0]), outcome=""), "必填"),
        (dict(house=str(fees["houses"][0]), promised_on="2020-01-01"), "不能早于今天"),
        (dict(house=str(fees["houses"][0]), promised_amount="-5"), "之间"),
        (dict(house=str(fees["houses"][0]), outcome="<script>x</script>" * 100), "500"),
    ]:
        html = _add(cashier, **values).get_data(as_text=True)
        assert message in html, (values, message)
        assert "<script>x</script>" not in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0
    assert login_as(roles.ENGINEER).get("/reminders/list/").status_code in (302, 403)
