"""The community 维修基金 PDF never ends on a page holding only the office's name and seal: whatever the number of
houses, the last page has the last houses with the total, the note and the seal."""
import io
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace as Row

from pypdf import PdfReader

from app.core.pdf import render_pdf


def _statement(n: int):
    rows = [Row(house=Row(house_no=f"1-1-{i + 1:04d}", building_area=Decimal("89.50")), deposits=Decimal("4475.00"),
                interest=Decimal("12.30"), uses=Decimal("0"), reversals=Decimal("0"), balance=Decimal("4487.30"))
            for i in range(n)]
    total = Row(deposits=Decimal("4475.00") * n, interest=Decimal("12.30") * n, uses=Decimal("0"),
                reversals=Decimal("0"), balance=Decimal("4487.30") * n)
    return Row(community=Row(name="翠湖花园"), building=None, rows=rows, totals=total)


def test_the_seal_never_stands_alone_on_the_last_page(app):
    seen_pages = set()
    with app.test_request_context():
        for n in range(22, 40):  # across the point where the first page is full
            pdf = render_pdf("billing/fund_statement.html", s=_statement(n), printed_by="王会计",
                             printed_at=datetime(2026, 12, 3, 10, 0))
            pages = PdfReader(io.BytesIO(pdf)).pages
            seen_pages.add(len(pages))
            last = pages[-1].extract_text()
            assert "合计" in last and f"1-1-{n:04d}" in last and "盖章" in last, n
    assert seen_pages == {1, 2}  # the range did cross the page end
