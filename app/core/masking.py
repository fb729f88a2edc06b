"""Masking of personal data (PIPL): 138****5678, 0571-****7777, 110105**********2X. Pure functions on str.

None or "" gives "". Anything other than str (or None) is a programming error: TypeError.
"""
import re

from app.core.validators import LANDLINE_RE

_MOBILE = re.compile(r"\d{11}")
# A mobile number in free text, maybe with +86 / 0086 / 86 and spaces or dashes: +86 139-1234-5678.
_PHONE_SHAPED = re.compile(r"(?<!\d)(?:(?:\+|00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
_DIGIT_RUN = re.compile(r"\d{7,}")
_SENSITIVE = re.compile(f"(?P<phone>{_PHONE_SHAPED.pattern})|(?P<run>{_DIGIT_RUN.pattern})")


def _text(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"masking works on str, not {type(value).__name__}")
    return value.strip()


def _mask_digits(chunk: str, keep_head: int, keep_tail: int) -> str:
    """Star the digits of `chunk` except the first `keep_head` and the last `keep_tail`; other characters stay."""
    positions = [i for i, ch in enumerate(chunk) if ch.isdigit()]
    keep = set(positions[:keep_head]) | set(positions[len(positions) - keep_tail:])
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(chunk))


def _mask_match(m: re.Match) -> str:
    chunk = m.group(0)
    if m.group("phone"):
        digits = sum(ch.isdigit() for ch in chunk)
        # keep a country prefix (86) and the first 3 and last 4 digits of the 11-digit number
        return _mask_digits(chunk, digits - 11 + 3, 4)
    return _mask_digits(chunk, 3 if len(chunk) == 11 else 0, 4)


def _mask_landline(m: re.Match) -> str:
    """区号 and extension stay, the number keeps its last 4 digits: 0571-****7777, ****7777-123."""
    area, local, ext = m["area"], m["local"], m["ext"]
    head = area + m.group(0)[len(area):m.start("local") - m.start()] if area else ""  # 区号 and its dash, if any
    return head + "*" * (len(local) - 4) + local[-4:] + (f"-{ext}" if ext else "")


def mask_phone(value: str | None) -> str:
    """"13812345678" → "138****5678"; a landline keeps its 区号 and extension and the last 4 digits of its number
    ("0571-88887777" → "0571-****7777", "88887777-123" → "****7777-123"); other lengths keep the last 4 digits;
    6 characters or fewer: all stars."""
    text = _text(value)
    if not text:
        return ""
    if _MOBILE.fullmatch(text):
        return text[:3] + "****" + text[-4:]
    if _PHONE_SHAPED.fullmatch(text):
        return _SENSITIVE.sub(_mask_match, text)
    landline = LANDLINE_RE.fullmatch(text)
    if landline:
        return _mask_landline(landline)
    if len(text) <= 6:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


def mask_id_number(value: str | None) -> str:
    """18 characters: first 6 and last 2 kept ("110105**********2X"); shorter numbers: first 2 and last 2 kept
    with at least 2 stars between; 5 characters or fewer: all stars."""
    text = _text(value)
    if len(text) == 18:
        return text[:6] + "*" * 10 + text[-2:]
    if len(text) - 4 >= 2:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return "*" * len(text)


def mask_text(value: str | None) -> str:
    """Free text (an emergency contact "李四 13912345678"): every mobile number becomes 139****5678, any other run
    of 11 digits keeps its first 3 and last 4, any other run of 7 or more digits only its last 4; the words stay."""
    text = _text(value)
    return _SENSITIVE.sub(_mask_match, text) if text else ""


def mask_name(value: str | None) -> str:
    """A person's name on paper others may see: the surname stays, the rest is starred (张三 → 张*, 欧阳娜娜 →
    欧***); a Latin name keeps its first letter (Anna Li → A******). Compound surnames are not guessed."""
    text = _text(value)
    if not text:
        return ""
    return text[0] + "*" * (len(text) - 1) if len(text) > 1 else "*"
