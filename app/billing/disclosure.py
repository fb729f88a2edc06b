"""收支公示: a community's income and expenses of a month, as posted in the buildings for the owners: the fees
collected by item (reports.collected_by_item), the pre-payments received, the 公共收益 account
(public_income.month_account) and the 维修基金's movements and balance. Plain functions; the poster and the
Excel file are made from the dict returned here."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select

from app.billing import public_income, reports
from app.billing.models import FUND_ENTRY_KINDS, FundEntry, Payment
from app.core.excel import Sheet, write_workbook
from app.core.money import to_money
from app.core.periods import month_window
from app.extensions import db

ZERO = Decimal("0.00")


def _money(value) -> Decimal:
    return to_money(Decimal(str(value or 0)))


def monthly(community_id, year: int, month: int) -> dict:
    account = public_income.month_account(community_id, year, month)  # checks the community
    community = account["community"]
    start, end = month_window(year, month)
    fees = reports.collected_by_item(community.id, start, end)
    prepaid = _money(db.session.scalar(select(func.sum(Payment.prepaid)).where(
        Payment.community_id == community.id, Payment.state != "voided", Payment.paid_at >= start,
        Payment.paid_at < end)))
    fund_rows = dict(db.session.execute(select(FundEntry.kind, func.sum(FundEntry.amount)).where(
        FundEntry.community_id == community.id, FundEntry.on_date >= start.date(), FundEntry.on_date < end.date())
        .group_by(FundEntry.kind)).all())
    fund_opening = _money(db.session.scalar(select(func.sum(FundEntry.amount)).where(
        FundEntry.community_id == community.id, FundEntry.on_date < start.date())))
    fund_lines = [{"kind": kind, "label": str(label), "amount": _money(fund_rows[kind])}
                  for kind, label in FUND_ENTRY_KINDS.items() if fund_rows.get(kind)]
    fund_net = sum((line["amount"] for line in fund_lines), ZERO)
    fees_total = sum((amount for _name, amount in fees), ZERO)
    return {"community": community, "year": year, "month": month, "period": f"{year}-{month:02d}",
            "fees": fees, "fees_total": fees_total, "prepaid": prepaid, "public": account,
            "fund": {"opening": fund_opening, "lines": fund_lines, "net": fund_net, "closing": fund_opening + fund_net}}


def workbook(d: dict) -> bytes:
    """The 收支公示 as .xlsx: one sheet, the three parts one under the other."""
    rows = [[gettext("Fees collected this month, by item"), None]]
    rows += [[name, amount] for name, amount in d["fees"]]
    rows += [[gettext("Total"), d["fees_total"]], [gettext("Pre-payments received"), d["prepaid"]], [None, None],
             [gettext("Common-area income"), None],
             [gettext("Balance brought forward (yuan)"), d["public"]["opening"]]]
    for kind in ("income", "expense"):
        section = d["public"][kind]
        rows += [[f"{section['label']} · {line['label']}", line["amount"]] for line in section["lines"]]
        rows.append([gettext("Total %(kind)s", kind=section["label"]), section["total"]])
    rows += [[gettext("Balance carried forward (yuan)"), d["public"]["closing"]], [None, None],
             [gettext("Maintenance fund"), None], [gettext("Balance brought forward (yuan)"), d["fund"]["opening"]]]
    rows += [[line["label"], line["amount"]] for line in d["fund"]["lines"]]
    rows.append([gettext("Balance carried forward (yuan)"), d["fund"]["closing"]])
    title = gettext("Monthly statement of income and expenses")
    return write_workbook([Sheet(title[:31], [f"{d['community'].name} {d['period']}", gettext("Amount (yuan)")],
                                 rows)])
