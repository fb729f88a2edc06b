"""抄表录入 in Chromium, as a 收费员 reads a building's water meters: the sheet shows each meter's previous reading,
Enter moves down the column, a reading lower than the previous one turns its row red and saves nothing (the
typed figures stay), each row's usage shows as it is typed and a jump is marked before saving, the corrected
sheet saves; the month's bills then show each usage at the counter."""
from decimal import Decimal

from sqlalchemy import select

from app.billing.models import FeeItem, Meter, MeterReading
from app.core.audit import set_cli_actor
from app.estate.models import House
from app.extensions import db
from app.security import roles
from tests.browser.conftest import browser_login, menu as _menu
from tests.conftest import PASSWORD, actor, role_user


def test_cashier_reads_a_building_on_the_sheet_and_bills_it(app, page, fees):
    with app.app_context():
        set_cli_actor("test")
        for item in db.session.scalars(select(FeeItem)):
            item.active = False
        houses = db.session.scalars(select(House).where(House.building_id == fees["b1"]).order_by(House.id)).all()
        meters = [Meter(community_id=h.community_id, kind="water", scope="house", number=f"S-{h.house_no}",
                        house_id=h.id, building_id=h.building_id, start_reading=Decimal("100")) for h in houses]
        db.session.add_all(meters)
        db.session.add(FeeItem(community_id=fees["community"], code="SF", name="水费", method="meter",
                               meter_kind="water", unit_price=Decimal("3.50"), cycle="monthly", due_days=20))
        db.session.commit()
        ids = [m.id for m in meters]
        first_house = houses[0].id
        set_cli_actor(None)
    with app.test_request_context():  # the last meter's usual usage: 10 m³ a month
        from app.billing import meters as meter_rules

        for period, current in (("2026-09", "110"), ("2026-10", "120")):
            meter_rules.record_readings([{"meter": ids[-1], "current": current}], period, actor(app, roles.CASHIER))
        db.session.commit()

    browser_login(page, role_user(roles.CASHIER), PASSWORD)
    _menu(page, "费用收缴", "抄表录入")
    page.fill("input[name=period]", "2026-11")
    with page.expect_navigation():
        page.locator("#sheet-choose button[type=submit]").click()
    rows = page.locator("#sheet tbody tr")
    assert rows.count() == len(ids) and "100.00" in rows.first.inner_text()
    page.locator(f"input[name=current_{ids[0]}]").fill("112.5")
    page.keyboard.press("Enter")  # moves to the next meter, does not submit
    page.keyboard.type("95")
    assert page.locator(f"input[name=current_{ids[1]}]").input_value() == "95"
    # before saving: each row's usage as typed, a lower reading in red, a jump marked
    assert page.locator(f"#meter-{ids[0]} .usage").inner_text() == "12.50"
    assert "小于上次读数" in page.locator(f"#meter-{ids[1]} .row-warning").inner_text()
    page.locator(f"input[name=current_{ids[-1]}]").fill("160")
    jump = page.locator(f"#meter-{ids[-1]}")
    assert "warning" in jump.get_attribute("class") and "用量突增" in jump.inner_text()
    page.locator(f"input[name=current_{ids[-1]}]").fill("")
    with page.expect_navigation():
        page.locator("#sheet-save").click()
    assert "未保存任何读数" in page.locator(".alert-danger").first.inner_text()
    bad = page.locator(f"#meter-{ids[1]}")
    assert "danger" in bad.get_attribute("class") and "小于上次读数" in bad.inner_text()
    assert page.locator(f"input[name=current_{ids[0]}]").input_value() == "112.5"
    assert page.locator(f"#meter-{ids[0]} .usage").inner_text() == "12.50"  # the kept figures' usage shown
    page.screenshot(path="/tmp/browser-meter-sheet.png", full_page=True)
    page.locator(f"input[name=current_{ids[1]}]").fill("108")
    with page.expect_navigation():
        page.locator("#sheet-save").click()
    assert "已保存 2 条读数" in page.locator(".alert-success").first.inner_text()
    with app.app_context():
        assert sorted(db.session.scalars(select(MeterReading.usage).where(MeterReading.period == "2026-11"))) == [
            Decimal("8.00"), Decimal("12.50")]

    page.goto(page.url.split("/meter-sheet")[0] + "/billing-run/")
    page.fill("#period", "2026-11")
    with page.expect_navigation():
        page.locator("#run-preview").click()
    with page.expect_navigation():
        page.locator("#run-commit").click()
    page.goto(page.url.split("/billing-runs")[0] + f"/counter/?house={first_house}")
    basis = page.locator(".line-basis").first.inner_text()
    assert basis == "12.5 m³ (100.0→112.5) × 3.50" and "43.75" in page.locator("#counter-lines").inner_text()
