"""Money is never deleted: a before_flush guard on every Session, registered when this module is imported
(app.billing.services imports it, and the app imports that with its views)."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.billing.models import AccountEntry, BillLine, FundAccount, FundEntry, Payment, PaymentLine, PublicEntry
from app.core.rules import RuleViolation


# What a paid bill line keeps as it was paid; the counter's own conditional UPDATEs (pay, void, reverse) change
# its state, never these.
_FROZEN_LINE_FIELDS = ("house_id", "parking_space_id", "fee_item_id", "payer_key", "period", "period_key",
                       "description", "quantity", "unit_price", "months", "amount", "state", "payment_id")


def _was_paid(line: BillLine) -> bool:
    from sqlalchemy import inspect

    history = inspect(line).attrs.state.history
    before = history.deleted[0] if history.deleted else line.state
    return before == "paid"


def _changed_paid_line(line: BillLine) -> bool:
    from sqlalchemy import inspect

    state = inspect(line)
    return _was_paid(line) and any(state.attrs[name].history.has_changes() for name in _FROZEN_LINE_FIELDS)


@event.listens_for(Session, "before_flush")
def _keep_the_money(session, flush_context, instances):
    """Before anything is written: a paid bill line is neither deleted nor edited; payments, their lines and
    the balance ledger are never deleted; a 公共收益 or 维修基金 entry is neither deleted nor edited. Whoever asks: a
    page, the API, the CLI, a script."""
    for obj in session.deleted:
        if isinstance(obj, (PublicEntry, FundEntry, FundAccount)):
            raise RuleViolation({"": gettext("A ledger entry is never deleted: a wrong one is reversed.")})
        if isinstance(obj, (Payment, PaymentLine, AccountEntry)):
            raise RuleViolation({"": gettext("Payments and receipts are never deleted: a wrong payment is voided "
                                             "or reversed.")})
        if isinstance(obj, BillLine) and _was_paid(obj):
            raise RuleViolation({"": gettext("Bill %(line)s has been paid: it cannot be deleted. A wrong payment "
                                             "is voided or reversed.", line=obj.description)})
    for obj in session.dirty:
        if isinstance(obj, (PublicEntry, FundEntry)) and session.is_modified(obj, include_collections=False):
            raise RuleViolation({"": gettext("A ledger entry is never edited: a wrong one is reversed.")})
        if isinstance(obj, BillLine) and _changed_paid_line(obj):
            raise RuleViolation({"": gettext("Bill %(line)s has been paid: it cannot be changed. A wrong payment "
                                             "is voided or reversed.", line=obj.description)})
