"""Estate views: configuration only; rules live in estate.services."""
from flask import abort, redirect, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.core.audit import register_labels
from app.core.formatting import format_area
from app.core.views import PMModelView
from app.estate import printing, services
from app.extensions import db
from app.estate.models import (
    HOUSE_STATUSES,
    HOUSE_USAGES,
    SPACE_KINDS,
    SPACE_LOCATIONS,
    SPACE_STATUSES,
    Building,
    Community,
    House,
    ParkingSpace,
    Unit,
)

LABELS = services.LABELS
VALUE_LABELS = {
    "usage": HOUSE_USAGES, "location": SPACE_LOCATIONS, "kind": SPACE_KINDS,
    "status": {**HOUSE_STATUSES, **SPACE_STATUSES},
}


def _select(label, choices: dict, default=None):
    return SelectField(
        label,
        choices=[(k, v) for k, v in choices.items()],
        default=default,
        widget=Select2Widget(),
    )


def _unit_choices():
    return (
        db.session.query(Unit).join(Building).join(Community)
        .order_by(Community.name, Building.id, Unit.code)
    )


def _choice_formatter(choices: dict):
    return lambda value: str(choices.get(value, value or ""))


class CommunityView(PMModelView):
    datamodel = SQLAInterface(Community)
    route_base = "/communities"
    list_title = _l("Communities")
    add_title = _l("Add community")
    edit_title = _l("Edit community")
    show_title = _l("Community")
    label_columns = LABELS
    list_columns = ["name", "code", "address", "phone"]
    add_columns = edit_columns = ["name", "code", "address", "phone", "remark"]
    show_columns = ["name", "code", "address", "phone", "remark"]
    search_columns = ["name", "code", "address"]
    order_columns = ["name", "code"]
    rule_check = services.check_community
    prepare = services.prepare
    delete_check = services.can_delete

    @action("print_roster", _l("Print house roster"), "", "fa-print", multiple=True, single=True)
    def print_roster(self, items):
        items = items if isinstance(items, list) else [items]
        return printing.roster_response(community_ids=[c.id for c in items])


class BuildingView(PMModelView):
    datamodel = SQLAInterface(Building)
    route_base = "/buildings"
    list_title = _l("Buildings")
    add_title = _l("Add building")
    edit_title = _l("Edit building")
    show_title = _l("Building")
    label_columns = LABELS
    list_columns = ["community", "code", "name", "floors"]
    add_columns = edit_columns = ["community", "code", "name", "floors", "remark"]
    show_columns = ["community", "code", "name", "floors", "remark"]
    search_columns = ["community", "code", "name"]
    order_columns = ["code", "name", "floors"]
    base_order = ("code", "asc")
    rule_check = services.check_building
    prepare = services.prepare
    delete_check = services.can_delete

    @action("print_roster", _l("Print house roster"), "", "fa-print", multiple=True, single=True)
    def print_roster(self, items):
        items = items if isinstance(items, list) else [items]
        return printing.roster_response(building_ids=[b.id for b in items])


class UnitView(PMModelView):
    datamodel = SQLAInterface(Unit)
    route_base = "/units"
    list_title = _l("Units")
    add_title = _l("Add unit")
    edit_title = _l("Edit unit")
    show_title = _l("Unit")
    label_columns = LABELS
    list_columns = ["building", "code", "name"]
    add_columns = edit_columns = show_columns = ["building", "code", "name"]
    search_columns = ["building", "code", "name"]
    order_columns = ["code", "name"]
    rule_check = services.check_unit
    prepare = services.prepare
    delete_check = services.can_delete


class HouseView(PMModelView):
    datamodel = SQLAInterface(House)
    route_base = "/houses"
    list_title = _l("Houses")
    add_title = _l("Add house")
    edit_title = _l("Edit house")
    show_title = _l("House")
    label_columns = LABELS
    list_columns = ["house_no", "community", "building", "floor", "building_area", "inner_area", "layout", "usage",
                    "status"]
    add_columns = edit_columns = [
        "unit", "room_no", "floor", "building_area", "inner_area", "layout", "usage", "status", "remark",
    ]
    show_columns = [
        "community", "building", "unit", "house_no", "floor", "building_area", "inner_area",
        "layout", "usage", "status", "remark",
    ]
    # no "unit" filter: its select would list every unit of every community on each page load
    search_columns = ["house_no", "community", "building", "floor", "usage", "status", "building_area", "layout"]
    order_columns = ["house_no", "floor", "building_area"]
    base_order = ("house_no", "asc")
    formatters_columns = {
        "usage": _choice_formatter(HOUSE_USAGES),
        "status": _choice_formatter(HOUSE_STATUSES),
        "building_area": format_area,
        "inner_area": format_area,
        "layout": lambda value: value or "",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        # starts empty: a unit chosen by default would catch a clerk who forgot to change it
        "unit": QuerySelectField(
            LABELS["unit"], query_func=_unit_choices, get_pk_func=lambda unit: unit.id, allow_blank=True,
            blank_text=_l("Choose the unit"), widget=Select2Widget(), validators=[DataRequired()],
        ),
        "usage": _select(LABELS["usage"], HOUSE_USAGES, "residential"),
        "status": _select(LABELS["status"], HOUSE_STATUSES, "vacant"),
    }
    search_form_extra_fields = {
        "usage": _select(LABELS["usage"], HOUSE_USAGES),
        "status": _select(LABELS["status"], HOUSE_STATUSES),
    }
    description_columns = {
        "room_no": _l("e.g. 0501; the house number is made from building, unit and room: 3-2-0501"),
        "building_area": _l("Greater than 0, at most two decimals"),
    }
    rule_check = services.check_house
    prepare = services.prepare
    delete_check = services.can_delete


class ParkingSpaceView(PMModelView):
    datamodel = SQLAInterface(ParkingSpace)
    route_base = "/parking-spaces"
    list_title = _l("Parking spaces")
    add_title = _l("Add parking space")
    edit_title = _l("Edit parking space")
    show_title = _l("Parking space")
    label_columns = LABELS
    list_columns = ["community", "code", "location", "kind", "status", "area", "house"]
    # The linked house is set through the API and, later, the owner pages: a select of every
    # house would put 100,000 options on this form.
    add_columns = edit_columns = ["community", "building", "code", "location", "kind", "status", "area", "remark"]
    show_columns = ["community", "building", "code", "location", "kind", "status", "area", "house", "remark"]
    search_columns = ["community", "building", "code", "location", "kind", "status"]
    order_columns = ["code"]
    base_order = ("code", "asc")
    formatters_columns = {
        "location": _choice_formatter(SPACE_LOCATIONS),
        "kind": _choice_formatter(SPACE_KINDS),
        "status": _choice_formatter(SPACE_STATUSES),
        "area": format_area,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "location": _select(LABELS["location"], SPACE_LOCATIONS, "under"),
        "kind": _select(LABELS["kind"], SPACE_KINDS, "owned"),
        "status": _select(LABELS["status"], SPACE_STATUSES, "free"),
    }
    search_form_extra_fields = {
        "location": _select(LABELS["location"], SPACE_LOCATIONS),
        "kind": _select(LABELS["kind"], SPACE_KINDS),
        "status": _select(LABELS["status"], SPACE_STATUSES),
    }
    rule_check = services.check_parking_space
    prepare = services.prepare
    delete_check = services.can_delete


class RosterPrintView(BaseView):
    """房屋清册 PDF: GET /print/roster?building=1&building=2 or ?community=1."""

    route_base = "/print"
    default_view = "roster"
    base_permissions = ["can_roster"]

    @expose("/roster")
    @has_access
    def roster(self):
        try:
            buildings = [int(v) for v in request.args.getlist("building")]
            communities = [int(v) for v in request.args.getlist("community")]
        except ValueError:
            abort(400)
        if not buildings and not communities:
            return redirect("/buildings/list/")
        return printing.roster_response(building_ids=buildings, community_ids=communities)


def register(appbuilder) -> None:
    for model, label in ((Community, _l("Community")), (Building, _l("Building")), (Unit, _l("Unit")),
                         (House, _l("House")), (ParkingSpace, _l("Parking space"))):
        register_labels(model.__tablename__, label, LABELS, VALUE_LABELS)
    cat = dict(category="Estate", category_label=_l("Estate"), category_icon="fa-building")
    appbuilder.add_view(CommunityView, "Communities", label=_l("Communities"), icon="fa-map", **cat)
    appbuilder.add_view(BuildingView, "Buildings", label=_l("Buildings"), icon="fa-building-o", **cat)
    appbuilder.add_view(UnitView, "Units", label=_l("Units"), icon="fa-th-large", **cat)
    appbuilder.add_view(HouseView, "Houses", label=_l("Houses"), icon="fa-home", **cat)
    appbuilder.add_view(ParkingSpaceView, "Parking spaces", label=_l("Parking spaces"), icon="fa-car", **cat)
    appbuilder.add_view_no_menu(RosterPrintView)


