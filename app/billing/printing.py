"""收据 (the receipt of a payment) as PDF, in two forms:

- "a4": a 收款收据 on half an A4 sheet, two per sheet with a cut line exactly across the middle (each half is
  A5); printed on plain paper as 第二联 交款人收执, the payer's copy. A receipt with too many lines for half a
  sheet gets a sheet of its own (and more when it needs them, the table's head repeated).
- "pin": the 241 × 93 mm continuous form of a pin (dot-matrix) printer, one receipt per form: up to
  PIN_MAX_ROWS item lines in one column, up to twice that in two columns, and a receipt with more items goes on
  over several forms (第 1 张 共 2 张, the same receipt number, each form's subtotal, the total on the last).
  Every item is printed: money is never summed out of sight.

Both render through app.core.pdf.render_pdf with templates/print/billing/receipt.html. What a receipt lists
comes from services.receipt(payment). The payer's name is printed (it belongs on a receipt); phone or ID
numbers a free text may hold (the payer field, the remark, the reason) are masked.
Counting prints (Payment.print_count, reprint_count) is the caller's business.
"""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from flask import Response
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.billing import services
from app.billing.models import Payment, PaymentLine
from app.core import masking
from app.core.formatting import _locale, format_money
from app.core.pdf import render_pdf
from app.estate.models import House
from app.estate.printing import pdf_response
from app.extensions import db

RECEIPT_FORMS = ("a4", "pin")
MAX_RECEIPTS_PER_PRINT = 500
# the continuous form has room for this many item lines in a column; more go in two columns, then onto more forms
PIN_MAX_ROWS = 6
# Half an A4 sheet holds the receipt's fixed parts and this many table lines. Texts are measured in half-width
# units (a Chinese character is 2, a Latin letter or digit 1); a line holds about this many of them: of a
# description in the table, of the issuer's name, of the payer or the house, of the remark line. (On the pin
# form every one of these stays on one line, cut short with "…" when it must.)
A4_HALF_LINES = 10
A4_UNITS = {"description": 64, "community": 30, "payer": 66, "house": 66, "notes": 150}


class TooManyReceipts(ValueError):
    pass


def receipt_print_options() -> tuple:
    """What a receipt shows besides the payment's own columns, loaded for the whole batch, one query per
    relationship."""
    return (
        selectinload(Payment.community),
        selectinload(Payment.house).selectinload(House.community),
        selectinload(Payment.lines).selectinload(PaymentLine.bill_line),
        selectinload(Payment.reversal_of),
    )


def payments_for_print(ids) -> list[Payment]:
    """The payments of `ids` in the order given (duplicates and unknown ids dropped), loaded for printing."""
    wanted: list[int] = []
    for value in ids:
        pid = int(value)
        if pid not in wanted:
            wanted.append(pid)
    if len(wanted) > MAX_RECEIPTS_PER_PRINT:
        raise TooManyReceipts(gettext(
            "At most %(n)d receipts can be printed at once; %(m)d were chosen. Please print in batches.",
            n=MAX_RECEIPTS_PER_PRINT, m=len(wanted)))
    if not wanted:
        return []
    found = {p.id: p for p in db.session.scalars(select(Payment).where(Payment.id.in_(wanted))
                                                 .options(*receipt_print_options()))}
    return [found[i] for i in wanted if i in found]


def receipt_pdf(payments: list[Payment], form: str = "a4", reprint: bool = False) -> bytes:
    """收据 of the payments in the given order: `form` "a4" (two per A4 sheet) or "pin" (the 241 × 93 mm
    continuous form, one each). `reprint` marks every receipt 补打."""
    if form not in RECEIPT_FORMS:
        raise ValueError(f"receipt form must be one of {RECEIPT_FORMS}, not {form!r}")
    payments = list(payments)
    _preload(payments)
    receipts = [_receipt(p, form) for p in payments]
    sheets = [[f] for r in receipts for f in _pin_forms(r)] if form == "pin" else _sheets(receipts)
    return render_pdf("billing/receipt.html", form=form, sheets=sheets, reprint=reprint)


def receipt_response(payments: list[Payment], form: str = "a4", reprint: bool = False) -> Response:
    """The PDF inline, named 收据-SK2026-000001 (one receipt) or 收据-SK2026-000001-SK2026-000009 (a batch);
    pdf_response adds the day it was printed."""
    numbers = [p.receipt_no for p in payments]
    title = gettext("Receipt")
    if numbers:
        title += "-" + (numbers[0] if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}")
    return pdf_response(receipt_pdf(payments, form, reprint), title)


# ---------------------------------------------------------------------------- one receipt


def _receipt(payment: Payment, form: str) -> dict:
    """What one receipt shows, formatted."""
    data = services.receipt(payment)
    # the descriptions are the system's own ("物业服务费 2026-11", "有偿维修 BX20261120-000012"): not masked,
    # which would star an order number
    rows = [{"description": row["description"], "period": row["period"] or "",
             "amount": row["amount"]} for row in data["rows"]]
    for number, row in enumerate(rows, 1):
        row["number"] = number
        row["value"] = row["amount"]
        row["amount"] = amount_text(row["amount"])
    stamp = note = ""
    if payment.kind == "reversal":
        stamp = gettext("Reversing entry")
        original = payment.reversal_of
        note = f"{gettext('Reverses receipt')} {original.receipt_no if original is not None else ''}".strip()
    elif payment.state != "valid":
        stamp = payment.state_label()
    community = payment.community
    house = payment.house
    return {
        "payment": payment,
        "receipt_no": payment.receipt_no,
        "community": community.name if community is not None else "",
        "house": " ".join(x for x in (community.name if community is not None else "",
                                      house.house_no if house is not None else "") if x),
        "payer": masking.mask_text(payment.payer_name),
        "paid_at": when(payment.paid_at),
        "method": payment.method_label(),
        "cashier": masking.mask_text(payment.cashier_name),
        "remark": masking.mask_text(payment.remark),
        "tender": _tender_text(payment),
        "reason": masking.mask_text(payment.reason) if stamp else "",
        "rows": rows,
        "total": format_money(data["total"]),
        "total_upper": data["total_upper"],
        "stamp": stamp,
        "note": note,
    }


def _tender_text(payment: Payment) -> str:
    """实收 ¥300.00，找零 ¥50.52 for cash handed over; 交易单号 4200001234 for an electronic payment."""
    if payment.tendered is not None:
        return gettext("Cash tendered %(tendered)s, change %(change)s", tendered=format_money(payment.tendered),
                       change=format_money(payment.change_given or 0))
    if payment.reference:
        return gettext("Transaction number %(ref)s", ref=payment.reference)
    return ""


def _pin_forms(receipt: dict) -> list[dict]:
    """The continuous forms one receipt takes: one column of up to PIN_MAX_ROWS items, two columns of up to
    PIN_MAX_ROWS each, and beyond that as many forms as it needs (each with its subtotal; the total and the
    amount in words on the last)."""
    rows = receipt["rows"]
    per_form = PIN_MAX_ROWS * (2 if len(rows) > PIN_MAX_ROWS else 1)
    chunks = [rows[i:i + per_form] for i in range(0, len(rows), per_form)] or [[]]
    forms = []
    for index, chunk in enumerate(chunks, 1):
        height = -(-len(chunk) // 2) if per_form > PIN_MAX_ROWS else len(chunk)
        columns = [chunk[:height], chunk[height:]] if per_form > PIN_MAX_ROWS else [chunk]
        subtotal = sum((row["value"] for row in chunk), Decimal("0.00"))
        forms.append(dict(receipt, columns=columns, form_no=index, form_count=len(chunks),
                          last_form=index == len(chunks), subtotal=amount_text(subtotal)))
    return forms


def _width(text: str | None) -> int:
    return sum(2 if ord(ch) > 0x2e7f else 1 for ch in (text or ""))


def _lines(text: str | None, units: int) -> int:
    return max(1, -(-_width(text) // units))


def _half(receipt: dict) -> bool:
    """Does the receipt fit half an A4 sheet?"""
    lines = sum(_lines(r["description"], A4_UNITS["description"]) for r in receipt["rows"])
    notes = "；".join(receipt[key] for key in ("tender", "note", "reason", "remark") if receipt[key])
    lines += _lines(notes, A4_UNITS["notes"]) - 1
    for key in ("community", "payer", "house"):
        lines += _lines(receipt[key], A4_UNITS[key]) - 1
    return lines <= A4_HALF_LINES


def _sheets(receipts: list[dict]) -> list[list[dict]]:
    """Receipts grouped by A4 sheet: two that fit half a sheet share one, a long one has one to itself."""
    sheets: list[list[dict]] = []
    for receipt in receipts:
        receipt["half"] = _half(receipt)
        last = sheets[-1] if sheets else None
        if receipt["half"] and last is not None and len(last) == 1 and last[0]["half"]:
            last.append(receipt)
        else:
            sheets.append([receipt])
    return sheets


def _preload(payments: list[Payment]) -> None:
    """Load what the receipts print for the whole batch in a few queries (instead of a few per receipt)."""
    ids = [p.id for p in payments if p.id is not None]
    if ids:
        db.session.scalars(select(Payment).where(Payment.id.in_(ids)).options(*receipt_print_options())).all()


# ---------------------------------------------------------------------------- formats


def amount_text(value) -> str:
    """An amount in the table: 1,234.50; −360.33 on a reversing entry (the column says it is in 元)."""
    from babel.numbers import format_decimal

    return format_decimal(Decimal(value), format="#,##0.00;-#,##0.00", locale=_locale())


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


# ---------------------------------------------------------------------------- 缴费通知单 / 催缴通知单

# Households rendered per WeasyPrint document: its layout is kept in memory until the document is written,
# so a batch is rendered this many pages at a time into files, joined at the end (memory stays flat).
NOTICE_CHUNK = 50


def notices_pdf(request, ids: list[int], out, progress=None) -> int:
    """The notices of the households `ids` (in that order, one page each; two for one with more lines than
    a page holds, see _notice_pages) as one PDF written to the binary file `out`, rendered NOTICE_CHUNK
    households at a time into temporary files that are then joined (see app.core.pdf.join_pdfs);
    progress(done, total) after each chunk. Returns the number of pages. Any number of households (the page
    limits a request: notices.MAX_NOTICES)."""
    import os
    import tempfile
    from io import BytesIO

    from flask import current_app
    from pypdf import PdfReader

    from app.billing import notices
    from app.core.pdf import join_pdfs

    office_note = current_app.config.get("BILLING_NOTICE_PAYMENT_NOTE")
    pages = 0
    with tempfile.TemporaryDirectory(prefix="pm-notices-") as tmp:
        paths = []
        for start in range(0, max(len(ids), 1), NOTICE_CHUNK):
            chunk = notices.notices(request, ids[start:start + NOTICE_CHUNK])
            pdf = render_pdf("billing/notice.html", request=request,
                             notices=[_notice_text(n, request.kind) for n in chunk],
                             kind_label=notices.NOTICE_KINDS[request.kind], office_note=office_note)
            pages += len(PdfReader(BytesIO(pdf)).pages)
            paths.append(os.path.join(tmp, f"{len(paths):05d}.pdf"))
            with open(paths[-1], "wb") as fh:
                fh.write(pdf)
            del chunk, pdf
            # the session would otherwise keep every house and line it loaded until the request ends
            db.session.expire_all()
            if progress is not None:
                progress(min(start + NOTICE_CHUNK, len(ids)), len(ids))
        join_pdfs(paths, out)
    return pages


def _notice_text(notice: dict, kind: str = "bill") -> dict:
    """A notice's figures formatted for the form, its table laid out in pages (see _notice_pages)."""
    out = dict(notice)
    house = notice["house"]
    community = house.community
    out["community"] = community.name if community is not None else ""
    out["address"] = community.address if community is not None else ""
    out["phone"] = community.phone if community is not None else ""
    # "物业服务费 2026-11" is printed "物业服务费": the period has a column of its own
    out["rows"] = [dict(r, amount=amount_text(r["amount"]), late_fee=amount_text(r["late_fee"]),
                        description=_without_period(r["description"], r["period"]),
                        due_date=f"{r['due_date']:%Y-%m-%d}") for r in notice["rows"]]
    out["has_late_fee"] = notice["late_fees"] > 0
    out["balance_raw"] = notice["balance"]
    for key in ("current", "earlier", "late_fees", "total", "balance", "to_pay"):
        out[key] = format_money(notice[key])
    out["area"] = f"{notice['area']}㎡" if notice["area"] is not None else ""
    out["pay_by"] = f"{notice['pay_by']:%Y-%m-%d}"
    out["pages"] = _notice_pages(out, kind)
    return out


def _without_period(description: str, period: str) -> str:
    """"水费 2026-10 S000012" → "水费 S000012"; "物业服务费 2026-10至2026-12" (a quarter) stays as it is."""
    return re.sub(rf"\s{re.escape(period)}(?=\s|$)", "", description).strip() or description


# The notice's layout on A4 (templates/print/billing/notice.html), estimated in mm so that a household gets one
# page, and a household with more lines than a page holds gets a second (its 房号 and 第 2 页 at its top).
# NOTICE_MM: the page's height inside its margins; the parts above the table on the first page and on a
# continuation page; the parts below it (the balance, how to pay, the office's name and the seal beside them);
# the table's head; a row's padding and border, a line of the table's 9pt type, of a long basis' 8pt type. (The
# page is 267 mm: 5 mm are kept for what the estimate misses.)
NOTICE_MM = {"page": 262, "head": 60, "continued": 12, "foot": 40, "thead": 10, "row": 1.9, "line": 4.15,
             "small_line": 3.7}
# the widths in mm of the 收费项目 and 计费依据 columns, by kind and whether late fees are shown (the other
# columns have fixed widths: 178 mm in all); a text's width is estimated in half-width units (a Chinese
# character is 2) of this many mm in the 9pt type, a bit less in 8pt
NOTICE_COLUMNS = {"bill": (34, 83), "bill+fee": (30, 73), "reminder": (30, 77), "reminder+fee": (29, 64)}
UNIT_MM = {9: 1.55, 8: 1.4}
CELL_PADDING_MM = 2.4


def _units(mm: float, size: int) -> int:
    return int((mm - CELL_PADDING_MM) / UNIT_MM[size] * 0.95)  # (lines break between words, not anywhere)


def _notice_pages(notice: dict, kind: str) -> list[dict]:
    """The notice's table as rows ("group", "line", "sub", "total") with their estimated heights, in pages:
    all on one when they fit one with the head and the foot (the demo's longest household does, with room to
    spare); otherwise cut by _cut, each page after the first a continuation page."""
    layout = kind + ("+fee" if notice["has_late_fee"] else "")
    desc_mm, basis_mm = NOTICE_COLUMNS[layout]
    desc_units, basis_units, small_units = _units(desc_mm, 9), _units(basis_mm, 9), _units(basis_mm, 8)
    mm = NOTICE_MM
    rows: list[dict] = []
    if kind == "reminder":
        groups = [("", notice["rows"], "")]
    else:
        groups = [(gettext("This period"), [r for r in notice["rows"] if r["current"]], notice["current"]),
                  (gettext("Earlier charges unpaid"), [r for r in notice["rows"] if not r["current"]],
                   notice["earlier"])]
    number = 0
    for title, lines, subtotal in groups:
        if not lines:
            continue
        if title:
            rows.append({"type": "group", "title": title, "mm": mm["row"] + mm["line"]})
        for line in lines:
            number += 1
            small = _width(line["basis"]) > basis_units
            height = max(_lines(line["description"], desc_units) * mm["line"],
                         _lines(line["basis"], small_units) * mm["small_line"] if small
                         else _lines(line["basis"], basis_units) * mm["line"])
            rows.append(dict(line, type="line", no=number, small=small, mm=mm["row"] + height))
        if title:
            rows.append({"type": "sub", "title": gettext("Subtotal"), "amount": subtotal,
                         "mm": mm["row"] + mm["line"]})
    if notice["has_late_fee"]:
        rows.append({"type": "sub", "late_fees": True, "amount": notice["late_fees"],
                     "mm": mm["row"] + mm["line"]})
    rows.append({"type": "total", "mm": mm["row"] + mm["line"] + 1})
    room = mm["page"] - mm["head"] - mm["thead"]
    if sum(r["mm"] for r in rows) <= room - mm["foot"]:
        pages = [rows]
    else:
        pages = _cut(rows, room, mm)
    return [{"rows": page, "number": i, "count": len(pages), "first": i == 1, "last": i == len(pages),
             "columns": (desc_mm, basis_mm)} for i, page in enumerate(pages, 1)]


def _cut(rows: list[dict], room: float, mm: dict) -> list[list[dict]]:
    """Rows too many for one page, cut into pages: each filled (a group's title not left at a page's foot),
    the foot under the last rows, the last lines going with it to a page of their own when it does not fit."""
    pages, page, used = [], [], 0.0
    for row in rows:
        if page and used + row["mm"] > room:
            carried = [page.pop()] if page[-1]["type"] == "group" else []  # a group's title goes with its lines
            pages.append(page)
            page, room = carried, mm["page"] - mm["continued"] - mm["thead"]
            used = sum(r["mm"] for r in page)
        page.append(row)
        used += row["mm"]
    if used > room - mm["foot"]:  # no room for the foot under the last rows: the last lines go with it
        cut = len(page)
        while cut > 1 and not any(r["type"] == "line" for r in page[cut:]):
            cut -= 1
        while cut > 1 and page[cut - 1]["type"] == "group":
            cut -= 1
        pages.append(page[:cut])
        page = page[cut:]
    pages.append(page)
    return pages


# ---------------------------------------------------------------------------- 收费日报 and 收费率


def month_text(year: int, month: int) -> str:
    """2026年11月 (Nov 2026 in English)."""
    from datetime import date

    from babel.dates import format_skeleton

    return format_skeleton("yMMM", date(year, month, 1), locale=_locale())


def daily_report_pdf(report: dict, printed_by: str, printed_at: datetime) -> bytes:
    """收费日报 of reports.daily_report on A4 landscape, with the boxes to sign. Free texts (payer, reason) are
    masked."""
    from app.core.money import rmb_upper

    return render_pdf("billing/daily_report.html", report=report, printed_by=printed_by, printed_at=printed_at,
                      amount=amount_text, when=when, mask=masking.mask_text, upper=rmb_upper)


def daily_report_response(report: dict, printed_by: str, printed_at: datetime | None = None) -> Response:
    title = f"{gettext('Daily collection report')}-{report['day']:%Y%m%d}"
    return pdf_response(daily_report_pdf(report, printed_by, printed_at or clock.now()), title)


def collection_rate_pdf(result: dict, printed_by: str) -> bytes:
    """月度收费率统计表 of reports.collection_rate on A4 landscape, with the boxes to sign."""
    from app.billing.reports import RATE_LABELS, rate_note, show_percent

    return render_pdf("billing/collection_rate.html", result=result, printed_by=printed_by, amount=amount_text,
                      when=when, show=show_percent, labels=RATE_LABELS, note=rate_note(),
                      month_text=month_text(result["year"], result["month"]))


def collection_rate_response(result: dict, printed_by: str) -> Response:
    return pdf_response(collection_rate_pdf(result, printed_by), f"{gettext('Collection rate')}-{result['period']}")


def statement_response(data: dict, printed_by: str, printed_at: datetime | None = None) -> Response:
    """对账单 of billing.statement.statement on A4, the table heads repeated on a long one."""
    from app.core.money import rmb_upper

    pdf = render_pdf("billing/statement.html", s=data, printed_by=printed_by, printed_at=printed_at or clock.now(),
                     upper=rmb_upper, amount=amount_text, when=when)
    return pdf_response(pdf, f"{gettext('Statement of account')}-{data['house'].house_no}")


def disclosure_response(d: dict) -> Response:
    """收支公示 of billing.disclosure.monthly as an A4 poster."""

    pdf = render_pdf("billing/disclosure.html", d=d, money=amount_text, month_text=month_text(d["year"], d["month"]),
                     printed_on=f"{clock.today():%Y-%m-%d}")
    return pdf_response(pdf, f"{gettext('Monthly statement of income and expenses')}-{d['period']}")
