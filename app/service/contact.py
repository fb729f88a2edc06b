"""The caller's contact number on a work order: who may see it unmasked, and the audit of each disclosure.

The number (WorkOrder.reporter_phone, taken at the desk) is personal data: masked for everybody, except for
the staff who must call the resident back, for as long as they must:
- the engineer assigned to the order, while the order is open (dispatched, in progress, suspended);
- the 客服 (front desk), while the order awaits its 回访 (completed).
A closed or cancelled order shows it masked to everybody. Each unmasked showing (the order's page, the 派工单)
is a purpose-bound disclosure, written to the audit log as a "view" like any reveal of personal data.
No request, no Flask globals: the views and the print pass an `Actor`.
"""
from __future__ import annotations

from flask_babel import gettext

from app.core import masking
from app.core.audit import log_event
from app.core.rules import Actor
from app.extensions import db
from app.security import roles
from app.service.models import WorkOrder
from app.service.services import LABELS, OPEN_ORDER_STATES

FIELD = "reporter_phone"
_CALLBACK_STATE = "completed"  # 已完成(待回访)


def contact_purpose(order: WorkOrder, actor: Actor | None) -> str | None:
    """Why this actor may see the order's contact number now: "repair" (the assigned engineer of an open
    order), "callback" (the 客服 while the order awaits 回访), or None: he sees it masked."""
    if actor is None or actor.id is None or not order.reporter_phone:
        return None
    if order.state in OPEN_ORDER_STATES and roles.ENGINEER in actor.roles and order.assignee_id == actor.id:
        return "repair"
    if order.state == _CALLBACK_STATE and roles.SERVICE in actor.roles:
        return "callback"
    return None


def may_see_contact(order: WorkOrder, actor: Actor | None) -> bool:
    """The one rule: may this actor see the order's contact number unmasked now?"""
    return contact_purpose(order, actor) is not None


def shown_contact_number(order: WorkOrder, actor: Actor | None, via: str = "page") -> str:
    """The contact number as this actor sees it: unmasked when may_see_contact(), and then the disclosure is
    written to the audit log (flushed with the session, not committed: the caller commits); masked otherwise.
    `via` says where it was shown ("page", "print")."""
    purpose = contact_purpose(order, actor)
    if purpose is None:
        return masking.mask_phone(order.reporter_phone)
    log_event(db.session, "view", WorkOrder.__tablename__, order.id, str(order), {
        "field": FIELD, "label": str(LABELS[FIELD]), "purpose": purpose, "via": via,
        "reason": gettext("Assigned engineer of an open order") if purpose == "repair"
        else gettext("Callback after completion"),
    })
    return order.reporter_phone
