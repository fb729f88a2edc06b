"""Login hardening: lock after 5 failures for 15 minutes (in the database), password complexity everywhere."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.security.models import LoginThrottle
from app.security.passwords import generate_password, password_problem
from app.security.roles import ADMIN, SERVICE
from app.extensions import db
from tests.conftest import PASSWORD, login, role_user


def _logged_in(client) -> bool:
    return client.get("/houses/list/").status_code == 200


def test_five_failures_lock_the_account_even_with_the_right_password(app, client):
    user = role_user(SERVICE)
    for _ in range(4):
        login(client, user, "Wrong-Pass-0000")
    ok = app.test_client()
    login(ok, user)  # the 5th try is right: it gets in and resets the count
    assert _logged_in(ok)
    for _ in range(5):
        login(client, user, "Wrong-Pass-0000")
    html = client.get("/login/").get_data(as_text=True)
    assert "已锁定" in html
    fresh = app.test_client()
    login(fresh, user)  # right password, but locked
    assert not _logged_in(fresh)


def test_lock_lives_in_the_database_and_expires(app):
    user = role_user(SERVICE)
    with app.app_context():
        db.session.add(LoginThrottle(username=user, failures=0, locked_until=datetime.now() + timedelta(minutes=15)))
        db.session.commit()
    # a second app (another server process) sees the same lock
    from app import create_app

    other = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    c = other.test_client()
    login(c, user)
    assert not _logged_in(c)
    with app.app_context():
        row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.username == user))
        row.locked_until = datetime.now() - timedelta(seconds=1)
        db.session.commit()
    c2 = other.test_client()
    login(c2, user)
    assert _logged_in(c2)


def test_success_resets_the_failure_count(app, client):
    user = role_user(ADMIN)
    for _ in range(3):
        login(client, user, "nope")
    login(client, user)
    with app.app_context():
        row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.username == user))
        assert row.failures == 0 and row.locked_until is None


@pytest.mark.parametrize("pw", ["short1A!", "alllowercaseletters", "ALLUPPER12345", "1234567890123", ""])
def test_weak_passwords_are_refused(pw):
    assert password_problem(pw) is not None


def test_generated_passwords_are_strong():
    for _ in range(20):
        assert password_problem(generate_password()) is None


def test_user_form_refuses_weak_password(app, admin):
    from app.security import roles

    with app.app_context():
        role_id = app.appbuilder.sm.find_role(roles.SERVICE).id
    resp = admin.post("/users/add", data={
        "first_name": "张", "last_name": "三", "username": "zhangsan", "email": "zs@pm.local", "active": "y",
        "roles": str(role_id), "password": "abc", "conf_password": "abc",
    }, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "密码长度须为 10 至 128 位" in html
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="zhangsan") is None


def test_own_password_change_refuses_weak_password(app, login_as):
    c = login_as(SERVICE)
    resp = c.post("/resetmypassword/form", data={"password": "abc", "conf_password": "abc"}, follow_redirects=True)
    assert "密码长度须为 10 至 128 位" in resp.get_data(as_text=True)
    c2 = app.test_client()
    login(c2, role_user(SERVICE), PASSWORD)
    assert _logged_in(c2)
