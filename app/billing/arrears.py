"""欠费 arrears: what a house owes, and the arrears by house, building or community in age buckets."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.billing.models import BillLine
from app.core import clock
from app.core.money import to_money
from app.core.rules import RuleViolation, as_id
from app.estate.models import Building, Community, House
from app.estate.services import current_owner_names
from app.extensions import db


def unpaid_lines(house_id: int) -> list[BillLine]:
    return list(db.session.scalars(select(BillLine).where(BillLine.house_id == house_id, BillLine.state == "unpaid")
                                   .order_by(BillLine.due_date, BillLine.period, BillLine.id)))


def arrears_of(house_id: int) -> Decimal:
    return to_money(db.session.scalar(select(func.coalesce(func.sum(BillLine.amount), 0))
                                      .where(BillLine.house_id == house_id, BillLine.state == "unpaid")))


# Days past the due date; a bill not yet due is not in arrears.
AGE_BUCKETS = [(0, 30, _l("≤30 days")), (31, 90, _l("31–90 days")), (91, 180, _l("91–180 days")),
               (181, 365, _l("181–365 days")), (366, None, _l("Over 365 days"))]
ARREARS_GROUPS = ("community", "building", "house")


def arrears(group: str = "building", community_id=None, building_id=None, as_of: date | None = None,
            limit: int | None = None) -> list[dict]:
    """欠费 by house, building or community: unpaid bills past their due date, in age buckets, the largest
    first. Each row: id, name, bills, total, buckets [amount per AGE_BUCKETS], oldest (due date)."""
    from sqlalchemy import case

    if group not in ARREARS_GROUPS:
        raise RuleViolation({"group": gettext("Please choose how to group the arrears.")})
    as_of = as_of or clock.today()
    key = {"community": BillLine.community_id, "building": House.building_id, "house": BillLine.house_id}[group]
    sums = []
    for low, high, _label_text in AGE_BUCKETS:
        # due between (as_of − high) and (as_of − low) days; dates compared, so it runs alike on every database
        condition = BillLine.due_date <= as_of - timedelta(days=low)
        if high is not None:
            condition = condition & (BillLine.due_date >= as_of - timedelta(days=high))
        sums.append(func.sum(case((condition, BillLine.amount), else_=0)))
    stmt = (select(key, func.count(), func.sum(BillLine.amount), func.min(BillLine.due_date), *sums)
            .join(House, House.id == BillLine.house_id)
            .where(BillLine.state == "unpaid", BillLine.due_date <= as_of)
            .group_by(key).order_by(func.sum(BillLine.amount).desc(), key))
    if as_id(community_id):
        stmt = stmt.where(BillLine.community_id == as_id(community_id))
    if as_id(building_id):
        stmt = stmt.where(House.building_id == as_id(building_id))
    if limit:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    model = {"community": Community, "building": Building, "house": House}[group]
    ids = [r[0] for r in rows]
    names = {}
    if ids:
        for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
            names[obj.id] = (obj.house_no if group == "house" else obj.name) if group != "building" else (
                f"{obj.community.name} {obj.name}")
    owners = current_owner_names(ids) if group == "house" else {}
    return [{"id": r[0], "name": names.get(r[0], ""), "owner": owners.get(r[0], ""), "bills": r[1],
             "total": to_money(r[2] or 0), "oldest": r[3], "buckets": [to_money(v or 0) for v in r[4:]]}
            for r in rows]


def arrears_workbook(rows: list[dict], group: str) -> bytes:
    from app.core.excel import workbook_bytes

    first = {"community": _l("Community"), "building": _l("Building"), "house": _l("House")}[group]
    headers = [str(first)] + ([gettext("Owner")] if group == "house" else []) + [
        gettext("Bills"), gettext("Arrears (yuan)"), gettext("Oldest due date")] + [str(b[2]) for b in AGE_BUCKETS]
    data = []
    for r in rows:
        data.append([r["name"]] + ([r["owner"]] if group == "house" else []) + [r["bills"], r["total"],
                                                                             r["oldest"].isoformat()] + r["buckets"])
    return workbook_bytes(headers, data, title=gettext("Arrears"), text_columns=[0])
