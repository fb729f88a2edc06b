"""Which open work orders and complaints are past their time limits (超时): per record, and as SQL."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select

from app.core import clock
from app.extensions import db
from app.service.complaints import OPEN_COMPLAINT_STATES
from app.service.models import Complaint, WorkOrder
from app.service.orders import OPEN_ORDER_STATES

def missed_deadline(order: WorkOrder, now: datetime | None = None) -> tuple[str, datetime] | None:
    """The deadline an open order is past: ("finish", finish_due), else ("arrive", arrive_due); None if none."""
    now = now or clock.now()
    if order.state not in OPEN_ORDER_STATES:
        return None
    if order.finish_due is not None and order.finish_due < now:
        return "finish", order.finish_due
    if order.arrived_at is None and order.arrive_due is not None and order.arrive_due < now:
        return "arrive", order.arrive_due
    return None


def order_overdue(order: WorkOrder, now: datetime | None = None) -> bool:
    return missed_deadline(order, now) is not None


def overdue_order_clause(now: datetime | None = None):
    """SQL condition for open orders past their deadline (to arrive, or to finish)."""
    now = now or clock.now()
    return and_(WorkOrder.state.in_(OPEN_ORDER_STATES),
                or_(WorkOrder.finish_due < now, and_(WorkOrder.arrived_at.is_(None), WorkOrder.arrive_due < now)))


def overdue_orders(limit: int = 50, now: datetime | None = None) -> list[WorkOrder]:
    return list(db.session.scalars(select(WorkOrder).where(overdue_order_clause(now))
                                   .order_by(WorkOrder.finish_due).limit(limit)))


def count_overdue_orders(now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(WorkOrder).where(overdue_order_clause(now)))


def complaint_overdue(complaint: Complaint, now: datetime | None = None) -> bool:
    now = now or clock.now()
    if complaint.state == "received" and complaint.respond_due is not None and complaint.respond_due < now:
        return True
    return complaint.state in OPEN_COMPLAINT_STATES[:2] and complaint.resolve_due is not None and \
        complaint.resolve_due < now


def overdue_complaint_clause(now: datetime | None = None):
    now = now or clock.now()
    return or_(and_(Complaint.state == "received", Complaint.respond_due < now),
               and_(Complaint.state.in_(("received", "handling")), Complaint.resolve_due < now))


def overdue_complaints(limit: int = 50, now: datetime | None = None) -> list[Complaint]:
    return list(db.session.scalars(select(Complaint).where(overdue_complaint_clause(now))
                                   .order_by(Complaint.respond_due).limit(limit)))
