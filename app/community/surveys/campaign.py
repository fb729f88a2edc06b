"""The half-yearly campaigns (SurveyCampaign) of a community: opened with an approved questionnaire only, one per
community and half year (held by a unique key in the database as well as checked here), ended and reopened
by the 项目经理."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from app.community.models import SurveyCampaign, SurveyTemplate
from app.community.services import _get, _now, table_rule
from app.community.surveys.common import CAMPAIGN_RUNNERS, _label, _require
from app.core.formatting import format_date
from app.core.rules import Actor, RuleViolation, raise_if
from app.core.validators import check_date
from app.estate.models import Community
from app.extensions import db

HALVES = {1: _l("First half"), 2: _l("Second half")}

# The campaign's two states: (from state, action, to state), done by CAMPAIGN_RUNNERS.
CAMPAIGN_TRANSITIONS = [("open", "close", "closed"), ("closed", "reopen", "open")]
CAMPAIGN_ACTIONS = {"close": _l("End the survey"), "reopen": _l("Reopen the survey")}


def half_label(year: int, half: int) -> str:
    if half == 1:
        return gettext("First half of %(year)d", year=year)
    return gettext("Second half of %(year)d", year=year)


def half_of(day: date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def check_campaign(values: dict) -> tuple[dict, dict]:
    errors: dict = {}
    clean: dict = {}
    clean["community"] = _get(Community, values.get("community"))
    if clean["community"] is None:
        errors["community"] = gettext("Please choose %(label)s.", label=_label("community"))
    template = _get(SurveyTemplate, values.get("template"))
    if template is None:
        errors["template"] = gettext("Please choose %(label)s.", label=_label("template"))
    elif template.state != "approved":
        errors["template"] = gettext("“%(name)s” is %(state)s: only an approved questionnaire can be used.",
                                     name=template.name, state=template.state_label())
    clean["template"] = template
    year, half = values.get("year"), values.get("half")
    year = int(year) if isinstance(year, str) and year.strip().isdigit() else year
    half = int(half) if isinstance(half, str) and half.strip().isdigit() else half
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = gettext("%(label)s must be between %(low)d and %(high)d.", label=_label("year"),
                                 low=2000, high=2100)
    if half not in HALVES:
        errors["half"] = gettext("Please choose %(label)s.", label=_label("half"))
    clean["year"], clean["half"] = year, half
    for name in ("starts_on", "ends_on"):
        clean[name] = _as_date(values.get(name))
        if clean[name] is None:
            errors[name] = gettext("%(label)s is not a valid date.", label=_label(name))
        elif check_date(clean[name], _label(name)):
            errors[name] = check_date(clean[name], _label(name))
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        errors["ends_on"] = gettext("The end (%(end)s) must not be before the start (%(start)s).",
                                    end=format_date(clean["ends_on"]), start=format_date(clean["starts_on"]))
    if not errors and clean["community"] is not None:
        taken = db.session.scalar(select(SurveyCampaign).where(
            SurveyCampaign.community_id == clean["community"].id, SurveyCampaign.year == year,
            SurveyCampaign.half == half))
        if taken is not None:
            errors["half"] = _one_campaign_message(clean["community"].name, year, half)
    return errors, clean


def _one_campaign_message(community: str, year: int, half: int) -> str:
    return gettext("%(community)s already has its survey of %(period)s: one survey per community and half year.",
                   community=community, period=half_label(year, half))


def open_campaign(values: dict, actor: Actor, now: datetime | None = None) -> SurveyCampaign:
    """Open a campaign: community, year, half (1|2), an approved template, starts_on, ends_on."""
    _require(actor, CAMPAIGN_RUNNERS, gettext("Only the project manager may open or end a survey."))
    errors, clean = check_campaign(values)
    raise_if(errors)
    campaign = SurveyCampaign(community=clean["community"], template=clean["template"], year=clean["year"],
                              half=clean["half"], starts_on=clean["starts_on"], ends_on=clean["ends_on"], state="open",
                              created_at=_now(now), created_by_name=actor.name)
    db.session.add(campaign)
    try:
        db.session.flush()
    except IntegrityError:  # opened by someone else a moment ago
        db.session.rollback()
        raise RuleViolation({"half": _one_campaign_message(clean["community"].name, clean["year"],
                                                           clean["half"])}) from None
    return campaign


def campaign_transition(campaign_id, action: str, actor: Actor, now: datetime | None = None) -> SurveyCampaign:
    _require(actor, CAMPAIGN_RUNNERS, gettext("Only the project manager may open or end a survey."))
    campaign = _get(SurveyCampaign, campaign_id)
    if campaign is None:
        raise RuleViolation({"": gettext("There is no such survey.")})
    rule = table_rule(CAMPAIGN_TRANSITIONS, campaign.state, action)
    if rule is None:
        raise RuleViolation({"": gettext("The survey is %(state)s: it cannot be changed by “%(action)s”.",
                                         state=campaign.state_label(),
                                         action=str(CAMPAIGN_ACTIONS.get(action, action)))})
    campaign.state = rule[2]
    if action == "close":
        campaign.closed_at, campaign.closed_by_name = _now(now), actor.name
    else:
        campaign.closed_at, campaign.closed_by_name = None, None
    db.session.flush()
    return campaign


def campaigns(community_id=None) -> list[SurveyCampaign]:
    stmt = select(SurveyCampaign).order_by(SurveyCampaign.year.desc(), SurveyCampaign.half.desc(),
                                           SurveyCampaign.community_id)
    if community_id:
        stmt = stmt.where(SurveyCampaign.community_id == community_id)
    return list(db.session.scalars(stmt))


def previous_campaign(campaign: SurveyCampaign) -> SurveyCampaign | None:
    """The latest campaign of the same community before this one's half year."""
    earlier = (SurveyCampaign.year < campaign.year) | and_(SurveyCampaign.year == campaign.year,
                                                          SurveyCampaign.half < campaign.half)
    return db.session.scalars(select(SurveyCampaign).where(SurveyCampaign.community_id == campaign.community_id,
                                                           earlier)
                              .order_by(SurveyCampaign.year.desc(), SurveyCampaign.half.desc()).limit(1)).first()
