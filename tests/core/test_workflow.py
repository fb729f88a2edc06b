"""The workflow engine: a machine is checked when declared, refuses a step that does not exist or is not the
actor's, asks for the reason where one is needed, notices that someone else was first, and keeps an
append-only history. The 维修基金 use application's machine is specified here from DOMAIN.md (申请 → 业主表决 →
项目经理审批 → 拨付; rejected by the 项目经理, withdrawn by the one who records), not read back from its table."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.billing import fund
from app.billing.models import FundApplicationEvent
from app.core.rules import Actor, ConcurrentChange, RuleViolation
from app.core.workflow import HistoryChanged, Machine, Step, take
from app.extensions import db
from app.security import roles

STATES = {"open": "开", "done": "完", "void": "废"}
LABELS = {"finish": "完成", "cancel": "作废"}


def _machine():
    return Machine("demo", STATES, [Step("open", "finish", "done", frozenset({roles.ENGINEER})),
                                    Step("open", "cancel", "void", frozenset({roles.MANAGER}), note=True)], LABELS)


def _actor(*names):
    return Actor(id=None, name="某人", roles=frozenset(names))


@pytest.mark.parametrize("steps, words", [
    ([Step("open", "finish", "closed", frozenset())], "unknown state"),
    ([Step("open", "finish", "done", frozenset()), Step("open", "finish", "void", frozenset())], "two steps"),
    ([Step("open", "reopen", "open", frozenset())], "no label"),
])
def test_a_machine_is_checked_when_declared(steps, words):
    with pytest.raises(ValueError, match=words):
        Machine("bad", STATES, steps, LABELS)


def test_the_actions_are_the_steps_this_actor_may_take_now(app):
    m = _machine()
    assert m.actions("open", _actor(roles.ENGINEER)) == ["finish"]
    assert m.actions("open", _actor(roles.ENGINEER, roles.MANAGER)) == ["finish", "cancel"]
    assert m.actions("open", _actor(roles.MANAGER), allowed=lambda action: action != "cancel") == []
    assert m.actions("done", _actor(roles.ENGINEER, roles.MANAGER)) == []


def test_a_step_refused_says_why_in_chinese(app):
    m = _machine()
    with app.test_request_context():
        with pytest.raises(RuleViolation) as caught:
            m.check("done", "finish", _actor(roles.ENGINEER))
        assert "当前状态为“完”" in caught.value.errors[""]
        with pytest.raises(RuleViolation) as caught:
            m.check("open", "finish", _actor(roles.SERVICE))
        assert "您的角色不能进行这一步" in caught.value.errors[""]
        with pytest.raises(RuleViolation) as caught:
            m.check("open", "cancel", _actor(roles.MANAGER), note="  ")
        assert caught.value.errors == {"note": "请填写原因。"}
        assert m.check("open", "cancel", _actor(roles.MANAGER), note=" 重复 ")[1] == "重复"


def test_take_checks_the_version_and_runs_the_handler_before_the_state_changes(app):
    m = _machine()
    record = SimpleNamespace(state="open", version=2)
    with app.test_request_context():
        with pytest.raises(ConcurrentChange):
            take(m, record, "finish", _actor(roles.ENGINEER), history=lambda *a: None, expected_version=1)

        def refuse(_step):
            raise RuleViolation({"": "不行"})

        with pytest.raises(RuleViolation):
            take(m, record, "finish", _actor(roles.ENGINEER), history=lambda *a: None, handler=refuse)
        assert record.state == "open"

    # a step taken for real, with its history row: the use application's tests (tests/billing/test_fund.py)


# For each state, what each role may do with a use application (DOMAIN.md: 档案内业 and 收费员 record the
# owners' vote and may withdraw an application; the 项目经理 approves or rejects; the 收费员 pays out).
FUND_SPEC = {
    "applied": {roles.ARCHIVES: ["vote", "withdraw"], roles.CASHIER: ["vote", "withdraw"],
                roles.MANAGER: ["vote", "reject", "withdraw"], roles.SERVICE: [], roles.COMMITTEE: [],
                roles.ENGINEER: []},
    "voted": {roles.MANAGER: ["approve", "reject"], roles.ARCHIVES: [], roles.CASHIER: [], roles.COMMITTEE: []},
    "approved": {roles.CASHIER: ["pay"], roles.MANAGER: ["pay"], roles.ARCHIVES: [], roles.COMMITTEE: []},
    "paid": {role: [] for role in (roles.MANAGER, roles.CASHIER, roles.ARCHIVES)},
    "rejected": {role: [] for role in (roles.MANAGER, roles.CASHIER, roles.ARCHIVES)},
    "withdrawn": {role: [] for role in (roles.MANAGER, roles.CASHIER, roles.ARCHIVES)},
}


@pytest.mark.parametrize("state, role, expected", [(s, r, e) for s, by in FUND_SPEC.items() for r, e in by.items()])
def test_the_fund_application_machine(app, state, role, expected):
    application = SimpleNamespace(state=state, events=[])  # no step taken by this person yet
    assert sorted(fund.actions(application, _actor(role))) == sorted(expected)
    for action in fund.ACTION_LABELS:
        step = fund.FUND_MACHINE.step(state, action)
        may = step is not None and bool(_actor(role).roles & step.who)
        assert may == (action in expected), (state, role, action)


def test_a_step_of_the_history_is_never_edited_or_deleted(app, estate):
    from tests.billing.test_fund import _application

    _application(app, estate)
    with app.test_request_context():
        row = db.session.scalars(select(FundApplicationEvent)).first()
        row.note = "改过"
        with pytest.raises(HistoryChanged):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(FundApplicationEvent)).first())
        with pytest.raises(HistoryChanged):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalars(select(FundApplicationEvent.note)).all() == [None]
