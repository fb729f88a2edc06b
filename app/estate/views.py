"""Estate views: configuration only; rules live in estate.services."""

from flask import abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import get_field_setup_query
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.core import clock
from app.core.audit import register_labels
from app.core.formatting import format_area, format_date
from app.core.ids import parse_ids
from app.core.rules import RuleViolation
from app.core.validators import ID_TYPES, PlausibleDate
from app.core.views import PMModelView, add_field_error, current_actor
from app.core.views import choice_formatter as _choice_formatter, choice_select as _select
from app.estate import handover, printing, services
from app.security import roles
from app.estate.models import (
    CARD_KINDS,
    HOUSE_STATUSES,
    HOUSE_USAGES,
    MOVE_KINDS,
    OWNER_KINDS,
    RESIDENT_RELATIONS,
    SPACE_KINDS,
    SPACE_LOCATIONS,
    SPACE_STATUSES,
    AccessCard,
    Building,
    Community,
    House,
    MoveRecord,
    Owner,
    Ownership,
    ParkingSpace,
    Resident,
    Unit,
    Vehicle,
)
from app.extensions import db

LABELS = services.LABELS
# each record's own coded values for the audit log: a house's 出租 is not a parking space's 已租
VALUE_LABELS_OF = {
    "House": {"usage": HOUSE_USAGES, "status": HOUSE_STATUSES},
    "ParkingSpace": {"location": SPACE_LOCATIONS, "kind": SPACE_KINDS, "status": SPACE_STATUSES},
    "Owner": {"kind": OWNER_KINDS, "id_type": ID_TYPES},
    "Resident": {"relation": RESIDENT_RELATIONS},
    "AccessCard": {"kind": CARD_KINDS},
    "MoveRecord": {"kind": MOVE_KINDS},
}
# and its own field labels where a column's name means something else on it
FIELD_LABELS_OF = {
    "Owner": {"name": LABELS["full_name"], "phone": LABELS["mobile"], "kind": LABELS["owner_kind"]},
    "Resident": {"name": _l("Full name"), "phone": LABELS["mobile"]},
    "Vehicle": {"ended_on": _l("Registration ended")},
}


def _register_audit_labels(model, label) -> None:
    name = model.__name__
    register_labels(model.__tablename__, label, {**LABELS, **FIELD_LABELS_OF.get(name, {})},
                    VALUE_LABELS_OF.get(name, {}))


def _unit_choices():
    return (
        db.session.query(Unit).join(Building).join(Community)
        .order_by(Community.name, Building.id, Unit.code)
    )


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
    excel_endpoint = "ExportView.houses"  # the house export with its owners, read from the list's search
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
    show_template = "estate/house_show.html"


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
    base_permissions = ["can_roster", "can_owner_card"]

    @expose("/roster")
    @has_access
    def roster(self):
        buildings = parse_ids(request.args.getlist("building"))
        communities = parse_ids(request.args.getlist("community"))
        houses = parse_ids(request.args.getlist("house"))  # the house's building
        if buildings is None or communities is None or houses is None:
            abort(400)
        if houses:
            buildings += db.session.scalars(select(House.building_id).where(House.id.in_(houses))).all()
        if not buildings and not communities:
            return redirect("/buildings/list/")
        return printing.roster_response(building_ids=buildings, community_ids=communities)

    @expose("/owner-card")
    @has_access
    def owner_card(self):
        houses = parse_ids(request.args.getlist("house"))
        if houses is None:
            abort(400)
        if not houses:
            return redirect(url_for("HouseView.list"))
        return printing.pdf_response(printing.owner_card_pdf(houses), gettext("Owner archive card"))


def register(appbuilder) -> None:
    for model, label in ((Community, _l("Community")), (Building, _l("Building")), (Unit, _l("Unit")),
                         (House, _l("House")), (ParkingSpace, _l("Parking space"))):
        _register_audit_labels(model, label)
    cat = dict(category="Estate", category_label=_l("Estate"), category_icon="fa-building")
    appbuilder.add_view(CommunityView, "Communities", label=_l("Communities"), icon="fa-map", **cat)
    appbuilder.add_view(BuildingView, "Buildings", label=_l("Buildings"), icon="fa-building-o", **cat)
    appbuilder.add_view(UnitView, "Units", label=_l("Units"), icon="fa-th-large", **cat)
    appbuilder.add_view(HouseView, "Houses", label=_l("Houses"), icon="fa-home", **cat)
    appbuilder.add_view(ParkingSpaceView, "Parking spaces", label=_l("Parking spaces"), icon="fa-car", **cat)
    appbuilder.add_view_no_menu(RosterPrintView)
    for model, label in ((Owner, _l("Owner")), (Ownership, _l("Ownership")), (Resident, _l("Resident")),
                         (Vehicle, _l("Vehicle")), (AccessCard, _l("Card or key")), (MoveRecord, _l("Move record"))):
        _register_audit_labels(model, label)
    arc = dict(category="Owner archive", category_label=_l("Owner archive"), category_icon="fa-address-book")
    appbuilder.add_view(HouseholdSearchView, "Find a household", label=_l("Find a household"), icon="fa-search",
                        **arc)
    appbuilder.add_view(OwnerView, "Owners", label=_l("Owners"), icon="fa-user", **arc)
    appbuilder.add_view(OwnershipView, "Ownership", label=_l("Ownership"), icon="fa-key", **arc)
    appbuilder.add_view(ResidentView, "Residents", label=_l("Residents"), icon="fa-users", **arc)
    appbuilder.add_view(VehicleView, "Vehicles", label=_l("Vehicles"), icon="fa-car", **arc)
    appbuilder.add_view(AccessCardView, "Access cards and keys", label=_l("Access cards and keys"),
                        icon="fa-id-card", **arc)
    appbuilder.add_view(MoveRecordView, "Move in / move out", label=_l("Move in / move out"), icon="fa-truck",
                        **arc)
    appbuilder.add_view_no_menu(PersonalDataView)
    # the house page warns when its current owners' shares do not make 100%
    current_app.add_template_global(services.active_share_total, "house_share_total")
    # and the corrections made to its history, with what each row said before
    current_app.add_template_global(services.house_corrections, "house_corrections")
    appbuilder.add_view_no_menu(TransferView)
    from app.estate import excel_views

    excel_views.register(appbuilder)




# ---------------------------------------------------------------- 业主档案 (owner archive)

def _masked(kind: str):
    from app.core import masking

    return {"id_number": masking.mask_id_number, "phone": masking.mask_phone,
            "emergency_contact": masking.mask_text}[kind]


def may_see_personal_data() -> bool:
    """May the logged-in user see personal data unmasked (证件号, 手机)? The pages and the API ask this one test:
    the reveal's permission."""
    return bool(current_app.appbuilder.sm.has_access("can_reveal", "PersonalDataView"))


def check_owner_as_user(values: dict, pk=None) -> dict:
    """The owner rule check as the logged-in user may hear it (a 证件号 on file names its owner or not)."""
    return services.check_owner(values, pk, may_see_id_numbers=may_see_personal_data())


# Personal data is not shown in edit forms either: the field starts empty and blank keeps the value.
KEEP_HINT = _l("Not shown, to protect personal data. Leave blank to keep it; type a new value to change it.")


class _ArchiveView(PMModelView):
    """Archive lists: no CSV download (it would bypass masking); the Excel export masks."""

    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    label_columns = LABELS

    reveal_kind = None  # "owner"/"resident": the show page offers the audited reveal of masked values

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        if self.reveal_kind:  # the same for every request: the template asks about the user's permission
            fields = services.PERSONAL_FIELDS[self.reveal_kind][1]
            self.extra_args = {
                "reveal_kind": self.reveal_kind,
                "reveal_fields": [(f, LABELS["mobile"] if f == "phone" else LABELS[f]) for f in fields],
            }
        return super().show(pk)

    def pre_add(self, item):
        # 经办人 left blank means the clerk who records it
        if hasattr(item, "handled_by") and not (item.handled_by or "").strip() and g.user is not None:
            item.handled_by = (g.user.get_full_name() or g.user.username).strip()
        super().pre_add(item)


class OwnerView(_ArchiveView):
    datamodel = SQLAInterface(Owner)
    route_base = "/owners"
    list_title = _l("Owners")
    add_title = _l("Add owner")
    edit_title = _l("Edit owner")
    show_title = _l("Owner")
    show_template = "estate/owner_show.html"
    label_columns = {**LABELS, "name": LABELS["full_name"], "phone": LABELS["mobile"], "kind": LABELS["owner_kind"]}
    list_columns = ["name", "kind", "id_type", "id_number", "phone"]
    add_columns = ["kind", "name", "id_type", "id_number", "phone", "emergency_contact", "remark"]
    # the ID number is not edited in place: a wrong one is corrected by the archive clerk via a new record
    edit_columns = ["kind", "name", "id_type", "id_number", "phone", "emergency_contact", "remark"]
    show_columns = ["name", "kind", "id_type", "id_number", "phone", "emergency_contact", "remark"]
    search_columns = ["name", "name_pinyin", "name_initials", "phone_tail", "kind"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    formatters_columns = {
        "kind": _choice_formatter(OWNER_KINDS),
        "id_type": lambda v: str(ID_TYPES.get(v, v or "")),
        "id_number": lambda v: _masked("id_number")(v),
        "phone": lambda v: _masked("phone")(v),
        "emergency_contact": lambda v: _masked("emergency_contact")(v),
    }
    add_form_extra_fields = {
        "kind": _select(LABELS["owner_kind"], OWNER_KINDS, "person"),
        "id_type": _select(LABELS["id_type"], ID_TYPES, "resident_id"),
        # not FAB's plain "already exists": the rule check names the owner on file, with a link
        "id_number": StringField(LABELS["id_number"], validators=[DataRequired(), Length(max=40)]),
    }
    edit_form_extra_fields = {
        **add_form_extra_fields,
        "id_number": StringField(LABELS["id_number"], validators=[Length(max=40)], description=KEEP_HINT),
        "phone": StringField(LABELS["mobile"], validators=[Length(max=20)], description=KEEP_HINT),
        "emergency_contact": StringField(LABELS["emergency_contact"], validators=[Length(max=100)],
                                         description=KEEP_HINT),
    }
    keep_if_blank = ("id_number", "phone", "emergency_contact")
    description_columns = {
        "phone": _l("11 digits, e.g. 13812345678"),
        "emergency_contact": _l("Name and phone, e.g. 李四 13912345678"),
    }
    rule_check = check_owner_as_user
    prepare = services.prepare_person

    reveal_kind = "owner"
    excel_endpoint = "ExportView.owners"  # the owner export with houses and ownership, from the list's search


# History that is never deleted, by anyone: who owned, lived in, held a card of or moved in and out of a house.
# What was left blank (the day it ended, the day a card came back) is filled in by editing; a fact already
# recorded is changed only as a correction: by the 项目经理, with a reason, kept beside the row on the house page.
HISTORY_PERMISSIONS = ["can_list", "can_show", "can_add", "can_edit"]
CORRECTION_REASON = {
    "correction_reason": StringField(
        LABELS["correction_reason"], validators=[Length(max=200)],
        description=_l("Only when correcting what was recorded already (project manager)")),
}


class _HistoryView(_ArchiveView):
    base_permissions = HISTORY_PERMISSIONS
    correctors = roles.CORRECTORS


class OwnershipView(_HistoryView):
    datamodel = SQLAInterface(Ownership)
    route_base = "/ownerships"
    list_title = _l("Ownership")
    add_title = _l("Add ownership")
    edit_title = _l("Edit ownership")
    show_title = _l("Ownership")
    list_columns = ["house", "owner", "share", "certificate_no", "started_on", "ended_on", "end_reason"]
    add_columns = ["house", "owner", "share", "certificate_no", "delivered_on", "moved_in_on", "started_on",
                   "ended_on", "end_reason"]
    show_columns = [*add_columns, "handover_note"]
    edit_columns = [*add_columns, "correction_reason"]
    history_fields = tuple(add_columns)
    edit_form_extra_fields = CORRECTION_REASON
    search_columns = ["house", "owner", "certificate_no", "started_on", "ended_on"]
    base_order = ("started_on", "desc")
    formatters_columns = {"started_on": format_date, "ended_on": format_date, "delivered_on": format_date,
                          "moved_in_on": format_date}
    rule_check = services.check_ownership


class ResidentView(_HistoryView):
    datamodel = SQLAInterface(Resident)
    route_base = "/residents"
    list_title = _l("Residents")
    add_title = _l("Add resident")
    edit_title = _l("Edit resident")
    show_title = _l("Resident")
    show_template = "estate/owner_show.html"
    label_columns = {**LABELS, "name": _l("Full name"), "phone": LABELS["mobile"]}
    list_columns = ["house", "name", "relation", "phone", "moved_in_on", "moved_out_on", "lease_end"]
    add_columns = show_columns = ["house", "name", "relation", "phone", "moved_in_on", "moved_out_on",
                                  "lease_start", "lease_end", "remark"]
    edit_columns = [*add_columns, "correction_reason"]
    # the phone, a lease extended (续租) and the remark change in the ordinary way
    history_fields = ("house", "name", "relation", "moved_in_on", "moved_out_on", "lease_start")
    search_columns = ["house", "name", "name_pinyin", "name_initials", "phone_tail", "relation"]
    formatters_columns = {
        "relation": _choice_formatter(RESIDENT_RELATIONS),
        "phone": lambda v: _masked("phone")(v),
        "moved_in_on": format_date, "moved_out_on": format_date, "lease_start": format_date, "lease_end": format_date,
    }
    add_form_extra_fields = {"relation": _select(LABELS["relation"], RESIDENT_RELATIONS, "self")}
    edit_form_extra_fields = {
        **add_form_extra_fields,
        "phone": StringField(LABELS["mobile"], validators=[Length(max=20)], description=KEEP_HINT),
        **CORRECTION_REASON,
    }
    keep_if_blank = ("phone",)
    rule_check = services.check_resident
    prepare = services.prepare_person

    reveal_kind = "resident"


class PlateContains(BaseFilter):
    """车牌 search as the desk types it: any part of the plate, with or without its 省 character, dot or spaces,
    in either case ("A4T0KF", "浙a·4t0", "4T0K")."""

    name = _l("Contains (any part of the plate)")
    arg_name = "plate"

    def apply(self, query, value):
        from app.core.validators import normalize_plate

        query, field = get_field_setup_query(query, self.model, self.column_name)
        return query.filter(field.contains(normalize_plate(value or "").upper(), autoescape=True))


class VehicleView(_ArchiveView):
    datamodel = SQLAInterface(Vehicle)
    route_base = "/vehicles"
    list_title = _l("Vehicles")
    add_title = _l("Add vehicle")
    edit_title = _l("Edit vehicle")
    show_title = _l("Vehicle")
    label_columns = {**LABELS, **FIELD_LABELS_OF["Vehicle"]}
    list_columns = ["plate", "house", "owner", "parking_space", "brand", "color", "ended_on"]
    add_columns = edit_columns = ["house", "plate", "owner", "parking_space", "brand", "color", "remark"]
    show_columns = [*add_columns, "ended_on"]
    formatters_columns = {"ended_on": format_date}
    search_columns = ["plate", "house", "owner", "parking_space"]
    first_filters = {"plate": [PlateContains]}
    description_columns = {"plate": _l("e.g. 京A12345, or 8 characters for new-energy plates")}
    rule_check = services.check_vehicle
    prepare = services.prepare_vehicle


class AccessCardView(_HistoryView):
    datamodel = SQLAInterface(AccessCard)
    route_base = "/access-cards"
    list_title = _l("Access cards and keys")
    add_title = _l("Issue a card or key")
    edit_title = _l("Edit card or key")
    show_title = _l("Card or key")
    list_columns = ["house", "kind", "number", "holder", "issued_on", "returned_on", "handled_by"]
    add_columns = show_columns = ["house", "kind", "number", "holder", "issued_on", "returned_on", "handled_by",
                                  "remark"]
    edit_columns = [*add_columns, "correction_reason"]
    history_fields = ("house", "kind", "number", "holder", "issued_on", "returned_on")
    search_columns = ["house", "kind", "number", "holder", "issued_on", "returned_on"]
    formatters_columns = {"kind": _choice_formatter(CARD_KINDS), "issued_on": format_date,
                          "returned_on": format_date}
    add_form_extra_fields = {"kind": _select(LABELS["kind"], CARD_KINDS, "card")}
    edit_form_extra_fields = {**add_form_extra_fields, **CORRECTION_REASON}
    rule_check = services.check_access_card
    prepare = services.prepare


class MoveRecordView(_HistoryView):
    datamodel = SQLAInterface(MoveRecord)
    route_base = "/move-records"
    list_title = _l("Move in / move out")
    add_title = _l("Record a move")
    edit_title = _l("Edit move record")
    show_title = _l("Move record")
    list_columns = ["house", "kind", "person", "moved_on", "handled_by"]
    add_columns = show_columns = ["house", "kind", "person", "moved_on", "handled_by", "remark"]
    edit_columns = [*add_columns, "correction_reason"]
    history_fields = ("house", "kind", "person", "moved_on", "handled_by")
    search_columns = ["house", "kind", "person", "moved_on", "handled_by"]
    base_order = ("moved_on", "desc")
    formatters_columns = {"kind": _choice_formatter(MOVE_KINDS), "moved_on": format_date}
    add_form_extra_fields = {
        "kind": _select(LABELS["kind"], MOVE_KINDS, "in"),
        "handled_by": StringField(LABELS["handled_by"], validators=[Length(max=100)],
                                  description=_l("Leave blank: the clerk who records it")),
    }
    edit_form_extra_fields = {**add_form_extra_fields, **CORRECTION_REASON}
    rule_check = services.check_move_record
    prepare = services.prepare


class PersonalDataView(BaseView):
    """Reveal one masked value: an explicit, audited action (管理员, 项目经理, 客服)."""

    route_base = "/personal-data"
    default_view = "reveal"
    base_permissions = ["can_reveal"]

    @expose("/reveal/<kind>/<int:pk>/<field>", methods=["POST"])
    @has_access
    def reveal(self, kind, pk, field):
        value = services.reveal(kind, pk, field)
        if value is None:
            abort(404)
        return jsonify({"value": value})


class HouseholdSearchView(BaseView):
    """前台查询: find a household by 房号, name, pinyin or initials, or a phone's last 4 digits."""

    route_base = "/households"
    default_view = "search"
    base_permissions = ["can_search"]

    @expose("/")
    @has_access
    def search(self):
        query = (request.args.get("q") or "").strip()[:50]
        houses = services.search_households(query) if query else []
        if len(houses) == 1:  # the one household found: straight to its page
            return redirect(url_for("HouseView.show", pk=houses[0].id))
        return self.render_template("estate/household_search.html", query=query, houses=houses)


class TransferForm(FlaskForm):
    id_type = SelectField(LABELS["id_type"], choices=list(ID_TYPES.items()), default="resident_id")
    id_number = StringField(LABELS["id_number"], validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("New owner's name (when not yet on file)"), validators=[Length(max=100)])
    phone = StringField(LABELS["mobile"], validators=[Length(max=20)])
    on_date = DateField(_l("Transfer date"), validators=[DataRequired(), PlausibleDate()], default=clock.today)
    certificate_no = StringField(LABELS["certificate_no"], validators=[Length(max=50)])
    reason = StringField(_l("Reason"), validators=[Length(max=200)], default=_l("Sale"))
    carry_note = StringField(_l("How the debt is carried"), validators=[Length(max=300)],
                             description=_l("Only when the house still owes: e.g. the previous owner pays by a date"))


class TransferView(BaseView):
    """过户: end the current ownership and start the new owner's, in one step."""

    route_base = "/transfer"
    default_view = "transfer"
    base_permissions = ["can_transfer"]

    @expose("/<int:house_id>", methods=["GET", "POST"])
    @has_access
    def transfer(self, house_id):
        house = db.session.get(House, house_id)
        if house is None:
            abort(404)
        form = TransferForm()
        figures = handover.standing(house.id, clock.today())
        held = handover.leaving(house)
        if form.validate_on_submit():
            chosen = {key: parse_ids(request.form.getlist(key)) or ()
                      for key in ("resident_ids", "card_ids", "vehicle_ids", "space_ids")}
            try:
                problems = handover.settle_problems(figures, form.carry_note.data)
                if problems:
                    raise RuleViolation(problems)
                made = services.transfer_to(
                    house, form.on_date.data, form.id_type.data, form.id_number.data, name=form.name.data,
                    phone=form.phone.data, certificate_no=form.certificate_no.data, reason=form.reason.data,
                )
                made.handover_note = handover.note_of(figures, form.carry_note.data)
                done = handover.hand_over(house, form.on_date.data, current_actor().name, **chosen)
            except RuleViolation as exc:
                db.session.rollback()
                for key, message in exc.errors.items():
                    field = getattr(form, {"started_on": "on_date", "owner": "id_number"}.get(key, key), None)
                    if field is not None:
                        add_field_error(field, message)
                    else:
                        flash(message, "danger")
            else:
                db.session.commit()
                flash(gettext("Ownership transferred: %(residents)d moved out, %(cards)d cards or keys back, "
                              "%(vehicles)d vehicles and %(spaces)d parking spaces ended.", **done), "success")
                return redirect(url_for("HouseView.show", pk=house.id))
        current = [o for o in house.ownerships if o.ended_on is None]
        history = [o for o in house.ownerships if o.ended_on is not None]
        chosen_now = None if request.method == "GET" else {
            key: set(parse_ids(request.form.getlist(key)) or ())
            for key in ("resident_ids", "card_ids", "vehicle_ids", "space_ids")}
        return self.render_template("estate/transfer.html", house=house, form=form, current=current,
                                    history=history, figures=figures, owed=handover.owed(figures),
                                    offers=handover.offers(held), chosen=chosen_now)


# The house page shows these under the house, all on one screen (templates/estate/house_show.html).
HouseView.related_views = [OwnershipView, ResidentView, VehicleView, AccessCardView, MoveRecordView]
# An owner's page lists the houses they own and owned, and their cars.
OwnerView.related_views = [OwnershipView, VehicleView]
