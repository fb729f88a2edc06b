"""The counter: 收款 (payment and pre-payment), the receipt and its serial, 作废 (void) and 红冲 (reversal).

Plain functions: no request, no Flask globals. Money is Decimal rounded to 分 half-up, never float.

Concurrency: paying marks the chosen lines paid with one conditional UPDATE (… WHERE state = 'unpaid');
when fewer rows change than were chosen, another cashier was first: everything is rolled back and the
cashier is told. The receipt serial is raised in the same transaction, so a failed payment leaves no gap.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app.billing.balance import balance_of, change_balance
from app.billing.common import MAX_AMOUNT, id_list, label
from app.billing.late_fees import late_fee_lines
from app.billing.models import PAY_METHODS, BillLine, Payment, PaymentLine, ReceiptSequence
from app.billing.tender import check_tender
from app.core import clock
from app.core.money import to_money
from app.core.rules import (Actor, ConcurrentChange, RuleViolation, as_id, check_choice, check_money, check_text,
                            raise_if)
from app.estate.models import House
from app.estate.services import current_owner_names
from app.extensions import db
from app.security import roles


CASHIERS = frozenset({roles.CASHIER, roles.MANAGER, roles.ADMIN})
REVERSERS = frozenset({roles.MANAGER})


def _next_receipt_no(community_id: int, year: int) -> tuple[int, str]:
    """Raise the community's receipt serial of the year by one (in this transaction) and return it."""
    table = ReceiptSequence.__table__
    raised = db.session.execute(
        update(table).where(table.c.community_id == community_id, table.c.year == year)
        .values(last_serial=table.c.last_serial + 1)).rowcount
    if raised == 0:
        db.session.execute(insert(table).values(community_id=community_id, year=year, last_serial=1))
    serial = db.session.scalar(select(table.c.last_serial).where(table.c.community_id == community_id,
                                                                 table.c.year == year))
    prefix = current_app.config.get("RECEIPT_PREFIX", "SK")
    return serial, f"{prefix}{year}-{serial:06d}"


def _another_cashier_was_first() -> ConcurrentChange:
    return ConcurrentChange(gettext("Another cashier has just taken payment for some of these bills: nothing was "
                                    "recorded. Please reload the house's bills."))


def pay(house_id, line_ids, method: str, actor: Actor, *, expected_amount=None, prepay=None,
        use_balance: bool = False, payer_name: str | None = None, remark: str = "", community_id=None,
        waive_late_fees: bool = False, tendered=None, reference=None, now: datetime | None = None) -> Payment:
    """收款: pay the chosen unpaid lines of one house (and/or pre-pay into its balance) by one method.

    expected_amount is what the cashier saw and takes: it must equal the chosen lines − the balance used
    + the pre-payment, or nothing is written. community_id, when given, is the counter's community: a
    house of another community is refused. An overdue bill of an item with a late-fee rate brings its 滞纳金
    along as a line of its own, paid with it (waive_late_fees: not charged, the project manager only, said in
    the remark). Returns the payment with its receipt number; flushes."""
    now = clock.or_now(now)
    if not actor.roles & CASHIERS:
        raise RuleViolation({"": gettext("Only a cashier or the project manager may take payments.")})
    errors: dict = {}
    hid = as_id(house_id)
    house = db.session.get(House, hid) if hid and hid > 0 else None
    if house is None:
        raise RuleViolation({"house": gettext("There is no such house.")})
    if community_id not in (None, "") and as_id(community_id) != house.community_id:
        raise RuleViolation({"house": gettext(
            "House %(house)s belongs to another community: payments are taken at its own community's counter.",
            house=house.house_no)})
    check_choice(errors, {"method": method}, "method", gettext("Payment method"), PAY_METHODS)
    prepay_amount = check_money(errors, prepay, "prepay", label("prepaid"), high=MAX_AMOUNT)
    check_text(errors, {"remark": remark}, "remark", label("remark"), 200, required=False)
    ids = id_list(line_ids)
    if any(i < 0 for i in ids):
        errors["lines"] = gettext("There is no such bill.")
    lines = list(db.session.scalars(select(BillLine).where(BillLine.id.in_(ids)).order_by(BillLine.id))) if ids else []
    if len(lines) != len(ids):
        errors["lines"] = gettext("There is no such bill.")
    elif any(line.house_id != house.id for line in lines):
        errors["lines"] = gettext("The chosen bills must all belong to house %(house)s.", house=house.house_no)
    elif any(line.state != "unpaid" for line in lines):
        errors["lines"] = gettext("A chosen bill has been paid already. Please reload the house's bills.")
    if not ids and not prepay_amount and "prepay" not in errors:
        errors["lines"] = gettext("Please choose the bills to pay, or enter an amount to pre-pay.")
    raise_if(errors)
    late_lines, waived = late_fee_lines(lines, actor, now, waive_late_fees) if lines else ([], Decimal("0.00"))
    if waived:
        remark = "；".join(x for x in ((remark or "").strip(), gettext(
            "Late fee of %(amount)s waived by %(who)s", amount=f"{waived:.2f}", who=actor.name)) if x)[:200]
    lines = lines + late_lines
    lines_amount = to_money(sum((line.amount for line in lines), Decimal("0")))
    balance_used = Decimal("0.00")
    if use_balance and lines:
        balance_used = min(balance_of(house.id), lines_amount)
    amount = lines_amount - balance_used + prepay_amount
    if expected_amount not in (None, ""):
        expected = check_money(errors, expected_amount, "amount", label("amount"), high=MAX_AMOUNT)
        raise_if(errors)
        if expected != amount:
            raise RuleViolation({"amount": gettext(
                "The amount %(given)s does not match the chosen bills: %(due)s is due (bills %(lines)s, from the "
                "balance %(used)s, pre-payment %(prepay)s). Nothing was recorded.", given=f"{expected:.2f}",
                due=f"{amount:.2f}", lines=f"{lines_amount:.2f}", used=f"{balance_used:.2f}",
                prepay=f"{prepay_amount:.2f}")})
    given, change, reference = check_tender(errors, method, amount, tendered, reference)
    raise_if(errors)
    # the lines first: if another cashier took one of them a moment ago, stop before anything else
    payment = Payment(community_id=house.community_id, house_id=house.id, year=now.year, serial=0,
                      receipt_no=f"TMP-{uuid.uuid4().hex[:16]}", kind="payment",
                      payer_name=(payer_name or "").strip()[:100] or current_owner_names([house.id]).get(house.id, ""),
                      method=method, amount=amount, lines_amount=lines_amount, prepaid=prepay_amount,
                      balance_used=balance_used, cashier_id=actor.id, cashier_name=actor.name, paid_at=now,
                      state="valid", remark=(remark or "").strip() or None, tendered=given,
                      change_given=change, reference=reference)
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError:  # another cashier charged the same late fee a moment ago (one per bill)
        db.session.rollback()
        raise _another_cashier_was_first()
    ids = [line.id for line in lines]
    if lines:
        taken = db.session.execute(
            update(BillLine).where(BillLine.id.in_(ids), BillLine.state == "unpaid", BillLine.house_id == house.id)
            .values(state="paid", paid_at=now, payment_id=payment.id, version=BillLine.version + 1)
            .execution_options(synchronize_session=False)).rowcount
        if taken != len(ids):
            db.session.rollback()
            raise _another_cashier_was_first()
        for line in lines:
            db.session.add(PaymentLine(payment_id=payment.id, bill_line_id=line.id, amount=line.amount))
    if balance_used:
        change_balance(house.id, -balance_used, "use", actor, now, payment_id=payment.id)
    if prepay_amount:
        change_balance(house.id, prepay_amount, "prepay", actor, now, payment_id=payment.id)
    payment.serial, payment.receipt_no = _next_receipt_no(house.community_id, now.year)
    db.session.flush()
    for line in lines:
        db.session.refresh(line)
    return payment


def _undo_lines(payment: Payment, now: datetime) -> list[int]:
    """Lines the payment paid become unpaid again; returns their ids."""
    ids = [pl.bill_line_id for pl in payment.lines]
    if ids:
        restored = db.session.execute(
            update(BillLine).where(BillLine.id.in_(ids), BillLine.payment_id == payment.id, BillLine.state == "paid")
            .values(state="unpaid", paid_at=None, payment_id=None, version=BillLine.version + 1)
            .execution_options(synchronize_session=False)).rowcount
        if restored != len(ids):
            db.session.rollback()
            raise ConcurrentChange()
    return ids


def _check_undo(payment_id, actor: Actor, reason: str) -> Payment:
    pid = as_id(payment_id)
    payment = db.session.get(Payment, pid) if pid and pid > 0 else None
    if payment is None:
        raise RuleViolation({"": gettext("There is no such receipt.")})
    if payment.kind != "payment":
        raise RuleViolation({"": gettext("Receipt %(no)s is a reversing entry: it cannot be undone.",
                                         no=payment.receipt_no)})
    if payment.state != "valid":
        raise RuleViolation({"": gettext("Receipt %(no)s is %(state)s already.", no=payment.receipt_no,
                                         state=payment.state_label())})
    errors: dict = {}
    check_text(errors, {"reason": reason}, "reason", label("reason"), 200)
    raise_if(errors)
    return payment


def void_problem(payment: Payment, actor: Actor, now: datetime | None = None) -> str | None:
    """Why this actor may not void this payment now (None: he may)."""
    now = clock.or_now(now)
    if payment.kind != "payment" or payment.state != "valid":
        return gettext("Receipt %(no)s is %(state)s already.", no=payment.receipt_no, state=payment.state_label())
    if payment.cashier_id != actor.id:
        return gettext("Only the cashier who took a payment may void it (%(name)s); otherwise the project manager "
                       "reverses it.", name=payment.cashier_name)
    if payment.paid_at.date() != now.date():
        return gettext("A payment can be voided only on the day it was taken (%(day)s); the project manager can "
                       "reverse it.", day=payment.paid_at.date().isoformat())
    return None


def may_reverse(payment: Payment, actor: Actor) -> bool:
    return payment.kind == "payment" and payment.state == "valid" and bool(actor.roles & REVERSERS)


def void_payment(payment_id, actor: Actor, reason: str, now: datetime | None = None) -> Payment:
    """作废: the cashier voids his own payment of today, with a reason. The receipt stays (marked 作废), its
    bills are unpaid again, the balance is put back as it was. Flushes."""
    now = clock.or_now(now)
    payment = _check_undo(payment_id, actor, reason)
    problem = void_problem(payment, actor, now)
    if problem:
        raise RuleViolation({"": problem})
    _undo_lines(payment, now)
    _undo_balance(payment, actor, now, "void")
    changed = db.session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.state == "valid")
        .values(state="voided", reason=reason.strip(), undone_by=actor.name, undone_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        raise ConcurrentChange()
    db.session.flush()
    db.session.refresh(payment)
    return payment


def _undo_balance(payment: Payment, actor: Actor, now: datetime, kind: str) -> None:
    if payment.prepaid:
        if balance_of(payment.house_id) < payment.prepaid:
            db.session.rollback()
            raise RuleViolation({"": gettext(
                "The pre-payment of receipt %(no)s has been used for bills since: those payments must be undone "
                "first.", no=payment.receipt_no)})
        change_balance(payment.house_id, -payment.prepaid, kind, actor, now, payment_id=payment.id)
    if payment.balance_used:
        change_balance(payment.house_id, payment.balance_used, kind, actor, now, payment_id=payment.id)


def reverse_payment(payment_id, actor: Actor, reason: str, now: datetime | None = None) -> Payment:
    """红冲: the project manager reverses a payment with a reason. A reversing entry with its own serial and
    the negative amounts is made; the original is marked reversed; both stay. Returns the reversing entry."""
    now = clock.or_now(now)
    payment = _check_undo(payment_id, actor, reason)
    if not may_reverse(payment, actor):
        raise RuleViolation({"": gettext("Only the project manager may reverse a payment.")})
    _undo_lines(payment, now)
    _undo_balance(payment, actor, now, "reverse")
    changed = db.session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.state == "valid")
        .values(state="reversed", reason=reason.strip(), undone_by=actor.name, undone_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        raise ConcurrentChange()
    entry = Payment(community_id=payment.community_id, house_id=payment.house_id, year=now.year, serial=0,
                    receipt_no=f"TMP-{uuid.uuid4().hex[:16]}", kind="reversal", payer_name=payment.payer_name,
                    method=payment.method, amount=-payment.amount, lines_amount=-payment.lines_amount,
                    prepaid=-payment.prepaid, balance_used=-payment.balance_used, cashier_id=actor.id,
                    cashier_name=actor.name, paid_at=now, state="valid", reason=reason.strip(),
                    reversal_of_id=payment.id)
    db.session.add(entry)
    db.session.flush()
    for pl in payment.lines:
        db.session.add(PaymentLine(payment_id=entry.id, bill_line_id=pl.bill_line_id, amount=-pl.amount))
    entry.serial, entry.receipt_no = _next_receipt_no(payment.community_id, now.year)
    db.session.flush()
    db.session.refresh(payment)
    return entry


def receipt(payment: Payment) -> dict:
    """What a receipt shows, ready to print: lines with their period and amount, the total in figures and
    in 人民币大写."""
    from app.core.money import rmb_upper

    rows = [{"description": pl.bill_line.description, "period": pl.bill_line.period, "amount": pl.amount}
            for pl in payment.lines]
    if payment.prepaid:
        rows.append({"description": gettext("Pre-payment into the balance"), "period": "", "amount": payment.prepaid})
    if payment.balance_used:  # (negative on a reversing entry: given back to the balance)
        rows.append({"description": gettext("Paid from the pre-paid balance"), "period": "",
                     "amount": -payment.balance_used})
    return {"payment": payment, "rows": rows, "total": payment.amount, "total_upper": rmb_upper(payment.amount)}


def record_print(payment: Payment) -> bool:
    """Count a print of the receipt; True when it is a reprint (补打), which the form then says."""
    reprint = payment.print_count > 0
    payment.print_count += 1
    if reprint:
        payment.reprint_count += 1
    db.session.flush()
    return reprint
