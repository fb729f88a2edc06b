"""通知公告 in Chromium, as the office runs it: the 客服 drafts a 停水通知 from the template and submits it; the
项目经理 approves and publishes it and prints the A4 poster, which reads as posted (no draft watermark)."""
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from app.community.models import Announcement
from app.core.audit import set_cli_actor
from app.estate.models import Community
from app.extensions import db
from app.security import roles
from tests.browser.conftest import browser_login, menu as _menu
from tests.conftest import PASSWORD, role_user


def test_desk_drafts_a_water_cut_and_the_manager_approves_and_prints_it(app, page, estate):
    with app.app_context():
        set_cli_actor("test")
        db.session.get(Community, estate["community"]).phone = "0571-88886666"
        db.session.commit()
        set_cli_actor(None)

    # 客服: 社区关系 → 起草通知, a 停水通知 for 1号楼
    browser_login(page, role_user(roles.SERVICE), PASSWORD)
    _menu(page, "社区关系", "起草通知")
    with page.expect_navigation():
        page.select_option("#community", str(estate["community"]))
    assert page.locator("#notice_type").input_value() == "outage"
    page.locator(f"#buildings input[value='{estate['b1']}']").check()
    page.select_option("#f_utility", "water")
    page.fill("#f_starts_at", "2026-12-01T08:00")
    page.fill("#f_ends_at", "2026-12-01T18:00")
    page.fill("#f_reason", "二次供水水箱清洗")
    assert page.locator("#f_contact_phone").input_value() == "0571-88886666"
    with page.expect_navigation():
        page.locator("#fill").click()
    assert page.locator("#title").input_value() == "停水通知"
    body = page.locator("#body").input_value()
    assert "因二次供水水箱清洗，翠湖花园1号楼将于2026年12月1日 08:00至18:00停水。" in body
    page.fill("#body", body.replace("感谢您的理解与支持！", "届时1号楼大堂设临时供水点。\n感谢您的理解与支持！"))
    page.screenshot(path="/tmp/browser-notice-draft.png", full_page=True)
    with page.expect_navigation():
        page.locator("#save").click()
    assert "已保存" in page.locator(".alert-success").first.inner_text()
    assert page.locator("#pm-notice-state").inner_text().strip() == "草稿"
    assert page.locator("#pm-act-approve").count() == 0
    with page.expect_navigation():
        page.locator("#pm-act-submit button").click()
    assert page.locator("#pm-notice-state").inner_text().strip() == "待审批"
    with app.app_context():
        notice_id = db.session.scalar(select(Announcement.id))

    # 项目经理: 社区关系 → 通知公告, opens it, approves and publishes, prints the A4 poster
    page.context.clear_cookies()
    browser_login(page, role_user(roles.MANAGER), PASSWORD)
    _menu(page, "社区关系", "通知公告")
    row = page.locator("table tbody tr").filter(has_text="停水通知")
    assert "待审批" in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href*='/show/{notice_id}']").first.click()
    assert "临时供水点" in page.locator("#pm-notice-text").inner_text()
    with page.expect_navigation():
        page.locator("#pm-act-approve button").click()
    assert page.locator("#pm-notice-state").inner_text().strip() == "已发布"
    page.screenshot(path="/tmp/browser-notice-published.png", full_page=True)
    form = page.locator("#pm-print-poster")
    form.locator("select[name=paper]").select_option("a4")
    action = form.get_attribute("action")
    with page.context.expect_page() as opened:
        form.locator("button[type=submit]").click()
    poster_url = opened.value.url
    opened.value.close()
    assert poster_url.split("?")[0].endswith(action) and "paper=a4" in poster_url
    resp = page.request.get(poster_url)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(resp.body()))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert len(reader.pages) == 1 and text.startswith("停水通知")
    assert "临时供水点" in text and "翠湖花园物业服务中心" in text and "草稿" not in text
    assert page.js_errors == []
