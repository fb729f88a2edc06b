"""Pages of 费用收缴: fee items, billing runs (preview → commit, cancel), bill lines, the counter, receipts.

Thin: every rule is in app.billing.services; a refused step shows its Chinese message and changes nothing.
Bill lines and receipts have no edit or delete page at all.
"""
from decimal import Decimal

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectMultipleField
from wtforms.validators import Optional

from app.core import clock
from app.billing import services
from app.billing.models import (AREA_BASES, CYCLES, ENTRY_KINDS, FEE_METHODS, LINE_SOURCES, LINE_STATES,
                                METER_KINDS, PAY_METHODS, SHARE_BASES, PAYMENT_KINDS, PAYMENT_STATES, REMINDER_METHODS, RUN_STATES,
                                AccountEntry, BillingRun, BillLine, FeeItem, Payment, Reminder)
from app.core.audit import register_labels
from app.core.formatting import format_datetime, format_money
from app.core.rules import RuleViolation, as_id
from app.core.views import PMModelView, choice_formatter, choice_select, current_actor, flash_errors
from app.estate import services as estate_services
from app.estate.models import HOUSE_USAGES, Building, Community, House
from app.estate.services import search_households
from app.extensions import db

LABELS = services.LABELS
CATEGORY = dict(category="Billing", category_label=_l("Billing"), category_icon="fa-rmb")


class FeeItemView(PMModelView):
    datamodel = SQLAInterface(FeeItem)
    route_base = "/fee-items"
    list_title = _l("Fee items")
    add_title = _l("New fee item")
    edit_title = _l("Edit fee item")
    show_title = _l("Fee item")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = LABELS
    list_columns = ["community", "code", "name", "method", "unit_price", "cycle", "active"]
    add_columns = edit_columns = ["community", "code", "name", "method", "area_basis", "unit_price", "cycle",
                                  "start_month", "usages", "buildings", "vacant_percent", "late_fee_rate",
                                  "due_days", "meter_kind", "tiers", "common_meter", "share_basis", "active",
                                  "remark"]
    show_columns = add_columns
    search_columns = ["community", "code", "name", "method", "active"]
    base_order = ("code", "asc")
    formatters_columns = {"method": choice_formatter(FEE_METHODS), "cycle": choice_formatter(CYCLES),
                          "area_basis": choice_formatter(AREA_BASES),
                          "usages": lambda v: "、".join(str(HOUSE_USAGES.get(u, u)) for u in (v or "").split(",") if u)}
    description_columns = {
        "unit_price": _l("Per month: yuan per ㎡ for area items, per house or per space for fixed ones; the whole "
                         "amount for one-off items. Up to 4 decimals."),
        "usages": _l("Leave empty to bill houses of every use."),
        "buildings": _l("Leave empty to bill the whole community."),
        "vacant_percent": _l("Leave empty for the full amount."),
        "late_fee_rate": _l("Per day of delay, e.g. 0.0005; charged with the bill at the counter, never more than "
                            "the bill itself; leave empty for no late fee."),
        "start_month": _l("Quarterly and yearly items are billed in the runs of this month and every cycle after."),
        "meter_kind": _l("Meter items: which house meters they bill, (current − previous) × unit price."),
        "tiers": _l("Meter items, optional 阶梯价 per month: upper limit:price, … and the last price alone, e.g. "
                    "10:3.50, 20:4.20, 5.60 (up to 10 at 3.50, 10 to 20 at 4.20, above at 5.60)."),
        "common_meter": _l("Shared items: the common meter whose monthly cost (the utility's bill amount entered "
                           "with its reading, or usage × unit price) the houses it serves share."),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {"common_meter": [["scope", FilterEqual, "common"]]}
    add_form_extra_fields = edit_form_extra_fields = {
        "method": choice_select(LABELS["method"], FEE_METHODS, "area"),
        "meter_kind": choice_select(LABELS["meter_kind"], METER_KINDS, required=False),
        "share_basis": choice_select(LABELS["share_basis"], SHARE_BASES, required=False),
        "area_basis": choice_select(LABELS["area_basis"], AREA_BASES, "building_area"),
        "cycle": choice_select(LABELS["cycle"], CYCLES, "monthly"),
        "usages": SelectMultipleField(LABELS["usages"], choices=list(HOUSE_USAGES.items()), validators=[Optional()]),
    }
    rule_check = services.check_fee_item
    prepare = services.prepare_fee_item

    def process_form(self, form, is_created):
        # the uses are kept as one comma-separated column
        value = form.usages.data
        if isinstance(value, list):
            form.usages.data = ",".join(value)

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        item = db.session.get(FeeItem, pk)
        if item is not None:
            form.usages.data = [u for u in (item.usages or "").split(",") if u]


class BillingRunView(PMModelView):
    datamodel = SQLAInterface(BillingRun)
    route_base = "/billing-runs"
    list_title = _l("Billing runs")
    show_title = _l("Billing run")
    base_permissions = ["can_list", "can_show"]
    label_columns = LABELS
    list_columns = ["period", "community", "state", "line_count", "total", "settled_count", "created_at",
                    "created_by"]
    show_columns = ["period", "community", "state", "line_count", "total", "settled_count", "created_at",
                    "created_by", "cancelled_at", "cancelled_by", "cancel_reason"]
    search_columns = ["period", "community", "state"]
    add_columns = edit_columns = search_columns  # (no add or edit page: the run page makes runs)
    base_order = ("created_at", "desc")
    show_template = "billing/run_show.html"
    formatters_columns = {"state": choice_formatter(RUN_STATES), "total": format_money,
                          "created_at": format_datetime, "cancelled_at": format_datetime}


class BillLineView(PMModelView):
    """账单: read-only. A line changes only through the counter (paid) or its run (cancelled while unpaid)."""

    datamodel = SQLAInterface(BillLine)
    route_base = "/bills"
    list_title = _l("Bills")
    show_title = _l("Bill")
    base_permissions = ["can_list", "can_show"]
    # a bill's 收费内容 (物业服务费 2026-11), not the service desk's 问题描述 that "Description" says in Chinese
    label_columns = {**LABELS, "description": _l("Bill item")}
    list_columns = ["house", "description", "period", "amount", "due_date", "state", "payment"]
    show_columns = ["house", "parking_space", "fee_item", "description", "period", "quantity", "unit_price",
                    "months", "amount", "basis", "due_date", "state", "paid_at", "payment", "source", "run", "created_at"]
    search_columns = ["house", "period", "state", "fee_item", "source", "due_date", "run"]
    add_columns = edit_columns = search_columns  # (no add or edit page: never edited)
    base_order = ("id", "desc")
    formatters_columns = {"state": choice_formatter(LINE_STATES), "amount": format_money,
                          "source": choice_formatter(LINE_SOURCES), "paid_at": format_datetime,
                          "created_at": format_datetime}


class UnpaidBillView(BillLineView):
    route_base = "/unpaid-bills"
    list_title = _l("Unpaid bills")
    base_filters = [["state", FilterEqual, "unpaid"]]
    base_order = ("due_date", "asc")


class PaymentView(PMModelView):
    """收据: every payment and reversing entry; void, reverse and print from its page. Never edited or deleted."""

    datamodel = SQLAInterface(Payment)
    route_base = "/receipts"
    list_title = _l("Receipts")
    show_title = _l("Receipt")
    base_permissions = ["can_list", "can_show"]
    list_columns = ["receipt_no", "paid_at", "house", "payer_name", "amount", "method", "cashier_name", "state",
                    "kind"]
    show_columns = ["receipt_no", "kind", "state", "paid_at", "house", "payer_name", "lines_amount", "balance_used",
                    "prepaid", "amount", "method", "tendered", "change_given", "reference", "cashier_name", "remark",
                    "reason", "undone_by", "undone_at",
                    "reversal_of", "print_count", "reprint_count"]
    search_columns = ["receipt_no", "house", "payer_name", "paid_at", "method", "reference", "cashier_name", "state",
                      "kind"]
    add_columns = edit_columns = search_columns  # (no add or edit page: the counter makes receipts)
    base_order = ("id", "desc")
    show_template = "billing/receipt_show.html"
    label_columns = {**LABELS, "method": _l("Payment method")}
    formatters_columns = {"amount": format_money, "lines_amount": format_money, "prepaid": format_money,
                          "balance_used": format_money, "paid_at": format_datetime, "undone_at": format_datetime,
                          "method": choice_formatter(PAY_METHODS), "state": choice_formatter(PAYMENT_STATES),
                          "kind": choice_formatter(PAYMENT_KINDS)}


# ---------------------------------------------------------------------------- the run page


class RunForm:
    """The run page's values, read from the request (a plain form: preview and commit post the same fields)."""

    def __init__(self, values):
        self.community = values.get("community", "")
        self.period = (values.get("period") or "").strip()[:20]
        self.buildings = values.getlist("buildings") if hasattr(values, "getlist") else values.get("buildings", [])
        self.items = values.getlist("items") if hasattr(values, "getlist") else values.get("items", [])


class BillingRunPageView(BaseView):
    """生成账单: choose the community, the period and optionally buildings and items; preview; commit."""

    route_base = "/billing-run"
    default_view = "new"
    base_permissions = ["can_new", "can_cancel"]

    @expose("/", methods=["GET", "POST"])
    @has_access
    def new(self):
        communities = estate_services.communities()
        form = RunForm(request.form if request.method == "POST" else request.args)
        if request.method == "GET" and form.community and not any(str(c.id) == str(form.community).strip() for c in communities):
            flash(gettext("There is no such community; the first one is shown."), "warning")
            form.community = ""
        if not form.community and communities:
            form.community = str(communities[0].id)
        if not form.period:
            today = clock.today()
            form.period = f"{today.year}-{today.month:02d}"
        community_id = as_id(form.community)
        buildings = db.session.scalars(select(Building).where(Building.community_id == (community_id or 0))
                                       .order_by(Building.code)).all()
        items = db.session.scalars(select(FeeItem).where(FeeItem.community_id == (community_id or 0),
                                                        FeeItem.active.is_(True)).order_by(FeeItem.code)).all()
        plan = None
        if request.method == "POST":
            try:
                if request.form.get("commit"):
                    run = services.commit_run(form.community, form.period, current_actor(), form.buildings,
                                              form.items)
                    db.session.commit()
                    flash(gettext("Bills of %(period)s made: %(n)d lines, %(total)s in all; %(settled)d settled from "
                                  "pre-paid balances.", period=run.period, n=run.line_count,
                                  total=format_money(run.total), settled=run.settled_count), "success")
                    return redirect(url_for("BillingRunView.show", pk=run.id))
                plan = services.plan_run(form.community, form.period, form.buildings, form.items)
            except RuleViolation as exc:
                db.session.rollback()
                flash_errors(exc.errors)
        return self.render_template("billing/run_new.html", form=form, communities=communities,
                                    buildings=buildings, items=items, plan=plan)

    @expose("/<int:pk>/cancel", methods=["POST"])
    @has_access
    def cancel(self, pk):
        try:
            run = services.cancel_run(pk, current_actor(), request.form.get("reason", ""))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        else:
            db.session.commit()
            flash(gettext("The run of %(period)s was cancelled; its bills were removed.", period=run.period),
                  "success")
        return redirect(url_for("BillingRunView.show", pk=pk))


# ---------------------------------------------------------------------------- 收款 counter


class CounterView(BaseView):
    """收款台: find the house, see its unpaid bills and balance, take the payment, print the receipt."""

    route_base = "/counter"
    default_view = "counter"
    base_permissions = ["can_counter", "can_pay", "can_undo"]

    @expose("/")
    @has_access
    def counter(self):
        query = (request.args.get("q") or "").strip()[:50]
        house = None
        house_id = as_id(request.args.get("house"))
        if house_id is not None:
            house = db.session.get(House, house_id) if house_id > 0 else None
            if house is None:
                flash(gettext("There is no such house."), "danger")
        houses = search_households(query) if query and house is None else []
        if len(houses) == 1:
            return redirect(url_for("CounterView.counter", house=houses[0].id))
        context = {"query": query, "houses": houses, "house": house, "methods": PAY_METHODS, "today": clock.today()}
        if house is not None:
            lines = services.unpaid_lines(house.id)
            context.update(lines=lines, balance=services.balance_of(house.id),
                           late_fees=services.pending_late_fees(lines, clock.today()),
                           may_waive=bool(current_actor().roles & services.WAIVERS),
                           payer=estate_services.current_owner_names([house.id]).get(house.id, ""),
                           recent=db.session.scalars(select(Payment).where(Payment.house_id == house.id)
                                                     .order_by(Payment.id.desc()).limit(5)).all(),
                           entries=db.session.scalars(select(AccountEntry).where(AccountEntry.house_id == house.id)
                                                      .order_by(AccountEntry.id.desc()).limit(5)).all(),
                           entry_kinds=ENTRY_KINDS)
        return self.render_template("billing/counter.html", **context)

    @expose("/pay", methods=["POST"])
    @has_access
    def pay(self):
        form = request.form
        house_id = form.get("house", "")
        try:
            payment = services.pay(house_id, form.getlist("lines"), form.get("method", ""), current_actor(),
                                   expected_amount=form.get("amount", ""), prepay=form.get("prepay", ""),
                                   use_balance=form.get("use_balance") == "1", payer_name=form.get("payer_name"),
                                   remark=form.get("remark", ""),
                                   waive_late_fees=form.get("waive_late_fees") == "1",
                                   tendered=form.get("tendered"), reference=form.get("reference"))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
            if as_id(house_id):
                return redirect(url_for("CounterView.counter", house=as_id(house_id)))
            return redirect(url_for("CounterView.counter"))
        db.session.commit()
        flash(gettext("Payment recorded: receipt %(no)s, %(amount)s.", no=payment.receipt_no,
                      amount=format_money(payment.amount)), "success")
        if payment.change_given:
            flash(gettext("Change to give back: %(change)s (tendered %(tendered)s).",
                          change=format_money(payment.change_given), tendered=format_money(payment.tendered)),
                  "warning")
        return redirect(url_for("PaymentView.show", pk=payment.id))

    @expose("/undo/<int:pk>/<how>", methods=["POST"])
    @has_access
    def undo(self, pk, how):
        if how not in ("void", "reverse"):
            abort(404)
        reason = request.form.get("reason", "")
        try:
            if how == "void":
                payment = services.void_payment(pk, current_actor(), reason)
                message = gettext("Receipt %(no)s voided; its bills are unpaid again.", no=payment.receipt_no)
            else:
                entry = services.reverse_payment(pk, current_actor(), reason)
                message = gettext("Receipt %(no)s reversed by entry %(entry)s; its bills are unpaid again.",
                                  no=entry.reversal_of.receipt_no, entry=entry.receipt_no)
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
            return redirect(url_for("PaymentView.show", pk=pk))
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("PaymentView.show", pk=pk))


class _DuePromises(BaseFilter):
    name = _l("Promise due")
    arg_name = "due"

    def apply(self, query, value):
        return query.filter(services.due_promises_clause())


class ReminderView(PMModelView):
    """催缴记录: who was reminded, how, what came of it, a promise to pay. Kept, never deleted."""

    datamodel = SQLAInterface(Reminder)
    route_base = "/reminders"
    list_title = _l("Payment reminders")
    add_title = _l("Record a payment reminder")
    edit_title = _l("Edit payment reminder")
    show_title = _l("Payment reminder")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = {**LABELS, "method": LABELS["reminder_method"]}
    list_columns = ["at", "house", "method", "contact_person", "arrears", "outcome", "promised_on",
                    "promised_amount", "by_name"]
    add_columns = ["house", "method", "contact_person", "outcome", "promised_on", "promised_amount"]
    edit_columns = ["contact_person", "outcome", "promised_on", "promised_amount"]
    show_columns = list_columns
    search_columns = ["house", "method", "at", "promised_on", "by_name"]
    base_order = ("at", "desc")
    formatters_columns = {"method": choice_formatter(REMINDER_METHODS), "arrears": format_money,
                          "promised_amount": format_money, "at": format_datetime}
    add_form_extra_fields = {"method": choice_select(LABELS["reminder_method"], REMINDER_METHODS, "phone")}
    rule_check = services.check_reminder
    prepare = services.prepare_reminder

    def pre_add(self, item):
        item.by_name = current_actor().name
        super().pre_add(item)


class DuePromiseView(ReminderView):
    route_base = "/due-promises"
    list_title = _l("Promises to pay that are due")
    base_permissions = ["can_list", "can_show"]
    base_filters = [["id", _DuePromises, None]]
    base_order = ("promised_on", "asc")


class ArrearsView(BaseView):
    """欠费: by community, building or house, in age buckets, the largest first; to Excel."""

    route_base = "/arrears"
    default_view = "index"
    base_permissions = ["can_index", "can_export"]

    def _args(self):
        group = request.args.get("group", "building")
        if group not in services.ARREARS_GROUPS:
            group = "building"
        community_id = as_id(request.args.get("community"))
        building_id = as_id(request.args.get("building"))
        if community_id is not None and (community_id < 1 or db.session.get(Community, community_id) is None):
            flash(gettext("There is no such community; all communities are shown."), "warning")
            community_id = building_id = None
        if building_id is not None and (building_id < 1 or db.session.get(Building, building_id) is None):
            flash(gettext("There is no such building."), "warning")
            building_id = None
        return group, community_id, building_id

    @expose("/")
    @has_access
    def index(self):
        group, community_id, building_id = self._args()
        rows = services.arrears(group, community_id, building_id, limit=500)
        communities = estate_services.communities()
        buildings = db.session.scalars(select(Building).where(Building.community_id == (community_id or 0))
                                       .order_by(Building.code)).all() if community_id else []
        totals = [sum((r["buckets"][i] for r in rows), Decimal("0.00")) for i in range(len(services.AGE_BUCKETS))]
        return self.render_template("billing/arrears.html", rows=rows, group=group, community_id=community_id,
                                    building_id=building_id, communities=communities, buildings=buildings,
                                    buckets=services.AGE_BUCKETS, totals=totals,
                                    total=sum((r["total"] for r in rows), Decimal("0.00")))

    @expose("/export")
    @has_access
    def export(self):
        from app.core.excel import xlsx_response

        group, community_id, building_id = self._args()
        data = services.arrears_workbook(services.arrears(group, community_id, building_id), group)
        stamp = f"{clock.today():%Y%m%d}"
        return xlsx_response(data, gettext("Arrears") + f"-{stamp}.xlsx", f"arrears-{stamp}.xlsx")


class NoticeView(BaseView):
    """缴费通知单 / 催缴通知单: choose community, building, kind (and period); see how many households get one;
    print them as one PDF in 房号 order."""

    route_base = "/notices"
    default_view = "index"
    base_permissions = ["can_index", "can_print"]

    def _request(self):
        from app.billing import notices

        values = request.args.to_dict()
        if not values.get("community"):
            return None, {}
        try:
            return notices.check_request(values), {}
        except RuleViolation as exc:
            return None, exc.errors

    @expose("/")
    @has_access
    def index(self):
        from app.billing import notices

        notice_request, errors = self._request()
        flash_errors(errors)
        count = len(notices.house_ids(notice_request)) if notice_request is not None else None
        community_id = as_id(request.args.get("community"))
        communities = estate_services.communities()
        buildings = db.session.scalars(select(Building).where(Building.community_id == (community_id or 0))
                                       .order_by(Building.code)).all() if community_id else []
        return self.render_template(
            "billing/notices.html", notice_request=notice_request, count=count, values=request.args,
            communities=communities, buildings=buildings, kinds=notices.NOTICE_KINDS,
            max_notices=notices.MAX_NOTICES, default_period=f"{clock.today():%Y-%m}")

    @expose("/print")
    @has_access
    def print(self):
        import tempfile

        from flask import send_file

        from app.billing import notices, printing

        notice_request, errors = self._request()
        if notice_request is None:
            flash_errors(errors or {"community": gettext("Please choose a community.")})
            return redirect(url_for("NoticeView.index", **request.args.to_dict()))
        ids = notices.house_ids(notice_request)
        try:
            notices.check_count(len(ids))
        except RuleViolation as exc:
            flash_errors(exc.errors)
            return redirect(url_for("NoticeView.index", **request.args.to_dict()))
        if not ids:
            flash(gettext("No household has bills to put on such a notice."), "info")
            return redirect(url_for("NoticeView.index", **request.args.to_dict()))
        out = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        printing.notices_pdf(notice_request, ids, out)
        out.seek(0)
        title = str(notices.NOTICE_KINDS[notice_request.kind])
        name = f"{title}-{notice_request.period or notice_request.as_of.strftime('%Y%m%d')}.pdf"
        return send_file(out, mimetype="application/pdf", download_name=name, as_attachment=False)


class ReceiptPrintView(BaseView):
    """The receipt as a PDF: A4 (two to a sheet) or the pin printer's 241 × 93 mm form; a reprint says 补打."""

    route_base = "/receipt-print"
    base_permissions = ["can_receipt"]

    @expose("/<int:pk>/<form>")
    @has_access
    def receipt(self, pk, form):
        from app.billing import printing

        if form not in ("a4", "pin"):
            abort(404)
        payment = db.session.get(Payment, pk)
        if payment is None:
            abort(404)
        reprint = services.record_print(payment)
        if form == "pin":  # the pre-numbered paper form: the next sheet of the cashier's receipt book
            from app.billing import receipt_books

            receipt_books.use_sheet(payment, current_actor())
        db.session.commit()
        return printing.receipt_response([payment], form=form, reprint=reprint)


def _page_helpers() -> dict:
    from app.core.money import rmb_upper

    return {
        "billing_payment": lambda pk: db.session.get(Payment, int(pk)),
        "billing_run": lambda pk: db.session.get(BillingRun, int(pk)),
        "billing_receipt": services.receipt,
        "billing_upper": rmb_upper,
        "billing_kind_label": lambda kind: str(PAYMENT_KINDS.get(kind, kind)),
        "billing_may_void": lambda p: services.void_problem(p, current_actor()) is None,
        "billing_may_reverse": lambda p: services.may_reverse(p, current_actor()),
    }


def register(appbuilder) -> None:
    # each record with its own coded values: a fee item's 计费方式 is not a receipt's 付款方式
    register_labels(FeeItem.__tablename__, _l("Fee item"), LABELS,
                    {"method": FEE_METHODS, "cycle": CYCLES, "area_basis": AREA_BASES})
    register_labels(BillingRun.__tablename__, _l("Billing run"), {**LABELS, "fee_item_ids": _l("Fee items")},
                    {"state": RUN_STATES})
    register_labels(Payment.__tablename__, _l("Receipt"), {**LABELS, "year": _l("Year"), "serial": _l("Serial no.")},
                    {"method": PAY_METHODS, "state": PAYMENT_STATES, "kind": PAYMENT_KINDS})
    register_labels(Reminder.__tablename__, _l("Payment reminder"), LABELS, {"method": REMINDER_METHODS})
    add = appbuilder.add_view
    add(CounterView, "Payment counter", label=_l("Payment counter"), icon="fa-calculator", **CATEGORY)
    add(PaymentView, "Receipts", label=_l("Receipts"), icon="fa-file-text-o", **CATEGORY)
    add(ArrearsView, "Arrears", label=_l("Arrears"), icon="fa-hourglass-end", **CATEGORY)
    add(NoticeView, "Payment notices", label=_l("Payment notices"), icon="fa-envelope-o", **CATEGORY)
    from app.billing import report_views

    report_views.register(appbuilder, CATEGORY)  # 收费日报, 收费率
    from app.billing import public_views

    public_views.register(appbuilder, CATEGORY)  # 公共收益
    from app.billing import statement_views

    statement_views.register(appbuilder)  # 对账单, reached from the counter
    from app.billing import handover

    handover.register()  # what a house owes and holds, on the 过户 page
    from app.billing import fund_views

    fund_views.register(appbuilder, CATEGORY)  # 维修基金
    from app.billing import receipt_book_views

    receipt_book_views.register(appbuilder, CATEGORY)  # 票据
    from app.billing import meter_views

    meter_views.register(appbuilder, CATEGORY)  # 抄表录入, 待复核, 抄表记录, 表具
    add(ReminderView, "Payment reminders", label=_l("Payment reminders"), icon="fa-bell", **CATEGORY)
    add(DuePromiseView, "Promises to pay that are due", label=_l("Promises to pay that are due"),
        icon="fa-calendar-check-o", **CATEGORY)
    add(UnpaidBillView, "Unpaid bills", label=_l("Unpaid bills"), icon="fa-exclamation-circle", **CATEGORY)
    add(BillLineView, "All bills", label=_l("All bills"), icon="fa-list", **CATEGORY)
    add(BillingRunPageView, "Make bills", label=_l("Make bills"), icon="fa-play-circle", **CATEGORY)
    add(BillingRunView, "Billing runs", label=_l("Billing runs"), icon="fa-history", **CATEGORY)
    add(FeeItemView, "Fee items", label=_l("Fee items"), icon="fa-tags", **CATEGORY)
    appbuilder.add_view_no_menu(ReceiptPrintView)
    current_app.jinja_env.globals.update(_page_helpers())
