"""Pages of 社区关系: 通知公告 (list, record page with its next steps, the drafting form, the poster) and
社区文化活动 (with photos).

Thin: every rule is in app.community.services; a refused step shows its Chinese message and writes nothing.
A notice has no generic edit or delete page: a draft is changed through the drafting form, every change of
state through the action view (services.transition).
"""
import os

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateTimeLocalField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.community import printing, services
from app.community.models import NOTICE_STATES, NOTICE_TYPES, Activity, ActivityPhoto, Announcement
from app.core.audit import register_labels
from app.core.formatting import format_datetime, format_money
from app.core.rules import ConcurrentChange, RuleViolation
from app.core.views import PMModelView, choice_formatter, current_actor, flash_errors
from app.estate import services as estate_services
from app.estate.models import Building, Community
from app.estate.printing import pdf_response
from app.extensions import db

LABELS = services.LABELS
CATEGORY = dict(category="Community relations", category_label=_l("Community relations"), category_icon="fa-users")


def photo_folder() -> str:
    """Where activity photos are kept: COMMUNITY_PHOTO_FOLDER, else instance/community_photos (never static/)."""
    return current_app.config.get("COMMUNITY_PHOTO_FOLDER") or os.path.join(current_app.instance_path,
                                                                            "community_photos")


def _version(form) -> int | None:
    try:
        return int(form.get("version", ""))
    except ValueError:
        return None


# ---------------------------------------------------------------------------- 通知公告


class AnnouncementView(PMModelView):
    """通知公告: every notice of every state; its page shows the next steps this user may take and the poster."""

    datamodel = SQLAInterface(Announcement)
    route_base = "/announcements"
    list_title = _l("Notices and announcements")
    show_title = _l("Notice or announcement")
    base_permissions = ["can_list", "can_show", "can_poster"]
    label_columns = LABELS
    list_columns = ["title", "notice_type", "community", "scope_label", "state", "created_by_name", "published_at"]
    show_columns = ["title", "notice_type", "community", "scope_label", "state", "created_at", "created_by_name",
                    "published_at", "published_by_name", "withdrawn_at", "withdraw_reason", "activity",
                    "copied_from"]
    search_columns = ["title", "community", "state", "notice_type", "created_by_name", "published_at"]
    add_columns = edit_columns = search_columns  # (no add or edit page: the drafting form makes notices)
    base_order = ("created_at", "desc")
    show_template = "community/announcement_show.html"
    formatters_columns = {"notice_type": choice_formatter(NOTICE_TYPES), "state": choice_formatter(NOTICE_STATES),
                          "created_at": format_datetime, "published_at": format_datetime,
                          "withdrawn_at": format_datetime}

    @expose("/poster/<int:pk>")
    @has_access
    def poster(self, pk):
        """The poster PDF: ?paper=a4|a3, &seal=1 for the seal area."""
        notice = self.datamodel.get(pk, self._base_filters)
        if notice is None:
            abort(404)
        paper = request.args.get("paper", "a4")
        if paper not in printing.PAPERS:
            paper = "a4"
        pdf = printing.poster_pdf(notice, paper, seal=request.args.get("seal") == "1")
        return pdf_response(pdf, f"{notice.title}-{printing.PAPERS[paper]}")


class PublishedAnnouncementView(AnnouncementView):
    """已发布公告: what is posted now and before; the committee reads these and nothing else of the notices."""

    route_base = "/published-notices"
    list_title = _l("Published notices")
    base_filters = [["state", FilterEqual, "published"]]
    base_order = ("published_at", "desc")
    list_columns = ["title", "notice_type", "community", "scope_label", "published_at", "published_by_name"]
    show_columns = ["title", "notice_type", "community", "scope_label", "published_at", "published_by_name"]


def _form_values(form) -> dict:
    """The drafting form's values as services.save_draft takes them (f_<name> are the type's fields)."""
    notice_type = form.get("notice_type", "")
    names = [n for n, _r in services.TYPE_FIELDS.get(notice_type, [])]
    return {"community": form.get("community", ""), "notice_type": notice_type,
            "buildings": form.getlist("buildings"), "fields": {n: form.get("f_" + n, "") for n in names},
            "title": form.get("title", ""), "body": form.get("body", ""), "activity": form.get("activity", "")}


class AnnouncementDraftView(BaseView):
    """起草通知: the community and buildings, the type and its fields; the title and text filled in from the
    type's template and edited by hand; saved as a draft. A draft is changed here too, nothing else is."""

    route_base = "/notice-draft"
    default_view = "new"
    base_permissions = ["can_new", "can_edit", "can_copy"]

    def _render(self, values: dict, errors: dict, notice=None):
        communities = estate_services.communities()
        community_id = services.as_id(values.get("community"))
        buildings = db.session.scalars(select(Building).where(Building.community_id == (community_id or 0))
                                       .order_by(Building.code)).all() if community_id else []
        chosen = {services.as_id(b) for b in values.get("buildings") or []}
        return self.render_template(
            "community/announcement_form.html", values=values, errors=errors, notice=notice,
            communities=communities, buildings=buildings, chosen=chosen, types=NOTICE_TYPES,
            type_fields=services.TYPE_FIELDS.get(values.get("notice_type"), []), kinds=services.FIELD_KINDS,
            labels=LABELS, utilities=services.UTILITIES, festivals=services.FESTIVALS,
            title_limit=services.TITLE_LIMIT, body_limit=services.BODY_LIMIT)

    def _start(self, community_id, notice_type, activity=""):
        """A new form: the type's default fields and, where they suffice, the title and text."""
        community = services._get(Community, community_id)
        values = {"community": community.id if community else "", "notice_type": notice_type, "buildings": [],
                  "fields": services.default_fields(notice_type, community, current_app.config),
                  "title": "", "body": "", "activity": activity}
        if community is not None:
            errors, title, body = services.fill(values)
            if not errors:
                values.update(title=title, body=body)
            elif notice_type in ("tip", "emergency"):
                values["title"] = services.compose(notice_type, {}, community, [])[0]
        return values

    def _post(self, notice=None):
        form = request.form
        values = _form_values(form)
        do = form.get("do", "")
        if values["notice_type"] not in NOTICE_TYPES:
            flash(gettext("%(label)s: please choose one of the listed values.", label=LABELS["notice_type"]),
                  "danger")
            values["notice_type"] = "outage"
        if form.get("shown_type") != values["notice_type"] or form.get("shown_community") != values["community"]:
            # the type or community was changed: start that type's form again (the buildings and text too)
            fresh = self._start(values["community"], values["notice_type"], values["activity"])
            return self._render(fresh, {}, notice)
        if do == "fill":
            errors, title, body = services.fill(values)
            if errors:
                return self._render(values, errors, notice)
            values.update(title=title, body=body)
            return self._render(values, {}, notice)
        if do != "save":
            return self._render(values, {}, notice)
        try:
            saved = services.save_draft(values, current_actor(), pk=notice.id if notice else None,
                                        expected_version=_version(form) if notice else None)
        except ConcurrentChange as exc:
            db.session.rollback()
            flash_errors(exc.errors)
            return redirect(url_for("AnnouncementView.show", pk=notice.id)) if notice else self._render(values, {})
        except RuleViolation as exc:
            db.session.rollback()
            errors = dict(exc.errors)
            shown = {"community", "notice_type", "buildings", "title", "body"} | {
                n for n, _r in services.TYPE_FIELDS.get(values["notice_type"], [])}
            for key in [k for k in errors if k not in shown]:  # no field of its own: said at the top
                flash(errors.pop(key), "danger")
            notice = db.session.get(Announcement, notice.id) if notice else None
            return self._render(values, errors, notice)
        db.session.commit()
        flash(gettext("The draft “%(title)s” is saved. Submit it for approval when it is ready.", title=saved.title),
              "success")
        return redirect(url_for("AnnouncementView.show", pk=saved.id))

    @expose("/", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "POST":
            return self._post()
        community_id = services.as_id(request.args.get("community"))
        if not community_id or community_id < 0:
            first = db.session.scalars(select(Community).order_by(Community.name).limit(1)).first()
            community_id = first.id if first else None
        notice_type = request.args.get("type", "outage")
        if notice_type not in NOTICE_TYPES:
            notice_type = "outage"
        return self._render(self._start(community_id, notice_type), {})

    @expose("/edit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        notice = db.session.get(Announcement, pk)
        if notice is None:
            abort(404)
        if not services.may_edit(notice, current_actor()):
            flash(gettext("“%(title)s” is %(state)s: only a draft can be changed. A published notice is withdrawn "
                          "and drafted anew.", title=notice.title, state=notice.state_label()), "danger")
            return redirect(url_for("AnnouncementView.show", pk=pk))
        if request.method == "POST":
            return self._post(notice)
        return self._render(services.values_of(notice), {}, notice)

    @expose("/copy/<int:pk>", methods=["POST"])
    @has_access
    def copy(self, pk):
        try:
            notice = services.copy_notice(pk, current_actor())
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
            if db.session.get(Announcement, pk) is None:
                abort(404)
            return redirect(url_for("AnnouncementView.show", pk=pk))
        db.session.commit()
        flash(gettext("A new draft was made from the notice: change it and submit it for approval."), "success")
        return redirect(url_for("AnnouncementDraftView.edit", pk=notice.id))


class AnnouncementActionView(BaseView):
    """The buttons on a notice's page: submit, approve and publish, return, withdraw (services.transition)."""

    route_base = "/notice-actions"
    base_permissions = ["can_act"]

    @expose("/<int:pk>/<name>", methods=["POST"])
    @has_access
    def act(self, pk, name):
        if name not in {row[1] for row in services.NOTICE_TRANSITIONS}:
            abort(404)
        try:
            notice = services.transition(pk, name, current_actor(), note=request.form.get("note", ""),
                                         expected_version=_version(request.form))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
            if db.session.get(Announcement, pk) is None:
                abort(404)
        else:
            db.session.commit()
            flash(gettext("“%(title)s”: %(state)s.", title=notice.title, state=notice.state_label()), "success")
        return redirect(url_for("AnnouncementView.show", pk=pk))


# ---------------------------------------------------------------------------- 社区文化活动


def _time_field(name: str, required: bool):
    """A time the browser's own picker fills in (datetime-local); a typed 2026-09-25 19:00 is taken too."""
    return DateTimeLocalField(LABELS[name], format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
                              validators=[InputRequired()] if required else [Optional()],
                              render_kw={"class": "form-control"})


class ActivityView(PMModelView):
    """社区文化活动: plan, time, place, budget, organiser; afterwards participants, summary and photos."""

    datamodel = SQLAInterface(Activity)
    route_base = "/activities"
    list_title = _l("Community activities")
    add_title = _l("New community activity")
    edit_title = _l("Edit community activity")
    show_title = _l("Community activity")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_photo", "can_upload",
                        "can_delete_photo", "can_make_notice"]
    label_columns = {**LABELS, "created_by_name": _l("Recorded by")}
    list_columns = ["title", "community", "starts_at", "place", "organiser", "budget", "participants"]
    add_columns = ["community", "title", "starts_at", "ends_at", "place", "organiser", "budget", "plan"]
    edit_columns = ["title", "starts_at", "ends_at", "place", "organiser", "budget", "plan", "participants",
                    "summary"]
    show_columns = ["title", "community", "starts_at", "ends_at", "place", "organiser", "budget", "plan",
                    "participants", "summary", "created_by_name"]
    search_columns = ["title", "community", "starts_at", "place", "organiser"]
    base_order = ("starts_at", "desc")
    show_template = "community/activity_show.html"
    formatters_columns = {"budget": format_money, "starts_at": format_datetime, "ends_at": format_datetime}
    description_columns = {
        "budget": _l("In yuan, at most two decimals."),
        "participants": _l("How many took part (after the activity)."),
        "summary": _l("How it went (after the activity)."),
    }
    add_form_extra_fields = {
        "starts_at": _time_field("starts_at", required=True), "ends_at": _time_field("ends_at", required=False),
        "plan": TextAreaField(LABELS["plan"], validators=[Length(max=2000)], widget=BS3TextAreaFieldWidget()),
    }
    edit_form_extra_fields = dict(add_form_extra_fields, summary=TextAreaField(
        LABELS["summary"], validators=[Length(max=2000)], widget=BS3TextAreaFieldWidget()))
    rule_check = services.check_activity
    prepare = services.prepare_activity

    def pre_add(self, item):
        item.created_by_name = current_actor().name
        super().pre_add(item)

    @expose("/photo/<int:photo_id>")
    @has_access
    def photo(self, photo_id):
        photo = db.session.get(ActivityPhoto, photo_id)
        if photo is None:
            abort(404)
        path = services.photo_path(photo_folder(), photo)
        if not os.path.isfile(path):
            abort(404)
        return send_file(path, mimetype=photo.content_type, max_age=3600)

    @expose("/upload/<int:pk>", methods=["POST"])
    @has_access
    def upload(self, pk):
        if db.session.get(Activity, pk) is None:
            abort(404)
        upload = request.files.get("photo")
        filename = upload.filename if upload is not None else ""
        data = upload.read(services.MAX_PHOTO_BYTES + 1) if upload is not None else b""
        folder = photo_folder()
        try:
            photo = services.add_photo(pk, filename or "", data, current_actor(), folder,
                                       caption=request.form.get("caption", ""))
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
            return redirect(url_for("ActivityView.show", pk=pk))
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            services.remove_photo_file(folder, photo.stored_name)
            raise
        flash(gettext("The photo is added."), "success")
        return redirect(url_for("ActivityView.show", pk=pk))

    @expose("/delete-photo/<int:photo_id>", methods=["POST"])
    @has_access
    def delete_photo(self, photo_id):
        photo = db.session.get(ActivityPhoto, photo_id)
        if photo is None:
            abort(404)
        activity_id = photo.activity_id
        stored = services.delete_photo(photo_id, current_actor())
        db.session.commit()
        services.remove_photo_file(photo_folder(), stored)
        flash(gettext("The photo is removed."), "success")
        return redirect(url_for("ActivityView.show", pk=activity_id))

    @expose("/notice/<int:pk>", methods=["POST"])
    @has_access
    def make_notice(self, pk):
        if db.session.get(Activity, pk) is None:
            abort(404)
        try:
            notice = services.draft_activity_notice(pk, current_actor())
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
            return redirect(url_for("ActivityView.show", pk=pk))
        db.session.commit()
        flash(gettext("The activity notice is drafted: check it and submit it for approval."), "success")
        if self.appbuilder.sm.has_access("can_edit", "AnnouncementDraftView"):
            return redirect(url_for("AnnouncementDraftView.edit", pk=notice.id))
        return redirect(url_for("ActivityView.show", pk=pk))


# ---------------------------------------------------------------------------- template helpers and registration


def _page_helpers() -> dict:
    def notice_actions(notice):
        return [(a, services.NOTICE_ACTIONS[a], a in services.NOTE_REQUIRED)
                for a in services.notice_actions(notice, current_actor())]

    return {
        "community_notice": lambda pk: db.session.get(Announcement, int(pk)),
        "community_activity": lambda pk: db.session.get(Activity, int(pk)),
        "community_notice_actions": notice_actions,
        "community_may_edit": lambda notice: services.may_edit(notice, current_actor()),
        "community_may_draft": lambda: bool(current_actor().roles & services.DRAFTERS),
        "community_choices": lambda: {"states": services.state_labels(), "actions": services.NOTICE_ACTIONS,
                                      "types": NOTICE_TYPES, "max_photo_mb": services.MAX_PHOTO_BYTES >> 20},
    }


def register(appbuilder) -> None:
    register_labels(Announcement.__tablename__, _l("Notice or announcement"),
                    {**LABELS, "fields": _l("Notice details")},
                    {"state": NOTICE_STATES, "notice_type": NOTICE_TYPES})
    register_labels(Activity.__tablename__, _l("Community activity"), LABELS)
    add = appbuilder.add_view
    add(AnnouncementView, "Notices and announcements", label=_l("Notices and announcements"), icon="fa-bullhorn",
        **CATEGORY)
    add(PublishedAnnouncementView, "Published notices", label=_l("Published notices"), icon="fa-thumb-tack",
        **CATEGORY)
    add(AnnouncementDraftView, "Draft a notice", label=_l("Draft a notice"), icon="fa-pencil", **CATEGORY)
    add(ActivityView, "Community activities", label=_l("Community activities"), icon="fa-users", **CATEGORY)
    appbuilder.add_view_no_menu(AnnouncementActionView)
    current_app.jinja_env.globals.update(_page_helpers())
