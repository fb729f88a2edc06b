"""收支公示: a month of one community from a small hand-computed set: fees by item (a voided receipt not counted,
a late payer's arrears counted in the month paid), pre-payments, 公共收益 and 维修基金; the poster's text, Excel,
and who may see it."""
import io
import os
import subprocess
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from app.billing import disclosure, fund, public_income, services
from app.billing.models import BillLine
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from tests.billing.conftest import raise_vote, TODAY
from tests.conftest import actor


def _month(app, fees):
    """November 2026 of 翠湖花园. Bills of 10 and 11 (物业服务费 210.33 a house, 停车费 150.00 for 1-1-0101).
    - 1-1-0101 pays October's two bills on 10-20 (not November) and November's on 11-05 with 100.00 pre-paid:
      November collects 物业服务费 210.33 + 停车费 150.00, pre-payments 100.00.
    - 1-1-0102 pays October's and November's 物业服务费 on 11-10 (420.66): 物业服务费 +420.66.
    - 1-1-0201 pays November's on 11-12 and it is voided the same day: nothing.
    Fees: 物业服务费 630.99, 停车费 150.00, total 780.99; pre-paid 100.00.
    公共收益 in November: venue 800.00 in, repair 120.00 out, from 0: closing 680.00.
    维修基金: deposit 50 元/㎡ for the community on 2026-10-08 (5 × 4,475.00 = 22,375.00 brought forward), a
    top-up of 100.00 for 2号楼 on 11-03: carried forward 22,475.00."""
    h = fees["houses"]
    with app.test_request_context():
        set_cli_actor("test")
        manager, cashier = actor(app, roles.MANAGER), actor(app, roles.CASHIER)
        for period in ("2026-10", "2026-11"):
            services.commit_run(fees["community"], period, manager, today=TODAY, auto_settle=False)
        db.session.flush()

        def lines(house, *periods):
            return [line.id for line in db.session.query(BillLine).filter(BillLine.house_id == house,
                                                                          BillLine.period.in_(periods))]

        services.pay(h[0], lines(h[0], "2026-10"), "cash", cashier, now=datetime(2026, 10, 20, 9, 0))
        services.pay(h[0], lines(h[0], "2026-11"), "wechat", cashier, prepay=Decimal("100"),
                     now=datetime(2026, 11, 5, 9, 0))
        services.pay(h[1], lines(h[1], "2026-10", "2026-11"), "cash", cashier, now=datetime(2026, 11, 10, 9, 0))
        voided = services.pay(h[2], lines(h[2], "2026-11"), "cash", cashier, now=datetime(2026, 11, 12, 9, 0))
        services.void_payment(voided.id, cashier, "收错了", now=datetime(2026, 11, 12, 9, 3))
        c = fees["community"]
        for on, category, amount in ((date(2026, 11, 2), "venue", "800"), (date(2026, 11, 9), "common_repair", "120")):
            public_income.record_entry({"community": c, "on_date": on, "category": category, "amount": amount,
                                        "description": "测试"}, cashier, today=TODAY)
        fund.post_deposits({"community": c, "scope": "community", "kind": "deposit", "method": "rate", "rate": "50",
                            "on_date": "2026-10-08"}, cashier, today=TODAY)
        b2 = fund.houses_in_scope(c, "building", fees["b2"])
        fund.post_deposits({"community": c, "scope": "building", "building": fees["b2"], "kind": "top_up",
                            "method": "amount", "amount": "100", "on_date": "2026-11-03",
                            **raise_vote(sum(h.building_area for h in b2), len(b2), "2026-11-01")},
                           cashier, today=TODAY)
        db.session.commit()
        set_cli_actor(None)


def test_the_month_matches_the_hand_computed_figures(app, fees):
    _month(app, fees)
    with app.app_context():
        d = disclosure.monthly(fees["community"], 2026, 11)
        assert d["fees"] == [("物业服务费", Decimal("630.99")), ("停车费", Decimal("150.00"))]
        assert (d["fees_total"], d["prepaid"]) == (Decimal("780.99"), Decimal("100.00"))
        assert (d["public"]["opening"], d["public"]["closing"]) == (Decimal("0.00"), Decimal("680.00"))
        assert (d["fund"]["opening"], d["fund"]["closing"]) == (Decimal("22375.00"), Decimal("22475.00"))
        assert [(line["kind"], line["amount"]) for line in d["fund"]["lines"]] == [("top_up", Decimal("100.00"))]
        october = disclosure.monthly(fees["community"], 2026, 10)
        assert october["fees"] == [("物业服务费", Decimal("210.33")), ("停车费", Decimal("150.00"))]


def test_the_poster_and_the_excel_file(app, fees, login_as, tmp_path):
    _month(app, fees)
    manager = login_as(roles.MANAGER)
    html = manager.get(f"/disclosure/?month=2026-11&community={fees['community']}").get_data(as_text=True)
    assert "780.99" in html and "22,475.00" in html and "680.00" in html
    resp = manager.get(f"/disclosure/pdf?month=2026-11&community={fees['community']}")
    assert resp.mimetype == "application/pdf"
    pdf = tmp_path / "disclosure.pdf"
    pdf.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for expected in ("收支公示", "翠湖花园", "2026年11月", "物业服务费", "630.99", "780.99", "场地租赁", "680.00",
                     "续筹", "22,475.00", "物业服务中心"):
        assert expected in text, expected
    resp = manager.get(f"/disclosure/export?month=2026-11&community={fees['community']}")
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert ("物业服务费", 630.99) in rows and ("合计", 780.99) in rows
    # the owners' committee reads it; the 工程维修 does not
    assert "780.99" in login_as(roles.COMMITTEE).get(
        f"/disclosure/?month=2026-11&community={fees['community']}").get_data(as_text=True)
    assert login_as(roles.ENGINEER).get("/disclosure/").status_code in (302, 403)


def test_the_poster_fits_one_page_with_a_busy_month(app, fees):
    """The longest realistic month: every fee item of a community, every kind of 公共收益 and expense, and every
    kind of fund movement. The office's name, the date and the seal box stay on the poster's one page."""
    from pypdf import PdfReader

    from app.billing import printing

    _month(app, fees)
    with app.test_request_context():
        d = disclosure.monthly(fees["community"], 2026, 11)
        d["fees"] = [(name, Decimal("12345.67")) for name in (
            "物业服务费", "停车费", "水费", "电梯运行费", "公摊电费", "生活垃圾清运费", "二次供水加压费", "装修垃圾清运费")]
        for kind, names in (("income", ("广告位出租", "场地租赁", "公共区域停车", "公共设施使用（快递柜、充电桩、售货机）",
                                        "基站租赁", "其他收入")),
                            ("expense", ("公共部位维修", "业委会经费", "公共收益审计费", "节日氛围布置"))):
            d["public"][kind]["lines"] = [{"label": n, "amount": Decimal("1234.56")} for n in names]
        d["fund"]["lines"] = [{"kind": k, "label": label, "amount": Decimal("9999.99")} for k, label in (
            ("deposit", "首期缴存"), ("top_up", "续筹"), ("interest", "银行结息"), ("use", "使用支出"))]
        resp = printing.disclosure_response(d)
    reader = PdfReader(io.BytesIO(resp.data))
    if os.environ.get("PM_KEEP_PDF"):
        open(os.environ["PM_KEEP_PDF"], "wb").write(resp.data)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "盖章处" in text.replace(" ", "") and "物业服务中心" in text
