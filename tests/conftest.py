"""One app and one database per test session; business tables emptied after each test.

The database is SQLite in a temporary folder unless TEST_DATABASE_URL (or
DATABASE_URL) points at PostgreSQL, as .ci/run does for the second pass.
"""
import os
import re
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import create_engine, delete, make_url, select, text

os.environ.setdefault("PM_SKIP_PDF_CHECK", "1")

PASSWORD = "Test-Pass-2026"


def _database_url(tmp_path_factory) -> str:
    from config import database_url

    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return _worker_database(database_url(url))
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def _worker_database(url: str) -> str:
    """Under pytest-xdist (`-n 2`) each worker has a PostgreSQL database of its own beside the given one
    (pm_test_gw0, pm_test_gw1…), created on first use; without workers the given database itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or parsed.get_backend_name() != "postgresql":
        return url
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _reset_database(app) -> None:
    """Empty the database (PostgreSQL: drop its public schema) so migrations start from nothing."""
    from app.extensions import db

    with app.app_context():
        if db.engine.url.get_backend_name() == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            from flask_appbuilder import Model

            Model.metadata.drop_all(db.engine)
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app
    from app.security import roles
    from app.security.services import apply_matrix, create_user

    url = _database_url(tmp_path_factory)
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url,
                     FUND_PAPER_FOLDER=str(tmp_path_factory.mktemp("fund_papers")))
    _reset_database(app)
    with app.app_context():
        upgrade()
        apply_matrix(app.appbuilder)
        for role in roles.ROLES:
            create_user(app.appbuilder, role_user(role), PASSWORD, [role], first_name=role)
    yield app


def role_user(role: str) -> str:
    """The test login of a role: its name in ASCII."""
    from app.security import roles

    return "u_" + str(roles.ROLES.index(role))


@pytest.fixture(autouse=True)
def _clean_tables(app):
    yield
    from app.billing.models import (AccountEntry, BillingRun, BillLine, FeeItem, FeeItemBuilding, FundAccount,
                                    FundApplication, FundApplicationEvent, FundEntry, FundPaper, FundResolution,
                                    HouseAccount, Meter, MeterHouse,
                                    MeterReading, Payment, PaymentLine, PublicEntry, ReceiptBook, ReceiptSequence,
                                    ReceiptSheet, Reminder)
    from app.community.models import (Activity, ActivityPhoto, Announcement, AnnouncementArrears,
                                      AnnouncementEvent, SurveyAnswer, SurveyCampaign, SurveyOption, SurveyQuestion,
                                      SurveyResponse, SurveyTemplate, SurveyTemplateEvent, Visit, VisitIssue,
                                      VisitSummary, ZoneBuilding, announcement_building)
    from app.core.models import AuditLog, Correction
    from app.estate.models import (AccessCard, Building, Community, House, MoveRecord, Owner, Ownership,
                                   ParkingSpace, Resident, Unit, Vehicle)
    from app.extensions import db
    from app.security.models import LoginAddress, LoginThrottle
    from app.service.models import (Complaint, ComplaintEvent, Consultation, Contact, Material, ServiceCharge,
                                    ServiceRequest, SpecialService, WorkOrder, WorkOrderEvent, WorkOrderMaterial)

    with app.app_context():
        db.session.rollback()
        for model in (SurveyAnswer, SurveyResponse, SurveyCampaign, SurveyOption, SurveyQuestion, SurveyTemplateEvent,
                      SurveyTemplate, VisitIssue, Visit, VisitSummary, ZoneBuilding, AnnouncementArrears,
                      AnnouncementEvent, announcement_building, Announcement, ActivityPhoto, Activity, ReceiptSheet,
                      ReceiptBook, FundEntry, FundResolution, FundPaper, FundApplicationEvent, FundApplication,
                      FundAccount, PublicEntry, Reminder,
                      AccountEntry, PaymentLine, BillLine, Payment, HouseAccount, ReceiptSequence, BillingRun,
                      FeeItemBuilding, FeeItem, MeterReading, MeterHouse, Meter,
                      WorkOrderMaterial, WorkOrderEvent, WorkOrder, ComplaintEvent, Complaint, Consultation,
                      ServiceRequest, SpecialService, Contact, Material, ServiceCharge,
                      MoveRecord, AccessCard, Vehicle, Resident, Ownership, Owner, ParkingSpace, House, Unit,
                      Building, Community, AuditLog, Correction, LoginThrottle, LoginAddress):
            db.session.execute(delete(model))
        db.session.commit()


@pytest.fixture(autouse=True)
def _moment(request):
    """`@pytest.mark.moment("2026-11-20 10:00")` (on a test, or `pytestmark` of a module): the test and its
    fixtures run at that moment (time-machine; the clock ticks on from there). Tests without it run at whatever
    moment the machine has and must not depend on it."""
    marker = request.node.get_closest_marker("moment")
    if marker is None:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(marker.args[0]), tick=True):
        yield


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username, password=PASSWORD):
    return client.post("/login/", data={"username": username, "password": password}, follow_redirects=False)


@pytest.fixture
def login_as(app):
    """login_as(role) -> a test client logged in as that role's user."""

    def _login(role):
        c = app.test_client()
        resp = login(c, role_user(role))
        assert resp.status_code == 302, resp.data[:300]
        return c

    return _login


@pytest.fixture
def admin(login_as):
    from app.security.roles import ADMIN

    return login_as(ADMIN)


@pytest.fixture
def estate(app):
    """A small estate: one community, two buildings, three units, a few houses, two parking spaces."""
    from decimal import Decimal

    from app.core.audit import set_cli_actor
    from app.estate.models import Building, Community, House, ParkingSpace, Unit
    from app.estate.services import prepare
    from app.extensions import db

    with app.app_context():
        set_cli_actor("test")
        c = Community(name="翠湖花园", code="C001", address="建设路1号")
        other = Community(name="锦绣华庭", code="C002")
        db.session.add_all([c, other])
        db.session.flush()
        b1 = Building(community=c, code="1", name="1号楼", floors=6)
        b2 = Building(community=c, code="2", name="2号楼", floors=6)
        ob = Building(community=other, code="1", name="1号楼", floors=6)
        db.session.add_all([b1, b2, ob])
        db.session.flush()
        u11 = Unit(building=b1, code="1", name="1单元")
        u12 = Unit(building=b1, code="2", name="2单元")
        u21 = Unit(building=b2, code="1", name="1单元")
        ou = Unit(building=ob, code="1", name="1单元")
        db.session.add_all([u11, u12, u21, ou])
        db.session.flush()
        houses = []
        for unit, rooms in ((u11, ["0101", "0102", "0201"]), (u12, ["0101"]), (u21, ["0301"]), (ou, ["0101"])):
            for room in rooms:
                h = House(unit=unit, room_no=room, floor=int(room[:2]), building_area=Decimal("89.50"),
                          inner_area=Decimal("70.12"), layout="两室一厅", usage="residential", status="occupied")
                prepare(h)
                houses.append(h)
        db.session.add_all(houses)
        db.session.flush()
        p1 = ParkingSpace(community=c, code="B001", location="under", kind="owned", status="sold")
        db.session.add(p1)
        db.session.commit()
        ids = {
            "community": c.id, "other_community": other.id, "b1": b1.id, "b2": b2.id, "other_building": ob.id,
            "u11": u11.id, "u12": u12.id, "u21": u21.id, "other_unit": ou.id,
            "houses": [h.id for h in houses], "parking": p1.id,
        }
        set_cli_actor(None)
    return ids


@pytest.fixture
def fees(app, estate):
    """estate + 物业服务费 2.35 元/㎡·月 on the gross area, 停车费 150 元/位·月, 装修垃圾清运费 300 元 once;
    the parking space B001 belongs to the first house (1-1-0101)."""
    from decimal import Decimal

    from app.billing.models import FeeItem
    from app.core.audit import set_cli_actor
    from app.estate.models import ParkingSpace
    from app.extensions import db

    with app.app_context():
        set_cli_actor("test")
        c = estate["community"]
        wyf = FeeItem(community_id=c, code="WYF", name="物业服务费", method="area", area_basis="building_area",
                      unit_price=Decimal("2.3500"), cycle="monthly", due_days=30)
        tcf = FeeItem(community_id=c, code="TCF", name="停车费", method="per_space", unit_price=Decimal("150"),
                      cycle="monthly", due_days=30)
        lj = FeeItem(community_id=c, code="LJ", name="装修垃圾清运费", method="one_off", unit_price=Decimal("300"),
                     cycle="monthly", due_days=15, active=False)
        db.session.add_all([wyf, tcf, lj])
        space = db.session.get(ParkingSpace, estate["parking"])
        space.house_id = estate["houses"][0]
        db.session.commit()
        ids = dict(estate, wyf=wyf.id, tcf=tcf.id, lj=lj.id)
        set_cli_actor(None)
    return ids


def race(app, work, n=2):
    """Run `work(i)` in n threads, each in its own app context and session, started together; each commits.
    Returns per thread "ok" or the RuleViolation's message."""
    import threading

    from app.core.audit import set_cli_actor
    from app.core.rules import RuleViolation
    from app.extensions import db

    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def run(i):
        with app.app_context():
            set_cli_actor(f"thread{i}")
            try:
                barrier.wait(timeout=10)
                work(i)
                db.session.commit()
                outcomes[i] = "ok"
            except RuleViolation as exc:
                db.session.rollback()
                outcomes[i] = str(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def flashes(html: str) -> list[str]:
    return re.findall(r'class="alert[^"]*"[^>]*>(?:.|\n)*?</button>\s*(.*?)\s*</div>', html)


def resident_id(birth: str = "19850312", area: str = "330106", seq: str = "123") -> str:
    """A valid 居民身份证 number built here: area + birth date + sequence + computed check character."""
    from app.core.validators import resident_id_check_char

    body = area + birth + seq
    return body + resident_id_check_char(body)


def actor(app, role):
    """The service-layer Actor of a role's test user (call inside an app context)."""
    from app.service.services import Actor

    user = app.appbuilder.sm.find_user(username=role_user(role))
    return Actor.of(user)


def pay_first_bill_at_counter(app, fees, cashier) -> int:
    """Through the pages, as the cashier: make 2026-11's bills, pay the first house's first bill in cash;
    returns the payment's id."""
    from app.billing.models import BillLine
    from app.extensions import db

    cashier.post("/billing-run/", data={"community": str(fees["community"]), "period": "2026-11", "commit": "1"})
    with app.app_context():
        line = db.session.scalars(select(BillLine).where(BillLine.house_id == fees["houses"][0])
                                  .order_by(BillLine.id)).first()
        amount = f"{line.amount:.2f}"
    resp = cashier.post("/counter/pay", data={"house": fees["houses"][0], "lines": [line.id], "method": "cash",
                                              "amount": amount})
    assert resp.status_code == 302, resp.data[:300]
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])

