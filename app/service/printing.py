"""Printed forms of the service desk: 派工单 (the repair work order form) and 物业部工作日志 (the daily work log).

Both render through app.core.pdf.render_pdf with templates/print/service/*.html. Personal data is masked:
phone numbers as 138****5678, phone numbers inside free text as well (masking.mask_text). The one exception:
the caller's contact number on the 派工单 of the staff who must call him (service.contact), audited.
"""
from datetime import datetime
from decimal import Decimal

from flask import Response
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core import masking
from app.core.formatting import _locale, format_money
from app.core.money import to_money
from app.core.pdf import render_pdf
from app.estate.models import Building, House
from app.estate.printing import pdf_response
from app.extensions import db
from app.service.contact import shown_contact_number
from app.service.models import (ACCEPTANCE, CHANNELS, COMPLAINT_CATEGORIES, CONSULTATION_KINDS, CONTACT_KINDS,
                                ORDER_STATES, PLACE_SCOPES, REPAIR_CATEGORIES, SATISFACTION, SEVERITIES, URGENCIES,
                                Complaint, Consultation, Contact, ServiceRequest, WorkOrder)
from app.service.services import LABELS

MAX_ORDERS_PER_PRINT = 500


# A form fits half an A4 sheet (two per sheet, cut along the dashed line) when its texts and materials add
# few lines to the base form (one line of description and of result, two material rows); otherwise it
# gets a sheet of its own. Text is measured in half-width units (a Chinese character 2, a Latin letter or
# digit 1); a full-width cell of the form holds about LINE_UNITS of them.
LINE_UNITS = 96
HALF_SHEET_EXTRA_LINES = 5


class TooManyOrders(ValueError):
    pass


def order_print_options() -> tuple:
    """What the 派工单 shows of an order besides its own columns: loaded once for the whole batch, one query
    per relationship. (A function, not a constant: building the options configures the mappers, which needs
    FAB's User model imported first.)"""
    return (
        selectinload(WorkOrder.community),
        selectinload(WorkOrder.house).selectinload(House.community),
        selectinload(WorkOrder.building).selectinload(Building.community),
        selectinload(WorkOrder.assignee),
        selectinload(WorkOrder.received_by),
        selectinload(WorkOrder.materials),
    )


# ---------------------------------------------------------------------------- 派工单


def orders_for_print(ids) -> list[WorkOrder]:
    """The work orders of `ids`, in the order given (duplicates and unknown ids dropped), with everything the
    form shows loaded in a few queries."""
    wanted: list[int] = []
    seen = set()
    for value in ids:
        oid = int(value)
        if oid not in seen:
            seen.add(oid)
            wanted.append(oid)
    if len(wanted) > MAX_ORDERS_PER_PRINT:
        # one request renders the whole PDF: thousands of forms at once would take minutes
        raise TooManyOrders(gettext(
            "At most %(n)d work orders can be printed at once; %(m)d were chosen. Please print in batches.",
            n=MAX_ORDERS_PER_PRINT, m=len(wanted),
        ))
    if not wanted:
        return []
    found = {o.id: o for o in db.session.scalars(
        select(WorkOrder).where(WorkOrder.id.in_(wanted)).options(*order_print_options()))}
    return [found[i] for i in wanted if i in found]


def work_orders_pdf(orders: list[WorkOrder], reprint: bool = False, viewer=None) -> bytes:
    """派工单: one form per order, two compact forms per A4 sheet. `reprint` marks every form as a reprint
    (补打); counting prints (WorkOrder.print_count) is the caller's business. `viewer` (an Actor): who prints;
    the contact number is unmasked on the forms he may see it on (written to the audit log, the caller
    commits); without a viewer it is masked on every form."""
    forms = [_order_form(o, viewer) for o in orders]
    return render_pdf("service/work_order.html", sheets=_sheets(forms), reprint=reprint,
                      printed_on=clock.today(), **_common())


def _order_form(order: WorkOrder, viewer=None) -> dict:
    """What one form shows, formatted; the order itself stays available to the template as `order`."""
    materials = [{
        "name": m.name, "unit": m.unit, "unit_price": unit_price(m.unit_price),
        "quantity": quantity(m.quantity), "amount": format_money(m.amount),
    } for m in order.materials]
    return {
        "order": order,
        "place": order.place_label(),
        "scope": _choice(PLACE_SCOPES, order.scope),
        "category": _choice(REPAIR_CATEGORIES, order.category),
        "urgency": _choice(URGENCIES, order.urgency),
        "source": _choice(CHANNELS, order.source),
        "state": _choice(ORDER_STATES, order.state),
        "description": masking.mask_text(order.description),
        "reporter_phone": shown_contact_number(order, viewer, via="print"),
        "result": masking.mask_text(order.result),
        "assignee": person_name(order.assignee),
        "received_by": person_name(order.received_by),
        "materials": materials,
        "labour_hours": quantity(order.labour_hours),
        "labour_fee": format_money(order.labour_fee or Decimal("0")),
        "material_fee": format_money(order.material_fee or Decimal("0")),
        "total_fee": format_money(order.total_fee),
        "free": order.scope == "common",
        "done": order.finished_at is not None,
        "satisfaction": order.satisfaction,
    }


def _lines(text: str | None, units: int = LINE_UNITS) -> int:
    """Lines a text takes in a cell `units` half-width characters wide (at least one)."""
    width = sum(2 if ord(ch) > 0x2e7f else 1 for ch in (text or ""))
    return max(1, -(-width // units))


def _compact(form: dict) -> bool:
    extra = (_lines(form["description"]) - 1 + _lines(form["result"]) - 1 + _lines(form["place"]) - 1
             + _lines(form["order"].appointment, LINE_UNITS // 4) - 1 + max(0, len(form["materials"]) - 2))
    return extra <= HALF_SHEET_EXTRA_LINES


def _sheets(forms: list[dict]) -> list[list[dict]]:
    """Forms grouped by A4 sheet: two compact forms share one, a long form has one to itself."""
    sheets: list[list[dict]] = []
    for form in forms:
        form["half"] = _compact(form)
        last = sheets[-1] if sheets else None
        if form["half"] and last is not None and len(last) == 1 and last[0]["half"]:
            last.append(form)
        else:
            sheets.append([form])
    return sheets


# ---------------------------------------------------------------------------- 物业部工作日志


def daily_log_pdf(log: dict) -> bytes:
    """物业部工作日志 of one day, from services.daily_log(day, community_id)."""
    _preload(log)
    one_community = log.get("community") is not None

    def place(item) -> str:
        # the log of one community names places without it: 1-1-0101, 1号楼 地下车库入口
        return short_place(item) if one_community else (item.place_label() if isinstance(item, WorkOrder)
                                                         else str(item.house or ""))

    return render_pdf("service/daily_log.html", log=log, became=became, place=place, printed_on=clock.today(),
                      **_common())


def daily_log_response(log: dict) -> Response:
    title = gettext("Property services work log")
    return pdf_response(daily_log_pdf(log), f"{title}-{log['day']:%Y%m%d}")


def short_place(item) -> str:
    """Where a work order, contact or complaint is, inside its community: the house number or the building, then
    the place typed at the desk (1-1-0101 厨房水槽下, 1号楼 地下车库入口)."""
    building = getattr(item, "building", None)
    head = item.house.house_no if item.house is not None else (building.name if building is not None else "")
    return " ".join(p for p in (head, getattr(item, "place", None) or "") if p)


def became(contact: Contact) -> str:
    """What a work log entry became: "报修 BX20261120-000012", "投诉 TS…", "咨询", "专项服务：…", or ""."""
    record = contact.linked()
    if isinstance(record, WorkOrder):
        return f"{CONTACT_KINDS['repair']} {record.order_no}"
    if isinstance(record, Complaint):
        return f"{CONTACT_KINDS['complaint']} {record.complaint_no}"
    if isinstance(record, Consultation):
        return str(_choice(CONSULTATION_KINDS, record.kind))
    if isinstance(record, ServiceRequest):
        return f"{CONTACT_KINDS['service_request']}：{record.title}"
    return ""


def _preload(log: dict) -> None:
    """Load, in a few queries, the relationships the log prints for the records daily_log() returned
    (instead of one lazy query per row and relationship)."""
    contacts = log.get("contacts") or []
    orders = {o.id: o for key in ("repairs_opened", "repairs_finished", "order_callbacks") for o in log.get(key) or []}
    complaints = {c.id: c for key in ("complaints", "complaint_callbacks") for c in log.get(key) or []}
    if contacts:
        db.session.scalars(select(Contact).where(Contact.id.in_([c.id for c in contacts])).options(
            selectinload(Contact.house).selectinload(House.community),
            selectinload(Contact.work_order), selectinload(Contact.complaint),
            selectinload(Contact.consultation), selectinload(Contact.service_request),
        )).all()
    if orders:
        db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(list(orders))).options(
            *order_print_options(), selectinload(WorkOrder.callback_by))).all()
    if complaints:
        db.session.scalars(select(Complaint).where(Complaint.id.in_(list(complaints))).options(
            selectinload(Complaint.house).selectinload(House.community), selectinload(Complaint.community),
            selectinload(Complaint.responsible))).all()


# ---------------------------------------------------------------------------- shared helpers


def _common() -> dict:
    """Labels, choice labels and formatters both forms use."""
    return {
        "labels": LABELS,
        "channels": CHANNELS, "scopes": PLACE_SCOPES, "categories": REPAIR_CATEGORIES, "urgencies": URGENCIES,
        "order_states": ORDER_STATES, "satisfaction": SATISFACTION, "acceptance": ACCEPTANCE,
        "complaint_categories": COMPLAINT_CATEGORIES, "severities": SEVERITIES, "contact_kinds": CONTACT_KINDS,
        "mask_phone": masking.mask_phone, "mask_text": masking.mask_text, "person": person_name,
        "when": when, "hm": hour_minute,
    }


def _choice(choices: dict, key):
    return choices.get(key, key or "")


def person_name(user) -> str:
    """A user as printed: the full name, else the login name (as services.Actor names him)."""
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.username


def when(value: datetime | None) -> str:
    """A time on a form: 2026-11-20 09:30 (compact, the same in every language)."""
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def hour_minute(value: datetime | None) -> str:
    return f"{value:%H:%M}" if value else ""


def unit_price(value: Decimal | None) -> str:
    """A unit price as money, keeping its third and fourth decimals when it has them (¥0.125)."""
    if value is None:
        return ""
    if value == to_money(value):
        return format_money(value)
    from babel.numbers import format_currency

    return format_currency(value, "CNY", format="¤#,##0.00##", currency_digits=False, locale=_locale())


def quantity(value: Decimal | None) -> str:
    """A quantity or a number of hours without trailing zeros: 2, 1.5, 0.25."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.##", locale=_locale())


def daily_log_xlsx(log: dict) -> bytes:
    """物业部工作日志 of one day as an Excel workbook: one sheet per table of the printed log, the same columns,
    personal data masked as on paper (phone numbers, and phone numbers inside the free text)."""
    from app.core.excel import Sheet, write_workbook

    _preload(log)
    one_community = log.get("community") is not None
    mask, text = masking.mask_phone, masking.mask_text

    def place(item) -> str:
        return short_place(item) if one_community else (item.place_label() if isinstance(item, WorkOrder)
                                                         else str(item.house or ""))

    L = LABELS
    contact_heads = [L["occurred_at"], L["channel"], L["house"], L["person"], L["phone"], L["summary"],
                     L["handling"], gettext("Recorded as"), L["received_by_name"]]
    sheets = [
        Sheet(gettext("Calls, visits and contacts"), [str(h) for h in contact_heads], [
            [c.occurred_at, _choice(CHANNELS, c.channel), place(c), c.person, mask(c.phone), text(c.summary),
             text(c.handling), became(c), c.received_by_name] for c in log["contacts"]]),
        Sheet(gettext("Repairs reported"), [str(h) for h in (
            L["reported_at"], L["order_no"], L["place"], L["scope"], L["category"], L["urgency"], L["description"],
            L["reporter_name"], L["reporter_phone"], L["assignee"], L["state"])], [
            [o.reported_at, o.order_no, place(o), _choice(PLACE_SCOPES, o.scope), _choice(REPAIR_CATEGORIES, o.category),
             _choice(URGENCIES, o.urgency), text(o.description), o.reporter_name, mask(o.reporter_phone),
             person_name(o.assignee), _choice(ORDER_STATES, o.state)] for o in log["repairs_opened"]]),
        Sheet(gettext("Repairs finished"), [str(h) for h in (
            L["finished_at"], L["order_no"], L["place"], L["assignee"], L["result"], L["finish_due"], L["overdue"],
            L["total_fee"])], [
            [o.finished_at, o.order_no, place(o), person_name(o.assignee), text(o.result), o.finish_due,
             gettext("Yes") if o.finish_due and o.finished_at and o.finished_at > o.finish_due else None,
             to_money(o.total_fee) if o.total_fee is not None else None] for o in log["repairs_finished"]]),
        Sheet(gettext("Complaints received"), [str(h) for h in (
            L["received_at"], L["complaint_no"], L["house"], L["complainant"], L["phone"], L["category"],
            L["severity"], L["content"], L["responsible"], L["state"])], [
            [c.received_at, c.complaint_no, place(c), c.complainant, mask(c.phone),
             _choice(COMPLAINT_CATEGORIES, c.category), _choice(SEVERITIES, c.severity), text(c.content),
             person_name(c.responsible), c.state_label()] for c in log["complaints"]]),
        Sheet(gettext("Repair callbacks"), [str(h) for h in (
            L["callback_at"], L["order_no"], L["place"], L["satisfaction"], L["callback_remark"], L["callback_by"])], [
            [o.callback_at, o.order_no, place(o), _choice(SATISFACTION, o.satisfaction), text(o.callback_remark),
             person_name(o.callback_by)] for o in log["order_callbacks"]]),
        Sheet(gettext("Complaint callbacks"), [str(h) for h in (
            L["callback_at"], L["complaint_no"], L["house"], L["acceptance"], L["result"], L["callback_remark"],
            L["responsible"])], [
            [c.callback_at, c.complaint_no, place(c), _choice(ACCEPTANCE, c.acceptance), text(c.result),
             text(c.callback_remark), person_name(c.responsible)] for c in log["complaint_callbacks"]]),
    ]
    return write_workbook(sheets)
