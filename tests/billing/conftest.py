"""Billing test constants and the meter fixtures (the fixture `fees` is in tests/conftest.py: the browser tests
use it too)."""
from datetime import date
from decimal import Decimal as D

import pytest

TODAY = date(2026, 11, 20)


@pytest.fixture
def water(app, fees):
    """fees + a water meter per house of the community (W-<house id>, start 1000) and 水费 at 0–10 3.50,
    10–20 4.20, above 5.60; the other items off."""
    from app.billing.models import FeeItem, Meter
    from app.core.audit import set_cli_actor
    from app.estate.models import House
    from app.extensions import db

    with app.app_context():
        set_cli_actor("test")
        for item in db.session.query(FeeItem):
            item.active = False
        houses = db.session.query(House).filter(House.community_id == fees["community"]).order_by(House.id).all()
        meters = []
        for h in houses:
            m = Meter(community_id=h.community_id, kind="water", scope="house", number=f"W-{h.id}", house_id=h.id,
                      building_id=h.building_id, start_reading=D("1000.00"))
            meters.append(m)
        db.session.add_all(meters)
        item = FeeItem(community_id=fees["community"], code="SF", name="水费", method="meter", meter_kind="water",
                       tiers="10:3.50, 20:4.20, 5.60", unit_price=D("3.50"), cycle="monthly", due_days=20)
        db.session.add(item)
        db.session.commit()
        out = dict(fees, meters=[m.id for m in meters], sf=item.id, house_ids=[h.id for h in houses])
        set_cli_actor(None)
    return out


@pytest.fixture
def lift(app, water):
    """water + a community common meter 电梯用电 (E-LIFT) shared by gross floor area at 0.80 元/kWh."""
    from app.billing.models import FeeItem, Meter
    from app.extensions import db

    with app.app_context():
        m = Meter(community_id=water["community"], kind="electricity", scope="common", number="E-LIFT",
                  name="电梯用电", start_reading=D("0"))
        db.session.add(m)
        db.session.flush()
        item = FeeItem(community_id=water["community"], code="GT", name="公摊电费", method="shared",
                       common_meter_id=m.id, share_basis="area", unit_price=D("0.80"), cycle="monthly", due_days=20)
        db.session.add(item)
        db.session.commit()
        return dict(water, lift=m.id, gt=item.id)


# 维修基金 helpers: the papers a payout needs (their numbers and scanned files) and a 续筹's vote in favour
PAYOUT_PAPERS = {"payout_voucher_no": "ZZ20261120-0007", "invoice_no": "44001234"}
SCAN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def payout_uploads() -> dict:
    from app.billing.fund_papers import Upload

    return {"voucher_file": Upload("银行付款凭证.pdf", SCAN_PDF), "invoice_file": Upload("施工发票.pdf", SCAN_PDF)}


def payout_form() -> dict:
    """The pay-out form as the browser posts it (test client: files as (stream, name))."""
    import io

    return dict(PAYOUT_PAPERS, voucher_file=(io.BytesIO(SCAN_PDF), "银行付款凭证.pdf"),
                invoice_file=(io.BytesIO(SCAN_PDF), "施工发票.pdf"))


def raise_vote(area, owners, voted_on="2026-05-20") -> dict:
    """A 续筹 vote where every owner of the houses (their area, their number) took part and agreed."""
    return {"area_voting": str(area), "owners_voting": str(owners), "area_for": str(area), "owners_for": str(owners),
            "voted_on": voted_on}
