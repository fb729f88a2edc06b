"""The materials list (材料) and the priced material rows a completed work order records."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext
from sqlalchemy import select

from app.core.money import to_money
from app.core.rules import as_id, check_text
from app.extensions import db
from app.service.labels import label
from app.service.models import Material, WorkOrderMaterial

def priced_materials(errors: dict, rows) -> list[WorkOrderMaterial]:
    """[(material id, quantity), ...] → priced rows; empty rows are skipped."""
    out = []
    for material_id, quantity in rows or []:
        if (material_id in (None, "")) and quantity in (None, ""):
            continue
        mid = as_id(material_id)
        material = db.session.get(Material, mid) if mid and mid > 0 else None
        if material is None or not material.active:
            errors["materials"] = gettext("There is no such material in the list.")
            continue
        try:
            qty = Decimal(str(quantity).strip())
        except (InvalidOperation, ValueError):
            qty = None
        if qty is None or not qty.is_finite() or qty <= 0 or qty >= 100000 or qty != qty.quantize(Decimal("0.01")):
            errors["materials"] = gettext("A material's quantity must be a positive number with at most two decimals.")
            continue
        out.append(WorkOrderMaterial(material_id=material.id, name=str(material), unit=material.unit,
                                     unit_price=material.unit_price, quantity=qty,
                                     amount=to_money(material.unit_price * qty)))
    return out


def check_material(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_text(errors, values, "name", label("name"), 100)
    check_text(errors, values, "spec", label("spec"), 100, required=False)
    check_text(errors, values, "unit", label("unit"), 10)
    price = values.get("unit_price")
    if price is None or price == "":
        errors["unit_price"] = gettext("%(label)s must not be empty.", label=label("unit_price"))
    else:
        try:
            d = Decimal(str(price))
        except (InvalidOperation, ValueError):
            d = None
        if d is None or not d.is_finite():
            errors["unit_price"] = gettext("%(label)s must be a number.", label=label("unit_price"))
        elif d < 0 or d >= Decimal("100000000"):
            errors["unit_price"] = gettext("%(label)s must be between 0 and 99999999.", label=label("unit_price"))
        elif d != d.quantize(Decimal("0.0001")):
            errors["unit_price"] = gettext("%(label)s may have at most four decimals.", label=label("unit_price"))
    if "name" not in errors:
        stmt = select(Material.id).where(Material.name == values["name"].strip())
        if pk is not None:
            stmt = stmt.where(Material.id != int(pk))
        if db.session.scalar(stmt) is not None:
            errors["name"] = gettext("This material is already in the list.")
    return errors
