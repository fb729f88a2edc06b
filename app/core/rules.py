"""Shared checks for business rules. Services call these; views and APIs show the result.

A rule check returns {field: Chinese message}; an empty dict means the values are good.
"""
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext

from app.core.ids import as_id  # noqa: F401  (services import it from here)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RuleViolation(Exception):
    """Raised by a service when values break a rule; carries {field: message}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("；".join(str(m) for m in errors.values()))


class ConcurrentChange(RuleViolation):
    """Someone else changed the record between reading and writing it."""

    def __init__(self, message: str | None = None):
        super().__init__({"": message or gettext(
            "Someone else has just changed this record. Please reload it and try again.")})


@dataclass(frozen=True)
class Actor:
    """Who does something: a user id, a name for the history, and the user's role names."""

    id: int | None
    name: str
    roles: frozenset = field(default_factory=frozenset)

    @classmethod
    def of(cls, user) -> "Actor":
        name = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
        return cls(user.id, name or user.username, frozenset(r.name for r in user.roles))


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise RuleViolation(errors)


def check_text(errors: dict, values: dict, field: str, label: str, max_len: int, required: bool = True) -> None:
    value = values.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = gettext("%(label)s must not be empty.", label=label)
        return
    if not isinstance(value, str):
        errors[field] = gettext("%(label)s must be text.", label=label)
        return
    if len(value) > max_len:
        errors[field] = gettext("%(label)s may have at most %(n)d characters.", label=label, n=max_len)
    elif _CONTROL.search(value):
        errors[field] = gettext("%(label)s contains invalid control characters.", label=label)


def check_int(errors: dict, values: dict, field: str, label: str, low: int, high: int, required: bool = True) -> None:
    value = values.get(field)
    if value is None or value == "":
        if required:
            errors[field] = gettext("%(label)s must not be empty.", label=label)
        return
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = gettext("%(label)s must be a whole number.", label=label)
    elif not low <= value <= high:
        errors[field] = gettext("%(label)s must be between %(low)d and %(high)d.", label=label, low=low, high=high)


def check_money(errors: dict, value, field: str, label: str, low=Decimal("0"), high=Decimal("999999.99"),
                required: bool = False) -> Decimal:
    """An amount in yuan typed or sent by a user, checked: a number, at most two decimals, low..high.
    Returns it as Decimal (0.00 when empty or bad; the message is in `errors`)."""
    zero = Decimal("0.00")
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = gettext("%(label)s must not be empty.", label=label)
        return zero
    if isinstance(value, bool):
        errors[field] = gettext("%(label)s must be a number.", label=label)
        return zero
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors[field] = gettext("%(label)s must be a number.", label=label)
        return zero
    if not d.is_finite() or not Decimal(low) <= d <= Decimal(high):
        errors[field] = gettext("%(label)s must be between %(low)s and %(high)s.", label=label,
                                low=f"{Decimal(low):.2f}", high=f"{Decimal(high):.2f}")
        return zero
    if d != d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        errors[field] = gettext("%(label)s may have at most two decimals.", label=label)
        return zero
    return d.quantize(Decimal("0.01"))


def parse_area(value) -> Decimal | None:
    """An area as Decimal with two decimals, or None when it is not a number."""
    if value is None or isinstance(value, (bool, float)):
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def check_area(errors: dict, values: dict, field: str, label: str, required: bool = True) -> None:
    value = values.get(field)
    if value is None or value == "":
        if required:
            errors[field] = gettext("%(label)s must not be empty.", label=label)
        return
    d = parse_area(value)
    if d is None:
        errors[field] = gettext("%(label)s must be a number.", label=label)
    elif d <= 0:
        errors[field] = gettext("%(label)s must be greater than 0.", label=label)
    elif d >= Decimal("100000000"):
        errors[field] = gettext("%(label)s is too large.", label=label)
    elif d != d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        errors[field] = gettext("%(label)s may have at most two decimals.", label=label)


def check_choice(errors: dict, values: dict, field: str, label: str, choices: dict) -> None:
    value = values.get(field)
    if value not in choices:
        errors[field] = gettext("%(label)s: please choose one of the listed values.", label=label)


def check_required(errors: dict, values: dict, field: str, label: str) -> None:
    if values.get(field) is None:
        errors[field] = gettext("Please choose %(label)s.", label=label)
