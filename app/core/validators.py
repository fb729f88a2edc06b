"""Checks of 证件号, 手机 and 车牌: pure functions, no request and no database.

Each ``validate_*`` function returns ``None`` when the value is good, or a message (a translated str) saying
what is wrong. Each validator normalises the value first (the matching ``normalize_*`` function), so
"11010519900307123x" and "+86 138-1234-5678" are accepted; store the normalised value.

- 居民身份证: GB 11643-1999 (18 characters, province code, birth date, ISO 7064 MOD 11-2 check character).
- 统一社会信用代码 (营业执照): GB 32100-2015 (18 characters of a 31-letter alphabet, MOD 31 check character).
- 护照 / 港澳台通行证: a lenient check, 5 to 20 letters and digits.
- 手机: 11 digits, 1 then 3-9.
- 联系电话 (a caller's contact number): a 手机, or a landline: 区号 and number (0571-88887777, 010-12345678, with
  or without the dash), or a local 7-8 digit number, each with an optional extension (88887777-123).
- 车牌: ordinary (7 characters) and new-energy (8 characters) plates.
"""
import re
import unicodedata
from datetime import date, datetime

from flask_babel import gettext as _flask_gettext
from flask_babel import lazy_gettext as _l

from app.core import clock


def gettext(string: str, **variables) -> str:
    """flask_babel's gettext; outside an app context, or if Babel fails, the English msgid."""
    try:
        return str(_flask_gettext(string, **variables))
    except Exception:  # pragma: no cover - flask_babel already falls back to the msgid outside a context
        return string % variables if variables else string


def _clean(value, drop: str = " \t\r\n\u3000") -> str:
    """NFKC (full-width digits and letters → ASCII), characters of `drop` removed, upper-case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(ch for ch in text if ch not in drop).upper()


# --- 证件类型 -----------------------------------------------------------------------------------------------

RESIDENT_ID = "resident_id"
PASSPORT = "passport"
HK_MO_TW_PERMIT = "hk_mo_tw_permit"
BUSINESS_LICENSE = "business_license"

ID_TYPES = {
    RESIDENT_ID: _l("Resident ID card"),
    PASSPORT: _l("Passport"),
    HK_MO_TW_PERMIT: _l("HK/Macao/Taiwan travel permit"),
    BUSINESS_LICENSE: _l("Business license"),
}


# --- 居民身份证 (GB 11643-1999) ----------------------------------------------------------------------------------

_RESIDENT_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"
# First two digits of the administrative division code: 11-15 华北, 21-23 东北, 31-37 华东, 41-46 中南,
# 50-54 西南, 61-65 西北, 71 台湾, 81 香港, 82 澳门, 83 (台湾居民居住证 830000).
PROVINCE_CODES = frozenset(
    [str(n) for n in range(11, 16)] + [str(n) for n in range(21, 24)] + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)] + [str(n) for n in range(50, 55)] + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)


def normalize_resident_id(value) -> str:
    """Spaces removed, upper-case (a final x becomes X)."""
    return _clean(value, drop=" \t\r\n\u3000-")


def resident_id_check_char(first17: str) -> str:
    """The check character (0-9 or X) of 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_resident_id(value, today: date | None = None) -> str | None:
    """None if `value` is a valid 18-character 居民身份证号码, else what is wrong with it.

    `today` (default: clock.today()) is the latest birth date allowed.
    """
    number = normalize_resident_id(value)
    if not _RESIDENT_ID_RE.fullmatch(number):
        return gettext("A resident ID number has 18 characters: 17 digits, then a digit or X.")
    if number[:2] not in PROVINCE_CODES:
        return gettext("The area code of this ID number is not a valid province code.")
    born = _birth_date(number)
    if born is None or born.year < 1900 or born > (today or clock.today()):
        return gettext("The birth date in this ID number is not a valid date.")
    if resident_id_check_char(number[:17]) != number[17]:
        return gettext("The check digit of this ID number is wrong; please check the number.")
    return None


def birth_date_from_resident_id(value) -> date | None:
    """The birth date of a valid 居民身份证号码, else None."""
    if validate_resident_id(value) is not None:
        return None
    return _birth_date(normalize_resident_id(value))


def gender_from_resident_id(value) -> str | None:
    """"male" (17th digit odd) or "female" for a valid 居民身份证号码, else None."""
    if validate_resident_id(value) is not None:
        return None
    return "male" if int(normalize_resident_id(value)[16]) % 2 else "female"


# --- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O Z S V
_CREDIT_CODE_RE = re.compile(f"[{CREDIT_CODE_ALPHABET}]{{18}}")
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_credit_code(value) -> str:
    """Spaces removed, upper-case."""
    return _clean(value, drop=" \t\r\n\u3000-")


def credit_code_check_char(first17: str) -> str:
    """The check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value) -> str | None:
    """None if `value` is a valid 18-character 统一社会信用代码 (营业执照号), else what is wrong with it."""
    code = normalize_credit_code(value)
    if not _CREDIT_CODE_RE.fullmatch(code):
        return gettext("A unified social credit code has 18 characters: digits and capital letters "
                       "except I, O, Z, S and V.")
    if credit_code_check_char(code[:17]) != code[17]:
        return gettext("The check character of this unified social credit code is wrong; please check the code.")
    return None


# --- 护照 / 港澳台通行证 ----------------------------------------------------------------------------------------

_TRAVEL_DOC_RE = re.compile(r"[A-Z0-9]{5,20}")


def normalize_travel_document(value) -> str:
    """Spaces and dashes removed, upper-case."""
    return _clean(value, drop=" \t\r\n\u3000-")


def validate_travel_document(value) -> str | None:
    """Lenient check of a 护照 or 港澳台通行证 number (formats vary): 5 to 20 letters and digits."""
    if not _TRAVEL_DOC_RE.fullmatch(normalize_travel_document(value)):
        return gettext("A passport or travel permit number has 5 to 20 letters and digits.")
    return None


# --- dispatcher ------------------------------------------------------------------------------------------------

_ID_VALIDATORS = {
    RESIDENT_ID: (normalize_resident_id, validate_resident_id),
    PASSPORT: (normalize_travel_document, validate_travel_document),
    HK_MO_TW_PERMIT: (normalize_travel_document, validate_travel_document),
    BUSINESS_LICENSE: (normalize_credit_code, validate_credit_code),
}


def validate_id_number(id_type: str, value) -> str | None:
    """Check `value` as a number of the 证件类型 `id_type` (a key of ID_TYPES)."""
    if id_type not in _ID_VALIDATORS:
        return gettext("Unknown ID type.")
    return _ID_VALIDATORS[id_type][1](value)


def normalize_id_number(id_type: str, value) -> str:
    """The stored form of `value` for `id_type` (upper-case, no spaces); unknown types: just stripped."""
    if id_type not in _ID_VALIDATORS:
        return "" if value is None else str(value).strip()
    return _ID_VALIDATORS[id_type][0](value)


# --- 手机 ------------------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(value) -> str:
    """Spaces, dashes, dots and brackets removed, then a leading +86 / 0086 / 86 (before 11 digits) removed."""
    number = _clean(value, drop=" \t\r\n\u3000-.()")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix):]
    if number.startswith("86") and len(number) == 13:
        return number[2:]
    return number


def validate_phone(value) -> str | None:
    """None if `value` is a mainland mobile number (11 digits, 13x-19x), else what is wrong with it."""
    if not _MOBILE_RE.fullmatch(normalize_phone(value)):
        return gettext("A mobile number has 11 digits and starts with 13 to 19.")
    return None


# --- 联系电话: a 手机 or a landline ---------------------------------------------------------------------------

# 区号: 010 and 020-029 have three digits, every other one (0311, 0571, 0755…) four: no code is the start of
# another, so a number typed without the dash still splits one way. A number has 7 or 8 digits and does not
# start with 0; without 区号 it does not start with 1 either (that is a mobile number cut short). An extension
# has 1 to 6 digits.
AREA_CODE = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
LANDLINE_RE = re.compile(f"(?:(?P<area>{AREA_CODE})-?|(?=[2-9]))(?P<local>[1-9][0-9]{{6,7}})"
                         f"(?:-(?P<ext>[0-9]{{1,6}}))?")
_EXTENSION_MARKS = ("转", "#", "EXT.", "EXT", "X")


def normalize_contact_number(value) -> str:
    """A 手机 as normalize_phone() gives it (13812345678); a landline as 区号-号码[-分机]: "(0571) 8888 7777" →
    "0571-88887777", "057188887777转123" → "0571-88887777-123", "88887777 - 123" → "88887777-123". Anything
    else: cleaned only (spaces removed), for the validator to refuse."""
    mobile = normalize_phone(value)
    if _MOBILE_RE.fullmatch(mobile):
        return mobile
    text = _clean(value, drop=" \t\r\n\u3000.()")
    for mark in _EXTENSION_MARKS:
        text = text.replace(mark, "-")
    m = LANDLINE_RE.fullmatch(text)
    if m is None:
        return text
    return "-".join(part for part in (m["area"], m["local"], m["ext"]) if part)


def validate_contact_number(value) -> str | None:
    """None if `value` is a mobile number or a landline (with or without 区号, maybe with an extension), else
    what is wrong with it. For a caller's 联系电话; an owner's 手机 stays validate_phone()."""
    number = normalize_contact_number(value)
    if _MOBILE_RE.fullmatch(number) or LANDLINE_RE.fullmatch(number):
        return None
    return gettext("A contact number is an 11-digit mobile number or a landline, e.g. 0571-88887777 or "
                   "88887777-123.")


# --- 车牌 ------------------------------------------------------------------------------------------------------

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_P = f"[{PLATE_PROVINCES}]"
_LETTER = "[A-HJ-NP-Z]"  # no I, O
_ALNUM = "[A-HJ-NP-Z0-9]"
_ORDINARY_PLATE_RE = re.compile(f"{_P}{_LETTER}{_ALNUM}{{4}}[A-HJ-NP-Z0-9学挂]")
_NEW_ENERGY_PLATE_RE = re.compile(f"{_P}{_LETTER}(?:[DF]{_ALNUM}[0-9]{{4}}|[0-9]{{5}}[DF])")


def normalize_plate(value) -> str:
    """Spaces, middle dots and dashes removed, upper-case: "粤b·d12345" → "粤BD12345"."""
    return _clean(value, drop=" \t\r\n\u3000·•・.-")


def plate_kind(plate) -> str | None:
    """"ordinary" (7 characters), "new_energy" (8 characters) or None when it is not a valid plate."""
    number = normalize_plate(plate)
    if _ORDINARY_PLATE_RE.fullmatch(number):
        return "ordinary"
    if _NEW_ENERGY_PLATE_RE.fullmatch(number):
        return "new_energy"
    return None


def validate_plate(value) -> str | None:
    """None if `value` is an ordinary or new-energy licence plate, else what is wrong with it."""
    number = normalize_plate(value)
    if plate_kind(number) is not None:
        return None
    if number and number[0] not in PLATE_PROVINCES:
        return gettext("The first character of the licence plate is not a province abbreviation.")
    return gettext("Not a valid licence plate number: 7 characters, or 8 for a new-energy vehicle.")


# --- dates: a plausible window, and an end not before its start -------------------------------------------------

DEFAULT_DATE_EARLIEST = date(1900, 1, 1)
DEFAULT_DATE_YEARS_AHEAD = 10
# the end of a record's period and the start it may not come before, by column name (every area uses these names);
# an activity's ends_at and a survey's ends_on are checked by their services' stricter rules
END_OF = {"ended_on": "started_on", "moved_out_on": "moved_in_on", "lease_end": "lease_start",
          "returned_on": "issued_on"}


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def date_window(today: date | None = None) -> tuple[date, date]:
    """(earliest, latest) day any date of a form may have: config DATE_EARLIEST (default 1900-01-01) and
    DATE_MAX_YEARS_AHEAD years after today (default 10)."""
    from flask import current_app, has_app_context

    config = current_app.config if has_app_context() else {}
    earliest = config.get("DATE_EARLIEST") or DEFAULT_DATE_EARLIEST
    if isinstance(earliest, str):
        earliest = date.fromisoformat(earliest)
    years = int(config.get("DATE_MAX_YEARS_AHEAD", DEFAULT_DATE_YEARS_AHEAD))
    today = today or clock.today()
    try:
        latest = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + years, day=28)
    return earliest, latest


def check_date(value, label, start=None, start_label=None, today: date | None = None) -> str | None:
    """None if the date (or time) `value` lies in date_window() and, with a `start`, not before it; else the
    message. Values that are not dates are left to the field's own check."""
    if not isinstance(value, date):
        return None
    from app.core.formatting import format_date

    earliest, latest = date_window(today)
    if not earliest <= _day(value) <= latest:
        return gettext("%(label)s must be between %(low)s and %(high)s.", label=label,
                       low=format_date(earliest), high=format_date(latest))
    if isinstance(start, date):
        both_times = isinstance(value, datetime) and isinstance(start, datetime)
        if (value < start) if both_times else (_day(value) < _day(start)):
            return gettext("%(label)s cannot be before %(start)s (%(date)s).", label=label,
                           start=start_label or "", date=format_date(start))
    return None


def date_errors(values: dict, labels: dict, only=None, today: date | None = None) -> dict:
    """{field: message} for each date of `values` (of `only`, if given) out of the window, or an end (END_OF)
    before its start. `labels`: {field: label} for the messages."""
    errors = {}
    for name, value in values.items():
        if only is not None and name not in only:
            continue
        start_name = END_OF.get(name)
        problem = check_date(value, labels.get(name, name), values.get(start_name) if start_name else None,
                             labels.get(start_name, start_name), today=today)
        if problem:
            errors[name] = problem
    return errors


class PlausibleDate:
    """The WTForms validator of a custom form's date or time field: the same window as every other date."""

    def __call__(self, form, field):
        from wtforms.validators import ValidationError

        problem = check_date(field.data, field.label.text)
        if problem:
            raise ValidationError(problem)
