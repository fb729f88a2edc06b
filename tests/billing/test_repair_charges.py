"""有偿维修 at the counter: a 自用部位 repair's charge becomes a bill of the house the moment the order is
completed (in the same transaction), the counter shows it, it is paid like any bill, printed on the receipt and
counted in 收费日报 and 收费率; a reopen withdraws an unpaid one, a paid one stays; a charge is billed once."""
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.billing import reports
from app.billing import services as billing
from app.billing.models import BillLine
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import services
from app.service.models import Material, ServiceCharge, WorkOrder
from tests.conftest import actor

pytestmark = pytest.mark.moment("2026-11-20 15:00")
T0 = datetime(2026, 11, 20, 9, 0)
DAY = date(2026, 11, 20)


@pytest.fixture
def ctx(app, fees):
    with app.app_context():
        set_cli_actor("test")
        pipe = Material(name="PPR水管", spec="DN20", unit="米", unit_price=Decimal("12.3456"))
        valve = Material(name="角阀", unit="个", unit_price=Decimal("18.50"))
        db.session.add_all([pipe, valve])
        db.session.commit()
        yield dict(fees, house=fees["houses"][0], pipe=pipe.id, valve=valve.id,
                   desk=actor(app, roles.SERVICE), engineer=actor(app, roles.ENGINEER),
                   cashier=actor(app, roles.CASHIER), manager=actor(app, roles.MANAGER))
        db.session.rollback()
        set_cli_actor(None)


def _order(ctx, **values) -> WorkOrder:
    base = {"community": ctx["community"], "house": ctx["house"], "scope": "private", "category": "water_power",
            "source": "phone", "urgency": "normal", "description": "厨房水管漏水", "reporter_name": "张先生"}
    base.update(values)
    order = services.create_order(base, ctx["desk"], now=T0)
    services.transition(order.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id, now=T0)
    services.transition(order.id, "arrive", ctx["engineer"], now=T0 + timedelta(minutes=20))
    db.session.commit()
    return order


def _complete(ctx, order, at, labour="40", materials=None):
    services.transition(order.id, "complete", ctx["engineer"], now=at, result="换水管2.5米", labour_fee=labour,
                        labour_hours="1.5", materials=materials if materials is not None else [(ctx["pipe"], "2.5")])


def _repair_lines(order_id=None):
    stmt = select(BillLine).where(BillLine.source == "repair").order_by(BillLine.id)
    if order_id is not None:
        stmt = stmt.where(BillLine.source_id == order_id)
    return db.session.scalars(stmt).all()


def test_completion_bills_the_private_repair_at_once_common_repair_nothing(ctx):
    order = _order(ctx)
    _complete(ctx, order, T0 + timedelta(hours=1))
    # in the transaction of the completion, before anyone commits: the house owes it
    lines = _repair_lines(order.id)
    assert len(lines) == 1
    line = lines[0]
    # 12.3456 × 2.5 = 30.864 → 30.86 (half-up to 分); + 40.00 labour
    assert line.amount == Decimal("70.86") and isinstance(line.amount, Decimal)
    assert (line.house_id, line.state, line.fee_item_id, line.community_id) == (ctx["house"], "unpaid", None,
                                                                                 ctx["community"])
    assert line.description == f"有偿维修 {order.order_no}"
    assert (line.period, line.due_date, line.created_at) == ("2026-11", DAY, T0 + timedelta(hours=1))
    assert [x.id for x in billing.unpaid_lines(ctx["house"])] == [line.id]
    db.session.commit()
    charge = db.session.scalars(select(ServiceCharge).where(ServiceCharge.source_id == order.id)).one()
    assert (charge.amount, charge.state) == (Decimal("70.86"), "billed")

    common = _order(ctx, scope="common", house=None, building=ctx["b1"], place="1号楼大堂")
    _complete(ctx, common, T0 + timedelta(hours=2))
    db.session.commit()
    assert _repair_lines(common.id) == [] and len(_repair_lines()) == 1


def test_the_counter_shows_it_the_cashier_takes_it_and_the_reports_count_it(app, ctx, login_as):
    order = _order(ctx)
    _complete(ctx, order, T0 + timedelta(hours=1))
    db.session.commit()
    order_no, house = order.order_no, ctx["house"]
    cashier = login_as(roles.CASHIER)
    html = cashier.get(f"/counter/?house={house}").get_data(as_text=True)
    assert f"有偿维修 {order_no}" in html and "70.86" in html
    line = _repair_lines(order.id)[0]
    resp = cashier.post("/counter/pay", data={"house": house, "lines": [line.id], "method": "cash",
                                              "amount": "70.86", "prepay": ""})
    assert resp.status_code == 302 and "/receipts/show/" in resp.headers["Location"]
    db.session.expire_all()
    line = db.session.get(BillLine, line.id)
    assert line.state == "paid" and line.payment.amount == Decimal("70.86")
    receipt = billing.receipt(line.payment)
    assert [(r["description"], r["amount"]) for r in receipt["rows"]] == [(f"有偿维修 {order_no}", Decimal("70.86"))]
    assert receipt["total_upper"] == "柒拾元捌角陆分"
    pdf = cashier.get(f"/receipt-print/{line.payment_id}/a4")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"有偿维修 {order_no}" in text and "70.86" in text and "柒拾元捌角陆分" in text
    assert billing.unpaid_lines(house) == []
    assert f"有偿维修 {order_no}" not in cashier.get(f"/counter/?house={house}").get_data(as_text=True)

    day = reports.daily_report(ctx["community"], DAY)
    assert (day["total"].count, day["total"].amount, day["total"].bills) == (1, Decimal("70.86"), Decimal("70.86"))
    rate = reports.collection_rate(ctx["community"], 2026, 11)
    assert (rate["total"].billed, rate["total"].collected, rate["total"].rate) == (
        Decimal("70.86"), Decimal("70.86"), Decimal("100.00"))
    assert dict(reports.collected_by_item(ctx["community"], *_month()))["有偿维修"] == Decimal("70.86")


def _month():
    return datetime(2026, 11, 1), datetime(2026, 12, 1)


def test_a_reopen_withdraws_the_unpaid_bill_and_the_next_completion_bills_the_new_total(ctx):
    order = _order(ctx)
    _complete(ctx, order, T0 + timedelta(hours=1))
    db.session.commit()
    services.callback(order.id, ctx["desk"], "unsatisfied", remark="还在漏", now=T0 + timedelta(hours=2))
    db.session.commit()
    assert _repair_lines(order.id) == [] and billing.unpaid_lines(ctx["house"]) == []
    assert db.session.scalars(select(ServiceCharge)).one().state == "withdrawn"
    from app.billing.charges import collect_service_charges

    assert collect_service_charges() == 0  # a withdrawn charge waits for the rework, not for a collection
    services.transition(order.id, "arrive", ctx["engineer"], now=T0 + timedelta(hours=3))
    # the return visit: no more labour, one valve more (materials add up)
    _complete(ctx, order, T0 + timedelta(hours=4), labour="0", materials=[(ctx["valve"], "1")])
    db.session.commit()
    (line,) = _repair_lines(order.id)
    assert line.amount == Decimal("49.36") and line.state == "unpaid"  # 30.86 + 18.50
    assert db.session.scalars(select(ServiceCharge)).one().state == "billed"


def test_a_cancel_after_a_reopen_cancels_the_charge(ctx):
    order = _order(ctx)
    _complete(ctx, order, T0 + timedelta(hours=1))
    services.callback(order.id, ctx["desk"], "unsatisfied", remark="还在漏", now=T0 + timedelta(hours=2))
    services.transition(order.id, "cancel", ctx["desk"], note="业主另请他人维修", now=T0 + timedelta(hours=3))
    db.session.commit()
    assert _repair_lines(order.id) == []
    assert db.session.scalars(select(ServiceCharge)).one().state == "cancelled"


def test_a_paid_bill_stays_as_it_was_paid_through_a_reopen_and_a_second_completion(ctx):
    order = _order(ctx)
    _complete(ctx, order, T0 + timedelta(hours=1))
    line = _repair_lines(order.id)[0]
    billing.pay(ctx["house"], [line.id], "wechat", ctx["cashier"], expected_amount="70.86",
                now=T0 + timedelta(hours=2))
    db.session.commit()
    services.callback(order.id, ctx["desk"], "unsatisfied", remark="还在漏", now=T0 + timedelta(hours=3))
    services.transition(order.id, "arrive", ctx["engineer"], now=T0 + timedelta(hours=4))
    _complete(ctx, order, T0 + timedelta(hours=5), labour="0", materials=[(ctx["valve"], "1")])
    db.session.commit()
    (kept,) = _repair_lines(order.id)
    assert (kept.id, kept.amount, kept.state) == (line.id, Decimal("70.86"), "paid")
    charge = db.session.scalars(select(ServiceCharge)).one()
    assert (charge.amount, charge.state) == (Decimal("70.86"), "billed")
    assert billing.ledger_problems() == []


def test_waiting_charges_are_collected_once_dated_as_they_were_made(ctx):
    from app.billing.charges import collect_service_charges

    made = datetime(2026, 11, 12, 16, 40)
    db.session.add(ServiceCharge(house_id=ctx["house"], source="repair", source_id=424242, created_at=made,
                                 description="有偿维修 BX20261112-000424", amount=Decimal("57.00")))
    db.session.commit()
    assert collect_service_charges() == 1
    db.session.commit()
    assert collect_service_charges() == 0
    (line,) = _repair_lines(424242)
    assert (line.amount, line.period, line.due_date, line.created_at) == (Decimal("57.00"), "2026-11",
                                                                          date(2026, 11, 12), made)
    assert db.session.scalar(select(func.count()).select_from(ServiceCharge).where(
        ServiceCharge.state == "billed")) == 1


def test_a_demo_loaded_before_this_bills_its_waiting_charges_at_the_next_load(ctx):
    """`flask pm demo --if-empty` (every `make run`) ends by billing the charges a demo of before left waiting."""
    from app import demo

    db.session.add(ServiceCharge(house_id=ctx["house"], source="repair", source_id=515151,
                                 created_at=datetime(2026, 11, 18, 11, 5), description="有偿维修 BX20261118-000515",
                                 amount=Decimal("36.00")))
    db.session.commit()
    said = []
    demo._bill_waiting_charges(said.append)
    demo._bill_waiting_charges(said.append)
    assert said == ["Billed 1 paid-repair charges that were waiting for the counter."]
    assert [line.amount for line in billing.unpaid_lines(ctx["house"])] == [Decimal("36.00")]
