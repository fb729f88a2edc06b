"""/health, security headers, cookies, Chinese error pages."""
from app import create_app


def test_health_reports_database_and_pdf(client):
    resp = client.get("/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert set(body["pdf"]) >= {"harfbuzz_subset", "cjk_font"}


def test_health_is_503_when_the_database_is_broken(tmp_path):
    broken = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    resp = broken.test_client().get("/health")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "error" and body["database"] == "unavailable"
    assert "Traceback" not in resp.get_data(as_text=True)


def test_security_headers_on_pages(client):
    resp = client.get("/login/")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(app, client):
    from tests.conftest import PASSWORD, role_user
    from app.security.roles import ADMIN

    resp = client.post("/login/", data={"username": role_user(ADMIN), "password": PASSWORD})
    cookies = [v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session=")]
    assert cookies and all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)


def test_not_found_page_is_chinese(admin):
    resp = admin.get("/no/such/page")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert "页面不存在" in html and "返回首页" in html


def test_api_not_found_is_json(admin):
    resp = admin.get("/api/v1/no-such-thing/")
    assert resp.status_code == 404 and resp.is_json


def test_unexpected_error_gives_chinese_500_page_without_trace(app):
    app2 = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    app2.config["PROPAGATE_EXCEPTIONS"] = False

    @app2.route("/boom")
    def boom():
        raise RuntimeError("secret detail")

    resp = app2.test_client().get("/boom")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "系统内部错误" in html and "secret detail" not in html and "Traceback" not in html


def test_api_is_documented_in_openapi(admin):
    resp = admin.get("/api/v1/_openapi")
    assert resp.status_code == 200
    paths = resp.get_json()["paths"]
    for resource in ("community", "building", "unit", "house", "parking_space"):
        assert f"/api/v1/{resource}/" in paths


def test_plain_postgresql_urls_use_psycopg_3():
    from config import database_url

    assert database_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_refused_csrf_token_of_a_logged_in_user_gives_a_chinese_page_and_one_log_line(app, login_as, monkeypatch,
                                                                                        caplog):
    import logging

    from app.security.roles import ADMIN

    c = login_as(ADMIN)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    caplog.set_level(logging.INFO)
    caplog.clear()
    resp = c.post("/resetmypassword/form", data={"password": "Abc-12345678", "conf_password": "Abc-12345678"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "页面已过期" in html and "请刷新页面后重试" in html
    assert 'class="navbar' in html  # the full page with its menu, not the bare fallback
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "CSRF" in caplog.records[0].getMessage() and caplog.records[0].exc_info is None
