"""催缴 reminders: the record of a call about arrears, and the promises to pay that are due for a call back."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select

from app.billing.arrears import arrears_of
from app.billing.common import MAX_AMOUNT, label
from app.billing.models import BillLine
from app.core import clock
from app.core.rules import as_id, check_choice, check_money, check_text
from app.estate.models import House
from app.extensions import db


def check_reminder(values: dict, pk=None) -> dict:
    """A 催缴 record: the house, how, what came of it; a promise has a date not in the past (when recorded) and
    an amount that is positive."""
    from app.billing.models import REMINDER_METHODS

    errors: dict = {}
    hid = as_id(values.get("house") if "house" in values else values.get("house_id"))
    if hid is None:
        errors["house"] = gettext("Please choose the house.")
    elif hid < 0 or db.session.get(House, hid) is None:
        errors["house"] = gettext("There is no such house.")
    check_choice(errors, values, "method", label("reminder_method"), REMINDER_METHODS)
    check_text(errors, values, "outcome", label("outcome"), 500)
    check_text(errors, values, "contact_person", label("contact_person"), 100, required=False)
    amount = values.get("promised_amount")
    if amount not in (None, ""):
        check_money(errors, amount, "promised_amount", label("promised_amount"), low=Decimal("0.01"), high=MAX_AMOUNT)
    promised = values.get("promised_on")
    if promised and pk is None and isinstance(promised, date) and promised < clock.today():
        errors["promised_on"] = gettext("The promised date cannot be in the past.")
    return errors


def prepare_reminder(reminder) -> None:
    """Fill what the record keeps of the moment: the community and the arrears the house had then."""
    house = db.session.get(House, reminder.house_id) if reminder.house_id else reminder.house
    if house is not None:
        reminder.community_id = house.community_id
        if reminder.id is None:
            reminder.arrears = arrears_of(house.id)
    reminder.outcome = (reminder.outcome or "").strip()


def due_promises_clause(today: date | None = None):
    """Reminders whose promised date has come while the house still owes: the list to call back."""
    from app.billing.models import Reminder

    today = today or clock.today()
    owes = select(BillLine.id).where(BillLine.house_id == Reminder.house_id, BillLine.state == "unpaid").exists()
    return Reminder.promised_on.is_not(None) & (Reminder.promised_on <= today) & owes
