"""Days and months as the report pages take them: parsed from what a user typed, never an error page.

`parse_month` and `parse_day` return the value and, for a bad one, a Chinese message for the user with the
value shown instead (the current month, today); `month_window` and `day_window` are the half-open windows
[start, end) the reports count in. Plain functions: no request, no database.
"""
import re
from datetime import date, datetime, timedelta

from flask_babel import gettext

from app.core import clock

MIN_YEAR, MAX_YEAR = 2000, 2100
MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{1,2})", re.ASCII)
DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def month_window(year: int, month: int) -> tuple[datetime, datetime]:
    """[first day 00:00, first day of the next month 00:00); ValueError for a month that is not one."""
    if not (isinstance(year, int) and isinstance(month, int)) or not MIN_YEAR <= year <= MAX_YEAR \
            or not 1 <= month <= 12:
        raise ValueError(f"not a month: {year!r}-{month!r}")
    start = datetime(year, month, 1)
    end = datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)
    return start, end


def day_window(day: date) -> tuple[datetime, datetime]:
    """[day 00:00, the next day 00:00)."""
    start = datetime.combine(day, datetime.min.time())
    return start, start + timedelta(days=1)


def parse_month(raw: str | None, today: date | None = None) -> tuple[int, int, str | None]:
    """(year, month, problem) from "2026-11"; an empty value is the current month; a bad one is the current
    month with a message for the user."""
    today = today or clock.today()
    value = (raw or "").strip()
    if not value:
        return today.year, today.month, None
    match = MONTH_PATTERN.fullmatch(value)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return today.year, today.month, gettext(
            "\"%(value)s\" is not a month (year-month, for example 2026-11); the current month is shown.",
            value=value[:20])
    year, month = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return today.year, today.month, gettext(
            "The year must be between %(low)d and %(high)d; the current month is shown.",
            low=MIN_YEAR, high=MAX_YEAR)
    return year, month, None


def parse_day(raw: str | None, today: date | None = None) -> tuple[date, str | None]:
    """(day, problem) from "2026-11-20"; an empty value is today; a bad one (not a date, before 2000 or after
    2100) is today with a message for the user."""
    today = today or clock.today()
    value = (raw or "").strip()
    if not value:
        return today, None
    try:
        day = date.fromisoformat(value) if DAY_PATTERN.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None or not date(MIN_YEAR, 1, 1) <= day <= date(MAX_YEAR, 12, 31):
        return today, gettext("\"%(value)s\" is not a date; today is shown.", value=value[:20])
    return day, None
