"""Bad input for a notice: each gets a clear Chinese message and nothing is written, through the service and
through the drafting page."""
import pytest
from sqlalchemy import func, select

from app.community.models import Announcement, AnnouncementEvent
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.community.conftest import draft, outage_values
from tests.conftest import flashes

SCRIPT = "<script>alert(1)</script>"


def _bad_cases(ctx):
    """(what is wrong, the values, the field, what the message says)."""
    return [
        ("ends before it starts", outage_values(ctx, fields={"ends_at": "2026-12-01T07:00"}), "ends_at",
         "结束时间（2026年12月1日 07:00）必须晚于开始时间（2026年12月1日 08:00）"),
        ("ends when it starts", outage_values(ctx, fields={"ends_at": "2026-12-01T08:00"}), "ends_at", "必须晚于开始时间"),
        ("a building of another community", outage_values(ctx, buildings=[ctx["b1"], ctx["other_building"]]),
         "buildings", "锦绣华庭 1号楼不是翠湖花园的楼栋"),
        ("a building that does not exist", outage_values(ctx, buildings=["999999"]), "buildings", "没有这个楼栋"),
        ("a building that is not an id", outage_values(ctx, buildings=["1号楼"]), "buildings", "没有这个楼栋"),
        ("no community", outage_values(ctx, community=""), "community", "请选择小区"),
        ("a community that is not an id", outage_values(ctx, community="abc"), "community", "请选择小区"),
        ("an unknown type", outage_values(ctx, notice_type="poster"), "notice_type", "通知类型：请从列出的选项中选择"),
        ("empty title", outage_values(ctx, title="   ", body="正文"), "title", "标题不能为空"),
        ("empty body", outage_values(ctx, title="停水通知", body=""), "body", "正文不能为空"),
        ("long title", outage_values(ctx, title="停" * 61, body="正文"), "title", "标题最多 60 个字"),
        ("long body", outage_values(ctx, title="停水通知", body="水" * 3001), "body", "正文最多 3000 个字"),
        ("script in the title", outage_values(ctx, title=SCRIPT, body="正文"), "title", "标题不能包含HTML标签或脚本代码"),
        ("script in the body", outage_values(ctx, title="停水通知", body="请储水<img src=x onerror=alert(1)>"), "body",
         "正文不能包含HTML标签或脚本代码"),
        ("javascript link in the body", outage_values(ctx, title="停水通知", body="详见 javascript:alert(1)"), "body",
         "不能包含HTML标签或脚本代码"),
        ("script in the reason", outage_values(ctx, fields={"reason": SCRIPT}), "reason", "原因不能包含HTML标签或脚本代码"),
        ("long reason", outage_values(ctx, fields={"reason": "修" * 101}), "reason", "原因最多 100 个字"),
        ("no reason", outage_values(ctx, fields={"reason": ""}), "reason", "原因不能为空"),
        ("no start", outage_values(ctx, fields={"starts_at": ""}), "starts_at", "开始时间不能为空"),
        ("a start that is no time", outage_values(ctx, fields={"starts_at": "2026-13-01T08:00"}), "starts_at",
         "开始时间不是有效的时间"),
        ("gas is not a choice", outage_values(ctx, fields={"utility": "gas"}), "utility", "停水/停电：请从列出的选项中选择"),
        ("a phone that is none", outage_values(ctx, fields={"contact_phone": "找前台"}), "contact_phone",
         "联系电话：请填写电话号码"),
        ("a control character", outage_values(ctx, title="停水\x07通知", body="正文"), "title", "含有不允许的控制字符"),
        ("arrears in the future", {"community": ctx["community"], "notice_type": "arrears", "buildings": [],
                                   "fields": {"as_of": "2099-01-01"}, "title": "催缴", "body": "正文"}, "as_of",
         "欠费统计截至不能晚于现在"),
        ("arrears limit not a number", {"community": ctx["community"], "notice_type": "arrears", "buildings": [],
                                        "fields": {"as_of": "2026-11-20", "min_amount": "一百"}, "title": "催缴",
                                        "body": "正文"}, "min_amount", "欠费金额不低于（元）必须是数字"),
        ("arrears limit with three decimals", {"community": ctx["community"], "notice_type": "arrears",
                                               "buildings": [], "fields": {"as_of": "2026-11-20",
                                                                           "min_amount": "1.005"},
                                               "title": "催缴", "body": "正文"}, "min_amount", "最多保留两位小数"),
        ("negative days", {"community": ctx["community"], "notice_type": "arrears", "buildings": [],
                           "fields": {"as_of": "2026-11-20", "min_days": "-1"}, "title": "催缴", "body": "正文"},
         "min_days", "逾期天数不少于（天）必须在 0 到 3650 之间"),
        ("pay before the arrears date", {"community": ctx["community"], "notice_type": "arrears", "buildings": [],
                                         "fields": {"as_of": "2026-11-20", "pay_by": "2026-11-01"}, "title": "催缴",
                                         "body": "正文"}, "pay_by", "缴费截止日期不能早于欠费统计日期"),
        ("a festival too long", {"community": ctx["community"], "notice_type": "greeting", "buildings": [],
                                 "fields": {"festival": "节" * 21}, "title": "祝福", "body": "正文"}, "festival",
         "节日最多 20 个字"),
    ]


def _written():
    return (db.session.scalar(select(func.count()).select_from(Announcement)),
            db.session.scalar(select(func.count()).select_from(AnnouncementEvent)))


def test_bad_values_are_refused_with_a_chinese_message_and_nothing_is_written(app, ctx):
    wrong = []
    for what, values, field, message in _bad_cases(ctx):
        try:
            draft(app, values, fill_text=False)
            wrong.append(f"{what}: saved")
        except RuleViolation as exc:
            db.session.rollback()
            if message not in exc.errors.get(field, ""):
                wrong.append(f"{what}: {exc.errors}")
    assert wrong == []
    assert _written() == (0, 0)


def test_bad_values_on_the_drafting_page(app, ctx, login_as):
    client = login_as(roles.SERVICE)
    wrong = []
    for what, values, field, message in _bad_cases(ctx):
        form = {"community": str(values["community"]), "notice_type": values["notice_type"],
                "shown_community": str(values["community"]), "shown_type": values["notice_type"],
                "buildings": [str(b) for b in values["buildings"]], "title": values.get("title") or "停水通知",
                "body": values.get("body") if values.get("body") is not None else "正文", "do": "save"}
        if not values.get("body") and field != "body":
            form["body"] = "正文"
        form.update({f"f_{k}": v for k, v in values["fields"].items()})
        resp = client.post("/notice-draft/", data=form)
        html = resp.get_data(as_text=True)
        if resp.status_code != 200 or message not in html.replace("&#34;", '"').replace("&#39;", "'"):
            wrong.append(f"{what}: {resp.status_code} {flashes(html)}")
        if SCRIPT in html:
            wrong.append(f"{what}: the script came back unescaped")
    assert wrong == []
    assert _written() == (0, 0)


@pytest.mark.parametrize("form", [
    {},
    {"do": "save"},
    {"do": "fill", "community": "abc", "notice_type": "outage", "shown_community": "abc", "shown_type": "outage"},
    {"do": "fill", "notice_type": "outage", "shown_type": "outage", "f_starts_at": "x" * 5000},
    {"do": "save", "community": "-1", "notice_type": "'; drop table x", "buildings": ["", "0", "-5", "1e9"]},
    {"do": "bogus", "title": "\x00"},
])
def test_no_form_breaks_the_drafting_page(app, ctx, login_as, form):
    resp = login_as(roles.SERVICE).post("/notice-draft/", data=form)
    # a NUL is refused before any view (app/core/web.py)
    assert resp.status_code == (400 if any("\x00" in str(v) for v in form.values()) else 200)
    assert _written() == (0, 0)


def test_fill_with_bad_fields_tells_and_keeps_the_typed_text(app, ctx, login_as):
    client = login_as(roles.SERVICE)
    form = {"community": str(ctx["community"]), "shown_community": str(ctx["community"]), "notice_type": "outage",
            "shown_type": "outage", "f_utility": "water", "f_starts_at": "2026-12-01T08:00",
            "f_ends_at": "2026-11-30T08:00", "f_reason": "管道维修", "title": "我的标题", "body": "我写的正文",
            "do": "fill"}
    html = client.post("/notice-draft/", data=form).get_data(as_text=True)
    assert "必须晚于开始时间" in html and "我写的正文" in html and 'value="我的标题"' in html


def test_a_draft_changed_badly_keeps_what_it_was(app, ctx, login_as):
    notice = draft(app, outage_values(ctx))
    client = login_as(roles.SERVICE)
    form = {"community": str(ctx["community"]), "shown_community": str(ctx["community"]), "notice_type": "outage",
            "shown_type": "outage", "buildings": [str(ctx["other_building"])], "f_utility": "water",
            "f_starts_at": "2026-12-01T08:00", "f_ends_at": "2026-12-01T18:00", "f_reason": "管道维修",
            "title": "", "body": "改过", "do": "save", "version": str(notice.version)}
    html = client.post(f"/notice-draft/edit/{notice.id}", data=form).get_data(as_text=True)
    assert "不是翠湖花园的楼栋" in html and "标题不能为空" in html
    db.session.expire_all()
    kept = db.session.get(Announcement, notice.id)
    assert kept.title == "停水通知" and [b.id for b in kept.buildings] == [ctx["b1"], ctx["b2"]]
    assert [e.action for e in kept.events] == ["create"]
