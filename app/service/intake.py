"""The desk's intake (前台受理): one contact is logged once in the work log and, where it is one, opens its
repair, complaint, consultation or service request, linked both ways; or an entry logged as something else
is turned into its record later."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from app.core.rules import Actor, RuleViolation, as_id
from app.estate.models import House
from app.extensions import db
from app.service.complaints import check_complaint, create_complaint
from app.service.consultations import check_consultation, prepare_consultation
from app.service.models import Consultation, Contact, ServiceRequest, SpecialService
from app.service.orders import check_order, create_order
from app.service.special_services import check_service_request, prepare_service_request
from app.service.worklog import check_contact, log_contact

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
