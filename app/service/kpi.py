"""Service desk KPIs of one month (seed 004: 业主满意度, 投诉响应及时率 100%, 解决率): for the whole office,
per department and per person. Plain functions: no request, no Flask globals, only the db session.

The month is the half-open window [first day 00:00, first day of the next month 00:00). `now` is the moment
the figures are taken at (default: the current time); it decides which open orders and unanswered complaints
are already late. An optional community restricts every figure to that community.

Repairs (报修工单)
- opened: orders with reported_at in the month, whatever their state (cancelled ones included).
- cancelled: of those, orders in state cancelled.
- overdue: of the orders opened in the month, those finished after finish_due, and those still open
  (pending, dispatched, in progress, suspended — a reopened order is open again) whose finish_due is before
  `now`. Cancelled orders and orders without a finish_due are never overdue.
- finished: orders with finished_at in the month (they are completed or closed; an order reopened after an
  unsatisfied callback counts by its last completion, because reopening clears finished_at).
- finished on time: finished in the month with finished_at <= finish_due (no finish_due: on time).
  On-time rate = finished on time / finished.
- average minutes to arrive: mean of (arrived_at − reported_at) over the orders finished in the month that
  have arrived_at; average minutes to finish: mean of (finished_at − reported_at) over the orders finished in
  the month. Computed in whole seconds in the database, shown in minutes with one decimal.
- finished and called back: finished in the month and called back after that completion
  (callback_at >= finished_at). Repair callback rate = finished and called back / finished.
- callbacks made (回访次数): callbacks made in the month: each callback that closed an order (state closed,
  callback_at in the month, its satisfaction on the order) plus each unsatisfied callback that reopened an
  order (a "reopen" history line in the month — the order's own satisfaction column is overwritten by the
  next callback, the history line is not). Satisfaction rate = (very satisfied + satisfied) / callbacks made.

Complaints (投诉), all counted over the complaints received in the month (received_at in the month)
- received; withdrawn (state withdrawn).
- responded on time: responded_at <= respond_due (a complaint without respond_due: any response is on time).
- responded late: responded_at > respond_due, or not responded and respond_due has passed — at `now`, or,
  for a complaint withdrawn without a response, at the moment it was withdrawn (closed_at).
- response not yet due: not responded and respond_due not yet passed (or no respond_due, never responded):
  EXCLUDED from the denominator. Response timeliness = on time / (on time + late); the target is 100%.
- resolved: closed with the complainant's acceptance (state closed, acceptance accepted), whenever it was
  closed. Resolution rate = resolved / (received − withdrawn).
- replied: with replied_at; called back: replied and called back after the (last) reply
  (callback_at >= replied_at). Complaint callback rate = called back / replied.

Grouping
- Per department: repairs belong to "engineering"; complaints to their handling department (none yet:
  "service", the desk that holds them). Every department of DEPARTMENTS is listed, in that order.
- Per person: repairs by the order's (current) assignee, complaints by the 首问责任人 (responsible_id). Work
  nobody holds yet (orders not dispatched) is in a "Not assigned" row, so that the rows add up to the office.
  The name is the user's first and last name, or the user name.

Every count is made by GROUP BY in the database (fast on 200,000 orders). Rates are Decimal percentages rounded
half-up to 0.1, None when the denominator is 0 (shown "—"); averages likewise in minutes. No float anywhere.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Integer, and_, case, cast, extract, func, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.core import clock
from app.core.periods import month_window
from app.estate.models import Community
from app.extensions import db
from app.service.models import DEPARTMENTS, SATISFACTION, Complaint, WorkOrder, WorkOrderEvent

OPEN_ORDER_STATES = ("pending", "dispatched", "in_progress", "suspended")  # = services.OPEN_ORDER_STATES
REPAIR_DEPARTMENT = "engineering"
DEFAULT_COMPLAINT_DEPARTMENT = "service"
SATISFIED = ("very_satisfied", "satisfied")
TENTH = Decimal("0.1")
NONE_SHOWN = "—"


# ------------------------------------------------------------------------------------------------- SQL helpers

class seconds_between(FunctionElement):
    """`later − earlier` in whole seconds, for SQLite, PostgreSQL and MySQL (NULL if either is NULL)."""

    type = BigInteger()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between)
def _seconds_default(element, compiler, **kw):  # PostgreSQL and the SQL standard
    later, earlier = list(element.clauses)
    return compiler.process(cast(extract("epoch", later - earlier), BigInteger), **kw)


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return compiler.process(cast(func.strftime("%s", later), Integer) - cast(func.strftime("%s", earlier), Integer),
                            **kw)


@compiles(seconds_between, "mysql")
@compiles(seconds_between, "mariadb")
def _seconds_mysql(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return compiler.process(func.timestampdiff(text("SECOND"), earlier, later), **kw)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _int(value) -> int:
    return int(value or 0)


# ------------------------------------------------------------------------------------------------- figures

def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage, half-up to 0.1; None without a denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(TENTH, rounding=ROUND_HALF_UP)


def average_minutes(seconds: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(seconds) / Decimal(count * 60)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class KpiRow:
    """The counts of one row (the office, a department or a person) and the rates made from them."""

    key: object = None
    name: str = ""
    # repairs
    repairs_opened: int = 0
    repairs_cancelled: int = 0
    repairs_overdue: int = 0
    repairs_finished: int = 0
    repairs_on_time: int = 0
    arrive_count: int = 0
    arrive_seconds: int = 0
    finish_seconds: int = 0
    repairs_called_back: int = 0
    very_satisfied: int = 0
    satisfied: int = 0
    fair: int = 0
    unsatisfied: int = 0
    # complaints
    complaints_received: int = 0
    complaints_withdrawn: int = 0
    responded_on_time: int = 0
    responded_late: int = 0
    complaints_resolved: int = 0
    complaints_replied: int = 0
    complaints_called_back: int = 0

    def add(self, other: "KpiRow") -> None:
        for f in fields(self):
            if f.name not in ("key", "name"):
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    # repairs
    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.repairs_on_time, self.repairs_finished)

    @property
    def avg_arrive_minutes(self) -> Decimal | None:
        return average_minutes(self.arrive_seconds, self.arrive_count)

    @property
    def avg_finish_minutes(self) -> Decimal | None:
        return average_minutes(self.finish_seconds, self.repairs_finished)

    @property
    def repair_callback_rate(self) -> Decimal | None:
        return rate(self.repairs_called_back, self.repairs_finished)

    @property
    def callbacks(self) -> int:
        return self.very_satisfied + self.satisfied + self.fair + self.unsatisfied

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.very_satisfied + self.satisfied, self.callbacks)

    # complaints
    @property
    def response_pending(self) -> int:
        return self.complaints_received - self.responded_on_time - self.responded_late

    @property
    def response_rate(self) -> Decimal | None:
        return rate(self.responded_on_time, self.responded_on_time + self.responded_late)

    @property
    def resolution_rate(self) -> Decimal | None:
        return rate(self.complaints_resolved, self.complaints_received - self.complaints_withdrawn)

    @property
    def complaint_callback_rate(self) -> Decimal | None:
        return rate(self.complaints_called_back, self.complaints_replied)


# (attribute of KpiRow, label, kind): kind "count", "rate" (percent) or "minutes"
REPAIR_COLUMNS = [
    ("repairs_opened", _l("Repairs opened"), "count"),
    ("repairs_cancelled", _l("Repairs cancelled"), "count"),
    ("repairs_overdue", _l("Repairs overdue"), "count"),
    ("repairs_finished", _l("Repairs finished"), "count"),
    ("repairs_on_time", _l("Finished on time"), "count"),
    ("on_time_rate", _l("On-time rate (%)"), "rate"),
    ("avg_arrive_minutes", _l("Average minutes to arrive"), "minutes"),
    ("avg_finish_minutes", _l("Average minutes to finish"), "minutes"),
    ("repairs_called_back", _l("Finished and called back"), "count"),
    ("repair_callback_rate", _l("Repair callback rate (%)"), "rate"),
    ("callbacks", _l("Callbacks made"), "count"),
    ("satisfaction_rate", _l("Satisfaction rate (%)"), "rate"),
]
SATISFACTION_COLUMNS = [(code, SATISFACTION[code], "count") for code in SATISFACTION]
COMPLAINT_COLUMNS = [
    ("complaints_received", _l("Complaints received"), "count"),
    ("complaints_withdrawn", _l("Complaints withdrawn"), "count"),
    ("responded_on_time", _l("Responded on time"), "count"),
    ("responded_late", _l("Responded late"), "count"),
    ("response_pending", _l("Response not yet due"), "count"),
    ("response_rate", _l("Response timeliness (%)"), "rate"),
    ("complaints_resolved", _l("Complaints resolved"), "count"),
    ("resolution_rate", _l("Resolution rate (%)"), "rate"),
    ("complaints_replied", _l("Complaints replied"), "count"),
    ("complaint_callback_rate", _l("Complaint callback rate (%)"), "rate"),
]
# the office sheet shows the satisfaction of the callbacks level by level, after "callbacks made"
OFFICE_REPAIR_COLUMNS = REPAIR_COLUMNS[:11] + SATISFACTION_COLUMNS + REPAIR_COLUMNS[11:]
TABLE_COLUMNS = REPAIR_COLUMNS + COMPLAINT_COLUMNS
RESPONSE_TARGET = Decimal("100.0")


def display(value) -> str:
    """A figure as shown on the page: "—" for None."""
    return NONE_SHOWN if value is None else str(value)


# ------------------------------------------------------------------------------------------------- the month

def _in(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def _repairs(start, end, now, community_id) -> dict:
    """{assignee id or None: KpiRow with the repair counts}."""
    W = WorkOrder
    rows: dict = {}

    def row(key) -> KpiRow:
        return rows.setdefault(key, KpiRow(key=key))

    def scoped(stmt):
        return stmt.where(W.community_id == community_id) if community_id is not None else stmt

    overdue = and_(W.finish_due.is_not(None),
                   or_(and_(W.finished_at.is_not(None), W.finished_at > W.finish_due),
                       and_(W.state.in_(OPEN_ORDER_STATES), W.finish_due < now)))
    opened = scoped(select(W.assignee_id, func.count(), _count_if(W.state == "cancelled"), _count_if(overdue))
                    .where(_in(W.reported_at, start, end)).group_by(W.assignee_id))
    for assignee, n, cancelled, late in db.session.execute(opened):
        r = row(assignee)
        r.repairs_opened, r.repairs_cancelled, r.repairs_overdue = _int(n), _int(cancelled), _int(late)

    on_time = or_(W.finish_due.is_(None), W.finished_at <= W.finish_due)
    called_back = and_(W.callback_at.is_not(None), W.callback_at >= W.finished_at)
    finished = scoped(select(W.assignee_id, func.count(), _count_if(on_time), func.count(W.arrived_at),
                             func.sum(seconds_between(W.arrived_at, W.reported_at)),
                             func.sum(seconds_between(W.finished_at, W.reported_at)), _count_if(called_back))
                      .where(_in(W.finished_at, start, end)).group_by(W.assignee_id))
    for assignee, n, in_time, arrived, arrive_s, finish_s, backs in db.session.execute(finished):
        r = row(assignee)
        r.repairs_finished, r.repairs_on_time, r.arrive_count = _int(n), _int(in_time), _int(arrived)
        r.arrive_seconds, r.finish_seconds, r.repairs_called_back = _int(arrive_s), _int(finish_s), _int(backs)

    # callbacks that closed an order: one per order (closed is final), its satisfaction on the order
    closing = scoped(select(W.assignee_id, W.satisfaction, func.count())
                     .where(W.state == "closed", _in(W.callback_at, start, end))
                     .group_by(W.assignee_id, W.satisfaction))
    for assignee, level, n in db.session.execute(closing):
        if level in SATISFACTION and level != "unsatisfied":
            r = row(assignee)
            setattr(r, level, getattr(r, level) + _int(n))
    # unsatisfied callbacks: each reopened the order and left a history line
    E = WorkOrderEvent
    reopened = scoped(select(W.assignee_id, func.count()).select_from(E).join(W, W.id == E.order_id)
                      .where(E.action == "reopen", _in(E.at, start, end)).group_by(W.assignee_id))
    for assignee, n in db.session.execute(reopened):
        row(assignee).unsatisfied += _int(n)
    return rows


def _complaints(start, end, now, community_id) -> dict:
    """{(department, responsible id): KpiRow with the complaint counts}."""
    C = Complaint
    responded_on_time = and_(C.responded_at.is_not(None), or_(C.respond_due.is_(None), C.responded_at <= C.respond_due))
    stopped_at = func.coalesce(C.closed_at, now)  # a withdrawn complaint's clock stops when it was withdrawn
    responded_late = and_(C.respond_due.is_not(None),
                          or_(and_(C.responded_at.is_not(None), C.responded_at > C.respond_due),
                              and_(C.responded_at.is_(None), C.respond_due < stopped_at)))
    called_back = and_(C.replied_at.is_not(None), C.callback_at.is_not(None), C.callback_at >= C.replied_at)
    stmt = (select(C.department, C.responsible_id, func.count(), _count_if(C.state == "withdrawn"),
                   _count_if(responded_on_time), _count_if(responded_late),
                   _count_if(and_(C.state == "closed", C.acceptance == "accepted")),
                   _count_if(C.replied_at.is_not(None)), _count_if(called_back))
            .where(_in(C.received_at, start, end)).group_by(C.department, C.responsible_id))
    if community_id is not None:
        stmt = stmt.where(C.community_id == community_id)
    rows: dict = {}
    for department, person, n, withdrawn, on_time, late, resolved, replied, backs in db.session.execute(stmt):
        key = (department or DEFAULT_COMPLAINT_DEPARTMENT, person)
        r = rows.setdefault(key, KpiRow())
        r.add(KpiRow(complaints_received=_int(n), complaints_withdrawn=_int(withdrawn),
                     responded_on_time=_int(on_time), responded_late=_int(late), complaints_resolved=_int(resolved),
                     complaints_replied=_int(replied), complaints_called_back=_int(backs)))
    return rows


def _user_names(ids) -> dict:
    from flask_appbuilder.security.sqla.models import User

    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    out = {}
    for uid, first, last, username in db.session.execute(
            select(User.id, User.first_name, User.last_name, User.username).where(User.id.in_(ids))):
        out[uid] = f"{first or ''} {last or ''}".strip() or username
    return out


def service_kpis(year: int, month: int, community_id: int | None = None, now: datetime | None = None) -> dict:
    """The month's KPIs: {"year", "month", "start", "end", "now", "community_id", "community" (its name or None),
    "office": KpiRow, "departments": [KpiRow], "persons": [KpiRow]}. See the module docstring."""
    start, end = month_window(year, month)
    now = clock.or_now(now)
    repairs = _repairs(start, end, now, community_id)
    complaints = _complaints(start, end, now, community_id)

    persons: dict = {}
    for assignee, r in repairs.items():
        persons.setdefault(assignee, KpiRow(key=assignee)).add(r)
    departments = {code: KpiRow(key=code, name=str(label)) for code, label in DEPARTMENTS.items()}
    for r in repairs.values():
        departments[REPAIR_DEPARTMENT].add(r)
    for (department, person), r in complaints.items():
        persons.setdefault(person, KpiRow(key=person)).add(r)
        departments.setdefault(department, KpiRow(key=department, name=department)).add(r)

    names = _user_names(persons)
    for key, r in persons.items():
        r.name = names.get(key) or (str(gettext("Not assigned")) if key is None else f"#{key}")
    person_rows = sorted(persons.values(), key=lambda r: (r.key is None, r.name, r.key or 0))

    office = KpiRow(key="office", name=gettext("Whole office"))
    for r in persons.values():
        office.add(r)
    community = db.session.get(Community, community_id) if community_id is not None else None
    return {
        "year": year, "month": month, "start": start, "end": end, "now": now,
        "community_id": community_id, "community": community.name if community is not None else None,
        "office": office, "departments": list(departments.values()), "persons": person_rows,
    }


# ------------------------------------------------------------------------------------------------- Excel

def _cell(value):
    return NONE_SHOWN if value is None else value


def kpi_workbook(kpis: dict) -> bytes:
    """The KPIs as .xlsx: sheets 全处 (indicator, value), 部门 and 个人 (one row each, one column per figure)."""
    from openpyxl import load_workbook

    from app.core.excel import Sheet, write_workbook

    office = kpis["office"]
    month = f"{kpis['year']:04d}-{kpis['month']:02d}"
    office_rows = [
        [gettext("Month"), month],
        [gettext("Community"), kpis.get("community") or gettext("All communities")],
        [gettext("Figures as of"), kpis["now"]],
    ]
    for attr, label, _kind in OFFICE_REPAIR_COLUMNS + COMPLAINT_COLUMNS:
        office_rows.append([str(label), _cell(getattr(office, attr))])
    headers = [str(label) for _a, label, _k in TABLE_COLUMNS]

    def table(rows):
        return [[r.name] + [_cell(getattr(r, attr)) for attr, _l2, _k in TABLE_COLUMNS] for r in rows]

    data = write_workbook([
        Sheet(title=gettext("Whole office"), headers=[gettext("Indicator"), gettext("Value")], rows=office_rows),
        Sheet(title=gettext("By department"), headers=[gettext("Department")] + headers,
              rows=table(kpis["departments"])),
        Sheet(title=gettext("By person"), headers=[gettext("Staff member")] + headers, rows=table(kpis["persons"])),
    ])
    # rates and minutes have one decimal, not the two of money
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) \
                        and cell.number_format == "0.00":
                    cell.number_format = "0.0"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
