"""What the fuzz test (tests/security/test_fuzz.py) needs: the hostile values, a recorder of the writes a
request commits, a parser of a page's forms and links, and the targets found in the app itself (its
ModelViews, its other routes, its REST APIs), so that areas to come are fuzzed without a list kept here."""
import json
import logging
import re
import traceback
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import event
from werkzeug.datastructures import MultiDict

HUGE = "9" * 23  # > 2^63: no integer column holds it
MISSING = "999999999"  # an id of the right size that names no record
NUL = "a\x00b"
DATE_LOW = "0001-01-01"
DATE_HIGH = "9999-12-31"
BIG_NUMBER = "1" + "0" * 30
FORMULA = '=HYPERLINK("http://evil.example/","点我")'
DEEP_JSON = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
NON_OBJECTS = ["null", "[]", '"x"', "1"]

# Tables a refused request may still write: the audit trail of the attempt, the login throttle.
IGNORED_TABLES = {"pm_audit_log", "pm_login_throttle"}

# FAB's own routes of a ModelView: fuzzed through the add/edit forms (and path ids), not as custom forms.
CRUD_METHODS = {"add", "edit", "delete", "action", "action_post", "list", "show", "download", "export_xlsx"}
# Never followed nor posted: leaving the session, changing the language, static files, the API docs.
SKIPPED_ENDPOINT_PARTS = ("logout", "LocaleView", "static", "SwaggerView", "OpenApi", "UtilView", "MenuApi",
                          "SecurityApi", "AuthDBView", "UserStatsChartView")


# --- writes ------------------------------------------------------------------------------------------------

_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)", re.IGNORECASE)


class WriteRecorder:
    """The INSERT/UPDATE/DELETE statements that changed rows and were committed, with their parameters."""

    def __init__(self, engine):
        self.engine = engine
        self.pending: list[tuple[str, str, object]] = []
        self.committed: list[tuple[str, str, object]] = []

    def __enter__(self):
        event.listen(self.engine, "after_cursor_execute", self._executed)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "after_cursor_execute", self._executed)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def _executed(self, conn, cursor, statement, parameters, context, executemany):
        m = _WRITE.match(statement)
        if m and (executemany or cursor.rowcount != 0):
            self.pending.append((m.group(2).lower(), statement, parameters))

    def _commit(self, conn):
        self.committed.extend(self.pending)
        self.pending = []

    def _rollback(self, conn):
        self.pending = []

    def take(self) -> list[tuple[str, str, object]]:
        """The writes committed since the last take(), those to ignored tables left out."""
        done, self.committed = self.committed, []
        return [w for w in done if w[0] not in IGNORED_TABLES]


def params_hold(writes, value: str) -> bool:
    """Whether one of the writes stored `value` exactly as it was typed."""

    def values(params):
        if isinstance(params, dict):
            return list(params.values())
        if isinstance(params, (list, tuple)):
            out = []
            for p in params:
                out.extend(values(p) if isinstance(p, (list, tuple, dict)) else [p])
            return out
        return [params]

    return any(v == value for _t, _s, p in writes for v in values(p))


def params_store(writes, value: str, inside=False) -> bool:
    """Whether one of the writes stored `value`: as typed (`inside`: also inside a longer text), or as the
    date or number it reads as (a driver may bind a date or a Decimal)."""
    from decimal import Decimal, InvalidOperation

    def values(params):
        if isinstance(params, dict):
            params = list(params.values())
        if isinstance(params, (list, tuple)):
            out = []
            for p in params:
                out.extend(values(p))
            return out
        return [params]

    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    for _t, _s, params in writes:
        for v in values(params):
            if isinstance(v, str) and (value in v if inside else v.strip() == value):
                return True
            if hasattr(v, "isoformat") and v.isoformat().startswith(value):
                return True
            if number is not None and isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) \
                    and Decimal(str(v)) == number:
                return True
    return False


# --- requests ----------------------------------------------------------------------------------------------

@dataclass
class Finding:
    kind: str  # "5xx" | "write" | "formula"
    method: str
    url: str
    what: str  # the hostile part: "field=value" or the body
    detail: str

    def __str__(self):
        return f"{self.kind}: {self.method} {self.url} [{self.what}] -> {self.detail}"


def _app_frame(exc) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/app/" in f.filename]
    where = f" at {frames[-1].filename.split('/app/')[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}{where}"


class ErrorCatcher(logging.Handler):
    """The exceptions the app logged (its error page and FAB's "Fatal error" log them, then answer 500)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.errors: list[BaseException] = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append(record.exc_info[1])


@dataclass
class Fuzzer:
    """Sends a request, then checks: no 5xx (TESTING propagates the exception: that is a 5xx too) and, when
    the value must be refused, nothing committed."""

    app: object
    recorder: WriteRecorder
    findings: list = field(default_factory=list)
    requests: int = 0
    catcher: ErrorCatcher = field(default_factory=ErrorCatcher)
    sent: list = field(default_factory=list)
    seconds: float = 0.0

    def send(self, client, method, url, what, must_refuse=True, formula=None, refused_value=None, **kwargs):
        """`must_refuse`: nothing may be written; with `refused_value` instead, that value may not be stored
        (a form whose other fields are sound may save them, when the hostile field is one it ignores)."""
        from app.extensions import db

        self.recorder.take()
        self.catcher.errors = []
        self.requests += 1
        self.sent.append((method, url, what))
        for key in ("data", "query_string"):
            if isinstance(kwargs.get(key), list):
                kwargs[key] = MultiDict(kwargs[key])
        started = time.perf_counter()
        try:
            resp = client.open(url, method=method, **kwargs)
            status, error = resp.status_code, None
        except Exception as exc:  # noqa: BLE001 - the app raised: the user would have had a 500
            status, error, resp = 500, _app_frame(exc), None
            with self.app.app_context():
                db.session.rollback()
        self.seconds += time.perf_counter() - started
        writes = self.recorder.take()
        if status >= 500:
            if error is None and self.catcher.errors:
                error = _app_frame(self.catcher.errors[-1])
            body = error or " ".join(resp.get_data(as_text=True)[:200].split())
            self.findings.append(Finding("5xx", method, url, what, f"{status} {body}"))
        elif writes and (refused_value is not None and params_store(writes, refused_value)
                         or refused_value is None and must_refuse):
            tables = sorted({w[0] for w in writes})
            stored = f" ({writes[0][1][:80]} {str(writes[0][2])[:200]})" if refused_value is not None else ""
            self.findings.append(Finding("write", method, url, what, f"{status}, wrote {', '.join(tables)}{stored}"))
        elif writes and formula is not None and not params_store(writes, formula, inside=True):
            self.findings.append(Finding("formula", method, url, what, f"{status}, stored altered"))
        return resp


def short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\x00", "\\0").replace("\n", "\\n")
    return text if len(text) <= 40 else text[:20] + f"…({len(text)} chars)"


# --- pages -------------------------------------------------------------------------------------------------

@dataclass
class FormField:
    name: str
    tag: str  # input | select | textarea
    type: str  # input type, "select", "textarea"
    value: str = ""
    options: list = field(default_factory=list)
    selected: list = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: list = field(default_factory=list)


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form((a.get("method") or "get").lower(), a.get("action") or "")
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            value = a.get("value") or ""
            if kind in ("checkbox", "radio"):
                value = value or "on"
                if "checked" not in a:
                    # an unchecked box sends nothing; keep the name known with its value as an option
                    self._form.fields.append(FormField(a["name"], tag, kind, "", options=[value]))
                    return
            self._form.fields.append(FormField(a["name"], tag, kind, value))
        elif tag == "select":
            self._select = FormField(a["name"], tag, "select", multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._select.options.append(value)
            if "selected" in a:
                self._select.selected.append(value)
        elif tag == "textarea":
            self._textarea = FormField(a["name"], tag, "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def baseline(fields) -> list[tuple[str, str]]:
    """What the form sends as it stands: every field's value, a select's chosen options (else its first)."""
    data = []
    for f in fields:
        if f.type in ("checkbox", "radio") and not f.value:
            continue
        if f.type == "select":
            chosen = f.selected or ([] if f.multiple else [next((o for o in f.options if o), "")])
            data.extend((f.name, v) for v in chosen)
        else:
            data.append((f.name, f.value.strip() if f.type == "textarea" else f.value))
    return data


def replaced(data, name, value) -> list[tuple[str, str]]:
    out = [(k, v) for k, v in data if k != name]
    out.append((name, value))
    return out


_ID_NAME = re.compile(r"(^|_)(id|ids|pk|house|houses|unit|building|community|owner|line|lines|meter|zone|"
                      r"campaign|template|question|option|order|book|space|run|response)s?$|_id$")
_DATE_NAME = re.compile(r"(date|_on|_at|day|since|until|start|end|^from$|^to$|period|month)")


def field_kinds(name: str, ftype: str = "", value: str = "", options=()) -> set[str]:
    """What a field holds, as far as a page tells: "id", "number", "date", "text" (several may apply)."""
    kinds = set()
    numeric_options = [o for o in options if o]
    if ftype in ("date", "datetime-local", "month") or _DATE_NAME.search(name) or re.fullmatch(
            r"\d{4}-\d{2}(-\d{2})?( \d{2}:\d{2}(:\d{2})?)?", value or ""):
        kinds.add("date")
    if _ID_NAME.search(name) or (numeric_options and all(o.isdigit() for o in numeric_options)) \
            or (ftype == "hidden" and (value or "").isdigit()):
        kinds.add("id")
    if ftype == "number" or re.fullmatch(r"-?\d+(\.\d+)?", value or ""):
        kinds.add("number")
    if ftype in ("text", "textarea", "search", "") and not kinds:
        kinds.add("text")
    return kinds


def hostile_values(kinds: set[str]) -> list[tuple[str, bool]]:
    """(value, must it be refused?) for a field of these kinds."""
    values = [(NUL, True)]
    values.append((HUGE, bool(kinds & {"id", "number"})))
    if "id" in kinds:
        values.append((MISSING, False))  # some ids are free text too (a 房号); the 5xx check still applies
    if "number" in kinds:
        values.append((BIG_NUMBER, True))
    if "date" in kinds:
        values += [(DATE_LOW, True), (DATE_HIGH, True)]
    if "text" in kinds:
        values.append((FORMULA, False))
    return values


# --- targets -----------------------------------------------------------------------------------------------

def endpoint_skipped(endpoint: str) -> bool:
    return any(part in endpoint for part in SKIPPED_ENDPOINT_PARTS)


def is_crud(endpoint: str) -> bool:
    return endpoint.rsplit(".", 1)[-1] in CRUD_METHODS


def model_views(app):
    from flask_appbuilder import ModelView

    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelView)]


def rest_apis(app):
    from flask_appbuilder.api import ModelRestApi

    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]


def url_with(rule, value_for_int=HUGE, value_for_str="x") -> str:
    """The rule's URL with every argument filled: ints with `value_for_int`, others with `value_for_str`."""
    url = rule.rule
    for name, conv in rule._converters.items():
        value = value_for_int if is_int(conv) else value_for_str
        url = re.sub(r"<[^>]*\b" + re.escape(name) + ">", value, url)
    return url


def is_int(converter) -> bool:
    from werkzeug.routing import IntegerConverter

    return isinstance(converter, IntegerConverter)


def match(app, url: str, method="GET"):
    """(endpoint, args) of an app URL, or None."""
    parts = urlsplit(url)
    if parts.netloc or not parts.path.startswith("/"):
        return None
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(parts.path, method=method)
    except Exception:  # noqa: BLE001 - not a route of the app for that method
        return None


def query_params(url: str) -> list[str]:
    return [k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
