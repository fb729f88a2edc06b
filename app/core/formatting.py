"""Chinese formatting of dates, times and money through Babel (2026年11月22日, ¥1,234.50)."""
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency, format_decimal

from app.core.money import to_money

DEFAULT_LOCALE = "zh_CN"


def _locale() -> str:
    try:
        from flask_babel import get_locale

        loc = get_locale()
        if loc is not None and loc.language == "en":
            return "en_US"
    except Exception:  # outside a request: the default
        pass
    return DEFAULT_LOCALE


def format_date(value: date | datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _format_date(value, format="long", locale=locale or _locale())


def format_datetime(value: datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    loc = locale or _locale()
    if loc.startswith("zh"):
        return _format_date(value.date(), format="long", locale=loc) + value.strftime(" %H:%M")
    return _format_datetime(value, format="medium", locale=loc)


def format_money(value: Decimal | int | str | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    return format_currency(to_money(value), "CNY", locale=locale or _locale())


def format_area(value: Decimal | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00", locale=locale or _locale())


EMPTY = "—"


def display_value(value):
    """A value as a list or record page shows it: 是/否 for yes/no, — for nothing; anything else unchanged."""
    if value is True or value is False:
        from flask_babel import gettext

        return gettext("Yes") if value else gettext("No")
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY
    return value
