"""An order flagged 已超时 says which deadline it missed, in the lists and on its page: an order past the time
to arrive but not yet past the time to finish shows 应到场 and that time, not only a 完工时限 still ahead."""
from datetime import datetime, timedelta

import pytest

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import services
from tests.conftest import actor

T0 = datetime(2026, 11, 20, 9, 0)


@pytest.fixture
def urgent(app, estate):
    """An urgent repair reported at 09:00 and dispatched: to arrive by 09:30, to finish by 13:00."""
    with app.test_request_context():
        set_cli_actor("test")
        desk, engineer = actor(app, roles.SERVICE), actor(app, roles.ENGINEER)
        order = services.create_order({"house": estate["houses"][0], "scope": "private", "category": "water_power",
                                       "source": "phone", "urgency": "urgent", "description": "入户主水管漏水"},
                                      desk, now=T0)
        services.transition(order.id, "dispatch", desk, assignee_id=engineer.id, now=T0 + timedelta(minutes=5))
        db.session.commit()
        yield order.id, order.order_no
        set_cli_actor(None)


@pytest.mark.moment("2026-11-20 10:00")
def test_an_order_late_to_arrive_says_so_in_the_list_and_on_its_page(urgent, login_as):
    order_id, order_no = urgent
    desk = login_as(roles.SERVICE)
    listing = desk.get("/work-orders/list/").get_data(True)
    row = listing.split(order_no, 1)[1].split("</tr>", 1)[0]
    assert "已超时" in row and "应到场 2026年11月20日 09:30" in row
    page = desk.get(f"/work-orders/show/{order_id}").get_data(True)
    assert "已超时：应到场 2026年11月20日 09:30" in page


@pytest.mark.moment("2026-11-20 14:00")
def test_an_order_past_its_time_to_finish_says_that(urgent, login_as):
    order_id, _no = urgent
    page = login_as(roles.SERVICE).get(f"/work-orders/show/{order_id}").get_data(True)
    assert "已超时：应完工 2026年11月20日 13:00" in page


@pytest.mark.moment("2026-11-20 09:10")
def test_an_order_within_its_deadlines_is_not_flagged(urgent, login_as):
    order_id, _no = urgent
    page = login_as(roles.SERVICE).get(f"/work-orders/show/{order_id}").get_data(True)
    assert "已超时" not in page
