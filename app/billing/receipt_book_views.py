"""Pages of 票据: issue a receipt book to a cashier (项目经理), void a spoiled sheet, take the book back, and the
report of every book's state and gaps. Thin: the rules are in app.billing.receipt_books."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import DatePickerWidget, Select2Widget
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import DataRequired

from app.core import clock
from app.core.audit import register_labels
from app.billing import receipt_books
from app.billing.models import BOOK_STATES, SHEET_STATES, ReceiptBook
from app.core.rules import RuleViolation, as_id
from app.core.views import PMModelView, choice_formatter, current_actor, flash_errors
from app.estate import services as estate_services
from app.extensions import db

LABELS = receipt_books.LABELS


def _name(user) -> str:
    return (user.get_full_name() or "").strip() or user.username


class ReceiptBookView(PMModelView):
    """Receipt books: issue (项目经理), see a book's sheets, void a spoiled one, take the book back."""

    datamodel = SQLAInterface(ReceiptBook)
    route_base = "/receipt-books"
    list_title = _l("Receipt books")
    add_title = _l("Issue a receipt book")
    show_title = _l("Receipt book")
    base_permissions = ["can_list", "can_show", "can_add", "can_void", "can_hand_back"]
    label_columns = LABELS
    list_columns = ["community", "series", "first_no", "last_no", "cashier_name", "issued_on", "state",
                    "returned_on"]
    show_columns = ["community", "series", "first_no", "last_no", "cashier_name", "issued_on", "issued_by", "state",
                    "returned_on", "returned_by", "note"]
    add_columns = ["community", "series", "first_no", "last_no", "cashier", "issued_on", "note"]
    edit_columns = add_columns  # (no edit page)
    search_columns = ["community", "series", "cashier_name", "state", "issued_on"]
    base_order = ("id", "desc")
    show_template = "billing/receipt_book_show.html"
    formatters_columns = {"state": choice_formatter(BOOK_STATES)}
    add_form_extra_fields = {
        "cashier": QuerySelectField(LABELS["cashier"], query_func=receipt_books.cashiers, get_pk_func=lambda u: u.id,
                                    get_label=_name, allow_blank=True, blank_text=_l("Choose the cashier"),
                                    widget=Select2Widget(), validators=[DataRequired()]),
        "issued_on": DateField(LABELS["issued_on"], default=clock.today, widget=DatePickerWidget(),
                               validators=[DataRequired()]),
    }
    rule_check = receipt_books.check_book

    def pre_add(self, item):
        receipt_books.prepare_book(item, current_actor())

    @expose("/void/<int:pk>", methods=["POST"])
    @has_access
    def void(self, pk):
        if db.session.get(ReceiptBook, pk) is None:
            abort(404)
        try:
            sheet = receipt_books.void_sheet(pk, request.form.get("number"), request.form.get("reason", ""),
                                             current_actor())
            db.session.commit()
            flash(gettext("Sheet %(no)s voided.", no=sheet.label), "success")
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        return redirect(url_for("ReceiptBookView.show", pk=pk))

    @expose("/return/<int:pk>", methods=["POST"])
    @has_access
    def hand_back(self, pk):
        if db.session.get(ReceiptBook, pk) is None:
            abort(404)
        try:
            receipt_books.return_book(pk, current_actor())
            db.session.commit()
            flash(gettext("The book has been taken back."), "success")
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        return redirect(url_for("ReceiptBookView.show", pk=pk))


class ReceiptBookReportView(BaseView):
    """票据 report: every book's range, cashier, state, sheets used, voided and unused, and its gaps."""

    route_base = "/receipt-book-report"
    default_view = "index"
    base_permissions = ["can_index"]

    @expose("/")
    @has_access
    def index(self):
        communities = estate_services.communities()
        community_id = as_id(request.args.get("community"))
        rows = receipt_books.book_report(community_id if community_id and community_id > 0 else None)
        return self.render_template("billing/receipt_book_report.html", rows=rows, communities=communities,
                                    community_id=community_id, states=BOOK_STATES)


def _page_helpers() -> dict:
    return {
        "receipt_book": lambda pk: db.session.get(ReceiptBook, int(pk)),
        "receipt_book_row": lambda book: receipt_books.book_report(book_id=book.id)[0],
        "receipt_sheet_state": lambda state: str(SHEET_STATES.get(state, state)),
        "receipt_sheets_of": receipt_books.sheets_of,
    }


def register(appbuilder, category: dict) -> None:
    register_labels(ReceiptBook.__tablename__, _l("Receipt book"), LABELS, {"state": BOOK_STATES})
    appbuilder.add_view(ReceiptBookReportView, "Receipt books report", label=_l("Receipt books report"),
                        icon="fa-bar-chart", **category)
    appbuilder.add_view(ReceiptBookView, "Receipt books", label=_l("Receipt books"), icon="fa-book", **category)
    current_app.jinja_env.globals.update(_page_helpers())
