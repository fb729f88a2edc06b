"""The estate flow in a real browser, as the 管理员 does it: log in, add a house, find it, print the roster."""
import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from app.estate.models import House
from app.extensions import db
from app.security.roles import ADMIN
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, role_user

ENGLISH_IN_NAV = re.compile(r"\b(Welcome|List|Add|Edit|Show|Delete|Security|Estate|Houses|Buildings|Logout)\b")


def _houses(app, **where):
    with app.app_context():
        stmt = select(func.count(House.id))
        for key, value in where.items():
            stmt = stmt.where(getattr(House, key) == value)
        return db.session.scalar(stmt)


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), data[:200]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _open_from_menu(page, category: str, item: str, path: str) -> None:
    nav = page.locator("nav, .navbar").first
    nav.get_by_role("link", name=category).click()
    with page.expect_navigation():
        # an entry is "<icon>&nbsp; 房屋" (the icon font adds a glyph to the accessible name): match its text
        nav.locator("ul.dropdown-menu a").filter(has_text=re.compile(rf"^\s*{item}\s*$")).click()
    assert path in page.url


def _fill_house(page, unit_id: int, room_no: str, floor: str, area: str) -> None:
    page.select_option("#unit", str(unit_id))  # the <select> under the select2 widget
    page.fill("#room_no", room_no)
    page.fill("#floor", floor)
    page.fill("#building_area", area)


def _save(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()


def test_admin_adds_house_finds_it_and_prints_roster(app, page, estate):
    page.goto("/login/")
    assert page.locator('form input[name="csrf_token"]').count() == 1  # real CSRF in the browser run
    page.fill("#username", role_user(ADMIN))
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/login" not in page.url

    # Home page: Chinese, with the estate menu.
    nav = page.locator(".navbar").first
    assert nav.get_by_role("link", name="房产管理").is_visible()
    nav_text = nav.inner_text()
    assert not ENGLISH_IN_NAV.search(nav_text), nav_text
    assert "Welcome" not in page.locator("body").inner_text()
    assert "欢迎" in page.locator("h2").first.inner_text()
    page.screenshot(path="/tmp/browser-home.png", full_page=True)

    # 房产管理 → 房屋, then the + button.
    _open_from_menu(page, "房产管理", "房屋", "/houses/list/")
    with page.expect_navigation():
        page.locator('a[href*="/houses/add"]').first.click()
    assert page.locator(".panel-title, .panel-heading").first.inner_text().strip() == "新增房屋"
    assert page.locator('form input[name="csrf_token"]').first.get_attribute("value")

    _fill_house(page, estate["u11"], "0601", "6", "96.50")
    page.fill("#layout", "三室两厅")
    page.screenshot(path="/tmp/browser-add-house.png", full_page=True)
    _save(page)

    assert "记录已添加" in page.locator(".alert-success").first.inner_text()
    assert _houses(app, house_no="1-1-0601", building_id=estate["b1"]) == 1

    # Find it with the list's own filter: 搜索 → 添加过滤条件 → 楼栋 = 翠湖花园 1号楼 → 搜索.
    assert "/houses/list" in page.url  # saving goes back to the list
    page.locator("a.accordion-toggle", has_text="搜索").click()
    page.get_by_role("button", name="添加过滤条件").click()
    page.locator('a.filter[name="building"]').click()
    page.select_option('select[name="_flt_0_building"]', str(estate["b1"]))
    with page.expect_navigation():
        page.locator("#filter_form button[type=submit]").click()
    assert f"_flt_0_building={estate['b1']}" in page.url
    rows = page.locator("table.table-hover:not(.filters) > tbody > tr")  # the list, not the filter table
    assert rows.count() == 5  # 1号楼's four houses and the new one
    house_row = rows.filter(has_text="1-1-0601")
    assert house_row.count() == 1
    assert "翠湖花园 1号楼" in house_row.inner_text() and "96.50" in house_row.inner_text()
    assert rows.filter(has_text="2-1-0301").count() == 0  # 2号楼 is filtered out
    page.screenshot(path="/tmp/browser-house-list.png", full_page=True)

    # 楼栋 list: tick 翠湖花园 1号楼, 操作 → 打印房屋清册.
    _open_from_menu(page, "房产管理", "楼栋", "/buildings/list/")
    row = page.locator("tbody tr").filter(has_text="翠湖花园").filter(has_text="1号楼")
    assert row.count() == 1
    checkbox = row.locator('input[name="rowid"]')
    assert checkbox.get_attribute("value") == str(estate["b1"])
    checkbox.check()
    page.get_by_role("button", name="操作").click()
    page.screenshot(path="/tmp/browser-building-actions.png", full_page=True)
    # The action posts a hidden form and the answer is an inline PDF, which Chromium shows in its viewer
    # (what the page then holds is the viewer, not the PDF): take the answer on its way to the page.
    answers = []

    def _keep_answer(route):
        answer = route.fetch()
        answers.append((route.request, answer.status, answer.headers, answer.body()))
        route.fulfill(response=answer)

    page.route("**/buildings/action_post", _keep_answer)
    with page.expect_response(lambda r: r.url.endswith("/buildings/action_post")):
        page.get_by_role("link", name="打印房屋清册").click()
    page.unroute("**/buildings/action_post")
    assert len(answers) == 1
    request, status, headers, body = answers[0]
    assert request.method == "POST"
    posted = request.post_data or ""
    assert "csrf_token=" in posted and "action=print_roster" in posted and f"rowid={estate['b1']}" in posted
    assert status == 200 and headers["content-type"].startswith("application/pdf")
    assert "inline" in headers["content-disposition"]
    text = _pdf_text(body)
    for expected in ("房屋清册", "翠湖花园", "1号楼", "1-1-0101", "1-1-0601"):
        assert expected in text, expected
    assert "2-1-0301" not in text

    # The print URL answers the same to the logged-in session (cookies shared with the page).
    resp = page.context.request.get(f"/print/roster?building={estate['b1']}")
    assert resp.status == 200 and resp.headers["content-type"].startswith("application/pdf")
    assert "1-1-0601" in _pdf_text(resp.body())
    assert not page.js_errors, page.js_errors


def test_negative_area_is_refused_beside_the_field(app, page, estate):
    browser_login(page, role_user(ADMIN), PASSWORD)
    before = _houses(app)
    page.goto("/houses/add")
    _fill_house(page, estate["u11"], "0701", "7", "-5")
    _save(page)

    assert "/houses/add" in page.url  # the form again, not the list
    field_row = page.locator("tr", has=page.locator("#building_area"))
    assert "建筑面积(㎡)必须大于 0。" in field_row.inner_text()
    assert page.locator("#building_area").input_value() == "-5"  # the input is kept
    assert page.locator("#room_no").input_value() == "0701"
    assert page.locator(".alert-success").count() == 0
    page.screenshot(path="/tmp/browser-bad-area.png", full_page=True)
    assert _houses(app) == before
    assert _houses(app, room_no="0701") == 0
    assert not page.js_errors, page.js_errors


def test_form_post_without_csrf_token_is_refused(app, page, estate):
    browser_login(page, role_user(ADMIN), PASSWORD)
    before = _houses(app)
    resp = page.context.request.post("/houses/add", form={
        "unit": str(estate["u11"]), "room_no": "0801", "floor": "8", "building_area": "80",
        "usage": "residential", "status": "vacant",
    }, max_redirects=0)
    assert resp.status == 400
    assert "页面已过期" in resp.text()  # the Chinese error page says what happened
    assert _houses(app) == before
