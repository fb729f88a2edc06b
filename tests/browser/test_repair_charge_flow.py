"""有偿维修 from the engineer's completion to the cashier's receipt, in Chromium: the 工程维修 records his arrival
and the completion of a 自用部位 repair with a material of the price list and a labour fee on his order's page;
the 收费员 opens the counter of that house, finds the charge among its bills at once, ticks it alone, takes it
in cash, and the receipt (PDF) carries the line; 收费日报 counts it."""
import io
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.billing import reports
from app.billing import services as billing
from app.billing.models import BillLine
from app.core import clock
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import services
from app.service.models import Material, ServiceCharge, WorkOrder
from tests.browser.conftest import browser_login, menu as _menu, order_state as _state
from tests.conftest import PASSWORD, actor, role_user


def test_engineer_completes_a_paid_repair_and_the_cashier_takes_it_on_a_receipt(app, page, fees):
    house = fees["houses"][0]  # 翠湖花园 1-1-0101
    with app.app_context():
        set_cli_actor("test")
        db.session.add(Material(name="PPR水管", spec="DN20", unit="米", unit_price=Decimal("12.3456")))
        # the house owes this month's bills too: the cashier picks the repair among them
        billing.commit_run(fees["community"], "2026-11", actor(app, roles.MANAGER), today=date(2026, 11, 20))
        order = services.create_order({"community": fees["community"], "house": house, "scope": "private",
                                       "category": "water_power", "source": "phone", "urgency": "normal",
                                       "description": "卫生间水管漏水", "reporter_name": "张先生"},
                                      actor(app, roles.SERVICE))
        services.transition(order.id, "dispatch", actor(app, roles.SERVICE), assignee_id=actor(app, roles.ENGINEER).id)
        db.session.commit()
        order_id, order_no = order.id, order.order_no
        set_cli_actor(None)

    # 工程维修: his order, from 我的工单; arrival, then completion with 2.5 m of pipe and 40 yuan labour
    browser_login(page, role_user(roles.ENGINEER), PASSWORD)
    _menu(page, "客户服务", "我的工单")
    row = page.locator("table tbody tr").filter(has_text=order_no)
    with page.expect_navigation():
        row.locator(f"a[href*='/show/{order_id}']").first.click()
    with page.expect_navigation():
        page.locator("#pm-act-arrive button[type=submit]").click()
    assert _state(page) == "处理中"
    form = page.locator("#pm-act-complete")
    form.locator("textarea[name=result]").fill("更换卫生间PPR水管2.5米，试水无渗漏")
    form.locator("input[name=labour_hours]").fill("1.5")
    form.locator("input[name=labour_fee]").fill("40")
    form.locator("select[name=material_0]").select_option(index=1)  # PPR水管 DN20, the only one
    form.locator("input[name=quantity_0]").fill("2.5")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert _state(page) == "已完工待回访"
    assert "70.86" in page.locator("body").inner_text()  # 12.3456 × 2.5 = 30.864 → 30.86, + 40.00

    # 收费员: the counter of 1-1-0101 shows the charge as an unpaid bill at once (no 回访 yet)
    page.context.clear_cookies()
    browser_login(page, role_user(roles.CASHIER), PASSWORD)
    _menu(page, "费用收缴", "收款台")
    page.fill("#q", "1-1-0101")
    with page.expect_navigation():
        page.locator("#counter-find").click()
    with page.expect_navigation():
        page.locator("#counter-results tbody tr").filter(has_text="翠湖花园").get_by_role("link", name="收款").click()
    lines = page.locator("#counter-lines tbody tr")
    assert lines.count() == 3  # 物业服务费, 停车费 and the repair
    repair = lines.filter(has_text=f"有偿维修 {order_no}")
    assert repair.count() == 1 and "70.86" in repair.inner_text()
    for i in range(lines.count()):
        lines.nth(i).locator("input.pick").uncheck()
    repair.locator("input.pick").check()
    expect(page.locator("#amount")).to_have_value("70.86")
    page.select_option("#method", "cash")
    page.screenshot(path="/tmp/browser-counter-repair.png", full_page=True)
    with page.expect_navigation():
        page.locator("#pay-submit").click()
    assert "收款成功" in page.locator(".alert-success").first.inner_text()
    receipt_no = page.locator("#pm-receipt-no").inner_text().strip()
    assert f"有偿维修 {order_no}" in page.locator("body").inner_text()
    assert "柒拾元捌角陆分" in page.locator("body").inner_text()
    assert page.js_errors == []

    resp = page.request.get(page.locator("#pm-print-a4").get_attribute("href"))
    assert resp.ok and resp.headers["content-type"].startswith("application/pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.body())).pages)
    for expected in (receipt_no, f"有偿维修 {order_no}", "70.86", "柒拾元捌角陆分", "1-1-0101", "现金"):
        assert expected in text, expected

    with app.app_context():
        assert db.session.get(WorkOrder, order_id).state == "completed"
        charge = db.session.scalars(select(ServiceCharge)).one()
        assert (charge.amount, charge.state) == (Decimal("70.86"), "billed")
        bills = db.session.scalars(select(BillLine).where(BillLine.house_id == house).order_by(BillLine.id)).all()
        assert [(b.source, b.state) for b in bills] == [("run", "unpaid"), ("run", "unpaid"), ("repair", "paid")]
        day = reports.daily_report(fees["community"], clock.today())
        assert (day["total"].count, day["total"].amount) == (1, Decimal("70.86"))
