"""抄表与公摊 pages as the staff use them: the reading sheet of a building, the Excel import (all rows or none,
every bad row named), the review of a flagged reading, a meter item's bill with its basis at the counter and
on the printed 缴费通知单; who may do what."""
import io
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing.models import BillLine, FeeItem, Meter, MeterReading
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.billing.test_billing_pages import _count
from tests.conftest import actor

D = Decimal


def _sheet(client, water, period="2026-11", **form):
    data = {"community": str(water["community"]), "building": str(water["b1"]), "kind": "water",
            "period": period, **form}
    return client.post("/meter-sheet/", data=data)


def test_the_sheet_shows_previous_readings_and_saves_the_typed_ones(app, water, login_as):
    clerk = login_as(roles.CASHIER)
    a, b = water["meters"][:2]
    html = clerk.get(f"/meter-sheet/?community={water['community']}&building={water['b1']}&kind=water"
                     "&period=2026-11").get_data(as_text=True)
    assert "抄表录入" in html and f"W-{water['house_ids'][0]}" in html and "1000.00" in html and f'name="current_{a}"' in html
    resp = _sheet(clerk, water, **{f"current_{a}": "1012.5", f"current_{b}": ""})
    assert resp.status_code == 302
    with app.app_context():
        r = db.session.scalar(select(MeterReading).where(MeterReading.meter_id == a))
        assert (r.period, r.previous, r.current, r.usage, r.state) == ("2026-11", D("1000.00"), D("1012.50"),
                                                                       D("12.50"), "ok")
    assert "已保存 1 条读数" in clerk.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_wrong_row_on_the_sheet_saves_nothing_and_keeps_what_was_typed(app, water, login_as):
    clerk = login_as(roles.CASHIER)
    a, b = water["meters"][:2]
    html = _sheet(clerk, water, **{f"current_{a}": "1012.5", f"current_{b}": "998"}).get_data(as_text=True)
    assert "未保存任何读数" in html and "小于上次读数" in html
    assert 'value="1012.5"' in html and 'value="998"' in html  # the clerk corrects one figure, not the sheet
    assert _count(app, MeterReading) == 0
    # the same with a replaced meter is accepted
    resp = _sheet(clerk, water, **{f"current_{a}": "1012.5", f"current_{b}": "3", f"replaced_{b}": "1",
                                   f"old_final_{b}": "1009", f"new_start_{b}": "0"})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MeterReading.usage).where(MeterReading.meter_id == b)) == D("12.00")


def test_bad_sheet_arguments_never_fail(app, water, login_as):
    clerk = login_as(roles.CASHIER)
    for query in ("community=abc&kind=x&period=zz", "community=999999&building=-1", "period=<script>x</script>"):
        resp = clerk.get("/meter-sheet/?" + query)
        assert resp.status_code == 200, query
        assert "<script>x</script>" not in resp.get_data(as_text=True)
    html = _sheet(clerk, water, **{"current_abc": "12", "current_99999": "3"}).get_data(as_text=True)
    assert "没有这块表" in html and _count(app, MeterReading) == 0


OLD_FIELDS = ("number", "period", "current", "old_final", "new_start", "amount")  # the template before 房号


def _workbook(app, rows, fields=OLD_FIELDS):
    """A file with the template's columns `fields` in that order (a file of an older template still imports)."""
    from app.billing.meter_import import header
    from app.core.excel import workbook_bytes

    with app.test_request_context():
        text = [i for i, f in enumerate(fields) if f in ("number", "house_no", "period")]
        return workbook_bytes([header(f) for f in fields], rows, text_columns=text)


def _import(app, water, data, role=roles.CASHIER):
    from app.billing import meter_import

    with app.test_request_context():
        return meter_import.import_readings(data, water["community"], actor(app, role), "读数.xlsx")


def test_a_good_file_imports_every_reading(app, water):
    numbers = [f"W-{h}" for h in water["house_ids"]]
    result = _import(app, water, _workbook(app, [[n, "2026-11", D("1010") + i, None, None, None]
                                            for i, n in enumerate(numbers)]))
    assert result.ok and result.rows == len(numbers) and result.flagged == 0
    assert _count(app, MeterReading) == len(numbers)
    with app.app_context():
        assert db.session.scalar(select(MeterReading.usage).where(MeterReading.meter_id == water["meters"][2])) == D(
            "12.00")


BAD_ROWS = [  # (row, what is wrong, column header, words of the reason)
    (["W-NONE", "2026-11", 1010, None, None, None], "表号", "没有表号"),
    ([None, "2026-11", 1010, None, None, None], "表号", "不能为空"),
    (["{1}", "2026/11", 1010, None, None, None], "账期", "不是有效的账期"),
    (["{2}", "2026-11", "一千", None, None, None], "本次读数", "必须是数字"),
    (["{3}", "2026-11", 990, None, None, None], "本次读数", "小于上次读数"),
    (["{4}", "2026-11", 5, 1010, None, None], "新表起数", "新表起数"),
    (["{1}", "2026-11", 1010, None, None, 88], "账单金额", "只有公共表"),
    (["{0}", "2026-11", 1011, None, None, None], "表号", "已在第"),
]


def test_each_kind_of_bad_row_writes_nothing_and_is_named_with_its_row(app, water):
    numbers = [f"W-{h}" for h in water["house_ids"]]
    rows = [[cell.format(*numbers) if isinstance(cell, str) else cell for cell in row] for row, _c, _w in BAD_ROWS]
    rows.append([numbers[0], "2026-11", 1012, None, None, None])  # a good row among them
    # the good row must come first for the repeated meter to be the bad one
    rows.insert(0, rows.pop())
    result = _import(app, water, _workbook(app, rows))
    assert not result.ok and _count(app, MeterReading) == 0
    listed = {row: (column, reason) for row, column, reason in result.errors}
    for i, (_row, column, words) in enumerate(BAD_ROWS):
        number = i + 3  # Excel row: header 1, the good row 2
        assert number in listed, (number, words, result.errors)
        assert column in listed[number][0] and words in listed[number][1], (number, listed[number])
    assert 2 not in listed


@pytest.mark.parametrize("data, words", [
    (b"", "文件是空的"), (b"not a workbook", "不是 Excel"),
])
def test_a_file_that_is_not_a_sheet_gives_one_clear_message(app, water, data, words):
    result = _import(app, water, data)
    assert len(result.errors) == 1 and words in result.errors[0][2] and _count(app, MeterReading) == 0


def test_a_reading_already_entered_or_a_later_one_is_refused_by_the_import(app, water):
    a = water["meters"][0]
    with app.test_request_context():
        from app.billing import meters

        meters.record_readings([{"meter": a, "current": "1010"}], "2026-11", actor(app, roles.CASHIER))
        db.session.commit()
    result = _import(app, water, _workbook(app, [[f"W-{water['house_ids'][0]}", "2026-11", 1020, None, None, None]]))
    assert "已有 2026-11 的读数" in result.errors[0][2]
    result = _import(app, water, _workbook(app, [[f"W-{water['house_ids'][0]}", "2026-10", 1005, None, None, None]]))
    assert "不能再录入更早月份" in result.errors[0][2]
    assert _count(app, MeterReading) == 1


def test_the_import_page_template_and_upload(app, water, login_as):
    from app.core.excel import read_sheet

    clerk = login_as(roles.ENGINEER)  # the engineers read the meters in many offices
    resp = clerk.get("/meter-sheet/template")
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet")
    headers, rows = read_sheet(resp.data)
    assert headers[:3] == ["表号", "房号", "账期"]
    good = _workbook(app, [[f"W-{water['house_ids'][0]}", "2026-11", 1010, None, None, None]])
    html = clerk.post("/meter-sheet/upload", data={"community": str(water["community"]),
                                                   "file": (io.BytesIO(good), "读数.xlsx")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "已导入 1 条读数" in html and _count(app, MeterReading) == 1
    bad = _workbook(app, [["W-NONE", "2026-11", 1010, None, None, None]])
    html = clerk.post("/meter-sheet/upload", data={"community": str(water["community"]),
                                                   "file": (io.BytesIO(bad), "读数.xlsx")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何数据" in html and "W-NONE" in html and _count(app, MeterReading) == 1
    html = clerk.post("/meter-sheet/upload", data={"community": str(water["community"])},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "请选择文件" in html


def _history_and_jump(app, water):
    from app.billing import meters

    a = water["meters"][0]
    with app.test_request_context():
        for period, current in (("2026-09", "1010"), ("2026-10", "1020"), ("2026-11", "1100")):
            meters.record_readings([{"meter": a, "current": current}], period, actor(app, roles.CASHIER))
            db.session.commit()
        return db.session.scalar(select(MeterReading.id).where(MeterReading.period == "2026-11"))


def test_the_review_page_and_who_may_confirm(app, water, login_as):
    reading = _history_and_jump(app, water)
    engineer = login_as(roles.ENGINEER)
    assert engineer.get("/meter-review/").status_code in (302, 403)
    engineer.post(f"/meter-review/{reading}/confirm")
    with app.app_context():
        assert db.session.get(MeterReading, reading).state == "flagged"
    cashier = login_as(roles.CASHIER)
    html = cashier.get("/meter-review/").get_data(as_text=True)
    assert "用量异常待复核" in html and "80.00" in html and "10.00" in html
    resp = cashier.post(f"/meter-review/{reading}/confirm")
    assert resp.status_code == 302
    with app.app_context():
        r = db.session.get(MeterReading, reading)
        assert r.state == "confirmed" and r.confirmed_by
    html = cashier.post(f"/meter-review/{reading}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "不在待复核状态" in html


@pytest.mark.parametrize("role, sheet, review, meters_page", [
    (roles.CASHIER, True, True, True), (roles.MANAGER, True, True, True), (roles.ADMIN, True, True, True),
    (roles.ENGINEER, True, False, True), (roles.SERVICE, False, False, False), (roles.COMMITTEE, False, False, False),
    (roles.ORDER, False, False, False),
])
def test_roles(app, water, login_as, role, sheet, review, meters_page):
    c = login_as(role)
    assert (c.get("/meter-sheet/").status_code == 200) == sheet
    assert (c.get("/meter-review/").status_code == 200) == review
    assert (c.get("/meters/list/").status_code == 200) == meters_page
    assert (c.get("/meters/add").status_code == 200) == (meters_page and role != roles.ENGINEER)


def test_a_meter_is_registered_through_its_form_with_chinese_messages(app, water, login_as):
    c = login_as(roles.CASHIER)
    html = c.post("/meters/add", data={"community": str(water["community"]), "kind": "water", "scope": "house",
                                       "number": f"W-{water['house_ids'][0]}", "start_reading": "0", "active": "y"},
                  follow_redirects=True).get_data(as_text=True)
    assert "已有表号为" in html and "户表必须选择所属房屋" in html
    before = _count(app, Meter)
    resp = c.post("/meters/add", data={"community": str(water["community"]), "kind": "electricity",
                                       "scope": "common", "number": "E-LIFT-2", "name": "2号楼电梯",
                                       "building": str(water["b2"]), "start_reading": "100", "active": "y"})
    assert resp.status_code == 302 and _count(app, Meter) == before + 1


def test_fee_item_form_refuses_bad_tiers_in_chinese(app, water, login_as):
    c = login_as(roles.MANAGER)
    html = c.post("/fee-items/add", data={"community": str(water["community"]), "code": "DF", "name": "电费",
                                          "method": "meter", "meter_kind": "electricity", "tiers": "20:1, 10:2, 3",
                                          "unit_price": "0.60", "cycle": "monthly", "due_days": "20", "active": "y",
                                          "area_basis": "building_area", "start_month": "1"},
                  follow_redirects=True).get_data(as_text=True)
    assert "逐档递增" in html
    assert _count(app, FeeItem, FeeItem.code == "DF") == 0


def test_meter_bill_shows_its_basis_at_the_counter_and_on_the_printed_notice(app, water, login_as, tmp_path):
    from app.billing import meters, notices, printing, services

    a = water["meters"][0]
    with app.test_request_context():
        for period, current in (("2026-10", "1023"), ("2026-11", "1035.5")):
            meters.record_readings([{"meter": a, "current": current}], period, actor(app, roles.CASHIER))
        services.commit_run(water["community"], "2026-11", actor(app, roles.CASHIER), today=TODAY)
        db.session.commit()
        request = notices.check_request({"kind": "bill", "community": water["community"], "period": "2026-11"},
                                        today=TODAY)
        out = tmp_path / "notice.pdf"
        with open(out, "wb") as fh:
            printing.notices_pdf(request, notices.house_ids(request), fh)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "12.5m³(1023.0→1035.5):10.0×3.50+2.5×4.20" in "".join(text.split()) and "45.50" in text
    html = login_as(roles.CASHIER).get(f"/counter/?house={water['house_ids'][0]}").get_data(as_text=True)
    assert "12.5 m³ (1023.0→1035.5): 10.0×3.50 + 2.5×4.20" in html
    assert _count(app, BillLine) == 1
