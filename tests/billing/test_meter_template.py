"""The meter Excel template as a reader uses it: downloaded for a building and month, it holds that building's
meters (their real numbers, the 房号, the previous reading); filled in and imported, the rows typed are saved and
the rows left empty skipped; its errors speak of the file's columns; a month after the current one is saved
only once confirmed, on the sheet and in the import."""
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing.models import MeterReading
from app.extensions import db
from app.security import roles
from tests.billing.test_billing_pages import _count
from tests.billing.test_meter_pages import _import, _sheet, _workbook
from tests.conftest import actor

D = Decimal
pytestmark = pytest.mark.moment("2026-11-20 10:00")


def _template(client, water, **args):
    from app.core.excel import read_sheet

    query = {"community": water["community"], "building": water["b1"], "kind": "water", "period": "2026-11", **args}
    resp = client.get("/meter-sheet/template", query_string=query)
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet")
    return read_sheet(resp.data)


def _houses_of_b1(app, water):
    from app.estate.models import House

    with app.app_context():
        return dict(db.session.execute(select(House.id, House.house_no).where(House.building_id == water["b1"])).all())


def test_the_template_of_a_building_lists_its_meters_with_house_and_previous_reading(app, water, login_as):
    with app.test_request_context():
        from app.billing import meters

        meters.record_readings([{"meter": water["meters"][0], "current": "1010.5"}], "2026-10",
                               actor(app, roles.CASHIER))
        db.session.commit()
    headers, rows = _template(login_as(roles.CASHIER), water)
    assert headers[:5] == ["表号", "房号", "账期", "上次读数", "本次读数"]
    in_b1 = _houses_of_b1(app, water)
    assert {r["表号"] for _, r in rows} == {f"W-{h}" for h in in_b1}  # the building's meters, none of another
    first = dict(rows)[2]
    assert first["房号"] == in_b1[water["house_ids"][0]] and first["账期"] == "2026-11"
    assert D(str(first["上次读数"])) == D("1010.5") and first.get("本次读数") is None


def test_a_filled_template_imports_the_typed_rows_and_skips_the_empty_ones(app, water, login_as):
    from app.core.excel import workbook_bytes

    clerk = login_as(roles.CASHIER)
    headers, rows = _template(clerk, water)
    filled = [[r.get(h) for h in headers] for _, r in rows]
    filled[0][headers.index("本次读数")] = 1012
    with app.test_request_context():
        data = workbook_bytes(headers, filled, text_columns=[0, 1, 2])
    html = clerk.post("/meter-sheet/upload", data={"community": str(water["community"]),
                                                   "file": (io.BytesIO(data), "一号楼.xlsx")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "已导入 1 条读数" in html
    with app.app_context():
        assert db.session.scalars(select(MeterReading.usage)).all() == [D("12.00")]


def test_a_row_naming_another_house_is_refused(app, water):
    from app.billing.meter_import import IMPORT_COLUMNS

    fields = [f for f, _, _ in IMPORT_COLUMNS]
    result = _import(app, water, _workbook(app, [[f"W-{water['house_ids'][0]}", "9-9-999", "2026-11", None, 1010,
                                                  None, None, None]], fields=fields))
    assert [(row, column) for row, column, _ in result.errors] == [(2, "房号")]
    assert "9-9-999" in result.errors[0][2] and _count(app, MeterReading) == 0


def test_the_import_speaks_of_its_columns_and_the_sheet_of_its_check_box(app, water, login_as):
    result = _import(app, water, _workbook(app, [[f"W-{water['house_ids'][0]}", "2026-11", 990, None, None, None]]))
    reason = result.errors[0][2]
    assert "小于上次读数" in reason and "“旧表止数”和“新表起数”两列" in reason and "勾选" not in reason
    html = _sheet(login_as(roles.CASHIER), water, **{f"current_{water['meters'][0]}": "990"}).get_data(as_text=True)
    assert "勾选“换表”" in html


def test_a_later_month_on_the_sheet_is_saved_only_once_confirmed(app, water, login_as):
    clerk = login_as(roles.CASHIER)
    a = water["meters"][0]
    html = _sheet(clerk, water, period="2026-12", **{f"current_{a}": "1010"}).get_data(as_text=True)
    assert "2026-12 晚于本月（2026-11）" in html and 'name="confirm_future"' in html and 'value="1010"' in html
    assert _count(app, MeterReading) == 0
    resp = _sheet(clerk, water, period="2026-12", confirm_future="1", **{f"current_{a}": "1010"})
    assert resp.status_code == 302 and _count(app, MeterReading) == 1


def test_a_later_month_in_a_file_is_imported_only_once_confirmed(app, water, login_as):
    clerk = login_as(roles.CASHIER)
    data = _workbook(app, [[f"W-{water['house_ids'][0]}", "2026-12", 1010, None, None, None],
                           [f"W-{water['house_ids'][1]}", "2026-11", 1010, None, None, None]])

    def upload(**form):
        return clerk.post("/meter-sheet/upload", data={"community": str(water["community"]),
                                                       "file": (io.BytesIO(data), "读数.xlsx"), **form},
                          content_type="multipart/form-data").get_data(as_text=True)

    html = upload()
    assert "文件中有 2026-12 的读数，晚于本月（2026-11），未导入任何数据" in html
    assert 'name="confirm_periods" value="2026-12"' in html and _count(app, MeterReading) == 0
    assert "已导入 2 条读数" in upload(confirm_periods="2026-12") and _count(app, MeterReading) == 2


def test_the_template_without_a_community_shows_a_real_meter_number(app, water, login_as):
    from app.core.excel import read_sheet

    resp = login_as(roles.ENGINEER).get("/meter-sheet/template")
    headers, rows = read_sheet(resp.data)
    assert headers[:3] == ["表号", "房号", "账期"] and rows[0][1]["表号"].startswith("W-")


def test_a_bad_template_request_goes_back_with_a_message(app, water, login_as):
    resp = login_as(roles.CASHIER).get("/meter-sheet/template?community=1&kind=water&period=13-2026",
                                       follow_redirects=True)
    assert resp.status_code == 200 and "账期" in resp.get_data(as_text=True)
