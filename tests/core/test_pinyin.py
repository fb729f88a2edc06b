"""Pinyin of owner names for search: "zs" or "zhangsan" finds 张三."""
import pytest
from pypinyin import pinyin, Style

from app.core.pinyin import (COMPOUND_SURNAME_READINGS, RARE_READINGS, SURNAME_READINGS, looks_like_pinyin,
                             name_pinyin, normalize_pinyin_query, search_keys)


@pytest.mark.parametrize("name,full,initials", [
    ("张三", "zhangsan", "zs"),
    (" 张三 ", "zhangsan", "zs"),
    ("单雄信", "shanxiongxin", "sxx"),
    ("曾国藩", "zengguofan", "zgf"),
    ("解缙", "xiejin", "xj"),
    ("仇英", "qiuying", "qy"),
    ("区志强", "ouzhiqiang", "ozq"),
    ("翟志刚", "zhaizhigang", "zzg"),
    ("尉迟恭", "yuchigong", "ycg"),
    ("万俟卨", "moqixie", "mqx"),
    ("长孙无忌", "zhangsunwuji", "zswj"),
    ("吕绿", "lvlv", "ll"),
    ("欧阳·娜娜", "ouyangnana", "oynn"),
    ("ABC物业123", "abcwuye123", "abcwy123"),
    ("Ｔｏｍ 张", "tomzhang", "tomz"),
    ("José 王", "josewang", "josew"),
    ("", "", ""),
    (None, "", ""),
])
def test_name_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)


@pytest.mark.parametrize("name,full,initials", [
    ("喆", "zhe", "z"), ("王喆", "wangzhe", "wz"),
    ("堃", "kun", "k"), ("李堃", "likun", "lk"),
    ("燚", "yi", "y"), ("陈燚", "chenyi", "cy"),
    ("䶮", "yan", "y"), ("刘䶮", "liuyan", "ly"),
    ("𠮷", "ji", "j"), ("𠮷田", "jitian", "jt"),
])
def test_rare_characters(name, full, initials):
    assert name_pinyin(name) == (full, initials)


def test_a_character_without_any_reading_is_left_out():
    # U+2A6D6 (CJK Ext. B, last code point) is not in pypinyin's dictionary nor in ours
    assert pinyin("\U0002A6D6", style=Style.NORMAL) == [["\U0002A6D6"]]
    assert name_pinyin("张\U0002A6D6三") == ("zhangsan", "zs")
    assert name_pinyin("\U0002A6D6") == ("", "")
    assert search_keys("\U0002A6D6") == []


def test_our_surname_readings_are_readings_pypinyin_knows():
    for char, reading in SURNAME_READINGS.items():
        assert reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0], char
    for chars, readings in COMPOUND_SURNAME_READINGS.items():
        for char, reading in zip(chars, readings, strict=True):
            assert reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0], chars
    for char in RARE_READINGS:  # only characters pypinyin cannot read
        assert pinyin(char, style=Style.NORMAL) == [[char]]


def test_surname_reading_only_for_the_first_character():
    assert name_pinyin("单单") == ("shandan", "sd")
    assert name_pinyin("王曾") == ("wangceng", "wc")
    assert name_pinyin("乐家装饰有限公司", surname=False) == ("lejiazhuangshiyouxiangongsi", "ljzsyxgs")


def test_search_keys():
    assert search_keys("张三") == ["zhangsan", "zs"]
    assert search_keys("单雄信") == ["shanxiongxin", "sxx", "danxiongxin", "dxx"]
    assert search_keys("曾国藩") == ["zengguofan", "zgf", "cengguofan", "cgf"]
    assert search_keys("曾国藩", surname=False) == ["cengguofan", "cgf"]
    assert search_keys("喆") == ["zhe", "z"]
    assert search_keys("ABC") == ["abc"]
    assert search_keys(None) == [] and search_keys("") == []


@pytest.mark.parametrize("query,expected", [("zs", True), ("ZhangSan", True), ("zhang san", True), ("xi'an", True),
                                            ("张", False), ("zs1", False), ("13812345678", False), ("", False),
                                            ("  ", False), (None, False), ("张s", False), ("'zs", False)])
def test_looks_like_pinyin(query, expected):
    assert looks_like_pinyin(query) is expected


def test_normalize_pinyin_query_matches_search_keys():
    assert normalize_pinyin_query(" Zhang San ") == "zhangsan"
    assert normalize_pinyin_query("xi'an") == "xian"
    assert normalize_pinyin_query(None) == ""
    assert normalize_pinyin_query("Zhang San") in search_keys("张三")
