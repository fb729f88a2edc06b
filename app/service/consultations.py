"""咨询/建议: the questions and suggestions the desk answers."""
from __future__ import annotations

from app.core.rules import Actor, check_choice, check_text
from app.service.common import (TEXT_LIMIT, check_community, check_contact_link, check_house, check_phone,
                                normalize_phone)
from app.service.labels import label
from app.service.models import CONSULTATION_KINDS, Consultation

def check_consultation(values: dict, pk=None) -> dict:
    errors: dict = {}
    house = check_house(errors, values)
    if "house" not in errors:
        check_community(errors, values, house)
    check_choice(errors, values, "kind", label("kind"), CONSULTATION_KINDS)
    check_text(errors, values, "question", label("question"), TEXT_LIMIT)
    check_text(errors, values, "answer", label("answer"), TEXT_LIMIT, required=False)
    check_text(errors, values, "person", label("person"), 100, required=False)
    check_phone(errors, values, "phone")
    check_contact_link(errors, values, Consultation, pk)
    return errors


def prepare_consultation(item: Consultation, actor: Actor | None = None) -> None:
    normalize_phone(item, "phone")
    if item.house is not None:
        item.community = item.house.community
    if item.answer and not item.answered_by and actor is not None:
        item.answered_by = actor.name
