"""走访 bad input: each refused with a Chinese message, and nothing written (no visit, no issue, no work log entry,
no work order, no zone row)."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.security import roles
from tests.community.conftest import within
from tests.community.visit_fixtures import visit_data
from tests.conftest import actor

FIXTURES = (visit_data,)  # pytest finds the fixture by its name in this module
NOW = datetime(2026, 11, 20, 9, 30)


def _counts():
    from app.community.models import Visit, VisitIssue, ZoneBuilding
    from app.extensions import db
    from app.service.models import Contact, WorkOrder

    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Visit, VisitIssue, Contact, WorkOrder, ZoneBuilding))


def _refused(app, work) -> str:
    """Run work() expecting RuleViolation; roll back as the pages do; return the messages, checking that the
    counts of every table it could write did not change."""
    from app.core.rules import RuleViolation
    from app.extensions import db

    def run():
        before = _counts()
        with pytest.raises(RuleViolation) as info:
            work()
        db.session.rollback()
        assert _counts() == before
        return "；".join(str(m) for m in info.value.errors.values())

    return within(app, run)


def _values(data, **kw):
    values = {"community": data["community"], "visited_on": "2026-11-18", "house_no": "1-1-0101", "channel": "door",
              "issues": [{"category": "repair", "text": "门铃坏了", "outcome": "repair"}]}
    values.update(kw)
    return values


def _record(app, values, role=roles.SERVICE):
    from app.community import visits

    return lambda: visits.record_visit(values, actor(app, role), now=NOW)


def test_a_visit_in_the_future(app, visit_data):
    assert "走访日期不能晚于现在" in _refused(app, _record(app, _values(visit_data, visited_on="2026-11-21")))
    assert "走访日期须为日期" in _refused(app, _record(app, _values(visit_data, visited_on="11/18")))


def test_a_house_of_another_community(app, visit_data):
    from app.estate.models import House
    from app.extensions import db

    other = within(app, lambda: db.session.scalars(select(House.id).where(
        House.community_id == visit_data["other_community"])).first())
    message = _refused(app, _record(app, _values(visit_data, house_no="", house=other)))
    assert "不属于翠湖花园" in message
    assert "没有房屋 9-9-9999" in _refused(app, _record(app, _values(visit_data, house_no="9-9-9999")))


def test_an_issue_without_text_and_a_second_bad_issue_after_a_good_one(app, visit_data):
    message = _refused(app, _record(app, _values(visit_data, issues=[
        {"category": "repair", "text": "门铃坏了", "outcome": "repair"},
        {"category": "fees", "text": "  ", "outcome": "complaint"}])))
    assert "问题 2" in message and "请填写客户反映的内容" in message


def test_a_house_outside_the_assistants_zone_or_a_wrong_role(app, visit_data):
    # in October 2号楼 was 助理乙's zone, not 客服's
    message = _refused(app, _record(app, _values(visit_data, visited_on="2026-10-15", house_no="2-1-0301")))
    assert "不属于您的专责区" in message
    assert "只有物业助理和项目经理" in _refused(app, _record(app, _values(visit_data), role=roles.CASHIER))
    assert "只有物业助理和项目经理" in _refused(app, _record(app, _values(visit_data), role=roles.ENGINEER))


def test_a_building_in_two_zones_and_zones_by_a_non_manager(app, visit_data):
    from app.community import visits

    def manager():
        return actor(app, roles.MANAGER)

    message = _refused(app, lambda: visits.assign_zone(visit_data["community"], visit_data["b"],
                                                       [visit_data["b1"]], manager(), on=date(2026, 11, 20)))
    assert "一栋楼同一时间只能属于一个专责区" in message and "1号楼（客服）" in message
    message = _refused(app, lambda: visits.assign_zone(visit_data["community"], visit_data["b"], [],
                                                       actor(app, roles.SERVICE), on=date(2026, 11, 20)))
    assert "只能由项目经理分配" in message
    message = _refused(app, lambda: visits.assign_zone(visit_data["community"], visit_data["b"],
                                                       [visit_data["other_building"]], manager(),
                                                       on=date(2026, 11, 20)))
    assert "不属于翠湖花园" in message
    message = _refused(app, lambda: visits.assign_zone(visit_data["community"], visit_data["b"], [], manager(),
                                                       on=date(2026, 10, 15)))
    assert "不能早于该日生效" in message  # history is not rewritten


def test_the_form_shows_the_message_and_keeps_what_was_typed(app, login_as, visit_data):
    client = login_as(roles.SERVICE)
    before = within(app, _counts)
    resp = client.post("/visit-record/", data={"community": visit_data["community"], "visited_on": "2099-01-01",
                                               "house_no": "1-1-0101", "channel": "door", "issue_1_category": "repair",
                                               "issue_1_text": "门铃坏了", "issue_1_outcome": "repair"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "走访日期不能" in html and "门铃坏了" in html and "走访未保存" in html
    assert within(app, _counts) == before
