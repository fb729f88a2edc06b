"""对账单: a house's statement for an owner who asks: the figures of a small account computed by hand, the
PDF's text with the owner masked, the page and its bad months, and who may print it."""
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.billing import fund, services, statement
from app.billing.models import BillLine
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor, flashes


def _account(app, fees):
    """House 1-1-0101 (89.50㎡ × 2.35 = 210.33, parking 150.00: 360.33 a month), bills of 2026-09 to 2026-11.
    September paid on 09-10 in cash with 100.00 pre-paid (receipt 460.33); October paid on 10-12 by WeChat and
    voided the same day, so October is unpaid again; November unpaid. Owner 张三. 维修基金: 4,475.00 deposited on
    10-08."""
    from app.estate.models import House, Owner, Ownership

    house_id = fees["houses"][0]
    with app.test_request_context():
        set_cli_actor("test")
        owner = Owner(kind="person", name="张三", id_number="330106198503121234")
        db.session.add(owner)
        db.session.flush()
        db.session.add(Ownership(house_id=house_id, owner_id=owner.id, share=Decimal("100"),
                                 started_on=date(2020, 1, 1)))
        manager, cashier = actor(app, roles.MANAGER), actor(app, roles.CASHIER)
        for period in ("2026-09", "2026-10", "2026-11"):
            services.commit_run(fees["community"], period, manager, today=TODAY, auto_settle=False)
        db.session.flush()

        def lines(period):
            return [line.id for line in db.session.query(BillLine).filter_by(house_id=house_id, period=period)]

        services.pay(house_id, lines("2026-09"), "cash", cashier, prepay=Decimal("100"),
                     now=datetime(2026, 9, 10, 10, 0))
        october = services.pay(house_id, lines("2026-10"), "wechat", cashier, now=datetime(2026, 10, 12, 9, 0))
        services.void_payment(october.id, cashier, "付款方式选错", now=datetime(2026, 10, 12, 9, 5))
        fund.post_deposits({"community": fees["community"], "scope": "unit", "unit": fees["u11"], "kind": "deposit",
                            "method": "rate", "rate": "50", "on_date": "2026-10-08"}, cashier)  # 89.50 × 50
        db.session.commit()
        assert db.session.get(House, house_id) is not None
        set_cli_actor(None)
    return house_id


def test_the_statement_of_two_months_matches_the_hand_computed_account(app, fees):
    house_id = _account(app, fees)
    with app.app_context():
        s = statement.statement(house_id, statement.Span("2026-10", "2026-11"), today=TODAY)
        assert [(b["period"], b["amount"], b["paid"]) for b in s["bills"]] == [
            ("2026-10", Decimal("210.33"), False), ("2026-10", Decimal("150.00"), False),
            ("2026-11", Decimal("210.33"), False), ("2026-11", Decimal("150.00"), False)]
        assert (s["billed"], s["billed_paid"], s["received"]) == (Decimal("720.66"), Decimal("0.00"), Decimal("0.00"))
        assert (s["unpaid"], s["overdue"], s["balance"]) == (Decimal("720.66"), Decimal("360.33"), Decimal("100.00"))
        assert [(p["receipt_no"][-6:], p["counted"]) for p in s["payments"]] == [("000002", False)]
        assert s["owner"] == "张*"
        assert s["fund_balance"] == Decimal("4475.00") and [e["amount"] for e in s["fund"]] == [Decimal("4475.00")]
        whole = statement.statement(house_id, statement.Span("2026-09", "2026-11"), today=TODAY)
        assert (whole["billed"], whole["billed_paid"], whole["received"]) == (
            Decimal("1080.99"), Decimal("360.33"), Decimal("460.33"))
        # a span after September still lists an earlier bill while it is unpaid (none is: September was paid)
        assert all(not b["earlier"] for b in s["bills"])
        november = statement.statement(house_id, statement.Span("2026-11", "2026-11"), today=TODAY)
        assert [(b["period"], b["earlier"]) for b in november["bills"]] == [
            ("2026-10", True), ("2026-10", True), ("2026-11", False), ("2026-11", False)]
        assert november["billed"] == Decimal("360.33")


@pytest.mark.parametrize("first, last, message", [
    ("2026-11", "2026-10", "晚于"),
    ("2026-13", "2026-11", "月份"),
    ("2023-01", "2026-11", "36"),
    ("2026-10", "2027-01", "尚未开始"),
])
def test_bad_months_are_refused_with_a_message(app, first, last, message):
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            statement.check_span(first, last, today=TODAY)
        assert message in " ".join(caught.value.errors.values())


def test_the_cashier_prints_it_from_the_counter(app, fees, login_as, tmp_path):
    house_id = _account(app, fees)
    cashier = login_as(roles.CASHIER)
    assert f"/house-statement/?house={house_id}" in cashier.get(f"/counter/?house={house_id}").get_data(as_text=True)
    html = cashier.get(f"/house-statement/?house={house_id}&first=2026-09&last=2026-11").get_data(as_text=True)
    assert "1,080.99" in html and "张*" in html and "张三" not in html
    resp = cashier.get(f"/house-statement/pdf?house={house_id}&first=2026-09&last=2026-11")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "对账单" in text and "1-1-0101" in text and "张*" in text and "张三" not in text
    assert "720.66" in text and "SK2026-000002" in text and "已作废" in text and "柒佰贰拾元陆角陆分" in text
    assert "维修基金" in text and "首期缴存" in text and "4,475.00" in text
    # bad months: the message, and the page of the last twelve months
    html = cashier.get(f"/house-statement/?house={house_id}&first=2026-11&last=2026-01",
                       follow_redirects=True).get_data(as_text=True)
    assert any("晚于" in f for f in flashes(html)), flashes(html)
    assert cashier.get(f"/house-statement/pdf?house={house_id}&first=x&last=y").status_code == 302
    assert cashier.get("/house-statement/?house=999999").status_code == 302


def test_roles_outside_billing_cannot_read_a_statement(app, fees, login_as):
    house_id = _account(app, fees)
    for role in (roles.ENGINEER, roles.ORDER, roles.COMMITTEE):
        resp = login_as(role).get(f"/house-statement/pdf?house={house_id}")
        assert resp.status_code in (302, 403) and resp.mimetype != "application/pdf"
