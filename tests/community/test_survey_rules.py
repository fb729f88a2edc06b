"""The questionnaire's approval rules and the campaign's: only an approved questionnaire is used, it is never
edited again, only the 项目经理 approves; one campaign per community and half year; one household, one answer
(also when two clerks type the same form at the same moment)."""
from datetime import date

import pytest

from app.security import roles
from tests.community.conftest import within
from tests.community.survey_data import NOW, QUESTIONS, actor_of, approved_template
from tests.conftest import race


def _refused(app, work) -> str:
    from app.core.rules import RuleViolation

    def run():
        with pytest.raises(RuleViolation) as exc:
            work()
        return str(exc.value)

    return within(app, run)


def _draft(app, role=roles.SERVICE):
    from app.community import surveys
    from app.extensions import db

    def work():
        template = surveys.save_template({"name": "业主满意度调查问卷"}, actor_of(app, role), now=NOW)
        for values in QUESTIONS:
            surveys.add_question(template.id, dict(values), actor_of(app, role), now=NOW)
        db.session.commit()
        return template.id

    return within(app, work)


def _campaign_values(estate, template_id, **kw):
    values = {"community": estate["community"], "template": template_id, "year": 2026, "half": 2,
              "starts_on": date(2026, 7, 1), "ends_on": date(2026, 12, 31)}
    values.update(kw)
    return values


def test_a_draft_or_pending_questionnaire_cannot_be_used(app, estate):
    from app.community import surveys

    pk = _draft(app)
    message = _refused(app, lambda: surveys.open_campaign(_campaign_values(estate, pk), actor_of(app, roles.MANAGER)))
    assert "“业主满意度调查问卷”草稿：只能使用已批准的问卷。" in message
    within(app, lambda: (surveys.transition(pk, "submit", actor_of(app, roles.SERVICE)), __import__(
        "app.extensions", fromlist=["db"]).db.session.commit()))
    message = _refused(app, lambda: surveys.open_campaign(_campaign_values(estate, pk), actor_of(app, roles.MANAGER)))
    assert "待审批：只能使用已批准的问卷。" in message


def test_only_the_project_manager_approves(app, estate):
    from app.community import surveys
    from app.extensions import db

    pk = _draft(app)
    within(app, lambda: (surveys.transition(pk, "submit", actor_of(app, roles.SERVICE)), db.session.commit()))
    for role in (roles.SERVICE, roles.CASHIER):
        assert "您无权对此问卷执行“批准”。" in _refused(
            app, lambda: surveys.transition(pk, "approve", actor_of(app, role)))
    # returned with a note, then approved
    assert "请填写原因。" in _refused(app, lambda: surveys.transition(pk, "return", actor_of(app, roles.MANAGER)))

    def work():
        surveys.transition(pk, "return", actor_of(app, roles.MANAGER), note="第2题请改为报修及时率")
        surveys.transition(pk, "submit", actor_of(app, roles.SERVICE))
        template = surveys.transition(pk, "approve", actor_of(app, roles.MANAGER))
        db.session.commit()
        return template.state, template.approved_by_name, [(e.action, e.from_state, e.to_state, e.note)
                                                            for e in template.events if e.action != "edit"]

    state, by, history = within(app, work)
    assert state == "approved" and by == roles.MANAGER
    assert history == [("create", None, "draft", None), ("submit", "draft", "pending", None),
                       ("return", "pending", "draft", "第2题请改为报修及时率"), ("submit", "draft", "pending", None),
                       ("approve", "pending", "approved", None)]


def test_an_approved_questionnaire_is_never_edited_but_copied(app, estate):
    from app.community import surveys
    from app.extensions import db

    pk = within(app, lambda: (lambda t: (db.session.commit(), t.id)[1])(approved_template(app)))
    manager = within(app, lambda: actor_of(app, roles.MANAGER))
    only_draft = "“业主满意度调查问卷”已批准：只有草稿可以修改。如需修改题目，请复制为新草稿。"
    assert only_draft in _refused(app, lambda: surveys.save_template({"name": "改名"}, manager, pk))
    assert only_draft in _refused(app, lambda: surveys.add_question(pk, dict(QUESTIONS[0]), manager))
    assert only_draft in _refused(app, lambda: surveys.remove_question(pk, 1, manager))

    def copy():
        new = surveys.copy_template(pk, manager, now=NOW)
        db.session.commit()
        return new.id, new.state, [(q.position, q.text, [(o.label, o.satisfied) for o in q.options])
                                   for q in new.questions]

    new_id, state, questions = within(app, copy)
    assert new_id != pk and state == "draft"
    assert questions == [(1, "前台接待服务态度", []), (2, "报修维修是否及时", []),
                         (3, "公共区域清洁", [("满意", True), ("基本满意", True), ("不满意", False)])]


def test_the_edit_page_refuses_an_approved_questionnaire(app, login_as, estate):
    from app.community.models import SurveyTemplate
    from app.extensions import db

    pk = within(app, lambda: (lambda t: (db.session.commit(), t.id)[1])(approved_template(app)))
    client = login_as(roles.MANAGER)
    resp = client.post(f"/survey-template-edit/question/{pk}", data={"department": "order", "kind": "scale",
                                                                    "text": "夜间巡逻"}, follow_redirects=True)
    assert "只有草稿可以修改" in resp.get_data(as_text=True)
    assert within(app, lambda: len(db.session.get(SurveyTemplate, pk).questions)) == 3


def test_a_submitted_questionnaire_needs_questions(app):
    from app.community import surveys
    from app.extensions import db

    pk = within(app, lambda: (lambda t: (db.session.commit(), t.id)[1])(
        surveys.save_template({"name": "空问卷"}, actor_of(app, roles.SERVICE))))
    assert "问卷还没有题目。" in _refused(app, lambda: surveys.transition(pk, "submit", actor_of(app, roles.SERVICE)))


@pytest.mark.parametrize("values, message", [
    ({"department": "x", "kind": "scale", "text": "题"}, "请选择部门。"),
    ({"department": "service", "kind": "scale", "text": ""}, "题目不能为空。"),
    ({"department": "service", "kind": "scale", "text": "<script>x</script>"}, "题目不能包含HTML标签或脚本代码。"),
    ({"department": "service", "kind": "choice", "text": "题", "satisfied_options": "", "other_options": "不满意"},
     "选择题至少要有一个计为满意的选项。"),
    ({"department": "service", "kind": "choice", "text": "题", "satisfied_options": "满意", "other_options": "满意"},
     "每个选项只能出现一次。"),
    ({"department": "service", "kind": "choice", "text": "题", "satisfied_options": "1", "other_options": "2"},
     "选项不能只是数字"),
])
def test_bad_questions_are_refused_in_chinese(app, values, message):
    from app.community import surveys

    pk = _draft(app)
    assert message in _refused(app, lambda: surveys.add_question(pk, values, actor_of(app, roles.SERVICE)))


def test_one_campaign_per_community_and_half_year(app, surveyed):
    from app.community import surveys

    message = _refused(app, lambda: surveys.open_campaign(_campaign_values(surveyed, surveyed["template"]),
                                                          actor_of(app, roles.MANAGER)))
    assert "翠湖花园已有2026年下半年的满意度调查：每个小区每半年只开展一次调查。" in message
    # the 客服 does not open surveys
    assert "只有项目经理可以开展或结束调查。" in _refused(app, lambda: surveys.open_campaign(
        _campaign_values(surveyed, surveyed["template"], year=2027), actor_of(app, roles.SERVICE)))


def test_the_database_keeps_one_campaign_per_half_year(app, surveyed):
    from sqlalchemy.exc import IntegrityError

    from app.community.models import SurveyCampaign
    from app.extensions import db

    def work():
        db.session.add(SurveyCampaign(community_id=surveyed["community"], template_id=surveyed["template"], year=2026,
                                      half=2, starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31)))
        with pytest.raises(IntegrityError):
            db.session.flush()

    within(app, work)


def test_one_household_one_answer_in_the_service_and_in_the_database(app, surveyed):
    from sqlalchemy.exc import IntegrityError

    from app.community import surveys
    from app.community.models import SurveyResponse
    from app.extensions import db

    h2 = surveyed["h2"]
    assert "1-1-0101 已答过本次调查：每户只答一次。" in _refused(app, lambda: surveys.record_response(
        h2, "1-1-0101", {}, actor_of(app, roles.SERVICE)))

    def work():
        db.session.add(SurveyResponse(campaign_id=h2, house_id=surveyed["houses"][0]))
        with pytest.raises(IntegrityError):
            db.session.flush()

    within(app, work)


def test_two_clerks_typing_the_same_form_at_once(app, surveyed):
    from app.community import surveys
    from app.community.models import SurveyCampaign
    from app.extensions import db
    from tests.community.survey_data import open_campaign as open_one

    def setup():
        c = open_one(app, surveyed["community"], surveyed["template"], 2027, 1)
        db.session.commit()
        return c.id, db.session.get(SurveyCampaign, c.id).template.questions[0].id

    pk, q1 = within(app, setup)
    outcomes = race(app, lambda i: surveys.record_response(pk, "1-1-0102", {q1: str(4 + i)},
                                                           actor_of(app, roles.SERVICE)))
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    assert "1-1-0102 已答过本次调查" in next(o for o in outcomes if o != "ok")
