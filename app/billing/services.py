"""The rules of 费用收缴: fee items, 账期 runs, the counter, receipts, 作废 and 红冲, the pre-paid balance.

Plain functions: no request, no Flask globals; the pages, the API and `flask pm bill` call these. Money is
Decimal rounded to 分 half-up (app.core.money.to_money), never float.

Concurrency: paying marks the chosen lines paid with one conditional UPDATE (… WHERE state = 'unpaid');
when fewer rows change than were chosen, another cashier was first: everything is rolled back and the
cashier is told. The receipt serial is raised in the same transaction, so a failed payment leaves no gap.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.billing.tender import check_tender
from app.billing.models import (AREA_BASES, CYCLE_MONTHS, CYCLES, FEE_METHODS, PAY_METHODS, AccountEntry,
                                BillingRun, BillLine, FeeItem, FeeItemBuilding, FundAccount, FundApplicationEvent,
                                FundEntry, HouseAccount, Payment, PaymentLine, PublicEntry, ReceiptSequence)
from app.core.money import to_money
from app.core.rules import (Actor, ConcurrentChange, RuleViolation, as_id, check_choice, check_int,
                            check_money, check_text, raise_if)
from app.estate.models import HOUSE_USAGES, Building, Community, House, ParkingSpace
from app.estate.services import current_owner_names
from app.extensions import db
from app.security import roles

LABELS = {
    "community": _l("Community"),
    "code": _l("Code"),
    "name": _l("Name"),
    "method": _l("Calculation"),
    "area_basis": _l("Area basis"),
    "unit_price": _l("Unit price (yuan)"),
    "cycle": _l("Billing cycle"),
    "start_month": _l("First month of the cycle"),
    "usages": _l("House uses"),
    "buildings": _l("Buildings"),
    "vacant_percent": _l("Vacant houses pay (%)"),
    "late_fee_rate": _l("Late fee per day"),
    "due_days": _l("Days to pay"),
    "active": _l("In use"),
    "remark": _l("Remark"),
    "tendered": _l("Cash tendered"),
    "change_given": _l("Change given"),
    "reference": _l("Transaction number"),
    "period": _l("Billing period"),
    "state": _l("State"),
    "line_count": _l("Lines"),
    "total": _l("Total (yuan)"),
    "settled_count": _l("Settled from balance"),
    "created_at": _l("Created at"),
    "created_by": _l("Run by"),
    "cancelled_at": _l("Cancelled at"),
    "cancelled_by": _l("Cancelled by"),
    "cancel_reason": _l("Reason for cancelling"),
    "house": _l("House"),
    "parking_space": _l("Parking space"),
    "fee_item": _l("Fee item"),
    "run": _l("Billing run"),
    "source": _l("Source"),
    "description": _l("Description"),
    "quantity": _l("Quantity"),
    "months": _l("Months"),
    "amount": _l("Amount (yuan)"),
    "due_date": _l("Due date"),
    "paid_at": _l("Paid at"),
    "payment": _l("Receipt"),
    "receipt_no": _l("Receipt no."),
    "kind": _l("Kind"),
    "payer_name": _l("Payer"),
    "lines_amount": _l("Bills paid (yuan)"),
    "prepaid": _l("Pre-paid (yuan)"),
    "balance_used": _l("Paid from balance (yuan)"),
    "cashier_name": _l("Cashier"),
    "reason": _l("Reason"),
    "undone_by": _l("Voided or reversed by"),
    "undone_at": _l("Voided or reversed at"),
    "reversal_of": _l("Reverses receipt"),
    "print_count": _l("Printed"),
    "reprint_count": _l("Reprints"),
    "balance": _l("Balance (yuan)"),
    "reminder_method": _l("Reminder by"),
    "contact_person": _l("Spoke with"),
    "arrears": _l("Arrears then (yuan)"),
    "outcome": _l("Outcome"),
    "promised_on": _l("Promised to pay by"),
    "promised_amount": _l("Promised amount (yuan)"),
    "by_name": _l("Reminded by"),
    "at": _l("Time"),
    "lines": _l("Bills"),
    "basis": _l("Basis"),
    "meter_kind": _l("Meter type"),
    "tiers": _l("Tiered prices"),
    "common_meter": _l("Common meter"),
    "share_basis": _l("Shared"),
}

MAX_PRICE = Decimal("99999.9999")
MAX_AMOUNT = Decimal("9999999.99")
PERIOD_PATTERN = re.compile(r"(\d{4})-(\d{2})")
ONE_OFF_KEY = "once"
CHUNK = 5000
CASHIERS = frozenset({roles.CASHIER, roles.MANAGER, roles.ADMIN})
REVERSERS = frozenset({roles.MANAGER})


def _label(name: str) -> str:
    return str(LABELS.get(name, name))


def _now(now: datetime | None) -> datetime:
    return clock.or_now(now)


# ---------------------------------------------------------------------------- 收费项目 fee items


def check_fee_item(values: dict, pk=None) -> dict:
    """The rules of a fee item; {field: message}."""
    errors: dict = {}
    community_id = as_id(values.get("community") if "community" in values else values.get("community_id"))
    if community_id is None or community_id < 0 or db.session.get(Community, community_id) is None:
        errors["community"] = gettext("Please choose the community.")
    check_text(errors, values, "code", _label("code"), 20)
    check_text(errors, values, "name", _label("name"), 60)
    check_choice(errors, values, "method", _label("method"), FEE_METHODS)
    if values.get("method") == "area":
        check_choice(errors, values, "area_basis", _label("area_basis"), AREA_BASES)
    price = values.get("unit_price")
    if price is None or price == "":
        errors["unit_price"] = gettext("%(label)s must not be empty.", label=_label("unit_price"))
    else:
        try:
            d = Decimal(str(price).strip())
        except Exception:  # noqa: BLE001  (any text that is not a number)
            d = None
        if d is None or not d.is_finite():
            errors["unit_price"] = gettext("%(label)s must be a number.", label=_label("unit_price"))
        elif d <= 0:
            errors["unit_price"] = gettext("The unit price must be greater than zero.")
        elif d > MAX_PRICE:
            errors["unit_price"] = gettext("The unit price may be at most %(max)s.", max=str(MAX_PRICE))
        elif d != d.quantize(Decimal("0.0001")):
            errors["unit_price"] = gettext("The unit price may have at most four decimals.")
    if values.get("method") != "one_off":
        check_choice(errors, values, "cycle", _label("cycle"), CYCLES)
    check_int(errors, values, "start_month", _label("start_month"), 1, 12, required=False)
    check_int(errors, values, "due_days", _label("due_days"), 0, 365, required=False)
    usages = values.get("usages")
    if usages:
        listed = usages if isinstance(usages, (list, tuple)) else str(usages).split(",")
        bad = [u for u in listed if u and u not in HOUSE_USAGES]
        if bad:
            errors["usages"] = gettext("%(label)s: please choose one of the listed values.", label=_label("usages"))
    for name, high in (("vacant_percent", Decimal("100")), ("late_fee_rate", Decimal("0.01"))):
        value = values.get(name)
        if value is None or value == "":
            continue
        try:
            d = Decimal(str(value).strip())
        except Exception:  # noqa: BLE001
            d = None
        if d is None or not d.is_finite() or not Decimal("0") <= d <= high:
            errors[name] = gettext("%(label)s must be between 0 and %(high)s.", label=_label(name), high=str(high))
    code = (values.get("code") or "").strip() if isinstance(values.get("code"), str) else None
    if code and community_id and "community" not in errors:
        stmt = select(FeeItem.id).where(FeeItem.community_id == community_id, FeeItem.code == code)
        if pk is not None:
            stmt = stmt.where(FeeItem.id != int(pk))
        if db.session.scalar(stmt.limit(1)) is not None:
            errors["code"] = gettext("This community already has a fee item with code %(code)s.", code=code)
    buildings = values.get("buildings") or []
    if buildings and community_id and "community" not in errors:
        if any(getattr(b, "community_id", community_id) != community_id for b in buildings):
            errors["buildings"] = gettext("The buildings must belong to the fee item's community.")
    if values.get("method") in ("meter", "shared"):
        from app.billing import meters

        meters.check_meter_item(values, errors, community_id)
    return errors


def prepare_fee_item(item: FeeItem) -> None:
    if item.method in ("one_off", "meter", "shared"):
        item.cycle = "monthly"
        item.start_month = 1
    if item.method != "meter":
        item.meter_kind = item.tiers = None
    else:
        item.tiers = (item.tiers or "").strip() or None
    if item.method != "shared":
        item.common_meter = None
        item.common_meter_id = item.share_basis = None
    item.code = (item.code or "").strip()
    item.name = (item.name or "").strip()


# ---------------------------------------------------------------------------- periods


def parse_period(value, today: date | None = None) -> tuple[int, int]:
    """(year, month) of a period written 2026-11; RuleViolation when it is not one or lies too far ahead
    (BILLING_MAX_FUTURE_MONTHS, default 3) or before 2000."""
    today = today or clock.today()
    match = PERIOD_PATTERN.fullmatch(str(value or "").strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise RuleViolation({"period": gettext(
            "\"%(value)s\" is not a billing period: write year-month, for example 2026-11.", value=str(value)[:20])})
    year, month = int(match.group(1)), int(match.group(2))
    ahead = current_app.config.get("BILLING_MAX_FUTURE_MONTHS", 3)
    index, now_index = year * 12 + month - 1, today.year * 12 + today.month - 1
    if index > now_index + ahead:
        raise RuleViolation({"period": gettext(
            "The period %(period)s is more than %(n)d months ahead; bills can be made at most %(n)d months "
            "in advance.", period=f"{year}-{month:02d}", n=ahead)})
    if year < 2000:
        raise RuleViolation({"period": gettext("The period must not be before 2000.")})
    return year, month


def period_text(year: int, month: int, months: int = 1) -> str:
    """2026-11, or 2026-10至2026-12 for a quarter."""
    if months <= 1:
        return f"{year}-{month:02d}"
    end = year * 12 + month - 1 + months - 1
    return f"{year}-{month:02d}至{end // 12}-{end % 12 + 1:02d}"


def _item_due_in(item: FeeItem, month: int) -> bool:
    """Is a periodic item billed in a run of this month?"""
    months = CYCLE_MONTHS.get(item.cycle, 1)
    return (month - (item.start_month or 1)) % months == 0


# ---------------------------------------------------------------------------- 账期 runs


@dataclass
class RunPlan:
    """What a run would create: the new lines (as rows) and their figures."""

    community_id: int
    period: str
    rows: list = field(default_factory=list)
    by_building: dict = field(default_factory=dict)  # building name → [count, total]
    by_item: dict = field(default_factory=dict)  # item name → [count, total]
    already: int = 0  # lines the period already has (a repeated run skips them)
    skipped: list = field(default_factory=list)  # (house or space, reason)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> Decimal:
        return sum((r["amount"] for r in self.rows), Decimal("0.00"))


def _ids(values) -> list[int]:
    out = []
    for v in values or []:
        i = as_id(v)
        if i is not None:
            out.append(i)
    return sorted(set(out))


def plan_run(community_id, period: str, building_ids=None, fee_item_ids=None, today: date | None = None,
             progress=None) -> RunPlan:
    """The lines a run of `period` would create for the community (or some buildings, some items), leaving
    out those the period already has. Nothing is written."""
    year, month = parse_period(period, today)
    period = f"{year}-{month:02d}"
    community = db.session.get(Community, as_id(community_id) or 0) if (as_id(community_id) or 0) > 0 else None
    if community is None:
        raise RuleViolation({"community": gettext("Please choose the community.")})
    building_ids, fee_item_ids = _ids(building_ids), _ids(fee_item_ids)
    if building_ids:
        found = set(db.session.scalars(select(Building.id).where(Building.id.in_(building_ids),
                                                                 Building.community_id == community.id)))
        if found != set(building_ids):
            raise RuleViolation({"buildings": gettext("The buildings must belong to the chosen community.")})
    stmt = select(FeeItem).where(FeeItem.community_id == community.id, FeeItem.active.is_(True)).order_by(FeeItem.code)
    if fee_item_ids:
        stmt = stmt.where(FeeItem.id.in_(fee_item_ids))
    items = [i for i in db.session.scalars(stmt) if i.method == "one_off" or _item_due_in(i, month)]
    plan = RunPlan(community.id, period)
    if not items:
        return plan

    houses = db.session.execute(
        select(House.id, House.building_id, House.building_area, House.inner_area, House.usage, House.status,
               House.house_no).where(House.community_id == community.id)
        .where(House.building_id.in_(building_ids) if building_ids else True)
        .order_by(House.building_id, House.house_no)).all()
    building_names = dict(db.session.execute(select(Building.id, Building.name)
                                             .where(Building.community_id == community.id)).all())
    item_buildings: dict[int, set] = {}
    for fee_item_id, building_id in db.session.execute(
            select(FeeItemBuilding.fee_item_id, FeeItemBuilding.building_id)
            .where(FeeItemBuilding.fee_item_id.in_([i.id for i in items]))):
        item_buildings.setdefault(fee_item_id, set()).add(building_id)
    existing = set(db.session.execute(
        select(BillLine.fee_item_id, BillLine.payer_key, BillLine.period_key)
        .where(BillLine.fee_item_id.in_([i.id for i in items]),
               BillLine.period_key.in_([period, ONE_OFF_KEY]))).all())
    spaces = []
    if any(i.method == "per_space" for i in items):
        spaces = db.session.execute(
            select(ParkingSpace.id, ParkingSpace.code, ParkingSpace.house_id, House.building_id)
            .join(House, House.id == ParkingSpace.house_id, isouter=True)
            .where(ParkingSpace.community_id == community.id, ParkingSpace.status != "free")
            .order_by(ParkingSpace.code)).all()

    first_day = date(year, month, 1)
    now = clock.now()
    for item in items:
        months = 1 if item.method in ("one_off", "meter", "shared") else CYCLE_MONTHS.get(item.cycle, 1)
        period_key = ONE_OFF_KEY if item.method == "one_off" else period
        usages = {u for u in (item.usages or "").split(",") if u}
        limited = item_buildings.get(item.id)
        due = first_day + timedelta(days=item.due_days or 0)
        text = item.name if item.method == "one_off" else f"{item.name} {period_text(year, month, months)}"
        context = {"community_id": community.id, "period": period, "period_key": period_key, "months": months,
                   "due": due, "now": now, "text": text, "limited": limited, "usages": usages,
                   "building_ids": building_ids, "existing": existing, "building_names": building_names}
        if item.method in ("meter", "shared"):
            from app.billing import meters

            meters.plan_item(plan, item, houses, context)
            if progress:
                progress(len(plan.rows))
            continue
        if item.method == "per_space":
            targets = []
            for space_id, code, house_id, building_id in spaces:
                if limited and building_id not in limited:
                    continue
                if building_ids and building_id not in building_ids:
                    continue
                if house_id is None:
                    plan.skipped.append((code, gettext("parking space without a house to bill")))
                    continue
                targets.append((f"P{space_id}", house_id, space_id, building_id, None, f"{text} {code}"))
        else:
            targets = []
            for h in houses:
                if limited and h.building_id not in limited:
                    continue
                if usages and h.usage not in usages:
                    continue
                targets.append((f"H{h.id}", h.id, None, h.building_id, h, text))
        for payer_key, house_id, space_id, building_id, h, description in targets:
            if (item.id, payer_key, period_key) in existing:
                plan.already += 1
                continue
            quantity = None
            if item.method == "area":
                quantity = getattr(h, item.area_basis or "building_area")
                if quantity is None or quantity <= 0:
                    plan.skipped.append((h.house_no, gettext("no %(basis)s recorded",
                                                            basis=AREA_BASES[item.area_basis or "building_area"])))
                    continue
                raw = Decimal(quantity) * item.unit_price * months
            else:
                raw = item.unit_price * months
            if h is not None and h.status == "vacant" and item.vacant_percent is not None:
                raw = raw * item.vacant_percent / Decimal("100")
            add_plan_row(plan, item, context, house_id=house_id, space_id=space_id, payer_key=payer_key,
                         building_id=building_id, description=description, quantity=quantity,
                         unit_price=item.unit_price, amount=to_money(raw))
        if progress:
            progress(len(plan.rows))
    return plan


def add_plan_row(plan: RunPlan, item: FeeItem, context: dict, *, house_id, space_id, payer_key, building_id,
                 description, quantity, unit_price, amount: Decimal, basis: str | None = None) -> None:
    """One new line in a run's plan, counted in its figures per building and per item."""
    plan.rows.append({
        "community_id": context["community_id"], "house_id": house_id, "parking_space_id": space_id,
        "fee_item_id": item.id, "run_id": None, "source": "run", "source_id": None, "payer_key": payer_key,
        "period": context["period"], "period_key": context["period_key"], "description": description,
        "quantity": quantity, "unit_price": unit_price, "months": context["months"], "amount": amount,
        "due_date": context["due"], "basis": basis, "state": "unpaid", "paid_at": None, "payment_id": None,
        "created_at": context["now"], "version": 1,
    })
    for figures in (plan.by_building.setdefault(context["building_names"].get(building_id, ""), [0, Decimal("0.00")]),
                    plan.by_item.setdefault(item.name, [0, Decimal("0.00")])):
        figures[0] += 1
        figures[1] += amount


def commit_run(community_id, period: str, actor: Actor, building_ids=None, fee_item_ids=None,
               today: date | None = None, progress=None, auto_settle: bool | None = None,
               now: datetime | None = None) -> BillingRun:
    """Create the run's lines (only those the period does not have yet), then, as configured
    (BILLING_AUTO_SETTLE, default on), settle them from the houses' pre-paid balances.
    `progress(done, total)` is called as lines are written; `now` (default: the present) is when the run and
    its lines are made. Flushes; the caller commits."""
    plan = plan_run(community_id, period, building_ids, fee_item_ids, today)
    if not plan.rows:
        if plan.already:
            raise RuleViolation({"period": gettext(
                "Every bill of %(period)s has been made already (%(n)d lines): nothing new to create.",
                period=plan.period, n=plan.already)})
        raise RuleViolation({"period": gettext(
            "No bill would be made for %(period)s: no fee item in use applies to these houses in this month.",
            period=plan.period)})
    run = BillingRun(community_id=plan.community_id, period=plan.period,
                     building_ids=",".join(str(i) for i in _ids(building_ids)) or None,
                     fee_item_ids=",".join(str(i) for i in _ids(fee_item_ids)) or None,
                     state="committed", line_count=plan.count, total=to_money(plan.total),
                     created_at=_now(now), created_by=actor.name)
    db.session.add(run)
    db.session.flush()
    table = BillLine.__table__
    total = len(plan.rows)
    for start in range(0, total, CHUNK):
        chunk = plan.rows[start:start + CHUNK]
        for row in chunk:
            row["run_id"], row["created_at"] = run.id, run.created_at
        try:
            db.session.execute(insert(table), chunk)
        except Exception as exc:  # the unique key: another run of the same period was faster
            if "uq_billing_line_item_period" in str(exc) or "UNIQUE" in str(exc).upper():
                db.session.rollback()
                raise RuleViolation({"period": gettext(
                    "Another run of %(period)s was committed at the same moment; nothing was created. "
                    "Please look at the runs and try again.", period=plan.period)}) from None
            raise
        if progress:
            progress(min(start + CHUNK, total), total)
    if auto_settle is None:
        auto_settle = current_app.config.get("BILLING_AUTO_SETTLE", True)
    if auto_settle:
        run.settled_count = settle_from_balance(actor, run_id=run.id)
    db.session.flush()
    return run


def cancel_run(run_id, actor: Actor, reason: str) -> BillingRun:
    """Cancel a run while none of its lines is paid: its lines are removed, the run stays (cancelled)."""
    run = db.session.get(BillingRun, as_id(run_id) or 0)
    if run is None:
        raise RuleViolation({"": gettext("There is no such billing run.")})
    if run.state != "committed":
        raise RuleViolation({"": gettext("This run has been cancelled already.")})
    errors: dict = {}
    check_text(errors, {"reason": reason}, "reason", _label("reason"), 200)
    raise_if(errors)
    paid = db.session.scalar(select(func.count()).select_from(BillLine)
                             .where(BillLine.run_id == run.id, BillLine.state != "unpaid"))
    if paid:
        raise RuleViolation({"": gettext(
            "%(n)d bills of this run have been paid: the run cannot be cancelled. Undo those payments first "
            "(void or reversal).", n=paid)})
    # a line once paid stays on its voided or reversed receipt: the run keeps it
    listed = db.session.scalar(select(func.count(func.distinct(PaymentLine.bill_line_id)))
                               .join(BillLine, BillLine.id == PaymentLine.bill_line_id).where(BillLine.run_id == run.id))
    listed += db.session.scalar(select(func.count()).select_from(AccountEntry)
                                .join(BillLine, BillLine.id == AccountEntry.bill_line_id)
                                .where(BillLine.run_id == run.id))
    if listed:
        raise RuleViolation({"": gettext(
            "Bills of this run appear on receipts that were voided or reversed: the run cannot be cancelled, "
            "those receipts must keep their bills.")})
    # lines settled from a balance are paid too (counted above); what is left is unpaid and untouched
    db.session.execute(delete(BillLine).where(BillLine.run_id == run.id, BillLine.state == "unpaid"))
    run.state = "cancelled"
    run.cancelled_at = _now(None)
    run.cancelled_by = actor.name
    run.cancel_reason = reason.strip()
    db.session.flush()
    return run


# ---------------------------------------------------------------------------- the house at the counter


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


def _late_fee_lines(lines: list[BillLine], actor: Actor, now: datetime,
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


def unpaid_lines(house_id: int) -> list[BillLine]:
    return list(db.session.scalars(select(BillLine).where(BillLine.house_id == house_id, BillLine.state == "unpaid")
                                   .order_by(BillLine.due_date, BillLine.period, BillLine.id)))


def balance_of(house_id: int) -> Decimal:
    account = db.session.get(HouseAccount, house_id)
    return account.balance if account is not None else Decimal("0.00")


def arrears_of(house_id: int) -> Decimal:
    return to_money(db.session.scalar(select(func.coalesce(func.sum(BillLine.amount), 0))
                                      .where(BillLine.house_id == house_id, BillLine.state == "unpaid")))


def _change_balance(house_id: int, amount: Decimal, kind: str, actor: Actor, now: datetime, payment_id=None,
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
    now = _now(now)
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
    prepay_amount = check_money(errors, prepay, "prepay", _label("prepaid"), high=MAX_AMOUNT)
    check_text(errors, {"remark": remark}, "remark", _label("remark"), 200, required=False)
    ids = _ids(line_ids)
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
    late_lines, waived = _late_fee_lines(lines, actor, now, waive_late_fees) if lines else ([], Decimal("0.00"))
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
        expected = check_money(errors, expected_amount, "amount", _label("amount"), high=MAX_AMOUNT)
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
        _change_balance(house.id, -balance_used, "use", actor, now, payment_id=payment.id)
    if prepay_amount:
        _change_balance(house.id, prepay_amount, "prepay", actor, now, payment_id=payment.id)
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
    check_text(errors, {"reason": reason}, "reason", _label("reason"), 200)
    raise_if(errors)
    return payment


def void_problem(payment: Payment, actor: Actor, now: datetime | None = None) -> str | None:
    """Why this actor may not void this payment now (None: he may)."""
    now = _now(now)
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
    now = _now(now)
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
        _change_balance(payment.house_id, -payment.prepaid, kind, actor, now, payment_id=payment.id)
    if payment.balance_used:
        _change_balance(payment.house_id, payment.balance_used, kind, actor, now, payment_id=payment.id)


def reverse_payment(payment_id, actor: Actor, reason: str, now: datetime | None = None) -> Payment:
    """红冲: the project manager reverses a payment with a reason. A reversing entry with its own serial and
    the negative amounts is made; the original is marked reversed; both stay. Returns the reversing entry."""
    now = _now(now)
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


def settle_from_balance(actor: Actor, run_id=None, house_ids=None, now: datetime | None = None) -> int:
    """Pay unpaid lines from the houses' pre-paid balances, oldest first, each line whole while the balance
    covers it. Limited to one run's houses, or to `house_ids`. Returns the number of lines settled: with a run,
    only that run's own (an older line of another run settled on the way is paid, not counted as the run's)."""
    now = _now(now)
    stmt = select(HouseAccount.house_id).where(HouseAccount.balance > 0)
    if run_id is not None:
        stmt = stmt.where(HouseAccount.house_id.in_(select(BillLine.house_id).where(BillLine.run_id == run_id)))
    if house_ids is not None:
        stmt = stmt.where(HouseAccount.house_id.in_(_ids(house_ids)))
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
            balance = _change_balance(house_id, -line.amount, "settle", actor, now, bill_line_id=line.id,
                                      run_id=run_id)
            settled += run_id is None or line.run_id == run_id
    db.session.flush()
    return settled


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


# ---------------------------------------------------------------------------- 欠费 arrears

# Days past the due date; a bill not yet due is not in arrears.
AGE_BUCKETS = [(0, 30, _l("≤30 days")), (31, 90, _l("31–90 days")), (91, 180, _l("91–180 days")),
               (181, 365, _l("181–365 days")), (366, None, _l("Over 365 days"))]
ARREARS_GROUPS = ("community", "building", "house")


def arrears(group: str = "building", community_id=None, building_id=None, as_of: date | None = None,
            limit: int | None = None) -> list[dict]:
    """欠费 by house, building or community: unpaid bills past their due date, in age buckets, the largest
    first. Each row: id, name, bills, total, buckets [amount per AGE_BUCKETS], oldest (due date)."""
    from sqlalchemy import case

    if group not in ARREARS_GROUPS:
        raise RuleViolation({"group": gettext("Please choose how to group the arrears.")})
    as_of = as_of or clock.today()
    key = {"community": BillLine.community_id, "building": House.building_id, "house": BillLine.house_id}[group]
    sums = []
    for low, high, _label_text in AGE_BUCKETS:
        # due between (as_of − high) and (as_of − low) days; dates compared, so it runs alike on every database
        condition = BillLine.due_date <= as_of - timedelta(days=low)
        if high is not None:
            condition = condition & (BillLine.due_date >= as_of - timedelta(days=high))
        sums.append(func.sum(case((condition, BillLine.amount), else_=0)))
    stmt = (select(key, func.count(), func.sum(BillLine.amount), func.min(BillLine.due_date), *sums)
            .join(House, House.id == BillLine.house_id)
            .where(BillLine.state == "unpaid", BillLine.due_date <= as_of)
            .group_by(key).order_by(func.sum(BillLine.amount).desc(), key))
    if as_id(community_id):
        stmt = stmt.where(BillLine.community_id == as_id(community_id))
    if as_id(building_id):
        stmt = stmt.where(House.building_id == as_id(building_id))
    if limit:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    model = {"community": Community, "building": Building, "house": House}[group]
    ids = [r[0] for r in rows]
    names = {}
    if ids:
        for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
            names[obj.id] = (obj.house_no if group == "house" else obj.name) if group != "building" else (
                f"{obj.community.name} {obj.name}")
    owners = current_owner_names(ids) if group == "house" else {}
    return [{"id": r[0], "name": names.get(r[0], ""), "owner": owners.get(r[0], ""), "bills": r[1],
             "total": to_money(r[2] or 0), "oldest": r[3], "buckets": [to_money(v or 0) for v in r[4:]]}
            for r in rows]


def check_reminder(values: dict, pk=None) -> dict:
    """A 催缴 record: the house, how, what came of it; a promise has a date not in the past (when recorded) and
    an amount that is positive."""
    from app.billing.models import REMINDER_METHODS

    errors: dict = {}
    hid = as_id(values.get("house") if "house" in values else values.get("house_id"))
    if hid is None:
        errors["house"] = gettext("Please choose the house.")
    elif hid < 0 or db.session.get(House, hid) is None:
        errors["house"] = gettext("There is no such house.")
    check_choice(errors, values, "method", _label("reminder_method"), REMINDER_METHODS)
    check_text(errors, values, "outcome", _label("outcome"), 500)
    check_text(errors, values, "contact_person", _label("contact_person"), 100, required=False)
    amount = values.get("promised_amount")
    if amount not in (None, ""):
        check_money(errors, amount, "promised_amount", _label("promised_amount"), low=Decimal("0.01"), high=MAX_AMOUNT)
    promised = values.get("promised_on")
    if promised and pk is None and isinstance(promised, date) and promised < clock.today():
        errors["promised_on"] = gettext("The promised date cannot be in the past.")
    return errors


def prepare_reminder(reminder) -> None:
    """Fill what the record keeps of the moment: the community and the arrears the house had then."""
    house = db.session.get(House, reminder.house_id) if reminder.house_id else reminder.house
    if house is not None:
        reminder.community_id = house.community_id
        if reminder.id is None:
            reminder.arrears = arrears_of(house.id)
    reminder.outcome = (reminder.outcome or "").strip()


def due_promises_clause(today: date | None = None):
    """Reminders whose promised date has come while the house still owes: the list to call back."""
    from app.billing.models import Reminder

    today = today or clock.today()
    owes = select(BillLine.id).where(BillLine.house_id == Reminder.house_id, BillLine.state == "unpaid").exists()
    return Reminder.promised_on.is_not(None) & (Reminder.promised_on <= today) & owes


def arrears_workbook(rows: list[dict], group: str) -> bytes:
    from app.core.excel import workbook_bytes

    first = {"community": _l("Community"), "building": _l("Building"), "house": _l("House")}[group]
    headers = [str(first)] + ([gettext("Owner")] if group == "house" else []) + [
        gettext("Bills"), gettext("Arrears (yuan)"), gettext("Oldest due date")] + [str(b[2]) for b in AGE_BUCKETS]
    data = []
    for r in rows:
        data.append([r["name"]] + ([r["owner"]] if group == "house" else []) + [r["bills"], r["total"],
                                                                             r["oldest"].isoformat()] + r["buckets"])
    return workbook_bytes(headers, data, title=gettext("Arrears"), text_columns=[0])


# ---------------------------------------------------------------------------- checks of the whole ledger


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
    houses = set(line_total) if house_ids is None else set(_ids(house_ids))
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


# ---------------------------------------------------------------------------- money is never deleted

# What a paid bill line keeps as it was paid; the counter's own conditional UPDATEs (pay, void, reverse) change
# its state, never these.
_FROZEN_LINE_FIELDS = ("house_id", "parking_space_id", "fee_item_id", "payer_key", "period", "period_key",
                       "description", "quantity", "unit_price", "months", "amount", "state", "payment_id")


def _was_paid(line: BillLine) -> bool:
    from sqlalchemy import inspect

    history = inspect(line).attrs.state.history
    before = history.deleted[0] if history.deleted else line.state
    return before == "paid"


def _changed_paid_line(line: BillLine) -> bool:
    from sqlalchemy import inspect

    state = inspect(line)
    return _was_paid(line) and any(state.attrs[name].history.has_changes() for name in _FROZEN_LINE_FIELDS)


@event.listens_for(Session, "before_flush")
def _keep_the_money(session, flush_context, instances):
    """Before anything is written: a paid bill line is neither deleted nor edited; payments, their lines and
    the balance ledger are never deleted; a 公共收益 or 维修基金 entry is neither deleted nor edited. Whoever asks: a
    page, the API, the CLI, a script."""
    for obj in session.deleted:
        if isinstance(obj, (PublicEntry, FundEntry, FundAccount, FundApplicationEvent)):
            raise RuleViolation({"": gettext("A ledger entry is never deleted: a wrong one is reversed.")})
        if isinstance(obj, (Payment, PaymentLine, AccountEntry)):
            raise RuleViolation({"": gettext("Payments and receipts are never deleted: a wrong payment is voided "
                                             "or reversed.")})
        if isinstance(obj, BillLine) and _was_paid(obj):
            raise RuleViolation({"": gettext("Bill %(line)s has been paid: it cannot be deleted. A wrong payment "
                                             "is voided or reversed.", line=obj.description)})
    for obj in session.dirty:
        if isinstance(obj, (PublicEntry, FundEntry)) and session.is_modified(obj, include_collections=False):
            raise RuleViolation({"": gettext("A ledger entry is never edited: a wrong one is reversed.")})
        if isinstance(obj, BillLine) and _changed_paid_line(obj):
            raise RuleViolation({"": gettext("Bill %(line)s has been paid: it cannot be changed. A wrong payment "
                                             "is voided or reversed.", line=obj.description)})
