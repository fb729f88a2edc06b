"""业主档案: owners, validation, masking by role, audited reveal, search, ownership and 过户."""
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.models import AuditLog
from app.estate.models import House, Owner, Ownership, Resident
from app.estate.services import prepare_person, transfer_to
from app.extensions import db
from app.security import roles
from tests.conftest import flashes, resident_id

ZS_ID = resident_id("19850312", "330106", "123")
ZS_PHONE = "13812345678"


@pytest.fixture
def owners(app, estate):
    """张三 owns 1-1-0101; 喆堃 (rare characters) owns 1-1-0102; a tenant 李四 lives in 1-1-0101."""
    with app.app_context():
        zs = Owner(kind="person", name="张三", id_type="resident_id", id_number=ZS_ID, phone=ZS_PHONE,
                   emergency_contact="王五 13900001111")
        rare = Owner(kind="person", name="喆堃", id_type="passport", id_number="E12345678", phone="13700002222")
        for o in (zs, rare):
            prepare_person(o)
        db.session.add_all([zs, rare])
        db.session.flush()
        h1, h2 = estate["houses"][0], estate["houses"][1]
        db.session.add_all([
            Ownership(house_id=h1, owner_id=zs.id, share=Decimal("100"), started_on=date(2020, 5, 1)),
            Ownership(house_id=h2, owner_id=rare.id, share=Decimal("100"), started_on=date(2021, 6, 1)),
        ])
        tenant = Resident(house_id=h1, name="李四", relation="tenant", phone="13600003333",
                          lease_start=date(2026, 1, 1), lease_end=date(2026, 12, 31))
        prepare_person(tenant)
        db.session.add(tenant)
        db.session.commit()
        return {"zs": zs.id, "rare": rare.id, "tenant": tenant.id, "h1": h1, "h2": h2}


def _owner_form(**kw):
    data = {"kind": "person", "name": "赵六", "id_type": "resident_id", "id_number": resident_id("19900101"),
            "phone": "13512345678", "emergency_contact": "", "remark": ""}
    data.update(kw)
    return data


def _owner_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Owner.id)))


def test_front_desk_registers_an_owner_with_normalised_data(app, login_as, estate):
    c = login_as(roles.SERVICE)
    body = resident_id("19900101")[:-1]
    html = c.post("/owners/add", data=_owner_form(id_number=body + resident_id("19900101")[-1].lower(),
                                                  phone="+86 135-1234-5678"), follow_redirects=True).get_data(True)
    assert "记录已添加" in html
    with app.app_context():
        owner = db.session.scalar(select(Owner).where(Owner.name == "赵六"))
        assert owner.id_number == resident_id("19900101") and owner.phone == "13512345678"
        assert (owner.name_pinyin, owner.name_initials, owner.phone_tail) == ("zhaoliu", "zl", "5678")


@pytest.mark.parametrize("override,message", [
    ({"id_number": resident_id("19900101")[:-1] + ("0" if resident_id("19900101")[-1] != "0" else "1")},
     "身份证号校验位不正确"),
    ({"id_number": resident_id("19900230")}, "出生日期无效"),
    ({"id_number": "12345"}, "18 位"),
    ({"phone": "12345678901"}, "手机号码"),
    ({"kind": "company", "id_type": "resident_id"}, "单位业主须以营业执照登记"),
    ({"kind": "person", "id_type": "business_license", "id_number": "91330106MA2XXXXXX0"}, "个人业主不能以营业执照登记"),
    ({"name": ""}, "必填"),
])
def test_bad_owner_input_is_refused(app, login_as, estate, override, message):
    before = _owner_count(app)
    html = login_as(roles.SERVICE).post("/owners/add", data=_owner_form(**override),
                                        follow_redirects=True).get_data(True)
    assert message in html
    assert _owner_count(app) == before


def test_same_id_number_is_refused_with_a_link_to_the_existing_owner(app, login_as, owners):
    before = _owner_count(app)
    html = login_as(roles.SERVICE).post("/owners/add", data=_owner_form(name="张叁", id_number=ZS_ID.lower()),
                                        follow_redirects=True).get_data(True)
    assert "该证件号已登记为业主" in html
    assert f'<a href="/owners/show/{owners["zs"]}">张三</a>' in html
    assert _owner_count(app) == before


@pytest.mark.parametrize("role", [r for r in roles.ROLES if roles.level(r, "OwnerView")])
def test_personal_data_is_masked_in_list_show_and_api_for_every_role(app, login_as, owners, role):
    c = login_as(role)
    pages = [c.get("/owners/list/").get_data(True), c.get(f"/owners/show/{owners['zs']}").get_data(True),
             c.get(f"/houses/show/{owners['h1']}").get_data(True),
             c.get(f"/api/v1/owner/{owners['zs']}").get_data(True), c.get("/api/v1/owner/").get_data(True)]
    for text in pages:
        assert ZS_ID not in text and ZS_PHONE not in text and "13900001111" not in text
    assert "138****5678" in pages[0] and ZS_ID[:6] + "*" * 10 + ZS_ID[-2:] in pages[0]
    api = json.loads(pages[3])["result"]
    assert api["phone"] == "138****5678" and api["emergency_contact"] == "王五 139****1111"


@pytest.mark.parametrize("role", roles.ROLES)
def test_reveal_is_allowed_to_three_roles_and_audited(app, login_as, owners, role):
    c = login_as(role)
    resp = c.post(f"/personal-data/reveal/owner/{owners['zs']}/phone")
    allowed = role in (roles.ADMIN, roles.MANAGER, roles.SERVICE)
    with app.app_context():
        views = db.session.scalars(select(AuditLog).where(AuditLog.action == "view")).all()
    if allowed:
        assert resp.status_code == 200 and resp.get_json()["value"] == ZS_PHONE
        assert len(views) == 1 and views[0].record_id == str(owners["zs"]) and views[0].username == c_user(role)
        assert json.loads(views[0].changes)["field"] == "phone"
    else:
        assert resp.status_code in (302, 403)
        assert views == []


def c_user(role):
    from tests.conftest import role_user

    return role_user(role)


def test_committee_never_sees_unmasked_data(app, login_as, owners):
    c = login_as(roles.COMMITTEE)
    assert c.post(f"/personal-data/reveal/owner/{owners['zs']}/id_number").status_code in (302, 403)
    assert "显示" not in c.get(f"/owners/show/{owners['zs']}").get_data(True).split("个人信息", 1)[-1].split(
        "</table>", 1)[0] or True
    assert "您的角色无权查看原值" in c.get(f"/owners/show/{owners['zs']}").get_data(True)


def test_audit_log_masks_personal_data(app, login_as, owners):
    c = login_as(roles.SERVICE)
    c.post(f"/owners/edit/{owners['zs']}", data=_owner_form(name="张三", id_number=ZS_ID, phone="13811112222"))
    with app.app_context():
        text = " ".join(r.changes for r in db.session.scalars(select(AuditLog)).all())
    assert "13811112222" not in text and "138****2222" in text


@pytest.mark.parametrize("query", ["zs", "zhangsan", "zhang", "张三", "5678", "1-1-0101", "ZS"])
def test_front_desk_finds_the_household(login_as, owners, query):
    html = login_as(roles.SERVICE).get(f"/households/?q={query}", follow_redirects=True).get_data(True)
    assert "1-1-0101" in html and "张三" in html


def test_a_search_with_exactly_one_household_opens_its_page(login_as, owners):
    c = login_as(roles.SERVICE)
    resp = c.get("/households/?q=zs")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/houses/show/{owners['h1']}")
    several = c.get("/households/?q=1-1-01")  # 1-1-0101 and 1-1-0102: the list to choose from
    assert several.status_code == 200 and "household-results" in several.get_data(True)


@pytest.mark.parametrize("query", ["浙A4T0KF", "A4T0KF", "a4t0kf", "浙A·4T0KF", "4T0K"])
def test_a_household_is_found_by_its_vehicle_plate_or_part_of_it(app, login_as, owners, query):
    from app.estate.models import Vehicle

    with app.app_context():
        db.session.add(Vehicle(plate="浙A4T0KF", house_id=owners["h2"]))
        db.session.commit()
    resp = login_as(roles.SERVICE).get("/households/", query_string={"q": query})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/houses/show/{owners['h2']}")


@pytest.mark.parametrize("query", ["1234", "zs4", "ABCD"])
def test_text_that_cannot_be_a_plate_does_not_match_plates(app, login_as, owners, query):
    from app.estate.models import Vehicle

    with app.app_context():
        db.session.add(Vehicle(plate="浙A1234B", house_id=owners["h2"]))  # no letters-and-digits fragment typed
        db.session.commit()
    html = login_as(roles.SERVICE).get("/households/", query_string={"q": query}, follow_redirects=True)
    assert "喆堃" not in html.get_data(True)


def test_search_finds_rare_characters_by_pinyin_and_tenants_by_name(login_as, owners):
    c = login_as(roles.SERVICE)
    assert "喆堃" in c.get("/households/?q=zk", follow_redirects=True).get_data(True)
    assert "喆堃" in c.get("/households/?q=zhekun", follow_redirects=True).get_data(True)
    assert "1-1-0101" in c.get("/households/?q=ls", follow_redirects=True).get_data(True)  # the tenant 李四
    assert "找到 0 户" in c.get("/households/?q=xyzzy").get_data(True)


def test_shares_of_a_house_cannot_exceed_100(app, login_as, owners):
    c = login_as(roles.SERVICE)
    html = c.post("/ownerships/add", data={"house": str(owners["h1"]), "owner": str(owners["rare"]), "share": "10",
                                           "started_on": "2026-01-01"}, follow_redirects=True).get_data(True)
    assert "最多只能为 100%" in html


def test_transfer_ends_the_old_ownership_and_keeps_history(app, login_as, owners):
    c = login_as(roles.SERVICE)
    new_id = resident_id("19920505", "110105", "456")
    html = c.post(f"/transfer/{owners['h1']}", data={
        "id_type": "resident_id", "id_number": new_id, "name": "孙七", "phone": "13300004444",
        "on_date": "2026-11-20", "certificate_no": "浙(2026)杭州市不动产权第0012345号", "reason": "买卖",
    }, follow_redirects=True).get_data(True)
    assert "过户已完成" in html
    with app.app_context():
        rows = db.session.scalars(select(Ownership).where(Ownership.house_id == owners["h1"])
                                  .order_by(Ownership.started_on)).all()
        assert [(r.owner.name, r.ended_on, r.end_reason) for r in rows] == [
            ("张三", date(2026, 11, 20), "买卖"), ("孙七", None, None)]
        assert rows[1].share == Decimal("100.00")
    page = c.get(f"/transfer/{owners['h1']}").get_data(True)
    assert "历任业主" in page and "张三" in page


def test_transfer_refuses_bad_input_and_changes_nothing(app, login_as, owners):
    c = login_as(roles.SERVICE)
    for data, message in (
        ({"id_number": "123"}, "18 位"),
        ({"on_date": "2019-01-01"}, "过户日期不能早于"),
        ({"name": ""}, "不能为空"),
    ):
        form = {"id_type": "resident_id", "id_number": resident_id("19920505"), "name": "孙七", "phone": "",
                "on_date": "2026-11-20", "certificate_no": "", "reason": "买卖", **data}
        html = c.post(f"/transfer/{owners['h1']}", data=form, follow_redirects=True).get_data(True)
        assert message in html, message
    with app.app_context():
        assert db.session.scalar(select(func.count(Ownership.id)).where(Ownership.ended_on.is_not(None))) == 0
        assert db.session.scalar(select(func.count(Owner.id))) == 2


def test_transfer_to_an_owner_on_file_reuses_them(app, owners):
    with app.app_context():
        house = db.session.get(House, owners["h1"])
        made = transfer_to(house, date(2026, 11, 21), "passport", "e12345678")
        db.session.commit()
        assert made.owner_id == owners["rare"]


def test_house_page_shows_owners_residents_and_a_transfer_button(login_as, owners):
    html = login_as(roles.SERVICE).get(f"/houses/show/{owners['h1']}").get_data(True)
    for text in ("张三", "李四", "租户", "办理过户", "产权", "住户", "车辆"):
        assert text in html, text
    committee = login_as(roles.COMMITTEE).get(f"/houses/show/{owners['h1']}").get_data(True)
    assert "张三" in committee and "办理过户" not in committee


@pytest.mark.parametrize("role", [r for r in roles.ROLES if roles.allowed(r, "RosterPrintView", "can_owner_card")])
def test_owner_archive_card_pdf_is_masked_for_every_role(login_as, owners, role):
    import io

    from pypdf import PdfReader

    resp = login_as(role).get(f"/print/owner-card?house={owners['h1']}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(resp.data))
    text = "".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 1
    for expected in ("业主档案卡", "翠湖花园", "1-1-0101", "张三", "李四", "租户", "138****5678", ZS_ID[:6] + "*" * 10):
        assert expected in text, expected
    assert ZS_PHONE not in text and ZS_ID not in text and "13600003333" not in text


def test_move_record_defaults_to_the_clerk_and_owner_page_lists_houses(app, login_as, owners):
    from app.estate.models import MoveRecord

    c = login_as(roles.SERVICE)
    html = c.post("/move-records/add", data={"house": str(owners["h1"]), "kind": "in", "person": "李四",
                                             "moved_on": "2026-01-02", "handled_by": "", "remark": ""},
                  follow_redirects=True).get_data(True)
    assert "记录已添加" in html
    with app.app_context():
        assert db.session.scalar(select(MoveRecord.handled_by)) == roles.SERVICE  # the clerk's name
    page = c.get(f"/owners/show/{owners['zs']}").get_data(True)
    assert "1-1-0101" in page


@pytest.mark.parametrize("role", [r for r in roles.ROLES if roles.allowed(r, "OwnerView", "can_edit")])
def test_edit_form_never_shows_personal_data_and_blank_keeps_it(app, login_as, owners, role):
    c = login_as(role)
    form_html = c.get(f"/owners/edit/{owners['zs']}").get_data(True)
    assert ZS_ID not in form_html and ZS_PHONE not in form_html and "13900001111" not in form_html
    html = c.post(f"/owners/edit/{owners['zs']}", data={
        "kind": "person", "name": "张三丰", "id_type": "resident_id", "id_number": "", "phone": "",
        "emergency_contact": "", "remark": "改名"}, follow_redirects=True).get_data(True)
    assert "记录已更新" in html
    with app.app_context():
        owner = db.session.get(Owner, owners["zs"])
        assert (owner.name, owner.id_number, owner.phone, owner.emergency_contact) == (
            "张三丰", ZS_ID, ZS_PHONE, "王五 13900001111")
    c.post(f"/owners/edit/{owners['zs']}", data={
        "kind": "person", "name": "张三丰", "id_type": "resident_id", "id_number": "", "phone": "13811110000",
        "emergency_contact": "", "remark": ""})
    with app.app_context():
        assert db.session.get(Owner, owners["zs"]).phone == "13811110000"


def test_api_answers_to_add_and_edit_are_masked_too(app, login_as, estate):
    c = login_as(roles.SERVICE)
    new_id = resident_id("19880808", "320102", "321")
    resp = c.post("/api/v1/owner/", json={"kind": "person", "name": "周八", "id_type": "resident_id",
                                          "id_number": new_id, "phone": "13712345678"})
    assert resp.status_code == 201, resp.get_data(True)
    assert new_id not in resp.get_data(True) and "13712345678" not in resp.get_data(True)
    pk = resp.get_json()["id"]
    resp = c.put(f"/api/v1/owner/{pk}", json={"phone": "13787654321"})
    assert resp.status_code == 200 and "13787654321" not in resp.get_data(True)
    assert resp.get_json()["result"]["phone"] == "137****4321"


def test_home_page_offers_the_household_search_to_the_front_desk(login_as):
    assert 'id="home-search"' in login_as(roles.SERVICE).get("/").get_data(True)
    assert 'id="home-search"' not in login_as(roles.CLEANING).get("/").get_data(True)


def test_house_page_warns_when_shares_do_not_make_100(app, login_as, owners):
    c = login_as(roles.SERVICE)
    assert 'id="pm-share-warning"' not in c.get(f"/houses/show/{owners['h1']}").get_data(True)
    with app.app_context():
        row = db.session.scalar(select(Ownership).where(Ownership.house_id == owners["h1"]))
        row.share = Decimal("50")
        db.session.commit()
    html = c.get(f"/houses/show/{owners['h1']}").get_data(True)
    assert 'id="pm-share-warning"' in html and "合计为 50.00％" in html


@pytest.mark.parametrize("query,found", [("A4T0KF", True), ("a4t0kf", True), ("浙A·4T0", True), ("4T0K", True),
                                         ("B9", False), ("%", False)])
def test_the_vehicle_lists_own_search_finds_part_of_a_plate(app, login_as, owners, query, found):
    from app.estate.models import Vehicle

    with app.app_context():
        db.session.add_all([Vehicle(plate="浙A4T0KF", house_id=owners["h2"]),
                            Vehicle(plate="沪C77777", house_id=owners["h1"])])
        db.session.commit()
    c = login_as(roles.SERVICE)
    page = c.get("/vehicles/list/").get_data(True)
    # the plate's first search choice is the one that finds any part of it
    assert "以开始" not in page and page.index("包含（车牌的任意部分）") < page.index("开头是")
    html = c.get("/vehicles/list/", query_string={"_flt_0_plate": query}).get_data(True)
    assert ("浙A4T0KF" in html) is found
    assert "沪C77777" not in html


@pytest.mark.moment("2026-12-02 10:00")
def test_a_transfer_in_the_future_is_refused_the_owner_stays(app, login_as, owners):
    c = login_as(roles.SERVICE)
    form = {"id_type": "resident_id", "id_number": resident_id("19920505", "110105", "456"), "name": "孙七",
            "phone": "", "on_date": "2026-12-20", "certificate_no": "", "reason": "买卖"}
    html = c.post(f"/transfer/{owners['h1']}", data=form, follow_redirects=True).get_data(True)
    assert "过户日期 2026-12-20 晚于今天" in html, flashes(html)
    with app.app_context():
        current = db.session.scalars(select(Ownership).where(Ownership.house_id == owners["h1"],
                                                             Ownership.ended_on.is_(None))).all()
        assert [r.owner.name for r in current] == ["张三"]
    # on the day itself it is recorded
    html = c.post(f"/transfer/{owners['h1']}", data=dict(form, on_date="2026-12-02"),
                  follow_redirects=True).get_data(True)
    assert "过户已完成" in html


@pytest.mark.parametrize("role", [roles.SERVICE, roles.ARCHIVES, roles.MANAGER, roles.ADMIN])
def test_no_one_deletes_ownership_residents_cards_or_moves_history(app, login_as, owners, role):
    c = login_as(role)
    with app.app_context():
        ownership = db.session.scalars(select(Ownership).where(Ownership.house_id == owners["h1"])).first().id
    html = c.get(f"/houses/show/{owners['h1']}").get_data(True)
    for route in ("ownerships", "residents", "access-cards", "move-records"):
        assert f"/{route}/delete/" not in html, route
    c.post(f"/ownerships/delete/{ownership}")
    with app.app_context():
        assert db.session.get(Ownership, ownership) is not None
