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

from app.billing.meters import (MAX_ROWS, _check_reader, _history, _label, before, evaluate, jump_multiple)
from app.billing.models import Meter, MeterReading
from app.billing.periods import parse_period
from app.core import clock
from app.core.rules import Actor, RuleViolation, as_id
from app.estate.models import Community
from app.extensions import db


IMPORT_COLUMNS = [  # field, zh header label, required
    ("number", _l("Meter number"), True),
    ("period", _l("Billing period"), True),
    ("current", _l("Current reading"), True),
    ("old_final", _l("Old meter's final reading"), False),
    ("new_start", _l("New meter's start reading"), False),
    ("amount", _l("Utility bill amount (yuan)"), False),
]


def import_headers() -> list[str]:
    with force_locale("zh"):
        return [str(label) for _, label, _ in IMPORT_COLUMNS]


@dataclass
class ReadingImport:
    """errors: [(row number or None, column header, reason)]; empty when imported."""

    errors: list = field(default_factory=list)
    rows: int = 0
    flagged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def import_readings(data: bytes, community_id, actor: Actor, filename: str = "",
                    now: datetime | None = None) -> ReadingImport:
    """Readings from an Excel file (the template's columns), all rows or none: every row is checked first and
    every problem listed with its row; only a good file is written (in bulk) and committed."""
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
                             text_columns=[heads[0], heads[1]], max_rows=MAX_ROWS)
    except ExcelError as exc:
        return ReadingImport(errors=[(None, "", str(exc))])
    by_header = {normalize_header(h): f for h, (f, _, _) in zip(heads, IMPORT_COLUMNS)}
    header_of = {f: h for h, (f, _, _) in zip(heads, IMPORT_COLUMNS)}
    records = [(n, {by_header[h]: v for h, v in rec.items() if h in by_header}) for n, rec in rows]
    meters = {}
    numbers = sorted({str(v.get("number")) for _, v in records if v.get("number") is not None})
    for i in range(0, len(numbers), 900):
        for m in db.session.execute(select(Meter.id, Meter.start_reading, Meter.scope, Meter.number, Meter.active)
                                    .where(Meter.community_id == community_id,
                                           Meter.number.in_(numbers[i:i + 900]))):
            meters[m.number] = m
    history = _history([m.id for m in meters.values()])
    multiple = jump_multiple()
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
                           values.get("new_start"), past.average, meter.scope == "house", multiple)
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
    if result.errors:
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


def import_template() -> bytes:
    from app.core.excel import Sheet, write_workbook

    with force_locale("zh"):
        notes = [
            [import_headers()[0], gettext("Yes"), gettext("The meter's number as registered under Meters.")],
            [import_headers()[1], gettext("Yes"), gettext("Year-month, e.g. 2026-11.")],
            [import_headers()[2], gettext("Yes"), gettext("The meter's reading now, at most two decimals.")],
            [import_headers()[3], gettext("No"), gettext("Only when the meter was replaced this month, with the "
                                                         "new meter's start reading.")],
            [import_headers()[4], gettext("No"), gettext("Only when the meter was replaced this month.")],
            [import_headers()[5], gettext("No"), gettext("Common meters only: the amount of the utility's bill; "
                                                         "empty: usage × the shared item's unit price.")],
            ["", "", gettext("Row 2 of the first sheet is an example: replace or delete it before importing. If any "
                             "row is wrong, nothing is imported; every problem is listed with its row.")],
        ]
        return write_workbook([
            Sheet(title=gettext("Meter readings"), headers=import_headers(),
                  rows=[["W-1-0101", f"{clock.now():%Y-%m}", Decimal("1035.50"), None, None, None]],
                  text_columns=[0, 1]),
            Sheet(title=gettext("Instructions"),
                  headers=[gettext("Column"), gettext("Required"), gettext("Allowed values and notes")],
                  rows=notes, widths={2: 90}),
        ])


