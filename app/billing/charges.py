"""Charges other areas leave on a house (有偿维修 of a 自用部位 repair, later 装修押金) as bills of the counter.

The one way such a charge becomes a bill line: `bill_charge()`. The service desk calls it in the transaction
of the step that makes the charge (a work order's completion, see app.service.charges); `collect_service_charges`
bills the charges still waiting (made before the counter billed them at once: the demo's) with the same
function. A charge has one bill line at most: (source, source_id) is unique on both tables, and the line is
looked up before one is made, so a repeated call bills nothing twice.

While its bill is unpaid it follows the charge (a second completion after a reopen changes the amount); a paid
bill is never changed or deleted (the before_flush guard of app.billing.ledger_guard holds that too).
`withdraw_charge()` takes an unpaid bill off the counter, as a cancelled run takes its unpaid lines: it is not
money yet. A bill that is paid, or that a voided or reversed receipt lists, stays.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.billing.models import AccountEntry, BillLine, PaymentLine
from app.billing.periods import ONE_OFF_KEY
from app.core import clock
from app.core.money import to_money
from app.estate.models import House
from app.extensions import db


def add_charge_line(house_id: int, source: str, source_id: int, description: str, amount: Decimal,
                    on: date | None = None, now: datetime | None = None) -> BillLine | None:
    """A charge from another area as a bill line of its own, of the month and due on the day `on` (default:
    the day of `now`); once per source: None when the source has its line already."""
    exists = db.session.scalar(select(BillLine.id).where(BillLine.source == source, BillLine.source_id == source_id))
    if exists is not None:
        return None
    now = clock.or_now(now)
    on = on or now.date()
    house = db.session.get(House, house_id)
    line = BillLine(community_id=house.community_id, house_id=house.id, source=source, source_id=source_id,
                    payer_key=f"H{house.id}", period=f"{on.year}-{on.month:02d}", period_key=ONE_OFF_KEY,
                    description=description[:200], amount=to_money(amount), due_date=on, months=1,
                    state="unpaid", created_at=now)
    db.session.add(line)
    db.session.flush()
    return line


def line_of(charge) -> BillLine | None:
    """The bill line a charge (of app.service.models.ServiceCharge) became, if any."""
    return db.session.scalar(select(BillLine).where(BillLine.source == charge.source,
                                                    BillLine.source_id == charge.source_id))


def is_paid(charge) -> bool:
    line = line_of(charge)
    return line is not None and line.state == "paid"


def bill_charge(charge, now: datetime | None = None) -> BillLine:
    """The charge as an unpaid bill of its house, at once (flushed, in the caller's transaction): a new line of
    the day's month, due that day; or its unpaid line brought to the charge's description and amount. A paid
    line is left as it was paid. The charge is then "billed"."""
    now = clock.or_now(now)
    line = line_of(charge)
    if line is None:
        line = add_charge_line(charge.house_id, charge.source, charge.source_id, charge.description,
                               charge.amount, now=now)
    elif line.state == "unpaid":
        line.description = charge.description[:200]
        line.amount = to_money(charge.amount)
    charge.state = "billed"
    db.session.flush()
    return line


def withdraw_charge(charge) -> bool:
    """Take the charge's unpaid bill off the counter (the line is deleted: it is not money yet). True when the
    charge has no bill left; False when its bill stays: paid, or listed by a voided or reversed receipt."""
    line = line_of(charge)
    if line is None:
        return True
    if line.state != "unpaid":
        return False
    listed = db.session.scalar(select(func.count()).select_from(PaymentLine).where(PaymentLine.bill_line_id == line.id))
    listed += db.session.scalar(select(func.count()).select_from(AccountEntry)
                                .where(AccountEntry.bill_line_id == line.id))
    if listed:
        return False
    db.session.delete(line)
    db.session.flush()
    return True


def collect_service_charges(house_id: int | None = None) -> int:
    """Bill the charges the service desk left waiting ("open"), of one house or all, each dated as it was made;
    returns how many lines were made. Idempotent."""
    from app.service.models import ServiceCharge

    stmt = select(ServiceCharge).where(ServiceCharge.state == "open").order_by(ServiceCharge.id)
    if house_id is not None:
        stmt = stmt.where(ServiceCharge.house_id == house_id)
    made = 0
    for charge in db.session.scalars(stmt).all():
        had_line = line_of(charge) is not None
        bill_charge(charge, charge.created_at)
        made += not had_line
    db.session.flush()
    return made
