"""The 满意度调查 pages: a clerk types a stack of forms (one household once, Chinese messages, nothing written
on bad input), the questionnaire and campaign pages, the results page and the report PDF, and who may do what."""
import re
import subprocess

import pytest

from app.security import roles
from tests.community.conftest import within
from tests.conftest import flashes


def _count(app, campaign_id):
    from sqlalchemy import func, select

    from app.community.models import SurveyAnswer, SurveyResponse
    from app.extensions import db

    def work():
        forms = db.session.scalar(select(func.count()).select_from(SurveyResponse)
                                  .where(SurveyResponse.campaign_id == campaign_id))
        answers = db.session.scalar(select(func.count()).select_from(SurveyAnswer).join(SurveyResponse)
                                    .where(SurveyResponse.campaign_id == campaign_id))
        return forms, answers

    return within(app, work)


def _question_ids(app, campaign_id):
    from app.community.models import SurveyCampaign
    from app.extensions import db

    return within(app, lambda: [q.id for q in db.session.get(SurveyCampaign, campaign_id).template.questions])


def test_a_clerk_types_forms_one_after_another(app, login_as, fresh):
    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    q1, q2, q3 = _question_ids(app, pk)
    page = client.get(f"/survey-entry/{pk}").get_data(as_text=True)
    assert 'id="house"' in page and "1 很不满意 2 不满意 3 一般 4 满意 5 非常满意" in page and "1 满意 2 基本满意 3 不满意" in page
    resp = client.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "5", f"q{q2}": "",
                                                    f"q{q3}": "基本满意"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/survey-entry/{pk}")
    page = client.get(f"/survey-entry/{pk}").get_data(as_text=True)
    assert "1-1-0101 的问卷已保存。请录入下一份：" in flashes(page)
    assert "已有 1 户答卷，共 5 户。" in page
    assert _count(app, pk) == (1, 2)  # the blank question left no answer
    client.post(f"/survey-entry/{pk}", data={"house": "2-1-0301", f"q{q1}": "3", f"q{q2}": "4", f"q{q3}": "3"})
    assert _count(app, pk) == (2, 5)


def test_one_household_answers_once_on_the_page(app, login_as, fresh):
    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    q1, _q2, _q3 = _question_ids(app, pk)
    client.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "5"})
    resp = client.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "2"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "1-1-0101 已答过本次调查：每户只答一次。" in page
    assert _count(app, pk) == (1, 1)


@pytest.mark.parametrize("house, answers, message", [
    ("1-1-0999", {0: "5"}, "翠湖花园没有房号为 1-1-0999 的房屋。"),
    ("", {0: "5"}, "翠湖花园没有房号为 — 的房屋。"),
    ("1-1-0101", {0: "6"}, "第 1 题：请填写 1 很不满意 2 不满意 3 一般 4 满意 5 非常满意 之一，或留空。"),
    ("1-1-0101", {2: "4"}, "第 3 题：请填写 1 满意 2 基本满意 3 不满意 之一，或留空。"),
    ("1-1-0101", {0: "<b>5</b>"}, "第 1 题：请填写"),
    ("1-1-0101", {}, "这份问卷没有答案：所有题目都是空的。"),
])
def test_bad_forms_are_refused_in_chinese_and_write_nothing(app, login_as, fresh, house, answers, message):
    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    ids = _question_ids(app, pk)
    resp = client.post(f"/survey-entry/{pk}", data={"house": house, **{f"q{ids[i]}": v for i, v in answers.items()}})
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert _count(app, pk) == (0, 0)


def test_a_house_of_another_community_is_refused(app, login_as, fresh):
    """锦绣华庭 has a 1-1-0101 too: a form of 翠湖花园's survey finds 翠湖花园's house only."""
    from app.community.models import SurveyResponse
    from app.extensions import db

    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    q1 = _question_ids(app, pk)[0]
    client.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "5"})
    house_id = within(app, lambda: db.session.query(SurveyResponse).filter_by(campaign_id=pk).one().house_id)
    assert house_id == fresh["houses"][0]


def test_a_typed_form_is_taken_back_and_typed_again(app, login_as, fresh):
    from app.community.models import SurveyResponse
    from app.extensions import db

    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    q1 = _question_ids(app, pk)[0]
    client.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "1"})
    rid = within(app, lambda: db.session.query(SurveyResponse).filter_by(campaign_id=pk).one().id)
    client.post(f"/survey-entry/delete/{rid}")
    assert _count(app, pk) == (0, 0)
    client.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "5"})
    assert _count(app, pk) == (1, 1)


def test_an_ended_survey_takes_no_form(app, login_as, fresh):
    manager = login_as(roles.MANAGER)
    pk = fresh["fresh"]
    manager.post(f"/survey-campaign-admin/{pk}/close")
    clerk = login_as(roles.SERVICE)
    q1 = _question_ids(app, pk)[0]
    resp = clerk.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "5"})
    assert "调查已结束：不再接收问卷。" in resp.get_data(as_text=True)
    assert _count(app, pk) == (0, 0)
    manager.post(f"/survey-campaign-admin/{pk}/reopen")
    clerk.post(f"/survey-entry/{pk}", data={"house": "1-1-0101", f"q{q1}": "5"})
    assert _count(app, pk) == (1, 1)


def test_the_results_page_shows_the_rates_and_the_definition(app, login_as, surveyed):
    page = login_as(roles.SERVICE).get(f"/survey-results/?campaign={surveyed['h2']}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "2026年下半年：5 户中已有 5 户答卷（100.0%）。" in text
    assert "总体满意率：69.2%。" in text and "与2026年上半年对比。" in text
    assert "1号楼 11 8 72.7% 50.0% +22.7" in text
    assert "客服 5 3 60.0% 66.7% -6.7" in text and "工程 4 3 75.0% 33.3% +41.7" in text
    assert "4 分（满意）和 5 分（非常满意）计为满意" in text and "未作答的题不是有效答题，不计入" in text
    assert "打印调查报告" not in page  # the 客服 reads the results; the 项目经理 prints the report


def test_bad_campaign_argument_falls_back_to_the_latest(login_as, surveyed):
    page = login_as(roles.MANAGER).get("/survey-results/?campaign=abc").get_data(as_text=True)
    assert "没有这次调查；显示最近一次。" in page and "2026年下半年" in page


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_report_pdf(app, login_as, surveyed, tmp_path):
    resp = login_as(roles.MANAGER).get(f"/survey-results/report?campaign={surveyed['h2']}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = re.sub(r"[ \t]+", " ", _pdf_text(resp.data, tmp_path))
    assert "满意度调查报告" in text and "翠湖花园" in text and "2026年下半年" in text
    assert "答卷户数：5 / 5（100.0%）" in text
    assert "总体满意率：69.2%（2026年上半年 50.0%，变化 +19.2）" in text
    assert "各部门满意率" in text and "各楼栋满意率" in text
    assert "1号楼 11 8 72.7% 50.0% +22.7" in text
    assert "未作答的题不是有效答题" in text
    assert "项目经理" in text


def test_roles_survey(app, login_as, surveyed):
    h2 = surveyed["h2"]
    clerk = login_as(roles.SERVICE)
    assert clerk.get(f"/survey-results/report?campaign={h2}").status_code in (302, 403)
    assert clerk.get("/survey-campaign-admin/").status_code in (302, 403)
    assert clerk.get(f"/survey-entry/{h2}").status_code == 200
    cashier = login_as(roles.CASHIER)
    for url in (f"/survey-entry/{h2}", "/survey-results/", "/survey-campaigns/list/", "/survey-templates/list/"):
        assert cashier.get(url).status_code in (302, 403), url
    committee = login_as(roles.COMMITTEE)
    assert committee.get("/survey-results/").status_code in (302, 403)


@pytest.mark.parametrize("changes, field, message", [
    ({"year": "abc"}, "year", "年度必须在 2000 到 2100 之间。"),
    ({"half": "3"}, "half", "请选择半年度。"),
    ({"starts_on": "2027-13-01"}, "starts_on", "开始日期不是有效的日期。"),
    ({"ends_on": "2026-12-01"}, "ends_on", "结束日期（2026年12月1日）不能早于开始日期（2027年1月1日）。"),
    ({"community": "999999"}, "community", "请选择小区。"),
    ({"template": "x"}, "template", "请选择调查问卷。"),
    ({"year": "2026", "half": "2"}, "half", "翠湖花园已有2026年下半年的满意度调查：每个小区每半年只开展一次调查。"),
])
def test_bad_campaign_input_is_refused_in_chinese(app, login_as, surveyed, changes, field, message):
    from sqlalchemy import func, select

    from app.community.models import SurveyCampaign
    from app.extensions import db

    values = {"community": surveyed["community"], "template": surveyed["template"], "year": "2027", "half": "1",
              "starts_on": "2027-01-01", "ends_on": "2027-06-30", **changes}
    resp = login_as(roles.MANAGER).post("/survey-campaign-admin/", data=values)
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert within(app, lambda: db.session.scalar(select(func.count()).select_from(SurveyCampaign))) == 2


def test_the_questionnaire_is_drafted_submitted_and_approved_on_its_pages(app, login_as, estate):
    from app.community.models import SurveyTemplate
    from app.extensions import db

    clerk = login_as(roles.SERVICE)
    resp = clerk.post("/survey-template-edit/", data={"name": "2027年业主满意度调查", "intro": "请如实填写。"})
    pk = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    clerk.post(f"/survey-template-edit/question/{pk}", data={"department": "service", "kind": "scale",
                                                            "text": "前台接待服务态度"})
    clerk.post(f"/survey-template-edit/question/{pk}", data={"department": "billing", "kind": "choice",
                                                            "text": "收费是否公开透明", "satisfied_options": "是",
                                                            "other_options": "否\n不清楚"})
    page = clerk.get(f"/survey-template-edit/question/{pk}", follow_redirects=True)
    assert page.status_code in (404, 405)  # adding is a POST only
    second = within(app, lambda: db.session.get(SurveyTemplate, pk).questions[1].id)
    clerk.post(f"/survey-template-edit/move/{pk}/{second}/up")
    page = clerk.get(f"/survey-templates/show/{pk}").get_data(as_text=True)
    assert 'id="pm-add-question"' in page and 'id="pm-act-submit"' in page and 'id="pm-act-approve"' not in page
    assert within(app, lambda: [q.text for q in db.session.get(SurveyTemplate, pk).questions]) == [
        "收费是否公开透明", "前台接待服务态度"]
    clerk.post(f"/survey-template-actions/{pk}/submit", data={"version": "1"})
    assert 'id="pm-act-approve"' not in clerk.get(f"/survey-templates/show/{pk}").get_data(as_text=True)

    manager = login_as(roles.MANAGER)
    page = manager.get(f"/survey-templates/show/{pk}").get_data(as_text=True)
    assert 'id="pm-act-approve"' in page and 'id="pm-act-return"' in page and 'id="pm-add-question"' not in page
    resp = manager.post(f"/survey-template-actions/{pk}/approve", follow_redirects=True)
    assert "“2027年业主满意度调查”：已批准。" in resp.get_data(as_text=True)
    page = manager.get(f"/survey-templates/show/{pk}").get_data(as_text=True)
    assert "已批准的问卷不能修改：如需修改，请复制为新草稿。" in page and 'id="pm-copy"' in page
    # the campaign form offers it now
    assert "2027年业主满意度调查" in manager.get("/survey-campaign-admin/").get_data(as_text=True)
