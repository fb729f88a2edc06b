"""The 满意度调查报告 PDF: the boxes to sign are never alone on its last page; they stay with the content before
them (the last lines of the table by question and the note under it), however long the report grows."""
import dataclasses
import io
import os
import re
from datetime import date

import pytest
from pypdf import PdfReader

from app.community import surveys
from app.community.printing import survey_report_pdf
from app.community.survey_demo import load_survey_demo
from app.core.audit import set_cli_actor
from app.estate.demo import load_demo
from app.extensions import db

pytestmark = pytest.mark.moment("2026-11-20 10:00")
TODAY = date(2026, 11, 20)


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def result(app):
    """The results of the survey demo's current survey of a small estate (a questionnaire of ten questions)."""
    with app.test_request_context():
        set_cli_actor("test")
        load_demo(40, seed=7)
        load_survey_demo(seed=2026, today=TODAY)
        current, _previous = surveys.campaigns()
        yield surveys.results(current.id)
        db.session.rollback()
        set_cli_actor(None)


def test_the_boxes_to_sign_stay_with_the_last_lines_of_the_report(app, result):
    """The report made longer line by line (the questions repeated as if the questionnaire had more of them:
    with 19 more, the old layout put the office's name alone on a third page, then the boxes with it) crosses
    a page's end: the last page always holds the last question and the note with the boxes."""
    questions = result["questions"]
    seen = set()
    with app.test_request_context():
        for extra in range(16, 24):
            lines = questions + [dataclasses.replace(q, label=f"{q.label}（{n // len(questions) + 2}）",
                                                     extra=dict(q.extra, position=len(questions) + n + 1))
                                 for n, q in enumerate(questions * 3)][:extra]
            pdf = survey_report_pdf(dict(result, questions=lines), "周建国")
            if os.environ.get("PM_KEEP_PDF"):
                with open(f"{os.environ['PM_KEEP_PDF']}-survey-{extra}.pdf", "wb") as fh:
                    fh.write(pdf)
            pages = _pages(pdf)
            seen.add(len(pages))
            last = pages[-1]
            assert "制表：" in last and "项目经理：" in last, extra
            assert "上次调查：" in last and re.sub(r"\s+", "", lines[-1].label) in last, (extra, last)
    assert len(seen) > 1  # (the report did cross a page's end)
