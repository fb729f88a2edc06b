"""客户服务 (service desk): the daily work log, repair work orders, complaints, consultations and
special services, with the deadlines they are held to and the charges repairs leave for billing."""
from datetime import datetime
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.audit import Audited

CHANNELS = {
    "phone": _l("Phone call"),
    "visit": _l("Walk-in visit"),
    "online": _l("Online"),
    "walk": _l("Client visit round"),
    "patrol": _l("Patrol"),
}
CONTACT_KINDS = {
    "repair": _l("Repair"),
    "complaint": _l("Complaint"),
    "consultation": _l("Consultation or suggestion"),
    "service_request": _l("Special service request"),
    "other": _l("Other matters"),
}
PLACE_SCOPES = {"common": _l("Common part (free)"), "private": _l("Private part (paid)")}
REPAIR_CATEGORIES = {
    "water_power": _l("Water and power"),
    "civil": _l("Civil works"),
    "door_window": _l("Doors and windows"),
    "elevator": _l("Elevator"),
    "fire": _l("Fire safety"),
    "low_voltage": _l("Low-voltage systems"),
    "other": _l("Other"),
}
URGENCIES = {"urgent": _l("Urgent"), "normal": _l("Normal"), "scheduled": _l("By appointment")}
ORDER_STATES = {
    "pending": _l("Waiting for dispatch"),
    "dispatched": _l("Dispatched"),
    "in_progress": _l("In progress"),
    "suspended": _l("Suspended"),
    "completed": _l("Completed, awaiting callback"),
    "closed": _l("Called back, closed"),
    "cancelled": _l("Cancelled"),
}
SATISFACTION = {
    "very_satisfied": _l("Very satisfied"),
    "satisfied": _l("Satisfied"),
    "fair": _l("Fair"),
    "unsatisfied": _l("Unsatisfied"),
}
COMPLAINT_CATEGORIES = {
    "attitude": _l("Service attitude"),
    "repair": _l("Repairs and facilities"),
    "security": _l("Order and security"),
    "cleaning": _l("Cleaning and greenery"),
    "fees": _l("Fees"),
    "neighbour": _l("Neighbours"),
    "other": _l("Other"),
}
DEPARTMENTS = {
    "service": _l("Property services"),
    "engineering": _l("Engineering"),
    "order": _l("Order and security"),
    "environment": _l("Environment"),
    "finance": _l("Finance and fees"),
    "office": _l("Management office"),
}
SEVERITIES = {"normal": _l("Ordinary"), "major": _l("Major")}
COMPLAINT_STATES = {
    "received": _l("Received"),
    "handling": _l("Being handled"),
    "replied": _l("Replied, awaiting callback"),
    "closed": _l("Accepted, closed"),
    "withdrawn": _l("Withdrawn"),
}
ACCEPTANCE = {"accepted": _l("Accepted"), "not_accepted": _l("Not accepted")}
CONSULTATION_KINDS = {"consultation": _l("Consultation"), "suggestion": _l("Suggestion")}
SPECIAL_KINDS = {"special": _l("Special service"), "custom": _l("Custom service")}
REQUEST_STATES = {
    "requested": _l("Requested"),
    "approved": _l("Approved"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
DEADLINE_KINDS = {"repair": _l("Repair"), "complaint": _l("Complaint")}
CHARGE_STATES = {"open": _l("To be billed"), "billed": _l("Billed"),
                 "withdrawn": _l("Withdrawn: the order was reopened"), "cancelled": _l("Cancelled")}


class ServiceDeadline(Audited, Model):
    """How long an order may take, by kind and level: repairs (urgency) to arrive and to finish,
    complaints (severity) to first response and to resolution. The office edits these."""

    __tablename__ = "service_deadline"
    __table_args__ = (UniqueConstraint("kind", "level", name="uq_service_deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    respond_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    finish_minutes: Mapped[int] = mapped_column(Integer, nullable=False)

    def __str__(self) -> str:
        return f"{self.kind}/{self.level}"


class Contact(Audited, Model):
    """One entry of the 物业部工作日志: a call, visit or contact, logged once at the desk."""

    __tablename__ = "service_contact"
    __table_args__ = (Index("ix_service_contact_day", "community_id", "occurred_at"),)
    __audit_masked__ = ("phone",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="phone")
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="other")
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"), index=True)
    person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(1000), nullable=False)
    handling: Mapped[str | None] = mapped_column(String(1000))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    received_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    community = relationship("Community")
    house = relationship("House")
    work_order = relationship("WorkOrder", back_populates="contact", uselist=False)
    complaint = relationship("Complaint", back_populates="contact", uselist=False)
    consultation = relationship("Consultation", back_populates="contact", uselist=False)
    service_request = relationship("ServiceRequest", back_populates="contact", uselist=False)

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.summary[:20]}"

    def channel_label(self) -> str:
        return str(CHANNELS.get(self.channel, self.channel))

    def linked(self):
        """The record this contact became, if any."""
        return self.work_order or self.complaint or self.consultation or self.service_request


class WorkOrder(Audited, Model):
    """报修 work order. Its state changes only through service.services.transition()."""

    __tablename__ = "service_work_order"
    __table_args__ = (
        Index("ix_service_work_order_open", "state", "finish_due"),
        Index("ix_service_work_order_assignee", "assignee_id", "state"),
        Index("ix_service_work_order_created", "community_id", "reported_at"),
    )
    __audit_masked__ = ("reporter_phone",)
    __audit_exclude__ = ("version",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("estate_building.id"))
    place: Mapped[str | None] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(10), nullable=False, default="private")
    category: Mapped[str] = mapped_column(String(20), nullable=False, default="other")
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="phone")
    urgency: Mapped[str] = mapped_column(String(10), nullable=False, default="normal")
    description: Mapped[str] = mapped_column(String(1000), nullable=False)
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    appointment: Mapped[str | None] = mapped_column(String(100))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("service_contact.id"), unique=True)

    state: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    reported_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    arrive_due: Mapped[datetime | None] = mapped_column(DateTime)
    finish_due: Mapped[datetime | None] = mapped_column(DateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    result: Mapped[str | None] = mapped_column(String(1000))
    labour_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    labour_fee: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    material_fee: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    callback_at: Mapped[datetime | None] = mapped_column(DateTime)
    callback_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    callback_remark: Mapped[str | None] = mapped_column(String(500))

    community = relationship("Community")
    house = relationship("House")
    building = relationship("Building")
    contact = relationship("Contact", back_populates="work_order")
    assignee = relationship("User", foreign_keys=[assignee_id])
    received_by = relationship("User", foreign_keys=[received_by_id])
    callback_by = relationship("User", foreign_keys=[callback_by_id])
    events = relationship("WorkOrderEvent", back_populates="order", order_by="WorkOrderEvent.id")
    materials = relationship("WorkOrderMaterial", back_populates="order", order_by="WorkOrderMaterial.id")
    charge = relationship("ServiceCharge", primaryjoin="and_(ServiceCharge.source == 'repair', "
                          "foreign(ServiceCharge.source_id) == WorkOrder.id)", uselist=False, viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.order_no

    @property
    def total_fee(self) -> Decimal:
        return (self.labour_fee or Decimal("0")) + (self.material_fee or Decimal("0"))

    def place_label(self) -> str:
        """The house (or the building, or the community of a common area), then the 具体位置 typed at the desk:
        "翠湖花园 1-1-0101 厨房水槽下", "翠湖花园 1号楼 地下车库入口"."""
        if self.house is not None:
            parts = [str(self.house)]
        else:
            parts = [str(self.building) if self.building is not None else str(self.community or "")]
        if self.place:
            parts.append(self.place)
        return " ".join(p for p in parts if p)

    def state_label(self) -> str:
        return str(ORDER_STATES.get(self.state, self.state))

    @property
    def overdue(self) -> tuple[str, datetime] | None:
        """The deadline the open order is past ("finish" or "arrive", and when it was), or None: true when
        overdue, and it says which deadline."""
        from app.service import services

        return services.missed_deadline(self)


class WorkOrderEvent(Model):
    """One line of a work order's history: who did what, when, from which state to which."""

    __tablename__ = "service_work_order_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_work_order.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    user_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(String(1000))

    order = relationship("WorkOrder", back_populates="events")


class Material(Audited, Model):
    """A material the engineers use, with its unit price (the simple list repairs charge from)."""

    __tablename__ = "service_material"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    spec: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(10), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 4), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return f"{self.name} {self.spec}" if self.spec else self.name


class WorkOrderMaterial(Model):
    """Material used on a work order; name and price are copied so later price changes keep the record."""

    __tablename__ = "service_work_order_material"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_work_order.id"), nullable=False, index=True)
    material_id: Mapped[int | None] = mapped_column(ForeignKey("service_material.id"))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(10), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 4), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)

    order = relationship("WorkOrder", back_populates="materials")
    material = relationship("Material")


class ServiceCharge(Audited, Model):
    """A charge a private-part repair leaves on its house (有偿维修), billed at the order's completion (see
    app.service.charges): its bill line in billing has the same (source, source_id)."""

    __tablename__ = "service_charge"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_service_charge_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    source_id: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="open")

    house = relationship("House")

    def __str__(self) -> str:
        return self.description


class Complaint(Audited, Model):
    """投诉 under 首问责任制: the one who received it stays responsible until the complainant accepts."""

    __tablename__ = "service_complaint"
    __table_args__ = (
        Index("ix_service_complaint_open", "state", "respond_due"),
        Index("ix_service_complaint_received", "community_id", "received_at"),
    )
    __audit_masked__ = ("phone",)
    __audit_exclude__ = ("version",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_no: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("service_contact.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="phone")
    complainant: Mapped[str] = mapped_column(String(100), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20), nullable=False, default="other")
    severity: Mapped[str] = mapped_column(String(10), nullable=False, default="normal")
    content: Mapped[str] = mapped_column(String(2000), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="received")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    respond_due: Mapped[datetime | None] = mapped_column(DateTime)
    resolve_due: Mapped[datetime | None] = mapped_column(DateTime)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    investigation: Mapped[str | None] = mapped_column(String(2000))
    result: Mapped[str | None] = mapped_column(String(2000))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    callback_at: Mapped[datetime | None] = mapped_column(DateTime)
    acceptance: Mapped[str | None] = mapped_column(String(20))
    callback_remark: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    community = relationship("Community")
    house = relationship("House")
    contact = relationship("Contact", back_populates="complaint")
    responsible = relationship("User", foreign_keys=[responsible_id])
    events = relationship("ComplaintEvent", back_populates="complaint", order_by="ComplaintEvent.id")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.complaint_no

    def state_label(self) -> str:
        return str(COMPLAINT_STATES.get(self.state, self.state))

    @property
    def overdue(self) -> bool:
        from app.service import services

        return services.complaint_overdue(self)


class ComplaintEvent(Model):
    """One line of a complaint's history."""

    __tablename__ = "service_complaint_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("service_complaint.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    user_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(String(2000))

    complaint = relationship("Complaint", back_populates="events")


class Consultation(Audited, Model):
    """咨询/建议: a question answered at the desk, or a suggestion passed on."""

    __tablename__ = "service_consultation"
    __audit_masked__ = ("phone",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("service_contact.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="consultation")
    asked_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(String(1000), nullable=False)
    answer: Mapped[str | None] = mapped_column(String(1000))
    answered_by: Mapped[str | None] = mapped_column(String(100))

    community = relationship("Community")
    house = relationship("House")
    contact = relationship("Contact", back_populates="consultation")

    def __str__(self) -> str:
        return self.question[:30]


class SpecialService(Audited, Model):
    """专项服务 (standard, priced) and 特约服务 (custom, agreed case by case) the office offers."""

    __tablename__ = "service_special_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="special")
    provider: Mapped[str | None] = mapped_column(String(100))
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    price_unit: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name


class ServiceRequest(Audited, Model):
    """A household's request for a special or custom service; a custom service's first execution is
    recorded in detail so that it can become a standard service."""

    __tablename__ = "service_request"
    __audit_masked__ = ("phone",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("service_contact.id"), unique=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service_special_service.id"))
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    provider: Mapped[str | None] = mapped_column(String(100))
    agreed_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    requested_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="requested")
    approved_by: Mapped[str | None] = mapped_column(String(100))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_execution: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    execution_record: Mapped[str | None] = mapped_column(Text)
    remark: Mapped[str | None] = mapped_column(String(500))

    community = relationship("Community")
    house = relationship("House")
    contact = relationship("Contact", back_populates="service_request")
    service = relationship("SpecialService")

    def __str__(self) -> str:
        return self.title
