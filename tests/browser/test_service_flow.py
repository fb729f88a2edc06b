"""The repair flow in Chromium, as the office runs it: a call comes in and the desk logs it as a repair and
dispatches it; the engineer logs in, finds it under 我的工单, arrives and completes it with material; the desk
calls the owner back; the 派工单 PDF shows the order."""
import io
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from app.billing.models import BillLine
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service.models import Contact, ServiceCharge, WorkOrder
from app.service.models import Material
from tests.browser.conftest import browser_login, menu as _menu, order_state as _state
from tests.conftest import PASSWORD, role_user


def _switch_user(page, role: str) -> None:
    page.context.clear_cookies()
    browser_login(page, role_user(role), PASSWORD)


def test_call_to_repair_dispatch_completion_and_callback(app, page, estate):
    with app.app_context():
        set_cli_actor("test")
        db.session.add(Material(name="角阀", spec="DN15", unit="个", unit_price=Decimal("18.5000")))
        db.session.commit()
        set_cli_actor(None)

    # 客服 at the front desk: the owner of 1-1-0101 calls about a leaking pipe
    browser_login(page, role_user(roles.SERVICE), PASSWORD)
    _menu(page, "客户服务", "前台接待")
    page.select_option("#channel", "phone")
    page.select_option("#community", str(estate["community"]))
    page.fill("#house_no", "1-1-0101")
    page.fill("#person", "张先生")
    page.fill("#phone", "13800001234")
    page.fill("#summary", "厨房角阀漏水，地面有积水")
    page.select_option("#kind", "repair")
    page.select_option("#urgency", "urgent")
    assert page.locator("table.pm-kind[data-kind=complaint]").is_hidden()  # only the repair part shows
    with page.expect_navigation():
        page.locator("#intake-save").click()
    assert "已登记" in page.locator(".alert-success").first.inner_text()
    assert "/work-orders/show/" in page.url
    assert _state(page) == "待派单"
    with app.app_context():
        order = db.session.scalars(select(WorkOrder)).one()
        order_no, order_id = order.order_no, order.id
        assert db.session.scalars(select(Contact)).one().kind == "repair"
    assert order_no in page.locator("body").inner_text()

    # dispatch to the engineer: the next step is on the same page
    form = page.locator("#pm-act-dispatch")
    form.locator("select[name=assignee]").select_option(label=roles.ENGINEER)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert _state(page) == "已派单"
    page.screenshot(path="/tmp/browser-work-order-dispatched.png", full_page=True)

    # 工程维修 logs in and finds it under 我的工单
    _switch_user(page, roles.ENGINEER)
    _menu(page, "客户服务", "我的工单")
    row = page.locator("table tbody tr").filter(has_text=order_no)
    assert row.count() == 1 and "厨房角阀漏水" in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href*='/show/{order_id}']").first.click()
    with page.expect_navigation():
        page.locator("#pm-act-arrive button[type=submit]").click()
    assert _state(page) == "处理中"
    form = page.locator("#pm-act-complete")
    form.locator("textarea[name=result]").fill("更换角阀一个，试水无渗漏")
    form.locator("input[name=labour_fee]").fill("30")
    form.locator("select[name=material_0]").select_option(index=1)
    form.locator("input[name=quantity_0]").fill("1")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert _state(page) == "已完工待回访"
    assert "48.50" in page.locator("body").inner_text()  # 18.50 material + 30.00 labour
    assert page.locator("#pm-act-callback").count() == 0  # the call-back is the desk's, not his

    # the desk calls the owner back: satisfied, the order closes
    _switch_user(page, roles.SERVICE)
    page.goto(f"/work-orders/show/{order_id}")
    form = page.locator("#pm-act-callback")
    form.locator("input[name=satisfaction][value=satisfied]").check()
    form.locator("input[name=remark]").fill("业主表示修得很快")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert _state(page) == "已回访关闭"
    history = page.locator("#pm-history").inner_text()
    for step in ("派单", "到场", "完工", "回访"):
        assert step in history, step
    page.screenshot(path="/tmp/browser-work-order-closed.png", full_page=True)
    assert page.js_errors == []

    # the 派工单 PDF from the page's print button
    href = page.locator("#pm-print-order").get_attribute("href")
    resp = page.request.get(href)
    assert resp.ok and resp.headers["content-type"].startswith("application/pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.body())).pages)
    for expected in (order_no, "派工单", "1-1-0101", "角阀", "48.50", "满意"):
        assert expected in text, expected

    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert order.state == "closed" and order.satisfaction == "satisfied"
        charge = db.session.scalars(select(ServiceCharge)).one()  # 自用部位: billed at the completion
        assert charge.amount == Decimal("48.50") and charge.house_id == order.house_id and charge.state == "billed"
        bill = db.session.scalars(select(BillLine).where(BillLine.source == "repair")).one()
        assert (bill.amount, bill.house_id, bill.state) == (Decimal("48.50"), order.house_id, "unpaid")
