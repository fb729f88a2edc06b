"""Demo 走访: 专责区 for three 物业助理 in the first demo community since the start of last month, and their visits
of last month and of this month so far (one of them behind), with issues that became repairs, complaints and
suggestions at the service desk (last month's mostly dealt with), other needs and satisfaction; a summary of
last month by the 项目经理. Everything goes through app.community.visits and the desk's services."""
import random
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from app.core import clock
from app.community import visits
from app.community.models import Visit, ZoneBuilding
from app.core.rules import Actor
from app.estate.models import Building, Community, House
from app.extensions import db
from app.security import roles
from app.security import services as security
from app.service import services as desk

# login, name; how much of his zone each visits in a month (the third is behind)
ASSISTANTS = [("kefu1", "李静", 1.0), ("kefu2", "陈晓", 0.95), ("kefu3", "赵敏", 0.6)]
ISSUES = [
    ("repair", "repair", "卫生间地漏返味，下水慢"), ("repair", "repair", "入户门锁芯松动"),
    ("repair", "repair", "楼道声控灯不亮"), ("environment", "noted", "单元门口垃圾桶清运不及时"),
    ("environment", "complaint", "楼下绿化带有人种菜，影响美观"), ("security", "complaint", "夜间有外来车辆乱停占用消防通道"),
    ("security", "noted", "单元门禁经常开着没关"), ("fees", "consultation", "想了解物业费能否按年缴纳有优惠"),
    ("suggestion", "suggestion", "建议小区增设电动车充电桩"), ("suggestion", "suggestion", "建议增加儿童游乐设施"),
    ("hazard", "repair", "屋顶女儿墙瓷砖有松动，担心坠落"), ("other", "noted", "询问小区快递柜的位置"),
]
NEEDS = ["希望开通家政保洁服务", "需要代收快递", "想预约家电清洗", "希望组织老年人活动", "询问能否代办车位租用"]
REMARKS = {"very_satisfied": "对物业服务很满意", "satisfied": "总体满意", "fair": "希望维修再快一些",
           "unsatisfied": "对上次投诉处理不满意"}


def _month_start(day: date, back: int = 0) -> date:
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _assistants() -> list[tuple[Actor, float]]:
    from app.service.demo import _strong_password

    sm = current_app.appbuilder.sm
    out = []
    for login, name, rate in ASSISTANTS:
        user = sm.find_user(username=login)
        if user is None:
            user = security.create_user(current_app.appbuilder, login, _strong_password(), [roles.SERVICE],
                                        first_name=name)
        if roles.SERVICE in {r.name for r in user.roles} and user.active:
            out.append((Actor.of(user), rate))
    return out


def load_visit_demo(seed: int = 2026, today: date | None = None, now: datetime | None = None) -> dict:
    """Zones and two months of visits in the first community, up to `now` (or the end of `today`; default: the
    present): nothing later. Nothing when the community already has zones. Commits."""
    now = clock.demo_moment(now, today)
    today = now.date()
    rng = random.Random(seed)
    community = db.session.scalars(select(Community).order_by(Community.id)).first()
    if community is None:
        raise RuntimeError("The demo visits need the demo estate (load_demo).")
    if db.session.scalar(select(ZoneBuilding.id).where(ZoneBuilding.community_id == community.id).limit(1)):
        return {"zones": 0, "visits": 0}
    assistants = _assistants()
    if not assistants:
        raise RuntimeError("No 客服 user for the demo visits.")
    manager = Actor(None, "项目经理（演示）", frozenset({roles.MANAGER}))
    start = _month_start(today, 1)
    buildings = list(db.session.scalars(select(Building.id).where(Building.community_id == community.id)
                                        .order_by(Building.code)))
    for n, (assistant, _rate) in enumerate(assistants):
        visits.assign_zone(community.id, assistant.id, buildings[n::len(assistants)], manager, on=start)
    engineers = [Actor.of(u) for u in desk.engineers()]
    made = 0
    for back in (1, 0):
        first = _month_start(today, back)
        # a visit is made between 09:00 and 17:59: today counts once the first visiting hour is over
        last = min(visits.month_bounds(first.year, first.month)[1], today if now.hour >= 10 else
                   today - timedelta(days=1))
        if last < first:
            continue  # this month has only just begun
        share = 1.0 if back else (last.day / visits.month_bounds(first.year, first.month)[1].day)
        plan = []
        for assistant, rate in assistants:
            zone = visits.zone_building_ids(assistant.id, community.id, last)
            households = list(db.session.scalars(
                select(House.id).where(House.building_id.in_(zone),
                                       visits.household_clause(first, last)).order_by(House.id)))
            for house_id in rng.sample(households, round(len(households) * min(1.0, rate * share))):
                day = first + timedelta(days=rng.randint(0, (last - first).days))
                latest_hour = 17 if day < today else min(17, now.hour - 1)
                plan.append((day, rng.randint(9, latest_hour), assistant, house_id))
        plan.sort(key=lambda p: (p[0], p[1]))
        for day, hour, assistant, house_id in plan:
            made += 1
            _visit(rng, community.id, day, hour, assistant, house_id, back, engineers, now)
    db.session.flush()
    visits.save_summary(community.id, start.year, start.month,
                        "上月各专责区走访基本完成，赵敏专责区覆盖率偏低，本月须补访未走访客户。客户集中反映停车秩序和"
                        "充电桩需求，请秩序维护部加强夜间巡查，工程部评估增设充电桩。", manager,
                        now=min(datetime.combine(_month_start(today), time(9, 30)), now))
    db.session.commit()
    return {"zones": len(assistants), "visits": made,
            "issues": sum(len(v.issues) for v in db.session.scalars(select(Visit)))}


def _visit(rng, community_id, day, hour, assistant, house_id, back, engineers, now: datetime) -> None:
    house = db.session.get(House, house_id)
    issues = []
    if rng.random() < 0.15:
        category, outcome, text = rng.choice(ISSUES)
        issues.append({"category": category, "text": text, "outcome": outcome})
    satisfaction = rng.choices(list(REMARKS), [40, 45, 12, 3])[0]
    when = datetime.combine(day, time(hour, rng.randint(0, 59)))
    visit = visits.record_visit({
        "community": community_id, "visited_on": day, "house": house_id, "house_no": house.house_no,
        "channel": rng.choices(["door", "phone"], [70, 30])[0], "satisfaction": satisfaction,
        "remarks": REMARKS[satisfaction] if rng.random() < 0.5 else "",
        "other_needs": rng.choice(NEEDS) if rng.random() < 0.06 else "",
        "follow_up": "已转客服中心处理，三日内回访" if issues and issues[0]["outcome"] != "noted" else "",
        "issues": issues}, assistant, now=when)
    if back == 0 or not engineers:
        return
    for issue in visit.issues:  # last month's records: most were dealt with since (those that would end later
        t = when + timedelta(hours=2)  # than now are still open)
        if t + timedelta(days=2) > now:
            continue
        if issue.work_order_id and rng.random() < 0.8:
            engineer = rng.choice(engineers)
            desk.transition(issue.work_order_id, "dispatch", assistant, now=t, assignee_id=engineer.id)
            desk.transition(issue.work_order_id, "arrive", engineer, now=t + timedelta(hours=1))
            desk.transition(issue.work_order_id, "complete", engineer, now=t + timedelta(hours=3),
                            result="已修复", labour_fee="0", materials=[])
            desk.callback(issue.work_order_id, assistant, "satisfied", remark="修好了", now=t + timedelta(days=1))
        elif issue.complaint_id and rng.random() < 0.7:
            desk.complaint_transition(issue.complaint_id, "respond", assistant, now=t, department="order",
                                      note="已联系客户，说明处理安排")
            desk.complaint_transition(issue.complaint_id, "reply", assistant, now=t + timedelta(days=1),
                                      result="已加强巡查并张贴提示")
            desk.complaint_transition(issue.complaint_id, "accept", assistant, now=t + timedelta(days=2),
                                      remark="客户认可")
        elif issue.consultation_id and rng.random() < 0.8:
            issue.consultation.answer = "已记录，转相关部门研究后答复。"
            issue.consultation.answered_by = assistant.name
