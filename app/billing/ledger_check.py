"""The invariants of the money, checked from the tables (the property tests and `flask pm check` use them)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.billing.common import id_list
from app.billing.models import AccountEntry, BillLine, HouseAccount, Payment, PaymentLine
from app.core.money import to_money
from app.extensions import db


def ledger_problems(house_ids=None) -> list[str]:
    """The invariants of the money, checked from the tables (the property tests and `flask pm check` use it):
    per house, lines − applied = arrears; receipts sum to payments; balances equal their ledger and are not
    negative; serials are used once and without gaps."""
    problems = []
    line_total = dict(db.session.execute(select(BillLine.house_id, func.sum(BillLine.amount))
                                         .group_by(BillLine.house_id)).all())
    unpaid = dict(db.session.execute(select(BillLine.house_id, func.sum(BillLine.amount))
                                     .where(BillLine.state == "unpaid").group_by(BillLine.house_id)).all())
    applied = dict(db.session.execute(
        select(Payment.house_id, func.sum(PaymentLine.amount)).join(Payment, Payment.id == PaymentLine.payment_id)
        .where(Payment.state != "voided").group_by(Payment.house_id)).all())
    settled = dict(db.session.execute(select(AccountEntry.house_id, -func.sum(AccountEntry.amount))
                                      .where(AccountEntry.kind == "settle").group_by(AccountEntry.house_id)).all())
    houses = set(line_total) if house_ids is None else set(id_list(house_ids))
    for h in sorted(houses):
        lines = to_money(line_total.get(h) or 0)
        paid = to_money(applied.get(h) or 0) + to_money(settled.get(h) or 0)
        if lines - paid != to_money(unpaid.get(h) or 0):
            problems.append(f"house {h}: lines {lines} − applied {paid} ≠ arrears {to_money(unpaid.get(h) or 0)}")
    for p in db.session.scalars(select(Payment).where(Payment.state != "voided")):
        parts = to_money(sum((pl.amount for pl in p.lines), Decimal("0")))
        if parts != p.lines_amount or p.amount != p.lines_amount - p.balance_used + p.prepaid:
            problems.append(f"receipt {p.receipt_no}: lines {parts}, recorded {p.lines_amount}, amount {p.amount}")
    ledger = dict(db.session.execute(select(AccountEntry.house_id, func.sum(AccountEntry.amount))
                                     .group_by(AccountEntry.house_id)).all())
    for account in db.session.scalars(select(HouseAccount)):
        if account.balance < 0 or account.balance != to_money(ledger.get(account.house_id) or 0):
            problems.append(f"house {account.house_id}: balance {account.balance}, ledger {ledger.get(account.house_id)}")
    for community_id, year, count, low, high in db.session.execute(
            select(Payment.community_id, Payment.year, func.count(), func.min(Payment.serial), func.max(Payment.serial))
            .group_by(Payment.community_id, Payment.year)):
        if (low, high) != (1, count):
            problems.append(f"serials of community {community_id} in {year}: {count} receipts, {low}..{high}")
    return problems
