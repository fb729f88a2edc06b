from datetime import date, datetime
from decimal import Decimal

import pytest

from app.core.formatting import format_area, format_date, format_datetime, format_money
from app.core.money import to_money


def test_chinese_date_and_money():
    assert format_date(date(2026, 11, 22)) == "2026年11月22日"
    assert format_datetime(datetime(2026, 11, 22, 9, 5)) == "2026年11月22日 09:05"
    assert format_money(Decimal("1234.5")) == "¥1,234.50"
    assert format_money(0) == "¥0.00"
    assert format_area(Decimal("1234.5")) == "1,234.50"


@pytest.mark.parametrize("raw,expected", [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-1.005", "-1.01"),
                                          (3, "3.00")])
def test_money_rounds_half_up_to_fen(raw, expected):
    assert str(to_money(raw)) == expected


def test_money_refuses_float():
    with pytest.raises(TypeError):
        to_money(0.1)
