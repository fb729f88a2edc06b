"""Demo data for the service desk (客户服务): a price list, a service catalog, a few staff logins, and two weeks
of the desk's work, so that a freshly loaded demo estate looks lived in.

Everything goes through the service layer as the desk would do it: each contact is logged once
(services.intake, or log_contact + create_order for a common part of a building, which the intake form does
not take), then its repair or complaint is moved step by step (services.transition / callback /
complaint_transition) at realistic times before `now`. Histories, deadlines, numbers, charges and links are
therefore the ones the pages make. The scenario is fixed (which contact ends in which state); the seeded
random.Random picks the households, the engineers and the minutes.

Relative to `now`: a few orders wait for dispatch, are dispatched, in progress, suspended or completed
awaiting a call-back, most are closed (one after an unsatisfied call-back reopened it), one is cancelled,
three are overdue (one waiting for dispatch since yesterday, one dispatched but never reached, one urgent
repair still in progress after its 4 hours); complaints are closed, replied, in hand (one 重大投诉 waiting for
the 项目经理) and one not answered within its 2 hours.
"""
from __future__ import annotations

import random
import secrets
import string
from datetime import datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from app.core import clock
from app.core.rules import RuleViolation
from app.estate.models import Building, House, Resident
from app.extensions import db
from app.security import roles
from app.security import services as security
from app.security.passwords import password_problem
from app.service import services
from app.service.models import ORDER_STATES, Complaint, Material, ServiceRequest, SpecialService, WorkOrder

# name, spec, unit, unit price (yuan, up to 4 decimals)
MATERIALS = [
    ("角阀", "DN15 铜芯", "个", "18.0000"),
    ("PPR水管", "DN20", "米", "12.5000"),
    ("PPR弯头", "DN20 90°", "个", "3.2000"),
    ("生料带", "20米/卷", "卷", "1.5000"),
    ("水龙头", "单冷 铜芯", "个", "45.0000"),
    ("混水阀", "冷热双控", "个", "168.0000"),
    ("不锈钢编织软管", "40cm", "根", "12.0000"),
    ("马桶进水阀", "通用型", "个", "35.0000"),
    ("下水管", "PVC DN50", "米", "9.6500"),
    ("开关面板", "86型 单开", "个", "15.5000"),
    ("插座面板", "86型 五孔", "个", "16.8000"),
    ("电线", "BV2.5", "米", "2.8650"),
    ("断路器", "DZ47 1P 16A", "个", "32.0000"),
    ("LED灯泡", "9W E27", "个", "8.8000"),
    ("门锁芯", "C级 超B级", "个", "120.0000"),
    ("合页", "4寸 不锈钢", "片", "6.5000"),
    ("防水涂料", "JS聚合物", "千克", "26.0000"),
    ("玻璃胶", "中性 300ml", "支", "18.0000"),
]

# name, kind (special: standard and priced; custom: agreed case by case), provider, price, per, description
SPECIAL_SERVICES = [
    ("家政保洁", "special", "洁美家政服务有限公司", "35.00", "小时", "日常保洁：地面、厨卫、门窗擦拭，2小时起约。"),
    ("开荒保洁", "special", "洁美家政服务有限公司", "6.00", "平方米", "装修后首次保洁：清除胶渍、灰尘和建筑垃圾。"),
    ("家电清洗", "special", "安心家电服务部", "120.00", "台", "空调、油烟机、洗衣机拆洗消毒。"),
    ("代收快递", "special", "物业客服中心", "0.00", "件", "业主不在家时前台代收，凭短信取件，保管3天。"),
    ("管道疏通", "special", "物业工程部", "80.00", "次", "厨房、卫生间下水及地漏疏通，不含更换管件。"),
    ("室内维修", "custom", "物业工程部", None, None, "户内水电、门窗、墙面小修，按工时和材料另议。"),
    ("搬家协助", "custom", "顺达搬家公司", None, None, "大件搬运及电梯保护，价格视楼层和物品另议。"),
]

# login, first name, role
STAFF = [
    ("gongcheng1", "王师傅", roles.ENGINEER),
    ("gongcheng2", "张师傅", roles.ENGINEER),
    ("gongcheng3", "李师傅", roles.ENGINEER),
    ("kefu1", "李静", roles.SERVICE),
    ("kefu2", "陈晓", roles.SERVICE),
]
STAFF_LOGINS = tuple(login for login, _name, _role in STAFF)

# Which engineer a category goes to first (index into the engineers); others are picked at random.
TRADE = {"water_power": 0, "civil": 1, "door_window": 1, "elevator": 2, "fire": 2, "low_voltage": 2, "other": 1}

# when: ("day", days ago, "HH:MM") at that time of the day, or ("ago", minutes before now).
# where: "house" (a household's private part), "building" (common part of a building), "community" (grounds).
# plan: the state the order ends in; "reopen" = closed after an unsatisfied call-back; "late" = closed after a
# suspension that took it past its deadline; "transfer" = closed after being reassigned.
REPAIRS = [
    dict(when=("day", 13, "09:10"), channel="phone", urgency="normal", category="water_power", where="house",
         summary="厨房水槽下水堵塞，水排不下去", plan="closed", materials=[("下水管", "1.50")], labour="40.00",
         hours="1.00", result="疏通下水并更换一段老化下水管，排水正常"),
    dict(when=("day", 12, "10:35"), channel="visit", urgency="normal", category="door_window", where="house",
         summary="入户门锁芯卡住，钥匙拧不动", plan="closed", materials=[("门锁芯", "1")], labour="30.00",
         hours="0.50", result="更换门锁芯，交业主新钥匙三把"),
    dict(when=("day", 12, "15:20"), channel="patrol", urgency="normal", category="civil", where="building",
         place="顶层楼道", summary="顶层楼道墙面渗水，墙皮起鼓脱落", plan="closed",
         materials=[("防水涂料", "5.00")], labour="0", hours="3.00", result="铲除起鼓墙皮，屋面裂缝处刷防水涂料两遍"),
    dict(when=("day", 11, "07:45"), channel="phone", urgency="urgent", category="water_power", where="house",
         summary="卫生间角阀爆裂，水漫到客厅", plan="closed", materials=[("角阀", "1"), ("生料带", "1")],
         labour="50.00", hours="0.50", result="关闭总阀后更换角阀，地面积水已清理"),
    dict(when=("day", 10, "14:05"), channel="phone", urgency="normal", category="water_power", where="house",
         summary="客厅两个插座没电", plan="transfer", materials=[("插座面板", "2"), ("电线", "3.00")],
         labour="40.00", hours="1.00", result="插座线头氧化烧蚀，重新接线并更换两个插座面板"),
    dict(when=("day", 9, "09:25"), channel="online", urgency="normal", category="water_power", where="house",
         summary="厨房水龙头一直滴水", plan="reopen", materials=[("水龙头", "1")], labour="20.00", hours="0.50",
         result="更换厨房水龙头", materials2=[("不锈钢编织软管", "2")],
         result2="水龙头下方软管老化渗水，更换两根进水软管，观察半小时无渗漏"),
    dict(when=("day", 8, "19:40"), channel="patrol", urgency="normal", category="other", where="community",
         place="中心花园步道", summary="中心花园步道三盏路灯不亮", plan="closed", materials=[("LED灯泡", "3")],
         labour="0", hours="1.00", result="更换三只LED灯泡，夜间巡查确认正常"),
    dict(when=("day", 8, "10:15"), channel="visit", urgency="scheduled", category="door_window", where="house",
         summary="卧室衣柜门合页脱落", appointment="周六上午", plan="closed", materials=[("合页", "2")],
         labour="20.00", hours="0.50", result="更换两片合页并调整柜门"),
    dict(when=("day", 7, "11:00"), channel="phone", urgency="normal", category="civil", where="house",
         summary="卫生间墙角发霉渗水，楼下邻居反映天花板有水印", plan="late",
         materials=[("防水涂料", "3.00"), ("玻璃胶", "1")], labour="120.00", hours="4.00",
         result="重做卫生间墙角防水并重新打胶，闭水试验24小时无渗漏",
         suspend_note="防水层需晾干后才能做闭水试验，明天继续"),
    dict(when=("day", 6, "08:50"), channel="phone", urgency="urgent", category="elevator", where="building",
         place="2单元电梯", summary="电梯按钮失灵，按了不亮", plan="closed", materials=[], labour="0", hours="1.50",
         result="更换楼层按钮触点，已通知维保单位复查"),
    dict(when=("day", 5, "13:30"), channel="phone", urgency="normal", category="water_power", where="house",
         summary="卫生间灯不亮", plan="closed", materials=[("LED灯泡", "2")], labour="20.00", hours="0.50",
         result="更换灯泡两只"),
    dict(when=("day", 5, "09:05"), channel="phone", urgency="normal", category="water_power", where="house",
         summary="阳台水管接头滴水", plan="cancelled", cancel_note="业主来电，已自行拧紧，无需上门"),
    dict(when=("day", 4, "10:10"), channel="online", urgency="normal", category="water_power", where="house",
         summary="马桶一直流水，水箱不停进水", plan="closed", materials=[("马桶进水阀", "1")], labour="30.00",
         hours="0.50", result="更换马桶进水阀"),
    dict(when=("day", 3, "15:40"), channel="phone", urgency="normal", category="water_power", where="house",
         summary="热水器下面软管漏水", plan="closed", materials=[("不锈钢编织软管", "2"), ("生料带", "1")],
         labour="30.00", hours="0.50", result="更换热水器冷热水软管"),
    dict(when=("day", 3, "21:15"), channel="patrol", urgency="urgent", category="fire", where="community",
         place="地下车库B区消防通道", summary="地下车库消防通道应急照明灯不亮", plan="closed",
         materials=[("断路器", "1")], labour="0", hours="1.00", result="应急照明回路断路器损坏，已更换，灯具正常"),
    dict(when=("day", 2, "09:20"), channel="visit", urgency="normal", category="door_window", where="house",
         summary="阳台推拉窗关不严，下雨往里进水", plan="completed", materials=[("玻璃胶", "1")],
         labour="40.00", hours="1.00", result="调整推拉窗滑轮并重新打胶"),
    dict(when=("day", 1, "14:00"), channel="phone", urgency="urgent", category="water_power", where="house",
         summary="开关面板冒火花，已自行拉闸", plan="completed", materials=[("开关面板", "1"), ("断路器", "1")],
         labour="50.00", hours="1.00", result="更换烧坏的开关面板和断路器，绝缘测试正常"),
    dict(when=("day", 1, "10:30"), channel="phone", urgency="normal", category="low_voltage", where="building",
         place="1单元门口", summary="单元门可视对讲没有图像", plan="completed", materials=[], labour="0",
         hours="1.50", result="摄像头接头松动，重新压接后图像正常"),
    dict(when=("ago", 1830), channel="phone", urgency="normal", category="water_power", where="house",
         summary="厨房下水反味，地漏返臭", plan="dispatched"),
    dict(when=("ago", 1560), channel="visit", urgency="scheduled", category="civil", where="house",
         summary="客厅地砖空鼓，踩上去有响声", appointment="工作日上午", plan="suspended",
         suspend_note="需更换同款地砖，已请业主购买，到货后继续"),
    dict(when=("ago", 1270), channel="online", urgency="normal", category="civil", where="house",
         summary="卧室天花板掉灰", plan="pending"),
    dict(when=("ago", 365), channel="phone", urgency="urgent", category="water_power", where="house",
         summary="入户主水管漏水，水表井在冒水", plan="in_progress"),
    dict(when=("ago", 300), channel="phone", urgency="normal", category="water_power", where="house",
         summary="洗衣机龙头漏水", plan="in_progress"),
    dict(when=("ago", 125), channel="visit", urgency="normal", category="door_window", where="house",
         summary="卫生间门把手坏了，门关不上", plan="dispatched"),
    dict(when=("ago", 45), channel="phone", urgency="normal", category="water_power", where="house",
         summary="阳台地漏堵塞", plan="pending"),
    dict(when=("ago", 20), channel="online", urgency="scheduled", category="other", where="house",
         summary="纱窗破了需要更换", appointment="明天下午三点后", plan="pending"),
]

# plan: closed (respond, progress, reply, accept), replied, handling, received (not yet answered)
COMPLAINTS = [
    dict(when=("day", 12, "10:20"), channel="phone", category="cleaning", severity="normal",
         summary="楼道垃圾两天没人清运，气味很大", plan="closed", department="environment",
         respond="已向业主致歉，通知环境部当天清运", investigation="保洁员请假未安排顶岗",
         result="垃圾已清运并对楼道消毒，保洁排班增加顶岗人员", remark="业主认可处理结果"),
    dict(when=("day", 9, "16:45"), channel="visit", category="attitude", severity="normal",
         summary="门岗保安对来访亲友态度生硬", plan="closed", department="order",
         respond="已记录，秩序部主管当天调查", investigation="调阅门岗录像，保安未按规范用语",
         result="当事保安已批评教育并重新培训，秩序部主管上门致歉", remark="业主表示接受"),
    dict(when=("day", 6, "11:10"), channel="online", category="fees", severity="normal",
         summary="本月物业费账单面积与房产证不一致", plan="closed", department="finance",
         respond="已请财务核对房屋面积", investigation="账单误用了预售面积",
         result="按产权面积重新出账，多收部分下期抵扣", remark="业主认可"),
    dict(when=("day", 4, "08:30"), channel="phone", category="neighbour", severity="normal",
         summary="楼上住户连续几晚深夜噪音，影响休息", plan="replied", department="service",
         respond="已安抚业主情绪，当晚上门沟通", investigation="楼上住户晚间健身，已同意22点后停止",
         result="已与楼上住户沟通并签署文明公约，客服三天内跟进"),
    dict(when=("day", 1, "09:40"), channel="phone", category="repair", severity="normal",
         summary="本单元电梯一周内两次停运", plan="handling", department="engineering",
         respond="已通知工程部联系电梯维保单位全面检查"),
    dict(when=("ago", 290), channel="visit", category="security", severity="major",
         summary="车辆在地下车库被剐蹭，调取监控发现该区域录像缺失，业主要求物业赔偿", plan="handling",
         department="order", respond="已安抚业主，登记车辆损失情况，报项目经理处理"),
    dict(when=("ago", 185), channel="phone", category="cleaning", severity="normal",
         summary="绿化带里有人堆放装修垃圾好几天了", plan="received"),
]

CONSULTATIONS = [
    dict(when=("day", 11, "14:10"), channel="phone", kind="consultation", summary="物业费可以怎么缴？",
         answer="可在客服中心刷卡或扫码缴纳，也可办理银行代扣"),
    dict(when=("day", 8, "09:30"), channel="visit", kind="consultation", summary="装修申请需要准备哪些材料？",
         answer="产权证复印件、装修方案、施工单位资质和装修押金，在客服中心办理"),
    dict(when=("day", 5, "16:00"), channel="online", kind="suggestion", summary="建议在小区增设电动车充电桩",
         answer="已记录，转管理处研究并征询业委会意见"),
    dict(when=("day", 2, "11:20"), channel="phone", kind="consultation", summary="停车月卡如何办理？",
         answer="携带行驶证和身份证到客服中心办理，按月或按季缴费"),
    dict(when=("ago", 70), channel="visit", kind="consultation", summary="门禁卡丢了怎么补办？",
         answer="本人携身份证到客服中心登记，工本费20元，当场补办"),
]

SERVICE_REQUESTS = [
    dict(when=("day", 6, "15:30"), channel="phone", service="家政保洁", summary="周末需要家政保洁4小时",
         done_after_days=2),
    dict(when=("day", 1, "17:10"), channel="online", service="家电清洗", summary="预约清洗两台挂式空调"),
]

OTHERS = [
    dict(when=("day", 10, "18:20"), channel="visit", summary="业主询问快递柜位置", handling="已告知在2号楼东侧"),
    dict(when=("day", 7, "07:55"), channel="phone", summary="反映有车辆堵住单元门口消防通道",
         handling="秩序维护员已联系车主挪车"),
    dict(when=("day", 3, "10:05"), channel="visit", summary="业主借用人字梯", handling="已登记借出，约定次日归还"),
    dict(when=("ago", 150), channel="visit", summary="门禁卡消磁刷不开", handling="已重新写卡，当场试刷正常"),
]

CALLBACK_REMARKS = {"very_satisfied": ["师傅来得及时，修得很好", "服务周到，非常满意"],
                    "satisfied": ["已修好", "正常使用", "满意"],
                    "fair": ["修好了，但师傅来得晚了点", "等的时间有点长"]}


def _strong_password() -> str:
    """A random password nobody is told: token_urlsafe plus one of each kind, to pass the password rule."""
    pw = (secrets.token_urlsafe(18) + secrets.choice(string.ascii_uppercase) + secrets.choice(string.ascii_lowercase)
          + secrets.choice(string.digits) + secrets.choice("!#%+-=@"))
    assert password_problem(pw) is None
    return pw


def _staff() -> tuple[list, list, int]:
    """The demo engineers and desk staff (created if missing, with a password nobody knows); new users count."""
    sm = current_app.appbuilder.sm
    engineers, desk, created = [], [], 0
    for login, first_name, role in STAFF:
        user = sm.find_user(username=login)
        if user is None:
            user = security.create_user(current_app.appbuilder, login, _strong_password(), [role],
                                        first_name=first_name)
            created += 1
        if role not in {r.name for r in user.roles} or not user.active:
            continue  # a login of that name exists for someone else: leave it alone
        (engineers if role == roles.ENGINEER else desk).append(services.Actor.of(user))
    if not engineers:
        engineers = [services.Actor.of(u) for u in services.engineers()]
    if not desk:
        raise RuntimeError("No 客服 user for the demo work log.")
    if not engineers:
        raise RuntimeError("No 工程维修 user to dispatch the demo repairs to.")
    return engineers, desk, created


def _catalog() -> tuple[int, int]:
    """The material price list and the special service catalog, skipping names already there."""
    made_materials = made_services = 0
    for name, spec, unit, price in MATERIALS:
        values = {"name": name, "spec": spec, "unit": unit, "unit_price": Decimal(price)}
        if services.check_material(values):
            continue  # already in the list (or, impossibly, invalid)
        db.session.add(Material(**values, active=True))
        made_materials += 1
    for name, kind, provider, price, per, description in SPECIAL_SERVICES:
        values = {"name": name, "kind": kind, "provider": provider,
                  "price": Decimal(price) if price is not None else None, "price_unit": per,
                  "description": description}
        if services.check_special_service(values):
            continue
        db.session.add(SpecialService(**values, active=True))
        made_services += 1
    db.session.flush()
    return made_materials, made_services


class _Demo:
    def __init__(self, rng: random.Random, now: datetime, engineers: list, desk: list):
        # the scenario's clock runs in whole minutes, as people note times
        self.rng, self.now, self.engineers, self.desk = rng, now.replace(second=0), engineers, desk
        self.materials = {m.name: m.id for m in db.session.scalars(select(Material))}
        self.catalog = {s.name: s.id for s in db.session.scalars(select(SpecialService))}
        rows = db.session.execute(
            select(Resident.house_id, Resident.name, Resident.phone, House.community_id, House.building_id)
            .join(House, House.id == Resident.house_id)
            .where(Resident.relation.in_(("self", "tenant")), Resident.phone.is_not(None), Resident.phone != "",
                   Resident.moved_out_on.is_(None))
            .order_by(Resident.id).limit(3000)
        ).all()
        if not rows:
            raise RuntimeError("The demo service desk needs the demo estate with its residents (load_demo).")
        wanted = len(REPAIRS) + len(COMPLAINTS) + len(CONSULTATIONS) + len(SERVICE_REQUESTS) + len(OTHERS)
        self.households = rng.sample(rows, wanted) if len(rows) >= wanted else [rng.choice(rows) for _ in
                                                                                 range(wanted)]

    # ------------------------------------------------------------------ time

    def at(self, when) -> datetime:
        if when[0] == "ago":
            return self.now - timedelta(minutes=when[1])
        hour, minute = (int(x) for x in when[2].split(":"))
        day = (self.now - timedelta(days=when[1])).date()
        t = datetime.combine(day, time(hour, minute)) + timedelta(minutes=self.rng.randint(0, 9))
        return min(t, self.now - timedelta(minutes=1))

    def later(self, t: datetime, low: int, high: int) -> datetime:
        """A time `low` to `high` minutes after t, never after now."""
        return min(t + timedelta(minutes=self.rng.randint(low, high)), self.now)

    def next_day(self, t: datetime, low_hour: int = 9, high_hour: int = 16) -> datetime:
        """Some time during office hours on the day after t (the usual time of a call-back), never after now."""
        day = t.date() + timedelta(days=1)
        return min(datetime.combine(day, time(self.rng.randint(low_hour, high_hour), self.rng.randint(0, 59))),
                   self.now)

    # ------------------------------------------------------------------ the desk

    def clerk(self):
        return self.rng.choice(self.desk)

    def engineer_for(self, category: str):
        if self.rng.random() < 0.75:
            return self.engineers[TRADE.get(category, 0) % len(self.engineers)]
        return self.rng.choice(self.engineers)

    def contact_values(self, spec: dict, household, kind: str, t: datetime) -> dict:
        values = {"community": household.community_id, "house": household.house_id, "channel": spec["channel"],
                  "person": household.name, "phone": household.phone, "summary": spec["summary"], "kind": kind,
                  "occurred_at": t, "handling": spec.get("handling")}
        return values

    def repair(self, spec: dict, household, t: datetime) -> WorkOrder:
        clerk = self.clerk()
        where = spec["where"]
        repair = {"scope": "private" if where == "house" else "common", "category": spec["category"],
                  "urgency": spec["urgency"], "place": spec.get("place"), "appointment": spec.get("appointment")}
        values = self.contact_values(spec, household, "repair", t)
        if where != "house":
            values["house"] = None
            if spec["channel"] == "patrol":  # found on a round: nobody called
                values.update(person=None, phone=None)
        if where == "building":
            # the intake form has no building: log the contact, then open the order on the building, linked
            building = self.building(household)
            contact = services.log_contact(values, clerk)
            return services.create_order(dict(repair, community=building.community_id, building=building.id,
                                              contact=contact.id, source=spec["channel"],
                                              description=spec["summary"], reporter_name=values["person"],
                                              reporter_phone=values["phone"]), clerk, now=t)
        _contact, order = services.intake(dict(values, **repair), clerk, now=t)
        return order

    def building(self, household) -> Building:
        """The caller's own building: the common part reported is where he lives."""
        return db.session.get(Building, household.building_id)

    # ------------------------------------------------------------------ a repair's life

    def move(self, order: WorkOrder, spec: dict) -> None:
        plan = spec["plan"]
        t = order.reported_at
        desk = self.desk[0] if order.received_by_id == self.desk[0].id else self.desk[-1]
        if plan == "pending":
            return
        if plan == "cancelled":
            services.transition(order.id, "cancel", desk, now=self.later(t, 30, 90), note=spec["cancel_note"])
            return
        engineer = self.engineer_for(order.category)
        urgent = order.urgency == "urgent"
        t = self.later(t, 3, 10) if urgent else self.later(t, 8, 35)
        services.transition(order.id, "dispatch", desk, now=t, assignee_id=engineer.id)
        if plan == "transfer":
            others = [e for e in self.engineers if e.id != engineer.id]
            if others:
                new = self.rng.choice(others)
                t = self.later(t, 20, 60)
                services.transition(order.id, "transfer", desk, now=t, assignee_id=new.id,
                                    note=f"{engineer.name}外出采购，改派{new.name}")
                engineer = new
        if plan == "dispatched":
            return
        if order.urgency == "scheduled":
            t = self.next_day(t, 9, 10)  # at the appointment, the next morning
        else:
            t = self.later(t, 10, 25) if urgent else self.later(t, 30, 150)
        services.transition(order.id, "arrive", engineer, now=t)
        if plan == "in_progress":
            return
        if plan in ("suspended", "late"):
            t = self.later(t, 30, 90)
            services.transition(order.id, "suspend", engineer, now=t, note=spec["suspend_note"])
            if plan == "suspended":
                return
            t = self.next_day(t, 9, 10)
            services.transition(order.id, "resume", engineer, now=t)
        t = self.later(t, 30, 150)
        self.complete(order, engineer, t, spec["materials"], spec)
        if plan == "completed":
            return
        t = self.next_day(t)
        if plan == "reopen":
            services.callback(order.id, desk, "unsatisfied", remark="修完第二天又开始滴水", now=t)
            t = self.later(t, 60, 180)
            services.transition(order.id, "arrive", engineer, now=t)
            t = self.later(t, 20, 60)
            # the return visit costs no more labour; complete() sets the labour fee again (materials add up)
            self.complete(order, engineer, t, spec["materials2"], dict(spec, result=spec["result2"]))
            t = self.next_day(t)
        satisfaction = self.rng.choices(["very_satisfied", "satisfied", "fair"], [50, 40, 10])[0]
        remark = self.rng.choice(CALLBACK_REMARKS[satisfaction])
        if plan == "late":
            satisfaction, remark = "fair", "拖了一天才修好，不过现在不渗了"
        services.callback(order.id, desk, satisfaction, remark=remark, now=t)

    def complete(self, order: WorkOrder, engineer, t: datetime, materials: list, spec: dict) -> None:
        rows = [(self.materials[name], qty) for name, qty in materials if name in self.materials]
        labour = spec.get("labour") if order.scope == "private" else "0"
        services.transition(order.id, "complete", engineer, now=t, result=spec["result"], labour_fee=labour,
                            labour_hours=spec.get("hours"), materials=rows)

    # ------------------------------------------------------------------ a complaint's life

    def complaint(self, spec: dict, household, t: datetime) -> Complaint:
        clerk = self.clerk()
        values = dict(self.contact_values(spec, household, "complaint", t), complaint_category=spec["category"],
                      severity=spec["severity"])
        _contact, complaint = services.intake(values, clerk, now=t)
        plan = spec["plan"]
        if plan == "received":
            return complaint
        # 首问责任制: the clerk who received it answers for it until the complainant accepts
        t = self.later(t, 10, 25) if complaint.severity == "major" else self.later(t, 15, 80)
        services.complaint_transition(complaint.id, "respond", clerk, now=t, department=spec["department"],
                                      note=spec["respond"])
        if plan == "handling":
            return complaint
        t = self.later(t, 120, 300)
        services.complaint_transition(complaint.id, "progress", clerk, now=t, investigation=spec["investigation"])
        t = self.next_day(t, 10, 16)
        services.complaint_transition(complaint.id, "reply", clerk, now=t, result=spec["result"])
        if plan == "replied":
            return complaint
        t = self.next_day(t, 10, 17)
        services.complaint_transition(complaint.id, "accept", clerk, now=t, remark=spec["remark"])
        return complaint

    # ------------------------------------------------------------------ the rest of the desk

    def consultation(self, spec: dict, household, t: datetime):
        values = dict(self.contact_values(spec, household, "consultation", t), consultation_kind=spec["kind"],
                      answer=spec["answer"], handling=spec["answer"])
        return services.intake(values, self.clerk(), now=t)[1]

    def service_request(self, spec: dict, household, t: datetime) -> ServiceRequest:
        clerk = self.clerk()
        values = dict(self.contact_values(spec, household, "service_request", t),
                      service=self.catalog.get(spec["service"]))
        _contact, item = services.intake(values, clerk, now=t)
        if spec.get("done_after_days"):
            done = datetime.combine(t.date() + timedelta(days=spec["done_after_days"]), time(9, 0))
            done = min(done + timedelta(hours=4), self.now)
            change = {"house": item.house_id, "community": item.community_id, "service": item.service,
                      "title": item.title, "person": item.person, "phone": item.phone, "provider": item.provider,
                      "agreed_price": item.agreed_price, "requested_at": item.requested_at, "state": "done",
                      "approved_by": clerk.name, "scheduled_for": done - timedelta(hours=4), "done_at": done,
                      "contact": item.contact_id, "remark": "服务4小时，按标准价结算"}
            errors = services.check_service_request(change, pk=item.id)
            if errors:
                raise RuleViolation(errors)
            for key in ("state", "approved_by", "scheduled_for", "done_at", "remark"):
                setattr(item, key, change[key])
            services.prepare_service_request(item, clerk)
            db.session.flush()
        return item

    def other(self, spec: dict, household, t: datetime):
        return services.intake(self.contact_values(spec, household, "other", t), self.clerk(), now=t)[0]


def load_service_demo(seed: int = 2026, now: datetime | None = None) -> dict:
    """Add the service desk's demo data on top of the demo estate (app.estate.demo.load_demo): the material
    price list, the special service catalog, 3 工程维修 and 2 客服 logins (random passwords, shown nowhere;
    an admin resets one to log in as them), and about 40 contacts of the last 14 days before `now` (default:
    the present; it may not lie in the future) with their repairs and complaints moved through their states.
    Returns counts; commits."""
    now = clock.or_now(now)
    if now > clock.now() + timedelta(minutes=5):
        raise ValueError("The demo's work log cannot lie in the future (the desk refuses future contacts).")
    rng = random.Random(seed)
    engineers, desk, users = _staff()  # FAB's add_user commits: before anything else
    made_materials, made_services = _catalog()
    demo = _Demo(rng, now, engineers, desk)
    households = iter(demo.households)

    # every contact in the order it happened, so that numbers grow with the dates
    jobs = []
    for kind, specs in (("repair", REPAIRS), ("complaint", COMPLAINTS), ("consultation", CONSULTATIONS),
                        ("service_request", SERVICE_REQUESTS), ("other", OTHERS)):
        for spec in specs:
            jobs.append((demo.at(spec["when"]), kind, spec, next(households)))
    jobs.sort(key=lambda job: job[0])
    orders = []
    for t, kind, spec, household in jobs:
        if kind == "repair":
            orders.append((demo.repair(spec, household, t), spec))
        else:
            getattr(demo, kind)(spec, household, t)
    for order, spec in orders:
        demo.move(order, spec)
    db.session.commit()

    states = dict(db.session.execute(select(WorkOrder.state, func.count()).where(
        WorkOrder.id.in_([o.id for o, _s in orders])).group_by(WorkOrder.state)).all())
    return {
        "staff": users,
        "materials": made_materials,
        "special services": made_services,
        "contacts": len(jobs),
        "work orders": len(orders),
        **{f"orders {state}": states.get(state, 0) for state in ORDER_STATES},
        "complaints": len(COMPLAINTS),
        "consultations": len(CONSULTATIONS),
        "service requests": len(SERVICE_REQUESTS),
        "overdue orders": services.count_overdue_orders(now),
    }
