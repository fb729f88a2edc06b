"""通知公告 approval: every state × action × role, allowed or refused as the office's rules say; the history; a
published notice is never edited (withdrawn and drafted anew)."""
import pytest
from sqlalchemy import func, select

from app.community import services
from app.community.models import Announcement, AnnouncementEvent
from app.core.rules import ConcurrentChange, RuleViolation
from app.extensions import db
from app.security import roles
from tests.community.conftest import NOW, draft, outage_values
from tests.conftest import actor

# The rules as the office states them (written out here, not read from the code):
# 客服 and 项目经理 draft and submit; only the 项目经理 approves (publishes), returns with a note, withdraws with a
# reason. The 管理员 may do everything. Nobody else does anything.
EXPECTED = {
    ("draft", "submit"): ("pending", {roles.SERVICE, roles.MANAGER, roles.ADMIN}),
    ("pending", "approve"): ("published", {roles.MANAGER, roles.ADMIN}),
    ("pending", "return"): ("draft", {roles.MANAGER, roles.ADMIN}),
    ("published", "withdraw"): ("withdrawn", {roles.MANAGER, roles.ADMIN}),
}
STATES = ["draft", "pending", "published", "withdrawn"]
ACTIONS = ["submit", "approve", "return", "withdraw"]
PATH = {"draft": [], "pending": ["submit"], "published": ["submit", "approve"],
        "withdrawn": ["submit", "approve", "withdraw"]}


def _notice_in(app, ctx, state):
    notice = draft(app, outage_values(ctx))
    admin = actor(app, roles.ADMIN)
    for action in PATH[state]:
        services.transition(notice.id, action, admin, note="准备", now=NOW)
    db.session.commit()
    assert notice.state == state
    return notice.id


def _events(notice_id):
    return db.session.scalar(select(func.count()).select_from(AnnouncementEvent)
                             .where(AnnouncementEvent.announcement_id == notice_id))


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_state_and_action_is_allowed_or_refused_by_role(app, ctx, role):
    who = actor(app, role)
    wrong = []
    for state in STATES:
        for action in ACTIONS:
            notice_id = _notice_in(app, ctx, state)
            before = _events(notice_id)
            expected = EXPECTED.get((state, action))
            allowed = expected is not None and role in expected[1]
            try:
                services.transition(notice_id, action, who, note="理由", now=NOW)
                db.session.commit()
                done = True
            except RuleViolation as exc:
                db.session.rollback()
                done = False
                if not any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)):
                    wrong.append(f"{state}/{action}: message not Chinese: {exc}")
            notice = db.session.get(Announcement, notice_id)
            if done != allowed:
                wrong.append(f"{state}/{action} by {role}: done={done}, expected {allowed}")
            elif done:
                last = notice.events[-1]
                if (notice.state, last.action, last.from_state, last.to_state, last.user_name) != (
                        expected[0], action, state, expected[0], who.name) or _events(notice_id) != before + 1:
                    wrong.append(f"{state}/{action}: state {notice.state}, history {last.action}")
            elif notice.state != state or _events(notice_id) != before:
                wrong.append(f"{state}/{action} refused but the notice changed")
    assert wrong == []


def test_return_and_withdraw_need_the_reason_and_keep_it(app, ctx):
    notice = draft(app, outage_values(ctx))
    manager = actor(app, roles.MANAGER)
    services.transition(notice.id, "submit", actor(app, roles.SERVICE), now=NOW)
    db.session.commit()
    for note in ("", "   ", None):
        with pytest.raises(RuleViolation) as exc:
            services.transition(notice.id, "return", manager, note=note, now=NOW)
        assert "请填写原因" in str(exc.value)
        db.session.rollback()
    assert db.session.get(Announcement, notice.id).state == "pending"
    services.transition(notice.id, "return", manager, note="停水时间请与供水公司再确认", now=NOW)
    services.transition(notice.id, "submit", actor(app, roles.SERVICE), now=NOW)
    services.transition(notice.id, "approve", manager, now=NOW)
    with pytest.raises(RuleViolation):
        services.transition(notice.id, "withdraw", manager, note="", now=NOW)
    services.transition(notice.id, "withdraw", manager, note="供水公司推迟施工", now=NOW)
    db.session.commit()
    notice = db.session.get(Announcement, notice.id)
    assert notice.state == "withdrawn" and notice.withdraw_reason == "供水公司推迟施工"
    assert notice.published_by_name == manager.name and notice.published_at == NOW
    assert [(e.action, e.from_state, e.to_state, e.note) for e in notice.events] == [
        ("create", None, "draft", None),
        ("submit", "draft", "pending", None),
        ("return", "pending", "draft", "停水时间请与供水公司再确认"),
        ("submit", "draft", "pending", None),
        ("approve", "pending", "published", None),
        ("withdraw", "published", "withdrawn", "供水公司推迟施工"),
    ]


def test_a_script_in_the_note_is_refused(app, ctx):
    notice = draft(app, outage_values(ctx))
    services.transition(notice.id, "submit", actor(app, roles.SERVICE), now=NOW)
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        services.transition(notice.id, "return", actor(app, roles.MANAGER), note="<script>alert(1)</script>")
    assert "不能包含HTML标签或脚本代码" in str(exc.value)
    db.session.rollback()
    assert db.session.get(Announcement, notice.id).state == "pending"


@pytest.mark.parametrize("state", ["pending", "published", "withdrawn"])
def test_only_a_draft_is_edited(app, ctx, state):
    notice_id = _notice_in(app, ctx, state)
    values = services.values_of(db.session.get(Announcement, notice_id))
    values["title"] = "改过的标题"
    with pytest.raises(RuleViolation) as exc:
        services.save_draft(values, actor(app, roles.MANAGER), pk=notice_id, now=NOW)
    assert "只有草稿可以修改" in str(exc.value)
    db.session.rollback()
    assert db.session.get(Announcement, notice_id).title == "停水通知"


def test_a_published_notice_is_drafted_anew_and_the_original_stays(app, ctx):
    notice_id = _notice_in(app, ctx, "published")
    copy = services.copy_notice(notice_id, actor(app, roles.SERVICE), now=NOW)
    db.session.commit()
    original = db.session.get(Announcement, notice_id)
    assert copy.id != notice_id and copy.state == "draft" and copy.copied_from_id == notice_id
    assert (copy.title, copy.body, [b.id for b in copy.buildings]) == (
        original.title, original.body, [b.id for b in original.buildings])
    assert original.state == "published" and copy.events[0].note == f"根据第{notice_id}号通知重新起草。"


def test_editing_a_draft_keeps_a_line_in_the_history(app, ctx):
    notice = draft(app, outage_values(ctx))
    values = services.values_of(notice)
    values["body"] = notice.body + "\n物业服务中心将安排送水到户，有需要的老人请联系前台。"
    services.save_draft(values, actor(app, roles.MANAGER), pk=notice.id, now=NOW)
    db.session.commit()
    notice = db.session.get(Announcement, notice.id)
    assert notice.body.endswith("有需要的老人请联系前台。")
    assert [e.action for e in notice.events] == ["create", "edit"]


def test_roles_that_do_not_draft_cannot_draft(app, ctx):
    for role in (roles.CASHIER, roles.ENGINEER, roles.COMMITTEE):
        with pytest.raises(RuleViolation) as exc:
            draft(app, outage_values(ctx), role=role)
        assert "只有客服或项目经理可以起草通知" in str(exc.value)
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_a_stale_page_changes_nothing(app, ctx):
    notice = draft(app, outage_values(ctx))
    seen = notice.version
    services.transition(notice.id, "submit", actor(app, roles.SERVICE), now=NOW)
    db.session.commit()
    with pytest.raises(ConcurrentChange):
        services.transition(notice.id, "approve", actor(app, roles.MANAGER), expected_version=seen, now=NOW)
    db.session.rollback()
    assert db.session.get(Announcement, notice.id).state == "pending"
