"""The guard every Excel import passes before openpyxl reads a byte: an uploaded .xlsx is a zip archive, and
its 10 MB on disk say nothing of what it unpacks to (one shared string of 400 MB) or of the size its sheets
declare (20 million empty rows, which openpyxl fills in one by one).

`check_workbook(data, max_rows)` looks only at the archive's directory and streams each XML part once:

- the unpacked size of all parts together, the number of parts, and each large part's compression ratio;
- each sheet's declared size (`<dimension ref="A1:Z20000000"/>`) and the row numbers it really has (`<row r=…>`
  elements, numbered or not): a sheet reaching past the import's limit of rows is refused at once.

It returns the bounds (rows, columns) the reader then passes to openpyxl's read-only iteration, so that a part
the scan could not tell apart still cannot make the reader fill in more than the import takes.
Plain functions, no request and no database; the messages are for the user (ExcelError).
"""
import re
import zipfile
from dataclasses import dataclass

from flask_babel import gettext
from openpyxl.utils.cell import column_index_from_string

from app.core.excel import ExcelError, _damaged

MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # a 20,000-row owner file of 21 columns unpacks to ~22 MB
MAX_PARTS = 2_000
MAX_RATIO = 100  # a real sheet compresses 5–15 times; a bomb hundreds or thousands of times
RATIO_FROM_BYTES = 1024 * 1024  # small parts (styles, themes) may compress well: only larger ones are judged
MAX_COLUMNS = 200  # the widest import (a survey of 60 questions) has 62 columns
ROW_MARGIN = 1_000  # title lines and blank rows above or between the data
DEFAULT_MAX_ROWS = 100_000

_CHUNK = 1024 * 1024
_HEAD = 64 * 1024  # the <dimension> element comes before the sheet's data
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref="([^"]*)"')
_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])(?:[^>]*?\sr="(\d*)")?')
_REF = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d+)?$")


@dataclass(frozen=True)
class Bounds:
    """The most rows and columns the reader may produce for one sheet."""

    rows: int
    columns: int


def check_workbook(data: bytes, max_rows: int | None = None) -> Bounds:
    """Raise ExcelError if the .xlsx file `data` unpacks to too much or has a sheet reaching past
    `max_rows` data rows (plus a margin for titles and blank rows); else the bounds for reading it."""
    import io

    row_limit = (max_rows or DEFAULT_MAX_ROWS) + ROW_MARGIN
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExcelError(_damaged()) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise ExcelError(_too_much())
        total = 0
        for info in members:
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise ExcelError(_too_much())
            if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ExcelError(_too_much())
        for info in members:
            if info.filename.lower().endswith(".xml") and not info.is_dir():
                _check_part(archive, info, row_limit, max_rows or DEFAULT_MAX_ROWS)
    return Bounds(rows=row_limit, columns=MAX_COLUMNS)


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, row_limit: int, max_rows: int) -> None:
    """Stream one XML part: its declared dimension (in its head) and every row element's number."""
    try:
        with archive.open(info) as part:
            head = part.read(_HEAD)
            dimension = _DIMENSION.search(head)
            if dimension:
                _check_dimension(dimension.group(1).decode("ascii", "replace"), row_limit, max_rows)
            row, tail, buffer = 0, b"", head
            while buffer:
                text = tail + buffer
                keep = max(0, len(text) - 256)  # a tag's start cut by the chunk's end is matched next round
                for match in _ROW.finditer(text):
                    if text.find(b">", match.start()) < 0:  # the tag goes on in the next chunk
                        keep = match.start()
                        break
                    number = match.group(1)
                    row = int(number) if number else row + 1
                    if row > row_limit:
                        raise ExcelError(_too_many_rows(row, max_rows))
                    keep = max(keep, match.end())
                tail = text[keep:]
                if len(tail) > _CHUNK:  # one tag of a megabyte: not a sheet
                    raise ExcelError(_damaged())
                buffer = part.read(_CHUNK)
    except ExcelError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:  # a damaged or encrypted part
        raise ExcelError(_damaged()) from exc


def _check_dimension(ref: str, row_limit: int, max_rows: int) -> None:
    last = ref.split(":")[-1].strip()
    match = _REF.match(last)
    if not match:
        return  # not a cell reference: openpyxl ignores it too, and the rows are counted anyway
    letters, digits = match.groups()
    if letters and column_index_from_string(letters.upper()) > MAX_COLUMNS:
        raise ExcelError(gettext("The sheet has more than %(n)d columns; please keep only the template's columns.",
                                 n=MAX_COLUMNS))
    if digits and int(digits) > row_limit:
        raise ExcelError(_too_many_rows(int(digits), max_rows))


def _too_many_rows(row: int, max_rows: int) -> str:
    return gettext("The sheet reaches row %(row)d, more than the %(n)d rows one import takes. Please delete the "
                   "empty rows below the data, or split the file into several.", row=row, n=max_rows)


def _too_much() -> str:
    return gettext("The file unpacks to far more data than an import sheet holds; it is not a sheet made from "
                   "the template. Please copy the rows into the import template and upload that.")

