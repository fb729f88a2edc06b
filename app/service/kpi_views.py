"""服务指标: the month's service desk KPIs (office, departments, persons) as a page and as an Excel workbook.
Thin: the figures come from service.kpi."""
import re

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.core.excel import xlsx_response
from app.core.periods import parse_month
from app.estate import services as estate_services
from app.estate.models import Community
from app.extensions import db
from app.service import kpi

def parse_community(raw: str | None) -> tuple[int | None, str | None]:
    """(community id or None for all, problem)."""
    value = (raw or "").strip()
    if not value:
        return None, None
    if re.fullmatch(r"[0-9]{1,9}", value, re.ASCII) and db.session.get(Community, int(value)) is not None:
        return int(value), None
    return None, gettext("There is no such community; all communities are shown.")


def _args() -> tuple[int, int, int | None, bool]:
    """The month and community asked for; bad values are flashed and replaced. Returns ok=False if any was."""
    year, month, problem = parse_month(request.args.get("month"))
    community_id, community_problem = parse_community(request.args.get("community"))
    for message in (problem, community_problem):
        if message:
            flash(message, "warning")
    return year, month, community_id, not (problem or community_problem)


class ServiceKpiView(BaseView):
    """服务指标: repairs, callbacks and complaints of one month, for the office, each department, each person."""

    route_base = "/service-kpi"
    default_view = "index"
    base_permissions = ["can_index", "can_export"]

    @expose("/")
    @has_access
    def index(self):
        year, month, community_id, _ok = _args()
        kpis = kpi.service_kpis(year, month, community_id)
        communities = estate_services.communities()
        return self.render_template(
            "service/kpi.html", kpis=kpis, communities=communities, month_value=f"{year:04d}-{month:02d}",
            office_columns=kpi.OFFICE_REPAIR_COLUMNS, complaint_columns=kpi.COMPLAINT_COLUMNS,
            table_columns=kpi.TABLE_COLUMNS, show=kpi.display, response_target=kpi.RESPONSE_TARGET,
            can_export=self.appbuilder.sm.has_access("can_export", type(self).__name__),
        )

    @expose("/export")
    @has_access
    def export(self):
        year, month, community_id, ok = _args()
        if not ok:  # never a workbook of another month than the one asked for: back to the page, with the message
            return redirect(url_for("ServiceKpiView.index", month=f"{year:04d}-{month:02d}", community=community_id or ""))
        data = kpi.kpi_workbook(kpi.service_kpis(year, month, community_id))
        stamp = f"{year:04d}-{month:02d}"
        return xlsx_response(data, gettext("Service KPIs") + f"-{stamp}.xlsx", f"service-kpis-{stamp}.xlsx")


def register(appbuilder) -> None:
    appbuilder.add_view(ServiceKpiView, "Service KPIs", label=_l("Service KPIs"), icon="fa-line-chart",
                        category="Service desk", category_label=_l("Service desk"), category_icon="fa-headphones")
