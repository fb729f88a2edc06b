"""派工单 and 物业部工作日志 PDFs: checked by their text (data, not the labels, which are translated later);
personal data printed masked; the batch loaded in a fixed number of queries."""
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import gettext
from pypdf import PdfReader
from sqlalchemy import event

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import printing, services
from app.service.models import Material
from tests.conftest import actor

T0 = datetime(2026, 11, 20, 9, 0, 0)
PHONE = "13800001234"
PHONE_IN_TEXT = "13912345678"


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def ctx(app, estate):
    with app.test_request_context():
        set_cli_actor("test")
        yield {
            "estate": estate,
            "desk": actor(app, roles.SERVICE),
            "engineer": actor(app, roles.ENGINEER),
        }
        set_cli_actor(None)


def _materials():
    pipe = Material(name="PPR水管", spec="DN20", unit="米", unit_price=Decimal("12.3456"))
    valve = Material(name="角阀", unit="个", unit_price=Decimal("18.00"))
    db.session.add_all([pipe, valve])
    db.session.flush()
    return pipe, valve


def _repaired(ctx, contact=None):
    """A private-part repair of 1-1-0101, done with materials: 30.86 + 36.00 + 40.00 labour = 106.86."""
    pipe, valve = _materials()
    order = services.create_order({
        "house": ctx["estate"]["houses"][0], "scope": "private", "category": "water_power", "source": "phone",
        "urgency": "normal", "description": f"厨房水管漏水，另一联系电话 {PHONE_IN_TEXT}", "reporter_name": "张先生",
        "reporter_phone": PHONE, "contact": contact,
    }, ctx["desk"], now=T0)
    services.transition(order.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id,
                        now=T0 + timedelta(minutes=10))
    services.transition(order.id, "arrive", ctx["engineer"], now=T0 + timedelta(minutes=40))
    services.transition(order.id, "complete", ctx["engineer"], now=T0 + timedelta(hours=2), result="更换水管和角阀",
                        labour_fee="40", labour_hours="1.5", materials=[(pipe.id, "2.5"), (valve.id, "2")])
    db.session.commit()
    return order


def _common_part(ctx):
    """A common-part repair of 1号楼 not yet dispatched."""
    order = services.create_order({
        "community": ctx["estate"]["community"], "building": ctx["estate"]["b1"], "place": "地下车库入口", "scope": "common", "category": "door_window",
        "source": "patrol", "urgency": "urgent", "description": "卷帘门无法升起",
    }, ctx["desk"], now=T0 + timedelta(hours=3))
    db.session.commit()
    return order


def test_work_order_form_shows_the_order_with_its_materials_and_masked_phone(ctx):
    done, pending = _repaired(ctx), _common_part(ctx)
    orders = printing.orders_for_print([done.id, pending.id, done.id])
    assert [o.id for o in orders] == [done.id, pending.id]
    pages, text = _text(printing.work_orders_pdf(orders))
    assert pages == 1  # two short forms share one A4 sheet
    for expected in (done.order_no, pending.order_no, "翠湖花园", "1-1-0101", "1号楼", "地下车库入口",
                     "厨房水管漏水", "卷帘门无法升起", "张先生", "更换水管和角阀",
                     "PPR水管 DN20", "角阀", "12.3456", "18.00", "2.5", "30.86", "36.00", "66.86", "40.00",
                     "106.86", "1.5", "2026-11-20 09:00", "2026-11-20 11:00", "工程维修",
                     "138****1234", "139****5678"):
        assert expected in text, expected
    assert PHONE not in text and PHONE_IN_TEXT not in text
    assert text.index(done.order_no) < text.index(pending.order_no)


def test_the_form_shows_the_place_typed_at_the_desk_after_the_house(ctx):
    order = services.create_order({
        "house": ctx["estate"]["houses"][0], "place": "厨房水槽下", "scope": "private", "category": "water_power",
        "source": "phone", "urgency": "normal", "description": "水槽下水管滴水"}, ctx["desk"], now=T0)
    common = _common_part(ctx)
    db.session.commit()
    assert order.place_label() == "翠湖花园 1-1-0101 厨房水槽下"
    assert common.place_label() == "翠湖花园 1号楼 地下车库入口"
    assert printing.short_place(order) == "1-1-0101 厨房水槽下"
    order.place = None
    assert order.place_label() == "翠湖花园 1-1-0101"
    order.place = "厨房水槽下"
    _, text = _text(printing.work_orders_pdf(printing.orders_for_print([order.id])))
    assert "1-1-0101 厨房水槽下" in text


def test_without_a_viewer_the_contact_number_is_masked_and_nothing_is_logged(ctx):
    from app.core.models import AuditLog

    order = services.create_order({
        "house": ctx["estate"]["houses"][0], "scope": "private", "category": "water_power", "source": "phone",
        "urgency": "normal", "description": "厨房水管漏水", "reporter_phone": PHONE}, ctx["desk"], now=T0)
    services.transition(order.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id, now=T0)
    db.session.commit()
    # an open order: only its engineer, printing it himself, sees the number
    _, text = _text(printing.work_orders_pdf([order]))
    assert PHONE not in text and "138****1234" in text
    _, text = _text(printing.work_orders_pdf([order], viewer=ctx["engineer"]))
    assert PHONE in text
    assert db.session.query(AuditLog).filter(AuditLog.action == "view").count() == 1
    db.session.rollback()


def test_a_long_form_gets_a_sheet_of_its_own(ctx):
    done, pending = _repaired(ctx), _common_part(ctx)
    done.result = "更换水管和角阀。" * 40
    db.session.commit()
    pages, text = _text(printing.work_orders_pdf(printing.orders_for_print([done.id, pending.id])))
    assert pages == 2
    assert done.order_no in text and pending.order_no in text


def test_reprint_is_marked(ctx):
    order = _common_part(ctx)
    _, first = _text(printing.work_orders_pdf(printing.orders_for_print([order.id])))
    _, again = _text(printing.work_orders_pdf(printing.orders_for_print([order.id]), reprint=True))
    mark = gettext("Reprint")
    assert mark not in first and mark in again


def test_the_batch_is_loaded_once_and_rendered_without_queries(ctx):
    ids = [_repaired(ctx).id] + [_common_part(ctx).id for _ in range(5)]
    statements = []
    listener = lambda *args, **kw: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expunge_all()
        printing.orders_for_print(ids[:1])
        for_one = len(statements)
        db.session.expunge_all()
        statements.clear()
        loaded = printing.orders_for_print(ids)
        for_six = len(statements)
        printing.work_orders_pdf(loaded)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(loaded) == 6
    assert for_six == for_one <= 9, statements  # the orders, then one query per relationship, whatever their number
    assert len(statements) == for_six, statements[for_six:]  # rendering asks nothing more


def test_too_many_orders_at_once_are_refused(ctx, monkeypatch):
    monkeypatch.setattr(printing, "MAX_ORDERS_PER_PRINT", 2)
    with pytest.raises(printing.TooManyOrders) as exc:
        printing.orders_for_print([1, 2, 3])
    assert isinstance(exc.value, ValueError) and "3" in str(exc.value)
    assert printing.orders_for_print([]) == []


def test_daily_log_lists_the_day_masked(ctx):
    community = ctx["estate"]["community"]
    call = services.log_contact({"house": ctx["estate"]["houses"][0], "channel": "phone", "kind": "repair",
                                 "person": "张先生", "phone": PHONE, "summary": "厨房水管漏水",
                                 "occurred_at": T0 - timedelta(minutes=5)}, ctx["desk"])
    other = services.log_contact({"community": community, "channel": "visit", "kind": "other",
                                  "person": "王阿姨", "summary": "询问停水通知，回电 13700007777",
                                  "handling": "已告知周四停水", "occurred_at": T0 + timedelta(hours=1)}, ctx["desk"])
    order = _repaired(ctx, contact=call.id)
    services.callback(order.id, ctx["desk"], "very_satisfied", remark="师傅很及时", now=T0 + timedelta(hours=6))
    complaint = services.create_complaint({
        "house": ctx["estate"]["houses"][1], "channel": "visit", "complainant": "李女士", "phone": "13600005555",
        "category": "cleaning", "severity": "normal", "content": "楼道堆放杂物",
    }, ctx["desk"], now=T0 + timedelta(hours=2))
    for action, data in (("respond", {"department": "environment", "note": "已转环境部"}),
                         ("reply", {"result": "杂物已清理"}), ("accept", {"remark": "满意"})):
        services.complaint_transition(complaint.id, action, ctx["desk"], now=T0 + timedelta(hours=4), **data)
    db.session.commit()
    # another community's day does not show
    services.log_contact({"community": ctx["estate"]["other_community"], "channel": "phone", "kind": "other",
                          "summary": "别的小区来电", "occurred_at": T0}, ctx["desk"])
    db.session.commit()

    log = services.daily_log(T0.date(), community)
    pages, text = _text(printing.daily_log_pdf(log))
    assert pages >= 1
    for expected in ("翠湖花园", order.order_no, complaint.complaint_no, "1-1-0101", "1-1-0102", "张先生",
                     "王阿姨", "李女士", "厨房水管漏水", "更换水管和角阀", "楼道堆放杂物", "杂物已清理", "师傅很及时",
                     "询问停水通知", "已告知周四停水", "106.86", "08:55", "10:00", "11:00",
                     "138****1234", "137****7777", "136****5555"):
        assert expected in text, expected
    for secret in (PHONE, "13700007777", "13600005555", PHONE_IN_TEXT):
        assert secret not in text, secret
    assert "别的小区来电" not in text
    assert other.id  # the other matter is listed by its summary above
    # the order appears as reported, finished and called back; the contact says what it became
    assert text.count(order.order_no) >= 4
    assert gettext("None") not in text


def test_an_empty_day_says_none_in_every_section(ctx):
    log = services.daily_log(T0.date() - timedelta(days=30), ctx["estate"]["community"])
    pages, text = _text(printing.daily_log_pdf(log))
    assert pages == 1
    assert text.count(gettext("None")) == 7
