"""Side channels on masked personal data: sorting the API by a masked column, the duplicate-证件号 check."""
import json

import prison
import pytest
from sqlalchemy import func, select

from app.core.models import AuditLog
from app.estate.models import Owner
from app.extensions import db
from app.security import roles
from tests.conftest import resident_id, role_user
from tests.estate.test_owners import ZS_ID, _owner_form, owners  # noqa: F401  (the fixture)


def _list(c, **args):
    return c.get("/api/v1/owner/?q=" + prison.dumps(args))


@pytest.mark.parametrize("column", ["id_number", "phone", "emergency_contact"])
def test_owner_api_refuses_sorting_by_a_masked_column(login_as, owners, column):  # noqa: F811
    c = login_as(roles.COMMITTEE)
    for direction in ("asc", "desc"):
        resp = _list(c, order_column=column, order_direction=direction)
        assert resp.status_code == 400
        message = resp.get_json()["message"]
        assert "不能按它排序" in message and "个人信息" in message
        assert ZS_ID not in resp.get_data(True)


def test_owner_api_still_sorts_by_name_and_refuses_filtering_on_masked_columns(login_as, owners):  # noqa: F811
    c = login_as(roles.COMMITTEE)
    resp = _list(c, order_column="name", order_direction="desc")
    assert resp.status_code == 200 and [r["name"] for r in resp.get_json()["result"]] == ["张三", "喆堃"]
    resp = _list(c, filters=[{"col": "id_number", "opr": "sw", "value": ZS_ID[:7]}])
    assert resp.status_code == 400
    info = c.get("/api/v1/owner/_info").get_json()
    assert "id_number" not in info.get("filters", {})


def test_work_order_api_refuses_sorting_by_the_callers_phone(login_as):
    resp = login_as(roles.MANAGER).get("/api/v1/work_order/?q=" + prison.dumps({"order_column": "reporter_phone"}))
    assert resp.status_code == 400 and "不能按它排序" in resp.get_json()["message"]


# --- the duplicate-证件号 check names the owner on file only to those who may see 证件号 ------------------

MAY_SEE = [r for r in roles.ROLES if roles.allowed(r, "PersonalDataView", "can_reveal")]
MAY_NOT_SEE = [r for r in roles.ROLES if r not in MAY_SEE and roles.allowed(r, "OwnerView", "can_add")]


def _lookups(app):
    with app.app_context():
        return db.session.scalars(select(AuditLog).where(AuditLog.action == "lookup")).all()


def _owner_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Owner.id)))


def test_the_roles_are_as_the_issue_says():
    assert set(MAY_SEE) == {roles.ADMIN, roles.MANAGER, roles.SERVICE} and roles.ARCHIVES in MAY_NOT_SEE


@pytest.mark.parametrize("role", MAY_NOT_SEE)
def test_a_role_without_the_right_is_told_only_that_the_number_is_registered(app, login_as, owners, role):  # noqa: F811
    before = _owner_count(app)
    html = login_as(role).post("/owners/add", data=_owner_form(name="张叁", id_number=ZS_ID.lower()),
                               follow_redirects=True).get_data(True)
    assert "该证件号已登记。如需知道登记在谁名下，请由客服或项目经理查询。" in html
    assert "张三" not in html and f"/owners/show/{owners['zs']}" not in html
    assert _owner_count(app) == before
    (entry,) = _lookups(app)
    assert entry.username == role_user(role) and entry.record_id == str(owners["zs"])
    assert entry.table_name == "estate_owner" and json.loads(entry.changes)["field"] == "id_number"
    assert ZS_ID not in entry.changes


def test_editing_an_owner_to_a_number_on_file_tells_no_name_either(app, login_as, owners):  # noqa: F811
    c = login_as(roles.ARCHIVES)
    html = c.post(f"/owners/edit/{owners['rare']}", data=_owner_form(name="喆堃", id_number=ZS_ID),
                  follow_redirects=True).get_data(True)
    assert "该证件号已登记。" in html and "张三" not in html
    with app.app_context():
        assert db.session.get(Owner, owners["rare"]).id_number == "E12345678"
    assert len(_lookups(app)) == 1


@pytest.mark.parametrize("role", MAY_SEE)
def test_a_role_with_the_right_keeps_the_name_and_link(app, login_as, owners, role):  # noqa: F811
    html = login_as(role).post("/owners/add", data=_owner_form(name="张叁", id_number=ZS_ID),
                               follow_redirects=True).get_data(True)
    assert "该证件号已登记为业主" in html and f'<a href="/owners/show/{owners["zs"]}">张三</a>' in html
    assert _lookups(app) == []


def test_the_api_422_names_no_one_to_a_role_without_the_right_and_the_look_up_is_kept(app, login_as,
                                                                                       owners):  # noqa: F811
    before = _owner_count(app)
    body = {"kind": "person", "name": "张叁", "id_type": "resident_id", "id_number": ZS_ID}
    resp = login_as(roles.ARCHIVES).post("/api/v1/owner/", json=body)
    assert resp.status_code == 422
    message = resp.get_json()["message"]["id_number"][0]
    assert "该证件号已登记" in message and "张三" not in resp.get_data(True)
    assert _owner_count(app) == before
    (entry,) = _lookups(app)  # written although the refused request was rolled back
    assert entry.username == role_user(roles.ARCHIVES) and entry.record_id == str(owners["zs"])
    resp = login_as(roles.SERVICE).post("/api/v1/owner/", json=body)
    assert resp.status_code == 422 and "张三" in resp.get_json()["message"]["id_number"][0]
    assert len(_lookups(app)) == 1


def test_the_audit_log_shows_the_look_up(app, login_as, owners):  # noqa: F811
    login_as(roles.ARCHIVES).post("/owners/add", data=_owner_form(name="张叁", id_number=ZS_ID))
    html = login_as(roles.MANAGER).get("/audit/list/").get_data(True)
    assert "查询个人信息（未显示）" in html


def test_the_api_edit_to_a_number_on_file_is_a_422_that_names_no_one(app, login_as, owners):  # noqa: F811
    resp = login_as(roles.ARCHIVES).put(f"/api/v1/owner/{owners['rare']}",
                                        json={"id_type": "resident_id", "id_number": ZS_ID})
    assert resp.status_code == 422
    assert "该证件号已登记" in resp.get_json()["message"]["id_number"][0] and "张三" not in resp.get_data(True)
    with app.app_context():
        assert db.session.get(Owner, owners["rare"]).id_number == "E12345678"
    assert len(_lookups(app)) == 1
