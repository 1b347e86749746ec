"""Working days (工作日): the days that count when a time limit is given in working days, as the deadlines of
problems, escalations (督办) and rectification commitments are.

China's official calendar moves days around. A weekday can be a public holiday (国庆, 春节) and a weekend day
can be a working day (调休, people say 补班). The State Council publishes each year's arrangement in December;
the office enters it and a :class:`WorkCalendar` is built from the two lists:

* ``holidays`` — days off that would otherwise be working days (Monday to Friday),
* ``workdays`` — working days that would otherwise be days off (Saturday and Sunday).

Every other day follows the week: Monday to Friday work, Saturday and Sunday rest. Listing a Saturday as a
holiday or a Tuesday as a workday is harmless (it changes nothing); listing one day in both is a mistake and
is refused.

This module is plain Python (no Django) so that engines and tests can use it anywhere.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

__all__ = ["WorkCalendar"]

# date.weekday() of Saturday; Saturday and Sunday are the weekend.
_SATURDAY = 5


def _weekdays_through(d: date) -> int:
    """How many Mondays to Fridays there are from 0001-01-01 (a Monday) through ``d``."""
    n = d.toordinal()
    return n // 7 * 5 + min(n % 7, 5)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: the week, corrected by the year's published holidays and 调休 days.

    ``WorkCalendar()`` is the plain week with no holidays. Immutable and hashable.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        clash = self.holidays & self.workdays
        if clash:
            days = ", ".join(d.isoformat() for d in sorted(clash))
            raise ValueError(f"a day cannot be both a holiday and a working day: {days}")

    # Only the entries that change something, sorted, so that counting is a pair of bisections.
    @cached_property
    def _extra_days_off(self) -> tuple[date, ...]:
        return tuple(sorted(d for d in self.holidays if d.weekday() < _SATURDAY))

    @cached_property
    def _extra_workdays(self) -> tuple[date, ...]:
        return tuple(sorted(d for d in self.workdays if d.weekday() >= _SATURDAY))

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day."""
        if d in self.workdays:
            return True
        return d.weekday() < _SATURDAY and d not in self.holidays

    def _ordinal(self, d: date) -> int:
        """How many working days there are from 0001-01-01 through ``d``; only differences of it mean anything."""
        return (
            _weekdays_through(d)
            - bisect_right(self._extra_days_off, d)
            + bisect_right(self._extra_workdays, d)
        )

    def between(self, a: date, b: date) -> int:
        """How many working days come after ``a`` up to and including ``b``; 0 when ``b`` is not after ``a``.

        A deadline of Friday looked at on the following Monday is one working day past.
        """
        if b <= a:
            return 0
        return self._ordinal(b) - self._ordinal(a)

    def add(self, d: date, n: int) -> date:
        """The day ``n`` working days after ``d`` (``n`` ≥ 0): "within 5 working days" of ``d`` ends on
        ``add(d, 5)``. ``add(d, 0)`` is ``d`` itself when it is a working day, else the next working day.
        """
        if n < 0:
            raise ValueError(f"cannot count a negative number of working days, got {n}")
        if n == 0:
            return d if self.is_workday(d) else self.add(d, 1)
        target = self._ordinal(d) + n
        # Every 7 days hold 5 weekdays and each holiday removes at most one, so the answer is within `high`.
        low, high = 0, 7 * ((n + len(self._extra_days_off)) // 5 + 1)
        # The smallest offset whose ordinal reaches the target; the ordinal only rises on working days.
        while high - low > 1:
            middle = (low + high) // 2
            if self._ordinal(d + timedelta(days=middle)) >= target:
                high = middle
            else:
                low = middle
        return d + timedelta(days=high)
