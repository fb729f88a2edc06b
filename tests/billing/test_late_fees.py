"""滞纳金: off unless the fee item has a rate; charged once per bill, when the bill is paid, as a line of its own
on the same receipt; waived only by the project manager (said in the remark); a voided payment leaves the late
fee owed as it was; the counter shows it and sums it."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing import services
from app.billing.models import BillLine, FeeItem, Payment
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor

NOW = datetime(2026, 11, 20, 10, 30)  # 2026-10's bills (due 2026-10-31) are 20 days overdue


@pytest.fixture
def ctx(app, fees):
    """物业服务费 at 万分之五 a day; 1-1-0101 owes 2026-10 (210.33 + 停车费 150.00, overdue) and 2026-11."""
    with app.app_context():
        set_cli_actor("test")
        db.session.get(FeeItem, fees["wyf"]).late_fee_rate = Decimal("0.0005")
        manager = actor(app, roles.MANAGER)
        for period in ("2026-10", "2026-11"):
            services.commit_run(fees["community"], period, manager, today=TODAY)
        db.session.commit()
        h1 = fees["houses"][0]
        lines = services.unpaid_lines(h1)
        # 物业服务费 first, then 停车费
        october = sorted((line.id for line in lines if line.period == "2026-10"),
                         key=lambda i: db.session.get(BillLine, i).fee_item_id != fees["wyf"])
        yield dict(fees, cashier=actor(app, roles.CASHIER), manager=manager, h1=h1, october=october,
                   november=[line.id for line in lines if line.period == "2026-11"])
        db.session.rollback()
        set_cli_actor(None)


def _late_lines():
    return list(db.session.scalars(select(BillLine).where(BillLine.source == "late_fee")))


def test_paying_an_overdue_bill_charges_its_late_fee_on_the_same_receipt(ctx):
    # 210.33 × 0.0005 × 20 = 2.1033 → 2.10; 停车费 has no rate; November is not due yet
    assert services.pending_late_fees(services.unpaid_lines(ctx["h1"]), NOW.date()) == {
        ctx["october"][0]: Decimal("2.10")}
    p = services.pay(ctx["h1"], ctx["october"], "cash", ctx["cashier"], expected_amount="362.43", now=NOW)
    db.session.commit()
    assert p.amount == Decimal("362.43") and p.lines_amount == Decimal("362.43")
    rows = services.receipt(p)["rows"]
    assert [(r["description"], r["amount"]) for r in rows][-1] == ("滞纳金：物业服务费 2026-10，逾期20天", Decimal("2.10"))
    assert services.receipt(p)["total_upper"] == "叁佰陆拾贰元肆角叁分"
    late, = _late_lines()
    assert late.state == "paid" and late.source_id == ctx["october"][0] and late.payment_id == p.id
    assert services.arrears_of(ctx["h1"]) == Decimal("360.33") and services.ledger_problems() == []


def test_the_amount_seen_without_the_late_fee_is_refused_and_nothing_written(ctx):
    with pytest.raises(RuleViolation) as exc:
        services.pay(ctx["h1"], ctx["october"], "cash", ctx["cashier"], expected_amount="360.33", now=NOW)
    assert "362.43" in str(exc.value)
    db.session.rollback()
    assert _late_lines() == [] and db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_only_the_project_manager_may_waive_and_the_receipt_says_so(ctx):
    with pytest.raises(RuleViolation) as exc:
        services.pay(ctx["h1"], ctx["october"], "cash", ctx["cashier"], waive_late_fees=True, now=NOW)
    assert "只有项目经理" in str(exc.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    p = services.pay(ctx["h1"], ctx["october"], "cash", ctx["manager"], waive_late_fees=True,
                     expected_amount="360.33", remark="业主困难", now=NOW)
    db.session.commit()
    assert p.amount == Decimal("360.33") and _late_lines() == []
    assert p.remark.startswith("业主困难；") and "免收滞纳金 2.10" in p.remark


def test_a_voided_payment_leaves_the_late_fee_owed_once_not_twice(ctx):
    first = services.pay(ctx["h1"], ctx["october"][:1], "cash", ctx["cashier"], now=NOW)
    db.session.commit()
    services.void_payment(first.id, ctx["cashier"], "收错了", now=NOW)
    db.session.commit()
    late, = _late_lines()
    assert late.state == "unpaid" and late.amount == Decimal("2.10")
    # paid again ten days later: the late fee already charged comes along, no second one
    again = services.pay(ctx["h1"], ctx["october"][:1], "cash", ctx["cashier"], expected_amount="212.43",
                         now=datetime(2026, 11, 30, 9, 0))
    db.session.commit()
    assert len(_late_lines()) == 1 and {pl.bill_line_id for pl in again.lines} == {ctx["october"][0], late.id}
    assert services.ledger_problems() == []


def test_a_late_fee_once_paid_cannot_be_changed(ctx):
    services.pay(ctx["h1"], ctx["october"], "cash", ctx["cashier"], now=NOW)
    db.session.commit()
    late, = _late_lines()
    late.amount = Decimal("0.01")
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()


def test_no_rate_no_late_fee(ctx):
    db.session.get(FeeItem, ctx["wyf"]).late_fee_rate = None
    p = services.pay(ctx["h1"], ctx["october"], "cash", ctx["cashier"], expected_amount="360.33", now=NOW)
    db.session.commit()
    assert p.amount == Decimal("360.33") and _late_lines() == []


@pytest.mark.parametrize("role, may_waive", [(roles.CASHIER, False), (roles.MANAGER, True)])
def test_the_counter_shows_and_sums_the_late_fee(app, ctx, login_as, role, may_waive):
    # (one login per test: the fixture's app context would keep the first user in g)
    html = login_as(role).get(f"/counter/?house={ctx['h1']}").get_data(as_text=True)
    # today's late fee of October's 物业服务费 is on its row and in the sum the page makes
    fee = services.late_fee(db.session.get(BillLine, ctx["october"][0]), date.today())
    assert f'data-late="{fee}"' in html and f"+ 滞纳金 ¥{fee}" in html and "含滞纳金" in html
    assert ("免收滞纳金" in html) is may_waive


def test_a_late_fee_belongs_to_the_month_it_is_charged_in(ctx):
    services.pay(ctx["h1"], ctx["october"], "cash", ctx["cashier"], now=NOW)
    db.session.commit()
    late, = _late_lines()
    assert late.period == "2026-11" and "2026-10" in late.description
