"""The plan of a 账期 run: the new lines it would create (as rows) and their figures per building and per item.

A record of its own so that the run (app.billing.runs) and the meter items (app.billing.meters) both add rows to
it without importing each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.billing.models import FeeItem


@dataclass
class RunPlan:
    """What a run would create: the new lines (as rows) and their figures."""

    community_id: int
    period: str
    rows: list = field(default_factory=list)
    by_building: dict = field(default_factory=dict)  # building name → [count, total]
    by_item: dict = field(default_factory=dict)  # item name → [count, total]
    already: int = 0  # lines the period already has (a repeated run skips them)
    skipped: list = field(default_factory=list)  # (house or space, reason)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> Decimal:
        return sum((r["amount"] for r in self.rows), Decimal("0.00"))


def add_plan_row(plan: RunPlan, item: FeeItem, context: dict, *, house_id, space_id, payer_key, building_id,
                 description, quantity, unit_price, amount: Decimal, basis: str | None = None) -> None:
    """One new line in a run's plan, counted in its figures per building and per item."""
    plan.rows.append({
        "community_id": context["community_id"], "house_id": house_id, "parking_space_id": space_id,
        "fee_item_id": item.id, "run_id": None, "source": "run", "source_id": None, "payer_key": payer_key,
        "period": context["period"], "period_key": context["period_key"], "description": description,
        "quantity": quantity, "unit_price": unit_price, "months": context["months"], "amount": amount,
        "due_date": context["due"], "basis": basis, "state": "unpaid", "paid_at": None, "payment_id": None,
        "created_at": context["now"], "version": 1,
    })
    for figures in (plan.by_building.setdefault(context["building_names"].get(building_id, ""), [0, Decimal("0.00")]),
                    plan.by_item.setdefault(item.name, [0, Decimal("0.00")])):
        figures[0] += 1
        figures[1] += amount
