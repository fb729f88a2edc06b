"""Two staff dispatching or closing the same order at the same moment: exactly one wins, the other is told.

Runs on whichever database the suite runs on (SQLite, and PostgreSQL in CI's second pass).
"""
from datetime import datetime, timedelta

import pytest

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import services
from app.service.models import Complaint, WorkOrder, WorkOrderEvent
from tests.conftest import actor, race

T0 = datetime.now().replace(microsecond=0) - timedelta(hours=3)


@pytest.fixture
def order_id(app, estate):
    with app.app_context():
        set_cli_actor("test")
        order = services.create_order(
            {"house": estate["houses"][0], "scope": "private", "category": "water_power", "source": "phone",
             "urgency": "normal", "description": "卫生间漏水"}, actor(app, roles.SERVICE), now=T0)
        db.session.commit()
        yield order.id
        set_cli_actor(None)


def _one_winner(outcomes):
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    loser = next(o for o in outcomes if o != "ok")
    assert loser  # a message the loser sees


@pytest.mark.parametrize("round_", range(3))
def test_two_dispatches_at_once_one_wins(app, order_id, round_):
    with app.app_context():
        desk, manager, engineer = actor(app, roles.SERVICE), actor(app, roles.MANAGER), actor(app, roles.ENGINEER)
        version = db.session.get(WorkOrder, order_id).version
    people = [desk, manager]

    def work(i):
        services.transition(order_id, "dispatch", people[i], expected_version=version,
                            assignee_id=engineer.id, note=f"派单{i}")

    _one_winner(race(app, work))
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert order.state == "dispatched"
        dispatches = db.session.query(WorkOrderEvent).filter_by(order_id=order_id, action="dispatch").count()
        assert dispatches == 1


def test_two_closings_at_once_one_wins(app, order_id):
    with app.app_context():
        desk, manager, engineer = actor(app, roles.SERVICE), actor(app, roles.MANAGER), actor(app, roles.ENGINEER)
        services.transition(order_id, "dispatch", desk, assignee_id=engineer.id, now=T0 + timedelta(minutes=5))
        services.transition(order_id, "arrive", engineer, now=T0 + timedelta(minutes=30))
        services.transition(order_id, "complete", engineer, now=T0 + timedelta(hours=1), result="已修复")
        db.session.commit()
    people = [desk, manager]
    choices = ["satisfied", "very_satisfied"]

    def work(i):
        services.callback(order_id, people[i], choices[i])

    _one_winner(race(app, work))
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert order.state == "closed"
        assert db.session.query(WorkOrderEvent).filter_by(order_id=order_id, action="callback").count() == 1


def test_two_complaint_replies_at_once_one_wins(app, estate):
    with app.app_context():
        set_cli_actor("test")
        desk, manager = actor(app, roles.SERVICE), actor(app, roles.MANAGER)
        c = services.create_complaint({"house": estate["houses"][0], "channel": "visit", "complainant": "李先生",
                                       "category": "security", "severity": "normal", "content": "夜间噪音"},
                                      desk, now=T0)
        services.complaint_transition(c.id, "respond", desk, department="order", note="已安抚")
        db.session.commit()
        cid, version = c.id, c.version
        set_cli_actor(None)
    people = [desk, manager]

    def work(i):
        services.complaint_transition(cid, "reply", people[i], expected_version=version, result=f"已处理{i}")

    _one_winner(race(app, work))
    with app.app_context():
        assert db.session.get(Complaint, cid).state == "replied"
