"""走访: coverage and report figures against a small data set computed by hand, zone history, linked records.

The data set (翠湖花园 of the `estate` fixture; today 2026-11-20):
  houses  1号楼: 1-1-0101 (owner), 1-1-0102 (owner), 1-1-0201 (no owner), 1-2-0101 (owner, but vacant)
          2号楼: 2-1-0301 (owner)
  households (自住/出租 with an owner) → 1号楼 2 (1-1-0101, 1-1-0102), 2号楼 1 (2-1-0301): 3 in all.
  zones   from 2026-10-01: 客服 (A) has 1号楼, 助理乙 (B) has 2号楼;
          from 2026-11-10: 2号楼 moves to A (A: 1号楼 + 2号楼, B: none).
  visits  October: A 1-1-0101 door 10-05 (issue 维修 → repair), A 1-1-0101 phone 10-20, A 1-2-0101 door 10-06
          (vacant: a visit, not a household), B 2-1-0301 phone 10-08 (other need 快递柜).
          November: A 2-1-0301 door 11-12 (issues 建议 → suggestion, 环境卫生 noted).
October (past month, zones of 10-31): A 1 of 2 households = 50.0%, behind (a past month needs 100%), visits 3
  (door 2, phone 1); B 1 of 1 = 100.0%, on track, visits 1 (phone); office 2 of 3 = 66.7%, visits 4 (door 2,
  phone 2); issues 1 (维修, open).
November (zones of 11-20, 20 of 30 days = 66.7% elapsed): A 1 of 3 = 33.3% → behind; office 1 of 3 = 33.3%.
"""
from decimal import Decimal

from tests.community.visit_fixtures import TODAY, visit_data

FIXTURES = (visit_data,)  # pytest finds the fixture by its name in this module


def _zone(data, assistant_id):
    return next(z for z in data["zones"] if z["assistant_id"] == assistant_id)


def test_october_figures_by_hand(app, visit_data):
    from app.community import visits
    from tests.community.conftest import within

    def work():
        return visits.report(visit_data["community"], 2026, 10, today=TODAY)

    data = within(app, work)
    a, b = _zone(data, visit_data["a"]), _zone(data, visit_data["b"])
    assert (a["households"], a["visited"], a["coverage"], a["behind"]) == (2, 1, Decimal("50.0"), True)
    assert (a["door"], a["phone"], a["visits"]) == (2, 1, 3)
    assert (b["households"], b["visited"], b["coverage"], b["behind"]) == (1, 1, Decimal("100.0"), False)
    assert (data["households"], data["visited"], data["coverage"]) == (3, 2, Decimal("66.7"))
    assert (data["visits"], data["door"], data["phone"]) == (4, 2, 2)
    assert [(c["key"], c["total"], c["open"]) for c in data["categories"]] == [("repair", 1, 1)]
    assert data["needs"][0]["text"] == "希望增设快递柜，电话139****5678"  # personal data masked


def test_a_zone_change_leaves_the_past_month_as_it_was(app, visit_data):
    from app.community import visits
    from tests.community.conftest import within

    def work():
        return visits.report(visit_data["community"], 2026, 10, today=TODAY)

    after = within(app, work)
    before = visit_data["october_before"]
    keys = ("assistant_id", "households", "visited", "coverage", "behind", "building_names")
    assert [{k: z[k] for k in keys} for z in after["zones"]] == [{k: z[k] for k in keys} for z in before["zones"]]


def test_november_reads_the_new_zones_and_the_elapsed_share(app, visit_data):
    from app.community import visits
    from tests.community.conftest import within

    cov = within(app, lambda: visits.coverage(visit_data["community"], 2026, 11, today=TODAY))
    assert [z["assistant_id"] for z in cov["zones"]] == [visit_data["a"]]  # B has no zone since 11-10
    a = cov["zones"][0]
    assert (a["households"], a["visited"], a["coverage"], a["behind"]) == (3, 1, Decimal("33.3"), True)
    assert cov["share_percent"] == Decimal("66.7")


def test_a_visit_issue_opens_a_linked_repair_and_shows_its_state(app, visit_data):
    from app.community.models import Visit
    from app.community.visits import issue_link
    from app.extensions import db
    from app.service import services as desk
    from app.security import roles
    from tests.community.conftest import within
    from tests.conftest import actor

    def work():
        visit = db.session.get(Visit, visit_data["first_visit"])
        issue = visit.issues[0]
        order = issue.work_order
        link = issue_link(issue)
        assert order is not None and order.contact.kind == "repair" and order.contact.channel == "walk"
        assert order.house_id == visit.house_id and order.description == "卫生间漏水"
        assert (link["no"], link["state"]) == (order.order_no, "open")
        desk.transition(order.id, "cancel", actor(app, roles.MANAGER), note="业主自行修好")
        db.session.commit()
        return issue_link(db.session.get(Visit, visit_data["first_visit"]).issues[0])["state"]

    assert within(app, work) == "closed"


def test_a_suggestion_becomes_a_consultation_of_kind_suggestion(app, visit_data):
    from app.community.models import Visit
    from app.extensions import db
    from tests.community.conftest import within

    def work():
        issues = db.session.get(Visit, visit_data["nov_visit"]).issues
        return [(i.outcome, i.consultation.kind if i.consultation else None, i.contact_id is not None)
                for i in issues]

    assert within(app, work) == [("suggestion", "suggestion", True), ("noted", None, False)]
