"""The owner import in a real browser, as the 档案内业 clerk does it (real CSRF): download the template, upload a
file with a bad row (nothing imported, the row listed), then the corrected file (imported)."""
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.estate.models import House, Owner
from app.extensions import db
from app.security.roles import ARCHIVES
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, resident_id, role_user


def _houses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(House.id)))


def _filled_template(data: bytes, phone: str) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    values = ["翠湖花园", "6号楼", "1单元", "0101", 1, 88.8, None, "两室一厅", None, None, "周七", None, None,
              resident_id("19820202", "330106", "077"), phone, None, None, None, None, None]
    for col, value in enumerate(values, start=1):
        ws.cell(row=2, column=col, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_archive_clerk_imports_owners_from_the_template(app, page, estate, tmp_path):
    browser_login(page, role_user(ARCHIVES), PASSWORD)
    page.goto("/owner-import/")
    assert page.locator('#import-form input[name="csrf_token"]').get_attribute("value")
    with page.expect_download() as info:
        page.locator("#download-template").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    template = download.path().read_bytes()
    before = _houses(app)

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_filled_template(template, "12345"))
    page.set_input_files("#file", str(bad))
    with page.expect_navigation():
        page.locator("#import-form button[type=submit]").click()
    rows = page.locator("#import-errors tbody tr")
    assert rows.count() == 1 and rows.first.locator("td").first.inner_text().strip() == "2"
    assert "手机号码" in rows.first.inner_text()
    assert page.locator("#import-problem").is_visible()
    assert _houses(app) == before

    good = tmp_path / "good.xlsx"
    good.write_bytes(_filled_template(template, "13712345678"))
    page.set_input_files("#file", str(good))
    with page.expect_navigation():
        page.locator("#import-form button[type=submit]").click()
    assert page.locator("#import-done").is_visible()
    assert _houses(app) == before + 1
    with app.app_context():
        owner = db.session.scalar(select(Owner).where(Owner.name == "周七"))
        assert owner.phone == "13712345678" and owner.ownerships[0].house.house_no == "6-1-0101"
    page.screenshot(path="/tmp/browser-import.png", full_page=True)
    with page.expect_navigation():
        page.locator("#import-done a.btn").click()
    assert "/houses/list" in page.url
    assert not page.js_errors, page.js_errors
