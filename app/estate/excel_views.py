"""业主档案 in Excel: the import page (template download, upload) and the masked exports. Thin: the work is
in estate.importing."""

from flask import abort, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.urltools import get_filter_args
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.core import clock
from app.core.excel import xlsx_response
from app.core.ids import parse_id
from app.estate import importing
from app.estate import services as estate_services
from app.estate.models import Building, House, Owner
from app.extensions import db

MAX_UPLOAD_MB = 10
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
class UploadForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired(message=_l("Please choose a file."))])


class OwnerImportView(BaseView):
    """导入业主: houses with their owners and ownership from the Excel template, all rows or none."""

    route_base = "/owner-import"
    default_view = "upload"
    base_permissions = ["can_template", "can_upload"]

    @expose("/template")
    @has_access
    def template(self):
        return xlsx_response(importing.import_template(), gettext("Owner import template") + ".xlsx",
                             "owner-import-template.xlsx")

    @expose("/", methods=["GET", "POST"])
    @has_access
    def upload(self):
        result, problem = None, None
        if request.method == "POST" and (request.content_length or 0) > MAX_UPLOAD_BYTES + 64 * 1024:
            # refused before the body is read
            form = UploadForm(formdata=None)
            problem = _too_large()
        else:
            form = UploadForm()
            if form.validate_on_submit():
                storage = form.file.data
                data = storage.read(MAX_UPLOAD_BYTES + 1)
                if len(data) > MAX_UPLOAD_BYTES:
                    problem = _too_large()
                else:
                    result = importing.import_owners(data, filename=(storage.filename or "")[:100])
        sm = self.appbuilder.sm
        return self.render_template(
            "estate/import.html", form=form, result=result, problem=problem, max_mb=MAX_UPLOAD_MB,
            can_export=sm.has_access("can_owners", "ExportView"),
            bad_rows=len({row for row, _, _ in result.errors if row is not None}) if result else 0,
        )


def _too_large() -> str:
    return gettext("The file is larger than %(mb)d MB. Please split it into several files.", mb=MAX_UPLOAD_MB)


def _id_arg(name: str) -> int | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        abort(400)
    return number


class ExportView(BaseView):
    """导出 Excel: the owners or houses list, personal data masked for every role."""

    route_base = "/export"
    default_view = "index"
    base_permissions = ["can_index", "can_owners", "can_houses"]

    def _list_filter_ids(self, view_name: str, model):
        """Ids matching the list page's own filters (?_flt_0_name=...), or None without such arguments."""
        if not any(key.startswith("_flt_") for key in request.args):
            return None
        view = next((v for v in self.appbuilder.baseviews if type(v).__name__ == view_name), None)
        if view is None:
            return None
        view._refuse_huge_filters()  # a number no integer column holds: 400 before the query
        try:
            filters = view.datamodel.get_filters(view.search_columns)
            get_filter_args(filters)
            joined = filters.get_joined_filters(view._base_filters)
            query = view.datamodel.apply_filters(db.session.query(model), joined)
        except (FABException, SQLAlchemyError, ValueError, TypeError, KeyError):  # a value its column cannot take
            db.session.rollback()
            abort(400)
        return select(query.with_entities(model.id).subquery().c.id)

    @expose("/")
    @has_access
    def index(self):
        communities = estate_services.communities()
        buildings = db.session.execute(
            select(Building.id, Building.name, Building.community_id).order_by(Building.community_id, Building.code)
        ).all()
        by_community = {}
        for b in buildings:
            by_community.setdefault(b.community_id, []).append(b)
        return self.render_template("estate/export.html", communities=communities, buildings=by_community)

    @expose("/owners")
    @has_access
    def owners(self):
        stmt = importing.owners_select(community_id=_id_arg("community"), building_id=_id_arg("building"),
                                       q=(request.args.get("q") or "")[:50],
                                       ids=self._list_filter_ids("OwnerView", Owner))
        return xlsx_response(importing.export_owners(stmt), gettext("Owners") + f"-{clock.today():%Y%m%d}.xlsx",
                             f"owners-{clock.today():%Y%m%d}.xlsx")

    @expose("/houses")
    @has_access
    def houses(self):
        stmt = importing.houses_select(community_id=_id_arg("community"), building_id=_id_arg("building"),
                                       ids=self._list_filter_ids("HouseView", House))
        return xlsx_response(importing.export_houses(stmt), gettext("Houses") + f"-{clock.today():%Y%m%d}.xlsx",
                             f"houses-{clock.today():%Y%m%d}.xlsx")


def register(appbuilder) -> None:
    arc = dict(category="Owner archive", category_label=_l("Owner archive"), category_icon="fa-address-book")
    appbuilder.add_view(OwnerImportView, "Import owners", label=_l("Import owners"), icon="fa-upload", **arc)
    appbuilder.add_view(ExportView, "Export to Excel", label=_l("Export to Excel"), icon="fa-download", **arc)
