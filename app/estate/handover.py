"""过户 settles the house: what it owes and holds on the day, and the old owner's household leaving it.

Other areas say what a house owes or holds (billing: unpaid bills with their 滞纳金, 预存, 维修基金) by registering
a source here; the estate area does not know their tables. The transfer page shows the figures; a house that
owes is transferred only once the bills are settled at the counter, or with a note saying how they are carried.
In the same step the old owner's residents move out, cards and keys come back, vehicles' registration ends and
rented parking spaces are given back; the new owner's card and 对账单 then show none of it.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable

from flask_babel import gettext
from sqlalchemy import select

from app.core.money import to_money
from app.estate.models import (CARD_KINDS, RESIDENT_RELATIONS, AccessCard, House, MoveRecord, ParkingSpace,
                               Resident, Vehicle)
from app.extensions import db


@dataclass
class Standing:
    """One figure of a house on the day: an amount owed, or a balance that stays with the house."""

    label: str
    amount: Decimal
    owed: bool  # must be settled or carried with a note
    note: str = ""
    link: str | None = None  # where it is settled (the counter for the house)


_SOURCES: list[Callable[[int, date], list[Standing]]] = []


def register_source(source: Callable[[int, date], list[Standing]]) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def standing(house_id: int, as_of: date) -> list[Standing]:
    return [row for source in _SOURCES for row in source(house_id, as_of)]


def owed(rows: list[Standing]) -> Decimal:
    return to_money(sum((r.amount for r in rows if r.owed), Decimal("0")))


def leaving(house: House) -> dict:
    """What the old owner's household holds in the house: offered to end at the transfer."""
    return {
        "residents": list(db.session.scalars(select(Resident).where(
            Resident.house_id == house.id, Resident.moved_out_on.is_(None)).order_by(Resident.id))),
        "cards": list(db.session.scalars(select(AccessCard).where(
            AccessCard.house_id == house.id, AccessCard.returned_on.is_(None)).order_by(AccessCard.id))),
        "vehicles": list(db.session.scalars(select(Vehicle).where(
            Vehicle.house_id == house.id, Vehicle.ended_on.is_(None)).order_by(Vehicle.id))),
        "spaces": list(db.session.scalars(select(ParkingSpace).where(
            ParkingSpace.house_id == house.id).order_by(ParkingSpace.code))),
    }


def offers(held: dict) -> list[tuple[str, str, list[tuple[int, str, bool]]]]:
    """The transfer form's check boxes: (form key, title, [(id, label, checked at first)]) for what is held."""
    relation, kind = RESIDENT_RELATIONS, CARD_KINDS
    groups = [
        ("resident_ids", gettext("Residents who move out (a move-out record is made)"),
         # the previous owner's family goes; a tenant may stay on with the new owner: the clerk asks
         [(r.id, f"{r.name}（{relation.get(r.relation, '')}）", r.relation != "tenant") for r in held["residents"]]),
        ("card_ids", gettext("Cards and keys handed back"),
         [(c.id, f"{kind.get(c.kind, '')} {c.number} · {c.holder}", True) for c in held["cards"]]),
        ("vehicle_ids", gettext("Vehicles whose registration ends"),
         [(v.id, v.plate + (f" · {v.owner.name}" if v.owner else ""), True) for v in held["vehicles"]]),
        # a rented space goes back; a space the previous owner bought is his to sell on or keep
        ("space_ids", gettext("Parking spaces given back"),
         [(p.id, f"{p.code}（{p.status_label()}）", p.status == "rented") for p in held["spaces"]]),
    ]
    return [group for group in groups if group[2]]


def settle_problems(rows: list[Standing], carry_note: str | None) -> dict:
    """A house that owes is transferred once it is settled, or with a note on how the debt is carried."""
    total = owed(rows)
    if total > 0 and not (carry_note or "").strip():
        return {"carry_note": gettext(
            "The house still owes ¥%(amount)s (with late fees): settle it at the counter first, or say how it is "
            "carried (e.g. the previous owner pays by a date).", amount=f"{total:,.2f}")}
    if len((carry_note or "").strip()) > 300:
        return {"carry_note": gettext("%(label)s may have at most %(n)d characters.",
                                      label=gettext("How the debt is carried"), n=300)}
    return {}


def note_of(rows: list[Standing], carry_note: str | None) -> str:
    """The handover note kept on the new owner's row: the figures of the day and how the debt is carried."""
    parts = [f"{r.label} ¥{r.amount:,.2f}" for r in rows if r.amount]
    if (carry_note or "").strip():
        parts.append(gettext("Debt carried: %(note)s", note=carry_note.strip()))
    return "；".join(parts)[:500] or gettext("Nothing owed or held on the day of the transfer")


def _chosen(rows, ids) -> list:
    wanted = {int(i) for i in ids or ()}
    return [row for row in rows if row.id in wanted]


def hand_over(house: House, on_date: date, handled_by: str, *, resident_ids=(), card_ids=(), vehicle_ids=(),
              space_ids=()) -> dict:
    """The old owner's household leaves on the transfer's date: the chosen residents move out (with a 迁出
    record), the chosen cards come back, the chosen vehicles' registration ends, the chosen parking spaces are
    given back. Returns how many of each."""
    held = leaving(house)
    remark = gettext("At the transfer of ownership")
    residents = _chosen(held["residents"], resident_ids)
    for resident in residents:
        resident.moved_out_on = on_date
        db.session.add(MoveRecord(house_id=house.id, kind="out", person=resident.name, moved_on=on_date,
                                  handled_by=handled_by, remark=remark))
    cards = _chosen(held["cards"], card_ids)
    for card in cards:
        card.returned_on = on_date
        card.handled_by = card.handled_by or handled_by
    vehicles = _chosen(held["vehicles"], vehicle_ids)
    for vehicle in vehicles:
        vehicle.ended_on = on_date
        vehicle.parking_space = None
    spaces = _chosen(held["spaces"], space_ids)
    for space in spaces:
        space.house_id = None
        if space.status == "rented":
            space.status = "free"
    return {"residents": len(residents), "cards": len(cards), "vehicles": len(vehicles), "spaces": len(spaces)}
