"""缴费通知单 / 催缴通知单: who gets one, in 房号 order; what each page lists (本期, 往期欠费, 滞纳金, the
balance, 大写, the date to pay by, how to pay); a batch rendered in pieces is still one page per household;
the owner's name is masked; bad requests are refused with a Chinese message."""
import io
import os
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.billing import notices, printing, services
from app.billing.models import FeeItem
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor

pytestmark = pytest.mark.moment("2026-11-20 10:00")  # TODAY: which bills are overdue depends on the date


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _render(request, ids) -> bytes:
    out = io.BytesIO()
    printing.notices_pdf(request, ids, out)
    if os.environ.get("PM_KEEP_PDF"):  # to look at: PM_KEEP_PDF=/tmp/n pytest …; pdftoppm -png -r 60
        with open(f"{os.environ['PM_KEEP_PDF']}-{request.kind}.pdf", "wb") as fh:
            fh.write(out.getvalue())
    return out.getvalue()


@pytest.fixture
def billed(app, fees):
    """翠湖花园 billed for 2026-10 (due 2026-10-31) and 2026-11 (due 2026-12-01): every house owes 物业服务费
    210.33 a month (89.50 ㎡ × 2.35); 1-1-0101 also 停车费 150.00 a month. 1-1-0102 has paid 2026-10;
    1-1-0201 paid everything; 1-1-0101 has 100.00 pre-paid. The owner of 1-1-0101 is 张三丰."""
    from app.estate.models import Owner, Ownership

    with app.test_request_context():
        set_cli_actor("test")
        manager, cashier = actor(app, roles.MANAGER), actor(app, roles.CASHIER)
        for period in ("2026-10", "2026-11"):
            services.commit_run(fees["community"], period, manager, today=TODAY, auto_settle=False)
        h = fees["houses"]
        now = datetime(2026, 11, 20, 9, 0)
        services.pay(h[1], [line.id for line in services.unpaid_lines(h[1]) if line.period == "2026-10"], "cash",
                     cashier, now=now)
        services.pay(h[2], [line.id for line in services.unpaid_lines(h[2])], "cash", cashier, now=now)
        services.pay(h[0], [], "cash", cashier, prepay=Decimal("100"), now=now)
        owner = Owner(name="张三丰", id_number="110105194912310021", phone="13812345678")
        db.session.add(owner)
        db.session.flush()
        db.session.add(Ownership(house_id=h[0], owner_id=owner.id, share=Decimal("100"), started_on=date(2020, 1, 1)))
        db.session.commit()
        yield fees
        db.session.rollback()
        set_cli_actor(None)


def _request(fees, **values):
    return notices.check_request(dict({"community": fees["community"]}, **values), today=TODAY)


def test_bill_notices_list_this_period_and_earlier_arrears_in_house_order(billed):
    request = _request(billed, kind="bill", period="2026-11")
    ids = notices.house_ids(request)
    h = billed["houses"]
    # 1-1-0201 paid everything; the other community's house is not ours; 1-2-0101 and 2-1-0301 owe both months
    assert ids == [h[0], h[1], h[3], h[4]]
    first, second = notices.notices(request, ids[:2])
    assert [(r["period"], r["amount"], r["current"]) for r in first["rows"]] == [
        ("2026-10", Decimal("210.33"), False), ("2026-10", Decimal("150.00"), False),
        ("2026-11", Decimal("210.33"), True), ("2026-11", Decimal("150.00"), True)]
    assert (first["current"], first["earlier"], first["total"]) == (
        Decimal("360.33"), Decimal("360.33"), Decimal("720.66"))
    assert first["total_upper"] == "柒佰贰拾元陆角陆分"
    assert (first["balance"], first["to_pay"]) == (Decimal("100.00"), Decimal("620.66"))
    assert first["pay_by"] == date(2026, 12, 1)  # the period's due date
    assert first["owner"] == "张**"
    # 1-1-0102 paid October: only November is on its notice
    assert [(r["period"], r["amount"]) for r in second["rows"]] == [("2026-11", Decimal("210.33"))]
    assert (second["earlier"], second["total"]) == (Decimal("0.00"), Decimal("210.33"))


def test_bill_notice_pdf_has_one_page_per_household_with_its_figures(app, billed, monkeypatch):
    monkeypatch.setattr(printing, "NOTICE_CHUNK", 3)  # 4 households in two pieces, joined
    request = _request(billed, kind="bill", period="2026-11", building="")
    pages = _pages(_render(request, notices.house_ids(request)))
    assert len(pages) == 4
    assert ["1-1-0101" in pages[0], "1-1-0102" in pages[1], "1-2-0101" in pages[2], "2-1-0301" in pages[3]] == [
        True] * 4
    first = pages[0]
    for text in ("缴费通知单", "翠湖花园", "张**", "本期", "往期欠费", "720.66", "柒佰贰拾元陆角陆分", "2026-12-01",
                 "100.00", "620.66", "缴费方式", "建设路1号"):
        assert text in first, text
    assert "张三丰" not in first
    assert "往期欠费" not in pages[1] and "210.33" in pages[1]


def test_reminder_lists_only_overdue_bills_with_days_and_late_fee(app, billed):
    with app.test_request_context():
        item = db.session.get(FeeItem, billed["wyf"])
        item.late_fee_rate = Decimal("0.0005")  # 万分之五 a day
        db.session.flush()
        request = _request(billed, kind="reminder", pay_by="2026-11-30")
        ids = notices.house_ids(request)
        h = billed["houses"]
        assert ids == [h[0], h[3], h[4]]  # October is overdue on 2026-11-20 (due 2026-10-31); 0102 paid it
        notice = notices.notices(request, ids)[0]
        # 210.33 × 0.0005 × 20 days = 2.1033 → 2.10; 停车费 has no rate
        assert [(r["period"], r["overdue_days"], r["late_fee"]) for r in notice["rows"]] == [
            ("2026-10", 20, Decimal("2.10")), ("2026-10", 20, Decimal("0.00"))]
        assert (notice["late_fees"], notice["total"]) == (Decimal("2.10"), Decimal("362.43"))
        pages = _pages(_render(request, ids))
        assert len(pages) == 3
        for text in ("催缴通知单", "逾期天数", "滞纳金", "2.10", "362.43", "2026-11-30"):
            assert text in pages[0], text
        assert "2026-11" not in pages[0].replace("2026-11-20", "").replace("2026-11-30", "").replace(
            "2026-10-31", "")


def test_a_building_limits_the_batch(billed):
    request = _request(billed, kind="bill", period="2026-11", building=billed["b2"])
    assert notices.house_ids(request) == [billed["houses"][4]]


def test_late_fee_is_capped_at_the_amount_and_zero_without_a_rate(app, billed):
    with app.test_request_context():
        line = services.unpaid_lines(billed["houses"][3])[0]
        assert services.late_fee(line, date(2030, 1, 1)) == Decimal("0.00")  # 物业服务费 has no rate here
        line.fee_item.late_fee_rate = Decimal("0.01")
        assert services.late_fee(line, line.due_date) == Decimal("0.00")  # not yet overdue
        assert services.late_fee(line, date(2030, 1, 1)) == line.amount  # 1% a day for years: capped


@pytest.mark.parametrize("values, field, message", [
    ({"kind": "bill", "period": "2027-06"}, "period", "个月"),
    ({"kind": "bill", "period": "2026/11"}, "period", "不是"),
    ({"kind": "other"}, "kind", "请选择"),
    ({"kind": "reminder", "pay_by": "2026-11-01"}, "pay_by", "过去"),
    ({"kind": "reminder", "pay_by": "30.11.2026"}, "pay_by", "不是"),
    ({"kind": "reminder", "building": "other"}, "building", "不在"),
])
def test_bad_requests_are_refused_in_chinese(app, billed, values, field, message):
    with app.test_request_context():
        if values.get("building") == "other":
            values = dict(values, building=billed["other_building"])
        with pytest.raises(RuleViolation) as exc:
            _request(billed, **values)
        assert field in exc.value.errors
        assert message in str(exc.value.errors[field])


def test_house_order_compares_numbers_as_numbers():
    assert sorted(["10", "2", "1", "A1", "11"], key=notices._natural) == ["1", "2", "10", "11", "A1"]


# ---------------------------------------------------------------------------- the page


def test_cashier_counts_then_prints_the_notices_of_a_building(app, billed, login_as):
    cashier = login_as(roles.CASHIER)
    query = {"kind": "bill", "community": billed["community"], "building": billed["b1"], "period": "2026-11"}
    html = cashier.get("/notices/", query_string=query).get_data(as_text=True)
    assert "共 3 户将收到通知单" in html and "打印通知单" in html
    resp = cashier.get("/notices/print", query_string=query)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pages = _pages(resp.get_data())
    assert len(pages) == 3 and "1-1-0101" in pages[0] and "1-2-0101" in pages[2]


@pytest.mark.parametrize("query, message", [
    ({"kind": "bill", "period": "2026-13"}, "不是有效的账期"),
    ({"kind": "bill", "period": "2099-01"}, "最多只能提前"),
    ({"kind": "reminder", "pay_by": "<script>"}, "不是日期"),
    ({"kind": "reminder", "building": "99999"}, "该楼栋不在所选小区内"),
    ({"kind": "nonsense"}, "请选择要打印的通知单"),
])
def test_bad_choices_on_the_page_are_explained_and_nothing_printed(billed, login_as, query, message):
    cashier = login_as(roles.CASHIER)
    query = dict(query, community=billed["community"])
    html = cashier.get("/notices/", query_string=query).get_data(as_text=True)
    assert message in html and "打印通知单" not in html
    resp = cashier.get("/notices/print", query_string=query, follow_redirects=True)
    assert resp.status_code == 200 and resp.mimetype == "text/html" and message in resp.get_data(as_text=True)


def test_nothing_to_print_says_so(billed, login_as):
    manager = login_as(roles.MANAGER)
    query = {"kind": "reminder", "community": billed["other_community"]}
    assert "没有需要发此通知单的住户" in manager.get("/notices/", query_string=query).get_data(as_text=True)
    resp = manager.get("/notices/print", query_string=query, follow_redirects=True)
    assert resp.mimetype == "text/html" and "没有需要发此通知单的住户" in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", [roles.SERVICE, roles.ENGINEER, roles.COMMITTEE])
def test_roles_outside_billing_cannot_print_notices(billed, login_as, role):
    client = login_as(role)
    query = {"kind": "bill", "community": billed["community"], "period": "2026-11"}
    resp = client.get("/notices/print", query_string=query)
    assert resp.status_code in (302, 403) and resp.mimetype != "application/pdf"


def test_more_households_than_a_page_prints_at_once_are_refused_there(billed, login_as, monkeypatch):
    monkeypatch.setattr(notices, "MAX_NOTICES", 3)
    cashier = login_as(roles.CASHIER)
    query = {"kind": "bill", "community": billed["community"], "period": "2026-11"}
    html = cashier.get("/notices/", query_string=query).get_data(as_text=True)
    assert "共 4 户将收到通知单" in html and "请选择楼栋" in html and "打印通知单" not in html
    resp = cashier.get("/notices/print", query_string=query, follow_redirects=True)
    assert resp.mimetype == "text/html" and "请按楼栋分批打印" in resp.get_data(as_text=True)


def test_the_cli_prints_a_batch_of_any_size_into_a_file(app, billed, tmp_path):
    out = tmp_path / "notices.pdf"
    result = app.test_cli_runner().invoke(args=["pm", "notices", "reminder", "--community", "C001",
                                                "--building", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 households, 2 pages" in result.output
    pages = _pages(out.read_bytes())
    assert "1-1-0101" in pages[0] and "1-2-0101" in pages[1] and "催缴通知单" in pages[0]
    bad = app.test_cli_runner().invoke(args=["pm", "notices", "bill", "--community", "C001", "--period", "2026-13",
                                             "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and not (tmp_path / "x.pdf").exists()


def test_a_period_already_due_is_to_be_paid_within_a_week(billed):
    request = _request(billed, kind="bill", period="2026-10")
    notice = notices.notices(request, notices.house_ids(request)[:1])[0]
    assert notice["pay_by"] == date(2026, 11, 27)  # due 2026-10-31, noticed 2026-11-20: a week


def test_the_office_may_write_its_own_how_to_pay(app, billed, monkeypatch):
    monkeypatch.setitem(app.config, "BILLING_NOTICE_PAYMENT_NOTE", "工商银行翠湖支行 账号6222000011112222，工作日8:30-17:30")
    request = _request(billed, kind="reminder")
    pages = _pages(_render(request, notices.house_ids(request)[:1]))
    assert "工商银行翠湖支行" in pages[0] and "请到物业服务中心收费处缴纳" not in pages[0]


@pytest.mark.parametrize("role, shown", [(roles.CASHIER, True), (roles.SERVICE, False)])
def test_the_cashiers_home_page_leads_to_the_notices_and_the_days_report(app, login_as, role, shown):
    html = login_as(role).get("/").get_data(as_text=True)
    assert ('href="/notices/"' in html and 'href="/billing-daily/"' in html) is shown
