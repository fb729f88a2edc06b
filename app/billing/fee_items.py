"""The rules of a 收费项目 (fee item): what it may hold, and what is tidied before it is saved."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select

from app.billing import meters
from app.billing.common import label
from app.billing.models import AREA_BASES, CYCLES, FEE_METHODS, FeeItem
from app.core.rules import as_id, check_choice, check_int, check_text
from app.estate.models import HOUSE_USAGES, Community
from app.extensions import db


MAX_PRICE = Decimal("99999.9999")


def check_fee_item(values: dict, pk=None) -> dict:
    """The rules of a fee item; {field: message}."""
    errors: dict = {}
    community_id = as_id(values.get("community") if "community" in values else values.get("community_id"))
    if community_id is None or community_id < 0 or db.session.get(Community, community_id) is None:
        errors["community"] = gettext("Please choose the community.")
    check_text(errors, values, "code", label("code"), 20)
    check_text(errors, values, "name", label("name"), 60)
    check_choice(errors, values, "method", label("method"), FEE_METHODS)
    if values.get("method") == "area":
        check_choice(errors, values, "area_basis", label("area_basis"), AREA_BASES)
    price = values.get("unit_price")
    if price is None or price == "":
        errors["unit_price"] = gettext("%(label)s must not be empty.", label=label("unit_price"))
    else:
        try:
            d = Decimal(str(price).strip())
        except Exception:  # noqa: BLE001  (any text that is not a number)
            d = None
        if d is None or not d.is_finite():
            errors["unit_price"] = gettext("%(label)s must be a number.", label=label("unit_price"))
        elif d <= 0:
            errors["unit_price"] = gettext("The unit price must be greater than zero.")
        elif d > MAX_PRICE:
            errors["unit_price"] = gettext("The unit price may be at most %(max)s.", max=str(MAX_PRICE))
        elif d != d.quantize(Decimal("0.0001")):
            errors["unit_price"] = gettext("The unit price may have at most four decimals.")
    if values.get("method") != "one_off":
        check_choice(errors, values, "cycle", label("cycle"), CYCLES)
    check_int(errors, values, "start_month", label("start_month"), 1, 12, required=False)
    check_int(errors, values, "due_days", label("due_days"), 0, 365, required=False)
    usages = values.get("usages")
    if usages:
        listed = usages if isinstance(usages, (list, tuple)) else str(usages).split(",")
        bad = [u for u in listed if u and u not in HOUSE_USAGES]
        if bad:
            errors["usages"] = gettext("%(label)s: please choose one of the listed values.", label=label("usages"))
    for name, high in (("vacant_percent", Decimal("100")), ("late_fee_rate", Decimal("0.01"))):
        value = values.get(name)
        if value is None or value == "":
            continue
        try:
            d = Decimal(str(value).strip())
        except Exception:  # noqa: BLE001
            d = None
        if d is None or not d.is_finite() or not Decimal("0") <= d <= high:
            errors[name] = gettext("%(label)s must be between 0 and %(high)s.", label=label(name), high=str(high))
    code = (values.get("code") or "").strip() if isinstance(values.get("code"), str) else None
    if code and community_id and "community" not in errors:
        stmt = select(FeeItem.id).where(FeeItem.community_id == community_id, FeeItem.code == code)
        if pk is not None:
            stmt = stmt.where(FeeItem.id != int(pk))
        if db.session.scalar(stmt.limit(1)) is not None:
            errors["code"] = gettext("This community already has a fee item with code %(code)s.", code=code)
    buildings = values.get("buildings") or []
    if buildings and community_id and "community" not in errors:
        if any(getattr(b, "community_id", community_id) != community_id for b in buildings):
            errors["buildings"] = gettext("The buildings must belong to the fee item's community.")
    if values.get("method") in ("meter", "shared"):
        meters.check_meter_item(values, errors, community_id)
    return errors


def prepare_fee_item(item: FeeItem) -> None:
    if item.method in ("one_off", "meter", "shared"):
        item.cycle = "monthly"
        item.start_month = 1
    if item.method != "meter":
        item.meter_kind = item.tiers = None
    else:
        item.tiers = (item.tiers or "").strip() or None
    if item.method != "shared":
        item.common_meter = None
        item.common_meter_id = item.share_basis = None
    item.code = (item.code or "").strip()
    item.name = (item.name or "").strip()
