"""At the counter, beside the amount taken: the cash the payer hands over (实收) and the change given back (找零),
and the reference of an electronic payment (微信/支付宝 交易单号, 银行流水号, POS 参考号), recorded, printed on the
receipt, searchable, and listed per method in the 收费日报 to match the merchant's statement.

Plain functions: no request, no Flask globals.
"""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import gettext

from app.core.rules import check_money

MAX_TENDERED = Decimal("999999.99")
# what a 交易单号 or 流水号 holds: letters, digits, dashes; 4 to 64 characters
REFERENCE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_]{3,63}$")


def clean_reference(value) -> str:
    return "".join(str(value or "").split())


def check_tender(errors: dict, method: str, amount: Decimal, tendered, reference
                 ) -> tuple[Decimal | None, Decimal | None, str | None]:
    """(tendered, change, reference) for a payment of `amount` by `method`, or the reasons in `errors`. Cash
    tendered is optional (when not typed, the exact amount was handed over); less than the amount is refused."""
    if method == "cash":
        if tendered is None or (isinstance(tendered, str) and not tendered.strip()):
            return None, None, None
        given = check_money(errors, tendered, "tendered", gettext("Cash tendered"), high=MAX_TENDERED)
        if "tendered" in errors:
            return None, None, None
        if given < amount:
            errors["tendered"] = gettext("The cash tendered (%(given)s) is less than the amount due (%(due)s).",
                                         given=f"{given:,.2f}", due=f"{amount:,.2f}")
            return None, None, None
        return given, given - amount, None
    text = clean_reference(reference)
    if not text:
        return None, None, None
    if not REFERENCE.match(text):
        errors["reference"] = gettext("The transaction number may hold letters, digits and dashes only, "
                                      "4 to 64 of them.")
        return None, None, None
    return None, None, text
