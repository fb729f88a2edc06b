"""过户 settles the house: the page shows what it owes and holds, a house that owes is transferred only with the
bills settled or a note on how they are carried, and the old owner's household leaves in the same step."""
import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.billing import services
from app.billing.models import HouseAccount
from app.core.audit import set_cli_actor
from app.estate.models import AccessCard, House, MoveRecord, Owner, Ownership, ParkingSpace, Resident, Vehicle
from app.extensions import db
from app.security import roles
from tests.conftest import actor, flashes, resident_id

pytestmark = pytest.mark.moment("2026-12-03 10:00")

NEW_ID = resident_id("19920505", "110105", "456")


@pytest.fixture
def house(app, fees):
    """House 1 with its owner 林晓燕, two months of bills, ¥80 预存, a resident, a card, a car and a rented space."""
    with app.app_context():
        set_cli_actor("test")
        h1 = fees["houses"][0]
        old = Owner(kind="person", name="林晓燕", id_type="resident_id", id_number=resident_id("19700101"))
        db.session.add(old)
        db.session.flush()
        db.session.add(Ownership(house_id=h1, owner_id=old.id, share=Decimal("100"), started_on=date(2018, 1, 1)))
        manager = actor(app, roles.MANAGER)
        services.commit_run(fees["community"], "2026-10", manager, today=date(2026, 10, 5))
        services.commit_run(fees["community"], "2026-11", manager, today=date(2026, 11, 5))
        db.session.add(HouseAccount(house_id=h1, balance=Decimal("80.00")))
        rented = ParkingSpace(community_id=fees["community"], code="B009", location="under", kind="rented",
                              status="rented", house_id=h1)
        db.session.add_all([
            rented,
            Resident(house_id=h1, name="林小北", relation="child", moved_in_on=date(2018, 2, 1)),
            AccessCard(house_id=h1, kind="card", number="MJ-0101", holder="林晓燕", issued_on=date(2018, 2, 1)),
            Vehicle(house_id=h1, owner_id=old.id, plate="浙A4T0KF", brand="大众"),
        ])
        db.session.commit()
        owing = services.arrears_of(h1)
        set_cli_actor(None)
        return {"house": h1, "owing": owing, "rented": rented.id, "sold": fees["parking"]}


def _form(**kw):
    form = {"id_type": "resident_id", "id_number": NEW_ID, "name": "孙七", "phone": "", "on_date": "2026-12-03",
            "certificate_no": "浙(2026)杭州市不动产权第0001号", "reason": "买卖", "carry_note": ""}
    form.update(kw)
    return form


def _ids(app, model, house_id):
    with app.app_context():
        return [str(i) for i in db.session.scalars(select(model.id).where(model.house_id == house_id))]


def test_the_page_shows_what_the_house_owes_and_holds(app, login_as, house):
    html = login_as(roles.SERVICE).get(f"/transfer/{house['house']}").get_data(True)
    assert "本户今日欠费与余额" in html
    assert f"¥{house['owing']:,.2f}" in html and "去收费台结清" in html
    assert "预存余额" in html and "¥80.00" in html and "维修基金余额" in html
    assert "林小北" in html and "MJ-0101" in html and "浙A4T0KF" in html and "B009" in html


def test_a_house_that_owes_is_not_transferred_without_a_note(app, login_as, house):
    c = login_as(roles.SERVICE)
    html = c.post(f"/transfer/{house['house']}", data=_form(), follow_redirects=True).get_data(True)
    assert f"本户尚欠 ¥{house['owing']:,.2f}（含滞纳金）" in html, flashes(html)
    with app.app_context():
        current = db.session.scalars(select(Ownership).where(Ownership.house_id == house["house"],
                                                             Ownership.ended_on.is_(None))).all()
        assert [o.owner.name for o in current] == ["林晓燕"]
        assert db.session.scalars(select(Resident.moved_out_on)).all() == [None]


def test_the_transfer_settles_and_the_household_leaves_in_one_step(app, login_as, house):
    c = login_as(roles.SERVICE)
    h = house["house"]
    data = _form(carry_note="原业主承诺2026年12月10日前结清")
    data_multi = [(k, v) for k, v in data.items()]
    data_multi += [("resident_ids", i) for i in _ids(app, Resident, h)]
    data_multi += [("card_ids", i) for i in _ids(app, AccessCard, h)]
    data_multi += [("vehicle_ids", i) for i in _ids(app, Vehicle, h)]
    data_multi += [("space_ids", str(house["rented"]))]
    from werkzeug.datastructures import MultiDict

    html = c.post(f"/transfer/{h}", data=MultiDict(data_multi), follow_redirects=True).get_data(True)
    assert "过户已完成：迁出 1 人，收回门禁卡/钥匙 1 张，注销车辆 1 辆，退还车位 1 个" in html, flashes(html)
    with app.app_context():
        new = db.session.scalars(select(Ownership).where(Ownership.house_id == h, Ownership.ended_on.is_(None))).one()
        assert new.owner.name == "孙七"
        assert "原业主承诺2026年12月10日前结清" in new.handover_note and "预存余额 ¥80.00" in new.handover_note
        assert db.session.scalars(select(Resident.moved_out_on)).all() == [date(2026, 12, 3)]
        move = db.session.scalars(select(MoveRecord).where(MoveRecord.house_id == h)).one()
        assert (move.kind, move.person, move.moved_on) == ("out", "林小北", date(2026, 12, 3))
        assert db.session.scalars(select(AccessCard.returned_on)).all() == [date(2026, 12, 3)]
        assert db.session.scalars(select(Vehicle.ended_on)).all() == [date(2026, 12, 3)]
        rented, sold = db.session.get(ParkingSpace, house["rented"]), db.session.get(ParkingSpace, house["sold"])
        assert (rented.house_id, rented.status) == (None, "free")
        assert sold.house_id == h  # a space the old owner bought is not taken without asking
        # the bills are still there, to be paid: nothing owed disappears with the transfer
        assert services.arrears_of(h) == house["owing"]
    # the new owner's card does not show the old owner's car; the house page keeps it as ended history
    card = c.get(f"/print/owner-card?house={h}")
    assert card.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(card.data)).pages)
    assert "已交回门禁卡/钥匙 1 张" in text and "浙A4T0KF" not in text
    page = c.get(f"/houses/show/{h}").get_data(True)
    assert "浙A4T0KF" in page and "2026年12月3日" in page
    # and the plate no longer finds the house at the desk
    assert "浙A4T0KF" not in c.get("/households/?q=4T0KF", follow_redirects=True).get_data(True)


def test_a_house_that_owes_nothing_is_transferred_without_a_note(app, login_as, house):
    with app.app_context():
        set_cli_actor("test")
        cashier = actor(app, roles.CASHIER)
        lines = services.unpaid_lines(house["house"])
        services.pay(house["house"], [line.id for line in lines], "cash", cashier)
        db.session.commit()
        set_cli_actor(None)
    html = login_as(roles.SERVICE).post(f"/transfer/{house['house']}", data=_form(),
                                        follow_redirects=True).get_data(True)
    assert "过户已完成：迁出 0 人" in html, flashes(html)
    with app.app_context():
        assert db.session.scalars(select(Resident.moved_out_on)).all() == [None]  # nothing ticked, nothing ended
        house_row = db.session.get(House, house["house"])
        assert [v.plate for v in house_row.current_vehicles] == ["浙A4T0KF"]
