"""走访 test data shared by tests/community/test_visit_*.py: the small data set of test_visit_figures' docstring,
written through the services (import the fixture: `from tests.community.visit_fixtures import visit_data`)."""
from datetime import date, datetime
from decimal import Decimal

import pytest

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30)
B_LOGIN = "visit_b"


def _assistant_b(app):
    from app.security import roles
    from app.security.services import create_user
    from tests.conftest import PASSWORD

    user = app.appbuilder.sm.find_user(username=B_LOGIN)
    if user is None:
        user = create_user(app.appbuilder, B_LOGIN, PASSWORD, [roles.SERVICE], first_name="助理乙")
    return user


@pytest.fixture
def visit_data(app, estate):
    """The data set of the module docstring, written through the services; returns the ids."""
    from sqlalchemy import select

    from app.community import visits
    from app.estate.models import House, Owner, Ownership
    from app.estate.services import prepare_person
    from app.extensions import db
    from app.security import roles
    from tests.community.conftest import within
    from tests.conftest import actor, resident_id

    def work():
        houses = {h.house_no: h for h in db.session.scalars(select(House).where(
            House.community_id == estate["community"]))}
        houses["1-2-0101"].status = "vacant"
        for n, no in enumerate(("1-1-0101", "1-1-0102", "1-2-0101", "2-1-0301")):
            owner = Owner(kind="person", name=f"业主{n}", id_type="resident_id",
                          id_number=resident_id("19700101", seq=f"{n + 101}"), phone=f"1380000000{n}")
            prepare_person(owner)
            db.session.add(owner)
            db.session.flush()
            db.session.add(Ownership(house_id=houses[no].id, owner_id=owner.id, share=Decimal("100"),
                                     started_on=date(2020, 1, 1)))
        b_user = _assistant_b(app)
        manager, a = actor(app, roles.MANAGER), actor(app, roles.SERVICE)
        from app.core.rules import Actor
        b = Actor.of(b_user)
        c = estate["community"]
        visits.assign_zone(c, a.id, [estate["b1"]], manager, on=date(2026, 10, 1))
        visits.assign_zone(c, b.id, [estate["b2"]], manager, on=date(2026, 10, 1))

        def visit(who, day, no, channel, issues=(), **kw):
            return visits.record_visit(dict({"community": c, "visited_on": day, "house_no": no, "channel": channel,
                                             "issues": list(issues)}, **kw), who, now=NOW)

        first = visit(a, "2026-10-05", "1-1-0101", "door",
                      [{"category": "repair", "text": "卫生间漏水", "outcome": "repair"}], person="张三")
        visit(a, "2026-10-20", "1-1-0101", "phone")
        visit(a, "2026-10-06", "1-2-0101", "door")
        visit(b, "2026-10-08", "2-1-0301", "phone", other_needs="希望增设快递柜，电话13912345678")
        db.session.commit()
        october = visits.report(c, 2026, 10, today=TODAY)
        visits.assign_zone(c, b.id, [], manager, on=date(2026, 11, 10))
        visits.assign_zone(c, a.id, [estate["b1"], estate["b2"]], manager, on=date(2026, 11, 10))
        nov = visit(a, "2026-11-12", "2-1-0301", "door",
                    [{"category": "suggestion", "text": "建议增加儿童游乐设施", "outcome": "suggestion"},
                     {"category": "environment", "text": "垃圾桶清理不及时", "outcome": "noted"}])
        db.session.commit()
        return {"a": a.id, "b": b.id, "first_visit": first.id, "nov_visit": nov.id, "october_before": october}

    return dict(estate, **within(app, work))
