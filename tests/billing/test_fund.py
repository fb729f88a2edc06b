"""维修基金: deposits and interest computed by hand, a use application through its vote, approval and payout, the
fund never below zero, reversals by the 项目经理 only, and the pages. The estate's five houses of 翠湖花园 are
89.50㎡ each: four in 1号楼 (1-1-0101, 1-1-0102, 1-1-0201, 1-2-0101), one in 2号楼 (2-1-0301)."""
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.billing import fund
from app.billing.models import FundAccount, FundApplication, FundEntry
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import PAYOUT_PAPERS, payout_form, payout_uploads, raise_vote
from tests.conftest import actor, flashes


def _deposits(app, estate):
    """First deposit 50 元/㎡ for the community: 89.50 × 50 = 4,475.00 each, 22,375.00 for the five houses; a
    top-up of 100.00 for 2号楼's one house (4,575.00). Interest 10.00 by balances (22,475.00 in all): 1,000 分 ×
    4,475/22,475 = 199.11 分 for each of four houses, × 4,575/22,475 = 203.56 for the fifth; floors 4 × 199 +
    203 = 999, the one 分 left goes to the largest remainder (.56): 1.99 × 4 and 2.04."""
    with app.test_request_context():
        set_cli_actor("test")
        clerk = actor(app, roles.CASHIER)
        c = estate["community"]
        fund.post_deposits({"community": c, "scope": "community", "kind": "deposit", "method": "rate", "rate": "50",
                            "on_date": "2026-01-10", "voucher_no": "JC-001"}, clerk)
        fund.post_deposits({"community": c, "scope": "building", "building": estate["b2"], "kind": "top_up",
                            "method": "amount", "amount": "100", "on_date": "2026-06-01", **raise_vote("89.50", 1)},
                           clerk)
        fund.post_interest({"community": c, "amount": "10.00", "on_date": "2026-06-30"}, clerk)
        db.session.commit()
        set_cli_actor(None)


def _balances(estate) -> list[Decimal]:
    return [fund.balance_of(h) for h in estate["houses"]]


def test_deposits_top_ups_and_interest_match_the_hand_computed_figures(app, estate):
    _deposits(app, estate)
    with app.app_context():
        assert _balances(estate) == [Decimal("4476.99")] * 4 + [Decimal("4577.04"), Decimal("0.00")]
        interest = db.session.scalars(select(FundEntry.amount).where(FundEntry.kind == "interest")
                                      .order_by(FundEntry.house_id)).all()
        assert interest == [Decimal("1.99")] * 4 + [Decimal("2.04")] and sum(interest) == Decimal("10.00")
        first = db.session.scalars(select(FundEntry).where(FundEntry.kind == "deposit")).first()
        assert (first.basis, first.voucher_no, first.by_name) == ("89.50㎡ × 50.00", "JC-001", "收费员")
        statement = fund.building_statement(estate["community"])
        assert statement["totals"]["balance"] == Decimal("22485.00")
        assert statement["totals"]["deposits"] == Decimal("22475.00")
    # a second first deposit finds every house done, and says so
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            fund.plan_deposits({"community": estate["community"], "scope": "community", "kind": "deposit",
                                "method": "rate", "rate": "50"})
        assert "没有" in " ".join(caught.value.errors.values())


def _application(app, estate, amount="1000.00"):
    with app.test_request_context():
        set_cli_actor("test")
        a = fund.apply({"community": estate["community"], "project": "1号楼电梯更换曳引机", "amount": amount,
                        "scope": "building", "building": estate["b1"], "contractor": "某电梯公司"},
                       actor(app, roles.ARCHIVES))
        db.session.commit()
        set_cli_actor(None)
        return a.id


VOTE = {"area_voting": "268.50", "owners_voting": "3", "area_for": "268.50", "owners_for": "3",
        "voted_on": "2026-11-01"}


def test_an_application_goes_through_vote_approval_and_payout_split_by_area(app, estate):
    _deposits(app, estate)
    pk = _application(app, estate)
    with app.test_request_context():
        a = db.session.get(FundApplication, pk)
        assert a.number == f"WX{date.today().year}-001" and a.state == "applied"
        # 1号楼: 4 × 89.50 = 358㎡; 1,000.00 × 89.50/358 = 250.00 each
        assert [r["share"] for r in fund.shares(a)] == [Decimal("250.00")] * 4
        # half the area takes part: the vote does not pass, nothing is recorded
        with pytest.raises(RuleViolation) as caught:
            fund.transition(pk, "vote", actor(app, roles.MANAGER),
                            values=dict(VOTE, area_voting="179.00", area_for="179.00", owners_voting="2",
                                        owners_for="2"))
        assert "三分之二" in " ".join(caught.value.errors.values())
        db.session.rollback()
        # three of four take part (268.50㎡ ≥ ⅔ of 358; 3 ≥ ⅔ of 4) and all agree: it passes
        fund.transition(pk, "vote", actor(app, roles.ARCHIVES), values=VOTE)
        with pytest.raises(RuleViolation):  # only the 项目经理 approves
            fund.transition(pk, "approve", actor(app, roles.CASHIER))
        fund.transition(pk, "approve", actor(app, roles.MANAGER))
        fund.transition(pk, "pay", actor(app, roles.CASHIER), today=date(2026, 11, 20), values=PAYOUT_PAPERS,
                        uploads=payout_uploads())
        db.session.commit()
        a = db.session.get(FundApplication, pk)
        assert (a.state, a.area_voting, a.owners_for, a.approved_by, a.paid_by) == (
            "paid", Decimal("268.50"), 3, "项目经理", "收费员")
        assert [e.action for e in a.events] == ["apply", "vote", "approve", "pay"]
        assert _balances(estate) == [Decimal("4226.99")] * 4 + [Decimal("4577.04"), Decimal("0.00")]
        uses = db.session.scalars(select(FundEntry).where(FundEntry.application_id == pk)).all()
        assert len(uses) == 4 and all(e.approved_by == "项目经理" and e.amount == Decimal("-250.00") for e in uses)
        with pytest.raises(RuleViolation):  # paid once
            fund.transition(pk, "pay", actor(app, roles.MANAGER))


def test_a_payout_larger_than_the_balance_is_refused_and_nothing_written(app, estate):
    _deposits(app, estate)
    pk = _application(app, estate, amount="20000.00")  # 5,000.00 a house, each holds 4,476.99
    with app.test_request_context():
        fund.transition(pk, "vote", actor(app, roles.MANAGER), values=VOTE)
        with pytest.raises(RuleViolation) as caught:
            fund.transition(pk, "approve", actor(app, roles.MANAGER))
        assert "有 4 户维修基金余额不足" in " ".join(caught.value.errors.values())
        db.session.rollback()
        assert db.session.get(FundApplication, pk).state == "applied"
        assert db.session.scalar(select(func.count()).select_from(FundEntry).where(FundEntry.kind == "use")) == 0


def test_the_fund_never_goes_below_zero(app, estate):
    _deposits(app, estate)
    from app.estate.models import House

    with app.test_request_context():
        house = db.session.get(House, estate["houses"][0])
        with pytest.raises(RuleViolation):
            fund._post(house, "use", Decimal("-4477.00"), date(2026, 11, 20), actor(app, roles.MANAGER))
        db.session.rollback()
        assert fund.balance_of(house.id) == Decimal("4476.99")
        with pytest.raises(IntegrityError):  # the database refuses it from any other path too
            db.session.execute(text("UPDATE billing_fund_account SET balance = -1 WHERE house_id = :h"),
                               {"h": house.id})
        db.session.rollback()


def test_reversals_by_the_manager_only_once_and_not_of_money_used(app, estate):
    _deposits(app, estate)
    pk = _application(app, estate)
    with app.test_request_context():
        interest = db.session.scalars(select(FundEntry).where(FundEntry.kind == "interest")).first()
        with pytest.raises(RuleViolation):
            fund.reverse_entry(interest.id, actor(app, roles.CASHIER), "记错了")
        reversal = fund.reverse_entry(interest.id, actor(app, roles.MANAGER), "银行更正利息")
        assert reversal.amount == -interest.amount and reversal.reverses_id == interest.id
        with pytest.raises(RuleViolation):
            fund.reverse_entry(interest.id, actor(app, roles.MANAGER), "再冲一次")
        db.session.commit()
        fund.transition(pk, "vote", actor(app, roles.MANAGER), values=VOTE)
        fund.transition(pk, "approve", actor(app, roles.MANAGER))
        fund.transition(pk, "pay", actor(app, roles.CASHIER), values=PAYOUT_PAPERS, uploads=payout_uploads())
        db.session.commit()
        deposit = db.session.scalars(select(FundEntry).where(FundEntry.kind == "deposit",
                                                             FundEntry.house_id == estate["houses"][0])).one()
        with pytest.raises(RuleViolation):  # 4,475.00 back out of 4,225.00 left: the money was used
            fund.reverse_entry(deposit.id, actor(app, roles.MANAGER), "记错了")
        db.session.rollback()
        entry = db.session.get(FundEntry, deposit.id)
        entry.amount = Decimal("1.00")
        with pytest.raises(RuleViolation):  # never edited
            db.session.flush()
        db.session.rollback()


def test_the_pages_post_apply_step_and_print(app, estate, login_as, tmp_path):
    cashier = login_as(roles.CASHIER)
    form = {"community": str(estate["community"]), "scope": "community", "kind": "deposit", "method": "rate",
            "rate": "50", "on_date": "2026-01-10", "voucher_no": ""}
    html = cashier.post("/fund-posting/", data=dict(form, preview="1")).get_data(as_text=True)
    assert "22,375.00" in html and "posting-commit" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FundEntry)) == 0  # a preview writes nothing
    resp = cashier.post("/fund-posting/", data=dict(form, commit="1"))
    assert resp.status_code == 302
    html = cashier.post("/fund-posting/", data=dict(form, rate="-5", preview="1")).get_data(as_text=True)
    assert any("每平方米" in f or "之间" in f for f in flashes(html)), flashes(html)
    html = cashier.get(f"/fund/?community={estate['community']}").get_data(as_text=True)
    assert "22,375.00" in html and "4,475.00" in html
    archives = login_as(roles.ARCHIVES)
    resp = archives.post("/fund-applications/add", data={
        "community": str(estate["community"]), "project": "1号楼外墙防水", "amount": "1000", "scope": "building",
        "building": str(estate["b1"]), "description": "", "contractor": "", "unit": ""})
    assert resp.status_code == 302, flashes(resp.get_data(as_text=True))
    with app.app_context():
        pk = db.session.scalars(select(FundApplication.id)).one()
    manager = login_as(roles.MANAGER)
    html = manager.get(f"/fund-applications/show/{pk}").get_data(as_text=True)
    assert "250.00" in html and "fund-vote" in html
    manager.post(f"/fund-applications/act/{pk}/vote", data=VOTE)
    manager.post(f"/fund-applications/act/{pk}/approve", data={})
    html = manager.get(f"/fund-applications/show/{pk}").get_data(as_text=True)
    assert "fund-pay" not in html and "拨付须由其他人员办理" in html  # he recorded the vote and approved it
    cashier = login_as(roles.CASHIER)
    html = cashier.post(f"/fund-applications/act/{pk}/pay", data=payout_form(), content_type="multipart/form-data",
                        follow_redirects=True).get_data(as_text=True)
    assert "已拨付" in html, flashes(html)
    resp = manager.get(f"/fund/pdf?community={estate['community']}&building={estate['b1']}")
    assert resp.mimetype == "application/pdf"
    pdf = tmp_path / "fund.pdf"
    pdf.write_bytes(resp.data)
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "维修基金" in out and "1-1-0101" in out and "4,225.00" in out and "2-1-0301" not in out
    # the owners' committee reads the fund but posts nothing
    committee = login_as(roles.COMMITTEE)
    assert "4,225.00" in committee.get(f"/fund/?community={estate['community']}").get_data(as_text=True)
    committee.post("/fund-posting/", data=dict(form, kind="top_up", commit="1"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FundEntry).where(FundEntry.kind == "top_up")) == 0
        assert db.session.scalar(select(FundAccount.balance).where(
            FundAccount.house_id == estate["houses"][0])) == Decimal("4225.00")


@pytest.mark.parametrize("figures, matter, passes", [
    # (area_total, owners_total, area_voting, owners_voting, area_for, owners_for)
    ((300, 6, 200, 4, 101, 3), fund.VOTE_USE, True),     # exactly ⅔ take part, more than half agree
    ((300, 6, 199, 4, 199, 4), fund.VOTE_USE, False),    # just under ⅔ of the area take part
    ((300, 6, 300, 5, 300, 5), fund.VOTE_USE, True),     # 5 of 6 owners take part (> ⅔)
    ((300, 6, 300, 3, 300, 3), fund.VOTE_USE, False),    # half the owners take part
    ((300, 6, 200, 4, 100, 3), fund.VOTE_USE, False),    # exactly half of the area taking part: not 过半数
    ((300, 6, 200, 4, 200, 2), fund.VOTE_USE, False),    # exactly half of the owners taking part
    ((300, 6, 200, 4, 150, 3), fund.VOTE_RAISE, True),   # 续筹: exactly ¾ of those taking part agree
    ((300, 6, 200, 4, 149, 3), fund.VOTE_RAISE, False),  # 续筹: just under ¾ of the area
    ((300, 8, 300, 8, 300, 5), fund.VOTE_RAISE, False),  # 续筹: 5 of 8 owners (> half, < ¾)
])
def test_the_vote_follows_article_278_at_each_boundary(app, figures, matter, passes):
    with app.test_request_context():
        problem = fund.vote_problem(*[Decimal(x) if i % 2 == 0 else x for i, x in enumerate(figures)],
                                    matter=matter)
    assert (problem is None) == passes, problem


def test_a_use_passes_with_more_than_half_agreeing_and_the_page_quotes_the_article(app, estate, login_as):
    _deposits(app, estate)
    pk = _application(app, estate)
    with app.test_request_context():
        # all four owners of 1号楼 (358㎡) take part; exactly half of the area agrees: not 过半数
        with pytest.raises(RuleViolation) as caught:
            fund.transition(pk, "vote", actor(app, roles.MANAGER),
                            values=dict(VOTE, area_voting="358.00", owners_voting="4", area_for="179.00",
                                        owners_for="3"))
        assert "半数" in " ".join(caught.value.errors.values())
        db.session.rollback()
        # 200㎡ of 358 (more than half, less than three quarters) and 3 of 4 owners: the use passes
        fund.transition(pk, "vote", actor(app, roles.MANAGER),
                        values=dict(VOTE, area_voting="358.00", owners_voting="4", area_for="200.00",
                                    owners_for="3"))
        db.session.commit()
        assert db.session.get(FundApplication, pk).state == "voted"
    pk2 = _application(app, estate)
    html = login_as(roles.MANAGER).get(f"/fund-applications/show/{pk2}").get_data(as_text=True)
    assert "过半数" in html and "第二百七十八条第一款第五项" in html and "四分之三" not in html


def test_no_one_applies_records_the_vote_and_pays_out_alone(app, estate, login_as):
    _deposits(app, estate)
    with app.test_request_context():
        set_cli_actor("test")
        pk = fund.apply({"community": estate["community"], "project": "1号楼屋面防水", "amount": "1000.00",
                         "scope": "building", "building": estate["b1"]}, actor(app, roles.CASHIER)).id
        db.session.commit()
        set_cli_actor(None)
        fund.transition(pk, "vote", actor(app, roles.CASHIER), values=VOTE)  # the clerk records the meeting
        db.session.commit()
    # the cashier who applied and recorded the vote: no pay-out button later, and the service refuses it
    manager = login_as(roles.MANAGER)
    manager.post(f"/fund-applications/act/{pk}/approve", data={})
    with app.test_request_context():
        assert db.session.get(FundApplication, pk).state == "approved"
        with pytest.raises(RuleViolation) as caught:
            fund.transition(pk, "pay", actor(app, roles.CASHIER))
        assert "您是此项的申请人" in " ".join(caught.value.errors.values())
        db.session.rollback()
    html = login_as(roles.CASHIER).get(f"/fund-applications/show/{pk}").get_data(as_text=True)
    assert 'id="fund-pay"' not in html and "拨付须由其他人员办理" in html and "表决结果由您录入" in html
    html = login_as(roles.CASHIER).post(f"/fund-applications/act/{pk}/pay", data={},
                                        follow_redirects=True).get_data(as_text=True)
    assert "拨付须由其他人员办理" in html
    with app.test_request_context():
        assert db.session.get(FundApplication, pk).state == "approved"
        assert db.session.scalar(select(func.count()).select_from(FundEntry).where(FundEntry.kind == "use")) == 0
    # the manager pays out what others applied for and voted on, but not what he approved himself
    html = manager.post(f"/fund-applications/act/{pk}/pay", data={}, follow_redirects=True).get_data(as_text=True)
    assert "此项由您审批" in html
    with app.test_request_context():
        assert db.session.get(FundApplication, pk).state == "approved"


def test_the_manager_does_not_approve_his_own_application(app, estate):
    _deposits(app, estate)
    with app.test_request_context():
        set_cli_actor("test")
        pk = fund.apply({"community": estate["community"], "project": "1号楼门禁更换", "amount": "800.00",
                         "scope": "building", "building": estate["b1"]}, actor(app, roles.MANAGER)).id
        set_cli_actor(None)
        fund.transition(pk, "vote", actor(app, roles.ARCHIVES), values=VOTE)
        with pytest.raises(RuleViolation) as caught:
            fund.transition(pk, "approve", actor(app, roles.MANAGER))
        assert "审批通过须由其他人员办理" in " ".join(caught.value.errors.values())


def test_a_first_deposit_refused_says_why_house_by_house(app, estate):
    _deposits(app, estate)
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            fund.plan_deposits({"community": estate["community"], "scope": "community", "kind": "deposit",
                                "method": "rate", "rate": "50", "on_date": "2026-07-01"})
        message = caught.value.errors["scope"]
        # the five houses of 翠湖花园 were all deposited above
        assert message == "所选范围内没有可入账的房屋：5 户已首期缴存。", message


def test_the_banks_interest_is_previewed_before_it_is_posted(app, estate, login_as):
    cashier = login_as(roles.CASHIER)
    cashier.post("/fund-posting/", data={"community": str(estate["community"]), "scope": "community",
                                         "kind": "deposit", "method": "rate", "rate": "50", "on_date": "2026-01-10",
                                         "voucher_no": "", "commit": "1"})
    form = {"community": str(estate["community"]), "amount": "100.00", "on_date": "2026-06-30",
            "voucher_no": "结息2026-06"}
    html = cashier.post("/fund-posting/interest", data=dict(form, preview="1")).get_data(as_text=True)
    assert "interest-plan" in html and "1-1-0101" in html and "interest-post" in html
    assert 'value="结息2026-06"' in html  # the form keeps what was typed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FundEntry).where(FundEntry.kind == "interest")) == 0
    resp = cashier.post("/fund-posting/interest", data=dict(form, commit="1"))
    assert resp.status_code == 302
    with app.app_context():
        shares = db.session.scalars(select(FundEntry.amount).where(FundEntry.kind == "interest")).all()
        assert len(shares) > 1 and sum(shares) == Decimal("100.00")  # to the 分, as the preview showed
