"""The 通知公告 poster PDF, read back with pypdf: title, text, issuing office, date; A4 or A3; the watermark on
anything not published; the seal area when asked; a long text on more pages; and the 催缴公告 with house numbers
and amounts only, never an owner's name, phone or ID."""
import io
import re
from datetime import datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.community import printing, services
from app.community.models import Announcement
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.community.conftest import NOW, OWNER_PHONE, TODAY, arrears_values, draft, outage_values, within
from tests.conftest import actor

MM = 72 / 25.4


def _read(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    return reader, re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _publish(app, notice, when=NOW):
    services.transition(notice.id, "submit", actor(app, roles.SERVICE), now=when)
    services.transition(notice.id, "approve", actor(app, roles.MANAGER), now=when)
    db.session.commit()
    return notice


def test_a_published_water_cut_poster_on_a4(app, ctx):
    notice = _publish(app, draft(app, outage_values(ctx)), datetime(2026, 11, 21, 10, 0))
    reader, text = _read(printing.poster_pdf(notice, "a4"))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    assert text.startswith("停水通知")
    for part in ("尊敬的各位业主、住户：", "因二次供水水箱清洗，翠湖花园1号楼、2号楼将于2026年12月1日08:00至18:00停水。",
                 "如有疑问，请致电：0571-88886666。", "翠湖花园物业服务中心", "2026年11月21日"):
        assert part in text
    assert "草稿" not in text and "未发布" not in text and "盖章处" not in text


def test_a3_with_the_seal_area(app, ctx):
    notice = _publish(app, draft(app, outage_values(ctx)))
    reader, text = _read(printing.poster_pdf(notice, "a3", seal=True))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (297, 420)
    assert len(reader.pages) == 1 and "（盖章处）" in text and "停水通知" in text


@pytest.mark.parametrize("steps, mark", [([], "草稿/未发布"), (["submit"], "草稿/未发布"),
                                         (["submit", "approve", "withdraw"], "已撤回/作废")])
def test_a_notice_not_published_prints_with_a_watermark(app, ctx, steps, mark):
    notice = draft(app, outage_values(ctx))
    for step in steps:
        services.transition(notice.id, step, actor(app, roles.ADMIN), note="供水公司推迟施工", now=NOW)
    db.session.commit()
    for paper in ("a4", "a3"):
        _reader, text = _read(printing.poster_pdf(notice, paper))
        assert mark in text and "停水通知" in text


def test_a_long_text_flows_onto_a_second_page_whole(app, ctx):
    body = "尊敬的各位业主、住户：\n" + "\n".join(
        f"第{i}条：请不要在楼道和消防通道堆放杂物，不要私拉电线给电动车充电，人走断电，发现火情请立即拨打119。"
        for i in range(1, 41))
    notice = _publish(app, draft(app, {"community": ctx["community"], "notice_type": "tip", "buildings": [],
                                       "fields": {}, "title": "冬季消防安全温馨提示", "body": body}))
    reader, text = _read(printing.poster_pdf(notice, "a4"))
    pages = len(reader.pages)
    assert pages > 1 and all(f"第{i}条：请不要在楼道" in text for i in range(1, 41))
    assert text.endswith(f"翠湖花园物业服务中心2026年11月20日第{pages}页共{pages}页")
    _reader, a3_text = _read(printing.poster_pdf(notice, "a3"))
    assert "第40条：请不要在楼道" in a3_text


def test_the_poster_pages_by_role(app, office, login_as):
    def made():
        return _publish(app, draft(app, outage_values(office))).id, draft(app, outage_values(office)).id

    published, pending = within(app, made)
    manager = login_as(roles.MANAGER)
    resp = manager.get(f"/announcements/poster/{published}?paper=a3&seal=1")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "（盖章处）" in _read(resp.data)[1]
    resp = manager.get(f"/announcements/poster/{pending}?paper=<script>")
    assert resp.status_code == 200 and "草稿/未发布" in _read(resp.data)[1]  # an unknown paper prints A4
    assert manager.get("/announcements/poster/999999").status_code == 404
    committee = login_as(roles.COMMITTEE)
    assert committee.get(f"/published-notices/poster/{published}").status_code == 200
    assert committee.get(f"/published-notices/poster/{pending}").status_code == 404
    assert committee.get(f"/announcements/poster/{published}").status_code in (302, 403)
    assert login_as(roles.CLEANING).get(f"/published-notices/poster/{published}").status_code in (302, 403)


# ---------------------------------------------------------------------------- 催缴公告


def test_arrears_notice_lists_house_numbers_and_amounts_and_no_personal_data(app, overdue, login_as):
    def made():
        values = arrears_values(overdue, pay_by="2026-11-30")
        _errors, title, body = services.fill(values, today=TODAY)
        notice = _publish(app, draft(app, dict(values, title=title, body=body)))
        return notice.id, [(line.house_no, line.amount) for line in notice.arrears_lines]

    notice_id, lines = within(app, made)
    assert lines == [("1-1-0101", Decimal("360.33")), ("1-1-0102", Decimal("210.33")),
                     ("1-2-0101", Decimal("210.33")), ("2-1-0301", Decimal("210.33"))]
    _reader, text = _read(login_as(roles.MANAGER).get(f"/announcements/poster/{notice_id}").data)
    assert "关于催缴物业服务费用的公告" in text and "截至2026年11月20日" in text
    for house, amount in lines:
        assert f"{house}{amount}" in text
    assert "1-1-0201" not in text and "共4户" in text
    personal = ["张三丰", "张*", "喆堃", "喆*", OWNER_PHONE, OWNER_PHONE[:3] + "****", "E12345678", "19700101"]
    assert [p for p in personal if p in text] == []
    # nor on the notice's page, for the manager and for the committee
    for role, url in ((roles.MANAGER, f"/announcements/show/{notice_id}"),
                      (roles.COMMITTEE, f"/published-notices/show/{notice_id}")):
        html = login_as(role).get(url).get_data(as_text=True)
        assert "¥360.33" in html and [p for p in personal if p in html] == []


def test_arrears_limits_and_buildings_choose_the_houses(app, overdue, ctx):
    def houses(values):
        return [line.house_no for line in draft(app, values).arrears_lines]

    assert houses(arrears_values(overdue, min_amount="300")) == ["1-1-0101"]
    assert houses(arrears_values(overdue, min_days="150")) == ["1-1-0101", "2-1-0301"]
    assert houses(arrears_values(overdue, min_days="0")) == ["1-1-0101", "1-1-0102", "1-1-0201", "1-2-0101",
                                                             "2-1-0301"]
    assert houses(arrears_values(overdue, buildings=[overdue["b2"]])) == ["2-1-0301"]


def test_an_arrears_notice_with_nothing_to_list_is_not_saved(app, overdue, ctx):
    with pytest.raises(RuleViolation) as exc:
        draft(app, arrears_values(overdue, min_amount="100000"))
    assert "没有符合条件的欠费房屋" in str(exc.value)
    db.session.rollback()
    assert db.session.query(Announcement).count() == 0


def test_drafting_an_arrears_notice_anew_takes_todays_arrears(app, overdue, ctx):
    from app.billing import services as billing

    notice = _publish(app, draft(app, arrears_values(overdue)))
    h2 = overdue["houses_by_no"]["1-1-0102"]
    billing.pay(h2, [line.id for line in billing.unpaid_lines(h2)], "cash", actor(app, roles.CASHIER))
    db.session.commit()
    copy = services.copy_notice(notice.id, actor(app, roles.SERVICE), today=TODAY)
    db.session.commit()
    assert [line.house_no for line in copy.arrears_lines] == ["1-1-0101", "1-2-0101", "2-1-0301"]
    assert len(db.session.get(Announcement, notice.id).arrears_lines) == 4  # the published one stays as it was
