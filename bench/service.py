"""Benchmark: the work-order list queries at 2,000 and 200,000 orders, and 200 派工单 printed in one PDF.

One database, migrated to head, with a demo estate (app.estate.demo.load_demo) and a few 工程维修 users.
Work orders are bulk-inserted (Core INSERT, executemany in chunks) with a realistic spread: reported over
the last two years, deadlines from the urgency (services.DEFAULT_DEADLINES), mostly closed when old, open
ones mostly recent, a residue of stale open orders that are overdue. The queries are timed at --small
orders, then the database grows to --orders and they are timed again. Each query is what the list page
asks (FAB's SQLAInterface.query): the count of the filtered rows, then the first page of 20 rows sorted,
each row's place and engineer read as the list shows them:

  open orders     state in the open states, newest first (reported_at desc)
  overdue orders  services.overdue_order_clause(), as OverdueWorkOrderView: finish_due asc
  all orders      no filter, newest first (WorkOrderView)

Then 200 completed orders get 1 to 3 materials each and are printed as 派工单 in one PDF
(printing.orders_for_print + printing.work_orders_pdf).

    python bench/service.py [--orders 200000] [--small 2000] [--runs 20] [--print 200]
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
from datetime import datetime, timedelta
from decimal import Decimal

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.common import database_size_mb, make_app, print_table, upgrade_quietly  # noqa: E402
from bench.scale import drop_everything, table_names  # noqa: E402

ENGINEERS = 8
PASSWORD = "Bench-Pass-2026"
CHUNK = 10_000
PAGE_SIZE = 20
NOW = datetime.now().replace(microsecond=0)

DESCRIPTIONS = {
    "water_power": ["厨房水管漏水", "卫生间下水道堵塞", "客厅插座没电", "热水器不出热水", "楼道灯不亮"],
    "civil": ["外墙渗水", "卫生间地面开裂", "阳台顶棚掉灰", "楼梯扶手松动"],
    "door_window": ["单元门禁失灵", "入户门锁坏了", "窗户关不严漏风", "地下车库卷帘门无法升起"],
    "elevator": ["电梯按钮失灵", "电梯运行有异响", "电梯门关不上"],
    "fire": ["消防栓箱门损坏", "烟感报警器误报", "应急照明不亮"],
    "low_voltage": ["可视对讲无图像", "监控摄像头画面黑屏", "道闸不抬杆"],
    "other": ["信报箱损坏", "垃圾桶破损需更换", "小区路面井盖松动"],
}
PLACES = ["大堂", "地下车库入口", "3单元电梯间", "屋顶水箱间", "楼道", "消防通道", "中心花园"]
RESULTS = ["已更换配件，试用正常", "已疏通，排水正常", "已紧固修复", "已调试恢复正常"]
MATERIALS = [("PPR水管", "DN20", "米", "12.3456"), ("角阀", None, "个", "18.00"), ("开关面板", "86型", "个", "15.50"),
             ("LED灯泡", "9W", "个", "8.80"), ("防水涂料", None, "千克", "26.00"), ("门锁芯", "C级", "个", "120.00")]

# state weights by the order's age; older orders are mostly closed, a residue stays open (and overdue)
STATE_WEIGHTS = [
    (timedelta(days=1), {"pending": 25, "dispatched": 25, "in_progress": 25, "suspended": 3, "completed": 17,
                         "closed": 3, "cancelled": 2}),
    (timedelta(days=7), {"pending": 3, "dispatched": 5, "in_progress": 7, "suspended": 5, "completed": 35,
                         "closed": 42, "cancelled": 3}),
    (timedelta(days=30), {"pending": 0.5, "dispatched": 0.5, "in_progress": 1, "suspended": 2, "completed": 10,
                          "closed": 83, "cancelled": 3}),
    (None, {"in_progress": 0.1, "suspended": 0.3, "completed": 2, "closed": 94.6, "cancelled": 3}),
]
URGENCY_WEIGHTS = {"urgent": 10, "normal": 75, "scheduled": 15}
CATEGORY_WEIGHTS = {"water_power": 35, "civil": 12, "door_window": 18, "elevator": 8, "fire": 4,
                    "low_voltage": 8, "other": 15}
SATISFACTION_WEIGHTS = {"very_satisfied": 55, "satisfied": 38, "fair": 7}


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def order_rows(rng: random.Random, start: int, count: int, houses: list, buildings: list, engineers: list):
    """`count` work orders as plain rows for a Core INSERT, numbered from `start`."""
    from app.estate.demo import _person_name, _phone
    from app.service.services import DEFAULT_DEADLINES

    span = int(timedelta(days=730).total_seconds())
    rows = []
    for n in range(start, start + count):
        reported = NOW - timedelta(seconds=int(span * rng.random() ** 1.15))  # a little denser lately
        age = NOW - reported
        weights = next(w for limit, w in STATE_WEIGHTS if limit is None or age < limit)
        state = _pick(rng, weights)
        urgency = _pick(rng, URGENCY_WEIGHTS)
        category = _pick(rng, CATEGORY_WEIGHTS)
        arrive_min, finish_min = DEFAULT_DEADLINES[("repair", urgency)]
        private = rng.random() < 0.7
        if private:
            house_id, community_id, building_id = houses[rng.randrange(len(houses))]
            place = None
        else:
            building_id, community_id = buildings[rng.randrange(len(buildings))]
            house_id, place = None, rng.choice(PLACES)
        row = {
            "order_no": f"BX{reported:%Y%m%d}-{n:06d}", "community_id": community_id, "house_id": house_id,
            "building_id": building_id, "place": place, "scope": "private" if private else "common",
            "category": category, "source": _pick(rng, {"phone": 50, "visit": 20, "online": 15, "walk": 5,
                                                        "patrol": 10}),
            "urgency": urgency, "description": rng.choice(DESCRIPTIONS[category]),
            "reporter_name": _person_name(rng) if private else None, "reporter_phone": _phone(rng) if private else None,
            "appointment": None, "contact_id": None, "state": state, "version": 1, "reported_at": reported,
            "received_by_id": None, "arrive_due": reported + timedelta(minutes=arrive_min),
            "finish_due": reported + timedelta(minutes=finish_min), "assignee_id": None, "dispatched_at": None,
            "arrived_at": None, "finished_at": None, "closed_at": None, "result": None, "labour_hours": None,
            "labour_fee": Decimal("0.00"), "material_fee": Decimal("0.00"), "callback_at": None,
            "callback_by_id": None, "satisfaction": None, "callback_remark": None, "print_count": 0,
        }
        at = reported
        if state not in ("pending", "cancelled"):
            at = min(at + timedelta(minutes=rng.randint(5, 60)), NOW)
            row.update(assignee_id=rng.choice(engineers), dispatched_at=at)
        if state in ("in_progress", "suspended", "completed", "closed"):
            at = min(at + timedelta(minutes=rng.randint(10, 180)), NOW)
            row["arrived_at"] = at
        if state in ("completed", "closed"):
            at = min(at + timedelta(minutes=rng.randint(20, 600)), NOW)
            hours = Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"]))
            row.update(finished_at=at, result=rng.choice(RESULTS), labour_hours=hours,
                       labour_fee=(hours * 40 if private else Decimal("0")).quantize(Decimal("0.01")))
        if state == "closed":
            at = min(at + timedelta(hours=rng.randint(1, 48)), NOW)
            row.update(callback_at=at, closed_at=at, satisfaction=_pick(rng, SATISFACTION_WEIGHTS))
        if state == "cancelled":
            row["closed_at"] = min(reported + timedelta(hours=rng.randint(1, 24)), NOW)
        rows.append(row)
    return rows


def insert_orders(rng, start: int, count: int, estate: dict) -> float:
    """Core INSERT executemany, CHUNK rows at a time; returns the seconds it took (generation included)."""
    from app.extensions import db
    from app.service.models import WorkOrder

    table = WorkOrder.__table__
    t0 = time.perf_counter()
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        rows = order_rows(rng, start + done, n, estate["houses"], estate["buildings"], estate["engineers"])
        db.session.execute(table.insert(), rows)
        db.session.commit()
        done += n
    return time.perf_counter() - t0


def list_page(where, order_by) -> int:
    """What the list page runs: the count of the filtered rows, then the first page with what it shows of each
    row (its place and engineer, loaded lazily as the page template reads them). Returns the count."""
    from app.extensions import db
    from app.service.models import WorkOrder

    query = db.session.query(WorkOrder)
    if where is not None:
        query = query.filter(where)
    count = query.count()
    rows = query.order_by(*order_by, WorkOrder.id).limit(PAGE_SIZE).offset(0).all()
    for row in rows:
        row.place_label()
        if row.assignee is not None:
            row.assignee.username
    db.session.rollback()  # forget what was loaded: each run starts cold on the ORM side
    return count


def time_queries(runs: int) -> dict:
    """Median milliseconds (of `runs`, after 2 untimed) of each list query; also the row counts."""
    from app.service import services
    from app.service.models import WorkOrder

    cases = {
        "open orders, newest first": (WorkOrder.state.in_(services.OPEN_ORDER_STATES), [WorkOrder.reported_at.desc()]),
        "overdue orders, finish-by first": (services.overdue_order_clause(NOW), [WorkOrder.finish_due.asc()]),
        "all orders, newest first": (None, [WorkOrder.reported_at.desc()]),
    }
    out = {}
    for name, (where, order_by) in cases.items():
        for _ in range(2):
            list_page(where, order_by)
        seconds = []
        for _ in range(runs):
            t0 = time.perf_counter()
            count = list_page(where, order_by)
            seconds.append(time.perf_counter() - t0)
        out[name] = {"ms": statistics.median(seconds) * 1000, "rows": count,
                     "min_ms": min(seconds) * 1000, "max_ms": max(seconds) * 1000}
    return out


def query_plans() -> dict:
    """SQLite's plan of the overdue count and of the open page (to see which index is used)."""
    from sqlalchemy import func, select, text

    from app.extensions import db
    from app.service import services
    from app.service.models import WorkOrder

    if db.engine.url.get_backend_name() != "sqlite":
        return {}
    plans = {}
    statements = {
        "overdue count": select(func.count()).select_from(WorkOrder).where(services.overdue_order_clause(NOW)),
        "open page": select(WorkOrder.id).where(WorkOrder.state.in_(services.OPEN_ORDER_STATES))
        .order_by(WorkOrder.reported_at.desc()).limit(PAGE_SIZE),
    }
    for name, stmt in statements.items():
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        plans[name] = "; ".join(r[-1] for r in rows)
    db.session.rollback()
    return plans


def add_materials(order_ids: list[int], rng: random.Random) -> int:
    """1 to 3 material rows for each order (Core INSERT), and the orders' material fee; returns the rows."""
    from sqlalchemy import bindparam, update

    from app.core.money import to_money
    from app.extensions import db
    from app.service.models import Material, WorkOrder, WorkOrderMaterial

    catalog = []
    for name, spec, unit, price in MATERIALS:
        m = Material(name=name, spec=spec, unit=unit, unit_price=Decimal(price))
        db.session.add(m)
        catalog.append(m)
    db.session.flush()
    rows, fees = [], []
    for oid in order_ids:
        total = Decimal("0")
        for m in rng.sample(catalog, rng.randint(1, 3)):
            qty = Decimal(rng.choice(["1", "2", "2.5", "3", "0.5"]))
            amount = to_money(m.unit_price * qty)
            rows.append({"order_id": oid, "material_id": m.id, "name": str(m), "unit": m.unit,
                         "unit_price": m.unit_price, "quantity": qty, "amount": amount})
            total += amount
        fees.append({"oid": oid, "fee": to_money(total)})
    db.session.execute(WorkOrderMaterial.__table__.insert(), rows)
    table = WorkOrder.__table__
    db.session.connection().execute(
        update(table).where(table.c.id == bindparam("oid")).values(material_fee=bindparam("fee")), fees)
    db.session.commit()
    return len(rows)


def time_print(app, count: int, rng: random.Random, save: str | None = None) -> dict:
    """200 completed orders with materials printed as 派工单 in one PDF: query, render, pages."""
    from pypdf import PdfReader
    from sqlalchemy import select

    from app.extensions import db
    from app.service import printing
    from app.service.models import WorkOrder

    ids = list(db.session.scalars(select(WorkOrder.id).where(WorkOrder.state.in_(("completed", "closed")))
                                  .order_by(WorkOrder.finished_at.desc()).limit(count)))
    material_rows = add_materials(ids, rng)
    out = {"orders": len(ids), "material_rows": material_rows}
    with app.test_request_context():
        t0 = time.perf_counter()
        printing.work_orders_pdf(printing.orders_for_print(ids[:1]))
        out["warmup_s"] = time.perf_counter() - t0
        db.session.expunge_all()

        t0 = time.perf_counter()
        orders = printing.orders_for_print(ids)
        out["query_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        pdf = printing.work_orders_pdf(orders)
        out["render_s"] = time.perf_counter() - t0
    if save:
        with open(save, "wb") as fh:
            fh.write(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    out["pages"] = len(reader.pages)
    out["kb"] = len(pdf) / 1024
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    out["problems"] = [f"{where} page lacks {no}" for where, text, no in
                       (("first", first, orders[0].order_no), ("last", last, orders[-1].order_no)) if no not in text]
    return out


def setup(app, households: int) -> dict:
    """Migrate, apply the role matrix, add the engineers and a demo estate; the ids the orders point at."""
    from sqlalchemy import select

    from app.core.audit import set_cli_actor
    from app.estate.demo import load_demo
    from app.estate.models import Building, House
    from app.extensions import db
    from app.security import roles
    from app.security.services import apply_matrix, create_user

    upgrade_quietly()
    apply_matrix(app.appbuilder)
    engineers = [create_user(app.appbuilder, f"eng{i}", PASSWORD, [roles.ENGINEER],
                             first_name=name).id
                 for i, name in enumerate(["王师傅", "李师傅", "张师傅", "刘师傅", "陈师傅", "杨师傅", "赵师傅",
                                           "黄师傅"][:ENGINEERS])]
    set_cli_actor("cli:bench")
    load_demo(households)
    houses = db.session.execute(select(House.id, House.community_id, House.building_id)).all()
    buildings = db.session.execute(select(Building.id, Building.community_id)).all()
    db.session.commit()
    return {"houses": [tuple(h) for h in houses], "buildings": [tuple(b) for b in buildings],
            "engineers": engineers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200_000, help="work orders of the large size")
    parser.add_argument("--small", type=int, default=2_000, help="work orders of the small size")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query (median)")
    parser.add_argument("--print", type=int, default=200, dest="print_count", help="派工单 in the one PDF")
    parser.add_argument("--households", type=int, default=2_000, help="houses of the demo estate")
    parser.add_argument("--save-pdf", metavar="PATH", help="keep the 派工单 PDF there, to look at")
    parser.add_argument("--database-url", help="run on this (empty) database instead of a temporary SQLite file")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    import weasyprint
    from sqlalchemy import func, select

    from app.core import pdf as pdf_module
    from app.extensions import db
    from app.service.models import WorkOrder

    started = time.perf_counter()
    print("Service desk benchmark (bench/service.py)")
    print(f"  Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start; harfbuzz-subset: {pdf_module.harfbuzz_subset_available()}")
    rng = random.Random(2026)
    results = {}
    with tempfile.TemporaryDirectory(prefix="pm-bench-service-") as tmp:
        if args.database_url:
            url = args.database_url
            existing = table_names(url)
            if existing:
                raise SystemExit(f"--database-url must name an empty database; it has {len(existing)} tables")
        else:
            url = "sqlite:///" + os.path.join(tmp, "service.db")
        app = make_app(url)
        try:
            with app.app_context():
                t0 = time.perf_counter()
                estate = setup(app, args.households)
                print(f"  estate: {len(estate['houses']):,} houses, {len(estate['buildings']):,} buildings, "
                      f"{ENGINEERS} engineers (built in {time.perf_counter() - t0:.1f} s)")
                made = 0
                for size in (args.small, args.orders):
                    seconds = insert_orders(rng, made + 1, size - made, estate)
                    print(f"  inserted {size - made:,} work orders in {seconds:.1f} s "
                          f"({(size - made) / seconds:,.0f} rows/s)", file=sys.stderr, flush=True)
                    made = size
                    total = db.session.scalar(select(func.count()).select_from(WorkOrder))
                    states = dict(db.session.execute(select(WorkOrder.state, func.count())
                                                     .group_by(WorkOrder.state)).all())
                    results[size] = {"insert_s": seconds, "total": total, "states": states,
                                     "queries": time_queries(args.runs), "plans": query_plans(),
                                     "db_mb": database_size_mb()}
                    print(f"  timed: {size:,} orders", file=sys.stderr, flush=True)
                printed = time_print(app, args.print_count, rng, args.save_pdf)
                db.session.remove()
                db.engine.dispose()
        finally:
            if args.database_url:
                drop_everything(url)

    from sqlalchemy.engine import make_url

    backend = make_url(args.database_url).get_backend_name() if args.database_url else "sqlite (temporary file)"
    print(f"  database: {backend}")
    print()
    for size, r in results.items():
        spread = ", ".join(f"{k} {v:,}" for k, v in sorted(r["states"].items(), key=lambda kv: -kv[1]))
        print(f"{size:,} orders (inserted in {r['insert_s']:.1f} s; DB {r['db_mb'] or 0:.0f} MB): {spread}")
    print()
    small, large = results[args.small], results[args.orders]
    rows = []
    for name in small["queries"]:
        s, g = small["queries"][name], large["queries"][name]
        rows.append([name, f"{s['rows']:,}", f"{s['ms']:.2f}", f"{g['rows']:,}", f"{g['ms']:.2f}",
                     f"{g['min_ms']:.2f}-{g['max_ms']:.2f}", f"{g['ms'] / s['ms']:.1f}"])
    print(f"List page queries: count + first {PAGE_SIZE} rows (+ their place and engineer), median of {args.runs} runs:")
    print_table(["query", f"rows @{args.small:,}", "ms", f"rows @{args.orders:,}", "ms", "min-max ms",
                 f"ratio {args.orders // 1000}k/{args.small // 1000}k"], rows)
    for name, plan in large["plans"].items():
        print(f"  SQLite plan at {args.orders:,}, {name}: {plan}")
    print()
    print(f"派工单: {printed['orders']} orders with {printed['material_rows']} material rows in one PDF")
    print_table(["step", "seconds", "pages", "pages/s", "forms/s", "PDF kB"], [
        ["orders_for_print (query)", f"{printed['query_s']:.3f}", "", "", "", ""],
        ["work_orders_pdf (render)", f"{printed['render_s']:.2f}", printed["pages"],
         f"{printed['pages'] / printed['render_s']:.1f}", f"{printed['orders'] / printed['render_s']:.1f}",
         f"{printed['kb']:,.0f}"],
    ])
    print(f"  (first render of the process, 1 form, fonts loading: {printed['warmup_s']:.2f} s, not counted)")
    for problem in printed["problems"]:
        print(f"CHECK FAILED: {problem}")
    print(f"total wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
