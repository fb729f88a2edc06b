"""At the counter: the cash handed over and the change (recorded, shown, printed), and the transaction number of
an electronic payment (recorded, printed, searchable, listed per method in the 收费日报 to match the merchant's
statement). The counter takes 1-1-0101's first bill of 2026-11 through the pages."""
import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.billing import reports
from app.billing.models import BillLine, Payment
from app.extensions import db
from app.security import roles
from tests.conftest import flashes


@pytest.fixture
def counter(app, fees, login_as):
    cashier = login_as(roles.CASHIER)
    cashier.post("/billing-run/", data={"community": str(fees["community"]), "period": "2026-11", "commit": "1"})
    with app.app_context():
        line = db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0])
                                  .order_by(BillLine.id)).first()
        return cashier, line.id, line.amount


def _pay(cashier, fees, line_id, amount, **extra):
    data = {"house": fees["houses"][0], "lines": [line_id], "amount": f"{amount:.2f}", "method": "cash"}
    data.update(extra)
    return cashier.post("/counter/pay", data=data, follow_redirects=True)


def _payments(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Payment))


@pytest.mark.moment("2026-11-20 10:00")
def test_cash_tendered_and_the_change_are_recorded_shown_and_printed(app, fees, counter):
    cashier, line_id, amount = counter
    assert cashier.get(f"/counter/?house={fees['houses'][0]}").get_data(as_text=True).count('name="tendered"') == 1
    # less than due: refused, nothing written
    html = _pay(cashier, fees, line_id, amount, tendered=f"{amount - Decimal('0.01'):.2f}").get_data(as_text=True)
    assert any("少于应收金额" in f for f in flashes(html)), flashes(html)
    assert _payments(app) == 0
    # ¥300 for the bill: taken, ¥300 − bill is the change, said at once and on the receipt
    html = _pay(cashier, fees, line_id, amount, tendered="300").get_data(as_text=True)
    change = Decimal("300.00") - amount
    assert any(f"应找零：¥{change:,.2f}" in f for f in flashes(html)), flashes(html)
    with app.app_context():
        p = db.session.scalars(select(Payment)).one()
        assert (p.amount, p.tendered, p.change_given) == (amount, Decimal("300.00"), change)
        pid = p.id
    assert "找零" in html and f"{change:,.2f}" in html  # the receipt page
    pdf = cashier.get(f"/receipt-print/{pid}/a4").data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"实收 ¥300.00，找零 ¥{change:,.2f}" in text.replace(" ", " ")


@pytest.mark.moment("2026-11-20 10:00")
def test_an_electronic_payment_keeps_its_transaction_number_for_the_merchant_statement(app, fees, counter):
    cashier, line_id, amount = counter
    html = _pay(cashier, fees, line_id, amount, method="wechat", reference="中文单号!").get_data(as_text=True)
    assert any("交易单号只能由字母、数字和短横线组成" in f for f in flashes(html)), flashes(html)
    assert _payments(app) == 0
    _pay(cashier, fees, line_id, amount, method="wechat", reference=" 4200 0012 3456 7890 ")
    with app.app_context():
        p = db.session.scalars(select(Payment)).one()
        assert (p.method, p.reference, p.tendered) == ("wechat", "4200001234567890", None)
        pid = p.id
    pdf = cashier.get(f"/receipt-print/{pid}/pin").data
    assert "交易单号 4200001234567890" in "".join(pg.extract_text() for pg in PdfReader(io.BytesIO(pdf)).pages)
    # searchable in the receipts list
    html = cashier.get("/receipts/list/?_flt_2_reference=12345678").get_data(as_text=True)
    assert f"/receipts/show/{pid}" in html
    html = cashier.get("/receipts/list/?_flt_2_reference=99999").get_data(as_text=True)
    assert f"/receipts/show/{pid}" not in html
    # the day's report lists it under 微信支付 with its number, to tick off against the statement
    with app.app_context():
        day = reports.daily_report(fees["community"], date(2026, 11, 20))
    assert [(e["method"], [r["reference"] for r in e["rows"]], e["missing"]) for e in day["electronic"]] == [
        ("wechat", ["4200001234567890"], 0)]
    html = cashier.get(f"/billing-daily/?day=2026-11-20&community={fees['community']}").get_data(as_text=True)
    assert "与商户对账单核对" in html and "4200001234567890" in html
