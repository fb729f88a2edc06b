"""Benchmark: 20,000 meter readings imported from an Excel file and billed, and a 公摊 split over 2,000 houses.

One community of --houses houses (bench/billing.py's estate), a water meter each (start 1000) with last month's reading
(2026-10, 5–20 m³) bulk-inserted; 水费 with tiered prices (0–10 m³ 3.50, 10–20 4.20, above 5.60). An .xlsx file of
the 2026-11 readings is built here (3–25 m³ each, one meter in a hundred jumping to 5× its month: flagged).

  import   meters.import_readings: read the file, check every row (previous, jump flag), bulk INSERT, commit
  bill     services.commit_run of the water item for 2026-11 (the flagged readings are left out)
  公摊     a common meter (电梯用电, 1,234,567.89 元 this month) serving --shared houses chosen one by one, split by
           gross floor area: meters.apportion alone, then the run of the 公摊 item (plan and write)

    python bench/meters.py [--houses 20000] [--shared 2000] [--database-url postgresql+psycopg://...]

Figures are printed, never asserted. Without --database-url a temporary SQLite file is used.
"""
import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.billing import estate  # noqa: E402
from bench.common import make_app, maxrss_mb, print_table  # noqa: E402
from bench.scale import drop_everything, table_names  # noqa: E402

CHUNK = 10_000
TODAY = date(2026, 11, 20)


def setup(app, houses: int, rng: random.Random) -> dict:
    from sqlalchemy import insert, select

    from app.billing.models import FeeItem, Meter, MeterReading
    from app.estate.models import House
    from app.extensions import db

    community_id, _made = estate(app, houses, rng)
    house_ids = list(db.session.scalars(select(House.id).order_by(House.id)))
    meter_rows = [{"community_id": community_id, "kind": "water", "scope": "house", "number": f"W{h:07d}",
                   "house_id": h, "building_id": None, "start_reading": Decimal("1000.00"), "active": True}
                  for h in house_ids]
    for i in range(0, len(meter_rows), CHUNK):
        db.session.execute(insert(Meter.__table__), meter_rows[i:i + CHUNK])
    meters = db.session.execute(select(Meter.id, Meter.number).order_by(Meter.id)).all()
    readings, current = [], {}
    for meter_id, number in meters:
        usage = Decimal(rng.randint(50, 200)) / 10
        current[number] = Decimal("1000.00") + usage
        readings.append({"meter_id": meter_id, "period": "2026-10", "previous": Decimal("1000.00"),
                         "current": current[number], "replaced": False, "usage": usage, "state": "ok",
                         "read_by": "bench"})
    for i in range(0, len(readings), CHUNK):
        db.session.execute(insert(MeterReading.__table__), readings[i:i + CHUNK])
    water = FeeItem(community_id=community_id, code="SF", name="水费", method="meter", meter_kind="water",
                    tiers="10:3.50, 20:4.20, 5.60", unit_price=Decimal("3.50"), cycle="monthly", due_days=20)
    db.session.add(water)
    db.session.commit()
    return {"community": community_id, "houses": house_ids, "current": current, "water": water.id}


def reading_file(current: dict, rng: random.Random) -> tuple[bytes, int]:
    """The 2026-11 readings as the import template's .xlsx: each meter within ±30% of its last month, one in a
    hundred jumping to 5× it."""
    from app.billing.meter_import import import_headers
    from app.core.excel import write_workbook, Sheet

    rows, jumps = [], 0
    for number, last in current.items():
        usage = ((last - Decimal("1000.00")) * Decimal(rng.randint(70, 130)) / 100).quantize(Decimal("0.1"))
        if rng.random() < 0.01:
            usage, jumps = usage * 5, jumps + 1
        rows.append([number, "2026-11", last + usage, None, None, None])
    return write_workbook([Sheet(title="抄表读数", headers=import_headers(), rows=rows, text_columns=[0, 1])]), jumps


def shared_setup(community_id: int, house_ids: list[int]) -> dict:
    from sqlalchemy import insert

    from app.billing.models import FeeItem, Meter, MeterHouse, MeterReading
    from app.extensions import db

    meter = Meter(community_id=community_id, kind="electricity", scope="common", number="E-LIFT", name="电梯用电",
                  start_reading=Decimal("0"))
    db.session.add(meter)
    db.session.flush()
    db.session.execute(insert(MeterHouse.__table__), [{"meter_id": meter.id, "house_id": h} for h in house_ids])
    db.session.add(MeterReading(meter_id=meter.id, period="2026-11", previous=Decimal("0"),
                                current=Decimal("1543209.86"), usage=Decimal("1543209.86"),
                                amount=Decimal("1234567.89"), state="ok", read_by="bench"))
    item = FeeItem(community_id=community_id, code="GT", name="公摊电费", method="shared", common_meter_id=meter.id,
                   share_basis="area", unit_price=Decimal("0.80"), cycle="monthly", due_days=20)
    db.session.add(item)
    db.session.commit()
    return {"meter": meter, "item": item.id}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--houses", type=int, default=20_000)
    parser.add_argument("--shared", type=int, default=2_000)
    parser.add_argument("--database-url", help="run on this (empty) database instead of a temporary SQLite file")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    from sqlalchemy import func, select

    from app.billing import meter_import, meters, services
    from app.billing.models import BillLine, MeterReading
    from app.core.rules import Actor
    from app.estate.models import House
    from app.extensions import db
    from app.security import roles

    print("Meter benchmark (bench/meters.py)")
    print(f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="pm-bench-meters-") as tmp:
        if args.database_url:
            url = args.database_url
            if table_names(url):
                raise SystemExit("--database-url must name an empty database")
        else:
            url = "sqlite:///" + os.path.join(tmp, "meters.db")
        app = make_app(url)
        rows = []
        try:
            with app.app_context(), app.test_request_context():
                t0 = time.perf_counter()
                estate = setup(app, args.houses, rng)
                print(f"  {len(estate['houses']):,} houses with a water meter and last month's reading "
                      f"(built in {time.perf_counter() - t0:.1f} s), on {db.engine.url.get_backend_name()}")
                data, jumps = reading_file(estate["current"], rng)
                print(f"  the reading file: {len(estate['current']):,} rows, {len(data) / 1e6:.1f} MB, {jumps} jumps")
                actor = Actor(None, "bench", frozenset({roles.CASHIER}))

                t0 = time.perf_counter()
                result = meter_import.import_readings(data, estate["community"], actor, "bench.xlsx")
                import_s = time.perf_counter() - t0
                assert result.ok, result.errors[:5]
                rows.append(["import readings (read, check, write, commit)", f"{result.rows:,}", f"{import_s:.1f}",
                             f"{result.rows / import_s:,.0f}"])
                print(f"  flagged for review: {result.flagged}")

                t0 = time.perf_counter()
                run = services.commit_run(estate["community"], "2026-11", actor, fee_item_ids=[estate["water"]],
                                          today=TODAY, auto_settle=False)
                db.session.commit()
                bill_s = time.perf_counter() - t0
                rows.append(["bill them (services.commit_run, tiered prices)", f"{run.line_count:,}",
                             f"{bill_s:.1f}", f"{run.line_count / bill_s:,.0f}"])
                left_out = len(estate["houses"]) - run.line_count
                print(f"  bills: {run.line_count:,}, total ¥{run.total:,}; left out (flagged): {left_out}")

                chosen = list(db.session.scalars(select(House.id).order_by(House.id).limit(args.shared)))
                shared = shared_setup(estate["community"], chosen)
                served = meters.served_houses(shared["meter"])
                weights = [(h.id, h.building_area) for h in served]
                t0 = time.perf_counter()
                for _ in range(10):
                    shares = meters.apportion(Decimal("1234567.89"), weights)
                split_s = (time.perf_counter() - t0) / 10
                assert sum(shares.values()) == Decimal("1234567.89")
                rows.append([f"公摊: meters.apportion over {len(weights):,} houses (mean of 10)", f"{len(shares):,}",
                             f"{split_s * 1000:.1f} ms", f"{len(shares) / split_s:,.0f}"])
                t0 = time.perf_counter()
                run = services.commit_run(estate["community"], "2026-11", actor, fee_item_ids=[shared["item"]],
                                          today=TODAY, auto_settle=False)
                db.session.commit()
                shared_s = time.perf_counter() - t0
                total = db.session.scalar(select(func.sum(BillLine.amount)).where(BillLine.run_id == run.id))
                rows.append(["公摊 run (plan with basis text, write, commit)", f"{run.line_count:,}",
                             f"{shared_s:.2f}", f"{run.line_count / shared_s:,.0f}"])
                print(f"  公摊 lines sum to ¥{Decimal(str(total)).quantize(Decimal('0.01')):,} "
                      f"(the meter's cost ¥1,234,567.89)")
                print(f"  readings in the database: {db.session.scalar(select(func.count(MeterReading.id))):,}")
                db.session.remove()
                db.engine.dispose()
        finally:
            if args.database_url:
                drop_everything(url)
    print()
    print_table(["step", "rows", "seconds", "rows/s"], rows)
    print(f"\n  peak memory (RSS) {maxrss_mb():.0f} MB")


if __name__ == "__main__":
    main()
