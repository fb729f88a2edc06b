"""`flask pm ...` commands."""
import sqlite3

from sqlalchemy import func, select

from app.estate.models import Building, Community, House, ParkingSpace
from app.extensions import db
from app.security import roles


def test_init_twice_changes_nothing_and_keeps_admin(app, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setenv("PM_ADMIN_PASSWORD", "Admin-Pass-2026")
    first = runner.invoke(args=["pm", "init", "--admin-user", "boss"])
    assert first.exit_code == 0, first.output
    assert "Created user boss" in first.output
    second = runner.invoke(args=["pm", "init", "--admin-user", "boss"])
    assert second.exit_code == 0
    assert "exists" in second.output
    counts = lambda out: [line for line in out.splitlines() if "permissions" in line]  # noqa: E731
    assert counts(first.output) == counts(second.output)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="boss")
        assert [r.name for r in user.roles] == [roles.ADMIN]
        db.session.delete(user)
        db.session.commit()


def test_init_generates_and_prints_a_strong_admin_password_once(app, monkeypatch):
    monkeypatch.delenv("PM_ADMIN_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(args=["pm", "init", "--admin-user", "boss2"])
    assert result.exit_code == 0
    line = [x for x in result.output.splitlines() if "管理员密码" in x][0]
    password = line.rsplit(" ", 1)[1]
    client = app.test_client()
    client.post("/login/", data={"username": "boss2", "password": password})
    assert client.get("/houses/list/").status_code == 200
    again = app.test_cli_runner().invoke(args=["pm", "init", "--admin-user", "boss2"])
    assert "管理员密码" not in again.output
    with app.app_context():
        db.session.delete(app.appbuilder.sm.find_user(username="boss2"))
        db.session.commit()


def test_init_refuses_a_weak_admin_password(app, monkeypatch):
    monkeypatch.setenv("PM_ADMIN_PASSWORD", "admin")
    result = app.test_cli_runner().invoke(args=["pm", "init", "--admin-user", "weakling"])
    assert result.exit_code != 0 and "密码长度" in result.output
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="weakling") is None


def test_create_user_checks_role_and_password(app):
    runner = app.test_cli_runner()
    bad_role = runner.invoke(args=["pm", "create-user", "wang", "--role", "保安队长", "--password", "Strong-Pass-2026"])
    assert bad_role.exit_code != 0 and "没有这个角色" in bad_role.output
    weak = runner.invoke(args=["pm", "create-user", "wang", "--role", roles.SERVICE, "--password", "123"])
    assert weak.exit_code != 0 and "密码" in weak.output
    ok = runner.invoke(args=["pm", "create-user", "wang", "--role", roles.SERVICE, "--password", "Strong-Pass-2026"])
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(args=["pm", "create-user", "wang", "--role", roles.SERVICE, "--password", "Strong-Pass-2026"])
    assert dup.exit_code != 0 and "已存在" in dup.output
    with app.app_context():
        db.session.delete(app.appbuilder.sm.find_user(username="wang"))
        db.session.commit()


def test_demo_loads_a_realistic_estate(app):
    result = app.test_cli_runner().invoke(args=["pm", "demo", "--households", "150"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(House.id))) == 150
        assert db.session.scalar(select(func.count(Building.id))) >= 1
        assert db.session.scalar(select(func.count(ParkingSpace.id))) > 0
        names = db.session.scalars(select(Community.name)).all()
        areas = db.session.scalars(select(House.building_area)).all()
    assert all(n for n in names) and min(areas) > 0
    again = app.test_cli_runner().invoke(args=["pm", "demo", "--households", "150", "--if-empty"])
    assert "Already loaded: the demo estate" in again.output


def test_backup_copies_the_sqlite_database(app, tmp_path, estate):
    target = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["pm", "backup", str(target)])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert result.exit_code == 2 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(target)
    try:
        assert con.execute("select count(*) from estate_house").fetchone()[0] == len(estate["houses"])
    finally:
        con.close()
    again = app.test_cli_runner().invoke(args=["pm", "backup", str(target)])
    assert again.exit_code != 0  # never overwrites


def test_bill_previews_then_makes_the_bills_and_refuses_a_bad_period(app, fees):
    from app.billing.models import BillLine
    from tests.conftest import role_user

    runner = app.test_cli_runner()
    user = role_user(roles.CASHIER)
    result = runner.invoke(args=["pm", "bill", "2026-11", "--community", "C001", "--user", user])
    assert result.exit_code == 0 and "6 new bills" in result.output and "Nothing written" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BillLine)) == 0
    result = runner.invoke(args=["pm", "bill", "2026-11", "--community", "C001", "--user", user, "--commit"])
    assert result.exit_code == 0 and "6 bills, 1201.65 yuan" in result.output, result.output
    result = runner.invoke(args=["pm", "bill", "2026-13", "--community", "C001", "--user", user, "--commit"])
    assert result.exit_code != 0 and "不是有效的账期" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BillLine)) == 6
