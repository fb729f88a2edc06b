"""Household search at 100,000 owners: median time of the front desk's search by pinyin.

Usage: python bench/search.py [--households 105000] [--database-url URL]
Loads the demo estate (owners, residents, tenants) into a throwaway database, then times
app.estate.services.search_households for full pinyin, initials, a phone tail and a name,
20 runs each after 3 warm-ups. Each query must find at least one household, so the figure is real.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))
os.environ.setdefault("PM_SKIP_PDF_CHECK", "1")

from bench.common import make_app, print_table, upgrade_quietly  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=105_000)
    parser.add_argument("--database-url", default=None, help="an EMPTY database (default: a temporary SQLite file)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="pm-bench-search-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    try:
        run(url, args.households)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(url: str, households: int) -> None:
    from sqlalchemy import func, select

    from app.estate.demo import load_demo
    from app.estate.models import Owner, Resident
    from app.estate.services import search_households
    from app.extensions import db

    app = make_app(url)
    print("Household search benchmark (bench/search.py)")
    print(f"  database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
    with app.app_context():
        upgrade_quietly()
        start = time.perf_counter()
        load_demo(households)
        load_s = time.perf_counter() - start
        owners = db.session.scalar(select(func.count(Owner.id)))
        residents = db.session.scalar(select(func.count(Resident.id)))
        print(f"  demo load: {households:,} households, {owners:,} owners, {residents:,} residents in {load_s:.1f} s")
        sample = db.session.execute(select(Owner.name, Owner.name_pinyin, Owner.name_initials, Owner.phone_tail)
                                    .order_by(Owner.id).offset(owners // 2).limit(1)).one()
        queries = [
            ("full pinyin", sample.name_pinyin),
            ("initials", sample.name_initials),
            ("pinyin prefix (surname)", sample.name_pinyin[:4]),
            ("phone, last 4 digits", sample.phone_tail),
            ("Chinese name", sample.name),
        ]
        rows = []
        with app.test_request_context():
            for label, query in queries:
                for _ in range(3):
                    found = search_households(query)
                times = []
                for _ in range(20):
                    t = time.perf_counter()
                    found = search_households(query)
                    times.append((time.perf_counter() - t) * 1000)
                    db.session.rollback()
                assert found, f"{label}: {query!r} found nothing"
                rows.append([f"{label} ({query})", f"{statistics.median(times):.1f}", f"{min(times):.1f}",
                             f"{max(times):.1f}", len(found)])
        print()
        print_table(["query", "median ms", "min ms", "max ms", "households found (≤ 50)"], rows)
        if url.startswith("postgresql"):
            from flask_appbuilder import Model

            Model.metadata.drop_all(db.engine)
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()


if __name__ == "__main__":
    main()
