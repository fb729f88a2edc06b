"""物业部工作日志: the work log entries (one per contact with the office) and the day's log page."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import and_, select

from app.core import clock
from app.core.rules import Actor, RuleViolation, check_choice, check_text
from app.core.validators import check_date
from app.estate.models import Community
from app.extensions import db
from app.service.common import (TEXT_LIMIT, check_community, check_house, check_phone, community_of,
                                normalize_phone)
from app.service.labels import label
from app.service.models import CHANNELS, CONTACT_KINDS, Complaint, Contact, WorkOrder

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
