"""The Excel import guard on its own: the row numbers as openpyxl counts them (numbered or not, with a namespace
prefix, a tag cut by a read boundary), the declared columns, the compression ratio; a real sheet passes."""
import io
import os
import zipfile

import pytest

from app.core import xlsx_guard
from app.core.excel import ExcelError, workbook_bytes

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.test_request_context():
        yield


def _zip(xml: str | bytes, name: str = SHEET) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, xml)
    return out.getvalue()


def _sheet(rows: str, dimension: str = "") -> str:
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{dimension}<sheetData>{rows}</sheetData></worksheet>")


def _refused(data: bytes, max_rows: int = 10) -> str:
    with pytest.raises(ExcelError) as caught:
        xlsx_guard.check_workbook(data, max_rows)
    return str(caught.value)


def test_a_real_sheet_passes_with_the_bounds_of_its_import():
    data = workbook_bytes(["房号", "读数"], [[f"1-{i}", i] for i in range(2000)])
    bounds = xlsx_guard.check_workbook(data, 2000)
    assert bounds.rows == 2000 + xlsx_guard.ROW_MARGIN and bounds.columns == xlsx_guard.MAX_COLUMNS


def test_rows_without_numbers_are_counted_one_after_another():
    limit = 10 + xlsx_guard.ROW_MARGIN
    assert xlsx_guard.check_workbook(_zip(_sheet("<row/>" * limit)), 10)
    assert f"工作表延伸到第 {limit + 1} 行" in _refused(_zip(_sheet("<row/>" * (limit + 1))))
    # a numbered row, then unnumbered ones go on from it
    assert f"第 {limit + 1} 行" in _refused(_zip(_sheet(f'<row r="{limit}"/><row></row>')))


def test_a_prefixed_row_element_counts_too():
    xml = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           '<x:row spans="1:2" r="5000000"><x:c r="A5000000"/></x:row></x:sheetData></x:worksheet>')
    assert "第 5000000 行" in _refused(_zip(xml))


@pytest.mark.parametrize("at", [64 * 1024, 64 * 1024 + 1024 * 1024, 64 * 1024 + 2 * 1024 * 1024])
@pytest.mark.parametrize("cut", [1, 5, 9, 14])
def test_a_row_tag_cut_by_a_read_boundary_is_still_read(at, cut):
    tag = '<row r="7777777">'
    head = _sheet("")[:-len("</sheetData></worksheet>")]
    filler = "<!--" + os.urandom((at - cut - len(head)) // 2).hex() + "-->"  # incompressible: no ratio refusal
    filler = filler[:at - cut - len(head) - 3] + "-->"
    xml = head + filler + tag + "</row></sheetData></worksheet>"
    assert xml.index(tag) + cut == at
    assert "第 7777777 行" in _refused(_zip(xml))


def test_a_dimension_wider_than_any_template_is_refused():
    message = _refused(_zip(_sheet('<row r="1"/>', '<dimension ref="A1:XFD3"/>')))
    assert "工作表超过 200 列" in message
    assert "第 20000000 行" in _refused(_zip(_sheet('<row r="1"/>', '<dimension ref="$A$1:$Z$20000000"/>')))


def test_a_part_that_compresses_like_a_bomb_is_refused():
    assert "解压后的数据量远超" in _refused(_zip(b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>", "xl/styles.xml"))


def test_not_a_zip_is_a_damaged_file():
    assert "可能已损坏" in _refused(b"PK\x03\x04 not really")
