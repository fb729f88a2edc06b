"""Excel bombs built in the test from a real workbook (an import's own template): small on disk, huge once
unpacked or read. Each import's test uploads them through its page (see BOMBS) and asserts a quick refusal,
a Chinese message and nothing written.

- `far_row(data)`: the sheet's last row is numbered 20,000,000, no size declared (openpyxl fills in every row
  before it);
- `declared_rows(data)`: the sheet declares <dimension ref="A1:Z20000000"/> (openpyxl trusts it);
- `empty_rows(data)`: that dimension and 20 million empty `<row/>` elements (~120 MB unpacked, ~130 KB on disk);
- `huge_string(data)`: one shared string of 300 MB, streamed into the archive (the test's memory stays small).
"""
import io
import re
import time
import zipfile

from openpyxl import load_workbook

BOMB_ROWS = 20_000_000
STRING_MB = 300
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MARK = "BOMB-MARK"  # the cell whose shared string becomes the huge one
TIME_LIMIT = 3.0  # seconds; a bomb took 28–33 s before it was refused


def _with_mark(data: bytes) -> bytes:
    """The workbook saved by openpyxl (normal mode: shared strings) with a second row holding MARK."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    ws.append([MARK] + [None] * (ws.max_column - 1))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(data: bytes, replace: dict) -> bytes:
    """The archive with parts replaced or added: {name: writer(the part's text or "", stream)}."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        for name in names + [n for n in replace if n not in names]:
            text = src.read(name) if name in names else b""
            if name in replace:
                part = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                part.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(part, "w", force_zip64=True) as f:
                    replace[name](text.decode("utf-8"), f)
            else:
                dst.writestr(src.getinfo(name), text, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _stream(f, prefix: str, chunk: bytes, times: int, suffix: str) -> None:
    f.write(prefix.encode())
    for _ in range(times):
        f.write(chunk)
    f.write(suffix.encode())


def far_row(data: bytes) -> bytes:
    def sheet(text, f):
        row = f'<row r="{BOMB_ROWS}"><c r="A{BOMB_ROWS}" t="inlineStr"><is><t>x</t></is></c></row>'
        text = re.sub(r"<dimension[^>]*/>", "", text)  # no declared size: only the row tells
        f.write(text.replace("</sheetData>", row + "</sheetData>").encode())

    return _rewrite(_with_mark(data), {SHEET: sheet})


def _declare(text: str) -> str:
    text = re.sub(r"<dimension[^>]*/>", f'<dimension ref="A1:Z{BOMB_ROWS}"/>', text)
    assert "<dimension" in text
    return text


def declared_rows(data: bytes) -> bytes:
    return _rewrite(_with_mark(data), {SHEET: lambda text, f: f.write(_declare(text).encode())})


def empty_rows(data: bytes) -> bytes:
    def sheet(text, f):
        head, tail = _declare(text).split("</sheetData>")
        _stream(f, head, b"<row/>" * 10_000, BOMB_ROWS // 10_000, "</sheetData>" + tail)

    return _rewrite(_with_mark(data), {SHEET: sheet})


def huge_string(data: bytes) -> bytes:
    """The MARK cell made a reference to the only shared string, of STRING_MB megabytes."""
    def put(text: str, f, old: str, new: str) -> None:
        assert old in text
        f.write(text.replace(old, new, 1).encode())

    def sheet(text, f):
        cell = re.search(r'<c r="(A\d+)" t="inlineStr"><is><t>' + MARK + "</t></is></c>", text)
        put(text, f, cell.group(0), f'<c r="{cell.group(1)}" t="s"><v>0</v></c>')

    def strings(_text, f):
        _stream(f, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="%s" count="1" '
                   'uniqueCount="1"><si><t>' % MAIN_NS, b"A" * (1024 * 1024), STRING_MB, "</t></si></sst>")

    strings_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    strings_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    return _rewrite(_with_mark(data), {
        SHEET: sheet,
        "[Content_Types].xml": lambda t, f: put(t, f, "</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                                                 f'ContentType="{strings_type}"/></Types>'),
        "xl/_rels/workbook.xml.rels": lambda t, f: put(t, f, "</Relationships>", f'<Relationship Id="rIdBomb" '
                                                       f'Type="{strings_rel}" Target="sharedStrings.xml"/>'
                                                       "</Relationships>"),
        "xl/sharedStrings.xml": strings,
    })


TOO_MANY_ROWS = f"工作表延伸到第 {BOMB_ROWS} 行"
TOO_MUCH = "该文件解压后的数据量远超导入表格应有的大小"
# each shape and the Chinese message its refusal shows on the page
BOMBS = {"far_row": (far_row, TOO_MANY_ROWS), "declared_rows": (declared_rows, TOO_MANY_ROWS),
         "empty_rows": (empty_rows, TOO_MUCH), "huge_string": (huge_string, TOO_MUCH)}


def upload_bomb(shape: str, template: bytes, post, written) -> None:
    """Build the bomb `shape` from `template`, upload it with post(data) and assert: refused within TIME_LIMIT
    with its Chinese message on the page (HTTP 200), and written() the same before and after."""
    make, message = BOMBS[shape]
    bomb = make(template)
    assert len(bomb) < 1024 * 1024  # small on disk: well under the 10 MB upload limit
    before = written()
    start = time.perf_counter()
    resp = post(bomb)
    seconds = time.perf_counter() - start
    assert resp.status_code == 200, resp.status_code
    assert message in resp.get_data(as_text=True)
    assert seconds < TIME_LIMIT, seconds
    assert written() == before
