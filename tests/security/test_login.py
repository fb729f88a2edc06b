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


# --- one lock per account, whatever identifier is typed; a limit per client address ----------------------

def _email(username: str) -> str:
    return f"{username}@pm.local"


def test_a_locked_account_cannot_log_in_by_its_email_either(app, client):
    user = role_user(SERVICE)
    for _ in range(5):
        login(client, user, "Wrong-Pass-0000")
    by_email = app.test_client()
    login(by_email, _email(user))  # the right password, typed with the e-mail address
    assert not _logged_in(by_email)
    assert "已锁定" in by_email.get("/login/").get_data(as_text=True)


def test_five_wrong_guesses_across_name_and_email_lock_the_account(app, client):
    user = role_user(SERVICE)
    for typed in (user, _email(user), user.upper(), _email(user).upper(), " " + user):
        login(client, typed, "Wrong-Pass-0000")
    with app.app_context():
        assert app.appbuilder.sm.is_locked(user) and app.appbuilder.sm.is_locked(_email(user))
        rows = db.session.scalars(select(LoginThrottle)).all()
        assert [(r.username, r.locked_until is not None) for r in rows] == [(user, True)]  # one counter
    fresh = app.test_client()
    login(fresh, user)
    assert not _logged_in(fresh)


def test_unknown_names_are_counted_by_the_name_typed(app, client):
    for _ in range(5):
        login(client, "nobody-here", "Wrong-Pass-0000")
    with app.app_context():
        assert app.appbuilder.sm.is_locked("Nobody-Here")
        assert not app.appbuilder.sm.is_locked(role_user(SERVICE))


def _from(app, address: str):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


@pytest.mark.moment("2026-12-03 10:00")
def test_the_address_limit_refuses_one_address_without_locking_the_accounts(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 3)
    service, admin_user = role_user(SERVICE), role_user(ADMIN)
    attacker = _from(app, "203.0.113.9")
    for _ in range(3):
        login(attacker, service, "Wrong-Pass-0000")
    for _ in range(10):  # a loop over the accounts, each more than five times
        for user in (service, admin_user):
            login(attacker, user, "Wrong-Pass-0000")
    html = attacker.get("/login/").get_data(as_text=True)
    assert "来自您网络地址的登录失败次数过多" in html and "10:15" in html
    login(attacker, service)  # the right password from that address: refused as well while the limit lasts
    assert not _logged_in(attacker)
    with app.app_context():
        assert not app.appbuilder.sm.is_locked(service) and not app.appbuilder.sm.is_locked(admin_user)
        assert db.session.scalar(select(LoginThrottle.failures).where(LoginThrottle.username == service)) == 3
    for user in (service, admin_user):  # from another address, the accounts are open
        office = _from(app, "198.51.100.20")
        login(office, user)
        assert _logged_in(office)


def test_the_address_limit_ends_with_its_window(app, monkeypatch):
    import time_machine

    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 2)
    with time_machine.travel(datetime(2026, 12, 3, 10, 0), tick=False):
        c = _from(app, "203.0.113.10")
        login(c, "someone", "x")
        login(c, "someone-else", "x")
        login(c, role_user(SERVICE))
        assert not _logged_in(c)
    with time_machine.travel(datetime(2026, 12, 3, 10, 16), tick=False):
        c = _from(app, "203.0.113.10")
        login(c, role_user(SERVICE))
        assert _logged_in(c)


def test_forwarded_for_counts_only_when_a_proxy_is_configured(app, monkeypatch):
    from app.security.throttle import client_address

    headers = {"X-Forwarded-For": "192.0.2.1, 198.51.100.7"}
    with app.test_request_context("/login/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}):
        assert client_address() == "10.0.0.2"  # a client cannot pick its own address
    monkeypatch.setitem(app.config, "LOGIN_PROXY_COUNT", 1)
    with app.test_request_context("/login/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}):
        assert client_address() == "198.51.100.7"  # the address the one trusted proxy saw
