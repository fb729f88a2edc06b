"""The billing demo (app.billing.demo): what a visitor of a fresh `make run` finds in 费用收缴: three months of
bills, most paid at the counter with receipts numbered in the order of their dates, some houses in arrears,
one voided receipt, 催缴 records; the ledger adds up."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing import services
from app.billing.demo import FEE_ITEMS, load_billing_demo
from app.billing.models import BillingRun, BillLine, FeeItem, Payment, Reminder
from app.core.audit import set_cli_actor
from app.estate.demo import load_demo
from app.extensions import db

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(app):
    with app.app_context():
        set_cli_actor("test")
        load_demo(120, seed=7)
        counts = load_billing_demo(seed=2026, today=TODAY)
        yield counts
        db.session.rollback()
        set_cli_actor(None)


def test_three_months_billed_and_mostly_paid_with_arrears_left(demo):
    assert db.session.scalar(select(func.count()).select_from(FeeItem)) == len(FEE_ITEMS) + 2  # 水费, 公摊电费
    assert sorted(db.session.scalars(select(BillingRun.period))) == ["2026-09", "2026-10", "2026-11"]
    lines = db.session.scalar(select(func.count()).select_from(BillLine))
    paid = db.session.scalar(select(func.count()).select_from(BillLine).where(BillLine.state == "paid"))
    assert demo["bills"] == lines and 0.4 * lines < paid < 0.9 * lines
    assert services.arrears("house", as_of=TODAY)  # someone owes
    assert services.ledger_problems() == []


def test_two_months_of_readings_billed_with_one_jump_waiting_for_review(demo):
    from app.billing.models import MeterReading

    readings = db.session.scalars(select(MeterReading)).all()
    assert len(readings) == demo["meter readings"] > 0
    assert sorted({r.period for r in readings}) == ["2026-10", "2026-11"]
    assert [r.period for r in readings if r.state == "flagged"] == ["2026-11"]
    water = {period: count for period, count in db.session.execute(
        select(BillLine.period, func.count()).join(FeeItem, FeeItem.id == BillLine.fee_item_id)
        .where(FeeItem.code == "SF").group_by(BillLine.period))}
    houses = sum(1 for r in readings if r.period == "2026-10") - 1  # (less the lift meter)
    assert water == {"2026-10": houses, "2026-11": houses - 1}  # the flagged one is not billed
    shared = db.session.scalars(select(BillLine).join(FeeItem, FeeItem.id == BillLine.fee_item_id)
                                .where(FeeItem.code == "GTDF", BillLine.period == "2026-11")).all()
    lift = next(r for r in readings if r.meter.scope == "common" and r.period == "2026-11")
    assert sum(line.amount for line in shared) == (lift.usage * Decimal("0.68")).quantize(Decimal("0.01"))
    assert shared[0].basis.startswith("公摊: 电梯用电")


def test_the_month_collects_both_its_own_bills_and_earlier_arrears(demo):
    from app.billing import reports
    from app.estate.models import Community

    community_id = db.session.scalars(select(Community.id)).first()
    total = reports.collection_rate(community_id, 2026, 11)["total"]
    assert total.billed > total.collected > 0 and total.owed > total.arrears_collected > 0


def test_receipts_are_numbered_in_the_order_of_their_dates_with_one_voided(demo):
    payments = db.session.scalars(select(Payment).order_by(Payment.serial)).all()
    assert [p.serial for p in payments] == list(range(1, len(payments) + 1))
    assert all(a.paid_at <= b.paid_at for a, b in zip(payments, payments[1:]))
    assert max(p.paid_at for p in payments).date() < TODAY
    assert [p.state for p in payments].count("voided") == demo["voided"] == 1


def test_reminders_for_the_largest_arrears_some_with_a_promise(demo):
    reminders = db.session.scalars(select(Reminder)).all()
    assert len(reminders) == demo["reminders"] > 0
    assert all(r.arrears > 0 for r in reminders) and any(r.promised_on for r in reminders)


def test_loading_again_adds_nothing_to_a_community_that_has_fee_items(demo):
    again = load_billing_demo(seed=2026, today=TODAY)
    assert (again["fee items"], again["bills"], again["payments"]) == (0, 0, 0)


def test_the_demo_keeps_a_common_area_income_ledger_with_a_reversed_copy(demo):
    from app.billing import public_income
    from app.billing.models import PublicEntry

    community_id = db.session.scalar(select(FeeItem.community_id).limit(1))
    assert demo["common-area income entries"] == db.session.scalar(select(func.count()).select_from(PublicEntry))
    reversal = db.session.scalars(select(PublicEntry).where(PublicEntry.reverses_id.is_not(None))).one()
    assert reversal.description.endswith("重复登记") and reversal.on_date.month == 10
    october = public_income.month_account(community_id, 2026, 10)
    november = public_income.month_account(community_id, 2026, 11)
    assert {line["category"]: line["amount"] for line in october["income"]["lines"]}["facilities"] == 350
    assert november["opening"] == october["closing"] > 0
    assert november["expense"]["total"] == 1280  # the 25th has not come yet: the committee's 500 is not in


def test_the_demo_fund_has_a_paid_use_and_balances_its_entries_explain(demo):
    from app.billing.models import FundAccount, FundApplication, FundEntry

    assert sorted(db.session.scalars(select(FundApplication.state))) == ["applied", "paid"]
    sums = dict(db.session.execute(select(FundEntry.house_id, func.sum(FundEntry.amount))
                                   .group_by(FundEntry.house_id)).all())
    accounts = dict(db.session.execute(select(FundAccount.house_id, FundAccount.balance)).all())
    assert accounts and all(accounts[h] == sums[h] >= 0 for h in accounts)
    assert db.session.scalar(select(func.count()).select_from(FundEntry).where(FundEntry.kind == "use")) > 0


def test_the_demo_payout_has_its_papers_and_the_top_up_its_vote(demo):
    from app.billing import fund_papers
    from app.billing.models import FundApplication, FundEntry, FundPaper, FundResolution

    paid = db.session.scalars(select(FundApplication).where(FundApplication.state == "paid")).one()
    assert sorted(p.kind for p in paid.papers) == ["invoice", "voucher"]
    for paper in paid.papers:
        with open(fund_papers.paper_path(paper), "rb") as fh:
            assert fh.read(5) == b"%PDF-"
    resolution = db.session.scalars(select(FundResolution)).one()
    assert resolution.area_for * 4 >= resolution.area_voting * 3
    assert resolution.owners_for * 4 >= resolution.owners_voting * 3
    top_ups = db.session.scalars(select(FundEntry).where(FundEntry.kind == "top_up")).all()
    assert top_ups and {e.resolution_id for e in top_ups} == {resolution.id}
    assert all(e.on_date >= resolution.voted_on for e in top_ups)
