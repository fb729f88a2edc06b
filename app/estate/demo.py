"""A realistic Chinese community for demos and benchmarks (no owners: they come with 业主档案)."""
import random
from decimal import Decimal

from sqlalchemy import func, insert, select

from app.estate.models import Building, Community, House, ParkingSpace, Unit
from app.extensions import db

COMMUNITY_NAMES = [
    "翠湖花园", "锦绣华庭", "阳光新城", "金色家园", "碧水蓝湾", "御景华府", "紫荆苑", "梧桐雅居",
    "滨江壹号", "书香名邸", "和谐家园", "万科城市花园", "绿地香树", "明珠苑", "丽景湾", "东方明珠小区",
]
ROADS = ["建设路", "人民路", "解放大道", "中山路", "和平街", "学府路", "滨河东路", "长江路"]
LAYOUTS = [("一室一厅", 45, 62), ("两室一厅", 68, 92), ("两室两厅", 82, 105), ("三室两厅", 108, 145),
           ("四室两厅", 150, 198)]


def _area(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def load_demo(households: int, seed: int = 2026, progress=None) -> dict:
    """Create communities, buildings, units, houses and parking spaces for about `households` houses."""
    rng = random.Random(seed)
    start_index = db.session.scalar(select(func.count(Community.id))) or 0
    per_community = 1200 if households > 2000 else max(households, 1)
    made = {"communities": 0, "buildings": 0, "units": 0, "houses": 0, "parking": 0}
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
        made["houses"] += built
        made["parking"] += len(spaces)
        remaining -= built
        c_index += 1
        db.session.commit()
        if progress is not None:
            progress(built)
    return made


def has_estate_data() -> bool:
    return db.session.scalar(select(func.count(House.id))) > 0
