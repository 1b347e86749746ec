"""Rules of periodic reporting (旬报/月报) that decide something about people: how cumulative investment is
computed and checked, and whether a report was on time, late or missing. Pure: no Django, plain data in and out.

Cumulative figures are computed from the amounts of earlier reports, never typed in. A reporter may still state
the figure their own books show; when that figure goes down or disagrees with the computed sum, it is not
refused but must be explained (the office reads the explanation), because the statistics bureau's figure and
ours legitimately differ after corrections.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FilingStatus(StrEnum):
    NOT_OPEN = "not_open"  # the filing window has not opened yet
    OPEN = "open"  # the window is open and nothing has been submitted
    ON_TIME = "on_time"  # submitted by the deadline
    LATE = "late"  # submitted after the deadline
    MISSING = "missing"  # the deadline passed and nothing was submitted


@dataclass(frozen=True)
class Cumulative:
    """Investment completed, in yuan: this period, this year to date, and since the project started."""

    period: int
    year_to_date: int
    since_start: int


@dataclass(frozen=True)
class Finding:
    """Something about a report the reporter must explain before submitting; ``code`` is stable for the API."""

    code: str
    field: str
    message: str


def cumulative(amount: int, earlier_this_year: Iterable[int], earlier_before_this_year: int) -> Cumulative:
    """The cumulative figures of a report whose period amount is ``amount``.

    ``earlier_this_year`` are the period amounts of this year's earlier reports of the same kind (dekad or month);
    ``earlier_before_this_year`` is what the project completed before 1 January (from last year's reports or
    the registry's opening balance).
    """
    if amount < 0:
        raise ValueError("a period's investment cannot be negative")
    year = sum(earlier_this_year) + amount
    return Cumulative(period=amount, year_to_date=year, since_start=earlier_before_this_year + year)


def check_stated(
    computed: Cumulative,
    *,
    previous: Cumulative | None,
    stated_year_to_date: int | None,
    stated_since_start: int | None,
    total_investment: int,
) -> list[Finding]:
    """What the reporter must explain: stated cumulative figures that disagree with the computed ones or go
    down from the previous report, and a cumulative figure beyond the project's total investment."""
    findings = []
    for field, stated, computed_value, previous_value, label in (
        (
            "year_to_date",
            stated_year_to_date,
            computed.year_to_date,
            previous.year_to_date if previous else None,
            "本年累计",
        ),
        (
            "since_start",
            stated_since_start,
            computed.since_start,
            previous.since_start if previous else None,
            "开工累计",
        ),
    ):
        if stated is None:
            continue
        if previous_value is not None and stated < previous_value:
            findings.append(
                Finding(
                    "cumulative_decreased",
                    field,
                    f"{label}低于上期（{previous_value} 元 → {stated} 元），请说明原因",
                )
            )
        if stated != computed_value:
            findings.append(
                Finding(
                    "cumulative_mismatch",
                    field,
                    f"{label}（{stated} 元）与逐期相加之和（{computed_value} 元）不一致，请说明原因",
                )
            )
    if computed.since_start > total_investment:
        findings.append(
            Finding(
                "beyond_total",
                "amount",
                f"开工累计完成（{computed.since_start} 元）超过总投资（{total_investment} 元），请说明原因",
            )
        )
    return findings


def filing_status(
    *, opens_at: datetime, deadline: datetime, submitted_at: datetime | None, now: datetime
) -> FilingStatus:
    """Where a report stands against its period's filing window. The first submission counts: a report
    returned and resubmitted after the deadline was still filed on time."""
    if deadline < opens_at:
        raise ValueError("the deadline cannot come before the window opens")
    if submitted_at is not None:
        return FilingStatus.ON_TIME if submitted_at <= deadline else FilingStatus.LATE
    if now < opens_at:
        return FilingStatus.NOT_OPEN
    return FilingStatus.OPEN if now <= deadline else FilingStatus.MISSING
