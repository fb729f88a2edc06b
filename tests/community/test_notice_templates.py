"""通知公告 templates: each type's title and text filled in from its fields, as the owners will read them; the text
is edited by hand before it is submitted; the free-text types are typed."""
import pytest

from app.community import services
from app.community.models import Announcement
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.community.conftest import NOW, TODAY, draft, outage_values
from tests.conftest import actor


def _fill(values):
    errors, title, body = services.fill(values, today=TODAY)
    assert errors == {}
    return title, body.split("\n")


def test_a_water_cut_for_two_buildings(app, ctx):
    title, lines = _fill(outage_values(ctx))
    assert title == "停水通知"
    assert lines == [
        "尊敬的各位业主、住户：",
        "因二次供水水箱清洗，翠湖花园1号楼、2号楼将于2026年12月1日 08:00至18:00停水。",
        "请提前做好储水准备，停水期间请关闭家中水龙头，以免恢复供水时发生跑水。",
        "具体恢复时间以施工进度为准，由此给您带来的不便，敬请谅解！",
        "如有疑问，请致电：0571-88886666。",
        "感谢您的理解与支持！",
    ]


def test_a_power_cut_over_night_for_the_whole_community_without_a_phone(app, ctx):
    values = outage_values(ctx, buildings=[], fields={"utility": "power", "starts_at": "2026-12-01T22:00",
                                                      "ends_at": "2026-12-02T06:30", "reason": "变压器检修",
                                                      "contact_phone": ""})
    title, lines = _fill(values)
    assert title == "停电通知"
    assert lines[1] == "因变压器检修，翠湖花园全体楼栋将于2026年12月1日 22:00至2026年12月2日 06:30停电。"
    assert "停电前后请勿乘坐电梯" in lines[2]
    assert not any("致电" in line for line in lines)


def test_a_water_and_power_cut(app, ctx):
    title, lines = _fill(outage_values(ctx, fields={"utility": "water_power"}))
    assert title == "停水停电通知" and lines[1].endswith("08:00至18:00停水停电。")


def test_an_activity_notice(app, ctx):
    values = {"community": ctx["community"], "notice_type": "activity", "buildings": [],
              "fields": {"activity_name": "中秋游园会", "starts_at": "2026-09-25T19:00", "ends_at": "2026-09-25T21:00",
                         "place": "小区中心广场", "contact_phone": "13812345678"}}
    title, lines = _fill(values)
    assert title == "关于举办“中秋游园会”的通知"
    assert lines[1:] == [
        "为丰富社区文化生活，增进邻里交流，翠湖花园物业服务中心将举办“中秋游园会”，现将有关事项通知如下：",
        "活动时间：2026年9月25日 19:00至21:00",
        "活动地点：小区中心广场",
        "咨询及报名电话：13812345678。",
        "欢迎各位业主、住户踊跃参加！",
    ]


def test_festival_greetings(app, ctx):
    values = {"community": ctx["community"], "notice_type": "greeting", "buildings": [],
              "fields": {"festival": "春节", "contact_phone": "0571-88886666"}}
    title, lines = _fill(values)
    assert title == "春节祝福"
    assert lines[1].startswith("值此春节来临之际，翠湖花园物业服务中心全体员工向您和您的家人致以节日的问候")
    assert lines[-1] == "节日期间服务热线：0571-88886666。"


def test_arrears_notice_text(app, ctx):
    values = {"community": ctx["community"], "notice_type": "arrears", "buildings": [],
              "fields": {"as_of": "2026-11-20", "pay_by": "2026-11-30"}}
    title, lines = _fill(values)
    assert title == "关于催缴物业服务费用的公告"
    assert lines[1] == "截至2026年11月20日，下列房屋尚有物业服务费等费用逾期未缴（金额单位：元）。"
    assert "请上述房屋业主于2026年11月30日前到物业服务中心办理缴费" in lines[2]
    values["fields"].pop("pay_by")
    assert "尽快到物业服务中心办理缴费" in _fill(values)[1][2]


@pytest.mark.parametrize("notice_type, title", [("tip", "温馨提示"), ("emergency", "紧急通知")])
def test_free_text_types_are_typed(app, ctx, notice_type, title):
    values = {"community": ctx["community"], "notice_type": notice_type, "buildings": [], "fields": {}}
    assert services.fill(values, today=TODAY) == ({}, title, "")
    with pytest.raises(RuleViolation) as exc:
        draft(app, dict(values, title=title, body=""))
    assert exc.value.errors == {"body": "正文不能为空。"}
    db.session.rollback()
    notice = draft(app, dict(values, title=title, body="尊敬的各位业主：\r\n今晚有台风，请关好门窗。  \r\n"))
    assert notice.body == "尊敬的各位业主：\n今晚有台风，请关好门窗。"


def test_the_text_is_edited_before_it_is_submitted(app, ctx):
    values = outage_values(ctx)
    title, body = services.fill(values, today=TODAY)[1:]
    edited = body.replace("感谢您的理解与支持！", "届时物业将在1号楼大堂放置临时供水点。\n感谢您的理解与支持！")
    notice = draft(app, dict(values, title="紧急停水通知", body=edited))
    services.transition(notice.id, "submit", actor(app, roles.SERVICE), now=NOW)
    db.session.commit()
    notice = db.session.get(Announcement, notice.id)
    assert notice.title == "紧急停水通知" and "临时供水点" in notice.body
    assert notice.field_values()["starts_at"] == "2026-12-01T08:00"


def test_the_form_starts_with_the_office_phone_and_the_arrears_limits(app, ctx):
    from app.estate.models import Community

    community = db.session.get(Community, ctx["community"])
    assert services.default_fields("outage", community, {}, TODAY) == {"contact_phone": "0571-88886666",
                                                                       "utility": "water"}
    config = {"COMMUNITY_ARREARS_MIN_AMOUNT": "500", "COMMUNITY_ARREARS_MIN_DAYS": 90}
    assert services.default_fields("arrears", community, config, TODAY) == {
        "contact_phone": "0571-88886666", "as_of": "2026-11-20", "min_amount": "500", "min_days": 90}
