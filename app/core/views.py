"""Base classes every area's views and APIs use, and the audit log view.

A view names its service's rule check (`rule_check`); the add and edit forms run
it after the field validators and show each message beside its field, so a bad
form is shown again with its input, saved nothing. The REST API runs the same
check and answers 422 with the same messages.
"""
import json
from decimal import Decimal, InvalidOperation

from flask import abort, flash, request
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect

from app.core import history
from app.core.audit import table_label
from app.core.formatting import format_datetime
from app.core.ids import parse_ids, too_large
from app.core.redirects import safe_next
from app.core.models import AuditLog
from app.core.rules import RuleViolation
from app.core.validators import date_errors
from app.extensions import db

MAX_API_PAGE = 1_000_000  # an API list's page number at most (page × page size stays a 64-bit offset)

AUDIT_ACTIONS = {
    "create": _l("Created"),
    "update": _l("Updated"),
    "delete": _l("Deleted"),
    "view": _l("Viewed personal data"),
    "lookup": _l("Looked up personal data (not shown)"),
    "import": _l("Imported"),
}


def choice_select(label, choices: dict, default=None, required=True):
    """A form's select of coded values ({code: label}); optional ones start with an empty choice."""
    from flask_appbuilder.fieldwidgets import Select2Widget
    from wtforms import SelectField
    from wtforms.validators import DataRequired, Optional

    items = [(k, v) for k, v in choices.items()]
    if not required:
        items = [("", "")] + items
    return SelectField(label, choices=items, default=default, widget=Select2Widget(),
                       validators=[DataRequired()] if required else [Optional()])


def choice_formatter(choices: dict):
    """Show a coded value by its label in lists and record pages."""
    return lambda value: str(choices.get(value, value or ""))


def flash_errors(errors: dict) -> None:
    from flask import flash

    for message in errors.values():
        flash(message, "danger")


def current_actor():
    """The logged-in user as the services' Actor."""
    from flask import g

    from app.core.rules import Actor

    return Actor.of(g.user)


def _values_of(obj) -> dict:
    mapper = sa_inspect(type(obj))
    keys = [a.key for a in mapper.column_attrs] + [r.key for r in mapper.relationships]
    return {key: getattr(obj, key) for key in keys}


def add_field_error(field, message) -> None:
    """Show a rule's message beside its field. FAB renders errors through Jinja's _(), which
    %-formats them: a literal % (as in "100%") must arrive doubled."""
    field.errors = list(field.errors) + [message.replace("%", "%%")]


def _blank_if_none(value):
    return "" if value is None else value


def _apply_column_defaults(item) -> None:
    """Give a new record its columns' plain defaults now, so rules see what will be stored."""
    for column_attr in sa_inspect(type(item)).column_attrs:
        column = column_attr.columns[0]
        default = getattr(column, "default", None)
        if getattr(item, column_attr.key) is None and default is not None and default.is_scalar:
            setattr(item, column_attr.key, default.arg)


def _with_date_checks(form_cls, view):
    """A form class whose validate() also holds every date and time field to the plausible window, and each
    end to its start (from the form, or the record when the form does not show it)."""
    from wtforms import DateField, DateTimeField

    class DatedForm(form_cls):
        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators=extra_validators)
            dated = {name for name, field in self._fields.items() if isinstance(field, (DateField, DateTimeField))}
            if not dated:
                return ok
            pk = getattr(self, "_id", None)
            item = view.datamodel.get(pk) if pk is not None else None
            values = _values_of(item) if item is not None else {}
            values.update({name: self._fields[name].data for name in dated})
            labels = {name: field.label.text for name, field in self._fields.items()}
            labels.update({k: v for k, v in view.label_columns.items() if k not in labels})
            for name, message in date_errors(values, labels, only=dated).items():
                add_field_error(self._fields[name], message)
                ok = False
            return ok

    DatedForm.__name__ = form_cls.__name__
    return DatedForm


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
            before = dict(values)
            for name, field in self._fields.items():
                # personal data is never put into an edit form: blank there means "keep as it is"
                if pk is not None and name in view.keep_if_blank and not (field.data or "").strip():
                    field.data = values.get(name)
                values[name] = field.data
            errors = type(view).rule_check(values, pk) if view.rule_check is not None else {}
            if pk is not None and view.history_fields:
                reason = self._fields["correction_reason"].data if "correction_reason" in self._fields else None
                changes = history.fact_changes(before, values, view.history_fields)
                errors = {**history.correction_problems(changes, current_actor().roles, view.correctors, reason),
                          **errors}
            for name, message in errors.items():
                field = self._fields.get(name)
                if field is not None:
                    add_field_error(field, message)
                else:
                    flash(message, "danger")
            return not errors

    RuledForm.__name__ = form_cls.__name__
    return RuledForm


class SafeModelViewMixin:
    """Put before ModelView in every view's bases (ours and FAB's security views).

    - FAB's ModelView serves attachments at /download/<filename> from UPLOAD_FOLDER, which this app has not
      (a 500). No record of ours has a file column, so the route is not made at all (a name without a route
      answers 404) and no can_download permission is created.
    - FAB's /action/<name>/<pk> and /action_post look the action up without checking it exists, and hand the
      action the records without checking they exist (a 500 for either): an action the view has not, or an
      id that names no record the view lists (its base filters apply), answers 404 with a Chinese message.
    - FAB sorts a list (and a show page's related lists) by the column ?_oc_<View>= names without checking it
      is one the list offers (a 500): any other answers 400.
    """

    download = None

    def _action_must_exist(self, name) -> None:
        if name not in (self.actions or {}):
            flash(gettext("This page has no such action."), "danger")
            abort(404)

    def _records_must_exist(self, pks) -> None:
        ids = parse_ids(pks)
        if not ids or any(self.datamodel.get(pk, self._base_filters) is None for pk in ids):
            flash(gettext("The chosen record does not exist or has been deleted."), "danger")
            abort(404)

    def _get_list_widget(self, **kwargs):
        column = kwargs.get("order_column")
        if column and column not in (self.order_columns or ()) and column != (self.base_order or ("",))[0]:
            abort(400)
        return super()._get_list_widget(**kwargs)

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        self._action_must_exist(name)
        self._records_must_exist([pk])
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        self._action_must_exist(request.form.get("action", ""))
        self._records_must_exist(request.form.getlist("rowid"))
        return super().action_post()


class PMModelView(SafeModelViewMixin, ModelView):
    """ModelView with the house rules: service checks, protected deletes."""

    rule_check = None  # callable(values, pk) -> {field: message}
    prepare = None  # callable(obj): normalise before save
    keep_if_blank: tuple[str, ...] = ()  # personal fields: shown empty when editing, blank keeps the value
    delete_check = None  # callable(obj) -> {field: message}
    # rows of history: changing a fact already recorded is a correction (app.core.history), made only by these
    # roles and with a reason (the edit form's correction_reason field)
    history_fields: tuple[str, ...] = ()
    correctors: frozenset = frozenset()
    page_size = 20
    # 导出 Excel on the list header: the view's own export of what the list shows, or a dedicated endpoint
    # ("ExportView.owners") that reads the list's search the same way; False for none
    excel_endpoint: str | None = None
    excel_export = True
    # {column: [BaseFilter subclass, ...]}: offered first in the list's search for that column (the default choice)
    first_filters: dict = {}

    def __init__(self, **kwargs):
        self.label_columns = dict(self.label_columns or {})  # FAB adds to it: never share the area's dict
        if self.base_permissions is not None and "can_list" in self.base_permissions and self.excel_export \
                and not self.excel_endpoint and "can_export" not in self.base_permissions:
            self.base_permissions = [*self.base_permissions, "can_export"]
        super().__init__(**kwargs)
        for column, filter_classes in self.first_filters.items():
            # FAB offers the search's filters from one dict and applies ?_flt_<index>_<column> from another
            first = [cls(column, self.datamodel) for cls in filter_classes]
            for table in (self._filters.get_search_filters(), self._filters._all_filters):
                table[column] = first + list(table.get(column, []))
        # an empty value shows as nothing, not "None"
        formatters = dict(self.formatters_columns or {})
        for column in set(self.list_columns or []) | set(self.show_columns or []):
            formatters.setdefault(column, _blank_if_none)
        self.formatters_columns = formatters
        self.add_form = _with_date_checks(self.add_form, self)
        self.edit_form = _with_date_checks(self.edit_form, self)
        if self.rule_check is not None:
            self.add_form = _with_rules(self.add_form, self)
        if self.rule_check is not None or self.history_fields:
            self.edit_form = _with_rules(self.edit_form, self)

    def _refuse_huge_filters(self) -> None:
        """A number beyond 64 bits in the list's search of a whole-number column (?_flt_0_floor=…): 400 before
        the query, which the database's integer could not hold."""
        import re

        from flask import abort

        for key, value in request.args.items(multi=True):
            match = re.fullmatch(r"_flt_[0-9]+_(.+)", key)
            try:
                whole = match is not None and self.datamodel.is_integer(match.group(1))
            except Exception:  # not a column: FAB ignores the filter
                whole = False
            if whole and any(too_large(int(t)) for t in re.findall(r"[0-9]+", value[:1000], re.ASCII)):
                abort(400)

    def _list(self, **kwargs):
        from app.core.list_export import export_url

        self._refuse_huge_filters()

        if self.excel_export:
            kwargs.setdefault("excel_url", export_url(self))
        return super()._list(**kwargs)

    @expose("/export.xlsx")
    @has_access
    @permission_name("export")
    def export_xlsx(self):
        """The list as Excel: every row its search finds, the columns and masked values it shows."""
        from flask import redirect

        from app.core.list_export import ExportTooLarge, export_response

        if not self.excel_export or self.excel_endpoint:
            from flask import abort

            abort(404)
        self._refuse_huge_filters()
        try:
            return export_response(self)
        except ExportTooLarge as exc:
            flash(str(exc), "warning")
            return redirect(self.get_redirect())

    def get_redirect(self):
        """FAB's "back to where you were" (after a save, a delete, an action, an export refused): this site only.
        Where FAB knows no earlier page (a page opened from a link or a bookmark) it would go to the home page;
        the user lands on this view's list instead, the records he was working on."""
        from flask import url_for

        index = self.appbuilder.get_url_for_index
        url = safe_next(super().get_redirect(), index)
        if url.split("?")[0].rstrip("/") == index.rstrip("/"):
            return url_for(f"{self.endpoint}.list")
        return url

    def prefill_form(self, form, pk):
        for name in self.keep_if_blank:
            if name in form:
                form[name].data = ""

    def pre_add(self, item):
        if self.prepare is not None:
            type(self).prepare(item)

    def pre_update(self, item):
        if self.prepare is not None:
            type(self).prepare(item)
        if self.history_fields:
            self._keep_corrections(item)

    def _keep_corrections(self, item) -> None:
        """A recorded fact changed: by whom may, with the reason; what it said before is kept beside the row."""
        fields = self.history_fields
        changes = history.fact_changes(history.old_values(item, fields), {f: getattr(item, f) for f in fields},
                                       fields)
        reason = request.form.get("correction_reason")
        history.raise_if_problems(changes, current_actor().roles, self.correctors, reason)
        if changes:
            history.record_correction(db.session, item, changes, reason)

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
    # Staff use the API from the logged-in browser session too (SameSite cookie, JSON only).
    allow_browser_login = True

    def __init__(self, **kwargs):
        self.label_columns = dict(self.label_columns or {})  # FAB adds to it: never share the area's dict
        super().__init__(**kwargs)

    def _init_properties(self) -> None:
        """A masked column is neither filtered nor sorted on: either would tell its hidden digits apart."""
        super()._init_properties()
        hidden = set(self.mask_columns)
        self.order_columns = [c for c in self.order_columns if c not in hidden]
        if hidden & set(self.search_columns):
            self.search_columns = [c for c in self.search_columns if c not in hidden]
            self._filters = self.datamodel.get_filters(search_columns=self.search_columns,
                                                       search_filters=self.search_filters)

    def _handle_order_args(self, rison_args):
        from flask_appbuilder.exceptions import InvalidOrderByColumnFABException

        column = rison_args.get("order_column", "")
        if column and column not in self.order_columns:
            label = self.label_columns.get(column, column) if isinstance(column, str) else str(column)
            if isinstance(column, str) and column in self.mask_columns:
                message = gettext("%(label)s is masked personal data: the list cannot be sorted by it.", label=label)
            else:
                message = gettext("The list cannot be sorted by %(label)s.", label=label)
            raise InvalidOrderByColumnFABException(message)
        return super()._handle_order_args(rison_args)

    def get_list_headless(self, **kwargs):
        """`page` a whole number from 0 (the database refuses a negative offset, a 500 on PostgreSQL, and
        one beyond 64 bits), `page_size` a whole number (FAB caps it): anything else answers 400."""
        args = kwargs.get("rison") or {}
        page, size = args.get("page", 0), args.get("page_size", self.page_size)
        whole = all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in (page, size))
        if not whole or not 0 <= (page or 0) <= MAX_API_PAGE or abs(size or 0) > MAX_API_PAGE:
            return self.response_400(message=gettext("The page must be a whole number from 0 to %(max)d.",
                                                     max=MAX_API_PAGE))
        return super().get_list_headless(**kwargs)

    def _check(self, item, pk=None):
        with db.session.no_autoflush:  # the changed record is not written before its rules have been checked
            self._check_rules(item, pk)
        if self.prepare is not None:
            type(self).prepare(item)

    def _check_rules(self, item, pk) -> None:
        errors = {}
        # an id that names no record: marshmallow made a new, empty one, which a PUT's stored row has already
        # pulled into the session; reading the other relations must not flush it (IntegrityError, a 500)
        with db.session.no_autoflush:
            values = _values_of(item)
            for rel in sa_inspect(type(item)).relationships:
                related = values.get(rel.key)
                if rel.uselist or related is None:
                    continue
                if not sa_inspect(related).persistent:
                    label = self.label_columns.get(rel.key, rel.key)
                    errors[rel.key] = gettext("The chosen %(label)s does not exist.", label=label)
        if errors:
            raise RuleViolation(errors)
        body = request.get_json(silent=True)
        errors = date_errors(values, self.label_columns, only=set(body) if isinstance(body, dict) else None)
        if errors:
            raise RuleViolation(errors)
        if self.rule_check is not None:
            errors = type(self).rule_check(values, pk)
            if errors:
                raise RuleViolation(errors)

    def pre_add(self, item):
        _apply_column_defaults(item)
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

    def _is_text_column(self, name) -> bool:
        try:
            return self.datamodel.is_string(name) or self.datamodel.is_text(name)
        except Exception:  # not a column of the model: FAB refuses the filter itself
            return False

    def _handle_filters_args(self, rison_args):
        """A number typed for a text column is compared as text (PostgreSQL has no text = integer); a number
        too large for any column is refused (the database's integer would overflow)."""
        for flt in rison_args.get("filters") or []:
            if not isinstance(flt, dict):
                continue
            value = flt.get("value")
            if self._is_text_column(flt.get("col")):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    flt["value"] = str(value)
            elif too_large(value):
                raise FABException(gettext("The number in the filter is too large."))
        return super()._handle_filters_args(rison_args)

    def _too_large_errors(self) -> dict:
        """A number of the body beyond a 64-bit integer (an id or an amount) is refused before any query."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return {}
        return {key: [gettext("%(label)s is too large a number.", label=self.label_columns.get(key, key))]
                for key, value in body.items() if too_large(value)}

    def _precision_errors(self) -> dict:
        """Numbers with more decimals than their column keeps are refused, not rounded quietly."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return {}
        errors = {}
        for column_attr in sa_inspect(self.datamodel.obj).column_attrs:
            column_type = column_attr.columns[0].type
            scale = getattr(column_type, "scale", None)
            value = body.get(column_attr.key)
            if scale is None or value is None or isinstance(value, bool) or not isinstance(value, (int, float, str)):
                continue
            try:
                exponent = Decimal(str(value).strip()).as_tuple().exponent
            except (InvalidOperation, ValueError):
                continue
            if isinstance(exponent, int) and -exponent > scale:
                label = self.label_columns.get(column_attr.key, column_attr.key)
                errors[column_attr.key] = [gettext("%(label)s may have at most two decimals.", label=label)
                                           if scale == 2 else gettext("%(label)s has too many decimals.", label=label)]
        return errors

    # {column: masking function}: personal data leaves the API masked, in every answer
    mask_columns: dict = {}

    def _mask_row(self, row) -> None:
        if isinstance(row, dict):
            for key, mask in self.mask_columns.items():
                if isinstance(row.get(key), str):
                    row[key] = mask(row[key])

    def pre_get(self, data):
        self._mask_row(data.get("result"))

    def pre_get_list(self, data):
        for row in data.get("result", []):
            self._mask_row(row)

    def _masked_answer(self, response):
        if self.mask_columns and response.is_json and isinstance(response.get_json(), dict):
            body = response.get_json()
            self._mask_row(body.get("result"))
            response.set_data(json.dumps(body, ensure_ascii=False))
        return response

    def post_headless(self):
        errors = self._too_large_errors() or self._precision_errors()
        if errors:
            return self.response_422(message=errors)
        return self._masked_answer(self._guarded(super().post_headless))

    def put_headless(self, pk):
        errors = self._too_large_errors() or self._precision_errors()
        if errors:
            return self.response_422(message=errors)
        return self._masked_answer(self._guarded(super().put_headless, pk))

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)


class AuditLogView(SafeModelViewMixin, ModelView):
    """管理员/项目经理: list and filter the audit log. Read-only."""

    datamodel = SQLAInterface(AuditLog)
    route_base = "/audit"
    base_permissions = ["can_list", "can_show"]
    list_title = _l("Audit log")
    show_title = _l("Audit entry")
    search_columns = ["at", "username", "action", "table_name", "record_id", "record_label"]
    base_order = ("at", "desc")
    label_columns = {
        "at": _l("Time"),
        "username": _l("User"),
        "user_id": _l("User ID"),
        "action": _l("Action"),
        "table_name": _l("Table"),
        "record_id": _l("Record ID"),
        "record_label": _l("Record"),
        "changes": _l("Changes (raw)"),
        "change_summary": _l("Changes"),
    }
    list_columns = ["at", "username", "action", "table_name", "record_id", "record_label", "change_summary"]
    show_columns = ["at", "username", "action", "table_name", "record_id", "record_label", "change_summary", "changes"]
    formatters_columns = {
        "at": format_datetime,
        "action": lambda v: str(AUDIT_ACTIONS.get(v, v)),
        "table_name": table_label,
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

