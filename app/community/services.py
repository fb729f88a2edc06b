"""社区关系 rules: 通知公告 (drafting from a template per type, the approval state machine, the 催缴公告 list)
and 社区文化活动 (checks, photos, the activity's notice).

The notice state machine is one declared table (from state, action, to state, roles allowed); every change of
state goes through `transition()`, which checks the table, the role and the note, writes the history row and
flushes. Only a draft is edited (`save_draft`); a published notice is withdrawn and drafted anew (`copy_notice`).
No request, no Flask globals here: views and tests pass an `Actor` (and the photo folder).
"""
from __future__ import annotations

import io
import json
import os
import re
import uuid
import warnings
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.core import clock, files
from app.community.models import (NOTICE_STATES, NOTICE_TYPES, Activity, ActivityPhoto, Announcement,
                                  AnnouncementArrears, AnnouncementEvent)
from app.core.formatting import format_date, format_datetime
from app.core.rules import Actor, ConcurrentChange, RuleViolation, as_id, check_money, check_text, raise_if
from app.core.validators import check_date
from app.estate.models import Building, Community
from app.extensions import db
from app.security import roles

LABELS = {
    "community": _l("Community"),
    "buildings": _l("Buildings"),
    "notice_type": _l("Type of notice"),
    "title": _l("Title"),
    "body": _l("Text of the notice"),
    "state": _l("State"),
    "created_at": _l("Drafted at"),
    "created_by_name": _l("Drafted by"),
    "published_at": _l("Published at"),
    "published_by_name": _l("Published by"),
    "withdrawn_at": _l("Withdrawn at"),
    "withdraw_reason": _l("Reason for withdrawal"),
    "scope_label": _l("Posted in"),
    "activity": _l("Community activity"),
    "copied_from": _l("Drafted anew from"),
    "utility": _l("What is cut"),
    "starts_at": _l("Starts at"),
    "ends_at": _l("Ends at"),
    "reason": _l("Reason"),
    "contact_phone": _l("Contact phone"),
    "festival": _l("Festival"),
    "activity_name": _l("Activity"),
    "place": _l("Venue"),
    "as_of": _l("Arrears as of"),
    "min_amount": _l("Only arrears of at least (yuan)"),
    "min_days": _l("Only arrears overdue for at least (days)"),
    "pay_by": _l("Pay by"),
    "note": _l("Note"),
    "at": _l("Time"),
    "user_name": _l("By"),
    "action": _l("Action"),
    "from_state": _l("From"),
    "to_state": _l("To"),
    # 社区文化活动
    "plan": _l("Plan"),
    "budget": _l("Budget (yuan)"),
    "organiser": _l("Organiser"),
    "participants": _l("Participants"),
    "summary": _l("Summary of the activity"),
    "photos": _l("Photos"),
    "photo": _l("Photo"),
    "caption": _l("Caption"),
}

TITLE_LIMIT = 60
BODY_LIMIT = 3000
NOTE_LIMIT = 500
DRAFTERS = frozenset({roles.SERVICE, roles.MANAGER, roles.ADMIN})
APPROVERS = frozenset({roles.MANAGER, roles.ADMIN})

# The notice state machine: (from state, action, to state, roles that may do it).
NOTICE_TRANSITIONS: list[tuple[str, str, str, frozenset]] = [
    ("draft", "submit", "pending", DRAFTERS),
    ("pending", "approve", "published", APPROVERS),
    ("pending", "return", "draft", APPROVERS),
    ("published", "withdraw", "withdrawn", APPROVERS),
]
NOTICE_ACTIONS = {
    "create": _l("Drafted"),
    "edit": _l("Draft edited"),
    "submit": _l("Submit for approval"),
    "approve": _l("Approve and publish"),
    "return": _l("Return to the drafter"),
    "withdraw": _l("Withdraw the notice"),
}
NOTE_REQUIRED = {"return", "withdraw"}

UTILITIES = {"water": _l("Water cut"), "power": _l("Power cut"), "water_power": _l("Water and power cut")}
FESTIVALS = ("元旦", "春节", "元宵节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "重阳节")

# The fields of each type, in the order of the form: (name, required).
TYPE_FIELDS: dict[str, list[tuple[str, bool]]] = {
    "outage": [("utility", True), ("starts_at", True), ("ends_at", True), ("reason", True),
               ("contact_phone", False)],
    "tip": [],
    "greeting": [("festival", True), ("contact_phone", False)],
    "activity": [("activity_name", True), ("starts_at", True), ("ends_at", False), ("place", True),
                 ("contact_phone", False)],
    "arrears": [("as_of", True), ("min_amount", False), ("min_days", False), ("pay_by", False),
                ("contact_phone", False)],
    "emergency": [],
}
# What each field is: its kind and, for text, the longest value.
FIELD_KINDS = {"utility": "choice", "starts_at": "datetime", "ends_at": "datetime", "reason": "text",
               "contact_phone": "phone", "festival": "text", "activity_name": "text", "place": "text",
               "as_of": "date", "min_amount": "money", "min_days": "days", "pay_by": "date"}
TEXT_LIMITS = {"reason": 100, "festival": 20, "activity_name": 40, "place": 100}

ARREARS_MIN_AMOUNT = Decimal("0.01")  # defaults; the app's config COMMUNITY_ARREARS_MIN_AMOUNT/_MIN_DAYS wins
ARREARS_MIN_DAYS = 30
ARREARS_MAX_HOUSES = 300  # a poster holds this many at most: choose buildings or raise the limits

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript\s*:|vbscript\s*:|&#", re.IGNORECASE)
_PHONE = re.compile(r"\+?[0-9][0-9\- ()]{3,18}[0-9]")


def _label(name: str) -> str:
    return str(LABELS.get(name, name))


def _now(now: datetime | None) -> datetime:
    return clock.or_now(now)


def _get(model, pk):
    pid = as_id(pk)
    return db.session.get(model, pid) if pid and pid > 0 else None


def check_plain_text(errors: dict, values: dict, name: str, label: str, max_len: int, required: bool = True) -> None:
    """check_text, and no HTML or script: what is typed here is printed and posted in public."""
    check_text(errors, values, name, label, max_len, required)
    value = values.get(name)
    if name not in errors and isinstance(value, str) and _MARKUP.search(value):
        errors[name] = gettext("%(label)s must not contain HTML tags or script code.", label=label)


# ---------------------------------------------------------------------------- the fields of a notice


def _parse_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return datetime.fromisoformat(str(value).strip()).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        return None


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def arrears_defaults(config: dict | None = None) -> tuple[Decimal, int]:
    """The 催缴公告's default limits: COMMUNITY_ARREARS_MIN_AMOUNT (yuan) and _MIN_DAYS from the config."""
    config = config or {}
    return (Decimal(str(config.get("COMMUNITY_ARREARS_MIN_AMOUNT", ARREARS_MIN_AMOUNT))),
            int(config.get("COMMUNITY_ARREARS_MIN_DAYS", ARREARS_MIN_DAYS)))


def check_fields(notice_type: str, raw: dict, today: date | None = None) -> tuple[dict, dict]:
    """The type's fields from a form or a caller: ({field: message}, the clean values as JSON-able text)."""
    today = today or clock.today()
    errors: dict = {}
    clean: dict = {}
    for name, required in TYPE_FIELDS.get(notice_type, []):
        kind, label = FIELD_KINDS[name], _label(name)
        value = raw.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if required:
                errors[name] = (gettext("Please choose %(label)s.", label=label) if kind == "choice"
                                else gettext("%(label)s must not be empty.", label=label))
            continue
        if kind == "choice":
            if value not in UTILITIES:
                errors[name] = gettext("%(label)s: please choose one of the listed values.", label=label)
            else:
                clean[name] = value
        elif kind == "text":
            check_plain_text(errors, {name: value}, name, label, TEXT_LIMITS[name])
            if name not in errors:
                clean[name] = value
        elif kind == "phone":
            if not isinstance(value, str) or not _PHONE.fullmatch(value) or sum(c.isdigit() for c in value) < 5:
                errors[name] = gettext("%(label)s: please give a phone number, e.g. 0571-88886666 or 13812345678.",
                                       label=label)
            else:
                clean[name] = value
        elif kind == "datetime":
            parsed = _parse_datetime(value)
            if parsed is None:
                errors[name] = gettext("%(label)s is not a valid time.", label=label)
            else:
                clean[name] = parsed.isoformat(timespec="minutes")
        elif kind == "date":
            parsed = _parse_date(value)
            if parsed is None:
                errors[name] = gettext("%(label)s is not a valid date.", label=label)
            else:
                clean[name] = parsed.isoformat()
        elif kind == "money":
            amount = check_money(errors, value, name, label, low=Decimal("0.01"), high=Decimal("9999999.99"))
            if name not in errors:
                clean[name] = str(amount)
        elif kind == "days":
            text = str(value)
            if not text.isdigit() or not 0 <= int(text) <= 3650:
                errors[name] = gettext("%(label)s must be between %(low)d and %(high)d.", label=label, low=0,
                                       high=3650)
            else:
                clean[name] = int(text)
    # rules between fields
    if "starts_at" in clean and "ends_at" in clean and clean["ends_at"] <= clean["starts_at"]:
        errors["ends_at"] = gettext("The end (%(end)s) must come after the start (%(start)s).",
                                    end=format_datetime(_parse_datetime(clean["ends_at"])),
                                    start=format_datetime(_parse_datetime(clean["starts_at"])))
    if "as_of" in clean and _parse_date(clean["as_of"]) > today:
        errors["as_of"] = gettext("%(label)s cannot be in the future.", label=_label("as_of"))
    if "as_of" in clean and "pay_by" in clean and clean["pay_by"] < clean["as_of"]:
        errors["pay_by"] = gettext("%(label)s cannot be before the date of the arrears.", label=_label("pay_by"))
    for name, value in clean.items():  # the plausible window, for a date no other rule has refused
        kind = FIELD_KINDS.get(name)
        if name not in errors and kind in ("date", "datetime"):
            problem = check_date(_parse_datetime(value) if kind == "datetime" else _parse_date(value), _label(name))
            if problem:
                errors[name] = problem
    return errors, clean


def default_fields(notice_type: str, community: Community | None, config: dict | None = None,
                   today: date | None = None) -> dict:
    """What a new notice of the type starts with: the community's phone, today's arrears and the limits."""
    today = today or clock.today()
    out: dict = {}
    names = [n for n, _r in TYPE_FIELDS.get(notice_type, [])]
    if "contact_phone" in names and community is not None and community.phone:
        out["contact_phone"] = community.phone
    if notice_type == "arrears":
        amount, days = arrears_defaults(config)
        out.update(as_of=today.isoformat(), min_amount=str(amount), min_days=days)
    if notice_type == "outage":
        out["utility"] = "water"
    return out


# ---------------------------------------------------------------------------- the templates


def office_name(community: Community | None) -> str:
    """The issuing office: the community's 物业服务中心."""
    return gettext("%(community)s Property Service Centre", community=community.name if community else "")


def time_span(start: datetime, end: datetime | None) -> str:
    """2026年12月1日 08:00至18:00 on one day, the whole second time on another."""
    if end is None:
        return format_datetime(start)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else format_datetime(end)
    return gettext("%(start)s to %(end)s", start=format_datetime(start), end=end_text)


def _place(community: Community, buildings: list[Building]) -> str:
    if buildings:
        return gettext("%(community)s %(buildings)s", community=community.name,
                       buildings="、".join(b.name for b in buildings))
    return gettext("every building of %(community)s", community=community.name)


def compose(notice_type: str, fields: dict, community: Community, buildings: list[Building]) -> tuple[str, str]:
    """The title and body of a notice from its type's template and its (clean) fields. Free-text types (温馨提示,
    应急通知) get their title and an empty body: the text is typed by hand."""
    office = office_name(community)
    phone = fields.get("contact_phone")
    lines = [gettext("Dear owners and residents:")]
    if notice_type == "outage":
        utility = fields.get("utility", "water")
        title = {"water": gettext("Notice of a water cut"), "power": gettext("Notice of a power cut"),
                 "water_power": gettext("Notice of a water and power cut")}[utility]
        start, end = _parse_datetime(fields["starts_at"]), _parse_datetime(fields["ends_at"])
        lines.append(gettext("Because of %(reason)s, %(place)s will have a %(utility)s from %(span)s.",
                             reason=fields["reason"], place=_place(community, buildings),
                             utility=str(UTILITIES[utility]), span=time_span(start, end)))
        lines.append({"water": gettext("Please store water in advance and keep your taps closed during the cut, so "
                                       "that nothing floods when the water comes back."),
                      "power": gettext("Please prepare in advance, switch your electrical appliances off during the "
                                       "cut and do not take the lifts around its start."),
                      "water_power": gettext("Please store water and prepare in advance, keep taps and electrical "
                                             "appliances off during the cut and do not take the lifts around its "
                                             "start.")}[utility])
        lines.append(gettext("The supply may return earlier or later with the progress of the work. We apologise "
                             "for the inconvenience."))
        if phone:
            lines.append(gettext("For questions please call %(phone)s.", phone=phone))
        lines.append(gettext("Thank you for your understanding and support!"))
    elif notice_type == "greeting":
        festival = fields["festival"]
        title = gettext("Greetings for %(festival)s", festival=festival)
        lines.append(gettext("As %(festival)s comes, all the staff of %(office)s send you and your family their "
                             "warmest wishes: a happy holiday, good health and all the best!", festival=festival,
                             office=office))
        lines.append(gettext("During the holiday please take care against fire and theft, close doors, windows, "
                             "water, power and gas when you go out, and travel safely."))
        if phone:
            lines.append(gettext("Our service hotline during the holiday: %(phone)s.", phone=phone))
    elif notice_type == "activity":
        activity = fields["activity_name"]
        title = gettext("Notice of the activity “%(activity)s”", activity=activity)
        start, end = _parse_datetime(fields["starts_at"]), _parse_datetime(fields.get("ends_at") or "")
        lines.append(gettext("To enrich the cultural life of the community and bring neighbours together, %(office)s "
                             "will hold “%(activity)s”. The details:", office=office, activity=activity))
        lines.append(gettext("Time of the activity: %(time)s", time=time_span(start, end)))
        lines.append(gettext("Place of the activity: %(place)s", place=fields["place"]))
        if phone:
            lines.append(gettext("For questions and registration please call %(phone)s.", phone=phone))
        lines.append(gettext("All owners and residents are welcome to take part!"))
    elif notice_type == "arrears":
        title = gettext("Public notice of overdue property fees")
        lines.append(gettext("As of %(date)s, the houses listed below have property fees and other charges overdue "
                             "(amounts in yuan).", date=format_date(_parse_date(fields["as_of"]))))
        pay_by = _parse_date(fields.get("pay_by") or "")
        lines.append(gettext("Paying the property fees on time is every owner's duty and keeps the services of the "
                             "community running. Please pay at the property service centre by %(date)s.",
                             date=format_date(pay_by)) if pay_by else
                     gettext("Paying the property fees on time is every owner's duty and keeps the services of the "
                             "community running. Please pay at the property service centre as soon as possible."))
        lines.append(gettext("If you have paid in the meantime, please ignore this notice."))
        if phone:
            lines.append(gettext("For questions please call %(phone)s.", phone=phone))
        lines.append(gettext("Thank you for your understanding and cooperation!"))
    elif notice_type == "emergency":
        return gettext("Emergency notice"), ""
    else:  # tip
        return str(NOTICE_TYPES["tip"]), ""
    return title, "\n".join(lines)


# ---------------------------------------------------------------------------- 催缴公告


def _natural(text: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text or "") if p)


def arrears_lines(community_id: int, building_ids: list[int], as_of: date, min_amount: Decimal,
                  min_days: int) -> list[dict]:
    """The houses a 催缴公告 lists: house number, overdue amount and oldest due date, nothing else (the billing
    rows carry the owner's name: it is dropped here, never copied)."""
    from app.billing.services import arrears

    rows = []
    for building_id in building_ids or [None]:
        rows.extend(arrears(group="house", community_id=community_id, building_id=building_id, as_of=as_of))
    out = []
    for row in rows:
        oldest = row["oldest"]
        if row["total"] >= min_amount and oldest is not None and (as_of - oldest).days >= min_days:
            out.append({"house_id": row["id"], "house_no": row["name"], "amount": row["total"], "oldest_due": oldest})
    out.sort(key=lambda r: _natural(r["house_no"]))
    return out


# ---------------------------------------------------------------------------- drafting


def check_notice(values: dict, today: date | None = None) -> tuple[dict, dict]:
    """A notice's values from the form: ({field: message}, clean values). Nothing is written."""
    errors: dict = {}
    community = _get(Community, values.get("community"))
    if community is None:
        errors["community"] = gettext("Please choose %(label)s.", label=_label("community"))
    notice_type = values.get("notice_type")
    if notice_type not in NOTICE_TYPES:
        errors["notice_type"] = gettext("%(label)s: please choose one of the listed values.",
                                        label=_label("notice_type"))
    buildings = []
    for raw in values.get("buildings") or []:
        building = _get(Building, raw)
        if building is None:
            errors["buildings"] = gettext("There is no such building.")
        elif community is not None and building.community_id != community.id:
            errors["buildings"] = gettext("%(building)s is not a building of %(community)s.",
                                          building=str(building), community=community.name)
        elif building not in buildings:
            buildings.append(building)
    fields: dict = {}
    if notice_type in NOTICE_TYPES:
        field_errors, fields = check_fields(notice_type, values.get("fields") or {}, today)
        errors.update(field_errors)
    check_plain_text(errors, values, "title", _label("title"), TITLE_LIMIT)
    check_plain_text(errors, values, "body", _label("body"), BODY_LIMIT)
    clean = {"community": community, "notice_type": notice_type, "buildings": buildings, "fields": fields,
             "title": (values.get("title") or "").strip() if isinstance(values.get("title"), str) else "",
             "body": _normal_body(values.get("body")) if isinstance(values.get("body"), str) else ""}
    return errors, clean


def _normal_body(text: str) -> str:
    """Line ends made \n, trailing spaces and blank lines at the ends removed."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def fill(values: dict, today: date | None = None) -> tuple[dict, str, str]:
    """The 'fill in from the template' button: ({field: message}, title, body). Writes nothing."""
    errors, clean = check_notice(values, today)
    errors = {k: v for k, v in errors.items() if k not in ("title", "body")}
    if errors:
        return errors, "", ""
    title, body = compose(clean["notice_type"], clean["fields"], clean["community"], clean["buildings"])
    return {}, title, body


def _event(notice: Announcement, actor: Actor, action: str, from_state, to_state, now, note=None) -> None:
    notice.events.append(AnnouncementEvent(at=now, user_id=actor.id, user_name=actor.name, action=action,
                                           from_state=from_state, to_state=to_state, note=note))


def _require_drafter(actor: Actor) -> None:
    if not actor.roles & DRAFTERS:
        raise RuleViolation({"": gettext("Only the service desk or the project manager may draft notices.")})


def _arrears_for(clean: dict) -> list[dict]:
    fields = clean["fields"]
    lines = arrears_lines(clean["community"].id, [b.id for b in clean["buildings"]], _parse_date(fields["as_of"]),
                          Decimal(str(fields.get("min_amount", ARREARS_MIN_AMOUNT))),
                          int(fields.get("min_days", ARREARS_MIN_DAYS)))
    if not lines:
        raise RuleViolation({"fields": gettext(
            "No house has overdue fees within these limits: there is nothing to put on the notice.")})
    if len(lines) > ARREARS_MAX_HOUSES:
        raise RuleViolation({"fields": gettext(
            "%(n)d houses have overdue fees within these limits; a poster holds at most %(max)d. Please choose "
            "buildings or raise the limits.", n=len(lines), max=ARREARS_MAX_HOUSES)})
    return lines


def save_draft(values: dict, actor: Actor, pk=None, *, expected_version: int | None = None,
               now: datetime | None = None, today: date | None = None) -> Announcement:
    """Create a draft notice, or change a draft (pk): only a draft is ever edited. values: community, notice_type,
    buildings [ids], fields {name: value}, title, body, activity (optional). Flushes; raises RuleViolation and
    writes nothing when a value is wrong."""
    _require_drafter(actor)
    now = _now(now)
    notice = None
    if pk is not None:
        notice = _get(Announcement, pk)
        if notice is None:
            raise RuleViolation({"": gettext("There is no such notice.")})
        if expected_version is not None and notice.version != expected_version:
            raise ConcurrentChange()
        if notice.state != "draft":
            raise RuleViolation({"": gettext(
                "“%(title)s” is %(state)s: only a draft can be changed. A published notice is withdrawn and drafted "
                "anew.", title=notice.title, state=notice.state_label())})
    errors, clean = check_notice(values, today)
    activity = None
    if values.get("activity") not in (None, ""):
        activity = _get(Activity, values.get("activity"))
        if activity is None:
            errors["activity"] = gettext("There is no such activity.")
        elif clean["community"] is not None and activity.community_id != clean["community"].id:
            errors["activity"] = gettext("The activity belongs to another community.")
    raise_if(errors)
    lines = _arrears_for(clean) if clean["notice_type"] == "arrears" else []
    created = notice is None
    if created:
        notice = Announcement(state="draft", created_at=now, created_by_name=actor.name)
    notice.community = clean["community"]
    notice.notice_type = clean["notice_type"]
    notice.buildings = clean["buildings"]
    notice.fields = json.dumps(clean["fields"], ensure_ascii=False, sort_keys=True)
    notice.title = clean["title"]
    notice.body = clean["body"]
    if activity is not None or created:
        notice.activity = activity
    if not created and notice.arrears_lines:
        notice.arrears_lines.clear()  # the old rows go first: the new ones may name the same houses
        _flushed(notice)
    notice.arrears_lines = [AnnouncementArrears(**line) for line in lines]
    if created:
        _event(notice, actor, "create", None, "draft", now)
        db.session.add(notice)
    else:
        _event(notice, actor, "edit", "draft", "draft", now)
    return _flushed(notice)


def _flushed(notice: Announcement) -> Announcement:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChange() from None
    return notice


def values_of(notice: Announcement) -> dict:
    """A notice's values as save_draft takes them (for the edit form and for drafting anew)."""
    return {"community": notice.community_id, "notice_type": notice.notice_type,
            "buildings": [b.id for b in notice.buildings], "fields": notice.field_values(),
            "title": notice.title, "body": notice.body, "activity": notice.activity_id}


def copy_notice(pk, actor: Actor, now: datetime | None = None, today: date | None = None) -> Announcement:
    """Draft anew: a new draft with the notice's content (a published notice itself is never edited). A 催缴公告
    takes the arrears of today."""
    _require_drafter(actor)
    source = _get(Announcement, pk)
    if source is None:
        raise RuleViolation({"": gettext("There is no such notice.")})
    values = values_of(source)
    if source.notice_type == "arrears":
        values["fields"] = dict(values["fields"], as_of=(today or clock.today()).isoformat())
        values["fields"].pop("pay_by", None)
    notice = save_draft(values, actor, now=now, today=today)
    notice.copied_from = source
    notice.events[-1].note = gettext("Drafted anew from notice no. %(no)d.", no=source.id)
    return _flushed(notice)


def draft_activity_notice(activity_id, actor: Actor, now: datetime | None = None) -> Announcement:
    """The 活动通知 of an activity, in one click: a draft filled from the activity's name, time and place."""
    _require_drafter(actor)
    activity = _get(Activity, activity_id)
    if activity is None:
        raise RuleViolation({"": gettext("There is no such activity.")})
    fields = {"activity_name": activity.title, "starts_at": activity.starts_at, "ends_at": activity.ends_at or "",
              "place": activity.place, "contact_phone": activity.community.phone or ""}
    errors, clean_fields = check_fields("activity", fields)
    if errors:  # e.g. the community's phone is not one: leave it out rather than fail
        fields.pop("contact_phone")
        errors, clean_fields = check_fields("activity", fields)
    raise_if(errors)
    title, body = compose("activity", clean_fields, activity.community, [])
    return save_draft({"community": activity.community_id, "notice_type": "activity", "buildings": [],
                       "fields": clean_fields, "title": title, "body": body, "activity": activity.id}, actor, now=now)


# ---------------------------------------------------------------------------- the state machine


def table_rule(table, state: str, action: str):
    """The row (from state, action, to state, roles) of a declared state table, or None."""
    return next((row for row in table if row[0] == state and row[1] == action), None)


def notice_rule(state: str, action: str):
    return table_rule(NOTICE_TRANSITIONS, state, action)


def checked_step(table, action: str, actor: Actor, *, state: str, title: str, state_label: str, action_label: str,
                 denied: str, note, note_required=frozenset()) -> tuple[str, str | None, dict]:
    """One step of a declared state table, checked: (the state it leads to, the note cleaned, {field: message} of
    the note). Raises RuleViolation when the table has no such step from `state` or the actor's roles may not
    take it (`denied` says so); the caller adds its own checks to the errors and raises them."""
    rule = table_rule(table, state, action)
    if rule is None:
        raise RuleViolation({"": gettext("“%(title)s” is %(state)s: it cannot be changed by “%(action)s”.",
                                         title=title, state=state_label, action=action_label)})
    if not actor.roles & rule[3]:
        raise RuleViolation({"": denied})
    errors: dict = {}
    note = note.strip() if isinstance(note, str) and note.strip() else None
    if note is not None:
        check_plain_text(errors, {"note": note}, "note", _label("note"), NOTE_LIMIT)
    if action in note_required and note is None:
        errors["note"] = gettext("Please give the reason.")
    return rule[2], note, errors


def table_actions(table, state: str, actor: Actor) -> list[str]:
    """The actions of a declared state table this actor may take from `state` (for the buttons)."""
    return [action for from_state, action, _to, allowed in table if from_state == state and actor.roles & allowed]


def notice_actions(notice: Announcement, actor: Actor) -> list[str]:
    """The actions this actor may take on the notice now (for the buttons)."""
    return table_actions(NOTICE_TRANSITIONS, notice.state, actor)


def may_edit(notice: Announcement, actor: Actor) -> bool:
    return notice.state == "draft" and bool(actor.roles & DRAFTERS)


def transition(notice_id, action: str, actor: Actor, *, note: str | None = None,
               expected_version: int | None = None, now: datetime | None = None) -> Announcement:
    """Move a notice by `action` if the table and the actor's roles allow it; return and withdraw need the
    reason. Writes the history row and flushes; raises RuleViolation (or ConcurrentChange) and changes nothing."""
    now = _now(now)
    notice = _get(Announcement, notice_id)
    if notice is None:
        raise RuleViolation({"": gettext("There is no such notice.")})
    if expected_version is not None and notice.version != expected_version:
        raise ConcurrentChange()
    label = str(NOTICE_ACTIONS.get(action, action))
    to_state, note, errors = checked_step(
        NOTICE_TRANSITIONS, action, actor, state=notice.state, title=notice.title, state_label=notice.state_label(),
        action_label=label, denied=gettext("You may not “%(action)s” this notice.", action=label), note=note,
        note_required=NOTE_REQUIRED)
    raise_if(errors)
    from_state = notice.state
    if action == "approve":
        notice.published_at = now
        notice.published_by_name = actor.name
    elif action == "withdraw":
        notice.withdrawn_at = now
        notice.withdraw_reason = note
    notice.state = to_state
    _event(notice, actor, action, from_state, to_state, now, note)
    return _flushed(notice)


def state_labels() -> dict:
    return {k: str(v) for k, v in NOTICE_STATES.items()}


# ---------------------------------------------------------------------------- 社区文化活动

MAX_BUDGET = Decimal("9999999.99")


def check_activity(values: dict, pk=None) -> dict:
    errors: dict = {}
    if _get(Community, values.get("community")) is None:
        errors["community"] = gettext("Please choose %(label)s.", label=_label("community"))
    check_plain_text(errors, values, "title", _label("title"), 40)
    check_plain_text(errors, values, "place", _label("place"), 100)
    check_plain_text(errors, values, "organiser", _label("organiser"), 100)
    check_plain_text(errors, values, "plan", _label("plan"), 2000, required=False)
    check_plain_text(errors, values, "summary", _label("summary"), 2000, required=False)
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts, datetime):
        errors["starts_at"] = gettext("%(label)s must not be empty.", label=_label("starts_at"))
    elif isinstance(ends, datetime) and ends <= starts:
        errors["ends_at"] = gettext("The end (%(end)s) must come after the start (%(start)s).",
                                    end=format_datetime(ends), start=format_datetime(starts))
    if isinstance(values.get("budget"), float):
        errors["budget"] = gettext("%(label)s must be a number.", label=_label("budget"))
    else:
        check_money(errors, values.get("budget"), "budget", _label("budget"), high=MAX_BUDGET, required=True)
    participants = values.get("participants")
    if participants not in (None, "") and (isinstance(participants, bool) or not isinstance(participants, int)
                                           or not 0 <= participants <= 100000):
        errors["participants"] = gettext("%(label)s must be between %(low)d and %(high)d.",
                                         label=_label("participants"), low=0, high=100000)
    return errors


def prepare_activity(activity: Activity) -> None:
    for name in ("title", "place", "organiser", "plan", "summary"):
        value = getattr(activity, name)
        if isinstance(value, str):
            setattr(activity, name, value.strip() or None if name in ("plan", "summary") else value.strip())
    if activity.budget is not None:
        activity.budget = Decimal(str(activity.budget)).quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------- photos

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_SIDE = 12000
PHOTO_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
PHOTO_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
_MAGIC = {"JPEG": b"\xff\xd8\xff", "PNG": b"\x89PNG\r\n\x1a\n"}


def image_problem(filename: str, data: bytes) -> tuple[str | None, tuple | None]:
    """(what is wrong, None) or (None, (format, width, height)). The file must be named .jpg/.jpeg/.png AND be a
    JPEG or PNG by its content (its magic bytes, then Pillow reads it), at most MAX_PHOTO_BYTES."""
    from PIL import Image, UnidentifiedImageError

    ext = os.path.splitext(filename or "")[1].lower()
    if not data:
        return gettext("Please choose a photo to upload."), None
    if ext not in PHOTO_EXTENSIONS:
        return gettext("Only JPEG or PNG photos (.jpg, .jpeg, .png) can be uploaded."), None
    if len(data) > MAX_PHOTO_BYTES:
        return gettext("The photo is %(size)s MB; at most %(max)d MB can be uploaded.",
                       size=f"{len(data) / 1024 / 1024:.1f}", max=MAX_PHOTO_BYTES // (1024 * 1024)), None
    kind = next((k for k, magic in _MAGIC.items() if data.startswith(magic)), None)
    bad = gettext("The file is not a JPEG or PNG picture (its content is not one), or it is damaged.")
    if kind is None:
        return bad, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt, (width, height) = img.format, img.size
                img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return bad, None
    if fmt != kind:
        return bad, None
    if not (0 < width <= MAX_PHOTO_SIDE and 0 < height <= MAX_PHOTO_SIDE):
        return gettext("The picture is too large (at most %(n)d pixels a side).", n=MAX_PHOTO_SIDE), None
    return None, (fmt, width, height)


def add_photo(activity_id, filename: str, data: bytes, actor: Actor, folder: str, caption: str = "",
              now: datetime | None = None) -> ActivityPhoto:
    """Check and store an activity's photo: the file under `folder` with a name of our own, the row in the
    session (flushed). Raises RuleViolation and stores nothing when the file is not acceptable. The caller
    removes the file (remove_photo_file) if its commit fails."""
    activity = _get(Activity, activity_id)
    if activity is None:
        raise RuleViolation({"": gettext("There is no such activity.")})
    errors: dict = {}
    check_plain_text(errors, {"caption": caption}, "caption", _label("caption"), 200, required=False)
    problem, info = image_problem(filename, data)
    if problem:
        errors["photo"] = problem
    raise_if(errors)
    fmt, width, height = info
    content_type, ext = PHOTO_TYPES[fmt]
    stored = uuid.uuid4().hex + ext
    files.private_dir(folder)
    tmp = os.path.join(folder, stored + ".part")
    with files.private_file(tmp) as fh:
        fh.write(data)
    os.replace(tmp, os.path.join(folder, stored))
    photo = ActivityPhoto(activity=activity, stored_name=stored, original_name=os.path.basename(filename)[:200],
                          content_type=content_type, size=len(data), width=width, height=height,
                          caption=(caption or "").strip() or None, uploaded_at=_now(now), uploaded_by_name=actor.name)
    db.session.add(photo)
    try:
        db.session.flush()
    except Exception:
        remove_photo_file(folder, stored)
        raise
    return photo


def photo_path(folder: str, photo: ActivityPhoto) -> str:
    return os.path.join(folder, os.path.basename(photo.stored_name))


def remove_photo_file(folder: str, stored_name: str) -> None:
    try:
        os.remove(os.path.join(folder, os.path.basename(stored_name)))
    except FileNotFoundError:
        pass


def delete_photo(photo_id, actor: Actor) -> str:
    """Remove a photo's row (flushed); returns the stored name, whose file the caller removes after commit."""
    photo = _get(ActivityPhoto, photo_id)
    if photo is None:
        raise RuleViolation({"": gettext("There is no such photo.")})
    stored = photo.stored_name
    db.session.delete(photo)
    db.session.flush()
    return stored


def activities_of(community_id) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.community_id == as_id(community_id))
                                   .order_by(Activity.starts_at.desc())))
