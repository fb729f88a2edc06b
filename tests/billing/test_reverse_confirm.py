"""红冲 cannot be undone: its button asks first (issue 13, point 7)."""
import html as html_lib
import re

from sqlalchemy import select

from app.billing.models import BillLine, Payment
from app.extensions import db
from app.security import roles


def test_the_reverse_button_asks_for_confirmation(app, fees, login_as):
    cashier = login_as(roles.CASHIER)
    cashier.post("/billing-run/", data={"community": str(fees["community"]), "period": "2026-11", "commit": "1"})
    with app.app_context():
        line = db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0])).first()
        amount = f"{line.amount:.2f}"
    resp = cashier.post("/counter/pay", data={"house": fees["houses"][0], "lines": [line.id], "method": "cash",
                                              "amount": amount})
    pk = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        receipt_no = db.session.get(Payment, pk).receipt_no
    page = login_as(roles.MANAGER).get(f"/receipts/show/{pk}").get_data(as_text=True)
    form = re.search(r'<form[^>]*id="pm-reverse"[^>]*>', page, re.S).group(0)
    onsubmit = re.search(r"onsubmit='([^']*)'", form).group(1)
    assert onsubmit.startswith("return window.confirm(")
    text = html_lib.unescape(onsubmit)
    assert "红冲" in text and receipt_no in text and "不能撤销" in text
