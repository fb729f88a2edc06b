"""The service desk's rules: the work log, the work order and complaint state machines, deadlines, charges.

Each state machine is one declared table (from state, action, to state, roles allowed). Every change of
state goes through `transition()` (work orders) or `complaint_transition()` (complaints): they check the
table, the role and the action's data, write the history row and flush. Two staff acting on the same
record at the same moment: the version column makes exactly one win; the other gets ConcurrentChange.
No request, no Flask globals here: views, the API and the CLI pass an `Actor`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import and_, select

from app.core import clock
from app.core.rules import Actor, ConcurrentChange, RuleViolation, check_choice, check_text
from app.core.rules import as_id
from app.core.validators import check_date
from app.estate.models import Community, House
from app.extensions import db
from app.service.common import (DESK, FIELD, MANAGERS, TEXT_LIMIT, check_amount, check_community, check_contact_link,
                                check_house, check_phone, community_of, normalize_phone)
from app.service.complaints import (COMPLAINT_ACTIONS, COMPLAINT_TRANSITIONS, OPEN_COMPLAINT_STATES, check_complaint,
                                    complaint_actions, complaint_rule, complaint_transition, create_complaint,
                                    open_major_complaints, prepare_complaint)
from app.service.deadlines import DEFAULT_DEADLINES, check_deadline, deadline_minutes
from app.service.labels import LABELS, label, state_labels
from app.service.materials import check_material
from app.service.models import (CHANNELS, CONSULTATION_KINDS, CONTACT_KINDS, Complaint, Consultation, Contact,
                                ServiceRequest, SpecialService, WorkOrder)
from app.service.orders import (NOTE_REQUIRED, OPEN_ORDER_STATES, ORDER_ACTIONS, ORDER_TRANSITIONS, callback,
                                check_order, create_order, desk_counts, engineers, my_orders, order_actions, order_rule,
                                prepare_order, transition)
from app.service.overdue import (complaint_overdue, count_overdue_orders, missed_deadline, order_overdue,
                                 overdue_complaint_clause, overdue_complaints, overdue_order_clause, overdue_orders)


def check_contact(values: dict, pk=None) -> dict:
    errors: dict = {}
    house = check_house(errors, values)
    check_community(errors, values, house)
    check_choice(errors, values, "channel", label("channel"), CHANNELS)
    check_choice(errors, values, "kind", label("kind"), CONTACT_KINDS)
    check_text(errors, values, "summary", label("summary"), TEXT_LIMIT)
    check_text(errors, values, "handling", label("handling"), TEXT_LIMIT, required=False)
    check_text(errors, values, "person", label("person"), 100, required=False)
    check_phone(errors, values, "phone")
    occurred = values.get("occurred_at")
    if isinstance(occurred, datetime) and occurred > clock.now() + timedelta(minutes=5):
        errors["occurred_at"] = gettext("%(label)s cannot be in the future.", label=label("occurred_at"))
    elif check_date(occurred, label("occurred_at")):
        errors["occurred_at"] = check_date(occurred, label("occurred_at"))
    return errors


def prepare_contact(contact: Contact, actor: Actor | None = None) -> None:
    normalize_phone(contact, "phone")
    if contact.house is not None:
        contact.community_id = contact.house.community_id
        contact.community = contact.house.community
    if contact.occurred_at is None:
        contact.occurred_at = clock.or_now(None)
    if actor is not None and contact.received_by_id is None:
        contact.received_by_id = actor.id
        contact.received_by_name = actor.name


def log_contact(values: dict, actor: Actor) -> Contact:
    """Write one work log entry (flushed, not committed)."""
    errors = check_contact(values)
    if errors:
        raise RuleViolation(errors)
    house = check_house({}, values)
    contact = Contact(
        community_id=community_of(values, house), house_id=house.id if house else None,
        occurred_at=values.get("occurred_at") or clock.or_now(None), channel=values.get("channel") or "phone",
        kind=values.get("kind") or "other", person=values.get("person") or None, phone=values.get("phone") or None,
        summary=values["summary"].strip(), handling=values.get("handling") or None,
    )
    prepare_contact(contact, actor)
    db.session.add(contact)
    db.session.flush()
    return contact


def contact_defaults(contact: Contact) -> dict:
    """What a record opened from a work log entry starts with."""
    return {"community": contact.community, "house": contact.house, "person": contact.person,
            "phone": contact.phone, "summary": contact.summary, "channel": contact.channel,
            "occurred_at": contact.occurred_at}


def check_consultation(values: dict, pk=None) -> dict:
    errors: dict = {}
    house = check_house(errors, values)
    if "house" not in errors:
        check_community(errors, values, house)
    check_choice(errors, values, "kind", label("kind"), CONSULTATION_KINDS)
    check_text(errors, values, "question", label("question"), TEXT_LIMIT)
    check_text(errors, values, "answer", label("answer"), TEXT_LIMIT, required=False)
    check_text(errors, values, "person", label("person"), 100, required=False)
    check_phone(errors, values, "phone")
    check_contact_link(errors, values, Consultation, pk)
    return errors


def prepare_consultation(item: Consultation, actor: Actor | None = None) -> None:
    normalize_phone(item, "phone")
    if item.house is not None:
        item.community = item.house.community
    if item.answer and not item.answered_by and actor is not None:
        item.answered_by = actor.name


def check_special_service(values: dict, pk=None) -> dict:
    from app.service.models import SPECIAL_KINDS

    errors: dict = {}
    check_text(errors, values, "name", label("name"), 100)
    check_choice(errors, values, "kind", label("kind"), SPECIAL_KINDS)
    check_text(errors, values, "provider", label("provider"), 100, required=False)
    check_text(errors, values, "price_unit", label("price_unit"), 20, required=False)
    check_text(errors, values, "description", label("description"), TEXT_LIMIT, required=False)
    if values.get("price") not in (None, ""):
        check_amount(errors, values.get("price"), "price")
    if "name" not in errors:
        stmt = select(SpecialService.id).where(SpecialService.name == values["name"].strip())
        if pk is not None:
            stmt = stmt.where(SpecialService.id != int(pk))
        if db.session.scalar(stmt) is not None:
            errors["name"] = gettext("This service is already in the catalog.")
    return errors


def check_service_request(values: dict, pk=None) -> dict:
    from app.service.models import REQUEST_STATES

    errors: dict = {}
    house = check_house(errors, values)
    if "house" not in errors:
        check_community(errors, values, house)
    check_text(errors, values, "title", label("title"), 200)
    check_text(errors, values, "person", label("person"), 100, required=False)
    check_text(errors, values, "provider", label("provider"), 100, required=False)
    check_text(errors, values, "approved_by", label("approved_by"), 100, required=False)
    check_text(errors, values, "execution_record", label("execution_record"), 20000, required=False)
    check_text(errors, values, "remark", label("remark"), 500, required=False)
    check_phone(errors, values, "phone")
    if values.get("agreed_price") not in (None, ""):
        check_amount(errors, values.get("agreed_price"), "agreed_price")
    if values.get("state") not in (None, ""):
        check_choice(errors, values, "state", label("state"), REQUEST_STATES)
    service = values.get("service")
    custom = service is None or getattr(service, "kind", None) == "custom"
    if values.get("state") in ("approved", "done") and custom and not (values.get("approved_by") or "").strip():
        errors["approved_by"] = gettext("A custom service is carried out only after it is approved: name who "
                                        "approved it.")
    if values.get("state") == "done" and values.get("first_execution") and \
            not (values.get("execution_record") or "").strip():
        errors["execution_record"] = gettext("The first execution of a custom service must be recorded in detail.")
    done_at, requested = values.get("done_at"), values.get("requested_at")
    if isinstance(done_at, datetime) and isinstance(requested, datetime) and done_at < requested:
        errors["done_at"] = gettext("%(label)s cannot be before %(other)s (%(time)s).", label=label("done_at"),
                                    other=label("requested_at"), time=f"{requested:%Y-%m-%d %H:%M}")
    check_contact_link(errors, values, ServiceRequest, pk)
    return errors


def prepare_service_request(item: ServiceRequest, actor: Actor | None = None) -> None:
    normalize_phone(item, "phone")
    if item.house is not None:
        item.community = item.house.community
    if item.service is not None:
        item.provider = item.provider or item.service.provider
        if item.agreed_price is None:
            item.agreed_price = item.service.price
    if item.state == "done" and item.done_at is None:
        item.done_at = clock.or_now(None)


def promote_to_catalog(request: ServiceRequest) -> SpecialService:
    """Make a custom service, once done and recorded, a standard 专项服务 in the catalog."""
    errors: dict = {}
    if request.state != "done" or not (request.execution_record or "").strip():
        errors[""] = gettext("Only a custom service carried out and recorded in detail can become a standard "
                             "service.")
    elif db.session.scalar(select(SpecialService.id).where(SpecialService.name == request.title)) is not None:
        errors[""] = gettext("This service is already in the catalog.")
    if errors:
        raise RuleViolation(errors)
    service = SpecialService(name=request.title, kind="special", provider=request.provider,
                             price=request.agreed_price, description=request.execution_record[:TEXT_LIMIT])
    db.session.add(service)
    request.service = service
    db.session.flush()
    return service


def daily_log(day, community_id: int | None = None) -> dict:
    """One day of the office (物业部工作日志): contacts, repairs opened and finished, complaints received,
    callbacks made, and the other matters (contacts that became no record of their own)."""
    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)

    def scoped(stmt, model):
        return stmt.where(model.community_id == community_id) if community_id else stmt

    def between(column):
        return and_(column >= start, column < end)

    contacts = list(db.session.scalars(scoped(select(Contact).where(between(Contact.occurred_at)), Contact)
                                       .order_by(Contact.occurred_at, Contact.id)))
    opened = list(db.session.scalars(scoped(select(WorkOrder).where(between(WorkOrder.reported_at)), WorkOrder)
                                     .order_by(WorkOrder.reported_at, WorkOrder.id)))
    finished = list(db.session.scalars(scoped(select(WorkOrder).where(between(WorkOrder.finished_at)), WorkOrder)
                                       .order_by(WorkOrder.finished_at, WorkOrder.id)))
    complaints = list(db.session.scalars(scoped(select(Complaint).where(between(Complaint.received_at)), Complaint)
                                         .order_by(Complaint.received_at, Complaint.id)))
    order_callbacks = list(db.session.scalars(scoped(select(WorkOrder).where(between(WorkOrder.callback_at)),
                                                     WorkOrder).order_by(WorkOrder.callback_at)))
    complaint_callbacks = list(db.session.scalars(scoped(select(Complaint).where(between(Complaint.callback_at)),
                                                         Complaint).order_by(Complaint.callback_at)))
    return {
        "day": day,
        "community": db.session.get(Community, community_id) if community_id else None,
        "contacts": contacts,
        "repairs_opened": opened,
        "repairs_finished": finished,
        "complaints": complaints,
        "order_callbacks": order_callbacks,
        "complaint_callbacks": complaint_callbacks,
        "other_matters": [c for c in contacts if c.kind == "other"],
    }


def find_house(community_id, house_no: str | None) -> House | None:
    """A house by its 房号 (e.g. 1-1-0101) in a community; None when not found."""
    text = (house_no or "").strip().replace("—", "-").replace("－", "-")
    cid = as_id(community_id)
    if not text or not cid or cid < 0:
        return None
    return db.session.scalar(select(House).where(House.community_id == cid, House.house_no == text))


INTAKE_KINDS = ("repair", "complaint", "consultation", "service_request", "other")


def intake(values: dict, actor: Actor, now: datetime | None = None):
    """The desk logs a contact once and, where it is one, opens its repair, complaint, consultation or service
    request, linked both ways. values: the contact's fields (community, house_no or house, channel, person,
    phone, summary, kind, occurred_at) and the record's (repair: scope, category, urgency, place, appointment;
    complaint: complaint_category, severity; consultation: consultation_kind, answer; service_request: service).
    Returns (contact, record or None), flushed. Raises RuleViolation with every problem; nothing is written."""
    values = dict(values)
    errors: dict = {}
    if values.get("house_no") and not values.get("house"):
        house = find_house(values.get("community"), values["house_no"])
        if house is None:
            errors["house_no"] = gettext("There is no house %(no)s in this community.", no=values["house_no"])
        values["house"] = house
    kind = values.get("kind") or "other"
    contact_errors = check_contact(values)
    errors.update({("house_no" if k == "house" else k): v for k, v in contact_errors.items()})
    record_values = {"community": values.get("community"), "house": values.get("house"),
                     "channel": values.get("channel"), "source": values.get("channel")}
    if kind == "repair":
        record_values.update(scope=values.get("scope") or ("private" if values.get("house") else "common"),
                             category=values.get("category") or "other", urgency=values.get("urgency") or "normal",
                             place=values.get("place"), appointment=values.get("appointment"),
                             description=values.get("summary"), reporter_name=values.get("person"),
                             reporter_phone=values.get("phone"))
        record_errors = check_order(record_values)
    elif kind == "complaint":
        record_values.update(category=values.get("complaint_category") or "other",
                             severity=values.get("severity") or "normal", content=values.get("summary"),
                             complainant=values.get("person"), phone=values.get("phone"))
        record_errors = check_complaint(record_values)
        record_errors = {("complaint_category" if k == "category" else k): v for k, v in record_errors.items()}
    elif kind == "consultation":
        record_values.update(kind=values.get("consultation_kind") or "consultation", question=values.get("summary"),
                             answer=values.get("answer"), person=values.get("person"), phone=values.get("phone"))
        record_errors = check_consultation(record_values)
    elif kind == "service_request":
        service = None
        sid = as_id(values.get("service"))
        if sid:
            service = db.session.get(SpecialService, sid) if sid > 0 else None
            if service is None:
                errors["service"] = gettext("There is no such service in the catalog.")
        record_values.update(service=service, title=str(service) if service else values.get("summary"),
                             person=values.get("person"), phone=values.get("phone"))
        record_errors = check_service_request(record_values)
    else:
        record_errors = {}
    for key, message in record_errors.items():
        key = {"house": "house_no", "description": "summary", "content": "summary", "question": "summary",
               "title": "summary", "complainant": "person", "reporter_phone": "phone"}.get(key, key)
        errors.setdefault(key, message)
    if errors:
        raise RuleViolation(errors)
    contact = log_contact({k: values.get(k) for k in ("community", "house", "occurred_at", "channel", "kind",
                                                       "person", "phone", "summary", "handling")}, actor)
    record = _open_record(contact, kind, record_values, actor, now)
    return contact, record


def _open_record(contact: Contact, kind: str, record_values: dict, actor: Actor, now):
    record_values = dict(record_values, contact=contact.id)
    if kind == "repair":
        return create_order(record_values, actor, now)
    if kind == "complaint":
        return create_complaint(record_values, actor, now)
    if kind == "consultation":
        item = Consultation(community_id=contact.community_id, house_id=contact.house_id, contact_id=contact.id,
                            kind=record_values.get("kind") or "consultation", asked_at=contact.occurred_at,
                            person=contact.person, phone=contact.phone, question=contact.summary,
                            answer=record_values.get("answer") or None)
        prepare_consultation(item, actor)
        db.session.add(item)
    elif kind == "service_request":
        service = record_values.get("service")
        item = ServiceRequest(community_id=contact.community_id, house_id=contact.house_id, contact_id=contact.id,
                              service=service, title=record_values.get("title") or contact.summary[:200],
                              person=contact.person, phone=contact.phone, requested_at=contact.occurred_at)
        prepare_service_request(item, actor)
        db.session.add(item)
    else:
        return None
    db.session.flush()
    return item


def convert_contact(contact_id, kind: str, actor: Actor, now: datetime | None = None):
    """Turn a work log entry logged as something else into its repair, complaint, consultation or request."""
    cid = as_id(contact_id)
    contact = db.session.get(Contact, cid) if cid and cid > 0 else None
    if contact is None:
        raise RuleViolation({"": gettext("There is no such work log entry.")})
    if kind not in INTAKE_KINDS[:4]:
        raise RuleViolation({"": gettext("Unknown record type.")})
    if contact.linked() is not None:
        raise RuleViolation({"": gettext("This work log entry has already become a record of its own.")})
    record_values = {"community": contact.community_id, "house": contact.house_id, "channel": contact.channel,
                     "source": contact.channel, "scope": "private" if contact.house_id else "common",
                     "category": "other", "urgency": "normal", "description": contact.summary,
                     "reporter_name": contact.person, "reporter_phone": contact.phone, "severity": "normal",
                     "content": contact.summary, "complainant": contact.person or gettext("Anonymous"),
                     "phone": contact.phone, "question": contact.summary, "title": contact.summary[:200]}
    contact.kind = kind
    return _open_record(contact, kind, record_values, actor, now)
