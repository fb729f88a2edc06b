"""The 维修基金 owners' vote in Chromium, as 民法典 §278 has it: the page quotes the rule, exactly half agreeing is
refused with the reason and records nothing, more than half (with two thirds taking part) passes; a 续筹 takes
its own vote at three quarters, and a payout its voucher and invoice with their scans."""
import pytest
from sqlalchemy import select

from app.billing.models import FundApplication
from app.extensions import db
from app.security import roles
from tests.billing.test_fund import _application, _deposits
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, role_user


def _vote(page, area_voting, owners_voting, area_for, owners_for):
    form = page.locator("#fund-vote")
    form.locator("input[name=area_voting]").fill(area_voting)
    form.locator("input[name=owners_voting]").fill(owners_voting)
    form.locator("input[name=area_for]").fill(area_for)
    form.locator("input[name=owners_for]").fill(owners_for)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_the_manager_records_the_owners_vote(app, page, estate):
    _deposits(app, estate)
    pk = _application(app, estate)
    browser_login(page, role_user(roles.MANAGER), PASSWORD)
    page.goto(f"/fund-applications/show/{pk}")
    rule = page.locator("#fund-vote").inner_text()
    assert "三分之二以上" in rule and "过半数" in rule and "第二百七十八条第一款第五项" in rule, rule
    # everyone takes part (358 m², 4 owners) and exactly half agrees: not more than half, refused
    _vote(page, "358", "4", "179", "2")
    assert "未超过参与表决者的半数" in page.locator("body").inner_text()
    with app.app_context():
        assert db.session.get(FundApplication, pk).state == "applied"
    # exactly two thirds of the owners take part (3 of 4 ≥ ⅔ of the area too), more than half of them agree
    page.goto(f"/fund-applications/show/{pk}")
    _vote(page, "268.50", "3", "179", "2")
    page.screenshot(path="/tmp/browser-fund-vote.png", full_page=True)
    assert page.js_errors == []
    with app.app_context():
        assert db.session.get(FundApplication, pk).state != "applied"
        assert db.session.scalars(select(FundApplication.owners_for)).one() == 2


@pytest.mark.moment("2026-11-20 10:00")
def test_the_cashier_raises_with_a_vote_and_pays_out_with_the_papers(app, page, estate, tmp_path):
    from app.billing import fund
    from app.billing.models import FundPaper, FundResolution
    from tests.billing.conftest import SCAN_PDF
    from tests.billing.test_fund import VOTE
    from tests.conftest import actor

    _deposits(app, estate)
    pk = _application(app, estate)
    with app.test_request_context():  # the clerk recorded the meeting, the manager approved
        fund.transition(pk, "vote", actor(app, roles.ARCHIVES), values=VOTE)
        fund.transition(pk, "approve", actor(app, roles.MANAGER))
        db.session.commit()
    browser_login(page, role_user(roles.CASHIER), PASSWORD)

    # 续筹 for 1号楼: the vote's fields show for a top-up only; three quarters agree, the preview says so
    page.goto("/fund-posting/")
    assert not page.locator("#raise-vote").is_visible()
    page.select_option("#kind", "top_up")
    assert "第二百七十八条第一款第六项" in page.locator("#raise-vote").inner_text()
    page.select_option("#scope", "building")
    page.select_option("#building", str(estate["b1"]))
    page.fill("#rate", "10")
    page.fill("#on_date", "2026-11-18")
    for name, value in (("area_voting", "358"), ("owners_voting", "4"), ("area_for", "268.50"), ("owners_for", "3"),
                        ("voted_on", "2026-11-15")):
        page.fill(f"#{name}", value)
    with page.expect_navigation():
        page.locator("#posting-preview").click()
    assert "表决通过" in page.locator("#posting-vote").inner_text()
    with page.expect_navigation():
        page.locator("#posting-commit").click()
    assert "续筹" in page.locator(".alert-success").first.inner_text()
    with app.app_context():
        latest = db.session.scalars(select(FundResolution).order_by(FundResolution.id.desc())).first()
        assert (latest.number, latest.building_id, latest.owners_for) == ("XC2026-002", estate["b1"], 3)

    # the payout: the voucher's and the invoice's numbers and scans
    voucher, invoice = tmp_path / "银行付款凭证.pdf", tmp_path / "发票.pdf"
    voucher.write_bytes(SCAN_PDF)
    invoice.write_bytes(SCAN_PDF)
    page.goto(f"/fund-applications/show/{pk}")
    form = page.locator("#fund-pay")
    form.locator("#payout_voucher_no").fill("ZZ20261120-0007")
    form.locator("#invoice_no").fill("44001234")
    form.locator("#voucher_file").set_input_files(str(voucher))
    form.locator("#invoice_file").set_input_files(str(invoice))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("#fund-state").inner_text() == "已拨付"
    papers = page.locator("#fund-papers").inner_text()
    assert "银行付款凭证" in papers and "ZZ20261120-0007" in papers and "44001234" in papers
    page.screenshot(path="/tmp/browser-fund-payout.png", full_page=True)
    href = page.locator("#fund-papers a").first.get_attribute("href")
    assert page.request.get(href).body() == SCAN_PDF
    with app.app_context():
        assert sorted(db.session.scalars(select(FundPaper.kind))) == ["invoice", "voucher"]
    assert page.js_errors == []
