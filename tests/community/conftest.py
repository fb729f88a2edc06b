"""社区关系 test data: the `estate` (翠湖花园, 1号楼 and 2号楼, and 锦绣华庭) with a phone for the office, helpers
to draft a notice through the service, and a photo folder of the test's own."""
from datetime import date, datetime

import pytest

from tests.community.survey_data import fresh, surveyed  # noqa: F401  (the 满意度调查 data set: fixtures)

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30)


def within(app, work):
    """Run work() in a request context of its own (the audit actor set) and return its result. Tests that also use
    the pages set their data up this way: a context held open would share flask-login's user between clients."""
    from app.core.audit import set_cli_actor
    from app.extensions import db

    with app.test_request_context():
        set_cli_actor("test")
        try:
            return work()
        finally:
            db.session.rollback()
            set_cli_actor(None)


@pytest.fixture
def office(app, estate):
    """The estate, and 翠湖花园's office phone 0571-88886666."""
    from app.estate.models import Community
    from app.extensions import db

    def work():
        db.session.get(Community, estate["community"]).phone = "0571-88886666"
        db.session.commit()

    within(app, work)
    return estate


@pytest.fixture
def ctx(app, office):
    """A request context held for the whole test, with the audit actor set: for tests of the services only."""
    from app.core.audit import set_cli_actor
    from app.extensions import db

    with app.test_request_context():
        set_cli_actor("test")
        yield office
        db.session.rollback()
        set_cli_actor(None)


@pytest.fixture(autouse=True)
def photo_folder(app, tmp_path):
    """Activity photos go to a folder of this test, never to the real instance folder."""
    folder = tmp_path / "photos"
    app.config["COMMUNITY_PHOTO_FOLDER"] = str(folder)
    yield folder
    app.config.pop("COMMUNITY_PHOTO_FOLDER", None)


def outage_values(estate, **overrides) -> dict:
    """A 停水通知 for 1号楼 and 2号楼 of 翠湖花园 on 2026-12-01, 08:00 to 18:00."""
    values = {
        "community": estate["community"], "notice_type": "outage", "buildings": [estate["b1"], estate["b2"]],
        "fields": {"utility": "water", "starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T18:00",
                   "reason": "二次供水水箱清洗", "contact_phone": "0571-88886666"},
        "title": "", "body": "",
    }
    fields = overrides.pop("fields", {})
    values.update(overrides)
    values["fields"] = dict(values["fields"], **fields)
    return values


def draft(app, values, role=None, fill_text=True):
    """Save a draft through the service (title and text filled from the template unless given); committed."""
    from app.community import services
    from app.extensions import db
    from app.security import roles
    from tests.conftest import actor

    values = dict(values)
    if fill_text and not values.get("title"):
        errors, title, body = services.fill(values, today=TODAY)
        assert errors == {}
        values.update(title=title, body=body)
    notice = services.save_draft(values, actor(app, role or roles.SERVICE), now=NOW, today=TODAY)
    db.session.commit()
    return notice


OWNER_PHONE = "13812345678"


@pytest.fixture
def overdue(app, office, fees):
    """翠湖花园 billed for 2026-11 and owners on file (张三丰 owns 1-1-0101, 喆堃 owns 1-1-0102), the bills' due dates
    set by hand so that on TODAY: 1-1-0101 owes 360.33 for 400 days, 1-1-0102 210.33 for 100 days, 1-2-0101
    210.33 for 60 days, 2-1-0301 210.33 for 200 days, 1-1-0201 210.33 for 10 days."""
    from decimal import Decimal

    from sqlalchemy import select

    from app.billing import services as billing
    from app.billing.models import BillLine
    from app.estate.models import House, Owner, Ownership
    from app.estate.services import prepare_person
    from app.extensions import db
    from app.security import roles
    from tests.conftest import actor, resident_id

    def work():
        billing.commit_run(fees["community"], "2026-11", actor(app, roles.MANAGER), today=TODAY)
        houses = {h.house_no: h.id
                  for h in db.session.scalars(select(House).where(House.community_id == office["community"]))}
        owners = [Owner(kind="person", name="张三丰", id_type="resident_id", id_number=resident_id("19700101"),
                        phone=OWNER_PHONE),
                  Owner(kind="person", name="喆堃", id_type="passport", id_number="E12345678", phone="13700002222")]
        for owner in owners:
            prepare_person(owner)
        db.session.add_all(owners)
        db.session.flush()
        db.session.add_all([Ownership(house_id=houses["1-1-0101"], owner_id=owners[0].id, share=Decimal("100"),
                                      started_on=date(2020, 5, 1)),
                            Ownership(house_id=houses["1-1-0102"], owner_id=owners[1].id, share=Decimal("100"),
                                      started_on=date(2021, 6, 1))])
        ages = {"1-1-0101": 400, "1-1-0102": 100, "1-2-0101": 60, "2-1-0301": 200, "1-1-0201": 10}
        by_id = {v: k for k, v in houses.items()}
        for line in db.session.scalars(select(BillLine)):
            line.due_date = date.fromordinal(TODAY.toordinal() - ages[by_id[line.house_id]])
        db.session.commit()
        return houses

    return dict(fees, houses_by_no=within(app, work))


def arrears_values(estate, buildings=(), **fields) -> dict:
    values = {"community": estate["community"], "notice_type": "arrears", "buildings": list(buildings),
              "fields": {"as_of": TODAY.isoformat(), "min_amount": "0.01", "min_days": "30",
                         "contact_phone": "0571-88886666"}}
    values["fields"].update(fields)
    return values
