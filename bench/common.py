"""Helpers shared by the benchmarks: an app on a throwaway database, memory figures, tables."""
import json
import logging
import os
import resource


def make_app(database_url: str):
    """The back office on `database_url`, configured as the tests configure it (no CSRF)."""
    from app import create_app

    return create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url)


def upgrade_quietly() -> None:
    """`flask db upgrade` in the current app context, without Alembic's INFO lines."""
    import flask_migrate

    logging.disable(logging.INFO)
    try:
        flask_migrate.upgrade()
    finally:
        logging.disable(logging.NOTSET)


def proc_memory_mb() -> dict:
    """This process's resident memory now ("VmRSS") and at its peak ("VmHWM"), in MB (Linux).

    Unlike ru_maxrss, a forked child's VmHWM starts from the child's own RSS, not the parent's peak.
    """
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024  # kB
    return out


def maxrss_mb(who=resource.RUSAGE_SELF) -> float:
    """Peak resident memory (ru_maxrss is in kB on Linux), in MB."""
    return resource.getrusage(who).ru_maxrss / 1024


def print_table(headers: list[str], rows: list[list]) -> None:
    """A plain, aligned text table: the first column left, the figures right."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        line = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]
        print("  ".join(line).rstrip())


def database_size_mb() -> float | None:
    """Size of the current app's database in MB (SQLite file or PostgreSQL database)."""
    import os

    from sqlalchemy import text

    from app.extensions import db

    backend = db.engine.url.get_backend_name()
    if backend == "sqlite":
        return os.path.getsize(db.engine.url.database) / 2**20
    if backend == "postgresql":
        return db.session.scalar(text("SELECT pg_database_size(current_database())")) / 2**20
    return None


def in_child(work) -> dict:
    """Run work() -> dict in a forked child; return its dict plus the child's RSS at its start.

    The child shares this process's memory copy-on-write; its RSS counts the pages it touches.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller, never run its clean-up
        status = 0
        try:
            os.close(read_end)
            start_rss = proc_memory_mb()["VmRSS"]
            result = work()
            result["start_rss_mb"] = start_rss
        except BaseException as exc:  # report anything back to the parent
            result, status = {"error": f"{type(exc).__name__}: {exc}"}, 1
        with os.fdopen(write_end, "w") as fh:
            json.dump(result, fh)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as fh:
        payload = fh.read()
    os.waitpid(pid, 0)
    result = json.loads(payload or '{"error": "the child died without an answer"}')
    if "error" in result:
        raise RuntimeError(result["error"])
    return result
