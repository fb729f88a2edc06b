"""满意度调查 in Chromium: a 客服 opens the current survey from the menu, types one paper form (the house, then one
digit per question: the cursor moves on by itself, Enter saves), gets the empty form for the next one, and reads
the result page against the previous survey."""
import re

from app.extensions import db
from app.security import roles
from tests.browser.conftest import browser_login, menu as _menu
from tests.community.conftest import within
from tests.community.survey_data import surveyed  # noqa: F401  (the fixture)
from tests.conftest import PASSWORD, role_user


def test_a_clerk_types_a_paper_form_and_reads_the_results(app, page, surveyed):
    from tests.community.survey_data import open_campaign

    def work():
        campaign = open_campaign(app, surveyed["community"], surveyed["template"], 2027, 1)
        db.session.commit()
        return campaign.id

    pk = within(app, work)
    browser_login(page, role_user(roles.SERVICE), PASSWORD)
    _menu(page, "社区关系", "满意度调查")
    row = page.locator("table tbody tr").filter(has_text="2027年上半年")
    with page.expect_navigation():
        row.locator(f"a[href*='/show/{pk}']").first.click()
    with page.expect_navigation():
        page.locator("#pm-enter-forms").click()

    # the house, then 5 4 3 typed straight on: each digit moves the cursor to the next question
    page.fill("#house", "1-1-0201")
    answers = page.locator("#pm-survey-entry input.answer")
    answers.first.focus()
    page.keyboard.type("54")
    assert page.evaluate("document.activeElement.id") == answers.nth(2).get_attribute("id")
    page.keyboard.type("3")
    assert page.evaluate("document.activeElement.id") == "remark"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1-1-0201 的问卷已保存。请录入下一份：" in page.locator(".alert-success").first.inner_text()
    assert page.locator("#house").input_value() == ""
    assert page.evaluate("document.activeElement.id") == "house"
    assert "已有 1 户答卷，共 5 户。" in page.locator("#pm-entry-progress").inner_text()
    page.screenshot(path="/tmp/browser-survey-entry.png", full_page=True)

    # the same household again: refused in Chinese, nothing written
    page.fill("#house", "1-1-0201")
    answers.first.fill("2")
    with page.expect_navigation():
        page.locator("#pm-save-form").click()
    assert "1-1-0201 已答过本次调查：每户只答一次。" in page.locator("#pm-error-house").inner_text()

    # 调查结果 of 2027年上半年: 2 of 3 answers satisfied (5, 4; 不满意) against 9 of 13 before
    _menu(page, "社区关系", "调查结果")
    page.select_option("#campaign", str(pk))
    with page.expect_navigation():
        page.locator("#survey-result-form button[type=submit]").click()
    summary = page.locator("#survey-summary").inner_text()
    assert "5 户中已有 1 户答卷（20.0%）" in summary and "总体满意率：66.7%" in summary
    assert "与2026年下半年对比" in summary
    total = page.locator("#survey-departments tr.total").inner_text()
    assert re.sub(r"\s+", " ", total).strip() == "全部题目 3 2 66.7% 69.2% -2.5"
    assert page.locator("#survey-pdf").count() == 0  # the 项目经理 prints the report
    assert "未作答的题不是有效答题" in page.locator("#survey-definition").inner_text()
    page.screenshot(path="/tmp/browser-survey-results.png", full_page=True)
