"""Benchmark: the monthly 《物业部走访情况报告》 for an office of 20 物业助理 and 10,000 households with 12 months of
visits.

One community of 100 buildings × 100 houses (95% lived in, each with an owner), bulk-inserted (Core INSERT,
executemany in chunks); 20 users with the 客服 role, each with a 专责区 of 5 buildings for the whole year; for
each of the last 12 months, about 90% of the households visited (a tenth of them twice), door-to-door or by
phone, 5% of the visits with an issue raised (a fifth of them a suggestion, written as a 咨询/建议 record linked
to the issue), 2% with other needs. Then the last full month's report is timed: the figures
(app.community.visits.report) of the office and of one assistant, and their PDFs (visit_views.report_pdf).
The plans of the report's main queries are printed (SQLite), to see the indexes used.

    python bench/visits.py [--households 10000] [--assistants 20] [--months 12] [--runs 5]
                           [--save-pdf PATH] [--database-url postgresql+psycopg://...]

Without --database-url the database is a SQLite file in a temporary folder, removed at the end. With it, the
database must be empty; it is filled and left empty. Figures are printed, never asserted.
"""
import argparse
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.common import database_size_mb, make_app, print_table, upgrade_quietly  # noqa: E402
from bench.scale import drop_everything  # noqa: E402
from pypdf import PdfReader  # noqa: E402

CHUNK = 10_000
PASSWORD = "Bench-Pass-2026"
PER_BUILDING = 100
TEXTS = ["楼道灯不亮", "单元门口垃圾清运不及时", "夜间有车辆占用消防通道", "建议增设电动车充电桩", "物业费能否按年缴纳",
         "卫生间地漏返味", "电梯运行有异响", "建议增加儿童游乐设施"]
CATEGORIES = ["repair", "environment", "security", "suggestion", "fees", "repair", "repair", "suggestion"]
NEEDS = ["希望开通家政保洁服务", "需要代收快递", "想预约家电清洗", "希望组织老年人活动"]


def month_back(today: date, back: int) -> tuple[int, int]:
    year, month = today.year, today.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return year, month


def build(households: int, n_assistants: int, months: int, rng: random.Random, today: date) -> dict:
    """The estate, the assistants and their zones, and the visits; returns ids and the seconds it took."""
    from app.community import visits
    from app.community.models import Visit, VisitIssue, ZoneBuilding
    from app.estate.models import Building, Community, House, Owner, Ownership, Unit
    from app.extensions import db
    from app.security import roles
    from app.security.services import create_user
    from app.service.models import Consultation

    t0 = time.perf_counter()
    community = Community(name="走访基准小区", code="BV01")
    db.session.add(community)
    db.session.flush()
    n_buildings = -(-households // PER_BUILDING)
    db.session.execute(Building.__table__.insert(), [
        {"community_id": community.id, "code": f"{b + 1:03d}", "name": f"{b + 1}号楼", "floors": 25}
        for b in range(n_buildings)])
    building_ids = list(db.session.scalars(db.select(Building.id).where(Building.community_id == community.id)
                                           .order_by(Building.code)))
    db.session.execute(Unit.__table__.insert(), [{"building_id": b, "code": "1", "name": "1单元"}
                                                 for b in building_ids])
    unit_of = dict(db.session.execute(db.select(Unit.building_id, Unit.id)
                                      .where(Unit.building_id.in_(building_ids))).all())
    house_rows = []
    for n in range(households):
        b = building_ids[n // PER_BUILDING]
        floor, room = divmod(n % PER_BUILDING, 4)
        room_no = f"{floor + 1:02d}{room + 1:02d}"
        house_rows.append({"community_id": community.id, "building_id": b, "unit_id": unit_of[b], "room_no": room_no,
                           "house_no": f"{building_ids.index(b) + 1}-1-{room_no}", "floor": floor + 1,
                           "building_area": Decimal("89.00"), "usage": "residential",
                           "status": rng.choices(["occupied", "rented", "vacant"], [80, 15, 5])[0]})
    for i in range(0, len(house_rows), CHUNK):
        db.session.execute(House.__table__.insert(), house_rows[i:i + CHUNK])
    houses = db.session.execute(db.select(House.id, House.building_id, House.status)
                                .where(House.community_id == community.id).order_by(House.id)).all()
    db.session.execute(Owner.__table__.insert(), [
        {"kind": "person", "name": f"业主{n}", "name_pinyin": "", "name_initials": "", "id_type": "passport",
         "id_number": f"BV{n:08d}", "phone_tail": ""} for n in range(len(houses))])
    owner_ids = list(db.session.scalars(db.select(Owner.id).where(Owner.id_number.like("BV%")).order_by(Owner.id)))
    db.session.execute(Ownership.__table__.insert(), [
        {"house_id": h.id, "owner_id": o, "share": Decimal("100"), "started_on": date(2015, 1, 1)}
        for h, o in zip(houses, owner_ids)])
    db.session.commit()
    assistants = []
    for n in range(n_assistants):
        login = f"bench_kefu{n + 1:02d}"
        user = create_user(_appbuilder(), login, PASSWORD,
                           [roles.SERVICE], first_name=f"助理{n + 1:02d}")
        assistants.append((user.id, f"助理{n + 1:02d}"))
    start = date(*month_back(today, months), 1)
    per_zone = -(-len(building_ids) // n_assistants)
    zone_rows, zone_of = [], {}
    for n, (uid, name) in enumerate(assistants):
        for b in building_ids[n * per_zone:(n + 1) * per_zone]:
            zone_rows.append({"community_id": community.id, "building_id": b, "assistant_id": uid,
                              "assistant_name": name, "started_on": start, "assigned_at": datetime.now(),
                              "assigned_by_name": "bench"})
            zone_of[b] = (uid, name)
    db.session.execute(ZoneBuilding.__table__.insert(), zone_rows)
    db.session.commit()
    built_estate = time.perf_counter() - t0

    t1 = time.perf_counter()
    lived_in = [h for h in houses if h.status != "vacant"]
    visit_rows = []
    for back in range(months, 0, -1):
        year, month = month_back(today, back)
        first, last = visits.month_bounds(year, month)
        for h in lived_in:
            if rng.random() >= 0.9:
                continue
            uid, name = zone_of[h.building_id]
            for _ in range(2 if rng.random() < 0.1 else 1):
                day = first + timedelta(days=rng.randint(0, (last - first).days))
                visit_rows.append({"community_id": community.id, "visited_on": day, "house_id": h.id,
                                   "building_id": h.building_id, "channel": "door" if rng.random() < 0.7 else "phone",
                                   "visitor_id": uid, "visitor_name": name,
                                   "satisfaction": rng.choice(["very_satisfied", "satisfied", "fair", None]),
                                   "other_needs": rng.choice(NEEDS) if rng.random() < 0.02 else None,
                                   "created_at": datetime.combine(day, datetime.min.time()), "created_by_name": name})
    visit_rows.sort(key=lambda r: r["visited_on"])
    for i in range(0, len(visit_rows), CHUNK):
        db.session.execute(Visit.__table__.insert(), visit_rows[i:i + CHUNK])
    db.session.commit()
    visit_ids = db.session.execute(db.select(Visit.id, Visit.house_id, Visit.visited_on)
                                   .where(Visit.community_id == community.id)).all()
    issue_rows, consultation_rows = [], []
    for vid, house_id, day in visit_ids:
        if rng.random() >= 0.05:
            continue
        k = rng.randrange(len(TEXTS))
        suggestion = CATEGORIES[k] == "suggestion" and rng.random() < 0.8
        issue_rows.append({"visit_id": vid, "category": CATEGORIES[k], "text": TEXTS[k],
                           "outcome": "suggestion" if suggestion else "noted"})
        if suggestion:
            consultation_rows.append({"community_id": community.id, "house_id": house_id, "kind": "suggestion",
                                      "asked_at": datetime.combine(day, datetime.min.time()), "question": TEXTS[k],
                                      "answer": "已转相关部门" if rng.random() < 0.6 else None})
    db.session.execute(Consultation.__table__.insert(), consultation_rows)
    consultation_ids = list(db.session.scalars(db.select(Consultation.id).where(
        Consultation.community_id == community.id).order_by(Consultation.id)))
    it = iter(consultation_ids)
    for row in issue_rows:
        row["consultation_id"] = next(it) if row["outcome"] == "suggestion" else None
    for i in range(0, len(issue_rows), CHUNK):
        db.session.execute(VisitIssue.__table__.insert(), issue_rows[i:i + CHUNK])
    db.session.commit()
    return {"community": community.id, "assistant": assistants[0][0], "estate_s": built_estate,
            "visits_s": time.perf_counter() - t1,
            "rows": {"buildings": len(building_ids), "houses": len(houses), "households (lived in)": len(lived_in),
                     "assistants": len(assistants), "zone rows": len(zone_rows), "visits": len(visit_rows),
                     "issues": len(issue_rows), "suggestions (linked)": len(consultation_rows)}}


def _appbuilder():
    from flask import current_app

    return current_app.appbuilder


def timed(work, runs: int) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), result


def plans(community_id: int, year: int, month: int) -> list[str]:
    """SQLite's plans of the coverage's visited-households query and of the report's issue query."""
    from sqlalchemy import and_, func, select, text

    from app.community import visits
    from app.community.models import Visit, VisitIssue
    from app.estate.models import House
    from app.extensions import db

    if db.engine.url.get_backend_name() != "sqlite":
        return []
    first, last = visits.month_bounds(year, month)
    stmts = {
        "visited households": select(House.building_id, func.count(func.distinct(Visit.house_id)))
        .join(House, House.id == Visit.house_id)
        .where(Visit.community_id == community_id, Visit.visited_on >= first, Visit.visited_on <= last,
               visits.household_clause(first, last)).group_by(House.building_id),
        "issues of the month": select(VisitIssue.id).join(Visit, Visit.id == VisitIssue.visit_id)
        .where(and_(Visit.community_id == community_id, Visit.visited_on >= first, Visit.visited_on <= last)),
    }
    out = []
    for name, stmt in stmts.items():
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        rows = db.session.execute(text("EXPLAIN QUERY PLAN " + str(compiled))).all()
        out.append(f"{name}: " + " | ".join(r[-1] for r in rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--assistants", type=int, default=20)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--save-pdf", default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = None
    url = args.database_url
    if url is None:
        tmp = tempfile.TemporaryDirectory(prefix="pm-bench-visits-")
        url = f"sqlite:///{tmp.name}/bench.db"
    os.environ.setdefault("PM_SKIP_PDF_CHECK", "1")
    app = make_app(url)
    rng = random.Random(2026)
    today = date.today()
    with app.test_request_context():
        from app.community import visit_views, visits
        from app.estate.models import Community
        from app.extensions import db
        from app.security.services import apply_matrix

        upgrade_quietly()
        apply_matrix(app.appbuilder)
        try:
            data = build(args.households, args.assistants, args.months, rng, today)
            year, month = month_back(today, 1)
            community = db.session.get(Community, data["community"])
            cases = [
                ("report figures, office", lambda: visits.report(community.id, year, month, today=today)),
                ("report figures, one assistant",
                 lambda: visits.report(community.id, year, month, assistant_id=data["assistant"], today=today)),
                ("coverage page figures", lambda: visits.coverage(community.id, year, month, today=today)),
            ]
            rows = []
            results = {}
            for name, work in cases:
                seconds, result = timed(work, args.runs)
                results[name] = result
                rows.append([name, f"{seconds * 1000:.0f} ms", ""])
            office = results["report figures, office"]
            mine = results["report figures, one assistant"]
            for name, figures, who in (("PDF, office", office, None), ("PDF, one assistant", mine, "助理01")):
                seconds, pdf = timed(lambda: visit_views.report_pdf(community, figures, who), max(1, args.runs // 2))
                pages = len(PdfReader(io.BytesIO(pdf)).pages)
                rows.append([name, f"{seconds:.2f} s", f"{pages} pages, {len(pdf) / 1024:.0f} kB"])
                if args.save_pdf and who is None:
                    with open(args.save_pdf, "wb") as fh:
                        fh.write(pdf)
            print(f"走访 report benchmark — {platform.python_version()}, {db.engine.url.get_backend_name()}, "
                  f"month {year:04d}-{month:02d}, today {today}")
            print_table(["rows", "count"], [[k, v] for k, v in data["rows"].items()])
            print(f"built the estate in {data['estate_s']:.1f} s, {args.months} months of visits in "
                  f"{data['visits_s']:.1f} s; database {database_size_mb() or 0:.0f} MB")
            print(f"month {year:04d}-{month:02d}: office {office['visits']} visits, {office['households']} households, "
                  f"{office['visited']} visited ({office['coverage']}%), {len(office['issues'])} issues, "
                  f"{len(office['needs'])} other needs; assistant 01: {mine['visits']} visits, "
                  f"{mine['households']} households")
            print_table(["step (median of runs)", "time", ""], rows)
            for line in plans(community.id, year, month):
                print("plan", line)
        finally:
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
            if args.database_url:
                drop_everything(url)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
