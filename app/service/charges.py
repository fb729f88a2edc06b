"""有偿维修: the charge a 自用部位 repair leaves on its house, and when it becomes a bill at the counter.

A common-part (公共部位) repair is free for the household: its cost is recorded on the order, no charge is made.
A private-part repair of a house with labour or materials makes one ServiceCharge (one per order: a unique key),
and the charge becomes a bill of the house AT COMPLETION (已完成), in the transaction of that step, through
billing's one function (app.billing.charges.bill_charge). Not at closure (回访 → 已关闭): the owner pays for
the engineer's work at the counter as soon as it is done, usually before the office has called back; the
回访 is about satisfaction, not about the price, and an order that is not yet called back (or never is)
would otherwise keep its charge out of the cashier's sight (as the demo's 13 were).

After completion, while the bill is unpaid it follows the order:
- 回访不满意 reopens the order (已完成 → 已派单): the unpaid bill is withdrawn from the counter (the owner is not
  asked to pay for work he has rejected) and the charge is "withdrawn" (no collection picks it up); the next
  completion bills the order's new total (its materials add up, the labour fee is the one recorded last).
- 取消 (possible only after such a reopen): the unpaid bill is withdrawn and the charge is cancelled.
- A completion with nothing to charge withdraws an earlier unpaid bill and cancels the charge.
A paid bill is never deleted or changed: once it is paid the charge stays "billed" as it was paid, and a
later completion adds nothing (the rework after a rejected repair is at the office's cost); a payment taken
in error is voided or reversed at the counter as any other. A bill that a voided or reversed receipt lists
stays too (that receipt keeps its bills): it stays unpaid at the counter and follows the order's amount.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from app.core.money import to_money
from app.extensions import db
from app.service.models import ServiceCharge, WorkOrder

SOURCE = "repair"
# the work order steps that move its charge
ACTIONS = frozenset({"complete", "reopen", "cancel"})


def charge_of(order: WorkOrder) -> ServiceCharge | None:
    return db.session.scalar(select(ServiceCharge).where(ServiceCharge.source == SOURCE,
                                                         ServiceCharge.source_id == order.id))


def follow(order: WorkOrder, action: str, now: datetime) -> None:
    """After the order's step `action` (one of ACTIONS): its charge and bill as the module docstring says."""
    from app.billing import charges as billing

    if order.scope != "private" or order.house_id is None:
        return
    charge = charge_of(order)
    if action in ("reopen", "cancel"):
        if charge is None or charge.state == "cancelled":
            return
        if billing.withdraw_charge(charge):
            charge.state = "withdrawn" if action == "reopen" else "cancelled"
        return
    # complete
    if charge is not None and billing.is_paid(charge):
        return  # paid: the payment is the record now
    total = to_money(order.total_fee)
    if total <= 0:
        if charge is not None and billing.withdraw_charge(charge):
            charge.state = "cancelled"
        return
    if charge is None:
        charge = ServiceCharge(house_id=order.house_id, source=SOURCE, source_id=order.id, created_at=now)
        db.session.add(charge)
    charge.description = gettext("Paid repair %(no)s", no=order.order_no)
    charge.amount = total
    billing.bill_charge(charge, now)
