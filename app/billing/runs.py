"""账期 runs: plan the bills of a period, commit them (then settle them from the pre-paid balances), cancel a run
while none of its bills is paid.

Plain functions: no request, no Flask globals. Money is Decimal rounded to 分 half-up (app.core.money.to_money)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, func, insert, select

from app.billing import meters
from app.billing.balance import settle_from_balance
from app.billing.common import id_list, label
from app.billing.models import (AREA_BASES, CYCLE_MONTHS, AccountEntry, BillingRun, BillLine, FeeItem,
                                FeeItemBuilding, PaymentLine)
from app.billing.periods import ONE_OFF_KEY, parse_period, period_text
from app.billing.run_plan import RunPlan, add_plan_row
from app.core import clock
from app.core.money import to_money
from app.core.rules import Actor, RuleViolation, as_id, check_text, raise_if
from app.estate.models import Building, Community, House, ParkingSpace
from app.extensions import db


CHUNK = 5000


def _item_due_in(item: FeeItem, month: int) -> bool:
    """Is a periodic item billed in a run of this month?"""
    months = CYCLE_MONTHS.get(item.cycle, 1)
    return (month - (item.start_month or 1)) % months == 0


def plan_run(community_id, period: str, building_ids=None, fee_item_ids=None, today: date | None = None,
             progress=None) -> RunPlan:
    """The lines a run of `period` would create for the community (or some buildings, some items), leaving
    out those the period already has. Nothing is written."""
    year, month = parse_period(period, today)
    period = f"{year}-{month:02d}"
    community = db.session.get(Community, as_id(community_id) or 0) if (as_id(community_id) or 0) > 0 else None
    if community is None:
        raise RuleViolation({"community": gettext("Please choose the community.")})
    building_ids, fee_item_ids = id_list(building_ids), id_list(fee_item_ids)
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
                     building_ids=",".join(str(i) for i in id_list(building_ids)) or None,
                     fee_item_ids=",".join(str(i) for i in id_list(fee_item_ids)) or None,
                     state="committed", line_count=plan.count, total=to_money(plan.total),
                     created_at=clock.or_now(now), created_by=actor.name)
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
    check_text(errors, {"reason": reason}, "reason", label("reason"), 200)
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
    run.cancelled_at = clock.or_now(None)
    run.cancelled_by = actor.name
    run.cancel_reason = reason.strip()
    db.session.flush()
    return run
