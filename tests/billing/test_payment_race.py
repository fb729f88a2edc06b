"""Two cashiers paying the same bill at the same moment: exactly one payment is recorded, the other is told.
Runs on whichever database the suite runs on (SQLite, and PostgreSQL in CI's second pass)."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.billing import services
from app.billing.models import BillLine, Payment, ReceiptSequence
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor, race


@pytest.fixture
def bills(app, fees):
    with app.app_context():
        set_cli_actor("test")
        services.commit_run(fees["community"], "2026-11", actor(app, roles.MANAGER), today=TODAY)
        db.session.commit()
        h1 = fees["houses"][0]
        ids = [line.id for line in services.unpaid_lines(h1)]
        set_cli_actor(None)
    return dict(fees, h1=h1, lines=ids)


@pytest.mark.parametrize("rounds", range(3))
def test_two_cashiers_paying_the_same_bill_one_wins_the_other_is_told(app, bills, rounds):
    with app.app_context():
        cashier, manager = actor(app, roles.CASHIER), actor(app, roles.MANAGER)

    def work(i):
        who = cashier if i == 0 else manager
        services.pay(bills["h1"], bills["lines"], "cash", who, now=datetime(2026, 11, 20, 10, 0))

    outcomes = race(app, work)
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    loser = next(o for o in outcomes if o != "ok")
    assert "其他收费员" in loser or "已缴费" in loser or "刷新" in loser, loser
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
        assert db.session.scalar(select(ReceiptSequence.last_serial)) == 1  # no serial lost to the loser
        paid = db.session.scalars(select(BillLine).where(BillLine.id.in_(bills["lines"]))).all()
        assert {line.state for line in paid} == {"paid"} and len({line.payment_id for line in paid}) == 1
        assert services.ledger_problems() == []


def test_two_cashiers_paying_different_houses_both_get_consecutive_serials(app, bills):
    with app.app_context():
        cashier, manager = actor(app, roles.CASHIER), actor(app, roles.MANAGER)
        other = services.unpaid_lines(bills["houses"][1])[0]
        jobs = [(bills["h1"], bills["lines"]), (other.house_id, [other.id])]

    def work(i):
        house, lines = jobs[i]
        services.pay(house, lines, "cash", cashier if i == 0 else manager, now=datetime(2026, 11, 20, 10, 0))

    assert race(app, work) == ["ok", "ok"]
    with app.app_context():
        assert sorted(db.session.scalars(select(Payment.receipt_no))) == ["SK2026-000001", "SK2026-000002"]
