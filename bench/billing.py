"""Benchmark: a 账期 run over 100,000 houses × 3 fee items, beside one hand-written INSERT … SELECT that makes
the same lines in the same database, in the same process.

One community of --houses houses (100 houses a floor-stack, 1,000 a building; areas 45–180 ㎡, one in ten
vacant, one in twenty a shop) is bulk-inserted. Three items: 物业服务费 by gross area (2.35 元/㎡·月, vacant
houses 70%), 电梯费 per house (25 元), 生活垃圾清运费 per residential house (8 元).

  run      services.commit_run(community, 2026-11): plan in Python with Decimal, Core INSERT in chunks
  baseline one INSERT … SELECT over house × item for 2026-10, the amounts rounded by the database

Then the 缴费通知单 of 2026-11 (each household: its 2026-11 bills and, as arrears, 2026-10's), rendered by
printing.notices_pdf in pieces of NOTICE_CHUNK households and joined into one PDF: for 500 households (the first
unit of building 1) and for 5,000 (buildings 1–5), each in a forked child whose peak memory is read
(VmHWM; growth = peak − its memory at the start). For comparison, the same 500 in one piece (no chunks).

Both are committed, then compared: the same count and, line by line (house, item), the same amounts? The
database's ROUND works on binary floats in SQLite (Numeric is stored as REAL there): the run's Decimal
half-up is the reference, the baseline's differences are printed.

    python bench/billing.py [--houses 100000] [--database-url postgresql+psycopg://...]

Figures are printed, never asserted. Without --database-url a temporary SQLite file is used.
"""
import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.common import (database_size_mb, in_child, make_app, maxrss_mb, print_table,  # noqa: E402
                          proc_memory_mb, upgrade_quietly)
from bench.scale import drop_everything, table_names  # noqa: E402

CHUNK = 20_000
PER_BUILDING = 1000
PER_UNIT = 500

BASELINE_SQL = """
INSERT INTO billing_line (community_id, house_id, parking_space_id, fee_item_id, run_id, source, source_id,
                          payer_key, period, period_key, description, quantity, unit_price, months, amount,
                          due_date, state, created_at, version)
SELECT h.community_id, h.id, NULL, f.id, NULL, 'run', NULL,
       'H' || CAST(h.id AS VARCHAR(20)), :period, :period, f.name || ' ' || :period,
       CASE WHEN f.method = 'area' THEN h.building_area END, f.unit_price, 1,
       ROUND(CASE WHEN f.method = 'area' THEN h.building_area * f.unit_price ELSE f.unit_price END
             * CASE WHEN h.status = 'vacant' AND f.vacant_percent IS NOT NULL THEN f.vacant_percent / 100.0
                    ELSE 1 END, 2),
       :due, 'unpaid', :now, 1
FROM estate_house h JOIN billing_fee_item f ON f.community_id = h.community_id AND f.active = :yes
WHERE h.community_id = :community
  AND (f.usages IS NULL OR f.usages = '' OR f.usages LIKE '%' || h.usage || '%')
"""


def estate(app, houses: int, rng: random.Random) -> tuple[int, int]:
    """The schema and roles, then one community of `houses` houses in bulk (100 houses a floor-stack, 1,000 a
    building; areas 45–180 ㎡, one in ten vacant, one in twenty a shop). Returns (community id, houses made)."""
    from sqlalchemy import insert

    from app.core.audit import set_cli_actor
    from app.estate.models import Building, Community, House, Unit
    from app.extensions import db
    from app.security.services import apply_matrix

    upgrade_quietly()
    apply_matrix(app.appbuilder)
    set_cli_actor("cli:bench")
    community = Community(name="万家花园", code="BENCH")
    db.session.add(community)
    db.session.flush()
    buildings = (houses + PER_BUILDING - 1) // PER_BUILDING
    b_rows = [{"community_id": community.id, "code": str(b + 1), "name": f"{b + 1}号楼", "floors": 25}
              for b in range(buildings)]
    db.session.execute(insert(Building.__table__), b_rows)
    building_ids = list(db.session.scalars(Building.__table__.select().with_only_columns(Building.id)
                                          .order_by(Building.id)))
    u_rows = [{"building_id": bid, "code": str(u + 1), "name": f"{u + 1}单元"}
              for bid in building_ids for u in range(PER_BUILDING // PER_UNIT)]
    db.session.execute(insert(Unit.__table__), u_rows)
    units = db.session.execute(Unit.__table__.select().with_only_columns(Unit.id, Unit.building_id)
                               .order_by(Unit.id)).all()
    rows, made = [], 0
    for unit_id, building_id in units:
        for i in range(PER_UNIT):
            if made >= houses:
                break
            floor, room = i // 20 + 1, i % 20 + 1
            room_no = f"{floor:02d}{room:02d}"
            rows.append({"community_id": community.id, "building_id": building_id, "unit_id": unit_id,
                         "room_no": room_no, "house_no": f"{building_id}-{unit_id}-{room_no}", "floor": floor,
                         "building_area": Decimal(rng.randint(4500, 18000)) / 100,
                         "usage": "shop" if rng.random() < 0.05 else "residential",
                         "status": "vacant" if rng.random() < 0.1 else "occupied"})
            made += 1
            if len(rows) >= CHUNK:
                db.session.execute(insert(House.__table__), rows)
                rows = []
    if rows:
        db.session.execute(insert(House.__table__), rows)
    return community.id, made


def setup(app, houses: int, rng: random.Random) -> dict:
    from app.billing.models import FeeItem
    from app.extensions import db

    community_id, made = estate(app, houses, rng)
    items = [
        FeeItem(community_id=community_id, code="WYF", name="物业服务费", method="area", area_basis="building_area",
                unit_price=Decimal("2.3500"), cycle="monthly", vacant_percent=Decimal("70"), due_days=30),
        FeeItem(community_id=community_id, code="DTF", name="电梯费", method="per_house", unit_price=Decimal("25"),
                cycle="monthly", due_days=30),
        FeeItem(community_id=community_id, code="LJF", name="生活垃圾清运费", method="per_house",
                unit_price=Decimal("8"), cycle="monthly", usages="residential", due_days=30),
    ]
    db.session.add_all(items)
    db.session.commit()
    return {"community": community_id, "houses": made}


def compare(community_id: int) -> dict:
    """The run's lines (2026-11) against the baseline's (2026-10), by house and item."""
    from sqlalchemy import select

    from app.billing.models import BillLine
    from app.extensions import db

    def amounts(period):
        return {(h, f): Decimal(str(a)).quantize(Decimal("0.01")) for h, f, a in db.session.execute(
            select(BillLine.house_id, BillLine.fee_item_id, BillLine.amount)
            .where(BillLine.community_id == community_id, BillLine.period == period))}

    run, base = amounts("2026-11"), amounts("2026-10")
    differ = [(k, run[k], base.get(k)) for k in run if base.get(k) != run[k]]
    return {"run_lines": len(run), "base_lines": len(base), "differ": len(differ), "examples": differ[:3],
            "run_total": sum(run.values(), Decimal("0")), "base_total": sum(base.values(), Decimal("0"))}


def notices_job(community_id: int, count: int, tmp: str, chunk: int | None = None):
    """The child's work: the 缴费通知单 of the first `count` households of the community in 房号 order."""
    def work() -> dict:
        from app.billing import notices, printing
        from app.extensions import db

        db.engine.dispose(close=False)  # the parent's connections stay the parent's
        if chunk is not None:
            printing.NOTICE_CHUNK = chunk
        request = notices.check_request({"kind": "bill", "community": community_id, "period": "2026-11"},
                                        today=date(2026, 11, 20))
        t0 = time.perf_counter()
        ids = notices.house_ids(request)[:count]
        path = os.path.join(tmp, f"notices-{count}-{chunk}.pdf")
        with open(path, "wb") as out:
            pages = printing.notices_pdf(request, ids, out)
        seconds = time.perf_counter() - t0
        return {"households": len(ids), "pages": pages, "seconds": seconds, "mb": os.path.getsize(path) / 1e6,
                "peak_rss_mb": proc_memory_mb()["VmHWM"]}
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--houses", type=int, default=100_000)
    parser.add_argument("--database-url", help="run on this (empty) database instead of a temporary SQLite file")
    parser.add_argument("--notices", type=int, nargs="*", default=[500, 5000],
                        help="household counts of the 缴费通知单 batches (default 500 5000)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    from sqlalchemy import text

    from app.billing import services
    from app.core.rules import Actor
    from app.extensions import db
    from app.security import roles

    started = time.perf_counter()
    print("Billing benchmark (bench/billing.py)")
    print(f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="pm-bench-billing-") as tmp:
        if args.database_url:
            url = args.database_url
            if table_names(url):
                raise SystemExit("--database-url must name an empty database")
        else:
            url = "sqlite:///" + os.path.join(tmp, "billing.db")
        app = make_app(url)
        try:
            with app.app_context():
                t0 = time.perf_counter()
                estate = setup(app, args.houses, rng)
                print(f"  {estate['houses']:,} houses in one community, 3 fee items (built in "
                      f"{time.perf_counter() - t0:.1f} s)")
                actor = Actor(None, "bench", frozenset({roles.MANAGER}))
                with app.test_request_context():
                    t0 = time.perf_counter()
                    plan_seconds = {}
                    run = services.commit_run(estate["community"], "2026-11", actor, today=date(2026, 11, 20),
                                              auto_settle=False,
                                              progress=lambda done, total: plan_seconds.setdefault(
                                                  "first_chunk", time.perf_counter() - t0))
                    db.session.commit()
                    run_s = time.perf_counter() - t0
                    lines = run.line_count

                    t0 = time.perf_counter()
                    plan = services.plan_run(estate["community"], "2026-09", today=date(2026, 11, 20))
                    plan_only_s = time.perf_counter() - t0
                    del plan

                    t0 = time.perf_counter()
                    db.session.execute(text(BASELINE_SQL), {
                        "period": "2026-10", "due": date(2026, 10, 31), "now": datetime.now().replace(microsecond=0),
                        "yes": True, "community": estate["community"]})
                    db.session.commit()
                    base_s = time.perf_counter() - t0
                    result = compare(estate["community"])
                    size = database_size_mb()
                    db.session.remove()
                    from app.billing.printing import NOTICE_CHUNK
                    batches = []
                    for count in args.notices:
                        batches.append((f"{count:,} households, {NOTICE_CHUNK} a piece",
                                        in_child(notices_job(estate["community"], count, tmp))))
                    if 500 in args.notices:
                        batches.append(("500 households in one piece (comparison)",
                                        in_child(notices_job(estate["community"], 500, tmp, chunk=10_000))))
                db.session.remove()
                db.engine.dispose()
        finally:
            if args.database_url:
                drop_everything(url)

    backend = "PostgreSQL" if args.database_url else "SQLite (temporary file)"
    print(f"  database: {backend}; {size or 0:.0f} MB after both; peak memory {maxrss_mb():.0f} MB")
    print()
    print_table(["step", "lines", "seconds", "lines/s"], [
        ["plan only (read houses and items, Decimal amounts)", f"{lines:,}", f"{plan_only_s:.2f}",
         f"{lines / plan_only_s:,.0f}"],
        ["services.commit_run (plan + INSERT in chunks + commit)", f"{lines:,}", f"{run_s:.2f}",
         f"{lines / run_s:,.0f}"],
        ["hand-written INSERT … SELECT (baseline)", f"{result['base_lines']:,}", f"{base_s:.2f}",
         f"{result['base_lines'] / base_s:,.0f}"],
    ])
    print(f"ratio run / baseline: {run_s / base_s:.1f}")
    print(f"same lines: {result['run_lines']:,} vs {result['base_lines']:,}; totals ¥{result['run_total']:,} vs "
          f"¥{result['base_total']:,}; amounts that differ: {result['differ']}")
    for key, mine, theirs in result["examples"]:
        print(f"  e.g. house {key[0]} item {key[1]}: run (Decimal half-up) {mine}, database ROUND {theirs}")
    print()
    print("缴费通知单 2026-11 (one page per household, in 房号 order, one PDF):")
    print_table(["batch", "pages", "seconds", "pages/s", "PDF MB", "peak RSS MB", "growth MB"], [
        [label, f"{r['pages']:,}", f"{r['seconds']:.1f}", f"{r['pages'] / r['seconds']:.1f}", f"{r['mb']:.1f}",
         f"{r['peak_rss_mb']:.0f}", f"{r['peak_rss_mb'] - r['start_rss_mb']:.0f}"] for label, r in batches])
    print("peak RSS: VmHWM of the forked child that rendered; growth: that minus its memory at the start")
    print(f"total wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
