"""The billing pages as the staff use them: the 收费员 makes the period's bills (preview, then commit), finds a
house at the counter, takes a payment, sees the receipt and voids it; bad input gets a Chinese message and
changes nothing; roles without the counter cannot pay."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing.models import BillingRun, BillLine, FeeItem, Payment
from app.extensions import db
from app.security import roles
from tests.conftest import flashes


@pytest.fixture
def cashier(login_as):
    return login_as(roles.CASHIER)


def _count(app, model, *where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for w in where:
            stmt = stmt.where(w)
        return db.session.scalar(stmt)


def _run(client, fees, period="2026-11", commit=False):
    data = {"community": str(fees["community"]), "period": period}
    data["commit" if commit else "preview"] = "1"
    return client.post("/billing-run/", data=data)


def test_preview_then_commit_from_the_run_page(app, fees, cashier):
    html = _run(cashier, fees).get_data(as_text=True)
    assert "2026-11 预览：新账单 6 笔" in html and "1号楼" in html and "物业服务费" in html
    assert _count(app, BillLine) == 0
    resp = _run(cashier, fees, commit=True)
    assert resp.status_code == 302 and "/billing-runs/show/" in resp.headers["Location"]
    page = cashier.get(resp.headers["Location"]).get_data(as_text=True)
    assert "账单已生成：6 笔" in page and "¥1,201.65" in page
    # the same period again: told, nothing new
    html = _run(cashier, fees, commit=True).get_data(as_text=True)
    assert "均已生成" in html and _count(app, BillLine) == 6 and _count(app, BillingRun) == 1


def test_a_bad_period_on_the_run_page_is_explained_and_nothing_made(app, fees, cashier):
    for period in ("2026-13", "<script>alert(1)</script>", "2099-01"):
        html = _run(cashier, fees, period=period, commit=True).get_data(as_text=True)
        assert resp_ok(html) and ("不是有效的账期" in html or "最多只能提前" in html), period
        assert "<script>alert(1)</script>" not in html
    assert _count(app, BillLine) == 0


def resp_ok(html: str) -> bool:
    return "Traceback" not in html and "Internal Server Error" not in html


def test_counter_finds_the_house_and_takes_a_payment(app, fees, cashier):
    _run(cashier, fees, commit=True)
    html = cashier.get("/counter/?q=1-1-0101").get_data(as_text=True)
    assert "翠湖花园" in html and "锦绣华庭" in html  # the same 房号 in both communities: the clerk picks
    html = cashier.get(f"/counter/?house={fees['houses'][0]}").get_data(as_text=True)
    assert "物业服务费 2026-11" in html and "停车费 2026-11 B001" in html and "预存余额" in html
    with app.app_context():
        lines = [line.id for line in db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0]))]
    resp = cashier.post("/counter/pay", data={"house": fees["houses"][0], "lines": lines, "method": "cash",
                                              "amount": "360.33", "prepay": "", "payer_name": "张三"})
    assert resp.status_code == 302 and "/receipts/show/" in resp.headers["Location"]
    page = cashier.get(resp.headers["Location"]).get_data(as_text=True)
    assert "SK" in page and "叁佰陆拾元叁角叁分" in page and "作废" in page
    assert _count(app, Payment) == 1


def test_a_wrong_amount_at_the_counter_is_refused_and_nothing_recorded(app, fees, cashier):
    _run(cashier, fees, commit=True)
    with app.app_context():
        lines = [line.id for line in db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0]))]
    resp = cashier.post("/counter/pay", data={"house": fees["houses"][0], "lines": lines, "method": "cash",
                                              "amount": "300"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "不符" in html and "360.33" in html
    for bad in ({"house": "abc"}, {"house": "999999"}, {"method": "<b>"}, {"lines": ["x"]}):
        data = {"house": fees["houses"][0], "lines": lines, "method": "cash", "amount": "360.33"}
        data.update(bad)
        resp = cashier.post("/counter/pay", data=data, follow_redirects=True)
        assert resp.status_code == 200 and flashes(resp.get_data(as_text=True)), bad
    assert _count(app, Payment) == 0 and _count(app, BillLine, BillLine.state == "paid") == 0


def test_void_from_the_receipt_page(app, fees, cashier):
    _run(cashier, fees, commit=True)
    with app.app_context():
        line = db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0])).first()
        amount = f"{line.amount:.2f}"
    resp = cashier.post("/counter/pay", data={"house": fees["houses"][0], "lines": [line.id], "method": "wechat",
                                              "amount": amount})
    show = resp.headers["Location"]
    pk = int(show.rstrip("/").split("/")[-1])
    resp = cashier.post(f"/counter/undo/{pk}/void", data={"reason": ""}, follow_redirects=True)
    assert "不能为空" in resp.get_data(as_text=True)
    resp = cashier.post(f"/counter/undo/{pk}/void", data={"reason": "收错房号"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已作废" in html
    # a reversal is not the cashier's
    resp = cashier.post(f"/counter/undo/{pk}/reverse", data={"reason": "x"}, follow_redirects=True)
    assert resp.status_code == 200
    with app.app_context():
        assert db.session.get(Payment, pk).state == "voided"
        assert db.session.get(BillLine, line.id).state == "unpaid"


@pytest.mark.parametrize("role", [roles.SERVICE, roles.ENGINEER, roles.COMMITTEE])
def test_roles_without_the_counter_cannot_take_payments(app, fees, login_as, cashier, role):
    _run(cashier, fees, commit=True)
    with app.app_context():
        line = db.session.scalars(select(BillLine)).first()
    client = login_as(role)
    resp = client.post("/counter/pay", data={"house": line.house_id, "lines": [line.id], "method": "cash",
                                             "amount": f"{line.amount:.2f}"})
    assert resp.status_code in (302, 403) and "/receipts/show/" not in resp.headers.get("Location", "")
    assert _count(app, Payment) == 0


def test_fee_item_form_refuses_a_zero_price_in_chinese(app, fees, login_as):
    manager = login_as(roles.MANAGER)
    resp = manager.post("/fee-items/add", data={
        "community": str(fees["community"]), "code": "ZERO", "name": "测试", "method": "area",
        "area_basis": "building_area", "unit_price": "0", "cycle": "monthly", "start_month": "1",
        "due_days": "30", "active": "y"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "单价必须大于零" in html
    assert _count(app, FeeItem, FeeItem.code == "ZERO") == 0
    resp = manager.post("/fee-items/add", data={
        "community": str(fees["community"]), "code": "GL", "name": "公共能耗费", "method": "per_house",
        "area_basis": "building_area", "unit_price": "12.5", "cycle": "monthly", "start_month": "1",
        "due_days": "30", "active": "y", "usages": ["residential", "shop"]})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    with app.app_context():
        item = db.session.scalars(select(FeeItem).where(FeeItem.code == "GL")).one()
        assert item.unit_price == Decimal("12.5000") and item.usages == "residential,shop"
