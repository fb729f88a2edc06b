"""What the billing rules share: the labels of their fields, the largest amount of money, a list of ids."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.core.rules import as_id


LABELS = {
    "community": _l("Community"),
    "code": _l("Code"),
    "name": _l("Name"),
    "method": _l("Calculation"),
    "area_basis": _l("Area basis"),
    "unit_price": _l("Unit price (yuan)"),
    "cycle": _l("Billing cycle"),
    "start_month": _l("First month of the cycle"),
    "usages": _l("House uses"),
    "buildings": _l("Buildings"),
    "vacant_percent": _l("Vacant houses pay (%)"),
    "late_fee_rate": _l("Late fee per day"),
    "due_days": _l("Days to pay"),
    "active": _l("In use"),
    "remark": _l("Remark"),
    "tendered": _l("Cash tendered"),
    "change_given": _l("Change given"),
    "reference": _l("Transaction number"),
    "period": _l("Billing period"),
    "state": _l("State"),
    "line_count": _l("Lines"),
    "total": _l("Total (yuan)"),
    "settled_count": _l("Settled from balance"),
    "created_at": _l("Created at"),
    "created_by": _l("Run by"),
    "cancelled_at": _l("Cancelled at"),
    "cancelled_by": _l("Cancelled by"),
    "cancel_reason": _l("Reason for cancelling"),
    "house": _l("House"),
    "parking_space": _l("Parking space"),
    "fee_item": _l("Fee item"),
    "run": _l("Billing run"),
    "source": _l("Source"),
    "description": _l("Description"),
    "quantity": _l("Quantity"),
    "months": _l("Months"),
    "amount": _l("Amount (yuan)"),
    "due_date": _l("Due date"),
    "paid_at": _l("Paid at"),
    "payment": _l("Receipt"),
    "receipt_no": _l("Receipt no."),
    "kind": _l("Kind"),
    "payer_name": _l("Payer"),
    "lines_amount": _l("Bills paid (yuan)"),
    "prepaid": _l("Pre-paid (yuan)"),
    "balance_used": _l("Paid from balance (yuan)"),
    "cashier_name": _l("Cashier"),
    "reason": _l("Reason"),
    "undone_by": _l("Voided or reversed by"),
    "undone_at": _l("Voided or reversed at"),
    "reversal_of": _l("Reverses receipt"),
    "print_count": _l("Printed"),
    "reprint_count": _l("Reprints"),
    "balance": _l("Balance (yuan)"),
    "reminder_method": _l("Reminder by"),
    "contact_person": _l("Spoke with"),
    "arrears": _l("Arrears then (yuan)"),
    "outcome": _l("Outcome"),
    "promised_on": _l("Promised to pay by"),
    "promised_amount": _l("Promised amount (yuan)"),
    "by_name": _l("Reminded by"),
    "at": _l("Time"),
    "lines": _l("Bills"),
    "basis": _l("Basis"),
    "meter_kind": _l("Meter type"),
    "tiers": _l("Tiered prices"),
    "common_meter": _l("Common meter"),
    "share_basis": _l("Shared"),
}


MAX_AMOUNT = Decimal("9999999.99")


def label(name: str) -> str:
    return str(LABELS.get(name, name))


def id_list(values) -> list[int]:
    out = []
    for v in values or []:
        i = as_id(v)
        if i is not None:
            out.append(i)
    return sorted(set(out))
