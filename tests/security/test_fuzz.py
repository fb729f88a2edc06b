"""Fuzz: every add/edit form, every other form, every page's query parameters and every REST API endpoint get
hostile values (ids beyond 2^63, ids of no record, NUL bytes, dates 0001-01-01 and 9999-12-31, 10^30, JSON
that is not an object or is nested 5,000 deep, spreadsheet formulas). No answer may be a 5xx, and a value
that must be refused writes nothing; a formula that a text field accepts is stored as the text typed.

The targets are found in the app (its ModelViews, its url_map, the forms and links of its pages, its REST
APIs), on the demo's data, so areas to come are fuzzed too. Run alone: `pytest tests/security/test_fuzz.py`;
FUZZ_REPORT=path writes every finding to that file."""
import json
import logging
import os
from datetime import datetime

import prison
import pytest
import time_machine
from flask_appbuilder import Model
from sqlalchemy import delete, insert, select
from wtforms import BooleanField, DateField, DateTimeField, DecimalField, FileField, FloatField, IntegerField, \
    SelectField, SelectMultipleField

from app.security import roles
from tests.security import fuzz
from tests.security.fuzz import (BIG_NUMBER, DATE_HIGH, DATE_LOW, DEEP_JSON, DEEP_OBJECT, FORMULA, HUGE, MISSING,
                                 NON_OBJECTS, NUL, Fuzzer, WriteRecorder, baseline, parse_page, replaced, short)

MOMENT = datetime(2026, 11, 20, 10, 0)
OTHER_ROLES = [roles.CASHIER, roles.ARCHIVES, roles.COMMITTEE]


# --- data: the demo, loaded once for the module; everything put back afterwards -----------------------------

@pytest.fixture(scope="module")
def demo_data(app):
    from app.extensions import db

    with app.app_context():
        security = [t for t in Model.metadata.sorted_tables if t.name.startswith("ab_")]
        kept = {t: [dict(r._mapping) for r in db.session.execute(select(t))] for t in security}
    with time_machine.travel(MOMENT, tick=True):
        result = app.test_cli_runner().invoke(args=["pm", "demo", "--households", "12", "--if-empty"])
        assert result.exit_code == 0, result.output
        yield
    with app.app_context():
        db.session.rollback()
        for table in reversed(Model.metadata.sorted_tables):
            db.session.execute(delete(table))
        for table in security:  # the users, roles and permissions as they were (fuzzed edits undone)
            if kept[table]:
                db.session.execute(insert(table), kept[table])
        db.session.commit()


@pytest.fixture
def _clean_tables(demo_data):
    """This module's tests share the demo; the module fixture empties the tables once at its end."""
    yield


@pytest.fixture
def fuzzer(app):
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    with time_machine.travel(MOMENT, tick=True), WriteRecorder(engine) as recorder:
        f = Fuzzer(app, recorder)
        root = logging.getLogger()
        root.addHandler(f.catcher)
        try:
            yield f
        finally:
            root.removeHandler(f.catcher)
        report = os.environ.get("FUZZ_REPORT")
        if report:
            with open(report, "a", encoding="utf-8") as fh:
                fh.writelines(f"{finding}\n" for finding in f.findings)
            with open(report + ".sent", "a", encoding="utf-8") as fh:
                fh.writelines(f"{m} {u} [{w}]\n" for m, u, w in f.sent)


def _verdict(f: Fuzzer):
    lines = [str(x) for x in f.findings]
    assert not lines, f"{len(lines)} of {f.requests} hostile requests went wrong:\n" + "\n".join(lines[:300])


def _html(resp) -> str | None:
    if resp is None or resp.status_code != 200 or "text/html" not in resp.content_type:
        return None
    return resp.get_data(as_text=True)


# --- the add and edit forms of every ModelView ---------------------------------------------------------------

def _form_kinds(app, form_cls) -> dict[str, set]:
    """Field name -> what it holds, from the form class."""
    with app.test_request_context():
        form = form_cls(meta={"csrf": False})
        kinds = {}
        for f in form:
            if isinstance(f, (FileField, BooleanField)):
                continue
            if isinstance(f, (DateField, DateTimeField)):
                kinds[f.name] = {"date"}
            elif isinstance(f, (IntegerField, DecimalField, FloatField)):
                kinds[f.name] = {"number"}
            elif isinstance(f, (SelectField, SelectMultipleField)) or "QuerySelect" in type(f).__name__:
                kinds[f.name] = {"choice"}
            else:
                kinds[f.name] = {"text"}
        return kinds


def _values_for(kinds: set) -> list[tuple[str, bool]]:
    """A few values per kind of field (the run stays short): (value, must it be refused?)."""
    if kinds == {"choice"}:  # a value not among the choices (no integer holds it, or no record has it)
        return [(HUGE, True), (MISSING, True)]
    if kinds == {"number"}:
        return [(NUL, True), (BIG_NUMBER, True)]
    if kinds == {"date"}:
        return [(DATE_LOW, True), (DATE_HIGH, True)]
    return [(NUL, True), (FORMULA, False)]


def _fuzz_form(f, client, url, form_fields, kinds, one_at_a_time=True):
    data = baseline(form_fields)
    if one_at_a_time:
        for name, field_kinds in kinds.items():
            for value, must_refuse in _values_for(field_kinds):
                f.send(client, "POST", url, f"{name}={short(value)}", must_refuse=must_refuse,
                       formula=value if value == FORMULA else None, data=replaced(data, name, value))
    # every field hostile at once, with the values its kind must refuse
    for i in range(2):
        everything = list(data)
        for name, field_kinds in kinds.items():
            refused = [v for v, must in _values_for(field_kinds) if must]
            everything = replaced(everything, name, refused[i % len(refused)])
        f.send(client, "POST", url, f"every field hostile ({i + 1})", data=everything)
    _hostile_csrf(f, client, url, data)


def _hostile_csrf(f, client, url, data):
    """With CSRF on, as in production: a forged token is refused, with no 5xx and nothing written."""
    app = f.app
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        f.send(client, "POST", url, "csrf_token=NUL", data=replaced(data, "csrf_token", NUL))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _first_record(client, view) -> str | None:
    import re

    html = _html(client.get(f"{view.route_base}/list/")) or ""
    # the last of the page: the first are often the ones the tests log in with (users, roles)
    found = re.findall(re.escape(view.route_base) + r"/(?:edit|show)/(\d+)", html)
    return found[-1] if found else None


def _form_on(html, path):
    for form in parse_page(html).forms:
        if form.method == "post" and (form.action in ("", path) or form.action.split("?")[0] == path):
            return form
    return None


def test_every_add_and_edit_form_refuses_hostile_values(app, fuzzer, login_as):
    f = fuzzer
    admin = login_as(roles.ADMIN)  # at the fuzz's moment (a session from before it would have expired)
    for view in fuzz.model_views(app):
        base = view.route_base
        pk = _first_record(admin, view)
        edit_fields = []
        if pk is not None and "can_edit" in (view.base_permissions or ["can_edit"]):
            path = f"{base}/edit/{pk}"
            html = _html(admin.get(path))
            form = html and _form_on(html, path)
            if form:
                edit_fields = form.fields
                _fuzz_form(f, admin, path, form.fields, _form_kinds(app, view.edit_form))
        path = f"{base}/add"
        html = _html(admin.get(path))
        form = html and _form_on(html, path)
        if form:
            kinds = _form_kinds(app, view.add_form)
            known = {x.name for x in form.fields}
            fields = [x for x in edit_fields if x.name in known] if edit_fields else form.fields
            # the edit form had its fields one at a time; the add form gets them all at once then
            _fuzz_form(f, admin, path, fields + [x for x in form.fields if x.name not in {y.name for y in fields}],
                       kinds, one_at_a_time=not edit_fields)
        # ids in the path that no integer can hold
        for method, url, data in (("GET", f"{base}/show/{HUGE}", None), ("GET", f"{base}/edit/{HUGE}", None),
                                  ("POST", f"{base}/edit/{HUGE}", {"name": "x"}),
                                  ("POST", f"{base}/delete/{HUGE}", {}),
                                  ("POST", f"{base}/action_post", {"action": "muldelete", "rowid": HUGE})):
            f.send(admin, method, url, "pk=HUGE", data=data)
    assert f.requests > 500
    _verdict(f)


# --- every other form, every page's query parameters ---------------------------------------------------------

# Pages not opened while looking for forms and links: files (PDF, Excel) take long to make and hold no form.
FILE_PARTS = ("pdf", "export", "print", "poster", "owner_card", "roster", "template", "report", "photo",
              "receipt", "download")


def _crawl(app, client):
    """The app's pages a role can open: every GET route without arguments, each ModelView's first record,
    and the pages (with arguments) their links lead to. Returns [(url, html)]."""
    seen, pages, endpoints_seen = set(), [], set()

    def visit(url):
        if url in seen or len(seen) > 400:
            return
        seen.add(url)
        html = _html(client.get(url))
        if html is not None:
            pages.append((url, html))

    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not fuzz.endpoint_skipped(rule.endpoint) \
                and not any(p in rule.endpoint.lower() for p in FILE_PARTS):
            visit(rule.rule)
    for view in fuzz.model_views(app):
        pk = _first_record(client, view)
        if pk:
            visit(f"{view.route_base}/show/{pk}")
    for url, html in list(pages):
        for link in parse_page(html).links:
            target = fuzz.match(app, link)
            if target is None:
                continue
            endpoint = target[0]
            if fuzz.endpoint_skipped(endpoint) or any(p in endpoint.lower() for p in FILE_PARTS):
                continue
            if fuzz.is_crud(endpoint) and not endpoint.endswith((".list", ".show")):
                continue
            if endpoint in endpoints_seen:  # one page per route: its forms and links are alike
                continue
            endpoints_seen.add(endpoint)
            visit(link.split("#")[0] if not fuzz.query_params(link) or endpoint.endswith(".show")
                  else link.split("?")[0])
    return pages


def _custom_forms(app, pages):
    """The POST forms of the pages that are not a ModelView's own add/edit/delete: {(endpoint, names): (url, form)}."""
    forms = {}
    for url, html in pages:
        for form in parse_page(html).forms:
            if form.method != "post":
                continue
            action = form.action or url
            target = fuzz.match(app, action, "POST")
            if target is None or fuzz.endpoint_skipped(target[0]) or fuzz.is_crud(target[0]):
                continue
            key = (target[0], tuple(sorted({x.name for x in form.fields})))
            forms.setdefault(key, (action, form))
    return forms


def _get_params(app, pages):
    """{(path, param): baseline query} from the pages' GET forms and their links' query strings."""
    from urllib.parse import parse_qsl, urlsplit

    params = {}
    for url, html in pages:
        page = parse_page(html)
        for form in page.forms:
            if form.method != "get":
                continue
            path = urlsplit(form.action or url).path
            if fuzz.match(app, path) is None:
                continue
            data = baseline(form.fields)
            for name, _v in data:
                params.setdefault((path, name), data)
        for link in page.links:
            target = fuzz.match(app, link)
            if target is None or fuzz.endpoint_skipped(target[0]) or target[0].endswith((".delete", ".action")):
                continue
            parts = urlsplit(link)
            data = parse_qsl(parts.query, keep_blank_values=True)
            for name, _v in data:
                params.setdefault((parts.path, name), data)
    return params


def _field_kinds(field):
    return fuzz.field_kinds(field.name, field.type, field.value, field.options)


@pytest.mark.parametrize("role", [roles.ADMIN, *OTHER_ROLES])
def test_every_other_form_and_query_parameter_refuses_hostile_values(app, login_as, fuzzer, role):
    f = fuzzer
    client = login_as(role)
    pages = _crawl(app, client)
    assert len(pages) > (40 if role == roles.ADMIN else 3)
    for (endpoint, _names), (action, form) in _custom_forms(app, pages).items():
        data = baseline(form.fields)
        for field in form.fields:
            if field.name == "csrf_token":
                continue
            redirect_only = field.name in ("back", "next")
            for value, must_refuse in fuzz.hostile_values(_field_kinds(field)):
                f.send(client, "POST", action, f"{field.name}={short(value)}",
                       must_refuse=must_refuse and not redirect_only,
                       formula=value if value == FORMULA else None, data=replaced(data, field.name, value))
        _hostile_csrf(f, client, action, data)
    # the routes' own ids: none that an integer holds, or none of a record
    for rule in app.url_map.iter_rules():
        if fuzz.endpoint_skipped(rule.endpoint) or fuzz.is_crud(rule.endpoint) or "/api/" in rule.rule:
            continue
        if not any(type(c).__name__ == "IntegerConverter" for c in rule._converters.values()):
            continue
        for bad in (HUGE, MISSING):
            url = fuzz.url_with(rule, bad)
            for method in sorted(rule.methods & {"GET", "POST"}):
                f.send(client, method, url, f"path id={short(bad)}", data={} if method == "POST" else None)
    # query parameters
    for (path, name), data in _get_params(app, pages).items():
        crud_list = path.endswith("/list/")
        values = [HUGE, NUL] if crud_list else [HUGE, MISSING, NUL, DATE_LOW, DATE_HIGH, "-1", FORMULA]
        for value in values:
            f.send(client, "GET", path, f"?{name}={short(value)}", query_string=replaced(data, name, value))
    assert f.requests > (300 if role == roles.ADMIN else 20)
    _verdict(f)


# --- every REST API ------------------------------------------------------------------------------------------

def _api_kinds(schema) -> dict[str, set]:
    kinds = {}
    for name, fld in schema.fields.items():
        kind = type(fld).__name__
        if kind in ("Related", "RelatedList", "Nested"):
            kinds[name] = {"id"}
        elif kind in ("Integer", "Decimal", "Float", "Number"):
            kinds[name] = {"number"}
        elif kind in ("Date", "DateTime"):
            kinds[name] = {"date"}
        elif kind == "Boolean":
            continue
        else:
            kinds[name] = {"text"}
    return kinds


def _json_value(value, kinds):
    if kinds & {"id", "number"} and value.isdigit():
        return int(value)
    return value


def _bodies(schema, sample: dict):
    """(what, body, must refuse, formula) for one API write."""
    for raw in NON_OBJECTS:
        yield raw, raw, True, None
    yield "deep list", DEEP_JSON, True, None
    yield "deep object", DEEP_OBJECT, True, None
    for name, kinds in _api_kinds(schema).items():
        values = fuzz.hostile_values(kinds)
        if "id" in kinds:
            values = [(NUL, True), (HUGE, True), (MISSING, True)]
        for value, must_refuse in values:
            body = dict(sample, **{name: _json_value(value, kinds)})
            yield f"{name}={short(value)}", json.dumps(body), must_refuse, value if value == FORMULA else None


def _sample_body(client, api, pk, schema) -> dict:
    resp = client.get(f"{api.route_base}/{pk}")
    result = resp.get_json(silent=True) or {}
    item = result.get("result") or {}
    body = {}
    for name in schema.fields:
        value = item.get(name)
        if isinstance(value, dict):
            value = value.get("id")
        if value is not None:
            body[name] = value
    return body


@pytest.mark.parametrize("role", [roles.ADMIN, roles.ARCHIVES, roles.COMMITTEE])
def test_every_api_endpoint_refuses_hostile_values(app, login_as, fuzzer, role):
    f = fuzzer
    client = login_as(role)
    for api in fuzz.rest_apis(app):
        base = api.route_base
        listed = client.get(f"{base}/").get_json(silent=True) or {}
        pk = (listed.get("ids") or [None])[0]
        columns = list(api.list_columns or []) + list(api.search_columns or [])
        queries = ["(((", "!(" * 5000, NUL, prison.dumps({"page": -1, "page_size": -1}),
                   prison.dumps({"page_size": int(HUGE)}), prison.dumps({"order_column": "nope"}),
                   prison.dumps({"filters": [{"col": "nope", "opr": "eq", "value": 1}]})]
        for col in columns:
            queries.append(prison.dumps({"order_column": col, "order_direction": "asc"}))
            for value in (int(HUGE), HUGE, NUL, DATE_HIGH):
                queries.append(prison.dumps({"filters": [{"col": col, "opr": "eq", "value": value}]}))
        for q in queries:
            f.send(client, "GET", f"{base}/", f"q={short(q)}", query_string={"q": q})
        for bad in (HUGE, MISSING, "-1", "x"):
            f.send(client, "GET", f"{base}/{bad}", f"pk={short(bad)}")
            f.send(client, "DELETE", f"{base}/{bad}", f"pk={short(bad)}")
            f.send(client, "PUT", f"{base}/{bad}", f"pk={short(bad)}", json={"name": "x"})
        if "post" in (api.include_route_methods or {"post"}):
            sample = _sample_body(client, api, pk, api.add_model_schema) if pk else {}
            for what, body, must_refuse, formula in _bodies(api.add_model_schema, sample):
                f.send(client, "POST", f"{base}/", what, must_refuse=must_refuse, formula=formula, data=body,
                       content_type="application/json")
        if pk and "put" in (api.include_route_methods or {"put"}):
            sample = _sample_body(client, api, pk, api.edit_model_schema)
            for what, body, must_refuse, formula in _bodies(api.edit_model_schema, sample):
                f.send(client, "PUT", f"{base}/{pk}", what, must_refuse=must_refuse, formula=formula, data=body,
                       content_type="application/json")
    # the APIs' own routes (not FAB's CRUD): bodies that are no object, too deep, with NUL; ids too large
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or fuzz.endpoint_skipped(rule.endpoint) \
                or rule.endpoint.rsplit(".", 1)[-1] in ("get", "get_list", "post", "put", "delete", "info"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT"}):
            url = fuzz.url_with(rule, pk_or(rule, app, client))
            for body in [*NON_OBJECTS, DEEP_JSON, DEEP_OBJECT, json.dumps({"x": NUL, "action": NUL,
                                                                           "house": int(HUGE)})]:
                f.send(client, method, url, short(body), data=body, content_type="application/json")
            f.send(client, method, fuzz.url_with(rule, HUGE), "path id=HUGE", json={})
    _verdict(f)


def pk_or(rule, app, client) -> str:
    """A real id for the rule's record (its API's first), so that the body is what is fuzzed."""
    for api in fuzz.rest_apis(app):
        if rule.rule.startswith(api.route_base + "/"):
            ids = (client.get(f"{api.route_base}/").get_json(silent=True) or {}).get("ids") or []
            if ids:
                return str(ids[0])
    return MISSING
