"""What the desk's records share: the role sets, the checks of house, community, phone and work log link,
and the guard that turns a concurrent change into ConcurrentChange."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.core import validators
from app.core.rules import ConcurrentChange, as_id, check_money
from app.estate.models import Community, House
from app.extensions import db
from app.security import roles
from app.service.labels import label
from app.service.models import Contact

TEXT_LIMIT = 1000
DESK = frozenset({roles.SERVICE, roles.MANAGER, roles.ADMIN})
FIELD = frozenset({roles.ENGINEER, roles.MANAGER, roles.ADMIN})
MANAGERS = frozenset({roles.MANAGER, roles.ADMIN})


def check_phone(errors: dict, values: dict, name: str) -> None:
    value = values.get(name)
    if value not in (None, ""):
        problem = validators.validate_contact_number(value)  # a caller's 联系电话: a mobile or a landline
        if problem:
            errors[name] = problem


def normalize_phone(obj, name: str) -> None:
    value = getattr(obj, name)
    if value:
        setattr(obj, name, validators.normalize_contact_number(value))


def check_house(errors: dict, values: dict, name: str = "house", required: bool = False) -> House | None:
    house_id = as_id(values.get(name) if name in values else values.get(name + "_id"))
    if house_id is None:
        if required:
            errors[name] = gettext("%(label)s must not be empty.", label=label(name))
        return None
    house = db.session.get(House, house_id) if house_id > 0 else None
    if house is None:
        errors[name] = gettext("There is no such house.")
    return house


def community_of(values: dict, house: House | None) -> int | None:
    if house is not None:
        return house.community_id
    return as_id(values.get("community") if "community" in values else values.get("community_id"))


def check_community(errors: dict, values: dict, house: House | None) -> None:
    community_id = community_of(values, house)
    if community_id is None:
        errors["community"] = gettext("%(label)s must not be empty.", label=label("community"))
    elif community_id < 0 or db.session.get(Community, community_id) is None:
        errors["community"] = gettext("There is no such community.")
    elif house is not None:
        given = as_id(values.get("community") if "community" in values else values.get("community_id"))
        if given is not None and given != house.community_id:
            errors["house"] = gettext("The house is not in the chosen community.")


def check_contact_link(errors: dict, values: dict, model, pk=None) -> None:
    contact_id = as_id(values.get("contact") if "contact" in values else values.get("contact_id"))
    if contact_id is None:
        return
    if contact_id < 0 or db.session.get(Contact, contact_id) is None:
        errors["contact"] = gettext("There is no such work log entry.")
        return
    stmt = select(model.id).where(model.contact_id == contact_id)
    if pk is not None:
        stmt = stmt.where(model.id != int(pk))
    if db.session.scalar(stmt) is not None:
        errors["contact"] = gettext("This work log entry has already become a record of its own.")


def check_amount(errors: dict, value, name: str) -> Decimal:
    return check_money(errors, value, name, label(name))


def guarded(step, *args, **kw):
    """Run a state change; a concurrent change of the same row (version mismatch) becomes ConcurrentChange."""
    try:
        result = step(*args, **kw)
        db.session.flush()
        return result
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChange() from None

