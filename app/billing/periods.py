"""账期 periods: a period written 2026-11, and how a period (or a quarter) is printed."""
from __future__ import annotations

import re
from datetime import date

from flask import current_app
from flask_babel import gettext

from app.core import clock
from app.core.rules import RuleViolation


PERIOD_PATTERN = re.compile(r"(\d{4})-(\d{2})")
ONE_OFF_KEY = "once"


def parse_period(value, today: date | None = None) -> tuple[int, int]:
    """(year, month) of a period written 2026-11; RuleViolation when it is not one or lies too far ahead
    (BILLING_MAX_FUTURE_MONTHS, default 3) or before 2000."""
    today = today or clock.today()
    match = PERIOD_PATTERN.fullmatch(str(value or "").strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise RuleViolation({"period": gettext(
            "\"%(value)s\" is not a billing period: write year-month, for example 2026-11.", value=str(value)[:20])})
    year, month = int(match.group(1)), int(match.group(2))
    ahead = current_app.config.get("BILLING_MAX_FUTURE_MONTHS", 3)
    index, now_index = year * 12 + month - 1, today.year * 12 + today.month - 1
    if index > now_index + ahead:
        raise RuleViolation({"period": gettext(
            "The period %(period)s is more than %(n)d months ahead; bills can be made at most %(n)d months "
            "in advance.", period=f"{year}-{month:02d}", n=ahead)})
    if year < 2000:
        raise RuleViolation({"period": gettext("The period must not be before 2000.")})
    return year, month


def period_text(year: int, month: int, months: int = 1) -> str:
    """2026-11, or 2026-10至2026-12 for a quarter."""
    if months <= 1:
        return f"{year}-{month:02d}"
    end = year * 12 + month - 1 + months - 1
    return f"{year}-{month:02d}至{end // 12}-{end % 12 + 1:02d}"
