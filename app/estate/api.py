"""REST API of the estate structure (FAB ModelRestApi, OpenAPI at /api/v1/_openapi)."""
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core import masking
from app.core.views import PMModelRestApi
from app.estate import services
from app.estate.models import Building, Community, House, Owner, ParkingSpace, Unit
from app.estate.views import check_owner_as_user


class _EstateApi(PMModelRestApi):
    label_columns = services.LABELS
    prepare = services.prepare
    delete_check = services.can_delete


class CommunityApi(_EstateApi):
    resource_name = "community"
    datamodel = SQLAInterface(Community)
    list_columns = show_columns = ["id", "name", "code", "address", "phone", "remark"]
    add_columns = edit_columns = ["name", "code", "address", "phone", "remark"]
    search_columns = ["name", "code"]
    rule_check = services.check_community


class BuildingApi(_EstateApi):
    resource_name = "building"
    datamodel = SQLAInterface(Building)
    list_columns = show_columns = ["id", "community.id", "community.name", "code", "name", "floors", "remark"]
    add_columns = edit_columns = ["community", "code", "name", "floors", "remark"]
    search_columns = ["community", "code", "name"]
    rule_check = services.check_building


class UnitApi(_EstateApi):
    resource_name = "unit"
    datamodel = SQLAInterface(Unit)
    list_columns = show_columns = ["id", "building.id", "building.name", "code", "name"]
    add_columns = edit_columns = ["building", "code", "name"]
    search_columns = ["building", "code", "name"]
    rule_check = services.check_unit


class HouseApi(_EstateApi):
    resource_name = "house"
    datamodel = SQLAInterface(House)
    list_columns = show_columns = [
        "id", "community.id", "building.id", "unit.id", "house_no", "room_no", "floor",
        "building_area", "inner_area", "layout", "usage", "status", "remark",
    ]
    add_columns = edit_columns = [
        "unit", "room_no", "floor", "building_area", "inner_area", "layout", "usage", "status", "remark",
    ]
    search_columns = ["house_no", "community", "building", "unit", "usage", "status"]
    rule_check = services.check_house


class ParkingSpaceApi(_EstateApi):
    resource_name = "parking_space"
    datamodel = SQLAInterface(ParkingSpace)
    list_columns = show_columns = [
        "id", "community.id", "building.id", "house.id", "code", "location", "kind", "status", "area", "remark",
    ]
    add_columns = edit_columns = ["community", "building", "house", "code", "location", "kind", "status", "area", "remark"]
    search_columns = ["community", "building", "code", "location", "kind", "status"]
    rule_check = services.check_parking_space


def register(appbuilder) -> None:
    for api in (CommunityApi, BuildingApi, UnitApi, HouseApi, ParkingSpaceApi, OwnerApi):
        appbuilder.add_api(api)


class OwnerApi(_EstateApi):
    """Owners over the API: personal data always masked (revealing is a separate, audited action)."""

    resource_name = "owner"
    datamodel = SQLAInterface(Owner)
    list_columns = show_columns = ["id", "kind", "name", "id_type", "id_number", "phone", "emergency_contact", "remark"]
    add_columns = edit_columns = ["kind", "name", "id_type", "id_number", "phone", "emergency_contact", "remark"]
    search_columns = ["name", "name_pinyin", "name_initials", "phone_tail"]
    rule_check = check_owner_as_user  # a 证件号 on file names its owner only to those who may see 证件号
    prepare = services.prepare_person

    mask_columns = {"id_number": masking.mask_id_number, "phone": masking.mask_phone,
                    "emergency_contact": masking.mask_text}

