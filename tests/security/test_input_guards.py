"""Input no view must see (issue 14, what the fuzz test found): a NUL character anywhere in a request, an
action a page has not, records of an action that do not exist. Each answers 4xx in Chinese, writes nothing."""
import json

import pytest
from sqlalchemy import func, select


def _count(app, model):
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _role_names(app):
    from app.extensions import db

    with app.app_context():
        return set(db.session.scalars(select(app.appbuilder.sm.role_model.name)))


@pytest.mark.parametrize("path", ["/roles/add", "/groups/add"])
def test_a_nul_character_in_a_form_is_refused_with_a_chinese_message(app, admin, path):
    before = _role_names(app)
    resp = admin.post(path, data={"name": "Ro\x00le", "label": "x"})
    assert resp.status_code == 400
    assert "空字符" in resp.get_data(as_text=True)
    assert _role_names(app) == before


def test_a_nul_character_in_a_query_argument_is_refused(admin):
    resp = admin.get("/communities/list/", query_string={"_flt_0_name": "a\x00b"})
    assert resp.status_code == 400
    assert "空字符" in resp.get_data(as_text=True)


def test_a_nul_character_in_an_api_body_is_refused_and_nothing_is_written(app, admin):
    from app.estate.models import Community

    for body in ({"name": "翠\x00湖", "code": "C9"}, {"name": "翠湖", "code": "C9", "remark\x00": "x"},
                 {"name": "翠湖", "code": "C9", "tags": [{"x": "a\x00"}]}):
        resp = admin.post("/api/v1/community/", data=json.dumps(body), content_type="application/json")
        assert resp.status_code == 400, body
        assert "空字符" in resp.get_json()["message"]
    assert _count(app, Community) == 0


def test_ordinary_input_still_passes(app, admin):
    from app.estate.models import Community

    resp = admin.post("/communities/add", data={"name": "翠湖花园", "code": "C001"})
    assert resp.status_code == 302
    assert _count(app, Community) == 1


@pytest.mark.parametrize("path", ["/communities/action_post", "/roles/action_post", "/audit/action_post"])
def test_an_action_the_page_has_not_answers_404_in_chinese(admin, path):
    resp = admin.post(path, data={"action": "muldelete", "rowid": "1"}, follow_redirects=False)
    assert resp.status_code == 404
    assert "此页面没有该操作" in resp.get_data(as_text=True)
    resp = admin.get("/communities/action/muldelete/1")
    assert resp.status_code == 404


def test_an_action_on_records_that_do_not_exist_answers_404_in_chinese(admin, estate):
    for rowids in (["999999999"], ["9" * 23], [], ["x"]):
        resp = admin.post("/communities/action_post", data={"action": "print_roster", "rowid": rowids})
        assert resp.status_code == 404, rowids
        assert "所选记录不存在或已被删除" in resp.get_data(as_text=True)
    resp = admin.get("/communities/action/print_roster/999999999")
    assert resp.status_code == 404


def test_a_real_action_on_real_records_still_works(app, admin, estate):
    from app.estate.models import Community
    from app.extensions import db

    with app.app_context():
        pk = db.session.scalar(select(Community.id).limit(1))
    resp = admin.post("/communities/action_post", data={"action": "print_roster", "rowid": [str(pk)]})
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"



def test_a_list_sorted_by_a_column_it_does_not_offer_answers_400(admin, estate):
    assert admin.get("/communities/list/?_oc_CommunityView=name&_od_CommunityView=asc").status_code == 200
    for column in ("=HYPERLINK(1)", "9" * 23, "address"):
        resp = admin.get(f"/communities/list/?_oc_CommunityView={column}&_od_CommunityView=asc")
        assert resp.status_code == 400, column
        assert "无法识别此请求" in resp.get_data(as_text=True)
    assert admin.get("/roles/list/?_oc_RoleModelView=nope&_od_RoleModelView=desc").status_code == 400


def test_an_api_page_that_is_negative_or_not_a_number_answers_400(admin, estate):
    import prison

    assert admin.get("/api/v1/community/", query_string={"q": prison.dumps({"page": 0, "page_size": 5})}
                     ).status_code == 200
    for args in ({"page": -1, "page_size": -1}, {"page": -1}, {"page": 10**30}, {"page_size": 10**30}):
        resp = admin.get("/api/v1/community/", query_string={"q": prison.dumps(args)})
        assert resp.status_code == 400, args
        assert "页码" in resp.get_json()["message"]
    for args in ({"page": "x"}, {"page_size": "x"}):  # FAB's own schema check of q refuses these
        assert admin.get("/api/v1/community/", query_string={"q": prison.dumps(args)}).status_code == 400
