"""The counter in Chromium, as a 收费员 works: make the month's bills, find the house, take a payment for its two
bills (the page adds them up), print the receipt; the PDF holds the serial and the total in 人民币大写."""
import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.billing.models import BillLine, Payment
from app.extensions import db
from app.security import roles
from tests.browser.conftest import browser_login, menu as _menu
from tests.conftest import PASSWORD, role_user


def test_cashier_makes_bills_takes_a_payment_for_two_lines_and_prints_the_receipt(app, page, fees):
    browser_login(page, role_user(roles.CASHIER), PASSWORD)

    # 生成账单 for 2026-11: preview, then make them
    _menu(page, "费用收缴", "生成账单")
    page.select_option("#community", str(fees["community"]))
    page.fill("#period", "2026-11")
    with page.expect_navigation():
        page.locator("#run-preview").click()
    assert "新账单 6 笔" in page.locator("#run-plan").inner_text()
    with page.expect_navigation():
        page.locator("#run-commit").click()
    assert "账单已生成：6 笔" in page.locator(".alert-success").first.inner_text()

    # 收款台: find 1-1-0101 (two communities have one: pick 翠湖花园)
    _menu(page, "费用收缴", "收款台")
    page.fill("#q", "1-1-0101")
    with page.expect_navigation():
        page.locator("#counter-find").click()
    row = page.locator("#counter-results tbody tr").filter(has_text="翠湖花园")
    with page.expect_navigation():
        row.get_by_role("link", name="收款").click()
    lines = page.locator("#counter-lines tbody tr")
    assert lines.count() == 2
    # both bills are ticked: 210.33 + 150.00; unticking one changes the amount, ticking it back restores it
    expect(page.locator("#amount")).to_have_value("360.33")
    page.locator("input.pick").nth(0).uncheck()
    assert page.locator("#amount").input_value() in ("150.00", "210.33")
    page.locator("input.pick").nth(0).check()
    expect(page.locator("#amount")).to_have_value("360.33")
    page.select_option("#method", "wechat")
    page.screenshot(path="/tmp/browser-counter.png", full_page=True)
    with page.expect_navigation():
        page.locator("#pay-submit").click()
    assert "收款成功" in page.locator(".alert-success").first.inner_text()
    receipt_no = page.locator("#pm-receipt-no").inner_text().strip()
    assert re.fullmatch(r"SK2026-\d{6}", receipt_no)
    assert "叁佰陆拾元叁角叁分" in page.locator("body").inner_text()
    page.screenshot(path="/tmp/browser-receipt.png", full_page=True)
    assert page.js_errors == []

    href = page.locator("#pm-print-a4").get_attribute("href")
    resp = page.request.get(href)
    assert resp.ok and resp.headers["content-type"].startswith("application/pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.body())).pages)
    for expected in (receipt_no, "叁佰陆拾元叁角叁分", "360.33", "1-1-0101", "微信"):
        assert expected in text, expected
    again = page.request.get(href)  # a second print is a 补打, and counted
    assert "补打" in "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(again.body())).pages)

    with app.app_context():
        payment = db.session.scalars(select(Payment)).one()
        assert (payment.receipt_no, payment.print_count, payment.reprint_count) == (receipt_no, 2, 1)
        paid = db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0])).all()
        assert {line.state for line in paid} == {"paid"}


def test_cashier_prints_the_buildings_notices_and_takes_an_overdue_bill_with_its_late_fee(app, page, fees):
    """October's bills are overdue today and 物业服务费 has a late fee of 万分之五 a day: the notice page counts the
    households of building 1 (four), prints them, and the counter adds the late fee to the amount."""
    from datetime import date
    from decimal import Decimal

    from app.billing import services
    from app.billing.models import FeeItem
    from app.core.audit import set_cli_actor
    from tests.conftest import actor

    with app.test_request_context():
        set_cli_actor("test")
        db.session.get(FeeItem, fees["wyf"]).late_fee_rate = Decimal("0.0005")
        services.commit_run(fees["community"], "2026-10", actor(app, roles.MANAGER), today=date(2026, 11, 20))
        db.session.commit()
        wyf = db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0],
                                                       BillLine.fee_item_id == fees["wyf"])).one()
        fee = services.late_fee(wyf, date.today())
        set_cli_actor(None)
    browser_login(page, role_user(roles.CASHIER), PASSWORD)

    _menu(page, "费用收缴", "缴费通知单")
    page.locator("input[name=kind][value=bill]").check()
    with page.expect_navigation():
        page.select_option("#community", str(fees["community"]))
    page.select_option("#building", str(fees["b1"]))
    page.fill("#period", "2026-10")
    with page.expect_navigation():
        page.get_by_role("button", name="统计户数").click()
    assert "共 4 户将收到通知单" in page.locator("#notice-count").inner_text()  # 1-1-0101, 0102, 0201, 1-2-0101
    page.screenshot(path="/tmp/browser-notices.png", full_page=True)
    resp = page.request.get(page.locator("#print-notices").get_attribute("href"))
    assert resp.ok and resp.headers["content-type"].startswith("application/pdf")
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(io.BytesIO(resp.body())).pages]
    assert len(pages) == 4 and "1-1-0101" in pages[0] and "缴费通知单" in pages[0]
    assert f"¥{Decimal('360.33') + fee}" in pages[0]  # October's two bills and today's late fee

    page.goto(page.url.split("/notices")[0] + f"/counter/?house={fees['houses'][0]}")
    expect(page.locator("#amount")).to_have_value(f"{Decimal('360.33') + fee:.2f}")
    assert f"+ 滞纳金 ¥{fee}" in page.locator("#counter-lines").inner_text()
    with page.expect_navigation():
        page.locator("#pay-submit").click()
    assert "收款成功" in page.locator(".alert-success").first.inner_text()
    assert "滞纳金：物业服务费 2026-10" in page.locator("body").inner_text()
    assert page.js_errors == []
