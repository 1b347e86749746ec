"""The reporting calendar: 旬, months and years (gongjian.core.periods). Plain Python, no database."""

from __future__ import annotations

import calendar
import itertools
import pickle
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.core.periods import MAX_YEAR, MIN_YEAR, Period, PeriodKind

# ------------------------------------------------------------------------------------------------ strategies

years = st.integers(MIN_YEAR, MAX_YEAR)
# Years with a neighbour on both sides, for next()/prev().
inner_years = st.integers(MIN_YEAR + 1, MAX_YEAR - 1)
dates = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31))


@st.composite
def periods(draw: st.DrawFn, year: st.SearchStrategy[int] = years) -> Period:
    kind = draw(st.sampled_from(PeriodKind))
    y = draw(year)
    if kind is PeriodKind.YEAR:
        return Period(y)
    m = draw(st.integers(1, 12))
    if kind is PeriodKind.MONTH:
        return Period(y, m)
    return Period(y, m, draw(st.integers(1, 3)))


# ------------------------------------------------------------------------------------------------ building


def test_the_documented_ways_of_building_a_period_agree() -> None:
    assert Period("2026-11", dekad=2) == Period(2026, 11, 2)
    assert Period("2026-11") == Period(2026, 11)
    assert Period("2026") == Period(2026)
    assert Period("2026", 11) == Period(2026, 11)
    assert Period(year=2026, month=11, dekad=2).kind is PeriodKind.DEKAD


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2026, 13), "month must be between 1 and 12, got 13"),
        ((2026, 0), "month must be between 1 and 12, got 0"),
        ((2026, 11, 4), "dekad must be 1 (上旬), 2 (中旬) or 3 (下旬), got 4"),
        ((2026, 11, 0), "dekad must be 1 (上旬), 2 (中旬) or 3 (下旬), got 0"),
        ((2026, None, 2), "a dekad (旬) needs a month"),
        ((1899,), "year must be between 1900 and 2200, got 1899"),
        ((2201, 1), "year must be between 1900 and 2200, got 2201"),
    ],
)
def test_an_impossible_period_is_refused_with_a_message_saying_why(
    args: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Period(*args)


def test_text_and_arguments_that_disagree_are_refused() -> None:
    with pytest.raises(ValueError, match="conflicting dekad"):
        Period("2026-11-1", dekad=2)
    with pytest.raises(ValueError, match="conflicting month"):
        Period("2026-11", 12)


def test_a_boolean_or_float_is_not_taken_for_a_year() -> None:
    with pytest.raises(TypeError):
        Period(True)
    with pytest.raises(TypeError):
        Period(2026.0)  # type: ignore[arg-type]


def test_a_period_cannot_be_changed_after_it_is_made() -> None:
    p = Period(2026, 11)
    with pytest.raises(AttributeError):
        p.month = 12  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-2", Period(2026, 11, 2)),
        ("2026-11", Period(2026, 11)),
        ("2026", Period(2026)),
        ("2026年11月上旬", Period(2026, 11, 1)),
        ("2026年11月中旬", Period(2026, 11, 2)),
        ("2026年11月下旬", Period(2026, 11, 3)),
        ("2026年11月", Period(2026, 11)),
        ("2026年11月份", Period(2026, 11)),
        ("2026年", Period(2026)),
        ("2026年度", Period(2026)),
        ("２０２６年１１月中旬", Period(2026, 11, 2)),
        ("２０２６－１１－２", Period(2026, 11, 2)),
        (" 2026 年 3 月 下 旬 ", Period(2026, 3, 3)),
        ("\u30002026年\u3000", Period(2026)),
        ("2026-03", Period(2026, 3)),
        ("2026-3-1", Period(2026, 3, 1)),
        ("2026-11-上旬", Period(2026, 11, 1)),
        ("2026-11-下", Period(2026, 11, 3)),
        ("2026.11", Period(2026, 11)),
        ("2026/11/2", Period(2026, 11, 2)),
        ("2026 Nov mid", Period(2026, 11, 2)),
        ("2026 nov", Period(2026, 11)),
    ],
)
def test_parse_reads_the_forms_people_write(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "26-11", "2026-", "2026年11", "11月中旬", "2026-11-2-1", "2026 Foo"]
)
def test_unreadable_text_is_refused_naming_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="cannot read a period from") as info:
        Period.parse(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-13", "month must be between 1 and 12"),
        ("2026年0月", "month must be between 1 and 12"),
        ("2026-11-4", "dekad must be"),
        ("1899年", "year must be between"),
    ],
)
def test_readable_text_naming_an_impossible_period_says_which_part_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as info:
        Period.parse(text)
    assert f"invalid period {text!r}" in str(info.value)


@given(periods())
def test_the_chinese_form_reads_back_as_the_same_period(p: Period) -> None:
    assert Period.parse(str(p)) == p


@given(periods())
def test_the_code_and_the_english_label_read_back_as_the_same_period(p: Period) -> None:
    assert Period.parse(p.code) == p
    assert Period(p.code) == p
    assert Period.parse(p.label_en) == p


# ------------------------------------------------------------------------------------------------ display


def test_a_period_prints_in_chinese() -> None:
    assert str(Period(2026, 11, 1)) == "2026年11月上旬"
    assert str(Period(2026, 11, 2)) == "2026年11月中旬"
    assert str(Period(2026, 11, 3)) == "2026年11月下旬"
    assert str(Period(2026, 3)) == "2026年3月"
    assert str(Period(2026)) == "2026年"


def test_the_code_is_short_and_pads_the_month_so_it_sorts_as_text() -> None:
    assert Period(2026, 11, 2).code == "2026-11-2"
    assert Period(2026, 11).code == "2026-11"
    assert Period(2026, 3, 1).code == "2026-03-1"
    assert Period(2026).code == "2026"


def test_the_english_label_names_early_mid_and_late() -> None:
    assert Period(2026, 11, 1).label_en == "2026 Nov early"
    assert Period(2026, 11, 2).label_en == "2026 Nov mid"
    assert Period(2026, 2, 3).label_en == "2026 Feb late"
    assert Period(2026, 11).label_en == "2026 Nov"
    assert Period(2026).label_en == "2026"


@given(periods(), periods())
def test_within_one_kind_codes_sort_like_the_periods(a: Period, b: Period) -> None:
    if a.kind == b.kind:
        assert (a.code < b.code) == (a < b)


# ------------------------------------------------------------------------------------------------ extent


def test_the_three_dekads_of_november_are_days_1_to_10_11_to_20_and_21_to_30() -> None:
    early, mid, late = Period(2026, 11).children()
    assert (early.start, early.end, early.days) == (date(2026, 11, 1), date(2026, 11, 10), 10)
    assert (mid.start, mid.end, mid.days) == (date(2026, 11, 11), date(2026, 11, 20), 10)
    assert (late.start, late.end, late.days) == (date(2026, 11, 21), date(2026, 11, 30), 10)


@pytest.mark.parametrize(
    ("year", "month", "last_day"),
    [(2026, 2, 28), (2024, 2, 29), (2000, 2, 29), (1900, 2, 28), (2026, 1, 31), (2026, 4, 30)],
)
def test_the_late_dekad_ends_on_the_last_day_of_the_month(year: int, month: int, last_day: int) -> None:
    late = Period(year, month, 3)
    assert late.end == date(year, month, last_day)
    assert late.days == last_day - 20
    assert Period(year, month).end == late.end


def test_a_year_runs_from_new_year_to_new_years_eve() -> None:
    assert (Period(2026).start, Period(2026).end, Period(2026).days) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        365,
    )
    assert Period(2024).days == 366


@given(periods())
def test_the_kind_follows_from_which_fields_are_set(p: Period) -> None:
    expected = {
        (False, False): PeriodKind.YEAR,
        (True, False): PeriodKind.MONTH,
        (True, True): PeriodKind.DEKAD,
    }[(p.month is not None, p.dekad is not None)]
    assert p.kind is expected
    assert p.kind == expected.value


@given(periods(), dates)
def test_a_period_contains_exactly_the_days_from_its_start_to_its_end(p: Period, d: date) -> None:
    assert p.contains(d) == (p.start <= d <= p.end)
    assert (d in p) == p.contains(d)
    assert p.days == (p.end - p.start).days + 1


def test_a_datetime_is_judged_by_its_day() -> None:
    moment = datetime(2026, 11, 20, 23, 59)
    assert Period(2026, 11, 2).contains(moment)
    assert Period.of(moment, "dekad") == Period(2026, 11, 2)
    assert Period(2026, 11, 2).elapsed_fraction(moment) == 1.0


def test_a_period_is_in_another_when_it_lies_wholly_inside() -> None:
    assert Period(2026, 11, 2) in Period(2026, 11)
    assert Period(2026, 11) in Period(2026)
    assert Period(2026, 11) not in Period(2026, 11, 2)
    assert Period(2027, 1) not in Period(2026)
    assert "2026-11" not in Period(2026)


# ------------------------------------------------------------------------------------------------ dates


@given(dates)
def test_every_date_belongs_to_exactly_one_dekad_and_that_dekads_month_contains_it(d: date) -> None:
    month = Period(d.year, d.month)
    holders = [p for p in month.children() if p.contains(d)]
    assert holders == [Period.dekad_of(d)]
    assert Period.dekad_of(d).parent() == Period.month_of(d) == month
    assert Period.month_of(d).parent() == Period.year_of(d)
    assert Period.month_of(d).contains(d)
    assert Period.year_of(d).contains(d)


@pytest.mark.parametrize(
    ("day", "dekad"),
    [(1, 1), (10, 1), (11, 2), (20, 2), (21, 3), (30, 3), (31, 3)],
)
def test_the_dekad_of_a_day_follows_the_ten_day_boundaries(day: int, dekad: int) -> None:
    assert Period.dekad_of(date(2026, 12, day)) == Period(2026, 12, dekad)


def test_of_takes_the_kind_as_an_enum_or_as_its_stored_value() -> None:
    d = date(2026, 11, 15)
    assert Period.of(d, PeriodKind.MONTH) == Period.of(d, "month") == Period(2026, 11)
    assert Period.of(d, "year") == Period(2026)
    with pytest.raises(ValueError):
        Period.of(d, "week")


# ------------------------------------------------------------------------------------------------ navigation


def test_a_dekad_after_the_last_of_december_is_the_first_of_january() -> None:
    assert Period(2026, 12, 3).next() == Period(2027, 1, 1)
    assert Period(2027, 1, 1).prev() == Period(2026, 12, 3)


def test_next_and_prev_step_within_and_across_months_and_years() -> None:
    assert Period(2026, 11, 1).next() == Period(2026, 11, 2)
    assert Period(2026, 11, 3).next() == Period(2026, 12, 1)
    assert Period(2026, 12).next() == Period(2027, 1)
    assert Period(2026, 1).prev() == Period(2025, 12)
    assert Period(2026).next() == Period(2027)


def test_stepping_past_the_supported_years_is_refused() -> None:
    with pytest.raises(ValueError, match="year must be between"):
        Period(MAX_YEAR, 12, 3).next()
    with pytest.raises(ValueError, match="year must be between"):
        Period(MIN_YEAR).prev()


@given(periods(year=inner_years))
def test_next_and_prev_undo_each_other_and_keep_the_kind(p: Period) -> None:
    assert p.next().prev() == p
    assert p.prev().next() == p
    assert p.next().kind == p.prev().kind == p.kind
    assert p.prev() < p < p.next()


@given(periods(year=inner_years))
def test_the_next_period_starts_the_day_after_this_one_ends(p: Period) -> None:
    assert p.next().start == p.end + timedelta(days=1)
    assert p.prev().end == p.start - timedelta(days=1)


def test_parents_go_from_dekad_to_month_to_year_and_a_year_has_none() -> None:
    assert Period(2026, 11, 2).parent() == Period(2026, 11)
    assert Period(2026, 11).parent() == Period(2026)
    with pytest.raises(ValueError, match="has no parent"):
        Period(2026).parent()


def test_children_are_twelve_months_or_three_dekads() -> None:
    assert Period(2026).children() == [Period(2026, m) for m in range(1, 13)]
    assert Period(2026, 11).children() == [Period(2026, 11, 1), Period(2026, 11, 2), Period(2026, 11, 3)]
    assert Period(2026, 11, 2).children() == []


@given(periods())
def test_children_cover_the_parent_without_gaps_or_overlaps(p: Period) -> None:
    kids = p.children()
    if not kids:
        assert p.kind is PeriodKind.DEKAD
        return
    assert kids[0].start == p.start
    assert kids[-1].end == p.end
    for before, after in itertools.pairwise(kids):
        assert after.start == before.end + timedelta(days=1)
    assert sum(k.days for k in kids) == p.days
    assert all(k.parent() == p for k in kids)


@given(years)
def test_the_dekads_of_a_year_partition_its_days(year: int) -> None:
    p = Period(year)
    dekads = p.dekads()
    assert len(dekads) == 36
    assert [d.index_in_year for d in dekads] == list(range(1, 37))
    assert sum(d.days for d in dekads) == p.days == (366 if calendar.isleap(year) else 365)
    assert dekads[0].start == p.start
    assert dekads[-1].end == p.end
    for before, after in itertools.pairwise(dekads):
        assert after.start == before.end + timedelta(days=1)
        assert after == before.next()


def test_dekads_of_a_month_are_its_children_and_a_dekad_is_its_own() -> None:
    assert Period(2026, 11).dekads() == Period(2026, 11).children()
    assert Period(2026, 11, 2).dekads() == [Period(2026, 11, 2)]


def test_the_index_in_year_counts_dekads_to_36_and_months_to_12() -> None:
    assert Period(2026, 1, 1).index_in_year == 1
    assert Period(2026, 11, 2).index_in_year == 32
    assert Period(2026, 12, 3).index_in_year == 36
    assert Period(2026, 11).index_in_year == 11
    assert Period(2026).index_in_year == 1


def test_range_yields_every_period_from_first_to_last_inclusive() -> None:
    got = list(Period.range(Period(2026, 12, 2), Period(2027, 1, 2)))
    assert [str(p) for p in got] == ["2026年12月中旬", "2026年12月下旬", "2027年1月上旬", "2027年1月中旬"]
    assert list(Period.range(Period(2026, 3), Period(2026, 3))) == [Period(2026, 3)]
    assert list(Period.range(Period(2026, 4), Period(2026, 3))) == []


def test_range_refuses_periods_of_different_kinds() -> None:
    with pytest.raises(ValueError, match="kinds differ"):
        list(Period.range(Period(2026, 1), Period(2026, 1, 3)))


@given(periods(), st.integers(0, 40))
def test_range_has_one_more_period_than_steps_between_its_ends(first: Period, steps: int) -> None:
    last = first
    for _ in range(steps):
        if last.year == MAX_YEAR and last.end == date(MAX_YEAR, 12, 31):
            break
        last = last.next()
    got = list(Period.range(first, last))
    assert got[0] == first
    assert got[-1] == last
    assert got == sorted(got)
    assert len(set(got)) == len(got)


# ------------------------------------------------------------------------------------------------ ordering


def test_periods_of_one_kind_sort_chronologically() -> None:
    ps = [Period(2027, 1, 1), Period(2026, 12, 3), Period(2026, 2, 1), Period(2026, 11, 2)]
    assert sorted(ps) == [Period(2026, 2, 1), Period(2026, 11, 2), Period(2026, 12, 3), Period(2027, 1, 1)]
    assert Period(2026, 9) < Period(2026, 10)  # not text order: 9 < 10


def test_mixed_kinds_sort_by_start_with_the_container_first() -> None:
    ps = [Period(2026, 1, 2), Period(2026, 1, 1), Period(2026, 1), Period(2026), Period(2025, 12, 3)]
    assert sorted(ps) == [
        Period(2025, 12, 3),
        Period(2026),
        Period(2026, 1),
        Period(2026, 1, 1),
        Period(2026, 1, 2),
    ]


def test_a_period_does_not_compare_with_other_things() -> None:
    other: object = "2026"
    assert Period(2026) != other
    with pytest.raises(TypeError):
        _ = Period(2026) < other


@given(periods(), periods())
def test_equal_periods_hash_alike_and_order_is_total(a: Period, b: Period) -> None:
    if a == b:
        assert hash(a) == hash(b)
    assert sum([a < b, a == b, a > b]) == 1
    assert (a <= b) == (a < b or a == b)
    assert (a >= b) == (a > b or a == b)


@given(periods())
def test_a_period_survives_pickling_and_repr(p: Period) -> None:
    assert pickle.loads(pickle.dumps(p)) == p
    assert eval(repr(p), {"Period": Period}) == p
    assert {p: 1}[Period(p.code)] == 1


# ------------------------------------------------------------------------------------------------ 序时进度


def test_elapsed_fraction_counts_the_given_day_as_done() -> None:
    mid = Period(2026, 11, 2)
    assert mid.elapsed_fraction(date(2026, 11, 10)) == 0.0
    assert mid.elapsed_fraction(date(2026, 11, 11)) == pytest.approx(0.1)
    assert mid.elapsed_fraction(date(2026, 11, 15)) == pytest.approx(0.5)
    assert mid.elapsed_fraction(date(2026, 11, 20)) == 1.0
    assert mid.elapsed_fraction(date(2027, 1, 1)) == 1.0
    assert Period(2024, 2).elapsed_fraction(date(2024, 2, 29)) == 1.0
    assert Period(2026).elapsed_fraction(date(2026, 7, 2)) == pytest.approx(183 / 365)


@given(periods(), dates, dates)
def test_elapsed_fraction_lies_between_0_and_1_and_never_goes_back(p: Period, d1: date, d2: date) -> None:
    early, late = sorted([d1, d2])
    f_early, f_late = p.elapsed_fraction(early), p.elapsed_fraction(late)
    assert 0.0 <= f_early <= f_late <= 1.0
    if late < p.start:
        assert f_late == 0.0
    if early >= p.end:
        assert f_early == 1.0
    if p.contains(early):
        assert f_early > 0.0
