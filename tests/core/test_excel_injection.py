"""Formula injection (OWASP CSV injection): a text that starts like a formula stays text in every export."""
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.excel import Sheet, write_workbook
from app.estate.models import Owner, Resident
from app.estate.services import prepare_person
from app.extensions import db
from app.security import roles
from tests.conftest import resident_id

HOSTILE = ["=1+1", "=HYPERLINK(\"http://evil.example\",\"点我\")", "+86 138", "-2+3", "@SUM(A1:A2)",
           "\t=cmd|' /C calc'!A0", "\r=1+1"]


def _cells(data: bytes):
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in ws.iter_rows()]


def test_text_starting_like_a_formula_is_written_as_plain_text():
    rows = [[text, Decimal("-12.50"), -3, date(2026, 11, 20), datetime(2026, 11, 20, 9, 30)] for text in HOSTILE]
    data = write_workbook([Sheet(title="t", headers=["=header", "金额", "数", "日期", "时间"], rows=rows)])
    cells = _cells(data)
    header, body = cells[0], cells[1:]
    assert header[0].value == "=header" and header[0].data_type == "s"
    for text, row in zip(HOSTILE, body):
        cell = row[0]
        # the text as typed (XML keeps a CR as a line break), a string, with Excel's quote prefix: no apostrophe
        assert cell.value == text.replace("\r", "\n") and cell.data_type == "s" and cell.quotePrefix
        assert not str(cell.value).startswith("'")
        # numbers and dates stay numbers and dates, negative ones too
        assert row[1].value == Decimal("-12.50") or row[1].value == -12.5
        assert row[1].data_type == "n" and row[2].value == -3 and row[2].data_type == "n"
        assert row[3].data_type == "d" and row[4].data_type == "d"
    assert b"<f>" not in _sheet_xml(data)


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_ordinary_text_is_not_marked():
    cells = _cells(write_workbook([Sheet(title="t", headers=["名称"], rows=[["翠湖花园"], ["1-1-0101"]])]))
    assert [c[0].value for c in cells[1:]] == ["翠湖花园", "1-1-0101"]
    assert not any(c[0].quotePrefix for c in cells[1:])


@pytest.mark.parametrize("text", HOSTILE[:5])
def test_list_exports_keep_a_hostile_name_as_text(app, login_as, estate, text):
    with app.app_context():
        owner = Owner(kind="person", name=text, id_type="resident_id", id_number=resident_id("19900101"),
                      phone="13512345678", remark=text)
        resident = Resident(house_id=estate["houses"][0], name=text, relation="tenant", phone="13600003333")
        for person in (owner, resident):
            prepare_person(person)
        db.session.add_all([owner, resident])
        db.session.commit()
    c = login_as(roles.SERVICE)
    for url in ("/export/owners", "/residents/export.xlsx"):  # the owner export and any list's own export
        resp = c.get(url)
        assert resp.status_code == 200, url
        cells = [cell for row in _cells(resp.data) for cell in row if cell.value == text]
        assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells), url
        assert b"<f>" not in _sheet_xml(resp.data)
