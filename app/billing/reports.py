"""The two reports of 费用收缴: the cashiers' 收费日报 and the month's 收费率, with their Excel workbooks.

Plain functions: no request, no Flask globals, only the db session. Money is Decimal, never float.

收费日报 — daily_report(community_id | None, day): every receipt number issued on the day (paid_at in
[day 00:00, next day 00:00)), in one or all communities.
- Collected (the rows): payments (kind "payment") of the day that are not voided, per cashier × method: how
  many, the amount received (Payment.amount, what the payer handed over), of which for bills (amount −
  prepaid) and of which pre-payment (prepaid); beside them the bills paid from a pre-paid balance
  (balance_used: no money came in for those). A payment that was reversed later (or the same day) stays
  here: its money was received that day; the reversing entry takes it back on its own day.
- 作废 (voided): a cashier voids only his own payment and only on the day he took it, so a voided receipt is
  always one of the day's: it is listed apart (receipt no., house, method, amount, cashier, who voided it,
  reason) and counts nowhere in the money. Its number was used: it is in the cashier's receipt range.
- 红冲 (reversing entries): the entries made on the day, whatever the day of the receipt they reverse, are
  listed apart with their negative amounts (reversing no., original receipt and its day, method, amount, who,
  reason). They are not in the collected rows; they are in the per-method and the day's net: net = collected
  + reversing entries (negative). A 红冲 today of an earlier day's receipt leaves that day's report as it was.
- Receipts used: per person who issued receipt numbers on the day (payments, voided ones, reversing
  entries), per community (serials are per community): the first and last number, how many, how many voided
  and how many reversing entries.
- Totals per method and for the day; the rows add up to them (tested).

收费率 — collection_rate(community_id, year, month), per building and for the community:
- 当期 (current period): bills whose period is the month. Billed = their amount; collected = what of them was
  paid by the end of the month.
- 往期欠费 (arrears): bills of earlier periods. Owed = what of them was unpaid at the start of the month;
  collected = what of that was paid within the month.
- Combined: (current collected + arrears collected) / (billed + owed).
- "Paid" is read from the payment records, dated, never from the bill's current state: per bill, what was
  paid by a moment = its receipt lines (PaymentLine) of payments not voided with paid_at before that moment,
  plus reversing entries' (negative) lines before it, plus settlements from a pre-paid balance
  (AccountEntry "settle") before it, kept between 0 and the bill's amount. Consequences:
  · a payment voided (always the same day) never counts: the bill is unpaid as if it had not been taken;
  · a payment reversed in a later month still counts in its own month (the month's report does not change
    after the month is over, as the daily reports do not); the reversal makes the bill owed again from its
    own day on, so it is in the next month's arrears;
  · a payment and its reversal in the same month cancel out;
  · a bill paid after the month's end is not collected in that month; a bill of the month paid earlier
    (in advance) is.
- Pre-payments into a balance and bills of later periods are in neither figure. Rates are Decimal percentages
  rounded half-up to 0.01, None when the base is zero (shown "—").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, case, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from app.core import clock
from app.billing.models import PAY_METHODS, AccountEntry, BillLine, Payment, PaymentLine
from app.core.money import to_money
from app.core.periods import day_window, month_window
from app.core.rules import RuleViolation, as_id
from app.estate.models import Building, Community, House
from app.extensions import db

ZERO = Decimal("0.00")
HUNDREDTH = Decimal("0.01")
NONE_SHOWN = "—"
METHOD_ORDER = {m: i for i, m in enumerate(PAY_METHODS)}
# The columns of the 收费率 table on the page and in the PDF (grouped under 当期, 往期欠费, 合计)
RATE_LABELS = {
    "current": _l("Current period (bills of the month)"),
    "arrears": _l("Arrears (bills of earlier periods)"),
    "both": _l("Both together"),
    "billed": _l("Billed (yuan)"),
    "collected": _l("Collected by month end (yuan)"),
    "rate": _l("Collection rate (%)"),
    "owed": _l("Owed at month start (yuan)"),
    "arrears_collected": _l("Collected in the month (yuan)"),
    "arrears_rate": _l("Arrears collection rate (%)"),
    "due": _l("Due (yuan)"),
    "received": _l("Collected (yuan)"),
    "overall_rate": _l("Overall rate (%)"),
}


def percent(part: Decimal, base: Decimal) -> Decimal | None:
    """part / base as a percentage rounded half-up to 0.01; None when the base is zero."""
    if not base:
        return None
    return (Decimal(part) * 100 / Decimal(base)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def show_percent(value: Decimal | None) -> str:
    return NONE_SHOWN if value is None else f"{value:.2f}"


def _natural(code: str | None) -> list:
    """"2" before "10": digits compared as numbers."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", code or "")]


# ---------------------------------------------------------------------------- 收费日报


@dataclass
class Figures:
    """Payments summed: how many, received (amount), of which pre-payment, and the bills paid from a balance."""

    count: int = 0
    amount: Decimal = ZERO
    prepaid: Decimal = ZERO
    balance_used: Decimal = ZERO

    @property
    def bills(self) -> Decimal:
        """Of the amount received, what was for bills."""
        return self.amount - self.prepaid

    def add(self, p) -> "Figures":
        self.count += p.count if isinstance(p, Figures) else 1
        self.amount += p.amount
        self.prepaid += p.prepaid
        self.balance_used += p.balance_used
        return self


@dataclass
class CashierMethod(Figures):
    cashier: str = ""
    method: str = ""
    method_label: str = ""


@dataclass
class CashierBlock:
    """One cashier's rows (one per method) and their subtotal."""

    cashier: str
    rows: list = field(default_factory=list)
    subtotal: Figures = field(default_factory=Figures)


@dataclass
class MethodTotal:
    method: str
    method_label: str
    collected: Figures = field(default_factory=Figures)
    reversed: Figures = field(default_factory=Figures)

    @property
    def net(self) -> Decimal:
        return self.collected.amount + self.reversed.amount


@dataclass
class ReceiptUse:
    """The receipt numbers one person issued on the day in one community."""

    cashier: str
    community: str
    first: str
    last: str
    count: int = 0
    voided: int = 0
    reversing: int = 0
    serials: list = field(default_factory=list)  # [(serial, receipt_no)] in serial order

    @property
    def ranges(self) -> list[tuple[str, str]]:
        """The numbers as runs of consecutive serials: when two cashiers' numbers interleave, each run is
        exactly what this cashier issued, [(first, last)]."""
        runs: list[list] = []
        for serial, number in self.serials:
            if runs and serial == runs[-1][1] + 1:
                runs[-1][1], runs[-1][3] = serial, number
            else:
                runs.append([serial, serial, number, number])
        return [(first, last) for _s, _e, first, last in runs]

    @property
    def ranges_text(self) -> str:
        """SK2026-000002–000003、SK2026-000005: a run's last number is shortened to its serial."""
        parts = []
        for first, last in self.ranges:
            head, _sep, tail = last.rpartition("-")
            parts.append(first if first == last else
                         f"{first}–{tail}" if first.startswith(head + "-") else f"{first}–{last}")
        return "、".join(parts)


def _cashier_key(p: Payment) -> tuple:
    return (p.cashier_name or "", p.cashier_id or 0)


def _house_text(p: Payment, all_communities: bool) -> str:
    house = p.house.house_no if p.house is not None else ""
    if all_communities and p.community is not None:
        return f"{p.community.name} {house}"
    return house


def daily_report(community_id, day: date) -> dict:
    """收费日报 of one day, in one community (or all when community_id is None). See the module docstring.

    Returns {"day", "community_id", "community" (name or None), "blocks": [CashierBlock] by cashier name,
    "rows": [CashierMethod] (the blocks' rows in order), "methods": [MethodTotal] in PAY_METHODS order (those
    used), "total": Figures, "reversed": Figures (negative), "net": Decimal, "net_bills", "net_prepaid",
    "receipts": [ReceiptUse], "voided": [dict], "reversals": [dict]}."""
    community = None
    if community_id is not None:
        community = db.session.get(Community, as_id(community_id) or 0) if (as_id(community_id) or 0) > 0 else None
        if community is None:
            raise RuleViolation({"community": gettext("There is no such community.")})
    start, end = day_window(day)
    stmt = (select(Payment).where(Payment.paid_at >= start, Payment.paid_at < end)
            .options(selectinload(Payment.house), selectinload(Payment.community),
                     selectinload(Payment.reversal_of))
            .order_by(Payment.community_id, Payment.year, Payment.serial))
    if community is not None:
        stmt = stmt.where(Payment.community_id == community.id)
    payments = list(db.session.scalars(stmt))
    everywhere = community is None

    cells: dict[tuple, CashierMethod] = {}
    methods: dict[str, MethodTotal] = {}
    total, reversed_ = Figures(), Figures()
    uses: dict[tuple, ReceiptUse] = {}
    voided, reversals = [], []
    electronic: dict[str, list] = {}  # method → the day's payments with their transaction numbers

    def method_total(method: str) -> MethodTotal:
        if method not in methods:
            methods[method] = MethodTotal(method, str(PAY_METHODS.get(method, method)))
        return methods[method]

    for p in payments:
        key = _cashier_key(p)
        use_key = (key, p.community_id)
        use = uses.get(use_key)
        if use is None:
            use = uses[use_key] = ReceiptUse(p.cashier_name, p.community.name if p.community else "",
                                             p.receipt_no, p.receipt_no)
        use.count += 1
        use.last = p.receipt_no  # (ordered by serial)
        use.serials.append((p.serial, p.receipt_no))
        if p.kind == "reversal":
            use.reversing += 1
            method_total(p.method).reversed.add(p)
            reversed_.add(p)
            original = p.reversal_of
            reversals.append({
                "receipt_no": p.receipt_no, "at": p.paid_at, "house": _house_text(p, everywhere),
                "original_no": original.receipt_no if original is not None else "",
                "original_at": original.paid_at if original is not None else None,
                "method": p.method, "method_label": p.method_label(), "amount": p.amount, "prepaid": p.prepaid,
                "bills": p.amount - p.prepaid, "by": p.cashier_name, "reason": p.reason or "",
            })
        elif p.state == "voided":
            use.voided += 1
            voided.append({
                "receipt_no": p.receipt_no, "at": p.paid_at, "house": _house_text(p, everywhere),
                "payer": p.payer_name, "method": p.method, "method_label": p.method_label(), "amount": p.amount,
                "cashier": p.cashier_name, "by": p.undone_by or "", "undone_at": p.undone_at,
                "reason": p.reason or "",
            })
        else:  # a payment of the day, valid or reversed since: its money came in today
            if p.method != "cash":
                electronic.setdefault(p.method, []).append({
                    "receipt_no": p.receipt_no, "at": p.paid_at, "house": _house_text(p, everywhere),
                    "amount": p.amount, "reference": p.reference or "", "cashier": p.cashier_name})
            cell = cells.get((key, p.method))
            if cell is None:
                cell = cells[(key, p.method)] = CashierMethod(cashier=p.cashier_name, method=p.method,
                                                              method_label=p.method_label())
            cell.add(p)
            method_total(p.method).collected.add(p)
            total.add(p)

    blocks: dict[tuple, CashierBlock] = {}
    for (key, method) in sorted(cells, key=lambda k: (k[0], METHOD_ORDER.get(k[1], 99))):
        block = blocks.setdefault(key, CashierBlock(cells[(key, method)].cashier))
        block.rows.append(cells[(key, method)])
        block.subtotal.add(cells[(key, method)])
    return {
        "day": day, "community_id": community.id if community else None,
        "community": community.name if community else None,
        "blocks": list(blocks.values()),
        "rows": [row for block in blocks.values() for row in block.rows],
        "methods": sorted(methods.values(), key=lambda m: METHOD_ORDER.get(m.method, 99)),
        "total": total, "reversed": reversed_,
        "net": total.amount + reversed_.amount,
        "net_bills": total.bills + reversed_.bills,
        "net_prepaid": total.prepaid + reversed_.prepaid,
        "receipts": sorted(uses.values(), key=lambda u: (u.cashier, u.community, u.first)),
        "voided": voided, "reversals": reversals,
        # per electronic method, to tick off against the merchant's statement (payments without a number flagged)
        "electronic": [{"method": m, "method_label": str(PAY_METHODS.get(m, m)), "rows": electronic[m],
                        "total": sum((r["amount"] for r in electronic[m]), Decimal("0.00")),
                        "missing": sum(1 for r in electronic[m] if not r["reference"])}
                       for m in sorted(electronic, key=lambda m: METHOD_ORDER.get(m, 99))],
    }


# ---------------------------------------------------------------------------- 收费率


@dataclass
class RateRow:
    """One building's (or the community's) figures of the month."""

    name: str
    building_id: int | None = None
    billed: Decimal = ZERO              # 当期应收
    collected: Decimal = ZERO           # 当期 collected by the month's end
    owed: Decimal = ZERO                # 往期 unpaid at the month's start
    arrears_collected: Decimal = ZERO   # of that, collected within the month

    @property
    def rate(self) -> Decimal | None:
        return percent(self.collected, self.billed)

    @property
    def arrears_rate(self) -> Decimal | None:
        return percent(self.arrears_collected, self.owed)

    @property
    def due(self) -> Decimal:
        return self.billed + self.owed

    @property
    def received(self) -> Decimal:
        return self.collected + self.arrears_collected

    @property
    def overall_rate(self) -> Decimal | None:
        return percent(self.received, self.due)

    def add(self, other: "RateRow") -> None:
        self.billed += other.billed
        self.collected += other.collected
        self.owed += other.owed
        self.arrears_collected += other.arrears_collected


def _money_sum(expr):
    return func.coalesce(func.sum(expr, type_=Numeric(14, 2)), 0, type_=Numeric(14, 2))


def _clamp(value, high):
    """value kept between 0 and high."""
    return case((value < 0, literal(0)), (value > high, high), else_=value)


def _bill_ledger(community_id: int, end: datetime):
    """Every payment of a bill of the community before `end`, dated: receipt lines of payments not voided and
    of reversing entries (negative), and settlements from a pre-paid balance. Columns bill_line_id, at, amount."""
    lines = (select(PaymentLine.bill_line_id.label("bill_line_id"), Payment.paid_at.label("at"),
                    PaymentLine.amount.label("amount"))
             .join(Payment, Payment.id == PaymentLine.payment_id)
             .where(Payment.community_id == community_id, Payment.state != "voided", Payment.paid_at < end))
    settled = (select(AccountEntry.bill_line_id.label("bill_line_id"), AccountEntry.at.label("at"),
                      (-AccountEntry.amount).label("amount"))
               .join(BillLine, BillLine.id == AccountEntry.bill_line_id)
               .where(AccountEntry.kind == "settle", BillLine.community_id == community_id, AccountEntry.at < end))
    return union_all(lines, settled).subquery("ledger")


def _paid_by_bill(community_id: int, start: datetime, end: datetime):
    """Per bill of the community: what was paid before `start` and before `end`, from the dated records."""
    ledger = _bill_ledger(community_id, end)
    return (select(ledger.c.bill_line_id,
                   _money_sum(case((ledger.c.at < start, ledger.c.amount), else_=0)).label("before"),
                   _money_sum(ledger.c.amount).label("by_end"))
            .group_by(ledger.c.bill_line_id).subquery("paid"))


def collected_by_item(community_id: int, start: datetime, end: datetime) -> list[tuple[str, Decimal]]:
    """What the community's bills brought in within [start, end), by fee item (a paid repair, a late fee by
    their source), the same dated records as the 收费率: [(name, amount)], the largest first."""
    from app.billing.models import LINE_SOURCES, FeeItem

    ledger = _bill_ledger(community_id, end)
    rows = db.session.execute(
        select(FeeItem.name, BillLine.source, _money_sum(ledger.c.amount))
        .select_from(ledger).join(BillLine, BillLine.id == ledger.c.bill_line_id)
        .outerjoin(FeeItem, FeeItem.id == BillLine.fee_item_id)
        .where(ledger.c.at >= start)
        .group_by(FeeItem.name, BillLine.source)).all()
    totals: dict[str, Decimal] = {}
    for name, source, amount in rows:
        key = name if source in ("run", None) and name else str(LINE_SOURCES.get(source, name or source))
        totals[key] = totals.get(key, ZERO) + to_money(Decimal(str(amount)))
    return sorted(((k, v) for k, v in totals.items() if v), key=lambda kv: (-kv[1], kv[0]))


def collection_rate(community_id, year: int, month: int, now: datetime | None = None) -> dict:
    """收费率 of one month, per building and for the community. See the module docstring.

    Returns {"year", "month", "period" ("2026-11"), "start", "end", "now", "community_id", "community" (its
    name), "rows": [RateRow] per building of the community (natural order of their codes), "total": RateRow}."""
    cid = as_id(community_id)
    community = db.session.get(Community, cid) if cid and cid > 0 else None
    if community is None:
        raise RuleViolation({"community": gettext("Please choose the community.")})
    start, end = month_window(year, month)
    period = f"{year:04d}-{month:02d}"
    paid = _paid_by_bill(community.id, start, end)
    before = _clamp(func.coalesce(paid.c.before, 0), BillLine.amount)
    by_end = _clamp(func.coalesce(paid.c.by_end, 0), BillLine.amount)
    current = BillLine.period == period
    earlier = BillLine.period < period
    stmt = (select(House.building_id,
                   _money_sum(case((current, BillLine.amount), else_=0)),
                   _money_sum(case((current, by_end), else_=0)),
                   _money_sum(case((earlier, BillLine.amount - before), else_=0)),
                   _money_sum(case((earlier & (by_end > before), by_end - before), else_=0)))
            .select_from(BillLine)
            .join(House, House.id == BillLine.house_id)
            .outerjoin(paid, paid.c.bill_line_id == BillLine.id)
            .where(BillLine.community_id == community.id, BillLine.period <= period)
            .group_by(House.building_id))
    figures = {building_id: [to_money(v) for v in values]
               for building_id, *values in db.session.execute(stmt)}
    buildings = sorted(db.session.scalars(select(Building).where(Building.community_id == community.id)),
                       key=lambda b: _natural(b.code))
    rows, total = [], RateRow(community.name)
    for b in buildings:
        row = RateRow(b.name, b.id, *figures.get(b.id, (ZERO, ZERO, ZERO, ZERO)))
        rows.append(row)
        total.add(row)
    return {"year": year, "month": month, "period": period, "start": start, "end": end,
            "now": clock.or_now(now), "community_id": community.id,
            "community": community.name, "rows": rows, "total": total}


# ---------------------------------------------------------------------------- Excel


def _cell(value):
    return NONE_SHOWN if value is None else value


def daily_workbook(report: dict) -> bytes:
    """收费日报 as .xlsx: 汇总, by cashier and method (with subtotals), by method, receipts used, voided, 红冲."""
    from app.core.excel import Sheet, write_workbook
    from app.core.masking import mask_text

    t, r = report["total"], report["reversed"]
    summary = [
        [gettext("Community"), report["community"] or gettext("All communities")],
        [gettext("Date"), report["day"]],
        [gettext("Payments"), t.count],
        [gettext("Amount received (yuan)"), t.amount],
        [gettext("of which for bills (yuan)"), t.bills],
        [gettext("of which pre-paid (yuan)"), t.prepaid],
        [gettext("Paid from balance (yuan)"), t.balance_used],
        [gettext("Voided receipts"), len(report["voided"])],
        [gettext("Reversing entries (yuan)"), r.amount],
        [gettext("Net received (yuan)"), report["net"]],
    ]
    figure_headers = [gettext("Payments"), gettext("Amount received (yuan)"), gettext("of which for bills (yuan)"),
                      gettext("of which pre-paid (yuan)"), gettext("Paid from balance (yuan)")]

    def figures(f: Figures) -> list:
        return [f.count, f.amount, f.bills, f.prepaid, f.balance_used]

    by_cashier = []
    for block in report["blocks"]:
        for row in block.rows:
            by_cashier.append([row.cashier, row.method_label] + figures(row))
        by_cashier.append([block.cashier, gettext("Subtotal")] + figures(block.subtotal))
    by_cashier.append([gettext("Total"), None] + figures(t))
    by_method = [[m.method_label] + figures(m.collected) + [m.reversed.amount, m.net] for m in report["methods"]]
    by_method.append([gettext("Total")] + figures(t) + [r.amount, report["net"]])
    receipts = [[u.cashier, u.community, u.ranges_text, u.count, u.voided, u.reversing] for u in report["receipts"]]
    voided = [[v["receipt_no"], v["at"], v["house"], mask_text(v["payer"]), v["method_label"], v["amount"],
               v["cashier"], v["by"], mask_text(v["reason"])] for v in report["voided"]]
    reversals = [[x["receipt_no"], x["at"], x["original_no"], x["original_at"], x["house"], x["method_label"],
                  x["amount"], x["by"], mask_text(x["reason"])] for x in report["reversals"]]
    matching = [[e["method_label"], r["receipt_no"], r["at"], r["house"], r["amount"], r["reference"], r["cashier"]]
                for e in report["electronic"] for r in e["rows"]]
    return write_workbook([
        Sheet(title=gettext("Day totals"), headers=[gettext("Item"), gettext("Value")], rows=summary),
        Sheet(title=gettext("By cashier and method"),
              headers=[gettext("Cashier"), gettext("Payment method")] + figure_headers, rows=by_cashier),
        Sheet(title=gettext("By payment method"),
              headers=[gettext("Payment method")] + figure_headers + [gettext("Reversing entries (yuan)"),
                                                                      gettext("Net received (yuan)")],
              rows=by_method),
        Sheet(title=gettext("Receipts used"),
              headers=[gettext("Cashier"), gettext("Community"), gettext("Receipt numbers"),
                       gettext("Number of receipts"), gettext("of which voided"),
                       gettext("of which reversing entries")], rows=receipts, text_columns=[2]),
        Sheet(title=gettext("Voided receipts"),
              headers=[gettext("Receipt no."), gettext("Time"), gettext("House"), gettext("Payer"),
                       gettext("Payment method"), gettext("Amount (yuan)"), gettext("Cashier"),
                       gettext("Voided by"), gettext("Reason")], rows=voided, text_columns=[0]),
        Sheet(title=gettext("Reversing entries"),
              headers=[gettext("Reversing entry no."), gettext("Time"), gettext("Reverses receipt"),
                       gettext("Receipt's time"), gettext("House"), gettext("Payment method"),
                       gettext("Amount (yuan)"), gettext("Reversed by"), gettext("Reason")],
              rows=reversals, text_columns=[0, 2]),
        Sheet(title=gettext("Electronic payments"),
              headers=[gettext("Payment method"), gettext("Receipt no."), gettext("Time"), gettext("House"),
                       gettext("Amount (yuan)"), gettext("Transaction number"), gettext("Cashier")],
              rows=matching, text_columns=[1, 5]),
    ])


def rate_headers() -> list[str]:
    return [gettext("Building"), gettext("Current billed (yuan)"), gettext("Current collected by month end (yuan)"),
            gettext("Current collection rate (%)"), gettext("Arrears owed at month start (yuan)"),
            gettext("Arrears collected in the month (yuan)"), gettext("Arrears collection rate (%)"),
            gettext("Due in all (yuan)"), gettext("Collected in all (yuan)"), gettext("Overall rate (%)")]


def rate_cells(row: RateRow) -> list:
    return [row.billed, row.collected, _cell(row.rate), row.owed, row.arrears_collected, _cell(row.arrears_rate),
            row.due, row.received, _cell(row.overall_rate)]


def rate_workbook(result: dict) -> bytes:
    """收费率 as .xlsx: one sheet, a row per building and the community's total, then what the figures mean."""
    from app.core.excel import Sheet, write_workbook

    rows = [[r.name] + rate_cells(r) for r in result["rows"]]
    rows.append([gettext("Whole community")] + rate_cells(result["total"]))
    rows.append([])
    rows.append([gettext("Community"), result["community"]])
    rows.append([gettext("Month"), result["period"]])
    rows.append([gettext("Figures as of"), result["now"]])
    rows.append([rate_note()])
    return write_workbook([Sheet(title=gettext("Collection rate") + " " + result["period"], headers=rate_headers(),
                                 rows=rows, widths={0: 16})])


def rate_note() -> str:
    return gettext("Current: bills of the month and what of them was paid by the month's end. Arrears: bills of "
                   "earlier periods unpaid at the month's start and what of them was paid within the month. A "
                   "voided payment never counts; a reversal counts on its own day. “—”: nothing to count.")
