"""The workflow engine: one way to declare and run a record with states (a work order, a complaint, a notice, a
questionnaire, a campaign, a fund application, …).

- A Machine declares the states with their labels and the steps: from which state, by which action, to which
  state, the named role set (security.roles) that may take it, whether a note (the reason) is required. It is
  checked when declared: every state named exists, one step per (state, action).
- `Machine.actions(state, actor)` are the steps this actor may take now (the buttons); `Machine.check` refuses
  a step that does not exist from the state, or that the actor's roles may not take, with a Chinese message.
- `take()` takes one step of a record: the version the user saw ("someone else was first"), the check, the
  note, the step's own work (a handler), the new state and one history row.
- History rows are append-only: a class that mixes in HistoryMixin is never edited or deleted, by one
  before_flush rule for all of them (guard_history, on every Session once this module is imported, which each
  model with a history does).

Plain functions and classes: no request, no Flask globals.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask_babel import gettext
from sqlalchemy import DateTime, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import clock
from app.core.rules import Actor, ConcurrentChange, RuleViolation

NOTE_LIMIT = 500


@dataclass(frozen=True)
class Step:
    """One declared transition: `source` --action--> `target`, by the roles `who`; `note`: a reason is needed."""

    source: str
    action: str
    target: str
    who: frozenset
    note: bool = False


class Machine:
    """The states and steps of one kind of record."""

    def __init__(self, name: str, states: dict, steps: list[Step], action_labels: dict):
        self.name, self.states, self.steps, self.action_labels = name, states, list(steps), action_labels
        seen = set()
        for step in self.steps:
            for state in (step.source, step.target):
                if state not in states:
                    raise ValueError(f"{name}: the step {step.action} names the unknown state {state!r}")
            if step.action not in action_labels:
                raise ValueError(f"{name}: the action {step.action!r} has no label")
            if (step.source, step.action) in seen:
                raise ValueError(f"{name}: two steps {step.action!r} from {step.source!r}")
            seen.add((step.source, step.action))
        self._by_key = {(s.source, s.action): s for s in self.steps}

    def step(self, state: str, action: str) -> Step | None:
        return self._by_key.get((state, action))

    def state_label(self, state: str) -> str:
        return str(self.states.get(state, state))

    def action_label(self, action: str) -> str:
        return str(self.action_labels.get(action, action))

    def actions(self, state: str, actor: Actor, allowed: Callable[[str], bool] | None = None) -> list[str]:
        """The actions this actor may take from `state`, in declaration order; `allowed(action)` can hold back
        more (separation of duties, a missing precondition)."""
        return [s.action for s in self.steps if s.source == state and actor.roles & s.who
                and (allowed is None or allowed(s.action))]

    def check(self, state: str, action: str, actor: Actor, note=None) -> tuple[Step, str | None]:
        """The step and the note cleaned, or RuleViolation: no such step now, not this actor's, no reason."""
        step = self.step(state, action)
        if step is None:
            raise RuleViolation({"": gettext("This step is not possible in the state %(state)s.",
                                             state=self.state_label(state))})
        if not actor.roles & step.who:
            raise RuleViolation({"": gettext("Your role may not take this step.")})
        note = note.strip() if isinstance(note, str) and note.strip() else None
        if step.note and note is None:
            raise RuleViolation({"note": gettext("Please give the reason.")})
        if note is not None and len(note) > NOTE_LIMIT:
            raise RuleViolation({"note": gettext("The note may have at most %(n)d characters.", n=NOTE_LIMIT)})
        return step, note


def take(machine: Machine, record, action: str, actor: Actor, *, history, note=None,
         expected_version: int | None = None, handler: Callable[[Step], None] | None = None,
         state_attr: str = "state"):
    """Take one step of `record`: the version check, machine.check, the handler (the step's own work and checks:
    it raises RuleViolation to refuse), the new state, and one history row made by
    `history(from_state, to_state, action, note)` (added to the session). Returns the step. Flushes."""
    from app.extensions import db

    if expected_version is not None and getattr(record, "version", None) != expected_version:
        raise ConcurrentChange()
    from_state = getattr(record, state_attr)
    step, note = machine.check(from_state, action, actor, note)
    if handler is not None:
        handler(step)
    setattr(record, state_attr, step.target)
    db.session.add(history(from_state, step.target, action, note))
    db.session.flush()
    return step


class HistoryMixin:
    """The columns of one history row: who, when, the action, from which state to which, the note. A model
    mixing it in is append-only (guard_history)."""

    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    user_name: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10), nullable=False)
    note: Mapped[str | None] = mapped_column(String(NOTE_LIMIT))


class HistoryChanged(RuleViolation):
    pass


@event.listens_for(Session, "before_flush")
def guard_history(session: Session, _flush_context, _instances) -> None:
    """A before_flush rule: no history row (HistoryMixin) is edited or deleted, from any path (a page, the API,
    the CLI, a script)."""
    for obj in session.deleted:
        if isinstance(obj, HistoryMixin):
            raise HistoryChanged({"": gettext("A step of the history is never changed or deleted.")})
    for obj in session.dirty:
        if isinstance(obj, HistoryMixin) and session.is_modified(obj, include_collections=False):
            raise HistoryChanged({"": gettext("A step of the history is never changed or deleted.")})
