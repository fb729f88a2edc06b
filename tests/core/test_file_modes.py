"""The database, its backups and the instance folder are readable by the service's user only (0600 / 0700)."""
import os
import sqlite3
import stat

import pytest
from sqlalchemy import text

from app import create_app


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The usual umask of a service account (022): what made pm.db 0644 before."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_instance_folder_and_database_are_private(tmp_path, monkeypatch, open_umask):
    instance = tmp_path / "instance"
    monkeypatch.setenv("PM_INSTANCE_DIR", str(instance))
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance}/pm.db")
    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        db.engine.dispose()
    assert app.instance_path == str(instance)
    assert _mode(instance) == 0o700
    assert _mode(instance / "pm.db") == 0o600
    assert not any(_mode(p) & 0o077 for p in instance.iterdir())


def test_an_existing_world_readable_database_is_tightened(tmp_path, monkeypatch, open_umask):
    db_file = tmp_path / "old.db"
    sqlite3.connect(db_file).close()
    os.chmod(db_file, 0o644)
    monkeypatch.setenv("PM_INSTANCE_DIR", str(tmp_path / "inst"))
    create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_file}")
    assert _mode(db_file) == 0o600


def test_a_backup_is_private(app, tmp_path, estate, open_umask):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL is backed up with pg_dump")
    target = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["pm", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o600
    con = sqlite3.connect(target)
    try:
        assert con.execute("select count(*) from estate_house").fetchone()[0] == len(estate["houses"])
    finally:
        con.close()
