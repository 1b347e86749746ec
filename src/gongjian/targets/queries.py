"""Reads of the targets: who sees which units, the completion board of a year (each unit's target, actual to date,
completion rate, time-elapsed line and rank per indicator), the review queue and the settlements.

The board is read in one query over the year's targets, each with its latest approved actual to the month asked
for taken by a correlated subquery (the index ``(unit_target, state, month)`` answers it), then rated and ranked
in Python with the engine's own formulas — 15,000 rows at 500 units × 30 indicators."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from gongjian.org.scope import scope_for
from gongjian.targets import engine
from gongjian.targets.choices import ActualState, ContractState, SettlementState
from gongjian.targets.models import Actual, BoardStamp, Contract, Indicator, Settlement, UnitTarget

# The boards this process computed, by (year, month, indicators asked): the stamp they were computed under, the
# indicators and every unit's cell of each, ranked. A few are kept; the oldest goes first.
_KEPT: dict[tuple, tuple[str, list[Indicator], dict[int, list]]] = {}
_MOST_KEPT = 16


def changed() -> None:
    """Called by every service that changes what the board shows, inside its transaction."""
    BoardStamp.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def forget() -> None:
    _KEPT.clear()


def _stamp() -> str:
    return BoardStamp.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def sees_all(user) -> bool:
    return user.has_perm("targets.view_all_targets") or user.has_perm("targets.manage_targets")


def unit_ids_of(user) -> frozenset[int] | None:
    """The units whose targets ``user`` reads: None for every unit, else their unit and those under it."""
    if sees_all(user):
        return None
    return scope_for(user).unit_ids


def visible_targets(user) -> QuerySet[UnitTarget]:
    if not user.has_perm("targets.view_indicator"):
        return UnitTarget.objects.none()
    ids = unit_ids_of(user)
    targets = UnitTarget.objects.all()
    return targets if ids is None else targets.filter(unit_id__in=ids)


def visible_actuals(user) -> QuerySet[Actual]:
    return Actual.objects.filter(unit_target__in=visible_targets(user))


def visible_contracts(user) -> QuerySet[Contract]:
    if not user.has_perm("targets.view_contract"):
        return Contract.objects.none()
    ids = unit_ids_of(user)
    contracts = Contract.objects.select_related("unit")
    if ids is None:
        return contracts
    # A unit reads its contract once the office has issued it; drafts are the office's.
    return contracts.filter(unit_id__in=ids).exclude(state=ContractState.DRAFT)


def visible_settlements(user) -> QuerySet[Settlement]:
    if not user.has_perm("targets.view_settlement"):
        return Settlement.objects.none()
    if user.has_perm("targets.manage_targets"):
        return Settlement.objects.all()
    return Settlement.objects.exclude(state=SettlementState.DRAFT)


def review_queue(user) -> QuerySet[Actual]:
    """The actuals waiting for the office's review, oldest first."""
    if not user.has_perm("targets.manage_targets"):
        return Actual.objects.none()
    return (
        Actual.objects.filter(state=ActualState.SUBMITTED)
        .select_related("unit_target__indicator", "unit_target__unit")
        .order_by("submitted_at", "id")
    )


def review_count(user) -> int:
    return review_queue(user).count()


def current_month(year: int) -> int:
    """The last month whose actuals are due: the month before this one in the current year, 12 for a past year,
    0 for a year to come."""
    today = timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return max(today.month - 1, 1)


@dataclass
class Cell:
    """A unit's standing on an indicator: target, actual to date (latest approved, of month ``month``),
    completion, the time-elapsed line, whether it is behind it, and its rank among the units rated."""

    target_id: int
    indicator_id: int
    unit_id: int
    unit_name: str
    target: Decimal
    actual: Decimal | None
    month: int | None
    rate: Decimal | None
    elapsed: Decimal | None
    rank: int | None = None
    ranked: int = 0
    version: int = 1  # the target's, for an edit of it

    @property
    def behind(self) -> bool:
        return self.rate is not None and self.elapsed is not None and self.rate < self.elapsed


@dataclass
class Summary:
    """An indicator over the units shown: targets and actuals summed, the rate of the sums and the line."""

    indicator: Indicator
    cells: list[Cell]
    target: Decimal
    actual: Decimal
    rate: Decimal | None
    elapsed: Decimal | None
    behind: int

    @property
    def reported(self) -> int:
        return sum(1 for cell in self.cells if cell.actual is not None)


def latest_approved(through_month: int):
    """The latest approved actual of a target by ``through_month`` (a subquery to annotate targets with)."""
    return Actual.objects.filter(
        unit_target=OuterRef("pk"), state=ActualState.APPROVED, month__lte=through_month
    ).order_by("-month")


def board(
    year: int,
    *,
    user=None,
    through_month: int | None = None,
    indicator_ids=None,
    unit_ids=None,
) -> list[Summary]:
    """Every indicator of ``year`` (or those of ``indicator_ids``) with each unit's cell, ranked per indicator
    among all units (a unit's own rows keep their rank in the district); the cells shown are those ``user`` may
    read (of ``unit_ids`` when given)."""
    month = through_month or current_month(year) or 1
    key = (year, month, None if indicator_ids is None else tuple(sorted(indicator_ids)))
    stamp = _stamp()
    kept = _KEPT.get(key)
    if kept is not None and kept[0] == stamp:
        indicators, by_indicator = kept[1], kept[2]
    else:
        indicators, by_indicator = _cells(year, month, indicator_ids)
        for cells in by_indicator.values():
            rank(cells)
        if len(_KEPT) >= _MOST_KEPT:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = (stamp, indicators, by_indicator)
    readable = None if user is None else unit_ids_of(user)
    wanted = None if unit_ids is None else set(unit_ids)
    summaries = []
    for indicator in indicators:
        cells = by_indicator.get(indicator.pk, [])
        shown = [
            c
            for c in cells
            if (readable is None or c.unit_id in readable) and (wanted is None or c.unit_id in wanted)
        ]
        target = sum((c.target for c in shown), Decimal(0))
        actual = sum((c.actual for c in shown if c.actual is not None), Decimal(0))
        summaries.append(
            Summary(
                indicator,
                shown,
                target,
                actual,
                engine.completion(target, actual, indicator.direction) if shown else None,
                engine.elapsed_percent(target, [], month) if shown else None,
                sum(1 for c in shown if c.behind),
            )
        )
    return summaries


def _cells(year: int, month: int, indicator_ids) -> tuple[list[Indicator], dict[int, list[Cell]]]:
    """Every unit's cell of each indicator of ``year`` to ``month``, read in one query (see the module)."""
    indicators = Indicator.objects.filter(year=year).order_by("order", "id")
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=list(indicator_ids))
    indicators = list(indicators)
    latest = latest_approved(month)
    rows = (
        UnitTarget.objects.filter(indicator__in=indicators)
        .annotate(
            actual_value=Subquery(latest.values("value")[:1]),
            actual_month=Subquery(latest.values("month")[:1]),
            # the milestones as text: most targets have none, and decoding 15,000 empty lists costs more than the SQL
            steps=Cast("milestones", TextField()),
        )
        .values_list(
            "pk",
            "indicator_id",
            "unit_id",
            "unit__name",
            "target",
            "steps",
            "actual_value",
            "actual_month",
            "version",
        )
        .order_by("indicator_id", "unit__name")
    )
    by_indicator: dict[int, list[Cell]] = defaultdict(list)
    directions = {i.pk: engine.Direction(i.direction) for i in indicators}
    decoded: dict[str, list[Decimal]] = {"[]": [], "": []}
    line = engine.elapsed_percent(
        Decimal(12), [], month
    )  # the time-elapsed line of a target without milestones
    for pk, indicator_id, unit_id, unit_name, target, text, actual, actual_month, version in rows:
        steps = decoded.get(text or "")
        if steps is None:
            steps = decoded[text] = [Decimal(str(v)) for v in json.loads(text)]
        by_indicator[indicator_id].append(
            Cell(
                pk,
                indicator_id,
                unit_id,
                unit_name,
                target,
                actual,
                actual_month,
                engine.completion(target, actual, directions[indicator_id]),
                (engine.elapsed_percent(target, steps, month) if steps else line) if target > 0 else None,
                version=version,
            )
        )
    return indicators, by_indicator


def rank(cells: list[Cell]) -> None:
    """Rank the rated cells by completion, best first; equal rates share a rank (1, 1, 3)."""
    rated = sorted((c for c in cells if c.rate is not None), key=lambda c: c.rate, reverse=True)
    previous: Decimal | None = None
    place = 0
    for at, cell in enumerate(rated, start=1):
        if cell.rate != previous:
            place, previous = at, cell.rate
        cell.rank = place
        cell.ranked = len(rated)


def contract_targets(contract: Contract) -> list[UnitTarget]:
    return list(
        UnitTarget.objects.filter(unit_id=contract.unit_id, indicator__year=contract.year)
        .select_related("indicator")
        .order_by("indicator__order", "indicator_id")
    )


def settlement_lines(settlement: Settlement, user):
    lines = settlement.lines.select_related("unit")
    ids = unit_ids_of(user)
    return lines if ids is None else lines.filter(unit_id__in=ids)
