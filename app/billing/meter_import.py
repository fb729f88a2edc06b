"""Meter readings imported from Excel (抄表读数导入): the template to download, and the import of a filled one,
all rows or none, each bad row listed with its row, column and Chinese reason. The readings' rules are those
of app.billing.meters (record_readings checks and writes them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from app.billing.meters import (MAX_ROWS, _check_reader, _history, _label, before, current_period, evaluate,
                                jump_multiple, sheet)
from app.billing.models import Meter, MeterReading
from app.billing.periods import parse_period
from app.core import clock
from app.core.rules import Actor, RuleViolation, as_id
from app.estate.models import Community, House
from app.extensions import db


IMPORT_COLUMNS = [  # field, zh header label, required
    ("number", _l("Meter number"), True),
    ("house_no", _l("House number"), False),
    ("period", _l("Billing period"), True),
    ("previous", _l("Previous reading"), False),
    ("current", _l("Current reading"), True),
    ("old_final", _l("Old meter's final reading"), False),
    ("new_start", _l("New meter's start reading"), False),
    ("amount", _l("Utility bill amount (yuan)"), False),
]


def import_headers() -> list[str]:
    with force_locale("zh"):
        return [str(label) for _, label, _ in IMPORT_COLUMNS]


def header(name: str) -> str:
    """The file's header of the field `name` (as the template writes it)."""
    return import_headers()[[f for f, _, _ in IMPORT_COLUMNS].index(name)]


@dataclass
class ReadingImport:
    """errors: [(row number or None, column header, reason)]; empty when imported."""

    errors: list = field(default_factory=list)
    rows: int = 0
    flagged: int = 0
    future: list = field(default_factory=list)  # months after the current one, not imported until confirmed

    @property
    def ok(self) -> bool:
        return not self.errors and not self.future


def import_readings(data: bytes, community_id, actor: Actor, filename: str = "",
                    now: datetime | None = None, confirm_periods=()) -> ReadingImport:
    """Readings from an Excel file (the template's columns), all rows or none: every row is checked first and
    every problem listed with its row; only a good file is written (in bulk) and committed. A row without a
    current reading is a meter not read (the template lists every meter): it is skipped. Readings of a month
    after the current one are imported only when that month is in `confirm_periods`; else nothing is written
    and `future` names the months to confirm."""
    from app.core.audit import log_event
    from app.core.excel import ExcelError, normalize_header, read_sheet

    _check_reader(actor)
    now = clock.or_now(now)
    community_id = as_id(community_id)
    if not community_id or community_id < 0 or db.session.get(Community, community_id) is None:
        return ReadingImport(errors=[(None, "", gettext("Please choose the community."))])
    heads = import_headers()
    try:
        _, rows = read_sheet(data, required=[h for h, (_, _, req) in zip(heads, IMPORT_COLUMNS) if req],
                             text_columns=[header("number"), header("house_no"), header("period")],
                             max_rows=MAX_ROWS)
    except ExcelError as exc:
        return ReadingImport(errors=[(None, "", str(exc))])
    by_header = {normalize_header(h): f for h, (f, _, _) in zip(heads, IMPORT_COLUMNS)}
    header_of = {f: h for h, (f, _, _) in zip(heads, IMPORT_COLUMNS)}
    records = [(n, {by_header[h]: v for h, v in rec.items() if h in by_header}) for n, rec in rows]
    records = [(n, v) for n, v in records
               if any(v.get(f) is not None for f in ("current", "old_final", "new_start", "amount"))]
    meters = {}
    numbers = sorted({str(v.get("number")) for _, v in records if v.get("number") is not None})
    for i in range(0, len(numbers), 900):
        for m in db.session.execute(select(Meter.id, Meter.start_reading, Meter.scope, Meter.number, Meter.active,
                                           House.house_no).outerjoin(House, House.id == Meter.house_id)
                                    .where(Meter.community_id == community_id,
                                           Meter.number.in_(numbers[i:i + 900]))):
            meters[m.number] = m
    history = _history([m.id for m in meters.values()])
    multiple = jump_multiple()
    current = current_period(now)
    replaced_hint = gettext("If the meter was replaced, fill in the columns “%(old)s” and “%(new)s” of this row.",
                            old=header("old_final"), new=header("new_start"))
    result = ReadingImport(rows=len(records))
    seen: dict = {}
    out = []
    for number, values in records:
        def error(name, message):
            result.errors.append((number, header_of.get(name, ""), str(message)))

        meter_no = values.get("number")
        meter = meters.get(str(meter_no)) if meter_no is not None else None
        if meter_no is None:
            error("number", gettext("%(label)s must not be empty.", label=_label("number")))
            continue
        if meter is None:
            error("number", gettext("There is no meter numbered %(number)s in this community.", number=meter_no))
            continue
        if not meter.active:
            error("number", gettext("Meter %(number)s is no longer in use.", number=meter_no))
            continue
        try:
            year, month = parse_period(values.get("period"))
        except RuleViolation as exc:
            error("period", next(iter(exc.errors.values())))
            continue
        period = f"{year}-{month:02d}"
        house_no = str(values.get("house_no") or "").strip()
        if house_no and meter.house_no and house_no != meter.house_no:
            error("house_no", gettext("Meter %(number)s is the meter of house %(house)s, not of %(typed)s: check "
                                      "the row.", number=meter_no, house=meter.house_no, typed=house_no))
            continue
        if period > current and period not in confirm_periods and period not in result.future:
            result.future.append(period)
        if meter.id in seen:
            error("number", gettext("Meter %(number)s is on row %(row)d already: one row per meter.",
                                    number=meter_no, row=seen[meter.id]))
            continue
        seen[meter.id] = number
        past = before(meter, period, history.get(meter.id, []))
        if past.same:
            error("period", gettext("Meter %(number)s has a reading of %(period)s already; change it on the "
                                    "reading sheet.", number=meter_no, period=period))
            continue
        if past.later:
            error("period", gettext("Meter %(number)s has a reading of %(later)s already: a reading of an earlier "
                                    "month cannot be entered now.", number=meter_no, later=past.later))
            continue
        replaced = values.get("old_final") is not None or values.get("new_start") is not None
        checked = evaluate(past.previous, values.get("current"), replaced, values.get("old_final"),
                           values.get("new_start"), past.average, meter.scope == "house", multiple,
                           replaced_hint=replaced_hint)
        amount = None
        if values.get("amount") is not None:
            if meter.scope != "common":
                checked.errors["amount"] = gettext("Only a common meter's reading has a utility bill amount.")
            else:
                from app.core.rules import check_money

                amount = check_money(checked.errors, values.get("amount"), "amount", _label("amount"),
                                     high=Decimal("9999999.99"))
        for name, message in checked.errors.items():
            error("old_final" if name == "replaced" else name, message)
        if checked.errors:
            continue
        result.flagged += checked.flagged
        out.append({"meter_id": meter.id, "period": period, "previous": past.previous,
                    "current": checked.current, "replaced": replaced, "old_final": checked.old_final,
                    "new_start": checked.new_start,
                    "usage": checked.usage, "amount": amount, "average": past.average,
                    "state": "flagged" if checked.flagged else "ok", "read_by": actor.name, "read_at": now,
                    "confirmed_by": None, "confirmed_at": None})
    if result.errors or result.future:
        db.session.rollback()
        return result
    try:
        for i in range(0, len(out), 5000):
            db.session.execute(insert(MeterReading), out[i:i + 5000])
        with force_locale("zh"):
            label = gettext("Meter reading import: %(file)s", file=filename or "-")
        log_event(db.session, "import", MeterReading.__tablename__, "", label,
                  {"readings": [None, len(out)], "flagged": [None, result.flagged], "file": filename})
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if "uq_billing_meter_reading_period" in str(exc) or "UNIQUE" in str(exc).upper():
            return ReadingImport(errors=[(None, "", gettext(
                "Someone entered readings of these meters while the file was imported; nothing was imported. "
                "Please import the file again."))], rows=len(records))
        raise
    return result


def template_rows(community_id, building, kind: str, period) -> list[list]:
    """The rows of a sheet's template: one per meter of the building (0: the community's common meters) and
    type, in the sheet's order, with its 表号, 房号 (or the common meter's name), the month, the previous
    reading and what is entered already. RuleViolation as meters.sheet."""
    data = sheet(community_id, building, kind, period)
    out = []
    for row in data["rows"]:
        meter, reading = row["meter"], row["reading"]
        out.append([meter.number, meter.house.house_no if meter.house else (meter.name or ""), data["period"],
                    reading.previous if reading else row["previous"], reading.current if reading else None,
                    reading.old_final if reading else None, reading.new_start if reading else None,
                    reading.amount if reading else None])
    return out


def import_template(community_id=None, building=None, kind: str = "water", period=None) -> bytes:
    """The Excel template: with a community chosen, pre-filled with the meters of the building and type (their
    real numbers, houses and previous readings; the current reading to type); else one example row."""
    from app.core.excel import Sheet, write_workbook

    heads = import_headers()
    rows = template_rows(community_id, building, kind, period or current_period()) if community_id else []
    if not rows:
        sample = db.session.execute(select(Meter.number, House.house_no).join(House, House.id == Meter.house_id)
                                    .order_by(Meter.id).limit(1)).first()
        rows = [[sample.number if sample else "S000101", sample.house_no if sample else "1-1-101", current_period(),
                 None, Decimal("1035.50"), None, None, None]]
    with force_locale("zh"):
        notes = [
            [header("number"), gettext("Yes"), gettext("The meter's number as registered under Meters.")],
            [header("house_no"), gettext("No"), gettext("The house (or the common meter's name), to check the row: "
                                                        "a meter of another house is refused.")],
            [header("period"), gettext("Yes"), gettext("Year-month, e.g. 2026-11.")],
            [header("previous"), gettext("No"), gettext("For reference only: the system takes the previous "
                                                        "reading from the meter's last reading.")],
            [header("current"), gettext("Yes"), gettext("The meter's reading now, at most two decimals. A row "
                                                        "left empty is a meter not read: it is skipped.")],
            [header("old_final"), gettext("No"), gettext("Only when the meter was replaced this month, with the "
                                                         "new meter's start reading.")],
            [header("new_start"), gettext("No"), gettext("Only when the meter was replaced this month.")],
            [header("amount"), gettext("No"), gettext("Common meters only: the amount of the utility's bill; "
                                                      "empty: usage × the shared item's unit price.")],
            ["", "", gettext("If any row is wrong, nothing is imported; every problem is listed with its row. "
                             "Readings of a month after the current one are imported only after you confirm them.")],
        ]
        return write_workbook([
            Sheet(title=gettext("Meter readings"), headers=heads, rows=rows, text_columns=[0, 1, 2]),
            Sheet(title=gettext("Instructions"),
                  headers=[gettext("Column"), gettext("Required"), gettext("Allowed values and notes")],
                  rows=notes, widths={2: 90}),
        ])
