"""滞纳金 late fees: what an overdue bill owes on a day, and the late-fee lines a payment brings along."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select

from app.billing.models import BillLine
from app.core.money import to_money
from app.core.rules import Actor, RuleViolation
from app.extensions import db
from app.security import roles


def late_fee(line: BillLine, as_of: date) -> Decimal:
    """滞纳金 of an unpaid line on `as_of`: amount × the item's daily rate × days past the due date, to 分
    half-up, never more than the amount itself; 0 when the item has no rate (the default) or it is not due."""
    item = line.fee_item
    rate = item.late_fee_rate if item is not None else None
    days = (as_of - line.due_date).days
    if not rate or days <= 0 or line.state != "unpaid":
        return Decimal("0.00")
    return min(to_money(line.amount * rate * days), line.amount)


LATE_FEE_SOURCE = "late_fee"
WAIVERS = frozenset({roles.MANAGER, roles.ADMIN})


def pending_late_fees(lines: list[BillLine], as_of: date) -> dict[int, Decimal]:
    """{line id: the late fee paying it on `as_of` would add} for the unpaid lines that have one and have no
    late-fee line yet (a late fee is charged once per bill, when the bill is paid)."""
    due = {line.id: late_fee(line, as_of) for line in lines if line.source != LATE_FEE_SOURCE}
    due = {i: fee for i, fee in due.items() if fee > 0}
    if due:
        charged = set(db.session.scalars(select(BillLine.source_id).where(BillLine.source == LATE_FEE_SOURCE,
                                                                          BillLine.source_id.in_(list(due)))))
        due = {i: fee for i, fee in due.items() if i not in charged}
    return due


def late_fee_lines(lines: list[BillLine], actor: Actor, now: datetime,
                   waive: bool) -> tuple[list[BillLine], Decimal]:
    """The late-fee lines paying `lines` brings along: new ones (added to the session) for overdue bills of an
    item with a rate, and earlier ones still unpaid (their payment was voided). Returns (lines, waived amount);
    a waiver needs the project manager. A late-fee line belongs to the month it is charged in (its description
    names the bill), so a closed month's figures do not change afterwards."""
    fees = pending_late_fees(lines, now.date())
    if waive and fees and not actor.roles & WAIVERS:
        raise RuleViolation({"waive_late_fees": gettext("Only the project manager may waive a late fee.")})
    chosen = {line.id for line in lines}
    earlier = [] if not chosen else list(db.session.scalars(
        select(BillLine).where(BillLine.source == LATE_FEE_SOURCE, BillLine.source_id.in_(chosen),
                               BillLine.state == "unpaid", BillLine.id.not_in(chosen))))
    if waive:
        return earlier, to_money(sum(fees.values(), Decimal("0")))
    made = []
    by_id = {line.id: line for line in lines}
    for line_id, fee in fees.items():
        base = by_id[line_id]
        days = (now.date() - base.due_date).days
        made.append(BillLine(community_id=base.community_id, house_id=base.house_id,
                             parking_space_id=base.parking_space_id, source=LATE_FEE_SOURCE, source_id=base.id,
                             payer_key=base.payer_key, period=f"{now:%Y-%m}", period_key=LATE_FEE_SOURCE,
                             description=gettext("Late fee: %(what)s, %(days)d days overdue",
                                                 what=base.description, days=days)[:200],
                             unit_price=base.fee_item.late_fee_rate, quantity=None, months=1, amount=fee,
                             due_date=now.date(), state="unpaid", created_at=now))
    db.session.add_all(made)
    return earlier + made, Decimal("0.00")
