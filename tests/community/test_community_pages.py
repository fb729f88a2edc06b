"""The 社区关系 pages as each role uses them: the 客服 drafts a 停水通知 and submits it, the 项目经理 returns or
approves it; the buttons shown are the steps the role may take; the committee reads published notices only;
no page answers 500 to bad input."""
import pytest
from sqlalchemy import select

from app.community.models import Announcement
from app.extensions import db
from app.security import roles
from tests.community.conftest import draft, outage_values, within
from tests.conftest import flashes


def _draft_form(office, **kw):
    form = {"community": str(office["community"]), "shown_community": str(office["community"]),
            "notice_type": "outage", "shown_type": "outage", "buildings": [str(office["b1"])],
            "f_utility": "water", "f_starts_at": "2026-12-01T08:00", "f_ends_at": "2026-12-01T18:00",
            "f_reason": "二次供水水箱清洗", "f_contact_phone": "0571-88886666", "title": "", "body": ""}
    form.update(kw)
    return form


def _notice(app):
    """(id, version) of the one notice, or None."""
    def work():
        notice = db.session.scalar(select(Announcement))
        return (notice.id, notice.version) if notice else None

    return within(app, work)


def _state(app, pk):
    return within(app, lambda: db.session.get(Announcement, pk).state)


def test_the_desk_drafts_fills_saves_and_submits(app, office, login_as):
    desk = login_as(roles.SERVICE)
    html = desk.get("/notice-draft/").get_data(as_text=True)
    assert "起草通知" in html and "停水停电通知" in html and 'value="0571-88886666"' in html
    # the type changed: that type's form
    html = desk.post("/notice-draft/", data=_draft_form(office, notice_type="greeting")).get_data(as_text=True)
    assert 'name="f_festival"' in html and 'name="f_reason"' not in html
    html = desk.post("/notice-draft/", data=_draft_form(office, do="fill")).get_data(as_text=True)
    assert 'value="停水通知"' in html and "因二次供水水箱清洗，翠湖花园1号楼将于2026年12月1日 08:00至18:00停水。" in html
    assert _notice(app) is None  # filling writes nothing
    resp = desk.post("/notice-draft/", data=_draft_form(
        office, do="save", title="停水通知", body="尊敬的各位业主、住户：\n因二次供水水箱清洗，1号楼12月1日停水。"))
    assert resp.status_code == 302 and "/announcements/show/" in resp.headers["Location"]
    page = desk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "草稿“停水通知”已保存" in page and "提交审批" in page and "修改草稿" in page
    assert "审批并发布" not in page and "退回修改" not in page
    notice_id, version = _notice(app)
    resp = desk.post(f"/notice-actions/{notice_id}/submit", data={"version": version}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "“停水通知”：待审批" in page and "提交审批" not in page.split('id="pm-history"')[0]
    # the desk cannot approve its own notice, even by posting the step
    html = desk.post(f"/notice-actions/{notice_id}/approve", follow_redirects=True).get_data(as_text=True)
    assert any("您无权对此通知执行“审批并发布”" in f for f in flashes(html))
    assert _state(app, notice_id) == "pending"


def test_the_manager_returns_with_a_note_then_approves(app, office, login_as):
    notice_id = within(app, lambda: draft(app, outage_values(office)).id)
    login_as(roles.SERVICE).post(f"/notice-actions/{notice_id}/submit")
    manager = login_as(roles.MANAGER)
    page = manager.get(f"/announcements/show/{notice_id}").get_data(as_text=True)
    assert "审批并发布" in page and "退回修改" in page and "原因（必填）" in page
    html = manager.post(f"/notice-actions/{notice_id}/return", data={"note": ""}, follow_redirects=True)
    assert "请填写原因" in html.get_data(as_text=True) and _state(app, notice_id) == "pending"
    manager.post(f"/notice-actions/{notice_id}/return", data={"note": "请写明送水安排"})
    assert _state(app, notice_id) == "draft"
    desk = login_as(roles.SERVICE)
    page = desk.get(f"/announcements/show/{notice_id}").get_data(as_text=True)
    assert "请写明送水安排" in page and "退回修改" in page  # the history says why
    desk.post(f"/notice-actions/{notice_id}/submit")
    html = manager.post(f"/notice-actions/{notice_id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "“停水通知”：已发布" in html and "撤回通知" in html and "据此重新起草" in html
    assert "修改草稿" not in html.split('id="pm-history"')[0]
    # published: the drafting page refuses to change it
    resp = desk.get(f"/notice-draft/edit/{notice_id}", follow_redirects=True)
    assert "只有草稿可以修改" in resp.get_data(as_text=True)
    resp = desk.post(f"/notice-draft/edit/{notice_id}", data=_draft_form(office, do="save", title="改", body="改"))
    assert resp.status_code == 302 and within(app, lambda: db.session.get(Announcement, notice_id).title) == "停水通知"


def test_a_stale_button_changes_nothing(app, office, login_as):
    notice_id, version = within(app, lambda: (lambda n: (n.id, n.version))(draft(app, outage_values(office))))
    desk = login_as(roles.SERVICE)
    desk.post(f"/notice-actions/{notice_id}/submit", data={"version": version})
    html = login_as(roles.MANAGER).post(f"/notice-actions/{notice_id}/approve", data={"version": version},
                                        follow_redirects=True).get_data(as_text=True)
    assert "这条记录刚被他人处理过" in html and _state(app, notice_id) == "pending"


def test_the_committee_reads_published_notices_only(app, office, login_as):
    def made():
        from app.community import services
        from tests.conftest import actor

        published = draft(app, outage_values(office, title="已发布的停水通知", body="正文一"))
        services.transition(published.id, "submit", actor(app, roles.SERVICE))
        services.transition(published.id, "approve", actor(app, roles.MANAGER))
        pending = draft(app, outage_values(office, title="待审批的停电通知", body="正文二"))
        services.transition(pending.id, "submit", actor(app, roles.SERVICE))
        db.session.commit()
        return published.id, pending.id

    published, pending = within(app, made)
    committee = login_as(roles.COMMITTEE)
    html = committee.get("/published-notices/list/").get_data(as_text=True)
    assert "已发布的停水通知" in html and "待审批的停电通知" not in html
    page = committee.get(f"/published-notices/show/{published}").get_data(as_text=True)
    assert "正文一" in page and "打印公告" in page and "撤回通知" not in page and "据此重新起草" not in page
    assert committee.get(f"/published-notices/show/{pending}").status_code in (302, 404)
    for url in ("/announcements/list/", f"/announcements/show/{pending}", "/notice-draft/", "/activities/list/"):
        assert committee.get(url).status_code in (302, 403), url
    for name in ("approve", "withdraw", "submit"):
        assert committee.post(f"/notice-actions/{published}/{name}", data={"note": "x"}).status_code in (302, 403)
    assert _state(app, published) == "published" and _state(app, pending) == "pending"


@pytest.mark.parametrize("role, reads_all, reads_published, drafts, activities", [
    (roles.ADMIN, True, True, True, True),
    (roles.MANAGER, True, False, True, True),
    (roles.SERVICE, True, False, True, True),
    (roles.CASHIER, False, True, False, False),
    (roles.ENGINEER, False, True, False, False),
    (roles.ORDER, False, True, False, False),
    (roles.CLEANING, False, False, False, False),
    (roles.ARCHIVES, False, False, False, False),
    (roles.COMMITTEE, False, True, False, False),
])
def test_each_role_reaches_its_pages(app, office, login_as, role, reads_all, reads_published, drafts, activities):
    client = login_as(role)

    def ok(url):
        return client.get(url).status_code == 200

    assert ok("/announcements/list/") == reads_all
    assert ok("/published-notices/list/") == reads_published
    assert ok("/notice-draft/") == drafts
    assert ok("/activities/list/") == activities
    assert ok("/activities/add") == activities


@pytest.mark.parametrize("method, url", [
    ("POST", "/notice-actions/1/publish"),
    ("POST", "/notice-actions/999999/approve"),
    ("GET", "/notice-draft/edit/999999"),
    ("POST", "/notice-draft/copy/999999"),
    ("GET", "/notice-draft/?type=<script>&community=abc"),
    ("GET", "/notice-draft/?type=arrears&community=-1"),
    ("GET", "/announcements/poster/999999?paper=a5"),
    ("GET", "/announcements/show/999999"),
    ("POST", "/activities/notice/999999"),
])
def test_bad_urls_answer_without_a_server_error(app, office, login_as, method, url):
    resp = login_as(roles.MANAGER).open(url, method=method)
    assert resp.status_code in (200, 302, 404)
    assert within(app, lambda: db.session.scalar(select(Announcement))) is None


def test_a_new_arrears_draft_starts_with_the_configured_limits(app, office, login_as):
    app.config.update(COMMUNITY_ARREARS_MIN_AMOUNT="200", COMMUNITY_ARREARS_MIN_DAYS=60)
    try:
        html = login_as(roles.SERVICE).get(f"/notice-draft/?type=arrears&community={office['community']}")
        html = html.get_data(as_text=True)
    finally:
        app.config.pop("COMMUNITY_ARREARS_MIN_AMOUNT")
        app.config.pop("COMMUNITY_ARREARS_MIN_DAYS")
    assert 'name="f_min_amount" id="f_min_amount" class="form-control" value="200"' in html
    assert 'value="60"' in html and "不列姓名、电话等个人信息" in html


def test_an_arrears_notice_with_no_house_to_list_says_so_on_the_page(app, overdue, login_as):
    form = {"community": str(overdue["community"]), "shown_community": str(overdue["community"]),
            "notice_type": "arrears", "shown_type": "arrears", "f_as_of": "2026-11-20", "f_min_amount": "99999",
            "f_min_days": "30", "title": "催缴公告", "body": "请尽快缴费。", "do": "save"}
    html = login_as(roles.SERVICE).post("/notice-draft/", data=form).get_data(as_text=True)
    assert any("没有符合条件的欠费房屋" in f for f in flashes(html))
    assert _notice(app) is None
    resp = login_as(roles.SERVICE).post("/notice-draft/", data=dict(form, f_min_amount="300"))
    assert resp.status_code == 302
    page = login_as(roles.MANAGER).get(resp.headers["Location"]).get_data(as_text=True)
    assert "1-1-0101" in page and "¥360.33" in page and "1-1-0102" not in page and "张三丰" not in page
