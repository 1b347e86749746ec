"""Pure rules of reporting: cumulative figures and filing status."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.reports.rules import Cumulative, FilingStatus, check_stated, cumulative, filing_status

amounts = st.integers(min_value=0, max_value=10**11)


@given(st.lists(amounts, max_size=36), amounts, amounts)
def test_the_year_to_date_figure_is_the_sum_of_the_years_period_amounts(earlier, opening, amount):
    result = cumulative(amount, earlier, opening)
    assert result.year_to_date == sum(earlier) + amount
    assert result.since_start == opening + result.year_to_date


@given(st.lists(amounts, min_size=1, max_size=36), amounts)
def test_computed_cumulative_figures_never_go_down_from_one_period_to_the_next(periods, opening):
    figures = [cumulative(a, periods[:i], opening) for i, a in enumerate(periods)]
    for before, after in itertools.pairwise(figures):
        assert after.year_to_date >= before.year_to_date and after.since_start >= before.since_start


@given(st.lists(amounts, max_size=12), amounts, amounts)
def test_stating_the_computed_figures_needs_no_explanation(earlier, opening, amount):
    computed = cumulative(amount, earlier, opening)
    previous = cumulative(earlier[-1], earlier[:-1], opening) if earlier else None
    findings = check_stated(
        computed,
        previous=previous,
        stated_year_to_date=computed.year_to_date,
        stated_since_start=computed.since_start,
        total_investment=computed.since_start,
    )
    assert findings == []


def test_a_cumulative_figure_below_last_periods_must_be_explained():
    previous = Cumulative(period=5, year_to_date=100, since_start=300)
    computed = Cumulative(period=10, year_to_date=110, since_start=310)
    findings = check_stated(
        computed, previous=previous, stated_year_to_date=90, stated_since_start=310, total_investment=10**9
    )
    assert [(f.code, f.field) for f in findings] == [
        ("cumulative_decreased", "year_to_date"),
        ("cumulative_mismatch", "year_to_date"),
    ]
    assert "低于上期" in findings[0].message


def test_more_than_the_total_investment_must_be_explained():
    findings = check_stated(
        Cumulative(1, 1, 1001),
        previous=None,
        stated_year_to_date=None,
        stated_since_start=None,
        total_investment=1000,
    )
    assert [f.code for f in findings] == ["beyond_total"]


def test_a_negative_period_amount_is_refused():
    with pytest.raises(ValueError):
        cumulative(-1, [], 0)


OPENS = datetime(2026, 11, 11, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 23, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("submitted", "now", "status"),
    [
        (None, OPENS - timedelta(days=1), FilingStatus.NOT_OPEN),
        (None, OPENS, FilingStatus.OPEN),
        (None, DEADLINE, FilingStatus.OPEN),
        (None, DEADLINE + timedelta(seconds=1), FilingStatus.MISSING),
        (DEADLINE, DEADLINE + timedelta(days=3), FilingStatus.ON_TIME),
        (DEADLINE + timedelta(minutes=1), DEADLINE + timedelta(days=3), FilingStatus.LATE),
    ],
)
def test_filing_status_against_the_window(submitted, now, status):
    assert filing_status(opens_at=OPENS, deadline=DEADLINE, submitted_at=submitted, now=now) == status


@given(st.datetimes(timezones=st.just(UTC)), st.datetimes(timezones=st.just(UTC)))
def test_a_submitted_report_is_never_missing_and_an_unsubmitted_one_never_late(submitted, now):
    assert filing_status(opens_at=OPENS, deadline=DEADLINE, submitted_at=submitted, now=now) in {
        FilingStatus.ON_TIME,
        FilingStatus.LATE,
    }
    assert filing_status(opens_at=OPENS, deadline=DEADLINE, submitted_at=None, now=now) not in {
        FilingStatus.ON_TIME,
        FilingStatus.LATE,
    }
