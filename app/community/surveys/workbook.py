"""The Excel workbook of a campaign's forms: the blank one to fill in (a column per question, a drop-down of
its answers) and its import, every row checked first and then all written at once, or nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.community.models import SURVEY_SCALE, SurveyAnswer, SurveyCampaign, SurveyQuestion, SurveyResponse
from app.community.services import _now, check_plain_text
from app.community.surveys.answers import (_answer_problem, _answered, _answered_message, _open_campaign, answer_hint,
                                           parse_answer)
from app.community.surveys.common import _label
from app.core.audit import log_event
from app.core.rules import Actor
from app.estate.models import House
from app.extensions import db

MAX_IMPORT_ROWS = 10_000


def _house_header() -> str:
    with force_locale("zh"):
        return str(_label("house"))


def _remark_header() -> str:
    with force_locale("zh"):
        return str(_label("remark"))


def question_header(question: SurveyQuestion) -> str:
    """The question's column in the workbook: its number and text (what the paper form says)."""
    return f"{question.position}. {question.text}"


def import_template(campaign: SurveyCampaign) -> bytes:
    """The workbook to fill in: 房号, one column per question in order (a drop-down of the allowed answers),
    备注; and a sheet of instructions. Chinese whatever the page's language."""
    from app.core.excel import Sheet, write_workbook

    questions = list(campaign.template.questions)
    with force_locale("zh"):
        headers = [_house_header()] + [question_header(q) for q in questions] + [_remark_header()]
        choices = {}
        for i, q in enumerate(questions, start=1):
            if q.kind == "scale":
                choices[i] = [str(label) for label in SURVEY_SCALE.values()]
            else:
                choices[i] = [o.label for o in q.options]
        notes = [[_house_header(), gettext("The house number as in the system, e.g. 1-1-0101; one row per "
                                           "household, a household answers once.")]]
        notes += [[question_header(q), q.department_label() + "：" + answer_hint(q)] for q in questions]
        notes.append(["", gettext("Give the number or the words of the answer; leave a question blank when the form "
                                  "leaves it blank. If any row is wrong, nothing is imported; every problem is "
                                  "listed with its row.")])
        return write_workbook([
            Sheet(title=gettext("Survey forms"), headers=headers, rows=[], text_columns=[0], choices=choices),
            Sheet(title=gettext("Instructions"), headers=[gettext("Column"), gettext("Allowed values and notes")],
                  rows=notes, widths={1: 90}),
        ])


@dataclass
class ImportResult:
    """errors: [(row number or None for the whole file, column, reason)]; empty when imported."""

    errors: list = field(default_factory=list)
    rows: int = 0
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def import_responses(campaign_id, data: bytes, actor: Actor, now: datetime | None = None) -> ImportResult:
    """Import the forms of a workbook made from import_template: every row checked first (the house in the
    campaign's community, not answered yet, not twice in the file; each answer one of its question's); if any
    row is wrong nothing is written. Flushes (the caller commits); raises RuleViolation for a survey that is
    not open."""
    from app.core.excel import ExcelError, normalize_header, read_sheet

    campaign = _open_campaign(campaign_id, actor)
    questions = list(campaign.template.questions)
    house_h, remark_h = normalize_header(_house_header()), normalize_header(_remark_header())
    columns = {normalize_header(question_header(q)): q for q in questions}
    try:
        _headers, rows = read_sheet(data, required=[house_h] + list(columns), text_columns=[house_h],
                                    max_rows=MAX_IMPORT_ROWS)
    except ExcelError as exc:
        return ImportResult(errors=[(None, "", str(exc))])
    result = ImportResult(rows=len(rows))
    house_by_no = {}
    wanted = {str(r.get(house_h) or "").strip() for _n, r in rows} - {""}
    numbers = sorted(wanted)
    for i in range(0, len(numbers), 500):
        for house in db.session.scalars(select(House).where(House.community_id == campaign.community_id,
                                                            House.house_no.in_(numbers[i:i + 500]))):
            house_by_no[house.house_no] = house
    answered = _answered(campaign.id, [h.id for h in house_by_no.values()])
    seen: dict[str, int] = {}
    good = []
    with force_locale("zh"):
        house_label, remark_label = _house_header(), _remark_header()
        for number, record in rows:
            house_no = str(record.get(house_h) or "").strip()
            house = house_by_no.get(house_no)
            row_errors = []
            if not house_no:
                row_errors.append((house_label, gettext("%(label)s must not be empty.", label=house_label)))
            elif house is None:
                row_errors.append((house_label, gettext("%(community)s has no house %(house)s.",
                                                        community=campaign.community.name, house=house_no[:60])))
            elif house.id in answered:
                row_errors.append((house_label, _answered_message(house_no)))
            elif house_no in seen:
                row_errors.append((house_label, gettext("%(house)s is also on row %(row)d: one household answers "
                                                        "once.", house=house_no, row=seen[house_no])))
            else:
                seen[house_no] = number
            answers = []
            for header, question in columns.items():
                ok, score, option = parse_answer(question, record.get(header))
                if not ok:
                    row_errors.append((question_header(question), _answer_problem(question)))
                elif score is not None or option is not None:
                    answers.append((question, score, option))
            if not answers:
                row_errors.append(("", gettext("The form has no answer: every question is blank.")))
            remark = record.get(remark_h)
            remark = str(remark).strip() if remark is not None else ""
            probe: dict = {}
            check_plain_text(probe, {"remark": remark}, "remark", remark_label, 500, required=False)
            if probe:
                row_errors.append((remark_label, probe["remark"]))
            result.errors.extend((number, column, message) for column, message in row_errors)
            if not row_errors:
                good.append((house, answers, remark))
    if result.errors:
        return result
    stamp = _now(now)
    try:  # in bulk (executemany), as the estate import writes: thousands of forms in a second
        db.session.execute(insert(SurveyResponse), [
            {"campaign_id": campaign.id, "house_id": house.id, "source": "import", "remark": remark or None,
             "entered_at": stamp, "entered_by_name": actor.name} for house, _answers, remark in good])
        ids = {}
        for i in range(0, len(good), 500):
            chunk = [house.id for house, _a, _r in good[i:i + 500]]
            ids.update(db.session.execute(select(SurveyResponse.house_id, SurveyResponse.id).where(
                SurveyResponse.campaign_id == campaign.id, SurveyResponse.house_id.in_(chunk))).all())
        answer_rows = [{"response_id": ids[house.id], "question_id": q.id, "score": score,
                        "option_id": option.id if option is not None else None}
                       for house, answers, _remark in good for q, score, option in answers]
        for i in range(0, len(answer_rows), 5000):
            db.session.execute(insert(SurveyAnswer), answer_rows[i:i + 5000])
    except IntegrityError:
        db.session.rollback()
        return ImportResult(errors=[(None, "", gettext(
            "Someone entered forms of the same households while the file was imported; nothing was imported. "
            "Please import the file again."))], rows=len(rows))
    result.imported = len(good)
    with force_locale("zh"):
        label = gettext("Survey forms imported: %(survey)s", survey=str(campaign))
    log_event(db.session, "import", SurveyResponse.__tablename__, campaign.id, label,
              {"forms": [None, result.imported], "answers": [None, len(answer_rows)]})
    return result
