"""Ids beyond 2^63-1 (and other non-ids) never reach the database: 404/400 or a Chinese message, never 500.

SQLite's driver raises OverflowError for such a number and psycopg refuses to bind it: the one parser in
app/core/ids.py stops them before any query, on both databases.
"""
import re

import pytest
from flask import url_for

from app.core.ids import MAX_ID, as_id, parse_id, parse_ids
from tests.conftest import flashes

HUGE = "99999999999999999999999"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_parse_id_accepts_record_numbers_only():
    assert parse_id("42") == 42
    assert parse_id(" 7 ") == 7
    assert parse_id(7) == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    for bad in (None, "", "0", "-3", "abc", "4.5", "١٢", str(MAX_ID + 1), HUGE, MAX_ID + 1, True, 3.0, "9" * 5000):
        assert parse_id(bad) is None, bad


def test_parse_ids_reads_comma_lists_and_lists():
    assert parse_ids("3, 5,,3,8") == [3, 5, 8]
    assert parse_ids(["2", "9"]) == [2, 9]
    assert parse_ids("") == []
    assert parse_ids(f"3,{HUGE}") is None
    assert parse_ids(["1", "x"]) is None


def test_as_id_tells_not_an_id_from_none_chosen():
    assert as_id("") is None
    assert as_id(None) is None
    assert as_id("12") == 12
    assert as_id(HUGE) == -1
    assert as_id("abc") == -1


def _refused(resp):
    """A 400/404 page in Chinese, or the page again with a Chinese message; never a 5xx."""
    assert resp.status_code < 500, resp.data[:300]
    html = resp.get_data(as_text=True)
    if resp.status_code in (400, 404):
        assert CJK.search(html), html[:300]
    else:
        assert resp.status_code == 200, resp.status_code
        assert any(CJK.search(m) for m in flashes(html)), html[:500]


NAMED_GETS = [
    f"/counter/?house={HUGE}",
    f"/billing-run/?community={HUGE}",
    f"/fund/?community={HUGE}",
    f"/fund/?building={HUGE}",
    f"/meter-sheet/?community={HUGE}",
    f"/print/owner-card?house={HUGE}",
    f"/print/roster?building={HUGE}",
    f"/work-orders/print/?ids=1,{HUGE}",
    f"/house-statement/?house={HUGE}",
    f"/notices/?community={HUGE}",
    f"/arrears/?community={HUGE}",
]

NAMED_POSTS = [
    ("/counter/pay", {"house": HUGE, "lines": [HUGE], "method": "cash"}),
    ("/billing-run/", {"community": HUGE, "period": "2026-11", "items": [HUGE], "buildings": [HUGE]}),
    ("/fund-posting/", {"community": HUGE, "building": HUGE}),
    ("/meter-sheet/", {"community": HUGE}),
    ("/visit-zones/assign", {"community": HUGE, "assistant": HUGE, "buildings": [HUGE]}),
    ("/visit-record/", {"community": HUGE, "house": HUGE}),
]


@pytest.mark.moment("2026-11-20 10:00")
@pytest.mark.parametrize("url", NAMED_GETS)
def test_huge_id_in_a_query_is_refused(admin, estate, url):
    _refused(admin.get(url, follow_redirects=True))


@pytest.mark.moment("2026-11-20 10:00")
@pytest.mark.parametrize(("url", "data"), NAMED_POSTS)
def test_huge_id_in_a_form_is_refused_and_writes_nothing(app, admin, estate, url, data):
    from app.core.models import AuditLog
    from app.extensions import db

    with app.app_context():
        before = db.session.query(AuditLog).count()
    _refused(admin.post(url, data=data, follow_redirects=True))
    with app.app_context():
        assert db.session.query(AuditLog).count() == before


def _id_routes(app):
    """Every route with an id in its path (`<int:...>` or FAB's `<pk>`), other path parts filled with "x"."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "/download/" in rule.rule:
            continue
        id_args = [a for a in rule.arguments if rule._converters[a].__class__.__name__ == "IdConverter"
                   or a == "pk"]
        if not id_args:
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: HUGE if m.group(1) in id_args else "x", rule.rule)
        for method in sorted(rule.methods & {"GET", "POST", "PUT", "DELETE"}):
            yield method, path


def test_no_route_answers_500_for_a_huge_id_in_its_path(app, admin, estate):
    routes = list(_id_routes(app))
    assert len(routes) > 50  # FAB's show/edit/delete of every view, the APIs and our own pages
    failed = []
    for method, path in routes:
        resp = admin.open(path, method=method, json={} if path.startswith("/api/") else None)
        if resp.status_code != 404:
            failed.append((method, path, resp.status_code))
    assert not failed


def test_every_model_view_answers_404_for_a_huge_pk(app, admin):
    from flask_appbuilder import ModelView

    with app.test_request_context():
        urls = [url_for(f"{view.endpoint}.{name}", pk=HUGE)
                for view in app.appbuilder.baseviews if isinstance(view, ModelView)
                for name in ("show", "edit", "delete") if f"{view.endpoint}.{name}" in app.view_functions]
    assert len(urls) > 30
    for url in urls:
        resp = admin.get(url)
        assert resp.status_code == 404, url
        assert CJK.search(resp.get_data(as_text=True)), url


def test_api_filter_with_a_huge_number(admin, estate):
    # on a text column: compared as text, finds nothing
    resp = admin.get(f"/api/v1/community/?q=(filters:!((col:name,opr:eq,value:{HUGE})))")
    assert resp.status_code == 200 and resp.get_json()["count"] == 0
    resp = admin.get("/api/v1/community/?q=(filters:!((col:name,opr:ct,value:12)))")
    assert resp.status_code == 200
    # on a relation or number column: refused with a Chinese message
    resp = admin.get(f"/api/v1/building/?q=(filters:!((col:community,opr:rel_o_m,value:{HUGE})))")
    assert resp.status_code == 400
    assert CJK.search(resp.get_json()["message"])


def test_api_body_with_a_huge_id_is_refused(app, admin, estate):
    from app.estate.models import House
    from app.extensions import db

    with app.app_context():
        before = db.session.query(House).count()
    resp = admin.post("/api/v1/house/", json={"unit": int(HUGE), "room_no": "0909"})
    assert resp.status_code == 422
    assert "unit" in resp.get_json()["message"]
    assert CJK.search(resp.get_json()["message"]["unit"][0])
    with app.app_context():
        assert db.session.query(House).count() == before


def test_list_search_with_a_huge_number_on_a_number_column(admin, estate):
    for url in (f"/houses/list/?_flt_0_floor={HUGE}", f"/houses/list/?_flt_4_floor=1,{HUGE}",
                f"/houses/export.xlsx?_flt_0_floor={HUGE}", f"/export/houses?_flt_0_floor={HUGE}",
                f"/survey-campaigns/list/?_flt_0_year={HUGE}"):
        resp = admin.get(url)
        assert resp.status_code in (400, 404), (url, resp.status_code)
        assert CJK.search(resp.get_data(as_text=True))
    # a text column still searches for the digits
    assert admin.get(f"/houses/list/?_flt_0_room_no={HUGE}").status_code == 200
