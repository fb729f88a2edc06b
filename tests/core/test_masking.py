"""Masking of personal data: 138****5678, 110105**********2X, free text with phone numbers."""
import pytest

from app.core.masking import mask_id_number, mask_name, mask_phone, mask_text


@pytest.mark.parametrize("value,masked", [
    ("13812345678", "138****5678"),
    (" 13812345678 ", "138****5678"),
    ("12345678901", "123****8901"),  # any 11 digits
    ("+86 138-1234-5678", "+86 138-****-5678"),
    ("8613812345678", "86138****5678"),
    ("010-87654321", "010-****4321"),  # a landline keeps its 区号 and the last 4 digits of its number
    ("0571-88887777", "0571-****7777"),
    ("057188887777", "0571****7777"),
    ("88887777-123", "****7777-123"),  # and its extension
    ("0571-88887777-123", "0571-****7777-123"),
    ("8888777", "***8777"),
    ("1234567", "***4567"),
    ("123456", "******"),
    ("12", "**"),
    (None, ""),
    ("", ""),
    ("   ", ""),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("value,masked", [
    ("11010519900307123X", "110105**********3X"),
    ("44030619851231002X", "440306**********2X"),
    ("91110108MA01ABCDE0", "911101**********E0"),  # 18 characters, whatever the kind
    ("E12345678", "E1*****78"),
    ("C1234567", "C1****67"),
    ("123456", "12**56"),
    ("12345", "*****"),
    ("AB", "**"),
    (None, ""),
    ("", ""),
])
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked
    assert len(mask_id_number(value)) == len((value or "").strip())


@pytest.mark.parametrize("value,masked", [
    ("李四 13912345678", "李四 139****5678"),
    ("李四13912345678（儿子）", "李四139****5678（儿子）"),
    ("李四 139-1234-5678, 王五 +86 150 1234 5678", "李四 139-****-5678, 王五 +86 150 **** 5678"),
    ("座机 010-87654321 转 123", "座机 010-****4321 转 123"),
    ("卡号 6222021234567890123", "卡号 ***************0123"),
    ("编号 1234567 与 123456 和 12345678901", "编号 ***4567 与 123456 和 123****8901"),
    ("139123456789", "********6789"),  # 12 digits: not a mobile number
    ("李四，13912345678，2号楼", "李四，139****5678，2号楼"),
    ("无", "无"),
    (None, ""),
    ("", ""),
])
def test_mask_text(value, masked):
    assert mask_text(value) == masked


def test_masking_works_on_str_only():
    for fn in (mask_phone, mask_id_number, mask_text):
        with pytest.raises(TypeError):
            fn(13812345678)


@pytest.mark.parametrize("value, masked", [
    ("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"), ("  王小明 ", "王**"), ("Anna Li", "A******"), ("", ""),
    (None, ""),
])
def test_mask_name(value, masked):
    assert mask_name(value) == masked
