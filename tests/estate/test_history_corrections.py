"""History of a house that is neither lost nor bent: no one deletes it, a clerk fills in only what was left blank,
a fact already recorded is corrected by the 项目经理 with a reason, and the house page shows both."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.models import Correction
from app.core.rules import RuleViolation
from app.estate.models import AccessCard, MoveRecord, Owner, Ownership, Resident
from app.extensions import db
from app.security import roles
from tests.conftest import flashes, resident_id

pytestmark = pytest.mark.moment("2026-12-03 10:00")


@pytest.fixture
def history(app, estate):
    """Ended and current ownership of house 1, a resident, a card and a move record."""
    with app.app_context():
        old = Owner(kind="person", name="林晓燕", id_type="resident_id", id_number=resident_id("19700101"))
        new = Owner(kind="person", name="周建国", id_type="resident_id", id_number=resident_id("19750202"))
        db.session.add_all([old, new])
        db.session.flush()
        h1 = estate["houses"][0]
        ended = Ownership(house_id=h1, owner_id=old.id, share=Decimal("100"), certificate_no="京房权证001",
                          started_on=date(2015, 3, 1), ended_on=date(2024, 6, 30), end_reason="买卖")
        current = Ownership(house_id=h1, owner_id=new.id, share=Decimal("100"), started_on=date(2024, 6, 30))
        resident = Resident(house_id=h1, name="周小雨", relation="child", moved_in_on=date(2024, 7, 1))
        card = AccessCard(house_id=h1, kind="card", number="MJ-0001", holder="周建国", issued_on=date(2024, 7, 1))
        move = MoveRecord(house_id=h1, kind="in", person="周建国", moved_on=date(2024, 7, 1), handled_by="王助理")
        db.session.add_all([ended, current, resident, card, move])
        db.session.commit()
        return {"house": h1, "ended": ended.id, "current": current.id, "resident": resident.id, "card": card.id,
                "move": move.id, "old_owner": old.id, "new_owner": new.id}


def _ownership_form(app, pk, **changes):
    with app.app_context():
        o = db.session.get(Ownership, pk)
        form = {"house": str(o.house_id), "owner": str(o.owner_id), "share": str(o.share),
                "certificate_no": o.certificate_no or "", "delivered_on": "", "moved_in_on": "",
                "started_on": o.started_on.isoformat(), "ended_on": o.ended_on.isoformat() if o.ended_on else "",
                "end_reason": o.end_reason or "", "correction_reason": ""}
    form.update(changes)
    return form


def _corrections(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Correction.id)))


def test_a_clerk_cannot_change_what_was_recorded(app, login_as, history):
    c = login_as(roles.SERVICE)
    html = c.post(f"/ownerships/edit/{history['ended']}",
                  data=_ownership_form(app, history["ended"], certificate_no="京房权证999", started_on="2016-03-01",
                                       correction_reason="我觉得不对"),
                  follow_redirects=True).get_data(True)
    assert "只有项目经理可以更正" in html, flashes(html)
    with app.app_context():
        o = db.session.get(Ownership, history["ended"])
        assert (o.certificate_no, o.started_on) == ("京房权证001", date(2015, 3, 1))
    assert _corrections(app) == 0


def test_a_clerk_fills_in_what_was_left_blank(app, login_as, history):
    """Ending an ownership, or noting the day a card came back, is ordinary work, not a correction."""
    c = login_as(roles.SERVICE)
    html = c.post(f"/ownerships/edit/{history['current']}",
                  data=_ownership_form(app, history["current"], certificate_no="京房权证002"),
                  follow_redirects=True).get_data(True)
    assert "记录已更新" in html, flashes(html)
    with app.app_context():
        assert db.session.get(Ownership, history["current"]).certificate_no == "京房权证002"
    assert _corrections(app) == 0


def test_the_manager_corrects_with_a_reason_and_both_stay_visible(app, login_as, history):
    c = login_as(roles.MANAGER)
    form = _ownership_form(app, history["ended"], certificate_no="京房权证010", ended_on="2024-07-15")
    html = c.post(f"/ownerships/edit/{history['ended']}", data=form, follow_redirects=True).get_data(True)
    assert "更正已记录的内容须写明更正原因" in html, flashes(html)
    assert _corrections(app) == 0
    form["correction_reason"] = "按不动产登记簿核对：证号、过户日期录入错误"
    c.post(f"/ownerships/edit/{history['ended']}", data=form, follow_redirects=True)
    with app.app_context():
        o = db.session.get(Ownership, history["ended"])
        assert (o.certificate_no, o.ended_on) == ("京房权证010", date(2024, 7, 15))
        correction = db.session.scalars(select(Correction)).one()
        assert correction.table_name == "estate_ownership" and correction.record_id == history["ended"]
    # the house page shows the row as corrected and what it said before, who corrected it and why
    page = login_as(roles.SERVICE).get(f"/houses/show/{history['house']}").get_data(True)
    assert "京房权证010" in page
    assert "京房权证001 → 京房权证010" in page and "2024年6月30日 → 2024年7月15日" in page
    assert "按不动产登记簿核对" in page and "林晓燕" in page


def test_a_corrected_owner_names_both_owners(app, login_as, history):
    with app.app_context():
        other = Owner(kind="person", name="林晓红", id_type="resident_id", id_number=resident_id("19710303"))
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    c = login_as(roles.MANAGER)
    c.post(f"/ownerships/edit/{history['ended']}",
           data=_ownership_form(app, history["ended"], owner=str(other_id), correction_reason="业主姓名张冠李戴"),
           follow_redirects=True)
    page = c.get(f"/houses/show/{history['house']}").get_data(True)
    assert "林晓燕 → 林晓红" in page and "业主姓名张冠李戴" in page


@pytest.mark.parametrize("route,key,form", [
    ("residents", "resident", {"name": "周小宇", "relation": "child", "phone": "", "moved_in_on": "2024-07-01",
                               "moved_out_on": "", "lease_start": "", "lease_end": "", "remark": ""}),
    ("access-cards", "card", {"kind": "card", "number": "MJ-0009", "holder": "周建国", "issued_on": "2024-07-01",
                              "returned_on": "", "handled_by": "", "remark": ""}),
    ("move-records", "move", {"kind": "in", "person": "周建国", "moved_on": "2024-08-01", "handled_by": "王助理",
                              "remark": ""}),
])
def test_residents_cards_and_moves_are_corrected_the_same_way(app, login_as, history, route, key, form):
    form = {"house": str(history["house"]), "correction_reason": "", **form}
    model = {"resident": Resident, "card": AccessCard, "move": MoveRecord}[key]
    with app.app_context():
        before = {c.key: getattr(db.session.get(model, history[key]), c.key) for c in model.__table__.columns
                  if c.key not in ("changed_on", "changed_by_fk")}
    html = login_as(roles.SERVICE).post(f"/{route}/edit/{history[key]}", data=form,
                                        follow_redirects=True).get_data(True)
    assert "只有项目经理可以更正" in html, flashes(html)
    with app.app_context():
        row = db.session.get(model, history[key])
        assert {k: getattr(row, k) for k in before} == before
    login_as(roles.MANAGER).post(f"/{route}/edit/{history[key]}", data={**form, "correction_reason": "录入错误"},
                                 follow_redirects=True)
    assert _corrections(app) == 1


def test_a_card_coming_back_is_ordinary_work(app, login_as, history):
    form = {"house": str(history["house"]), "kind": "card", "number": "MJ-0001", "holder": "周建国",
            "issued_on": "2024-07-01", "returned_on": "2026-12-03", "handled_by": "", "remark": "",
            "correction_reason": ""}
    login_as(roles.SERVICE).post(f"/access-cards/edit/{history['card']}", data=form, follow_redirects=True)
    with app.app_context():
        assert db.session.get(AccessCard, history["card"]).returned_on == date(2026, 12, 3)
    assert _corrections(app) == 0


def test_history_and_corrections_are_not_deleted_or_edited_by_any_path(app, history, login_as):
    login_as(roles.MANAGER).post(f"/ownerships/edit/{history['ended']}",
                                 data=_ownership_form(app, history["ended"], certificate_no="京房权证010",
                                                      correction_reason="录入错误"), follow_redirects=True)
    with app.app_context():
        for model, key in ((Ownership, "ended"), (Resident, "resident"), (AccessCard, "card"), (MoveRecord, "move")):
            db.session.delete(db.session.get(model, history[key]))
            with pytest.raises(RuleViolation):
                db.session.flush()
            db.session.rollback()
        correction = db.session.scalars(select(Correction)).one()
        correction.reason = "改个理由"
        with pytest.raises(RuleViolation):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(Correction)).one())
        with pytest.raises(RuleViolation):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalars(select(Correction)).one().reason == "录入错误"
