"""Printed forms of the estate area: 房屋清册 (house roster), one section per building."""

from flask import Response, flash, redirect, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.pdf import render_pdf
from app.estate.models import Building, House
from app.extensions import db


MAX_BUILDINGS_PER_PRINT = 100


class TooManyBuildings(ValueError):
    pass


def roster_sections(building_ids=(), community_ids=()) -> list[dict]:
    """The roster data: buildings in code order, each with its houses in 房号 order."""
    stmt = select(Building).options(joinedload(Building.community))
    if building_ids and community_ids:
        stmt = stmt.where(Building.id.in_(building_ids) | Building.community_id.in_(community_ids))
    elif building_ids:
        stmt = stmt.where(Building.id.in_(building_ids))
    else:
        stmt = stmt.where(Building.community_id.in_(community_ids))
    buildings = db.session.scalars(stmt).all()
    if len(buildings) > MAX_BUILDINGS_PER_PRINT:
        # one request renders the whole PDF: a whole estate at once would take minutes and gigabytes
        raise TooManyBuildings(gettext(
            "At most %(n)d buildings can be printed at once; %(m)d were chosen. Please print in batches.",
            n=MAX_BUILDINGS_PER_PRINT, m=len(buildings),
        ))
    buildings.sort(key=lambda b: (b.community.name, _natural(b.code)))
    sections = []
    for building in buildings:
        houses = db.session.scalars(
            select(House).options(joinedload(House.unit)).where(House.building_id == building.id)
        ).all()
        houses.sort(key=lambda h: (_natural(h.unit.code), h.floor, _natural(h.room_no)))
        sections.append({"building": building, "community": building.community, "houses": houses})
    return sections


def _natural(code: str):
    return (0, int(code), code) if code.isdigit() else (1, 0, code)


def roster_pdf(building_ids=(), community_ids=()) -> bytes:
    sections = roster_sections(building_ids, community_ids)
    return render_pdf("estate/house_roster.html", sections=sections, printed_on=clock.today())


def roster_response(building_ids=(), community_ids=()) -> Response:
    try:
        pdf = roster_pdf(building_ids, community_ids)
    except TooManyBuildings as exc:
        flash(str(exc), "warning")
        return redirect(url_for("BuildingView.list"))
    return pdf_response(pdf, gettext("House roster"))


def owner_card_pdf(house_ids) -> bytes:
    """业主档案卡: one page per household, personal data masked."""
    from app.core import masking
    from app.core.validators import ID_TYPES
    from app.estate.models import CARD_KINDS, RESIDENT_RELATIONS

    houses = db.session.scalars(select(House).where(House.id.in_(list(house_ids)[:MAX_BUILDINGS_PER_PRINT]))
                                .order_by(House.community_id, House.house_no)).all()
    cards = [{
        "house": h,
        "current": [o for o in h.ownerships if o.ended_on is None],
        "history": [o for o in h.ownerships if o.ended_on is not None],
        "residents": [r for r in h.residents if r.moved_out_on is None],
        # the cards and keys the household holds; those handed back are counted, their rows are on the house page
        "cards": [k for k in h.access_cards if k.returned_on is None],
        "cards_returned": sum(1 for k in h.access_cards if k.returned_on is not None),
    } for h in houses]
    return render_pdf(
        "estate/owner_card.html", cards=cards, printed_on=clock.today(),
        mask_id=masking.mask_id_number, mask_phone=masking.mask_phone, mask_text=masking.mask_text,
        id_types={k: str(v) for k, v in ID_TYPES.items()},
        relations={k: str(v) for k, v in RESIDENT_RELATIONS.items()},
        card_kinds={k: str(v) for k, v in CARD_KINDS.items()},
    )


def pdf_response(pdf: bytes, title: str) -> Response:
    from urllib.parse import quote

    filename = f"{title}-{clock.today():%Y%m%d}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"})
