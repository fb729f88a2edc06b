"""Pages of 维修基金: the accounts of a building or community (page and PDF), recording deposits, top-ups and
interest (preview, then post), the ledger's entries (the 项目经理 reverses), and the use applications with
their steps. Thin: the rules are in app.billing.fund."""

import os

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.billing import fund, fund_papers
from app.billing.models import (FUND_ENTRY_KINDS, FUND_SCOPES, FUND_STATES, FundApplication, FundEntry, FundPaper,
                                FundResolution)
from app.core.audit import register_labels
from app.core.formatting import format_datetime, format_money
from app.core.pdf import render_pdf
from app.core.rules import ConcurrentChange, RuleViolation, as_id
from app.core.views import PMModelView, choice_formatter, choice_select, current_actor, flash_errors
from app.estate import services as estate_services
from app.estate.models import Building, Unit
from app.estate.printing import pdf_response
from app.extensions import db

LABELS = fund.LABELS


def _buildings(community_id) -> list:
    return db.session.scalars(select(Building).where(Building.community_id == (community_id or 0))
                              .order_by(Building.code)).all()


def _units(community_id) -> list:
    return db.session.scalars(select(Unit).join(Building, Building.id == Unit.building_id)
                              .where(Building.community_id == (community_id or 0))
                              .order_by(Building.code, Unit.code)).all()


class FundView(BaseView):
    """维修基金 of a building or the whole community: each house's deposits, interest, uses and balance."""

    route_base = "/fund"
    default_view = "index"
    base_permissions = ["can_index", "can_pdf"]

    def _statement(self):
        communities = estate_services.communities()
        community_id = as_id(request.args.get("community")) or (communities[0].id if communities else None)
        building_id = as_id(request.args.get("building"))
        try:
            return communities, fund.building_statement(community_id, building_id) if community_id else None
        except RuleViolation as exc:
            flash_errors(exc.errors)
            if "community" in exc.errors:  # no such community: the first one of the user's
                community_id = communities[0].id if communities else None
            return communities, fund.building_statement(community_id) if community_id else None

    @expose("/")
    @has_access
    def index(self):
        communities, statement = self._statement()
        sm = self.appbuilder.sm
        return self.render_template(
            "billing/fund.html", s=statement, communities=communities,
            buildings=_buildings(statement["community"].id) if statement else [],
            can_post=sm.has_access("can_post", "FundPostingView"),
            can_apply=sm.has_access("can_add", "FundApplicationView"))

    @expose("/pdf")
    @has_access
    def pdf(self):
        _communities, statement = self._statement()
        if statement is None:
            return redirect(url_for("FundView.index"))
        data = render_pdf("billing/fund_statement.html", s=statement, printed_by=current_actor().name,
                          printed_at=clock.now())
        place = statement["building"].name if statement["building"] else statement["community"].name
        return pdf_response(data, f"{gettext('Maintenance fund')}-{place}")


class FundPostingView(BaseView):
    """录入缴存: a first deposit or a top-up for the houses of a scope (preview, then post); interest."""

    route_base = "/fund-posting"
    default_view = "post"
    base_permissions = ["can_post", "can_interest"]

    def _page(self, form, plan=None, interest_form=None, interest_plan=None):
        communities = estate_services.communities()
        community_id = as_id(form.get("community")) or (communities[0].id if communities else None)
        interest_form = interest_form or {}
        return self.render_template("billing/fund_posting.html", form=form, plan=plan, communities=communities,
                                    community_id=community_id, buildings=_buildings(community_id),
                                    units=_units(community_id), scopes=FUND_SCOPES, today=clock.today(),
                                    interest_form=interest_form, interest_plan=interest_plan,
                                    interest_community=as_id(interest_form.get("community")) or community_id)

    @expose("/", methods=["GET", "POST"])
    @has_access
    def post(self):
        form = request.form if request.method == "POST" else request.args
        if request.method == "GET":
            return self._page(form)
        try:
            if request.form.get("commit"):
                plan = fund.post_deposits(request.form, current_actor())
                db.session.commit()
                flash(gettext("%(kind)s posted for %(n)d houses, %(total)s in all.",
                              kind=FUND_ENTRY_KINDS[plan.kind], n=len(plan.rows), total=format_money(plan.total)),
                      "success")
                return redirect(url_for("FundView.index", community=request.form.get("community")))
            return self._page(form, fund.plan_deposits(request.form))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        return self._page(form)

    @expose("/interest", methods=["POST"])
    @has_access
    def interest(self):
        """The bank's interest: previewed (each house's share), then posted as shown."""
        try:
            if request.form.get("commit"):
                entries = fund.post_interest(request.form, current_actor())
                db.session.commit()
                flash(gettext("Interest shared over %(n)d houses by their balances.", n=len(entries)), "success")
                return redirect(url_for("FundView.index", community=request.form.get("community")))
            return self._page({}, interest_form=request.form, interest_plan=fund.plan_interest(request.form))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        return self._page({}, interest_form=request.form)


class FundEntryView(PMModelView):
    """The ledger of the fund: every deposit, top-up, interest, payout share and reversal; never edited."""

    datamodel = SQLAInterface(FundEntry)
    route_base = "/fund-entries"
    list_title = _l("Maintenance fund entries")
    show_title = _l("Maintenance fund entry")
    base_permissions = ["can_list", "can_show", "can_reverse"]
    label_columns = LABELS
    list_columns = ["on_date", "house", "kind", "amount", "balance_after", "basis", "application", "by_name"]
    show_columns = ["on_date", "house", "kind", "amount", "balance_after", "basis", "voucher_no", "note",
                    "application", "reverses", "by_name", "approved_by", "at"]
    search_columns = ["house", "on_date", "kind", "application", "voucher_no", "by_name"]
    add_columns = edit_columns = search_columns  # (no add or edit page: the posting page and payouts make them)
    base_order = ("id", "desc")
    show_template = "billing/fund_entry_show.html"
    formatters_columns = {"amount": format_money, "balance_after": format_money, "at": format_datetime,
                          "kind": choice_formatter(FUND_ENTRY_KINDS)}

    @expose("/reverse/<int:pk>", methods=["POST"])
    @has_access
    def reverse(self, pk):
        if db.session.get(FundEntry, pk) is None:
            abort(404)
        try:
            reversal = fund.reverse_entry(pk, current_actor(), request.form.get("reason", ""))
            db.session.commit()
            flash(gettext("Entry %(id)d reversed by entry %(reversal)d.", id=pk, reversal=reversal.id), "success")
            return redirect(url_for("FundEntryView.show", pk=reversal.id))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        return redirect(url_for("FundEntryView.show", pk=pk))


class FundApplicationView(PMModelView):
    """使用申请: apply, record the owners' vote, approve (项目经理), pay out, or reject or withdraw."""

    datamodel = SQLAInterface(FundApplication)
    route_base = "/fund-applications"
    list_title = _l("Maintenance fund use applications")
    add_title = _l("Apply to use the maintenance fund")
    show_title = _l("Maintenance fund use application")
    base_permissions = ["can_list", "can_show", "can_add", "can_act", "can_paper"]
    label_columns = LABELS
    list_columns = ["number", "community", "project", "amount", "scope", "building", "state", "applied_by",
                    "applied_at"]
    show_columns = ["number", "community", "project", "description", "contractor", "amount", "scope", "building",
                    "unit", "state", "area_total", "owners_total", "area_voting", "owners_voting", "area_for",
                    "owners_for", "voted_on", "applied_by", "applied_at", "approved_by", "approved_at", "paid_by",
                    "paid_on"]
    add_columns = ["community", "project", "description", "contractor", "amount", "scope", "building", "unit"]
    edit_columns = add_columns  # (no edit page: a step of the application is taken from its page)
    search_columns = ["number", "community", "project", "state", "building", "applied_by"]
    base_order = ("id", "desc")
    show_template = "billing/fund_application_show.html"
    formatters_columns = {"amount": format_money, "state": choice_formatter(FUND_STATES),
                          "scope": choice_formatter(FUND_SCOPES), "applied_at": format_datetime,
                          "approved_at": format_datetime}
    add_form_extra_fields = {"scope": choice_select(LABELS["scope"], FUND_SCOPES, "building")}
    rule_check = fund.check_application

    def pre_add(self, item):
        fund.prepare_application(item, current_actor())

    def post_add(self, item):
        fund.applied(item, current_actor())
        db.session.commit()
        g.pm_fund_application = item

    def post_add_redirect(self):
        application = g.pop("pm_fund_application", None)
        if application is None:
            return super().post_add_redirect()
        flash(gettext("Application %(no)s made; record the owners' vote next.", no=application.number), "success")
        return redirect(url_for("FundApplicationView.show", pk=application.id))

    @expose("/act/<int:pk>/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        if db.session.get(FundApplication, pk) is None or action not in fund.ACTION_LABELS:
            abort(404)
        uploads = {name: fund_papers.Upload(f.filename or "", f.read(fund_papers.MAX_BYTES + 1))
                   for name, f in request.files.items() if name in fund_papers.FILE_FIELDS.values()}
        stored = []
        try:
            application = fund.transition(pk, action, current_actor(), note=request.form.get("note"),
                                          values=request.form, uploads=uploads,
                                          expected_version=as_id(request.form.get("version")))
            stored = [paper.stored_name for paper in application.papers]
            db.session.commit()
            flash(gettext("Application %(no)s: %(state)s.", no=application.number, state=application.state_label()),
                  "success")
        except (RuleViolation, ConcurrentChange) as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        except Exception:
            db.session.rollback()
            fund_papers.remove_files(fund_papers.paper_folder(), stored)
            raise
        return redirect(url_for("FundApplicationView.show", pk=pk))

    @expose("/paper/<int:paper_id>")
    @has_access
    def paper(self, paper_id):
        """A payout paper's file, to those who may see its application (the list's own filters apply)."""
        paper = db.session.get(FundPaper, paper_id)
        if paper is None or self.datamodel.get(paper.application_id, self._base_filters) is None:
            abort(404)
        path = fund_papers.paper_path(paper)
        if not os.path.isfile(path):
            abort(404)
        return send_file(path, mimetype=paper.content_type, download_name=paper.original_name, max_age=0)


class FundResolutionView(PMModelView):
    """续筹表决: the owners' votes that decided a top-up (three quarters, 民法典 §278 第一款第六项); recorded on the
    posting page with the top-up, never edited."""

    datamodel = SQLAInterface(FundResolution)
    route_base = "/fund-resolutions"
    list_title = _l("Maintenance fund top-up votes")
    show_title = _l("Maintenance fund top-up vote")
    base_permissions = ["can_list", "can_show"]
    label_columns = dict(LABELS, number=_l("Resolution no."), recorded_by=_l("Recorded by"),
                         recorded_at=_l("Recorded at"))
    list_columns = ["number", "community", "scope", "building", "voted_on", "area_for", "owners_for", "recorded_by"]
    show_columns = ["number", "community", "scope", "building", "unit", "area_total", "owners_total", "area_voting",
                    "owners_voting", "area_for", "owners_for", "voted_on", "recorded_by", "recorded_at"]
    search_columns = ["number", "community", "voted_on", "recorded_by"]
    add_columns = edit_columns = search_columns  # (no add or edit page: the posting page records the vote)
    base_order = ("id", "desc")
    formatters_columns = {"scope": choice_formatter(FUND_SCOPES), "recorded_at": format_datetime}


def _page_helpers() -> dict:
    def application(pk):
        return db.session.get(FundApplication, int(pk))

    return {
        "fund_application": application,
        "fund_entry": lambda pk: db.session.get(FundEntry, int(pk)),
        "fund_actions": lambda a: fund.actions(a, current_actor()),
        "fund_held_back": lambda a: fund.held_back(a, current_actor()),
        "fund_action_labels": fund.ACTION_LABELS,
        "fund_shares": fund.shares,
        "fund_scope_totals": fund.scope_totals,
        "fund_kind_label": lambda kind: str(FUND_ENTRY_KINDS.get(kind, kind)),
        "fund_may_reverse": lambda entry: fund.reversal_problem(entry, current_actor()) is None,
        "fund_reversed_by": lambda entry: db.session.scalar(select(FundEntry.id).where(
            FundEntry.reverses_id == entry.id)),
    }


def register(appbuilder, category: dict) -> None:
    register_labels(FundApplication.__tablename__, _l("Maintenance fund use application"), LABELS,
                    {"state": FUND_STATES, "scope": FUND_SCOPES})
    add = appbuilder.add_view
    add(FundView, "Maintenance fund", label=_l("Maintenance fund"), icon="fa-shield", **category)
    add(FundApplicationView, "Maintenance fund use applications", label=_l("Maintenance fund use applications"),
        icon="fa-gavel", **category)
    add(FundEntryView, "Maintenance fund entries", label=_l("Maintenance fund entries"), icon="fa-book", **category)
    add(FundResolutionView, "Maintenance fund top-up votes", label=_l("Maintenance fund top-up votes"),
        icon="fa-check-square-o", **category)
    appbuilder.add_view_no_menu(FundPostingView)
    current_app.jinja_env.globals.update(_page_helpers())
