"""Rules of the estate structure, as plain functions (no request, no Flask globals).

Each `check_*` takes the record's values by attribute name (relations as objects)
and the primary key of the record being edited (None when adding), and returns
{field: Chinese message}. `prepare_house` derives the fields a house inherits.
"""
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.rules import (
    RuleViolation,
    check_area,
    check_choice,
    check_int,
    check_required,
    check_text,
    parse_area,
)
from app.estate.models import (
    HOUSE_STATUSES,
    HOUSE_USAGES,
    SPACE_KINDS,
    SPACE_LOCATIONS,
    SPACE_STATUSES,
    Building,
    Community,
    House,
    ParkingSpace,
    Unit,
)
from app.extensions import db

LABELS = {
    "community": _l("Community"),
    "building": _l("Building"),
    "unit": _l("Unit"),
    "house": _l("House"),
    "name": _l("Name"),
    "code": _l("Code"),
    "address": _l("Address"),
    "phone": _l("Phone"),
    "remark": _l("Remark"),
    "floors": _l("Floors"),
    "room_no": _l("Room number"),
    "house_no": _l("House number"),
    "floor": _l("Floor"),
    "building_area": _l("Gross floor area (m²)"),
    "inner_area": _l("Usable floor area (m²)"),
    "layout": _l("Layout"),
    "usage": _l("Usage"),
    "status": _l("Status"),
    "location": _l("Location"),
    "kind": _l("Kind"),
    "area": _l("Area (m²)"),
}


def _label(field: str) -> str:
    return str(LABELS[field])


def _exists(stmt) -> bool:
    with db.session.no_autoflush:  # a record being checked must not be flushed by the check
        return db.session.execute(stmt.limit(1)).first() is not None


def check_community(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_text(errors, values, "name", _label("name"), 100)
    check_text(errors, values, "code", _label("code"), 20)
    check_text(errors, values, "address", _label("address"), 200, required=False)
    check_text(errors, values, "phone", _label("phone"), 30, required=False)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    for field in ("name", "code"):
        if field not in errors:
            stmt = select(Community.id).where(getattr(Community, field) == values[field].strip())
            if pk is not None:
                stmt = stmt.where(Community.id != int(pk))
            if _exists(stmt):
                errors[field] = gettext("A community with this %(label)s already exists.", label=_label(field))
    return errors


def check_building(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_required(errors, values, "community", _label("community"))
    check_text(errors, values, "code", _label("code"), 20)
    check_text(errors, values, "name", _label("name"), 50)
    check_int(errors, values, "floors", _label("floors"), 1, 200, required=False)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    community = values.get("community")
    if not errors.get("code") and community is not None:
        stmt = select(Building.id).where(
            Building.community_id == community.id, Building.code == values["code"].strip()
        )
        if pk is not None:
            stmt = stmt.where(Building.id != int(pk))
        if _exists(stmt):
            errors["code"] = gettext("This community already has a building with this code.")
    return errors


def check_unit(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_required(errors, values, "building", _label("building"))
    check_text(errors, values, "code", _label("code"), 10)
    check_text(errors, values, "name", _label("name"), 50)
    building = values.get("building")
    if not errors.get("code") and building is not None:
        stmt = select(Unit.id).where(Unit.building_id == building.id, Unit.code == values["code"].strip())
        if pk is not None:
            stmt = stmt.where(Unit.id != int(pk))
        if _exists(stmt):
            errors["code"] = gettext("This building already has a unit with this code.")
    return errors


def check_house(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_required(errors, values, "unit", _label("unit"))
    check_text(errors, values, "room_no", _label("room_no"), 20)
    check_int(errors, values, "floor", _label("floor"), -5, 200)
    check_area(errors, values, "building_area", _label("building_area"))
    check_area(errors, values, "inner_area", _label("inner_area"), required=False)
    check_text(errors, values, "layout", _label("layout"), 30, required=False)
    check_choice(errors, values, "usage", _label("usage"), HOUSE_USAGES)
    check_choice(errors, values, "status", _label("status"), HOUSE_STATUSES)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    unit = values.get("unit")  # building and community follow from the unit (prepare)
    if not errors.get("building_area") and not errors.get("inner_area") and values.get("inner_area") not in (None, ""):
        if parse_area(values["inner_area"]) > parse_area(values["building_area"]):
            errors["inner_area"] = gettext("The usable floor area cannot exceed the gross floor area.")
    if not errors.get("room_no") and unit is not None:
        stmt = select(House.id).where(House.unit_id == unit.id, House.room_no == values["room_no"].strip())
        if pk is not None:
            stmt = stmt.where(House.id != int(pk))
        if _exists(stmt):
            errors["room_no"] = gettext("This unit already has a house with this room number.")
    return errors


def check_parking_space(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_required(errors, values, "community", _label("community"))
    check_text(errors, values, "code", _label("code"), 20)
    check_choice(errors, values, "location", _label("location"), SPACE_LOCATIONS)
    check_choice(errors, values, "kind", _label("kind"), SPACE_KINDS)
    check_choice(errors, values, "status", _label("status"), SPACE_STATUSES)
    check_area(errors, values, "area", _label("area"), required=False)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    community = values.get("community")
    if community is not None:
        building, house = values.get("building"), values.get("house")
        if building is not None and building.community_id != community.id:
            errors["building"] = gettext("This building belongs to another community.")
        if house is not None and house.community_id != community.id:
            errors["house"] = gettext("This house belongs to another community.")
        if not errors.get("code"):
            stmt = select(ParkingSpace.id).where(
                ParkingSpace.community_id == community.id, ParkingSpace.code == values["code"].strip()
            )
            if pk is not None:
                stmt = stmt.where(ParkingSpace.id != int(pk))
            if _exists(stmt):
                errors["code"] = gettext("This community already has a parking space with this code.")
    return errors


def house_number(unit: Unit, room_no: str) -> str:
    """The 房号 staff use: building-unit-room, e.g. 3-2-0501."""
    return f"{unit.building.code}-{unit.code}-{room_no}"


def prepare(obj) -> None:
    """Normalise a record before it is saved: trim text, derive inherited fields."""
    for attr in ("name", "code", "room_no", "address", "phone", "layout", "remark"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            setattr(obj, attr, value.strip() or None if attr in ("address", "phone", "layout", "remark") else value.strip())
    if isinstance(obj, House) and obj.unit is not None:
        obj.building = obj.unit.building
        obj.community = obj.unit.building.community
        obj.house_no = house_number(obj.unit, obj.room_no)
        for attr in ("building_area", "inner_area"):
            value = getattr(obj, attr)
            if value is not None and not isinstance(value, Decimal):
                setattr(obj, attr, parse_area(value))


def can_delete(obj) -> dict:
    """Records that others depend on are not deleted; returns {field: message} when refused."""
    if isinstance(obj, Community):
        if _exists(select(Building.id).where(Building.community_id == obj.id)) or _exists(
            select(ParkingSpace.id).where(ParkingSpace.community_id == obj.id)
        ):
            return {"": gettext("This community still has buildings or parking spaces; delete them first.")}
    if isinstance(obj, Building):
        if _exists(select(Unit.id).where(Unit.building_id == obj.id)) or _exists(
            select(ParkingSpace.id).where(ParkingSpace.building_id == obj.id)
        ):
            return {"": gettext("This building still has units or parking spaces; delete them first.")}
    if isinstance(obj, Unit):
        if _exists(select(House.id).where(House.unit_id == obj.id)):
            return {"": gettext("This unit still has houses; delete them first.")}
    if isinstance(obj, House):
        if _exists(select(ParkingSpace.id).where(ParkingSpace.house_id == obj.id)):
            return {"": gettext("This house still has parking spaces linked to it.")}
    return {}


def save(obj, check, pk=None) -> None:
    """Validate and store a record (used by the CLI, imports and tests)."""
    values = {attr: getattr(obj, attr) for attr in _attrs(obj)}
    errors = check(values, pk)
    if errors:
        raise RuleViolation(errors)
    prepare(obj)
    db.session.add(obj)
    db.session.flush()


def _attrs(obj) -> list[str]:
    from sqlalchemy import inspect

    mapper = inspect(type(obj))
    return [a.key for a in mapper.column_attrs] + [r.key for r in mapper.relationships]


def houses_of_building(building_id: int):
    return db.session.scalars(
        select(House).where(House.building_id == building_id).order_by(House.unit_id, House.floor, House.room_no)
    ).all()


def count_houses() -> int:
    return db.session.scalar(select(func.count(House.id))) or 0
