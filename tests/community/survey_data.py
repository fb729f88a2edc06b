"""满意度调查 test data (imported by the tests/community/test_survey_*.py modules; not collected itself).

The `estate` (翠湖花园: 1号楼 with 1-1-0101, 1-1-0102, 1-1-0201, 1-2-0101; 2号楼 with 2-1-0301; and 锦绣华庭 with
its own 1-1-0101) and one approved questionnaire of three questions:
  1. [客服] 前台接待服务态度 (1–5)   2. [工程] 报修维修是否及时 (1–5)
  3. [环境] 公共区域清洁 (choice: 1 满意 ✓, 2 基本满意 ✓, 3 不满意)
Two campaigns of 翠湖花园 with the forms of H1 and H2 below (a blank is None).
"""
from datetime import date, datetime

import pytest

NOW = datetime(2026, 11, 20, 9, 30)
QUESTIONS = [
    {"department": "service", "kind": "scale", "text": "前台接待服务态度"},
    {"department": "engineering", "kind": "scale", "text": "报修维修是否及时"},
    {"department": "environment", "kind": "choice", "text": "公共区域清洁", "satisfied_options": "满意\n基本满意",
     "other_options": "不满意"},
]
# house number → answers to questions 1, 2, 3 (3: the option's place, 1 满意 2 基本满意 3 不满意)
H1 = {"1-1-0101": ("5", "3", "1"), "1-1-0102": ("4", "2", "3"), "2-1-0301": ("2", "4", None)}
H2 = {"1-1-0101": ("5", "4", "2"), "1-1-0102": ("3", "5", "1"), "1-1-0201": ("4", None, "3"),
      "1-2-0101": ("5", "1", "1"), "2-1-0301": ("1", "4", None)}


def actor_of(app, role):
    from tests.conftest import actor

    return actor(app, role)


def approved_template(app, questions=QUESTIONS, name="业主满意度调查问卷"):
    """A questionnaire drafted by the 客服, approved by the 项目经理 (not committed)."""
    from app.community import surveys
    from app.security import roles

    clerk, manager = actor_of(app, roles.SERVICE), actor_of(app, roles.MANAGER)
    template = surveys.save_template({"name": name, "intro": "感谢您抽出宝贵时间填写本问卷。"}, clerk, now=NOW)
    for values in questions:
        surveys.add_question(template.id, dict(values), clerk, now=NOW)
    surveys.transition(template.id, "submit", clerk, now=NOW)
    surveys.transition(template.id, "approve", manager, now=NOW)
    return template


def open_campaign(app, community_id, template_id, year, half):
    from app.community import surveys
    from app.security import roles

    start = date(year, 1 if half == 1 else 7, 1)
    return surveys.open_campaign({"community": community_id, "template": template_id, "year": year, "half": half,
                                  "starts_on": start, "ends_on": date(year, 6 if half == 1 else 12, 30)},
                                 actor_of(app, roles.MANAGER), now=NOW)


def enter(app, campaign, forms):
    """Type the forms {house number: answers in question order} through the service."""
    from app.community import surveys
    from app.security import roles

    questions = list(campaign.template.questions)
    for house_no, answers in forms.items():
        raw = {q.id: a for q, a in zip(questions, answers)}
        surveys.record_response(campaign.id, house_no, raw, actor_of(app, roles.SERVICE), now=NOW)


@pytest.fixture
def surveyed(app, estate):
    """Both campaigns entered and committed: {"h1": id, "h2": id, "template": id} plus the estate's ids."""
    from tests.community.conftest import within

    from app.extensions import db

    def work():
        template = approved_template(app)
        h1 = open_campaign(app, estate["community"], template.id, 2026, 1)
        enter(app, h1, H1)
        h2 = open_campaign(app, estate["community"], template.id, 2026, 2)
        enter(app, h2, H2)
        db.session.commit()
        return {"h1": h1.id, "h2": h2.id, "template": template.id}

    return dict(estate, **within(app, work))


@pytest.fixture
def fresh(app, surveyed):
    """`surveyed` and a third campaign of 翠湖花园 (2027, first half) with no form yet: {"fresh": id}."""
    from app.extensions import db
    from tests.community.conftest import within

    def work():
        campaign = open_campaign(app, surveyed["community"], surveyed["template"], 2027, 1)
        db.session.commit()
        return campaign.id

    return dict(surveyed, fresh=within(app, work))
