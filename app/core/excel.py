"""Excel (.xlsx) in and out, over openpyxl: plain functions, no request and no database.

- `write_workbook(sheets)` / `workbook_bytes(headers, rows)`: bold header row, frozen below it, column widths
  from the content (a Chinese character counts double), Decimal as a number with 2 decimals, dates as dates.
  Write-only mode: an export of 100,000 rows streams instead of building every cell in memory.
  Text that starts like a formula (= + - @ tab CR) stays text: a string cell with Excel's quote prefix.
- `read_sheet(data, required)`: the first sheet of an uploaded file as (headers, [(row number, {header: value})]).
  Strings are stripped, empty cells are None, fully empty rows are skipped, row numbers are Excel's own.
  Anything that is not a readable .xlsx file, an empty sheet or missing columns raise ExcelError with a
  message for the user.
"""
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Iterable, Sequence

from flask_babel import gettext

XLSX_SIGNATURE = b"PK\x03\x04"  # an .xlsx file is a zip archive
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and other Office 97 files)
MAX_WIDTH = 50
MIN_WIDTH = 8


class ExcelError(ValueError):
    """The uploaded file cannot be used; str(exc) says why, for the user."""


# ------------------------------------------------------------------------------------------------- writing

@dataclass
class Sheet:
    """One worksheet to write. `text_columns`: indexes (0-based) formatted as text, so that 0501 stays 0501
    when typed in Excel; `choices`: {index: [allowed values]} offered as a drop-down on `choice_rows` rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence] = ()
    text_columns: Iterable[int] = ()
    choices: dict = field(default_factory=dict)
    choice_rows: int = 10000
    widths: dict = field(default_factory=dict)  # {index: width} overriding the computed width


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, Decimal):
        text = f"{value:,.2f}"
    elif isinstance(value, datetime):
        text = "2026-01-01 00:00"
    elif isinstance(value, date):
        text = "2026-01-01"
    else:
        text = str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "", str(title or "")).strip() or "Sheet1"
    return cleaned[:31]


def _write_sheet(wb, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(_sheet_title(sheet.title))
    headers = [str(h) for h in sheet.headers]
    rows = [list(r) for r in sheet.rows]
    text_columns = set(sheet.text_columns)
    widths = [_display_width(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row[:len(headers)]):
            widths[i] = max(widths[i], _display_width(value))
    # write-only: sheet settings go before the first row
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths):
        dim = ws.column_dimensions[_column_letter(i)]
        dim.width = sheet.widths.get(i) or min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
        if i in text_columns:
            dim.number_format = "@"
    for i, values in sheet.choices.items():
        if not values:
            continue
        formula = '"' + ",".join(str(v) for v in values) + '"'
        if len(formula) <= 255:  # Excel's limit for a literal list
            letter = _column_letter(i)
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            dv.add(f"{letter}2:{letter}{sheet.choice_rows + 1}")
            ws.data_validations.append(dv)

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    middle = Alignment(vertical="center")
    header_cells = []
    for h in headers:
        cell = _text_cell(ws, h)
        cell.font, cell.fill, cell.alignment = bold, fill, middle
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_cell(ws, value, i in text_columns) for i, value in enumerate(row)])


def _cell(ws, value, text: bool):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "0.00"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if text or not isinstance(value, (int, float)):  # str, and a lazily translated label
        cell = _text_cell(ws, value)
        cell.number_format = "@"
        return cell
    return value


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# OWASP's list of what makes a spreadsheet read a cell as a formula (CSV/formula injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(ws, value):
    """A text cell that stays text: control characters the file format forbids are dropped; a text that starts
    like a formula is written as a string (never a formula) with Excel's quote prefix, so that neither opening
    nor editing the cell evaluates it, and the reader sees the text as it is, no apostrophe added."""
    from openpyxl.cell import WriteOnlyCell

    text = _ILLEGAL.sub("", str(value))
    cell = WriteOnlyCell(ws, value=text)
    if text.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str, ascii_filename: str):
    """A download: the Chinese file name for browsers (RFC 5987 filename*), an ASCII one for the rest."""
    from urllib.parse import quote

    from flask import Response

    return Response(data, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",
    })


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx file of `sheets`, as bytes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb, sheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_bytes(headers: Sequence[str], rows: Iterable[Sequence], title: str = "Sheet1",
                   text_columns: Iterable[int] = ()) -> bytes:
    """One sheet of `headers` and `rows`, as .xlsx bytes."""
    return write_workbook([Sheet(title=title, headers=headers, rows=rows, text_columns=text_columns)])


# ------------------------------------------------------------------------------------------------- reading

def normalize_header(text) -> str:
    """A header as compared: full-width forms folded, spaces and a required-marker * removed, and a trailing
    unit in brackets dropped, so "建筑面积（㎡）", "建筑面积(m2)" and " *建筑面积" all read "建筑面积"."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text))
    folded = re.sub(r"\s+", "", folded).strip("*")
    return re.sub(r"\([^()]*\)$", "", folded) or folded


def _number(value):
    """Excel keeps every number as a float: whole ones become int, others a Decimal of their shortest form."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
        try:
            d = Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - repr of a finite float is always a number
            return None
        if d.as_tuple().exponent < -9:  # 89.10000000000001, a float's noise: 89.1
            d = d.quantize(Decimal("1e-9")).normalize()
        return d
    return value


def _value(value, text: bool):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    value = _number(value)
    if text and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    return value


def read_sheet(data: bytes, required: Sequence[str] = (), text_columns: Iterable[str] = (),
               max_rows: int | None = None) -> tuple[list[str], list[tuple[int, dict]]]:
    """Read the first sheet of the .xlsx file `data`.

    Returns (headers, rows): the header row's texts (the first non-empty row), and for each non-empty row after
    it (its Excel row number, {header: value}). Headers are compared and returned normalised
    (`normalize_header`); `required` and `text_columns` name headers the same way. A number in a text column
    becomes text (501 → "501"). Raises ExcelError for a file that is not .xlsx, an empty file or sheet, a
    repeated or missing required column, or more than `max_rows` data rows.
    """
    if not data:
        raise ExcelError(gettext("The file is empty."))
    if data[:8] == OLE_SIGNATURE:
        raise ExcelError(gettext("This is an old Excel .xls file. Please save it as “Excel workbook (*.xlsx)” "
                                 "and upload it again."))
    if data[:4] != XLSX_SIGNATURE:
        raise ExcelError(gettext("This is not an Excel .xlsx file. Please save the sheet as “Excel workbook "
                                 "(*.xlsx)” and upload it again."))
    from app.core.xlsx_guard import check_workbook

    bounds = check_workbook(data, max_rows)  # a bomb is refused before openpyxl reads it
    wb = _load(data)
    try:
        if not wb.worksheets:
            raise ExcelError(gettext("The workbook has no worksheet."))
        return _read_rows(wb.worksheets[0], required, {normalize_header(t) for t in text_columns}, max_rows,
                          bounds)
    except ExcelError:
        raise
    except Exception as exc:  # a damaged part of the archive shows only while the rows are read
        raise ExcelError(_damaged()) from exc
    finally:
        wb.close()


def _damaged() -> str:
    return gettext("The file could not be read as an Excel workbook; it may be damaged. Please save it again "
                   "as .xlsx and upload it again.")


def _load(data: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExcelError(_damaged()) from exc
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        # a zip, but not a workbook (a .docx, a folder of photos ...)
        raise ExcelError(gettext("This is not an Excel .xlsx file. Please save the sheet as “Excel workbook "
                                 "(*.xlsx)” and upload it again."))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, XML errors, InvalidFileException ...)
        raise ExcelError(_damaged()) from exc


def _read_rows(ws, required, text_headers: set, max_rows, bounds):
    headers: list[str] | None = None
    rows: list[tuple[int, dict]] = []
    # read-only streaming, never past the guard's bounds (openpyxl fills in every row and column it skips)
    width = min(ws.max_column or bounds.columns, bounds.columns)
    for number, raw in enumerate(ws.iter_rows(max_row=bounds.rows, max_col=width, values_only=True), start=1):
        if headers is None:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
                continue
            headers = [normalize_header(v) for v in raw]
            seen = set()
            for h in headers:
                if h and h in seen:
                    raise ExcelError(gettext("The column %(column)s appears more than once.", column=h))
                seen.add(h)
            missing = [normalize_header(c) for c in required if normalize_header(c) not in seen]
            if missing:
                raise ExcelError(gettext("These columns are missing: %(columns)s. Please use the import template.",
                                         columns="、".join(missing)))
            continue
        record = {}
        for h, v in zip(headers, raw):
            if h:
                record[h] = _value(v, h in text_headers)
        if all(v is None for v in record.values()):
            continue
        rows.append((number, record))
        if max_rows is not None and len(rows) > max_rows:
            raise ExcelError(gettext("The sheet has more than %(n)d data rows; please split it into several files.",
                                     n=max_rows))
    if headers is None:
        raise ExcelError(gettext("The first sheet is empty: it has no header row."))
    if not rows:
        raise ExcelError(gettext("The first sheet has a header row but no data rows."))
    return [h for h in headers if h], rows
