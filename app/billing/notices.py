"""缴费通知单 and 催缴通知单: which households get one, and what each one lists.

- "bill" (缴费通知单) for a billing period: every household with an unpaid bill of that period or earlier;
  the period's bills are listed as 本期, the earlier ones as 往期欠费.
- "reminder" (催缴通知单): every household with a bill past its due date on the day of the notice; only
  those bills are listed, with the days overdue.

A 滞纳金 (late fee) is shown where the fee item has a rate (late_fees.pending_late_fees); the 预存 balance the house
holds is shown beside the total, since the counter uses it first. Households come in 房号 order: building,
unit, floor, room, numbers compared as numbers ("2号楼" before "10号楼").

Plain functions, no request: the page, the CLI and the benchmark call these; app.billing.printing renders.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.billing.late_fees import pending_late_fees
from app.billing.models import BillLine, HouseAccount
from app.billing.periods import parse_period
from app.core import masking
from app.core.money import rmb_upper, to_money
from app.core.rules import RuleViolation, as_id
from app.estate.models import Building, House, Unit
from app.estate.services import current_owner_names
from app.extensions import db

NOTICE_KINDS = {"bill": _l("Payment notice"), "reminder": _l("Overdue payment notice")}
# a reminder asks for payment within this many days of its date, unless the office gives a date
REMINDER_DAYS = 7
# households printed by one request of the page: WeasyPrint makes about 7 pages a second here, so 1,000 take
# two to three minutes (a community prints building by building; `flask pm notices` prints any number)
MAX_NOTICES = 1_000
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class NoticeRequest:
    """What to print, checked: kind, community, optional building, period (bills), the notice's date and
    the date to pay by (None: a bill notice takes the latest due date of the period's bills)."""

    kind: str
    community_id: int
    building_id: int | None
    period: str | None
    as_of: date
    pay_by: date | None


def _date(value, field: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = gettext("\"%(value)s\" is not a date (for example 2026-12-10).", value=str(value)[:20])
        return None


def check_request(values: dict, today: date | None = None) -> NoticeRequest:
    """A NoticeRequest from the form's values; RuleViolation with a message per field when one is wrong."""
    from app.estate.models import Community

    today = today or clock.today()
    errors: dict = {}
    kind = str(values.get("kind") or "bill")
    if kind not in NOTICE_KINDS:
        errors["kind"] = gettext("Please choose which notice to print.")
    community_id = as_id(values.get("community"))
    if community_id is None or db.session.get(Community, community_id) is None:
        errors["community"] = gettext("Please choose a community.")
    building_id = as_id(values.get("building"))
    if values.get("building") not in (None, "") and (
            building_id is None or community_id is None
            or db.session.scalar(select(Building.id).where(Building.id == building_id,
                                                           Building.community_id == community_id)) is None):
        errors["building"] = gettext("That building is not in the chosen community.")
    period = None
    if kind == "bill":
        try:
            year, month = parse_period(values.get("period"), today)
            period = f"{year}-{month:02d}"
        except RuleViolation as exc:
            errors.update(exc.errors)
    pay_by = _date(values.get("pay_by"), "pay_by", errors)
    if pay_by is not None and pay_by < today:
        errors["pay_by"] = gettext("The date to pay by must not be in the past.")
    elif pay_by is not None and pay_by > today + timedelta(days=366):
        errors["pay_by"] = gettext("The date to pay by must be within a year.")
    if errors:
        raise RuleViolation(errors)
    return NoticeRequest(kind, community_id, building_id, period, today, pay_by)


def _natural(text: str | None) -> tuple:
    """"10" after "9", "2号楼" before "10号楼": digits compared as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", text or "") if part)


def _lines_clause(request: NoticeRequest):
    if request.kind == "bill":
        return (BillLine.state == "unpaid") & (BillLine.period <= request.period)
    return (BillLine.state == "unpaid") & (BillLine.due_date < request.as_of)


def house_ids(request: NoticeRequest) -> list[int]:
    """The households that get a notice, in 房号 order."""
    stmt = (select(House.id, Building.code, Unit.code, House.floor, House.room_no)
            .join(Building, Building.id == House.building_id).join(Unit, Unit.id == House.unit_id)
            .where(House.id.in_(select(BillLine.house_id).where(BillLine.community_id == request.community_id,
                                                                _lines_clause(request)))))
    if request.building_id:
        stmt = stmt.where(House.building_id == request.building_id)
    rows = db.session.execute(stmt).all()
    rows.sort(key=lambda r: (_natural(r[1]), _natural(r[2]), r[3], _natural(r[4]), r[0]))
    return [r[0] for r in rows]


def check_count(count: int) -> None:
    if count > MAX_NOTICES:
        raise RuleViolation({"building": gettext(
            "%(n)d households would get a notice; at most %(max)d can be printed at once. Please print building "
            "by building.", n=count, max=MAX_NOTICES)})


def basis(line: BillLine) -> str:
    """How the amount was reached, as printed: 98.50㎡ × 2.35 × 3个月; 25.00 for a fixed amount; a meter or 公摊
    line's own text (12.5 m³ (1023.0→1035.5) × 3.50)."""
    if line.basis:
        return line.basis
    parts = []
    if line.quantity is not None:
        parts.append(f"{line.quantity}㎡")
    if line.unit_price is not None:  # 2.3500 → 2.35, 2.3450 → 2.345, 150.0000 → 150.00
        price = line.unit_price.normalize()
        parts.append(f"{price:.2f}" if -price.as_tuple().exponent <= 2 else f"{price:f}")
    if line.months and line.months > 1:
        parts.append(gettext("%(n)d months", n=line.months))
    return " × ".join(parts)


def notices(request: NoticeRequest, ids: list[int]) -> list[dict]:
    """One notice per house of `ids` (in that order): its lines and figures. A few queries per call,
    whatever the number of houses: call it with a chunk of houses at a time."""
    if not ids:
        return []
    houses = {h.id: h for h in db.session.scalars(
        select(House).where(House.id.in_(ids)).options(selectinload(House.community), selectinload(House.building)))}
    lines: dict[int, list[BillLine]] = {}
    for line in db.session.scalars(
            select(BillLine).where(BillLine.house_id.in_(ids), _lines_clause(request))
            .options(selectinload(BillLine.fee_item))
            .order_by(BillLine.house_id, BillLine.id)):
        lines.setdefault(line.house_id, []).append(line)
    for house_lines in lines.values():  # by period, then in the order of the fee items (a repair charge last)
        house_lines.sort(key=lambda line: (line.period, line.fee_item_id or 1 << 62, line.id))
    balances = dict(db.session.execute(select(HouseAccount.house_id, HouseAccount.balance)
                                       .where(HouseAccount.house_id.in_(ids))).all())
    owners = current_owner_names(ids)
    return [_notice(request, houses[i], lines.get(i, []), to_money(balances.get(i) or 0), owners.get(i, ""))
            for i in ids if i in houses]


def _notice(request: NoticeRequest, house: House, lines: list[BillLine], balance: Decimal, owner: str) -> dict:
    rows, current, earlier, fees = [], ZERO, ZERO, ZERO
    pending = pending_late_fees(lines, request.as_of)  # (a late fee charged already is a line of its own)
    for line in lines:
        overdue = max(0, (request.as_of - line.due_date).days)
        fee = pending.get(line.id, ZERO)
        rows.append({"description": line.description, "period": line.period, "basis": basis(line),
                     "amount": line.amount, "due_date": line.due_date, "overdue_days": overdue, "late_fee": fee,
                     "current": request.kind == "bill" and line.period == request.period})
        fees += fee
        if rows[-1]["current"]:
            current += line.amount
        else:
            earlier += line.amount
    total = current + earlier + fees
    pay_by = request.pay_by
    if pay_by is None:
        dues = [r["due_date"] for r in rows if r["current"]]
        pay_by = max(dues) if dues else None
        if pay_by is None or pay_by < request.as_of:  # a period whose due date has passed: a week from today
            pay_by = request.as_of + timedelta(days=REMINDER_DAYS)
    return {
        "house": house,
        "house_no": house.house_no,
        "building": house.building.name if house.building is not None else "",
        "area": house.building_area,
        "owner": mask_name(owner),
        "rows": rows,
        "current": current,
        "earlier": earlier,
        "late_fees": fees,
        "total": total,
        "total_upper": rmb_upper(total),
        "balance": balance,
        "to_pay": max(ZERO, total - balance),
        "pay_by": pay_by,
    }


def mask_name(names: str) -> str:
    """A notice can be seen by others on its way to the household: 张三、李四 → 张*、李*."""
    return "、".join(masking.mask_name(n) for n in names.split("、") if n) if names else ""
