"""Files that hold personal data (the SQLite database, its backups, uploaded photos, printed batches) are
readable by the service's user only: folders 0700, files 0600, whatever the process's umask.

Folders and files are made so at creation; one already there that belongs to this user is tightened, so
that an installation made before keeps no world-readable copy.
"""
import os

from sqlalchemy.engine import make_url

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def _tighten(path: str, mode: int) -> None:
    try:
        info = os.stat(path)
        if info.st_uid == os.getuid() and info.st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:  # not ours to change, or gone: leave it
        pass


def private_dir(path: str) -> str:
    """Make `path` (and missing parents) a folder only this user may enter."""
    os.makedirs(path, mode=PRIVATE_DIR, exist_ok=True)
    _tighten(path, PRIVATE_DIR)
    return path


def private_file(path: str, exclusive: bool = False):
    """Open `path` for writing in binary, created 0600 (an existing file is truncated and tightened);
    `exclusive`: fail if it exists."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except OSError:  # not ours: its owner decides
        pass
    return os.fdopen(fd, "wb")


def sqlite_path(url) -> str | None:
    """The file of a SQLite database URL; None for another database or one in memory."""
    try:
        parsed = make_url(url) if url else None
    except Exception:
        return None
    if parsed is None or parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database)


def private_sqlite(url) -> None:
    """A SQLite database file made private before SQLite creates it (SQLite gives its journal and WAL files the
    database file's permissions)."""
    path = sqlite_path(url)
    if path is None:
        return
    if not os.path.isdir(os.path.dirname(path)):  # SQLite will say it cannot open it; nothing to protect
        return
    if not os.path.exists(path):
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        except FileExistsError:
            pass
    _tighten(path, PRIVATE_FILE)
    for suffix in ("-journal", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            _tighten(path + suffix, PRIVATE_FILE)
