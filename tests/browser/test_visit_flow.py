"""走访 in Chromium: a 物业助理 opens the month's coverage (his zone first), records a door-to-door visit whose issue
becomes a repair (the work order exists and is linked both ways); the 项目经理 types the month's summary and prints
the month's 《物业部走访情况报告》, which holds the visit, the repair and the summary."""
import io
import re
from datetime import date
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from app.community import visits
from app.community.models import VisitIssue
from app.core.audit import set_cli_actor
from app.estate.models import House, Owner, Ownership
from app.estate.services import prepare_person
from app.extensions import db
from app.security import roles
from app.service.models import WorkOrder
from tests.browser.conftest import browser_login, menu as _menu
from tests.conftest import PASSWORD, actor, resident_id, role_user


def test_assistant_records_a_visit_that_opens_a_repair_and_the_manager_prints_the_report(app, page, estate):
    with app.test_request_context():
        set_cli_actor("test")
        house = db.session.scalars(select(House).where(House.house_no == "1-1-0101",
                                                       House.community_id == estate["community"])).one()
        owner = Owner(kind="person", name="张三丰", id_type="resident_id", id_number=resident_id("19700101"),
                      phone="13812345678")
        prepare_person(owner)
        db.session.add(owner)
        db.session.flush()
        db.session.add(Ownership(house_id=house.id, owner_id=owner.id, share=Decimal("100"),
                                 started_on=date(2020, 1, 1)))
        visits.assign_zone(estate["community"], actor(app, roles.SERVICE).id, [estate["b1"]],
                           actor(app, roles.MANAGER))
        db.session.commit()
        house_id = house.id
        set_cli_actor(None)
    month = date.today().strftime("%Y-%m")

    # 物业助理 (客服): 社区关系 → 走访覆盖率, his zone first; one click to record a visit
    browser_login(page, role_user(roles.SERVICE), PASSWORD)
    _menu(page, "社区关系", "走访覆盖率")
    first = page.locator("#coverage-table tbody tr").first
    assert "我的专责区" in first.inner_text() and "1号楼" in first.inner_text()
    with page.expect_navigation():
        page.locator("#coverage-record").click()
    page.fill("#house_no", "1-1-0101")
    page.fill("#person", "张三丰")
    page.select_option("#issue_1_category", "repair")
    page.fill("#issue_1_text", "厨房水槽下水管漏水")
    page.select_option("#issue_1_outcome", "repair")
    page.fill("#other_needs", "希望开通家政保洁服务")
    page.select_option("#satisfaction", "satisfied")
    with page.expect_navigation():
        page.locator("#visit-save").click()
    assert "走访已记录" in page.locator(".alert-success").first.inner_text()
    with app.app_context():
        issue = db.session.scalars(select(VisitIssue)).one()
        order = db.session.get(WorkOrder, issue.work_order_id)
        order_no, order_house, contact_kind = order.order_no, order.house_id, order.contact.kind
        assert issue.contact_id == order.contact_id
    assert (order_house, contact_kind) == (house_id, "repair")
    record = page.locator("#visit-issues td.visit-record")
    assert record.inner_text().strip() == order_no
    assert "未完成" in page.locator("#visit-issues td.visit-state").inner_text()
    page.screenshot(path="/tmp/browser-visit-recorded.png", full_page=True)
    with page.expect_navigation():
        record.locator("a").click()  # the work order's page, opened from the visit
    assert order_no in page.content() and "厨房水槽下水管漏水" in page.content()

    # 项目经理: the coverage page, types the month's summary, prints the month's report
    page.context.clear_cookies()
    browser_login(page, role_user(roles.MANAGER), PASSWORD)
    _menu(page, "社区关系", "走访覆盖率")
    assert "100.0%" in page.locator("#coverage-table tfoot").inner_text()  # 1 household of 1 visited
    page.fill("#summary", "本月1号楼走访完成，漏水报修已派单跟进。")
    with page.expect_navigation():
        page.locator("#summary-save").click()
    assert "小结已保存" in page.locator(".alert-success").first.inner_text()
    assert page.locator("#summary").input_value() == "本月1号楼走访完成，漏水报修已派单跟进。"
    href = page.locator("#coverage-print").get_attribute("href")
    assert f"month={month}" in href
    resp = page.request.get(href)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(resp.body()))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    for part in ("物业部走访情况报告", "翠湖花园", "本月走访1次（上门1次、电话0次）", "厨房水槽下水管漏水", order_no,
                 "希望开通家政保洁服务", "张*", "本月1号楼走访完成，漏水报修已派单跟进。"):
        assert part in text, part
    assert "张三丰" not in text
    assert page.js_errors == []
