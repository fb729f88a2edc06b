"""`flask pm demo` at awkward moments: the demo builds a consistent past of the moment it runs (nothing later
than now, nothing dated before what it belongs to), and a part that failed is loaded by the next run."""
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app import demo as demo_parts
from app.community.models import SurveyTemplate, ZoneBuilding
from app.extensions import db
from tests.service.test_demo import _drop_demo_users


@pytest.fixture
def drop_demo_users(app):
    yield
    with app.app_context():
        db.session.rollback()
        _drop_demo_users(app)


@pytest.mark.parametrize("moment", [datetime(2027, 1, 1, 0, 10), datetime(2028, 2, 29, 23, 50),
                                    datetime(2026, 12, 1, 8, 59)], ids=str)
def test_the_demo_at_an_awkward_moment_lies_wholly_in_its_past(app, drop_demo_users, moment):
    with time_machine.travel(moment, tick=True):
        result = app.test_cli_runner().invoke(args=["pm", "demo", "--households", "60", "--if-empty"])
        assert result.exit_code == 0, result.output
        assert "NOT LOADED" not in result.output
        with app.app_context():
            assert demo_parts.problems() == []


def test_a_part_that_fails_is_reported_and_the_next_run_loads_it(app, drop_demo_users, monkeypatch):
    from app.community import visit_demo

    def broken(**kwargs):
        raise RuntimeError("模拟的故障")

    monkeypatch.setattr(visit_demo, "load_visit_demo", broken)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["pm", "demo", "--households", "40", "--if-empty"])
    assert first.exit_code == 1
    assert "NOT LOADED: last month's and this month's client visits: 模拟的故障" in first.output
    with app.app_context():  # the parts after it were still loaded
        assert db.session.scalar(select(func.count(SurveyTemplate.id))) == 1
        assert db.session.scalar(select(func.count(ZoneBuilding.id))) == 0
        assert demo_parts.problems() == ["demo part missing: last month's and this month's client visits"]
    monkeypatch.undo()
    second = runner.invoke(args=["pm", "demo", "--households", "40", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "Already loaded: the demo estate" in second.output and "Loading last month's" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(ZoneBuilding.id))) > 0
        assert demo_parts.problems() == []
