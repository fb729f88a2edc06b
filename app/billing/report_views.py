"""Pages of the two billing reports: 收费日报 (/billing-daily/) and 收费率 (/collection-rate/), each printed as
a PDF and exported to Excel. Thin: the figures come from app.billing.reports.

Bad input never gives an error page: a malformed or future day or month, or an unknown community, is told in
a Chinese message and the page shows the default instead (today, the current month, all communities or the
first one). The PDF and the Excel file are never of another day than the one asked for: with bad input they
go back to the page, which says why.
"""
from datetime import date

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.core import clock
from app.billing import reports
from app.core.excel import xlsx_response
from app.core.ids import parse_id
from app.core.periods import parse_day, parse_month
from app.core.views import current_actor
from app.estate import services as estate_services


def _community(raw: str | None, communities: list, required: bool) -> tuple[int | None, str | None]:
    """(community id, problem). Empty: all communities, or (required) the first one; unknown: the same with
    a message."""
    value = (raw or "").strip()
    known = {c.id: c for c in communities}
    if parse_id(value) in known:
        return parse_id(value), None
    fallback = communities[0] if (required and communities) else None
    if not value:
        return (fallback.id if fallback else None), None
    if fallback is not None:
        return fallback.id, gettext("There is no such community; %(name)s is shown.", name=fallback.name)
    return None, gettext("There is no such community; all communities are shown.")


def _formatters() -> dict:
    """How the report tables show their values: the same on the page as in the PDF."""
    from app.billing.printing import amount_text, when
    from app.core.masking import mask_text
    from app.core.money import rmb_upper

    return {"amount": amount_text, "when": when, "mask": mask_text, "upper": rmb_upper,
            "show": reports.show_percent, "labels": reports.RATE_LABELS}


def _flash(*problems) -> bool:
    for problem in problems:
        if problem:
            flash(problem, "warning")
    return not any(problems)


class BillingDailyView(BaseView):
    """收费日报: one day's payments per cashier and method, receipts used, voids and 红冲 apart."""

    route_base = "/billing-daily"
    default_view = "index"
    base_permissions = ["can_index", "can_pdf", "can_export"]

    def _args(self) -> tuple[date, int | None, bool]:
        today = clock.today()
        day, problem = parse_day(request.args.get("day"), today)
        if problem is None and day > today:
            problem = gettext("%(day)s has not come yet; today is shown.", day=day.isoformat())
            day = today
        community_id, community_problem = _community(request.args.get("community"), estate_services.communities(),
                                                     False)
        return day, community_id, _flash(problem, community_problem)

    def _back(self, day, community_id):
        return redirect(url_for("BillingDailyView.index", day=day.isoformat(), community=community_id or ""))

    @expose("/")
    @has_access
    def index(self):
        day, community_id, _ok = self._args()
        report = reports.daily_report(community_id, day)
        sm = self.appbuilder.sm
        return self.render_template("billing/daily_report.html", report=report,
                                    communities=estate_services.communities(), day_value=day.isoformat(),
                                    today_value=clock.today().isoformat(), **_formatters(),
                                    can_pdf=sm.has_access("can_pdf", type(self).__name__),
                                    can_export=sm.has_access("can_export", type(self).__name__))

    @expose("/pdf")
    @has_access
    def pdf(self):
        from app.billing import printing

        day, community_id, ok = self._args()
        if not ok:
            return self._back(day, community_id)
        report = reports.daily_report(community_id, day)
        return printing.daily_report_response(report, current_actor().name, clock.now())

    @expose("/export")
    @has_access
    def export(self):
        day, community_id, ok = self._args()
        if not ok:
            return self._back(day, community_id)
        data = reports.daily_workbook(reports.daily_report(community_id, day))
        stamp = f"{day:%Y%m%d}"
        return xlsx_response(data, gettext("Daily collection report") + f"-{stamp}.xlsx",
                             f"billing-daily-{stamp}.xlsx")


class MonthReportView(BaseView):
    """A page about one month of one community (?month=2026-11&community=1): a month to come or an unknown
    community is shown as the current month or the first community, with a message."""

    default_view = "index"

    def _args(self) -> tuple[int, int, int | None, bool]:
        today = clock.today()
        year, month, problem = parse_month(request.args.get("month"), today)
        if problem is None and (year, month) > (today.year, today.month):
            problem = gettext("%(month)s has not begun yet; the current month is shown.",
                              month=f"{year:04d}-{month:02d}")
            year, month = today.year, today.month
        community_id, community_problem = _community(request.args.get("community"), estate_services.communities(),
                                                     True)
        return year, month, community_id, _flash(problem, community_problem)

    def _back(self, year, month, community_id):
        return redirect(url_for(f"{type(self).__name__}.index", month=f"{year:04d}-{month:02d}",
                                community=community_id or ""))

    def _can(self, permission: str) -> bool:
        return self.appbuilder.sm.has_access(permission, type(self).__name__)

    def _page(self, template: str, year: int, month: int, community_id: int | None, **context):
        """The page with the month and community form filled in and what the user may do from it."""
        if community_id is None:
            flash(gettext("There is no community yet."), "info")
        return self.render_template(template, communities=estate_services.communities(), community_id=community_id,
                                    month_value=f"{year:04d}-{month:02d}", max_month=f"{clock.today():%Y-%m}",
                                    can_pdf=self._can("can_pdf"), can_export=self._can("can_export"), **context)


class CollectionRateView(MonthReportView):
    """收费率: a month's current-period and arrears collection per building of one community."""

    route_base = "/collection-rate"
    base_permissions = ["can_index", "can_pdf", "can_export"]

    @expose("/")
    @has_access
    def index(self):
        year, month, community_id, _ok = self._args()
        result = reports.collection_rate(community_id, year, month) if community_id else None
        return self._page("billing/collection_rate.html", year, month, community_id, result=result,
                          note=reports.rate_note(), **_formatters())

    @expose("/pdf")
    @has_access
    def pdf(self):
        from app.billing import printing

        year, month, community_id, ok = self._args()
        if not ok or community_id is None:
            return self._back(year, month, community_id)
        result = reports.collection_rate(community_id, year, month)
        return printing.collection_rate_response(result, current_actor().name)

    @expose("/export")
    @has_access
    def export(self):
        year, month, community_id, ok = self._args()
        if not ok or community_id is None:
            return self._back(year, month, community_id)
        result = reports.collection_rate(community_id, year, month)
        stamp = result["period"]
        return xlsx_response(reports.rate_workbook(result), gettext("Collection rate") + f"-{stamp}.xlsx",
                             f"collection-rate-{stamp}.xlsx")


def register(appbuilder, category: dict) -> None:
    appbuilder.add_view(BillingDailyView, "Daily collection report", label=_l("Daily collection report"),
                        icon="fa-calendar", **category)
    appbuilder.add_view(CollectionRateView, "Collection rate", label=_l("Collection rate"), icon="fa-pie-chart",
                        **category)
    appbuilder.add_view(DisclosureView, "Monthly statement of income and expenses",
                        label=_l("Monthly statement of income and expenses"), icon="fa-bullhorn", **category)


class DisclosureView(MonthReportView):
    """收支公示: a community's month for the owners: fees by item, 公共收益, 维修基金; an A4 poster and Excel."""

    route_base = "/disclosure"
    base_permissions = ["can_index", "can_pdf", "can_export"]

    @expose("/")
    @has_access
    def index(self):
        from app.billing import disclosure

        year, month, community_id, _ok = self._args()
        d = disclosure.monthly(community_id, year, month) if community_id else None
        return self._page("billing/disclosure.html", year, month, community_id, d=d)

    @expose("/pdf")
    @has_access
    def pdf(self):
        from app.billing import disclosure, printing

        year, month, community_id, ok = self._args()
        if not ok or community_id is None:
            return self._back(year, month, community_id)
        return printing.disclosure_response(disclosure.monthly(community_id, year, month))

    @expose("/export")
    @has_access
    def export(self):
        from app.billing import disclosure

        year, month, community_id, ok = self._args()
        if not ok or community_id is None:
            return self._back(year, month, community_id)
        d = disclosure.monthly(community_id, year, month)
        return xlsx_response(disclosure.workbook(d), gettext("Monthly statement of income and expenses")
                             + f"-{d['period']}.xlsx", f"disclosure-{d['period']}.xlsx")
