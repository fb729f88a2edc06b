"""过户 in Chromium: the clerk sees what the house owes and holds, is stopped until she says how the debt is
carried, and the old owner's household leaves in the same step."""
import pytest
from sqlalchemy import select

from app.estate.models import Ownership, Vehicle
from app.extensions import db
from app.security import roles
from tests.billing.test_transfer_settles import NEW_ID, house  # noqa: F401  (fixture)
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, role_user

pytestmark = pytest.mark.moment("2026-12-03 10:00")


def test_a_transfer_settles_the_house(app, page, house):  # noqa: F811
    browser_login(page, role_user(roles.SERVICE), PASSWORD)
    page.goto(f"/houses/show/{house['house']}")
    with page.expect_navigation():
        page.locator("#pm-transfer").click()
    standing = page.locator("#pm-standing").inner_text()
    assert f"¥{house['owing']:,.2f}" in standing and "预存余额" in standing and "维修基金余额" in standing
    # what the old owner's household holds is offered, ticked
    for box in ("#pm-resident_ids", "#pm-card_ids", "#pm-vehicle_ids"):
        assert page.locator(f"{box} input[type=checkbox]").first.is_checked(), box
    page.fill("#id_number", NEW_ID)
    page.fill("#name", "孙七")
    page.fill("#on_date", "2026-12-03")
    with page.expect_navigation():
        page.locator("#transfer-form button[type=submit]").click()
    assert "请先到收费台结清，或写明欠费如何处理" in page.locator("body").inner_text()
    page.fill("#carry_note", "原业主承诺本月10日前结清")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/browser-transfer-settles.png", full_page=True)
    with page.expect_navigation():
        page.locator("#transfer-form button[type=submit]").click()
    assert "过户已完成：迁出 1 人，收回门禁卡/钥匙 1 张，注销车辆 1 辆" in page.locator(".alert-success").first.inner_text()
    assert page.js_errors == []
    with app.app_context():
        new = db.session.scalars(select(Ownership).where(Ownership.house_id == house["house"],
                                                         Ownership.ended_on.is_(None))).one()
        assert new.owner.name == "孙七" and "原业主承诺本月10日前结清" in new.handover_note
        assert db.session.scalars(select(Vehicle.ended_on)).one() is not None
