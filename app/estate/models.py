"""Estate structure: 小区 → 楼栋 → 单元 → 房屋, and 车位."""
from datetime import date
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit import Audited
from app.core.history import NeverDeleted

HOUSE_USAGES = {
    "residential": _l("Residential"),
    "shop": _l("Shop"),
    "office": _l("Office"),
    "garage": _l("Garage"),
    "storage": _l("Storage room"),
}
HOUSE_STATUSES = {
    "undelivered": _l("Not delivered"),
    "vacant": _l("Vacant"),
    "occupied": _l("Owner-occupied"),
    "rented": _l("Rented out"),
    "renovating": _l("Under renovation"),
}
SPACE_LOCATIONS = {"above": _l("Above ground"), "under": _l("Underground")}
SPACE_KINDS = {"owned": _l("Owned"), "leased": _l("Leased"), "temporary": _l("Temporary")}
SPACE_STATUSES = {"free": _l("Free"), "sold": _l("Sold"), "rented": _l("Rented")}


class Community(Audited, Model):
    __tablename__ = "estate_community"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    remark: Mapped[str | None] = mapped_column(String(500))

    buildings = relationship("Building", back_populates="community", order_by="Building.code")

    def __str__(self) -> str:
        return self.name


class Building(Audited, Model):
    __tablename__ = "estate_building"
    __table_args__ = (UniqueConstraint("community_id", "code", name="uq_building_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    floors: Mapped[int | None] = mapped_column(Integer)
    remark: Mapped[str | None] = mapped_column(String(500))

    community = relationship("Community", back_populates="buildings")
    units = relationship("Unit", back_populates="building", order_by="Unit.code")

    def __str__(self) -> str:
        return f"{self.community.name} {self.name}" if self.community else self.name


class Unit(Audited, Model):
    __tablename__ = "estate_unit"
    __table_args__ = (UniqueConstraint("building_id", "code", name="uq_unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("estate_building.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)

    building = relationship("Building", back_populates="units")

    def __str__(self) -> str:
        return f"{self.building} {self.name}" if self.building else self.name


class House(Audited, Model):
    __tablename__ = "estate_house"
    __table_args__ = (
        UniqueConstraint("unit_id", "room_no", name="uq_house_room"),
        Index("ix_estate_house_building_no", "building_id", "house_no"),
        Index("ix_estate_house_community_no", "community_id", "house_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    building_id: Mapped[int] = mapped_column(ForeignKey("estate_building.id"), nullable=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("estate_unit.id"), nullable=False, index=True)
    room_no: Mapped[str] = mapped_column(String(20), nullable=False)
    house_no: Mapped[str] = mapped_column(String(60), nullable=False)
    floor: Mapped[int] = mapped_column(Integer, nullable=False)
    building_area: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    inner_area: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    layout: Mapped[str | None] = mapped_column(String(30))
    usage: Mapped[str] = mapped_column(String(20), nullable=False, default="residential")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="vacant")
    remark: Mapped[str | None] = mapped_column(String(500))

    community = relationship("Community")
    building = relationship("Building")
    unit = relationship("Unit")
    ownerships = relationship("Ownership", back_populates="house", order_by="Ownership.started_on")
    residents = relationship("Resident", back_populates="house", order_by="Resident.id")
    vehicles = relationship("Vehicle", back_populates="house", order_by="Vehicle.id")
    # a vehicle whose registration ended (at a 过户, or when it left) stays in the history, not on the card
    current_vehicles = relationship("Vehicle", primaryjoin="and_(House.id == Vehicle.house_id, "
                                    "Vehicle.ended_on.is_(None))", order_by="Vehicle.id", viewonly=True)
    access_cards = relationship("AccessCard", back_populates="house", order_by="AccessCard.id")
    move_records = relationship("MoveRecord", back_populates="house", order_by="MoveRecord.moved_on")

    def __str__(self) -> str:
        return f"{self.community.name} {self.house_no}" if self.community else self.house_no

    def usage_label(self) -> str:
        return str(HOUSE_USAGES.get(self.usage, self.usage))

    def status_label(self) -> str:
        return str(HOUSE_STATUSES.get(self.status, self.status))


class ParkingSpace(Audited, Model):
    __tablename__ = "estate_parking_space"
    __table_args__ = (UniqueConstraint("community_id", "code", name="uq_parking_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False, index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("estate_building.id"))
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"))
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    location: Mapped[str] = mapped_column(String(10), nullable=False, default="under")
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="owned")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="free")
    area: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    remark: Mapped[str | None] = mapped_column(String(500))

    community = relationship("Community")
    building = relationship("Building")
    house = relationship("House")

    def __str__(self) -> str:
        return f"{self.community.name} {self.code}" if self.community else self.code

    def location_label(self) -> str:
        return str(SPACE_LOCATIONS.get(self.location, self.location))

    def kind_label(self) -> str:
        return str(SPACE_KINDS.get(self.kind, self.kind))

    def status_label(self) -> str:
        return str(SPACE_STATUSES.get(self.status, self.status))


OWNER_KINDS = {"person": _l("Person"), "company": _l("Company")}
RESIDENT_RELATIONS = {
    "self": _l("Owner in person"),
    "spouse": _l("Spouse"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "tenant": _l("Tenant"),
    "other": _l("Other"),
}
CARD_KINDS = {"card": _l("Access card"), "key": _l("Key")}
MOVE_KINDS = {"in": _l("Move in"), "out": _l("Move out")}


class Owner(Audited, Model):
    """业主: a person or a company. Personal data is shown masked unless explicitly revealed."""

    __tablename__ = "estate_owner"
    __table_args__ = (
        Index("ix_estate_owner_pinyin", "name_pinyin"),
        Index("ix_estate_owner_initials", "name_initials"),
        Index("ix_estate_owner_phone_tail", "phone_tail"),
    )
    __audit_masked__ = ("id_number", "phone", "emergency_contact")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="person")
    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    name_pinyin: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    name_initials: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    id_type: Mapped[str] = mapped_column(String(20), nullable=False, default="resident_id")
    id_number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_tail: Mapped[str] = mapped_column(String(4), nullable=False, default="")
    emergency_contact: Mapped[str | None] = mapped_column(String(100))
    remark: Mapped[str | None] = mapped_column(String(500))

    ownerships = relationship("Ownership", back_populates="owner")

    def __str__(self) -> str:
        return self.name


class Ownership(NeverDeleted, Audited, Model):
    """产权: an owner's share of a house, from 交房 to 过户. Ended rows stay: the history."""

    __tablename__ = "estate_ownership"
    __table_args__ = (Index("ix_estate_ownership_house_active", "house_id", "ended_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("estate_owner.id"), nullable=False, index=True)
    share: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False, default=Decimal("100.00"))
    certificate_no: Mapped[str | None] = mapped_column(String(50))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    moved_in_on: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # at a 过户, what the house owed and held and how it was settled (on the new owner's row)
    handover_note: Mapped[str | None] = mapped_column(String(500))

    house = relationship("House", back_populates="ownerships")
    owner = relationship("Owner", back_populates="ownerships")

    def __str__(self) -> str:
        return f"{self.owner} {self.house}" if self.owner and self.house else str(self.id)

    @property
    def active(self) -> bool:
        return self.ended_on is None


class Resident(NeverDeleted, Audited, Model):
    """住户: who lives in a house (a tenant is a 住户 with a 租期)."""

    __tablename__ = "estate_resident"
    __table_args__ = (
        Index("ix_estate_resident_pinyin", "name_pinyin"),
        Index("ix_estate_resident_initials", "name_initials"),
        Index("ix_estate_resident_phone_tail", "phone_tail"),
    )
    __audit_masked__ = ("phone",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_pinyin: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    name_initials: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    relation: Mapped[str] = mapped_column(String(10), nullable=False, default="self")
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_tail: Mapped[str] = mapped_column(String(4), nullable=False, default="")
    moved_in_on: Mapped[date | None] = mapped_column(Date)
    moved_out_on: Mapped[date | None] = mapped_column(Date)
    lease_start: Mapped[date | None] = mapped_column(Date)
    lease_end: Mapped[date | None] = mapped_column(Date)
    remark: Mapped[str | None] = mapped_column(String(500))

    house = relationship("House", back_populates="residents")

    def __str__(self) -> str:
        return self.name


class Vehicle(Audited, Model):
    """车辆: a plate, its owner, where it parks."""

    __tablename__ = "estate_vehicle"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plate: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("estate_owner.id"))
    parking_space_id: Mapped[int | None] = mapped_column(ForeignKey("estate_parking_space.id"))
    brand: Mapped[str | None] = mapped_column(String(50))
    color: Mapped[str | None] = mapped_column(String(20))
    remark: Mapped[str | None] = mapped_column(String(500))
    ended_on: Mapped[date | None] = mapped_column(Date)  # registration ended (the owner sold or the car left)

    house = relationship("House", back_populates="vehicles")
    owner = relationship("Owner")
    parking_space = relationship("ParkingSpace")

    def __str__(self) -> str:
        return self.plate


class AccessCard(NeverDeleted, Audited, Model):
    """门禁卡/钥匙 issued to a household, and returned."""

    __tablename__ = "estate_access_card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="card")
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    holder: Mapped[str] = mapped_column(String(100), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    returned_on: Mapped[date | None] = mapped_column(Date)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    remark: Mapped[str | None] = mapped_column(String(500))

    house = relationship("House", back_populates="access_cards")

    def __str__(self) -> str:
        return self.number


class MoveRecord(NeverDeleted, Audited, Model):
    """迁入/迁出 formalities: who moved in or out of a house, when, handled by whom."""

    __tablename__ = "estate_move_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(5), nullable=False)
    person: Mapped[str] = mapped_column(String(100), nullable=False)
    moved_on: Mapped[date] = mapped_column(Date, nullable=False)
    handled_by: Mapped[str] = mapped_column(String(100), nullable=False)
    remark: Mapped[str | None] = mapped_column(String(500))

    house = relationship("House", back_populates="move_records")

    def __str__(self) -> str:
        return f"{self.person} {self.moved_on}"
