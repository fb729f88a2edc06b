"""业主档案 in Excel: import houses with owners (all rows or none), masked exports, the template."""
import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from flask_babel import force_locale, gettext
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.core.models import AuditLog
from app.core.validators import credit_code_check_char
from app.estate import importing
from app.estate.models import Building, Community, House, Owner, Ownership, Unit
from app.estate.services import prepare_person
from app.extensions import db
from app.security import roles
from tests.conftest import resident_id

ZS_ID = resident_id("19800101", "330106", "001")
LS_PASSPORT = "E12345678"
WW_ID = resident_id("19750505", "110105", "022")
COMPANY_BODY = "91330106MA27PQRT6"
COMPANY_ID = COMPANY_BODY + credit_code_check_char(COMPANY_BODY)
FIELDS = [c.field for c in importing.COLUMNS]
TABLES = (Community, Building, Unit, House, Owner, Ownership, AuditLog)


# ------------------------------------------------------------------------------------------------- helpers

def zh(msgid: str, **variables) -> str:
    """A message as the import writes it on a Chinese page (its msgid until the catalog has it)."""
    with force_locale("zh"):
        return gettext(msgid, **variables)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def heads(ctx):
    return {c.field: importing.header(c) for c in importing.COLUMNS}


def row(**values) -> dict:
    """A good row of 翠湖花园 (the `estate` fixture), owned by 张三; keyword arguments change or add cells."""
    base = {"community": "翠湖花园", "building": "3号楼", "unit": "2单元", "room_no": "0501", "floor": 5,
            "building_area": Decimal("89.50"), "inner_area": Decimal("70.12"), "layout": "三室两厅",
            "usage": "住宅", "status": "自住", "owner_name": "张三", "owner_kind": "个人", "id_type": "居民身份证",
            "id_number": ZS_ID, "phone": "13812345678", "emergency_contact": "李四 13912345678", "share": None,
            "certificate_no": "浙(2024)杭州市不动产权第0012345号", "delivered_on": date(2024, 5, 1),
            "moved_in_on": date(2024, 8, 1)}
    base.update(values)
    return base


def no_owner(**values) -> dict:
    return row(**{f: None for f in importing.OWNER_FIELDS}, **values)


APP = []


@pytest.fixture(autouse=True)
def _the_app(app):
    APP[:] = [app]


def xlsx(rows: list[dict], headers: list[str] | None = None) -> bytes:
    """A workbook as a clerk makes it: the header row, then one row per dict (cells in header order)."""
    with APP[0].test_request_context():
        heads = headers or importing.headers()
        by_header = {importing.header(c): c.field for c in importing.COLUMNS}
    wb = Workbook()
    ws = wb.active
    ws.append(heads)
    for r in rows:
        ws.append([r.get(by_header.get(h, h)) for h in heads])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def counts(app) -> tuple:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in TABLES)


def run_import(app, data: bytes, filename: str = "业主.xlsx"):
    with app.test_request_context():
        return importing.import_owners(data, filename)


def errors_at(result) -> set:
    return {(r, c) for r, c, _ in result.errors}


# ------------------------------------------------------------------------------------------------- good file

def test_a_good_file_imports_exactly_what_it_says(app, estate, heads):
    with app.app_context():  # 王五 is on file already: the import links him, and changes nothing of his
        ww = Owner(kind="person", name="王五", id_type="resident_id", id_number=WW_ID, phone="13700001111")
        prepare_person(ww)
        db.session.add(ww)
        db.session.commit()
        ww_id = ww.id
    rows = [
        row(share=None),  # 3号楼 and its 2单元 are created; share empty: 100
        row(building="3", unit="2", room_no=502, floor=5, owner_name="杭州翠湖贸易有限公司", owner_kind="单位",
            id_type=None, id_number=COMPANY_ID, phone=None, emergency_contact=None, usage="商铺",
            status="出租", certificate_no=None, delivered_on="2023/3/15", moved_in_on=None),
        row(building="1号楼", unit="1", room_no="0601", floor=6, owner_name="李四", id_type="护照",
            id_number=LS_PASSPORT.lower(), phone="+86 139-0000-2222", share=Decimal("50")),
        row(building="1号楼", unit="1", room_no="0601", floor=None, building_area=None, inner_area=None,
            layout=None, usage=None, status=None, owner_name="王五", id_number=WW_ID, phone="13600009999",
            share="50%"),  # a co-owner: the house cells may stay empty
        no_owner(building="1", unit="1单元", room_no="0701", floor=7, status="空置", layout=None),
        row(building="1", unit="2", room_no="0801", floor=8, id_number=ZS_ID.lower(), delivered_on=None,
            moved_in_on=None, usage=None, status=None),  # 张三 again: the same owner
    ]
    before = counts(app)
    result = run_import(app, xlsx(rows))
    assert result.errors == []
    assert (result.rows, result.houses, result.owners, result.ownerships, result.buildings, result.units) == \
        (6, 5, 3, 5, 1, 1)
    after = counts(app)
    assert [a - b for a, b in zip(after, before)] == [0, 1, 1, 5, 3, 5, 1 + 1 + 1]  # audit: building, unit, import
    with app.app_context():
        houses = {h.house_no: h for h in db.session.scalars(select(House).where(House.id.notin_(estate["houses"])))}
        assert sorted(houses) == ["1-1-0601", "1-1-0701", "1-2-0801", "3-2-0501", "3-2-502"]
        h = houses["3-2-0501"]
        assert (h.floor, h.building_area, h.inner_area, h.layout, h.usage, h.status) == \
            (5, Decimal("89.50"), Decimal("70.12"), "三室两厅", "residential", "occupied")
        assert h.community_id == estate["community"] and h.building.name == "3号楼" and h.unit.name == "2单元"
        assert houses["3-2-502"].room_no == "502" and houses["3-2-502"].usage == "shop"
        assert houses["1-1-0601"].building_id == estate["b1"] and houses["1-1-0601"].unit_id == estate["u11"]
        assert houses["1-2-0801"].unit_id == estate["u12"]
        assert (houses["1-1-0701"].status, houses["1-1-0701"].ownerships) == ("vacant", [])
        assert houses["1-2-0801"].usage == "residential" and houses["1-2-0801"].status == "vacant"

        zs = db.session.scalar(select(Owner).where(Owner.id_number == ZS_ID))
        assert (zs.name, zs.kind, zs.phone, zs.phone_tail, zs.name_pinyin, zs.name_initials) == \
            ("张三", "person", "13812345678", "5678", "zhangsan", "zs")
        assert sorted(o.house.house_no for o in zs.ownerships) == ["1-2-0801", "3-2-0501"]
        first = next(o for o in zs.ownerships if o.house.house_no == "3-2-0501")
        assert (first.share, first.started_on, first.delivered_on, first.moved_in_on, first.certificate_no) == \
            (Decimal("100.00"), date(2024, 5, 1), date(2024, 5, 1), date(2024, 8, 1),
             "浙(2024)杭州市不动产权第0012345号")
        later = next(o for o in zs.ownerships if o.house.house_no == "1-2-0801")
        assert later.started_on == date.today() and later.delivered_on is None

        company = db.session.scalar(select(Owner).where(Owner.id_number == COMPANY_ID))
        assert (company.kind, company.id_type, company.phone) == ("company", "business_license", None)
        assert company.ownerships[0].started_on == date(2023, 3, 15)

        ls = db.session.scalar(select(Owner).where(Owner.name == "李四"))
        assert (ls.id_type, ls.id_number, ls.phone) == ("passport", LS_PASSPORT, "13900002222")
        shares = {o.owner.name: o.share for o in houses["1-1-0601"].ownerships}
        assert shares == {"李四": Decimal("50.00"), "王五": Decimal("50.00")}
        ww = db.session.get(Owner, ww_id)
        assert ww.phone == "13700001111"  # an owner on file is linked, not changed

        logs = db.session.scalars(select(AuditLog).where(AuditLog.id > 0).order_by(AuditLog.id)).all()
        summary = [entry for entry in logs if entry.action == "import"]
        assert len(summary) == 1
        detail = json.loads(summary[0].changes)
        assert detail["house"] == [None, 5] and detail["owner"] == [None, 3] and detail["ownerships"] == [None, 5]
        assert "业主.xlsx" in summary[0].record_label
        created = {entry.table_name for entry in logs if entry.action == "create"}
        assert {"estate_building", "estate_unit"} <= created
        # personal data never reaches the audit log
        assert not any(ZS_ID in (entry.changes or "") or "13812345678" in (entry.changes or "") for entry in logs)


def test_numbers_typed_as_numbers_are_read_as_text_and_dates_as_dates(app, estate, heads):
    rows = [row(room_no=501, phone=13812345678, building=3, unit=2, floor="5", building_area="89.5",
                delivered_on="2024年5月1日", moved_in_on=20240801, share=100)]
    result = run_import(app, xlsx(rows))
    assert result.errors == []
    with app.app_context():
        house = db.session.scalar(select(House).where(House.house_no == "3-2-501"))
        assert house.building_area == Decimal("89.50") and house.floor == 5
        ownership = house.ownerships[0]
        assert (ownership.delivered_on, ownership.moved_in_on) == (date(2024, 5, 1), date(2024, 8, 1))
        assert ownership.owner.phone == "13812345678"


def test_headers_may_carry_units_and_marks_and_come_in_any_order(app, estate, heads):
    order = list(reversed(importing.COLUMNS))
    names = [importing.header(c) for c in order]
    names = [" *" + n.replace("(㎡)", "（m2）") if "(㎡)" in n else n for n in names]
    by_field = row()
    wb = Workbook()
    ws = wb.active
    ws.append(names)
    ws.append([by_field[c.field] for c in order])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = run_import(app, buffer.getvalue())
    assert result.errors == [] and result.houses == 1


# ------------------------------------------------------------------------------------------------- bad rows

BAD_ID = ZS_ID[:-1] + ("0" if ZS_ID[-1] != "0" else "1")
OTHER_ID = resident_id("19900101", "330106", "002")


def _bad_cases():
    """(name, rows, [(row number, column field)], text the first reason holds) — rows start at 2."""
    good = [row(room_no="0101", id_number=resident_id("19700101", "330106", "101"), owner_name="赵一"),
            row(room_no="0102", id_number=resident_id("19700102", "330106", "102"), owner_name="钱二")]
    return [
        ("bad resident ID", good + [row(room_no="0103", id_number=BAD_ID)], [(4, "id_number")], "校验位"),
        ("bad birth date in ID", good + [row(room_no="0103", id_number=resident_id("19900230"))],
         [(4, "id_number")], "出生日期"),
        ("bad phone", good + [row(room_no="0103", phone="12345678901")], [(4, "phone")], "手机号码"),
        ("unknown community", good + [row(room_no="0103", community="不存在花园")], [(4, "community")],
         "不存在花园"),
        ("same room twice in the file", [row(), row(id_number=OTHER_ID, owner_name="孙三", building_area="90")],
         [(3, "room_no")], "2"),
        ("same room twice, second without owner", [row(), no_owner()], [(3, "room_no")], "2"),
        ("house already in the system", good + [row(building="1", unit="1", room_no="0101", floor=1)],
         [(4, "room_no")], "房号重复"),
        ("area zero", good + [row(room_no="0103", building_area=0)], [(4, "building_area")], "必须大于 0"),
        ("area negative", good + [row(room_no="0103", building_area=Decimal("-12.5"))], [(4, "building_area")],
         "必须大于 0"),
        ("area with three decimals", good + [row(room_no="0103", building_area=Decimal("89.123"))],
         [(4, "building_area")], "最多保留两位小数"),
        ("area as words", good + [row(room_no="0103", building_area="八十九")], [(4, "building_area")], "数字"),
        ("shares over 100", good + [row(room_no="0103", share=60),
                                    row(room_no="0103", id_number=OTHER_ID, owner_name="孙三", share=60,
                                        floor=None, building_area=None)],
         [(4, "share"), (5, "share")], "120"),
        ("shares under 100", good + [row(room_no="0103", share=60),
                                     row(room_no="0103", id_number=OTHER_ID, owner_name="孙三", share=30)],
         [(4, "share"), (5, "share")], "90"),
        ("share over 100 on one row", good + [row(room_no="0103", share=150)], [(4, "share")], "100"),
        ("one owner twice on a house", good + [row(room_no="0103", share=50),
                                               row(room_no="0103", share=50)], [(5, "id_number")], ""),
        ("unknown usage label", good + [row(room_no="0103", usage="别墅")], [(4, "usage")], "别墅"),
        ("unknown status label", good + [row(room_no="0103", status="已售")], [(4, "status")], "已售"),
        ("unknown ID type label", good + [row(room_no="0103", id_type="军官证")], [(4, "id_type")], "军官证"),
        ("company with a resident ID", good + [row(room_no="0103", owner_kind="单位")], [(4, "id_type")],
         "营业执照"),
        ("missing floor", good + [row(room_no="0103", floor=None)], [(4, "floor")], "不能为空"),
        ("missing room number", good + [row(room_no=None)], [(4, "room_no")], "不能为空"),
        ("missing community", good + [row(room_no="0103", community=None)], [(4, "community")], ""),
        ("missing owner name", good + [row(room_no="0103", owner_name=None)], [(4, "owner_name")], "不能为空"),
        ("missing ID number", good + [row(room_no="0103", id_number=None)], [(4, "id_number")], "不能为空"),
        ("floor not a whole number", good + [row(room_no="0103", floor=Decimal("5.5"))], [(4, "floor")], "整数"),
        ("bad date", good + [row(room_no="0103", delivered_on="去年")], [(4, "delivered_on")], ""),
        ("moved in before handed over", good + [row(room_no="0103", moved_in_on=date(2020, 1, 1))],
         [(4, "moved_in_on")], ""),
        ("usable area over gross area", good + [row(room_no="0103", inner_area=Decimal("100"))],
         [(4, "inner_area")], ""),
        ("one ID, two names", good + [row(room_no="0103", id_number=good[0]["id_number"], owner_name="赵壹")],
         [(4, "owner_name")], "赵一"),
        ("a date typed into the room number", good + [row(room_no=date(2024, 5, 1))], [(4, "room_no")], ""),
        ("building name too long", good + [row(room_no="0103", building="楼" * 60)], [(4, "building")], ""),
        ("every bad row is listed", [row(room_no="0101", phone="123"), row(room_no="0102"),
                                     row(room_no="0103", phone="456", usage="别墅"), row(room_no="0104"),
                                     row(room_no="0105", building_area=-1)],
         [(2, "phone"), (4, "phone"), (4, "usage"), (6, "building_area")], "手机号码"),
    ]


@pytest.mark.parametrize("name,rows,where,text", _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_a_bad_row_refuses_the_whole_file(app, estate, heads, name, rows, where, text):
    before = counts(app)
    result = run_import(app, xlsx(rows))
    assert not result.ok
    expected = {(r, heads[f]) for r, f in where}
    assert errors_at(result) == expected, result.errors
    assert text in result.errors[0][2]
    assert all(reason and "%%" not in reason and "%(" not in reason for _, _, reason in result.errors)
    assert counts(app) == before  # nothing written: no house, owner, ownership, building, unit, audit row


def test_an_owner_on_file_with_another_name_is_refused(app, estate, heads):
    with app.app_context():
        o = Owner(kind="person", name="王五", id_type="resident_id", id_number=WW_ID)
        prepare_person(o)
        db.session.add(o)
        db.session.commit()
    before = counts(app)
    result = run_import(app, xlsx([row(id_number=WW_ID, owner_name="王伍")]))
    assert errors_at(result) == {(2, heads["owner_name"])}
    assert "王五" in result.errors[0][2]
    assert counts(app) == before


def test_a_house_in_an_existing_building_is_refused_when_already_there(app, estate, heads):
    result = run_import(app, xlsx([row(community="锦绣华庭", building="1号楼", unit="1单元", room_no="0101")]))
    assert errors_at(result) == {(2, heads["room_no"])}


# ------------------------------------------------------------------------------------------------- bad files

def _zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _workbook(*rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FILE_CASES = [
    ("empty file", lambda: b"", "The file is empty."),
    ("text renamed .xlsx", lambda: "小区,楼栋\n翠湖花园,1\n".encode(), "This is not an Excel .xlsx file."),
    ("csv", lambda: ",".join(importing.headers()).encode("gbk", "replace") + b"\r\n", "This is not an Excel"),
    ("old .xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Excel .xls"),
    ("a zip, not a workbook", lambda: _zip({"photo.jpg": b"\xff\xd8"}), "This is not an Excel .xlsx file."),
    ("a broken workbook", lambda: _zip({"xl/workbook.xml": b"<not xml", "[Content_Types].xml": b"<x/>"}),
     "could not be read"),
    ("a truncated workbook", lambda: _workbook(["小区"])[:300], "could not be read"),
    ("random bytes after PK", lambda: b"PK\x03\x04" + bytes(range(256)) * 20, "could not be read"),
    ("empty sheet", lambda: _workbook(), "no header row"),
    ("header only", lambda: _workbook(importing.headers()), "no data rows"),
    ("missing columns", lambda: _workbook(importing.headers()[:3] + importing.headers()[5:],
                                          ["翠湖花园"]), "missing"),
    ("repeated column", lambda: _workbook(importing.headers() + [importing.headers()[0]], ["翠湖花园"]),
     "more than once"),
]


@pytest.mark.parametrize("name,make,text", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_a_file_that_is_not_the_sheet_gives_one_clear_message(app, estate, ctx, name, make, text):
    before = counts(app)
    result = run_import(app, make())
    assert len(result.errors) == 1 and result.errors[0][0] is None, result.errors
    message = result.errors[0][2]
    english = importing_message_ids(text)
    assert any(zh(m) in message or zh(m).split("%")[0] in message for m in english), message
    assert counts(app) == before


def importing_message_ids(fragment: str) -> list[str]:
    """The msgids of the excel module holding `fragment` (so the test reads the same in both languages)."""
    ids = {
        "The file is empty.",
        "This is not an Excel .xlsx file. Please save the sheet as “Excel workbook (*.xlsx)” and upload it again.",
        "This is an old Excel .xls file. Please save it as “Excel workbook (*.xlsx)” and upload it again.",
        "The file could not be read as an Excel workbook; it may be damaged. Please save it again as .xlsx and "
        "upload it again.",
        "The first sheet is empty: it has no header row.",
        "The first sheet has a header row but no data rows.",
        "These columns are missing: %(columns)s. Please use the import template.",
        "The column %(column)s appears more than once.",
    }
    found = [i for i in ids if fragment in i]
    assert found, fragment
    return found


def test_missing_columns_are_named(app, estate, ctx):
    heads = importing.headers()
    result = run_import(app, _workbook([h for h in heads if h not in (heads[4], heads[13])], ["翠湖花园"]))
    message = result.errors[0][2]
    assert heads[4] in message and heads[13] in message and "楼层" in message and "证件号" in message


def test_a_sheet_with_too_many_rows_is_refused(app, estate, ctx, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    result = run_import(app, xlsx([row(room_no=f"010{i}") for i in range(4)]))
    assert result.errors == [(None, "", zh(
        "The sheet has more than %(n)d data rows; please split it into several files.", n=3))]


# ------------------------------------------------------------------------------------------------- 10,000 rows

def big_file(n: int, community: str = "翠湖花园") -> bytes:
    """`n` houses in building 8 (10 units), each with its own owner."""
    from openpyxl import Workbook as Wb

    wb = Wb(write_only=True)
    ws = wb.create_sheet()
    with force_locale("zh"):
        ws.append(importing.headers())
    born = date(1950, 1, 1)
    for i in range(n):
        unit, room = i % 10 + 1, i // 10
        body = f"330106{born + timedelta(days=i):%Y%m%d}{i % 1000:03d}"
        ws.append([community, "8号楼", f"{unit}单元", f"{room // 10 + 1:02d}{room % 10 + 1:02d}", room // 10 + 1,
                   Decimal("89.50"), None, "两室一厅", "住宅", "自住", f"业主{i}", "个人", "居民身份证",
                   body + resident_id_check(body), f"139{i:08d}", None, None, None, date(2024, 1, 1), None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def resident_id_check(body: str) -> str:
    from app.core.validators import resident_id_check_char

    return resident_id_check_char(body)


def test_ten_thousand_rows_import_in_one_go(app, estate):
    with app.test_request_context():
        data = big_file(10_000)
    result = run_import(app, data, "big.xlsx")
    assert result.errors == []
    assert (result.houses, result.owners, result.ownerships, result.buildings, result.units) == \
        (10_000, 10_000, 10_000, 1, 10)
    with app.app_context():
        building = db.session.scalar(select(Building).where(Building.community_id == estate["community"],
                                                            Building.code == "8"))
        assert db.session.scalar(select(func.count(House.id)).where(House.building_id == building.id)) == 10_000
        assert db.session.scalar(select(func.count(Ownership.id)).join(House).where(
            House.building_id == building.id)) == 10_000
        assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "import")) == 1


def test_a_big_file_with_bad_rows_lists_every_one_and_writes_nothing(app, estate):
    with app.test_request_context():
        wb = load_workbook(io.BytesIO(big_file(2_000)))
    ws = wb.active
    bad = [10, 500, 1999]
    for r in bad:
        ws.cell(row=r, column=15, value="12345")  # 手机
    buffer = io.BytesIO()
    wb.save(buffer)
    before = counts(app)
    result = run_import(app, buffer.getvalue())
    assert sorted(r for r, _, _ in result.errors) == bad
    assert counts(app) == before


# ------------------------------------------------------------------------------------------------- export

@pytest.fixture
def owners(app, estate):
    """张三 owns 翠湖花园 1-1-0101; 王五 owns 锦绣华庭 1-1-0101 (another community)."""
    with app.app_context():
        zs = Owner(kind="person", name="张三", id_type="resident_id", id_number=ZS_ID, phone="13812345678",
                   emergency_contact="李四 13912345678")
        ww = Owner(kind="person", name="王五", id_type="resident_id", id_number=WW_ID, phone="13700001111")
        for o in (zs, ww):
            prepare_person(o)
        db.session.add_all([zs, ww])
        db.session.flush()
        db.session.add_all([
            Ownership(house_id=estate["houses"][0], owner_id=zs.id, share=Decimal("100"), started_on=date(2020, 1, 1)),
            Ownership(house_id=estate["houses"][-1], owner_id=ww.id, share=Decimal("100"),
                      started_on=date(2020, 1, 1)),
        ])
        db.session.commit()
        return {"zs": zs.id, "ww": ww.id}


def sheet_text(data: bytes) -> tuple[list, str]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    return rows, "\n".join("\t".join("" if v is None else str(v) for v in r) for r in rows)


EXPORTERS = [r for r in roles.ROLES if roles.allowed(r, "ExportView", "can_owners")]


def test_the_roles_that_may_export(app):
    assert set(EXPORTERS) == {roles.ADMIN, roles.MANAGER, roles.SERVICE, roles.CASHIER, roles.ARCHIVES,
                              roles.COMMITTEE}
    assert [r for r in roles.ROLES if roles.allowed(r, "OwnerImportView", "can_upload")] == \
        [roles.ADMIN, roles.MANAGER, roles.ARCHIVES]


@pytest.mark.parametrize("role", roles.ROLES)
def test_export_masks_personal_data_for_every_role_and_holds_the_filtered_rows(app, login_as, estate, owners,
                                                                                role):
    c = login_as(role)
    resp = c.get(f"/export/owners?community={estate['community']}")
    if role not in EXPORTERS:
        assert resp.status_code in (302, 403)
        assert c.get("/export/houses").status_code in (302, 403)
        return
    assert resp.status_code == 200 and resp.mimetype == importing_mimetype()
    rows, text = sheet_text(resp.data)
    assert ZS_ID not in text and "13812345678" not in text and "13912345678" not in text
    assert ZS_ID[:6] + "*" * 10 + ZS_ID[-2:] in text and "138****5678" in text and "李四 139****5678" in text
    assert "张三" in text and "王五" not in text  # 王五's house is in another community
    assert "翠湖花园 1-1-0101" in text
    assert len(rows) == 2
    # every owner, unfiltered: still masked
    rows, text = sheet_text(c.get("/export/owners").data)
    assert len(rows) == 3 and WW_ID not in text and "13700001111" not in text and "137****1111" in text
    # houses of one building
    resp = c.get(f"/export/houses?building={estate['b1']}")
    assert resp.status_code == 200
    rows, text = sheet_text(resp.data)
    assert sorted(r[4] for r in rows[1:]) == ["1-1-0101", "1-1-0102", "1-1-0201", "1-2-0101"]
    assert "张三" in text and ZS_ID not in text


def importing_mimetype() -> str:
    from app.core.excel import XLSX_MIMETYPE

    return XLSX_MIMETYPE


def test_export_takes_the_list_pages_filters(app, admin, estate, owners):
    rows, _ = sheet_text(admin.get(f"/export/houses?_flt_0_building={estate['b2']}").data)
    assert [r[4] for r in rows[1:]] == ["2-1-0301"]
    rows, _ = sheet_text(admin.get("/export/owners?_flt_0_name=王").data)
    assert [r[0] for r in rows[1:]] == ["王五"]
    rows, _ = sheet_text(admin.get("/export/owners?q=zs").data)
    assert [r[0] for r in rows[1:]] == ["张三"]


def test_export_keeps_decimals_and_text(app, admin, estate, owners):
    rows, _ = sheet_text(admin.get(f"/export/houses?community={estate['community']}").data)
    house = next(r for r in rows if r[4] == "1-1-0101")
    assert house[3] == "0101" and house[6] == 89.5 and house[5] == 1
    wb = load_workbook(io.BytesIO(admin.get("/export/houses").data))
    ws = wb.active
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws["G2"].number_format == "0.00"


@pytest.mark.parametrize("query", ["community=abc", "building=-1", "community=99999999999999999999",
                                   "_flt_0_building=abc", "_flt_9_nonsense=1", "q=" + "张" * 500])
def test_bad_export_arguments_never_fail(app, admin, estate, query):
    for path in ("/export/owners", "/export/houses"):
        resp = admin.get(f"{path}?{query}")
        assert resp.status_code in (200, 400), (path, query, resp.status_code)


def test_export_page_lists_communities(app, login_as, estate):
    html = login_as(roles.CASHIER).get("/export/").get_data(True)
    assert "翠湖花园" in html and "锦绣华庭" in html and "/export/owners" in html


# ------------------------------------------------------------------------------------------------- template

def test_template_downloads_and_reimports_after_filling_one_row(app, login_as, estate):
    c = login_as(roles.ARCHIVES)
    resp = c.get("/owner-import/template")
    assert resp.status_code == 200 and resp.mimetype == importing_mimetype()
    disposition = resp.headers["Content-Disposition"]
    with app.test_request_context():
        filename = zh("Owner import template") + ".xlsx"
        heads = importing.headers()
        instructions = zh("Instructions")
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(filename)}" in disposition
    assert 'filename="owner-import-template.xlsx"' in disposition
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames[1] == instructions
    ws = wb.worksheets[0]
    assert [cell.value for cell in ws[1]] == heads and ws.freeze_panes == "A2"
    example = [cell.value for cell in ws[2]]
    from app.core.validators import validate_resident_id

    assert validate_resident_id(example[13]) is None and example[13].startswith("33010619800101001")
    notes = {r[0]: r for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True) if r[0]}
    assert set(heads) <= set(notes)
    assert "住宅" in notes[heads[8]][2] and "装修中" in notes[heads[9]][2] and "单位" in notes[heads[11]][2]
    assert "营业执照" in notes[heads[12]][2] and "港澳台通行证" in notes[heads[12]][2]
    # as downloaded, the example's community does not exist: refused, nothing written
    before = counts(app)
    html = c.post("/owner-import/", data={"file": (io.BytesIO(resp.data), "模板.xlsx")},
                  content_type="multipart/form-data").get_data(True)
    assert "示例小区" in html and counts(app) == before
    # fill row 2 with a real house and owner, upload again
    for col, value in enumerate(["翠湖花园", "5号楼", "1单元", "0302", 3, 95.5, None, "两室两厅", "住宅", "自住",
                                 "赵六", None, None, OTHER_ID, "13512345678"], start=1):
        ws.cell(row=2, column=col, value=value)
    for col in range(16, 21):
        ws.cell(row=2, column=col, value=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    resp = c.post("/owner-import/", data={"file": (io.BytesIO(buffer.getvalue()), "业主.xlsx")},
                  content_type="multipart/form-data")
    assert resp.status_code == 200
    html = resp.get_data(True)
    assert 'id="import-done"' in html and "/houses/list/" in html
    with app.app_context():
        house = db.session.scalar(select(House).where(House.house_no == "5-1-0302"))
        assert house.building_area == Decimal("95.50") and house.ownerships[0].owner.name == "赵六"
        assert house.ownerships[0].share == Decimal("100.00")


# ------------------------------------------------------------------------------------------------- the web page

@pytest.mark.parametrize("role", roles.ROLES)
def test_only_the_import_roles_open_the_import_page(app, login_as, role):
    c = login_as(role)
    allowed = roles.allowed(role, "OwnerImportView", "can_upload")
    for path in ("/owner-import/", "/owner-import/template"):
        resp = c.get(path)
        assert (resp.status_code == 200) == allowed, (role, path, resp.status_code)
    if not allowed:
        before = counts(app)
        resp = c.post("/owner-import/", data={"file": (io.BytesIO(xlsx([row()])), "a.xlsx")},
                      content_type="multipart/form-data")
        assert resp.status_code in (302, 403) and counts(app) == before


def _post(client, data: bytes | None, filename: str = "a.xlsx"):
    form = {} if data is None else {"file": (io.BytesIO(data), filename)}
    return client.post("/owner-import/", data=form, content_type="multipart/form-data")


WEB_CASES = [
    ("no file", None, "a.xlsx"),
    ("empty file", b"", "a.xlsx"),
    ("text renamed", b"hello", "a.xlsx"),
    ("csv", "小区,楼栋\n".encode(), "a.csv"),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls"),
    ("broken zip", b"PK\x03\x04broken", "a.xlsx"),
    ("odd name", b"PK\x03\x04", "../../etc/<script>.xlsx"),
]


@pytest.mark.parametrize("name,data,filename", WEB_CASES, ids=[c[0] for c in WEB_CASES])
def test_bad_uploads_answer_a_message_never_500(app, login_as, estate, name, data, filename):
    c = login_as(roles.ARCHIVES)
    before = counts(app)
    resp = _post(c, data, filename)
    assert resp.status_code == 200, resp.status_code
    html = resp.get_data(True)
    assert 'id="import-problem"' in html or "text-danger" in html
    assert "<script>.xlsx" not in html
    assert counts(app) == before


def test_bad_rows_through_the_page_show_every_row_and_say_nothing_was_imported(app, login_as, estate, heads):
    c = login_as(roles.MANAGER)
    before = counts(app)
    rows = [row(room_no="0101", phone="123"), row(room_no="0102"), row(room_no="0103", usage="别墅<b>")]
    html = _post(c, xlsx(rows)).get_data(True)
    table = html.split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 2  # the head, then rows 2 and 4
    assert "<td>2</td>" in table and "<td>4</td>" in table and heads["phone"] in table and heads["usage"] in table
    assert "别墅&lt;b&gt;" in table and "别墅<b>" not in table
    with app.test_request_context():
        assert zh("Nothing was imported: %(n)d problems in %(rows)d of the file's %(total)d rows. Correct them "
                  "and upload the whole file again.", n=2, rows=2, total=3) in html
    assert counts(app) == before


@pytest.mark.parametrize("size", [10 * 1024 * 1024 + 10, 11 * 1024 * 1024])
def test_a_file_over_10_mb_is_refused_with_a_message(app, login_as, estate, size):
    c = login_as(roles.ARCHIVES)
    before = counts(app)
    resp = _post(c, b"PK\x03\x04" + b"\0" * size)
    assert resp.status_code == 200
    html = resp.get_data(True)
    with app.test_request_context():
        assert zh("The file is larger than %(mb)d MB. Please split it into several files.", mb=10) in html
    assert counts(app) == before


def test_a_good_upload_shows_the_counts_and_the_house_list_link(app, login_as, estate):
    c = login_as(roles.ARCHIVES)
    html = _post(c, xlsx([row(), row(room_no="0502", id_number=OTHER_ID, owner_name="孙三")])).get_data(True)
    with app.test_request_context():
        assert zh("Imported %(rows)d rows: %(houses)d houses, %(owners)d new owners, %(ownerships)d ownerships.",
                  rows=2, houses=2, owners=2, ownerships=2) in html
    assert 'href="/houses/list/"' in html
    # the same file again: both houses exist now, nothing changes
    before = counts(app)
    html = _post(c, xlsx([row(), row(room_no="0502", id_number=OTHER_ID, owner_name="孙三")])).get_data(True)
    assert 'id="import-errors"' in html and counts(app) == before
