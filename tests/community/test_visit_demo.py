"""The 走访 demo (app.community.visit_demo): what a visitor of a fresh `make run` sees under 社区关系 → 走访覆盖率."""
from datetime import date

import pytest
from sqlalchemy import delete, func, select

from app.community import visits
from app.community.models import Visit, VisitIssue, VisitSummary, ZoneBuilding
from app.community.visit_demo import ASSISTANTS, load_visit_demo
from app.core.audit import set_cli_actor
from app.core.models import AuditLog
from app.estate.demo import load_demo
from app.extensions import db
from app.service.models import Complaint, ComplaintEvent, Consultation, Contact, WorkOrder, WorkOrderEvent

TODAY = date.today()


@pytest.fixture
def demo(app):
    with app.app_context():
        set_cli_actor("test")
        load_demo(120, seed=7)
        counts = load_visit_demo(seed=2026, today=TODAY)
        yield counts
        db.session.rollback()
        for model in (VisitIssue, Visit, VisitSummary, ZoneBuilding, WorkOrderEvent, WorkOrder, ComplaintEvent,
                      Complaint, Consultation, Contact, AuditLog):
            db.session.execute(delete(model))
        db.session.commit()
        for login, _name, _rate in ASSISTANTS:  # the table cleanup keeps users: remove the demo assistants
            user = app.appbuilder.sm.find_user(username=login)
            if user is not None:
                db.session.delete(user)
        db.session.commit()
        set_cli_actor(None)


def _last_month():
    return (TODAY.year - 1, 12) if TODAY.month == 1 else (TODAY.year, TODAY.month - 1)


def test_the_demo_has_zones_visits_and_a_report_worth_reading(app, demo):
    with app.test_request_context():
        community_id = db.session.scalar(select(ZoneBuilding.community_id).limit(1))
        year, month = _last_month()
        report = visits.report(community_id, year, month, today=TODAY)
        names = {z["name"] for z in report["zones"]}
        assert names == {name for _login, name, _rate in ASSISTANTS}
        assert report["visits"] > 0 and report["households"] > 0
        assert any(z["behind"] for z in report["zones"]) and not all(z["behind"] for z in report["zones"])
        states = {i["state"] for i in report["issues"]}
        assert "closed" in states  # last month's records were dealt with, mostly
        assert any(i["record"] for i in report["issues"])
        assert report["summary"] is not None and "赵敏" in report["summary"].text
        assert db.session.scalar(select(func.max(Visit.visited_on))) <= TODAY
        assert demo["visits"] == db.session.scalar(select(func.count(Visit.id)))


def test_loading_it_again_adds_nothing(app, demo):
    with app.app_context():
        assert load_visit_demo(seed=2026, today=TODAY) == {"zones": 0, "visits": 0}
