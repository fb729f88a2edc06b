"""证件号, 手机 and 车牌 checks. Every ID number here is built by the test itself (no real numbers)."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import validators as v

ID_FORMAT = "A resident ID number has 18 characters: 17 digits, then a digit or X."
ID_AREA = "The area code of this ID number is not a valid province code."
ID_BIRTH = "The birth date in this ID number is not a valid date."
ID_CHECK = "The check digit of this ID number is wrong; please check the number."
USCC_FORMAT = ("A unified social credit code has 18 characters: digits and capital letters "
               "except I, O, Z, S and V.")
USCC_CHECK = "The check character of this unified social credit code is wrong; please check the code."
TRAVEL = "A passport or travel permit number has 5 to 20 letters and digits."
PHONE = "A mobile number has 11 digits and starts with 13 to 19."
CONTACT = "A contact number is an 11-digit mobile number or a landline, e.g. 0571-88887777 or 88887777-123."
PLATE_PROVINCE = "The first character of the licence plate is not a province abbreviation."
PLATE = "Not a valid licence plate number: 7 characters, or 8 for a new-energy vehicle."

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def build_resident_id(first17: str) -> str:
    """ISO 7064 MOD 11-2, derived here independently: weight of position i (1..17) is 2**(18-i) mod 11."""
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


def build_credit_code(first17: str) -> str:
    """GB 32100 check, derived here independently: weight of position i (1..17) is 3**(i-1) mod 31."""
    assert len(first17) == 17
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def other_check_chars(number: str, alphabet: str) -> list[str]:
    return [number[:-1] + c for c in alphabet if c != number[-1]]


def id_ending_in_x(prefix14: str) -> str:
    for seq in range(1000):
        number = build_resident_id(prefix14 + f"{seq:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


# --- 居民身份证 ---

def test_helper_weights_match_the_standard_table():
    assert [pow(2, 17 - i, 11) for i in range(17)] == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert [pow(3, i, 31) for i in range(17)] == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def test_valid_resident_id():
    number = build_resident_id("11010519900307123")
    assert v.validate_resident_id(number) is None
    assert v.validate_id_number("resident_id", number) is None
    assert v.resident_id_check_char(number[:17]) == number[17]


def test_lower_case_x_is_accepted_and_normalised():
    number = id_ending_in_x("44030619851231")
    lower = number[:-1] + "x"
    assert v.validate_resident_id(lower) is None
    assert v.normalize_resident_id(lower) == number
    assert v.normalize_resident_id(" " + number[:6] + " " + number[6:14] + " " + lower[14:]) == number
    assert v.normalize_id_number("resident_id", lower) == number


@pytest.mark.parametrize("value", [None, "", "1101051990030712", "11010519900307123", "1101051990030712345",
                                   "11010519900307123Y", "X10105199003071234", "1101051990030712X3",
                                   "11010519900307١٢٣4", "11010519900307123٤"])
def test_resident_id_wrong_length_or_characters(value):
    assert v.validate_resident_id(value) == ID_FORMAT


@pytest.mark.parametrize("area", ["00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66",
                                  "70", "72", "80", "84", "90", "91", "99"])
def test_resident_id_bad_area(area):
    assert v.validate_resident_id(build_resident_id(area + "010519900307123")) == ID_AREA


@pytest.mark.parametrize("area", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65",
                                  "71", "81", "82", "83"])
def test_resident_id_every_province_range_is_accepted(area):
    assert v.validate_resident_id(build_resident_id(area + "000019900307123")) is None


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900001", "19900100", "18991231", "20230229",
                                   "00000000"])
def test_resident_id_bad_birth_date(birth):
    assert v.validate_resident_id(build_resident_id("110105" + birth + "123")) == ID_BIRTH


def test_resident_id_birth_date_in_the_future():
    tomorrow = date.today() + timedelta(days=1)
    assert v.validate_resident_id(build_resident_id("110105" + tomorrow.strftime("%Y%m%d") + "123")) == ID_BIRTH
    born = build_resident_id("11010520260315123")
    assert v.validate_resident_id(born, today=date(2026, 3, 14)) == ID_BIRTH
    assert v.validate_resident_id(born, today=date(2026, 3, 15)) is None
    assert v.validate_resident_id(build_resident_id("11010520000229123")) is None  # a leap day
    assert v.validate_resident_id(build_resident_id("11010519000101123")) is None  # year 1900 is the floor


def test_resident_id_bad_check_digit():
    number = build_resident_id("11010519900307123")
    for wrong in other_check_chars(number, "0123456789X"):
        assert v.validate_resident_id(wrong) == ID_CHECK
    # one changed body digit breaks the check too
    changed = number[:16] + str((int(number[16]) + 1) % 10) + number[17]
    assert v.validate_resident_id(changed) == ID_CHECK


def test_birth_date_and_gender_from_resident_id():
    male = build_resident_id("11010519900307123")  # 17th digit 3: odd
    female = build_resident_id("11010519900307124")
    assert v.birth_date_from_resident_id(male) == date(1990, 3, 7)
    assert v.gender_from_resident_id(male) == "male"
    assert v.gender_from_resident_id(female) == "female"
    bad = male[:-1] + ("0" if male[-1] != "0" else "1")
    assert v.birth_date_from_resident_id(bad) is None
    assert v.gender_from_resident_id(bad) is None
    assert v.birth_date_from_resident_id(None) is None


@settings(max_examples=200, deadline=None)
@given(province=st.sampled_from(sorted(v.PROVINCE_CODES)),
       rest_of_area=st.integers(0, 9999),
       born=st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
       seq=st.integers(0, 999))
def test_property_built_ids_validate_and_a_changed_check_char_fails(province, rest_of_area, born, seq):
    number = build_resident_id(f"{province}{rest_of_area:04d}{born:%Y%m%d}{seq:03d}")
    assert v.validate_resident_id(number) is None
    assert v.birth_date_from_resident_id(number) == born
    for wrong in other_check_chars(number, "0123456789X"):
        assert v.validate_resident_id(wrong) == ID_CHECK


# --- 统一社会信用代码 ---

def test_valid_credit_code_and_lower_case():
    code = build_credit_code("91110108MA01ABCDE")
    assert v.validate_credit_code(code) is None
    assert v.validate_id_number("business_license", code.lower()) is None
    assert v.normalize_credit_code(" " + code.lower() + " ") == code
    assert v.credit_code_check_char(code[:17]) == code[17]


def test_credit_code_whose_check_is_zero():
    # sum ≡ 0 (mod 31) gives 31 - 0 = 31, written 0
    for n in range(1000):
        code = build_credit_code(f"9144030072{n:07d}")
        if code.endswith("0"):
            break
    assert code.endswith("0")
    assert v.validate_credit_code(code) is None


@pytest.mark.parametrize("body", ["91110108MA01ABCDI", "91110108MA01ABCDO", "91110108MA01ABCDZ",
                                  "91110108MA01ABCDS", "91110108MA01ABCDV"])
def test_credit_code_forbidden_letters(body):
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body[:16]))
    code = body + USCC_ALPHABET[(31 - total % 31) % 31]  # any final char; the body is what is wrong
    assert v.validate_credit_code(code) == USCC_FORMAT


@pytest.mark.parametrize("value", [None, "", "91110108MA01ABCD", "91110108MA01ABCDE12", "91110108MA01ABCDE-",
                                   "9111010８MA01ABCDE中"])
def test_credit_code_wrong_length_or_characters(value):
    assert v.validate_credit_code(value) == USCC_FORMAT


def test_credit_code_bad_check_character():
    code = build_credit_code("91110108MA01ABCDE")
    for wrong in other_check_chars(code, USCC_ALPHABET):
        assert v.validate_credit_code(wrong) == USCC_CHECK
    changed = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    assert v.validate_credit_code(changed) == USCC_CHECK


# --- 护照 / 港澳台通行证 / dispatcher ---

@pytest.mark.parametrize("value", ["E12345678", "e1234 5678", "H12345678", "C1234567", "12345", "A" * 20])
def test_travel_documents_lenient(value):
    assert v.validate_travel_document(value) is None
    assert v.validate_id_number("passport", value) is None
    assert v.validate_id_number("hk_mo_tw_permit", value) is None


@pytest.mark.parametrize("value", [None, "", "1234", "A" * 21, "E1234567中", "E1234_567"])
def test_travel_documents_invalid(value):
    assert v.validate_id_number("passport", value) == TRAVEL
    assert v.validate_id_number("hk_mo_tw_permit", value) == TRAVEL


def test_dispatcher_and_id_types():
    assert set(v.ID_TYPES) == {"resident_id", "passport", "hk_mo_tw_permit", "business_license"}
    assert {k: str(label) for k, label in v.ID_TYPES.items()} == {
        "resident_id": "Resident ID card", "passport": "Passport",
        "hk_mo_tw_permit": "HK/Macao/Taiwan travel permit", "business_license": "Business license",
    }
    assert v.validate_id_number("driving_licence", "E12345678") == "Unknown ID type."
    assert v.validate_id_number("resident_id", "E12345678") == ID_FORMAT
    assert v.validate_id_number("business_license", "E12345678") == USCC_FORMAT
    assert v.normalize_id_number("passport", " e1234-5678 ") == "E12345678"
    assert v.normalize_id_number("nothing", " x ") == "x"


def test_messages_are_plain_str_outside_and_inside_an_app_context(app):
    assert type(v.validate_phone("1")) is str
    with app.app_context():
        assert isinstance(v.validate_phone("1"), str) and v.validate_phone("1")
    with app.test_request_context("/"):
        assert isinstance(v.validate_resident_id("1"), str)
        assert str(v.ID_TYPES["passport"])


# --- 手机 ---

@pytest.mark.parametrize("value,normal", [("13812345678", "13812345678"), ("+8613812345678", "13812345678"),
                                          ("+86 138 1234 5678", "13812345678"), ("8613812345678", "13812345678"),
                                          ("0086-138-1234-5678", "13812345678"), ("199 1234 5678", "19912345678"),
                                          ("１３８１２３４５６７８", "13812345678")])
def test_valid_phones(value, normal):
    assert v.validate_phone(value) is None
    assert v.normalize_phone(value) == normal


@pytest.mark.parametrize("value", [None, "", "138123456789", "1381234567", "12812345678", "11812345678",
                                   "23812345678", "+8612812345678", "138-1234-567a", "+85261234567"])
def test_invalid_phones(value):
    assert v.validate_phone(value) == PHONE


# --- 联系电话: a mobile number or a landline ---

@pytest.mark.parametrize("value,normal", [
    ("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
    ("0571-88887777", "0571-88887777"), ("057188887777", "0571-88887777"), ("(0571) 8888 7777", "0571-88887777"),
    ("010-12345678", "010-12345678"), ("01012345678", "010-12345678"), ("021-6234567", "021-6234567"),
    ("0755 2345 6789", "0755-23456789"), ("88887777-123", "88887777-123"), ("88887777转123", "88887777-123"),
    ("8888777", "8888777"), ("0571-88887777-8", "0571-88887777-8"), ("０５７１－８８８８７７７７", "0571-88887777"),
])
def test_valid_contact_numbers(value, normal):
    assert v.validate_contact_number(value) is None
    assert v.normalize_contact_number(value) == normal
    assert len(normal) <= 20  # the column's width


@pytest.mark.parametrize("value", [
    None, "", "12345", "123456", "12345678",  # a local number does not start with 1 (a mobile cut short)
    "138123456789", "0571-0888777",  # nor with 0
    "0571-888877777", "0571-888877", "0571-8888-7777", "88887777-1234567", "0123-4567890",  # 01x is no 区号
    "abc", "0571-8888777a", "+85261234567",
])
def test_invalid_contact_numbers(value):
    assert v.validate_contact_number(value) == CONTACT


def test_the_owners_mobile_stays_a_mobile():
    assert v.validate_phone("0571-88887777") == PHONE and v.validate_contact_number("0571-88887777") is None


# --- 车牌 ---

@pytest.mark.parametrize("value,normal,kind", [
    ("京A12345", "京A12345", "ordinary"),
    ("沪a·b1c2d", "沪AB1C2D", "ordinary"),
    ("粤B 1234学", "粤B1234学", "ordinary"),
    ("琼Z-1234挂", "琼Z1234挂", "ordinary"),
    ("粤BD12345", "粤BD12345", "new_energy"),
    ("粤B·FA1234", "粤BFA1234", "new_energy"),
    ("粤BD1234", "粤BD1234", "ordinary"),  # 7 characters: an ordinary plate
    ("浙ad12345", "浙AD12345", "new_energy"),
    ("川A12345D", "川A12345D", "new_energy"),
    ("苏E 12345F", "苏E12345F", "new_energy"),
])
def test_valid_plates(value, normal, kind):
    assert v.validate_plate(value) is None
    assert v.normalize_plate(value) == normal
    assert v.plate_kind(value) == kind


@pytest.mark.parametrize("value", ["港A12345", "AA12345", "1A12345", "台A12345"])
def test_plate_with_a_bad_province(value):
    assert v.validate_plate(value) == PLATE_PROVINCE
    assert v.plate_kind(value) is None


@pytest.mark.parametrize("value", [None, "", "京", "京I12345", "京O12345", "京A1234O", "京AI2345", "京112345",
                                   "京A1234", "京A123456", "京A1234警", "粤BF1A234", "粤BDA12345",
                                   "粤BA12345", "粤B1234D5", "粤B12345G", "粤BDA1B34", "粤B12345DX"])
def test_invalid_plates(value):
    assert v.validate_plate(value) == PLATE
    assert v.plate_kind(value) is None


def test_messages_differ():
    assert len({ID_FORMAT, ID_AREA, ID_BIRTH, ID_CHECK, USCC_FORMAT, USCC_CHECK, TRAVEL, PHONE, PLATE_PROVINCE,
                PLATE}) == 10
