"""The 物业部工作日志 PDF as a reader sees it: no value runs into the next column, no header wraps a character
at a time."""
from datetime import datetime, timedelta

import pytest

from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from app.service import printing, services
from app.service.models import SpecialService
from tests.conftest import actor
from tests.pdf_layout import overlaps, words

T0 = datetime(2026, 11, 20, 9, 0, 0)


@pytest.fixture
def day(app, estate):
    """A day with a request for a special service (the longest 登记为), a repair reported, finished and called
    back and a complaint received, answered and accepted: every table of the log."""
    with app.test_request_context():
        set_cli_actor("test")
        desk, engineer = actor(app, roles.SERVICE), actor(app, roles.ENGINEER)
        cleaning = SpecialService(name="家电清洗", kind="special", price_unit="台")
        db.session.add(cleaning)
        db.session.flush()
        services.intake({"community": estate["community"], "house": estate["houses"][0], "channel": "online",
                         "person": "贺杰", "phone": "13100003070", "summary": "预约清洗两台挂式空调",
                         "kind": "service_request", "service": cleaning.id, "occurred_at": T0}, desk, now=T0)
        order = services.create_order({"house": estate["houses"][1], "scope": "private", "category": "water_power",
                                       "source": "phone", "urgency": "urgent", "description": "开关面板冒火花",
                                       "reporter_name": "郑敏雅", "reporter_phone": "17500005271"}, desk,
                                      now=T0 + timedelta(minutes=5))
        services.transition(order.id, "dispatch", desk, assignee_id=engineer.id, now=T0 + timedelta(minutes=10))
        services.transition(order.id, "arrive", engineer, now=T0 + timedelta(minutes=30))
        services.transition(order.id, "complete", engineer, now=T0 + timedelta(hours=2), result="更换开关面板",
                            labour_fee="50", materials=[])
        services.callback(order.id, desk, "satisfied", remark="修好了", now=T0 + timedelta(hours=4))
        complaint = services.create_complaint({"house": estate["houses"][2], "channel": "phone",
                                               "complainant": "何芳诺", "phone": "13100000915", "category": "repair",
                                               "severity": "normal", "content": "本单元电梯一周内两次停运"}, desk,
                                              now=T0 + timedelta(hours=3))
        for action, data in (("respond", {"department": "engineering", "note": "已转工程部"}),
                             ("reply", {"result": "已更换电梯门机板"}), ("accept", {"remark": "认可"})):
            services.complaint_transition(complaint.id, action, desk, now=T0 + timedelta(hours=5), **data)
        db.session.commit()
        yield services.daily_log(T0.date(), estate["community"])
        set_cli_actor(None)


def test_no_value_of_the_work_log_runs_into_its_neighbour(day):
    pdf = printing.daily_log_pdf(day)
    text = " ".join(w[4] for page in words(pdf) for w in page)
    assert "家电清洗" in text
    assert overlaps(pdf) == []


def test_the_headers_of_the_work_log_stay_on_one_line(day):
    pdf = printing.daily_log_pdf(day)
    flat = [w[4] for page in words(pdf) for w in page]
    for header in ("报修时间", "紧急程度", "完成时间", "受理时间", "维修人员", "首问责任人", "回访时间"):
        assert header in flat, header
