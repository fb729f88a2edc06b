"""Fuzz: every add/edit form, every other form, every page's query parameters and every REST API endpoint get
hostile values (ids beyond 2^63, ids of no record, NUL bytes, dates 0001-01-01 and 9999-12-31, 10^30, JSON
that is not an object or is nested 5,000 deep, spreadsheet formulas). No answer may be a 5xx, and a value
that must be refused writes nothing; a formula that a text field accepts is stored as the text typed.

The targets are found in the app (its ModelViews, its url_map, the forms and links of its pages, its REST
APIs), on the demo's data, so areas to come are fuzzed too. The values are sampled so that the file runs in
about a minute and a half: one hostile value per field after its kind (taking turns among the kind's values),
a few fields one at a time and all of them at once, one form per model, FAB's generic routes and list
parameters once or in turns, a capped crawl, the administrator and one other role (OTHER_ROLE). Run alone: `pytest tests/security/test_fuzz.py`;
FUZZ_REPORT=path writes every finding to that file."""
import json
import logging
import os
import re
import time
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
OTHER_ROLE = roles.CASHIER  # the crawl and the APIs again as a role that is not the administrator's


# --- data: the demo, loaded once for the module; everything put back afterwards -----------------------------

@pytest.fixture(scope="module")
def demo_data(app):
    from app.extensions import db

    with app.app_context():
        security = [t for t in Model.metadata.sorted_tables if t.name.startswith("ab_")]
        # by id: a user row names the user who created it (ab_user → ab_user), checked row by row on PostgreSQL
        kept = {t: sorted((dict(r._mapping) for r in db.session.execute(select(t))),
                          key=lambda row: row.get("id") or 0) for t in security}
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


# One value a field of each kind must refuse, and one it may take (a formula, stored as typed); NUL is refused
# before any view (app/core/web.py), so one field per form gets it.
REFUSED = {"choice": HUGE, "number": BIG_NUMBER, "date": DATE_LOW}
ONE_AT_A_TIME = 3  # fields per form fuzzed one at a time (one of each kind first); the rest only all at once


def _refused(kinds: set, turn: int) -> str | None:
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    if kind == "date":
        return DATE_LOW if turn % 2 == 0 else DATE_HIGH
    if kind == "choice":
        return HUGE if turn % 2 == 0 else MISSING
    return REFUSED.get(kind)


def _sample(kinds: dict[str, set], limit=ONE_AT_A_TIME) -> list[str]:
    """A bounded set of fields: the first of each kind, then others, `limit` in all."""
    firsts, rest, seen = [], [], set()
    for name, field_kinds in kinds.items():
        key = frozenset(field_kinds)
        (rest if key in seen else firsts).append(name)
        seen.add(key)
    return (firsts + rest)[:limit]


def _fuzz_form(f, client, url, form_fields, kinds, one_at_a_time=True, turn=0):
    data = baseline(form_fields)
    sent = {x.name for x in form_fields}
    kinds = {name: k for name, k in kinds.items() if name in sent}
    if one_at_a_time:
        for i, name in enumerate(_sample(kinds)):
            value = _refused(kinds[name], turn + i)
            if value is None:  # a text field: a formula is taken as typed
                f.send(client, "POST", url, f"{name}={short(FORMULA)}", must_refuse=False, formula=FORMULA,
                       data=replaced(data, name, FORMULA))
            else:
                f.send(client, "POST", url, f"{name}={short(value)}", data=replaced(data, name, value))
    # every field hostile at once: refused as soon as one field is not free text
    everything, refusable = list(data), False
    for i, (name, field_kinds) in enumerate(kinds.items()):
        value = _refused(field_kinds, turn + i)
        refusable = refusable or value is not None
        everything = replaced(everything, name, FORMULA if value is None else value)
    f.send(client, "POST", url, "every field hostile", must_refuse=refusable, data=everything)
    if kinds:
        name = next(iter(kinds))
        f.send(client, "POST", url, f"{name}=NUL", data=replaced(data, name, NUL))
    if turn % 3 == 0:  # refused before the view: one form in three
        _hostile_csrf(f, client, url, data)


def _hostile_csrf(f, client, url, data):
    """With CSRF on, as in production: a forged token is refused, with no 5xx and nothing written."""
    app = f.app
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        f.send(client, "POST", url, "csrf_token=forged", data=replaced(data, "csrf_token", "forged"))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _first_record(client, view) -> str | None:
    html = _html(client.get(f"{view.route_base}/list/")) or ""
    # the last of the page: the first are often the ones the tests log in with (users, roles)
    found = re.findall(re.escape(view.route_base) + r"/(?:edit|show)/(\d+)", html)
    return found[-1] if found else None


def _form_on(html, path):
    for form in parse_page(html).forms:
        if form.method == "post" and (form.action in ("", path) or form.action.split("?")[0] == path):
            return form
    return None


def _distinct_forms(app):
    """The ModelViews, one per model and form columns: views that list the same records with other filters
    (open, overdue, mine) share their forms. The others still get the path checks."""
    seen, out = set(), []
    for view in fuzz.model_views(app):
        key = (view.datamodel.obj, tuple(view.edit_columns or ()), tuple(view.add_columns or ()))
        out.append((view, key not in seen))
        seen.add(key)
    return out


def test_every_add_and_edit_form_refuses_hostile_values(app, fuzzer, login_as):
    f = fuzzer
    admin = login_as(roles.ADMIN)  # at the fuzz's moment (a session from before it would have expired)
    forms = 0
    for turn, (view, fuzz_forms) in enumerate(_distinct_forms(app)):
        base = view.route_base
        edited, pk = False, None
        if fuzz_forms:
            pk = _first_record(admin, view)
            if pk is not None and "can_edit" in (view.base_permissions or ["can_edit"]):
                path = f"{base}/edit/{pk}"
                html = _html(admin.get(path))
                form = html and _form_on(html, path)
                if form:
                    forms += 1
                    edited = True
                    _fuzz_form(f, admin, path, form.fields, _form_kinds(app, view.edit_form), turn=turn)
            if "can_add" in (view.base_permissions or ["can_add"]):
                path = f"{base}/add"
                html = _html(admin.get(path))
                form = html and _form_on(html, path)
                if form:
                    forms += 1
                    # the edit form had its fields one at a time; the add form gets them all at once then
                    _fuzz_form(f, admin, path, form.fields, _form_kinds(app, view.add_form),
                               one_at_a_time=not edited, turn=turn + 1)
        # ids in the path that no integer holds or no record has, actions the view has not or on no record
        # (FAB's routes are alike on every view: each view gets one of them, taking turns)
        checks = [("GET", f"{base}/show/{HUGE}", None), ("POST", f"{base}/delete/{MISSING}", {}),
                  ("POST", f"{base}/action_post", {"action": "muldelete", "rowid": pk or MISSING})][turn % 3:][:1]
        checks += [("POST", f"{base}/action_post", {"action": name, "rowid": bad})
                   for name in (view.actions or {}) for bad in (MISSING, HUGE)]
        for method, url, data in checks:
            f.send(admin, method, url, f"{short(data or {})}", data=data)
    print(f"fuzz forms: {forms} forms, {f.requests} requests in {f.seconds:.1f}s")
    assert forms > 40 and f.requests > 250
    _verdict(f)


# --- every other form, every page's query parameters ---------------------------------------------------------

# Pages not opened while looking for forms and links: files (PDF, Excel) take long to make and hold no form.
FILE_PARTS = ("pdf", "export", "print", "poster", "owner_card", "roster", "template", "report", "photo",
              "receipt", "download")


MAX_PAGES = 90  # pages a crawl opens at most (the administrator's; another role's a third as many)
PER_ENDPOINT = 10  # hostile requests to one custom form's endpoint at most (a page may have several forms)


def _crawl(app, client, max_pages=MAX_PAGES):
    """The app's pages a role can open: every GET route without arguments (one ModelView list: FAB's are
    alike, the add/edit test opens each), each distinct ModelView's first record, and one page of each route
    their links lead to. Returns [(url, html)]."""
    seen, pages, endpoints_seen = set(), [], set()

    def visit(url):
        if url in seen or len(seen) >= max_pages:
            return
        seen.add(url)
        html = _html(client.get(url))
        if html is not None:
            pages.append((url, html))

    lists = 0
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not fuzz.endpoint_skipped(rule.endpoint) \
                and not any(p in rule.endpoint.lower() for p in FILE_PARTS) and "/api/" not in rule.rule:
            if fuzz.is_crud(rule.endpoint):
                lists += 1
                if lists > 2:
                    continue
            visit(rule.rule)
    for view, distinct in _distinct_forms(app):
        if distinct and len(seen) < max_pages // 2:
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


def _one_value(kinds: set, turn: int) -> tuple[str, bool]:
    """One hostile value for a field of these kinds, taking turns among the kind's values: (value, refuse?)."""
    values = [v for v in fuzz.hostile_values(kinds) if v[0] != NUL] or [(HUGE, False)]
    return values[turn % len(values)]


@pytest.mark.parametrize("role", [roles.ADMIN, OTHER_ROLE])
def test_every_other_form_and_query_parameter_refuses_hostile_values(app, login_as, fuzzer, role):
    f = fuzzer
    client = login_as(role)
    started = time.perf_counter()
    pages = _crawl(app, client, MAX_PAGES if role == roles.ADMIN else MAX_PAGES // 3)
    crawl_seconds = time.perf_counter() - started
    assert len(pages) > (40 if role == roles.ADMIN else 3)
    turn, per_endpoint = 0, {}
    for (endpoint, _names), (action, form) in _custom_forms(app, pages).items():
        data = baseline(form.fields)
        fields = [x for x in form.fields if x.name != "csrf_token"]
        budget = max(PER_ENDPOINT - per_endpoint.get(endpoint, 0) - 2, 0)
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + min(len(fields), budget, ONE_AT_A_TIME * 2) + 2
        if budget == 0:
            continue
        for field in fields[:min(budget, ONE_AT_A_TIME * 2)]:
            turn += 1
            redirect_only = field.name in ("back", "next")
            value, must_refuse = _one_value(_field_kinds(field), turn)
            # what a page's field holds is a guess from its name: the value must not be stored, other fields
            # of the form (sound ones) may be
            f.send(client, "POST", action, f"{field.name}={short(value)}", must_refuse=False,
                   refused_value=value if must_refuse and not redirect_only else None,
                   formula=value if value == FORMULA else None, data=replaced(data, field.name, value))
        if fields:
            f.send(client, "POST", action, f"{fields[0].name}=NUL", data=replaced(data, fields[0].name, NUL))
        if turn % 3 == 0:
            _hostile_csrf(f, client, action, data)
    # the routes' own ids: none that an integer holds (one route in ten: the converter is shared), none of a
    # record (the administrator's: another role meets the same handlers, or their refusal)
    id_rules = [r for r in app.url_map.iter_rules()
                if not (fuzz.endpoint_skipped(r.endpoint) or fuzz.is_crud(r.endpoint) or "/api/" in r.rule)
                and any(fuzz.is_int(c) for c in r._converters.values())]
    for i, rule in enumerate(id_rules if role == roles.ADMIN else []):
        for bad in (HUGE, MISSING) if i % 10 == 0 else (MISSING,):
            url = fuzz.url_with(rule, bad)
            for method in sorted(rule.methods & {"GET", "POST"}):
                f.send(client, method, url, f"path id={short(bad)}", data={} if method == "POST" else None)
    # query parameters: one value per parameter (FAB's list parameters once: they are alike on every list)
    params_seen = set()
    for (path, name), data in _get_params(app, pages).items():
        target = fuzz.match(app, path)
        endpoint = target[0] if target else path
        if fuzz.is_crud(endpoint) or re.match(r"_(oc|od|flt)_|(page|psize)_", name):
            endpoint, name_key = "FAB", re.sub(r"^(_oc_|_od_|page_|psize_).*", r"\1", re.sub(r"_flt_\d+_", "_flt_", name))
        else:
            name_key = name
        if (endpoint, name_key) in params_seen:  # one path of each route: its other ids take the same parameters
            continue
        params_seen.add((endpoint, name_key))
        turn += 1
        value, _refuse = _one_value(fuzz.field_kinds(name, "", dict(data).get(name, "")), turn)
        f.send(client, "GET", path, f"?{name}={short(value)}", query_string=replaced(data, name, value))
    print(f"fuzz {role}: crawled {len(pages)} pages in {crawl_seconds:.1f}s, {f.requests} requests in {f.seconds:.1f}s")
    assert f.requests > (100 if role == roles.ADMIN else 10)
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


def _bodies(schema, sample: dict, whole: bool):
    """(what, body, must refuse, formula) for one API write: one hostile value per field (taking turns among
    its kind's values); with `whole`, also bodies that are no object or too deep and a NUL (refused before
    any view: once per API is enough)."""
    if whole:
        for raw in [*NON_OBJECTS, DEEP_JSON, DEEP_OBJECT]:
            yield short(raw), raw, True, None
        yield "NUL", json.dumps(dict(sample, name=NUL)), True, None
    for i, (name, kinds) in enumerate(_api_kinds(schema).items()):
        values = [v for v in fuzz.hostile_values(kinds) if v[0] != NUL]
        if "id" in kinds:
            values = [(HUGE, True), (MISSING, True)]
        value, must_refuse = values[i % len(values)]
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


@pytest.mark.parametrize("role", [roles.ADMIN, OTHER_ROLE])
def test_every_api_endpoint_refuses_hostile_values(app, login_as, fuzzer, role):
    f = fuzzer
    client = login_as(role)
    # a q that is not Rison at all is refused before any API (app/core/web.py): once
    for q in ("(((", "!(" * 5000, NUL):
        f.send(client, "GET", "/api/v1/community/", f"q={short(q)}", query_string={"q": q})
    for turn, api in enumerate(fuzz.rest_apis(app)):
        base = api.route_base
        listed = client.get(f"{base}/").get_json(silent=True) or {}
        pk = (listed.get("ids") or [None])[0]
        columns = list(dict.fromkeys(list(api.list_columns or []) + list(api.search_columns or [])))
        queries = [prison.dumps({"page": -1, "page_size": -1}), prison.dumps({"page_size": int(HUGE)}),
                   prison.dumps({"order_column": "nope"}),
                   prison.dumps({"filters": [{"col": "nope", "opr": "eq", "value": 1}]})]
        if columns:
            queries.append(prison.dumps({"order_column": columns[turn % len(columns)], "order_direction": "asc"}))
        for i, col in enumerate(columns):
            value = (int(HUGE), HUGE, NUL, DATE_HIGH)[(turn + i) % 4]
            queries.append(prison.dumps({"filters": [{"col": col, "opr": "eq", "value": value}]}))
        for q in queries:
            f.send(client, "GET", f"{base}/", f"q={short(q)}", query_string={"q": q})
        f.send(client, "GET", f"{base}/{HUGE}", "pk=HUGE")
        f.send(client, "GET", f"{base}/x", "pk=x")
        f.send(client, "DELETE", f"{base}/{MISSING}", "pk=MISSING")
        f.send(client, "PUT", f"{base}/{MISSING}", "pk=MISSING", json={"name": "x"})
        can_post = "post" in (api.include_route_methods or {"post"})
        if can_post:
            sample = _sample_body(client, api, pk, api.add_model_schema) if pk else {}
            for what, body, must_refuse, formula in _bodies(api.add_model_schema, sample, whole=True):
                f.send(client, "POST", f"{base}/", what, must_refuse=must_refuse, formula=formula, data=body,
                       content_type="application/json")
        if pk and "put" in (api.include_route_methods or {"put"}):
            sample = _sample_body(client, api, pk, api.edit_model_schema)
            for what, body, must_refuse, formula in _bodies(api.edit_model_schema, sample, whole=not can_post):
                f.send(client, "PUT", f"{base}/{pk}", what, must_refuse=must_refuse, formula=formula, data=body,
                       content_type="application/json")
    # the APIs' own routes (not FAB's CRUD): bodies that are no object, too deep, with NUL; ids too large
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or fuzz.endpoint_skipped(rule.endpoint) \
                or rule.endpoint.rsplit(".", 1)[-1] in ("get", "get_list", "post", "put", "delete", "info"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT"}):
            url = fuzz.url_with(rule, pk_or(rule, app, client))
            for body in ["[]", DEEP_OBJECT, json.dumps({"x": NUL}),
                         json.dumps({"action": "x" * 300, "house": int(HUGE), "to": DATE_HIGH})]:
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
