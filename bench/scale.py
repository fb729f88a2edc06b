"""Benchmark: demo data of 100,000 houses, and the 房屋 (houses) list page at 1,000 and 100,000 houses.

Two fresh databases, each migrated to head with an admin login made from the role
matrix. In the first, app.estate.demo.load_demo(1,000); in the second,
load_demo(100,000), which is what `flask pm demo --households 100000` does. In
each, a logged-in admin test client opens the first page of the houses list
filtered by one building (/houses/list/?_flt_0_building=<id>): warm-up requests,
then timed ones; every answer must be 200 and show the building's first house
number. The same building (小区 C001, 楼栋 1, identical in both databases since the
demo data is seeded) is used at both sizes. The unfiltered first page is timed too.

    python bench/scale.py [--households 100000] [--small 1000] [--requests 20] [--warmup 3]
                          [--database-url postgresql+psycopg://...]

Without --database-url the databases are SQLite files in a temporary folder, removed
at the end. With it, the database must be empty; it is filled and emptied once per
size and left empty. Figures are printed, never asserted.
"""
import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.common import database_size_mb, make_app, maxrss_mb, print_table, upgrade_quietly  # noqa: E402

USERNAME = "bench"
PASSWORD = "Bench-Pass-2026"
ADMIN_ROLE = "管理员"


def drop_everything(url: str) -> None:
    """Drop every table of the database at `url` (only used on one the benchmark filled itself)."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        meta.drop_all(engine)
    finally:
        engine.dispose()


def table_names(url: str) -> list[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


class StatementCounter:
    """Counts the SQL statements an engine sends (executemany counts once)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args, **_kwargs):
        self.count += 1


def timed_gets(client, url: str, expect: str, warmup: int, requests: int, counter) -> dict:
    """GET `url` `warmup` times untimed, then `requests` times timed; every answer is checked."""

    sizes = []

    def get() -> float:
        start = time.perf_counter()
        resp = client.get(url)
        seconds = time.perf_counter() - start
        body = resp.get_data(as_text=True)
        if resp.status_code != 200 or expect not in body:
            raise SystemExit(f"GET {url}: status {resp.status_code}, {expect!r} "
                             f"{'found' if expect in body else 'missing'}; the figure would not be real")
        sizes.append(len(resp.data))
        return seconds

    for _ in range(warmup):
        get()
    seconds, statements = [], []
    for _ in range(requests):
        counter.count = 0
        seconds.append(get())
        statements.append(counter.count)
    return {
        "median_ms": statistics.median(seconds) * 1000,
        "min_ms": min(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
        "statements": statistics.median(statements),
        "kb": max(sizes) / 1024,
    }


def run_size(url: str, households: int, args) -> dict:
    """Migrate a fresh database, load `households` demo houses, time the houses list."""
    from sqlalchemy import func, select

    from app.core.audit import set_cli_actor
    from app.estate.demo import load_demo
    from app.estate.models import Building, Community, House
    from app.extensions import db
    from app.security.services import apply_matrix, create_user

    app = make_app(url)
    out = {"households": households}
    with app.app_context():
        upgrade_quietly()
        apply_matrix(app.appbuilder)
        create_user(app.appbuilder, USERNAME, PASSWORD, [ADMIN_ROLE])

        set_cli_actor("cli:demo")  # as `flask pm demo` does
        start = time.perf_counter()
        out["made"] = load_demo(households)
        out["load_s"] = time.perf_counter() - start
        set_cli_actor(None)

        building = db.session.scalar(
            select(Building).join(Community).where(Community.code == "C001", Building.code == "1")
        )
        out["building"] = f"{building.community.name} {building.name} (id {building.id})"
        out["building_houses"] = db.session.scalar(
            select(func.count(House.id)).where(House.building_id == building.id)
        )
        out["houses"] = db.session.scalar(select(func.count(House.id)))
        first_in_building = db.session.scalar(
            select(House.house_no).where(House.building_id == building.id).order_by(House.house_no).limit(1)
        )
        first_overall = db.session.scalar(select(House.house_no).order_by(House.house_no).limit(1))
        building_id = building.id
        counter = StatementCounter(db.engine)
        db.session.remove()

    client = app.test_client()
    resp = client.post("/login/", data={"username": USERNAME, "password": PASSWORD})
    if resp.status_code != 302:
        raise SystemExit(f"login failed: status {resp.status_code}")
    out["filtered"] = timed_gets(client, f"/houses/list/?_flt_0_building={building_id}", first_in_building,
                                 args.warmup, args.requests, counter)
    out["unfiltered"] = timed_gets(client, "/houses/list/", first_overall, args.warmup, args.requests, counter)

    with app.app_context():
        out["db_mb"] = database_size_mb()
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000, help="houses of the large database")
    parser.add_argument("--small", type=int, default=1_000, help="houses of the small database")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page and size")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before them")
    parser.add_argument("--database-url", help="run on this (empty) database instead of temporary SQLite files")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    started = time.perf_counter()
    print("Scale benchmark (bench/scale.py)")
    print(f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")

    results = []
    with tempfile.TemporaryDirectory(prefix="pm-bench-scale-") as tmp:
        for households in (args.small, args.households):
            if args.database_url:
                url = args.database_url
                existing = table_names(url)
                if existing:
                    raise SystemExit(f"--database-url must name an empty database; it has {len(existing)} tables")
            else:
                url = "sqlite:///" + os.path.join(tmp, f"houses-{households}.db")
            try:
                results.append(run_size(url, households, args))
            finally:
                if args.database_url:
                    drop_everything(url)
            print(f"  done: {households:,} houses", file=sys.stderr, flush=True)

    from sqlalchemy.engine import make_url

    backend = make_url(args.database_url).get_backend_name() if args.database_url else "sqlite (temporary file)"
    print(f"  database: {backend}")
    print()
    print("load_demo (what `flask pm demo --households N` runs), into a freshly migrated database:")
    print_table(
        ["households", "seconds", "houses/s", "communities", "buildings", "units", "houses", "parking",
         "DB size MB"],
        [[f"{r['households']:,}", f"{r['load_s']:.1f}", f"{r['made']['houses'] / r['load_s']:,.0f}",
          r["made"]["communities"], f"{r['made']['buildings']:,}", f"{r['made']['units']:,}",
          f"{r['made']['houses']:,}", f"{r['made']['parking']:,}",
          f"{r['db_mb']:.1f}" if "db_mb" in r else "-"] for r in results],
    )
    print()
    print(f"Houses list page, first page, admin; {args.requests} timed requests after {args.warmup} warm-up; "
          "every answer 200 with a house number:")
    rows = []
    for page in ("filtered", "unfiltered"):
        for r in results:
            m = r[page]
            label = (f"?_flt_0_building= {r['building']}, {r['building_houses']} houses" if page == "filtered"
                     else "no filter, all houses")
            rows.append([f"{r['houses']:,} houses, {label}", f"{m['median_ms']:.1f}", f"{m['min_ms']:.1f}",
                         f"{m['max_ms']:.1f}", f"{m['statements']:.0f}", f"{m['kb']:,.0f}"])
    print_table(["database, page", "median ms", "min ms", "max ms", "SQL statements/request", "HTML kB"], rows)
    print()
    small, large = results
    for page in ("filtered", "unfiltered"):
        ratio = large[page]["median_ms"] / small[page]["median_ms"]
        print(f"median ratio {large['houses']:,} / {small['houses']:,} houses, {page}: {ratio:.2f}")
    print(f"peak RSS of this process: {maxrss_mb():,.0f} MB")
    print(f"total wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
