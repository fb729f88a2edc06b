"""走访 pages: the coverage page (own zone first for a 物业助理, who is behind, one click to record and print), a
visit recorded through the form that opens a repair, the report PDF (pdftotext) of the office and of one
assistant, the manager's summary, and who may do what."""
import re
import subprocess

import pytest
from sqlalchemy import func, select

from app.security import roles
from tests.community.conftest import within
from tests.community.visit_fixtures import visit_data

FIXTURES = (visit_data,)  # pytest finds the fixture by its name in this module


def _pdftotext(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return out.decode("utf-8")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_coverage_page_puts_the_assistants_own_zone_first(app, login_as, visit_data):
    html = login_as(roles.SERVICE).get(f"/visit-coverage/?community={visit_data['community']}&month=2026-10"
                                       ).get_data(as_text=True)
    rows = re.findall(r'data-assistant="(\d+)"', html)
    assert rows == [str(visit_data["a"]), str(visit_data["b"])]
    assert "我的专责区" in html and "进度落后" in html and "50.0%" in html and "100.0%" in html
    assert "户数口径" in html  # the definition of a household is said on the page
    assert "/visit-record/?community=" in html and "/visit-coverage/pdf?" in html
    assert 'id="summary-save"' not in html  # the summary is the manager's


def test_a_future_month_or_a_bad_community_shows_a_message_not_an_error(app, login_as, visit_data):
    client = login_as(roles.MANAGER)
    resp = client.get(f"/visit-coverage/?community={visit_data['community']}&month=2099-01", follow_redirects=True)
    assert resp.status_code == 200 and "尚未开始" in resp.get_data(as_text=True)
    resp = client.get("/visit-coverage/?community=abc&month=x", follow_redirects=True)
    assert resp.status_code == 200 and "没有该小区" in resp.get_data(as_text=True)


def test_the_form_records_a_visit_that_opens_a_linked_repair(app, login_as, visit_data):
    from app.community.models import Visit, VisitIssue
    from app.extensions import db
    from app.service.models import WorkOrder

    client = login_as(roles.SERVICE)
    form = {"community": visit_data["community"], "visited_on": "2026-11-13", "house_no": "1-1-0102",
            "channel": "door", "person": "李四", "issue_1_category": "repair", "issue_1_text": "阳台窗户关不严",
            "issue_1_outcome": "repair", "issue_2_category": "", "issue_2_text": "", "issue_2_outcome": "noted",
            "satisfaction": "satisfied", "other_needs": "希望开通家政服务"}
    resp = client.post("/visit-record/", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)

    def work():
        issue = db.session.scalars(select(VisitIssue).where(VisitIssue.text == "阳台窗户关不严")).one()
        order = db.session.get(WorkOrder, issue.work_order_id)
        return order.order_no, order.description, order.house.house_no, issue.visit.visitor_id

    order_no, description, house_no, visitor = within(app, work)
    assert (description, house_no, visitor) == ("阳台窗户关不严", "1-1-0102", visit_data["a"])
    assert order_no in page and "未完成" in page and "待派单" in page and "李*" in page


def test_office_and_assistant_reports_as_pdf(app, login_as, visit_data):
    client = login_as(roles.MANAGER)
    resp = client.post("/visit-coverage/summary", data={"community": visit_data["community"], "month": "2026-10",
                                                        "summary": "十月走访总体正常，1号楼需加强。"})
    assert resp.status_code == 302
    resp = client.get(f"/visit-coverage/pdf?community={visit_data['community']}&month=2026-10")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = _flat(_pdftotext(resp.data))
    for part in ("物业部走访情况报告", "翠湖花园", "全部专责区（管理处）",
                 "本月走访4次（上门2次、电话2次）。户数3户，至少走访一次2户，覆盖率66.7%。",
                 "客户反映问题1项，其中未关闭1项、已关闭0项。", "报修维修", "卫生间漏水", "待派单",
                 "希望增设快递柜，电话139****5678", "十月走访总体正常，1号楼需加强。", "编制（物业助理）", "项目经理"):
        assert part in text, part
    assert "13912345678" not in text
    resp = client.get(f"/visit-coverage/pdf?community={visit_data['community']}&month=2026-10"
                      f"&assistant={visit_data['b']}")
    text = _flat(_pdftotext(resp.data))
    assert "物业助理：助理乙" in text
    assert "本月走访1次（上门0次、电话1次）。户数1户，至少走访一次1户，覆盖率100.0%。" in text
    assert "卫生间漏水" not in text  # raised on another assistant's visit


def test_summary_is_the_managers_and_a_bad_one_changes_nothing(app, login_as, visit_data):
    from app.community.models import VisitSummary
    from app.extensions import db

    url, data = "/visit-coverage/summary", {"community": visit_data["community"], "month": "2026-10", "summary": "好"}
    assert login_as(roles.SERVICE).post(url, data=data).status_code in (302, 403)
    resp = login_as(roles.MANAGER).post(url, data=dict(data, summary="  "), follow_redirects=True)
    assert "不能为空" in resp.get_data(as_text=True)
    assert within(app, lambda: db.session.scalar(select(func.count(VisitSummary.id)))) == 0


@pytest.mark.parametrize("role, allowed, assign", [
    (roles.MANAGER, True, True), (roles.SERVICE, True, False), (roles.CASHIER, False, False),
    (roles.ENGINEER, False, False), (roles.COMMITTEE, False, False)])
def test_who_sees_the_visit_pages(app, login_as, visit_data, role, allowed, assign):
    client = login_as(role)
    c = visit_data["community"]
    for url in (f"/visit-coverage/?community={c}", f"/visit-record/?community={c}",
                f"/visit-coverage/pdf?community={c}&month=2026-10", f"/visit-zones/?community={c}"):
        assert (client.get(url).status_code == 200) == allowed, url
    html = client.get(f"/visit-zones/?community={c}").get_data(as_text=True)
    assert ('id="zone-save"' in html) == assign
