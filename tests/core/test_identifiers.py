"""Tests for gongjian.core.identifiers (pure Python, no Django needed)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.core.identifiers import (
    CREDIT_CODE_CHARSET,
    PROVINCE_CODES,
    REGISTRATION_DEPARTMENTS,
    IdentifierError,
    RegionLevel,
    check_citizen_id,
    check_credit_code,
    check_mobile,
    check_org_code,
    check_project_code,
    check_region_code,
    citizen_id_check_digit,
    credit_code_check_char,
    make_credit_code,
    make_org_code,
    mask_bank_account,
    mask_citizen_id,
    mask_middle,
    mask_name,
    mask_phone,
    normalise_region_code,
    org_code_check_char,
    region_level,
    region_parent_code,
)

TODAY = date(2025, 6, 30)
ID_CHECK_CHARS = "0123456789X"

# ---------------------------------------------------------------------------- strategies

provinces = st.sampled_from(sorted(PROVINCE_CODES))
two_digit_nonzero = st.integers(1, 99).map(lambda n: f"{n:02d}")
three_digit_nonzero = st.integers(1, 999).map(lambda n: f"{n:03d}")

province_codes = provinces.map(lambda p: p + "0000")
prefecture_codes = st.builds(lambda p, c: p + c + "00", provinces, two_digit_nonzero)
county_codes = st.builds(lambda p, c, d: p + c + d, provinces, two_digit_nonzero, two_digit_nonzero)
six_digit_codes = st.one_of(province_codes, prefecture_codes, county_codes)
# Townships hang under counties, or directly under a 不设区的地级市 (441900 东莞).
township_codes = st.builds(
    lambda parent, t: parent + t, st.one_of(prefecture_codes, county_codes), three_digit_nonzero
)
village_codes = st.builds(lambda parent, v: parent + v, township_codes, three_digit_nonzero)
region_codes = st.one_of(six_digit_codes, township_codes, village_codes)

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
id_bodies = st.builds(
    lambda county, born, seq: county + born.strftime("%Y%m%d") + f"{seq:03d}",
    county_codes,
    birth_dates,
    st.integers(0, 999),
)

credit_chars = st.sampled_from(CREDIT_CODE_CHARSET)
credit_code_first17 = st.builds(
    lambda dept, kind, region, org: dept + kind + region + make_org_code(org),
    st.sampled_from(sorted(REGISTRATION_DEPARTMENTS)),
    credit_chars,
    six_digit_codes,
    st.text(alphabet=CREDIT_CODE_CHARSET, min_size=8, max_size=8),
)


# ---------------------------------------------------------------------------- citizen ID


@pytest.mark.parametrize("value", ["11010519491231002X", "34052419800101001X"])
def test_known_valid_citizen_ids_are_accepted(value: str) -> None:
    assert check_citizen_id(value) == value


def test_a_known_id_with_a_wrong_check_digit_is_rejected_with_the_expected_digit() -> None:
    with pytest.raises(IdentifierError, match="身份证号校验位错误，应为 X"):
        check_citizen_id("340524198001010013")


def test_lowercase_x_full_width_digits_and_whitespace_are_normalised() -> None:
    assert check_citizen_id("  11010519491231002x ") == "11010519491231002X"
    assert check_citizen_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_the_check_digit_helper_matches_the_reference_examples() -> None:
    assert citizen_id_check_digit("11010519491231002") == "X"
    assert citizen_id_check_digit("34052419800101001") == "X"


@given(body=id_bodies)
def test_any_body_with_its_computed_check_digit_is_accepted_and_every_other_last_char_rejected(
    body: str,
) -> None:
    check = citizen_id_check_digit(body)
    assert check_citizen_id(body + check, today=TODAY) == body + check
    for other in ID_CHECK_CHARS.replace(check, ""):
        with pytest.raises(IdentifierError, match="校验位错误"):
            check_citizen_id(body + other, today=TODAY)


@given(body=id_bodies, position=st.integers(0, 16), digit=st.sampled_from("0123456789"))
def test_changing_any_single_digit_of_a_valid_id_makes_it_invalid(
    body: str, position: int, digit: str
) -> None:
    valid = body + citizen_id_check_digit(body)
    altered = valid[:position] + digit + valid[position + 1 :]
    if altered == valid:
        return
    with pytest.raises(IdentifierError):
        check_citizen_id(altered, today=TODAY)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "不能为空"),
        ("1101051949123100", "身份证号应为18位"),
        ("1101051949123100211", "身份证号应为18位"),
        ("11010519491231A02X", "前17位应为数字"),
        ("11010519491231002A", "最后一位应为数字或 X"),
        ("11010519491331002X", "出生日期无效"),
        ("11010518491231002X", "出生日期无效"),
    ],
)
def test_malformed_citizen_ids_are_rejected_with_a_chinese_reason(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        check_citizen_id(value)


def _with_check(body: str) -> str:
    return body + citizen_id_check_digit(body)


def test_an_impossible_birth_date_is_rejected() -> None:
    with pytest.raises(IdentifierError, match="身份证号出生日期无效"):
        check_citizen_id(_with_check("11010519000229001"))  # 1900 is not a leap year
    assert check_citizen_id(_with_check("11010520000229001"), today=TODAY)


def test_a_birth_date_after_today_is_rejected_but_today_itself_is_accepted() -> None:
    born_today = _with_check("110105" + TODAY.strftime("%Y%m%d") + "001")
    assert check_citizen_id(born_today, today=TODAY) == born_today
    tomorrow = TODAY + timedelta(days=1)
    with pytest.raises(IdentifierError, match="出生日期无效"):
        check_citizen_id(_with_check("110105" + tomorrow.strftime("%Y%m%d") + "001"), today=TODAY)


def test_an_unknown_province_prefix_is_rejected_as_an_invalid_address_code() -> None:
    with pytest.raises(IdentifierError, match="身份证号地址码无效"):
        check_citizen_id(_with_check("99010519491231002"))
    with pytest.raises(IdentifierError, match="身份证号地址码无效"):
        check_citizen_id(_with_check("01010519491231002"))


def test_residence_permits_and_foreigner_permanent_residence_cards_use_the_same_algorithm() -> None:
    taiwan_permit = _with_check("83000019900101001")
    assert check_citizen_id(taiwan_permit) == taiwan_permit
    foreigner_card = _with_check("91184019900101001")  # '9' + 11 (Beijing) + 840
    assert check_citizen_id(foreigner_card) == foreigner_card


def test_a_legacy_15_digit_id_with_a_valid_date_is_returned_unchanged() -> None:
    assert check_citizen_id(" 110105491231002 ") == "110105491231002"


@pytest.mark.parametrize(
    ("value", "message"),
    [("110105491331002", "出生日期无效"), ("990105491231002", "地址码无效"), ("11010549123100X", "数字")],
)
def test_an_invalid_legacy_15_digit_id_is_rejected(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        check_citizen_id(value)


def test_the_check_digit_helper_rejects_a_body_that_is_not_17_digits() -> None:
    with pytest.raises(IdentifierError):
        citizen_id_check_digit("1101051949123100")


# ---------------------------------------------------------------------------- credit code


def test_a_real_world_credit_code_is_accepted() -> None:
    assert check_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_a_central_level_code_with_the_national_region_segment_is_accepted() -> None:
    # Registration authority segment 100000 (中央); passes both the nested and the outer check.
    assert check_credit_code("11100000000013127D") == "11100000000013127D"


def test_the_registry_code_that_fails_the_outer_check_is_rejected() -> None:
    with pytest.raises(IdentifierError, match="统一社会信用代码校验位错误，应为 9"):
        check_credit_code("91350203M0001QAY9B")


def test_a_code_built_with_the_helpers_equals_the_real_world_code() -> None:
    assert make_org_code("M000100Y") == "M000100Y4"
    assert make_credit_code("91350100" + make_org_code("M000100Y")) == "91350100M000100Y43"
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_a_lowercase_credit_code_is_normalised_to_uppercase() -> None:
    assert check_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@given(first17=credit_code_first17)
def test_any_well_structured_prefix_completed_by_make_credit_code_is_accepted(first17: str) -> None:
    code = make_credit_code(first17)
    assert len(code) == 18
    assert check_credit_code(code) == code


@given(first17=credit_code_first17, position=st.integers(0, 17), replacement=credit_chars)
def test_altering_one_character_of_a_valid_credit_code_makes_it_invalid(
    first17: str, position: int, replacement: str
) -> None:
    code = make_credit_code(first17)
    altered = code[:position] + replacement + code[position + 1 :]
    if altered == code:
        return
    with pytest.raises(IdentifierError):
        check_credit_code(altered)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "不能为空"),
        ("91350100M000100Y4", "应为18位"),
        ("91350100I000100Y43", "无效字符「I」"),
        ("91350100O000100Y43", "无效字符「O」"),
        ("B1350100M000100Y43", "登记管理部门代码「B」无效"),
        ("91990100M000100Y43", "行政区划码「990100」无效"),
        ("9135A100M000100Y43", "行政区划码「35A100」无效"),
        ("91350100M000100Y53", "组织机构代码（第9–17位）校验位错误，第17位应为 4"),
        ("91350100M000100Y44", "统一社会信用代码校验位错误，应为 3"),
    ],
)
def test_malformed_credit_codes_are_rejected_with_a_chinese_reason(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        check_credit_code(value)


def test_the_org_code_check_char_uses_x_for_ten_and_zero_for_eleven() -> None:
    # Search small bodies for each special remainder rather than hard-coding magic values.
    checks = {org_code_check_char(f"{n:08d}") for n in range(200)}
    assert {"X", "0"} <= checks
    assert checks <= set("0123456789X")


def test_a_standalone_org_code_is_accepted_with_or_without_the_hyphen() -> None:
    assert check_org_code("M000100Y-4") == "M000100Y4"
    assert check_org_code("m000100y4") == "M000100Y4"
    with pytest.raises(IdentifierError, match="组织机构代码校验位错误，应为 4"):
        check_org_code("M000100Y5")


def test_make_credit_code_rejects_a_prefix_with_characters_outside_the_charset() -> None:
    with pytest.raises(IdentifierError, match="无效字符"):
        make_credit_code("9135010000000000Z")
    with pytest.raises(IdentifierError):
        make_credit_code("913501")


# ---------------------------------------------------------------------------- region codes


def test_there_are_34_province_codes() -> None:
    assert len(PROVINCE_CODES) == 34
    assert {"11", "46", "54", "65", "71", "81", "82"} <= PROVINCE_CODES


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("110000", RegionLevel.PROVINCE, None),
        ("110100", RegionLevel.PREFECTURE, "110000"),
        ("110101", RegionLevel.COUNTY, "110100"),
        ("429004", RegionLevel.COUNTY, "429000"),
        ("110101001", RegionLevel.TOWNSHIP, "110101"),
        ("441900003", RegionLevel.TOWNSHIP, "441900"),
        ("110101001001", RegionLevel.VILLAGE, "110101001"),
    ],
)
def test_each_level_of_region_code_is_recognised_with_its_parent(
    code: str, level: RegionLevel, parent: str | None
) -> None:
    assert check_region_code(code) == code
    assert region_level(code) is level
    assert region_parent_code(code) == parent


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("110101001000", "110101001"),
        ("110101000000", "110101"),
        ("110000000000", "110000"),
        ("110101000", "110101"),
        (" 110101 ", "110101"),
        ("110000", "110000"),
    ],
)
def test_zero_padded_statistics_codes_are_shortened_to_their_own_level(raw: str, normal: str) -> None:
    assert normalise_region_code(raw) == normal
    assert check_region_code(raw) == normal


def test_a_padded_twelve_digit_county_code_reports_the_county_level() -> None:
    assert region_level("110101000000") is RegionLevel.COUNTY


@pytest.mark.parametrize(
    "code",
    ["", "1100", "1101011", "990000", "000000", "110005", "11010a", "110000001", "110101000001"],
)
def test_nonsense_region_codes_are_rejected(code: str) -> None:
    with pytest.raises(IdentifierError):
        check_region_code(code)


@given(code=region_codes)
def test_the_parent_chain_of_any_region_code_ends_at_a_province(code: str) -> None:
    chain = [code]
    while (parent := region_parent_code(chain[-1])) is not None:
        assert check_region_code(parent) == parent
        assert code.startswith(parent.rstrip("0")[:2])
        chain.append(parent)
        assert len(chain) <= 5
    assert region_level(chain[-1]) is RegionLevel.PROVINCE
    assert chain[-1] == code[:2] + "0000"
    levels = list(RegionLevel)
    indexes = [levels.index(region_level(c)) for c in chain]
    assert indexes == sorted(indexes, reverse=True)
    assert len(set(indexes)) == len(indexes)


# ---------------------------------------------------------------------------- project code


def test_a_well_formed_project_code_is_accepted_and_uppercased() -> None:
    assert check_project_code("2021-330106-04-01-12345X") == "2021-330106-04-01-12345X"
    assert check_project_code(" 2021-330106-04-01-12345x ") == "2021-330106-04-01-12345X"
    assert check_project_code("2023-440300-48-01-001234") == "2023-440300-48-01-001234"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "不能为空"),
        ("2021-330106-04-01-12345", "格式"),
        ("2021330106040112345X", "格式"),
        ("2021-330106-4-01-12345X", "格式"),
        ("2021-330106-04-01-1234AX", "格式"),
        ("1999-330106-04-01-12345X", "年份「1999」无效"),
        ("2101-330106-04-01-12345X", "年份"),
        ("2021-990106-04-01-12345X", "地区代码「990106」无效"),
    ],
)
def test_malformed_project_codes_are_rejected_with_a_chinese_reason(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        check_project_code(value)


# ---------------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "value", ["13812345678", " 138 1234 5678 ", "138-1234-5678", "+8613812345678", "008619912345678"]
)
def test_mobile_numbers_are_accepted_and_normalised_to_eleven_digits(value: str) -> None:
    assert len(check_mobile(value)) == 11
    assert check_mobile(value).isdigit()


@pytest.mark.parametrize(
    "value", ["", "12812345678", "1381234567", "138123456789", "1381234567a", "010-12345678"]
)
def test_invalid_mobile_numbers_are_rejected(value: str) -> None:
    with pytest.raises(IdentifierError):
        check_mobile(value)


# ---------------------------------------------------------------------------- masks


def test_the_masks_follow_the_common_display_conventions() -> None:
    assert mask_citizen_id("11010519491231002X") == "110105********002X"
    assert mask_citizen_id("11010519491231002X", keep_head=0) == "**************002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-12345678") == "01********78"
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_bank_account("6222020200001234567") == "6222***********4567"


@pytest.mark.parametrize("mask", [mask_citizen_id, mask_phone, mask_name, mask_bank_account])
def test_masks_return_empty_for_empty_or_missing_input(mask: object) -> None:
    assert callable(mask)
    assert mask("") == ""
    assert mask("   ") == ""
    assert mask(None) == ""


def test_values_too_short_to_keep_both_ends_are_masked_entirely() -> None:
    assert mask_name("张") == "*"
    assert mask_citizen_id("1101") == "****"
    assert mask_bank_account("12345678") == "********"
    assert mask_phone("1234") == "****"


def _assert_masked(original: str, masked: str, head: int, tail: int) -> None:
    text = original.strip()
    assert len(masked) == len(text)
    if len(text) <= head + tail:
        assert masked == "*" * len(text)
    else:
        assert masked[:head] == text[:head]
        assert masked[len(text) - tail :] == text[len(text) - tail :]
        assert set(masked[head : len(text) - tail]) == {"*"}


@given(value=st.text())
def test_masks_never_raise_keep_the_length_and_never_reveal_the_middle(value: str) -> None:
    _assert_masked(value, mask_citizen_id(value), 6, 4)
    _assert_masked(value, mask_bank_account(value), 4, 4)
    name = mask_name(value)
    if len(value.strip()) <= 2:
        _assert_masked(value, name, 1, 0)
    else:
        _assert_masked(value, name, 1, 1)
    phone = mask_phone(value)
    assert len(phone) == len(value.strip())


@given(body=id_bodies)
def test_a_masked_citizen_id_hides_the_birth_date_and_sequence(body: str) -> None:
    value = body + citizen_id_check_digit(body)
    masked = mask_citizen_id(value)
    assert masked == value[:6] + "********" + value[14:]


@given(rest=st.text(alphabet="0123456789", min_size=9, max_size=9), second=st.sampled_from("3456789"))
def test_a_masked_mobile_number_hides_the_four_middle_digits(rest: str, second: str) -> None:
    mobile = "1" + second + rest
    assert mask_phone(mobile) == mobile[:3] + "****" + mobile[7:]


@given(value=st.text(), head=st.integers(-2, 20), tail=st.integers(-2, 20))
def test_mask_middle_keeps_the_stripped_length_for_any_parameters(value: str, head: int, tail: int) -> None:
    assert len(mask_middle(value, head, tail)) == len(value.strip())
