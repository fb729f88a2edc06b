"""Rules of the estate structure, as plain functions (no request, no Flask globals).

Each `check_*` takes the record's values by attribute name (relations as objects)
and the primary key of the record being edited (None when adding), and returns
{field: Chinese message}. `prepare_house` derives the fields a house inherits.
"""
import re
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import and_, func, or_, select

from app.core import clock
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
    CARD_KINDS,
    HOUSE_STATUSES,
    HOUSE_USAGES,
    MOVE_KINDS,
    OWNER_KINDS,
    RESIDENT_RELATIONS,
    SPACE_KINDS,
    SPACE_LOCATIONS,
    SPACE_STATUSES,
    AccessCard,
    Building,
    Community,
    House,
    MoveRecord,
    Owner,
    Ownership,
    ParkingSpace,
    Resident,
    Unit,
    Vehicle,
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


def communities() -> list[Community]:
    """Every community by name: the choice offered at the top of the pages that work on one community."""
    return db.session.scalars(select(Community).order_by(Community.name)).all()


def houses_of_building(building_id: int):
    return db.session.scalars(
        select(House).where(House.building_id == building_id).order_by(House.unit_id, House.floor, House.room_no)
    ).all()


def count_houses() -> int:
    return db.session.scalar(select(func.count(House.id))) or 0


# ---------------------------------------------------------------- 业主档案 (owner archive)

OWNER_LABELS = {
    "owner": _l("Owner"),
    "full_name": _l("Full name"),
    "name_pinyin": _l("Name in pinyin"),
    "name_initials": _l("Pinyin initials"),
    "phone_tail": _l("Last 4 digits of the mobile"),
    "owner_kind": _l("Owner type"),
    "id_type": _l("ID type"),
    "id_number": _l("ID number"),
    "mobile": _l("Mobile phone"),
    "emergency_contact": _l("Emergency contact"),
    "share": _l("Share (％)"),
    "certificate_no": _l("Property certificate no."),
    "delivered_on": _l("Handed over on"),
    "moved_in_on": _l("Moved in on"),
    "started_on": _l("Owner since"),
    "ended_on": _l("Owner until"),
    "end_reason": _l("Reason it ended"),
    "correction_reason": _l("Reason for the correction"),
    "handover_note": _l("Settled at the transfer"),
    "relation": _l("Relation to the owner"),
    "moved_out_on": _l("Moved out on"),
    "lease_start": _l("Lease starts"),
    "lease_end": _l("Lease ends"),
    "plate": _l("Licence plate"),
    "parking_space": _l("Parking space"),
    "brand": _l("Make"),
    "color": _l("Colour"),
    "number": _l("Number"),
    "holder": _l("Holder"),
    "issued_on": _l("Issued on"),
    "returned_on": _l("Returned on"),
    "handled_by": _l("Handled by"),
    "person": _l("Person"),
    "moved_on": _l("Date"),
    "ownerships": _l("Ownership"),
    "residents": _l("Residents"),
    "vehicles": _l("Vehicles"),
}
LABELS.update(OWNER_LABELS)
HUNDRED = Decimal("100")


def current_owner_names(house_ids) -> dict[int, str]:
    """{house id: its current owners' names joined by 、} (houses without an owner are left out)."""
    ids = sorted({int(i) for i in house_ids})
    names: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(Ownership.house_id, Owner.name).join(Owner, Owner.id == Ownership.owner_id)
            .where(Ownership.house_id.in_(ids[start:start + 500]), Ownership.ended_on.is_(None))
            .order_by(Ownership.house_id, Ownership.id))
        for house_id, name in rows:
            names.setdefault(house_id, []).append(name)
    return {house_id: "、".join(n) for house_id, n in names.items()}


def house_corrections(house_id: int) -> list:
    """The corrections made to the house's history (its ownerships, residents, cards and moves), newest first."""
    from sqlalchemy import or_

    from app.core.models import Correction

    rows = [(model.__tablename__, select(model.id).where(model.house_id == int(house_id)).scalar_subquery())
            for model in (Ownership, Resident, AccessCard, MoveRecord)]
    stmt = select(Correction).where(or_(*[(Correction.table_name == table) & Correction.record_id.in_(ids)
                                          for table, ids in rows]))
    return list(db.session.scalars(stmt.order_by(Correction.at.desc(), Correction.id.desc())))


def active_share_total(house_id: int, exclude_id=None) -> Decimal:
    stmt = select(func.coalesce(func.sum(Ownership.share), 0)).where(
        Ownership.house_id == house_id, Ownership.ended_on.is_(None)
    )
    if exclude_id is not None:
        stmt = stmt.where(Ownership.id != int(exclude_id))
    return Decimal(str(db.session.scalar(stmt) or 0))


def check_share(errors: dict, values: dict, field: str = "share") -> Decimal | None:
    raw = values.get(field)
    share = parse_area(raw) if raw not in (None, "") else None
    if share is None:
        errors[field] = gettext("%(label)s must be a number.", label=_label(field))
    elif share <= 0 or share > HUNDRED:
        errors[field] = gettext("The share must be more than 0 and at most 100.")
    elif share != share.quantize(Decimal("0.01")):
        errors[field] = gettext("%(label)s may have at most two decimals.", label=_label(field))
    else:
        return share
    return None


def check_ownership(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_required(errors, values, "house", _label("house"))
    check_required(errors, values, "owner", _label("owner"))
    share = check_share(errors, values)
    check_text(errors, values, "certificate_no", _label("certificate_no"), 50, required=False)
    check_text(errors, values, "end_reason", _label("end_reason"), 200, required=False)
    if values.get("started_on") is None:
        errors["started_on"] = gettext("%(label)s must not be empty.", label=_label("started_on"))
    _check_order(errors, values, "started_on", "ended_on")
    _check_order(errors, values, "delivered_on", "moved_in_on")
    house, owner = values.get("house"), values.get("owner")
    if house is not None and share is not None and values.get("ended_on") is None:
        total = active_share_total(house.id, exclude_id=pk) + share
        if total > HUNDRED:
            errors["share"] = gettext(
                "The current owners' shares of this house would add up to %(total)s%%; at most 100%% is possible.",
                total=total,
            )
    if house is not None and owner is not None and values.get("ended_on") is None:
        stmt = select(Ownership.id).where(
            Ownership.house_id == house.id, Ownership.owner_id == owner.id, Ownership.ended_on.is_(None)
        )
        if pk is not None:
            stmt = stmt.where(Ownership.id != int(pk))
        if _exists(stmt):
            errors["owner"] = gettext("This owner already holds a current share of this house.")
    return errors


def _check_order(errors: dict, values: dict, first: str, second: str) -> None:
    a, b = values.get(first), values.get(second)
    if a is not None and b is not None and b < a and second not in errors:
        errors[second] = gettext("%(later)s cannot be before %(earlier)s.", later=_label(second), earlier=_label(first))


def transfer(house: House, new_owners: list[tuple], on_date, reason: str = "", certificate_no: str | None = None):
    """过户: end every current ownership of the house on `on_date` and start the new owners' in one step.

    new_owners: [(Owner, share), ...] whose shares add up to exactly 100. Raises RuleViolation.
    Returns the new Ownership rows (flushed, not committed).
    """
    errors: dict = {}
    if not new_owners:
        errors["owner"] = gettext("Please choose the new owner.")
    if on_date is None:
        errors["started_on"] = gettext("%(label)s must not be empty.", label=_label("started_on"))
    elif on_date > clock.today():
        # a transfer takes effect on its date: the new owner is not 现业主 before it
        errors["started_on"] = gettext(
            "The transfer date %(date)s is in the future: record the transfer on the day it takes effect.",
            date=on_date.isoformat())
    shares = []
    for _owner, share in new_owners:
        value = check_share(errors, {"share": share})
        shares.append(value)
    if not errors and sum(shares) != HUNDRED:
        errors["share"] = gettext("The new owners' shares must add up to exactly 100%%; they add up to %(total)s%%.",
                                  total=sum(shares))
    if len({owner.id for owner, _ in new_owners}) != len(new_owners):
        errors["owner"] = gettext("The same owner is named twice.")
    current = db.session.scalars(
        select(Ownership).where(Ownership.house_id == house.id, Ownership.ended_on.is_(None))
    ).all()
    if on_date is not None:
        for row in current:
            if row.started_on > on_date:
                errors["started_on"] = gettext(
                    "The transfer date cannot be before the current owner's start (%(date)s).",
                    date=row.started_on.isoformat(),
                )
    if errors:
        raise RuleViolation(errors)
    for row in current:
        row.ended_on = on_date
        row.end_reason = reason or gettext("Transfer")
    made = []
    for (owner, _share), share in zip(new_owners, shares):
        made.append(Ownership(house=house, owner=owner, share=share, started_on=on_date,
                              certificate_no=certificate_no or None,
                              delivered_on=None, moved_in_on=None))
    db.session.add_all(made)
    db.session.flush()
    return made


def check_owner(values: dict, pk=None, may_see_id_numbers: bool = False) -> dict:
    """An owner's values checked. A 证件号 already on file is refused; whose it is is said only to a user who
    may see 证件号 (`may_see_id_numbers`): to others the refusal names no one, and the look-up is audited."""
    from app.core import validators

    errors: dict = {}
    check_choice(errors, values, "kind", _label("owner_kind"), OWNER_KINDS)
    check_text(errors, values, "name", _label("full_name"), 100)
    check_choice(errors, values, "id_type", _label("id_type"), validators.ID_TYPES)
    check_text(errors, values, "id_number", _label("id_number"), 40)
    check_text(errors, values, "phone", _label("mobile"), 20, required=False)
    check_text(errors, values, "emergency_contact", _label("emergency_contact"), 100, required=False)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    id_type = values.get("id_type")
    if "id_type" not in errors and "id_number" not in errors:
        if values.get("kind") == "company" and id_type != "business_license":
            errors["id_type"] = gettext("A company is registered with its business licence.")
        elif values.get("kind") == "person" and id_type == "business_license":
            errors["id_type"] = gettext("A person cannot be registered with a business licence.")
        else:
            problem = validators.validate_id_number(id_type, values["id_number"])
            if problem:
                errors["id_number"] = problem
            else:
                existing = find_owner_by_id_number(validators.normalize_id_number(id_type, values["id_number"]))
                if existing is not None and (pk is None or existing.id != int(pk)):
                    errors["id_number"] = _id_number_taken(existing, may_see_id_numbers)
    if values.get("phone") and "phone" not in errors:
        problem = validators.validate_phone(values["phone"])
        if problem:
            errors["phone"] = problem
    return errors


def _id_number_taken(existing: Owner, may_see_id_numbers: bool):
    """The refusal of a 证件号 on file: with its owner's name and link for a user who may see 证件号; for others
    no name (it would confirm a guessed number), and the look-up written to the audit log."""
    from app.core import masking
    from app.core.audit import log_event_kept
    from app.security import roles

    if may_see_id_numbers:
        return Markup(gettext('This ID number is already registered: <a href="%(url)s">%(name)s</a>.',
                              url=f"/owners/show/{existing.id}", name=escape(existing.name)))
    log_event_kept("lookup", Owner.__tablename__, existing.id, str(existing), {
        "field": "id_number", "label": str(_label("id_number")), "value": masking.mask_id_number(existing.id_number),
        "via": "duplicate_check", "reason": gettext("The ID number typed for an owner is already registered"),
    })
    return gettext("This ID number is already registered. The %(service)s or the %(manager)s can look up whose "
                   "it is.", service=roles.SERVICE, manager=roles.MANAGER)


def find_owner_by_id_number(id_number: str):
    with db.session.no_autoflush:
        return db.session.scalar(select(Owner).where(Owner.id_number == id_number))


def check_resident(values: dict, pk=None) -> dict:
    from app.core import validators

    errors: dict = {}
    check_required(errors, values, "house", _label("house"))
    check_text(errors, values, "name", _label("name"), 100)
    check_choice(errors, values, "relation", _label("relation"), RESIDENT_RELATIONS)
    check_text(errors, values, "phone", _label("mobile"), 20, required=False)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    if values.get("phone") and "phone" not in errors:
        problem = validators.validate_phone(values["phone"])
        if problem:
            errors["phone"] = problem
    _check_order(errors, values, "moved_in_on", "moved_out_on")
    _check_order(errors, values, "lease_start", "lease_end")
    if values.get("relation") == "tenant" and (values.get("lease_start") is None or values.get("lease_end") is None):
        errors.setdefault("lease_end", gettext("A tenant needs the lease's start and end."))
    return errors


def check_vehicle(values: dict, pk=None) -> dict:
    from app.core import validators

    errors: dict = {}
    check_required(errors, values, "house", _label("house"))
    check_text(errors, values, "plate", _label("plate"), 12)
    check_text(errors, values, "brand", _label("brand"), 50, required=False)
    check_text(errors, values, "color", _label("color"), 20, required=False)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    if "plate" not in errors:
        problem = validators.validate_plate(values["plate"])
        if problem:
            errors["plate"] = problem
        else:
            stmt = select(Vehicle.id).where(Vehicle.plate == validators.normalize_plate(values["plate"]))
            if pk is not None:
                stmt = stmt.where(Vehicle.id != int(pk))
            if _exists(stmt):
                errors["plate"] = gettext("This licence plate is already registered.")
    house, space = values.get("house"), values.get("parking_space")
    if house is not None and space is not None and space.community_id != house.community_id:
        errors["parking_space"] = gettext("This parking space belongs to another community.")
    return errors


def check_access_card(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_required(errors, values, "house", _label("house"))
    check_choice(errors, values, "kind", _label("kind"), CARD_KINDS)
    check_text(errors, values, "number", _label("number"), 40)
    check_text(errors, values, "holder", _label("holder"), 100)
    check_text(errors, values, "handled_by", _label("handled_by"), 100, required=False)
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    if values.get("issued_on") is None:
        errors["issued_on"] = gettext("%(label)s must not be empty.", label=_label("issued_on"))
    _check_order(errors, values, "issued_on", "returned_on")
    if "number" not in errors and values.get("returned_on") is None:
        stmt = select(AccessCard.id).where(
            AccessCard.kind == values.get("kind"), AccessCard.number == values["number"].strip(),
            AccessCard.returned_on.is_(None),
        )
        if pk is not None:
            stmt = stmt.where(AccessCard.id != int(pk))
        if _exists(stmt):
            errors["number"] = gettext("A card or key with this number is out and not yet returned.")
    return errors


def check_move_record(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_required(errors, values, "house", _label("house"))
    check_choice(errors, values, "kind", _label("kind"), MOVE_KINDS)
    check_text(errors, values, "person", _label("person"), 100)
    check_text(errors, values, "handled_by", _label("handled_by"), 100, required=False)  # default: the clerk
    check_text(errors, values, "remark", _label("remark"), 500, required=False)
    if values.get("moved_on") is None:
        errors["moved_on"] = gettext("%(label)s must not be empty.", label=_label("moved_on"))
    return errors


def prepare_person(obj) -> None:
    """Owners and residents: trimmed text, normalised numbers, pinyin and phone tail for search."""
    from app.core import pinyin, validators

    for attr in ("name", "remark", "emergency_contact"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            setattr(obj, attr, value.strip() or (None if attr != "name" else ""))
    if isinstance(obj, Owner) and obj.id_number:
        obj.id_number = validators.normalize_id_number(obj.id_type, obj.id_number)
    phone = validators.normalize_phone(obj.phone) if obj.phone else None
    obj.phone = phone or None
    obj.phone_tail = phone[-4:] if phone else ""
    full, initials = pinyin.name_pinyin(obj.name or "")
    obj.name_pinyin, obj.name_initials = full[:400], initials[:100]


def prepare_vehicle(obj) -> None:
    from app.core import validators

    if obj.plate:
        obj.plate = validators.normalize_plate(obj.plate)
    prepare(obj)


def _plate_fragment(q: str) -> str | None:
    """The part of a licence plate typed at the desk ("A4T0KF", "浙A·4T0", "4t0k"), normalized; None when the
    text cannot be part of a plate (a name, a house number, the 4 digits of a phone)."""
    from app.core import validators

    key = validators.normalize_plate(q).upper()
    if len(key) < 4 or key.isdigit() or not re.fullmatch(r"[\u4e00-\u9fff]?[A-Z0-9]+[\u4e00-\u9fff]?", key):
        return None
    if not re.search(r"[0-9]", key) or not re.search(r"[A-Z]", key):
        return None
    return key


def search_households(query: str, limit: int = 50) -> list[House]:
    """Front-desk search: 房号, owner or resident name, pinyin or initials, last 4 digits of a phone, or a vehicle's
    licence plate or any 4 or more of its characters."""
    from app.core import pinyin

    q = (query or "").strip()
    if not q:
        return []
    house_ids = set()
    owner_match = []
    resident_match = []
    if q.isdigit() and len(q) == 4:
        owner_match.append(Owner.phone_tail == q)
        resident_match.append(Resident.phone_tail == q)
    if pinyin.looks_like_pinyin(q):
        key = q.lower()
        # a range, not LIKE: it uses the pinyin index on SQLite and PostgreSQL alike
        owner_match += [Owner.name_initials == key, and_(Owner.name_pinyin >= key, Owner.name_pinyin < key + "{")]
        resident_match += [Resident.name_initials == key,
                           and_(Resident.name_pinyin >= key, Resident.name_pinyin < key + "{")]
    if not owner_match:  # a name typed in characters: the slower substring match
        owner_match.append(Owner.name.contains(q))
        resident_match.append(Resident.name.contains(q))
    owners = select(Ownership.house_id).join(Owner).where(Ownership.ended_on.is_(None), or_(*owner_match))
    residents = select(Resident.house_id).where(Resident.moved_out_on.is_(None), or_(*resident_match))
    house_ids.update(db.session.scalars(owners.limit(limit)).all())
    house_ids.update(db.session.scalars(residents.limit(limit)).all())
    house_ids.update(db.session.scalars(
        select(House.id).where(House.house_no >= q, House.house_no < q + "\uffff").limit(limit)
    ).all())
    plate = _plate_fragment(q)
    if plate:
        house_ids.update(db.session.scalars(
            select(Vehicle.house_id).where(Vehicle.plate.contains(plate), Vehicle.ended_on.is_(None)).limit(limit)
        ).all())
    if not house_ids:
        return []
    return db.session.scalars(
        select(House).where(House.id.in_(list(house_ids)[:limit])).order_by(House.community_id, House.house_no)
    ).all()


PERSONAL_FIELDS = {
    "owner": (Owner, ("id_number", "phone", "emergency_contact")),
    "resident": (Resident, ("phone",)),
}


def reveal(kind: str, pk: int, field: str) -> str | None:
    """The unmasked value of one personal field; the look is written to the audit log. None if no such value."""
    from app.core.audit import log_event

    if kind not in PERSONAL_FIELDS or field not in PERSONAL_FIELDS[kind][1]:
        return None
    model = PERSONAL_FIELDS[kind][0]
    obj = db.session.get(model, pk)
    if obj is None:
        return None
    value = getattr(obj, field) or ""
    log_event(db.session, "view", model.__tablename__, pk, str(obj), {"field": field, "label": _label(
        "mobile" if field == "phone" else field)})
    db.session.commit()
    return value


def transfer_to(house: House, on_date, id_type: str, id_number: str, name: str = "", phone: str = "",
                certificate_no: str = "", reason: str = "") -> Ownership:
    """过户 to one new owner (100%): an owner already on file is found by 证件号, else registered now."""
    from app.core import validators

    owner = None
    problem = validators.validate_id_number(id_type, id_number or "")
    if not problem:
        owner = find_owner_by_id_number(validators.normalize_id_number(id_type, id_number))
    if owner is None:
        owner = Owner(kind="company" if id_type == "business_license" else "person", name=name, id_type=id_type,
                      id_number=id_number, phone=phone or None)
        errors = check_owner({"kind": owner.kind, "name": name, "id_type": id_type, "id_number": id_number,
                              "phone": phone or None})
        if errors:
            raise RuleViolation(errors)
        prepare_person(owner)
        db.session.add(owner)
    made = transfer(house, [(owner, HUNDRED)], on_date, reason=reason, certificate_no=certificate_no)
    return made[0]
