"""维修基金: a 续筹 (top-up) records its own owners' vote at three quarters (民法典 §278 第一款第六项), tested at the
boundary; a payout records the bank's voucher and the contractor's invoice with their scans, refused without
them. 1号楼 of the estate: four houses of 89.50㎡ (358.00㎡)."""
import os
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing import fund, fund_papers
from app.billing.models import FundApplication, FundEntry, FundPaper, FundResolution
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from tests.billing.conftest import PAYOUT_PAPERS, SCAN_PDF, payout_form, payout_uploads
from tests.billing.test_fund import VOTE, _application, _deposits
from tests.conftest import actor, flashes

pytestmark = pytest.mark.moment("2026-11-20 10:00")


def _top_up(estate, **vote):
    return {"community": estate["community"], "scope": "building", "building": estate["b1"], "kind": "top_up",
            "method": "rate", "rate": "10", "on_date": "2026-11-18", "voted_on": "2026-11-15", **vote}


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_top_up_without_the_vote_is_refused_and_posts_nothing(app, estate):
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            fund.post_deposits(_top_up(estate, voted_on=""), actor(app, roles.CASHIER))
        said = " ".join(caught.value.errors.values())
        assert "参与表决" in said
        db.session.rollback()
        assert _count(FundEntry) == 0 and _count(FundResolution) == 0


@pytest.mark.parametrize("area_for, owners_for, passes", [
    ("268.50", "3", True),  # exactly three quarters of 358.00㎡ and of 4 owners
    ("268.49", "3", False),  # one hundredth of a ㎡ short
    ("358.00", "2", False),  # half the owners
])
def test_the_top_up_vote_needs_three_quarters_of_those_taking_part(app, estate, area_for, owners_for, passes):
    values = _top_up(estate, area_voting="358.00", owners_voting="4", area_for=area_for, owners_for=owners_for)
    with app.test_request_context():
        if not passes:
            with pytest.raises(RuleViolation) as caught:
                fund.post_deposits(values, actor(app, roles.CASHIER))
            assert "四分之三" in " ".join(caught.value.errors.values())
            db.session.rollback()
            assert _count(FundEntry) == 0
            return
        fund.post_deposits(values, actor(app, roles.CASHIER))
        db.session.commit()
        resolution = db.session.scalars(select(FundResolution)).one()
        assert (resolution.number, resolution.area_total, resolution.owners_total, resolution.area_for,
                resolution.voted_on) == ("XC2026-001", Decimal("358.00"), 4, Decimal(area_for), date(2026, 11, 15))
        entries = db.session.scalars(select(FundEntry).where(FundEntry.kind == "top_up")).all()
        assert len(entries) == 4 and {e.resolution_id for e in entries} == {resolution.id}
        assert {e.amount for e in entries} == {Decimal("895.00")}  # 89.50㎡ × 10


def test_a_use_still_passes_at_more_than_half_which_a_top_up_does_not(app, estate):
    # two thirds take part and more than half agree: enough to use the fund, not to raise it
    half_and_more = {"area_voting": "268.50", "owners_voting": "3", "area_for": "179.00", "owners_for": "2"}
    with app.test_request_context():
        with pytest.raises(RuleViolation):
            fund.post_deposits(_top_up(estate, **half_and_more), actor(app, roles.CASHIER))
        db.session.rollback()
    _deposits(app, estate)
    pk = _application(app, estate)
    with app.test_request_context():
        fund.transition(pk, "vote", actor(app, roles.MANAGER), values=dict(half_and_more, voted_on="2026-11-15"))
        assert db.session.get(FundApplication, pk).state == "voted"


def test_the_vote_comes_before_the_top_up(app, estate):
    values = _top_up(estate, area_voting="358", owners_voting="4", area_for="358", owners_for="4",
                     on_date="2026-11-10", voted_on="2026-11-15")
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            fund.plan_deposits(values)
        assert "表决日期不能晚于续筹日期" in caught.value.errors["voted_on"]


def test_the_posting_page_records_the_top_up_with_its_vote(app, estate, login_as):
    cashier = login_as(roles.CASHIER)
    form = {k: str(v) for k, v in _top_up(estate, area_voting="358", owners_voting="4", area_for="300",
                                          owners_for="4").items()}
    html = cashier.post("/fund-posting/", data=dict(form, preview="1")).get_data(as_text=True)
    assert 'id="posting-vote"' in html and "表决通过" in html and "posting-commit" in html
    assert _count_in(app, FundEntry) == 0
    resp = cashier.post("/fund-posting/", data=dict(form, commit="1"))
    assert resp.status_code == 302, flashes(resp.get_data(as_text=True))
    html = login_as(roles.COMMITTEE).get("/fund-resolutions/list/").get_data(as_text=True)
    assert "XC2026-001" in html  # the owners' committee reads the votes
    html = cashier.post("/fund-posting/", data=dict(form, area_for="200", preview="1")).get_data(as_text=True)
    assert "表决未通过" in html and "四分之三" in html and "posting-commit" not in html


def _count_in(app, model):
    with app.app_context():
        return _count(model)


def _approved(app, estate):
    _deposits(app, estate)
    pk = _application(app, estate)
    with app.test_request_context():
        fund.transition(pk, "vote", actor(app, roles.ARCHIVES), values=VOTE)
        fund.transition(pk, "approve", actor(app, roles.MANAGER))
        db.session.commit()
    return pk


@pytest.mark.parametrize("values, uploads, field, words", [
    ({}, None, "payout_voucher_no", "不能为空"),
    (PAYOUT_PAPERS, {}, "voucher_file", "请选择扫描件"),
    (PAYOUT_PAPERS, {"voucher_file": fund_papers.Upload("凭证.pdf", b"not a pdf"),
                     "invoice_file": fund_papers.Upload("发票.pdf", SCAN_PDF)}, "voucher_file", "不是 PDF"),
    (PAYOUT_PAPERS, {"voucher_file": fund_papers.Upload("凭证.exe", SCAN_PDF),
                     "invoice_file": fund_papers.Upload("发票.pdf", SCAN_PDF)}, "voucher_file", "只能上传"),
])
def test_a_payout_without_its_papers_is_refused_and_nothing_paid(app, estate, values, uploads, field, words):
    pk = _approved(app, estate)
    folder = app.config["FUND_PAPER_FOLDER"]
    files_before = sorted(os.listdir(folder))
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            fund.transition(pk, "pay", actor(app, roles.CASHIER), values=values,
                            uploads=payout_uploads() if uploads is None else uploads)
        assert words in caught.value.errors[field], caught.value.errors
        db.session.rollback()
        assert db.session.get(FundApplication, pk).state == "approved"
        assert _count(FundEntry, FundEntry.kind == "use") == 0 and _count(FundPaper) == 0
    assert sorted(os.listdir(folder)) == files_before  # no file left behind


def test_the_payout_files_its_papers_and_shows_them(app, estate, login_as):
    pk = _approved(app, estate)
    cashier = login_as(roles.CASHIER)
    html = cashier.get(f"/fund-applications/show/{pk}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="voucher_file"' in html and 'name="invoice_no"' in html
    html = cashier.post(f"/fund-applications/act/{pk}/pay", data=dict(payout_form(), invoice_no=""),
                        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "施工单位发票号不能为空" in html
    html = cashier.post(f"/fund-applications/act/{pk}/pay", data=payout_form(), content_type="multipart/form-data",
                        follow_redirects=True).get_data(as_text=True)
    assert "已拨付" in html and 'id="fund-papers"' in html and "ZZ20261120-0007" in html and "44001234" in html
    with app.app_context():
        papers = db.session.scalars(select(FundPaper).order_by(FundPaper.kind)).all()
        assert [(p.kind, p.number, p.uploaded_by) for p in papers] == [
            ("invoice", "44001234", "收费员"), ("voucher", "ZZ20261120-0007", "收费员")]
        ids = [p.id for p in papers]
    resp = login_as(roles.COMMITTEE).get(f"/fund-applications/paper/{ids[1]}")
    assert resp.status_code == 200 and resp.data == SCAN_PDF and resp.mimetype == "application/pdf"
    assert login_as(roles.SERVICE).get(f"/fund-applications/paper/{ids[1]}").status_code in (302, 403)
    assert cashier.get("/fund-applications/paper/999999").status_code == 404
