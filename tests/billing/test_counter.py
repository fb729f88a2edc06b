"""收款 at the counter: receipts with gap-free serials and 人民币大写, pre-payment and the balance, 作废 and 红冲,
bad input that writes nothing, paid lines that cannot be deleted or edited."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing import services
from app.billing.models import AccountEntry, BillLine, HouseAccount, Payment
from app.core.audit import set_cli_actor
from app.core.money import rmb_upper
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor

NOW = datetime(2026, 11, 20, 10, 30)


@pytest.fixture
def ctx(app, fees):
    with app.app_context():
        set_cli_actor("test")
        manager = actor(app, roles.MANAGER)
        services.commit_run(fees["community"], "2026-10", manager, today=TODAY)
        services.commit_run(fees["community"], "2026-11", manager, today=TODAY)
        db.session.commit()
        h1 = fees["houses"][0]
        yield dict(fees, cashier=actor(app, roles.CASHIER), manager=manager, admin=actor(app, roles.ADMIN),
                   service=actor(app, roles.SERVICE), h1=h1,
                   lines=[line.id for line in services.unpaid_lines(h1)])
        db.session.rollback()
        set_cli_actor(None)


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Payment, AccountEntry)) + (
        db.session.scalar(select(func.count()).select_from(BillLine).where(BillLine.state == "paid")),)


@pytest.mark.parametrize("amount, upper", [
    ("1010.10", "壹仟零壹拾元壹角整"),
    ("0.00", "零元整"),
    ("0.50", "伍角整"),
    ("0.05", "伍分"),
    ("1.01", "壹元零壹分"),
    ("10.00", "壹拾元整"),
    ("100100.00", "壹拾万零壹佰元整"),
    ("10000.01", "壹万元零壹分"),
    ("1000010.00", "壹佰万零壹拾元整"),
    ("100000000.00", "壹亿元整"),
    ("120.30", "壹佰贰拾元叁角整"),
    ("-25.50", "负贰拾伍元伍角整"),
])
def test_rmb_upper_follows_the_rules_of_writing_amounts(amount, upper):
    assert rmb_upper(Decimal(amount)) == upper


def test_paying_two_lines_makes_one_receipt_with_serial_and_upper_case_total(ctx):
    h1, lines = ctx["h1"], ctx["lines"]
    # 1-1-0101: 物业服务费 ×2 (210.33) and 停车费 ×2 (150.00), oldest first
    assert len(lines) == 4
    first_two = lines[:2]
    p = services.pay(h1, first_two, "wechat", ctx["cashier"], expected_amount="360.33", now=NOW)
    db.session.commit()
    assert p.receipt_no == "SK2026-000001" and p.amount == Decimal("360.33") and p.method == "wechat"
    r = services.receipt(p)
    assert r["total_upper"] == "叁佰陆拾元叁角叁分"
    assert sorted((row["period"], row["amount"]) for row in r["rows"]) == [("2026-10", Decimal("150.00")),
                                                                            ("2026-10", Decimal("210.33"))]
    assert p.cashier_name and p.paid_at == NOW
    assert {line.state for line in db.session.scalars(select(BillLine).where(BillLine.id.in_(first_two)))} == {"paid"}

    p2 = services.pay(h1, lines[2:], "cash", ctx["cashier"], now=NOW)
    db.session.commit()
    assert p2.receipt_no == "SK2026-000002"
    assert services.arrears_of(h1) == Decimal("0.00")
    assert services.ledger_problems() == []


@pytest.mark.parametrize("kwargs, message", [
    (dict(expected_amount="360.00"), "不符"),
    (dict(expected_amount="abc"), "数字"),
    (dict(method="bitcoin"), "请从列出的选项中选择"),
    (dict(prepay="-5"), "之间"),
    (dict(line_ids=[]), "请选择"),
    (dict(line_ids=[999999]), "没有这笔账单"),
    (dict(house_id=999999), "没有这个房屋"),
])
def test_bad_payments_are_refused_with_a_message_and_write_nothing(ctx, kwargs, message):
    args = dict(house_id=ctx["h1"], line_ids=ctx["lines"][:2], method="cash")
    args.update(kwargs)
    before = _counts()
    with pytest.raises(RuleViolation) as exc:
        services.pay(args.pop("house_id"), args.pop("line_ids"), args.pop("method"), ctx["cashier"], now=NOW, **args)
    assert message in str(exc.value)
    db.session.rollback()
    assert _counts() == before


def test_lines_of_another_house_or_community_and_roles_without_the_counter_are_refused(ctx):
    other_house_line = services.unpaid_lines(ctx["houses"][1])[0].id
    with pytest.raises(RuleViolation) as exc:
        services.pay(ctx["h1"], [other_house_line], "cash", ctx["cashier"], now=NOW)
    assert "1-1-0101" in str(exc.value)
    db.session.rollback()
    with pytest.raises(RuleViolation) as exc:
        services.pay(ctx["h1"], ctx["lines"][:1], "cash", ctx["cashier"], community_id=ctx["other_community"], now=NOW)
    assert "其他小区" in str(exc.value) or "另一个小区" in str(exc.value)
    db.session.rollback()
    with pytest.raises(RuleViolation):
        services.pay(ctx["h1"], ctx["lines"][:1], "cash", ctx["service"], now=NOW)
    db.session.rollback()
    assert _counts() == (0, 0, 0)


def test_a_paid_line_cannot_be_paid_again(ctx):
    services.pay(ctx["h1"], ctx["lines"][:1], "cash", ctx["cashier"], now=NOW)
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        services.pay(ctx["h1"], ctx["lines"][:1], "cash", ctx["cashier"], now=NOW)
    assert "已缴" in str(exc.value)
    db.session.rollback()
    assert _counts()[0] == 1


def test_paid_lines_cannot_be_deleted_or_edited_through_the_orm(ctx):
    services.pay(ctx["h1"], ctx["lines"][:1], "cash", ctx["cashier"], now=NOW)
    db.session.commit()
    line = db.session.get(BillLine, ctx["lines"][0])
    amount = line.amount
    line.amount = Decimal("1.00")
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()
    line = db.session.get(BillLine, ctx["lines"][0])
    db.session.delete(line)
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(BillLine, ctx["lines"][0]).amount == amount
    payment = db.session.scalars(select(Payment)).one()
    db.session.delete(payment)
    with pytest.raises(RuleViolation):
        db.session.flush()
    db.session.rollback()


def test_prepayment_and_paying_from_the_balance(ctx):
    h1, lines = ctx["h1"], ctx["lines"]
    p = services.pay(h1, [], "cash", ctx["cashier"], prepay="500", expected_amount="500", now=NOW)
    db.session.commit()
    assert p.receipt_no == "SK2026-000001" and services.balance_of(h1) == Decimal("500.00")
    assert services.receipt(p)["total_upper"] == "伍佰元整"
    # pay two lines (360.33) from the balance: nothing handed over
    p2 = services.pay(h1, lines[:2], "cash", ctx["cashier"], use_balance=True, expected_amount="0", now=NOW)
    db.session.commit()
    assert (p2.amount, p2.balance_used) == (Decimal("0.00"), Decimal("360.33"))
    assert services.balance_of(h1) == Decimal("139.67")
    # the rest (360.33) with 139.67 from the balance: 220.66 handed over
    p3 = services.pay(h1, lines[2:], "pos", ctx["cashier"], use_balance=True, expected_amount="220.66", now=NOW)
    db.session.commit()
    assert services.balance_of(h1) == Decimal("0.00") and p3.balance_used == Decimal("139.67")
    assert services.ledger_problems() == []


def test_a_committed_run_settles_lines_from_the_balance_oldest_first_while_it_covers_them(app, ctx):
    h1 = ctx["h1"]
    services.pay(h1, ctx["lines"], "cash", ctx["cashier"], prepay="400", now=NOW)
    db.session.commit()
    run = services.commit_run(ctx["community"], "2026-12", ctx["manager"], today=TODAY)
    db.session.commit()
    # 物业服务费 2026-12 (210.33) fits in 400, then 停车费 (150.00) fits in 189.67: both settled
    assert run.settled_count == 2 and services.balance_of(h1) == Decimal("39.67")
    assert services.arrears_of(h1) == Decimal("0.00")
    assert services.ledger_problems() == []


def test_void_is_the_cashiers_own_on_the_same_day_with_a_reason(app, ctx):
    h1, lines = ctx["h1"], ctx["lines"]
    p = services.pay(h1, lines[:2], "cash", ctx["cashier"], prepay="100", now=NOW)
    db.session.commit()
    for who, when, reason, message in [
        (ctx["manager"], NOW, "收错了", "只有收款的收费员"),
        (ctx["cashier"], NOW + timedelta(days=1), "收错了", "当天"),
        (ctx["cashier"], NOW, "", "不能为空"),
    ]:
        with pytest.raises(RuleViolation) as exc:
            services.void_payment(p.id, who, reason, now=when)
        assert message in str(exc.value)
        db.session.rollback()
        assert db.session.get(Payment, p.id).state == "valid"
    services.void_payment(p.id, ctx["cashier"], "收错了房号", now=NOW + timedelta(hours=1))
    db.session.commit()
    p = db.session.get(Payment, p.id)
    assert (p.state, p.reason, p.receipt_no) == ("voided", "收错了房号", "SK2026-000001")
    assert services.arrears_of(h1) == Decimal("720.66") and services.balance_of(h1) == Decimal("0.00")
    # the serial stays used: the next receipt is 000002
    p2 = services.pay(h1, lines[:1], "cash", ctx["cashier"], now=NOW + timedelta(hours=2))
    db.session.commit()
    assert p2.receipt_no == "SK2026-000002"
    with pytest.raises(RuleViolation):
        services.void_payment(p.id, ctx["cashier"], "再作废一次", now=NOW + timedelta(hours=2))
    db.session.rollback()
    assert services.ledger_problems() == []


def test_a_used_prepayment_cannot_be_voided_before_what_used_it(ctx):
    h1, lines = ctx["h1"], ctx["lines"]
    p = services.pay(h1, [], "cash", ctx["cashier"], prepay="300", now=NOW)
    services.pay(h1, lines[:1], "cash", ctx["cashier"], use_balance=True, now=NOW)
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        services.void_payment(p.id, ctx["cashier"], "错收", now=NOW)
    assert "已被用于" in str(exc.value)
    db.session.rollback()
    first = db.session.get(BillLine, lines[0]).amount
    assert db.session.get(Payment, p.id).state == "valid" and services.balance_of(h1) == Decimal("300.00") - first


def test_reversal_is_the_project_managers_and_keeps_both_entries(ctx):
    h1, lines = ctx["h1"], ctx["lines"]
    p = services.pay(h1, lines[:2], "bank", ctx["cashier"], now=NOW)
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        services.reverse_payment(p.id, ctx["cashier"], "银行退回", now=NOW + timedelta(days=3))
    assert "项目经理" in str(exc.value)
    db.session.rollback()
    entry = services.reverse_payment(p.id, ctx["manager"], "银行退回", now=NOW + timedelta(days=3))
    db.session.commit()
    assert entry.receipt_no == "SK2026-000002" and entry.kind == "reversal" and entry.amount == Decimal("-360.33")
    assert entry.reversal_of_id == p.id and db.session.get(Payment, p.id).state == "reversed"
    assert services.receipt(entry)["total_upper"] == "负叁佰陆拾元叁角叁分"
    assert services.arrears_of(h1) == Decimal("720.66")
    with pytest.raises(RuleViolation):
        services.reverse_payment(entry.id, ctx["manager"], "再冲", now=NOW + timedelta(days=3))
    db.session.rollback()
    assert services.ledger_problems() == []


def test_serials_are_per_community_and_year(ctx):
    other_house = ctx["houses"][-1]  # 锦绣华庭
    manager = ctx["manager"]
    from app.billing.models import FeeItem
    db.session.add(FeeItem(community_id=ctx["other_community"], code="WYF", name="物业服务费", method="area",
                           area_basis="building_area", unit_price=Decimal("1.80"), cycle="monthly"))
    db.session.commit()
    services.commit_run(ctx["other_community"], "2026-11", manager, today=TODAY)
    db.session.commit()
    a = services.pay(ctx["h1"], ctx["lines"][:1], "cash", ctx["cashier"], now=NOW)
    b = services.pay(other_house, [services.unpaid_lines(other_house)[0].id], "cash", ctx["cashier"], now=NOW)
    c = services.pay(ctx["h1"], ctx["lines"][1:2], "cash", ctx["cashier"], now=datetime(2027, 1, 2, 9, 0))
    db.session.commit()
    assert (a.receipt_no, b.receipt_no, c.receipt_no) == ("SK2026-000001", "SK2026-000001", "SK2027-000001")
    assert db.session.get(HouseAccount, ctx["h1"]) is None  # no balance was ever touched


def test_reversing_a_payment_that_used_the_balance_gives_the_balance_back_and_adds_up(ctx):
    h1, lines = ctx["h1"], ctx["lines"]
    services.pay(h1, [], "cash", ctx["cashier"], prepay="100", now=NOW)
    p = services.pay(h1, lines[:2], "cash", ctx["cashier"], use_balance=True, now=NOW)
    db.session.commit()
    assert p.balance_used == Decimal("100.00") and p.amount == Decimal("260.33")
    entry = services.reverse_payment(p.id, ctx["manager"], "重复收费", now=NOW + timedelta(days=2))
    db.session.commit()
    assert (entry.amount, entry.balance_used) == (Decimal("-260.33"), Decimal("-100.00"))
    rows = services.receipt(entry)["rows"]
    assert sum(row["amount"] for row in rows) == entry.amount  # the rows add up to the total
    assert services.balance_of(h1) == Decimal("100.00")
    assert services.ledger_problems() == []


@pytest.mark.moment("2026-11-20 10:30")
def test_the_counter_says_how_many_days_a_bill_is_overdue(ctx, login_as):
    due = db.session.scalar(select(BillLine.due_date).where(BillLine.house_id == ctx["h1"],
                                                            BillLine.period == "2026-10").limit(1))
    html = login_as(roles.CASHIER).get(f"/counter/?house={ctx['h1']}").get_data(True)
    assert f"逾期{(TODAY - due).days}天" in html
    assert "已超时" not in html  # the desk's word for an order past its deadline, not a bill's


def test_a_run_counts_only_its_own_bills_settled_from_the_balance(app, ctx):
    h1 = ctx["h1"]
    # a pre-payment only: the house's older bills stay unpaid
    services.pay(h1, [], "cash", ctx["cashier"], prepay="5000", now=NOW)
    db.session.commit()
    older = len(services.unpaid_lines(h1))
    assert older > 0
    run = services.commit_run(ctx["community"], "2026-12", ctx["manager"], today=TODAY)
    db.session.commit()
    # every unpaid line is settled, older ones first; the run reports only its own two (物业服务费, 停车费)
    assert services.unpaid_lines(h1) == []
    assert run.settled_count == 2
