"""Bad input on every estate form and API: a clear Chinese message, nothing changed, never a 500."""
import pytest
from sqlalchemy import func, select

from app.core.models import AuditLog
from app.estate.models import Building, Community, House, ParkingSpace, Unit
from app.extensions import db

LONG = "长" * 600
SCRIPT = '<script>alert("x")</script>'


def _snapshot(app):
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Community, Building, Unit, House, ParkingSpace, AuditLog)
        )


def _community(e, **kw):
    return {"name": "新城花园", "code": "C100", "address": "", "phone": "", "remark": "", **kw}


def _building(e, **kw):
    return {"community": str(e["community"]), "code": "9", "name": "9号楼", "floors": "18", "remark": "", **kw}


def _unit(e, **kw):
    return {"building": str(e["b1"]), "code": "9", "name": "9单元", **kw}


def _house(e, **kw):
    return {"unit": str(e["u11"]), "room_no": "0901", "floor": "9", "building_area": "99.90", "inner_area": "",
            "layout": "", "usage": "residential", "status": "vacant", "remark": "", **kw}


def _parking(e, **kw):
    return {"community": str(e["community"]), "building": "", "code": "B900", "location": "under",
            "kind": "owned", "status": "free", "area": "", "remark": "", **kw}


FORM_CASES = [
    ("/communities/add", _community, {"name": ""}, "该字段是必填字段"),
    ("/communities/add", _community, {"name": "   "}, "名称不能为空"),
    ("/communities/add", _community, {"name": LONG}, "字段长度不能超过 100 个字符"),
    ("/communities/add", _community, {"name": "翠湖花园"}, "已经存在"),
    ("/communities/add", _community, {"code": "C001"}, "已经存在"),
    ("/communities/add", _community, {"remark": LONG}, "字段长度不能超过 500 个字符"),
    ("/buildings/add", _building, {"code": "1"}, "该小区已有相同编号的楼栋"),
    ("/buildings/add", _building, {"floors": "0"}, "层数必须在 1 到 200 之间"),
    ("/buildings/add", _building, {"floors": "abc"}, "层数"),
    ("/buildings/add", _building, {"community": ""}, "小区"),
    ("/buildings/add", _building, {"community": "999999"}, "小区"),
    ("/units/add", _unit, {"code": "1"}, "该楼栋已有相同编号的单元"),
    ("/units/add", _unit, {"name": ""}, "该字段是必填字段"),
    ("/houses/add", _house, {"building_area": "0"}, "建筑面积(㎡)必须大于 0"),
    ("/houses/add", _house, {"building_area": "-12.5"}, "建筑面积(㎡)必须大于 0"),
    ("/houses/add", _house, {"building_area": "12.345"}, "建筑面积(㎡)最多保留两位小数"),
    ("/houses/add", _house, {"building_area": "abc"}, "建筑面积(㎡)"),
    ("/houses/add", _house, {"building_area": ""}, "建筑面积(㎡)"),
    ("/houses/add", _house, {"building_area": "1e400"}, "建筑面积(㎡)"),
    ("/houses/add", _house, {"building_area": "NaN"}, "建筑面积(㎡)"),
    ("/houses/add", _house, {"inner_area": "-1"}, "套内面积(㎡)必须大于 0"),
    ("/houses/add", _house, {"inner_area": "120"}, "套内面积不能大于建筑面积"),
    ("/houses/add", _house, {"room_no": "0101"}, "该单元已有相同室号的房屋"),
    ("/houses/add", _house, {"room_no": ""}, "该字段是必填字段"),
    ("/houses/add", _house, {"room_no": LONG}, "字段长度不能超过 20 个字符"),
    ("/houses/add", _house, {"floor": "999"}, "楼层必须在 -5 到 200 之间"),
    ("/houses/add", _house, {"usage": "castle"}, "用途"),
    ("/houses/add", _house, {"unit": ""}, "单元"),
    ("/parking-spaces/add", _parking, {"code": "B001"}, "该小区已有相同编号的车位"),
    ("/parking-spaces/add", _parking, {"area": "-3"}, "面积(㎡)必须大于 0"),
    ("/parking-spaces/add", _parking, {"building": "OTHER_BUILDING"}, "该楼栋属于其他小区"),
    ("/parking-spaces/add", _parking, {"kind": "stolen"}, "类型"),
]


@pytest.mark.parametrize("url,make,override,message", FORM_CASES)
def test_form_refuses_bad_input(app, admin, estate, url, make, override, message):
    override = {k: (str(estate["other_building"]) if v == "OTHER_BUILDING" else v) for k, v in override.items()}
    before = _snapshot(app)
    resp = admin.post(url, data=make(estate, **override), follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in html
    assert _snapshot(app) == before


def test_good_forms_do_save(app, admin, estate):
    """The cases above fail only because of their bad field: the base payloads are good."""
    for url, make in (("/communities/add", _community), ("/buildings/add", _building), ("/units/add", _unit),
                      ("/houses/add", _house), ("/parking-spaces/add", _parking)):
        before = _snapshot(app)
        html = admin.post(url, data=make(estate), follow_redirects=True).get_data(as_text=True)
        assert "记录已添加" in html, url
        assert _snapshot(app) != before


def test_script_text_is_stored_as_text_and_shown_escaped(app, admin, estate):
    admin.post("/communities/add", data=_community(estate, name=SCRIPT), follow_redirects=True)
    with app.app_context():
        assert db.session.scalar(select(Community).where(Community.name == SCRIPT)) is not None
    html = admin.get("/communities/list/").get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


API_CASES = [
    ("community", {"name": "", "code": "C5"}, "名称不能为空"),
    ("community", {"name": "翠湖花园", "code": "C5"}, "已有相同名称的小区"),
    ("community", {"name": "X" * 101, "code": "C5"}, "长度不能超过 100"),
    ("building", {"community": "COMMUNITY", "code": "1", "name": "1号楼"}, "该小区已有相同编号的楼栋"),
    ("building", {"community": 999999, "code": "7", "name": "7号楼"}, "所选的小区不存在"),
    ("house", {"unit": "U11", "room_no": "0701", "floor": 7, "building_area": -1}, "建筑面积(㎡)必须大于 0"),
    ("house", {"unit": "U11", "room_no": "0701", "floor": 7, "building_area": "0"}, "建筑面积(㎡)必须大于 0"),
    ("house", {"unit": "U11", "room_no": "0701", "floor": 7, "building_area": 10.555}, "最多保留两位小数"),
    ("house", {"unit": "U11", "room_no": "0101", "floor": 1, "building_area": 80}, "该单元已有相同室号的房屋"),
    ("house", {"unit": "U11", "room_no": "0701", "floor": "七", "building_area": 80}, "不是有效的整数"),
    ("house", {"unit": "U11", "floor": 7, "building_area": 80}, "必填"),
    ("house", {"unit": "U11", "room_no": "0701", "floor": 7, "building_area": 80, "colour": "red"}, "未知字段"),
    ("house", {"unit": "U11", "room_no": "0701", "floor": 7, "building_area": 80, "usage": "castle"}, "用途"),
    ("parking_space", {"community": "COMMUNITY", "building": "OTHER_BUILDING", "code": "B77"}, "该楼栋属于其他小区"),
    ("parking_space", {"community": "COMMUNITY", "house": "OTHER_HOUSE", "code": "B77"}, "该房屋属于其他小区"),
]


def _resolve(value, e):
    return {"COMMUNITY": e["community"], "U11": e["u11"], "OTHER_BUILDING": e["other_building"],
            "OTHER_HOUSE": e["houses"][-1]}.get(value, value) \
        if isinstance(value, str) else value


@pytest.mark.parametrize("resource,payload,message", API_CASES)
def test_api_refuses_bad_input(app, admin, estate, resource, payload, message):
    payload = {k: _resolve(v, estate) for k, v in payload.items()}
    before = _snapshot(app)
    resp = admin.post(f"/api/v1/{resource}/", json=payload)
    assert resp.status_code in (400, 422), resp.get_data(as_text=True)
    if message:
        assert message in resp.get_data(as_text=True)
    assert _snapshot(app) == before


def test_api_put_refuses_bad_area_and_keeps_the_row(app, admin, estate):
    pk = estate["houses"][0]
    resp = admin.put(f"/api/v1/house/{pk}", json={"building_area": "-3"})
    assert resp.status_code == 422
    assert "建筑面积(㎡)必须大于 0" in resp.get_data(as_text=True)
    with app.app_context():
        assert str(db.session.get(House, pk).building_area) == "89.50"


@pytest.mark.parametrize("body,ctype", [("not json", "application/json"), ("{}", "text/plain"), ("[1,2]", "application/json")])
def test_api_garbage_bodies_never_500(admin, estate, body, ctype):
    resp = admin.post("/api/v1/house/", data=body, content_type=ctype)
    assert 400 <= resp.status_code < 500


def test_delete_with_dependents_is_refused(app, admin, estate):
    before = _snapshot(app)
    html = admin.post(f"/buildings/delete/{estate['b1']}", follow_redirects=True).get_data(as_text=True)
    assert "该楼栋下还有单元或车位" in html
    resp = admin.delete(f"/api/v1/unit/{estate['u11']}")
    assert resp.status_code == 422 and "该单元下还有房屋" in resp.get_data(as_text=True)
    assert _snapshot(app) == before


ODD_URLS = [
    "/houses/show/abc", "/houses/edit/999999", "/houses/list/?_flt_0_building=xyz", "/houses/list/?page_HouseView=-5",
    "/houses/list/?_oc_HouseView=nope&_od_HouseView=sideways", "/houses/list/?psize_HouseView=100000000",
    "/print/roster?building=abc", "/print/roster?building=999999", "/api/v1/house/?q=(((", "/api/v1/house/abc",
    "/api/v1/house/?q=(page_size:-1)", "/nowhere", "/communities/show/" + "9" * 40,
]


@pytest.mark.parametrize("url", ODD_URLS)
def test_odd_urls_never_500(admin, estate, url):
    resp = admin.get(url)
    assert resp.status_code != 500 and resp.status_code < 500, url
