"""The survey demo (app.community.survey_demo): a fresh `make run` shows an approved questionnaire, the previous
half year's survey ended and the current one open, about half of the households answered in each, and results
that compare the two."""
from datetime import date

import pytest

from app.community import surveys
from app.community.survey_demo import QUESTIONS, load_survey_demo
from app.core.audit import set_cli_actor
from app.estate.demo import load_demo
from app.extensions import db

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(app):
    with app.test_request_context():
        set_cli_actor("test")
        load_demo(120, seed=7)
        counts = load_survey_demo(seed=2026, today=TODAY)
        yield counts
        db.session.rollback()
        set_cli_actor(None)


def test_two_half_years_with_results_to_compare(demo):
    assert demo["questionnaires"] == 1 and demo["surveys"] == 2
    current, previous = surveys.campaigns()
    assert (current.year, current.half, current.state) == (2026, 2, "open")
    assert (previous.year, previous.half, previous.state) == (2026, 1, "closed")
    assert current.template.state == "approved" and len(current.template.questions) == len(QUESTIONS)
    result = surveys.results(current.id)
    assert result["previous"].id == previous.id
    assert 0.3 * 120 < result["responses"] < 0.7 * 120
    assert demo["forms"] == result["responses"] + surveys.results(previous.id)["responses"]
    assert [line.key for line in result["departments"]] == ["service", "engineering", "order", "environment",
                                                           "billing"]
    assert all(line.now.rate is not None and line.change is not None for line in result["departments"])


def test_loading_again_adds_nothing(demo):
    assert load_survey_demo(seed=2026, today=TODAY) == {"questionnaires": 0, "surveys": 0, "forms": 0}
