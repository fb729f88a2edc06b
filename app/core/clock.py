"""The one source of "now" for the application.

Business code, the demo and the CLI take the present from `now()` and `today()` here, never from
`datetime.now()` or `date.today()` directly, so that tests fix a moment in one place (time-machine) and a
rule such as "not later than now" means the same instant everywhere. Times are naive local wall-clock time,
to the second, as the office reads them.
"""
from datetime import date, datetime


def now() -> datetime:
    """The present, to the second (local time, naive)."""
    return datetime.now().replace(microsecond=0)


def today() -> date:
    """Today's date (local time)."""
    return datetime.now().date()


def or_now(value: datetime | None) -> datetime:
    """`value` to the second, or the present when it is None."""
    return (value or datetime.now()).replace(microsecond=0)


def or_today(value: date | None) -> date:
    """`value`, or today when it is None."""
    return value or today()


def demo_moment(at: datetime | None = None, day: date | None = None) -> datetime:
    """The moment a demo builds its past up to: `at`, else the end of `day` (never later than the present),
    else the present."""
    if at is not None:
        return at.replace(microsecond=0)
    present = now()
    if day is None:
        return present
    return min(present, datetime.combine(day, datetime.max.time()).replace(microsecond=0))
