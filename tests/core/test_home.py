"""The home page of every role: each tile and link leads somewhere the role may go; the 收费员's opens on the
counter; lists have their headers."""
import re

import pytest

from app.security import roles

# links that change the session rather than show a page
_NOT_FOLLOWED = ("/logout", "/lang/", "/static/", "/appbuilder/", "/swagger")


def _links(html: str) -> set[str]:
    hrefs = set(re.findall(r'href="(/[^"#]*)"', html))
    return {h.replace("&amp;", "&") for h in hrefs if not h.startswith(_NOT_FOLLOWED) and not h.startswith("//")}


@pytest.mark.parametrize("role", roles.ROLES)
def test_no_home_page_link_leads_a_role_to_a_refusal(app, estate, login_as, role):
    client = login_as(role)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    refused = []
    for link in sorted(_links(home.get_data(as_text=True))):
        resp = client.get(link)
        if resp.status_code == 403 or (resp.status_code == 302 and "/login" in resp.headers.get("Location", "")):
            refused.append(link)
    assert refused == [], role


def test_the_cashiers_home_opens_on_the_counter(app, login_as):
    html = login_as(roles.CASHIER).get("/", follow_redirects=True).get_data(as_text=True)
    form = re.search(r'<form[^>]*id="home-counter"[^>]*>', html)
    assert form and 'action="/counter/"' in form.group(0)
    # the counter's search comes first and takes the cursor
    assert html.index('id="home-counter"') < html.find('id="home-search"') or 'id="home-search"' not in html
    assert len(re.findall(r"\bautofocus\b", html)) == 1
    assert re.search(r'<input[^>]*autofocus[^>]*>', html[html.index('id="home-counter"'):])
    assert 'id="home-counter"' not in login_as(roles.SERVICE).get("/").get_data(as_text=True)


def test_the_overdue_lists_on_the_home_page_have_headers(app, estate, login_as):
    from datetime import timedelta

    from app.extensions import db
    from app.service.models import Complaint, WorkOrder
    from tests.service.test_desk_pages import _intake

    desk = login_as(roles.SERVICE)
    assert _intake(desk, estate).status_code == 302
    assert _intake(desk, estate, kind="complaint", summary="楼道垃圾三天没清", complaint_category="cleaning",
                   severity="major").status_code == 302
    with app.app_context():
        order = db.session.query(WorkOrder).one()
        order.finish_due = order.reported_at - timedelta(hours=1)
        db.session.commit()
        order_no = order.order_no
        complaint_no = db.session.query(Complaint).one().complaint_no
    manager = login_as(roles.MANAGER)
    html = manager.get("/").get_data(as_text=True)
    panel = html[html.index('id="home-overdue-orders"'):]
    panel = panel[:panel.index("</table>")]
    assert order_no in panel and ["工单号", "具体位置", "状态", "维修人员", "应完成时间"] == \
        [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th>(.*?)</th>", panel)]
    panel = html[html.index('id="home-complaints"'):]
    panel = panel[:panel.index("</table>")]
    assert complaint_no in panel and "投诉编号" in panel and "首问责任人" in panel
    refused = [link for link in sorted(_links(html)) if manager.get(link).status_code == 403]
    assert refused == []
