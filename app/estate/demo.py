"""A realistic Chinese community for demos and benchmarks: estate, owners, residents, tenants, vehicles."""
import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from app.core import pinyin
from app.core.validators import PLATE_PROVINCES, resident_id_check_char
from app.estate.models import (Building, Community, House, Owner, Ownership, ParkingSpace, Resident, Unit,
                               Vehicle)
from app.extensions import db

COMMUNITY_NAMES = [
    "翠湖花园", "锦绣华庭", "阳光新城", "金色家园", "碧水蓝湾", "御景华府", "紫荆苑", "梧桐雅居",
    "滨江壹号", "书香名邸", "和谐家园", "万科城市花园", "绿地香树", "明珠苑", "丽景湾", "东方明珠小区",
]
ROADS = ["建设路", "人民路", "解放大道", "中山路", "和平街", "学府路", "滨河东路", "长江路"]
LAYOUTS = [("一室一厅", 45, 62), ("两室一厅", 68, 92), ("两室两厅", 82, 105), ("三室两厅", 108, 145),
           ("四室两厅", 150, 198)]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单"
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国志红平刚桂兰霞玉梅鹏辉"
         "宇浩然子轩梓涵欣怡思雨博文一诺雨桐嘉怡俊杰晨阳紫萱佳琪天佑雅婷皓轩若曦")
RARE_GIVEN = ["喆", "堃", "燚", "䶮", "𠮷", "昇", "玥", "琰", "珺", "赟", "犇", "淼"]
AREA_CODES = ["330106", "330102", "330105", "310104", "110105", "440305", "320102", "510107", "420106", "370102"]
CAR_BRANDS = ["大众", "丰田", "本田", "比亚迪", "吉利", "特斯拉", "宝马", "奥迪", "别克", "长安"]
CAR_COLORS = ["白色", "黑色", "银色", "灰色", "蓝色", "红色"]
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def _person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
    if rng.random() < 0.02:  # some owners carry characters outside GB2312
        given = given[:-1] + rng.choice(RARE_GIVEN)
    return rng.choice(SURNAMES) + given


def _resident_id(rng: random.Random, serial: int, born: date) -> str:
    body = f"{rng.choice(AREA_CODES)}{born:%Y%m%d}{serial % 1000:03d}"
    return body + resident_id_check_char(body)


def _phone(rng: random.Random) -> str:
    return rng.choice(["13", "15", "17", "18", "19"]) + str(rng.randint(0, 9)) + f"{rng.randint(0, 99999999):08d}"


def _plate(rng: random.Random, province: str) -> str:
    if rng.random() < 0.25:  # new-energy
        return province + rng.choice("ABCDEF") + rng.choice("DF") + rng.choice(PLATE_CHARS) + f"{rng.randint(0, 9999):04d}"
    return province + rng.choice("ABCDEFG") + "".join(rng.choice(PLATE_CHARS) for _ in range(5))


def _people(community_id: int, rng: random.Random, serial_start: int, used_ids: set, used_plates: set) -> int:
    """Owners (one per sold house), their ownership, residents (owner, family or tenant) and cars."""
    houses = db.session.execute(
        select(House.id, House.status).where(House.community_id == community_id).order_by(House.id)
    ).all()
    spaces = db.session.scalars(
        select(ParkingSpace.id).where(ParkingSpace.community_id == community_id).order_by(ParkingSpace.id)
    ).all()
    owners, links = [], []
    serial = serial_start
    for house_id, status in houses:
        if status == "undelivered":
            continue
        serial += 1
        name = _person_name(rng)
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 50))
        number = _resident_id(rng, serial, born)
        while number in used_ids:
            serial += 1
            number = _resident_id(rng, serial, born)
        used_ids.add(number)
        phone = _phone(rng)
        full, initials = pinyin.name_pinyin(name)
        owners.append({"kind": "person", "name": name, "name_pinyin": full, "name_initials": initials,
                       "id_type": "resident_id", "id_number": number, "phone": phone, "phone_tail": phone[-4:],
                       "emergency_contact": f"{_person_name(rng)} {_phone(rng)}"})
        links.append((house_id, status))
    if not owners:
        return serial
    ids = db.session.scalars(
        insert(Owner).returning(Owner.id, sort_by_parameter_order=True), owners
    ).all()
    ownerships, residents, vehicles = [], [], []
    province = PLATE_PROVINCES[rng.randrange(len(PLATE_PROVINCES))]
    space_iter = iter(spaces)
    for owner_id, owner, (house_id, status) in zip(ids, owners, links):
        start = date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))
        ownerships.append({"house_id": house_id, "owner_id": owner_id, "share": Decimal("100.00"),
                           "started_on": start, "delivered_on": start, "moved_in_on": start + timedelta(days=90)})
        if status == "rented":
            name = _person_name(rng)
            phone = _phone(rng)
            full, initials = pinyin.name_pinyin(name)
            lease = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
            residents.append({"house_id": house_id, "name": name, "name_pinyin": full, "name_initials": initials,
                              "relation": "tenant", "phone": phone, "phone_tail": phone[-4:], "moved_in_on": lease,
                              "lease_start": lease, "lease_end": lease + timedelta(days=365)})
        elif status in ("occupied", "renovating"):
            residents.append({"house_id": house_id, "name": owner["name"], "name_pinyin": owner["name_pinyin"],
                              "name_initials": owner["name_initials"], "relation": "self", "phone": owner["phone"],
                              "phone_tail": owner["phone_tail"], "moved_in_on": start + timedelta(days=90)})
            if rng.random() < 0.6:
                name = owner["name"][0] + _person_name(rng)[1:]
                full, initials = pinyin.name_pinyin(name)
                residents.append({"house_id": house_id, "name": name, "name_pinyin": full,
                                  "name_initials": initials, "relation": rng.choice(["spouse", "child", "parent"]),
                                  "phone_tail": "", "moved_in_on": start + timedelta(days=90)})
        if rng.random() < 0.4:
            plate = _plate(rng, province)
            while plate in used_plates:
                plate = _plate(rng, province)
            used_plates.add(plate)
            vehicles.append({"house_id": house_id, "owner_id": owner_id, "plate": plate,
                             "parking_space_id": next(space_iter, None), "brand": rng.choice(CAR_BRANDS),
                             "color": rng.choice(CAR_COLORS)})
    for model, rows in ((Ownership, ownerships), (Resident, residents), (Vehicle, vehicles)):
        for i in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[i:i + 5000])
    return serial


def _area(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def load_demo(households: int, seed: int = 2026, progress=None) -> dict:
    """Create communities, buildings, units, houses and parking spaces for about `households` houses."""
    rng = random.Random(seed)
    start_index = db.session.scalar(select(func.count(Community.id))) or 0
    per_community = 1200 if households > 2000 else max(households, 1)
    made = {"communities": 0, "buildings": 0, "units": 0, "houses": 0, "parking": 0}
    used_ids = set(db.session.scalars(select(Owner.id_number)).all())
    used_plates = set(db.session.scalars(select(Vehicle.plate)).all())
    serial = 0
    remaining = households
    c_index = start_index
    while remaining > 0:
        target = min(per_community, remaining)
        name = COMMUNITY_NAMES[c_index % len(COMMUNITY_NAMES)]
        if c_index >= len(COMMUNITY_NAMES):
            name = f"{name}{c_index // len(COMMUNITY_NAMES) + 1}期"
        community = Community(
            name=name, code=f"C{c_index + 1:03d}",
            address=f"{rng.choice(ROADS)}{rng.randint(1, 999)}号", phone=f"0571-8{rng.randint(1000000, 9999999)}",
        )
        db.session.add(community)
        db.session.flush()
        made["communities"] += 1
        built = 0
        b_no = 0
        house_rows: list[dict] = []
        while built < target:
            b_no += 1
            floors = rng.choice([6, 11, 18, 26, 33])
            per_floor = rng.choice([2, 2, 3, 4])
            unit_count = rng.choice([1, 2, 3])
            building = Building(community_id=community.id, code=str(b_no), name=f"{b_no}号楼", floors=floors)
            db.session.add(building)
            db.session.flush()
            made["buildings"] += 1
            for u in range(1, unit_count + 1):
                if built >= target:
                    break
                unit = Unit(building_id=building.id, code=str(u), name=f"{u}单元")
                db.session.add(unit)
                db.session.flush()
                made["units"] += 1
                for floor in range(1, floors + 1):
                    if built >= target:
                        break
                    for r in range(1, per_floor + 1):
                        if built >= target:
                            break
                        layout, low, high = rng.choice(LAYOUTS)
                        gross = _area(rng, low, high)
                        shop = floor == 1 and b_no % 5 == 1
                        room_no = f"{floor:02d}{r:02d}"
                        house_rows.append({
                            "community_id": community.id, "building_id": building.id, "unit_id": unit.id,
                            "room_no": room_no, "house_no": f"{b_no}-{u}-{room_no}", "floor": floor,
                            "building_area": gross,
                            "inner_area": (gross * Decimal("0.78")).quantize(Decimal("0.01")),
                            "layout": None if shop else layout,
                            "usage": "shop" if shop else "residential",
                            "status": rng.choices(
                                ["occupied", "rented", "vacant", "renovating", "undelivered"], [70, 12, 12, 4, 2]
                            )[0],
                        })
                        built += 1
            if len(house_rows) >= 5000:
                db.session.execute(insert(House), house_rows)
                house_rows = []
        if house_rows:
            db.session.execute(insert(House), house_rows)
        spaces = [
            {"community_id": community.id, "code": f"B{i:04d}" if i % 5 else f"A{i:04d}",
             "location": "above" if i % 5 == 0 else "under",
             "kind": rng.choices(["owned", "leased", "temporary"], [55, 35, 10])[0],
             "status": rng.choices(["sold", "rented", "free"], [50, 30, 20])[0],
             "area": Decimal("12.50") if i % 5 else Decimal("15.00")}
            for i in range(1, int(target * 0.6) + 1)
        ]
        if spaces:
            db.session.execute(insert(ParkingSpace), spaces)
        serial = _people(community.id, rng, serial, used_ids, used_plates)
        made["houses"] += built
        made["parking"] += len(spaces)
        made["owners"] = len(used_ids)
        remaining -= built
        c_index += 1
        db.session.commit()
        if progress is not None:
            progress(built)
    return made


def has_estate_data() -> bool:
    return db.session.scalar(select(func.count(House.id))) > 0
