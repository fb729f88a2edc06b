"""公共收益: the ledger of a community's income from its common parts (advertising, venues, parking on common
land) and of the expenses paid from it, and the month's account that is shown to owners and the committee.

Plain functions (no request, no Flask globals). An entry is never edited or deleted (billing.ledger_guard's
before_flush guard refuses it from any path): a wrong entry is reversed by the 项目经理 with an entry of the
opposite sign that names it, and both stay in the ledger. Money is Decimal, to 分.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.billing.models import PUBLIC_CATEGORIES, PUBLIC_KINDS, PublicEntry
from app.core.money import to_money
from app.core.periods import month_window
from app.core.rules import Actor, RuleViolation, as_id, check_money, check_text, raise_if
from app.estate.models import Community
from app.extensions import db
from app.security import roles

MAX_AMOUNT = Decimal("99999999.99")
REVERSERS = frozenset({roles.MANAGER, roles.ADMIN})
LABELS = {
    "community": _l("Community"),
    "on_date": _l("Date"),
    "kind": _l("Income or expense"),
    "category": _l("Category"),
    "amount": _l("Amount (yuan)"),
    "counterparty": _l("Paid by / paid to"),
    "voucher_no": _l("Contract or voucher no."),
    "description": _l("Summary (what for)"),
    "by_name": _l("Recorded by"),
    "at": _l("Recorded at"),
    "reverses": _l("Reverses entry"),
}
ZERO = Decimal("0.00")


def category_label(category: str) -> str:
    for categories in PUBLIC_CATEGORIES.values():
        if category in categories:
            return str(categories[category])
    return category


def kind_of(category) -> str | None:
    """income or expense: the kind a category belongs to (the codes of the two kinds differ)."""
    return next((kind for kind, categories in PUBLIC_CATEGORIES.items() if category in categories), None)


def all_categories() -> dict:
    """Every category of both kinds, {code: "收入 · 广告位出租"}: the one choice the form offers."""
    return {code: LazyString(lambda k, text: f"{PUBLIC_KINDS[k]} · {text}", kind, label)
            for kind, categories in PUBLIC_CATEGORIES.items() for code, label in categories.items()}


def check_entry(values: dict, pk=None, today: date | None = None) -> dict:
    """A new entry: its community, a date not in the future, a category (which says income or expense), a
    positive amount, what it was for."""
    today = today or clock.today()
    errors: dict = {}
    cid = as_id(values.get("community") if "community" in values else values.get("community_id"))
    if cid is None:
        errors["community"] = gettext("Please choose the community.")
    elif cid < 0 or db.session.get(Community, cid) is None:
        errors["community"] = gettext("There is no such community.")
    on = values.get("on_date")
    if not on:
        errors["on_date"] = gettext("%(label)s must not be empty.", label=LABELS["on_date"])
    elif not isinstance(on, date):
        errors["on_date"] = gettext("Please enter a date like 2026-11-20.")
    elif on > today:
        errors["on_date"] = gettext("The date cannot be in the future.")
    category, kind = values.get("category"), values.get("kind")
    if not category:
        errors["category"] = gettext("Please choose the category.")
    elif kind_of(category) is None:
        errors["category"] = gettext("There is no such category.")
    elif kind and kind != kind_of(category):
        errors["category"] = gettext("%(category)s is not a category of %(kind)s.", category=category_label(category),
                                     kind=PUBLIC_KINDS.get(kind, kind))
    check_money(errors, values.get("amount"), "amount", str(LABELS["amount"]), low=Decimal("0.01"),
                high=MAX_AMOUNT, required=True)
    check_text(errors, values, "description", str(LABELS["description"]), 200)
    check_text(errors, values, "counterparty", str(LABELS["counterparty"]), 100, required=False)
    check_text(errors, values, "voucher_no", str(LABELS["voucher_no"]), 40, required=False)
    return errors


def prepare_entry(entry: PublicEntry, actor: Actor | None = None) -> None:
    """What the ledger keeps of the moment: who recorded it, when; the amount to 分, the texts trimmed."""
    entry.amount = to_money(entry.amount)
    entry.kind = kind_of(entry.category) or entry.kind
    for name in ("description", "counterparty", "voucher_no"):
        value = getattr(entry, name)
        setattr(entry, name, value.strip() if isinstance(value, str) and value.strip() else
                (None if name != "description" else ""))
    entry.at = entry.at or clock.now()
    if actor is not None:
        entry.by_name = actor.name


def record_entry(values: dict, actor: Actor, today: date | None = None) -> PublicEntry:
    """Check and add an entry (flushed, not committed)."""
    raise_if(check_entry(values, today=today))
    entry = PublicEntry(community_id=as_id(values.get("community") or values.get("community_id")),
                        on_date=values["on_date"], category=values["category"],
                        amount=Decimal(str(values["amount"])), counterparty=values.get("counterparty"),
                        voucher_no=values.get("voucher_no"), description=values["description"])
    prepare_entry(entry, actor)
    db.session.add(entry)
    db.session.flush()
    return entry


def reversal_problem(entry: PublicEntry, actor: Actor) -> str | None:
    """Why this actor may not reverse this entry now, or None."""
    if not actor.roles & REVERSERS:
        return gettext("Only the project manager reverses a ledger entry.")
    if entry.reverses_id is not None:
        return gettext("This entry is itself a reversal: it cannot be reversed.")
    if db.session.scalar(select(PublicEntry.id).where(PublicEntry.reverses_id == entry.id)) is not None:
        return gettext("This entry has already been reversed.")
    return None


def reverse_entry(entry_id, actor: Actor, reason: str, today: date | None = None) -> PublicEntry:
    """红冲 an entry: a new entry of the same kind and category with the opposite amount, dated today, naming
    the entry and the reason. The unique key on reverses_id makes a second reversal fail even in a race."""
    entry = db.session.get(PublicEntry, as_id(entry_id) or 0)
    if entry is None:
        raise RuleViolation({"": gettext("There is no such ledger entry.")})
    errors: dict = {}
    check_text(errors, {"reason": reason}, "reason", gettext("Reason"), 200)
    raise_if(errors)
    problem = reversal_problem(entry, actor)
    if problem:
        raise RuleViolation({"": problem})
    reversal = PublicEntry(community_id=entry.community_id, on_date=today or clock.today(), kind=entry.kind,
                           category=entry.category, amount=-entry.amount, counterparty=entry.counterparty,
                           voucher_no=entry.voucher_no, reverses_id=entry.id,
                           description=gettext("Reversal of entry %(id)d: %(reason)s", id=entry.id,
                                               reason=reason.strip()))
    prepare_entry(reversal, actor)
    try:
        with db.session.begin_nested():
            db.session.add(reversal)
            db.session.flush()
    except IntegrityError:
        raise RuleViolation({"": gettext("This entry has already been reversed.")}) from None
    return reversal


def _signed():
    """Income counts up, expense down."""
    return case((PublicEntry.kind == "income", PublicEntry.amount), else_=-PublicEntry.amount)


def balance(community_id: int, before: date) -> Decimal:
    """The ledger's balance at the start of a day: all income less all expenses before it."""
    total = db.session.scalar(select(func.coalesce(func.sum(_signed()), 0))
                              .where(PublicEntry.community_id == community_id, PublicEntry.on_date < before))
    return to_money(Decimal(str(total or 0)))


def month_account(community_id, year: int, month: int) -> dict:
    """The month's account of a community: the balance brought forward, income and expenses by category
    (reversals net into their category), the totals, the balance carried forward, and the month's entries."""
    start, end = (moment.date() for moment in month_window(year, month))
    cid = as_id(community_id)
    community = db.session.get(Community, cid) if cid and cid > 0 else None
    if community is None:
        raise RuleViolation({"community": gettext("There is no such community.")})
    rows = db.session.execute(
        select(PublicEntry.kind, PublicEntry.category, func.sum(PublicEntry.amount), func.count(PublicEntry.id))
        .where(PublicEntry.community_id == community.id, PublicEntry.on_date >= start, PublicEntry.on_date < end)
        .group_by(PublicEntry.kind, PublicEntry.category)).all()
    sums = {(kind, category): (to_money(Decimal(str(total))), n) for kind, category, total, n in rows}
    sections = {}
    for kind, categories in PUBLIC_CATEGORIES.items():
        lines = [{"category": code, "label": str(label), "amount": sums[(kind, code)][0],
                  "count": sums[(kind, code)][1]} for code, label in categories.items() if (kind, code) in sums]
        sections[kind] = {"label": str(PUBLIC_KINDS[kind]), "lines": lines,
                          "total": sum((line["amount"] for line in lines), ZERO)}
    opening = balance(community.id, start)
    entries = db.session.scalars(
        select(PublicEntry).where(PublicEntry.community_id == community.id, PublicEntry.on_date >= start,
                                  PublicEntry.on_date < end).order_by(PublicEntry.on_date, PublicEntry.id)).all()
    net = sections["income"]["total"] - sections["expense"]["total"]
    return {"community": community, "month": f"{year}-{month:02d}", "start": start, "end": end, "opening": opening,
            "income": sections["income"], "expense": sections["expense"], "net": net, "closing": opening + net,
            "entries": entries}
