"""Record ids read from a request: the one parser every view, print route, API and service uses.

A record id is a whole number within 1..2^63-1 (a signed 64-bit integer, what PostgreSQL's bigint and SQLite's
INTEGER hold). A larger number never reaches the database: SQLite's driver raises OverflowError and psycopg
raises on binding it, which would answer 500. Anything else that is not an id (text, 0, a negative number,
digits other than 0-9) is told apart from "nothing chosen".

- parse_id(value) -> int | None: the id, or None when the value is empty or not an id.
- parse_ids(value) -> list[int] | None: a comma-separated list or a list of values; None when one is not an id.
- as_id(value) -> int | None: for services (a model, an int or a digit string): None when empty, -1 when not
  an id at all, so "no such record" can be told apart from "none chosen".
- IdConverter: the url converter behind `<int:...>` in every route: a number out of range does not match (404).
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1
MIN_INT = -(2**63)
_MAX_DIGITS = 19  # len(str(MAX_ID))


def _whole_number(value) -> int | None:
    """`value` as an int within the signed 64-bit range, else None. Accepts ints and strings of ASCII digits
    (an optional sign, spaces around); never bools, floats or other digit scripts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" and len(text) > 1 else text
        if not (digits.isascii() and digits.isdigit()) or len(digits.lstrip("0")) > _MAX_DIGITS:
            return None
        number = int(text)
    else:
        return None
    return number if MIN_INT <= number <= MAX_ID else None


def parse_id(value) -> int | None:
    """A record id (1..2^63-1) from a request value, else None (empty, text, 0, negative, too large)."""
    number = _whole_number(value)
    return number if number is not None and number >= 1 else None


def parse_ids(value) -> list[int] | None:
    """Record ids from "3,5,8" or a list of values (e.g. request.args.getlist), blanks skipped, in order and
    without repeats; None when one of them is not an id."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else list(value)
    ids: list[int] = []
    for part in parts:
        if isinstance(part, str) and not part.strip():
            continue
        number = parse_id(part)
        if number is None:
            return None
        if number not in ids:
            ids.append(number)
    return ids


def as_id(value) -> int | None:
    """A record id from a form or API value: a model instance, an int or a digit string. None when empty,
    -1 when it is not an id at all (so "no such record" can be told apart from "none chosen"). A number
    beyond the 64-bit range is not an id: it could never be bound to a query."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if hasattr(value, "id"):
        return value.id
    number = _whole_number(value)
    return -1 if number is None else number


class IdConverter(IntegerConverter):
    """`<int:...>` of every route: at most 2^63-1, so a huge number in a path answers 404, not 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install(app) -> None:
    """Make IdConverter the app's `int` converter; before any view is registered."""
    app.url_map.converters["int"] = IdConverter


def too_large(value) -> bool:
    """A whole number (of JSON or Rison, or in a list of them) beyond what any integer column holds."""
    if isinstance(value, list):
        return any(too_large(v) for v in value)
    return isinstance(value, int) and not isinstance(value, bool) and not MIN_INT <= value <= MAX_ID
