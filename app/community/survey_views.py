"""Pages of the 满意度调查: questionnaires (list, record page with its questions, next steps and history; the
drafting forms), campaigns (list, record page, opening and ending), entering the paper forms one after another,
the Excel import, and the results with the 满意度调查报告 PDF.

Thin: every rule is in app.community.surveys; a refused step shows its Chinese message and writes nothing.
"""
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.community import surveys
from app.community.models import (SURVEY_CAMPAIGN_STATES, SURVEY_DEPARTMENTS, SURVEY_QUESTION_KINDS, SURVEY_SCALE,
                                  SURVEY_SOURCES, SURVEY_TEMPLATE_STATES, SurveyCampaign, SurveyResponse,
                                  SurveyTemplate)
from app.community.views import CATEGORY, _version
from app.core.audit import register_labels
from app.core.excel import xlsx_response
from app.core.formatting import format_date, format_datetime
from app.core.ids import parse_id
from app.core.rules import ConcurrentChange, RuleViolation
from app.core.views import PMModelView, choice_formatter, current_actor
from app.estate.models import Community
from app.estate.printing import pdf_response
from app.extensions import db

LABELS = surveys.LABELS
MAX_UPLOAD_MB = 10


def _refused(exc: RuleViolation, fields=()) -> dict:
    """Roll back; flash what has no field of its own; return the rest for the form."""
    db.session.rollback()
    errors = dict(exc.errors)
    for key in [k for k in errors if k not in fields]:
        flash(errors.pop(key), "danger")
    return errors


# ---------------------------------------------------------------------------- questionnaires


class SurveyTemplateView(PMModelView):
    """调查问卷: every questionnaire; its page shows the questions, the next steps and the history."""

    datamodel = SQLAInterface(SurveyTemplate)
    route_base = "/survey-templates"
    list_title = _l("Survey questionnaires")
    show_title = _l("Survey questionnaire")
    base_permissions = ["can_list", "can_show"]
    label_columns = LABELS
    list_columns = ["name", "state", "created_by_name", "created_at", "approved_by_name", "approved_at"]
    show_columns = ["name", "intro", "state", "created_by_name", "created_at", "approved_by_name", "approved_at",
                    "copied_from"]
    search_columns = ["name", "state", "created_by_name"]
    add_columns = edit_columns = ["name", "intro"]  # (no add or edit page: the drafting form makes them)
    base_order = ("id", "desc")
    show_template = "community/survey_template_show.html"
    formatters_columns = {"state": choice_formatter(SURVEY_TEMPLATE_STATES), "created_at": format_datetime,
                          "approved_at": format_datetime}


class SurveyTemplateEditView(BaseView):
    """起草问卷: a new draft (name, introduction), and on a draft: its name, adding, moving and removing questions.
    Drafting anew (a copy) from any questionnaire."""

    route_base = "/survey-template-edit"
    default_view = "new"
    base_permissions = ["can_new", "can_edit", "can_copy"]

    def _form(self, values, errors, template=None):
        return self.render_template("community/survey_template_form.html", values=values, errors=errors,
                                    questionnaire=template, labels=LABELS)

    def _back(self, pk):
        return redirect(url_for("SurveyTemplateView.show", pk=pk))

    @expose("/", methods=["GET", "POST"])
    @has_access
    def new(self):
        values = {"name": request.form.get("name", ""), "intro": request.form.get("intro", "")}
        if request.method == "GET":
            return self._form({"name": gettext("Owner satisfaction survey"), "intro": ""}, {})
        try:
            template = surveys.save_template(values, current_actor())
        except RuleViolation as exc:
            return self._form(values, _refused(exc, ("name", "intro")))
        db.session.commit()
        flash(gettext("The draft questionnaire is saved: add its questions."), "success")
        return self._back(template.id)

    @expose("/edit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        template = db.session.get(SurveyTemplate, pk)
        if template is None:
            abort(404)
        if request.method == "GET":
            return self._form({"name": template.name, "intro": template.intro or ""}, {}, template)
        values = {"name": request.form.get("name", ""), "intro": request.form.get("intro", "")}
        try:
            surveys.save_template(values, current_actor(), pk, expected_version=_version(request.form))
        except ConcurrentChange as exc:
            _refused(exc)
            return self._back(pk)
        except RuleViolation as exc:
            errors = _refused(exc, ("name", "intro"))
            template = db.session.get(SurveyTemplate, pk)
            if template.state != "draft":
                return self._back(pk)
            return self._form(values, errors, template)
        db.session.commit()
        flash(gettext("The draft is saved."), "success")
        return self._back(pk)

    @expose("/question/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")  # changing a draft's questions is editing it
    def question(self, pk):
        form = request.form
        values = {name: form.get(name, "") for name in ("department", "kind", "text", "satisfied_options",
                                                        "other_options")}
        try:
            question = surveys.add_question(pk, values, current_actor())
        except RuleViolation as exc:
            _refused(exc)
            if db.session.get(SurveyTemplate, pk) is None:
                abort(404)
            return self._back(pk)
        db.session.commit()
        flash(gettext("Question %(n)d is added.", n=question.position), "success")
        return self._back(pk)

    @expose("/remove/<int:pk>/<int:question_id>", methods=["POST"])
    @has_access
    @permission_name("edit")  # changing a draft's questions is editing it
    def remove(self, pk, question_id):
        try:
            surveys.remove_question(pk, question_id, current_actor())
        except RuleViolation as exc:
            _refused(exc)
        else:
            db.session.commit()
        if db.session.get(SurveyTemplate, pk) is None:
            abort(404)
        return self._back(pk)

    @expose("/move/<int:pk>/<int:question_id>/<direction>", methods=["POST"])
    @has_access
    @permission_name("edit")  # changing a draft's questions is editing it
    def move(self, pk, question_id, direction):
        if direction not in ("up", "down"):
            abort(404)
        try:
            surveys.move_question(pk, question_id, -1 if direction == "up" else 1, current_actor())
        except RuleViolation as exc:
            _refused(exc)
        else:
            db.session.commit()
        if db.session.get(SurveyTemplate, pk) is None:
            abort(404)
        return self._back(pk)

    @expose("/copy/<int:pk>", methods=["POST"])
    @has_access
    def copy(self, pk):
        try:
            template = surveys.copy_template(pk, current_actor())
        except RuleViolation as exc:
            _refused(exc)
            if db.session.get(SurveyTemplate, pk) is None:
                abort(404)
            return self._back(pk)
        db.session.commit()
        flash(gettext("A new draft was made from the questionnaire: change it and submit it for approval."),
              "success")
        return self._back(template.id)


class SurveyTemplateActionView(BaseView):
    """The buttons on a questionnaire's page: submit, approve, return, retire (surveys.transition)."""

    route_base = "/survey-template-actions"
    base_permissions = ["can_act"]

    @expose("/<int:pk>/<name>", methods=["POST"])
    @has_access
    def act(self, pk, name):
        if name not in {row[1] for row in surveys.TEMPLATE_TRANSITIONS}:
            abort(404)
        try:
            template = surveys.transition(pk, name, current_actor(), note=request.form.get("note", ""),
                                          expected_version=_version(request.form))
        except RuleViolation as exc:
            _refused(exc)
            if db.session.get(SurveyTemplate, pk) is None:
                abort(404)
        else:
            db.session.commit()
            flash(gettext("“%(name)s”: %(state)s.", name=template.name, state=template.state_label()), "success")
        return redirect(url_for("SurveyTemplateView.show", pk=pk))


# ---------------------------------------------------------------------------- campaigns


class SurveyCampaignView(PMModelView):
    """满意度调查: one per community and half year; its page leads to entering forms, importing, the results."""

    datamodel = SQLAInterface(SurveyCampaign)
    route_base = "/survey-campaigns"
    list_title = _l("Satisfaction surveys")
    show_title = _l("Satisfaction survey")
    base_permissions = ["can_list", "can_show"]
    label_columns = LABELS
    list_columns = ["community", "period_label", "template", "starts_on", "ends_on", "state"]
    show_columns = ["community", "period_label", "template", "starts_on", "ends_on", "state", "created_by_name",
                    "closed_at"]
    search_columns = ["community", "year", "half", "state", "template"]
    add_columns = edit_columns = ["community"]  # (no add or edit page: SurveyCampaignAdminView opens them)
    base_order = ("id", "desc")
    show_template = "community/survey_campaign_show.html"
    formatters_columns = {"state": choice_formatter(SURVEY_CAMPAIGN_STATES), "starts_on": format_date,
                          "ends_on": format_date, "closed_at": format_datetime,
                          "half": choice_formatter(surveys.HALVES)}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.label_columns["created_by_name"] = str(_l("Opened by"))


class SurveyCampaignAdminView(BaseView):
    """开展调查 (a new campaign with an approved questionnaire) and ending or reopening one: the 项目经理."""

    route_base = "/survey-campaign-admin"
    default_view = "new"
    base_permissions = ["can_new", "can_act"]

    def _form(self, values, errors):
        communities = db.session.scalars(select(Community).order_by(Community.name)).all()
        return self.render_template("community/survey_campaign_form.html", values=values, errors=errors,
                                    communities=communities, templates=surveys.approved_templates(),
                                    halves=surveys.HALVES, labels=LABELS)

    @expose("/", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "GET":
            year, half = surveys.half_of(clock.today())
            start = date(year, 1 if half == 1 else 7, 1)
            end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
            templates = surveys.approved_templates()
            return self._form({"community": request.args.get("community", ""), "year": year, "half": half,
                               "template": templates[0].id if templates else "", "starts_on": start.isoformat(),
                               "ends_on": end.isoformat()}, {})
        values = {name: request.form.get(name, "") for name in ("community", "template", "year", "half",
                                                                "starts_on", "ends_on")}
        try:
            campaign = surveys.open_campaign(values, current_actor())
        except RuleViolation as exc:
            return self._form(values, _refused(exc, tuple(values)))
        db.session.commit()
        flash(gettext("The survey %(survey)s is open: the forms can be entered.", survey=str(campaign)), "success")
        return redirect(url_for("SurveyCampaignView.show", pk=campaign.id))

    @expose("/<int:pk>/<name>", methods=["POST"])
    @has_access
    def act(self, pk, name):
        if name not in surveys.CAMPAIGN_ACTIONS:
            abort(404)
        try:
            campaign = surveys.campaign_transition(pk, name, current_actor())
        except RuleViolation as exc:
            _refused(exc)
            if db.session.get(SurveyCampaign, pk) is None:
                abort(404)
        else:
            db.session.commit()
            flash(gettext("%(survey)s: %(state)s.", survey=str(campaign), state=campaign.state_label()), "success")
        return redirect(url_for("SurveyCampaignView.show", pk=pk))


# ---------------------------------------------------------------------------- entering and importing forms


def _campaign_or_404(pk) -> SurveyCampaign:
    campaign = db.session.get(SurveyCampaign, pk)
    if campaign is None:
        abort(404)
    return campaign


class SurveyEntryView(BaseView):
    """录入问卷: the paper forms typed one after another (the house, then one digit per question), the Excel
    template and import, and taking back a wrongly typed form."""

    route_base = "/survey-entry"
    base_permissions = ["can_entry", "can_template", "can_import"]

    def _entry(self, campaign, values, errors, status=200):
        answered, households = surveys.progress(campaign)
        return self.render_template(
            "community/survey_entry.html", campaign=campaign, values=values, errors=errors,
            questions=campaign.template.questions, hint=surveys.answer_hint, scale=SURVEY_SCALE,
            answered=answered, households=households, recent=surveys.recent_responses(campaign.id),
            house_numbers=surveys.unanswered_house_numbers(campaign) if campaign.state == "open" else [],
            labels=LABELS, departments=SURVEY_DEPARTMENTS), status

    @expose("/<int:pk>", methods=["GET", "POST"])
    @has_access
    def entry(self, pk):
        campaign = _campaign_or_404(pk)
        if request.method == "GET":
            return self._entry(campaign, {}, {})
        form = request.form
        raw = {q.id: form.get(f"q{q.id}", "") for q in campaign.template.questions}
        values = {"house": form.get("house", ""), "remark": form.get("remark", ""),
                  **{f"q{k}": v for k, v in raw.items()}}
        try:
            response = surveys.record_response(pk, values["house"], raw, current_actor(), remark=values["remark"])
        except RuleViolation as exc:
            errors = _refused(exc, tuple(values))
            return self._entry(db.session.get(SurveyCampaign, pk), values, errors, 422)
        house_no = response.house.house_no
        db.session.commit()
        flash(gettext("The form of %(house)s is saved. Next form:", house=house_no), "success")
        return redirect(url_for("SurveyEntryView.entry", pk=pk))

    @expose("/delete/<int:response_id>", methods=["POST"])
    @has_access
    @permission_name("entry")  # taking a mistyped form back is part of typing them
    def delete(self, response_id):
        response = db.session.get(SurveyResponse, response_id)
        if response is None:
            abort(404)
        pk = response.campaign_id
        try:
            house_no = surveys.delete_response(response_id, current_actor())
        except RuleViolation as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(gettext("The form of %(house)s is taken back: enter it again.", house=house_no), "success")
        return redirect(url_for("SurveyEntryView.entry", pk=pk))

    @expose("/template/<int:pk>")
    @has_access
    def template(self, pk):
        campaign = _campaign_or_404(pk)
        return xlsx_response(surveys.import_template(campaign),
                             gettext("Survey forms") + f"-{campaign.community.name}-{campaign.year}-{campaign.half}.xlsx",
                             f"survey-forms-{campaign.id}.xlsx")

    @expose("/import/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def import_(self, pk):
        campaign = _campaign_or_404(pk)
        result, problem = None, None
        if request.method == "POST":
            upload = request.files.get("file")
            data = upload.read(MAX_UPLOAD_MB * 1024 * 1024 + 1) if upload is not None else b""
            if not data:
                problem = gettext("Please choose a file.")
            elif len(data) > MAX_UPLOAD_MB * 1024 * 1024:
                problem = gettext("The file is larger than %(mb)d MB. Please split it into several files.",
                                  mb=MAX_UPLOAD_MB)
            else:
                try:
                    result = surveys.import_responses(pk, data, current_actor())
                except RuleViolation as exc:
                    _refused(exc)
                    return redirect(url_for("SurveyCampaignView.show", pk=pk))
                if result.ok:
                    db.session.commit()
                else:
                    db.session.rollback()
        return self.render_template("community/survey_import.html", campaign=campaign, result=result,
                                    problem=problem, max_mb=MAX_UPLOAD_MB,
                                    bad_rows=len({r for r, _c, _m in result.errors if r}) if result else 0)


# ---------------------------------------------------------------------------- results


def _chosen_campaign():
    """The campaign of ?campaign=, else the latest; a bad value is said and the latest shown."""
    all_campaigns = surveys.campaigns()
    raw = (request.args.get("campaign") or "").strip()
    chosen = None
    if raw:
        campaign_id = parse_id(raw)
        if campaign_id is not None:
            chosen = next((c for c in all_campaigns if c.id == campaign_id), None)
        if chosen is None:
            flash(gettext("There is no such survey; the latest is shown."), "warning")
    if chosen is None and all_campaigns:
        chosen = all_campaigns[0]
    return chosen, all_campaigns, not raw or chosen is not None and str(chosen.id) == raw


def show_helpers() -> dict:
    return {"rate": surveys.show_rate, "change": surveys.show_change}


class SurveyResultView(BaseView):
    """调查结果: the satisfaction per department, building and question against the previous survey; the
    满意度调查报告 PDF (the 项目经理)."""

    route_base = "/survey-results"
    default_view = "index"
    base_permissions = ["can_index", "can_report"]

    @expose("/")
    @has_access
    def index(self):
        campaign, all_campaigns, _ok = _chosen_campaign()
        result = surveys.results(campaign.id) if campaign else None
        if campaign is None:
            flash(gettext("There is no survey yet."), "info")
        return self.render_template("community/survey_results.html", result=result, campaigns=all_campaigns,
                                    campaign=campaign, **show_helpers(),
                                    can_report=self.appbuilder.sm.has_access("can_report", type(self).__name__))

    @expose("/report")
    @has_access
    def report(self):
        from app.community.printing import survey_report_pdf

        campaign, _all, ok = _chosen_campaign()
        if campaign is None or not ok:
            return redirect(url_for("SurveyResultView.index"))
        result = surveys.results(campaign.id)
        pdf = survey_report_pdf(result, current_actor().name, clock.now())
        return pdf_response(pdf, f"{gettext('Satisfaction survey report')}-{campaign.community.name}-"
                                 f"{campaign.period_label()}")


# ---------------------------------------------------------------------------- template helpers and registration


def _page_helpers() -> dict:
    def template_actions(template):
        return [(a, surveys.TEMPLATE_ACTIONS[a], a in surveys.NOTE_REQUIRED)
                for a in surveys.template_actions(template, current_actor())]

    def campaign_actions(campaign):
        if not current_actor().roles & surveys.CAMPAIGN_RUNNERS:
            return []
        return [(a, surveys.CAMPAIGN_ACTIONS[a]) for s, a, _t in surveys.CAMPAIGN_TRANSITIONS if s == campaign.state]

    return {
        "survey_template": lambda pk: db.session.get(SurveyTemplate, int(pk)),
        "survey_campaign": lambda pk: db.session.get(SurveyCampaign, int(pk)),
        "survey_template_actions": template_actions,
        "survey_campaign_actions": campaign_actions,
        "survey_may_edit": lambda template: surveys.may_edit(template, current_actor()),
        "survey_may_draft": lambda: bool(current_actor().roles & surveys.DRAFTERS),
        "survey_progress": surveys.progress,
        "survey_hint": surveys.answer_hint,
        "survey_choices": lambda: {"states": {k: str(v) for k, v in SURVEY_TEMPLATE_STATES.items()},
                                   "actions": surveys.TEMPLATE_ACTIONS, "departments": SURVEY_DEPARTMENTS,
                                   "kinds": SURVEY_QUESTION_KINDS, "labels": LABELS},
    }


def register(appbuilder) -> None:
    from flask import current_app

    register_labels(SurveyTemplate.__tablename__, _l("Survey questionnaire"), LABELS,
                    {"state": SURVEY_TEMPLATE_STATES})
    register_labels(SurveyCampaign.__tablename__, _l("Satisfaction survey"),
                    {**LABELS, "closed_by_name": _l("Ended by")},
                    {"state": SURVEY_CAMPAIGN_STATES})
    register_labels(SurveyResponse.__tablename__, _l("Survey form"), LABELS, {"source": SURVEY_SOURCES})
    add = appbuilder.add_view
    add(SurveyCampaignView, "Satisfaction surveys", label=_l("Satisfaction surveys"), icon="fa-smile-o", **CATEGORY)
    add(SurveyResultView, "Survey results", label=_l("Survey results"), icon="fa-bar-chart", **CATEGORY)
    add(SurveyTemplateView, "Survey questionnaires", label=_l("Survey questionnaires"), icon="fa-list-ol",
        **CATEGORY)
    add(SurveyTemplateEditView, "Draft a questionnaire", label=_l("Draft a questionnaire"), icon="fa-pencil-square-o",
        **CATEGORY)
    add(SurveyCampaignAdminView, "Start a survey", label=_l("Start a survey"), icon="fa-play-circle", **CATEGORY)
    appbuilder.add_view_no_menu(SurveyTemplateActionView)
    appbuilder.add_view_no_menu(SurveyEntryView)
    current_app.jinja_env.globals.update(_page_helpers())
