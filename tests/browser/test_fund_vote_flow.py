"""The 维修基金 owners' vote in Chromium, as 民法典 §278 has it: the page quotes the rule, exactly half agreeing is
refused with the reason and records nothing, more than half (with two thirds taking part) passes."""
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
