"""欠费 by age: hand-computed buckets on a small data set; the page and its Excel file."""
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.billing import services
from app.billing.models import BillLine
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor

AS_OF = date(2026, 11, 20)


@pytest.fixture
def aged(app, fees):
    """Bills of 2025-10 … 2026-11 for the estate; due dates set by hand: 1-1-0101's bills at given ages."""
    with app.app_context():
        set_cli_actor("test")
        manager = actor(app, roles.MANAGER)
        services.commit_run(fees["community"], "2026-11", manager, today=TODAY)
        db.session.commit()
        h1, h2 = fees["houses"][0], fees["houses"][1]
        ages = {}  # 1-1-0101: 物业服务费 (210.33) 10 days overdue, 停车费 (150.00) 400 days; 1-1-0102: 100 days
        for line in db.session.scalars(select(BillLine).where(BillLine.house_id.in_([h1, h2]))):
            days = 10 if (line.house_id == h1 and line.fee_item_id == fees["wyf"]) else (
                400 if line.house_id == h1 else 100)
            line.due_date = date.fromordinal(AS_OF.toordinal() - days)
            ages[line.id] = days
        db.session.commit()
        set_cli_actor(None)
    return dict(fees, h1=h1, h2=h2)


def test_arrears_by_house_and_building_in_age_buckets(app, aged):
    with app.app_context():
        rows = services.arrears("house", aged["community"], as_of=AS_OF)
        # only overdue bills: the other three houses' bills are due 2026-12-01, after AS_OF
        assert [(r["name"], r["total"]) for r in rows] == [("1-1-0101", Decimal("360.33")),
                                                            ("1-1-0102", Decimal("210.33"))]
        assert rows[0]["buckets"] == [Decimal("210.33"), 0, 0, 0, Decimal("150.00")]
        assert rows[1]["buckets"] == [0, 0, Decimal("210.33"), 0, 0]
        by_building = services.arrears("building", aged["community"], as_of=AS_OF)
        assert [(r["name"], r["bills"], r["total"]) for r in by_building] == [("翠湖花园 1号楼", 3, Decimal("570.66"))]
        # a payment takes the house out of arrears
        services.pay(aged["h2"], [line.id for line in services.unpaid_lines(aged["h2"])], "cash",
                     actor(app, roles.CASHIER))
        db.session.commit()
        assert [r["name"] for r in services.arrears("house", aged["community"], as_of=AS_OF)] == ["1-1-0101"]


def test_arrears_page_and_excel(app, aged, login_as):
    client = login_as(roles.CASHIER)
    html = client.get(f"/arrears/?group=house&community={aged['community']}").get_data(as_text=True)
    assert "1-1-0101" in html and "欠费" in html and "超过365天" in html
    resp = client.get(f"/arrears/export?group=building&community={aged['community']}")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "楼栋" and values[1][0] == "翠湖花园 1号楼"
    assert login_as(roles.ENGINEER).get("/arrears/").status_code in (302, 403)
