"""The work orders' and complaints' list filters (open, mine, overdue) and the 已超时 mark of their lists and
pages: the rules they show come from app.service.services."""
from flask import g
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core.formatting import format_datetime
from app.service import services
from app.service.models import WorkOrder


def overdue_mark(value, size: str = "") -> Markup:
    """已超时, and for a work order which deadline it missed ("已超时：应到场 2026年11月20日 09:30"), so that the
    list and the order's page say why. `value`: a complaint's overdue flag, or an order's missed deadline
    (app.service.services.missed_deadline). `size`: a CSS font size for the record's page."""
    if not value:
        return Markup("")
    text = gettext("Overdue")
    if isinstance(value, tuple):
        what = gettext("Due to arrive") if value[0] == "arrive" else gettext("Due to finish")
        text = f"{text}：{what} {format_datetime(value[1])}"
    style = Markup(' style="font-size:%s"') % size if size else Markup("")
    return Markup('<span class="label label-danger pm-overdue"%s>%s</span>') % (style, text)


class OverdueOrders(BaseFilter):
    name = _l("Overdue")
    arg_name = "overdue"

    def apply(self, query, value):
        return query.filter(services.overdue_order_clause())


class MyOpenOrders(BaseFilter):
    name = _l("Mine, open")
    arg_name = "mine"

    def apply(self, query, value):
        return query.filter(WorkOrder.assignee_id == g.user.id, WorkOrder.state.in_(services.OPEN_ORDER_STATES))


class OpenOrders(BaseFilter):
    name = _l("Open")
    arg_name = "open"

    def apply(self, query, value):
        return query.filter(WorkOrder.state.in_(services.OPEN_ORDER_STATES))


class OverdueComplaints(BaseFilter):
    name = _l("Overdue")
    arg_name = "overdue"

    def apply(self, query, value):
        return query.filter(services.overdue_complaint_clause())
