"""The questionnaires (SurveyTemplate and its questions): drafted by the 物业部, approved by the 项目经理, never
edited once approved.

The state machine is one declared table (TEMPLATE_TRANSITIONS: from state, action, to state, roles allowed);
every change of state goes through `transition()`, which writes the history row. Only a draft is edited; an
approved questionnaire is copied to a new draft (`copy_template`).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.community.models import (SURVEY_DEPARTMENTS, SURVEY_QUESTION_KINDS, SurveyOption, SurveyQuestion,
                                  SurveyTemplate, SurveyTemplateEvent)
from app.community.services import _get, _now, check_plain_text, checked_step, table_actions
from app.community.surveys.common import APPROVERS, DRAFTERS, _label, _require
from app.core.rules import Actor, ConcurrentChange, RuleViolation, as_id, raise_if
from app.extensions import db

NAME_LIMIT = 60
INTRO_LIMIT = 500
QUESTION_LIMIT = 200
OPTION_LIMIT = 50
MAX_QUESTIONS = 60
MAX_OPTIONS = 9  # typed as one digit on the entry page

# The questionnaire's state machine: (from state, action, to state, roles that may do it).
TEMPLATE_TRANSITIONS: list[tuple[str, str, str, frozenset]] = [
    ("draft", "submit", "pending", DRAFTERS),
    ("pending", "approve", "approved", APPROVERS),
    ("pending", "return", "draft", APPROVERS),
    ("approved", "retire", "retired", APPROVERS),
]
TEMPLATE_ACTIONS = {
    "create": _l("Drafted"),
    "edit": _l("Draft edited"),
    "submit": _l("Submit for approval"),
    "approve": _l("Approve"),
    "return": _l("Return to the drafter"),
    "retire": _l("Retire the questionnaire"),
}
NOTE_REQUIRED = {"return", "retire"}


def _flushed(obj):
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChange() from None
    return obj


def _lines(text) -> list[str]:
    if not isinstance(text, str):
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def _draft_of(pk, actor: Actor, expected_version: int | None = None) -> SurveyTemplate:
    """The questionnaire `pk` if it may be changed now (a draft) by this actor; else RuleViolation."""
    _require(actor, DRAFTERS, gettext("Only the service desk or the project manager may draft questionnaires."))
    template = _get(SurveyTemplate, pk)
    if template is None:
        raise RuleViolation({"": gettext("There is no such questionnaire.")})
    if expected_version is not None and template.version != expected_version:
        raise ConcurrentChange()
    if template.state != "draft":
        raise RuleViolation({"": gettext(
            "“%(name)s” is %(state)s: only a draft can be changed. Draft a copy of it to change the questions.",
            name=template.name, state=template.state_label())})
    return template


def _event(template: SurveyTemplate, actor: Actor, action: str, from_state, to_state, now, note=None) -> None:
    template.events.append(SurveyTemplateEvent(at=now, user_id=actor.id, user_name=actor.name, action=action,
                                               from_state=from_state, to_state=to_state, note=note))


def check_template(values: dict) -> dict:
    errors: dict = {}
    check_plain_text(errors, values, "name", _label("name"), NAME_LIMIT)
    check_plain_text(errors, values, "intro", _label("intro"), INTRO_LIMIT, required=False)
    return errors


def save_template(values: dict, actor: Actor, pk=None, *, expected_version: int | None = None,
                  now: datetime | None = None) -> SurveyTemplate:
    """Create a draft questionnaire (name, intro) or change a draft's. Flushes; RuleViolation writes nothing."""
    now = _now(now)
    if pk is None:
        _require(actor, DRAFTERS, gettext("Only the service desk or the project manager may draft questionnaires."))
        template = None
    else:
        template = _draft_of(pk, actor, expected_version)
    raise_if(check_template(values))
    intro = (values.get("intro") or "").strip() or None
    if template is None:
        template = SurveyTemplate(name=values["name"].strip(), intro=intro, state="draft", created_at=now,
                                  created_by_name=actor.name)
        _event(template, actor, "create", None, "draft", now)
        db.session.add(template)
    else:
        template.name, template.intro = values["name"].strip(), intro
        _event(template, actor, "edit", "draft", "draft", now)
    return _flushed(template)


def check_question(values: dict) -> tuple[dict, list[tuple[str, bool]]]:
    """({field: message}, the options [(label, satisfied)] of a choice question)."""
    errors: dict = {}
    if values.get("department") not in SURVEY_DEPARTMENTS:
        errors["department"] = gettext("Please choose %(label)s.", label=_label("department"))
    kind = values.get("kind")
    if kind not in SURVEY_QUESTION_KINDS:
        errors["kind"] = gettext("Please choose %(label)s.", label=_label("kind"))
    check_plain_text(errors, values, "text", _label("text"), QUESTION_LIMIT)
    options: list[tuple[str, bool]] = []
    if kind == "choice":
        good, other = _lines(values.get("satisfied_options")), _lines(values.get("other_options"))
        options = [(label, True) for label in good] + [(label, False) for label in other]
        labels = [label for label, _s in options]
        if not good:
            errors["satisfied_options"] = gettext("A choice question needs at least one option counted as "
                                                  "satisfied.")
        if not other:
            errors["other_options"] = gettext("A choice question needs at least one option not counted as "
                                              "satisfied.")
        if len(options) > MAX_OPTIONS:
            errors["other_options"] = gettext("A question may have at most %(n)d options.", n=MAX_OPTIONS)
        elif len(set(labels)) != len(labels):
            errors["other_options"] = gettext("Each option may appear only once.")
        for label in labels:
            probe: dict = {}
            check_plain_text(probe, {"o": label}, "o", gettext("An option"), OPTION_LIMIT)
            if probe:
                errors.setdefault("other_options", probe["o"])
            elif label.isdigit():
                errors.setdefault("other_options", gettext("An option cannot be only a number (“%(label)s”): the "
                                                           "number typed on the entry page is its place.",
                                                           label=label))
    return errors, options


def add_question(template_id, values: dict, actor: Actor, *, now: datetime | None = None) -> SurveyQuestion:
    """Add a question at the end of a draft: department, kind, text; a choice question's options."""
    template = _draft_of(template_id, actor)
    errors, options = check_question(values)
    if len(template.questions) >= MAX_QUESTIONS:
        errors[""] = gettext("A questionnaire may have at most %(n)d questions.", n=MAX_QUESTIONS)
    raise_if(errors)
    position = max((q.position for q in template.questions), default=0) + 1
    question = SurveyQuestion(department=values["department"], kind=values["kind"], text=values["text"].strip(),
                              position=position,
                              options=[SurveyOption(position=i, label=label, satisfied=satisfied)
                                       for i, (label, satisfied) in enumerate(options, start=1)])
    template.questions.append(question)
    _event(template, actor, "edit", "draft", "draft", _now(now), gettext("Question %(n)d added.", n=position))
    return _flushed(question)


def _question_of(template: SurveyTemplate, question_id) -> SurveyQuestion:
    qid = as_id(question_id)
    question = next((q for q in template.questions if q.id == qid), None)
    if question is None:
        raise RuleViolation({"": gettext("There is no such question in this questionnaire.")})
    return question


def _renumber(template: SurveyTemplate, ordered: list[SurveyQuestion]) -> None:
    """Give the questions the positions 1..n in `ordered` (through free numbers first: the unique key)."""
    top = max((q.position for q in template.questions), default=0)
    for i, q in enumerate(ordered, start=1):
        q.position = top + i
    db.session.flush()
    for i, q in enumerate(ordered, start=1):
        q.position = i
    db.session.flush()


def remove_question(template_id, question_id, actor: Actor, *, now: datetime | None = None) -> SurveyTemplate:
    template = _draft_of(template_id, actor)
    question = _question_of(template, question_id)
    template.questions.remove(question)
    db.session.flush()
    _renumber(template, sorted(template.questions, key=lambda q: q.position))
    _event(template, actor, "edit", "draft", "draft", _now(now),
           gettext("Question “%(text)s” removed.", text=question.text[:60]))
    return _flushed(template)


def move_question(template_id, question_id, step: int, actor: Actor) -> SurveyTemplate:
    """Move a question one place up (step −1) or down (+1)."""
    template = _draft_of(template_id, actor)
    question = _question_of(template, question_id)
    ordered = sorted(template.questions, key=lambda q: q.position)
    i = ordered.index(question)
    j = i + (1 if step > 0 else -1)
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
        _renumber(template, ordered)
    return _flushed(template)


def copy_template(pk, actor: Actor, now: datetime | None = None) -> SurveyTemplate:
    """Draft anew: a new draft with the questionnaire's name, introduction and questions."""
    _require(actor, DRAFTERS, gettext("Only the service desk or the project manager may draft questionnaires."))
    source = _get(SurveyTemplate, pk)
    if source is None:
        raise RuleViolation({"": gettext("There is no such questionnaire.")})
    now = _now(now)
    copy = SurveyTemplate(name=source.name, intro=source.intro, state="draft", created_at=now,
                          created_by_name=actor.name, copied_from=source)
    copy.questions = [SurveyQuestion(position=q.position, department=q.department, kind=q.kind, text=q.text,
                                     options=[SurveyOption(position=o.position, label=o.label, satisfied=o.satisfied)
                                              for o in q.options])
                      for q in source.questions]
    _event(copy, actor, "create", None, "draft", now,
           gettext("Drafted anew from questionnaire no. %(no)d.", no=source.id))
    db.session.add(copy)
    return _flushed(copy)


def template_actions(template: SurveyTemplate, actor: Actor) -> list[str]:
    """The actions this actor may take on the questionnaire now (for the buttons)."""
    return table_actions(TEMPLATE_TRANSITIONS, template.state, actor)


def may_edit(template: SurveyTemplate, actor: Actor) -> bool:
    return template.state == "draft" and bool(actor.roles & DRAFTERS)


def transition(template_id, action: str, actor: Actor, *, note: str | None = None,
               expected_version: int | None = None, now: datetime | None = None) -> SurveyTemplate:
    """Move a questionnaire by `action` if the table and the actor's roles allow it; a draft without questions
    is not submitted; return and retire need the reason. Writes the history row and flushes."""
    now = _now(now)
    template = _get(SurveyTemplate, template_id)
    if template is None:
        raise RuleViolation({"": gettext("There is no such questionnaire.")})
    if expected_version is not None and template.version != expected_version:
        raise ConcurrentChange()
    label = str(TEMPLATE_ACTIONS.get(action, action))
    to_state, note, errors = checked_step(
        TEMPLATE_TRANSITIONS, action, actor, state=template.state, title=template.name,
        state_label=template.state_label(), action_label=label,
        denied=gettext("You may not “%(action)s” this questionnaire.", action=label), note=note,
        note_required=NOTE_REQUIRED)
    if action == "submit" and not template.questions:
        errors[""] = gettext("The questionnaire has no question yet.")
    raise_if(errors)
    from_state = template.state
    if action == "approve":
        template.approved_at, template.approved_by_name = now, actor.name
    template.state = to_state
    _event(template, actor, action, from_state, to_state, now, note)
    return _flushed(template)


def approved_templates() -> list[SurveyTemplate]:
    return list(db.session.scalars(select(SurveyTemplate).where(SurveyTemplate.state == "approved")
                                   .order_by(SurveyTemplate.id.desc())))
