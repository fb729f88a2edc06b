"""费用收缴 (billing and collection): fee items, billing runs and their bill lines, payments with their
numbered receipts, each house's pre-paid balance and its ledger.

Money is Numeric(14, 2) (单价 Numeric(12, 4)); a float never touches it. A bill line that is paid is never
deleted or edited: a wrong payment is undone by 作废 (void) or 红冲 (a reversing payment), both kept.
"""
from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.audit import Audited
from app.core.workflow import HistoryMixin

# How an item's amount is computed. Meter (抄表) and 公摊 items have their own inputs (readings, a common meter:
# app.billing.meters); the bill line stays the same.
FEE_METHODS = {
    "area": _l("Area × unit price"),
    "per_house": _l("Fixed per house"),
    "per_space": _l("Fixed per parking space"),
    "one_off": _l("One-off per house"),
    "meter": _l("Meter reading × unit price"),
    "shared": _l("Common meter shared by houses"),
}
AREA_BASES = {"building_area": _l("Gross floor area"), "inner_area": _l("Inner floor area")}
CYCLES = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly"), "yearly": _l("Yearly")}
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
LINE_STATES = {"unpaid": _l("Unpaid"), "paid": _l("Paid")}
LINE_SOURCES = {"run": _l("Billing run"), "repair": _l("Paid repair"), "late_fee": _l("Late fee")}
RUN_STATES = {"committed": _l("Committed"), "cancelled": _l("Cancelled")}
PAY_METHODS = {
    "cash": _l("Cash"),
    "wechat": _l("WeChat Pay"),
    "alipay": _l("Alipay"),
    "bank": _l("Bank transfer"),
    "pos": _l("POS card"),
}
PAYMENT_STATES = {"valid": _l("Valid"), "voided": _l("Voided"), "reversed": _l("Reversed")}
PAYMENT_KINDS = {"payment": _l("Payment"), "reversal": _l("Reversing entry")}
REMINDER_METHODS = {
    "phone": _l("By phone"),
    "visit": _l("Home visit"),
    "letter": _l("Written notice"),
    "sms": _l("Text message (sent by hand)"),
}
ENTRY_KINDS = {
    "prepay": _l("Pre-payment"),
    "use": _l("Used at the counter"),
    "settle": _l("Settled automatically"),
    "void": _l("Voided"),
    "reverse": _l("Reversed"),
}


class FeeItem(Audited, Model):
    """收费项目: what is charged, how it is computed, how often, and to which houses."""

    __tablename__ = "billing_fee_item"
    __table_args__ = (
        UniqueConstraint("community_id", "code", name="uq_billing_fee_item_code"),
        CheckConstraint("unit_price > 0", name="ck_billing_fee_item_price"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False, default="area")
    area_basis: Mapped[str] = mapped_column(String(20), nullable=False, default="building_area")
    # per month for periodic items (元/㎡·月, 元/户·月, 元/位·月); the whole amount for one-off items
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 4), nullable=False)
    cycle: Mapped[str] = mapped_column(String(10), nullable=False, default="monthly")
    # a quarterly or yearly item is billed in the runs of the months (start_month + k × cycle)
    start_month: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # which houses: their 用途 (comma-separated keys; empty = every use) and buildings (none chosen = all)
    usages: Mapped[str | None] = mapped_column(String(200))
    # 空置 houses pay this percentage (empty = the full amount)
    vacant_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # 滞纳金: per day of the amount overdue (e.g. 0.0005 = 万分之五); empty = none (the default)
    late_fee_rate: Mapped[Decimal | None] = mapped_column(Numeric(8, 6))
    due_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    remark: Mapped[str | None] = mapped_column(String(200))
    # a meter item: which house meters it bills, and its 阶梯价 ("10:3.50, 20:4.20, 5.60": up to 10 at 3.50 …)
    meter_kind: Mapped[str | None] = mapped_column(String(12))
    tiers: Mapped[str | None] = mapped_column(String(200))
    # a 公摊 item: the common meter whose monthly cost it splits, by area or per household
    common_meter_id: Mapped[int | None] = mapped_column(ForeignKey("billing_meter.id",
                                                                    name="fk_billing_fee_item_common_meter"))
    share_basis: Mapped[str | None] = mapped_column(String(12))

    community = relationship("Community")
    buildings = relationship("Building", secondary="billing_fee_item_building", order_by="Building.code")
    common_meter = relationship("Meter", foreign_keys=[common_meter_id])

    def __str__(self) -> str:
        return self.name

    def method_label(self) -> str:
        return str(FEE_METHODS.get(self.method, self.method))


class FeeItemBuilding(Model):
    """The buildings a fee item is limited to (none: the whole community)."""

    __tablename__ = "billing_fee_item_building"

    fee_item_id: Mapped[int] = mapped_column(ForeignKey("billing_fee_item.id"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("estate_building.id"), primary_key=True)


class BillingRun(Audited, Model):
    """A 账期 run: the bill lines of one period for a community (or some of its buildings)."""

    __tablename__ = "billing_run"
    __table_args__ = (Index("ix_billing_run_period", "community_id", "period"),)
    __audit_exclude__ = ("line_count", "total")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)  # 2026-11
    building_ids: Mapped[str | None] = mapped_column(String(500))  # comma-separated; empty = all
    fee_item_ids: Mapped[str | None] = mapped_column(String(500))  # comma-separated; empty = all active
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="committed")
    line_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    settled_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    community = relationship("Community")

    def __str__(self) -> str:
        return f"{self.period} #{self.id}"

    def state_label(self) -> str:
        return str(RUN_STATES.get(self.state, self.state))


class BillLine(Model):
    """One charge to one house: an item for a period (from a run), or a charge from another area.

    (fee_item_id, payer_key, period_key) is unique: a run repeated creates nothing twice. payer_key is the
    house ("H12") or, for a parking item, the space ("P7"); period_key is the period, or "once" for a
    one-off item. A charge from another area is unique by (source, source_id).
    """

    __tablename__ = "billing_line"
    __table_args__ = (
        UniqueConstraint("fee_item_id", "payer_key", "period_key", name="uq_billing_line_item_period"),
        UniqueConstraint("source", "source_id", name="uq_billing_line_source"),
        Index("ix_billing_line_house", "house_id", "state"),
        Index("ix_billing_line_run", "run_id"),
        Index("ix_billing_line_period", "community_id", "period"),
        CheckConstraint("amount >= 0", name="ck_billing_line_amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False)
    parking_space_id: Mapped[int | None] = mapped_column(ForeignKey("estate_parking_space.id"))
    fee_item_id: Mapped[int | None] = mapped_column(ForeignKey("billing_fee_item.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("billing_run.id"))
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="run")
    source_id: Mapped[int | None] = mapped_column(Integer)
    payer_key: Mapped[str] = mapped_column(String(20), nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    period_key: Mapped[str] = mapped_column(String(10), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    months: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    # how the amount was reached, when the quantity and price alone do not say it (meters, 公摊)
    basis: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="unpaid")
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("billing_payment.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    house = relationship("House")
    parking_space = relationship("ParkingSpace")
    fee_item = relationship("FeeItem")
    run = relationship("BillingRun")
    payment = relationship("Payment", foreign_keys=[payment_id])

    def __str__(self) -> str:
        return self.description

    def state_label(self) -> str:
        return str(LINE_STATES.get(self.state, self.state))


class Payment(Audited, Model):
    """One payment at the counter and its receipt (收据); or the reversing entry (红冲) of one.

    amount = lines_amount − balance_used + prepaid: what the payer handed over. The receipt serial
    (SK2026-000123) is gap-free per community and year; a void or a reversal keeps it used.
    """

    __tablename__ = "billing_payment"
    __table_args__ = (
        UniqueConstraint("community_id", "year", "serial", name="uq_billing_payment_serial"),
        UniqueConstraint("community_id", "receipt_no", name="uq_billing_payment_receipt_no"),
        Index("ix_billing_payment_house", "house_id", "paid_at"),
        Index("ix_billing_payment_day", "community_id", "paid_at"),
        Index("ix_billing_payment_reference", "reference"),
        # a reversing entry gives back what its payment took from the balance: negative there only
        CheckConstraint("balance_used >= 0 OR kind = 'reversal'", name="ck_billing_payment_balance_used"),
    )
    __audit_exclude__ = ("print_count", "reprint_count")
    __audit_provisional__ = ("receipt_no", "serial")  # numbered last, in the transaction that takes the payment

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    serial: Mapped[int] = mapped_column(Integer, nullable=False)
    receipt_no: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="payment")
    payer_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    method: Mapped[str] = mapped_column(String(10), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    lines_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    prepaid: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    balance_used: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    cashier_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    paid_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="valid")
    reason: Mapped[str | None] = mapped_column(String(200))  # why it was voided or reversed
    undone_by: Mapped[str | None] = mapped_column(String(100))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    reversal_of_id: Mapped[int | None] = mapped_column(ForeignKey("billing_payment.id"))
    remark: Mapped[str | None] = mapped_column(String(200))
    # cash: what the payer handed over (实收) and the change given back (找零); amount is what was taken
    tendered: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    change_given: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # 微信/支付宝/银行转账/POS: the transaction's 交易单号/流水号, to match the day against the merchant's statement
    reference: Mapped[str | None] = mapped_column(String(64))
    print_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reprint_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    house = relationship("House")
    community = relationship("Community")
    lines = relationship("PaymentLine", back_populates="payment", order_by="PaymentLine.id")
    reversal_of = relationship("Payment", remote_side=[id], foreign_keys=[reversal_of_id])

    def __str__(self) -> str:
        return self.receipt_no

    def state_label(self) -> str:
        return str(PAYMENT_STATES.get(self.state, self.state))

    def method_label(self) -> str:
        return str(PAY_METHODS.get(self.method, self.method))


class PaymentLine(Model):
    """A bill line a payment paid (negative on a reversing entry): what the receipt lists."""

    __tablename__ = "billing_payment_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("billing_payment.id"), nullable=False, index=True)
    bill_line_id: Mapped[int] = mapped_column(ForeignKey("billing_line.id"), nullable=False, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)

    payment = relationship("Payment", back_populates="lines")
    bill_line = relationship("BillLine")


class HouseAccount(Model):
    """A house's pre-paid balance (预存款); never negative. The ledger (AccountEntry) explains it."""

    __tablename__ = "billing_account"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_billing_account_balance"),)

    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), primary_key=True)
    balance: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class AccountEntry(Model):
    """One movement of a house's balance: a pre-payment in, a use at the counter or an automatic
    settlement out, or the undoing of either."""

    __tablename__ = "billing_account_entry"
    __table_args__ = (Index("ix_billing_account_entry_house", "house_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)  # + in, − out
    balance_after: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("billing_payment.id"))
    bill_line_id: Mapped[int | None] = mapped_column(ForeignKey("billing_line.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("billing_run.id"))
    by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")


class ReceiptSequence(Model):
    """The last receipt serial used per community and year: taken and raised in the payment's own
    transaction, so a payment that fails leaves no gap."""

    __tablename__ = "billing_receipt_sequence"

    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Reminder(Audited, Model):
    """催缴: one reminder of a house's arrears, how it was given, what came of it, and any promise to pay."""

    __tablename__ = "billing_reminder"
    __table_args__ = (Index("ix_billing_reminder_house", "house_id", "at"),
                      Index("ix_billing_reminder_promise", "promised_on"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    method: Mapped[str] = mapped_column(String(10), nullable=False, default="phone")
    contact_person: Mapped[str | None] = mapped_column(String(100))
    arrears: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    outcome: Mapped[str] = mapped_column(String(500), nullable=False)
    promised_on: Mapped[date | None] = mapped_column(Date)
    promised_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    house = relationship("House")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.outcome[:20]}"


# 公共收益: income from the common parts of a community and what it paid for
PUBLIC_KINDS = {"income": _l("Income"), "expense": _l("Expense")}
PUBLIC_CATEGORIES = {
    "income": {
        "advertising": _l("Advertising space"),
        "venue": _l("Venue rental"),
        "parking": _l("Parking on common land"),
        "facilities": _l("Common facilities (lockers, chargers, vending)"),
        "other_income": _l("Other income"),
    },
    "expense": {
        "common_repair": _l("Repairs of common parts"),
        "committee": _l("Owners' committee expenses"),
        "tax": _l("Taxes and fees"),
        "activities": _l("Community activities"),
        "other_expense": _l("Other expenses"),
    },
}


class PublicEntry(Audited, Model):
    """One entry of a community's 公共收益 ledger: income from its common parts or an expense paid from it.
    Never edited or deleted: a wrong entry is reversed by an entry of the opposite sign that names it."""

    __tablename__ = "billing_public_entry"
    __table_args__ = (Index("ix_billing_public_entry_month", "community_id", "on_date"),
                      UniqueConstraint("reverses_id", name="uq_billing_public_entry_reverses"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    on_date: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)  # a reversal is negative
    counterparty: Mapped[str | None] = mapped_column(String(100))
    voucher_no: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("billing_public_entry.id"))

    community = relationship("Community")
    reverses = relationship("PublicEntry", remote_side=[id], foreign_keys=[reverses_id])

    def __str__(self) -> str:
        return f"{self.on_date:%Y-%m-%d} {self.description}"
# 抄表与公摊 (meters, readings and shared costs): a house meter's reading of a month bills (current − previous)
# × 单价 (阶梯价 where the item has tiers) through a fee item of method "meter"; a common meter's cost of a month
# (usage × 单价, or the amount of the utility's bill) is split over the houses it serves by a "shared" item.
# Both make ordinary bill lines in the ordinary runs; the line keeps its basis text for the notice.

METER_KINDS = {"water": _l("Water meter"), "electricity": _l("Electricity meter"), "gas": _l("Gas meter")}
METER_UNITS = {"water": "m³", "electricity": "kWh", "gas": "m³"}
METER_SCOPES = {"house": _l("House meter"), "common": _l("Common meter")}
SHARE_BASES = {"area": _l("By gross floor area"), "household": _l("Per household")}
READING_STATES = {"ok": _l("Normal usage"), "flagged": _l("To be reviewed"), "confirmed": _l("Confirmed")}


class Meter(Audited, Model):
    """A meter: a house's own (water, electricity, gas), or a common one of a building or the community whose
    cost the houses it serves share (its building's, the community's, or the houses chosen)."""

    __tablename__ = "billing_meter"
    __table_args__ = (
        UniqueConstraint("community_id", "number", name="uq_billing_meter_number"),
        Index("ix_billing_meter_house", "house_id"),
        CheckConstraint("scope <> 'house' OR house_id IS NOT NULL", name="ck_billing_meter_house"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default="water")
    scope: Mapped[str] = mapped_column(String(10), nullable=False, default="house")
    number: Mapped[str] = mapped_column(String(30), nullable=False)  # 表号
    name: Mapped[str | None] = mapped_column(String(60))  # a common meter's use: 电梯用电, 公共照明
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("estate_building.id"))  # a building's common meter
    start_reading: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal("0.00"))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    remark: Mapped[str | None] = mapped_column(String(200))

    community = relationship("Community")
    house = relationship("House")
    building = relationship("Building")
    houses = relationship("House", secondary="billing_meter_house", order_by="House.house_no")

    def __str__(self) -> str:
        return f"{self.number} {self.name or ''}".strip()


class MeterHouse(Model):
    """The houses a common meter serves when they are chosen one by one (none: its building or community)."""

    __tablename__ = "billing_meter_house"

    meter_id: Mapped[int] = mapped_column(ForeignKey("billing_meter.id"), primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), primary_key=True)


class MeterReading(Model):
    """A meter's reading of one month: previous (the reading before, or the meter's start), current, the usage.
    A meter replaced in the month keeps the old meter's final reading and the new one's start. A usage beyond
    the configured multiple of the meter's average is flagged and not billed until confirmed."""

    __tablename__ = "billing_meter_reading"
    __table_args__ = (
        UniqueConstraint("meter_id", "period", name="uq_billing_meter_reading_period"),
        Index("ix_billing_meter_reading_state", "state"),
        CheckConstraint("usage >= 0", name="ck_billing_meter_reading_usage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("billing_meter.id"), nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    previous: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    current: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    replaced: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    old_final: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    new_start: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    usage: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    # a common meter: the amount of the utility's bill for the month (empty: usage × the 公摊 item's 单价)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    average: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # the meter's average usage before it
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="ok")
    read_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    read_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    meter = relationship("Meter")

    def __str__(self) -> str:
        return f"{self.period} {self.current}"

    def state_label(self) -> str:
        return str(READING_STATES.get(self.state, self.state))


# 维修基金 (special maintenance fund): each house's account and its ledger; the use applications with the owners'
# vote, the 项目经理's approval and the payout split over the houses by area. Nothing is edited or deleted: a
# wrong entry is reversed by an entry of the opposite sign that names it.
FUND_ENTRY_KINDS = {
    "deposit": _l("First deposit"),
    "top_up": _l("Top-up"),
    "interest": _l("Interest"),
    "use": _l("Use (payout)"),
    "reversal": _l("Reversal"),
}
FUND_SCOPES = {"community": _l("The whole community"), "building": _l("One building"), "unit": _l("One unit")}
FUND_STATES = {
    "applied": _l("Applied"),
    "voted": _l("Owners voted in favour"),
    "approved": _l("Approved by the project manager"),
    "paid": _l("Paid out"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}


class FundAccount(Model):
    """A house's 维修基金 balance; never negative (a check in the database too). FundEntry explains it."""

    __tablename__ = "billing_fund_account"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_billing_fund_account_balance"),)

    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False, index=True)
    balance: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))

    house = relationship("House")


class FundApplication(Audited, Model):
    """A use of the fund: the project, the amount, the houses that bear it (the community, a building or a unit)
    split by area; the owners' vote, the 项目经理's approval, the payout. States: see FUND_STATES."""

    __tablename__ = "billing_fund_application"
    __table_args__ = (UniqueConstraint("community_id", "number", name="uq_billing_fund_application_number"),
                      CheckConstraint("amount > 0", name="ck_billing_fund_application_amount"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(20), nullable=False)  # WX2026-001
    project: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(String(1000))
    contractor: Mapped[str | None] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    scope: Mapped[str] = mapped_column(String(10), nullable=False, default="building")
    building_id: Mapped[int | None] = mapped_column(ForeignKey("estate_building.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("estate_unit.id"))
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="applied")
    # the owners' vote (民法典 §278: two thirds of the area and of the owners take part, more than half of those
    # taking part agree, by area and by owners)
    area_total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    owners_total: Mapped[int | None] = mapped_column(Integer)
    area_voting: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    owners_voting: Mapped[int | None] = mapped_column(Integer)
    area_for: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    owners_for: Mapped[int | None] = mapped_column(Integer)
    voted_on: Mapped[date | None] = mapped_column(Date)
    applied_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    applied_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_by: Mapped[str | None] = mapped_column(String(100))
    paid_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    community = relationship("Community")
    building = relationship("Building")
    unit = relationship("Unit")
    events = relationship("FundApplicationEvent", order_by="FundApplicationEvent.id")
    papers = relationship("FundPaper", order_by="FundPaper.id")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"{self.number} {self.project}"

    def state_label(self) -> str:
        return str(FUND_STATES.get(self.state, self.state))


class FundApplicationEvent(HistoryMixin, Model):
    """One step of a use application: who, when, from which state to which, the note (append-only)."""

    __tablename__ = "billing_fund_application_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("billing_fund_application.id"), nullable=False,
                                                index=True)


class FundResolution(Model):
    """The owners' vote to raise more money for the fund (续筹, 民法典 §278 第一款第六项: three quarters of the area
    and of the owners taking part agree, two thirds of both taking part), numbered XC2026-001 per community and
    year; the top-up's entries name it."""

    __tablename__ = "billing_fund_resolution"
    __table_args__ = (UniqueConstraint("community_id", "number", name="uq_billing_fund_resolution_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(20), nullable=False)
    scope: Mapped[str] = mapped_column(String(10), nullable=False)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("estate_building.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("estate_unit.id"))
    area_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    owners_total: Mapped[int] = mapped_column(Integer, nullable=False)
    area_voting: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    owners_voting: Mapped[int] = mapped_column(Integer, nullable=False)
    area_for: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    owners_for: Mapped[int] = mapped_column(Integer, nullable=False)
    voted_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)

    community = relationship("Community")
    building = relationship("Building")
    unit = relationship("Unit")

    def __str__(self) -> str:
        return self.number


FUND_PAPER_KINDS = {"voucher": _l("Bank payment voucher"), "invoice": _l("Contractor's invoice")}


class FundPaper(Model):
    """A paper of a payout: the bank's voucher (凭证号) or the contractor's invoice (发票号), its number and the
    scanned file (PDF, JPEG or PNG, checked by its content, stored under the instance folder)."""

    __tablename__ = "billing_fund_paper"
    __table_args__ = (UniqueConstraint("application_id", "kind", name="uq_billing_fund_paper_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("billing_fund_application.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False)
    original_name: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(50), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by: Mapped[str] = mapped_column(String(100), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)

    def kind_label(self) -> str:
        return str(FUND_PAPER_KINDS.get(self.kind, self.kind))


class FundEntry(Model):
    """One movement of a house's 维修基金: a deposit, a top-up, interest, its share of a use, or the reversal of
    one of these; with its basis (89.50㎡ × 50.00), its source (the voucher, the application) and who
    recorded and who approved it. balance_after is the house's balance after it."""

    __tablename__ = "billing_fund_entry"
    __table_args__ = (Index("ix_billing_fund_entry_house", "house_id", "on_date"),
                      Index("ix_billing_fund_entry_month", "community_id", "on_date"),
                      UniqueConstraint("reverses_id", name="uq_billing_fund_entry_reverses"),
                      UniqueConstraint("application_id", "house_id", "kind",
                                       name="uq_billing_fund_entry_application_house"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False)
    on_date: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)  # + in, − out
    balance_after: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    basis: Mapped[str | None] = mapped_column(String(200))
    voucher_no: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(200))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("billing_fund_application.id"))
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("billing_fund_resolution.id"))  # a 续筹's vote
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("billing_fund_entry.id"))
    by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    approved_by: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)

    house = relationship("House")
    application = relationship("FundApplication")
    resolution = relationship("FundResolution")
    reverses = relationship("FundEntry", remote_side=[id], foreign_keys=[reverses_id])

    def __str__(self) -> str:
        return f"{self.on_date:%Y-%m-%d} {FUND_ENTRY_KINDS.get(self.kind, self.kind)} {self.amount}"


# 票据 (receipt books): pre-numbered paper receipt forms, in books issued to a cashier; a sheet is used when a
# receipt is printed on it (the pin printer's form), or voided when spoiled; the book is returned when done.
BOOK_STATES = {"issued": _l("Issued"), "returned": _l("Returned")}
SHEET_STATES = {"used": _l("Used"), "voided": _l("Voided (spoiled)")}


class ReceiptBook(Audited, Model):
    """A book of pre-numbered receipt forms (字轨 + numbers first..last) issued to one cashier."""

    __tablename__ = "billing_receipt_book"
    __table_args__ = (Index("ix_billing_receipt_book_cashier", "cashier_id", "state"),
                      CheckConstraint("last_no >= first_no", name="ck_billing_receipt_book_range"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    series: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # 字轨
    first_no: Mapped[int] = mapped_column(Integer, nullable=False)
    last_no: Mapped[int] = mapped_column(Integer, nullable=False)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    cashier_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="issued")
    returned_on: Mapped[date | None] = mapped_column(Date)
    returned_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(200))

    community = relationship("Community")
    cashier = relationship("User")
    sheets = relationship("ReceiptSheet", order_by="ReceiptSheet.number", back_populates="book")

    def label(self, number: int) -> str:
        """A sheet's number as printed on the paper and shown and typed everywhere: 字轨 + 7 digits, A0120002."""
        return f"{self.series}{number:07d}"

    def __str__(self) -> str:
        return f"{self.label(self.first_no)}–{self.label(self.last_no)}"


class ReceiptSheet(Model):
    """One sheet of a book that has been used (a receipt printed on it) or voided (spoiled, with the reason)."""

    __tablename__ = "billing_receipt_sheet"
    __table_args__ = (UniqueConstraint("book_id", "number", name="uq_billing_receipt_sheet_number"),
                      Index("ix_billing_receipt_sheet_payment", "payment_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("billing_receipt_book.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="used")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("billing_payment.id"))
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    reason: Mapped[str | None] = mapped_column(String(200))

    book = relationship("ReceiptBook", back_populates="sheets")
    payment = relationship("Payment")

    @property
    def label(self) -> str:
        return self.book.label(self.number)

    @property
    def counts_as(self) -> str:
        """"used" or "voided" as the book counts it: the paper of a receipt voided since is 作废, not 已用."""
        if self.state == "used" and self.payment is not None and self.payment.state == "voided":
            return "voided"
        return self.state
