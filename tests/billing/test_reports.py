"""收费日报 and 收费率: figures computed by hand on small data sets; voids and reversals; the pages as each role;
bad input; the PDF's text; the Excel files.

The estate (tests/conftest.py `fees`): 翠湖花园, 1号楼 with 1-1-0101 (and the parking space B001), 1-1-0102,
1-1-0201, 1-2-0101; 2号楼 with 2-1-0301; 锦绣华庭 with one house. A period's bills: 物业服务费 210.33 per house,
停车费 150.00 for 1-1-0101: 1号楼 991.32, 2号楼 210.33, the community 1,201.65.
"""
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.billing import printing, reports, services
from app.billing.models import BillLine
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import PASSWORD, actor

DAY = date(2026, 11, 20)
SECOND_CASHIER = "u_cashier2"


def at(month_day: str, hm: str = "09:00", year: int = 2026) -> datetime:
    """at("11-20", "09:30") → 2026-11-20 09:30."""
    month, day = (int(x) for x in month_day.split("-"))
    hour, minute = (int(x) for x in hm.split(":"))
    return datetime(year, month, day, hour, minute)


def _second_cashier(app):
    """A second 收费员, 李会计 (created once for the session: users are not emptied between tests)."""
    from app.core.rules import Actor
    from app.security.services import create_user

    sm = app.appbuilder.sm
    user = sm.find_user(username=SECOND_CASHIER)
    if user is None:
        user = create_user(app.appbuilder, SECOND_CASHIER, PASSWORD, [roles.CASHIER], first_name="李会计")
    return Actor.of(user)


def _lines(house_id, *periods) -> list[int]:
    return list(db.session.scalars(select(BillLine.id).where(BillLine.house_id == house_id,
                                                             BillLine.period.in_(periods)).order_by(BillLine.id)))


def _pay(house, periods, method, who, when, **kw):
    p = services.pay(house, _lines(house, *periods) if periods else [], method, who, now=when, **kw)
    db.session.commit()
    return p


# ---------------------------------------------------------------------------- the day's data


@pytest.fixture
def day(app, fees):
    """翠湖花园 billed for 2026-09 … 2026-11; payments on 2026-11-19, 20 (the day) and 21.

    SK2026-000001  11-19 16:00  收费员  1-1-0201 物业服务费 09, cash 210.33           (红冲 on the day)
    SK2026-000002  11-20 09:00  收费员  1-1-0101 09 (物业 + 停车), WeChat 360.33
    SK2026-000003  11-20 09:30  收费员  1-1-0102 09 + 100.00 pre-paid, cash 310.33
    SK2026-000004  11-20 10:00  李会计  1-2-0101 09 + 10, Alipay 420.66
    SK2026-000005  11-20 10:30  收费员  2-1-0301 09, cash 210.33 — voided at 10:40 (wrong house)
    SK2026-000006  11-20 11:00  收费员  2-1-0301 09, cash 210.33 (taken again)
    SK2026-000007  11-20 14:00  李会计  1-1-0102 10 + 11 (420.66), 100.00 of it from the balance, POS 320.66
    SK2026-000008  11-20 15:00  项目经理 红冲 of SK2026-000001: cash −210.33
    SK2026-000009  11-20 16:00  李会计  1-1-0201 pre-payment, bank 1,000.00
    SK2026-000010  11-21 09:00  收费员  1-2-0101 11, cash 210.33                        (the next day)
    锦绣华庭 SK2026-000001  11-20 12:00  收费员  pre-payment, cash 300.00
    """
    with app.app_context():
        set_cli_actor("test")
        manager = actor(app, roles.MANAGER)
        for period in ("2026-09", "2026-10", "2026-11"):
            services.commit_run(fees["community"], period, manager, today=TODAY)
        db.session.commit()
        a, b = actor(app, roles.CASHIER), _second_cashier(app)
        h = fees["houses"]
        p0 = _pay(h[2], ["2026-09"], "cash", a, at("11-19", "16:00"))
        _pay(h[0], ["2026-09"], "wechat", a, at("11-20", "09:00"))
        _pay(h[1], ["2026-09"], "cash", a, at("11-20", "09:30"), prepay="100")
        _pay(h[3], ["2026-09", "2026-10"], "alipay", b, at("11-20", "10:00"))
        wrong = _pay(h[4], ["2026-09"], "cash", a, at("11-20", "10:30"))
        services.void_payment(wrong.id, a, "收错房屋", now=at("11-20", "10:40"))
        db.session.commit()
        _pay(h[4], ["2026-09"], "cash", a, at("11-20", "11:00"))
        _pay(h[1], ["2026-10", "2026-11"], "pos", b, at("11-20", "14:00"), use_balance=True)
        services.reverse_payment(p0.id, manager, "重复收费 13812345678", now=at("11-20", "15:00"))
        db.session.commit()
        _pay(h[2], [], "bank", b, at("11-20", "16:00"), prepay="1000")
        _pay(h[3], ["2026-11"], "cash", a, at("11-21", "09:00"))
        _pay(h[5], [], "cash", a, at("11-20", "12:00"), prepay="300")
        set_cli_actor(None)
    return dict(fees, cashier=a.name, second=b.name, manager=manager.name)


def _rows(report) -> list[tuple]:
    return [(r.cashier, r.method, r.count, r.amount, r.bills, r.prepaid, r.balance_used) for r in report["rows"]]


def test_the_day_per_cashier_and_method(app, day):
    with app.app_context():
        report = reports.daily_report(day["community"], DAY)
    a, b = day["cashier"], day["second"]
    assert [blk.cashier for blk in report["blocks"]] == [a, b]
    assert _rows(report) == [
        (a, "cash", 2, D("520.66"), D("420.66"), D("100.00"), D("0.00")),      # 000003 and 000006, not 000005
        (a, "wechat", 1, D("360.33"), D("360.33"), D("0.00"), D("0.00")),
        (b, "alipay", 1, D("420.66"), D("420.66"), D("0.00"), D("0.00")),
        (b, "bank", 1, D("1000.00"), D("0.00"), D("1000.00"), D("0.00")),      # a pre-payment only
        (b, "pos", 1, D("320.66"), D("320.66"), D("0.00"), D("100.00")),      # 420.66 of bills, 100 from balance
    ]
    sub_a, sub_b = (blk.subtotal for blk in report["blocks"])
    assert (sub_a.count, sub_a.amount, sub_b.count, sub_b.amount) == (3, D("880.99"), 3, D("1741.32"))
    t = report["total"]
    assert (t.count, t.amount, t.bills, t.prepaid, t.balance_used) == (6, D("2622.31"), D("1522.31"), D("1100.00"),
                                                                       D("100.00"))


def test_voided_and_reversed_receipts_are_apart_and_only_the_reversal_is_in_the_net(app, day):
    with app.app_context():
        report = reports.daily_report(day["community"], DAY)
    # the receipt taken and voided on the day: listed, in no sum
    assert [(v["receipt_no"], v["house"], v["amount"], v["cashier"], v["by"], v["reason"])
            for v in report["voided"]] == [("SK2026-000005", "2-1-0301", D("210.33"), day["cashier"], day["cashier"],
                                            "收错房屋")]
    # the 红冲 today of yesterday's receipt: a negative line apart, taken off the net
    assert [(x["receipt_no"], x["original_no"], x["original_at"], x["method"], x["amount"], x["by"])
            for x in report["reversals"]] == [("SK2026-000008", "SK2026-000001", at("11-19", "16:00"), "cash",
                                               D("-210.33"), day["manager"])]
    assert report["reversed"].amount == D("-210.33")
    assert report["net"] == D("2411.98") and report["net_bills"] == D("1311.98") and report["net_prepaid"] == D("1100")
    methods = {m.method: (m.collected.count, m.collected.amount, m.reversed.amount, m.net) for m in report["methods"]}
    assert methods == {"cash": (2, D("520.66"), D("-210.33"), D("310.33")),
                       "wechat": (1, D("360.33"), D("0.00"), D("360.33")),
                       "alipay": (1, D("420.66"), D("0.00"), D("420.66")),
                       "bank": (1, D("1000.00"), D("0.00"), D("1000.00")),
                       "pos": (1, D("320.66"), D("0.00"), D("320.66"))}
    assert [m.method for m in report["methods"]] == ["cash", "wechat", "alipay", "bank", "pos"]


def test_yesterday_keeps_the_receipt_that_was_reversed_today(app, day):
    with app.app_context():
        report = reports.daily_report(day["community"], DAY - timedelta(days=1))
    assert _rows(report) == [(day["cashier"], "cash", 1, D("210.33"), D("210.33"), D("0.00"), D("0.00"))]
    assert report["reversals"] == [] and report["net"] == D("210.33")


def test_receipt_numbers_used_per_cashier(app, day):
    with app.app_context():
        report = reports.daily_report(day["community"], DAY)
    uses = [(u.cashier, u.first, u.last, u.count, u.voided, u.reversing) for u in report["receipts"]]
    assert sorted(uses) == sorted([
        (day["cashier"], "SK2026-000002", "SK2026-000006", 4, 1, 0),   # 2, 3, 5 (voided), 6
        (day["second"], "SK2026-000004", "SK2026-000009", 3, 0, 0),    # 4, 7, 9
        (day["manager"], "SK2026-000008", "SK2026-000008", 1, 0, 1),   # the reversing entry
    ])
    # every number of the day is accounted for: 000002 … 000009, eight receipts
    assert sum(u.count for u in report["receipts"]) == 8
    # the numbers interleave: each cashier's own runs, not first–last (which would claim the others' 000004)
    runs = {u.cashier: u.ranges_text for u in report["receipts"]}
    assert runs == {day["cashier"]: "SK2026-000002–000003、SK2026-000005–000006",
                    day["second"]: "SK2026-000004、SK2026-000007、SK2026-000009",
                    day["manager"]: "SK2026-000008"}


def _reconciles(report) -> None:
    """The rows add up to the cashiers' subtotals, the methods and the day's total; the net is the total and
    the reversals."""
    t = report["total"]
    for attr in ("count", "amount", "bills", "prepaid", "balance_used"):
        assert sum(getattr(r, attr) for r in report["rows"]) == getattr(t, attr), attr
        assert sum(getattr(blk.subtotal, attr) for blk in report["blocks"]) == getattr(t, attr), attr
        assert sum(getattr(m.collected, attr) for m in report["methods"]) == getattr(t, attr), attr
    for r in report["rows"]:
        assert r.amount == r.bills + r.prepaid
    assert sum(m.net for m in report["methods"]) == report["net"] == t.amount + report["reversed"].amount
    assert sum(x["amount"] for x in report["reversals"]) == report["reversed"].amount


def test_the_day_reconciles_in_one_and_in_all_communities(app, day):
    with app.app_context():
        one = reports.daily_report(day["community"], DAY)
        every = reports.daily_report(None, DAY)
        other = reports.daily_report(day["other_community"], DAY)
    for report in (one, every, other):
        _reconciles(report)
    # all communities: 锦绣华庭's pre-payment of 300.00 is added; its receipt number is its own community's
    assert every["total"].amount == one["total"].amount + D("300.00") == D("2922.31")
    assert every["community"] is None and every["community_id"] is None
    ours = [(u.community, u.first) for u in every["receipts"] if u.cashier == day["cashier"]]
    assert sorted(ours) == [("翠湖花园", "SK2026-000002"), ("锦绣华庭", "SK2026-000001")]
    assert every["voided"][0]["house"] == "翠湖花园 2-1-0301"
    assert _rows(other) == [(day["cashier"], "cash", 1, D("300.00"), D("0.00"), D("300.00"), D("0.00"))]


def test_a_day_without_payments(app, fees):
    with app.app_context():
        report = reports.daily_report(fees["community"], DAY)
        assert report["rows"] == [] and report["total"].amount == 0 and report["net"] == 0
        with pytest.raises(RuleViolation):
            reports.daily_report(999999, DAY)


# ---------------------------------------------------------------------------- the month's data


@pytest.fixture
def months(app, fees):
    """翠湖花园 billed for 2026-09, 2026-10 and 2026-11; then, by date:

    09-15  1-1-0101 pays 09 (360.33)
    10-01  1-1-0101 pre-pays 500.00; 10-02 its 10 bills (360.33) are settled from the balance
    10-10  1-1-0102 pays 09 and 10 (420.66)
    10-20  1-1-0201 pays 10 (210.33) — voided the same day
    10-25  1-2-0101 pays 10 (210.33) — reversed on 11-05 by the project manager
    10-28  2-1-0301 pays 10 (210.33) — reversed on 10-29
    11-03  1-1-0201 pays 09 and 10 (420.66), after October's end
    11-10  1-1-0101 pays 11 (360.33), 139.67 of it from its balance
    11-12  2-1-0301 pays 11 (210.33)
    """
    with app.app_context():
        set_cli_actor("test")
        manager, cashier = actor(app, roles.MANAGER), actor(app, roles.CASHIER)
        for period in ("2026-09", "2026-10", "2026-11"):
            services.commit_run(fees["community"], period, manager, today=TODAY, auto_settle=False)
        db.session.commit()
        h = fees["houses"]
        _pay(h[0], ["2026-09"], "cash", cashier, at("09-15"))
        _pay(h[0], [], "cash", cashier, at("10-01"), prepay="500")
        assert services.settle_from_balance(manager, house_ids=[h[0]], now=at("10-02")) == 2
        db.session.commit()
        _pay(h[1], ["2026-09", "2026-10"], "wechat", cashier, at("10-10"))
        wrong = _pay(h[2], ["2026-10"], "cash", cashier, at("10-20"))
        services.void_payment(wrong.id, cashier, "收错", now=at("10-20", "09:30"))
        db.session.commit()
        later = _pay(h[3], ["2026-10"], "cash", cashier, at("10-25"))
        same = _pay(h[4], ["2026-10"], "cash", cashier, at("10-28"))
        services.reverse_payment(same.id, manager, "金额有误", now=at("10-29"))
        db.session.commit()
        later_id = later.id
        set_cli_actor(None)
    # (the events of November are added by the tests that want them: _november)
    return dict(fees, manager=manager, cashier=cashier, later=later_id)


def _november(months) -> None:
    h = months["houses"]
    services.reverse_payment(months["later"], months["manager"], "业主退款", now=at("11-05"))
    db.session.commit()
    _pay(h[2], ["2026-09", "2026-10"], "cash", months["cashier"], at("11-03"))
    _pay(h[0], ["2026-11"], "cash", months["cashier"], at("11-10"), use_balance=True)
    _pay(h[4], ["2026-11"], "alipay", months["cashier"], at("11-12"))


def _figures(row) -> tuple:
    return (row.billed, row.collected, row.rate, row.owed, row.arrears_collected, row.arrears_rate)


def test_october_per_building_and_for_the_community(app, months):
    with app.app_context():
        _november(months)
        result = reports.collection_rate(months["community"], 2026, 10)
    b1, b2 = result["rows"]
    assert (b1.name, b2.name) == ("1号楼", "2号楼")
    # current: 1-1-0101 settled (360.33), 1-1-0102 paid (210.33), 1-2-0101 paid on 10-25 and reversed only
    # on 11-05 (210.33); 1-1-0201 voided, 2-1-0301 reversed within October: not collected.
    # arrears (the 09 bills unpaid on 10-01: 1-1-0102, 1-1-0201, 1-2-0101; 2-1-0301): 1-1-0102 paid on 10-10;
    # 1-1-0201 paid only on 11-03.
    assert _figures(b1) == (D("991.32"), D("780.99"), D("78.78"), D("630.99"), D("210.33"), D("33.33"))
    assert _figures(b2) == (D("210.33"), D("0.00"), D("0.00"), D("210.33"), D("0.00"), D("0.00"))
    total = result["total"]
    assert _figures(total) == (D("1201.65"), D("780.99"), D("64.99"), D("841.32"), D("210.33"), D("25.00"))
    assert (total.due, total.received, total.overall_rate) == (D("2042.97"), D("991.32"), D("48.52"))


def test_november_arrears_follow_the_payment_records(app, months):
    with app.app_context():
        _november(months)
        result = reports.collection_rate(months["community"], 2026, 11)
    b1, b2 = result["rows"]
    # owed on 11-01: 1-1-0201 09 + 10 (its October payment was voided), 1-2-0101 09 (its 10 was still paid on
    # 11-01: the reversal of 11-05 makes it owed again, in December's base), 2-1-0301 09 + 10 (reversed in
    # October); collected in November: 1-1-0201's 420.66.
    assert _figures(b1) == (D("991.32"), D("360.33"), D("36.35"), D("630.99"), D("420.66"), D("66.67"))
    assert _figures(b2) == (D("210.33"), D("210.33"), D("100.00"), D("420.66"), D("0.00"), D("0.00"))
    assert _figures(result["total"]) == (D("1201.65"), D("570.66"), D("47.49"), D("1051.65"), D("420.66"),
                                         D("40.00"))
    with app.app_context():
        december = reports.collection_rate(months["community"], 2026, 12)
    # the reversed October bill of 1-2-0101 is owed again at December's start
    # 1号楼 owes on 12-01: the 11 bills of 1-1-0102 and 1-1-0201 (2 × 210.33), and of 1-2-0101 its 09, its
    # 10 (reversed on 11-05) and its 11 (3 × 210.33)
    assert december["rows"][0].owed == D("1051.65")


def test_a_past_month_does_not_change_when_its_payments_are_undone_later(app, months):
    with app.app_context():
        before = [_figures(r) for r in reports.collection_rate(months["community"], 2026, 10)["rows"]]
        _november(months)  # a reversal of an October payment, payments of October's bills
        after = [_figures(r) for r in reports.collection_rate(months["community"], 2026, 10)["rows"]]
        # what the bills' state says now is different: 1-2-0101's October bill is unpaid again
        line = db.session.scalar(select(BillLine).where(BillLine.house_id == months["houses"][3],
                                                        BillLine.period == "2026-10"))
        assert line.state == "unpaid"
    assert before == after


def test_a_month_without_arrears_or_bills_shows_no_rate(app, months):
    with app.app_context():
        september = reports.collection_rate(months["community"], 2026, 9)
        empty = reports.collection_rate(months["other_community"], 2026, 9)
    total = september["total"]
    assert (total.billed, total.collected, total.rate) == (D("1201.65"), D("360.33"), D("29.99"))
    assert (total.owed, total.arrears_rate) == (D("0.00"), None)
    assert [r.name for r in empty["rows"]] == ["1号楼"] and empty["total"].rate is None
    assert reports.show_percent(None) == "—" and reports.show_percent(D("5")) == "5.00"


def test_rates_round_half_up_to_hundredths():
    assert reports.percent(D("1"), D("3")) == D("33.33")
    assert reports.percent(D("2"), D("3")) == D("66.67")
    assert reports.percent(D("1"), D("800")) == D("0.13")    # 0.125 → 0.13, not the banker's 0.12
    assert reports.percent(D("5"), D("0")) is None
    assert isinstance(reports.percent(D("1"), D("7")), D)


# ---------------------------------------------------------------------------- Excel


def _sheet(wb, title):
    return [list(r) for r in wb[title].iter_rows(values_only=True)]


def test_daily_workbook_holds_the_same_totals(app, day):
    with app.test_request_context():
        report = reports.daily_report(day["community"], DAY)
        wb = load_workbook(io.BytesIO(reports.daily_workbook(report)))
    assert wb.sheetnames == ["汇总", "按收费员和付款方式", "按付款方式", "票据使用", "作废收据", "红冲", "电子支付"]
    summary = {r[0]: r[1] for r in _sheet(wb, "汇总")[1:]}
    assert summary["小区"] == "翠湖花园"
    assert summary["实收金额（元）"] == 2622.31 and summary["净收款（元）"] == 2411.98
    rows = _sheet(wb, "按收费员和付款方式")
    assert rows[-1][:4] == ["合计", None, 6, 2622.31]
    assert round(sum(r[3] for r in rows[1:-1] if r[1] != "小计"), 2) == 2622.31
    assert _sheet(wb, "作废收据")[1][0] == "SK2026-000005"
    assert _sheet(wb, "红冲")[1][:3] == ["SK2026-000008", datetime(2026, 11, 20, 15, 0), "SK2026-000001"]


def test_rate_workbook_holds_the_same_figures(app, months):
    with app.test_request_context():
        result = reports.collection_rate(months["community"], 2026, 9)
        wb = load_workbook(io.BytesIO(reports.rate_workbook(result)))
    rows = _sheet(wb, wb.sheetnames[0])
    assert rows[0][:4] == ["楼栋", "当期应收（元）", "当期月末前实收（元）", "当期收费率（%）"]
    assert rows[1][:4] == ["1号楼", 991.32, 360.33, 36.35]
    assert rows[3][0] == "全小区" and rows[3][1:4] == [1201.65, 360.33, 29.99]
    assert rows[3][6] == "—"  # no arrears in September: no rate


# ---------------------------------------------------------------------------- PDF


def _pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_daily_report_pdf(app, day):
    with app.test_request_context():
        report = reports.daily_report(day["community"], DAY)
        reader, text = _pdf_text(printing.daily_report_pdf(report, "王经理", at("11-21", "08:15")))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    for expected in ("收费日报", "翠湖花园", "2026年11月20日", "王经理", "2026-11-21 08:15", "2,622.31", "1,522.31",
                     "1,100.00", "-210.33", "2,411.98", "贰仟肆佰壹拾壹元玖角捌分", "SK2026-000005", "收错房屋",
                     "SK2026-000008", "SK2026-000001", "作废收据", "红冲", "李会计", "收费员：", "复核：", "项目经理："):
        assert expected in text, expected
    assert "13812345678" not in text and "138****5678" in text  # the reason's phone number is masked


def test_collection_rate_pdf(app, months):
    with app.test_request_context():
        _november(months)
        result = reports.collection_rate(months["community"], 2026, 10)
        reader, text = _pdf_text(printing.collection_rate_pdf(result, "王经理"))
    assert len(reader.pages) == 1 and reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    for expected in ("月度收费率统计表", "翠湖花园", "2026年10月", "1号楼", "2号楼", "78.78", "33.33", "64.99",
                     "25.00", "48.52", "1,201.65", "841.32", "王经理", "制表：", "复核：", "项目经理："):
        assert expected in text, expected


# ---------------------------------------------------------------------------- the pages


def _flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in
            re.findall(r'class="alert alert-[a-z]+">\s*<button[^>]*>[^<]*</button>(.*?)</div>', html, re.S)]


@pytest.mark.parametrize("role, allowed", [(roles.CASHIER, True), (roles.MANAGER, True), (roles.ADMIN, True),
                                           (roles.SERVICE, False), (roles.ENGINEER, False), (roles.COMMITTEE, False),
                                           (roles.ARCHIVES, False)])
def test_who_may_see_the_reports(app, day, login_as, role, allowed):
    client = login_as(role)
    c = day["community"]
    for path in (f"/billing-daily/?day=2026-11-20&community={c}", f"/billing-daily/pdf?day=2026-11-20&community={c}",
                 f"/billing-daily/export?day=2026-11-20&community={c}", f"/collection-rate/?month=2026-11&community={c}",
                 f"/collection-rate/pdf?month=2026-11&community={c}",
                 f"/collection-rate/export?month=2026-11&community={c}"):
        resp = client.get(path)
        assert (resp.status_code == 200) is allowed, (role, path, resp.status_code)
    nav = client.get("/").get_data(as_text=True).split('role="navigation"', 1)[1].split("</header>", 1)[0]
    assert ("收费日报" in nav) is allowed and ("收费率" in nav) is allowed


def test_the_daily_page(app, day, login_as):
    html = login_as(roles.CASHIER).get(f"/billing-daily/?day=2026-11-20&community={day['community']}").get_data(
        as_text=True)
    assert _flashes(html) == []
    assert 'type="date"' in html and 'value="2026-11-20"' in html
    for expected in ("收费日报", "2,622.31", "2,411.98", "-210.33", "SK2026-000005", "SK2026-000008",
                     "SK2026-000002–000003、SK2026-000005–000006", "李会计", "作废收据", "红冲"):
        assert expected in html, expected
    assert "/billing-daily/pdf?day=2026-11-20" in html and "/billing-daily/export?day=2026-11-20" in html


def test_the_daily_downloads(app, day, login_as):
    client = login_as(roles.CASHIER)
    resp = client.get(f"/billing-daily/pdf?day=2026-11-20&community={day['community']}")
    assert resp.mimetype == "application/pdf"
    text = _pdf_text(resp.data)[1]
    assert "收费日报" in text and "2,411.98" in text and day["cashier"] in text
    resp = client.get(f"/billing-daily/export?day=2026-11-20&community={day['community']}")
    assert resp.mimetype.endswith("spreadsheetml.sheet") and "billing-daily-20261120.xlsx" in resp.headers[
        "Content-Disposition"]
    summary = {r[0]: r[1] for r in _sheet(load_workbook(io.BytesIO(resp.data)), "汇总")[1:]}
    assert summary["净收款（元）"] == 2411.98


def test_the_rate_page_and_downloads(app, months, login_as):
    client = login_as(roles.MANAGER)
    with app.app_context():
        _november(months)
    html = client.get(f"/collection-rate/?month=2026-10&community={months['community']}").get_data(as_text=True)
    assert _flashes(html) == []
    assert 'type="month"' in html and 'value="2026-10"' in html
    for expected in ("收费率", "1号楼", "2号楼", "全小区", "78.78", "33.33", "64.99", "25.00", "48.52", "当期", "往期欠费"):
        assert expected in html, expected
    html = client.get(f"/collection-rate/?month=2026-09&community={months['community']}").get_data(as_text=True)
    assert "—" in html
    resp = client.get(f"/collection-rate/pdf?month=2026-10&community={months['community']}")
    assert resp.mimetype == "application/pdf" and "78.78" in _pdf_text(resp.data)[1]
    resp = client.get(f"/collection-rate/export?month=2026-10&community={months['community']}")
    assert "collection-rate-2026-10.xlsx" in resp.headers["Content-Disposition"]
    rows = _sheet(load_workbook(io.BytesIO(resp.data)), load_workbook(io.BytesIO(resp.data)).sheetnames[0])
    assert rows[3][0] == "全小区" and rows[3][3] == 64.99


def test_the_rate_page_opens_on_the_first_community_and_this_month(app, fees, login_as):
    html = login_as(roles.CASHIER).get("/collection-rate/").get_data(as_text=True)
    assert _flashes(html) == [] and f'value="{date.today():%Y-%m}"' in html
    assert re.search(rf'<option value="{fees["community"]}"\s+selected>翠湖花园</option>', html)


TOMORROW = (date.today() + timedelta(days=1)).isoformat()
NEXT_MONTH = f"{(date.today().replace(day=28) + timedelta(days=5)):%Y-%m}"


@pytest.mark.parametrize("query, message", [
    ("day=2026-13-45", "不是有效日期"),
    ("day=abc", "不是有效日期"),
    ("day=%3Cscript%3Ealert(1)%3C/script%3E", "不是有效日期"),
    (f"day={TOMORROW}", "还没有到"),
    ("community=999999", "没有这个小区"),
    ("community=abc", "没有这个小区"),
])
def test_bad_input_on_the_daily_page(app, fees, login_as, query, message):
    client = login_as(roles.CASHIER)
    resp = client.get("/billing-daily/?" + query)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert any(message in f for f in _flashes(html)), _flashes(html)
    assert f'value="{date.today().isoformat()}"' in html and "<script>alert(1)" not in html
    # the downloads go back to the page and say why, instead of a file of another day
    for action in ("pdf", "export"):
        resp = client.get(f"/billing-daily/{action}?" + query)
        assert resp.status_code == 302 and "/billing-daily/" in resp.headers["Location"]


@pytest.mark.parametrize("query, message", [
    ("month=2026-13", "不是有效月份"),
    ("month=1999-05", "年份须在 2000 到 2100 之间"),
    (f"month={NEXT_MONTH}", "还没有开始"),
    ("community=999999", "没有这个小区"),
])
def test_bad_input_on_the_rate_page(app, fees, login_as, query, message):
    client = login_as(roles.MANAGER)
    resp = client.get("/collection-rate/?" + query)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert any(message in f for f in _flashes(html)), _flashes(html)
    assert f'value="{date.today():%Y-%m}"' in html and "rate-table" in html
    for action in ("pdf", "export"):
        resp = client.get(f"/collection-rate/{action}?" + query)
        assert resp.status_code == 302
        assert any(message in f for f in _flashes(client.get(resp.headers["Location"]).get_data(as_text=True)))


def test_the_rate_page_without_any_community(app, login_as):
    resp = login_as(roles.MANAGER).get("/collection-rate/?community=5")
    assert resp.status_code == 200
    assert any("还没有小区" in f for f in _flashes(resp.get_data(as_text=True)))


def test_a_long_day_keeps_its_net_and_signatures_together_on_the_last_page(app, day):
    """However long the day (here: more and more voided receipts listed), the last page holds the net, its 大写 and
    the three boxes that sign it; they never stand on a page apart from each other."""
    pages_seen = set()
    with app.test_request_context():
        report = reports.daily_report(day["community"], DAY)
        voided = list(report["voided"])
        for k in range(0, 60, 4):
            report["voided"] = voided * (1 + k)
            reader, _text = _pdf_text(printing.daily_report_pdf(report, "王经理", at("11-21", "08:15")))
            pages_seen.add(len(reader.pages))
            last = reader.pages[-1].extract_text()
            for expected in ("2,411.98", "贰仟肆佰壹拾壹元玖角捌分", "收费员：", "复核：", "项目经理："):
                assert expected in last, (k, expected)
    assert len(pages_seen) > 1  # the day did run onto further pages
