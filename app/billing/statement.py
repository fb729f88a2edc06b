"""A house's statement of account (对账单), printed for an owner who asks: the bills of a span of months and
every bill still unpaid, the payments made in the span (voided and reversed ones marked), the pre-paid
balance's movements, and where the account stands today.

Plain functions: no request, no Flask globals. The owner's name is masked (张*), as on the notices: the paper
may pass through other hands.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.billing.arrears import arrears_of
from app.billing.balance import balance_of
from app.billing.fund import balance_of as fund_balance_of
from app.billing.models import (ENTRY_KINDS, FUND_ENTRY_KINDS, PAY_METHODS, PAYMENT_KINDS, PAYMENT_STATES, AccountEntry,
                                BillLine, FundEntry, Payment)
from app.billing.notices import basis, mask_name
from app.core.money import to_money
from app.core.periods import parse_month
from app.core.rules import RuleViolation, as_id
from app.estate.models import House
from app.estate.services import current_owner_names
from app.extensions import db

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Span:
    """The months a statement covers, first and last included ("2026-01" … "2026-11")."""

    first: str
    last: str

    @property
    def start(self) -> date:
        year, month = (int(x) for x in self.first.split("-"))
        return date(year, month, 1)

    @property
    def end(self) -> date:
        """The day after the last month."""
        year, month = (int(x) for x in self.last.split("-"))
        return date(year + month // 12, month % 12 + 1, 1)


def _month_index(text: str) -> int:
    year, month = (int(x) for x in text.split("-"))
    return year * 12 + month - 1


def default_span(today: date | None = None) -> Span:
    """The last twelve months, this one included."""
    today = today or clock.today()
    index = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return Span(f"{index // 12}-{index % 12 + 1:02d}", f"{today:%Y-%m}")


def check_span(first: str | None, last: str | None, today: date | None = None) -> Span:
    """The span typed on the page: both months real, the first not after the last, not past this month, at
    most MAX_MONTHS long. Empty: the default. A RuleViolation with a Chinese message otherwise."""
    today = today or clock.today()
    if not (first or "").strip() and not (last or "").strip():
        return default_span(today)
    errors: dict = {}
    months = []
    for field, raw in (("first", first), ("last", last)):
        year, month, problem = parse_month(raw or f"{today:%Y-%m}", today)
        if problem:
            errors[field] = gettext("Please enter a month like 2026-11.")
        months.append(f"{year}-{month:02d}")
    if not errors:
        if _month_index(months[0]) > _month_index(months[1]):
            errors["first"] = gettext("The first month comes after the last one.")
        elif _month_index(months[1]) > today.year * 12 + today.month - 1:
            errors["last"] = gettext("The last month has not begun yet.")
        elif _month_index(months[1]) - _month_index(months[0]) + 1 > MAX_MONTHS:
            errors["first"] = gettext("A statement covers at most %(n)d months.", n=MAX_MONTHS)
    if errors:
        raise RuleViolation(errors)
    return Span(*months)


def statement(house_id, span: Span, today: date | None = None) -> dict:
    """What the statement shows. Bills: those of the span's periods, and every unpaid bill of another period
    (marked 往期 or 之后月份), so that the bills behind 当前未缴 are all listed. Payments and balance movements: those dated within the span."""
    today = today or clock.today()
    house = db.session.get(House, as_id(house_id) or 0) if (as_id(house_id) or 0) > 0 else None
    if house is None:
        raise RuleViolation({"house": gettext("There is no such house.")})
    start, end = datetime.combine(span.start, datetime.min.time()), datetime.combine(span.end, datetime.min.time())
    lines = db.session.scalars(
        select(BillLine).where(BillLine.house_id == house.id,
                               or_((BillLine.period >= span.first) & (BillLine.period <= span.last),
                                   BillLine.state == "unpaid"))
        .options(selectinload(BillLine.payment)).order_by(BillLine.period, BillLine.fee_item_id, BillLine.id)).all()
    bills = [{"period": line.period, "description": line.description, "basis": basis(line), "amount": line.amount,
              "due_date": line.due_date, "paid": line.state == "paid", "earlier": line.period < span.first,
              "later": line.period > span.last,
              "paid_on": line.paid_at.date() if line.paid_at else None,
              "receipt_no": line.payment.receipt_no if line.payment is not None else ""} for line in lines]
    payments = db.session.scalars(
        select(Payment).where(Payment.house_id == house.id, Payment.paid_at >= start, Payment.paid_at < end)
        .order_by(Payment.paid_at, Payment.id)).all()
    counted = [p for p in payments if p.state != "voided"]
    entries = db.session.scalars(
        select(AccountEntry).where(AccountEntry.house_id == house.id, AccountEntry.at >= start, AccountEntry.at < end)
        .order_by(AccountEntry.at, AccountEntry.id)).all()
    in_span = [b for b in bills if not (b["earlier"] or b["later"])]
    fund_entries = db.session.scalars(
        select(FundEntry).where(FundEntry.house_id == house.id, FundEntry.on_date >= span.start,
                                FundEntry.on_date < span.end).order_by(FundEntry.on_date, FundEntry.id)).all()
    return {
        "house": house,
        "community": house.community,
        "owner": mask_name(current_owner_names([house.id]).get(house.id, "")),
        "span": span,
        "today": today,
        "bills": bills,
        "payments": [{"paid_at": p.paid_at, "receipt_no": p.receipt_no, "method": str(PAY_METHODS.get(p.method, "")),
                      "kind": str(PAYMENT_KINDS.get(p.kind, p.kind)), "state": str(PAYMENT_STATES.get(p.state, "")),
                      "amount": p.amount, "bills": p.lines_amount, "prepaid": p.prepaid,
                      "balance_used": p.balance_used, "counted": p.state != "voided",
                      "reversal": p.kind == "reversal"} for p in payments],
        "entries": [{"at": e.at, "kind": str(ENTRY_KINDS.get(e.kind, e.kind)), "amount": e.amount,
                     "balance_after": e.balance_after} for e in entries],
        "billed": to_money(sum((b["amount"] for b in in_span), ZERO)),
        "billed_paid": to_money(sum((b["amount"] for b in in_span if b["paid"]), ZERO)),
        "received": to_money(sum((p.amount for p in counted), ZERO)),
        "unpaid": arrears_of(house.id),
        "overdue": to_money(sum((b["amount"] for b in bills if not b["paid"] and b["due_date"] < today), ZERO)),
        "balance": balance_of(house.id),
        "fund": [{"on_date": e.on_date, "kind": str(FUND_ENTRY_KINDS.get(e.kind, e.kind)), "amount": e.amount,
                  "balance_after": e.balance_after, "basis": e.basis or ""} for e in fund_entries],
        "fund_balance": fund_balance_of(house.id),
    }

