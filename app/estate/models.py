"""Estate structure: 小区 → 楼栋 → 单元 → 房屋, and 车位."""
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit import Audited

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
