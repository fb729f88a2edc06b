"""As the 客服 in Chromium: find a car by part of its plate in the vehicle list's own search, then download what
the list found as Excel."""
import io

from openpyxl import load_workbook

from app.estate.models import Vehicle
from app.extensions import db
from app.security.roles import SERVICE
from tests.browser.conftest import browser_login, menu
from tests.conftest import PASSWORD, role_user


def test_the_desk_finds_a_car_by_part_of_its_plate_and_exports_the_list(app, page, estate):
    with app.app_context():
        db.session.add_all([Vehicle(plate="浙A4T0KF", house_id=estate["houses"][0], brand="大众"),
                            Vehicle(plate="浙B77777", house_id=estate["houses"][1], brand="丰田")])
        db.session.commit()
    browser_login(page, role_user(SERVICE), PASSWORD)
    menu(page, "业主档案", "车辆")
    page.locator("a.accordion-toggle", has_text="搜索").click()
    page.get_by_role("button", name="添加过滤条件").click()
    page.locator('a.filter[name="plate"]').click()
    assert "包含（车牌的任意部分）" in page.locator("#filter_form").inner_text()  # the first choice, chosen
    page.fill("input[name='_flt_0_plate']", "a4t0")  # as typed: lower case, no 省 character
    with page.expect_navigation():
        page.locator("#filter_form button[type=submit]").click()
    table = page.locator(".table-responsive table").first.inner_text()
    assert "浙A4T0KF" in table and "浙B77777" not in table

    with page.expect_download() as download:
        page.get_by_role("link", name="导出表格").click()
    with open(download.value.path(), "rb") as fh:
        ws = load_workbook(io.BytesIO(fh.read())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "车牌号" and [r[0] for r in rows[1:]] == ["浙A4T0KF"]
    assert download.value.suggested_filename.startswith("车辆-")
