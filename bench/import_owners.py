"""Benchmark: importing 10,000 owner rows (houses, owners and ownership) from one Excel file.

A fresh database migrated to head, with one community. A file of N rows is made with openpyxl as the import
template lays it out (小区, 楼栋 "8号楼", 10 单元, one owner per house with a valid 身份证 and 手机). Then, in
one app context as the import page does it:

1. read + check only (app.estate.importing.check_file): nothing written;
2. the import itself (import_owners: read, check every row, write in one transaction, commit);
3. a second file of N rows into the same units (which now have houses: the database's duplicate check runs for
   each row) whose owners are the first file's (found by 证件号, not created again).

    python bench/import_owners.py [--rows 10000] [--database-url postgresql+psycopg://...]

Without --database-url the database is a SQLite file in a temporary folder, removed at the end. With it, the
database must be empty; it is filled, then emptied again. Figures are printed, never asserted.
"""
import argparse
import io
import os
import platform
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.common import database_size_mb, make_app, maxrss_mb, print_table, upgrade_quietly  # noqa: E402
from bench.scale import StatementCounter, drop_everything, table_names  # noqa: E402

COMMUNITY = "翠湖花园"


def make_file(rows: int, floor_offset: int = 0) -> bytes:
    """`rows` houses of building 8 (10 units, 20 a floor), each with its own owner; floor_offset moves them up."""
    from openpyxl import Workbook

    from app.core.validators import resident_id_check_char
    from app.estate import importing

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(importing.headers())
    born = date(1950, 1, 1)
    usage, status, kind, id_type = (importing.choices_of(f)[i] for f, i in
                                    (("usage", 0), ("status", 2), ("owner_kind", 0), ("id_type", 0)))
    for i in range(rows):
        unit, room = i % 10 + 1, i // 10
        floor = room // 20 + 1 + floor_offset
        body = f"330106{born + timedelta(days=i):%Y%m%d}{i % 1000:03d}"
        ws.append([COMMUNITY, "8号楼", f"{unit}单元", f"{floor:02d}{room % 20 + 1:02d}", floor, Decimal("89.50"),
                   Decimal("70.12"), "两室一厅", usage, status, f"业主{i}", kind, id_type,
                   body + resident_id_check_char(body), f"139{i:08d}", f"联系人{i} 138{i:08d}", None, None,
                   date(2024, 1, 1) + timedelta(days=i % 365), None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(url: str, rows: int) -> dict:
    from sqlalchemy import func, select

    from app.core.audit import set_cli_actor
    from app.estate import importing
    from app.estate.models import Community, House, Owner, Ownership
    from app.extensions import db

    app = make_app(url)
    out = {"rows": rows}
    with app.app_context():
        upgrade_quietly()
        db.session.add(Community(name=COMMUNITY, code="C001"))
        db.session.commit()
        counter = StatementCounter(db.engine)
    with app.test_request_context():
        set_cli_actor("bench")
        start = time.perf_counter()
        first = make_file(rows)
        second = make_file(rows, floor_offset=rows // 200 + 1)
        out["make_s"] = time.perf_counter() - start
        out["file_kb"] = len(first) / 1024

        counter.count = 0
        start = time.perf_counter()
        records, checker = importing.check_file(first)
        out["check_s"] = time.perf_counter() - start
        out["check_sql"] = counter.count
        assert not checker.error_list(), checker.error_list()[:3]
        db.session.rollback()

        for name, data in (("import", first), ("again", second)):
            counter.count = 0
            start = time.perf_counter()
            result = importing.import_owners(data, f"{name}.xlsx")
            out[f"{name}_s"] = time.perf_counter() - start
            out[f"{name}_sql"] = counter.count
            if result.errors:
                raise SystemExit(f"{name}: the import was refused: {result.errors[:3]}")
            out[name] = result
        out["houses"] = db.session.scalar(select(func.count(House.id)))
        out["owners"] = db.session.scalar(select(func.count(Owner.id)))
        out["ownerships"] = db.session.scalar(select(func.count(Ownership.id)))
        out["db_mb"] = database_size_mb()
        set_cli_actor(None)
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of each file")
    parser.add_argument("--database-url", help="run on this (empty) database instead of a temporary SQLite file")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    print("Owner import benchmark (bench/import_owners.py)")
    print(f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="pm-bench-import-") as tmp:
        if args.database_url:
            url = args.database_url
            existing = table_names(url)
            if existing:
                raise SystemExit(f"--database-url must name an empty database; it has {len(existing)} tables")
        else:
            url = "sqlite:///" + os.path.join(tmp, "import.db")
        try:
            r = run(url, args.rows)
        finally:
            if args.database_url:
                drop_everything(url)

    from sqlalchemy.engine import make_url

    print(f"  database: {make_url(url).get_backend_name() if args.database_url else 'sqlite (temporary file)'}")
    print(f"  file: {r['rows']:,} rows, {r['file_kb']:,.0f} kB (made in {r['make_s']:.1f} s, not counted)")
    print()
    first, again = r["import"], r["again"]
    print_table(
        ["step", "seconds", "rows/s", "SQL statements", "houses", "owners new", "ownerships"],
        [
            ["read + check only (nothing written)", f"{r['check_s']:.2f}", f"{r['rows'] / r['check_s']:,.0f}",
             f"{r['check_sql']:,}", "-", "-", "-"],
            ["import: read + check + write + commit", f"{r['import_s']:.2f}", f"{r['rows'] / r['import_s']:,.0f}",
             f"{r['import_sql']:,}", f"{first.houses:,}", f"{first.owners:,}", f"{first.ownerships:,}"],
            ["again, same units and owners on file", f"{r['again_s']:.2f}", f"{r['rows'] / r['again_s']:,.0f}",
             f"{r['again_sql']:,}", f"{again.houses:,}", f"{again.owners:,}", f"{again.ownerships:,}"],
        ],
    )
    print()
    print(f"database now: {r['houses']:,} houses, {r['owners']:,} owners, {r['ownerships']:,} ownerships"
          + (f", {r['db_mb']:.1f} MB" if "db_mb" in r else ""))
    print(f"peak RSS of this process: {maxrss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
