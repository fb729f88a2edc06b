"""The work order and complaint state machines: every allowed transition, every forbidden one, and roles."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete

from app.billing.models import BillLine
from app.core.audit import set_cli_actor
from app.core.rules import RuleViolation
from app.extensions import db
from app.security import roles
from app.service import services
from app.service.models import (COMPLAINT_STATES, ORDER_STATES, Complaint, Material, ServiceCharge, WorkOrder,
                                WorkOrderEvent)
from tests.conftest import actor

ALL_ACTIONS = sorted({a for _s, a, _t, _r in services.ORDER_TRANSITIONS})
ALL_COMPLAINT_ACTIONS = sorted({a for _s, a, _t, _r in services.COMPLAINT_TRANSITIONS})
T0 = datetime(2026, 11, 20, 9, 0, 0)


@pytest.fixture
def ctx(app, estate):
    with app.app_context():
        set_cli_actor("test")
        yield {
            "house": estate["houses"][0],
            "desk": actor(app, roles.SERVICE),
            "manager": actor(app, roles.MANAGER),
            "engineer": actor(app, roles.ENGINEER),
            "cashier": actor(app, roles.CASHIER),
            "committee": actor(app, roles.COMMITTEE),
        }
        set_cli_actor(None)


def _order(ctx, **values):
    base = {"house": ctx["house"], "scope": "private", "category": "water_power", "source": "phone",
            "urgency": "normal", "description": "厨房水管漏水", "reporter_name": "张先生",
            "reporter_phone": "13800001234"}
    base.update(values)
    order = services.create_order(base, ctx["desk"], now=T0)
    db.session.commit()
    return order


# a path through the machine that reaches each state, with the data each action needs
def _data(ctx, action):
    return {
        "dispatch": {"assignee_id": ctx["engineer"].id},
        "transfer": {"assignee_id": ctx["engineer"].id, "note": "换人"},
        "return": {"note": "不是我的专业"},
        "arrive": {},
        "suspend": {"note": "等配件"},
        "resume": {},
        "complete": {"result": "更换阀门", "labour_fee": "30.00"},
        "callback": {"satisfaction": "satisfied"},
        "reopen": {"satisfaction": "unsatisfied", "remark": "还在漏"},
        "cancel": {"note": "业主自行修好"},
    }[action]


PATH_TO = {
    "pending": [],
    "dispatched": ["dispatch"],
    "in_progress": ["dispatch", "arrive"],
    "suspended": ["dispatch", "arrive", "suspend"],
    "completed": ["dispatch", "arrive", "complete"],
    "closed": ["dispatch", "arrive", "complete", "callback"],
    "cancelled": ["cancel"],
}


def _order_in(ctx, state):
    order = _order(ctx)
    for step, action in enumerate(PATH_TO[state], start=1):
        services.transition(order.id, action, ctx["manager"], now=T0 + timedelta(hours=step), **_data(ctx, action))
        db.session.commit()
    assert order.state == state
    return order


def test_the_table_covers_every_state():
    states = {s for s, *_ in services.ORDER_TRANSITIONS} | {t for _s, _a, t, _r in services.ORDER_TRANSITIONS}
    assert states == set(ORDER_STATES)
    assert set(PATH_TO) == set(ORDER_STATES)


@pytest.mark.parametrize("state", list(ORDER_STATES))
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_transition_allowed_or_refused_as_declared(ctx, state, action):
    order = _order_in(ctx, state)
    events_before = len(order.events)
    rule = services.order_rule(state, action)
    data = _data(ctx, action)
    if rule is None:
        with pytest.raises(RuleViolation) as exc:
            services.transition(order.id, action, ctx["manager"], now=T0 + timedelta(hours=9), **data)
        assert str(ORDER_STATES[state]) in str(exc.value)
        db.session.rollback()
        fresh = db.session.get(WorkOrder, order.id)
        assert fresh.state == state and len(fresh.events) == events_before
        return
    if action == "transfer":
        pytest.skip("transfer needs a second engineer: tested in test_transfer_to_another_engineer")
    services.transition(order.id, action, ctx["manager"], now=T0 + timedelta(hours=9), **data)
    db.session.commit()
    fresh = db.session.get(WorkOrder, order.id)
    assert fresh.state == rule[2]
    last = fresh.events[-1]
    assert (last.action, last.from_state, last.to_state) == (action, state, rule[2])
    assert last.user_name == ctx["manager"].name


def test_roles_may_only_do_their_actions(ctx):
    order = _order(ctx)
    for who in ("cashier", "committee", "engineer"):
        with pytest.raises(RuleViolation):
            services.transition(order.id, "dispatch", ctx[who], assignee_id=ctx["engineer"].id)
        db.session.rollback()
    services.transition(order.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id, now=T0)
    db.session.commit()
    # the desk does not record arrival or completion; the engineer does, on his own order
    with pytest.raises(RuleViolation):
        services.transition(order.id, "arrive", ctx["desk"], now=T0 + timedelta(minutes=5))
    db.session.rollback()
    services.transition(order.id, "arrive", ctx["engineer"], now=T0 + timedelta(minutes=10))
    db.session.commit()
    assert db.session.get(WorkOrder, order.id).state == "in_progress"


def test_an_engineer_acts_only_on_his_own_orders(app, ctx):
    from app.security.services import create_user
    from tests.conftest import PASSWORD

    create_user(app.appbuilder, "eng2", PASSWORD, [roles.ENGINEER], first_name="李师傅")
    try:
        other = services.Actor.of(app.appbuilder.sm.find_user(username="eng2"))
        order = _order(ctx)
        services.transition(order.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id, now=T0)
        db.session.commit()
        with pytest.raises(RuleViolation) as exc:
            services.transition(order.id, "arrive", other, now=T0 + timedelta(minutes=5))
        db.session.rollback()
        assert "无权" in str(exc.value)
        assert services.order_actions(db.session.get(WorkOrder, order.id), other) == []
        assert "arrive" in services.order_actions(db.session.get(WorkOrder, order.id), ctx["engineer"])
        # 转单: the desk reassigns to the other engineer; the history keeps both
        services.transition(order.id, "transfer", ctx["desk"], assignee_id=other.id, note="原师傅请假",
                            now=T0 + timedelta(minutes=6))
        db.session.commit()
        fresh = db.session.get(WorkOrder, order.id)
        assert fresh.assignee_id == other.id and fresh.state == "dispatched"
        assert [e.action for e in fresh.events] == ["create", "dispatch", "transfer"]
    finally:
        db.session.rollback()
        for model in (WorkOrderEvent, WorkOrder):  # they point at eng2; PostgreSQL enforces the foreign keys
            db.session.execute(delete(model))
        user = app.appbuilder.sm.find_user(username="eng2")
        db.session.delete(user)
        db.session.commit()


def test_dispatch_needs_an_engineer(ctx):
    order = _order(ctx)
    for bad in (None, "", ctx["cashier"].id, 999999, "abc"):
        with pytest.raises(RuleViolation) as exc:
            services.transition(order.id, "dispatch", ctx["desk"], assignee_id=bad)
        db.session.rollback()
        assert "assignee" in exc.value.errors
    assert db.session.get(WorkOrder, order.id).state == "pending"


def test_completion_time_before_dispatch_is_refused(ctx):
    order = _order(ctx)
    services.transition(order.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id, now=T0)
    services.transition(order.id, "arrive", ctx["engineer"], at=T0 + timedelta(minutes=30),
                        now=T0 + timedelta(hours=1))
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        services.transition(order.id, "complete", ctx["engineer"], at=T0 - timedelta(hours=1), result="修好",
                            now=T0 + timedelta(hours=2))
    db.session.rollback()
    assert "finished_at" in exc.value.errors
    with pytest.raises(RuleViolation) as exc:
        services.transition(order.id, "complete", ctx["engineer"], at=datetime.now() + timedelta(days=2),
                            result="修好")
    db.session.rollback()
    assert "finished_at" in exc.value.errors
    fresh = db.session.get(WorkOrder, order.id)
    assert fresh.state == "in_progress" and fresh.finished_at is None


def test_private_repair_leaves_a_charge_for_billing_common_repair_none(ctx):
    pipe = Material(name="PPR水管", spec="DN20", unit="米", unit_price=Decimal("12.3456"))
    db.session.add(pipe)
    db.session.commit()
    order = _order(ctx)
    services.transition(order.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id, now=T0)
    services.transition(order.id, "arrive", ctx["engineer"], now=T0 + timedelta(minutes=20))
    services.transition(order.id, "complete", ctx["engineer"], now=T0 + timedelta(hours=1), result="换水管2.5米",
                        labour_fee="40", labour_hours="1.5", materials=[(pipe.id, "2.5")])
    db.session.commit()
    fresh = db.session.get(WorkOrder, order.id)
    # 12.3456 × 2.5 = 30.864 → 30.86 (half-up to 分); + 40.00 labour
    assert fresh.material_fee == Decimal("30.86") and fresh.total_fee == Decimal("70.86")
    charge = db.session.query(ServiceCharge).filter_by(source="repair", source_id=order.id).one()
    # billed at once: an unpaid bill of the house at the counter (tests/billing/test_repair_charges.py)
    assert charge.amount == Decimal("70.86") and charge.house_id == ctx["house"] and charge.state == "billed"
    line = db.session.query(BillLine).filter_by(source="repair", source_id=order.id).one()
    assert (line.amount, line.house_id, line.state) == (Decimal("70.86"), ctx["house"], "unpaid")

    common = _order(ctx, scope="common", place="1号楼大堂")
    services.transition(common.id, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id, now=T0)
    services.transition(common.id, "arrive", ctx["engineer"], now=T0 + timedelta(minutes=20))
    services.transition(common.id, "complete", ctx["engineer"], now=T0 + timedelta(hours=1), result="换灯",
                        labour_fee="40")
    db.session.commit()
    assert db.session.query(ServiceCharge).filter_by(source="repair", source_id=common.id).count() == 0


def test_callback_scale_and_unsatisfied_reopens(ctx):
    order = _order_in(ctx, "completed")
    with pytest.raises(RuleViolation) as exc:
        services.callback(order.id, ctx["desk"], "excellent")
    db.session.rollback()
    assert "satisfaction" in exc.value.errors
    services.callback(order.id, ctx["desk"], "unsatisfied", remark="还在漏水")
    db.session.commit()
    fresh = db.session.get(WorkOrder, order.id)
    assert fresh.state == "dispatched" and fresh.assignee_id == ctx["engineer"].id
    assert fresh.satisfaction == "unsatisfied" and fresh.events[-1].action == "reopen"


def test_closed_order_cannot_change(ctx):
    order = _order_in(ctx, "closed")
    for action in ALL_ACTIONS:
        with pytest.raises(RuleViolation):
            services.transition(order.id, action, ctx["manager"], **_data(ctx, action))
        db.session.rollback()
    assert db.session.get(WorkOrder, order.id).state == "closed"


def test_unknown_order_and_house(ctx):
    with pytest.raises(RuleViolation):
        services.transition(987654, "dispatch", ctx["desk"], assignee_id=ctx["engineer"].id)
    with pytest.raises(RuleViolation) as exc:
        services.create_order({"house": 987654, "scope": "private", "category": "civil", "source": "phone",
                               "urgency": "normal", "description": "墙面开裂"}, ctx["desk"])
    assert "house" in exc.value.errors
    db.session.rollback()
    assert db.session.query(WorkOrder).count() == 0


def test_deadlines_follow_urgency_and_overdue_is_flagged(ctx):
    urgent = _order(ctx, urgency="urgent")
    normal = _order(ctx)
    assert urgent.arrive_due == T0 + timedelta(minutes=30) and urgent.finish_due == T0 + timedelta(hours=4)
    assert normal.finish_due == T0 + timedelta(hours=24)
    at = T0 + timedelta(hours=1)
    assert services.order_overdue(urgent, at) and not services.order_overdue(normal, at)
    overdue = services.overdue_orders(now=at)
    assert [o.id for o in overdue] == [urgent.id]
    assert services.count_overdue_orders(now=T0 + timedelta(hours=25)) == 2


def test_order_numbers_are_readable_and_unique(ctx):
    a, b = _order(ctx), _order(ctx)
    assert a.order_no.startswith("BX20261120-") and a.order_no != b.order_no
    assert db.session.get(WorkOrder, a.id).order_no == a.order_no


# ---------------------------------------------------------------------------- complaints


def _complaint(ctx, who="desk", **values):
    base = {"house": ctx["house"], "channel": "phone", "complainant": "王女士", "phone": "13900002222",
            "category": "cleaning", "severity": "normal", "content": "楼道垃圾三天没清"}
    base.update(values)
    c = services.create_complaint(base, ctx[who], now=T0)
    db.session.commit()
    return c


COMPLAINT_DATA = {
    "respond": {"department": "environment", "note": "已致电安抚，转环境部"},
    "progress": {"investigation": "保洁员请假未安排替班"},
    "reply": {"result": "已清理，并安排替班"},
    "accept": {"remark": "认可"},
    "reject": {"remark": "不认可，还有异味"},
    "withdraw": {"note": "业主撤诉"},
}
COMPLAINT_PATH = {
    "received": [], "handling": ["respond"], "replied": ["respond", "reply"],
    "closed": ["respond", "reply", "accept"], "withdrawn": ["withdraw"],
}


@pytest.mark.parametrize("state", list(COMPLAINT_STATES))
@pytest.mark.parametrize("action", ALL_COMPLAINT_ACTIONS)
def test_every_complaint_transition_as_declared(ctx, state, action):
    c = _complaint(ctx)
    for step in COMPLAINT_PATH[state]:
        services.complaint_transition(c.id, step, ctx["manager"], now=T0 + timedelta(hours=1), **COMPLAINT_DATA[step])
        db.session.commit()
    rule = services.complaint_rule(state, action)
    if rule is None:
        with pytest.raises(RuleViolation):
            services.complaint_transition(c.id, action, ctx["manager"], **COMPLAINT_DATA[action])
        db.session.rollback()
        assert db.session.get(Complaint, c.id).state == state
        return
    services.complaint_transition(c.id, action, ctx["manager"], now=T0 + timedelta(hours=2),
                                  **COMPLAINT_DATA[action])
    db.session.commit()
    fresh = db.session.get(Complaint, c.id)
    assert fresh.state == rule[2] and fresh.events[-1].action == action


def test_first_responsible_person_stays_on_it(app, ctx):
    from app.security.services import create_user
    from tests.conftest import PASSWORD

    c = _complaint(ctx)
    assert c.responsible_id == ctx["desk"].id
    create_user(app.appbuilder, "desk2", PASSWORD, [roles.SERVICE], first_name="另一位客服")
    try:
        other = services.Actor.of(app.appbuilder.sm.find_user(username="desk2"))
        with pytest.raises(RuleViolation):
            services.complaint_transition(c.id, "respond", other, **COMPLAINT_DATA["respond"])
        db.session.rollback()
        services.complaint_transition(c.id, "respond", ctx["desk"], **COMPLAINT_DATA["respond"])
        services.complaint_transition(c.id, "reply", ctx["desk"], **COMPLAINT_DATA["reply"])
        db.session.commit()
        # 不认可: reopened, still on the first responsible person
        services.complaint_transition(c.id, "reject", ctx["desk"], **COMPLAINT_DATA["reject"])
        db.session.commit()
        fresh = db.session.get(Complaint, c.id)
        assert fresh.state == "handling" and fresh.acceptance == "not_accepted"
        assert fresh.responsible_id == ctx["desk"].id
    finally:
        db.session.rollback()
        db.session.delete(app.appbuilder.sm.find_user(username="desk2"))
        db.session.commit()


def test_major_complaint_goes_to_the_manager(ctx):
    c = _complaint(ctx, severity="major")
    assert c.respond_due == T0 + timedelta(minutes=30)
    assert [x.id for x in services.open_major_complaints()] == [c.id]
    services.complaint_transition(c.id, "respond", ctx["desk"], **COMPLAINT_DATA["respond"])
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        services.complaint_transition(c.id, "reply", ctx["desk"], **COMPLAINT_DATA["reply"])
    db.session.rollback()
    assert "项目经理" in str(exc.value)
    services.complaint_transition(c.id, "reply", ctx["manager"], **COMPLAINT_DATA["reply"])
    db.session.commit()
    assert db.session.get(Complaint, c.id).state == "replied"


def test_overdue_complaint_is_listed(ctx):
    c = _complaint(ctx)
    assert services.overdue_complaints(now=T0 + timedelta(minutes=119)) == []
    assert [x.id for x in services.overdue_complaints(now=T0 + timedelta(minutes=121))] == [c.id]
    services.complaint_transition(c.id, "respond", ctx["desk"], now=T0 + timedelta(minutes=130),
                                  **COMPLAINT_DATA["respond"])
    db.session.commit()
    assert services.overdue_complaints(now=T0 + timedelta(minutes=131)) == []


def test_cli_refuses_an_illegal_step_with_the_same_message(app, ctx):
    from tests.conftest import role_user

    order = _order(ctx)
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["pm", "order", order.order_no, "complete", "--user", role_user(roles.ENGINEER),
                              "--result", "修好"])
    assert bad.exit_code != 0 and "待派单" in bad.output
    ok = runner.invoke(args=["pm", "order", order.order_no, "dispatch", "--user", role_user(roles.SERVICE),
                             "--assignee", role_user(roles.ENGINEER)])
    assert ok.exit_code == 0, ok.output
    shown = runner.invoke(args=["pm", "order", order.order_no, "show", "--user", role_user(roles.SERVICE)])
    assert "dispatch" in shown.output
    db.session.expire_all()
    assert db.session.get(WorkOrder, order.id).state == "dispatched"
