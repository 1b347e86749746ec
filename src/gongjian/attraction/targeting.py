"""Attraction's figures as the targets' computed sources (计算口径): an indicator such as 签约金额 or 资金到位 of a
unit is computed from the unit's leads, trips, signings and tranches (:func:`gongjian.attraction.queries.
unit_totals`), never typed twice. Registered from the app's ready (attraction sits above targets); the targets'
monthly task fills the computed actuals from them and the office reviews them like any other."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from gongjian.attraction import queries
from gongjian.attraction.choices import Metric
from gongjian.targets import sources

# metric → (label, measure its values are in): money in yuan ("元"), foreign capital in US dollars.
FIGURES: dict[str, tuple[str, str]] = {
    Metric.TRIPS: (_("外出招商次数"), "次"),
    Metric.LEADS: (_("新增意向项目数"), "个"),
    Metric.SIGNED_COUNT: (_("签约项目数"), "个"),
    Metric.SIGNED_AMOUNT: (_("签约金额"), "元"),
    Metric.FUNDS_AMOUNT: (_("到位资金"), "元"),
    Metric.STARTS: (_("开工项目数"), "个"),
    Metric.BIG_PROJECTS: (_("500万元以上项目数"), "个"),
    Metric.FOREIGN_USD: (_("实际利用外资"), "美元"),
}


def key(metric: str) -> str:
    """The computed source's key of a metric: ``attraction.signed_amount``…"""
    return f"attraction.{metric}"


def _compute(metric: str):
    def compute(year: int, through_month: int, unit_ids: Sequence[int] | None) -> dict[int, Decimal]:
        totals = queries.unit_totals(year, through_month, unit_ids)
        return {unit_id: Decimal(row[metric]) for unit_id, row in totals.items() if row[metric]}

    return compute


def register() -> None:
    for metric, (label, measure) in FIGURES.items():
        sources.register(sources.Source(key(metric), str(label), measure, _compute(metric)))
