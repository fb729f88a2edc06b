"""业主档案 in Excel: import houses with their owners and ownership from one sheet; export masked lists.

Plain functions (no request). The file's columns are Chinese (the zh labels of COLUMNS, whatever the page's
language); coded values (用途, 状态, 业主类型, 证件类型) are written as their Chinese labels.

Import is all or nothing: every row is checked first with the area's own rules (check_house, check_owner,
check_ownership, check_building, check_unit) plus what only a whole file can break (a house on two rows, the
shares of one house); if any row is wrong nothing is written and every problem is listed as
(row number, column, reason). Otherwise everything is written in one transaction: new 楼栋 and 单元 through the
ORM (so each is in the audit log), houses, owners and ownership in bulk (10,000 rows in seconds), with one
summary row in the audit log (action "import").
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core import masking, validators
from app.core.audit import log_event
from app.core.excel import ExcelError, Sheet, normalize_header, read_sheet, write_workbook
from app.core.rules import check_text, parse_area
from app.estate import services
from app.estate.models import (
    HOUSE_STATUSES,
    HOUSE_USAGES,
    OWNER_KINDS,
    Building,
    Community,
    House,
    Owner,
    Ownership,
    Unit,
)
from app.extensions import db

MAX_ROWS = 20_000
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
BUILDING_SUFFIXES = ("号楼", "栋", "幢", "座")
UNIT_SUFFIXES = ("单元",)
EXAMPLE_ID_BODY = "330106" + "19800101" + "001"  # area, birth date, sequence: the check character is computed


@dataclass(frozen=True)
class Column:
    field: str
    label: object  # a lazy string: the header is its zh text
    required: bool = False  # the cell must be filled (owner columns: when the row names an owner)
    text: bool = False  # a number typed in it is read as text (0501 typed as 501 → "501")
    kind: str = "text"  # text, int, area, share, date, choice
    note: object = ""


COLUMNS = [
    Column("community", _l("Community"), True, True,
           note=_l("The name of a community already in the system.")),
    Column("building", _l("Building"), True, True,
           note=_l("Code or name, e.g. 3 or 3号楼; a building not yet in the system is created.")),
    Column("unit", _l("Unit"), True, True,
           note=_l("Code or name, e.g. 2 or 2单元; a unit not yet in the system is created.")),
    Column("room_no", _l("Room number"), True, True,
           note=_l("e.g. 0501. A house already in the system is refused. Format the column as text to keep "
                   "a leading 0.")),
    Column("floor", _l("Floor"), True, kind="int", note=_l("A whole number, e.g. 5 (-5 to 200).")),
    Column("building_area", _l("Gross floor area (m²)"), True, kind="area",
           note=_l("Square metres, greater than 0, at most two decimals.")),
    Column("inner_area", _l("Usable floor area (m²)"), kind="area",
           note=_l("Square metres, at most the gross floor area.")),
    Column("layout", _l("Layout"), text=True, note=_l("Free text, e.g. 三室两厅.")),
    Column("usage", _l("Usage"), kind="choice"),
    Column("status", _l("Status"), kind="choice"),
    Column("owner_name", _l("Owner's name"), True, True,
           note=_l("Leave every owner column empty for a house without owner. Several owners of one house: "
                   "one row each, with the same house data.")),
    Column("owner_kind", _l("Owner type"), kind="choice"),
    Column("id_type", _l("ID type"), kind="choice"),
    Column("id_number", _l("ID number"), True, True,
           note=_l("Checked by its type (resident ID: 18 characters with the check character; business "
                   "licence: the unified social credit code). An owner already on file is found by it.")),
    Column("phone", _l("Mobile phone"), text=True, note=_l("11 digits, e.g. 13812345678")),
    Column("emergency_contact", _l("Emergency contact"), text=True,
           note=_l("Name and phone, e.g. 李四 13912345678")),
    Column("share", _l("Ownership share (％)"), kind="share",
           note=_l("More than 0 and at most 100; empty: 100. The shares of one house must add up to exactly "
                   "100.")),
    Column("certificate_no", _l("Property certificate no."), text=True),
    Column("delivered_on", _l("Handed over on"), kind="date",
           note=_l("A date, e.g. 2024-05-01; the ownership starts on it (empty: today).")),
    Column("moved_in_on", _l("Moved in on"), kind="date", note=_l("A date, not before the hand-over date.")),
]
BY_FIELD = {c.field: c for c in COLUMNS}
HOUSE_FIELDS = ("floor", "building_area", "inner_area", "layout", "usage", "status")
OWNER_FIELDS = ("owner_name", "owner_kind", "id_type", "id_number", "phone", "emergency_contact", "share",
                "certificate_no", "delivered_on", "moved_in_on")
DEFAULTS = {"usage": "residential", "status": "vacant", "owner_kind": "person"}
CHOICES = {"usage": HOUSE_USAGES, "status": HOUSE_STATUSES, "owner_kind": OWNER_KINDS,
           "id_type": validators.ID_TYPES}
# the fields of the area's rule checks → the file's columns
CHECK_FIELDS = {
    "house": {"unit": "unit", "room_no": "room_no", "floor": "floor", "building_area": "building_area",
              "inner_area": "inner_area", "layout": "layout", "usage": "usage", "status": "status"},
    "owner": {"kind": "owner_kind", "name": "owner_name", "id_type": "id_type", "id_number": "id_number",
              "phone": "phone", "emergency_contact": "emergency_contact"},
    "ownership": {"share": "share", "certificate_no": "certificate_no", "delivered_on": "delivered_on",
                  "moved_in_on": "moved_in_on", "started_on": "delivered_on"},
}


def header(column: Column) -> str:
    """The column's header in the file: its Chinese label."""
    with force_locale("zh"):
        return str(column.label)


def headers() -> list[str]:
    with force_locale("zh"):
        return [str(c.label) for c in COLUMNS]


def choice_labels(choices: dict) -> list[str]:
    with force_locale("zh"):
        return [str(label) for label in choices.values()]


def _choice_map(choices: dict) -> dict[str, str]:
    """Chinese label (and the code itself) → code."""
    with force_locale("zh"):
        out = {normalize_header(str(label)): code for code, label in choices.items()}
    out.update({code: code for code in choices})
    return out


# ------------------------------------------------------------------------------------------------- result

@dataclass
class ImportResult:
    """errors: [(row number or None for the whole file, column header, reason)]; empty when imported."""

    errors: list = field(default_factory=list)
    rows: int = 0
    houses: int = 0
    owners: int = 0
    ownerships: int = 0
    buildings: int = 0
    units: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


# ------------------------------------------------------------------------------------------------- parsing

_INT_RE = re.compile(r"[-+]?\d{1,9}")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _as_int(value):
    """A whole number from 5, "5" or 5.0; anything else unchanged (the rule check names the problem)."""
    if isinstance(value, str) and _INT_RE.fullmatch(value):
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _as_date(value) -> tuple[date | None, bool]:
    """(date, ok): a date cell, or text like 2024-05-01, 2024/5/1, 2024年5月1日, 20240501."""
    if value is None:
        return None, True
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    if isinstance(value, int) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231:
            value = str(value)
        elif 1 <= value <= 73415:  # an Excel date serial (to 2100-12-31) whose date format was lost
            return date(1899, 12, 30) + timedelta(days=value), True
    if isinstance(value, str):
        text = re.sub(r"\s+", "", value)
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if parsed.year >= 1900:
                return parsed, True
    return None, False


def _code_and_name(text: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    """"3号楼" → ("3", "3号楼"); "3" → ("3", "3号楼"); "综合楼" → ("综合楼", "综合楼")."""
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip(), text
    if re.fullmatch(r"[0-9A-Za-z-]+", text):
        return text, text + suffixes[0]
    return text, text


def _message(value) -> str:
    return value.striptags() if isinstance(value, Markup) else str(value)


# ------------------------------------------------------------------------------------------------- checking

@dataclass
class _New:
    """A 楼栋 or 单元 the import creates."""

    key: tuple
    parent: object  # Community / Building or _New
    code: str
    name: str
    errors: dict
    obj: object = None


@dataclass
class _HouseRow:
    row: int
    unit: object  # Unit or _New
    room_no: str
    values: dict
    has_owner: bool
    owners: list = field(default_factory=list)  # [(row, owner key, share)]
    ownerships: list = field(default_factory=list)  # [(owner key, {ownership values})]


@dataclass
class _OwnerRow:
    row: int
    name: str
    values: dict
    existing_id: int | None = None


class _Checker:
    def __init__(self, rows: list[tuple[int, dict]], today: date):
        self.rows = rows
        self.today = today
        self.errors: dict[int, dict[str, str]] = {}
        self.new_buildings: dict[tuple, _New] = {}
        self.new_units: dict[tuple, _New] = {}
        self.houses: dict[tuple, _HouseRow] = {}
        self.owners: dict[str, _OwnerRow] = {}
        self.choice_maps = {name: _choice_map(choices) for name, choices in CHOICES.items()}
        self.headers = {c.field: header(c) for c in COLUMNS}
        self._preload()

    # -- what the database already has, in a few queries
    def _preload(self) -> None:
        names = {r["community"].strip() for _, r in self.rows if isinstance(r.get("community"), str)}
        self.communities = {c.name: c for c in db.session.scalars(select(Community).where(
            Community.name.in_(names))).all()} if names else {}
        ids = [c.id for c in self.communities.values()]
        buildings = db.session.scalars(select(Building).where(Building.community_id.in_(ids))).all() if ids else []
        self.building_by_code = {(b.community_id, b.code): b for b in buildings}
        self.building_by_name = {(b.community_id, b.name): b for b in buildings}
        bids = [b.id for b in buildings]
        units = _in_chunks(bids, lambda chunk: db.session.scalars(
            select(Unit).options(joinedload(Unit.building)).where(Unit.building_id.in_(chunk))).all())
        self.unit_by_code = {(u.building_id, u.code): u for u in units}
        self.unit_by_name = {(u.building_id, u.name): u for u in units}
        self.units_with_houses = set(_in_chunks([u.id for u in units], lambda chunk: db.session.scalars(
            select(House.unit_id).where(House.unit_id.in_(chunk)).distinct()).all()))
        numbers = set()
        for _, r in self.rows:
            value = r.get("id_number")
            if isinstance(value, str):
                for id_type in validators.ID_TYPES:
                    numbers.add(validators.normalize_id_number(id_type, value))
        self.owners_on_file = {number: (oid, name) for oid, number, name in _in_chunks(
            sorted(numbers), lambda chunk: db.session.execute(
                select(Owner.id, Owner.id_number, Owner.name).where(Owner.id_number.in_(chunk))).all())}

    def error(self, row: int, field_name: str, message) -> None:
        self.errors.setdefault(row, {}).setdefault(field_name, _message(message))

    def merge(self, row: int, kind: str, errors: dict, drop: tuple = ()) -> None:
        for key, message in errors.items():
            if key in drop:
                continue
            self.error(row, CHECK_FIELDS[kind].get(key, key), message)

    def choice(self, row: int, values: dict, name: str):
        raw = values.get(name)
        if raw is None:
            return DEFAULTS.get(name)
        code = self.choice_maps[name].get(normalize_header(raw)) if isinstance(raw, str) else None
        if code is None:
            self.error(row, name, gettext(
                "%(label)s: “%(value)s” is not one of the allowed values (%(choices)s).",
                label=self.headers[name], value=raw, choices="、".join(choice_labels(CHOICES[name]))))
        return code

    def text(self, row: int, values: dict, name: str, max_len: int) -> str | None:
        errors: dict = {}
        check_text(errors, values, name, self.headers[name], max_len)
        if errors:
            self.error(row, name, errors[name])
            return None
        return values[name].strip()

    # -- one row
    def check_row(self, row: int, values: dict) -> None:
        unit = self.unit_of(row, values)
        has_owner = any(values.get(f) is not None for f in OWNER_FIELDS)
        house_values = {
            "floor": _as_int(values.get("floor")), "building_area": values.get("building_area"),
            "inner_area": values.get("inner_area"), "layout": values.get("layout"),
            "usage": self.choice(row, values, "usage"), "status": self.choice(row, values, "status"),
            "room_no": values.get("room_no"), "remark": None,
        }
        room_no = values["room_no"].strip() if isinstance(values.get("room_no"), str) else None
        key = (unit.key if isinstance(unit, _New) else ("id", unit.id), room_no) if unit and room_no else None
        first = self.houses.get(key) if key else None
        house = None
        if first is not None:
            # a co-owner's row: the house cells may stay empty, or repeat the first row's
            same = all(values.get(f) is None or _same(house_values[f], first.values[f]) for f in HOUSE_FIELDS)
            if same and has_owner and first.has_owner:
                house = first
            else:
                self.error(row, "room_no", gettext(
                    "Row %(row)d already has this house. A house is on several rows only for its co-owners, "
                    "with the same house data.", row=first.row))
            house_values.update({f: first.values[f] for f in HOUSE_FIELDS if values.get(f) is None})
        # the database's duplicate check, where the unit has houses already
        check_unit = unit if isinstance(unit, Unit) and unit.id in self.units_with_houses and first is None else None
        self.merge(row, "house", services.check_house({**house_values, "unit": check_unit}), drop=("unit",))
        if first is None and key is not None:
            house = self.houses[key] = _HouseRow(row, unit, room_no, house_values, has_owner)
        if has_owner:
            self.check_owner(row, values, house)

    def unit_of(self, row: int, values: dict):
        """The row's 单元 (a Unit, or a _New one), resolving 小区 and 楼栋 on the way; None if any is wrong."""
        community_name = self.text(row, values, "community", 100)
        building_text = self.text(row, values, "building", 50)
        unit_text = self.text(row, values, "unit", 50)
        if community_name is None:
            return None
        community = self.communities.get(community_name)
        if community is None:
            self.error(row, "community", gettext("No community with this name: %(name)s.", name=community_name))
            return None
        if building_text is None:
            return None
        building = self.building_of(row, community, building_text)
        if building is None or unit_text is None:
            return None
        return self.unit_in(row, building, unit_text)

    def building_of(self, row: int, community: Community, text: str):
        code, name = _code_and_name(text, BUILDING_SUFFIXES)
        cid = community.id
        found = (self.building_by_name.get((cid, text)) or self.building_by_code.get((cid, text))
                 or self.building_by_code.get((cid, code)))
        if found is not None:
            return found
        new = self.new_buildings.get((cid, code))
        if new is None:
            errors = services.check_building({"community": community, "code": code, "name": name,
                                              "floors": None, "remark": None})
            new = self.new_buildings[(cid, code)] = _New(("new", cid, code), community, code, name, errors)
        if new.errors:
            self.error(row, "building", next(iter(new.errors.values())))
            return None
        return new

    def unit_in(self, row: int, building, text: str):
        code, name = _code_and_name(text, UNIT_SUFFIXES)
        if isinstance(building, Building):
            found = (self.unit_by_name.get((building.id, text)) or self.unit_by_code.get((building.id, text))
                     or self.unit_by_code.get((building.id, code)))
            if found is not None:
                return found
            parent_key = ("id", building.id)
        else:
            parent_key = building.key
        key = (parent_key, code)
        new = self.new_units.get(key)
        if new is None:
            errors = services.check_unit({"building": building if isinstance(building, Building) else None,
                                          "code": code, "name": name})
            errors.pop("building", None)
            new = self.new_units[key] = _New(("new-unit", parent_key, code), building, code, name, errors)
        if new.errors:
            self.error(row, "unit", next(iter(new.errors.values())))
            return None
        return new

    def check_owner(self, row: int, values: dict, house: _HouseRow | None) -> None:
        kind = self.choice(row, values, "owner_kind")
        id_type = self.choice(row, values, "id_type")
        if values.get("id_type") is None:
            id_type = validators.BUSINESS_LICENSE if kind == "company" else validators.RESIDENT_ID
        if values.get("owner_kind") is None and id_type == validators.BUSINESS_LICENSE:
            kind = "company"
        owner_values = {"kind": kind, "name": values.get("owner_name"), "id_type": id_type,
                        "id_number": values.get("id_number"), "phone": values.get("phone"),
                        "emergency_contact": values.get("emergency_contact"), "remark": None}
        name = owner_values["name"].strip() if isinstance(owner_values["name"], str) else None
        owner_key = None
        number = owner_values["id_number"]
        if (id_type is not None and kind is not None and isinstance(number, str)
                and validators.validate_id_number(id_type, number) is None):
            owner_key = validators.normalize_id_number(id_type, number)
        if owner_key is not None and owner_key in self.owners_on_file:
            oid, on_file = self.owners_on_file[owner_key]
            if name is not None and name != on_file.strip():
                self.error(row, "owner_name", gettext(
                    "This ID number is on file for %(name)s; the name in the file differs.", name=on_file))
            errors = services.check_owner({**owner_values, "id_number": None})  # the rest of the row
            errors.pop("id_number", None)
            self.merge(row, "owner", errors)
            self.owners.setdefault(owner_key, _OwnerRow(row, on_file, owner_values, existing_id=oid))
        elif owner_key is not None and owner_key in self.owners:
            earlier = self.owners[owner_key]
            if name is not None and name != earlier.name:
                self.error(row, "owner_name", gettext(
                    "Row %(row)d gives this ID number the name %(name)s.", row=earlier.row, name=earlier.name))
            errors = services.check_owner({**owner_values, "id_number": None})
            errors.pop("id_number", None)
            self.merge(row, "owner", errors)
        else:
            errors = services.check_owner(owner_values)
            self.merge(row, "owner", errors)
            if owner_key is not None and not errors:
                self.owners[owner_key] = _OwnerRow(row, name, owner_values)
            elif owner_key is not None:
                owner_key = None
        self.check_ownership(row, values, house, owner_key)

    def check_ownership(self, row: int, values: dict, house: _HouseRow | None, owner_key) -> None:
        dates = {}
        for name in ("delivered_on", "moved_in_on"):
            dates[name], ok = _as_date(values.get(name))
            if not ok:
                self.error(row, name, gettext("%(label)s is not a valid date; write it like 2024-05-01.",
                                              label=self.headers[name]))
        share = values.get("share")
        if share is None:
            share = HUNDRED
        elif isinstance(share, str):
            share = share.strip().rstrip("%％").strip()
        ownership = {"house": None, "owner": None, "share": share, "certificate_no": values.get("certificate_no"),
                     "delivered_on": dates["delivered_on"], "moved_in_on": dates["moved_in_on"],
                     "started_on": dates["delivered_on"] or self.today, "ended_on": None, "end_reason": None}
        errors = services.check_ownership(ownership)
        self.merge(row, "ownership", errors, drop=("house", "owner"))
        if house is None or owner_key is None:
            return
        value = parse_area(share) if "share" not in errors else None
        twice = any(key == owner_key for _, key, _ in house.owners)
        house.owners.append((row, owner_key, value))
        if twice:
            self.error(row, "id_number", gettext("This owner already holds a current share of this house."))
            return
        certificate = ownership["certificate_no"]
        ownership.update(share=value, certificate_no=certificate.strip() if isinstance(certificate, str) else None)
        house.ownerships.append((owner_key, ownership))

    def finish(self) -> None:
        """What only the whole file shows: the shares of each house add up to exactly 100."""
        for house in self.houses.values():
            if not house.owners or any(share is None for _, _, share in house.owners):
                continue
            total = sum(share for _, _, share in house.owners)
            if total != HUNDRED:
                for row, _, _ in house.owners:
                    self.error(row, "share", gettext(
                        "The owners' shares of this house add up to %(total)s%%; they must add up to exactly "
                        "100%%.", total=_plain_number(total)))

    def error_list(self) -> list[tuple[int, str, str]]:
        order = {c.field: i for i, c in enumerate(COLUMNS)}
        out = []
        for row in sorted(self.errors):
            for name, message in sorted(self.errors[row].items(), key=lambda kv: order.get(kv[0], 99)):
                out.append((row, self.headers.get(name, ""), message))
        return out


def _same(a, b) -> bool:
    """Two cells of one house agree: 89.5 typed as a number equals "89.50" typed as text."""
    if a == b:
        return True
    da, db_ = parse_area(a), parse_area(b)
    return da is not None and da == db_


def _plain_number(value: Decimal) -> str:
    text = format(value.quantize(CENT), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _in_chunks(items: list, fetch, size: int = 500) -> list:
    out = []
    for i in range(0, len(items), size):
        out.extend(fetch(items[i:i + size]))
    return out


# ------------------------------------------------------------------------------------------------- import

def check_file(data: bytes, today: date | None = None):
    """(rows, checker) of a file, or raise ExcelError. Nothing is written."""
    text_headers = [header(c) for c in COLUMNS if c.text]
    _, rows = read_sheet(data, required=headers(), text_columns=text_headers, max_rows=MAX_ROWS)
    by_header = {normalize_header(header(c)): c.field for c in COLUMNS}
    records = [(number, {by_header[h]: v for h, v in record.items() if h in by_header}) for number, record in rows]
    checker = _Checker(records, today or clock.today())
    with db.session.no_autoflush:
        for number, values in records:
            checker.check_row(number, values)
        checker.finish()
    return records, checker


def import_owners(data: bytes, filename: str = "", today: date | None = None) -> ImportResult:
    """Check the whole file; if it is good, write it and commit. See the module's docstring."""
    try:
        records, checker = check_file(data, today)
    except ExcelError as exc:
        return ImportResult(errors=[(None, "", str(exc))])
    errors = checker.error_list()
    if errors:
        db.session.rollback()
        return ImportResult(errors=errors, rows=len(records))
    try:
        result = _write(checker, filename)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return ImportResult(errors=[(None, "", gettext(
            "Someone changed the records while the file was imported; nothing was imported. Please import the "
            "file again."))], rows=len(records))
    except Exception:
        db.session.rollback()
        raise
    result.rows = len(records)
    return result


def _write(checker: _Checker, filename: str) -> ImportResult:
    result = ImportResult()
    for new in checker.new_buildings.values():
        new.obj = Building(community=new.parent, code=new.code, name=new.name)
        services.prepare(new.obj)
        db.session.add(new.obj)
    for new in checker.new_units.values():
        parent = new.parent.obj if isinstance(new.parent, _New) else new.parent
        new.obj = Unit(building=parent, code=new.code, name=new.name)
        services.prepare(new.obj)
        db.session.add(new.obj)
    db.session.flush()  # ids for the houses; the new buildings and units are in the audit log
    result.buildings, result.units = len(checker.new_buildings), len(checker.new_units)

    houses = list(checker.houses.values())
    rows = []
    for house in houses:
        unit = house.unit.obj if isinstance(house.unit, _New) else house.unit
        v = house.values
        inner = parse_area(v["inner_area"]) if v["inner_area"] is not None else None
        rows.append({
            "community_id": unit.building.community_id, "building_id": unit.building_id, "unit_id": unit.id,
            "room_no": house.room_no, "house_no": services.house_number(unit, house.room_no), "floor": v["floor"],
            "building_area": parse_area(v["building_area"]).quantize(CENT),
            "inner_area": inner.quantize(CENT) if inner is not None else None,
            "layout": v["layout"].strip() if isinstance(v["layout"], str) else None,
            "usage": v["usage"], "status": v["status"], "remark": None,
        })
    _insert(House, rows)
    ids_by_room = dict(_in_chunks(sorted({r["unit_id"] for r in rows}), lambda chunk: [
        ((unit_id, room_no), house_id) for house_id, unit_id, room_no in db.session.execute(
            select(House.id, House.unit_id, House.room_no).where(House.unit_id.in_(chunk)))]))
    house_ids = [ids_by_room[(r["unit_id"], r["room_no"])] for r in rows]
    result.houses = len(house_ids)

    owner_ids = {key: o.existing_id for key, o in checker.owners.items() if o.existing_id is not None}
    new_keys = [key for key, o in checker.owners.items() if o.existing_id is None]
    owner_rows = []
    for key in new_keys:
        v = checker.owners[key].values
        owner = Owner(kind=v["kind"], name=v["name"], id_type=v["id_type"], id_number=v["id_number"],
                      phone=v["phone"], emergency_contact=v["emergency_contact"], remark=None)
        services.prepare_person(owner)  # the same normalising as the form: trimmed, pinyin, phone tail
        owner_rows.append({attr: getattr(owner, attr) for attr in (
            "kind", "name", "name_pinyin", "name_initials", "id_type", "id_number", "phone", "phone_tail",
            "emergency_contact", "remark")})
    _insert(Owner, owner_rows)
    by_number = dict(_in_chunks([r["id_number"] for r in owner_rows], lambda chunk: db.session.execute(
        select(Owner.id_number, Owner.id).where(Owner.id_number.in_(chunk))).all()))
    owner_ids.update({key: by_number[row["id_number"]] for key, row in zip(new_keys, owner_rows)})
    result.owners = len(owner_rows)

    links = []
    for house, house_id in zip(houses, house_ids):
        for owner_key, o in house.ownerships:
            links.append({"house_id": house_id, "owner_id": owner_ids[owner_key], "share": o["share"].quantize(CENT),
                          "certificate_no": o["certificate_no"], "delivered_on": o["delivered_on"],
                          "moved_in_on": o["moved_in_on"], "started_on": o["started_on"]})
    _insert(Ownership, links)
    result.ownerships = len(links)

    # houses, owners and ownership skip the ORM (and so the per-record audit): one summary row instead
    with force_locale("zh"):
        label = gettext("Owner import: %(file)s", file=filename or "-")
    log_event(db.session, "import", House.__tablename__, f"{min(house_ids)}-{max(house_ids)}" if house_ids else "",
              label, {"house": [None, result.houses], "owner": [None, result.owners],
                      "ownerships": [None, result.ownerships], "building": [None, result.buildings],
                      "unit": [None, result.units], "file": filename})
    return result


def _insert(model, rows: list[dict]) -> None:
    """Bulk INSERT (executemany, in batches): no ORM objects, no per-row statements."""
    for i in range(0, len(rows), 5000):
        db.session.execute(insert(model), rows[i:i + 5000])


# ------------------------------------------------------------------------------------------------- template

def example_row() -> list:
    """A filled-in example: a valid 居民身份证 whose check character is computed, not copied."""
    id_number = EXAMPLE_ID_BODY + validators.resident_id_check_char(EXAMPLE_ID_BODY)
    with force_locale("zh"):
        return ["示例小区", "3号楼", "2单元", "0501", 5, Decimal("89.50"), Decimal("70.12"), "三室两厅",
                str(HOUSE_USAGES["residential"]), str(HOUSE_STATUSES["occupied"]), "张三",
                str(OWNER_KINDS["person"]), str(validators.ID_TYPES["resident_id"]), id_number, "13812345678",
                "李四 13912345678", Decimal("100"), "浙(2024)杭州市不动产权第0012345号", date(2024, 5, 1),
                date(2024, 8, 1)]


def import_template() -> bytes:
    """The import template: the header row with one example row, and a sheet 填写说明 of every column.
    Chinese whatever the page's language: the file's columns and values are Chinese."""
    with force_locale("zh"):
        return _template()


def _template() -> bytes:
    text_columns = [i for i, c in enumerate(COLUMNS) if c.text]
    choices = {i: choices_of(c.field) for i, c in enumerate(COLUMNS) if c.field in CHOICES}
    notes = []
    for c in COLUMNS:
        if c.field in DEFAULTS:
            note = gettext("One of: %(values)s. Empty: %(default)s.", values="、".join(choices_of(c.field)),
                           default=str(CHOICES[c.field][DEFAULTS[c.field]]))
        elif c.field == "id_type":
            note = gettext("One of: %(values)s. Empty: %(person)s for a person, %(company)s for a company.",
                           values="、".join(choices_of(c.field)),
                           person=str(validators.ID_TYPES[validators.RESIDENT_ID]),
                           company=str(validators.ID_TYPES[validators.BUSINESS_LICENSE]))
        else:
            note = str(c.note)
        if not c.required:
            required = gettext("No")
        elif c.field in OWNER_FIELDS:
            required = gettext("Yes, when the row names an owner")
        else:
            required = gettext("Yes")
        notes.append([header(c), required, note])
    notes.append(["", "", gettext("Row 2 of the first sheet is an example: replace or delete it before importing. "
                                  "If any row is wrong, nothing is imported; every problem is listed with its "
                                  "row.")])
    return write_workbook([
        Sheet(title=gettext("Houses and owners"), headers=headers(), rows=[example_row()],
              text_columns=text_columns, choices=choices),
        Sheet(title=gettext("Instructions"),
              headers=[gettext("Column"), gettext("Required"), gettext("Allowed values and notes")],
              rows=notes, widths={2: 90}),
    ])


def choices_of(field_name: str) -> list[str]:
    return choice_labels(CHOICES[field_name])


# ------------------------------------------------------------------------------------------------- export

def owners_select(community_id: int | None = None, building_id: int | None = None, q: str | None = None,
                  ids=None):
    """Owners to export: of a community or building (current ownership), by name or pinyin, and/or among `ids`
    (a select of Owner.id, e.g. from the list page's filters)."""
    from app.core import pinyin

    stmt = select(Owner)
    if ids is not None:
        stmt = stmt.where(Owner.id.in_(ids))
    if community_id or building_id:
        sub = select(Ownership.owner_id).join(House, House.id == Ownership.house_id).where(
            Ownership.ended_on.is_(None))
        if community_id:
            sub = sub.where(House.community_id == community_id)
        if building_id:
            sub = sub.where(House.building_id == building_id)
        stmt = stmt.where(Owner.id.in_(sub))
    q = (q or "").strip()
    if q:
        match = [Owner.name.contains(q)]
        if pinyin.looks_like_pinyin(q):
            key = pinyin.normalize_pinyin_query(q)
            match += [Owner.name_initials == key, and_(Owner.name_pinyin >= key, Owner.name_pinyin < key + "{")]
        stmt = stmt.where(or_(*match))
    return stmt.order_by(Owner.name, Owner.id)


def owner_export_rows(stmt) -> tuple[list[str], list[list]]:
    owners = db.session.scalars(stmt).all()
    houses: dict[int, list[str]] = {}

    def fetch(chunk):
        return db.session.execute(
            select(Ownership.owner_id, Community.name, House.house_no, Ownership.share)
            .join(House, House.id == Ownership.house_id).join(Community, Community.id == House.community_id)
            .where(Ownership.owner_id.in_(chunk), Ownership.ended_on.is_(None))
            .order_by(Community.name, House.house_no)
        ).all()

    for owner_id, community, house_no, share in _in_chunks([o.id for o in owners], fetch):
        text = f"{community} {house_no}" + ("" if share == HUNDRED else f" ({_plain_number(share)}%)")
        houses.setdefault(owner_id, []).append(text)
    labels = services.LABELS
    heads = [gettext("Full name"), str(labels["owner_kind"]), str(labels["id_type"]), str(labels["id_number"]),
             str(labels["mobile"]), str(labels["emergency_contact"]), gettext("Houses owned")]
    rows = [[o.name, str(OWNER_KINDS.get(o.kind, o.kind)), str(validators.ID_TYPES.get(o.id_type, o.id_type)),
             masking.mask_id_number(o.id_number), masking.mask_phone(o.phone),
             masking.mask_text(o.emergency_contact), "、".join(houses.get(o.id, []))] for o in owners]
    return heads, rows


def export_owners(stmt=None, **filters) -> bytes:
    """The owners of `stmt` (or of owners_select(**filters)) as .xlsx; 证件号, 手机, 紧急联系人 always masked."""
    heads, rows = owner_export_rows(stmt if stmt is not None else owners_select(**filters))
    return write_workbook([Sheet(title=gettext("Owners"), headers=heads, rows=rows, text_columns=range(len(heads)))])


def houses_select(community_id: int | None = None, building_id: int | None = None, ids=None):
    stmt = select(House)
    if ids is not None:
        stmt = stmt.where(House.id.in_(ids))
    if community_id:
        stmt = stmt.where(House.community_id == community_id)
    if building_id:
        stmt = stmt.where(House.building_id == building_id)
    return stmt.order_by(House.community_id, House.house_no)


def house_export_rows(stmt) -> tuple[list[str], list[list]]:
    sub = stmt.subquery()
    rows_db = db.session.execute(
        select(sub, Community.name.label("community_name"), Building.name.label("building_name"),
               Unit.name.label("unit_name"))
        .join(Unit, Unit.id == sub.c.unit_id).join(Building, Building.id == sub.c.building_id)
        .join(Community, Community.id == sub.c.community_id)
        .order_by(Community.name, sub.c.house_no)
    ).all()
    owners: dict[int, list[str]] = {}

    def fetch(chunk):
        return db.session.execute(
            select(Ownership.house_id, Owner.name, Ownership.share).join(Owner, Owner.id == Ownership.owner_id)
            .where(Ownership.house_id.in_(chunk), Ownership.ended_on.is_(None)).order_by(Ownership.id)
        ).all()

    for house_id, name, share in _in_chunks([r.id for r in rows_db], fetch):
        owners.setdefault(house_id, []).append(name + ("" if share == HUNDRED else f" ({_plain_number(share)}%)"))
    labels = services.LABELS
    heads = [str(labels[k]) for k in ("community", "building", "unit", "room_no", "house_no", "floor",
                                      "building_area", "inner_area", "layout", "usage", "status")]
    heads.append(gettext("Current owners"))
    rows = [[r.community_name, r.building_name, r.unit_name, r.room_no, r.house_no, r.floor, r.building_area,
             r.inner_area, r.layout, str(HOUSE_USAGES.get(r.usage, r.usage)),
             str(HOUSE_STATUSES.get(r.status, r.status)), "、".join(owners.get(r.id, []))] for r in rows_db]
    return heads, rows


def export_houses(stmt=None, **filters) -> bytes:
    """The houses of `stmt` (or of houses_select(**filters)) as .xlsx, with their current owners."""
    heads, rows = house_export_rows(stmt if stmt is not None else houses_select(**filters))
    return write_workbook([Sheet(title=gettext("Houses"), headers=heads, rows=rows,
                                 text_columns=[0, 1, 2, 3, 4, 8, 9, 10, 11])])
