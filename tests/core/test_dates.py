"""Implausible dates (0001-01-01, 9999-12-31) are refused on every form with a Chinese message, and nothing is
written; an end may not come before its start."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.core.validators import check_date, date_window
from app.extensions import db
from app.security import roles

pytestmark = pytest.mark.moment("2026-11-20 10:00")

BAD = ["0001-01-01", "9999-12-31", "1899-12-31", "2037-01-01"]
WINDOW = "必须在"


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_window_comes_from_the_config(app):
    with app.app_context():
        assert date_window(date(2026, 11, 20)) == (date(1900, 1, 1), date(2036, 11, 20))
        app.config["DATE_MAX_YEARS_AHEAD"] = 1
        try:
            assert date_window(date(2026, 11, 20))[1] == date(2027, 11, 20)
        finally:
            app.config["DATE_MAX_YEARS_AHEAD"] = 10
        assert check_date(date(2026, 1, 1), "x") is None
        assert check_date(datetime(1, 1, 1, 8, 0), "x")
        assert check_date(date(2026, 1, 1), "x", start=date(2026, 2, 1), start_label="y")


def _ownership(app, estate, **kw):
    from app.estate.models import Owner, Ownership

    with app.app_context():
        owner = Owner(kind="person", name="张三", id_type="passport", id_number="E12345678", phone="13700002222")
        db.session.add(owner)
        db.session.flush()
        ownership = Ownership(house_id=estate["houses"][0], owner_id=owner.id, share=100, started_on=date(2020, 5, 1),
                              **kw)
        db.session.add(ownership)
        db.session.commit()
        return owner.id, ownership.id


def _forms(app, estate):
    """(url, good form data, the date field, the model counted) of each named form."""
    from app.billing.models import PublicEntry, Reminder
    from app.community.models import Activity
    from app.estate.models import MoveRecord, Ownership, Resident

    house, community = str(estate["houses"][0]), str(estate["community"])
    owner_id, _ = _ownership(app, estate)
    return [
        ("/move-records/add", {"house": house, "kind": "in", "person": "李四", "moved_on": "2026-01-02"},
         "moved_on", MoveRecord),
        ("/public-income-entries/add", {"community": community, "on_date": "2026-11-01", "category": "advertising",
                                        "amount": "100", "description": "电梯广告", "counterparty": "某公司"},
         "on_date", PublicEntry),
        ("/reminders/add", {"house": house, "method": "phone", "contact_person": "张三", "outcome": "答应月底缴清",
                            "promised_on": "2026-11-30", "promised_amount": ""}, "promised_on", Reminder),
        ("/ownerships/add", {"house": str(estate["houses"][1]), "owner": str(owner_id), "share": "100",
                             "started_on": "2020-01-01", "ended_on": "2021-01-01"}, "ended_on", Ownership),
        ("/ownerships/add", {"house": str(estate["houses"][1]), "owner": str(owner_id), "share": "100",
                             "started_on": "2020-01-01"}, "started_on", Ownership),
        ("/residents/add", {"house": house, "name": "李四", "relation": "tenant", "phone": "13600003333",
                            "moved_in_on": "2026-01-01", "moved_out_on": "2026-06-01", "lease_start": "2026-01-01",
                            "lease_end": "2026-12-31"}, "moved_out_on", Resident),
        ("/activities/add", {"community": community, "title": "中秋游园会", "starts_at": "2026-09-25 19:00:00",
                             "ends_at": "2026-09-25 21:00:00", "place": "中心广场", "organiser": "客服部 王芳",
                             "budget": "100", "plan": "猜灯谜"}, "ends_at", Activity),
    ]


@pytest.mark.parametrize("bad", BAD)
def test_named_forms_refuse_implausible_dates(app, admin, estate, bad):
    for url, data, field, model in _forms(app, estate):
        before = _count(app, model)
        value = bad + " 20:00:00" if field.endswith("_at") else bad
        resp = admin.post(url, data={**data, field: value})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (url, resp.status_code)
        assert WINDOW in html, (url, field, bad)
        assert _count(app, model) == before, url


def test_the_named_forms_take_a_plausible_date(app, admin, estate):
    for url, data, _field, model in _forms(app, estate):
        before = _count(app, model)
        resp = admin.post(url, data=data)
        assert resp.status_code == 302, url
        assert _count(app, model) == before + 1, url


def test_an_end_before_its_start_is_refused(app, admin, estate):
    from app.estate.models import Ownership, Resident

    _owner_id, ownership_id = _ownership(app, estate)
    # the edit form: the end before the record's start
    form = {"house": str(estate["houses"][0]), "owner": str(_owner_id), "share": "100", "started_on": "2020-05-01",
            "ended_on": "2019-01-01"}
    html = admin.post(f"/ownerships/edit/{ownership_id}", data=form).get_data(as_text=True)
    assert "不能早于" in html
    with app.app_context():
        assert db.session.get(Ownership, ownership_id).ended_on is None
    before = _count(app, Resident)
    html = admin.post("/residents/add", data={"house": str(estate["houses"][0]), "name": "李四", "relation": "tenant",
                                              "phone": "13600003333", "moved_in_on": "2026-05-01",
                                              "moved_out_on": "2026-04-30", "lease_start": "2026-01-01",
                                              "lease_end": "2026-12-31"}).get_data(as_text=True)
    assert "不能早于" in html and _count(app, Resident) == before


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31"])
def test_the_transfer_form_refuses_implausible_dates(app, admin, estate, bad):
    from app.estate.models import Ownership

    _ownership(app, estate)
    before = _count(app, Ownership)
    html = admin.post(f"/transfer/{estate['houses'][0]}", data={
        "on_date": bad, "kind": "person", "name": "王五", "id_type": "passport", "id_number": "E87654321",
        "phone": "13512345678"}).get_data(as_text=True)
    assert WINDOW in html
    assert _count(app, Ownership) == before


def test_every_date_field_of_every_view_form_has_the_window(app):
    """Each add and edit form of each view: a date or time field given 0001-01-01 does not validate."""
    from werkzeug.datastructures import MultiDict
    from wtforms import DateField, DateTimeField

    from app.core.views import PMModelView

    checked = 0
    with app.test_request_context():
        for view in app.appbuilder.baseviews:
            if not isinstance(view, PMModelView):
                continue
            for form_cls in (view.add_form, view.edit_form):
                names = [name for name, field in form_cls()._fields.items()
                         if isinstance(field, (DateField, DateTimeField))]
                for name in names:
                    value = "0001-01-01" if isinstance(form_cls()._fields[name], DateField) else "0001-01-01 10:00:00"
                    form = form_cls(formdata=MultiDict({name: value}))
                    if form._fields[name].data is None:  # a format the field does not read (datetime-local)
                        form = form_cls(formdata=MultiDict({name: "0001-01-01T10:00"}))
                    form.validate()
                    assert any(WINDOW in str(e) for e in form._fields[name].errors), (view.endpoint, name)
                    checked += 1
    assert checked >= 15


@pytest.mark.parametrize("bad", ["0001-01-01T10:00", "9999-12-31T10:00"])
def test_a_work_order_arrival_refuses_an_implausible_time(app, estate, login_as, bad):
    from app.service.models import WorkOrder
    from tests.conftest import actor, flashes

    client = login_as(roles.SERVICE)
    resp = client.post("/api/v1/work_order/open", json={"house": estate["houses"][0], "scope": "private",
                                                          "category": "civil", "source": "online",
                                                          "urgency": "normal", "description": "墙面开裂"})
    assert resp.status_code == 201, resp.get_json()
    oid = resp.get_json()["id"]
    with app.app_context():
        engineer_id = actor(app, roles.ENGINEER).id
    ok = client.post(f"/api/v1/work_order/{oid}/transition", json={"action": "dispatch", "assignee_id": engineer_id,
                                                                    "version": 1})
    assert ok.status_code == 200
    html = login_as(roles.ENGINEER).post(f"/work-order-actions/{oid}/arrive", data={"version": "2", "at": bad},
                                         follow_redirects=True).get_data(as_text=True)
    assert any(WINDOW in f for f in flashes(html)), flashes(html)
    with app.app_context():
        assert db.session.get(WorkOrder, oid).state == "dispatched"
