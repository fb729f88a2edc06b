"""投诉 complaints: the state machine (首次响应, 处理进展, 答复, 回访, 撤诉) and receiving a complaint.

A 客服 acts only on the complaints he received (首问责任制); a major complaint is replied to by the 项目经理.
Every change of state goes through `complaint_transition()`, as for work orders (app.service.orders).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.rules import Actor, ConcurrentChange, RuleViolation, as_id, check_choice, check_text
from app.extensions import db
from app.service.common import (DESK, MANAGERS, check_community, check_contact_link, check_house, check_phone,
                                community_of, guarded, normalize_phone)
from app.service.deadlines import deadline_minutes
from app.service.labels import label
from app.service.models import (CHANNELS, COMPLAINT_CATEGORIES, DEPARTMENTS, SEVERITIES, Complaint,
                                ComplaintEvent)
from app.service.numbers import placeholder_no

# The complaint state machine. A 客服 acts only on complaints he received (首问责任制); a major complaint
# is replied to by the 项目经理.
COMPLAINT_TRANSITIONS: list[tuple[str, str, str, frozenset]] = [
    ("received", "respond", "handling", DESK),
    ("handling", "progress", "handling", DESK),
    ("handling", "reply", "replied", DESK),
    ("replied", "accept", "closed", DESK),
    ("replied", "reject", "handling", DESK),
    ("received", "withdraw", "withdrawn", MANAGERS),
    ("handling", "withdraw", "withdrawn", MANAGERS),
]
COMPLAINT_ACTIONS = {
    "respond": _l("First response"),
    "progress": _l("Record progress"),
    "reply": _l("Reply with the result"),
    "accept": _l("Callback: accepted"),
    "reject": _l("Callback: not accepted, reopen"),
    "withdraw": _l("Withdrawn by the complainant"),
    "create": _l("Received"),
}
OPEN_COMPLAINT_STATES = ("received", "handling", "replied")


def complaint_rule(state: str, action: str):
    for row in COMPLAINT_TRANSITIONS:
        if row[0] == state and row[1] == action:
            return row
    return None


def _may_complaint(actor: Actor, allowed: frozenset, complaint: Complaint, action: str) -> bool:
    mine = actor.roles & allowed
    if not mine:
        return False
    if mine & MANAGERS:
        return True
    if complaint.severity == "major" and action == "reply":
        return False
    return complaint.responsible_id is not None and complaint.responsible_id == actor.id


def complaint_actions(complaint: Complaint, actor: Actor) -> list[str]:
    return [a for s, a, _t, allowed in COMPLAINT_TRANSITIONS
            if s == complaint.state and _may_complaint(actor, allowed, complaint, a)]


def check_complaint(values: dict, pk=None) -> dict:
    errors: dict = {}
    house = check_house(errors, values)
    if "house" not in errors:
        check_community(errors, values, house)
    check_choice(errors, values, "channel", label("channel"), CHANNELS)
    check_choice(errors, values, "category", label("category"), COMPLAINT_CATEGORIES)
    check_choice(errors, values, "severity", label("severity"), SEVERITIES)
    check_text(errors, values, "complainant", label("complainant"), 100)
    check_text(errors, values, "content", label("content"), 2000)
    check_phone(errors, values, "phone")
    if values.get("department") not in (None, ""):
        check_choice(errors, values, "department", label("department"), DEPARTMENTS)
    check_contact_link(errors, values, Complaint, pk)
    return errors


def prepare_complaint(complaint: Complaint, actor: Actor | None = None, now: datetime | None = None) -> None:
    normalize_phone(complaint, "phone")
    if complaint.house is not None:
        complaint.community = complaint.house.community
    if complaint.id is not None:
        return
    now = clock.or_now(now)
    complaint.received_at = complaint.received_at or now
    complaint.complaint_no = complaint.complaint_no or placeholder_no()
    complaint.state = "received"
    respond, resolve = deadline_minutes("complaint", complaint.severity or "normal")
    complaint.respond_due = complaint.received_at + timedelta(minutes=respond)
    complaint.resolve_due = complaint.received_at + timedelta(minutes=resolve)
    if actor is not None and complaint.responsible_id is None:
        complaint.responsible_id = actor.id  # 首问责任人: who received it
    note = gettext("Major complaint: reported to the project manager.") if complaint.severity == "major" else None
    complaint.events.append(ComplaintEvent(at=now, user_id=actor.id if actor else None,
                                           user_name=actor.name if actor else "", action="create",
                                           from_state=None, to_state="received", note=note))


def create_complaint(values: dict, actor: Actor, now: datetime | None = None) -> Complaint:
    errors = check_complaint(values)
    if errors:
        raise RuleViolation(errors)
    house = check_house({}, values)
    complaint = Complaint(
        community_id=community_of(values, house), house=house, channel=values.get("channel") or "phone",
        complainant=values["complainant"].strip(), phone=values.get("phone") or None,
        category=values.get("category") or "other", severity=values.get("severity") or "normal",
        content=values["content"].strip(), department=values.get("department") or None,
        contact_id=as_id(values.get("contact")),
    )
    prepare_complaint(complaint, actor, now)
    db.session.add(complaint)
    db.session.flush()
    return complaint


def complaint_transition(complaint_id, action: str, actor: Actor, **kw) -> Complaint:
    """Move a complaint by `action`. keywords: expected_version, now, note, and by action: respond:
    department; progress: investigation; reply: result; accept/reject: remark."""
    return guarded(_complaint_transition, complaint_id, action, actor, **kw)


def _complaint_transition(complaint_id, action: str, actor: Actor, *, expected_version: int | None = None,
                          now: datetime | None = None, note: str | None = None, **data) -> Complaint:
    now = clock.or_now(now)
    cid = as_id(complaint_id)
    complaint = db.session.get(Complaint, cid) if cid and cid > 0 else None
    if complaint is None:
        raise RuleViolation({"": gettext("There is no such complaint.")})
    if expected_version is not None and complaint.version != expected_version:
        raise ConcurrentChange()
    action_label = str(COMPLAINT_ACTIONS.get(action, action))
    rule = complaint_rule(complaint.state, action)
    if rule is None:
        raise RuleViolation({"": gettext("Complaint %(no)s is %(state)s: it cannot be changed by \"%(action)s\".",
                                         no=complaint.complaint_no, state=complaint.state_label(),
                                         action=action_label)})
    if not _may_complaint(actor, rule[3], complaint, action):
        if complaint.severity == "major" and action == "reply" and actor.roles & rule[3]:
            message = gettext("A major complaint is answered by the project manager.")
        else:
            message = gettext("Only the first responsible person or a manager may \"%(action)s\" complaint "
                              "%(no)s.", action=action_label, no=complaint.complaint_no)
        raise RuleViolation({"": message})
    errors: dict = {}
    note = (note or "").strip() or None
    if note is not None:
        check_text(errors, {"note": note}, "note", label("note"), 2000)
    if action == "respond":
        department = data.get("department") or complaint.department
        if department not in DEPARTMENTS:
            errors["department"] = gettext("Please choose the department that handles it.")
        if not note:
            errors["note"] = gettext("Please note what was said to the complainant.")
        if not errors:
            complaint.department = department
            complaint.responded_at = now
    elif action == "progress":
        check_text(errors, data, "investigation", label("investigation"), 2000)
        if not errors:
            text = data["investigation"].strip()
            complaint.investigation = (complaint.investigation + "\n" + text) if complaint.investigation else text
            if len(complaint.investigation) > 2000:
                errors["investigation"] = gettext("%(label)s may have at most %(n)d characters.",
                                                  label=label("investigation"), n=2000)
            note = note or text
    elif action == "reply":
        check_text(errors, data, "result", label("result"), 2000)
        if not errors:
            complaint.result = data["result"].strip()
            complaint.replied_at = now
            note = note or complaint.result
    elif action in ("accept", "reject"):
        check_text(errors, data, "remark", label("callback_remark"), 500, required=False)
        if not errors:
            complaint.acceptance = "accepted" if action == "accept" else "not_accepted"
            complaint.callback_at = now
            complaint.callback_remark = (data.get("remark") or "").strip() or None
            note = note or complaint.callback_remark
            if action == "accept":
                complaint.closed_at = now
    elif action == "withdraw":
        if not note:
            errors["note"] = gettext("Please give the reason.")
        else:
            complaint.closed_at = now
    if errors:
        db.session.rollback()
        raise RuleViolation(errors)
    from_state = complaint.state
    complaint.state = rule[2]
    complaint.events.append(ComplaintEvent(at=now, user_id=actor.id, user_name=actor.name, action=action,
                                           from_state=from_state, to_state=rule[2], note=note))
    return complaint


def open_major_complaints(limit: int = 50) -> list[Complaint]:
    return list(db.session.scalars(select(Complaint).where(Complaint.severity == "major",
                                                           Complaint.state.in_(OPEN_COMPLAINT_STATES))
                                   .order_by(Complaint.received_at).limit(limit)))
