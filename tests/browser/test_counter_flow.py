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
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, role_user


def _menu(page, category: str, item: str) -> None:
    nav = page.locator("nav, .navbar").first
    nav.get_by_role("link", name=category).click()
    with page.expect_navigation():
        nav.locator("ul.dropdown-menu a").filter(has_text=re.compile(rf"^\s*{item}\s*$")).click()


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
