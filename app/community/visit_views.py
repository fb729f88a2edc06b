"""Pages of 走访: the visits (list and record page with each issue's linked record), recording a visit, the 专责区
zones (assign, history), and the month's coverage with the 《物业部走访情况报告》 PDF and the manager's summary.

Thin: every rule and figure is in app.community.visits; a refused step shows its Chinese message and writes
nothing (the session is rolled back).
"""
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.community import visits
from app.community.models import (ISSUE_CATEGORIES, ISSUE_OUTCOMES, VISIT_CHANNELS, VISIT_SATISFACTION, Visit,
                                  VisitSummary)
from app.core.audit import register_labels
from app.core.formatting import format_datetime
from app.core.masking import mask_name
from app.core.pdf import render_pdf
from app.core.periods import parse_month
from app.core.rules import RuleViolation
from app.core.views import PMModelView, choice_formatter, current_actor, flash_errors
from app.estate.models import Building, Community
from app.estate.printing import pdf_response
from app.extensions import db

LABELS = visits.LABELS
CATEGORY = dict(category="Community relations", category_label=_l("Community relations"), category_icon="fa-users")


def _communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.name)))


def _community_arg(raw) -> Community | None:
    """The community asked for (?community=id), else the first one; a bad value is said and replaced."""
    value = (raw or "").strip()
    if value:
        if re.fullmatch(r"[0-9]{1,9}", value, re.ASCII):
            community = db.session.get(Community, int(value))
            if community is not None:
                return community
        flash(gettext("There is no such community; the first one is shown."), "warning")
    communities = _communities()
    return communities[0] if communities else None


def _month_arg() -> tuple[int, int]:
    """The month asked for (?month=2026-11), else this month; a bad or future month is said and replaced."""
    today = clock.today()
    year, month, problem = parse_month(request.args.get("month"))
    if problem:
        flash(problem, "warning")
    if (year, month) > (today.year, today.month):
        flash(gettext("%(month)s has not begun yet: the current month is shown.", month=visits.month_key(year, month)),
              "warning")
        year, month = today.year, today.month
    return year, month


# ---------------------------------------------------------------------------- visits


class VisitView(PMModelView):
    """走访记录: every visit; its page shows the issues raised and the state of the records they became."""

    datamodel = SQLAInterface(Visit)
    route_base = "/visits"
    list_title = _l("Client visits")
    show_title = _l("Client visit")
    base_permissions = ["can_list", "can_show"]
    label_columns = {**LABELS, "where_label": LABELS["where"], "person_masked": LABELS["person"]}
    list_columns = ["visited_on", "community", "where_label", "channel", "visitor_name", "satisfaction"]
    show_columns = ["visited_on", "community", "where_label", "channel", "visitor_name", "person_masked",
                    "satisfaction", "remarks", "follow_up", "other_needs", "created_at", "created_by_name"]
    search_columns = ["visited_on", "community", "channel", "visitor_name", "satisfaction"]
    add_columns = edit_columns = search_columns  # (no add or edit page: the visit form records visits)
    base_order = ("visited_on", "desc")
    show_template = "community/visit_show.html"
    formatters_columns = {"channel": choice_formatter(VISIT_CHANNELS),
                          "satisfaction": choice_formatter(VISIT_SATISFACTION), "created_at": format_datetime}


class VisitRecordView(BaseView):
    """记录走访: date, household (or a building's common place), channel, what the client raised (each issue may
    become a repair, complaint or suggestion in the same step), satisfaction, follow-up, other needs."""

    route_base = "/visit-record"
    default_view = "new"
    base_permissions = ["can_new"]

    def _render(self, values: dict, errors: dict):
        community_id = visits._id(values.get("community"))
        buildings = list(db.session.scalars(select(Building).where(Building.community_id == (community_id or 0))
                                            .order_by(Building.code))) if community_id else []
        mine = visits.zone_building_ids(g.user.id, community_id, clock.today()) if community_id else set()
        rows = list(values.get("issues") or [])
        rows += [{}] * (3 - len(rows)) if len(rows) < 3 else []
        return self.render_template(
            "community/visit_form.html", values=values, errors=errors, communities=_communities(),
            buildings=buildings, mine=mine, labels=LABELS, channels=VISIT_CHANNELS, categories=ISSUE_CATEGORIES,
            outcomes=ISSUE_OUTCOMES, satisfaction=VISIT_SATISFACTION, issue_rows=rows[:visits.MAX_ISSUES],
            today=clock.today().isoformat())

    @expose("/", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "GET":
            community = _community_arg(request.args.get("community"))
            return self._render({"community": community.id if community else "", "visited_on": clock.today().isoformat(),
                                 "channel": "door", "house_no": request.args.get("house_no", "")[:60],
                                 "building": request.args.get("building", "")}, {})
        form = request.form
        issues = [{"category": form.get(f"issue_{n}_category", ""), "text": form.get(f"issue_{n}_text", ""),
                   "outcome": form.get(f"issue_{n}_outcome", "noted")} for n in range(1, visits.MAX_ISSUES + 1)
                  if f"issue_{n}_text" in form]
        values = {k: form.get(k, "") for k in ("community", "visited_on", "house_no", "building", "place", "channel",
                                                "person", "satisfaction", "remarks", "follow_up", "other_needs")}
        values["issues"] = issues
        try:
            visit = visits.record_visit(values, current_actor())
        except RuleViolation as exc:
            db.session.rollback()
            errors = dict(exc.errors)
            if "" in errors:
                flash(errors.pop(""), "danger")
            flash(gettext("The visit was not recorded: please correct what is marked."), "danger")
            return self._render(values, errors)
        db.session.commit()
        opened = [i for i in visit.issues if i.outcome != "noted"]
        flash(gettext("The visit is recorded.") + (" " + gettext("%(n)d record(s) opened at the service desk.",
                                                                 n=len(opened)) if opened else ""), "success")
        return redirect(url_for("VisitView.show", pk=visit.id))


# ---------------------------------------------------------------------------- 专责区 zones


class ZoneView(BaseView):
    """专责区: each property assistant's buildings in a community now, the form to change them (the 项目经理) and
    the history of the zones."""

    route_base = "/visit-zones"
    default_view = "index"
    base_permissions = ["can_index", "can_assign"]

    @expose("/")
    @has_access
    def index(self):
        community = _community_arg(request.args.get("community"))
        today = clock.today()
        zones = visits.zones_on(community.id, today) if community else {}
        buildings = list(db.session.scalars(select(Building).where(Building.community_id == community.id)
                                            .order_by(Building.code))) if community else []
        owner_of = {bid: zone["name"] for zone in zones.values() for bid, _n in zone["buildings"]}
        return self.render_template(
            "community/zones.html", community=community, communities=_communities(), zones=zones,
            buildings=buildings, owner_of=owner_of, assistants=visits.assistants(),
            history=visits.zone_history(community.id) if community else [],
            may_assign=self.appbuilder.sm.has_access("can_assign", "ZoneView"), labels=LABELS)

    @expose("/assign", methods=["POST"])
    @has_access
    def assign(self):
        form = request.form
        community_id = form.get("community", "")
        try:
            done = visits.assign_zone(community_id, form.get("assistant"), form.getlist("buildings"), current_actor())
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        else:
            db.session.commit()
            flash(gettext("The zone is saved: %(added)d building(s) added, %(removed)d taken out, from today.",
                          added=done["added"], removed=done["removed"]), "success")
        return redirect(url_for("ZoneView.index", community=community_id))


# ---------------------------------------------------------------------------- coverage, report, summary


class VisitCoverageView(BaseView):
    """走访覆盖: each zone's households visited this month, who is behind; the report PDF; the manager's summary."""

    route_base = "/visit-coverage"
    default_view = "index"
    base_permissions = ["can_index", "can_pdf", "can_summary"]

    @expose("/")
    @has_access
    def index(self):
        community = _community_arg(request.args.get("community"))
        year, month = _month_arg()
        if community is None:
            flash(gettext("There is no community yet."), "warning")
            return redirect(url_for("ZoneView.index"))
        cov = visits.coverage(community.id, year, month)
        me = g.user.id
        cov["zones"].sort(key=lambda z: (z["assistant_id"] != me, z["name"]))  # my own zone first
        summary = db.session.scalar(select(VisitSummary).where(VisitSummary.community_id == community.id,
                                                               VisitSummary.month == cov["key"]))
        sm = self.appbuilder.sm
        return self.render_template(
            "community/visit_coverage.html", cov=cov, community=community, communities=_communities(), me=me,
            summary=summary, month_value=cov["key"], household_statuses=visits.HOUSEHOLD_STATUSES,
            may_summary=sm.has_access("can_summary", "VisitCoverageView"),
            may_record=sm.has_access("can_new", "VisitRecordView"), summary_limit=visits.SUMMARY_LIMIT)

    @expose("/pdf")
    @has_access
    def pdf(self):
        community = _community_arg(request.args.get("community"))
        year, month = _month_arg()
        if community is None:
            abort(404)
        assistant_id = visits._id(request.args.get("assistant"))
        assistant_name = None
        if assistant_id:
            zones = visits.zones_on(community.id, visits.reference_day(year, month, clock.today()))
            if assistant_id not in zones:
                flash(gettext("That user has no zone in %(community)s in %(month)s.", community=community.name,
                              month=visits.month_key(year, month)), "warning")
                return redirect(url_for("VisitCoverageView.index", community=community.id,
                                        month=visits.month_key(year, month)))
            assistant_name = zones[assistant_id]["name"]
        data = visits.report(community.id, year, month, assistant_id=assistant_id)
        pdf = report_pdf(community, data, assistant_name)
        name = gettext("Visit report") + f"-{community.name}-{data['key']}" + (f"-{assistant_name}" if assistant_name
                                                                              else "")
        return pdf_response(pdf, name)

    @expose("/summary", methods=["POST"])
    @has_access
    def summary(self):
        form = request.form
        year, month, problem = parse_month(form.get("month"))
        community_id = form.get("community", "")
        if problem:
            flash(problem, "danger")
        else:
            try:
                visits.save_summary(community_id, year, month, form.get("summary", ""), current_actor())
            except RuleViolation as exc:
                db.session.rollback()
                flash_errors(exc.errors)
            else:
                db.session.commit()
                flash(gettext("The summary of %(month)s is saved.", month=visits.month_key(year, month)), "success")
        return redirect(url_for("VisitCoverageView.index", community=community_id,
                                month=visits.month_key(year, month)))


def report_pdf(community: Community, data: dict, assistant_name: str | None = None) -> bytes:
    """The 《物业部走访情况报告》 of a month: the office's, or one property assistant's."""
    from app.community.services import office_name
    from app.core.formatting import format_date

    return render_pdf("community/visit_report.html", community=community, data=data, assistant_name=assistant_name,
                      office=office_name(community), printed_on=format_date(clock.today()),
                      first=format_date(data["first"]), last=format_date(data["last"]),
                      summary_at=format_datetime(data["summary"].updated_at) if data["summary"] else "")


# ---------------------------------------------------------------------------- template helpers and registration


def _page_helpers() -> dict:
    return {
        "visit_of": lambda pk: db.session.get(Visit, int(pk)),
        "visit_issue_link": visits.issue_link,
        "visit_person": mask_name,
    }


def register(appbuilder) -> None:
    from flask import current_app

    register_labels(Visit.__tablename__, _l("Client visit"), LABELS, {"channel": VISIT_CHANNELS})
    add = appbuilder.add_view
    add(VisitCoverageView, "Visit coverage", label=_l("Visit coverage"), icon="fa-map-o", **CATEGORY)
    add(VisitRecordView, "Record a visit", label=_l("Record a visit"), icon="fa-handshake-o", **CATEGORY)
    add(VisitView, "Client visits", label=_l("Client visits"), icon="fa-address-book-o", **CATEGORY)
    add(ZoneView, "Visit zones", label=_l("Visit zones"), icon="fa-th-large", **CATEGORY)
    current_app.jinja_env.globals.update(_page_helpers())
