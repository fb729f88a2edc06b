"""抄表与公摊 rules: tiered prices at each boundary, readings (lower refused, replaced meters, the jump flag and its
review), meter and 公摊 bills through the ordinary run (once only), the largest-remainder split."""
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.rules import RuleViolation
from tests.billing.conftest import TODAY
from tests.conftest import actor

D = Decimal


# ---------------------------------------------------------------------------- pure rules


def test_tiers_are_parsed_and_bad_tiers_refused_in_chinese(app):
    from app.billing.meters import parse_tiers

    with app.test_request_context():
        assert parse_tiers("10:3.50, 20:4.20, 5.60") == [(D("10"), D("3.50")), (D("20"), D("4.20")), (None, D("5.60"))]
        assert parse_tiers("10：3.5，5.6") == [(D("10"), D("3.5")), (None, D("5.6"))]
        assert parse_tiers("") == []
        for bad in ("10:3.50, 20:4.20", "20:3.50, 10:4.20, 5", "abc", "10:-1, 5", "10:3.50, 3:1"):
            with pytest.raises(RuleViolation) as exc:
                parse_tiers(bad)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value)), str(exc.value)


# 0–10 at 3.50, 10–20 at 4.20, above at 5.60 (per month), computed by hand
@pytest.mark.parametrize("usage, amount", [
    ("0", "0.00"), ("9.99", "34.97"), ("10", "35.00"), ("10.01", "35.04"), ("20", "77.00"), ("20.01", "77.06"),
    ("25", "105.00"),
])
def test_tiered_price_at_each_boundary(app, usage, amount):
    from app.billing.meters import parse_tiers, tiered

    with app.app_context():
        total, _parts = tiered(D(usage), parse_tiers("10:3.50, 20:4.20, 5.60"), D("3.50"))
    assert total == D(amount)


def test_flat_price_rounds_half_up_to_fen(app):
    from app.billing.meters import tiered

    # 1.5 × 3.45 = 5.175 → 5.18 (half-up, not banker's 5.18/5.17)
    assert tiered(D("1.5"), [], D("3.45"))[0] == D("5.18")
    assert tiered(D("0.5"), [], D("0.0050"))[0] == D("0.00")  # 0.0025


def test_apportion_examples(app):
    from app.billing.meters import apportion

    with app.app_context():
        # 1.00 over three equal houses: 0.34, 0.33, 0.33 (the tie goes to the first)
        assert list(apportion(D("1.00"), [("a", 1), ("b", 1), ("c", 1)]).values()) == [D("0.34"), D("0.33"),
                                                                                         D("0.33")]
        # the largest remainder gets the 分 left: 10.00 by 1:2 → 3.333 / 6.667 → 3.33 + 6.67
        assert apportion(D("10.00"), [("a", D("1")), ("b", D("2"))]) == {"a": D("3.33"), "b": D("6.67")}
        with pytest.raises(RuleViolation):
            apportion(D("10.00"), [("a", 0), ("b", 0)])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False),
       areas=st.lists(st.decimals(min_value=D("0.01"), max_value=D("2000"), places=2, allow_nan=False,
                                  allow_infinity=False), min_size=1, max_size=60))
def test_shares_always_sum_exactly_to_the_total(app, total, areas):
    from app.billing.meters import apportion

    with app.app_context():
        shares = apportion(total, list(enumerate(areas)))
    assert sum(shares.values(), D("0")) == total
    assert all(s >= 0 and s == s.quantize(D("0.01")) for s in shares.values())
    whole = sum(areas)
    for i, area in enumerate(areas):  # nobody is more than one 分 away from the exact share
        assert abs(shares[i] - total * area / whole) < D("0.01")


# ---------------------------------------------------------------------------- with a database


def _read(app, meter_id, period, current, role="收费员", **extra):
    from app.billing import meters
    from app.extensions import db

    saved = meters.record_readings([dict(meter=meter_id, current=current, **extra)], period, actor(app, role))
    db.session.commit()
    return saved[0]


def test_lower_reading_is_refused_unless_the_meter_was_replaced(app, water):
    from app.billing.models import MeterReading
    from app.extensions import db

    m = water["meters"][0]
    with app.test_request_context():
        first = _read(app, m, "2026-10", "1010.5")
        assert (first.previous, first.usage, first.state) == (D("1000.00"), D("10.50"), "ok")
        with pytest.raises(RuleViolation) as exc:
            _read(app, m, "2026-11", "1005")
        db.session.rollback()
        assert "小于上次读数" in str(exc.value) and "换表" in str(exc.value)
        assert db.session.query(MeterReading).filter_by(period="2026-11").count() == 0
        # replaced: old meter 1010.5 → 1018.0, new meter 0 → 5.5: usage 7.5 + 5.5 = 13
        r = _read(app, m, "2026-11", "5.5", replaced=True, old_final="1,018", new_start="0")
        assert (r.usage, r.replaced, r.old_final, r.new_start) == (D("13.00"), True, D("1018.00"), D("0.00"))
        # the month after continues from the new meter
        nxt = _read(app, m, "2026-12", "15.5")
        assert (nxt.previous, nxt.usage) == (D("5.50"), D("10.00"))


def test_a_replaced_meter_needs_both_readings_and_sane_ones(app, water):
    from app.extensions import db

    m = water["meters"][0]
    with app.test_request_context():
        _read(app, m, "2026-10", "1010")
        for extra, expected in ((dict(replaced=True, new_start="0"), "旧表止数"),
                                (dict(replaced=True, old_final="1005", new_start="0"), "低于上次读数"),
                                (dict(replaced=True, old_final="1020", new_start="9"), "低于新表起数"),
                                (dict(old_final="1020", new_start="0"), "换表")):
            with pytest.raises(RuleViolation) as exc:
                _read(app, m, "2026-11", "5", **extra)
            db.session.rollback()
            assert expected in str(exc.value), str(exc.value)


def test_bad_input_gets_chinese_messages_and_changes_nothing(app, water):
    from app.billing.models import MeterReading
    from app.extensions import db

    m = water["meters"][0]
    with app.test_request_context():
        for value, expected in (("abc", "必须是数字"), ("-1", "之间"), ("1020.123", "两位小数"), ("", "必须是数字")):
            with pytest.raises(RuleViolation) as exc:
                _read(app, m, "2026-11", value)
            db.session.rollback()
            assert expected in str(exc.value), str(exc.value)
        with pytest.raises(RuleViolation) as exc:
            _read(app, m, "2026-13", "1020")
        db.session.rollback()
        assert "年-月" in str(exc.value) or "账期" in str(exc.value)
        with pytest.raises(RuleViolation) as exc:
            _read(app, 999999, "2026-11", "1020")
        db.session.rollback()
        assert "没有这块表" in str(exc.value) or "表" in str(exc.value)
        assert db.session.query(MeterReading).count() == 0


def test_a_meter_no_longer_in_use_takes_no_reading(app, water):
    from app.billing.models import Meter, MeterReading
    from app.extensions import db

    m = water["meters"][0]
    with app.test_request_context():
        db.session.get(Meter, m).active = False
        db.session.commit()
        with pytest.raises(RuleViolation) as exc:
            _read(app, m, "2026-11", "1010")
        db.session.rollback()
        assert "已停用" in str(exc.value) and db.session.query(MeterReading).count() == 0


def test_a_jump_is_flagged_not_billed_until_confirmed(app, water):
    from app.billing import meters, services
    from app.billing.models import BillLine
    from app.extensions import db

    m = water["meters"][0]
    with app.test_request_context():
        _read(app, m, "2026-08", "1010")  # 10
        _read(app, m, "2026-09", "1030")  # 20 → average 15
        ok = _read(app, m, "2026-10", "1075")  # 45 = 3 × 15: not beyond
        assert ok.state == "ok" and ok.average == D("15.00")
        jump = _read(app, m, "2026-11", "1200")  # 125 > 3 × average (25)
        assert jump.state == "flagged"
        plan = services.plan_run(water["community"], "2026-11", today=TODAY)
        assert not any(r["payer_key"] == f"M{m}" for r in plan.rows)
        assert any("待复核" in why or "review" in why for _what, why in plan.skipped), plan.skipped
        with pytest.raises(RuleViolation):  # the engineer reads meters but does not confirm
            meters.confirm_reading(jump.id, actor(app, "工程维修"))
        db.session.rollback()
        meters.confirm_reading(jump.id, actor(app, "收费员"))
        db.session.commit()
        services.commit_run(water["community"], "2026-11", actor(app, "收费员"), today=TODAY)
        db.session.commit()
        line = db.session.query(BillLine).filter_by(payer_key=f"M{m}", period="2026-11").one()
        # 125 m³: 10 × 3.50 + 10 × 4.20 + 105 × 5.60 = 35 + 42 + 588
        assert line.amount == D("665.00")


def test_meter_bills_carry_their_basis_and_a_second_run_adds_nothing(app, water):
    from app.billing import services
    from app.billing.models import BillLine
    from app.extensions import db

    a, b = water["meters"][:2]
    with app.test_request_context():
        _read(app, a, "2026-10", "1023")
        _read(app, a, "2026-11", "1035.5")  # 12.5 m³: 35 + 2.5 × 4.20 = 45.50
        _read(app, b, "2026-11", "1008")  # 8 m³ × 3.50 = 28.00
        run = services.commit_run(water["community"], "2026-11", actor(app, "收费员"), today=TODAY)
        db.session.commit()
        lines = {line.payer_key: line for line in db.session.query(BillLine).filter_by(run_id=run.id)}
        assert lines[f"M{a}"].amount == D("45.50")
        assert lines[f"M{a}"].basis == "12.5 m³ (1023.0→1035.5): 10.0×3.50 + 2.5×4.20"
        assert lines[f"M{b}"].amount == D("28.00")
        with pytest.raises(RuleViolation) as exc:
            services.commit_run(water["community"], "2026-11", actor(app, "收费员"), today=TODAY)
        db.session.rollback()
        assert "已" in str(exc.value)
        assert db.session.query(BillLine).filter_by(period="2026-11").count() == 2
        # a billed reading can no longer be changed
        with pytest.raises(RuleViolation) as exc:
            _read(app, a, "2026-11", "1040")
        db.session.rollback()
        assert "已" in str(exc.value) and "账" in str(exc.value)


def test_flat_price_basis(app, water):
    from app.billing import services
    from app.billing.models import BillLine, FeeItem
    from app.extensions import db

    a = water["meters"][0]
    with app.test_request_context():
        db.session.get(FeeItem, water["sf"]).tiers = None
        db.session.commit()
        _read(app, a, "2026-10", "1023")
        _read(app, a, "2026-11", "1035.5")
        services.commit_run(water["community"], "2026-11", actor(app, "收费员"), today=TODAY)
        db.session.commit()
        line = db.session.query(BillLine).filter_by(payer_key=f"M{a}").one()
        assert (line.amount, line.basis) == (D("43.75"), "12.5 m³ (1023.0→1035.5) × 3.50")


def test_shared_cost_is_split_by_area_exactly_with_its_basis(app, lift):
    from app.billing import services
    from app.billing.models import BillLine, Meter
    from app.estate.models import House
    from app.extensions import db

    with app.test_request_context():
        # vary the areas so the split is not even
        for h, area in zip(db.session.query(House).filter(House.id.in_(lift["house_ids"])).order_by(House.id),
                           ("89.50", "120.33", "60.00", "75.25", "101.10")):
            h.building_area = D(area)
        db.session.commit()
        _read(app, lift["lift"], "2026-11", "1543.2", amount="1234.56")
        services.commit_run(lift["community"], "2026-11", actor(app, "收费员"), fee_item_ids=[lift["gt"]],
                            today=TODAY)
        db.session.commit()
        lines = db.session.query(BillLine).filter_by(fee_item_id=lift["gt"]).order_by(BillLine.house_id).all()
        assert len(lines) == 5
        assert sum(line.amount for line in lines) == D("1234.56")
        assert lines[0].basis == "公摊: 电梯用电 1,234.56 元 × 89.50/446.18㎡"
        assert lines[0].amount == D("247.64")  # 1234.56 × 89.50 / 446.18 = 247.641…
        # without the utility's amount: usage × 单价 (1543.2 × 0.80 = 1234.56 again), per household
        assert db.session.get(Meter, lift["lift"]).number == "E-LIFT"


def test_shared_per_household_and_limited_to_chosen_houses(app, lift):
    from app.billing import services
    from app.billing.models import BillLine, FeeItem, Meter
    from app.estate.models import House
    from app.extensions import db

    with app.test_request_context():
        item = db.session.get(FeeItem, lift["gt"])
        item.share_basis = "household"
        meter = db.session.get(Meter, lift["lift"])
        meter.houses = db.session.query(House).filter(House.id.in_(lift["house_ids"][:3])).all()
        db.session.commit()
        _read(app, lift["lift"], "2026-11", "125")  # 125 kWh × 0.80 = 100.00 over 3 households
        services.commit_run(lift["community"], "2026-11", actor(app, "收费员"), fee_item_ids=[lift["gt"]],
                            today=TODAY)
        db.session.commit()
        amounts = [line.amount for line in db.session.query(BillLine).filter_by(fee_item_id=lift["gt"])
                   .order_by(BillLine.house_id)]
        assert amounts == [D("33.34"), D("33.33"), D("33.33")]
        assert "÷ 3 户" in db.session.query(BillLine).filter_by(fee_item_id=lift["gt"]).first().basis


def test_shared_item_without_a_reading_makes_nothing_and_says_why(app, lift):
    from app.billing import services

    with app.test_request_context():
        plan = services.plan_run(lift["community"], "2026-11", fee_item_ids=[lift["gt"]], today=TODAY)
        assert plan.count == 0 and any("E-LIFT" in why for _w, why in plan.skipped)


def test_meter_bills_appear_on_the_notice_with_their_basis(app, water):
    from app.billing import notices, services
    from app.extensions import db

    a = water["meters"][0]
    with app.test_request_context():
        _read(app, a, "2026-10", "1023")
        _read(app, a, "2026-11", "1035.5")
        services.commit_run(water["community"], "2026-11", actor(app, "收费员"), today=TODAY)
        db.session.commit()
        request = notices.check_request({"kind": "bill", "community": water["community"], "period": "2026-11"},
                                        today=TODAY)
        (notice,) = notices.notices(request, notices.house_ids(request))
        assert [r["basis"] for r in notice["rows"]] == ["12.5 m³ (1023.0→1035.5): 10.0×3.50 + 2.5×4.20"]
        assert notice["total"] == D("45.50")


def test_fee_item_form_rules_for_meter_and_shared_items(app, lift):
    from app.billing import services

    with app.test_request_context():
        base = {"community": lift["community"], "code": "X1", "name": "燃气费", "unit_price": "3", "cycle": "monthly"}
        errors = services.check_fee_item(dict(base, method="meter", meter_kind="", tiers="abc"))
        assert {"meter_kind", "tiers"} <= set(errors)
        errors = services.check_fee_item(dict(base, method="shared", common_meter=None, share_basis="area"))
        assert "公共表" in errors["common_meter"]
        errors = services.check_fee_item(dict(base, method="shared", common_meter=lift["meters"][0],
                                              share_basis="area"))
        assert "户表" in errors["common_meter"]
        assert services.check_fee_item(dict(base, method="meter", meter_kind="gas", tiers="")) == {}
