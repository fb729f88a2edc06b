"""Days and months typed by a user: the value, or today / the current month with a message."""
from datetime import date, datetime

import pytest

from app.core.periods import day_window, month_window, parse_day, parse_month

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("raw, expected", [
    ("2026-11", (2026, 11)), (" 2026-1 ", (2026, 1)), ("", (2026, 11)), (None, (2026, 11)),
])
def test_good_months(app, raw, expected):
    with app.test_request_context():
        year, month, problem = parse_month(raw, TODAY)
    assert (year, month, problem) == (*expected, None)


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "abc", "２０２６-11", "1999-12", "2101-01", "2026-11-01"])
def test_bad_months_give_the_current_month_and_a_message(app, raw):
    with app.test_request_context():
        year, month, problem = parse_month(raw, TODAY)
    assert (year, month) == (2026, 11) and problem


@pytest.mark.parametrize("raw, expected", [("2026-11-20", date(2026, 11, 20)), ("", TODAY), ("2000-01-01", date(2000, 1, 1))])
def test_good_days(app, raw, expected):
    with app.test_request_context():
        assert parse_day(raw, TODAY) == (expected, None)


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-11", "20261120", "1999-12-31", "2101-01-01", "x" * 100,
                                 "２０２６-11-20"])
def test_bad_days_give_today_and_a_message(app, raw):
    with app.test_request_context():
        day, problem = parse_day(raw, TODAY)
    assert day == TODAY and problem and len(problem) < 80


def test_windows_are_half_open():
    assert month_window(2026, 12) == (datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert day_window(date(2026, 11, 30)) == (datetime(2026, 11, 30), datetime(2026, 12, 1))
    with pytest.raises(ValueError):
        month_window(2026, 13)
