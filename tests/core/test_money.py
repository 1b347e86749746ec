"""Money in whole yuan, shown in 万元/亿元 (gongjian.core.money). Plain Python, no database."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gongjian.core.money import (
    MAX_YUAN,
    YUAN_PER_WAN,
    YUAN_PER_YI,
    format_money,
    format_wan,
    format_yi,
    split_by_weights,
    split_evenly,
    wan_to_yuan,
    yuan_to_wan,
    yuan_to_yi,
)

# Up to a trillion 万元 either way: far beyond any project, well inside a 64-bit column.
amounts = st.integers(-(10**16), 10**16)
non_negative_amounts = st.integers(0, 10**16)


def _round_to_hundred(yuan: int) -> int:
    """What survives showing yuan as 万元 with two decimals: whole hundreds of yuan, rounded half-up."""
    return int((Decimal(yuan) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 100


# ------------------------------------------------------------------------------------------------ reading


def test_the_units_are_ten_thousand_and_a_hundred_million_yuan() -> None:
    assert YUAN_PER_WAN == 10_000
    assert YUAN_PER_YI == 100_000_000


@pytest.mark.parametrize(
    ("value", "yuan"),
    [
        ("12.5", 125_000),
        ("1,234.56", 12_345_600),
        (" 3 ", 30_000),
        ("１２．５", 125_000),
        ("１，２３４．５６", 12_345_600),
        ("\u300012.5\u3000", 125_000),
        ("12.5万元", 125_000),
        ("12.5 万", 125_000),
        ("-3.5", -35_000),
        ("\u22123.5", -35_000),
        ("+3", 30_000),
        (".5", 5_000),
        ("1.2E+03", 12_000_000),
        ("0", 0),
        (Decimal("1.23456"), 12_346),
        (7, 70_000),
        (-7, -70_000),
        (0.1, 1_000),
        (12.345678, 123_457),
    ],
)
def test_wan_to_yuan_reads_what_forms_and_spreadsheets_deliver(
    value: str | int | Decimal | float, yuan: int
) -> None:
    assert wan_to_yuan(value) == yuan


@pytest.mark.parametrize(
    ("value", "yuan"),
    [
        ("0.00005", 1),
        ("0.000049999", 0),
        ("0.00015", 2),
        ("0.00025", 3),  # banker's rounding would give 2
        ("-0.00005", -1),
        ("0.00004999999999999999999999999999999", 0),  # longer than Decimal's 28 digits: rounded once
    ],
)
def test_wan_to_yuan_rounds_half_up_to_whole_yuan(value: str, yuan: int) -> None:
    assert wan_to_yuan(value) == yuan


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", "abc"),
        ("", "（空）"),
        ("   ", "（空）"),
        ("nan", "nan"),
        ("NaN", "NaN"),
        ("inf", "inf"),
        ("-Infinity", "-Infinity"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "-Infinity"),
        ("1,2,3", "1,2,3"),
        ("12,34", "12,34"),
        ("1.2.3", "1.2.3"),
        (".", "."),
        ("e5", "e5"),
        ("--1", "--1"),
        ("1.2亿", "1.2亿"),
        ("12元", "12元"),
        (True, "True"),
    ],
)
def test_wan_to_yuan_refuses_what_is_not_a_finite_number(value: object, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        wan_to_yuan(value)  # type: ignore[arg-type]
    assert str(info.value) == f"不是有效的金额：{shown}"


def test_wan_to_yuan_refuses_amounts_too_large_to_store() -> None:
    assert wan_to_yuan("922337203685477.5807") == MAX_YUAN
    for too_big in ("922337203685477.5808", "1e40", 10**20, Decimal("1E+999999")):
        with pytest.raises(ValueError, match="金额超出范围"):
            wan_to_yuan(too_big)


@given(amounts)
def test_wan_to_yuan_reads_back_the_exact_wan_amount(yuan: int) -> None:
    assert wan_to_yuan(yuan_to_wan(yuan)) == yuan
    assert wan_to_yuan(str(yuan_to_wan(yuan))) == yuan


@given(st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=6))
def test_wan_to_yuan_agrees_whether_given_a_decimal_or_its_text(value: Decimal) -> None:
    assert wan_to_yuan(value) == wan_to_yuan(str(value)) == wan_to_yuan(f"{value:,f}")
    assert abs(wan_to_yuan(value) - value * YUAN_PER_WAN) <= Decimal("0.5")


# --------------------------------------------------------------------------------------------- exact values


def test_yuan_to_wan_and_yi_are_exact_decimals() -> None:
    assert yuan_to_wan(12_345) == Decimal("1.2345")
    assert yuan_to_wan(-1) == Decimal("-0.0001")
    assert yuan_to_yi(312_000_000) == Decimal("3.12")
    assert yuan_to_yi(1) == Decimal("0.00000001")


@given(amounts)
def test_yuan_to_wan_times_ten_thousand_is_the_yuan_again(yuan: int) -> None:
    assert yuan_to_wan(yuan) * YUAN_PER_WAN == yuan
    assert yuan_to_yi(yuan) * YUAN_PER_YI == yuan


# ------------------------------------------------------------------------------------------------ display


def test_format_wan_shows_two_decimals_with_thousands_separators() -> None:
    assert format_wan(12_345_600) == "1,234.56"
    assert format_wan(12_345_600, grouping=False) == "1234.56"
    assert format_wan(12_345_600, places=0) == "1,235"
    assert format_wan(12_345_600, places=4) == "1,234.5600"
    assert format_wan(0) == "0.00"
    assert format_wan(-12_345_600) == "-1,234.56"


@given(amounts, st.integers(1, 4), st.booleans())
def test_format_wan_of_whole_yuan_reads_as_the_exact_decimal_rounded_half_up(
    yuan: int, places: int, grouping: bool
) -> None:
    """Whole yuan take an integer path; it must show what the exact amount in 万元 rounds to, half away from
    zero, with no minus on a zero."""
    exact = (Decimal(yuan) / 10_000).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    expected = f"{abs(exact) if exact.is_zero() else exact:{',' if grouping else ''}.{places}f}"
    assert format_wan(yuan, places=places, grouping=grouping) == expected


def test_format_wan_shows_nothing_for_an_unknown_amount() -> None:
    assert format_wan(None) == ""
    assert format_yi(None) == ""
    assert format_money(None) == ""


def test_format_wan_rounds_half_up_and_never_shows_minus_zero() -> None:
    assert format_wan(50) == "0.01"
    assert format_wan(49) == "0.00"
    assert format_wan(-50) == "-0.01"
    assert format_wan(-49) == "0.00"
    assert format_wan(150) == "0.02"
    assert format_wan(250) == "0.03"  # banker's rounding would give 0.02


def test_format_yi_shows_hundred_millions() -> None:
    assert format_yi(312_000_000) == "3.12"
    assert format_yi(123_456_789_012_345) == "1,234,567.89"
    assert format_yi(123_456_789_012_345, grouping=False) == "1234567.89"


def test_format_money_picks_yi_from_one_hundred_million_up() -> None:
    assert format_money(312_000_000) == "3.12亿元"
    assert format_money(100_000_000) == "1.00亿元"
    assert format_money(12_345_600) == "1,234.56万元"
    assert format_money(0) == "0.00万元"
    assert format_money(-312_000_000) == "-3.12亿元"
    assert format_money(99_994_999) == "9,999.50万元"


def test_format_money_decides_the_unit_on_the_rounded_figure() -> None:
    assert format_money(99_999_999) == "1.00亿元"


def test_negative_places_are_refused() -> None:
    with pytest.raises(ValueError, match="places"):
        format_wan(1, places=-1)


@given(amounts)
def test_reading_back_what_format_wan_shows_loses_only_what_two_decimals_hide(yuan: int) -> None:
    assert wan_to_yuan(format_wan(yuan, grouping=False)) == _round_to_hundred(yuan)
    assert wan_to_yuan(format_wan(yuan)) == _round_to_hundred(yuan)
    assert wan_to_yuan(format_wan(yuan, places=4)) == yuan


@given(amounts)
def test_format_money_always_names_its_unit(yuan: int) -> None:
    shown = format_money(yuan)
    assert shown.endswith(("万元", "亿元"))
    number = shown[:-2]
    if shown.endswith("亿元"):
        assert abs(yuan) >= YUAN_PER_YI - 50
        assert number == format_yi(yuan)
    else:
        assert abs(yuan) < YUAN_PER_YI
        assert wan_to_yuan(number) == _round_to_hundred(yuan)


# ------------------------------------------------------------------------------------------------ splitting


def test_split_evenly_gives_the_leftover_yuan_to_the_last_parts() -> None:
    assert split_evenly(10, 3) == [3, 3, 4]
    assert split_evenly(11, 3) == [3, 4, 4]
    assert split_evenly(12, 3) == [4, 4, 4]
    assert split_evenly(2, 5) == [0, 0, 0, 1, 1]
    assert split_evenly(0, 2) == [0, 0]
    assert split_evenly(7, 1) == [7]


def test_split_evenly_mirrors_a_negative_total() -> None:
    assert split_evenly(-10, 3) == [-3, -3, -4]


def test_split_evenly_needs_at_least_one_part() -> None:
    with pytest.raises(ValueError, match="parts must be at least 1"):
        split_evenly(10, 0)


@given(amounts, st.integers(1, 400))
def test_split_evenly_adds_up_exactly_with_parts_at_most_one_yuan_apart(total: int, parts: int) -> None:
    shares = split_evenly(total, parts)
    assert len(shares) == parts
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=total < 0)
    if total >= 0:
        assert min(shares) >= 0


def test_split_by_weights_is_proportional_with_the_largest_remainders_rounded_up() -> None:
    assert split_by_weights(100, [1, 2, 1]) == [25, 50, 25]
    assert split_by_weights(100, [1, 1, 1]) == [33, 33, 34]
    assert split_by_weights(10, [0.5, 0.3, 0.2]) == [5, 3, 2]
    assert split_by_weights(7, [2, 3]) == [3, 4]  # 2.8 and 4.2: the 0.8 remainder wins the extra yuan
    assert split_by_weights(1, [Decimal("0.1"), Decimal("0.2")]) == [0, 1]


def test_split_by_weights_gives_nothing_to_a_zero_weight() -> None:
    assert split_by_weights(100, [0, 1, 2, 0]) == [0, 33, 67, 0]
    assert split_by_weights(5, [0, 0, 1]) == [0, 0, 5]


def test_split_by_weights_splits_evenly_when_every_weight_is_zero() -> None:
    assert split_by_weights(7, [0, 0]) == [3, 4]
    assert split_by_weights(7, [0.0, 0.0, 0.0]) == split_evenly(7, 3)


def test_split_by_weights_mirrors_a_negative_total() -> None:
    assert split_by_weights(-100, [1, 1, 1]) == [-33, -33, -34]


@pytest.mark.parametrize("weights", [[], [1, -1], [float("nan")], [float("inf"), 1], [True, 1]])
def test_split_by_weights_refuses_weights_it_cannot_use(weights: list[float]) -> None:
    with pytest.raises(ValueError, match="weights"):
        split_by_weights(100, weights)


weight_lists = st.lists(
    st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False, allow_infinity=False)),
    min_size=1,
    max_size=40,
)


@given(amounts, weight_lists)
def test_split_by_weights_adds_up_exactly_and_stays_within_a_yuan_of_the_exact_share(
    total: int, weights: list[int | float]
) -> None:
    shares = split_by_weights(total, weights)
    assert len(shares) == len(weights)
    assert sum(shares) == total
    weight_sum = sum(Decimal(w) for w in weights)
    for share, weight in zip(shares, weights, strict=True):
        if weight_sum == 0:
            break
        exact = Decimal(total) * Decimal(weight) / weight_sum
        assert abs(share - exact) < 1 + Decimal("1e-12")


@given(non_negative_amounts, weight_lists)
def test_split_by_weights_of_a_non_negative_total_is_non_negative_and_skips_zero_weights(
    total: int, weights: list[int | float]
) -> None:
    shares = split_by_weights(total, weights)
    assert all(share >= 0 for share in shares)
    if any(weights):
        assert all(share == 0 for share, weight in zip(shares, weights, strict=True) if weight == 0)


@given(amounts, st.integers(1, 60), st.integers(1, 10**6))
def test_equal_weights_split_like_split_evenly(total: int, parts: int, weight: int) -> None:
    assert split_by_weights(total, [weight] * parts) == split_evenly(total, parts)


@given(non_negative_amounts, weight_lists)
def test_a_heavier_weight_never_gets_less(total: int, weights: list[int | float]) -> None:
    assume(any(weights))
    shares = split_by_weights(total, weights)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert shares[i] >= shares[j]
