"""走访 (client visits) and 专责区 (zones), seed 002 1.1 5): each 物业助理 manages a zone of buildings and visits the
clients there at least once a month; what clients raise is recorded (in the 物业部工作日志 too, when it becomes a
repair, complaint or suggestion); the month's figures make the 《物业部走访情况报告》 the 项目经理 decides from.

Definitions, once:
- A household (户) is a house whose status is 自住 or 出租 (HOUSEHOLD_STATUSES) and that has an owner on record
  during the month (an ownership started by the month's last day and not ended before its first day). Vacant,
  undelivered and under-renovation houses are not visited clients. The house status has no history: a past month
  reads today's status.
- A zone is read on one day: the month's last day, or today for the current month. A change of zones starts on
  its day and never touches a day before it, so a past month's coverage and report never change.
- Coverage = households of the zone visited at least once in the month (by anyone, door-to-door or by phone) /
  the zone's households. A zone is behind when its coverage is below the share of the month elapsed (the current
  month) or below 100% (a past month).

Every figure is computed with a few grouped queries for the whole community (no query per household or building).
Plain functions: no request, no Flask globals. Writes are flushed, never committed; on RuleViolation nothing is
meant to be kept: the caller rolls back.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select

from app.core import clock
from app.community.models import (ISSUE_CATEGORIES, ISSUE_OUTCOMES, VISIT_CHANNELS, VISIT_SATISFACTION, Visit,
                                  VisitIssue, VisitSummary, ZoneBuilding)
from app.core.rules import Actor, RuleViolation, check_choice, check_text
from app.core.rules import as_id as _id
from app.estate.models import Building, Community, House, Ownership
from app.extensions import db
from app.security import roles
from app.service import services as desk
from app.service.models import COMPLAINT_STATES, ORDER_STATES, Complaint, Consultation, WorkOrder

HOUSEHOLD_STATUSES = ("occupied", "rented")
ZONE_MANAGERS = frozenset({roles.MANAGER, roles.ADMIN})
RECORDERS = frozenset({roles.SERVICE, roles.MANAGER, roles.ADMIN})
MAX_ISSUES = 5
TEXT_LIMIT = 1000
SUMMARY_LIMIT = 2000

LABELS = {
    "community": _l("Community"),
    "visited_on": _l("Visit date"),
    "house_no": _l("House"),
    "house": _l("House"),
    "building": _l("Building"),
    "place": _l("Common place"),
    "where": _l("Household or place"),
    "channel": _l("Visit channel"),
    "visitor": _l("Visited by"),
    "visitor_name": _l("Visited by"),
    "person": _l("Client met"),
    "satisfaction": _l("Satisfaction"),
    "remarks": _l("Satisfaction remarks"),
    "follow_up": _l("Follow-up"),
    "other_needs": _l("Other needs expressed"),
    "category": _l("Issue category"),
    "text": _l("What the client raised"),
    "outcome": _l("Becomes"),
    "issues_count": _l("Issues raised"),
    "created_at": _l("Recorded at"),
    "created_by_name": _l("Recorded by"),
    "assistant": _l("Property assistant"),
    "summary": _l("Manager's summary"),
}
# What an issue becomes at the service desk: (intake kind, consultation kind).
OUTCOME_KINDS = {"repair": ("repair", None), "complaint": ("complaint", None),
                 "suggestion": ("consultation", "suggestion"), "consultation": ("consultation", "consultation")}
# A complaint's category at the desk, from the visit issue's category.
COMPLAINT_CATEGORY_OF = {"repair": "repair", "environment": "cleaning", "security": "security", "fees": "fees"}
ORDER_CLOSED = ("closed", "cancelled")
COMPLAINT_CLOSED = ("closed", "withdrawn")
STATE_LABELS = {"open": _l("Open"), "closed": _l("Closed"), "noted": _l("Noted only")}


def _label(name: str) -> str:
    return str(LABELS.get(name, name))


# ---------------------------------------------------------------------------- months


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def reference_day(year: int, month: int, today: date) -> date:
    """The day a month's zones are read on: its last day, or today while the month runs."""
    first, last = month_bounds(year, month)
    return min(last, today) if first <= today else last


def expected_share(year: int, month: int, today: date) -> Decimal:
    """The share of the month elapsed (1 for a past month): coverage below it is behind."""
    first, last = month_bounds(year, month)
    if today > last:
        return Decimal(1)
    return Decimal(today.day) / Decimal(last.day)


def check_month(year: int, month: int, today: date) -> None:
    if (year, month) > (today.year, today.month):
        raise RuleViolation({"month": gettext("%(month)s has not begun yet: there are no visits to count.",
                                              month=month_key(year, month))})


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------- 专责区 zones


def in_zone_on(day: date):
    """The zone rows in force on `day` (started on or before it, not ended on or before it)."""
    return and_(ZoneBuilding.started_on <= day, or_(ZoneBuilding.ended_on.is_(None), ZoneBuilding.ended_on > day))


def assistants() -> list:
    """Active users with the 客服 role: the 物业助理 who may have a zone."""
    from flask_appbuilder.security.sqla.models import Role, User

    return list(db.session.scalars(
        select(User).join(User.roles).where(Role.name == roles.SERVICE, User.active.is_(True)).order_by(User.username)
    ))


def _user_name(user) -> str:
    return Actor.of(user).name


def zones_on(community_id: int, day: date) -> dict[int, dict]:
    """{assistant id: {"name", "buildings": [(id, name)], "since"}} of a community on a day."""
    rows = db.session.execute(
        select(ZoneBuilding.assistant_id, ZoneBuilding.assistant_name, ZoneBuilding.building_id, Building.name,
               ZoneBuilding.started_on)
        .join(Building, Building.id == ZoneBuilding.building_id)
        .where(ZoneBuilding.community_id == community_id, in_zone_on(day))
        .order_by(ZoneBuilding.assistant_name, Building.code)).all()
    out: dict[int, dict] = {}
    for assistant_id, name, building_id, building_name, started in rows:
        zone = out.setdefault(assistant_id, {"name": name, "buildings": [], "since": started})
        zone["buildings"].append((building_id, building_name))
        zone["since"] = max(zone["since"], started)
    return out


def zone_history(community_id: int, limit: int = 200) -> list[ZoneBuilding]:
    return list(db.session.scalars(
        select(ZoneBuilding).where(ZoneBuilding.community_id == community_id)
        .order_by(ZoneBuilding.started_on.desc(), ZoneBuilding.id.desc()).limit(limit)))


def assign_zone(community_id, assistant_id, building_ids, actor: Actor, on: date | None = None) -> dict:
    """Make the assistant's zone in the community exactly `building_ids` from the day `on` (today): the buildings
    taken out end that day, the new ones start that day. Returns {"added": n, "removed": n}. A building is in at
    most one zone at a time; history is never rewritten (no day before the zones' last change)."""
    from flask_appbuilder.security.sqla.models import User

    on = on or clock.today()
    errors: dict = {}
    if not actor.roles & ZONE_MANAGERS:
        raise RuleViolation({"": gettext("Only the project manager assigns the zones.")})
    cid = _id(community_id)
    community = db.session.get(Community, cid) if cid and cid > 0 else None
    if community is None:
        raise RuleViolation({"community": gettext("There is no such community.")})
    uid = _id(assistant_id)
    user = db.session.get(User, uid) if uid and uid > 0 else None
    if user is None or not user.active or roles.SERVICE not in {r.name for r in user.roles}:
        raise RuleViolation({"assistant": gettext("Please choose a property assistant (a user with the 客服 role).")})
    wanted: set[int] = set()
    for raw in building_ids or []:
        bid = _id(raw)
        building = db.session.get(Building, bid) if bid and bid > 0 else None
        if building is None or building.community_id != community.id:
            errors["buildings"] = gettext("A chosen building is not a building of %(community)s.",
                                          community=community.name)
            break
        wanted.add(building.id)
    last_change = db.session.scalar(select(func.max(func.coalesce(ZoneBuilding.ended_on, ZoneBuilding.started_on)))
                                    .where(ZoneBuilding.community_id == community.id))
    last_start = db.session.scalar(select(func.max(ZoneBuilding.started_on))
                                   .where(ZoneBuilding.community_id == community.id))
    latest = max(d for d in (last_change, last_start, date.min) if d is not None)
    if on < latest:
        errors["on"] = gettext("The zones were last changed on %(day)s: a change cannot start before that day.",
                               day=latest.isoformat())
    if errors:
        raise RuleViolation(errors)
    current = list(db.session.scalars(select(ZoneBuilding).where(
        ZoneBuilding.community_id == community.id, ZoneBuilding.ended_on.is_(None))))
    mine = {row.building_id: row for row in current if row.assistant_id == user.id}
    taken = {row.building_id: row for row in current if row.assistant_id != user.id}
    clashes = sorted(f"{row.building.name}（{row.assistant_name}）" for bid, row in taken.items() if bid in wanted)
    if clashes:
        raise RuleViolation({"buildings": gettext(
            "A building belongs to one zone at a time: %(buildings)s is already in another assistant's zone. "
            "Take it out of that zone first.", buildings="、".join(clashes))})
    name = _user_name(user)
    removed = 0
    for bid, row in mine.items():
        if bid not in wanted:
            removed += 1
            if row.started_on == on:  # started today and ended today: it never was
                db.session.delete(row)
            else:
                row.ended_on = on
                row.ended_by_name = actor.name
    added = 0
    for bid in sorted(wanted - set(mine)):
        added += 1
        db.session.add(ZoneBuilding(community_id=community.id, building_id=bid, assistant_id=user.id,
                                    assistant_name=name, started_on=on, assigned_by_name=actor.name,
                                    assigned_at=clock.now()))
    db.session.flush()
    return {"added": added, "removed": removed}


def zone_building_ids(assistant_id: int, community_id: int, day: date) -> set[int]:
    return set(db.session.scalars(select(ZoneBuilding.building_id).where(
        ZoneBuilding.assistant_id == assistant_id, ZoneBuilding.community_id == community_id, in_zone_on(day))))


# ---------------------------------------------------------------------------- visits


def _parse_day(raw) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def _clean_issues(rows) -> list[dict]:
    """The issue rows the form sent, without the rows left wholly empty."""
    out = []
    for row in rows or []:
        row = {k: (v.strip() if isinstance(v, str) else v) for k, v in dict(row).items()}
        if not row.get("text") and row.get("outcome") in (None, "", "noted") and not row.get("category"):
            continue
        out.append(row)
    return out


def check_visit(values: dict, actor: Actor, today: date | None = None) -> tuple[dict, dict]:
    """(errors, resolved) for a visit's values; resolved holds the community, house, building, day, visitor."""
    from flask_appbuilder.security.sqla.models import User

    today = today or clock.today()
    errors: dict = {}
    got: dict = {}
    if not actor.roles & RECORDERS:
        return {"": gettext("Only the property assistants and the project manager record visits.")}, got
    cid = _id(values.get("community"))
    community = db.session.get(Community, cid) if cid and cid > 0 else None
    if community is None:
        errors["community"] = gettext("There is no such community.")
    got["community"] = community
    day = _parse_day(values.get("visited_on"))
    if day is None:
        errors["visited_on"] = gettext("%(label)s must be a date (year-month-day).", label=_label("visited_on"))
    elif day > today:
        errors["visited_on"] = gettext("%(label)s cannot be in the future.", label=_label("visited_on"))
    elif day.year < 2000:
        errors["visited_on"] = gettext("%(label)s is too long ago.", label=_label("visited_on"))
    got["day"] = day
    house = building = None
    house_no = (values.get("house_no") or "").strip()
    hid = _id(values.get("house"))
    if hid:
        house = db.session.get(House, hid) if hid > 0 else None
        if house is None:
            errors["house_no"] = gettext("There is no such house.")
        elif community is not None and house.community_id != community.id:
            errors["house_no"] = gettext("House %(no)s is not in %(community)s.", no=house.house_no,
                                         community=community.name)
            house = None
    elif house_no and community is not None:
        house = desk.find_house(community.id, house_no)
        if house is None:
            errors["house_no"] = gettext("There is no house %(no)s in this community.", no=house_no[:60])
    bid = _id(values.get("building"))
    if house is not None:
        building = house.building
    elif bid:
        building = db.session.get(Building, bid) if bid > 0 else None
        if building is None or (community is not None and building.community_id != community.id):
            errors["building"] = gettext("There is no such building in this community.")
            building = None
    if house is None and building is None and "house_no" not in errors and "building" not in errors:
        errors["house_no"] = gettext("Please give the house visited, or the building of the common place.")
    got["house"], got["building"] = house, building
    check_choice(errors, values, "channel", _label("channel"), VISIT_CHANNELS)
    if values.get("satisfaction") not in (None, ""):
        check_choice(errors, values, "satisfaction", _label("satisfaction"), VISIT_SATISFACTION)
    for name, limit in (("place", 100), ("person", 100), ("remarks", TEXT_LIMIT), ("follow_up", TEXT_LIMIT),
                        ("other_needs", TEXT_LIMIT)):
        check_text(errors, values, name, _label(name), limit, required=False)
    # who visited: the user recording it; the manager may record a visit of an assistant
    visitor_id = _id(values.get("visitor")) or actor.id
    visitor = db.session.get(User, visitor_id) if visitor_id and visitor_id > 0 else None
    if visitor is None:
        errors["visitor"] = gettext("There is no such user.")
    elif visitor.id != actor.id and not actor.roles & ZONE_MANAGERS:
        errors["visitor"] = gettext("You record your own visits only.")
    got["visitor"] = visitor
    if (visitor is not None and visitor.id == actor.id and not actor.roles & ZONE_MANAGERS and building is not None
            and day is not None and "visited_on" not in errors):
        if building.id not in zone_building_ids(actor.id, building.community_id, day):
            errors["building"] = gettext("%(building)s is not in your zone on %(day)s: you record visits of your "
                                         "own zone.", building=building.name, day=day.isoformat())
    issues = _clean_issues(values.get("issues"))
    if len(issues) > MAX_ISSUES:
        errors["issues"] = gettext("At most %(n)d issues a visit.", n=MAX_ISSUES)
    for n, row in enumerate(issues, start=1):
        key = f"issue_{n}"
        row_errors: dict = {}
        check_choice(row_errors, row, "category", _label("category"), ISSUE_CATEGORIES)
        check_choice(row_errors, row, "outcome", _label("outcome"), ISSUE_OUTCOMES)
        if not row.get("text"):
            row_errors["text"] = gettext("Please write what the client raised.")
        else:
            check_text(row_errors, row, "text", _label("text"), TEXT_LIMIT)
        if row_errors:
            errors[key] = gettext("Issue %(n)d: %(problem)s", n=n, problem="；".join(row_errors.values()))
    got["issues"] = issues
    return errors, got


def record_visit(values: dict, actor: Actor, now: datetime | None = None) -> Visit:
    """Record a visit and its issues; each issue to become a repair, complaint, suggestion or consultation is
    logged at the service desk (desk.intake: the work log entry and its record, linked both ways) in the same step.
    values: community, visited_on, house_no (or house) or building and place, channel, person, satisfaction,
    remarks, follow_up, other_needs, visitor (the manager only), issues: [{category, text, outcome}].
    Flushed, not committed. RuleViolation: nothing is kept (the caller rolls back)."""
    now = now or clock.now()
    errors, got = check_visit(values, actor, now.date())
    if errors:
        raise RuleViolation(errors)
    visitor, day, house, building = got["visitor"], got["day"], got["house"], got["building"]

    def text(name):
        return (values.get(name) or "").strip() or None

    visit = Visit(community_id=got["community"].id, visited_on=day, house_id=house.id if house else None,
                  building_id=building.id if building else None, place=text("place"),
                  channel=values["channel"], visitor_id=visitor.id, visitor_name=_user_name(visitor),
                  person=text("person"), satisfaction=values.get("satisfaction") or None, remarks=text("remarks"),
                  follow_up=text("follow_up"), other_needs=text("other_needs"), created_at=now,
                  created_by_name=actor.name)
    db.session.add(visit)
    db.session.flush()
    occurred = datetime.combine(day, now.time().replace(microsecond=0)) if day == now.date() else \
        datetime.combine(day, time(10, 0))
    for n, row in enumerate(got["issues"], start=1):
        issue = VisitIssue(visit_id=visit.id, category=row["category"], text=row["text"], outcome=row["outcome"])
        visit.issues.append(issue)
        db.session.add(issue)
        if row["outcome"] != "noted":
            _open_desk_record(issue, visit, occurred, actor, now, n)
    db.session.flush()
    return visit


def _open_desk_record(issue: VisitIssue, visit: Visit, occurred: datetime, actor: Actor, now: datetime,
                      n: int) -> None:
    kind, consultation_kind = OUTCOME_KINDS[issue.outcome]
    where = " ".join(x for x in ((visit.building.name if visit.building and not visit.house_id else ""),
                                 visit.place or "") if x)
    values = {"community": visit.community_id, "house": visit.house_id, "occurred_at": occurred,
              "channel": "walk" if visit.channel == "door" else "phone", "kind": kind,
              "person": visit.person or (None if kind != "complaint" else gettext("Anonymous")),
              "summary": issue.text,
              "handling": gettext("Raised on a client visit (%(channel)s) by %(name)s.",
                                  channel=visit.channel_label(), name=visit.visitor_name),
              "place": where or None, "category": "other",
              "complaint_category": COMPLAINT_CATEGORY_OF.get(issue.category, "other"),
              "consultation_kind": consultation_kind}
    try:
        contact, record = desk.intake(values, actor, now)
    except RuleViolation as exc:
        raise RuleViolation({f"issue_{n}": gettext("Issue %(n)d: %(problem)s", n=n,
                                                   problem="；".join(str(m) for m in exc.errors.values()))})
    issue.contact_id = contact.id
    if isinstance(record, WorkOrder):
        issue.work_order_id = record.id
    elif isinstance(record, Complaint):
        issue.complaint_id = record.id
    elif isinstance(record, Consultation):
        issue.consultation_id = record.id


def linked_state(order_state, complaint_state, consultation_id, consultation_answered) -> str:
    """"open", "closed" or "noted" from the linked record's state (one rule for pages and the report)."""
    if order_state is not None:
        return "closed" if order_state in ORDER_CLOSED else "open"
    if complaint_state is not None:
        return "closed" if complaint_state in COMPLAINT_CLOSED else "open"
    if consultation_id is not None:
        return "closed" if consultation_answered else "open"
    return "noted"


def issue_link(issue: VisitIssue) -> dict:
    """What the visit page shows of an issue's record: kind, number, state label, open/closed."""
    order, complaint, consultation = issue.work_order, issue.complaint, issue.consultation
    state = linked_state(order.state if order else None, complaint.state if complaint else None,
                         consultation.id if consultation else None, bool(consultation and consultation.answer))
    if order is not None:
        return {"kind": "order", "id": order.id, "no": order.order_no, "label": order.state_label(), "state": state}
    if complaint is not None:
        return {"kind": "complaint", "id": complaint.id, "no": complaint.complaint_no,
                "label": complaint.state_label(), "state": state}
    if consultation is not None:
        return {"kind": "consultation", "id": consultation.id, "no": f"{issue.outcome_label()} #{consultation.id}",
                "label": str(STATE_LABELS[state]), "state": state}
    return {"kind": None, "id": None, "no": "", "label": str(STATE_LABELS["noted"]), "state": "noted"}


# ---------------------------------------------------------------------------- coverage and the report


def _has_owner(first: date, last: date):
    return exists().where(Ownership.house_id == House.id, Ownership.started_on <= last,
                          or_(Ownership.ended_on.is_(None), Ownership.ended_on >= first))


def household_clause(first: date, last: date):
    """A household (see the module's docstring): the one definition every count uses."""
    return and_(House.status.in_(HOUSEHOLD_STATUSES), _has_owner(first, last))


def coverage(community_id: int, year: int, month: int, today: date | None = None) -> dict:
    """The month's coverage in a community: each zone (assistant) with its buildings, households, households
    visited, coverage and whether it is behind; the buildings of no zone; the office total."""
    today = today or clock.today()
    check_month(year, month, today)
    first, last = month_bounds(year, month)
    ref = reference_day(year, month, today)
    share = expected_share(year, month, today)
    buildings = db.session.execute(select(Building.id, Building.name).where(Building.community_id == community_id)
                                   .order_by(Building.code, Building.id)).all()
    households = dict(db.session.execute(
        select(House.building_id, func.count(House.id))
        .where(House.community_id == community_id, household_clause(first, last))
        .group_by(House.building_id)).all())
    visited = dict(db.session.execute(
        select(House.building_id, func.count(func.distinct(Visit.house_id)))
        .join(House, House.id == Visit.house_id)
        .where(Visit.community_id == community_id, Visit.visited_on >= first, Visit.visited_on <= last,
               household_clause(first, last))
        .group_by(House.building_id)).all())
    zones = zones_on(community_id, ref)
    per_building = {}
    for bid, name in buildings:
        h, v = households.get(bid, 0), visited.get(bid, 0)
        per_building[bid] = {"id": bid, "name": name, "households": h, "visited": v, "coverage": percent(v, h),
                             "assistant": None}
    rows = []
    for assistant_id, zone in zones.items():
        bs = [per_building[bid] for bid, _name in zone["buildings"] if bid in per_building]
        for b in bs:
            b["assistant"] = zone["name"]
        rows.append(_zone_row(assistant_id, zone["name"], bs, share))
    rows.sort(key=lambda r: r["name"])
    zoned = {bid for z in zones.values() for bid, _n in z["buildings"]}
    unassigned = [b for bid, b in per_building.items() if bid not in zoned]
    total_h = sum(b["households"] for b in per_building.values())
    total_v = sum(b["visited"] for b in per_building.values())
    return {"community_id": community_id, "year": year, "month": month, "key": month_key(year, month),
            "first": first, "last": last, "reference_day": ref, "share": share,
            "share_percent": (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            "current": first <= today <= last, "zones": rows, "buildings": list(per_building.values()),
            "unassigned": unassigned, "households": total_h, "visited": total_v, "coverage": percent(total_v, total_h),
            "unassigned_households": sum(b["households"] for b in unassigned)}


def _zone_row(assistant_id: int, name: str, buildings: list[dict], share: Decimal) -> dict:
    h = sum(b["households"] for b in buildings)
    v = sum(b["visited"] for b in buildings)
    return {"assistant_id": assistant_id, "name": name, "buildings": buildings,
            "building_names": "、".join(b["name"] for b in buildings), "households": h, "visited": v,
            "coverage": percent(v, h), "behind": h > 0 and Decimal(v) < share * h}


def report(community_id: int, year: int, month: int, assistant_id: int | None = None,
           today: date | None = None) -> dict:
    """The 《物业部走访情况报告》 figures of a month: the office's (assistant_id None) or one assistant's (his zone,
    his visits and the issues raised on them)."""
    from app.core.masking import mask_name, mask_text

    today = today or clock.today()
    cov = coverage(community_id, year, month, today)
    first, last = cov["first"], cov["last"]
    in_month = and_(Visit.community_id == community_id, Visit.visited_on >= first, Visit.visited_on <= last)
    if assistant_id is not None:
        in_month = and_(in_month, Visit.visitor_id == assistant_id)
        zones = [z for z in cov["zones"] if z["assistant_id"] == assistant_id]
        buildings = zones[0]["buildings"] if zones else []
    else:
        zones = cov["zones"]
        buildings = cov["buildings"]
    counts = db.session.execute(select(Visit.visitor_id, Visit.visitor_name, Visit.channel, func.count(Visit.id))
                                .where(in_month).group_by(Visit.visitor_id, Visit.visitor_name, Visit.channel)).all()
    by_visitor: dict[int, dict] = {}
    for visitor_id, name, channel, n in counts:
        row = by_visitor.setdefault(visitor_id, {"name": name, "door": 0, "phone": 0, "total": 0})
        row[channel] = row.get(channel, 0) + n
        row["total"] += n
    for z in zones:
        z_counts = by_visitor.get(z["assistant_id"], {})
        z["door"], z["phone"], z["visits"] = z_counts.get("door", 0), z_counts.get("phone", 0), z_counts.get("total", 0)
    zone_ids = {z["assistant_id"] for z in cov["zones"]}
    others = [dict(v, visitor_id=k) for k, v in by_visitor.items() if k not in zone_ids]  # visits without a zone
    satisfaction = dict(db.session.execute(select(Visit.satisfaction, func.count(Visit.id))
                                           .where(in_month, Visit.satisfaction.is_not(None))
                                           .group_by(Visit.satisfaction)).all())
    issue_rows = db.session.execute(
        select(VisitIssue.id, VisitIssue.category, VisitIssue.text, VisitIssue.outcome, Visit.visited_on,
               House.house_no, Building.name, Visit.place, Visit.visitor_name, WorkOrder.order_no, WorkOrder.state,
               Complaint.complaint_no, Complaint.state, Consultation.id, Consultation.answer.is_not(None))
        .join(Visit, Visit.id == VisitIssue.visit_id)
        .outerjoin(House, House.id == Visit.house_id)
        .outerjoin(Building, Building.id == Visit.building_id)
        .outerjoin(WorkOrder, WorkOrder.id == VisitIssue.work_order_id)
        .outerjoin(Complaint, Complaint.id == VisitIssue.complaint_id)
        .outerjoin(Consultation, Consultation.id == VisitIssue.consultation_id)
        .where(in_month).order_by(Visit.visited_on, VisitIssue.id)).all()
    order_labels, complaint_labels = ORDER_STATES, COMPLAINT_STATES
    issues = []
    categories = {key: {"key": key, "label": str(label), "total": 0, "open": 0, "closed": 0, "noted": 0}
                  for key, label in ISSUE_CATEGORIES.items()}
    for (_iid, category, text, outcome, day, house_no, building_name, place, visitor, order_no, order_state,
         complaint_no, complaint_state, consultation_id, answered) in issue_rows:
        state = linked_state(order_state, complaint_state, consultation_id, answered)
        if order_no:
            record, record_state = order_no, str(order_labels.get(order_state, order_state))
        elif complaint_no:
            record, record_state = complaint_no, str(complaint_labels.get(complaint_state, complaint_state))
        elif consultation_id:
            record = f"{ISSUE_OUTCOMES.get(outcome, outcome)} #{consultation_id}"
            record_state = str(STATE_LABELS[state])
        else:
            record, record_state = "", ""
        issues.append({"day": day, "where": house_no or " ".join(x for x in (building_name, place) if x),
                       "category": str(ISSUE_CATEGORIES.get(category, category)), "text": mask_text(text),
                       "outcome": str(ISSUE_OUTCOMES.get(outcome, outcome)), "record": record,
                       "record_state": record_state, "state": state, "state_label": str(STATE_LABELS[state]),
                       "visitor": visitor})
        row = categories.setdefault(category, {"key": category, "label": category, "total": 0, "open": 0,
                                               "closed": 0, "noted": 0})
        row["total"] += 1
        row[state] += 1
    needs = [{"day": day, "where": house_no or " ".join(x for x in (building_name, place) if x),
              "person": mask_name(person), "text": mask_text(text), "visitor": visitor}
             for day, house_no, building_name, place, person, text, visitor in db.session.execute(
                 select(Visit.visited_on, House.house_no, Building.name, Visit.place, Visit.person, Visit.other_needs,
                        Visit.visitor_name)
                 .outerjoin(House, House.id == Visit.house_id).outerjoin(Building, Building.id == Visit.building_id)
                 .where(in_month, Visit.other_needs.is_not(None), Visit.other_needs != "")
                 .order_by(Visit.visited_on, Visit.id)).all()]
    households = sum(b["households"] for b in buildings)
    visited = sum(b["visited"] for b in buildings)
    door = sum(v["door"] for k, v in by_visitor.items())
    phone = sum(v["phone"] for k, v in by_visitor.items())
    summary = db.session.scalar(select(VisitSummary).where(VisitSummary.community_id == community_id,
                                                           VisitSummary.month == cov["key"]))
    return dict(cov, assistant_id=assistant_id, zones=zones, buildings=buildings, others=others,
                visits=door + phone, door=door, phone=phone, households=households, visited=visited,
                coverage=percent(visited, households), issues=issues,
                categories=[c for c in categories.values() if c["total"]],
                issues_open=sum(1 for i in issues if i["state"] == "open"),
                issues_closed=sum(1 for i in issues if i["state"] == "closed"),
                needs=needs, summary=summary,
                satisfaction=[(str(label), satisfaction.get(key, 0)) for key, label in VISIT_SATISFACTION.items()])


# ---------------------------------------------------------------------------- the manager's summary


def save_summary(community_id, year: int, month: int, text: str, actor: Actor, now: datetime | None = None
                 ) -> VisitSummary:
    """The 项目经理's summary of a month (one per community and month; editable, who and when kept)."""
    now = now or clock.now()
    if not actor.roles & ZONE_MANAGERS:
        raise RuleViolation({"": gettext("Only the project manager writes the month's summary.")})
    cid = _id(community_id)
    if not cid or cid < 0 or db.session.get(Community, cid) is None:
        raise RuleViolation({"community": gettext("There is no such community.")})
    check_month(year, month, now.date())
    errors: dict = {}
    check_text(errors, {"summary": text}, "summary", _label("summary"), SUMMARY_LIMIT)
    if errors:
        raise RuleViolation(errors)
    key = month_key(year, month)
    row = db.session.scalar(select(VisitSummary).where(VisitSummary.community_id == cid, VisitSummary.month == key))
    if row is None:
        row = VisitSummary(community_id=cid, month=key)
        db.session.add(row)
    row.text = text.strip()
    row.updated_at = now
    row.updated_by_name = actor.name
    db.session.flush()
    return row
