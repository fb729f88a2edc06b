"""Demo data for 费用收缴: fee items, the bills of the last three months, a quarter of payments at the counter
(most households pay every month, some pay late, some not at all), a few pre-payments, one receipt voided the
same day, and 催缴 records with promises for houses in arrears. So that the counter, the receipts, 欠费, the
notices and the reports of a fresh demo show something real.

Everything goes through billing.services as the counter would (commit_run, pay, void_payment), at realistic
times before `today`, in the order it happened: receipt numbers grow with the dates. A seeded random.Random
picks who pays when; the scenario is the same on every load.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from app.core import clock
from app.billing import fund, public_income, services
from app.billing.models import PAY_METHODS, BillLine, FeeItem, Reminder
from app.core.rules import Actor
from app.estate.models import Community
from app.extensions import db
from app.security import roles
from app.security import services as security

# code, name, method, unit price, extra columns
FEE_ITEMS = [
    ("WYF", "物业服务费", "area", "2.3500", {"vacant_percent": Decimal("70"), "due_days": 30}),
    ("DTF", "电梯运行费", "per_house", "25.0000", {"due_days": 30}),
    ("LJF", "生活垃圾清运费", "per_house", "8.0000", {"usages": "residential", "due_days": 30}),
    ("TCF", "车位管理费", "per_space", "80.0000", {"due_days": 30}),
]
# 抄表与公摊: 水费 at tiered prices on a water meter per house, 公摊电费 of the community's lift meter by area
WATER_TIERS = "10:3.50, 20:4.20, 5.60"
METER_MONTHS = 2  # readings of the last two months (the first reading month's previous is the meter's start)
STAFF = [("shoufei1", "赵敏", roles.CASHIER), ("shoufei2", "孙丽", roles.CASHIER), ("jingli1", "周建国", roles.MANAGER)]
MONTHS = 3
METHODS = list(PAY_METHODS)
METHOD_WEIGHTS = [20, 40, 25, 10, 5]  # cash, WeChat, Alipay, bank, POS


def _month(today: date, back: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - back
    return index // 12, index % 12 + 1


def _staff() -> tuple[list[Actor], Actor | None, int]:
    from app.service.demo import _strong_password

    sm = current_app.appbuilder.sm
    cashiers, manager, created = [], None, 0
    for login, name, role in STAFF:
        user = sm.find_user(username=login)
        if user is None:
            user = security.create_user(current_app.appbuilder, login, _strong_password(), [role], first_name=name)
            created += 1
        if role not in {r.name for r in user.roles} or not user.active:
            continue  # a login of that name belongs to someone else
        if role == roles.CASHIER:
            cashiers.append(Actor.of(user))
        else:
            manager = Actor.of(user)
    if not cashiers:
        raise RuntimeError("No 收费员 user for the demo payments.")
    return cashiers, manager, created


def load_billing_demo(seed: int = 2026, today: date | None = None, now: datetime | None = None) -> dict:
    """Add billing's demo data for every community that has no fee item yet, as of `now` (or the end of
    `today`; default: the present). Returns counts; commits."""
    now = clock.demo_moment(now, today)
    today = now.date()
    rng = random.Random(seed)
    cashiers, manager, users = _staff()
    made = {"staff": users, "fee items": 0, "bills": 0, "payments": 0, "voided": 0, "reminders": 0,
            "common-area income entries": 0, "fund entries": 0, "fund applications": 0}
    communities = db.session.scalars(select(Community).where(
        ~Community.id.in_(select(FeeItem.community_id))).order_by(Community.id)).all()
    maker = manager or cashiers[0]
    for community in communities:
        for code, name, method, price, extra in FEE_ITEMS:
            db.session.add(FeeItem(community_id=community.id, code=code, name=name, method=method,
                                   unit_price=Decimal(price), cycle="monthly", active=True, **extra))
            made["fee items"] += 1
        db.session.flush()
        _meters(community, rng, now, maker, made)
        for back in range(MONTHS - 1, -1, -1):
            year, month = _month(today, back)
            # a month's bills are made on its first morning (or a minute ago, when that morning is still to come)
            run = services.commit_run(community.id, f"{year}-{month:02d}", maker, today=today, auto_settle=False,
                                      now=min(datetime(year, month, 1, 8, 0), now - timedelta(minutes=1)))
            made["bills"] += run.line_count
        db.session.commit()
        _payments(community.id, rng, cashiers, today, made)
        _reminders(community.id, rng, cashiers[0], today, made)
        _public_income(community.id, rng, cashiers[0], manager, today, made)
        if manager is not None:
            _fund(community.id, cashiers[-1], manager, today, made, payer=cashiers[0])
    return made


def _meters(community: Community, rng: random.Random, now: datetime, maker: Actor, made: dict) -> None:
    """A water meter per house and the community's lift meter, their readings of the last two months (through
    meters.record_readings, as the sheet saves them: one house's jump this month waits for review), the
    水费 item at tiered prices and the 公摊电费 item shared by area."""
    from sqlalchemy import insert

    from app.billing import meters
    from app.billing.models import Meter
    from app.estate.models import House

    houses = db.session.execute(select(House.id, House.building_id, House.house_no).where(
        House.community_id == community.id).order_by(House.id)).all()
    if not houses:
        return
    db.session.execute(insert(Meter.__table__), [
        {"community_id": community.id, "kind": "water", "scope": "house", "number": f"S{h.id:06d}", "house_id": h.id,
         "building_id": h.building_id, "start_reading": Decimal(rng.randint(100, 900)), "active": True}
        for h in houses])
    lift = Meter(community_id=community.id, kind="electricity", scope="common", number=f"D{community.id:03d}-DT",
                 name="电梯用电", start_reading=Decimal("52000"))
    db.session.add(lift)
    db.session.flush()
    db.session.add_all([
        FeeItem(community_id=community.id, code="SF", name="水费", method="meter", meter_kind="water",
                tiers=WATER_TIERS, unit_price=Decimal("3.50"), cycle="monthly", active=True, due_days=20),
        FeeItem(community_id=community.id, code="GTDF", name="公摊电费", method="shared", common_meter_id=lift.id,
                share_basis="area", unit_price=Decimal("0.6800"), cycle="monthly", active=True, due_days=20)])
    made["fee items"] += 2
    water = db.session.execute(select(Meter.id).where(Meter.community_id == community.id, Meter.scope == "house")
                               .order_by(Meter.id)).scalars().all()
    levels = {m: Decimal(rng.randint(40, 180)) / 10 for m in water}  # a household's usual m³ a month
    last = dict(db.session.execute(select(Meter.id, Meter.start_reading).where(Meter.id.in_(water))).all())
    lift_last = Decimal("52000")
    made.setdefault("meter readings", 0)
    for back in range(METER_MONTHS - 1, -1, -1):
        year, month = _month(now.date(), back)
        entries = []
        for index, meter_id in enumerate(water):
            usage = (levels[meter_id] * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal("0.1"))
            if back == 0 and index == len(water) // 2:
                usage *= 6  # a leaking pipe, or a misread figure: held for review
            last[meter_id] += usage
            entries.append({"meter": meter_id, "current": str(last[meter_id])})
        lift_last += Decimal(rng.randint(1800, 2400))
        entries.append({"meter": lift.id, "current": str(lift_last)})
        # read on the month's first morning, before its bills are made
        read_at = min(datetime(year, month, 1, 7, 30), now - timedelta(minutes=2))
        made["meter readings"] += len(meters.record_readings(entries, f"{year}-{month:02d}", maker, now=read_at))


def _payments(community_id: int, rng: random.Random, cashiers: list[Actor], today: date, made: dict) -> None:
    """Who pays when: 70% of the households pay each month's bills some days into the month, 15% pay the
    earlier months late, all at once this month (and still owe this one), 15% owe everything. A few pre-pay;
    one receipt is voided the same day."""
    # the runs' bills only: a 有偿维修 bill the service desk's demo left is paid by nobody here (it stays at the
    # counter, and a payment must not be dated before the repair it pays)
    lines = db.session.execute(select(BillLine.house_id, BillLine.period, BillLine.id).where(
        BillLine.community_id == community_id, BillLine.state == "unpaid", BillLine.source == "run")).all()
    by_house: dict[int, dict[str, list[int]]] = {}
    for house_id, period, line_id in lines:
        by_house.setdefault(house_id, {}).setdefault(period, []).append(line_id)
    now = datetime.combine(today, time(8, 30))
    jobs = []
    for house_id in sorted(by_house):
        habit = rng.choices(["monthly", "late", "never"], [70, 15, 15])[0]
        periods = sorted(by_house[house_id])
        if habit == "never":
            continue
        if habit == "late":  # the earlier months all at once, some day this month (arrears collected)
            if len(periods) > 1 and today.day > 1:
                at = datetime(today.year, today.month, 1 + rng.randrange(today.day - 1), 9, 0) + timedelta(
                    minutes=rng.randrange(8 * 60))
                jobs.append((at, house_id, [i for p in periods[:-1] for i in by_house[house_id][p]]))
            continue
        for period in periods:
            year, month = (int(x) for x in period.split("-"))
            day = 3 + rng.randrange(22)
            at = datetime(year, month, 1, 9, 0) + timedelta(days=day, minutes=rng.randrange(8 * 60))
            if at < now:
                jobs.append((at, house_id, by_house[house_id][period]))
    jobs.sort()
    prepay_every = max(1, len(jobs) // 6)
    voided = False
    for index, (at, house_id, line_ids) in enumerate(jobs):
        cashier = cashiers[index % len(cashiers)]
        method = rng.choices(METHODS, METHOD_WEIGHTS)[0]
        prepay = Decimal(rng.choice(["300", "500", "1000"])) if index % prepay_every == prepay_every - 1 else None
        payment = services.pay(house_id, line_ids, method, cashier, prepay=prepay, now=at)
        made["payments"] += 1
        if not voided and at.date() == (now - timedelta(days=1)).date():
            services.void_payment(payment.id, cashier, "付款方式选错，重新收款", now=at + timedelta(minutes=6))
            services.pay(house_id, line_ids, "wechat", cashier, now=at + timedelta(minutes=8))
            made["voided"] += 1
            voided = True
        if index % 200 == 199:
            db.session.commit()
    db.session.commit()


REMINDER_OUTCOMES = [
    ("phone", "业主称近期出差，回来后到物业中心缴纳", True),
    ("visit", "家中无人，已在门上留下催缴通知单", False),
    ("phone", "业主对电梯维修有意见，要求先处理后再缴费，已转工程部", False),
    ("letter", "已投递书面催缴通知", False),
    ("sms", "已发短信提醒缴费，业主回复本周内缴纳", True),
]


def _reminders(community_id: int, rng: random.Random, by: Actor, today: date, made: dict) -> None:
    """催缴 records for the houses owing the most: how they were reminded, what came of it, some promises."""
    rows = services.arrears("house", community_id=community_id, as_of=today, limit=len(REMINDER_OUTCOMES) * 2)
    for index, row in enumerate(rows):
        method, outcome, promise = REMINDER_OUTCOMES[index % len(REMINDER_OUTCOMES)]
        at = datetime.combine(today - timedelta(days=1 + index), time(10 + index % 6, 15))
        reminder = Reminder(house_id=row["id"], at=at, method=method, outcome=outcome, by_name=by.name,
                            contact_person=row["owner"] or None,
                            promised_on=today + timedelta(days=rng.randint(0, 7)) if promise else None,
                            promised_amount=row["total"] if promise else None)
        services.prepare_reminder(reminder)
        db.session.add(reminder)
        made["reminders"] += 1
    db.session.commit()


# day of the month, category, amount, description, paid by / to
PUBLIC_MONTHLY = [
    (5, "advertising", "4000.00", "电梯轿厢广告位租金", "某传媒公司"),
    (8, "parking", "1860.00", "地面公共区域临时停车收费", None),
    (12, "facilities", "350.00", "快递柜场地使用费", "某快递柜运营公司"),
    (18, "common_repair", "1280.00", "公共区域照明灯具更换", "某电气工程公司"),
    (25, "committee", "500.00", "业委会办公经费", "业主委员会"),
]


def _public_income(community_id: int, rng: random.Random, clerk: Actor, manager: Actor | None, today: date,
                   made: dict) -> None:
    """公共收益 of the last three months: the monthly advertising, parking and locker income, a venue rented now
    and then, lighting repairs and the committee's expenses; one entry recorded wrong and reversed."""
    for back in range(MONTHS - 1, -1, -1):
        year, month = _month(today, back)
        rows = list(PUBLIC_MONTHLY)
        if rng.random() < 0.7:
            rows.append((15, "venue", rng.choice(["600.00", "800.00", "1200.00"]), "会所多功能厅场地租用", None))
        for day, category, amount, text, party in rows:
            on = date(year, month, min(day, 28))
            if on > today:
                continue
            public_income.record_entry({"community": community_id, "on_date": on, "category": category,
                                        "amount": amount, "description": text, "counterparty": party},
                                       clerk, today=today)
            made["common-area income entries"] += 1
            if manager is not None and back == 1 and category == "facilities":  # typed twice, the copy reversed
                again = public_income.record_entry({"community": community_id, "on_date": on, "category": category,
                                                    "amount": amount, "description": text, "counterparty": party},
                                                   clerk, today=today)
                public_income.reverse_entry(again.id, manager, "重复登记", today=on)
                made["common-area income entries"] += 2
    db.session.commit()


def _paper_numbers(today: date) -> dict:
    return {"payout_voucher_no": f"ZZ{today:%Y%m%d}-0001", "invoice_no": f"{today:%y}440{today:%m%d}88"}


def _payout_papers(application, today: date) -> dict:
    """The payout's voucher and invoice as the demo's stand-in scans (one-page PDFs saying what they are)."""
    from app.billing.fund_papers import Upload
    from app.billing.models import FUND_PAPER_KINDS
    from app.core.pdf import render_pdf

    numbers = _paper_numbers(today)
    return {f"{kind}_file": Upload(f"{FUND_PAPER_KINDS[kind]}.pdf", render_pdf(
        "billing/demo_paper.html", title=str(FUND_PAPER_KINDS[kind]), application=application, on_date=today,
        number=numbers["payout_voucher_no" if kind == "voucher" else "invoice_no"])) for kind in FUND_PAPER_KINDS}


def _fund(community_id: int, clerk: Actor, manager: Actor, today: date, made: dict, payer: Actor) -> None:
    """维修基金: the first deposit of 50 元/㎡ at hand-over, last year's interest shared by balances, one use of the
    first building paid out (voted, approved, its voucher and invoice filed), a 续筹 of the second building with
    its owners' vote, and a use of the second awaiting the vote."""
    from app.billing.models import FundEntry
    from app.estate.models import Building

    buildings = db.session.scalars(select(Building).where(Building.community_id == community_id)
                                   .order_by(Building.code)).all()
    if not buildings:
        return
    handover = date(today.year - 2, 3, 15)
    fund.post_deposits({"community": community_id, "scope": "community", "kind": "deposit", "method": "rate",
                        "rate": "50", "on_date": handover, "voucher_no": "WXJJ-首期"}, clerk, today=today)
    fund.post_interest({"community": community_id, "amount": "1250.00", "on_date": date(today.year - 1, 12, 21),
                        "voucher_no": "结息-" + str(today.year - 1)}, clerk, today=today)
    first = fund.apply({"community": community_id, "project": f"{buildings[0].name}电梯曳引机更换",
                        "amount": "36800.00", "scope": "building", "building": buildings[0].id,
                        "contractor": "某电梯工程有限公司", "description": "曳引机磨损严重，经检测需整体更换"}, clerk)
    area, owners = fund.scope_totals(first)
    voting_owners = -(-owners * 4 // 5)  # four fifths take part, all of them agree
    fund.transition(first.id, "vote", clerk, today=today, values={
        "area_voting": str((area * 4 / 5).quantize(Decimal("0.01"))), "owners_voting": str(voting_owners),
        "area_for": str((area * 4 / 5).quantize(Decimal("0.01"))), "owners_for": str(voting_owners),
        "voted_on": today})
    fund.transition(first.id, "approve", manager, today=today)
    if payer.name != clerk.name:  # separation of duties: the one who applied does not pay out
        fund.transition(first.id, "pay", payer, today=today, values=_paper_numbers(today),
                        uploads=_payout_papers(first, today))
    if len(buildings) > 1:
        # the second building's owners voted a 续筹 last year (three quarters and more agreed)
        houses = fund.houses_in_scope(community_id, "building", buildings[1].id)
        area = sum((h.building_area or Decimal("0") for h in houses), Decimal("0"))
        if houses and area:
            taking = -(-len(houses) * 9 // 10)
            fund.post_deposits({"community": community_id, "scope": "building", "building": buildings[1].id,
                                "kind": "top_up", "method": "rate", "rate": "10", "on_date": date(today.year - 1, 9, 1),
                                "voucher_no": f"XC-{today.year - 1}", "area_voting": str(area), "owners_voting":
                                str(len(houses)), "area_for": str((area * 9 / 10).quantize(Decimal("0.01"))),
                                "owners_for": str(taking), "voted_on": date(today.year - 1, 8, 20)}, clerk, today=today)
        fund.apply({"community": community_id, "project": f"{buildings[1].name}屋面防水维修", "amount": "12600.00",
                    "scope": "building", "building": buildings[1].id, "contractor": "某防水工程公司"}, clerk)
    made["fund applications"] += 1 + (len(buildings) > 1)
    made["fund entries"] += db.session.scalar(select(func.count()).select_from(FundEntry)
                                              .where(FundEntry.community_id == community_id)) or 0
    db.session.commit()
