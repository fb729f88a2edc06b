"""Pinyin of names for search: "zs" or "zhangsan" finds 张三. Pure functions (pypinyin, no database).

- Lower-case, no tones, no spaces; ü is written v (绿 → lv), as typed on a keyboard.
- Heteronyms take pypinyin's default reading, except the first character of a person's name when it is a
  surname with a surname reading of its own (单 shan, 曾 zeng, 解 xie ...; 万俟 moqi, 尉迟 yuchi ...).
  `search_keys` also offers the default reading (danxiongxin), so either spelling finds the owner.
- Characters pypinyin has no reading for (𠮷) take one from RARE_READINGS; others without a reading are left
  out of the pinyin strings (the name itself is still searched by its characters).
- Latin letters and digits (company names, foreign names) go through lower-cased, accents removed;
  other symbols (·, brackets, spaces) are dropped.
"""
import re
import unicodedata

from pypinyin import Style, lazy_pinyin

# Surname readings differing from pypinyin's default reading (pypinyin 0.55: 单 dan, 曾 ceng ...).
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha",
    "盖": "ge", "尉": "yu", "乐": "yue", "缪": "miao", "翟": "zhai", "覃": "qin", "种": "chong",
    "过": "guo", "秘": "bi", "召": "shao", "繁": "po", "员": "yun", "句": "gou",
}
# Compound surnames whose reading is not the default reading of their characters.
COMPOUND_SURNAME_READINGS = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "单于": ("chan", "yu"), "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
}
# Readings of name characters missing from pypinyin's dictionary (Unihan kMandarin).
RARE_READINGS = {
    "\U00020BB7": "ji",  # 𠮷, a variant of 吉
}

_ASCII_ALNUM = re.compile(r"[a-z0-9]+")
_PINYIN_QUERY = re.compile(r"[A-Za-z][A-Za-z' ]*")


def _fold(text: str) -> str:
    """Latin letters and digits of `text`, lower-case, accents removed ("José" → "jose")."""
    decomposed = unicodedata.normalize("NFKD", text).lower()
    return "".join(_ASCII_ALNUM.findall(decomposed))


def _no_pinyin(chars: str) -> list[str]:
    """pypinyin's callback for characters without a reading: a known rare reading, else nothing."""
    return [RARE_READINGS[ch] for ch in chars if ch in RARE_READINGS]


def _tokens(name: str) -> list[tuple[str, bool]]:
    """[(syllable or Latin word, is_syllable)] of `name`, one syllable per Chinese character with a reading."""
    tokens: list[tuple[str, bool]] = []
    other = []  # a run of characters for pypinyin

    def flush():
        if other:
            for syllable in lazy_pinyin("".join(other), style=Style.NORMAL, errors=_no_pinyin):
                folded = "".join(ch for ch in _fold(syllable) if ch.isalpha())
                if folded:
                    tokens.append((folded, True))
            other.clear()

    for ch in name:
        latin = _fold(ch)
        if latin:  # a (full-width, accented) Latin letter or digit
            flush()
            if tokens and not tokens[-1][1]:
                tokens[-1] = (tokens[-1][0] + latin, False)
            else:
                tokens.append((latin, False))
        else:
            other.append(ch)
    flush()
    return tokens


def _apply_surname(name: str, tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    for surname, readings in COMPOUND_SURNAME_READINGS.items():
        if name.startswith(surname) and len(tokens) >= 2 and tokens[0][1] and tokens[1][1]:
            return [(r, True) for r in readings] + tokens[2:]
    if name[:1] in SURNAME_READINGS and tokens and tokens[0][1]:
        return [(SURNAME_READINGS[name[0]], True)] + tokens[1:]
    return tokens


def _join(tokens: list[tuple[str, bool]]) -> tuple[str, str]:
    full = "".join(t for t, _ in tokens)
    initials = "".join(t[0] if syllable else t for t, syllable in tokens)
    return full, initials


def name_pinyin(name: str | None, surname: bool = True) -> tuple[str, str]:
    """(full pinyin, initials): "张三" → ("zhangsan", "zs"), "单雄信" → ("shanxiongxin", "sxx"),
    "ABC物业" → ("abcwuye", "abcwy"). `surname=False` for names that are not people's (companies):
    no surname reading for the first character."""
    text = unicodedata.normalize("NFC", name or "").strip()
    if not text:
        return "", ""
    tokens = _tokens(text)
    if surname:
        tokens = _apply_surname(text, tokens)
    return _join(tokens)


def search_keys(name: str | None, surname: bool = True) -> list[str]:
    """The distinct non-empty strings a pinyin search should match for `name`: full pinyin and initials, with
    the surname reading and (when it differs) the default reading: 曾国藩 → zengguofan, zgf, cengguofan, cgf."""
    keys: list[str] = []
    variants = [name_pinyin(name, surname=surname)]
    if surname:
        variants.append(name_pinyin(name, surname=False))
    for full, initials in variants:
        for key in (full, initials):
            if key and key not in keys:
                keys.append(key)
    return keys


def looks_like_pinyin(query: str | None) -> bool:
    """True when `query` is only ASCII letters (spaces and apostrophes between them allowed: "zhang san",
    "xi'an"), so the search should match pinyin keys."""
    return bool(query) and bool(_PINYIN_QUERY.fullmatch(query.strip()))


def normalize_pinyin_query(query: str | None) -> str:
    """The form of a pinyin query to compare with search keys: lower-case, no spaces or apostrophes."""
    return "".join(ch for ch in (query or "").lower() if "a" <= ch <= "z")
