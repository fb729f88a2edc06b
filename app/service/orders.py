"""报修 work orders: the state machine (派单, 转单, 退单, 到场, 挂起, 完工, 回访, 不满意重开, 取消), opening an
order, and the engineer's and the desk's queues.

The machine is one declared table (from state, action, to state, roles allowed). Every change of state goes
through `transition()`: it checks the table, the role and the action's data, writes the history row and
flushes. Two staff acting on the same order at the same moment: the version column makes exactly one win;
the other gets ConcurrentChange.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.money import to_money
from app.core.rules import Actor, ConcurrentChange, RuleViolation, as_id, check_choice, check_text
from app.core.validators import check_date
from app.estate.models import Building, House
from app.extensions import db
from app.security import roles
from app.service import charges
from app.service.common import (DESK, FIELD, TEXT_LIMIT, check_amount, check_community, check_contact_link,
                                check_house, check_phone, community_of, guarded, normalize_phone)
from app.service.deadlines import deadline_minutes
from app.service.labels import label
from app.service.materials import priced_materials
from app.service.models import (CHANNELS, PLACE_SCOPES, REPAIR_CATEGORIES, SATISFACTION, URGENCIES, WorkOrder,
                                WorkOrderEvent)
from app.service.numbers import placeholder_no

# The work order state machine: (from state, action, to state, roles that may do it).
# An engineer (工程维修) may act only on orders assigned to him.
ORDER_TRANSITIONS: list[tuple[str, str, str, frozenset]] = [
    ("pending", "dispatch", "dispatched", DESK),
    ("dispatched", "transfer", "dispatched", DESK),
    ("in_progress", "transfer", "dispatched", DESK),
    ("suspended", "transfer", "dispatched", DESK),
    ("dispatched", "return", "pending", DESK | FIELD),
    ("dispatched", "arrive", "in_progress", FIELD),
    ("in_progress", "suspend", "suspended", FIELD | DESK),
    ("suspended", "resume", "in_progress", FIELD | DESK),
    ("in_progress", "complete", "completed", FIELD),
    ("completed", "callback", "closed", DESK),
    ("completed", "reopen", "dispatched", DESK),
    ("pending", "cancel", "cancelled", DESK),
    ("dispatched", "cancel", "cancelled", DESK),
    ("suspended", "cancel", "cancelled", DESK),
]
ORDER_ACTIONS = {
    "dispatch": _l("Dispatch"),
    "transfer": _l("Reassign"),
    "return": _l("Return to pool"),
    "arrive": _l("Arrived on site"),
    "suspend": _l("Suspend"),
    "resume": _l("Resume"),
    "complete": _l("Complete"),
    "callback": _l("Call back"),
    "reopen": _l("Reopen (unsatisfied)"),
    "cancel": _l("Cancel"),
    "create": _l("Reported"),
}
OPEN_ORDER_STATES = ("pending", "dispatched", "in_progress", "suspended")
NOTE_REQUIRED = {"return", "suspend", "cancel", "transfer"}


def order_rule(state: str, action: str):
    for row in ORDER_TRANSITIONS:
        if row[0] == state and row[1] == action:
            return row
    return None


def _may(actor: Actor, allowed_roles: frozenset, assignee_id: int | None) -> bool:
    """The table's roles; an engineer only on his own orders."""
    mine = actor.roles & allowed_roles
    if mine - {roles.ENGINEER}:
        return True
    return bool(mine) and assignee_id is not None and assignee_id == actor.id


def order_actions(order: WorkOrder, actor: Actor) -> list[str]:
    """The actions this actor may take on the order now (for the buttons)."""
    out = []
    for state, action, _to, allowed in ORDER_TRANSITIONS:
        if state == order.state and action not in out and _may(actor, allowed, order.assignee_id):
            out.append(action)
    return out


def check_order(values: dict, pk=None) -> dict:
    errors: dict = {}
    house = check_house(errors, values)
    building_id = as_id(values.get("building") if "building" in values else values.get("building_id"))
    building = None
    if building_id is not None:
        building = db.session.get(Building, building_id) if building_id > 0 else None
        if building is None:
            errors["building"] = gettext("There is no such building.")
    if house is None and building is None and "house" not in errors and "building" not in errors:
        if community_of(values, None) is None:
            errors["house"] = gettext("Please choose the house, or the building or community of a common area.")
    check_community(errors, values, house) if "house" not in errors else None
    if house is not None and building is not None and house.building_id != building.id:
        errors["building"] = gettext("The house is not in this building.")
    check_choice(errors, values, "scope", label("scope"), PLACE_SCOPES)
    if values.get("scope") == "private" and house is None and "house" not in errors:
        errors["house"] = gettext("A repair of a private part needs the house.")
    check_choice(errors, values, "category", label("category"), REPAIR_CATEGORIES)
    check_choice(errors, values, "source", label("source"), CHANNELS)
    check_choice(errors, values, "urgency", label("urgency"), URGENCIES)
    check_text(errors, values, "description", label("description"), TEXT_LIMIT)
    check_text(errors, values, "place", label("place"), 200, required=False)
    check_text(errors, values, "reporter_name", label("reporter_name"), 100, required=False)
    check_text(errors, values, "appointment", label("appointment"), 100, required=False)
    check_phone(errors, values, "reporter_phone")
    check_contact_link(errors, values, WorkOrder, pk)
    return errors


def prepare_order(order: WorkOrder, actor: Actor | None = None, now: datetime | None = None) -> None:
    """Fill what a new order derives: community, number placeholder, deadlines, who received it."""
    normalize_phone(order, "reporter_phone")
    if order.house is not None:
        order.community = order.house.community
        order.building = order.house.building
    elif order.building is not None:
        order.community = order.building.community
    if order.id is not None:
        return
    now = clock.or_now(now)
    order.reported_at = order.reported_at or now
    order.order_no = order.order_no or placeholder_no()
    order.state = "pending"
    arrive, finish = deadline_minutes("repair", order.urgency or "normal")
    order.arrive_due = order.reported_at + timedelta(minutes=arrive)
    order.finish_due = order.reported_at + timedelta(minutes=finish)
    if actor is not None:
        order.received_by_id = actor.id
    order.events.append(WorkOrderEvent(at=now, user_id=actor.id if actor else None,
                                       user_name=actor.name if actor else "", action="create",
                                       from_state=None, to_state="pending"))


def create_order(values: dict, actor: Actor, now: datetime | None = None) -> WorkOrder:
    """Open a work order from plain values (API, CLI, the work log). Flushed, not committed."""
    errors = check_order(values)
    if errors:
        raise RuleViolation(errors)
    order = WorkOrder(
        house_id=as_id(values.get("house")), building_id=as_id(values.get("building")),
        community_id=community_of(values, check_house({}, values)),
        place=values.get("place") or None, scope=values.get("scope") or "private",
        category=values.get("category") or "other", source=values.get("source") or "phone",
        urgency=values.get("urgency") or "normal", description=values["description"].strip(),
        reporter_name=values.get("reporter_name") or None, reporter_phone=values.get("reporter_phone") or None,
        appointment=values.get("appointment") or None, contact_id=as_id(values.get("contact")),
    )
    if order.house_id:
        order.house = db.session.get(House, order.house_id)
    if order.building_id:
        order.building = db.session.get(Building, order.building_id)
    prepare_order(order, actor, now)
    db.session.add(order)
    db.session.flush()
    return order


def engineers() -> list:
    """Active users with the 工程维修 role: who may be dispatched."""
    from flask_appbuilder.security.sqla.models import Role, User

    return list(db.session.scalars(
        select(User).join(User.roles).where(Role.name == roles.ENGINEER, User.active.is_(True)).order_by(User.username)
    ))


def _engineer(errors: dict, assignee_id) -> int | None:
    uid = as_id(assignee_id)
    if uid is None:
        errors["assignee"] = gettext("Please choose the engineer to send.")
        return None
    if uid not in {u.id for u in engineers()}:
        errors["assignee"] = gettext("Only an active member of 工程维修 can be sent.")
        return None
    return uid


def _time(errors: dict, value, name: str, now: datetime, not_before: datetime | None, before_label: str = ""):
    if value is None or value == "":
        return now
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            errors[name] = gettext("%(label)s is not a valid time.", label=label(name))
            return None
    value = value.replace(microsecond=0, tzinfo=None)
    if check_date(value, label(name)):
        errors[name] = check_date(value, label(name))
    elif value > now + timedelta(minutes=5):
        errors[name] = gettext("%(label)s cannot be in the future.", label=label(name))
    elif not_before is not None and value < not_before:
        errors[name] = gettext("%(label)s cannot be before %(other)s (%(time)s).", label=label(name),
                               other=before_label, time=f"{not_before:%Y-%m-%d %H:%M}")
    return value


def transition(order_id, action: str, actor: Actor, **kw) -> WorkOrder:
    """Move a work order by `action`, if the table, the actor's roles and the data allow it.

    keywords: expected_version (the version the user saw), now, note, and by action: dispatch/transfer/reopen:
    assignee_id; arrive: at; complete: at, result, labour_hours, labour_fee, materials [(material id,
    quantity)]; callback/reopen: satisfaction, remark.
    Writes the history row and flushes; raises RuleViolation (or ConcurrentChange) and changes nothing.
    """
    return guarded(_order_transition, order_id, action, actor, **kw)


def _order_transition(order_id, action: str, actor: Actor, *, expected_version: int | None = None,
                      now: datetime | None = None, note: str | None = None, **data) -> WorkOrder:
    now = clock.or_now(now)
    order = db.session.get(WorkOrder, as_id(order_id)) if as_id(order_id) and as_id(order_id) > 0 else None
    if order is None:
        raise RuleViolation({"": gettext("There is no such work order.")})
    if expected_version is not None and order.version != expected_version:
        raise ConcurrentChange()
    action_label = str(ORDER_ACTIONS.get(action, action))
    rule = order_rule(order.state, action)
    if rule is None:
        raise RuleViolation({"": gettext("Work order %(no)s is %(state)s: it cannot be changed by \"%(action)s\".",
                                         no=order.order_no, state=order.state_label(), action=action_label)})
    if not _may(actor, rule[3], order.assignee_id):
        raise RuleViolation({"": gettext("You may not \"%(action)s\" work order %(no)s.", action=action_label,
                                         no=order.order_no)})
    errors: dict = {}
    note = (note or "").strip() or None
    if note is not None:
        check_text(errors, {"note": note}, "note", label("note"), TEXT_LIMIT)
    if action in NOTE_REQUIRED and not note:
        errors["note"] = gettext("Please give the reason.")
    from_state, to_state = order.state, rule[2]
    if action in ("dispatch", "transfer", "reopen"):
        assignee = data.get("assignee_id", order.assignee_id if action == "reopen" else None)
        uid = _engineer(errors, assignee)
        if action == "transfer" and uid is not None and uid == order.assignee_id:
            errors["assignee"] = gettext("The order is already assigned to this engineer.")
        if not errors:
            order.assignee_id = uid
            order.dispatched_at = now
            if action != "dispatch":
                order.arrived_at = None
                order.finished_at = None
    elif action == "return":
        order.assignee_id = None
        order.dispatched_at = None
    elif action == "arrive":
        at = _time(errors, data.get("at"), "arrived_at", now, order.dispatched_at, label("dispatched_at"))
        if not errors:
            order.arrived_at = at
    elif action == "complete":
        at = _time(errors, data.get("at"), "finished_at", now, order.arrived_at or order.dispatched_at,
                   label("arrived_at") if order.arrived_at else label("dispatched_at"))
        check_text(errors, data, "result", label("result"), TEXT_LIMIT)
        labour_fee = check_amount(errors, data.get("labour_fee"), "labour_fee")
        hours = data.get("labour_hours")
        if hours not in (None, ""):
            try:
                hours = Decimal(str(hours).strip())
            except (InvalidOperation, ValueError):
                hours = None
            if hours is None or not hours.is_finite() or hours < 0 or hours > 999 or hours != hours.quantize(
                    Decimal("0.01")):
                errors["labour_hours"] = gettext("%(label)s must be between 0 and 999.", label=label("labour_hours"))
        else:
            hours = None
        rows = priced_materials(errors, data.get("materials"))
        if order.scope == "common" and (labour_fee > 0 or rows and any(r.amount > 0 for r in rows)):
            pass  # common parts are free for the household: the cost is recorded, no charge is made
        if not errors:
            order.finished_at = at
            order.result = data["result"].strip()
            order.labour_hours = hours
            order.labour_fee = labour_fee
            for row in rows:
                order.materials.append(row)
            order.material_fee = to_money(sum((m.amount for m in order.materials), Decimal("0")))
    elif action == "callback":
        satisfaction = data.get("satisfaction")
        if satisfaction not in SATISFACTION:
            errors["satisfaction"] = gettext("Please choose the satisfaction: very satisfied, satisfied, fair or "
                                             "unsatisfied.")
        elif satisfaction == "unsatisfied":
            errors["satisfaction"] = gettext("An unsatisfied callback reopens the order: use \"reopen\".")
        check_text(errors, data, "remark", label("callback_remark"), 500, required=False)
        if not errors:
            order.satisfaction = satisfaction
            order.callback_remark = (data.get("remark") or "").strip() or None
            order.callback_at = now
            order.callback_by_id = actor.id
            order.closed_at = now
            note = note or order.callback_remark
    elif action == "cancel":
        order.closed_at = now
    if action == "reopen":
        check_text(errors, data, "remark", label("callback_remark"), 500, required=False)
        if not errors:
            order.satisfaction = "unsatisfied"
            order.callback_remark = (data.get("remark") or "").strip() or None
            order.callback_at = now
            order.callback_by_id = actor.id
            note = note or order.callback_remark
    if errors:
        db.session.rollback()
        raise RuleViolation(errors)
    order.state = to_state
    order.events.append(WorkOrderEvent(at=now, user_id=actor.id, user_name=actor.name, action=action,
                                       from_state=from_state, to_state=to_state, note=note))
    if action in charges.ACTIONS:  # 有偿维修: billed at completion (see app.service.charges)
        charges.follow(order, action, now)
    return order


def callback(order_id, actor: Actor, satisfaction: str, remark: str = "", **kw) -> WorkOrder:
    """回访: record the owner's satisfaction; 不满意 reopens the order to the same engineer."""
    action = "reopen" if satisfaction == "unsatisfied" else "callback"
    return transition(order_id, action, actor, satisfaction=satisfaction, remark=remark, **kw)


def my_orders(user_id: int) -> list[WorkOrder]:
    return list(db.session.scalars(select(WorkOrder).where(WorkOrder.assignee_id == user_id,
                                                           WorkOrder.state.in_(OPEN_ORDER_STATES))
                                   .order_by(WorkOrder.finish_due)))


def desk_counts() -> dict:
    """How many orders wait for dispatch and for a callback."""
    rows = dict(db.session.execute(select(WorkOrder.state, func.count()).where(
        WorkOrder.state.in_(("pending", "completed"))).group_by(WorkOrder.state)).all())
    return {"pending": rows.get("pending", 0), "completed": rows.get("completed", 0)}
