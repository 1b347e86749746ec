"""Target completion for the assessment (目标完成): the provider the targets app registers in
``gongjian.assess.sources`` so that a scheme's 目标完成 indicator scores a unit on its targets.

For each unit with targets and each period assessed (a month, or a ten-day period read as the month it falls in),
the rate is the mean completion of the unit's targets among the indicators the scheme names (all of the year's
when it names none), each as the targets module defines completion (:func:`gongjian.targets.engine.completion`,
capped the same way) from the latest approved actual to the end of that month. A target with no approved actual
yet counts as 0 % and is said so; a target of 0 or less has no rate and is left out. The words name each
indicator with its actual, target and rate: "签约金额 2.40/3.00亿元 80.0%；资金到位 …"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from django.utils.translation import gettext as _

from gongjian.assess import engine as assess_engine
from gongjian.core.periods import Period
from gongjian.targets import engine
from gongjian.targets.choices import ActualState
from gongjian.targets.models import Actual, UnitTarget

UNIT = "unit"


def _words(name: str, target: UnitTarget, actual: Decimal | None, rate: Decimal) -> str:
    indicator = target.indicator
    if actual is None:
        return _("%(name)s 暂无审核通过的完成数，按 0%% 计") % {"name": name}
    shown = f"{indicator.display(actual)}/{indicator.display(target.target)}{indicator.measure}"
    return f"{name} {shown} {rate.quantize(Decimal('0.1'))}%"


def completions(periods: Sequence[Period], indicators: tuple[str, ...]) -> pl.DataFrame:
    """The completion rates of the units' targets in ``periods`` (see the module's docstring): a frame of
    :data:`gongjian.assess.engine.COMPLETION_COLUMNS`, one row per unit with a target among ``indicators`` and
    period, the rate 1.0 for 100 %."""
    rows: dict[str, list] = {column: [] for column in assess_engine.COMPLETION_COLUMNS}
    years = sorted({p.year for p in periods})
    targets = UnitTarget.objects.filter(indicator__year__in=years, target__gt=0).select_related("indicator")
    if indicators:
        targets = targets.filter(indicator__name__in=list(indicators))
    by_year: dict[int, dict[int, list[UnitTarget]]] = defaultdict(lambda: defaultdict(list))
    for target in targets.order_by("indicator__order", "indicator__name", "pk"):
        by_year[target.indicator.year][target.unit_id].append(target)
    approved: dict[int, dict[int, Decimal]] = defaultdict(dict)  # target → month → value
    for target_id, month, value in Actual.objects.filter(
        unit_target__in=[t for units in by_year.values() for ts in units.values() for t in ts],
        state=ActualState.APPROVED,
    ).values_list("unit_target_id", "month", "value"):
        approved[target_id][month] = value
    for period in periods:
        month = period.month or 12
        for unit_id, unit_targets in sorted(by_year.get(period.year, {}).items()):
            rates, words = [], []
            for target in unit_targets:
                months = [m for m in approved.get(target.pk, {}) if m <= month]
                actual = approved[target.pk][max(months)] if months else None
                rate = engine.completion(target.target, actual, target.indicator.direction) or Decimal(0)
                rates.append(rate)
                words.append(_words(target.indicator.name, target, actual, rate))
            rows["period_code"].append(period.code)
            rows["subject_kind"].append(UNIT)
            rows["subject_id"].append(unit_id)
            rows["rate"].append(float(sum(rates) / len(rates) / 100))
            rows["detail"].append("；".join(words))
    return pl.DataFrame(rows, schema=dict(assess_engine.COMPLETION_COLUMNS))
