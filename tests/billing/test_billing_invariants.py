"""The money's invariants over random sequences of runs, payments, pre-payments, voids and reversals
(hypothesis): for every house, sum(lines) − sum(applied) = arrears; receipts sum to payments; the balance is
never negative and equals its ledger; every serial is used once, without gaps. A refused step changes nothing."""
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from app.billing import services
from app.billing.models import (AccountEntry, BillingRun, BillLine, HouseAccount, Payment, PaymentLine,
                                ReceiptSequence)
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor

PERIODS = ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
T0 = datetime(2026, 11, 20, 9, 0)

step = st.one_of(
    st.tuples(st.just("run"), st.sampled_from(PERIODS)),
    st.tuples(st.just("pay"), st.integers(0, 4), st.integers(1, 3), st.booleans(), st.sampled_from(["0", "0.01", "99.99", "300"])),
    st.tuples(st.just("prepay"), st.integers(0, 4), st.sampled_from(["0.01", "50", "210.33", "1000"])),
    st.tuples(st.just("void"), st.integers(0, 20)),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
)


def _reset():
    db.session.rollback()
    for model in (AccountEntry, PaymentLine, BillLine, Payment, HouseAccount, ReceiptSequence, BillingRun):
        db.session.execute(delete(model))
    db.session.commit()


def _snapshot():
    return (
        sorted(db.session.execute(select(BillLine.id, BillLine.state, BillLine.payment_id)).all()),
        sorted(db.session.execute(select(Payment.id, Payment.state)).all()),
        sorted(db.session.execute(select(HouseAccount.house_id, HouseAccount.balance)).all()),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_random_sequences_keep_the_money_consistent(app, fees, steps):
    houses = fees["houses"][:5]
    with app.app_context():
        set_cli_actor("test")
        _reset()
        cashier, manager = actor(app, roles.CASHIER), actor(app, roles.MANAGER)
        now = T0
        try:
            for s in steps:
                now += timedelta(minutes=7)
                before = _snapshot()
                try:
                    if s[0] == "run":
                        services.commit_run(fees["community"], s[1], manager, today=TODAY)
                    elif s[0] == "pay":
                        house = houses[s[1]]
                        lines = [line.id for line in services.unpaid_lines(house)][: s[2]]
                        services.pay(house, lines, "cash", cashier, use_balance=s[3], prepay=s[4], now=now)
                    elif s[0] == "prepay":
                        services.pay(houses[s[1]], [], "wechat", cashier, prepay=s[2], now=now)
                    elif s[0] in ("void", "reverse"):
                        ids = db.session.scalars(select(Payment.id).order_by(Payment.id)).all()
                        if not ids:
                            continue
                        pid = ids[s[1] % len(ids)]
                        if s[0] == "void":
                            services.void_payment(pid, cashier, "录入错误", now=now)
                        else:
                            services.reverse_payment(pid, manager, "银行退回", now=now)
                    elif s[0] == "cancel":
                        ids = db.session.scalars(select(BillingRun.id).order_by(BillingRun.id)).all()
                        if not ids:
                            continue
                        services.cancel_run(ids[s[1] % len(ids)], manager, "重新计费")
                    db.session.commit()
                except RuleViolation:
                    db.session.rollback()
                    assert _snapshot() == before, f"a refused {s[0]} changed something"
                assert services.ledger_problems() == [], steps
                assert all(b >= 0 for b in db.session.scalars(select(HouseAccount.balance)))
                for house in houses:
                    lines = db.session.scalars(select(BillLine).where(BillLine.house_id == house)).all()
                    assert services.arrears_of(house) == sum(
                        (line.amount for line in lines if line.state == "unpaid"), Decimal("0.00"))
        finally:
            _reset()
            set_cli_actor(None)
