"""账期 runs: preview, commit, idempotence (by a unique key in the database), cycles, vacancy discount, scope,
bad periods, cancelling; fee item rules."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from app.billing import services
from app.billing.models import BillingRun, BillLine, FeeItem
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.estate.models import House
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor


@pytest.fixture
def ctx(app, fees):
    with app.app_context():
        set_cli_actor("test")
        yield dict(fees, cashier=actor(app, roles.CASHIER), manager=actor(app, roles.MANAGER))
        db.session.rollback()
        set_cli_actor(None)


def _lines(**where):
    stmt = select(BillLine).order_by(BillLine.house_id, BillLine.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(BillLine, key) == value)
    return db.session.scalars(stmt).all()


def test_preview_writes_nothing_and_shows_counts_and_totals(ctx):
    plan = services.plan_run(ctx["community"], "2026-11", today=TODAY)
    # five houses of 翠湖花园 (89.50 ㎡ × 2.35 = 210.325 → 210.33 half-up), one parking space (150.00)
    assert plan.count == 6
    assert plan.total == Decimal("210.33") * 5 + Decimal("150.00")
    assert plan.by_item == {"物业服务费": [5, Decimal("1051.65")], "停车费": [1, Decimal("150.00")]}
    assert plan.by_building == {"1号楼": [5, Decimal("991.32")], "2号楼": [1, Decimal("210.33")]}
    assert db.session.scalar(select(func.count()).select_from(BillLine)) == 0


def test_commit_creates_each_line_once_and_a_repeat_creates_nothing(ctx):
    run = services.commit_run(ctx["community"], "2026-11", ctx["manager"], today=TODAY)
    db.session.commit()
    assert (run.line_count, run.total, run.state) == (6, Decimal("1201.65"), "committed")
    line = _lines(fee_item_id=ctx["wyf"])[0]
    assert (line.description, line.quantity, line.unit_price, line.amount, line.due_date) == (
        "物业服务费 2026-11", Decimal("89.50"), Decimal("2.3500"), Decimal("210.33"), date(2026, 12, 1))
    assert _lines(fee_item_id=ctx["tcf"])[0].description == "停车费 2026-11 B001"

    with pytest.raises(RuleViolation) as exc:
        services.commit_run(ctx["community"], "2026-11", ctx["manager"], today=TODAY)
    assert "已生成" in str(exc.value)
    db.session.rollback()
    assert len(_lines()) == 6

    # a house added later: the repeated run bills only it
    h = db.session.get(House, ctx["houses"][0])
    db.session.add(House(community_id=h.community_id, building_id=h.building_id, unit_id=h.unit_id, room_no="0601",
                         house_no="1-1-0601", floor=6, building_area=Decimal("100.00"), usage="residential",
                         status="occupied"))
    db.session.commit()
    again = services.commit_run(ctx["community"], "2026-11", ctx["manager"], today=TODAY)
    db.session.commit()
    assert (again.line_count, again.total) == (1, Decimal("235.00"))
    assert len(_lines()) == 7


def test_the_database_itself_refuses_a_second_line_for_the_same_item_payer_and_period(ctx):
    services.commit_run(ctx["community"], "2026-11", ctx["manager"], today=TODAY)
    db.session.commit()
    line = _lines(fee_item_id=ctx["wyf"])[0]
    row = {c.name: getattr(line, c.name) for c in BillLine.__table__.columns if c.name != "id"}
    with pytest.raises(IntegrityError):
        db.session.execute(insert(BillLine.__table__), [row])
    db.session.rollback()


def test_quarterly_item_is_billed_in_its_months_for_three_months(ctx):
    db.session.get(FeeItem, ctx["wyf"]).cycle = "quarterly"
    db.session.get(FeeItem, ctx["wyf"]).start_month = 1
    db.session.commit()
    assert services.plan_run(ctx["community"], "2026-11", fee_item_ids=[ctx["wyf"]], today=TODAY).count == 0
    plan = services.plan_run(ctx["community"], "2026-10", fee_item_ids=[ctx["wyf"]], today=TODAY)
    # 89.50 × 2.35 × 3 = 630.975 → 630.98
    assert plan.count == 5 and plan.rows[0]["amount"] == Decimal("630.98") and plan.rows[0]["months"] == 3
    assert plan.rows[0]["description"] == "物业服务费 2026-10至2026-12"


def test_vacant_houses_pay_the_configured_share_and_uses_and_buildings_limit_an_item(ctx):
    item = db.session.get(FeeItem, ctx["wyf"])
    item.vacant_percent = Decimal("70")
    db.session.get(House, ctx["houses"][1]).status = "vacant"
    db.session.commit()
    plan = services.plan_run(ctx["community"], "2026-11", fee_item_ids=[ctx["wyf"]], today=TODAY)
    amounts = {r["house_id"]: r["amount"] for r in plan.rows}
    assert amounts[ctx["houses"][1]] == Decimal("147.23")  # 210.325 × 70% = 147.2275 → 147.23
    assert amounts[ctx["houses"][0]] == Decimal("210.33")

    item.usages = "shop"
    db.session.get(House, ctx["houses"][2]).usage = "shop"
    db.session.commit()
    plan = services.plan_run(ctx["community"], "2026-11", fee_item_ids=[ctx["wyf"]], today=TODAY)
    assert [r["house_id"] for r in plan.rows] == [ctx["houses"][2]]

    plan = services.plan_run(ctx["community"], "2026-11", building_ids=[ctx["b2"]], today=TODAY)
    assert plan.count == 0  # 2号楼 has no shop and the parking space's house is in 1号楼


def test_inner_area_basis_skips_houses_without_it_and_says_so(ctx):
    db.session.get(FeeItem, ctx["wyf"]).area_basis = "inner_area"
    db.session.get(House, ctx["houses"][0]).inner_area = None
    db.session.commit()
    plan = services.plan_run(ctx["community"], "2026-11", fee_item_ids=[ctx["wyf"]], today=TODAY)
    assert plan.count == 4 and plan.rows[0]["amount"] == Decimal("164.78")  # 70.12 × 2.35 = 164.782
    assert plan.skipped == [("1-1-0101", "未登记套内面积")]


@pytest.mark.parametrize("period, message", [
    ("2026-13", "不是有效的账期"), ("202611", "不是有效的账期"), ("<b>x</b>", "不是有效的账期"),
    ("2027-03", "最多只能提前 3 个月"), ("1999-12", "2000"),
])
def test_bad_periods_are_refused_and_nothing_is_written(ctx, period, message):
    with pytest.raises(RuleViolation) as exc:
        services.commit_run(ctx["community"], period, ctx["manager"], today=TODAY)
    assert message in str(exc.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BillLine)) == 0
    assert db.session.scalar(select(func.count()).select_from(BillingRun)) == 0


def test_a_run_is_cancelled_while_nothing_is_paid_and_not_after(ctx):
    run = services.commit_run(ctx["community"], "2026-11", ctx["manager"], today=TODAY)
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.cancel_run(run.id, ctx["manager"], "")  # a reason is needed
    db.session.rollback()
    services.cancel_run(run.id, ctx["manager"], "单价录错")
    db.session.commit()
    assert _lines() == [] and db.session.get(BillingRun, run.id).state == "cancelled"

    # once cancelled, the period can be run again; a paid line then blocks cancelling
    run = services.commit_run(ctx["community"], "2026-11", ctx["manager"], today=TODAY)
    db.session.commit()
    line = _lines(house_id=ctx["houses"][0])[0]
    services.pay(line.house_id, [line.id], "cash", ctx["cashier"])
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        services.cancel_run(run.id, ctx["manager"], "重新计费")
    assert "已缴费" in str(exc.value)
    db.session.rollback()
    assert len(_lines()) == 6 and db.session.get(BillingRun, run.id).state == "committed"


def test_repair_charges_enter_as_bill_lines_of_their_own_once(ctx):
    from app.billing.charges import collect_service_charges
    from app.service.models import ServiceCharge

    db.session.add(ServiceCharge(house_id=ctx["houses"][0], source="work_order", source_id=77,
                                 description="有偿维修 BX20261120-000077", amount=Decimal("48.50")))
    db.session.commit()
    assert collect_service_charges() == 1
    db.session.commit()
    assert collect_service_charges() == 0
    line = _lines(source="work_order")[0]
    assert (line.amount, line.description, line.fee_item_id) == (Decimal("48.50"), "有偿维修 BX20261120-000077", None)


@pytest.mark.parametrize("changes, field, message", [
    ({"unit_price": "0"}, "unit_price", "大于零"),
    ({"unit_price": "-2.35"}, "unit_price", "大于零"),
    ({"unit_price": "2.35001"}, "unit_price", "四位小数"),
    ({"unit_price": "abc"}, "unit_price", "数字"),
    ({"code": "WYF"}, "code", "WYF"),
    ({"vacant_percent": "120"}, "vacant_percent", "0"),
    ({"method": "float"}, "method", "请从列出的选项中选择"),
])
def test_fee_item_rules(ctx, changes, field, message):
    values = {"community": ctx["community"], "code": "NEW", "name": "新项目", "method": "area",
              "area_basis": "building_area", "unit_price": "1.2345", "cycle": "monthly", "start_month": 1,
              "due_days": 30}
    assert services.check_fee_item(values) == {}
    values.update(changes)
    errors = services.check_fee_item(values)
    assert field in errors and message in errors[field], errors
