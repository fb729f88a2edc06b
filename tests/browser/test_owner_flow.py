"""The front desk in Chromium: find a household by pinyin initials, open its house page, record a 过户."""
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from app.estate.models import Ownership
from app.extensions import db
from app.security import roles
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, resident_id, role_user
from tests.estate.test_owners import owners  # noqa: F401  (fixture)


def test_front_desk_finds_household_by_initials_and_records_a_transfer(app, page, owners):  # noqa: F811
    browser_login(page, role_user(roles.SERVICE), PASSWORD)

    # 业主档案 → 查找住户, type the owner's initials
    page.get_by_role("link", name="业主档案").first.click()
    with page.expect_navigation():
        page.locator("a[href='/households/']").first.click()
    page.fill("#q", "zs")
    with page.expect_navigation():
        page.locator("button[type=submit]").first.click()
    # the one household found opens at once: the house page with owners, the tenant, masked phone, one screen
    body = page.locator("body").inner_text()
    for text in ("张三", "李四", "租户", "136****3333", "办理过户", "打印业主档案卡"):
        assert text in body, text
    assert "13600003333" not in body
    page.screenshot(path="/tmp/browser-house-page.png", full_page=True)

    # 过户 to a new owner registered on the spot
    with page.expect_navigation():
        page.locator("#pm-transfer").click()
    page.select_option("#id_type", "resident_id")
    page.fill("#id_number", resident_id("19930303", "330102", "777"))
    page.fill("#name", "孙七")
    page.fill("#phone", "13300004444")
    page.fill("#on_date", "2026-11-20")
    page.fill("#certificate_no", "浙(2026)杭州市不动产权第0099999号")
    page.screenshot(path="/tmp/browser-transfer.png", full_page=True)
    with page.expect_navigation():
        page.locator("#transfer-form button[type=submit]").click()
    assert "过户已完成" in page.locator(".alert-success").first.inner_text()
    assert "孙七" in page.locator("body").inner_text()
    assert page.js_errors == []

    with app.app_context():
        rows = db.session.scalars(select(Ownership).where(Ownership.house_id == owners["h1"])
                                  .order_by(Ownership.started_on)).all()
        assert [(r.owner.name, r.ended_on) for r in rows] == [("张三", date(2026, 11, 20)), ("孙七", None)]


def test_front_desk_reveals_one_phone_number(app, page, owners):  # noqa: F811
    browser_login(page, role_user(roles.SERVICE), PASSWORD)
    page.goto(f"/owners/show/{owners['zs']}")
    assert "13812345678" not in page.locator("body").inner_text()
    page.locator("button.pm-reveal").nth(1).click()  # 手机
    # (a polling expect, not wait_for_function: the page's CSP forbids the eval that one needs)
    expect(page.locator("#pm-reveal-phone")).to_have_text("13812345678")
    assert page.js_errors == []
