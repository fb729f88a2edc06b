"""The satisfaction rates of a campaign, against the previous campaign of the same community.

满意率 (the one definition, RATE_DEFINITION): satisfied answers / answers given × 100 %. A scale answer is
satisfied at 4 (满意) or 5 (非常满意); a choice answer when its option is marked as satisfied. A question left
blank is no answer and is not counted. A department's or a building's rate pools the answers of its questions or
its households. Rates are shown to 0.1 %; the change against the previous campaign is the difference of the two
shown rates, in percentage points.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from app.community.models import (SURVEY_DEPARTMENTS, SurveyAnswer, SurveyCampaign, SurveyOption, SurveyQuestion,
                                  SurveyResponse)
from app.community.services import _get
from app.community.surveys.answers import progress
from app.community.surveys.campaign import previous_campaign
from app.core.rules import RuleViolation
from app.estate.models import Building, House
from app.extensions import db

SATISFIED_SCORE = 4  # 4 满意 and 5 非常满意

RATE_DEFINITION = _l("Satisfaction rate = satisfied answers ÷ answers given × 100%. On the 1–5 scale, 4 "
                     "(satisfied) and 5 (very satisfied) count as satisfied; on a choice question, the options "
                     "marked as satisfied. A question left blank is not an answer and is not counted. A department's "
                     "or a building's rate pools all the answers of its questions or of its households. The change "
                     "is the difference from the previous survey of the same community, in percentage points.")


def percent(satisfied: int, answered: int) -> Decimal | None:
    """The rate in % to 0.1, half up; None without an answer."""
    if not answered:
        return None
    return (Decimal(satisfied) * 100 / Decimal(answered)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The change in percentage points between two shown rates; None when either is missing."""
    if now is None or before is None:
        return None
    return now - before


@dataclass
class Rate:
    satisfied: int = 0
    answered: int = 0

    @property
    def rate(self) -> Decimal | None:
        return percent(self.satisfied, self.answered)

    def add(self, satisfied: int, answered: int) -> None:
        self.satisfied += satisfied
        self.answered += answered


@dataclass
class Line:
    """A row of the results: this campaign's Rate and the previous campaign's, and the change in points."""

    key: object
    label: str
    now: Rate = field(default_factory=Rate)
    before: Rate | None = None
    extra: dict = field(default_factory=dict)

    @property
    def change(self) -> Decimal | None:
        return change(self.now.rate, self.before.rate if self.before else None)


def _counts(campaign_id: int) -> list[tuple[int, int, int, int]]:
    """[(question id, building id, satisfied, answers)] of a campaign, counted in the database."""
    satisfied = case((and_(SurveyQuestion.kind == "scale", SurveyAnswer.score >= SATISFIED_SCORE), 1),
                     (SurveyOption.satisfied.is_(True), 1), else_=0)
    stmt = (select(SurveyAnswer.question_id, House.building_id, func.sum(satisfied), func.count())
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .join(House, House.id == SurveyResponse.house_id)
            .outerjoin(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
            .where(SurveyResponse.campaign_id == campaign_id)
            .group_by(SurveyAnswer.question_id, House.building_id))
    return [(q, b, int(s or 0), int(n)) for q, b, s, n in db.session.execute(stmt)]


def _rates(campaign: SurveyCampaign) -> dict:
    """{"question": {id: Rate}, "department": {code: Rate}, "building": {id: Rate}, "overall": Rate}."""
    departments = {q.id: q.department for q in campaign.template.questions}
    out = {"question": {}, "department": {}, "building": {}, "overall": Rate()}
    for question_id, building_id, satisfied, answered in _counts(campaign.id):
        out["question"].setdefault(question_id, Rate()).add(satisfied, answered)
        out["department"].setdefault(departments.get(question_id), Rate()).add(satisfied, answered)
        out["building"].setdefault(building_id, Rate()).add(satisfied, answered)
        out["overall"].add(satisfied, answered)
    return out


def department_rates(campaign_id) -> dict[str, Rate]:
    """The satisfaction per department of a campaign: {department code: Rate(satisfied, answered)}, every
    department of SURVEY_DEPARTMENTS (an empty Rate where no question of it was answered). Rate.rate is the
    percentage to 0.1 (None without answers). The staff assessment reads this."""
    campaign = _get(SurveyCampaign, campaign_id)
    if campaign is None:
        raise RuleViolation({"": gettext("There is no such survey.")})
    found = _rates(campaign)["department"]
    return {code: found.get(code, Rate()) for code in SURVEY_DEPARTMENTS}


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text or "")]


def results(campaign_id) -> dict:
    """Everything the results page and the report show: the campaign, the previous one, the lines per question,
    per department and per building (each against the previous campaign), the overall line, forms entered,
    households and their share."""
    campaign = _get(SurveyCampaign, campaign_id)
    if campaign is None:
        raise RuleViolation({"": gettext("There is no such survey.")})
    previous = previous_campaign(campaign)
    now = _rates(campaign)
    before = _rates(previous) if previous is not None else None
    prev_questions = {}
    if previous is not None:
        prev_questions = {(q.department, q.text): q.id for q in previous.template.questions}
    questions = []
    for q in campaign.template.questions:
        line = Line(q.id, q.text, now["question"].get(q.id, Rate()), extra={"question": q, "position": q.position,
                                                                          "department": q.department_label()})
        if before is not None and (q.department, q.text) in prev_questions:
            line.before = before["question"].get(prev_questions[(q.department, q.text)], Rate())
        questions.append(line)
    used = {q.department for q in campaign.template.questions}
    departments = [Line(code, str(label), now["department"].get(code, Rate()),
                        before["department"].get(code, Rate()) if before is not None else None)
                   for code, label in SURVEY_DEPARTMENTS.items() if code in used]
    buildings = sorted(db.session.scalars(select(Building).where(Building.community_id == campaign.community_id)),
                       key=lambda b: _natural(b.code))
    building_lines = [Line(b.id, b.name, now["building"].get(b.id, Rate()),
                           before["building"].get(b.id, Rate()) if before is not None else None)
                      for b in buildings]
    answered, households = progress(campaign)
    overall = Line("all", gettext("All questions"), now["overall"], before["overall"] if before is not None else None)
    return {
        "campaign": campaign, "previous": previous, "questions": questions, "departments": departments,
        "buildings": building_lines, "overall": overall, "responses": answered, "households": households,
        "share": percent(answered, households), "definition": str(RATE_DEFINITION),
    }


def show_rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def show_change(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"+{value:.1f}" if value > 0 else f"{value:.1f}"
