"""Adding and editing houses through the forms, as the office does it."""
from decimal import Decimal

from sqlalchemy import func, select

from app.estate.models import House
from app.extensions import db


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(House.id)))


def _form(estate, **over):
    data = {
        "unit": str(estate["u11"]), "room_no": "0501", "floor": "5", "building_area": "120.36",
        "inner_area": "78.10", "layout": "三室两厅", "usage": "residential", "status": "vacant", "remark": "",
    }
    data.update(over)
    return data


def test_add_house_derives_house_number_and_shows_in_list(app, admin, estate):
    resp = admin.post("/houses/add", data=_form(estate), follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "记录已添加" in html
    with app.app_context():
        house = db.session.scalar(select(House).where(House.house_no == "1-1-0501"))
        assert house.building_id == estate["b1"] and house.community_id == estate["community"]
        assert house.building_area == Decimal("120.36")
    listing = admin.get(f"/houses/list/?_flt_0_building={estate['b1']}").get_data(as_text=True)
    assert "1-1-0501" in listing and "建筑面积" in listing


def test_duplicate_room_is_refused_with_chinese_message(app, admin, estate):
    before = _count(app)
    resp = admin.post("/houses/add", data=_form(estate, room_no="0101"), follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "该单元已有相同室号的房屋" in html
    assert _count(app) == before


def test_edit_keeps_own_room_number_and_rederives(app, admin, estate):
    pk = estate["houses"][0]
    resp = admin.post(f"/houses/edit/{pk}", data=_form(estate, room_no="0101", floor="1", building_area="88.88"),
                      follow_redirects=True)
    assert resp.status_code == 200
    with app.app_context():
        assert db.session.get(House, pk).building_area == Decimal("88.88")


def test_moving_house_to_other_unit_updates_house_number(app, admin, estate):
    pk = estate["houses"][0]
    admin.post(f"/houses/edit/{pk}", data=_form(estate, unit=str(estate["u21"]), room_no="0909", floor="9"),
               follow_redirects=True)
    with app.app_context():
        house = db.session.get(House, pk)
        assert house.house_no == "2-1-0909" and house.building_id == estate["b2"]
