"""Where a scheme's 目标完成 indicator reads its rates: the domains that know a subject's targets register a
provider here (the targets app, which sits above assess, in its AppConfig.ready), so that assess needs to know
nothing about them.

A provider is called with the periods assessed and the target indicators the scheme names (all when empty) and
answers a polars frame of :data:`gongjian.assess.engine.COMPLETION_COLUMNS`: for each subject with targets among
them and each period, its completion rate to the period's end (1.0 for 100 %) and the words behind it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from gongjian.assess import engine
from gongjian.assess.scheme import IndicatorKind, Scheme, TargetsIndicator
from gongjian.core.periods import Period

Provider = Callable[[Sequence[Period], tuple[str, ...]], pl.DataFrame]

_PROVIDERS: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    """Register ``provider`` under ``key`` (registering a key again replaces it)."""
    _PROVIDERS[key] = provider


def unregister(key: str) -> None:
    _PROVIDERS.pop(key, None)


def completions(periods: Sequence[Period], scheme: Scheme) -> pl.DataFrame | None:
    """The completion rates ``scheme`` scores in ``periods`` (None when it scores none): every provider's rows."""
    indicator = scheme.indicator(IndicatorKind.TARGETS)
    if not isinstance(indicator, TargetsIndicator):
        return None
    frames = [
        provider(periods, indicator.indicators).select(
            pl.col(c).cast(t) for c, t in engine.COMPLETION_COLUMNS.items()
        )
        for _key, provider in sorted(_PROVIDERS.items())
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=dict(engine.COMPLETION_COLUMNS))
