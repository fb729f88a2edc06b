"""The layout of 缴费通知单 / 催缴通知单: one A4 page per household, as the page promises, even for the demo's
longest household (three months unpaid of every fee item, 水费 at tiered prices and 公摊电费 with their long
bases, late fees on a reminder); a household with more lines than a page holds runs on to a second page that
repeats its 房号 and says 第 2 页."""
import io
import os
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from app.billing import notices, printing
from app.billing.demo import load_billing_demo
from app.billing.models import BillLine, FeeItem
from app.core.audit import set_cli_actor
from app.estate.demo import load_demo
from app.estate.models import Community, House, ParkingSpace
from app.extensions import db

pytestmark = pytest.mark.moment("2026-11-20 10:00")
TODAY = date(2026, 11, 20)
WORST = 6  # households of the demo with the most unpaid lines, printed together


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _render(request, ids, name) -> bytes:
    out = io.BytesIO()
    printing.notices_pdf(request, ids, out)
    if os.environ.get("PM_KEEP_PDF"):  # to look at: PM_KEEP_PDF=/tmp/n pytest …; pdftoppm -png -r 60
        with open(f"{os.environ['PM_KEEP_PDF']}-{name}.pdf", "wb") as fh:
            fh.write(out.getvalue())
    return out.getvalue()


@pytest.fixture
def demo(app):
    """A small demo estate with the billing demo of 2026-09 to 2026-11. Its parking spaces belong to no house;
    here every space in use is given to a house first (every second one), so that 车位管理费 is billed too.
    Every fee item charges 滞纳金 (万分之五 a day), so that a reminder carries its late fee column."""
    with app.test_request_context():
        set_cli_actor("test")
        load_demo(40, seed=7)
        houses = db.session.scalars(select(House.id).where(House.status != "undelivered").order_by(House.id)).all()
        spaces = db.session.scalars(select(ParkingSpace).where(ParkingSpace.status != "free")
                                    .order_by(ParkingSpace.id)).all()
        for space, house_id in zip(spaces, houses[::2]):
            space.house_id = house_id
        db.session.commit()
        load_billing_demo(seed=2026, today=TODAY)
        db.session.execute(update(FeeItem).values(late_fee_rate=Decimal("0.0005")))
        db.session.commit()
        yield db.session.scalars(select(Community.id)).first()
        db.session.rollback()
        set_cli_actor(None)


def _copy(line: BillLine, house_id: int, tag: str) -> BillLine:
    """An unpaid copy of `line` billed to another house (payer_key made unique)."""
    skip = {"id", "house_id", "payer_key", "state", "paid_at", "payment_id", "version", "source_id"}
    return BillLine(**{c.key: getattr(line, c.key) for c in BillLine.__table__.columns if c.key not in skip},
                    house_id=house_id, payer_key=f"{tag}-{line.id}"[:20], state="unpaid")


def _longest(request, count: int) -> list[int]:
    """The households of the request with the most lines on their notice, the longest bases first among
    equals, in 房号 order as the batch prints them."""
    ids = notices.house_ids(request)
    length = dict(db.session.execute(
        select(BillLine.house_id, func.count() * 1000 + func.sum(func.length(func.coalesce(BillLine.basis, ""))))
        .where(BillLine.house_id.in_(ids), notices._lines_clause(request)).group_by(BillLine.house_id)).all())
    chosen = set(sorted(ids, key=lambda i: -length[i])[:count])
    return [i for i in ids if i in chosen]


def _worst(community_id: int) -> list[int]:
    """The demo's worst case: the WORST households with the longest bill notice (all six fee items unpaid for
    three months, the meter items read since 2026-10), in 房号 order."""
    return _longest(notices.check_request({"community": community_id, "kind": "bill", "period": "2026-11"},
                                          today=TODAY), WORST)


@pytest.mark.parametrize("kind", ["bill", "reminder"])
def test_the_demos_longest_households_get_one_page_each(app, demo, kind):
    request = notices.check_request({"community": demo, "kind": kind, "period": "2026-11"}, today=TODAY)
    ids = _worst(demo)
    found = notices.notices(request, ids)
    lines = max(len(n["rows"]) for n in found)
    # three months of six fee items (two of the meter items), 阶梯价 水费 and 公摊电费 among them; a reminder
    # lists those overdue on 2026-11-20 (all of 2026-09 and 2026-10), with late fees
    assert lines == (16 if kind == "bill" else 10)
    bases = [r["basis"] for n in found for r in n["rows"]]
    assert any(b.startswith("公摊") for b in bases) and any("m³" in b and " + " in b for b in bases)
    if kind == "reminder":
        assert all(n["late_fees"] > 0 for n in found)
    pages = _pages(_render(request, ids, kind))
    assert len(pages) == len(ids)
    for page, notice in zip(pages, found):
        assert notice["house_no"] in page and "盖章处" in page and notice["total_upper"] in page
        assert "第2页" not in page


def test_a_household_with_more_lines_than_a_page_runs_on_to_a_second_page_with_its_house_number(app, demo):
    request = notices.check_request({"community": demo, "kind": "bill", "period": "2026-11"}, today=TODAY)
    first, second = _longest(request, 2)
    # the first household owes the lines of the next too, twice over (copied onto it for the test)
    others = db.session.scalars(select(BillLine).where(BillLine.house_id == second,
                                                       notices._lines_clause(request))).all()
    for copy in range(2):
        for line in others:
            db.session.add(_copy(line, first, f"t{copy}"))
    db.session.flush()
    notice = notices.notices(request, [first])[0]
    assert len(notice["rows"]) == 3 * len(others)
    pages = _pages(_render(request, [first, second], "long"))
    assert len(pages) == 3
    house_no = notice["house_no"]
    assert house_no in pages[0] and "第2页" not in pages[0]
    assert house_no in pages[1] and "第2页共2页" in pages[1] and "缴费通知单（续）" in pages[1]
    assert notice["total_upper"] in pages[1] and "盖章处" in pages[1] and "盖章处" not in pages[0]
    assert "第2页" not in pages[2]
