"""The time limits (时限) of repairs and complaints: the configured ServiceDeadline rows, else the defaults."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from app.core.rules import check_choice
from app.extensions import db
from app.service.labels import label
from app.service.models import SEVERITIES, URGENCIES, ServiceDeadline

DEFAULT_DEADLINES = {  # (kind, level): (minutes to arrive or respond, minutes to finish or resolve)
    ("repair", "urgent"): (30, 240),
    ("repair", "normal"): (240, 1440),
    ("repair", "scheduled"): (1440, 4320),
    ("complaint", "normal"): (120, 4320),
    ("complaint", "major"): (30, 1440),
}


def deadline_minutes(kind: str, level: str) -> tuple[int, int]:
    row = db.session.scalar(select(ServiceDeadline).where(ServiceDeadline.kind == kind, ServiceDeadline.level == level))
    if row is not None:
        return row.respond_minutes, row.finish_minutes
    return DEFAULT_DEADLINES.get((kind, level), DEFAULT_DEADLINES[(kind, "normal")])


def check_deadline(values: dict, pk=None) -> dict:
    errors: dict = {}
    levels = URGENCIES if values.get("kind") == "repair" else SEVERITIES
    check_choice(errors, values, "kind", label("kind"), {"repair": 1, "complaint": 1})
    if "kind" not in errors:
        check_choice(errors, values, "level", label("level"), levels)
    for name in ("respond_minutes", "finish_minutes"):
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60 * 24 * 90:
            errors[name] = gettext("%(label)s must be between %(low)d and %(high)d.", label=label(name), low=1,
                                   high=60 * 24 * 90)
    if not errors and values["respond_minutes"] > values["finish_minutes"]:
        errors["finish_minutes"] = gettext("The time to finish cannot be shorter than the time to arrive or respond.")
    if not errors:
        stmt = select(ServiceDeadline.id).where(ServiceDeadline.kind == values["kind"],
                                                ServiceDeadline.level == values["level"])
        if pk is not None:
            stmt = stmt.where(ServiceDeadline.id != int(pk))
        if db.session.scalar(stmt) is not None:
            errors["level"] = gettext("This level already has its deadlines.")
    return errors
