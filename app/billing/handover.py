"""What a house owes and holds at a 过户, for the transfer page (app.estate.handover): the old owner's unpaid
bills with the 滞纳金 due on the day, the 预存 balance, and the 维修基金 balance that stays with the house."""
from datetime import date
from decimal import Decimal

from flask import url_for
from flask_babel import gettext

from app.billing import fund, services
from app.core.money import to_money
from app.estate.handover import Standing, register_source


def house_standing(house_id: int, as_of: date) -> list[Standing]:
    lines = services.unpaid_lines(house_id)
    bills = to_money(sum((line.amount for line in lines), Decimal("0")))
    late = to_money(sum(services.pending_late_fees(lines, as_of).values(), Decimal("0")))
    counter = url_for("CounterView.counter", house=house_id)
    rows = [Standing(gettext("Unpaid bills"), bills, True,
                     gettext("%(n)d bills", n=len(lines)) if lines else "", counter if lines else None)]
    if late:
        rows.append(Standing(gettext("Late fees due today"), late, True, "", counter))
    rows.append(Standing(gettext("Prepaid balance"), services.balance_of(house_id), False,
                         gettext("Stays on the house's account; refund the previous owner at the counter before "
                                 "the transfer if agreed.")))
    rows.append(Standing(gettext("Maintenance fund balance"), fund.balance_of(house_id), False,
                         gettext("Transfers with the ownership (住宅专项维修资金管理办法, art. 28).")))
    return rows


def register() -> None:
    register_source(house_standing)
