"""Pages of 公共收益: the ledger's entries (record; the 项目经理 reverses; never edited or deleted) and the month's
account of a community, with its Excel file. Thin: the rules are in app.billing.public_income."""

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fieldwidgets import DatePickerWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField
from wtforms.validators import DataRequired

from app.core import clock
from app.billing import public_income
from app.billing.models import PUBLIC_KINDS, PublicEntry
from app.billing.report_views import MonthReportView
from app.core.audit import register_labels
from app.core.excel import Sheet, write_workbook, xlsx_response
from app.core.formatting import format_datetime, format_money
from app.core.rules import RuleViolation
from app.core.views import PMModelView, choice_formatter, choice_select, current_actor, flash_errors
from app.extensions import db

LABELS = public_income.LABELS


class PublicEntryView(PMModelView):
    """The entries of the 公共收益 ledger, newest first; one is recorded here and reversed from its page."""

    datamodel = SQLAInterface(PublicEntry)
    route_base = "/public-income-entries"
    list_title = _l("Common-area income and expenses")
    add_title = _l("Record common-area income or an expense")
    show_title = _l("Ledger entry")
    base_permissions = ["can_list", "can_show", "can_add", "can_reverse"]
    label_columns = LABELS
    list_columns = ["on_date", "community", "kind", "category", "amount", "description", "counterparty",
                    "voucher_no", "by_name"]
    show_columns = ["on_date", "community", "kind", "category", "amount", "description", "counterparty",
                    "voucher_no", "reverses", "by_name", "at"]
    add_columns = ["community", "on_date", "category", "amount", "description", "counterparty",
                   "voucher_no"]
    edit_columns = add_columns  # (no edit page: an entry is reversed, never edited)
    search_columns = ["community", "on_date", "kind", "category", "description", "counterparty", "voucher_no",
                      "by_name"]
    base_order = ("id", "desc")
    show_template = "billing/public_entry_show.html"
    formatters_columns = {"amount": format_money, "at": format_datetime,
                          "kind": choice_formatter(PUBLIC_KINDS), "category": public_income.category_label}
    add_form_extra_fields = {
        "category": choice_select(LABELS["category"], public_income.all_categories(), "advertising"),
        "on_date": DateField(LABELS["on_date"], default=clock.today, widget=DatePickerWidget(),
                             validators=[DataRequired()]),
    }
    rule_check = public_income.check_entry

    def pre_add(self, item):
        public_income.prepare_entry(item, current_actor())

    def post_add(self, item):
        g.pm_added_entry = item

    def post_add_redirect(self):
        """To the month's account the new entry is in: the clerk sees it counted."""
        item = g.pop("pm_added_entry", None)
        if item is None:
            return super().post_add_redirect()
        return redirect(url_for("PublicLedgerView.index", community=item.community_id,
                                month=item.on_date.strftime("%Y-%m")))

    @expose("/reverse/<int:pk>", methods=["POST"])
    @has_access
    def reverse(self, pk):
        if db.session.get(PublicEntry, pk) is None:
            abort(404)
        try:
            reversal = public_income.reverse_entry(pk, current_actor(), request.form.get("reason", ""))
            db.session.commit()
            flash(gettext("Entry %(id)d reversed by entry %(reversal)d.", id=pk, reversal=reversal.id), "success")
            return redirect(url_for("PublicEntryView.show", pk=reversal.id))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        return redirect(url_for("PublicEntryView.show", pk=pk))


class PublicLedgerView(MonthReportView):
    """公共收益 account of a month: brought forward, income and expenses by category, carried forward."""

    route_base = "/public-income"
    base_permissions = ["can_index", "can_export"]

    @expose("/")
    @has_access
    def index(self):
        year, month, community_id, _ok = self._args()
        account = public_income.month_account(community_id, year, month) if community_id else None
        return self._page("billing/public_ledger.html", year, month, community_id, account=account,
                          category_label=public_income.category_label, kinds=PUBLIC_KINDS,
                          can_add=self.appbuilder.sm.has_access("can_add", "PublicEntryView"))

    @expose("/export")
    @has_access
    def export(self):
        year, month, community_id, ok = self._args()
        if not ok or community_id is None:
            return self._back(year, month, community_id)
        account = public_income.month_account(community_id, year, month)
        stamp = account["month"]
        return xlsx_response(account_workbook(account), gettext("Common-area income") + f"-{stamp}.xlsx",
                             f"public-income-{stamp}.xlsx")


def account_workbook(account: dict) -> bytes:
    """The month's account as .xlsx: the summary by category, and every entry of the month."""
    summary = [[gettext("Community"), account["community"].name, None],
               [gettext("Month"), account["month"], None],
               [gettext("Balance brought forward (yuan)"), None, account["opening"]]]
    for kind in ("income", "expense"):
        section = account[kind]
        summary += [[section["label"], line["label"], line["amount"]] for line in section["lines"]]
        summary.append([section["label"], gettext("Total"), section["total"]])
    summary.append([gettext("Balance carried forward (yuan)"), None, account["closing"]])
    entries = [[e.on_date, str(PUBLIC_KINDS.get(e.kind, e.kind)), public_income.category_label(e.category),
                e.amount, e.description, e.counterparty, e.voucher_no, e.reverses_id, e.by_name]
               for e in account["entries"]]
    return write_workbook([
        Sheet(gettext("Summary"), [gettext("Item"), gettext("Category"), gettext("Amount (yuan)")], summary),
        Sheet(gettext("Entries"), [str(LABELS[name]) for name in ("on_date", "kind", "category", "amount",
                                                                  "description", "counterparty", "voucher_no",
                                                                  "reverses", "by_name")], entries),
    ])


def _page_helpers() -> dict:
    def reversed_by(entry):
        return db.session.scalar(select(PublicEntry.id).where(PublicEntry.reverses_id == entry.id))

    return {
        "public_entry": lambda pk: db.session.get(PublicEntry, int(pk)),
        "public_reversed_by": reversed_by,
        "public_may_reverse": lambda entry: public_income.reversal_problem(entry, current_actor()) is None,
    }


def register(appbuilder, category: dict) -> None:
    register_labels(PublicEntry.__tablename__, _l("Common-area income ledger"), LABELS,
                    {"kind": PUBLIC_KINDS, "category": public_income.all_categories()})
    appbuilder.add_view(PublicLedgerView, "Common-area income", label=_l("Common-area income"),
                        icon="fa-university", **category)
    appbuilder.add_view(PublicEntryView, "Common-area income entries", label=_l("Common-area income entries"),
                        icon="fa-list-alt", **category)
    current_app.jinja_env.globals.update(_page_helpers())
