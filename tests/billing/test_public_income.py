"""公共收益: the month's account from a small ledger computed by hand, recording through the page, bad input
refused with nothing written, reversal by the 项目经理 only, and entries never edited or deleted."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.billing import public_income
from app.billing.models import PublicEntry
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.conftest import actor, flashes


def _ledger(app, estate):
    """October: advertising 12,000.00 in, a repair 3,500.50 out, so November opens at 8,499.50.
    November: venue 800.00, parking 1,250.00, advertising 6,000.00 reversed on the 18th (nets to 0.00);
    the committee 300.00 and a tax 120.35 out. Income 2,050.00, expenses 420.35, net 1,629.65, so November
    closes at 10,129.15. The other community's 999.99 counts nowhere here."""
    c, other = estate["community"], estate["other_community"]
    rows = [(c, date(2026, 10, 5), "advertising", "12000.00", "电梯广告 10-12 月"),
            (c, date(2026, 10, 20), "common_repair", "3500.50", "中心广场地砖修补"),
            (c, date(2026, 11, 2), "venue", "800.00", "会所场地租用"),
            (c, date(2026, 11, 3), "parking", "1250.00", "地面临时停车"),
            (c, date(2026, 11, 10), "advertising", "6000.00", "道闸广告"),
            (c, date(2026, 11, 12), "committee", "300.00", "业委会办公用品"),
            (c, date(2026, 11, 15), "tax", "120.35", "增值税"),
            (other, date(2026, 11, 15), "venue", "999.99", "别的小区")]
    with app.test_request_context():
        set_cli_actor("test")
        clerk = actor(app, roles.CASHIER)
        ids = [public_income.record_entry({"community": cid, "on_date": on, "category": category, "amount": amount,
                                           "description": text}, clerk, today=date(2026, 11, 20)).id
               for cid, on, category, amount, text in rows]
        public_income.reverse_entry(ids[4], actor(app, roles.MANAGER), "合同未签，款已退回", today=date(2026, 11, 18))
        db.session.commit()
        set_cli_actor(None)
    return ids


def test_the_months_account_matches_the_hand_computed_figures(app, estate):
    _ledger(app, estate)
    with app.app_context():
        account = public_income.month_account(estate["community"], 2026, 11)
        assert account["opening"] == Decimal("8499.50")
        assert {line["category"]: line["amount"] for line in account["income"]["lines"]} == {
            "advertising": Decimal("0.00"), "venue": Decimal("800.00"), "parking": Decimal("1250.00")}
        assert {line["category"]: line["amount"] for line in account["expense"]["lines"]} == {
            "committee": Decimal("300.00"), "tax": Decimal("120.35")}
        assert (account["income"]["total"], account["expense"]["total"]) == (Decimal("2050.00"), Decimal("420.35"))
        assert (account["net"], account["closing"]) == (Decimal("1629.65"), Decimal("10129.15"))
        assert len(account["entries"]) == 6  # five of November and the reversal
        october = public_income.month_account(estate["community"], 2026, 10)
        assert (october["opening"], october["closing"]) == (Decimal("0.00"), Decimal("8499.50"))


def test_the_page_shows_the_account_and_exports_it(app, estate, login_as):
    _ledger(app, estate)
    manager = login_as(roles.MANAGER)
    html = manager.get(f"/public-income/?month=2026-11&community={estate['community']}").get_data(as_text=True)
    assert "8,499.50" in html and "10,129.15" in html and "2,050.00" in html and "420.35" in html
    assert "场地租赁" in html and "业委会" in html and "合同未签，款已退回" in html
    resp = manager.get(f"/public-income/export?month=2026-11&community={estate['community']}")
    assert resp.status_code == 200
    summary = [row for row in load_workbook(io.BytesIO(resp.data)).worksheets[0].iter_rows(values_only=True)]
    by_item = {row[0]: row[-1] for row in summary}
    assert (by_item["上月结余（元）"], by_item["本月结余（元）"]) == (8499.5, 10129.15)
    # a month to come is refused with a message, and the current month is shown
    html = manager.get(f"/public-income/?month=2099-01&community={estate['community']}").get_data(as_text=True)
    assert any("尚未开始" in f or "还没" in f for f in flashes(html)), flashes(html)


def test_a_cashier_records_income_from_the_page(app, estate, login_as):
    cashier = login_as(roles.CASHIER)
    resp = cashier.post("/public-income-entries/add", data={
        "community": str(estate["community"]), "on_date": date.today().isoformat(), "category": "common_repair",
        "amount": "1200.5", "description": " 单元门禁维修 ", "counterparty": "某门禁公司", "voucher_no": ""})
    assert resp.status_code == 302, flashes(resp.get_data(as_text=True))
    assert "/public-income/" in resp.headers["Location"]  # to the month's account, where the entry is counted
    with app.app_context():
        entry = db.session.scalars(select(PublicEntry)).one()
        assert (entry.kind, entry.category, entry.amount, entry.description, entry.voucher_no, entry.by_name) == (
            "expense", "common_repair", Decimal("1200.50"), "单元门禁维修", None, "收费员")
    html = cashier.get(f"/public-income-entries/show/{entry.id}").get_data(as_text=True)
    assert "公共部位维修" in html and "支出" in html
    assert "pm-entry-reverse" not in html  # the cashier has no reverse button


@pytest.mark.parametrize("values, field_message", [
    (dict(on_date=(date.today() + timedelta(days=1)).isoformat()), "将来"),
    (dict(amount="0"), "金额"),
    (dict(amount="-5"), "金额"),
    (dict(amount="12.345"), "金额"),
    (dict(amount="abc"), "金额"),
    (dict(category="lottery"), "类别"),
    (dict(description="  "), "不能为空"),
    (dict(community="999999"), "小区"),
])
def test_bad_entries_are_refused_and_nothing_written(app, estate, login_as, values, field_message):
    cashier = login_as(roles.CASHIER)
    data = {"community": str(estate["community"]), "on_date": date.today().isoformat(), "category": "venue",
            "amount": "100", "description": "场地租用"}
    data.update(values)
    html = cashier.post("/public-income-entries/add", data=data).get_data(as_text=True)
    assert field_message in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublicEntry)) == 0


def test_only_the_manager_reverses_and_only_once(app, estate, login_as):
    ids = _ledger(app, estate)
    cashier = login_as(roles.CASHIER)
    cashier.post(f"/public-income-entries/reverse/{ids[2]}", data={"reason": "记错了"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublicEntry)) == 9  # eight and one reversal
    manager = login_as(roles.MANAGER)
    html = manager.post(f"/public-income-entries/reverse/{ids[2]}", data={"reason": ""},
                        follow_redirects=True).get_data(as_text=True)
    assert any("原因" in f for f in flashes(html)), flashes(html)
    html = manager.post(f"/public-income-entries/reverse/{ids[2]}", data={"reason": "金额记错"},
                        follow_redirects=True).get_data(as_text=True)
    assert any("已冲销" in f or "冲销" in f for f in flashes(html)), flashes(html)
    with app.app_context():
        reversal = db.session.scalars(select(PublicEntry).where(PublicEntry.reverses_id == ids[2])).one()
        assert (reversal.amount, reversal.kind, reversal.category, reversal.by_name) == (
            Decimal("-800.00"), "income", "venue", "项目经理")
        with pytest.raises(RuleViolation):  # twice
            public_income.reverse_entry(ids[2], actor(app, roles.MANAGER), "再冲一次")
        with pytest.raises(RuleViolation):  # a reversal itself
            public_income.reverse_entry(reversal.id, actor(app, roles.MANAGER), "冲销的冲销")
        with pytest.raises(RuleViolation):  # the cashier, through the service too
            public_income.reverse_entry(ids[3], actor(app, roles.CASHIER), "记错了")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(PublicEntry)) == 10


def test_an_entry_is_never_edited_or_deleted(app, estate):
    ids = _ledger(app, estate)
    with app.app_context():
        entry = db.session.get(PublicEntry, ids[0])
        entry.amount = Decimal("1.00")
        with pytest.raises(RuleViolation):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(PublicEntry, ids[0]))
        with pytest.raises(RuleViolation):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(PublicEntry, ids[0]).amount == Decimal("12000.00")


def test_the_committee_reads_but_does_not_record(app, estate, login_as):
    _ledger(app, estate)
    committee = login_as(roles.COMMITTEE)
    html = committee.get(f"/public-income/?month=2026-11&community={estate['community']}").get_data(as_text=True)
    assert "10,129.15" in html and "ledger-add" not in html
    committee.post("/public-income-entries/add", data={
        "community": str(estate["community"]), "on_date": date.today().isoformat(), "category": "venue",
        "amount": "100", "description": "场地租用"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublicEntry)) == 9
    for role in (roles.ENGINEER, roles.ORDER, roles.CLEANING):
        assert login_as(role).get("/public-income/").status_code in (302, 403)
