"""票据 (receipt books): the 项目经理 issues a book of pre-numbered receipt forms (字轨 + a range of numbers) to
a cashier; printing a receipt on the pin printer's form uses the next sheet of the cashier's open book (the
receipt's page then shows which paper number it went on); a spoiled sheet is voided with its reason; the
book is returned when done. The report shows each book's state: used, voided, unused, and any gap (a number
below the last one used that was neither used nor voided: a sheet that went missing).

Plain functions: no request, no Flask globals. A sheet is never deleted; the unique key (book, number) makes
two prints racing for the same sheet take two sheets.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.billing.models import Payment, ReceiptBook, ReceiptSheet
from app.core.rules import Actor, RuleViolation, as_id, check_int, check_text, raise_if
from app.estate.models import Community
from app.extensions import db
from app.security import roles

MAX_SHEETS = 1000
MAX_NUMBER = 9_999_999
ISSUERS = frozenset({roles.MANAGER, roles.ADMIN})
LABELS = {
    "community": _l("Community"),
    "series": _l("Series (字轨)"),
    "first_no": _l("First number"),
    "last_no": _l("Last number"),
    "cashier": _l("Cashier"),
    "cashier_name": _l("Cashier"),
    "issued_on": _l("Issued on"),
    "issued_by": _l("Issued by"),
    "state": _l("State"),
    "returned_on": _l("Returned on"),
    "returned_by": _l("Returned by"),
    "note": _l("Note"),
}


def _whole(value):
    text = value.strip() if isinstance(value, str) else value
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) < 10 else text


def sheet_number(book: ReceiptBook, value):
    """A sheet number typed as the screen and the paper show it (A0120002, a0120002, "A 012 0002") or as its
    digits (0120002, 120002) → 120002; anything else is left for check_int to refuse."""
    text = "".join(value.split()).upper() if isinstance(value, str) else value
    series = (book.series or "").upper()
    if isinstance(text, str) and series and text.startswith(series):
        text = text[len(series):]
    return _whole(text)


def check_book(values: dict, pk=None) -> dict:
    """A book to issue: its community, a series of letters or digits, a range of at most MAX_SHEETS numbers that
    overlaps no other book of the same community and series, a cashier."""
    errors: dict = {}
    cid = as_id(values.get("community"))
    if not cid or cid < 0 or db.session.get(Community, cid) is None:
        errors["community"] = gettext("Please choose the community.")
    check_text(errors, values, "series", str(LABELS["series"]), 10, required=False)
    series = (values.get("series") or "").strip().upper()
    if series and not (series.isascii() and series.isalnum()):
        errors["series"] = gettext("The series is letters or digits, like A or 2026A.")
    numbers = {name: _whole(values.get(name)) for name in ("first_no", "last_no")}
    check_int(errors, numbers, "first_no", str(LABELS["first_no"]), 1, MAX_NUMBER)
    check_int(errors, numbers, "last_no", str(LABELS["last_no"]), 1, MAX_NUMBER)
    if not errors.get("first_no") and not errors.get("last_no"):
        first, last = numbers["first_no"], numbers["last_no"]
        if last < first:
            errors["last_no"] = gettext("The last number comes before the first.")
        elif last - first + 1 > MAX_SHEETS:
            errors["last_no"] = gettext("A book holds at most %(n)d sheets.", n=MAX_SHEETS)
        elif cid and db.session.scalar(select(ReceiptBook.id).where(
                ReceiptBook.community_id == cid, ReceiptBook.series == series, ReceiptBook.first_no <= last,
                ReceiptBook.last_no >= first, ReceiptBook.id != (pk or 0)).limit(1)) is not None:
            errors["first_no"] = gettext("These numbers are already in another book of this series.")
    cashier = values.get("cashier")
    cashier_id = getattr(cashier, "id", None) or as_id(cashier)
    user = db.session.get(_user_model(), cashier_id) if cashier_id and cashier_id > 0 else None
    if user is None or roles.CASHIER not in {r.name for r in user.roles}:
        errors["cashier"] = gettext("Please choose a cashier.")
    return errors


def _user_model():
    from flask import current_app

    return current_app.appbuilder.sm.user_model


def cashiers() -> list:
    """The active users with the 收费员 role: those a book may be issued to."""
    return [u for u in db.session.scalars(select(_user_model()).order_by(_user_model().username))
            if u.active and roles.CASHIER in {r.name for r in u.roles}]


def prepare_book(book: ReceiptBook, actor: Actor) -> None:
    """A new book: the series in capitals, issued today by the actor, to the cashier chosen (his name kept)."""
    if not actor.roles & ISSUERS:
        raise RuleViolation({"": gettext("Only the project manager issues receipt books.")})
    book.series = (book.series or "").strip().upper()
    book.first_no, book.last_no = int(book.first_no), int(book.last_no)
    user = book.cashier if book.cashier is not None else db.session.get(_user_model(), book.cashier_id)
    book.cashier_name = ((user.get_full_name() or "").strip() or user.username) if user else ""
    book.issued_on, book.issued_by, book.state = book.issued_on or clock.today(), actor.name, "issued"


def open_book(cashier_id: int, community_id: int) -> ReceiptBook | None:
    """The cashier's book in use for the community: the first issued one (by number) with a sheet left."""
    for book in db.session.scalars(select(ReceiptBook).where(
            ReceiptBook.cashier_id == cashier_id, ReceiptBook.community_id == community_id,
            ReceiptBook.state == "issued").order_by(ReceiptBook.series, ReceiptBook.first_no)):
        if _next_number(book) is not None:
            return book
    return None


def _next_number(book: ReceiptBook) -> int | None:
    last = db.session.scalar(select(func.max(ReceiptSheet.number)).where(ReceiptSheet.book_id == book.id))
    number = book.first_no if last is None else last + 1
    return number if number <= book.last_no else None


def use_sheet(payment: Payment, actor: Actor) -> ReceiptSheet | None:
    """Printing `payment` on a paper form: the next sheet of the actor's open book, linked to it. None when the
    actor has no book open (the office does not use paper books, or the cashier's are all used)."""
    if actor.id is None:
        return None
    for _attempt in range(3):
        book = open_book(actor.id, payment.community_id)
        if book is None:
            return None
        sheet = ReceiptSheet(book_id=book.id, number=_next_number(book), state="used", payment_id=payment.id,
                             at=clock.now(), by_name=actor.name)
        try:
            with db.session.begin_nested():
                db.session.add(sheet)
                db.session.flush()
        except IntegrityError:
            continue  # another print took that sheet: take the next
        _take_back_earlier_sheets(payment, sheet)
        return sheet
    return None


def _take_back_earlier_sheets(payment: Payment, live: ReceiptSheet) -> None:
    """One payment, one live paper: a 补打 on a new sheet makes the earlier sheets of the payment spoiled, with the
    reason saying which sheet replaces them (the cashier takes the earlier one back from the payer)."""
    for sheet in db.session.scalars(select(ReceiptSheet).where(
            ReceiptSheet.payment_id == payment.id, ReceiptSheet.state == "used", ReceiptSheet.id != live.id)):
        sheet.state = "voided"
        sheet.reason = gettext("Reprinted on sheet %(no)s: take this sheet back from the payer", no=live.label)
    db.session.flush()


def void_sheet(book_id, number, reason: str, actor: Actor) -> ReceiptSheet:
    """A spoiled sheet (a jam, a misprint): recorded as voided with its reason, by the book's cashier or the
    项目经理. The sheet must be one of the book's not yet recorded."""
    book = db.session.get(ReceiptBook, as_id(book_id) or 0)
    if book is None:
        raise RuleViolation({"": gettext("There is no such receipt book.")})
    if actor.id != book.cashier_id and not actor.roles & ISSUERS:
        raise RuleViolation({"": gettext("Only the book's cashier or the project manager voids its sheets.")})
    if book.state != "issued":
        raise RuleViolation({"": gettext("The book has been returned.")})
    errors: dict = {}
    values = {"number": sheet_number(book, number), "reason": reason}
    if not isinstance(values["number"], int):
        errors["number"] = gettext("Please type the sheet number as printed, e.g. %(example)s.",
                                   example=book.label(book.first_no))
    elif not book.first_no <= values["number"] <= book.last_no:
        errors["number"] = gettext("Sheet %(no)s is not in this book (%(book)s).", no=book.label(values["number"]),
                                   book=str(book))
    check_text(errors, values, "reason", gettext("Reason"), 200)
    raise_if(errors)
    sheet = ReceiptSheet(book_id=book.id, number=values["number"], state="voided", at=clock.now(),
                         by_name=actor.name, reason=reason.strip())
    try:
        with db.session.begin_nested():
            db.session.add(sheet)
            db.session.flush()
    except IntegrityError:
        raise RuleViolation({"number": gettext("Sheet %(no)s has already been used or voided.",
                                               no=book.label(values["number"]))}) from None
    return sheet


def return_book(book_id, actor: Actor, today: date | None = None) -> ReceiptBook:
    book = db.session.get(ReceiptBook, as_id(book_id) or 0)
    if book is None:
        raise RuleViolation({"": gettext("There is no such receipt book.")})
    if not actor.roles & ISSUERS:
        raise RuleViolation({"": gettext("Only the project manager takes receipt books back.")})
    if book.state != "issued":
        raise RuleViolation({"": gettext("The book has been returned.")})
    book.state, book.returned_on, book.returned_by = "returned", today or clock.today(), actor.name
    db.session.flush()
    return book


def _ranges(numbers: list[int], book: ReceiptBook) -> list[str]:
    """[3, 4, 5, 9] → ["A0000003–A0000005", "A0000009"]: as the sheets are printed."""
    out: list[str] = []
    start = prev = None
    for n in numbers + [None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(f"{book.label(start)}–{book.label(prev)}" if prev != start else book.label(start))
        start = prev = n
    return out


def book_report(community_id=None, book_id=None) -> list[dict]:
    """Every book (of a community, or all), newest first: range, cashier, state, sheets used, voided, unused,
    and the gaps (numbers below the last recorded one that were neither used nor voided)."""
    stmt = select(ReceiptBook).order_by(ReceiptBook.issued_on.desc(), ReceiptBook.id.desc())
    if community_id:
        stmt = stmt.where(ReceiptBook.community_id == community_id)
    if book_id:
        stmt = stmt.where(ReceiptBook.id == book_id)
    books = db.session.scalars(stmt).all()
    numbers: dict[int, dict[int, str]] = {}
    if books:
        # the paper of a receipt voided since counts as voided, not used
        counted = case((and_(ReceiptSheet.state == "used", Payment.state == "voided"), "voided"),
                       else_=ReceiptSheet.state)
        for book_id, number, state in db.session.execute(select(
                ReceiptSheet.book_id, ReceiptSheet.number, counted)
                .outerjoin(Payment, Payment.id == ReceiptSheet.payment_id)
                .where(ReceiptSheet.book_id.in_([b.id for b in books]))):
            numbers.setdefault(book_id, {})[number] = state
    rows = []
    for book in books:
        recorded = numbers.get(book.id, {})
        top = max(recorded) if recorded else book.first_no - 1
        gaps = [n for n in range(book.first_no, top) if n not in recorded]
        used = sum(1 for s in recorded.values() if s == "used")
        voided = sum(1 for s in recorded.values() if s == "voided")
        rows.append({"book": book, "used": used, "voided": voided, "unused": book.last_no - top,
                     "gaps": _ranges(gaps, book), "gap_count": len(gaps), "size": book.last_no - book.first_no + 1})
    return rows


def sheets_of(payment_id: int) -> list[ReceiptSheet]:
    return list(db.session.scalars(select(ReceiptSheet).where(ReceiptSheet.payment_id == payment_id)
                                   .order_by(ReceiptSheet.id)))
