"""Billing fixtures: the small estate with three fee items (物业服务费 by area, 停车费 per space, a one-off)."""
from datetime import date
from decimal import Decimal

import pytest

from app.core.audit import set_cli_actor
from app.extensions import db

TODAY = date(2026, 11, 20)


@pytest.fixture
def fees(app, estate):
    """estate + 物业服务费 2.35 元/㎡·月 on the gross area, 停车费 150 元/位·月, 装修垃圾清运费 300 元 once;
    the parking space B001 belongs to the first house (1-1-0101)."""
    from app.billing.models import FeeItem
    from app.estate.models import ParkingSpace

    with app.app_context():
        set_cli_actor("test")
        c = estate["community"]
        wyf = FeeItem(community_id=c, code="WYF", name="物业服务费", method="area", area_basis="building_area",
                      unit_price=Decimal("2.3500"), cycle="monthly", due_days=30)
        tcf = FeeItem(community_id=c, code="TCF", name="停车费", method="per_space", unit_price=Decimal("150"),
                      cycle="monthly", due_days=30)
        lj = FeeItem(community_id=c, code="LJ", name="装修垃圾清运费", method="one_off", unit_price=Decimal("300"),
                     cycle="monthly", due_days=15, active=False)
        db.session.add_all([wyf, tcf, lj])
        space = db.session.get(ParkingSpace, estate["parking"])
        space.house_id = estate["houses"][0]
        db.session.commit()
        ids = dict(estate, wyf=wyf.id, tcf=tcf.id, lj=lj.id)
        set_cli_actor(None)
    return ids
