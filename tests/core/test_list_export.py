"""导出 Excel from the lists a clerk works from: the button on the list, the rows its search finds (every page), the
columns and masked values the page shows, and nothing for a role that may not read the list."""
import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import services
from tests.community.visit_fixtures import visit_data  # noqa: F401 (a fixture)
from tests.conftest import actor, pay_first_bill_at_counter

pytestmark = pytest.mark.moment("2026-11-20 10:00")
T0 = datetime(2026, 11, 20, 9, 0)


def _sheet(resp) -> list[list]:
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(resp.data)).active
    return [[cell for cell in row] for row in ws.iter_rows(values_only=True)]


def _excel_link(html: str) -> str | None:
    m = re.search(r'<a class="btn btn-sm btn-default pm-excel" href="([^"]+)"', html)
    return m.group(1).replace("&amp;", "&") if m else None


@pytest.fixture
def desk_day(app, estate):
    """Two repairs and two complaints of 20 November, each with a mobile number; a contact of the work log."""
    with app.test_request_context():
        set_cli_actor("test")
        desk = actor(app, roles.SERVICE)
        for i, (house, text) in enumerate(((estate["houses"][0], "厨房水管漏水"), (estate["houses"][1], "开关面板冒火花"))):
            services.create_order({"house": house, "scope": "private", "category": "water_power", "source": "phone",
                                   "urgency": "normal", "description": text, "reporter_name": "张先生",
                                   "reporter_phone": f"1390000{i}111"}, desk, now=T0 + timedelta(minutes=i))
            services.create_complaint({"house": house, "channel": "phone", "complainant": f"何女士{i}",
                                       "phone": f"1310000{i}915", "category": "repair", "severity": "normal",
                                       "content": "电梯停运"}, desk, now=T0 + timedelta(minutes=i))
        db.session.commit()
        set_cli_actor(None)
    return estate


def test_the_complaints_list_exports_what_it_shows_in_its_order(login_as, desk_day):
    desk = login_as(roles.SERVICE)
    html = desk.get("/complaints/list/").get_data(as_text=True)
    link = _excel_link(html)
    assert link and link.startswith("/complaints/export.xlsx")
    rows = _sheet(desk.get(link))
    assert rows[0][:3] == ["投诉编号", "房屋", "投诉人"]
    assert [r[2] for r in rows[1:]] == ["何女士1", "何女士0"]  # newest first, like the list
    assert all(r[5] == "已受理" for r in rows[1:])  # the state's label, not its code
    assert "attachment" in desk.get(link).headers["Content-Disposition"]


def test_the_export_keeps_the_lists_search(login_as, desk_day, app):
    desk = login_as(roles.SERVICE)
    html = desk.get("/complaints/list/?_flt_0_complainant=何女士0").get_data(as_text=True)
    link = _excel_link(html)
    assert "_flt_0_complainant" in link
    rows = _sheet(desk.get(link))
    assert [r[2] for r in rows[1:]] == ["何女士0"]


def test_the_export_holds_every_page_not_only_the_first(login_as, app, estate):
    with app.test_request_context():
        set_cli_actor("test")
        desk = actor(app, roles.SERVICE)
        for i in range(25):  # the list shows 20 a page
            services.create_order({"house": estate["houses"][i % 3], "scope": "private", "category": "water_power",
                                   "source": "phone", "urgency": "normal", "description": f"漏水{i}",
                                   "reporter_name": "张先生", "reporter_phone": "13900001111"}, desk,
                                  now=T0 + timedelta(minutes=i))
        db.session.commit()
        set_cli_actor(None)
    clerk = login_as(roles.SERVICE)
    assert len(_sheet(clerk.get("/work-orders/export.xlsx"))) == 1 + 25


def test_personal_data_stays_masked_in_the_export(login_as, desk_day, app):
    with app.test_request_context():
        set_cli_actor("test")
        services.log_contact({"community": desk_day["community"], "house": desk_day["houses"][0], "channel": "phone",
                              "kind": "other", "person": "李先生", "phone": "13700001234", "summary": "问停车",
                              "occurred_at": T0}, actor(app, roles.SERVICE))
        db.session.commit()
        set_cli_actor(None)
    cells = []
    for role in (roles.ADMIN, roles.MANAGER, roles.SERVICE):
        client = login_as(role)
        for url in ("/work-log/export.xlsx", "/complaints/export.xlsx", "/work-orders/export.xlsx"):
            cells += [str(c) for row in _sheet(client.get(url)) for c in row]
    assert "李先生" in cells and "何女士0" in cells
    assert not [c for c in cells if re.search(r"1[3-9]\d{9}", c)]


def test_each_list_a_clerk_works_from_offers_the_export(login_as, desk_day, app, fees, visit_data):
    cashier = login_as(roles.CASHIER)
    pay_first_bill_at_counter(app, fees, cashier)
    cashier.post("/reminders/add", data={"house": fees["houses"][1], "method": "phone", "contact_person": "王先生",
                                         "outcome": "promised", "at": "2026-11-20 09:30"})
    desk = login_as(roles.SERVICE)
    lists = {desk: ["/work-orders/list/", "/complaints/list/", "/work-log/list/", "/visits/list/"],
             cashier: ["/receipts/list/", "/unpaid-bills/list/", "/reminders/list/"]}
    for client, urls in lists.items():
        for url in urls:
            html = client.get(url).get_data(as_text=True)
            link = _excel_link(html)
            assert link, url
            rows = _sheet(client.get(link))
            assert len(rows) >= 2, url
            assert all(isinstance(h, str) and re.search(r"[\u4e00-\u9fff]", h) for h in rows[0]), (url, rows[0])


def test_a_role_that_cannot_read_the_list_cannot_export_it(login_as, desk_day):
    cleaner = login_as(roles.CLEANING)
    assert cleaner.get("/complaints/export.xlsx").status_code in (302, 403)
    cashier = login_as(roles.CASHIER)
    assert cashier.get("/complaints/export.xlsx").status_code in (302, 403)


def test_the_owners_list_exports_through_the_owner_export(login_as, estate):
    clerk = login_as(roles.ARCHIVES)
    clerk.post("/owners/add", data={"kind": "person", "name": "陈晓", "id_type": "passport", "id_number": "E12345678",
                                    "phone": "13812345678"})
    html = clerk.get("/owners/list/?_flt_0_name=陈晓").get_data(as_text=True)
    link = _excel_link(html)
    assert link and link.startswith("/export/owners?") and "_flt_0_name" in link
    rows = _sheet(clerk.get(link))
    flat = " ".join(str(c) for r in rows for c in r)
    assert "陈晓" in flat and "13812345678" not in flat


def test_the_days_work_log_exports_one_sheet_per_table_masked(login_as, desk_day):
    desk = login_as(roles.SERVICE)
    html = desk.get("/daily-log/?day=2026-11-20").get_data(as_text=True)
    assert 'id="pm-daily-xlsx"' in html
    resp = desk.get("/daily-log/xlsx?day=2026-11-20")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames[:4] == ["来电、来访与联系", "报修登记", "完成报修", "受理投诉"]
    repairs = list(wb["报修登记"].iter_rows(values_only=True))
    assert [r[1][:2] for r in repairs[1:]] == ["BX", "BX"] and repairs[1][0] == datetime(2026, 11, 20, 9, 0)
    complaints = list(wb["受理投诉"].iter_rows(values_only=True))
    assert {r[3] for r in complaints[1:]} == {"何女士0", "何女士1"}
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row]
    assert "131****0915" in cells and not [c for c in cells if re.search(r"1[3-9]\d{9}", c)]
