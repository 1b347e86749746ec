"""Working days (gongjian.core.workdays): the week corrected by holidays and 调休. Plain Python, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.core.workdays import WorkCalendar

# The 2025 National Day and Mid-Autumn arrangement: 1–8 October off, Sunday 28 September and Saturday
# 11 October worked.
NATIONAL_DAY_2025 = WorkCalendar(
    holidays=frozenset(date(2025, 10, d) for d in range(1, 9)),
    workdays=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
)


def test_the_plain_week_works_monday_to_friday() -> None:
    week = WorkCalendar()
    assert [week.is_workday(date(2026, 11, d)) for d in range(2, 9)] == [True] * 5 + [False] * 2


def test_holidays_are_off_and_make_up_days_are_worked() -> None:
    assert not NATIONAL_DAY_2025.is_workday(date(2025, 10, 1))  # a Wednesday
    assert NATIONAL_DAY_2025.is_workday(date(2025, 9, 28))  # a Sunday
    assert NATIONAL_DAY_2025.is_workday(date(2025, 10, 11))  # a Saturday
    assert not NATIONAL_DAY_2025.is_workday(date(2025, 10, 12))  # an ordinary Sunday
    assert NATIONAL_DAY_2025.is_workday(date(2025, 10, 9))  # back to work


def test_a_friday_deadline_seen_on_monday_is_one_working_day_past() -> None:
    assert WorkCalendar().between(date(2026, 11, 6), date(2026, 11, 9)) == 1


def test_the_holiday_week_counts_no_working_days() -> None:
    # 30 September to 10 October: only 9 and 10 October are worked.
    assert NATIONAL_DAY_2025.between(date(2025, 9, 30), date(2025, 10, 10)) == 2
    # Friday 26 to Monday 29 September: the make-up Sunday counts.
    assert NATIONAL_DAY_2025.between(date(2025, 9, 26), date(2025, 9, 29)) == 2


def test_between_is_zero_unless_the_second_day_is_later() -> None:
    assert WorkCalendar().between(date(2026, 11, 9), date(2026, 11, 9)) == 0
    assert WorkCalendar().between(date(2026, 11, 9), date(2026, 11, 2)) == 0


def test_adding_working_days_skips_the_holiday() -> None:
    assert NATIONAL_DAY_2025.add(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert NATIONAL_DAY_2025.add(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert NATIONAL_DAY_2025.add(date(2025, 9, 30), 4) == date(2025, 10, 13)


def test_adding_no_working_days_stays_on_a_working_day_or_moves_to_the_next() -> None:
    assert NATIONAL_DAY_2025.add(date(2025, 10, 9), 0) == date(2025, 10, 9)
    assert NATIONAL_DAY_2025.add(date(2025, 10, 1), 0) == date(2025, 10, 9)
    assert WorkCalendar().add(date(2026, 11, 7), 0) == date(2026, 11, 9)  # Saturday → Monday


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        WorkCalendar().add(date(2026, 11, 9), -1)


def test_a_day_cannot_be_both_a_holiday_and_a_working_day() -> None:
    with pytest.raises(ValueError, match="2025-10-11"):
        WorkCalendar(holidays=frozenset({date(2025, 10, 11)}), workdays=frozenset({date(2025, 10, 11)}))


def test_calendars_with_the_same_days_are_equal_and_hashable() -> None:
    again = WorkCalendar(holidays=frozenset(NATIONAL_DAY_2025.holidays), workdays=NATIONAL_DAY_2025.workdays)
    assert again == NATIONAL_DAY_2025
    assert hash(again) == hash(NATIONAL_DAY_2025)


# ------------------------------------------------------------------------------------------------ properties

WINDOW_START = date(2025, 12, 1)
window_days = st.dates(min_value=WINDOW_START, max_value=date(2026, 3, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    special = draw(st.sets(window_days, max_size=40))
    worked = draw(st.sets(st.sampled_from(sorted(special)))) if special else set()
    return WorkCalendar(holidays=frozenset(special - worked), workdays=frozenset(worked))


def count_by_hand(calendar: WorkCalendar, a: date, b: date) -> int:
    return sum(calendar.is_workday(a + timedelta(days=k)) for k in range(1, (b - a).days + 1))


@given(calendars(), window_days, window_days)
def test_between_counts_the_working_days_one_by_one(calendar: WorkCalendar, a: date, b: date) -> None:
    assert calendar.between(a, b) == count_by_hand(calendar, a, b)


@given(calendars(), window_days, st.integers(0, 80))
def test_add_lands_on_a_working_day_exactly_n_working_days_on(
    calendar: WorkCalendar, a: date, n: int
) -> None:
    a = calendar.add(a, 0)  # a working day
    later = calendar.add(a, n)
    assert calendar.is_workday(later)
    assert calendar.between(a, later) == n
    # ... and it is the first such day.
    assert n == 0 or calendar.between(a, later - timedelta(days=1)) == n - 1


@given(calendars(), window_days, st.integers(0, 60), st.integers(0, 60))
def test_more_working_days_never_end_earlier(calendar: WorkCalendar, a: date, m: int, n: int) -> None:
    m, n = sorted((m, n))
    assert calendar.add(a, m) <= calendar.add(a, n)


@given(calendars(), window_days, window_days, window_days)
def test_between_grows_with_the_end_and_adds_up(calendar: WorkCalendar, a: date, b: date, c: date) -> None:
    a, b, c = sorted((a, b, c))
    assert calendar.between(a, b) <= calendar.between(a, c)
    assert calendar.between(a, b) + calendar.between(b, c) == calendar.between(a, c)
