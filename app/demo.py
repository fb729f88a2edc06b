"""The demo, part by part: what `flask pm demo` loads, in order, and how to tell that a part is there.

Every part builds its past relative to one moment (`now`, default the present): no record later than it.
`load(..., missing_only=True)` loads only the parts not yet in the database, so that a second `make run`
completes a demo whose part failed instead of skipping it; a part that fails is rolled back and reported,
and the parts after it are still tried."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import select

from app.core import clock
from app.extensions import db


@dataclass(frozen=True)
class Part:
    name: str  # what it is, for the report
    load: Callable[[datetime, int], dict]  # (now, households) -> counts; commits
    loaded: Callable[[], bool]


def _exists(model) -> Callable[[], bool]:
    return lambda: db.session.scalar(select(model.id).limit(1)) is not None


def _parts() -> list[Part]:
    from app.billing.demo import load_billing_demo
    from app.billing.models import FeeItem
    from app.community.models import SurveyTemplate, ZoneBuilding
    from app.community.survey_demo import load_survey_demo
    from app.community.visit_demo import load_visit_demo
    from app.estate.demo import has_estate_data, load_demo
    from app.service.demo import load_service_demo
    from app.service.models import Material

    return [
        Part("the demo estate (houses, owners, residents, vehicles)",
             lambda now, households: load_demo(households), has_estate_data),
        Part("the service desk's last two weeks", lambda now, households: load_service_demo(now=now),
             _exists(Material)),
        Part("three months of bills and payments", lambda now, households: load_billing_demo(now=now),
             _exists(FeeItem)),
        Part("last month's and this month's client visits", lambda now, households: load_visit_demo(now=now),
             _exists(ZoneBuilding)),
        Part("two half-yearly satisfaction surveys", lambda now, households: load_survey_demo(now=now),
             _exists(SurveyTemplate)),
    ]


def parts() -> list[Part]:
    return _parts()


def load(households: int, missing_only: bool, report: Callable[[str], None],
         now: datetime | None = None) -> list[str]:
    """Load the demo's parts (only the missing ones when `missing_only`); returns the names of the parts that
    failed, each reported with its reason."""
    now = clock.or_now(now)
    failed = []
    for part in _parts():
        if missing_only and part.loaded():
            report(f"Already loaded: {part.name}.")
            continue
        report(f"Loading {part.name}...")
        try:
            made = part.load(now, households)
        except Exception as exc:  # noqa: BLE001 - a failed part is reported, the others still load
            db.session.rollback()
            failed.append(part.name)
            report(f"NOT LOADED: {part.name}: {exc}")
            continue
        report("  " + ", ".join(f"{k}: {v}" for k, v in made.items()))
    _bill_waiting_charges(report)
    return failed


def _bill_waiting_charges(report: Callable[[str], None]) -> None:
    """A demo loaded before the counter billed a repair at its completion keeps its 有偿维修 charges waiting
    ("open"): they are billed now, once (idempotent: a charge has one bill at most)."""
    from app.billing.charges import collect_service_charges

    made = collect_service_charges()
    db.session.commit()
    if made:
        report(f"Billed {made} paid-repair charges that were waiting for the counter.")


# columns whose value may be later than now
AHEAD = {"respond_due", "resolve_due", "arrive_due", "finish_due", "due_date", "promised_on", "lease_end",
         "ends_on", "ends_at", "starts_at", "starts_on", "scheduled_for", "locked_until", "expires_on"}

# (what, a count of the records dated before the record they belong to)
ORDER_CHECKS = [
    ("payments before the bills they pay",
     "SELECT count(*) FROM billing_payment_line pl JOIN billing_payment p ON p.id = pl.payment_id "
     "JOIN billing_line l ON l.id = pl.bill_line_id WHERE p.paid_at < l.created_at"),
    ("work order steps before the order was reported",
     "SELECT count(*) FROM service_work_order_event e JOIN service_work_order o ON o.id = e.order_id "
     "WHERE e.at < o.reported_at"),
    ("complaint steps before the complaint was received",
     "SELECT count(*) FROM service_complaint_event e JOIN service_complaint c ON c.id = e.complaint_id "
     "WHERE e.at < c.received_at"),
    ("survey forms before their survey was opened",
     "SELECT count(*) FROM community_survey_response r JOIN community_survey_campaign c ON c.id = r.campaign_id "
     "WHERE r.entered_at < c.created_at"),
    ("surveys opened before their questionnaire was approved",
     "SELECT count(*) FROM community_survey_campaign c JOIN community_survey_template t ON t.id = c.template_id "
     "WHERE c.created_at < t.approved_at"),
    ("bills made before the meter readings they bill",
     "SELECT count(*) FROM billing_meter_reading r JOIN billing_meter m ON m.id = r.meter_id "
     "JOIN billing_line l ON l.period = r.period AND l.house_id = m.house_id WHERE l.fee_item_id IN (SELECT id FROM billing_fee_item WHERE method = 'meter') "
     "AND l.created_at < r.read_at"),
]



def problems(now: datetime | None = None) -> list[str]:
    """What is wrong with the demo in the database as of `now` (default: the present): a part missing, a record
    of something that happened dated later than now, a record dated before what it belongs to. Dates that lie
    ahead by their nature (due dates, deadlines, promises, leases, the end of a survey) are not checked."""
    from flask_appbuilder import Model

    now = clock.or_now(now)
    found = [f"demo part missing: {part.name}" for part in _parts() if not part.loaded()]
    for table in Model.metadata.sorted_tables:
        if table.name.startswith("ab_"):  # FAB's own bookkeeping (logins made or changed), not the demo's records
            continue
        for col in table.columns:
            if col.name in AHEAD or not isinstance(col.type, (sa.DateTime, sa.Date)):
                continue
            latest = db.session.scalar(sa.select(sa.func.max(col)))
            if latest is None:
                continue
            limit = now.replace(microsecond=999999) if isinstance(col.type, sa.DateTime) else now.date()
            if isinstance(latest, str):  # SQLite returns text for max() of a date column
                latest = (datetime if isinstance(col.type, sa.DateTime) else date).fromisoformat(latest)
            if latest > limit:
                found.append(f"{table.name}.{col.name}: {latest} is later than now ({now})")
    for what, sql in ORDER_CHECKS:
        n = db.session.scalar(sa.text(sql))
        if n:
            found.append(f"{n} records dated before what they belong to: {what}")
    return found
