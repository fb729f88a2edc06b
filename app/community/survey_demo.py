"""Demo data for the 满意度调查: one approved questionnaire of ten questions over the five departments, and for
each community two half-yearly surveys (the previous half year, ended, and the current one, open) with the
forms of about half of the households, so that a fresh demo shows results with a comparison.

Everything goes through community.surveys as the office would: the 客服 drafts, the 项目经理 approves and opens,
the 客服 types the forms. A seeded random.Random answers; the scenario is the same on every load.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.core import clock
from app.community import surveys
from app.community.models import SurveyTemplate
from app.core.rules import Actor
from app.estate.models import Community, House
from app.extensions import db
from app.security import roles
from app.security import services as security

STAFF = [("kefu1", "李静", roles.SERVICE), ("jingli1", "周建国", roles.MANAGER)]
QUESTIONS = [
    ("service", "scale", "物业服务中心前台接待的服务态度", None),
    ("service", "scale", "投诉、求助的处理及时程度和结果", None),
    ("engineering", "scale", "报修后维修人员上门及时程度和维修质量", None),
    ("engineering", "scale", "电梯、照明、门禁等公共设施设备的运行维护", None),
    ("order", "scale", "门岗值守与夜间巡逻", None),
    ("order", "choice", "小区车辆停放和交通秩序", ("满意\n基本满意", "不满意")),
    ("environment", "scale", "楼道及公共区域的清洁卫生", None),
    ("environment", "scale", "小区绿化养护", None),
    ("billing", "choice", "收费标准和收支公示是否清楚", ("清楚\n基本清楚", "不清楚")),
    ("billing", "scale", "缴费方式是否方便", None),
]
# how likely a household is satisfied with each department: (previous half year, current half year)
LIKELY = {"service": (0.82, 0.86), "engineering": (0.64, 0.78), "order": (0.80, 0.76),
          "environment": (0.74, 0.83), "billing": (0.70, 0.72)}
SHARE = (0.42, 0.48)  # of the households that return the form: previous, current
BLANK = 0.05  # a question left blank


def _actor(login: str, name: str, role: str) -> Actor:
    from app.service.demo import _strong_password

    sm = current_app.appbuilder.sm
    user = sm.find_user(username=login)
    if user is None:
        user = security.create_user(current_app.appbuilder, login, _strong_password(), [role], first_name=name)
    if role not in {r.name for r in user.roles}:
        raise RuntimeError(f"The login {login} is not a {role}: the survey demo needs it.")
    return Actor.of(user)


def _halves(today: date) -> tuple[tuple[int, int], tuple[int, int]]:
    year, half = surveys.half_of(today)
    previous = (year, 1) if half == 2 else (year - 1, 2)
    return previous, (year, half)


def _span(year: int, half: int) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def _answer(rng: random.Random, kind: str, options: int, likely: float) -> str | None:
    if rng.random() < BLANK:
        return None
    satisfied = rng.random() < likely
    if kind == "scale":
        return str(rng.choice([4, 5, 5]) if satisfied else rng.choice([1, 2, 3, 3]))
    return str(rng.choice([1, 2]) if satisfied else options)


def load_survey_demo(seed: int = 2026, today: date | None = None, now: datetime | None = None) -> dict:
    """The questionnaire and two surveys per community (none if a questionnaire exists), as of `now` (or the
    end of `today`; default: the present). Returns counts; commits."""
    now = clock.demo_moment(now, today)
    today = now.date()
    made = {"questionnaires": 0, "surveys": 0, "forms": 0}
    if db.session.scalar(select(func.count(SurveyTemplate.id))):
        return made
    rng = random.Random(seed)
    clerk, manager = _actor(*STAFF[0]), _actor(*STAFF[1])
    # drafted and approved three weeks before the previous half-year's survey opens
    drafted = datetime.combine(_span(*_halves(today)[0])[0] - timedelta(days=21), time(9, 30))
    template = surveys.save_template({"name": "业主满意度调查问卷", "intro": "尊敬的业主：为了不断提高物业服务质量，"
                                      "请您对以下各项服务作出评价，感谢您的支持！"}, clerk, now=drafted)
    for department, kind, text, options in QUESTIONS:
        values = {"department": department, "kind": kind, "text": text}
        if options:
            values.update(satisfied_options=options[0], other_options=options[1])
        surveys.add_question(template.id, values, clerk, now=drafted)
    surveys.transition(template.id, "submit", clerk, now=drafted + timedelta(minutes=20))
    surveys.transition(template.id, "approve", manager, now=drafted + timedelta(days=1))
    made["questionnaires"] = 1
    db.session.commit()
    questions = list(template.questions)
    for community in db.session.scalars(select(Community).order_by(Community.id)):
        houses = list(db.session.scalars(select(House.house_no).where(House.community_id == community.id)
                                         .order_by(House.id)))
        for index, (year, half) in enumerate(_halves(today)):
            starts, ends = _span(year, half)
            # opened on its first day, or an hour ago when that day has just begun
            opened = min(datetime.combine(starts, time(9, 0)), now - timedelta(hours=1))
            campaign = surveys.open_campaign({"community": community.id, "template": template.id, "year": year,
                                              "half": half, "starts_on": starts, "ends_on": ends}, manager,
                                             now=opened)
            made["surveys"] += 1
            # forms typed in at the end of the survey, or half an hour ago; none before its first day
            entered = min(datetime.combine(ends, time(16, 0)), now - timedelta(minutes=30))
            for house_no in houses:
                if entered.date() < starts or rng.random() >= SHARE[index]:
                    continue
                raw = {q.id: _answer(rng, q.kind, len(q.options), LIKELY[q.department][index]) for q in questions}
                if not any(raw.values()):
                    continue
                surveys.record_response(campaign.id, house_no, raw, clerk, now=entered)
                made["forms"] += 1
            if index == 0:
                surveys.campaign_transition(campaign.id, "close", manager,
                                            now=min(datetime.combine(ends, time(17, 0)), now - timedelta(minutes=20)))
            db.session.commit()
    return made


