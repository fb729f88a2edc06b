"""Audit log: who changed which business record, when, and which fields from what to what.

Models opt in by inheriting `Audited`. Rows are written in the same transaction as
the change (after_flush, through the connection). Passwords and secrets are never written.
"""
import contextvars
import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from app.core import clock
from app.core.models import AuditLog

_SECRET_WORDS = ("password", "secret", "token", "hash")
_cli_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("pm_cli_actor", default=None)
_installed = False


class Audited:
    """Mixin marking a business record whose changes are written to the audit log."""

    __audit_exclude__: tuple[str, ...] = ()
    # columns given a placeholder at first (a receipt's TMP-… number) and their real value later in the same
    # transaction: the log shows the real one on the record's creation, never the placeholder
    __audit_provisional__: tuple[str, ...] = ()


# table name -> (label, {field: label}); each area registers its tables for the audit log view
_TABLE_LABELS: dict[str, tuple] = {}


def register_labels(table_name: str, label, field_labels: dict, value_labels: dict | None = None) -> None:
    """Name a table, its fields and its coded values ({field: {code: label}}) for the audit log view."""
    _TABLE_LABELS[table_name] = (label, field_labels, value_labels or {})


def table_label(table_name: str) -> str:
    entry = _TABLE_LABELS.get(table_name)
    return str(entry[0]) if entry else table_name


# columns that are bookkeeping, not something a person changed: left out of the summary
_TECHNICAL_COLUMNS = {"id", "version"}


def field_label(fields: dict, key: str) -> str:
    """A column's label: its own, or that of the record it points at (cashier_id → 收费员), or of its list
    (building_ids → 楼栋); the column name only when the area named none."""
    candidates = [key]
    if key.endswith("_id"):
        candidates += [key[:-3], key[:-3] + "_name"]
    elif key.endswith("_ids"):
        candidates += [key[:-4] + "s"]
    elif key.endswith("_name"):
        candidates += [key[:-5]]
    for candidate in candidates:
        if fields.get(candidate):
            return str(fields[candidate])
    return key


def _referenced_class(table_name: str, key: str):
    """The mapped class a column of `table_name` points at (its foreign key), or None."""
    from flask_appbuilder import Model

    table = Model.metadata.tables.get(table_name)
    column = table.c.get(key) if table is not None else None
    if column is None or not column.foreign_keys:
        return None
    target = next(iter(column.foreign_keys)).column.table
    for mapper in Model.registry.mappers:
        if mapper.local_table is target:
            return mapper.class_
    return None


def record_name(cls, pk, cache: dict) -> str:
    """A referenced record by its name (a user by his full name), the id when it is gone."""
    key = (cls, pk)
    if key not in cache:
        from app.extensions import db

        try:
            obj = db.session.get(cls, int(pk))
        except (TypeError, ValueError):
            obj = None
        if obj is None:
            cache[key] = f"#{pk}"
        elif hasattr(obj, "get_full_name"):  # a user: the name the office knows him by
            cache[key] = (obj.get_full_name() or "").strip() or obj.username
        else:
            cache[key] = str(obj)
    return cache[key]


def _column_kind(table_name: str, key: str) -> str | None:
    """"datetime", "date" or "bool" for columns whose logged value needs saying in Chinese."""
    from flask_appbuilder import Model
    from sqlalchemy import Boolean, Date, DateTime

    table = Model.metadata.tables.get(table_name)
    column = table.c.get(key) if table is not None else None
    if column is None:
        return None
    for kind, types in (("datetime", DateTime), ("date", Date), ("bool", Boolean)):
        if isinstance(column.type, types):
            return kind
    return None


def _shown(value, kind: str | None) -> str:
    """A logged value as the pages show it: 是/否, 2026年11月20日 10:00."""
    from app.core.formatting import display_value, format_date, format_datetime

    try:
        if kind == "datetime" and isinstance(value, str):
            return format_datetime(datetime.fromisoformat(value))
        if kind == "date" and isinstance(value, str):
            return format_date(date.fromisoformat(value))
    except ValueError:
        return value
    return str(display_value(value)) if isinstance(value, bool) else str(value)


def describe_changes(table_name: str, changes: str) -> str:
    """Changes as people read them: 建筑面积(㎡)：89.50 → 88.88; 备注：→ 新值; 维修人员：王师傅."""
    try:
        data = json.loads(changes or "{}")
    except ValueError:
        return changes or ""
    _, fields, values = _TABLE_LABELS.get(table_name, (None, {}, {}))
    names: dict = {}
    parts = []
    for key, pair in data.items():
        if key in _TECHNICAL_COLUMNS or not isinstance(pair, list) or len(pair) != 2:
            continue
        label = field_label(fields, key)
        codes = values.get(key, {})
        referenced = _referenced_class(table_name, key) if key.endswith("_id") else None
        if referenced is not None:
            old, new = ("" if v is None else record_name(referenced, v, names) for v in pair)
        else:
            kind = _column_kind(table_name, key)
            old, new = ("" if v is None else _shown(codes.get(v, v) if isinstance(v, str) else v, kind) for v in pair)
        parts.append(f"{label}：{old} → {new}" if old != "" else f"{label}：{new}")
    return "；".join(parts)


def set_cli_actor(name: str | None) -> None:
    """Name the actor of changes made outside a request (CLI, seeds)."""
    _cli_actor.set(name)


def current_actor() -> tuple[int | None, str]:
    try:
        from flask import g, has_request_context

        if has_request_context():
            user = getattr(g, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                return user.id, user.username
    except Exception:  # pragma: no cover - outside Flask
        pass
    return None, _cli_actor.get() or "system"


def _plain(value):
    if value is None or isinstance(value, (str, int, bool, float)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return str(value)


def _secret(key: str) -> bool:
    return any(word in key.lower() for word in _SECRET_WORDS)


def _masker(key: str):
    from app.core import masking

    return {"id_number": masking.mask_id_number, "phone": masking.mask_phone}.get(key, masking.mask_text)


def _changes(obj, action: str) -> dict:
    out = _raw_changes(obj, action)
    # personal data (PIPL) is written masked: the log says that it changed, not what it is
    for key in getattr(obj, "__audit_masked__", ()):
        if key in out:
            mask = _masker(key)
            out[key] = [mask(v) if isinstance(v, str) else v for v in out[key]]
    return out


def _raw_changes(obj, action: str) -> dict:
    state = inspect(obj)
    out = {}
    exclude = set(getattr(obj, "__audit_exclude__", ()))
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in exclude or _secret(key):
            continue
        hist = state.attrs[key].history
        if action == "create":
            value = getattr(obj, key)
            if value is not None:
                out[key] = [None, _plain(value)]
        elif action == "delete":
            value = hist.unchanged[0] if hist.unchanged else (hist.deleted[0] if hist.deleted else None)
            if value is not None:
                out[key] = [_plain(value), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _plain(old) != _plain(new):
                out[key] = [_plain(old), _plain(new)]
    return out


def _row(obj, action: str) -> dict | None:
    changes = _changes(obj, action)
    if action == "update" and not changes:
        return None
    user_id, username = current_actor()
    pk = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "at": clock.now(),
        "user_id": user_id,
        "username": username,
        "action": action,
        "table_name": obj.__tablename__,
        "record_id": ",".join(str(p) for p in pk if p is not None),
        "record_label": str(obj)[:255],
        "changes": json.dumps(changes, ensure_ascii=False),
    }


def _after_flush(session: Session, _ctx) -> None:
    rows = []
    created = session.info.setdefault(_CREATED_KEY, {})
    for action, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if isinstance(obj, Audited):
                if action == "update" and not session.is_modified(obj, include_collections=False):
                    continue
                row = _row(obj, action)
                if row and action == "update" and getattr(obj, "__audit_provisional__", ()):
                    row = _settle_provisional(session, obj, row, created)
                if row:
                    rows.append(row)
                    if action == "create" and getattr(obj, "__audit_provisional__", ()):
                        created[(row["table_name"], row["record_id"])] = json.loads(row["changes"])
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


_CREATED_KEY = "pm_audit_created"  # session.info: records with provisional columns created in this transaction


def _settle_provisional(session: Session, obj, row: dict, created: dict) -> dict | None:
    """The real values of a record's provisional columns, set in the transaction that created it, go into
    its creation's row (still uncommitted, like the record); the update row keeps only the other changes."""
    key = (row["table_name"], row["record_id"])
    if key not in created:
        return row
    changes = json.loads(row["changes"])
    settled = {k: changes.pop(k) for k in obj.__audit_provisional__ if k in changes}
    if settled:
        first = created[key]
        first.update({k: [None, pair[1]] for k, pair in settled.items()})
        table = AuditLog.__table__
        same = (table.c.table_name == key[0], table.c.record_id == key[1], table.c.action == "create")
        latest = select(func.max(table.c.id)).where(*same).scalar_subquery()
        session.connection().execute(
            update(table)
            .where(table.c.id == latest)
            .values(changes=json.dumps(first, ensure_ascii=False), record_label=row["record_label"])
        )
    if not changes:
        return None
    return dict(row, changes=json.dumps(changes, ensure_ascii=False))


def _forget_created(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CREATED_KEY, None)


def _event_row(action: str, table_name: str, record_id, label: str, detail: dict) -> dict:
    user_id, username = current_actor()
    return {
        "at": clock.now(), "user_id": user_id, "username": username, "action": action,
        "table_name": table_name, "record_id": str(record_id), "record_label": label[:255],
        "changes": json.dumps(detail, ensure_ascii=False),
    }


def log_event(session: Session, action: str, table_name: str, record_id, label: str, detail: dict) -> None:
    """Write a non-change event (e.g. an unmasked view of personal data)."""
    session.connection().execute(insert(AuditLog.__table__), [_event_row(action, table_name, record_id, label,
                                                                          detail)])


_KEPT_KEY = "pm_audit_kept"


def log_event_kept(action: str, table_name: str, record_id, label: str, detail: dict) -> None:
    """Write a non-change event that must stay even when the request's work is refused and rolled back (an
    attempt a rule refused): in a request, it is written when the request's answer is ready, in a transaction
    of its own, after whatever the request left uncommitted has been dropped; outside a request, now, in the
    session (the caller commits)."""
    from flask import after_this_request, g, has_request_context

    from app.extensions import db

    row = _event_row(action, table_name, record_id, label, detail)
    if not has_request_context():
        db.session.connection().execute(insert(AuditLog.__table__), [row])
        return
    pending = g.get(_KEPT_KEY)
    if pending is None:
        pending = []
        setattr(g, _KEPT_KEY, pending)
        after_this_request(_write_kept)
    pending.append(row)


def _write_kept(response):
    import logging

    from flask import g

    from app.extensions import db

    rows = g.pop(_KEPT_KEY, [])
    if rows:
        try:
            db.session.rollback()  # the request's answer is made: what it did not commit is dropped anyway
            db.session.connection().execute(insert(AuditLog.__table__), rows)
            db.session.commit()
        except Exception:
            db.session.rollback()
            logging.getLogger(__name__).exception("audit events of a refused attempt could not be written")
    return response


def init_audit() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_transaction_end", _forget_created)
        _installed = True
