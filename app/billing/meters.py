"""The rules of 抄表与公摊: meters, readings (the building's sheet, the Excel import), the jump flag and its review,
the 阶梯价 of a meter item, and the 公摊 split of a common meter's cost.

Plain functions, no request. Bills are made by the ordinary 账期 run (runs.plan_run hands meter and 公摊
items to `plan_item` here): the lines are ordinary bill lines, unique per (item, payer, period), so a second run
makes nothing twice. Money is Decimal, to 分 half-up; a 公摊 split is exact to the 分 (largest remainder).

A reading of a month: previous = the meter's reading of the month before it (its current), or the meter's
start; usage = current − previous, or, when the meter was replaced in the month, old final − previous + current
− new start. A current lower than previous is refused unless the meter was replaced. A house meter's usage
beyond METER_JUMP_MULTIPLE (default 3) × its average of the readings before is flagged: not billed until a
收费员 or the 项目经理 confirms it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.core import clock
from app.billing.models import (METER_KINDS, METER_SCOPES, METER_UNITS, SHARE_BASES, BillLine, FeeItem, Meter,
                                MeterHouse, MeterReading)
from app.billing.periods import parse_period
from app.billing.run_plan import add_plan_row
from app.core.money import to_money
from app.core.rules import Actor, RuleViolation, as_id, check_choice, check_text, raise_if
from app.estate.models import Building, Community, House, Unit
from app.extensions import db
from app.security import roles

LABELS = {
    "community": _l("Community"),
    "kind": _l("Meter type"),
    "scope": _l("Meter use"),
    "number": _l("Meter number"),
    "name": _l("Name"),
    "house": _l("House"),
    "building": _l("Building"),
    "houses": _l("Houses it serves"),
    "start_reading": _l("Reading when installed"),
    "active": _l("In use"),
    "remark": _l("Remark"),
    "meter": _l("Meter"),
    "period": _l("Billing period"),
    "previous": _l("Previous reading"),
    "current": _l("Current reading"),
    "replaced": _l("Meter replaced"),
    "old_final": _l("Old meter's final reading"),
    "new_start": _l("New meter's start reading"),
    "usage": _l("Consumption"),
    "amount": _l("Utility bill amount (yuan)"),
    "average": _l("Average usage before"),
    "state": _l("State"),
    "read_by": _l("Read by"),
    "read_at": _l("Entered at"),
    "confirmed_by": _l("Confirmed by"),
    "confirmed_at": _l("Confirmed at"),
    "meter_kind": _l("Meter type"),
    "tiers": _l("Tiered prices"),
    "common_meter": _l("Common meter"),
    "share_basis": _l("Shared"),
}

READERS = frozenset({roles.CASHIER, roles.MANAGER, roles.ADMIN, roles.ENGINEER})
REVIEWERS = frozenset({roles.CASHIER, roles.MANAGER, roles.ADMIN})
MAX_READING = Decimal("99999999.99")
CENT = Decimal("0.01")
HISTORY = 12  # the average is taken over at most this many readings before
MAX_ROWS = 50_000
ZERO = Decimal("0.00")


def _label(name: str) -> str:
    return str(LABELS.get(name, name))


def jump_multiple() -> Decimal:
    return Decimal(str(current_app.config.get("METER_JUMP_MULTIPLE", 3)))


def num(value: Decimal) -> str:
    """A reading as printed: 1035.50 → 1035.5, 1023.00 → 1023.0, 12.25 stays."""
    text = f"{Decimal(value).quantize(CENT):f}"
    return text[:-1] if text.endswith("0") else text


def price_text(price: Decimal) -> str:
    """3.5000 → 3.50, 3.4550 → 3.455 (as the notices print a unit price)."""
    price = Decimal(price).normalize()
    return f"{price:.2f}" if -price.as_tuple().exponent <= 2 else f"{price:f}"


# ---------------------------------------------------------------------------- meters


def check_meter(values: dict, pk=None) -> dict:
    """The rules of a meter; {field: message}."""
    errors: dict = {}
    community_id = as_id(values.get("community") if "community" in values else values.get("community_id"))
    if community_id is None or community_id < 0 or db.session.get(Community, community_id) is None:
        errors["community"] = gettext("Please choose the community.")
    check_choice(errors, values, "kind", _label("kind"), METER_KINDS)
    check_choice(errors, values, "scope", _label("scope"), METER_SCOPES)
    check_text(errors, values, "number", _label("number"), 30)
    check_text(errors, values, "name", _label("name"), 60, required=values.get("scope") == "common")
    check_text(errors, values, "remark", _label("remark"), 200, required=False)
    start = values.get("start_reading")
    if start not in (None, ""):
        _reading_value(errors, start, "start_reading")
    house = values.get("house")
    house_id = as_id(house) if house is not None else as_id(values.get("house_id"))
    building = values.get("building")
    building_id = as_id(building) if building is not None else as_id(values.get("building_id"))
    chosen = values.get("houses") or []
    if values.get("scope") == "house":
        h = db.session.get(House, house_id) if house_id and house_id > 0 else None
        if h is None:
            errors["house"] = gettext("A house meter needs its house.")
        elif community_id and h.community_id != community_id:
            errors["house"] = gettext("The house must be in the meter's community.")
        if chosen:
            errors["houses"] = gettext("Only a common meter serves chosen houses.")
    elif values.get("scope") == "common":
        if house_id:
            errors["house"] = gettext("A common meter belongs to no house: choose the houses it serves instead.")
        if building_id:
            b = db.session.get(Building, building_id) if building_id > 0 else None
            if b is None or (community_id and b.community_id != community_id):
                errors["building"] = gettext("The building must be in the meter's community.")
        if community_id and any(getattr(h, "community_id", community_id) != community_id for h in chosen):
            errors["houses"] = gettext("The houses must be in the meter's community.")
    number = values.get("number")
    if isinstance(number, str) and number.strip() and community_id and "community" not in errors:
        stmt = select(Meter.id).where(Meter.community_id == community_id, Meter.number == number.strip())
        if pk is not None:
            stmt = stmt.where(Meter.id != int(pk))
        if db.session.scalar(stmt.limit(1)) is not None:
            errors["number"] = gettext("This community already has a meter numbered %(number)s.",
                                       number=number.strip())
    return errors


def prepare_meter(meter: Meter) -> None:
    meter.number = (meter.number or "").strip()
    meter.name = (meter.name or "").strip() or None
    if meter.start_reading is None:
        meter.start_reading = ZERO
    if meter.scope == "house":
        meter.building = None
        meter.building_id = None
        if meter.house is not None:
            meter.building_id = meter.house.building_id


def served_houses(meter: Meter) -> list:
    """The houses a common meter serves, in house order: the chosen ones, else its building's, else the
    community's. Rows (id, building_id, building_area, house_no)."""
    stmt = select(House.id, House.building_id, House.building_area, House.house_no)
    chosen = select(MeterHouse.house_id).where(MeterHouse.meter_id == meter.id)
    if db.session.scalar(select(func.count()).select_from(chosen.subquery())):
        stmt = stmt.where(House.id.in_(chosen))
    elif meter.building_id:
        stmt = stmt.where(House.building_id == meter.building_id)
    else:
        stmt = stmt.where(House.community_id == meter.community_id)
    return db.session.execute(stmt.order_by(House.building_id, House.house_no, House.id)).all()


# ---------------------------------------------------------------------------- 阶梯价 tiered prices


def parse_tiers(text) -> list[tuple[Decimal | None, Decimal]]:
    """"10:3.50, 20:4.20, 5.60" → [(10, 3.50), (20, 4.20), (None, 5.60)]: up to 10 at 3.50, from 10 to 20 at
    4.20, above 20 at 5.60. Empty → []. RuleViolation {"tiers": message} when it is not such a list."""
    text = str(text or "").strip().replace("，", ",").replace("：", ":").replace("；", ",").replace(";", ",")
    if not text:
        return []
    out: list[tuple[Decimal | None, Decimal]] = []
    parts = [p.strip() for p in text.split(",")]
    bad = RuleViolation({"tiers": gettext(
        "Write the tiered prices as upper limit:price, … and the last price alone, for example "
        "10:3.50, 20:4.20, 5.60.")})
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        bound_text, _, price_part = part.rpartition(":")
        if last != (bound_text == ""):
            raise bad
        try:
            price = Decimal(price_part.strip())
            bound = Decimal(bound_text.strip()) if bound_text else None
        except InvalidOperation:
            raise bad from None
        if not price.is_finite() or price <= 0 or price > Decimal("99999.9999") or price != price.quantize(
                Decimal("0.0001")):
            raise RuleViolation({"tiers": gettext(
                "Each tier's price must be greater than 0, with at most four decimals.")})
        if bound is not None and (not bound.is_finite() or bound <= (out[-1][0] if out else 0)
                                  or bound > MAX_READING):
            raise RuleViolation({"tiers": gettext("The tiers' upper limits must rise from one tier to the next.")})
        out.append((bound, price))
    if len(out) > 6:
        raise RuleViolation({"tiers": gettext("At most six tiers.")})
    return out


def tiered(usage: Decimal, tiers: list, flat_price: Decimal) -> tuple[Decimal, list[tuple[Decimal, Decimal]]]:
    """(amount to 分 half-up, [(quantity, price) per tier used]) of `usage` at the tiers (none: flat_price)."""
    if not tiers:
        return to_money(usage * flat_price), [(usage, flat_price)]
    parts, low = [], Decimal("0")
    for bound, price in tiers:
        top = usage if bound is None else min(usage, bound)
        if top > low:
            parts.append((top - low, price))
        if bound is None or usage <= bound:
            break
        low = bound
    return to_money(sum((q * p for q, p in parts), Decimal("0"))), parts


def check_meter_item(values: dict, errors: dict, community_id) -> None:
    """The inputs of a meter or 公摊 fee item (called by fee_items.check_fee_item)."""
    method = values.get("method")
    if method == "meter":
        check_choice(errors, values, "meter_kind", _label("meter_kind"), METER_KINDS)
        try:
            parse_tiers(values.get("tiers"))
        except RuleViolation as exc:
            errors.update(exc.errors)
        if values.get("common_meter"):
            errors["common_meter"] = gettext("A meter item bills the house meters: leave the common meter empty.")
    elif method == "shared":
        meter = values.get("common_meter")
        meter_id = as_id(meter) if meter is not None else as_id(values.get("common_meter_id"))
        m = db.session.get(Meter, meter_id) if meter_id and meter_id > 0 else None
        if m is None:
            errors["common_meter"] = gettext("Please choose the common meter whose cost is shared.")
        elif m.scope != "common":
            errors["common_meter"] = gettext("Meter %(number)s is a house meter: choose a common meter.",
                                             number=m.number)
        elif community_id and m.community_id != community_id:
            errors["common_meter"] = gettext("The common meter must be in the fee item's community.")
        check_choice(errors, values, "share_basis", _label("share_basis"), SHARE_BASES)
        if (values.get("tiers") or "").strip():
            errors["tiers"] = gettext("A shared item has no tiered prices: its cost is split as it is.")


# ---------------------------------------------------------------------------- readings


def _reading_value(errors: dict, value, name: str, label: str | None = None) -> Decimal | None:
    """A meter reading typed or read from a file: a number, 0 or more, at most two decimals."""
    label = label or _label(name)
    if isinstance(value, bool):
        value = None
    try:
        d = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        errors[name] = gettext("%(label)s must be a number.", label=label)
        return None
    if d < 0 or d > MAX_READING:
        errors[name] = gettext("%(label)s must be between 0 and %(high)s.", label=label, high=f"{MAX_READING:f}")
        return None
    if d != d.quantize(CENT):
        errors[name] = gettext("%(label)s may have at most two decimals.", label=label)
        return None
    return d.quantize(CENT)


@dataclass
class Evaluated:
    usage: Decimal | None = None
    flagged: bool = False
    errors: dict = field(default_factory=dict)
    current: Decimal | None = None  # the readings as read (Decimal, two decimals)
    old_final: Decimal | None = None
    new_start: Decimal | None = None


def evaluate(previous: Decimal, current, replaced: bool = False, old_final=None, new_start=None,
             average: Decimal | None = None, house_meter: bool = True, multiple: Decimal | None = None,
             replaced_hint: str | None = None) -> Evaluated:
    """The usage of a reading and whether it is flagged, or the errors: {field: Chinese message}.
    replaced_hint: how to record a replaced meter where the reading comes from (the sheet's check box by
    default; the import names its file's columns)."""
    out = Evaluated()
    errors = out.errors
    cur = _reading_value(errors, current, "current")
    if replaced:
        old = _reading_value(errors, old_final, "old_final") if old_final not in (None, "") else None
        new = _reading_value(errors, new_start, "new_start") if new_start not in (None, "") else None
        if old_final in (None, ""):
            errors["old_final"] = gettext("A replaced meter needs the old meter's final reading.")
        if new_start in (None, ""):
            errors["new_start"] = gettext("A replaced meter needs the new meter's start reading.")
        if errors:
            return out
        if old < previous:
            errors["old_final"] = gettext(
                "The old meter's final reading %(old)s is lower than the previous reading %(previous)s.",
                old=num(old), previous=num(previous))
        if cur < new:
            errors["current"] = gettext(
                "The current reading %(current)s is lower than the new meter's start reading %(start)s.",
                current=num(cur), start=num(new))
        if errors:
            return out
        out.usage = old - previous + cur - new
        out.old_final, out.new_start = old, new
    else:
        if old_final not in (None, "") or new_start not in (None, ""):
            errors["replaced"] = gettext("Tick “meter replaced” to record the old and new meter's readings.")
        if cur is None or errors:
            return out
        if cur < previous:
            hint = replaced_hint or gettext("If the meter was replaced, tick “meter replaced” and give the old "
                                            "meter's final and the new meter's start reading.")
            errors["current"] = gettext("The current reading %(current)s is lower than the previous reading "
                                        "%(previous)s.", current=num(cur), previous=num(previous)) + " " + hint
            return out
        out.usage = cur - previous
    out.current = cur
    multiple = multiple if multiple is not None else jump_multiple()
    out.flagged = bool(house_meter and average and average > 0 and out.usage > average * multiple)
    return out


def _history(meter_ids: list[int]) -> dict[int, list]:
    """{meter id: [(period, current, usage), …] oldest first}."""
    out: dict[int, list] = {}
    for i in range(0, len(meter_ids), 900):
        for meter_id, period, current, usage in db.session.execute(
                select(MeterReading.meter_id, MeterReading.period, MeterReading.current, MeterReading.usage)
                .where(MeterReading.meter_id.in_(meter_ids[i:i + 900])).order_by(MeterReading.period)):
            out.setdefault(meter_id, []).append((period, current, usage))
    return out


@dataclass
class Before:
    """What a meter's readings say about a new reading of `period`."""

    previous: Decimal
    average: Decimal | None
    later: str | None  # a later period already read
    same: bool  # the period is read already


def before(meter: Meter | tuple, period: str, history: list) -> Before:
    start = meter.start_reading if hasattr(meter, "start_reading") else meter[1]
    earlier = [h for h in history if h[0] < period]
    later = [h[0] for h in history if h[0] > period]
    usages = [h[2] for h in earlier[-HISTORY:]]
    average = (sum(usages, Decimal("0")) / len(usages)).quantize(CENT) if usages else None
    return Before(earlier[-1][1] if earlier else (start if start is not None else ZERO), average,
                  later[0] if later else None, any(h[0] == period for h in history))


def billed(meter: Meter, period: str) -> bool:
    """Has the meter's reading of `period` been billed (a bill line made from it)?"""
    if meter.scope == "house":
        stmt = select(BillLine.id).join(FeeItem, FeeItem.id == BillLine.fee_item_id).where(
            FeeItem.method == "meter", BillLine.payer_key == f"M{meter.id}", BillLine.period_key == period)
    else:
        stmt = select(BillLine.id).join(FeeItem, FeeItem.id == BillLine.fee_item_id).where(
            FeeItem.common_meter_id == meter.id, BillLine.period_key == period)
    return db.session.scalar(stmt.limit(1)) is not None


def _check_reader(actor: Actor) -> None:
    if not actor.roles & READERS:
        raise RuleViolation({"": gettext("Only a cashier, an engineer or the project manager may enter readings.")})


def _period(period) -> str:
    year, month = parse_period(period)
    return f"{year}-{month:02d}"


def current_period(now: datetime | None = None) -> str:
    """This month as a billing period (2026-12)."""
    return f"{clock.or_now(now):%Y-%m}"


class FutureReadings(RuleViolation):
    """Readings of a month after the current one, not saved: the user is asked to confirm the month."""


def record_readings(entries: list[dict], period, actor: Actor, now: datetime | None = None,
                    confirm_future: bool = False) -> list[MeterReading]:
    """Save the readings of one month, all or none: entries [{meter, current, replaced, old_final, new_start,
    amount}]. A reading of the month already entered is changed (recomputed) while it is not billed. A month
    after the current one is saved only with confirm_future (else FutureReadings). RuleViolation {meter id:
    message} names each bad entry; nothing is written then. Flushes."""
    _check_reader(actor)
    period = _period(period)
    now = clock.or_now(now)
    if period > current_period(now) and not confirm_future:
        raise FutureReadings({"period": gettext(
            "%(period)s is after the current month %(current)s: are these readings really of %(period)s? Confirm "
            "to save them.", period=period, current=current_period(now))})
    ids = [as_id(e.get("meter")) or 0 for e in entries]
    meters = {m.id: m for m in db.session.scalars(select(Meter).where(Meter.id.in_(ids)))} if ids else {}
    history = _history(list(meters))
    existing = {r.meter_id: r for r in db.session.scalars(
        select(MeterReading).where(MeterReading.meter_id.in_(list(meters)), MeterReading.period == period))}
    multiple = jump_multiple()
    errors: dict = {}
    planned = []
    for entry, meter_id in zip(entries, ids):
        meter = meters.get(meter_id)
        if meter is None:
            errors[str(meter_id)] = gettext("There is no such meter.")
            continue
        key = str(meter.id)
        if not meter.active:
            errors[key] = gettext("Meter %(number)s is no longer in use.", number=meter.number)
            continue
        past = before(meter, period, [h for h in history.get(meter.id, []) if h[0] != period])
        if past.later:
            errors[key] = gettext("Meter %(number)s has a reading of %(later)s already: a reading of an earlier "
                                  "month cannot be entered now.", number=meter.number, later=past.later)
            continue
        if meter.id in existing and billed(meter, period):
            errors[key] = gettext("The reading of meter %(number)s for %(period)s has been billed: it cannot be "
                                  "changed.", number=meter.number, period=period)
            continue
        result = evaluate(past.previous, entry.get("current"), bool(entry.get("replaced")), entry.get("old_final"),
                          entry.get("new_start"), past.average, meter.scope == "house", multiple)
        amount = None
        if entry.get("amount") not in (None, ""):
            if meter.scope != "common":
                result.errors["amount"] = gettext("Only a common meter's reading has a utility bill amount.")
            else:
                from app.core.rules import check_money

                amount = check_money(result.errors, entry.get("amount"), "amount", _label("amount"),
                                     high=Decimal("9999999.99"))
        if result.errors:
            errors[key] = gettext("Meter %(number)s: %(problems)s", number=meter.number,
                                  problems="；".join(str(m) for m in result.errors.values()))
            continue
        planned.append((meter, entry, past, result, amount))
    raise_if(errors)
    saved = []
    for meter, entry, past, result, amount in planned:
        reading = existing.get(meter.id) or MeterReading(meter_id=meter.id, period=period)
        reading.previous = past.previous
        reading.current = result.current
        reading.replaced = bool(entry.get("replaced"))
        reading.old_final, reading.new_start = result.old_final, result.new_start
        reading.usage = result.usage
        reading.amount = amount
        reading.average = past.average
        reading.state = "flagged" if result.flagged else "ok"
        reading.read_by, reading.read_at = actor.name, now
        reading.confirmed_by = reading.confirmed_at = None
        db.session.add(reading)
        saved.append(reading)
    db.session.flush()
    return saved


def confirm_reading(reading_id, actor: Actor, now: datetime | None = None) -> MeterReading:
    """A flagged reading checked and confirmed (by a 收费员 or the 项目经理): it is billed from now on."""
    if not actor.roles & REVIEWERS:
        raise RuleViolation({"": gettext("Only a cashier or the project manager may confirm a flagged reading.")})
    rid = as_id(reading_id)
    reading = db.session.get(MeterReading, rid) if rid and rid > 0 else None
    if reading is None:
        raise RuleViolation({"": gettext("There is no such reading.")})
    if reading.state != "flagged":
        raise RuleViolation({"": gettext("This reading is not waiting for review.")})
    now = clock.or_now(now)
    changed = db.session.execute(
        update(MeterReading).where(MeterReading.id == reading.id, MeterReading.state == "flagged")
        .values(state="confirmed", confirmed_by=actor.name, confirmed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise RuleViolation({"": gettext("This reading is not waiting for review.")})
    db.session.flush()
    db.session.refresh(reading)
    return reading


def sheet(community_id, building_id, kind: str, period) -> dict:
    """The reading sheet of a building (building 0: the community's own common meters) for a month: one row per
    meter of the kind, in house order, with the previous reading and the month's reading if entered."""
    period = _period(period)
    community_id, building_id = as_id(community_id), as_id(building_id)
    if not community_id or db.session.get(Community, community_id) is None:
        raise RuleViolation({"community": gettext("Please choose the community.")})
    if kind not in METER_KINDS:
        raise RuleViolation({"kind": gettext("Please choose the meter type.")})
    stmt = (select(Meter).outerjoin(House, House.id == Meter.house_id).outerjoin(Unit, Unit.id == House.unit_id)
            .where(Meter.community_id == community_id, Meter.kind == kind, Meter.active.is_(True)))
    if building_id:
        stmt = stmt.where(Meter.building_id == building_id)
    else:
        stmt = stmt.where(Meter.scope == "common", Meter.building_id.is_(None))
    meters = list(db.session.scalars(stmt.order_by(Meter.scope.desc(), Unit.code, House.floor, House.room_no,
                                                   Meter.number)))
    history = _history([m.id for m in meters])
    rows = []
    for m in meters:
        past = before(m, period, [h for h in history.get(m.id, []) if h[0] != period])
        reading = next((r for r in db.session.scalars(
            select(MeterReading).where(MeterReading.meter_id == m.id, MeterReading.period == period))), None)
        rows.append({"meter": m, "previous": past.previous, "average": past.average, "later": past.later,
                     "reading": reading, "billed": reading is not None and billed(m, period)})
    return {"period": period, "rows": rows, "unit": METER_UNITS[kind]}


# ---------------------------------------------------------------------------- 公摊: largest remainder


def apportion(total: Decimal, weights: list[tuple]) -> dict:
    """Split `total` (yuan, to 分) over [(key, weight)] in proportion to the weights. Each share is rounded
    down to 分, then the 分 left over go one each to the largest remainders; equal remainders go in the order
    given. The shares always sum exactly to the total."""
    cents = int((to_money(total) * 100).to_integral_value())
    if cents < 0:
        raise RuleViolation({"amount": gettext("The amount to share must not be negative.")})
    if not weights:
        return {}
    values = [Decimal(str(w)) for _, w in weights]
    if any(not v.is_finite() or v < 0 for v in values):
        raise RuleViolation({"share_basis": gettext("A share's weight must not be negative.")})
    # exact in integers: the weights scaled to whole numbers, each share cents × w / W as quotient and remainder
    scale = max(0, max(-v.as_tuple().exponent for v in values))
    ints = [int(v.scaleb(scale)) for v in values]
    whole = sum(ints)
    if whole == 0:
        raise RuleViolation({"share_basis": gettext("The houses it serves have no area to share by.")})
    parts = [divmod(cents * w, whole) for w in ints]
    floors = [q for q, _ in parts]
    left = cents - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-parts[i][1], i))
    for i in order[:left]:
        floors[i] += 1
    return {key: Decimal(c).scaleb(-2) for (key, _), c in zip(weights, floors)}


def _grouped(value: Decimal) -> str:
    """1234.5 → 1,234.50 (as a 公摊 basis prints money and areas)."""
    return f"{to_money(value):,.2f}"


def common_cost(item: FeeItem, reading: MeterReading) -> Decimal:
    return reading.amount if reading.amount is not None else to_money(reading.usage * item.unit_price)


# ---------------------------------------------------------------------------- bills (called by plan_run)


def plan_item(plan, item: FeeItem, houses: list, context: dict) -> None:
    """Add a meter or 公摊 item's new lines of the period to the run's plan (runs.plan_run)."""
    if item.method == "meter":
        _plan_meter(plan, item, houses, context)
    else:
        _plan_shared(plan, item, context)


def _plan_meter(plan, item: FeeItem, houses: list, ctx: dict) -> None:
    by_house = {h.id: h for h in houses if (not ctx["limited"] or h.building_id in ctx["limited"])
                and (not ctx["usages"] or h.usage in ctx["usages"])}
    tiers = parse_tiers(item.tiers)
    unit = METER_UNITS.get(item.meter_kind, "")
    rows = db.session.execute(
        select(Meter.id, Meter.number, Meter.house_id, MeterReading)
        .join(MeterReading, (MeterReading.meter_id == Meter.id) & (MeterReading.period == plan.period), isouter=True)
        .where(Meter.community_id == plan.community_id, Meter.scope == "house", Meter.kind == item.meter_kind,
               Meter.active.is_(True))
        .order_by(Meter.house_id, Meter.number)).all()
    for meter_id, number, house_id, reading in rows:
        h = by_house.get(house_id)
        if h is None:
            continue
        payer_key = f"M{meter_id}"
        if (item.id, payer_key, plan.period) in ctx["existing"]:
            plan.already += 1
            continue
        if reading is None:
            plan.skipped.append((f"{h.house_no} {number}", gettext("no reading for %(period)s",
                                                                   period=plan.period)))
            continue
        if reading.state == "flagged":
            plan.skipped.append((f"{h.house_no} {number}", gettext("usage to be reviewed (%(usage)s, average "
                                                                   "%(average)s)", usage=num(reading.usage),
                                                                   average=num(reading.average or 0))))
            continue
        if reading.usage <= 0:
            continue
        amount, parts = tiered(reading.usage, tiers, item.unit_price)
        readings = f"{num(reading.previous)}→{num(reading.current)}"
        if reading.replaced:
            readings = (f"{num(reading.previous)}→{num(reading.old_final)}，"
                        + gettext("new meter") + f" {num(reading.new_start)}→{num(reading.current)}")
        prices = " + ".join(f"{num(q)}×{price_text(p)}" for q, p in parts) if tiers else price_text(item.unit_price)
        basis = f"{num(reading.usage)} {unit} ({readings}) × {prices}" if not tiers else (
            f"{num(reading.usage)} {unit} ({readings}): {prices}")
        add_plan_row(plan, item, ctx, house_id=h.id, space_id=None, payer_key=payer_key, building_id=h.building_id,
                     description=f"{ctx['text']} {number}"[:200], quantity=reading.usage,
                     unit_price=None if tiers else item.unit_price, amount=amount, basis=basis[:200])


def _plan_shared(plan, item: FeeItem, ctx: dict) -> None:
    meter = item.common_meter
    if meter is None:
        plan.skipped.append((item.name, gettext("no common meter chosen")))
        return
    reading = db.session.scalar(select(MeterReading).where(MeterReading.meter_id == meter.id,
                                                           MeterReading.period == plan.period))
    if reading is None:
        plan.skipped.append((item.name, gettext("common meter %(number)s has no reading for %(period)s",
                                                number=meter.number, period=plan.period)))
        return
    if reading.state == "flagged":
        plan.skipped.append((item.name, gettext("the common meter's reading is to be reviewed")))
        return
    cost = common_cost(item, reading)
    served = served_houses(meter)
    weights = []
    for h in served:
        if item.share_basis == "area":
            if h.building_area is None or h.building_area <= 0:
                plan.skipped.append((h.house_no, gettext("no gross floor area recorded")))
                continue
            weights.append((h, h.building_area))
        else:
            weights.append((h, Decimal("1")))
    if not weights:
        plan.skipped.append((item.name, gettext("the common meter serves no house")))
        return
    shares = apportion(cost, weights)
    whole = sum((w for _, w in weights), Decimal("0"))
    name = meter.name or meter.number
    for h, weight in weights:
        if ctx["building_ids"] and h.building_id not in ctx["building_ids"]:
            continue
        payer_key = f"H{h.id}"
        if (item.id, payer_key, plan.period) in ctx["existing"]:
            plan.already += 1
            continue
        amount = shares[h]
        if amount <= 0:
            continue
        if item.share_basis == "area":
            basis = gettext("Shared: %(name)s %(cost)s yuan × %(area)s/%(total)s㎡", name=name,
                            cost=_grouped(cost), area=_grouped(weight),
                            total=_grouped(whole))
        else:
            basis = gettext("Shared: %(name)s %(cost)s yuan ÷ %(n)d households", name=name,
                            cost=_grouped(cost), n=len(weights))
        add_plan_row(plan, item, ctx, house_id=h.id, space_id=None, payer_key=payer_key, building_id=h.building_id,
                     description=ctx["text"], quantity=weight if item.share_basis == "area" else None,
                     unit_price=None, amount=amount, basis=basis[:200])
