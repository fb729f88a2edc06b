"""Service desk KPIs (seed 004) against hand-computed figures of a small fixed data set, and the KPI page.

The data set: November 2026 in 翠湖花园 (the `estate` fixture's community), figures taken at NOW = 2026-12-03
12:00. Rows are inserted directly with chosen timestamps (no state machine), so that every figure below can be
checked by hand. Minutes are (later − earlier); rates are half-up to 0.1.
"""
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_appbuilder.security.sqla.models import Role, User
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import kpi
from app.service.models import DEPARTMENTS, Complaint, WorkOrder, WorkOrderEvent

NOW = datetime(2026, 12, 3, 12, 0)


def T(day_month: str, hm: str = "09:00", year: int = 2026) -> datetime:
    """T("11-02", "08:30") → 2026-11-02 08:30."""
    month, day = (int(x) for x in day_month.split("-"))
    hour, minute = (int(x) for x in hm.split(":"))
    return datetime(year, month, day, hour, minute)


def _user(role: str) -> User:
    """The session's test user of a role (conftest creates one per role, first name = the role's name)."""
    return db.session.scalars(select(User).join(User.roles).where(Role.name == role).order_by(User.id)).first()


def _order(no, community, **kw) -> WorkOrder:
    kw.setdefault("state", "completed" if kw.get("finished_at") else "in_progress")
    return WorkOrder(order_no=no, community_id=community, description="测试工单 " + no, scope="common",
                     category="water_power", urgency="normal", **kw)


def _complaint(no, community, **kw) -> Complaint:
    return Complaint(complaint_no=no, community_id=community, complainant="张三", content="测试投诉 " + no, **kw)


@pytest.fixture
def data(app, estate):
    """E = 工程维修, M = 项目经理 (assignees); S = 客服, M (首问责任人). C = 翠湖花园, O = the other community."""
    with app.app_context():
        set_cli_actor("test")
        E, M, S = (_user(r).id for r in (roles.ENGINEER, roles.MANAGER, roles.SERVICE))
        C, O = estate["community"], estate["other_community"]
        orders = [
            # W1: on time; arrive 30, finish 120; called back (very satisfied) after completion
            _order("W1", C, assignee_id=E, reported_at=T("11-02", "08:00"), arrived_at=T("11-02", "08:30"),
                   finished_at=T("11-02", "10:00"), finish_due=T("11-02", "12:00"), state="closed",
                   callback_at=T("11-03"), satisfaction="very_satisfied", closed_at=T("11-03")),
            # W2: finished late (due 11-06 09:00); arrive 60, finish 26 h = 1560; not called back
            _order("W2", C, assignee_id=E, reported_at=T("11-05"), arrived_at=T("11-05", "10:00"),
                   finished_at=T("11-06", "11:00"), finish_due=T("11-06", "09:00")),
            # W3: on time; arrive 45, finish 135; called back (satisfied)
            _order("W3", C, assignee_id=M, reported_at=T("11-10", "14:00"), arrived_at=T("11-10", "14:45"),
                   finished_at=T("11-10", "16:15"), finish_due=T("11-11", "14:00"), state="closed",
                   callback_at=T("11-12", "10:00"), satisfaction="satisfied", closed_at=T("11-12", "10:00")),
            # W4: still open, due 11-21 10:00 < NOW: overdue
            _order("W4", C, assignee_id=E, reported_at=T("11-20", "10:00"), arrived_at=T("11-20", "11:00"),
                   finish_due=T("11-21", "10:00")),
            # W5: opened in November, finished in DECEMBER after its due time: overdue in November,
            # finished in December only
            _order("W5", C, assignee_id=E, reported_at=T("11-28"), arrived_at=T("11-28", "10:00"),
                   finished_at=T("12-01", "10:00"), finish_due=T("11-29")),
            # W6: cancelled before dispatch (past its due time, but cancelled orders are never overdue)
            _order("W6", C, reported_at=T("11-15", "08:00"), finish_due=T("11-16", "08:00"), state="cancelled",
                   closed_at=T("11-15", "10:00")),
            # W7: waiting for dispatch, due 12-10 (after NOW): not overdue
            _order("W7", C, reported_at=T("11-25"), finish_due=T("12-10"), state="pending"),
            # W8: opened in OCTOBER, finished 11-01 09:00 late; arrive 60, finish 4 days = 5760; callback fair
            _order("W8", C, assignee_id=M, reported_at=T("10-28"), arrived_at=T("10-28", "10:00"),
                   finished_at=T("11-01"), finish_due=T("10-31"), state="closed", callback_at=T("11-02", "10:00"),
                   satisfaction="fair", closed_at=T("11-02", "10:00")),
            # W9: completed, called back UNSATISFIED on 11-04 (reopened), completed again 11-05 15:00 (late,
            # due 11-04); its callback_at (11-04) is before the new completion: awaiting a callback again.
            # arrive 11-03 09:00 → 11-05 14:00 = 3180, finish → 11-05 15:00 = 3240
            _order("W9", C, assignee_id=E, reported_at=T("11-03"), arrived_at=T("11-05", "14:00"),
                   finished_at=T("11-05", "15:00"), finish_due=T("11-04"), callback_at=T("11-04", "10:00"),
                   satisfaction="unsatisfied"),
            # W10: the other community: on time, arrive 30, finish 60, called back satisfied
            _order("W10", O, assignee_id=E, reported_at=T("11-06"), arrived_at=T("11-06", "09:30"),
                   finished_at=T("11-06", "10:00"), finish_due=T("11-06", "13:00"), state="closed",
                   callback_at=T("11-07"), satisfaction="satisfied", closed_at=T("11-07")),
        ]
        db.session.add_all(orders)
        db.session.flush()
        w9 = next(o for o in orders if o.order_no == "W9")
        db.session.add(WorkOrderEvent(order_id=w9.id, at=T("11-04", "10:00"), user_name="test", action="reopen",
                                      from_state="completed", to_state="dispatched", note="还在漏"))
        complaints = [
            # K1: responded on time, replied, called back, accepted: resolved. No department: 物业服务 (service)
            _complaint("K1", C, responsible_id=S, received_at=T("11-03"), respond_due=T("11-03", "11:00"),
                       responded_at=T("11-03", "10:00"), replied_at=T("11-04"), callback_at=T("11-05"),
                       acceptance="accepted", closed_at=T("11-05"), state="closed"),
            # K2: responded LATE (12:00 > 11:00), resolved; engineering
            _complaint("K2", C, responsible_id=S, department="engineering", received_at=T("11-08"),
                       respond_due=T("11-08", "11:00"), responded_at=T("11-08", "12:00"), replied_at=T("11-09"),
                       callback_at=T("11-10"), acceptance="accepted", closed_at=T("11-10"), state="closed"),
            # K3: responded on time, being handled; order
            _complaint("K3", C, responsible_id=S, department="order", received_at=T("11-12"),
                       respond_due=T("11-12", "11:00"), responded_at=T("11-12", "10:30"), state="handling"),
            # K4: WITHDRAWN at 10:00 without a response, before its due time: out of the timeliness figure
            _complaint("K4", C, responsible_id=M, received_at=T("11-18"), respond_due=T("11-18", "11:00"),
                       closed_at=T("11-18", "10:00"), state="withdrawn"),
            # K5: never responded, due 11-22 11:00 < NOW: late
            _complaint("K5", C, responsible_id=S, received_at=T("11-22"), respond_due=T("11-22", "11:00"),
                       state="received"),
            # K6: received 11-30 20:00, due 12-04 09:00 (after NOW): not yet due, left out; engineering
            _complaint("K6", C, responsible_id=M, department="engineering", received_at=T("11-30", "20:00"),
                       respond_due=T("12-04"), state="received"),
            # K7: on time; replied 11-26, called back 11-27 NOT accepted, replied again 11-28: awaiting callback
            _complaint("K7", C, responsible_id=M, department="environment", received_at=T("11-25"),
                       respond_due=T("11-25", "11:00"), responded_at=T("11-25", "10:00"), replied_at=T("11-28"),
                       callback_at=T("11-27"), acceptance="not_accepted", state="replied"),
            # K8: WITHDRAWN 11-27 without a response, after its due time (11-26 11:00): late
            _complaint("K8", C, responsible_id=S, department="service", received_at=T("11-26"),
                       respond_due=T("11-26", "11:00"), closed_at=T("11-27"), state="withdrawn"),
            # K9: received in OCTOBER: not in November's figures
            _complaint("K9", C, responsible_id=S, received_at=T("10-30"), respond_due=T("10-30", "11:00"),
                       responded_at=T("10-30", "09:30"), state="handling"),
            # K10: the other community, responded late
            _complaint("K10", O, responsible_id=S, received_at=T("11-10"), respond_due=T("11-10", "11:00"),
                       responded_at=T("11-10", "13:00"), state="handling"),
            # K11: on time; finance
            _complaint("K11", C, responsible_id=S, department="finance", received_at=T("11-27"),
                       respond_due=T("11-27", "11:00"), responded_at=T("11-27", "09:30"), state="handling"),
        ]
        db.session.add_all(complaints)
        db.session.commit()
        names = {key: _user(role).first_name for key, role in
                 (("E", roles.ENGINEER), ("M", roles.MANAGER), ("S", roles.SERVICE))}
        set_cli_actor(None)
        yield {"E": E, "M": M, "S": S, "C": C, "O": O, "names": names}


def _figures(row, names):
    return {name: getattr(row, name) for name in names}


REPAIR_FIGURES = ["repairs_opened", "repairs_cancelled", "repairs_overdue", "repairs_finished", "repairs_on_time",
                  "on_time_rate", "avg_arrive_minutes", "avg_finish_minutes", "repairs_called_back",
                  "repair_callback_rate", "callbacks", "very_satisfied", "satisfied", "fair", "unsatisfied",
                  "satisfaction_rate"]
COMPLAINT_FIGURES = ["complaints_received", "complaints_withdrawn", "responded_on_time", "responded_late",
                     "response_pending", "response_rate", "complaints_resolved", "resolution_rate",
                     "complaints_replied", "complaints_called_back", "complaint_callback_rate"]
D = Decimal
NO_REPAIRS = {"repairs_opened": 0, "repairs_cancelled": 0, "repairs_overdue": 0, "repairs_finished": 0,
              "repairs_on_time": 0, "on_time_rate": None, "avg_arrive_minutes": None, "avg_finish_minutes": None,
              "repairs_called_back": 0, "repair_callback_rate": None, "callbacks": 0, "very_satisfied": 0,
              "satisfied": 0, "fair": 0, "unsatisfied": 0, "satisfaction_rate": None}
NO_COMPLAINTS = {"complaints_received": 0, "complaints_withdrawn": 0, "responded_on_time": 0, "responded_late": 0,
                 "response_pending": 0, "response_rate": None, "complaints_resolved": 0, "resolution_rate": None,
                 "complaints_replied": 0, "complaints_called_back": 0, "complaint_callback_rate": None}

# 翠湖花园, November 2026: repairs of the whole office (= 工程部)
OFFICE_REPAIRS = {
    "repairs_opened": 8,            # W1 W2 W3 W4 W5 W6 W7 W9 (W8 was opened in October, W10 is elsewhere)
    "repairs_cancelled": 1,         # W6
    "repairs_overdue": 4,           # W2, W9 finished late; W5 finished late in December; W4 open past due
    "repairs_finished": 5,          # W1 W2 W3 W8 W9 (W5 finished in December)
    "repairs_on_time": 2,           # W1 W3
    "on_time_rate": D("40.0"),      # 2/5
    "avg_arrive_minutes": D("675.0"),   # (30 + 60 + 45 + 60 + 3180) / 5 = 3375 / 5
    "avg_finish_minutes": D("2163.0"),  # (120 + 1560 + 135 + 5760 + 3240) / 5 = 10815 / 5
    "repairs_called_back": 3,       # W1 W3 W8 (W9's callback was before its last completion)
    "repair_callback_rate": D("60.0"),  # 3/5
    "callbacks": 4,                 # closing callbacks W1 W3 W8 + W9's unsatisfied callback (reopen line)
    "very_satisfied": 1, "satisfied": 1, "fair": 1, "unsatisfied": 1,
    "satisfaction_rate": D("50.0"),     # (1 + 1) / 4
}
OFFICE_COMPLAINTS = {
    "complaints_received": 9,       # K1-K8, K11 (K9 October, K10 elsewhere)
    "complaints_withdrawn": 2,      # K4 K8
    "responded_on_time": 4,         # K1 K3 K7 K11
    "responded_late": 3,            # K2 (late response), K5 (none, past due), K8 (withdrawn after due, none)
    "response_pending": 2,          # K4 (withdrawn before due), K6 (not yet due at NOW)
    "response_rate": D("57.1"),     # 4 / (4 + 3) = 57.14…
    "complaints_resolved": 2,       # K1 K2
    "resolution_rate": D("28.6"),   # 2 / (9 − 2) = 28.57…
    "complaints_replied": 3,        # K1 K2 K7
    "complaints_called_back": 2,    # K1 K2 (K7 was replied again after its callback)
    "complaint_callback_rate": D("66.7"),  # 2/3
}


def test_office_figures_of_one_community(app, data):
    with app.app_context():
        k = kpi.service_kpis(2026, 11, community_id=data["C"], now=NOW)
    assert k["community"] == "翠湖花园"
    assert (k["start"], k["end"]) == (datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert _figures(k["office"], REPAIR_FIGURES) == OFFICE_REPAIRS
    assert _figures(k["office"], COMPLAINT_FIGURES) == OFFICE_COMPLAINTS
    assert all(isinstance(getattr(k["office"], n), (int, Decimal, type(None))) and
               not isinstance(getattr(k["office"], n), float) for n in REPAIR_FIGURES + COMPLAINT_FIGURES)


def test_departments(app, data):
    with app.app_context():
        k = kpi.service_kpis(2026, 11, community_id=data["C"], now=NOW)
    rows = {r.key: r for r in k["departments"]}
    assert list(rows) == list(DEPARTMENTS)  # every department, in the declared order
    # repairs all belong to 工程部
    assert _figures(rows["engineering"], REPAIR_FIGURES) == OFFICE_REPAIRS
    for code in ("service", "order", "environment", "finance", "office"):
        assert _figures(rows[code], REPAIR_FIGURES) == NO_REPAIRS
    # complaints by handling department; none given → service (K1 K4 K5, and K8 given as service)
    assert _figures(rows["service"], COMPLAINT_FIGURES) == {
        "complaints_received": 4, "complaints_withdrawn": 2, "responded_on_time": 1, "responded_late": 2,
        "response_pending": 1,
        "response_rate": D("33.3"),    # 1 / (1 + 2)
        "complaints_resolved": 1,
        "resolution_rate": D("50.0"),  # 1 / (4 − 2)
        "complaints_replied": 1, "complaints_called_back": 1, "complaint_callback_rate": D("100.0")}
    assert _figures(rows["engineering"], COMPLAINT_FIGURES) == {  # K2 (late, resolved), K6 (not yet due)
        "complaints_received": 2, "complaints_withdrawn": 0, "responded_on_time": 0, "responded_late": 1,
        "response_pending": 1,
        "response_rate": D("0.0"),     # 0 / 1
        "complaints_resolved": 1,
        "resolution_rate": D("50.0"),  # 1 / 2
        "complaints_replied": 1, "complaints_called_back": 1, "complaint_callback_rate": D("100.0")}
    assert _figures(rows["environment"], COMPLAINT_FIGURES) == {  # K7
        "complaints_received": 1, "complaints_withdrawn": 0, "responded_on_time": 1, "responded_late": 0,
        "response_pending": 0, "response_rate": D("100.0"), "complaints_resolved": 0, "resolution_rate": D("0.0"),
        "complaints_replied": 1, "complaints_called_back": 0, "complaint_callback_rate": D("0.0")}
    for code in ("order", "finance"):  # K3, K11: answered on time, still being handled, no reply yet
        assert _figures(rows[code], COMPLAINT_FIGURES) == {
            "complaints_received": 1, "complaints_withdrawn": 0, "responded_on_time": 1, "responded_late": 0,
            "response_pending": 0, "response_rate": D("100.0"), "complaints_resolved": 0,
            "resolution_rate": D("0.0"), "complaints_replied": 0, "complaints_called_back": 0,
            "complaint_callback_rate": None}
    assert _figures(rows["office"], COMPLAINT_FIGURES) == NO_COMPLAINTS
    # the departments add up to the office
    for name in ("repairs_opened", "repairs_finished", "complaints_received", "responded_late"):
        assert sum(getattr(r, name) for r in rows.values()) == getattr(k["office"], name)


def test_persons(app, data):
    with app.app_context():
        k = kpi.service_kpis(2026, 11, community_id=data["C"], now=NOW)
    rows = {r.key: r for r in k["persons"]}
    assert set(rows) == {data["E"], data["M"], data["S"], None}
    assert k["persons"][-1].key is None  # work nobody holds yet comes last
    assert rows[data["E"]].name == data["names"]["E"] == roles.ENGINEER  # first name, no last name
    assert rows[data["M"]].name == roles.MANAGER
    with app.app_context():
        assert rows[None].name == kpi.gettext("Not assigned")
    # 工程维修 (E): W1 W2 W4 W5 W9 opened; W1 W2 W9 finished
    assert _figures(rows[data["E"]], REPAIR_FIGURES) == {
        "repairs_opened": 5, "repairs_cancelled": 0,
        "repairs_overdue": 4,                # W2 W4 W5 W9
        "repairs_finished": 3, "repairs_on_time": 1,
        "on_time_rate": D("33.3"),           # 1/3
        "avg_arrive_minutes": D("1090.0"),   # (30 + 60 + 3180) / 3 = 3270 / 3
        "avg_finish_minutes": D("1640.0"),   # (120 + 1560 + 3240) / 3 = 4920 / 3
        "repairs_called_back": 1,            # W1
        "repair_callback_rate": D("33.3"),   # 1/3
        "callbacks": 2, "very_satisfied": 1, "satisfied": 0, "fair": 0, "unsatisfied": 1,  # W1, W9's reopen
        "satisfaction_rate": D("50.0")}      # 1/2
    assert _figures(rows[data["E"]], COMPLAINT_FIGURES) == NO_COMPLAINTS
    # 项目经理 (M): W3 opened; W3 and W8 (opened in October) finished
    assert _figures(rows[data["M"]], REPAIR_FIGURES) == {
        "repairs_opened": 1, "repairs_cancelled": 0, "repairs_overdue": 0, "repairs_finished": 2,
        "repairs_on_time": 1, "on_time_rate": D("50.0"),  # 1/2
        "avg_arrive_minutes": D("52.5"),     # (45 + 60) / 2
        "avg_finish_minutes": D("2947.5"),   # (135 + 5760) / 2
        "repairs_called_back": 2, "repair_callback_rate": D("100.0"),
        "callbacks": 2, "very_satisfied": 0, "satisfied": 1, "fair": 1, "unsatisfied": 0,
        "satisfaction_rate": D("50.0")}      # 1/2
    # M as 首问责任人: K4 (withdrawn before due), K6 (not yet due), K7 (on time, awaiting callback)
    assert _figures(rows[data["M"]], COMPLAINT_FIGURES) == {
        "complaints_received": 3, "complaints_withdrawn": 1, "responded_on_time": 1, "responded_late": 0,
        "response_pending": 2, "response_rate": D("100.0"),  # 1/1
        "complaints_resolved": 0, "resolution_rate": D("0.0"),  # 0 / (3 − 1)
        "complaints_replied": 1, "complaints_called_back": 0, "complaint_callback_rate": D("0.0")}
    # 客服 (S): K1 K2 K3 K5 K8 K11
    assert _figures(rows[data["S"]], COMPLAINT_FIGURES) == {
        "complaints_received": 6, "complaints_withdrawn": 1,
        "responded_on_time": 3,              # K1 K3 K11
        "responded_late": 3,                 # K2 K5 K8
        "response_pending": 0, "response_rate": D("50.0"),  # 3/6
        "complaints_resolved": 2, "resolution_rate": D("40.0"),  # 2 / (6 − 1)
        "complaints_replied": 2, "complaints_called_back": 2, "complaint_callback_rate": D("100.0")}
    assert _figures(rows[data["S"]], REPAIR_FIGURES) == NO_REPAIRS
    # not assigned: W6 (cancelled) and W7 (pending, not yet due)
    assert _figures(rows[None], REPAIR_FIGURES) == {**NO_REPAIRS, "repairs_opened": 2, "repairs_cancelled": 1}
    for name in REPAIR_FIGURES[:5] + COMPLAINT_FIGURES[:5]:
        if not name.endswith("rate"):
            assert sum(getattr(r, name) for r in rows.values()) == getattr(k["office"], name), name


def test_all_communities(app, data):
    with app.app_context():
        k = kpi.service_kpis(2026, 11, now=NOW)
    o = k["office"]
    assert k["community"] is None
    assert (o.repairs_opened, o.repairs_finished, o.repairs_on_time) == (9, 6, 3)  # + W10
    assert o.on_time_rate == D("50.0")          # 3/6
    assert o.avg_finish_minutes == D("1812.5")  # (10815 + 60) / 6 = 10875 / 6
    assert o.satisfaction_rate == D("60.0")     # (2 + 1) / (4 + 1)
    assert (o.complaints_received, o.responded_on_time, o.responded_late) == (10, 4, 4)  # + K10, late
    assert o.response_rate == D("50.0")         # 4/8


def test_order_finished_in_the_next_month(app, data):
    with app.app_context():
        k = kpi.service_kpis(2026, 12, community_id=data["C"], now=NOW)
    o = k["office"]
    # W5: opened in November, finished 12-01 10:00, due 11-29 09:00
    assert (o.repairs_opened, o.repairs_finished, o.repairs_on_time, o.repairs_overdue) == (0, 1, 0, 0)
    assert o.on_time_rate == D("0.0")               # 0/1
    assert o.avg_finish_minutes == D("4380.0")      # 11-28 09:00 → 12-01 10:00 = 73 h
    assert o.repair_callback_rate == D("0.0")
    assert o.satisfaction_rate is None               # no callback in December
    assert o.complaints_received == 0 and o.response_rate is None


def test_now_decides_what_is_late(app, data):
    """Figures taken earlier, at 11-21 09:00: an open order or an unanswered complaint is late only once its
    deadline has passed at that moment."""
    with app.app_context():
        k = kpi.service_kpis(2026, 11, community_id=data["C"], now=datetime(2026, 11, 21, 9, 0))
    o = k["office"]
    # at 11-21 09:00 W4 (due 11-21 10:00) is not late yet; W2 W5 W9 are late by their finish times
    assert o.repairs_overdue == 3
    # K5 (due 11-22 11:00) is not yet due: left out; K2 (late response) and K8 (withdrawn after its due) are late
    assert (o.responded_on_time, o.responded_late) == (4, 2)
    assert o.response_rate == D("66.7")  # 4 / (4 + 2)


def test_a_month_without_anything(app, data):
    with app.app_context():
        k = kpi.service_kpis(2026, 6, community_id=data["C"], now=NOW)
    assert _figures(k["office"], REPAIR_FIGURES) == NO_REPAIRS
    assert _figures(k["office"], COMPLAINT_FIGURES) == NO_COMPLAINTS
    assert k["persons"] == []
    assert [r.key for r in k["departments"]] == list(DEPARTMENTS)
    assert kpi.display(k["office"].on_time_rate) == "—"
    assert kpi.display(D("66.7")) == "66.7"


def test_rates_round_half_up_and_never_divide_by_zero():
    assert kpi.rate(2, 3) == D("66.7")
    assert kpi.rate(1, 16) == D("6.3")     # 6.25 → 6.3 (half-up, not half-even)
    assert kpi.rate(1, 3) == D("33.3")
    assert kpi.rate(0, 0) is None
    assert kpi.rate(5, 5) == D("100.0")
    assert kpi.average_minutes(90, 1) == D("1.5")
    assert kpi.average_minutes(0, 0) is None
    assert kpi.average_minutes(3 * 60 + 15, 2) == D("1.6")  # 195 s / 2 / 60 = 1.625 → 1.6
    assert kpi.average_minutes(9, 1) == D("0.2")            # 0.15 → 0.2


@pytest.mark.parametrize("year, month", [(2026, 0), (2026, 13), (1999, 5), (2101, 1)])
def test_a_bad_month_is_refused(app, year, month):
    with app.app_context(), pytest.raises(ValueError):
        kpi.service_kpis(year, month)


def test_workbook(app, data):
    with app.app_context(), force_locale("zh"):
        k = kpi.service_kpis(2026, 11, community_id=data["C"], now=NOW)
        content = kpi.kpi_workbook(k)
        expected_titles = [str(t) for t in (kpi.gettext("Whole office"), kpi.gettext("By department"),
                                            kpi.gettext("By person"))]
        labels = [str(label) for _a, label, _k in kpi.TABLE_COLUMNS]
        on_time_label = str(kpi.REPAIR_COLUMNS[5][1])
        response_label = str(kpi.COMPLAINT_COLUMNS[5][1])
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == expected_titles
    office, departments, persons = wb.worksheets
    values = {row[0]: row[1] for row in office.iter_rows(min_row=2, values_only=True)}
    assert values["小区"] == "翠湖花园"  # "Community" is in the catalog already: the sheet speaks Chinese
    assert values[on_time_label] == 40.0
    assert values[response_label] == 57.1
    header = [c.value for c in departments[1]]
    assert header[1:] == labels
    engineering = next(r for r in departments.iter_rows(min_row=2, values_only=True)
                       if r[0] == str(DEPARTMENTS["engineering"]))
    assert engineering[1] == 8                    # repairs opened
    assert engineering[1 + labels.index(response_label)] == 0.0
    office_dept = next(r for r in departments.iter_rows(min_row=2, values_only=True)
                       if r[0] == str(DEPARTMENTS["office"]))
    assert office_dept[1 + labels.index(on_time_label)] == "—"  # nothing to count
    assert persons.max_row == 1 + 4                # header + E, M, S, not assigned
    rate_cell = next(c for c in office["B"] if c.value == 57.1)
    assert rate_cell.number_format == "0.0"


# ------------------------------------------------------------------------------------------------- the page

def _wired(app):
    if "ServiceKpiView" not in {type(v).__name__ for v in app.appbuilder.baseviews}:
        pytest.skip("ServiceKpiView is not registered in create_app() yet")


def _flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in
            re.findall(r'class="alert alert-[a-z]+">\s*<button[^>]*>[^<]*</button>(.*?)</div>', html, re.S)]


def test_page_shows_the_month(app, data, admin):
    _wired(app)
    resp = admin.get(f"/service-kpi/?month=2026-11&community={data['C']}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'type="month"' in html and 'value="2026-11"' in html
    assert re.search(rf'<option value="{data["C"]}"\s+selected>翠湖花园</option>', html)
    assert "kpi-departments" in html and "kpi-persons" in html
    assert "—" in html  # a department without complaints
    assert _flashes(html) == []


def test_export_downloads_the_workbook(app, data, admin):
    _wired(app)
    resp = admin.get(f"/service-kpi/export?month=2026-11&community={data['C']}")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "service-kpis-2026-11.xlsx" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.data))
    assert len(wb.sheetnames) == 3


CURRENT = f"{date.today():%Y-%m}"


@pytest.mark.parametrize("query, message", [
    ("month=2026-13", "不是有效月份"),
    ("month=abc", "不是有效月份"),
    ("month=2026-1x", "不是有效月份"),
    ("month=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-11", "不是有效月份"),  # full-width digits
    ("month=1999-05", "年份须在 2000 到 2100 之间"),
    ("month=2101-01", "年份须在 2000 到 2100 之间"),
    ("community=999999", "没有这个小区"),
    ("community=abc", "没有这个小区"),
    ("community=-1", "没有这个小区"),
])
def test_bad_input_shows_the_current_month_with_a_message(app, data, admin, query, message):
    _wired(app)
    resp = admin.get("/service-kpi/?" + query)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert any(message in f for f in _flashes(html)), _flashes(html)
    assert f'value="{CURRENT}"' in html


def test_bad_input_on_export_goes_back_to_the_page(app, data, admin):
    _wired(app)
    resp = admin.get("/service-kpi/export?month=2026-13")
    assert resp.status_code == 302
    html = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert any("不是有效月份" in f for f in _flashes(html))
    assert f'value="{CURRENT}"' in html


def test_the_month_value_is_escaped(app, data, admin):
    _wired(app)
    html = admin.get("/service-kpi/?month=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("role, allowed", [(roles.MANAGER, True), (roles.SERVICE, True), (roles.COMMITTEE, True),
                                           (roles.ENGINEER, False), (roles.CASHIER, False)])
def test_who_may_see_the_figures(app, data, login_as, role, allowed):
    _wired(app)
    c = login_as(role)
    for path in ("/service-kpi/?month=2026-11", "/service-kpi/export?month=2026-11"):
        resp = c.get(path)
        assert (resp.status_code == 200) is allowed, (role, path, resp.status_code)
