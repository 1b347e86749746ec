"""The registry of computed sources (计算口径): figures Gongjian computes from its own data for an indicator whose
source is "computed" — a unit's cumulative value to the end of a month. Apps register theirs (the investment
completed here; attraction's figures from the attraction app, which sits above targets) and the monthly task fills
the computed actuals from them, which then go through the office's review like any other.

``compute(year, through_month, unit_ids)`` gives {unit id: cumulative value to the end of ``through_month``} for the
units asked (every unit with a figure when ``unit_ids`` is None); a unit with nothing is left out or 0."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from gongjian.core.periods import Period
from gongjian.reports.choices import ReportState
from gongjian.reports.models import Report

Compute = Callable[[int, int, Sequence[int] | None], dict[int, Decimal]]


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    measure: str  # the measure its values are in: 元 for money (yuan), else the indicator's
    compute: Compute


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add a source (or replace the one of the same key, on a second ``ready``)."""
    _SOURCES[source.key] = source


def registered() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda s: s.key)


def get(key: str) -> Source | None:
    return _SOURCES.get(key)


FIXED_ASSET_INVESTMENT = "fixed_asset_investment"


def fixed_asset_investment(
    year: int, through_month: int, unit_ids: Sequence[int] | None
) -> dict[int, Decimal]:
    """固定资产投资完成额: per responsible unit, the year-to-date investment (yuan) of its projects by the end of
    ``through_month`` — for each project, the year-to-date figure of its latest approved report of a period of
    the year ending by then (as the lights read done-to-date, but counting approved reports only). Runs in
    the monthly task, never in a request."""
    end = Period(year, through_month).end
    codes = [
        period.code
        for month in range(1, through_month + 1)
        for period in (Period(year, month), *(Period(year, month, d) for d in (1, 2, 3)))
        if period.end <= end
    ]
    approved = Report.objects.filter(state=ReportState.APPROVED, period__code__in=codes)
    if unit_ids is not None:
        approved = approved.filter(project__responsible_unit_id__in=list(unit_ids))
    # The latest approved report of each project: the one with no approved report of a later period after it.
    rows = list(
        approved.values_list("project_id", "period__code", "year_to_date", "project__responsible_unit_id")
    )
    latest: dict[int, tuple[Period, int, int]] = {}
    for project_id, code, year_to_date, unit_id in rows:
        period = Period.parse(code)
        kept = latest.get(project_id)
        if kept is None or (period.end, period.dekad or 4) > (kept[0].end, kept[0].dekad or 4):
            latest[project_id] = (period, year_to_date, unit_id)
    out: dict[int, Decimal] = {}
    for _period, year_to_date, unit_id in latest.values():
        out[unit_id] = out.get(unit_id, Decimal(0)) + Decimal(year_to_date)
    return out


def register_builtin() -> None:
    register(Source(FIXED_ASSET_INVESTMENT, str(_("固定资产投资完成额")), "元", fixed_asset_investment))
