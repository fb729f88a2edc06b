"""App-wide web behaviour: /health, security headers, Chinese error pages, Jinja filters."""
import logging

import prison

from flask import abort, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core import pdf
from app.core.ids import parse_id
from app.core.formatting import display_value, format_area, format_date, format_datetime, format_money
from app.extensions import csrf, db

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'self'; form-action 'self'"
    ),
}

ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("The file is too large"),
    500: _l("Internal server error"),
    503: _l("Service unavailable"),
}
ERROR_TEXTS = {
    400: _l("The request could not be understood. Please check what you entered and try again."),
    403: _l("Your role is not allowed to open this page."),
    404: _l("The page you asked for does not exist. It may have been moved or deleted."),
    405: _l("This page cannot be used that way."),
    413: _l("The file is too large to upload."),
    500: _l("Something went wrong on our side. The error has been logged; please try again or tell the administrator."),
    503: _l("The service is not available right now. Please try again later."),
}

NUL_MESSAGE = _l("The request contains a NUL character, which no field accepts. Remove it and try again.")


def database_state() -> tuple[bool, str]:
    try:
        db.session.execute(text("SELECT 1"))
        return True, "ok"
    except Exception as exc:  # any driver error means "down"
        db.session.rollback()
        log.error("database check failed: %s", exc)
        return False, "unavailable"


def health():
    ok, state = database_state()
    body = {
        "status": "ok" if ok else "error",
        "database": state,
        "backend": db.engine.url.get_backend_name(),
        "pdf": {**pdf.status(), "note": None},
    }
    if not body["pdf"]["harfbuzz_subset"]:
        body["pdf"]["note"] = "libharfbuzz-subset0 missing: each PDF takes seconds"
    elif not body["pdf"]["cjk_font"]:
        body["pdf"]["note"] = "Noto Sans CJK SC missing: Chinese prints as boxes"
    return jsonify(body), 200 if ok else 503


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _error_page(code: int, title=None, message=None):
    title = title or ERROR_TITLES.get(code, ERROR_TITLES[500])
    message = message or ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if _wants_json():
        return jsonify({"message": str(title), "detail": str(message)}), code
    if "user" not in g:  # an error before FAB's own before_request (a refused CSRF token): the menu needs the user
        g.user = current_user
    try:
        return render_template(
            "error.html", appbuilder=current_app.appbuilder, code=code, title=title, message=message
        ), code
    except Exception:  # the error page must never fail itself
        log.exception("error page failed")
        return f"<h1>{code} {title}</h1><p>{message}</p>", code


def _private(response) -> bool:
    """No copy kept by a browser or proxy: every answer to a logged-in user (pages, prints, exports, photos:
    any of them may hold personal data) and every API answer; static files are the only exception."""
    if request.path.startswith("/api/") or request.path == "/health":
        return True
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return False
    from flask_login import current_user

    try:
        return bool(current_user.is_authenticated)
    except Exception:  # no user could be loaded: nothing of a user's to protect
        return False


def html_lang() -> str:
    """The page's language for <html lang>: zh-CN unless the user chose English."""
    from flask_babel import get_locale

    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh-CN"


def init_app(app) -> None:
    app.json.ensure_ascii = False  # Chinese stays readable in API answers
    app.add_url_rule("/health", "health", health)

    @app.before_request
    def _api_query_must_parse():
        q = request.args.get("q") if request.path.startswith("/api/") else None
        if q:
            try:
                prison.loads(q)
            except Exception:  # any malformed Rison, including ones that recurse forever
                return jsonify({"message": str(_l("The query parameter q is not valid Rison."))}), 400

    @app.before_request
    def _list_paging_must_be_sane():
        for key, value in request.args.items():
            if key.startswith(("page_", "psize_")) and (not value.isdigit() or len(value) > 9):
                abort(400)

    @app.before_request
    def _no_nul_characters():
        # NUL is never typed by a user; PostgreSQL refuses it in text columns (a 500), so it is refused here
        # in every query argument, form field and path part (JSON bodies: app/core/api_guard.py)
        values = [*request.args.items(multi=True), *(request.view_args or {}).items()]
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.is_json:
            values += request.form.items(multi=True)
        if any("\x00" in key or (isinstance(value, str) and "\x00" in value) for key, value in values):
            return _error_page(400, message=NUL_MESSAGE)

    @app.before_request
    def _pk_must_be_a_record_number():
        pk = (request.view_args or {}).get("pk")
        if isinstance(pk, str) and parse_id(pk) is None:
            abort(404)

    csrf.exempt(health)

    @app.after_request
    def _headers(response):
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if _private(response):
            response.headers["Cache-Control"] = "no-store"
        return response

    logging.getLogger("flask_wtf.csrf").setLevel(logging.WARNING)  # its INFO line would repeat ours

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        log.warning("CSRF token refused on %s %s (user id %s): %s", request.method, request.path,
                    current_user.get_id(), exc.description)
        return _error_page(400, title=_l("This page has expired"), message=_l(
            "The page was open too long, or you logged out in another window. Reload the page and try again."
        ))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code in (301, 302, 303, 307, 308):
            return exc
        return _error_page(exc.code or 500)

    @app.errorhandler(Exception)
    def _any_error(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:
            pass
        return _error_page(500)

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["cn_date"] = format_date
    app.jinja_env.filters["cn_datetime"] = format_datetime
    app.jinja_env.filters["area"] = format_area
    app.jinja_env.filters["shown"] = display_value
    app.jinja_env.globals["html_lang"] = html_lang
