"""Pages of 抄表与公摊: meters, the reading sheet of a building and month, the Excel import, the readings, and
the review of flagged readings. Thin: the rules are in app.billing.meters; a refused step shows its Chinese
message, keeps what was typed and changes nothing."""

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.billing import meter_import, meters
from app.billing.models import METER_KINDS, METER_SCOPES, METER_UNITS, READING_STATES, Meter, MeterReading
from app.core.audit import register_labels
from app.core.formatting import format_datetime, format_money
from app.core.rules import RuleViolation, as_id
from app.core.views import PMModelView, choice_formatter, choice_select, current_actor, flash_errors
from app.estate.models import Building, Community
from app.extensions import db

LABELS = meters.LABELS
MAX_UPLOAD_MB = 10


class MeterView(PMModelView):
    """表具: house meters (water, electricity, gas) and common meters with the houses they serve."""

    datamodel = SQLAInterface(Meter)
    route_base = "/meters"
    list_title = _l("Meters")
    add_title = _l("New meter")
    edit_title = _l("Edit meter")
    show_title = _l("Meter")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = LABELS
    list_columns = ["number", "kind", "scope", "name", "house", "building", "start_reading", "active"]
    add_columns = edit_columns = ["community", "kind", "scope", "number", "name", "house", "building", "houses",
                                  "start_reading", "active", "remark"]
    show_columns = add_columns
    search_columns = ["community", "number", "kind", "scope", "house", "building", "active"]
    base_order = ("number", "asc")
    formatters_columns = {"kind": choice_formatter(METER_KINDS), "scope": choice_formatter(METER_SCOPES)}
    description_columns = {
        "house": _l("A house meter: the house it measures."),
        "building": _l("A common meter of one building: its houses share it. Empty: the whole community."),
        "houses": _l("A common meter serving only some houses: choose them (this overrides the building)."),
        "start_reading": _l("The reading when the meter was installed: the first month's previous reading."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_select(LABELS["kind"], METER_KINDS, "water"),
        "scope": choice_select(LABELS["scope"], METER_SCOPES, "house"),
    }
    rule_check = meters.check_meter
    prepare = meters.prepare_meter


class MeterReadingView(PMModelView):
    """抄表记录: read-only; a reading is entered on the sheet or imported, confirmed on the review page."""

    datamodel = SQLAInterface(MeterReading)
    route_base = "/meter-readings"
    list_title = _l("Meter readings")
    show_title = _l("Meter reading")
    base_permissions = ["can_list", "can_show"]
    label_columns = LABELS
    list_columns = ["meter", "period", "previous", "current", "usage", "state", "read_by", "read_at"]
    show_columns = ["meter", "period", "previous", "current", "replaced", "old_final", "new_start", "usage",
                    "amount", "average", "state", "read_by", "read_at", "confirmed_by", "confirmed_at"]
    search_columns = ["meter", "period", "state", "read_by"]
    add_columns = edit_columns = search_columns  # (no add or edit page: the sheet and the import enter readings)
    base_order = ("id", "desc")
    formatters_columns = {"state": choice_formatter(READING_STATES), "read_at": format_datetime,
                          "confirmed_at": format_datetime, "amount": format_money}


def _choices(community_id):
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    if community_id is None and communities:
        community_id = communities[0].id
    buildings = db.session.scalars(select(Building).where(Building.community_id == (community_id or 0))
                                   .order_by(Building.code)).all()
    return communities, community_id, buildings


class MeterSheetView(BaseView):
    """抄表录入: the sheet of a building (or the community's common meters) for a month, one row per meter with
    the previous reading shown and the current one typed; the Excel template and import."""

    route_base = "/meter-sheet"
    default_view = "entry"
    base_permissions = ["can_entry", "can_template", "can_upload"]

    @expose("/", methods=["GET", "POST"])
    @has_access
    def entry(self):
        values = request.form if request.method == "POST" else request.args
        communities, community_id, buildings = _choices(as_id(values.get("community")))
        building = values.get("building", str(buildings[0].id) if buildings else "0")
        kind = values.get("kind") if values.get("kind") in METER_KINDS else "water"
        period = (values.get("period") or f"{clock.today():%Y-%m}").strip()[:20]
        typed, row_errors, future = {}, {}, None
        if request.method == "POST":
            entries = []
            for key in request.form:
                if not key.startswith("current_"):
                    continue
                meter_id = key.split("_", 1)[1]
                entry = {"meter": meter_id, "current": request.form.get(key, "").strip(),
                         "replaced": request.form.get(f"replaced_{meter_id}") == "1",
                         "old_final": request.form.get(f"old_final_{meter_id}", "").strip(),
                         "new_start": request.form.get(f"new_start_{meter_id}", "").strip(),
                         "amount": request.form.get(f"amount_{meter_id}", "").strip()}
                typed[meter_id] = entry
                if entry["current"]:
                    entries.append(entry)
            if not entries:
                flash(gettext("No reading was typed: nothing to save."), "warning")
            else:
                try:
                    saved = meters.record_readings(entries, period, current_actor(),
                                                   confirm_future=request.form.get("confirm_future") == "1")
                except meters.FutureReadings as exc:
                    db.session.rollback()
                    future = exc.errors["period"]
                except RuleViolation as exc:
                    db.session.rollback()
                    row_errors = exc.errors
                    flash(gettext("Nothing was saved: %(n)d readings need correcting (see the rows in red).",
                                  n=len(row_errors)), "danger")
                else:
                    db.session.commit()
                    flagged = sum(r.state == "flagged" for r in saved)
                    flash(gettext("%(n)d readings saved; %(flagged)d flagged for review.", n=len(saved),
                                  flagged=flagged), "success")
                    return redirect(url_for("MeterSheetView.entry", community=community_id, building=building,
                                            kind=kind, period=period))
        data = None
        try:
            data = meters.sheet(community_id, building, kind, period)
        except RuleViolation as exc:
            flash_errors(exc.errors)
        shown = {str(row["meter"].id) for row in data["rows"]} if data else set()
        flash_errors({key: message for key, message in row_errors.items() if key not in shown})
        return self.render_template("billing/meter_sheet.html", communities=communities, community_id=community_id,
                                    buildings=buildings, building=str(building), kind=kind, kinds=METER_KINDS,
                                    period=period, data=data, typed=typed, row_errors=row_errors,
                                    units=METER_UNITS, max_mb=MAX_UPLOAD_MB, result=None, future=future,
                                    multiple=meters.jump_multiple())

    @expose("/template")
    @has_access
    def template(self):
        """The template; with a community, building, type and month: pre-filled with that sheet's meters."""
        from app.core.excel import xlsx_response

        args = request.args
        community_id = as_id(args.get("community"))
        kind = args.get("kind") if args.get("kind") in METER_KINDS else "water"
        try:
            data = meter_import.import_template(community_id if community_id and community_id > 0 else None,
                                                args.get("building", "0"), kind,
                                                (args.get("period") or "").strip()[:20] or None)
        except RuleViolation as exc:
            flash_errors(exc.errors)
            return redirect(url_for("MeterSheetView.upload", community=community_id))
        return xlsx_response(data, gettext("Meter reading import template") + ".xlsx", "meter-reading-template.xlsx")

    @expose("/upload", methods=["GET", "POST"])
    @has_access
    def upload(self):
        communities, community_id, buildings = _choices(as_id(request.values.get("community")))
        result, problem = None, None
        if request.method == "POST":
            storage = request.files.get("file")
            if storage is None or not storage.filename:
                problem = gettext("Please choose a file.")
            else:
                data = storage.read(MAX_UPLOAD_MB * 1024 * 1024 + 1)
                if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
                    problem = gettext("The file is larger than %(mb)d MB. Please split it into several files.",
                                      mb=MAX_UPLOAD_MB)
                else:
                    try:
                        result = meter_import.import_readings(
                            data, community_id, current_actor(), filename=(storage.filename or "")[:100],
                            confirm_periods=request.form.getlist("confirm_periods"))
                    except RuleViolation as exc:
                        db.session.rollback()
                        problem = "；".join(str(m) for m in exc.errors.values())
        return self.render_template("billing/meter_import.html", communities=communities, community_id=community_id,
                                    result=result, problem=problem, max_mb=MAX_UPLOAD_MB, buildings=buildings,
                                    kinds=METER_KINDS, period=meters.current_period(),
                                    bad_rows=len({r for r, _, _ in result.errors if r is not None}) if result else 0)


class MeterReviewView(BaseView):
    """用量异常待复核: readings flagged for a jump, with the meter's average; a 收费员 or the 项目经理 confirms
    them (after checking the meter), and they are billed by the next run."""

    route_base = "/meter-review"
    default_view = "review"
    base_permissions = ["can_review", "can_confirm"]

    @expose("/")
    @has_access
    def review(self):
        readings = db.session.scalars(select(MeterReading).where(MeterReading.state == "flagged")
                                      .order_by(MeterReading.period, MeterReading.id).limit(500)).all()
        return self.render_template("billing/meter_review.html", readings=readings, units=METER_UNITS,
                                    multiple=meters.jump_multiple())

    @expose("/<int:pk>/confirm", methods=["POST"])
    @has_access
    def confirm(self, pk):
        try:
            reading = meters.confirm_reading(pk, current_actor())
        except RuleViolation as exc:
            db.session.rollback()
            flash_errors(exc.errors)
        else:
            db.session.commit()
            flash(gettext("The reading of meter %(number)s for %(period)s is confirmed: it will be billed.",
                          number=reading.meter.number, period=reading.period), "success")
        return redirect(url_for("MeterReviewView.review"))


def register(appbuilder, category: dict) -> None:
    register_labels(Meter.__tablename__, _l("Meter"), LABELS, {"kind": METER_KINDS, "scope": METER_SCOPES})
    add = appbuilder.add_view
    add(MeterSheetView, "Enter meter readings", label=_l("Enter meter readings"), icon="fa-tachometer", **category)
    add(MeterReviewView, "Readings to review", label=_l("Readings to review"), icon="fa-exclamation-triangle",
        **category)
    add(MeterReadingView, "Meter readings", label=_l("Meter readings"), icon="fa-list-ol", **category)
    add(MeterView, "Meters", label=_l("Meters"), icon="fa-dashboard", **category)
