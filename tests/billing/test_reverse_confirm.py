"""红冲 cannot be undone: its button asks first (issue 13, point 7)."""
import html as html_lib
import re


from app.billing.models import Payment
from app.extensions import db
from app.security import roles
from tests.conftest import pay_first_bill_at_counter


def test_the_reverse_button_asks_for_confirmation(app, fees, login_as):
    pk = pay_first_bill_at_counter(app, fees, login_as(roles.CASHIER))
    with app.app_context():
        receipt_no = db.session.get(Payment, pk).receipt_no
    page = login_as(roles.MANAGER).get(f"/receipts/show/{pk}").get_data(as_text=True)
    form = re.search(r'<form[^>]*id="pm-reverse"[^>]*>', page, re.S).group(0)
    onsubmit = re.search(r"onsubmit='([^']*)'", form).group(1)
    assert onsubmit.startswith("return window.confirm(")
    text = html_lib.unescape(onsubmit)
    assert "红冲" in text and receipt_no in text and "不能撤销" in text
