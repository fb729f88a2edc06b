"""专项/特约服务: the catalog of services and the residents' requests for one (a custom service is approved
before it is carried out, and recorded in detail the first time)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from app.core import clock
from app.core.rules import Actor, RuleViolation, check_choice, check_text
from app.extensions import db
from app.service.common import (TEXT_LIMIT, check_amount, check_community, check_contact_link, check_house,
                                check_phone, normalize_phone)
from app.service.labels import label
from app.service.models import REQUEST_STATES, SPECIAL_KINDS, ServiceRequest, SpecialService

def check_special_service(values: dict, pk=None) -> dict:
    errors: dict = {}
    check_text(errors, values, "name", label("name"), 100)
    check_choice(errors, values, "kind", label("kind"), SPECIAL_KINDS)
    check_text(errors, values, "provider", label("provider"), 100, required=False)
    check_text(errors, values, "price_unit", label("price_unit"), 20, required=False)
    check_text(errors, values, "description", label("description"), TEXT_LIMIT, required=False)
    if values.get("price") not in (None, ""):
        check_amount(errors, values.get("price"), "price")
    if "name" not in errors:
        stmt = select(SpecialService.id).where(SpecialService.name == values["name"].strip())
        if pk is not None:
            stmt = stmt.where(SpecialService.id != int(pk))
        if db.session.scalar(stmt) is not None:
            errors["name"] = gettext("This service is already in the catalog.")
    return errors


def check_service_request(values: dict, pk=None) -> dict:
    errors: dict = {}
    house = check_house(errors, values)
    if "house" not in errors:
        check_community(errors, values, house)
    check_text(errors, values, "title", label("title"), 200)
    check_text(errors, values, "person", label("person"), 100, required=False)
    check_text(errors, values, "provider", label("provider"), 100, required=False)
    check_text(errors, values, "approved_by", label("approved_by"), 100, required=False)
    check_text(errors, values, "execution_record", label("execution_record"), 20000, required=False)
    check_text(errors, values, "remark", label("remark"), 500, required=False)
    check_phone(errors, values, "phone")
    if values.get("agreed_price") not in (None, ""):
        check_amount(errors, values.get("agreed_price"), "agreed_price")
    if values.get("state") not in (None, ""):
        check_choice(errors, values, "state", label("state"), REQUEST_STATES)
    service = values.get("service")
    custom = service is None or getattr(service, "kind", None) == "custom"
    if values.get("state") in ("approved", "done") and custom and not (values.get("approved_by") or "").strip():
        errors["approved_by"] = gettext("A custom service is carried out only after it is approved: name who "
                                        "approved it.")
    if values.get("state") == "done" and values.get("first_execution") and \
            not (values.get("execution_record") or "").strip():
        errors["execution_record"] = gettext("The first execution of a custom service must be recorded in detail.")
    done_at, requested = values.get("done_at"), values.get("requested_at")
    if isinstance(done_at, datetime) and isinstance(requested, datetime) and done_at < requested:
        errors["done_at"] = gettext("%(label)s cannot be before %(other)s (%(time)s).", label=label("done_at"),
                                    other=label("requested_at"), time=f"{requested:%Y-%m-%d %H:%M}")
    check_contact_link(errors, values, ServiceRequest, pk)
    return errors


def prepare_service_request(item: ServiceRequest, actor: Actor | None = None) -> None:
    normalize_phone(item, "phone")
    if item.house is not None:
        item.community = item.house.community
    if item.service is not None:
        item.provider = item.provider or item.service.provider
        if item.agreed_price is None:
            item.agreed_price = item.service.price
    if item.state == "done" and item.done_at is None:
        item.done_at = clock.or_now(None)


def promote_to_catalog(request: ServiceRequest) -> SpecialService:
    """Make a custom service, once done and recorded, a standard 专项服务 in the catalog."""
    errors: dict = {}
    if request.state != "done" or not (request.execution_record or "").strip():
        errors[""] = gettext("Only a custom service carried out and recorded in detail can become a standard "
                             "service.")
    elif db.session.scalar(select(SpecialService.id).where(SpecialService.name == request.title)) is not None:
        errors[""] = gettext("This service is already in the catalog.")
    if errors:
        raise RuleViolation(errors)
    service = SpecialService(name=request.title, kind="special", provider=request.provider,
                             price=request.agreed_price, description=request.execution_record[:TEXT_LIMIT])
    db.session.add(service)
    request.service = service
    db.session.flush()
    return service
