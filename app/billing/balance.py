"""The pre-paid balance of a house (HouseAccount): what it holds, a change with its ledger entry (never below
zero), and the bills it settles."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select, update

from app.billing.arrears import unpaid_lines
from app.billing.common import id_list
from app.billing.models import AccountEntry, BillLine, HouseAccount
from app.core import clock
from app.core.rules import Actor, RuleViolation
from app.extensions import db


def balance_of(house_id: int) -> Decimal:
    account = db.session.get(HouseAccount, house_id)
    return account.balance if account is not None else Decimal("0.00")


def change_balance(house_id: int, amount: Decimal, kind: str, actor: Actor, now: datetime, payment_id=None,
                   bill_line_id=None, run_id=None) -> Decimal:
    """Add `amount` (negative: take) to the house's balance, never below zero, with its ledger entry."""
    account = db.session.get(HouseAccount, house_id)
    if account is None:
        account = HouseAccount(house_id=house_id, balance=Decimal("0.00"), version=1)
        db.session.add(account)
        db.session.flush()
    changed = db.session.execute(
        update(HouseAccount).where(HouseAccount.house_id == house_id, HouseAccount.balance + amount >= 0)
        .values(balance=HouseAccount.balance + amount, version=HouseAccount.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise RuleViolation({"balance_used": gettext("The house's pre-paid balance is not enough for this.")})
    db.session.refresh(account)
    db.session.add(AccountEntry(house_id=house_id, at=now, kind=kind, amount=amount, balance_after=account.balance,
                                payment_id=payment_id, bill_line_id=bill_line_id, run_id=run_id, by_name=actor.name))
    return account.balance


def settle_from_balance(actor: Actor, run_id=None, house_ids=None, now: datetime | None = None) -> int:
    """Pay unpaid lines from the houses' pre-paid balances, oldest first, each line whole while the balance
    covers it. Limited to one run's houses, or to `house_ids`. Returns the number of lines settled: with a run,
    only that run's own (an older line of another run settled on the way is paid, not counted as the run's)."""
    now = clock.or_now(now)
    stmt = select(HouseAccount.house_id).where(HouseAccount.balance > 0)
    if run_id is not None:
        stmt = stmt.where(HouseAccount.house_id.in_(select(BillLine.house_id).where(BillLine.run_id == run_id)))
    if house_ids is not None:
        stmt = stmt.where(HouseAccount.house_id.in_(id_list(house_ids)))
    settled = 0
    for house_id in list(db.session.scalars(stmt)):
        balance = balance_of(house_id)
        for line in unpaid_lines(house_id):
            if line.amount > balance:
                break
            taken = db.session.execute(
                update(BillLine).where(BillLine.id == line.id, BillLine.state == "unpaid")
                .values(state="paid", paid_at=now, version=BillLine.version + 1)
                .execution_options(synchronize_session=False)).rowcount
            if taken != 1:
                continue
            balance = change_balance(house_id, -line.amount, "settle", actor, now, bill_line_id=line.id,
                                     run_id=run_id)
            settled += run_id is None or line.run_id == run_id
    db.session.flush()
    return settled
