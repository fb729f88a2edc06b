"""Configuration of the back office. Environment variables override the defaults."""
import os

from flask_appbuilder.const import AUTH_DB

from app.security.passwords import check_password_complexity

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.environ.get("PM_INSTANCE_DIR", os.path.join(BASE_DIR, "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in instance/ (made once)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    os.makedirs(INSTANCE_DIR, mode=0o700, exist_ok=True)  # the service's user only (app.core.files)
    path = os.path.join(INSTANCE_DIR, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(os.urandom(32).hex())
    with open(path) as fh:
        return fh.read().strip()


def database_url(url: str | None) -> str | None:
    """postgres:// and postgresql:// mean psycopg 3 here (the driver the project installs)."""
    if url:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL")) or "sqlite:///" + os.path.join(
        INSTANCE_DIR, "pm.db"
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    APP_NAME = "物业管理处"
    APP_THEME = ""
    FAB_BASE_TEMPLATE = "pm_base.html"
    FAB_INDEX_VIEW = "app.dashboard.views.HomeView"
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.PMSecurityManager"
    # Permissions are written by `flask pm init`, never by a serving process.
    FAB_UPDATE_PERMS = False
    FAB_CREATE_DB = False
    FAB_API_SWAGGER_UI = True
    FAB_ADD_SECURITY_API = False  # FAB's user/role APIs; its token login is left out too (app.security.manager)

    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "管理员"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(check_password_complexity)
    # login hardening (app/security/throttle.py): an account is locked after LOGIN_MAX_FAILURES failures, for
    # LOGIN_LOCK_MINUTES; an address with LOGIN_ADDRESS_MAX_FAILURES failures within LOGIN_ADDRESS_WINDOW_MINUTES
    # is refused until its window ends. LOGIN_PROXY_COUNT: trusted proxies in front (0: use the peer address;
    # n: the n-th address from the right of X-Forwarded-For).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("LOGIN_ADDRESS_MAX_FAILURES") or 30)
    LOGIN_ADDRESS_WINDOW_MINUTES = int(os.environ.get("LOGIN_ADDRESS_WINDOW_MINUTES") or 15)
    LOGIN_PROXY_COUNT = int(os.environ.get("LOGIN_PROXY_COUNT") or 0)

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "简体中文"},
        "en": {"flag": "gb", "name": "English"},
    }

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    # 费用收缴: how many months ahead bills may be made; whether a committed run settles new bills from pre-paid
    # balances; the "how to pay" text of the 缴费通知单 (empty: a general text in the user's language)
    BILLING_MAX_FUTURE_MONTHS = int(os.environ.get("BILLING_MAX_FUTURE_MONTHS") or 3)
    BILLING_AUTO_SETTLE = (os.environ.get("BILLING_AUTO_SETTLE") or "1").strip().lower() not in ("0", "false", "no")
    BILLING_NOTICE_PAYMENT_NOTE = os.environ.get("BILLING_NOTICE_PAYMENT_NOTE") or None
    # 抄表: a house meter's usage beyond this multiple of its average is held for review before billing
    METER_JUMP_MULTIPLE = float(os.environ.get("METER_JUMP_MULTIPLE") or 3)

    # every date of a form or the API: not before DATE_EARLIEST, not more than DATE_MAX_YEARS_AHEAD years from today
    DATE_EARLIEST = os.environ.get("DATE_EARLIEST") or "1900-01-01"
    DATE_MAX_YEARS_AHEAD = int(os.environ.get("DATE_MAX_YEARS_AHEAD") or 10)

    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # uploads (Excel imports) above this get the Chinese 413 page
    PM_PRINT_TEMPLATE_FOLDER = os.path.join(BASE_DIR, "templates", "print")


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("TEST_DATABASE_URL", os.environ.get("DATABASE_URL", "sqlite://"))
    )
