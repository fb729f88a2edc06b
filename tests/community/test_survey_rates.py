"""满意率 per question, department and building of a small fixed data set (tests/community/survey_data.py),
computed by hand, each against the previous campaign of the community."""
from decimal import Decimal

from tests.community.conftest import within

# H2 (second half of 2026), satisfied = 4 or 5 on the scale, 满意 or 基本满意 on question 3; blanks not counted:
#   Q1 客服 5,3,4,5,1 → 3 of 5 = 60.0%     H1: 5,4,2 → 2 of 3 = 66.7%   change −6.7
#   Q2 工程 4,5,(blank),1,4 → 3 of 4 = 75.0%   H1: 3,2,4 → 1 of 3 = 33.3%   change +41.7
#   Q3 环境 基本满意,满意,不满意,满意,(blank) → 3 of 4 = 75.0%   H1: 满意,不满意,(blank) → 1 of 2 = 50.0%  +25.0
#   1号楼 (0101: 5,4,基本 · 0102: 3,5,满意 · 0201: 4,不满意 · 1-2-0101: 5,1,满意) → 8 of 11 = 72.7%
#         H1 (0101: 5,3,满意 · 0102: 4,2,不满意) → 3 of 6 = 50.0%   change +22.7
#   2号楼 (1, 4) → 1 of 2 = 50.0%   H1 (2, 4) → 1 of 2 = 50.0%   change 0.0
#   all: 9 of 13 = 69.2%   H1: 4 of 8 = 50.0%   change +19.2;  5 households of 5 answered (100.0%)


def _results(app, campaign_id):
    from app.community import surveys

    def work():
        r = surveys.results(campaign_id)
        return {
            "questions": [(line.extra["position"], line.now.satisfied, line.now.answered, line.now.rate,
                           line.before.rate if line.before else None, line.change) for line in r["questions"]],
            "departments": {line.key: (line.now.satisfied, line.now.answered, line.now.rate, line.change)
                            for line in r["departments"]},
            "buildings": {line.label: (line.now.satisfied, line.now.answered, line.now.rate, line.change)
                          for line in r["buildings"]},
            "overall": (r["overall"].now.satisfied, r["overall"].now.answered, r["overall"].now.rate,
                        r["overall"].change),
            "responses": (r["responses"], r["households"], r["share"]),
            "previous": r["previous"].id if r["previous"] else None,
        }

    return within(app, work)


def test_rates_per_question_against_the_previous_campaign(app, surveyed):
    r = _results(app, surveyed["h2"])
    assert r["previous"] == surveyed["h1"]
    assert r["questions"] == [
        (1, 3, 5, Decimal("60.0"), Decimal("66.7"), Decimal("-6.7")),
        (2, 3, 4, Decimal("75.0"), Decimal("33.3"), Decimal("41.7")),
        (3, 3, 4, Decimal("75.0"), Decimal("50.0"), Decimal("25.0")),
    ]


def test_rates_per_department_building_and_overall(app, surveyed):
    r = _results(app, surveyed["h2"])
    assert r["departments"] == {"service": (3, 5, Decimal("60.0"), Decimal("-6.7")),
                                "engineering": (3, 4, Decimal("75.0"), Decimal("41.7")),
                                "environment": (3, 4, Decimal("75.0"), Decimal("25.0"))}
    assert r["buildings"] == {"1号楼": (8, 11, Decimal("72.7"), Decimal("22.7")),
                              "2号楼": (1, 2, Decimal("50.0"), Decimal("0.0"))}
    assert r["overall"] == (9, 13, Decimal("69.2"), Decimal("19.2"))
    assert r["responses"] == (5, 5, Decimal("100.0"))


def test_the_first_campaign_has_nothing_to_compare_with(app, surveyed):
    r = _results(app, surveyed["h1"])
    assert r["previous"] is None
    assert r["overall"] == (4, 8, Decimal("50.0"), None)
    assert r["buildings"]["1号楼"] == (3, 6, Decimal("50.0"), None)
    assert r["responses"] == (3, 5, Decimal("60.0"))


def test_department_rates_for_the_staff_assessment(app, surveyed):
    from app.community import surveys

    rates = within(app, lambda: {k: (v.satisfied, v.answered, v.rate)
                                 for k, v in surveys.department_rates(surveyed["h2"]).items()})
    # every department is there; those the questionnaire does not ask about have no rate
    assert rates == {"service": (3, 5, Decimal("60.0")), "engineering": (3, 4, Decimal("75.0")),
                     "order": (0, 0, None), "environment": (3, 4, Decimal("75.0")), "billing": (0, 0, None)}


def test_a_changed_question_is_not_compared(app, surveyed):
    """A copy of the questionnaire with question 1 reworded: the new wording has no previous rate."""
    from app.community import surveys
    from app.extensions import db
    from app.security import roles
    from tests.community.survey_data import NOW, actor_of, enter, open_campaign

    def work():
        manager = actor_of(app, roles.MANAGER)
        copy = surveys.copy_template(surveyed["template"], manager, now=NOW)
        first = copy.questions[0]
        surveys.remove_question(copy.id, first.id, manager, now=NOW)
        surveys.add_question(copy.id, {"department": "service", "kind": "scale", "text": "客服人员的服务态度"},
                             manager, now=NOW)
        surveys.transition(copy.id, "submit", manager, now=NOW)
        surveys.transition(copy.id, "approve", manager, now=NOW)
        h3 = open_campaign(app, surveyed["community"], copy.id, 2027, 1)
        enter(app, h3, {"1-1-0101": ("4", None, "5")})  # questions now: 1 报修, 2 清洁 (blank), 3 客服人员
        db.session.commit()
        return h3.id

    r = _results(app, within(app, work))
    assert r["previous"] == surveyed["h2"]
    # 报修 4 → 1 of 1 = 100.0 against 75.0; 清洁 blank: no rate, 75.0 before; 客服人员 (new wording): no previous
    assert [(q[0], q[3], q[4]) for q in r["questions"]] == [
        (1, Decimal("100.0"), Decimal("75.0")), (2, None, Decimal("75.0")), (3, Decimal("100.0"), None)]
