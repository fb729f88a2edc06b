"""What the survey modules share: the labels of the fields (on the pages, in the messages and as the workbook's
headers), who does what (the roles of each step) and the check of those roles."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.rules import Actor, RuleViolation
from app.security import roles

LABELS = {
    "name": _l("Name of the questionnaire"),
    "intro": _l("Introduction printed above the questions"),
    "state": _l("State"),
    "created_at": _l("Drafted at"),
    "created_by_name": _l("Drafted by"),
    "approved_at": _l("Approved at"),
    "approved_by_name": _l("Approved by"),
    "copied_from": _l("Drafted anew from"),
    "department": _l("Department"),
    "kind": _l("Kind of question"),
    "text": _l("Question"),
    "satisfied_options": _l("Options counted as satisfied (one a line)"),
    "other_options": _l("Other options (one a line)"),
    "community": _l("Community"),
    "template": _l("Questionnaire"),
    "year": _l("Year"),
    "half": _l("Half year"),
    "period_label": _l("Half year"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "closed_at": _l("Ended at"),
    "house": _l("House number"),
    "remark": _l("Remark"),
    "note": _l("Note"),
    "file": _l("Excel file (.xlsx)"),
    "campaign": _l("Satisfaction survey"),
    "source": _l("Entered from"),
    "entered_at": _l("Entered at"),
    "entered_by_name": _l("Entered by"),
}

DRAFTERS = frozenset({roles.SERVICE, roles.MANAGER, roles.ADMIN})  # the 物业部 drafts the questionnaire
APPROVERS = frozenset({roles.MANAGER, roles.ADMIN})  # the 项目经理 (项目负责人) approves it
CAMPAIGN_RUNNERS = APPROVERS  # opens and closes the campaigns
CLERKS = frozenset({roles.SERVICE, roles.MANAGER, roles.ADMIN})  # enter and import the forms


def _label(name: str) -> str:
    return str(LABELS.get(name, name))


def _require(actor: Actor, allowed: frozenset, message: str) -> None:
    if not actor.roles & allowed:
        raise RuleViolation({"": message})
