"""History that is kept: records never deleted, records never changed, and corrections with their reason.

- `NeverDeleted`: a row of history (who owned, lived in, held a card…) is never deleted, by anyone and by any
  path (a page, the API, the CLI, a script): one before_flush rule refuses it.
- `AppendOnly`: a row that is written once and then neither edited nor deleted (a correction's record, an
  event of a record's history).
- A fact already recorded on a history row (the owner, the dates, the number…) is changed only as a correction:
  by a role that may correct, with a reason, and the correction is kept beside the row (old and new value both
  stay visible). Filling in what was left blank (the end date of an ownership, the day a card came back) is
  ordinary work and needs no correction.
"""
import json
from datetime import date

from flask_babel import gettext
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.core.rules import RuleViolation


class NeverDeleted:
    """Mixin: rows of this model are never deleted."""


class AppendOnly(NeverDeleted):
    """Mixin: rows of this model are written once, never edited or deleted."""


@event.listens_for(Session, "before_flush")
def _keep_the_history(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, NeverDeleted):
            raise RuleViolation({"": gettext("History is never deleted: a wrong entry is corrected, with a reason, "
                                             "and both stay visible.")})
    for obj in session.dirty:
        if isinstance(obj, AppendOnly) and session.is_modified(obj, include_collections=False):
            raise RuleViolation({"": gettext("A history entry is never edited.")})


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(old, new) -> bool:
    if hasattr(old, "__table__") or hasattr(new, "__table__"):  # a related record: the same row?
        return (old is None) == (new is None) and (old is None or inspect(old).identity == inspect(new).identity)
    if isinstance(old, str) or isinstance(new, str):
        return (old or "").strip() == (new or "").strip()
    return old == new


def fact_changes(old: dict, new: dict, fields) -> dict:
    """{field: (old, new)} for the recorded facts the new values change (not those that were blank)."""
    return {f: (old.get(f), new.get(f)) for f in fields
            if f in new and not _blank(old.get(f)) and not _same(old.get(f), new.get(f))}


def old_values(item, fields) -> dict:
    """A record's values as they were loaded, before this request changed them (for the correction's record)."""
    state = inspect(item)
    values = {}
    for f in fields:
        history = state.attrs[f].history
        values[f] = history.deleted[0] if history.deleted else getattr(item, f)
    return values


def correction_problems(changes: dict, roles: frozenset, correctors: frozenset, reason: str | None) -> dict:
    """What stops a correction: a message on each changed field (this role may not correct) or on the reason
    (missing or too long); {} when it may be made."""
    if not changes:
        return {}
    if not roles & correctors:
        return {field: gettext("This was recorded already: only the project manager may correct it (with a "
                               "reason). What was left blank you may fill in.") for field in changes}
    if _blank(reason):
        return {"correction_reason": gettext("A correction of what was recorded needs its reason.")}
    if len(reason.strip()) > 200:
        return {"correction_reason": gettext("%(label)s may have at most %(n)d characters.",
                                             label=gettext("Reason for the correction"), n=200)}
    return {}


def raise_if_problems(changes: dict, roles: frozenset, correctors: frozenset, reason: str | None) -> None:
    problems = correction_problems(changes, roles, correctors, reason)
    if problems:
        raise RuleViolation(problems)


def _column_value(item, field: str, value):
    """(column key, plain value) of a fact: a related record by its id (house → house_id), a date in ISO."""
    relationship = inspect(type(item)).relationships.get(field)
    if relationship is not None:
        column = next(iter(relationship.local_columns))
        return column.key, (None if value is None else inspect(value).identity[0])
    if isinstance(value, date):
        return field, value.isoformat()
    if value is None or isinstance(value, (str, int, bool)):
        return field, value
    return field, str(value)


def record_correction(session, item, changes: dict, reason: str) -> None:
    """Keep beside the row what a correction changed, from what to what, and why (the audit log's format)."""
    from app.core.audit import current_actor
    from app.core.models import Correction

    plain = {}
    for field, (old, new) in changes.items():
        key, old_value = _column_value(item, field, old)
        plain[key] = [old_value, _column_value(item, field, new)[1]]
    user_id, username = current_actor()
    session.add(Correction(user_id=user_id, username=username, table_name=item.__tablename__,
                           record_id=item.id, changes=json.dumps(plain, ensure_ascii=False), reason=reason.strip()))
