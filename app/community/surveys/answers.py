"""The households' answers (SurveyResponse and its SurveyAnswer rows), typed from the paper forms while the
campaign is open: one form per household and campaign (held by a unique key in the database as well as
checked here); what each question takes; the progress of a campaign."""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.community.models import (SURVEY_SCALE, SurveyAnswer, SurveyCampaign, SurveyOption, SurveyQuestion,
                                  SurveyResponse)
from app.community.services import _get, _now, check_plain_text
from app.community.surveys.common import CLERKS, _label, _require
from app.core.rules import Actor, RuleViolation, raise_if
from app.estate.models import House
from app.extensions import db


@lru_cache(maxsize=1)
def _scale_words() -> dict[str, int]:
    """The scale's words in Chinese and English → score (the catalogs do not change while the app runs)."""
    words = {}
    for locale in ("zh", "en"):
        with force_locale(locale):
            words.update({str(label): score for score, label in SURVEY_SCALE.items()})
    return words


def parse_answer(question: SurveyQuestion, raw) -> tuple[bool, int | None, SurveyOption | None]:
    """(ok, score, option) of what was typed or imported for a question: empty is no answer (ok, None, None);
    a scale takes 1–5 or its words (满意 ...); a choice takes the option's place (1, 2, ...) or its text."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return True, None, None
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        raw = int(raw)
    text = str(raw).strip() if not isinstance(raw, bool) else ""
    number = int(text) if re.fullmatch(r"[0-9]{1,2}", text, re.ASCII) else None
    if question.kind == "scale":
        score = number if number is not None else _scale_words().get(text)
        return (True, score, None) if score in SURVEY_SCALE else (False, None, None)
    for option in question.options:
        if option.position == number or option.label == text:
            return True, None, option
    return False, None, None


def answer_hint(question: SurveyQuestion) -> str:
    """What a question takes: "1 很不满意 … 5 非常满意" or "1 满意 2 基本满意 3 不满意"."""
    if question.kind == "scale":
        return " ".join(f"{score} {label}" for score, label in SURVEY_SCALE.items())
    return " ".join(f"{o.position} {o.label}" for o in question.options)


def _answer_problem(question: SurveyQuestion) -> str:
    return gettext("Question %(n)d: please give one of %(hint)s, or leave it blank.", n=question.position,
                   hint=answer_hint(question))


def find_house(community_id: int, house_no) -> House | None:
    text = str(house_no or "").strip()
    if not text or len(text) > 60:
        return None
    return db.session.scalars(select(House).where(House.community_id == community_id, House.house_no == text)
                              .limit(1)).first()


def _answered(campaign_id: int, house_ids) -> set[int]:
    ids = list(house_ids)
    found: set[int] = set()
    for i in range(0, len(ids), 500):
        found.update(db.session.scalars(select(SurveyResponse.house_id).where(
            SurveyResponse.campaign_id == campaign_id, SurveyResponse.house_id.in_(ids[i:i + 500]))))
    return found


def _answered_message(house_no: str) -> str:
    return gettext("%(house)s has already answered this survey: one household answers once. Find its form in the "
                   "list to correct it.", house=house_no)


def _open_campaign(campaign_id, actor: Actor) -> SurveyCampaign:
    _require(actor, CLERKS, gettext("Only the service desk or the project manager may enter survey forms."))
    campaign = _get(SurveyCampaign, campaign_id)
    if campaign is None:
        raise RuleViolation({"": gettext("There is no such survey.")})
    if campaign.state != "open":
        raise RuleViolation({"": gettext("The survey %(survey)s has ended: no more forms are taken.",
                                         survey=str(campaign))})
    return campaign


def check_answers(campaign: SurveyCampaign, raw: dict) -> tuple[dict, list]:
    """raw: {question id: typed value}. ({field "q<id>": message}, [(question, score, option)])."""
    errors: dict = {}
    answers = []
    for question in campaign.template.questions:
        ok, score, option = parse_answer(question, raw.get(question.id, raw.get(str(question.id))))
        if not ok:
            errors[f"q{question.id}"] = _answer_problem(question)
        elif score is not None or option is not None:
            answers.append((question, score, option))
    if not errors and not answers:
        errors[""] = gettext("The form has no answer: every question is blank.")
    return errors, answers


def record_response(campaign_id, house_no, raw: dict, actor: Actor, *, remark: str = "", source: str = "form",
                    now: datetime | None = None) -> SurveyResponse:
    """One household's form: the house (its 房号 in the campaign's community) and the answers by question id.
    Flushes; raises RuleViolation and writes nothing when the house is wrong, has answered already, or an
    answer is not one of the question's."""
    campaign = _open_campaign(campaign_id, actor)
    errors: dict = {}
    house = find_house(campaign.community_id, house_no)
    if house is None:
        errors["house"] = gettext("%(community)s has no house %(house)s.", community=campaign.community.name,
                                  house=str(house_no or "").strip()[:60] or "—")
    elif _answered(campaign.id, [house.id]):
        errors["house"] = _answered_message(house.house_no)
    check_plain_text(errors, {"remark": remark}, "remark", _label("remark"), 500, required=False)
    answer_errors, answers = check_answers(campaign, raw)
    errors.update(answer_errors)
    raise_if(errors)
    response = SurveyResponse(campaign=campaign, house=house, source=source, remark=(remark or "").strip() or None,
                              entered_at=_now(now), entered_by_name=actor.name,
                              answers=[SurveyAnswer(question=q, score=score, option=option)
                                       for q, score, option in answers])
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:  # the same household typed at the same moment by another clerk
        db.session.rollback()
        raise RuleViolation({"house": _answered_message(house.house_no)}) from None
    return response


def delete_response(response_id, actor: Actor) -> str:
    """Take back a wrongly typed form (while the survey is open); returns its house number."""
    response = _get(SurveyResponse, response_id)
    if response is None:
        raise RuleViolation({"": gettext("There is no such form.")})
    _open_campaign(response.campaign_id, actor)
    house_no = response.house.house_no
    db.session.delete(response)
    db.session.flush()
    return house_no


def progress(campaign: SurveyCampaign) -> tuple[int, int]:
    """(forms entered, households of the community)."""
    answered = db.session.scalar(select(func.count()).select_from(SurveyResponse)
                                 .where(SurveyResponse.campaign_id == campaign.id)) or 0
    households = db.session.scalar(select(func.count()).select_from(House)
                                   .where(House.community_id == campaign.community_id)) or 0
    return answered, households


def recent_responses(campaign_id: int, limit: int = 20) -> list[SurveyResponse]:
    return list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign_id)
                                   .order_by(SurveyResponse.id.desc()).limit(limit)))


def unanswered_house_numbers(campaign: SurveyCampaign, limit: int = 5000) -> list[str]:
    answered = select(SurveyResponse.house_id).where(SurveyResponse.campaign_id == campaign.id)
    return list(db.session.scalars(select(House.house_no).where(House.community_id == campaign.community_id,
                                                                ~House.id.in_(answered))
                                   .order_by(House.house_no).limit(limit)))
