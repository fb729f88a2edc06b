"""Every REST API endpoint that takes a body answers 400/422 with a Chinese message, never 500, and writes
nothing: for a body that is not one JSON object, for JSON nested thousands deep, and (PUT) for a related
record that does not exist."""
import json

import pytest
from flask_appbuilder import ModelRestApi
from sqlalchemy import func, inspect as sa_inspect, select

from app.core.models import AuditLog
from app.estate.models import Building, Community, House, Owner, Ownership, ParkingSpace, Unit
from app.extensions import db
from app.service.models import WorkOrder

TABLES = (Community, Building, Unit, House, ParkingSpace, Owner, Ownership, WorkOrder, AuditLog)
MISSING = 999_999_999


def _snapshot(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in TABLES)


@pytest.fixture
def records(app, estate):
    """{resource name: the id of one of its records}."""
    with app.app_context():
        owner = Owner(kind="person", name="张三", id_type="passport", id_number="E12345678", phone="13812345678")
        db.session.add(owner)
        db.session.commit()
        owner_id = owner.id
    return {"community": estate["community"], "building": estate["b1"], "unit": estate["u11"],
            "house": estate["houses"][0], "parking_space": estate["parking"], "owner": owner_id, "work_order": 1}


def _endpoints(app, records):
    """(method, url) of every API endpoint taking a body, with the id of a real record in the URL."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        resource = rule.rule.split("/")[3] if rule.rule.count("/") > 3 else ""
        url = rule.rule.replace("<int:pk>", str(records.get(resource, 1))).replace("<pk>", str(records.get(resource, 1)))
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            out.append((method, url))
    return out


def _deep(n: int, kind: str) -> str:
    return '{"a":' * n + "1" + "}" * n if kind == "object" else '{"a":' + "[" * n + "]" * n + "}"


BODIES = [
    ("null", "null"), ("list", "[]"), ("text", '"x"'), ("number", "1"), ("true", "true"), ("list of objects",
                                                                                        '[{"name": "x"}]'),
    ("not json", "{name: x"), ("bad utf-8", b'{"name": "\xff\xfe"}'),
    ("5000 deep object", _deep(5000, "object")), ("5000 deep list", _deep(5000, "list")),
    ("20 deep", _deep(20, "object")),
]


@pytest.mark.parametrize("name,body", BODIES, ids=[b[0] for b in BODIES])
def test_every_api_body_endpoint_refuses_what_is_not_one_object(app, admin, records, name, body):
    endpoints = _endpoints(app, records)
    assert len(endpoints) >= 14  # POST and PUT of six resources, the work order's open and transition ...
    before = _snapshot(app)
    for method, url in endpoints:
        resp = admin.open(url, method=method, data=body, content_type="application/json")
        assert resp.status_code in (400, 422), (method, url, resp.status_code, resp.get_data(as_text=True)[:200])
        message = resp.get_json()["message"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in json.dumps(message, ensure_ascii=False)), (url, message)
    assert _snapshot(app) == before


def test_a_body_that_is_not_json_is_refused_in_chinese(app, admin, records):
    for method, url in _endpoints(app, records):
        resp = admin.open(url, method=method, data="name=x", content_type="application/x-www-form-urlencoded")
        assert resp.status_code == 400 and "JSON" in resp.get_json()["message"], (method, url)
    resp = admin.put(f"/api/v1/house/{records['house']}", data="null", content_type="application/json")
    assert resp.get_json()["message"] == "请求内容必须是一个 JSON 对象，例如 {\"name\": \"…\"}。"
    resp = admin.post("/api/v1/house/", data=_deep(5000, "list"), content_type="application/json")
    assert resp.get_json()["message"] == "请求内容嵌套层次过深。"


def _relations(api) -> list[str]:
    mapper = sa_inspect(api.datamodel.obj)
    return [c for c in api.edit_columns or [] if c in mapper.relationships and not mapper.relationships[c].uselist]


def test_put_naming_a_record_that_does_not_exist_answers_422_and_keeps_the_row(app, admin, records):
    apis = [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi) and v.resource_name in records
            and (not v.include_route_methods or "put" in v.include_route_methods)]
    tried = 0
    for api in apis:
        pk = records[api.resource_name]
        for column in _relations(api):
            before = _snapshot(app)
            with app.app_context():
                row = db.session.get(api.datamodel.obj, pk)
                kept = getattr(row, column + "_id", None)
            resp = admin.put(f"/api/v1/{api.resource_name}/{pk}", json={column: MISSING})
            assert resp.status_code == 422, (api.resource_name, column, resp.status_code, resp.get_data(as_text=True))
            assert "不存在" in json.dumps(resp.get_json()["message"].get(column), ensure_ascii=False), resp.get_json()
            assert _snapshot(app) == before
            with app.app_context():
                assert getattr(db.session.get(api.datamodel.obj, pk), column + "_id", None) == kept
            tried += 1
            resp = admin.post(f"/api/v1/{api.resource_name}/", json={column: MISSING})
            assert resp.status_code == 422 and _snapshot(app) == before
    assert tried >= 6  # building.community, unit.building, house.unit, parking space's community, building, house


def test_a_good_put_still_saves(app, admin, records):
    resp = admin.put(f"/api/v1/house/{records['house']}", json={"layout": "三室两厅"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(House, records["house"]).layout == "三室两厅"
