"""Service desk views: configuration and form plumbing only; the rules live in service.services."""
from datetime import datetime

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core import clock
from app.core.audit import register_labels
from app.core.formatting import format_datetime, format_money
from app.core.ids import parse_id
from app.core.redirects import safe_next
from app.core.masking import mask_phone
from app.core.rules import RuleViolation
from app.core.views import PMModelView, add_field_error, choice_formatter as _choice_formatter
from app.core.views import choice_select as _select, current_actor as _actor, flash_errors as _flash_errors
from app.estate import services as estate_services
from app.estate.models import Community
from app.extensions import db
from app.service import kpi_views, services
from app.service.models import (ACCEPTANCE, CHANNELS, CHARGE_STATES, COMPLAINT_CATEGORIES, COMPLAINT_STATES,
                                CONSULTATION_KINDS, CONTACT_KINDS, DEADLINE_KINDS, DEPARTMENTS, ORDER_STATES,
                                PLACE_SCOPES, REPAIR_CATEGORIES, REQUEST_STATES, SATISFACTION, SEVERITIES,
                                SPECIAL_KINDS, URGENCIES, Complaint, Consultation, Contact, Material, ServiceCharge,
                                ServiceDeadline, ServiceRequest, SpecialService, WorkOrder)
from app.service.list_filters import MyOpenOrders as _MyOpenOrders, OpenOrders as _OpenOrders
from app.service.list_filters import OverdueComplaints as _OverdueComplaints, overdue_mark as _overdue_mark
from app.service.list_filters import OverdueOrders as _OverdueOrders
from app.service.order_pages import WorkOrderPages

LABELS = services.LABELS
VALUE_LABELS = {
    "channel": CHANNELS, "source": CHANNELS, "kind": {**CONTACT_KINDS, **CONSULTATION_KINDS, **SPECIAL_KINDS,
                                                      **DEADLINE_KINDS},
    "scope": PLACE_SCOPES, "category": {**REPAIR_CATEGORIES, **COMPLAINT_CATEGORIES}, "urgency": URGENCIES,
    "state": {**ORDER_STATES, **COMPLAINT_STATES, **REQUEST_STATES, **CHARGE_STATES}, "satisfaction": SATISFACTION,
    "severity": SEVERITIES, "department": DEPARTMENTS, "acceptance": ACCEPTANCE,
}
CATEGORY = dict(category="Service desk", category_label=_l("Service desk"), category_icon="fa-headphones")


def _choices(choices: dict) -> list:
    return [(k, v) for k, v in choices.items()]


# ---------------------------------------------------------------------------- 报修 work orders

ORDER_FORMATTERS = {
    "scope": _choice_formatter(PLACE_SCOPES), "category": _choice_formatter(REPAIR_CATEGORIES),
    "source": _choice_formatter(CHANNELS), "urgency": _choice_formatter(URGENCIES),
    "state": _choice_formatter(ORDER_STATES), "satisfaction": _choice_formatter(SATISFACTION),
    "reporter_phone": mask_phone, "labour_fee": format_money, "material_fee": format_money,
    "total_fee": format_money, "overdue": _overdue_mark,
    **{k: format_datetime for k in ("reported_at", "arrive_due", "finish_due", "dispatched_at", "arrived_at",
                                    "finished_at", "closed_at", "callback_at")},
}


class WorkOrderView(WorkOrderPages, PMModelView):
    """报修工单: opened at the desk (or here), moved only by the actions on its page; its 派工单 and the
    contact number on its page: order_pages."""

    datamodel = SQLAInterface(WorkOrder)
    route_base = "/work-orders"
    list_title = _l("Repair work orders")
    add_title = _l("New repair work order")
    edit_title = _l("Edit repair work order")
    show_title = _l("Repair work order")
    show_template = "service/work_order_show.html"
    extra_args = {"overdue_mark": _overdue_mark}
    # orders are never deleted: they are cancelled, with the reason kept
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "print_orders", "can_print_form"]
    label_columns = LABELS
    list_columns = ["order_no", "place_label", "category", "urgency", "state", "assignee", "reported_at",
                    "finish_due", "overdue"]
    add_columns = ["house", "building", "place", "scope", "category", "source", "urgency", "description",
                   "reporter_name", "reporter_phone", "appointment"]
    edit_columns = ["place", "category", "description", "reporter_name", "reporter_phone", "appointment"]
    show_columns = ["order_no", "state", "place_label", "scope", "category", "source", "urgency", "description",
                    "reporter_name", "reporter_phone", "appointment", "reported_at", "arrive_due", "finish_due",
                    "assignee", "dispatched_at", "arrived_at", "finished_at", "result", "labour_hours",
                    "labour_fee", "material_fee", "total_fee", "callback_at", "satisfaction", "callback_remark",
                    "closed_at", "contact"]
    search_columns = ["order_no", "house", "state", "category", "urgency", "scope", "assignee", "reported_at",
                      "finish_due"]
    order_columns = ["order_no", "reported_at", "finish_due", "state", "urgency"]
    base_order = ("reported_at", "desc")
    formatters_columns = ORDER_FORMATTERS
    add_form_extra_fields = {
        "scope": _select(LABELS["scope"], PLACE_SCOPES, "private"),
        "category": _select(LABELS["category"], REPAIR_CATEGORIES, "water_power"),
        "source": _select(LABELS["source"], CHANNELS, "phone"),
        "urgency": _select(LABELS["urgency"], URGENCIES, "normal"),
        "description": TextAreaField(LABELS["description"], validators=[DataRequired(), Length(max=1000)]),
    }
    edit_form_extra_fields = {
        "category": add_form_extra_fields["category"],
        "description": add_form_extra_fields["description"],
        "reporter_phone": StringField(LABELS["reporter_phone"], validators=[Length(max=20)],
                                      description=_l("Not shown, to protect personal data. Leave blank to keep "
                                                     "it; type a new value to change it.")),
    }
    keep_if_blank = ("reporter_phone",)
    description_columns = {
        "building": _l("For a common area: the building (leave the house empty)."),
        "place": _l("Where exactly, e.g. 3单元电梯间 or 地下车库B区"),
    }
    rule_check = services.check_order

    def pre_add(self, item):
        _normalize_new(item)
        services.prepare_order(item, _actor())

    def pre_update(self, item):
        services.prepare_order(item)


def _normalize_new(item) -> None:
    if isinstance(item.description, str):
        item.description = item.description.strip()


class OpenWorkOrderView(WorkOrderView):
    route_base = "/open-work-orders"
    list_title = _l("Open work orders")
    base_filters = [["id", _OpenOrders, None]]
    base_order = ("finish_due", "asc")


class OverdueWorkOrderView(WorkOrderView):
    route_base = "/overdue-work-orders"
    list_title = _l("Overdue work orders")
    base_filters = [["id", _OverdueOrders, None]]
    base_order = ("finish_due", "asc")


class MyWorkOrderView(WorkOrderView):
    """工程维修: the orders sent to me that are still open, the most urgent first."""

    route_base = "/my-work-orders"
    list_title = _l("My work orders")
    base_permissions = ["can_list", "can_show", "can_print_form"]
    base_filters = [["id", _MyOpenOrders, None]]
    base_order = ("finish_due", "asc")
    list_columns = ["order_no", "place_label", "category", "urgency", "state", "description", "reported_at",
                    "finish_due", "overdue"]


# Each action's form fields on the record's page; the service checks the values.
ORDER_ACTION_FIELDS = {
    "dispatch": ["assignee", "note"],
    "transfer": ["assignee", "note"],
    "return": ["note"],
    "arrive": ["at"],
    "suspend": ["note"],
    "resume": ["note"],
    "complete": ["at", "result", "labour_hours", "labour_fee", "materials"],
    "callback": ["satisfaction", "remark"],
    "reopen": [],
    "cancel": ["note"],
}
MATERIAL_ROWS = 5


def _form_time(value: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return value  # the service answers "not a valid time"


class WorkOrderActionView(BaseView):
    """The buttons on a work order's page: each posts one action to the state machine."""

    route_base = "/work-order-actions"
    base_permissions = ["can_act"]

    @expose("/<int:pk>/<name>", methods=["POST"])
    @has_access
    def act(self, pk, name):
        form = request.form
        if name not in ORDER_ACTION_FIELDS:
            abort(404)
        data = {"note": form.get("note", "")}
        try:
            version = int(form.get("version", ""))
        except ValueError:
            version = None
        if name in ("dispatch", "transfer"):
            data["assignee_id"] = form.get("assignee") or None
        if name in ("arrive", "complete"):
            data["at"] = _form_time(form.get("at"))
        if name == "complete":
            data.update(result=form.get("result", ""), labour_hours=form.get("labour_hours", ""),
                        labour_fee=form.get("labour_fee", ""),
                        materials=[(form.get(f"material_{i}"), form.get(f"quantity_{i}"))
                                   for i in range(MATERIAL_ROWS)])
        try:
            if name in ("callback", "reopen"):
                satisfaction = form.get("satisfaction", "")
                services.callback(pk, _actor(), satisfaction, remark=form.get("remark", ""),
                                  expected_version=version, note=data["note"])
            else:
                services.transition(pk, name, _actor(), expected_version=version, **data)
        except RuleViolation as exc:
            db.session.rollback()
            _flash_errors(exc.errors)
        else:
            db.session.commit()
            order = db.session.get(WorkOrder, pk)
            flash(gettext("Work order %(no)s: %(state)s.", no=order.order_no, state=order.state_label()), "success")
            # the order may have left the filtered list it was opened from (my open orders, overdue): its own page
            if self.appbuilder.sm.has_access("can_show", "WorkOrderView"):
                return redirect(url_for("WorkOrderView.show", pk=pk))
        return redirect(safe_next(request.form.get("back"), url_for("WorkOrderView.show", pk=pk)))


# ---------------------------------------------------------------------------- 投诉 complaints


class ComplaintView(PMModelView):
    datamodel = SQLAInterface(Complaint)
    route_base = "/complaints"
    list_title = _l("Complaints")
    add_title = _l("New complaint")
    edit_title = _l("Edit complaint")
    show_title = _l("Complaint")
    show_template = "service/complaint_show.html"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = LABELS
    list_columns = ["complaint_no", "house", "complainant", "category", "severity", "state", "responsible",
                    "received_at", "respond_due", "overdue"]
    add_columns = ["house", "channel", "complainant", "phone", "category", "severity", "content"]
    edit_columns = ["complainant", "phone", "category", "content"]
    show_columns = ["complaint_no", "state", "house", "channel", "complainant", "phone", "category", "severity",
                    "content", "received_at", "responsible", "department", "respond_due", "responded_at",
                    "resolve_due", "investigation", "result", "replied_at", "callback_at", "acceptance",
                    "callback_remark", "closed_at", "contact"]
    search_columns = ["complaint_no", "house", "complainant", "state", "category", "severity", "responsible",
                      "department", "received_at"]
    order_columns = ["complaint_no", "received_at", "respond_due", "state"]
    base_order = ("received_at", "desc")
    formatters_columns = {
        "channel": _choice_formatter(CHANNELS), "category": _choice_formatter(COMPLAINT_CATEGORIES),
        "severity": _choice_formatter(SEVERITIES), "state": _choice_formatter(COMPLAINT_STATES),
        "department": _choice_formatter(DEPARTMENTS), "acceptance": _choice_formatter(ACCEPTANCE),
        "phone": mask_phone, "overdue": _overdue_mark,
        **{k: format_datetime for k in ("received_at", "respond_due", "resolve_due", "responded_at", "replied_at",
                                        "callback_at", "closed_at")},
    }
    add_form_extra_fields = {
        "channel": _select(LABELS["channel"], CHANNELS, "phone"),
        "category": _select(LABELS["category"], COMPLAINT_CATEGORIES, "other"),
        "severity": _select(LABELS["severity"], SEVERITIES, "normal"),
        "content": TextAreaField(LABELS["content"], validators=[DataRequired(), Length(max=2000)]),
    }
    edit_form_extra_fields = {
        "category": add_form_extra_fields["category"], "content": add_form_extra_fields["content"],
        "phone": StringField(LABELS["phone"], validators=[Length(max=20)],
                             description=_l("Not shown, to protect personal data. Leave blank to keep it; type a "
                                            "new value to change it.")),
    }
    keep_if_blank = ("phone",)
    description_columns = {"house": _l("Leave empty for a complaint about a common area; the community is then "
                                       "the house's or the first one.")}
    rule_check = staticmethod(lambda values, pk=None: services.check_complaint(_with_community(values), pk))

    def pre_add(self, item):
        if item.house is None and item.community_id is None:
            item.community_id = _default_community_id()
        services.prepare_complaint(item, _actor())

    def pre_update(self, item):
        services.prepare_complaint(item)


def _default_community_id():
    return db.session.scalar(select(Community.id).order_by(Community.id).limit(1))


def _with_community(values: dict) -> dict:
    """FAB add forms without a community field: a record without a house belongs to the first community."""
    if values.get("house") is None and values.get("community") is None and values.get("community_id") is None:
        return {**values, "community": _default_community_id()}
    return values


class OverdueComplaintView(ComplaintView):
    route_base = "/overdue-complaints"
    list_title = _l("Overdue complaints")
    base_filters = [["id", _OverdueComplaints, None]]
    base_order = ("respond_due", "asc")


COMPLAINT_ACTION_FIELDS = {
    "respond": ["department", "note"],
    "progress": ["investigation"],
    "reply": ["result"],
    "accept": ["remark"],
    "reject": ["remark"],
    "withdraw": ["note"],
}


class ComplaintActionView(BaseView):
    route_base = "/complaint-actions"
    base_permissions = ["can_act"]

    @expose("/<int:pk>/<name>", methods=["POST"])
    @has_access
    def act(self, pk, name):
        if name not in COMPLAINT_ACTION_FIELDS:
            abort(404)
        form = request.form
        try:
            version = int(form.get("version", ""))
        except ValueError:
            version = None
        try:
            services.complaint_transition(
                pk, name, _actor(), expected_version=version, note=form.get("note", ""),
                department=form.get("department") or None, investigation=form.get("investigation", ""),
                result=form.get("result", ""), remark=form.get("remark", ""))
        except RuleViolation as exc:
            db.session.rollback()
            _flash_errors(exc.errors)
        else:
            db.session.commit()
            c = db.session.get(Complaint, pk)
            flash(gettext("Complaint %(no)s: %(state)s.", no=c.complaint_no, state=c.state_label()), "success")
        return redirect(url_for("ComplaintView.show", pk=pk))


# ---------------------------------------------------------------------------- 工作日志, 咨询, 专项服务, lists


class ContactView(PMModelView):
    """物业部工作日志: every call, visit and contact, once."""

    datamodel = SQLAInterface(Contact)
    route_base = "/work-log"
    list_title = _l("Work log")
    add_title = _l("Log a contact")
    edit_title = _l("Edit work log entry")
    show_title = _l("Work log entry")
    show_template = "service/contact_show.html"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = LABELS
    list_columns = ["occurred_at", "channel", "kind", "house", "person", "summary", "received_by_name"]
    add_columns = ["community", "occurred_at", "channel", "kind", "house", "person", "phone", "summary", "handling"]
    edit_columns = ["channel", "house", "person", "phone", "summary", "handling"]
    show_columns = ["occurred_at", "community", "channel", "kind", "house", "person", "phone", "summary", "handling",
                    "received_by_name"]
    search_columns = ["occurred_at", "community", "channel", "kind", "house", "person", "summary", "received_by_name"]
    base_order = ("occurred_at", "desc")
    formatters_columns = {"channel": _choice_formatter(CHANNELS), "kind": _choice_formatter(CONTACT_KINDS),
                          "occurred_at": format_datetime, "phone": mask_phone}
    add_form_extra_fields = {
        "channel": _select(LABELS["channel"], CHANNELS, "phone"),
        "kind": _select(LABELS["kind"], CONTACT_KINDS, "other"),
        "summary": TextAreaField(LABELS["summary"], validators=[DataRequired(), Length(max=1000)]),
        "handling": TextAreaField(LABELS["handling"], validators=[Length(max=1000)]),
    }
    edit_form_extra_fields = {
        "channel": add_form_extra_fields["channel"], "summary": add_form_extra_fields["summary"],
        "handling": add_form_extra_fields["handling"],
        "phone": StringField(LABELS["phone"], validators=[Length(max=20)],
                             description=_l("Not shown, to protect personal data. Leave blank to keep it; type a "
                                            "new value to change it.")),
    }
    keep_if_blank = ("phone",)
    rule_check = services.check_contact

    def pre_add(self, item):
        services.prepare_contact(item, _actor())

    def pre_update(self, item):
        services.prepare_contact(item)


class ConsultationView(PMModelView):
    datamodel = SQLAInterface(Consultation)
    route_base = "/consultations"
    list_title = _l("Consultations and suggestions")
    add_title = _l("New consultation or suggestion")
    edit_title = _l("Edit consultation or suggestion")
    show_title = _l("Consultation or suggestion")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = LABELS
    list_columns = ["asked_at", "kind", "house", "person", "question", "answer", "answered_by"]
    add_columns = ["house", "kind", "person", "phone", "question", "answer"]
    edit_columns = ["kind", "question", "answer", "answered_by"]
    show_columns = ["asked_at", "community", "house", "kind", "person", "phone", "question", "answer", "answered_by",
                    "contact"]
    search_columns = ["asked_at", "kind", "house", "person", "question", "answered_by"]
    base_order = ("asked_at", "desc")
    formatters_columns = {"kind": _choice_formatter(CONSULTATION_KINDS), "asked_at": format_datetime,
                          "phone": mask_phone}
    add_form_extra_fields = {
        "kind": _select(LABELS["kind"], CONSULTATION_KINDS, "consultation"),
        "question": TextAreaField(LABELS["question"], validators=[DataRequired(), Length(max=1000)]),
        "answer": TextAreaField(LABELS["answer"], validators=[Length(max=1000)]),
    }
    edit_form_extra_fields = add_form_extra_fields
    rule_check = staticmethod(lambda values, pk=None: services.check_consultation(_with_community(values), pk))

    def pre_add(self, item):
        if item.house is None and item.community_id is None:
            item.community_id = _default_community_id()
        services.prepare_consultation(item, _actor())

    def pre_update(self, item):
        services.prepare_consultation(item, _actor())


class SpecialServiceView(PMModelView):
    datamodel = SQLAInterface(SpecialService)
    route_base = "/special-services"
    list_title = _l("Special and custom services")
    add_title = _l("New service")
    edit_title = _l("Edit service")
    show_title = _l("Service")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = LABELS
    list_columns = ["name", "kind", "provider", "price", "price_unit", "active"]
    add_columns = edit_columns = show_columns = ["name", "kind", "provider", "price", "price_unit", "description",
                                                 "active"]
    search_columns = ["name", "kind", "provider", "active"]
    base_order = ("name", "asc")
    formatters_columns = {"kind": _choice_formatter(SPECIAL_KINDS), "price": format_money}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": _select(LABELS["kind"], SPECIAL_KINDS, "special"),
        "description": TextAreaField(LABELS["description"], validators=[Length(max=1000)]),
    }
    rule_check = services.check_special_service


class ServiceRequestView(PMModelView):
    datamodel = SQLAInterface(ServiceRequest)
    route_base = "/service-requests"
    list_title = _l("Service requests")
    add_title = _l("New service request")
    edit_title = _l("Edit service request")
    show_title = _l("Service request")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_promote"]
    label_columns = LABELS
    list_columns = ["requested_at", "house", "title", "service", "provider", "agreed_price", "state", "done_at"]
    add_columns = ["house", "service", "title", "person", "phone", "provider", "agreed_price", "scheduled_for",
                   "remark"]
    edit_columns = ["service", "title", "provider", "agreed_price", "scheduled_for", "state", "approved_by",
                    "done_at", "first_execution", "execution_record", "remark"]
    show_columns = ["requested_at", "community", "house", "title", "service", "person", "phone", "provider",
                    "agreed_price", "scheduled_for", "state", "approved_by", "done_at", "first_execution",
                    "execution_record", "remark", "contact"]
    search_columns = ["requested_at", "house", "title", "service", "provider", "state"]
    base_order = ("requested_at", "desc")
    show_template = "service/service_request_show.html"
    formatters_columns = {"state": _choice_formatter(REQUEST_STATES), "agreed_price": format_money,
                          "requested_at": format_datetime, "done_at": format_datetime,
                          "scheduled_for": format_datetime, "phone": mask_phone}
    add_form_extra_fields = {"remark": TextAreaField(LABELS["remark"], validators=[Length(max=500)])}
    edit_form_extra_fields = {
        "state": _select(LABELS["state"], REQUEST_STATES, "requested"),
        "execution_record": TextAreaField(LABELS["execution_record"], validators=[Length(max=20000)],
                                          description=_l("The first execution of a custom service: every step, "
                                                         "material, time and price, so it can become a standard "
                                                         "service.")),
        "remark": TextAreaField(LABELS["remark"], validators=[Length(max=500)]),
    }
    rule_check = staticmethod(lambda values, pk=None: services.check_service_request(_with_community(values), pk))

    def pre_add(self, item):
        if item.house is None and item.community_id is None:
            item.community_id = _default_community_id()
        services.prepare_service_request(item, _actor())

    def pre_update(self, item):
        services.prepare_service_request(item, _actor())

    @expose("/promote/<int:pk>", methods=["POST"])
    @has_access
    def promote(self, pk):
        item = db.session.get(ServiceRequest, pk)
        if item is None:
            abort(404)
        try:
            services.promote_to_catalog(item)
        except RuleViolation as exc:
            db.session.rollback()
            _flash_errors(exc.errors)
        else:
            db.session.commit()
            flash(gettext("\"%(name)s\" is now a standard service in the catalog.", name=item.title), "success")
        return redirect(url_for("ServiceRequestView.show", pk=pk))


class MaterialView(PMModelView):
    datamodel = SQLAInterface(Material)
    route_base = "/materials"
    list_title = _l("Repair materials")
    add_title = _l("New material")
    edit_title = _l("Edit material")
    show_title = _l("Material")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = LABELS
    list_columns = add_columns = edit_columns = show_columns = ["name", "spec", "unit", "unit_price", "active"]
    search_columns = ["name", "spec", "active"]
    base_order = ("name", "asc")
    rule_check = services.check_material


class ServiceDeadlineView(PMModelView):
    datamodel = SQLAInterface(ServiceDeadline)
    route_base = "/service-deadlines"
    list_title = _l("Service deadlines")
    edit_title = _l("Edit deadline")
    show_title = _l("Deadline")
    base_permissions = ["can_list", "can_show", "can_edit"]
    label_columns = LABELS
    list_columns = show_columns = ["kind", "level", "respond_minutes", "finish_minutes"]
    edit_columns = ["respond_minutes", "finish_minutes"]
    base_order = ("kind", "desc")
    formatters_columns = {"kind": _choice_formatter(DEADLINE_KINDS),
                          "level": _choice_formatter({**URGENCIES, **SEVERITIES})}
    description_columns = {"respond_minutes": _l("Repairs: minutes to arrive. Complaints: minutes to the first "
                                                 "response."),
                           "finish_minutes": _l("Repairs: minutes to finish. Complaints: minutes to resolve.")}
    rule_check = services.check_deadline


class ServiceChargeView(PMModelView):
    """Charges left on houses by paid repairs, each billed at the counter when its order is completed. Read
    only: the work order's steps move them."""

    datamodel = SQLAInterface(ServiceCharge)
    route_base = "/service-charges"
    list_title = _l("Charges for billing")
    show_title = _l("Charge")
    base_permissions = ["can_list", "can_show"]
    label_columns = LABELS
    list_columns = show_columns = ["created_at", "house", "description", "amount", "state"]
    search_columns = ["created_at", "house", "state"]
    base_order = ("created_at", "desc")
    formatters_columns = {"amount": format_money, "state": _choice_formatter(CHARGE_STATES),
                          "created_at": format_datetime}


# ---------------------------------------------------------------------------- the desk page and the daily log


class IntakeForm(FlaskForm):
    occurred_at = DateTimeLocalField(LABELS["occurred_at"], format="%Y-%m-%dT%H:%M", validators=[Optional()])
    channel = SelectField(LABELS["channel"], choices=_choices(CHANNELS), default="phone")
    community = SelectField(LABELS["community"], coerce=str, validators=[DataRequired()])
    house_no = StringField(LABELS["house"], validators=[Length(max=60)],
                           description=_l("房号, e.g. 1-1-0101; leave empty for a common area"))
    person = StringField(LABELS["person"], validators=[Length(max=100)])
    phone = StringField(LABELS["phone"], validators=[Length(max=20)])
    summary = TextAreaField(LABELS["summary"], validators=[DataRequired(), Length(max=1000)])
    kind = SelectField(LABELS["kind"], choices=_choices(CONTACT_KINDS), default="repair")
    # repair
    scope = SelectField(LABELS["scope"], choices=_choices(PLACE_SCOPES), default="private")
    category = SelectField(LABELS["category"], choices=_choices(REPAIR_CATEGORIES), default="water_power")
    urgency = SelectField(LABELS["urgency"], choices=_choices(URGENCIES), default="normal")
    place = StringField(LABELS["place"], validators=[Length(max=200)])
    appointment = StringField(LABELS["appointment"], validators=[Length(max=100)])
    # complaint
    complaint_category = SelectField(LABELS["category"], choices=_choices(COMPLAINT_CATEGORIES), default="other")
    severity = SelectField(LABELS["severity"], choices=_choices(SEVERITIES), default="normal")
    # consultation
    consultation_kind = SelectField(LABELS["kind"], choices=_choices(CONSULTATION_KINDS), default="consultation")
    answer = TextAreaField(LABELS["answer"], validators=[Length(max=1000)])
    # service request
    service = SelectField(LABELS["service"], coerce=str, validators=[Optional()])
    handling = TextAreaField(LABELS["handling"], validators=[Length(max=1000)])


RECORD_VIEWS = {WorkOrder: "WorkOrderView", Complaint: "ComplaintView", Consultation: "ConsultationView",
                ServiceRequest: "ServiceRequestView"}


def record_url(record) -> str | None:
    view = RECORD_VIEWS.get(type(record))
    return url_for(f"{view}.show", pk=record.id) if view else None


class ServiceDeskView(BaseView):
    """The front desk: log a call or visit once, and open its repair, complaint, consultation or request."""

    route_base = "/service-desk"
    default_view = "intake"
    base_permissions = ["can_intake", "can_convert"]

    @expose("/", methods=["GET", "POST"])
    @has_access
    def intake(self):
        form = IntakeForm()
        communities = estate_services.communities()
        form.community.choices = [(str(c.id), c.name) for c in communities]
        form.service.choices = [("", "")] + [
            (str(s.id), str(s)) for s in db.session.scalars(select(SpecialService).where(SpecialService.active)
                                                           .order_by(SpecialService.name))]
        if request.method == "GET":
            house = _house_from_args()
            if house is not None:
                form.community.data = str(house.community_id)
                form.house_no.data = house.house_no
            form.occurred_at.data = clock.now().replace(second=0, microsecond=0)
        if form.validate_on_submit():
            values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
            values["kind"] = values.get("kind") or "other"
            try:
                contact, record = services.intake(values, _actor())
            except RuleViolation as exc:
                db.session.rollback()
                for key, message in exc.errors.items():
                    field = form._fields.get(key)
                    if field is not None:
                        add_field_error(field, message)
                    else:
                        flash(message, "danger")
            else:
                db.session.commit()
                if record is not None:
                    flash(gettext("Logged, and %(record)s opened.", record=_record_name(record)), "success")
                    return redirect(record_url(record))
                flash(gettext("Logged in the work log."), "success")
                return redirect(url_for("ServiceDeskView.intake"))
        return self.render_template("service/intake.html", form=form, no_communities=not communities)

    @expose("/convert/<int:contact_id>/<kind>", methods=["POST"])
    @has_access
    def convert(self, contact_id, kind):
        try:
            record = services.convert_contact(contact_id, kind, _actor())
        except RuleViolation as exc:
            db.session.rollback()
            _flash_errors(exc.errors)
            return redirect(url_for("ContactView.show", pk=contact_id))
        db.session.commit()
        flash(gettext("%(record)s opened from the work log.", record=_record_name(record)), "success")
        return redirect(record_url(record))


class DailyLogView(BaseView):
    """物业部工作日志 of one day: the page, and the same as a PDF to file."""

    route_base = "/daily-log"
    default_view = "daily"
    base_permissions = ["can_daily", "can_daily_pdf", "can_export"]

    @expose("/")
    @has_access
    def daily(self):
        day, community_id = _day_args()
        log = services.daily_log(day, community_id)
        communities = estate_services.communities()
        return self.render_template("service/daily_log.html", log=log, communities=communities,
                                    community_id=community_id, record_url=record_url)

    @expose("/pdf")
    @has_access
    def daily_pdf(self):
        from app.estate.printing import pdf_response
        from app.service import printing

        day, community_id = _day_args()
        log = services.daily_log(day, community_id)
        return pdf_response(printing.daily_log_pdf(log), gettext("Work log %(day)s", day=day.isoformat()))

    @expose("/xlsx")
    @has_access
    def export(self):
        """The same day as an Excel workbook, one sheet per table."""
        from app.core.excel import xlsx_response
        from app.service import printing

        day, community_id = _day_args()
        log = services.daily_log(day, community_id)
        return xlsx_response(printing.daily_log_xlsx(log), gettext("Work log %(day)s", day=day.isoformat()) + ".xlsx",
                             f"work-log-{day:%Y%m%d}.xlsx")


def _record_name(record) -> str:
    if isinstance(record, WorkOrder):
        return gettext("repair work order %(no)s", no=record.order_no)
    if isinstance(record, Complaint):
        return gettext("complaint %(no)s", no=record.complaint_no)
    if isinstance(record, Consultation):
        return gettext("a consultation record")
    return gettext("a service request")


def _house_from_args():
    from app.estate.models import House

    raw = request.args.get("house", "")
    house_id = parse_id(raw)
    return db.session.get(House, house_id) if house_id else None


def _day_args():
    from app.core.periods import parse_day

    day, problem = parse_day(request.args.get("day"))
    if problem:
        flash(problem, "warning")
    raw_c = request.args.get("community", "")
    community_id = parse_id(raw_c)
    if community_id is not None and db.session.get(Community, community_id) is None:
        community_id = None
    return day, community_id


# ---------------------------------------------------------------------------- template helpers and registration


def _page_helpers():
    """Functions the record pages call: the actions this user may take now, and the form choices."""

    def order_actions(order):
        return [(a, services.ORDER_ACTIONS[a], ORDER_ACTION_FIELDS[a]) for a in services.order_actions(order, _actor())]

    def complaint_actions(complaint):
        return [(a, services.COMPLAINT_ACTIONS[a], COMPLAINT_ACTION_FIELDS[a])
                for a in services.complaint_actions(complaint, _actor())]

    def service_choices():
        return {
            "engineers": [(u.id, (u.get_full_name() or u.username).strip()) for u in services.engineers()],
            "materials": db.session.scalars(select(Material).where(Material.active).order_by(Material.name)).all(),
            "satisfaction": SATISFACTION, "departments": DEPARTMENTS, "material_rows": MATERIAL_ROWS,
            "order_states": ORDER_STATES, "complaint_states": COMPLAINT_STATES,
            "order_action_labels": services.ORDER_ACTIONS, "complaint_action_labels": services.COMPLAINT_ACTIONS,
        }

    def record(kind, pk):
        model = {"order": WorkOrder, "complaint": Complaint, "contact": Contact, "request": ServiceRequest}[kind]
        return db.session.get(model, int(pk))

    return {"service_record": record, "service_order_actions": order_actions, "service_complaint_actions": complaint_actions,
            "service_choices": service_choices, "service_record_url": record_url,
            "service_contact_kinds": CONTACT_KINDS}


def register(appbuilder) -> None:
    for model, label in ((Contact, _l("Work log entry")), (WorkOrder, _l("Repair work order")),
                         (Complaint, _l("Complaint")), (Consultation, _l("Consultation or suggestion")),
                         (SpecialService, _l("Service")), (ServiceRequest, _l("Service request")),
                         (Material, _l("Material")), (ServiceDeadline, _l("Deadline")),
                         (ServiceCharge, _l("Charge"))):
        register_labels(model.__tablename__, label, LABELS, VALUE_LABELS)
    add = appbuilder.add_view
    add(ServiceDeskView, "Front desk", label=_l("Front desk"), icon="fa-phone", **CATEGORY)
    add(DailyLogView, "Daily work log", label=_l("Daily work log"), icon="fa-book", **CATEGORY)
    add(ContactView, "Work log", label=_l("Work log"), icon="fa-list", **CATEGORY)
    add(OpenWorkOrderView, "Open work orders", label=_l("Open work orders"), icon="fa-wrench", **CATEGORY)
    add(OverdueWorkOrderView, "Overdue work orders", label=_l("Overdue work orders"), icon="fa-clock-o", **CATEGORY)
    add(MyWorkOrderView, "My work orders", label=_l("My work orders"), icon="fa-user-circle", **CATEGORY)
    add(WorkOrderView, "All work orders", label=_l("All work orders"), icon="fa-wrench", **CATEGORY)
    add(ComplaintView, "Complaints", label=_l("Complaints"), icon="fa-bullhorn", **CATEGORY)
    add(OverdueComplaintView, "Overdue complaints", label=_l("Overdue complaints"), icon="fa-exclamation-triangle",
        **CATEGORY)
    add(ConsultationView, "Consultations and suggestions", label=_l("Consultations and suggestions"), icon="fa-question-circle",
        **CATEGORY)
    add(ServiceRequestView, "Service requests", label=_l("Service requests"), icon="fa-handshake-o", **CATEGORY)
    add(SpecialServiceView, "Special and custom services", label=_l("Special and custom services"), icon="fa-star",
        **CATEGORY)
    add(MaterialView, "Repair materials", label=_l("Repair materials"), icon="fa-cubes", **CATEGORY)
    add(ServiceChargeView, "Charges for billing", label=_l("Charges for billing"), icon="fa-rmb", **CATEGORY)
    add(ServiceDeadlineView, "Service deadlines", label=_l("Service deadlines"), icon="fa-hourglass-half",
        **CATEGORY)
    appbuilder.add_view_no_menu(WorkOrderActionView)
    appbuilder.add_view_no_menu(ComplaintActionView)
    kpi_views.register(appbuilder)
    current_app.jinja_env.globals.update(_page_helpers())
