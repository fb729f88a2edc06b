"""The service desk's rules, in one namespace: `from app.service.services import X` and `services.X` keep
working for the views, the API, the CLI, the demo and the tests.

The rules themselves live one record or one job to a module:
- app.service.labels: the field and state labels;
- app.service.common: the role sets and the checks the records share (house, community, phone, work log link);
- app.service.numbers: the BX/TS numbers of work orders and complaints;
- app.service.deadlines: the time limits (时限); app.service.overdue: what is past them;
- app.service.worklog: the work log (物业部工作日志) and the day's log page;
- app.service.orders: the 报修 work order state machine; app.service.materials: the materials list;
- app.service.complaints: the 投诉 state machine;
- app.service.consultations: 咨询/建议; app.service.special_services: 专项/特约服务;
- app.service.intake: the desk taking one contact and opening its record.

Each state machine is one declared table (from state, action, to state, roles allowed). Every change of
state goes through `transition()` (work orders) or `complaint_transition()` (complaints): they check the
table, the role and the action's data, write the history row and flush. Two staff acting on the same
record at the same moment: the version column makes exactly one win; the other gets ConcurrentChange.
No request, no Flask globals here: views, the API and the CLI pass an `Actor`.
Code that replaces one of these names (a test's monkeypatch) must replace it in its own module: the others
call it there, not through this namespace.
"""
from __future__ import annotations

from app.core.rules import Actor, ConcurrentChange, RuleViolation
from app.service.common import DESK, FIELD, MANAGERS, TEXT_LIMIT
from app.service.complaints import (COMPLAINT_ACTIONS, COMPLAINT_TRANSITIONS, OPEN_COMPLAINT_STATES,
                                    check_complaint, complaint_actions, complaint_rule, complaint_transition,
                                    create_complaint, open_major_complaints, prepare_complaint)
from app.service.consultations import check_consultation, prepare_consultation
from app.service.deadlines import DEFAULT_DEADLINES, check_deadline, deadline_minutes
from app.service.intake import INTAKE_KINDS, convert_contact, find_house, intake
from app.service.labels import LABELS, state_labels
from app.service.materials import check_material
from app.service.orders import (NOTE_REQUIRED, OPEN_ORDER_STATES, ORDER_ACTIONS, ORDER_TRANSITIONS, callback,
                                check_order, create_order, desk_counts, engineers, my_orders, order_actions,
                                order_rule, prepare_order, transition)
from app.service.overdue import (complaint_overdue, count_overdue_orders, missed_deadline, order_overdue,
                                 overdue_complaint_clause, overdue_complaints, overdue_order_clause,
                                 overdue_orders)
from app.service.special_services import (check_service_request, check_special_service, prepare_service_request,
                                          promote_to_catalog)
from app.service.worklog import check_contact, contact_defaults, daily_log, log_contact, prepare_contact

__all__ = [
    "Actor", "ConcurrentChange", "RuleViolation",
    "DESK", "FIELD", "MANAGERS", "TEXT_LIMIT",
    "COMPLAINT_ACTIONS", "COMPLAINT_TRANSITIONS", "OPEN_COMPLAINT_STATES", "check_complaint", "complaint_actions",
    "complaint_rule", "complaint_transition", "create_complaint", "open_major_complaints", "prepare_complaint",
    "check_consultation", "prepare_consultation",
    "DEFAULT_DEADLINES", "check_deadline", "deadline_minutes",
    "INTAKE_KINDS", "convert_contact", "find_house", "intake",
    "LABELS", "state_labels",
    "check_material",
    "NOTE_REQUIRED", "OPEN_ORDER_STATES", "ORDER_ACTIONS", "ORDER_TRANSITIONS", "callback", "check_order",
    "create_order", "desk_counts", "engineers", "my_orders", "order_actions", "order_rule", "prepare_order",
    "transition",
    "complaint_overdue", "count_overdue_orders", "missed_deadline", "order_overdue", "overdue_complaint_clause",
    "overdue_complaints", "overdue_order_clause", "overdue_orders",
    "check_service_request", "check_special_service", "prepare_service_request", "promote_to_catalog",
    "check_contact", "contact_defaults", "daily_log", "log_contact", "prepare_contact",
]
