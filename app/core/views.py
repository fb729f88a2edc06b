"""Base classes every area's views and APIs use, and the audit log view.

A view names its service's rule check (`rule_check`); the add and edit forms run
it after the field validators and show each message beside its field, so a bad
form is shown again with its input, saved nothing. The REST API runs the same
check and answers 422 with the same messages.
"""
from flask import flash
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect

from app.core.formatting import format_datetime
from app.core.models import AuditLog
from app.core.rules import RuleViolation
from app.extensions import db

AUDIT_ACTIONS = {
    "create": _l("Created"),
    "update": _l("Updated"),
    "delete": _l("Deleted"),
    "view": _l("Viewed personal data"),
}


def _values_of(obj) -> dict:
    mapper = sa_inspect(type(obj))
    keys = [a.key for a in mapper.column_attrs] + [r.key for r in mapper.relationships]
    return {key: getattr(obj, key) for key in keys}


def _with_rules(form_cls, view):
    """A form class whose validate() also runs the view's service rule check."""

    class RuledForm(form_cls):
        def validate(self, extra_validators=None):
            if not super().validate(extra_validators=extra_validators):
                return False
            pk = getattr(self, "_id", None)
            values = {}
            if pk is not None:
                item = view.datamodel.get(pk)
                if item is not None:
                    values = _values_of(item)
            values.update({name: field.data for name, field in self._fields.items()})
            errors = type(view).rule_check(values, pk)
            for name, message in errors.items():
                field = self._fields.get(name)
                if field is not None:
                    field.errors = list(field.errors) + [message]
                else:
                    flash(message, "danger")
            return not errors

    RuledForm.__name__ = form_cls.__name__
    return RuledForm


class PMModelView(ModelView):
    """ModelView with the house rules: service checks, protected deletes."""

    rule_check = None  # callable(values, pk) -> {field: message}
    prepare = None  # callable(obj): normalise before save
    delete_check = None  # callable(obj) -> {field: message}
    page_size = 20

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.rule_check is not None:
            self.add_form = _with_rules(self.add_form, self)
            self.edit_form = _with_rules(self.edit_form, self)

    def pre_add(self, item):
        if self.prepare is not None:
            type(self).prepare(item)

    def pre_update(self, item):
        if self.prepare is not None:
            type(self).prepare(item)

    def pre_delete(self, item):
        if self.delete_check is not None:
            errors = type(self).delete_check(item)
            if errors:
                raise RuleViolation(errors)


class PMModelRestApi(ModelRestApi):
    """ModelRestApi running the same service checks; bad input answers 422, changes nothing."""

    rule_check = None
    prepare = None
    delete_check = None
    page_size = 20

    def _check(self, item, pk=None):
        if self.rule_check is not None:
            errors = type(self).rule_check(_values_of(item), pk)
            if errors:
                raise RuleViolation(errors)
        if self.prepare is not None:
            type(self).prepare(item)

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item, self.datamodel.get_pk_value(item))

    def pre_delete(self, item):
        if self.delete_check is not None:
            errors = type(self).delete_check(item)
            if errors:
                raise RuleViolation(errors)

    def _guarded(self, fn, *args):
        try:
            return fn(*args)
        except RuleViolation as exc:
            db.session.rollback()
            return self.response_422(message={k or "_schema": [str(v)] for k, v in exc.errors.items()})

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(super().put_headless, pk)

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)


class AuditLogView(ModelView):
    """管理员/项目经理: list and filter the audit log. Read-only."""

    datamodel = SQLAInterface(AuditLog)
    route_base = "/audit"
    base_permissions = ["can_list", "can_show"]
    list_title = _l("Audit log")
    show_title = _l("Audit entry")
    list_columns = ["at", "username", "action", "table_name", "record_id", "record_label", "changes"]
    show_columns = list_columns
    search_columns = ["at", "username", "action", "table_name", "record_id", "record_label"]
    base_order = ("at", "desc")
    label_columns = {
        "at": _l("Time"),
        "username": _l("User"),
        "action": _l("Action"),
        "table_name": _l("Table"),
        "record_id": _l("Record ID"),
        "record_label": _l("Record"),
        "changes": _l("Changes"),
    }
    formatters_columns = {
        "at": format_datetime,
        "action": lambda v: str(AUDIT_ACTIONS.get(v, v)),
    }
    page_size = 50


def register(appbuilder) -> None:
    appbuilder.add_view(
        AuditLogView,
        "Audit log",
        label=_l("Audit log"),
        icon="fa-history",
        category="System",
        category_label=_l("System"),
        category_icon="fa-cogs",
    )

