"""What a work order's pages add to FAB's views: the 派工单 print and the contact number on the order's page.

Both show the caller's contact number as service.contact decides for the user (unmasked to the staff who
must call him, audited; masked for everybody else). Plumbing only: the rule lives in service.contact.
"""
from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.core.views import current_actor
from app.core.ids import parse_ids
from app.extensions import db
from app.service.contact import FIELD, may_see_contact, shown_contact_number


class WorkOrderPages:
    """Mixin of WorkOrderView (and the views of filtered lists of orders that inherit from it)."""

    def _get_show_widget(self, pk, item, *args, **kwargs):
        widgets = super()._get_show_widget(pk, item, *args, **kwargs)
        actor = current_actor()
        shown = shown_contact_number(item, actor, via="page")
        if may_see_contact(item, actor):
            db.session.commit()  # the disclosure's audit row
        show = widgets["show"]
        show.template_args["formatters_columns"] = {**show.template_args["formatters_columns"],
                                                    FIELD: lambda _value: shown}
        return widgets

    @action("print_orders", _l("Print work order forms"), icon="fa-print", multiple=True, single=False)
    def print_orders(self, items):
        items = items if isinstance(items, list) else [items]
        return redirect(url_for(f"{type(self).__name__}.print_form", ids=",".join(str(i.id) for i in items)))

    @expose("/print/")
    @has_access
    def print_form(self):
        from app.estate.printing import pdf_response
        from app.service import printing

        ids = parse_ids(request.args.get("ids", ""))
        if ids is None:
            abort(400)
        if not ids:
            flash(gettext("Please choose the work orders to print."), "warning")
            return redirect(url_for(f"{type(self).__name__}.list"))
        try:
            orders = printing.orders_for_print(ids)
        except ValueError as exc:
            flash(str(exc), "warning")
            return redirect(url_for(f"{type(self).__name__}.list"))
        if not orders:
            abort(404)
        pdf = printing.work_orders_pdf(orders, viewer=current_actor())
        db.session.commit()  # the audit rows of the numbers shown unmasked
        return pdf_response(pdf, gettext("Work order form"))
