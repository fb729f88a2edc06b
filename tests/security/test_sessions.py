"""Sessions end when they should: a copy of the session cookie taken before a logout, a password change, an
admin's reset or a deactivation is refused afterwards, here and by a second server process; no token login."""
import http.client
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete

from app.extensions import db
from app.security.models import SessionVersion
from app.security.roles import ADMIN, SERVICE
from tests.conftest import PASSWORD, login

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
NEW_PASSWORD = "New-Pass-2026x"
ENDED = "您的登录已失效"


@pytest.fixture
def spare(app):
    """A 客服 login of its own (its password and state are changed by the tests)."""
    from app.security.services import create_user

    with app.app_context():
        user = create_user(app.appbuilder, "sess_user", PASSWORD, [SERVICE], first_name="会话")
        user_id = user.id
    yield {"username": "sess_user", "id": user_id, "email": "sess_user@pm.local"}
    with app.app_context():
        sm = app.appbuilder.sm
        db.session.execute(delete(SessionVersion).where(SessionVersion.user_id == user_id))
        user = sm.get_user_by_id(user_id)
        user.roles = []
        db.session.delete(user)
        db.session.commit()


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _client_with(app, cookie: str):
    c = app.test_client()
    c.set_cookie("session", cookie)
    return c


def _opens(client) -> bool:
    return client.get("/houses/list/").status_code == 200


def _logged_in(app, username, password=PASSWORD):
    c = app.test_client()
    assert login(c, username, password).status_code == 302
    assert _opens(c)
    return c


def _assert_refused(app, cookie: str):
    c = _client_with(app, cookie)
    resp = c.get("/houses/list/")
    assert resp.status_code == 302 and "/login/" in resp.headers["Location"]
    assert ENDED in c.get("/login/").get_data(as_text=True)  # said on the login page, in Chinese
    assert not _opens(c)
    api = _client_with(app, cookie).get("/api/v1/house/")
    assert api.status_code == 401 and ENDED in api.get_json()["message"]


def test_a_cookie_copied_before_logout_is_refused_afterwards(app, spare):
    c = _logged_in(app, spare["username"])
    copied = _session_cookie(c)
    assert _opens(_client_with(app, copied))  # the copy works while the login lasts
    c.get("/logout/")
    _assert_refused(app, copied)
    assert _opens(_logged_in(app, spare["username"]))  # logging in again works


def test_a_cookie_copied_before_a_password_change_is_refused_afterwards(app, spare):
    c = _logged_in(app, spare["username"])
    copied = _session_cookie(c)
    resp = c.post("/resetmypassword/form", data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert resp.status_code == 302
    assert _opens(c)  # the session that changed the password goes on
    _assert_refused(app, copied)
    _logged_in(app, spare["username"], NEW_PASSWORD)


def test_a_cookie_copied_before_an_admins_reset_is_refused_afterwards(app, spare, admin):
    c = _logged_in(app, spare["username"])
    copied = _session_cookie(c)
    resp = admin.post(f"/resetpassword/form?pk={spare['id']}",
                      data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert resp.status_code == 302
    _assert_refused(app, copied)
    assert not _opens(c)
    assert _opens(admin)  # the admin's own session is untouched


def test_a_cookie_copied_before_a_deactivation_is_refused_even_after_reactivation(app, spare, admin):
    c = _logged_in(app, spare["username"])
    copied = _session_cookie(c)
    with app.app_context():
        role_id = app.appbuilder.sm.find_role(SERVICE).id
    form = {"first_name": "会话", "last_name": "测试", "username": spare["username"], "email": spare["email"],
            "roles": str(role_id)}
    resp = admin.post(f"/users/edit/{spare['id']}", data=form)  # 是否启用 unchecked
    assert resp.status_code == 302
    with app.app_context():
        assert app.appbuilder.sm.get_user_by_id(spare["id"]).active is False
    _assert_refused(app, copied)
    assert admin.post(f"/users/edit/{spare['id']}", data={**form, "active": "y"}).status_code == 302
    _assert_refused(app, copied)  # active again: the old sessions stay ended
    _logged_in(app, spare["username"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, cookie: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Cookie": f"session={cookie}"} if cookie else {})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status, resp.getheader("Location") or ""


@pytest.fixture
def second_process(app):
    """`python run.py` on a free loopback port, on the same database and secret key as the test app."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": app.config["SECRET_KEY"],
           "HOST": "127.0.0.1", "PORT": str(port), "THREADS": "2", "PM_SKIP_PDF_CHECK": "1"}
    if "FAKETIME" in env:
        # Under Debian's faketime each process starts at the given moment anew; this one starts a second ahead of
        # ours (a cookie signed later than the server's "now" would be refused).
        env["FAKETIME"] = "@" + (datetime.now() + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    proc = subprocess.Popen([sys.executable, "run.py"], cwd=BASE_DIR, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(port, "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, "the second server process ended"
            assert time.monotonic() < deadline, "the second server process did not start"
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_logout_ends_the_session_in_another_server_process(app, spare, second_process):
    c = _logged_in(app, spare["username"])
    copied = _session_cookie(c)
    assert _get(second_process, "/houses/list/", copied)[0] == 200  # the other process honours the login
    c.get("/logout/")
    status, location = _get(second_process, "/houses/list/", copied)
    assert status == 302 and "/login/" in location


# --- no token login, no bearer token ---------------------------------------------------------------------

def test_the_token_login_api_does_not_answer(app, client):
    from tests.conftest import role_user

    resp = client.post("/api/v1/security/login", json={"username": role_user(ADMIN), "password": PASSWORD,
                                                        "provider": "db", "refresh": True})
    assert resp.status_code in (401, 404, 405)
    assert "access_token" not in resp.get_data(as_text=True)
    resp = client.post("/api/v1/security/refresh")
    assert resp.status_code in (401, 404, 405)


def test_a_bearer_token_opens_no_api(app, admin):
    from flask_jwt_extended import create_access_token

    from tests.conftest import role_user

    with app.test_request_context():
        user_id = app.appbuilder.sm.find_user(username=role_user(ADMIN)).id
        token = create_access_token(identity=str(user_id), fresh=True)  # as FAB's login would make it
    resp = app.test_client().get("/api/v1/owner/", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert "result" not in (resp.get_json() or {})
    assert admin.get("/api/v1/owner/").status_code == 200  # the pages' session cookie still opens the API
