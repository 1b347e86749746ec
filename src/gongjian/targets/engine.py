"""The settlement engine (兑现): each unit's reward or penalty by its contract's rules, explained line by line;
and the completion rate and time-elapsed line (序时进度) that the pages and the settlement share.

Plain data in (the rules, each indicator's target and actual), results out, every amount with the line that says
which rule gave it from which figures. Pure: no Django.

Completion (完成率) of an indicator where higher is better is actual ÷ target; where lower is better (a cost, an
accident count) target ÷ actual, and an actual of 0 or less counts as :data:`LOWER_AT_ZERO`. Rates are percent,
rounded half up to two places and capped at :data:`MAX_RATE`. No actual, or a target of 0 or less, gives no rate:
such an indicator gets neither reward nor penalty, and fails a veto (一票否决).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from gongjian.targets.rules import Currency, IndicatorRule, Rules

__all__ = [
    "Direction",
    "Figure",
    "Line",
    "Outcome",
    "completion",
    "elapsed_expected",
    "elapsed_percent",
    "settle",
]

HUNDRED: Final = Decimal(100)
MAX_RATE: Final = Decimal("999.99")
LOWER_AT_ZERO: Final = Decimal(200)
CENT: Final = Decimal("0.01")


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


def completion(target: Decimal, actual: Decimal | None, direction: Direction | str) -> Decimal | None:
    """The completion rate in percent (see the module's docstring), or None when there is none."""
    if actual is None or target <= 0:
        return None
    # (a member is taken as it is: the board rates 15,000 cells, and the enum's lookup cost more than the rate)
    if (direction if isinstance(direction, Direction) else Direction(direction)) is Direction.HIGHER:
        rate = actual * HUNDRED / target
    elif actual <= 0:
        rate = LOWER_AT_ZERO
    else:
        rate = target * HUNDRED / actual
    return min(MAX_RATE, max(Decimal(0), rate)).quantize(CENT, ROUND_HALF_UP)


def elapsed_expected(target: Decimal, milestones: Sequence[Decimal], month: int) -> Decimal:
    """What should be done by the end of ``month`` (1–12): the month's milestone when there are twelve, the line
    between the quarters' milestones when there are four, else the time-elapsed share target × month ÷ 12."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1–12")
    if len(milestones) == 12:
        return milestones[month - 1]
    if len(milestones) == 4:
        quarter, into = divmod(month - 1, 3)
        before = milestones[quarter - 1] if quarter else Decimal(0)
        return before + (milestones[quarter] - before) * (into + 1) / 3
    return target * month / 12


def elapsed_percent(target: Decimal, milestones: Sequence[Decimal], month: int) -> Decimal | None:
    """The time-elapsed line (序时进度) in percent of the target, or None when the target is 0 or less."""
    if target <= 0:
        return None
    return (elapsed_expected(target, milestones, month) * HUNDRED / target).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """An indicator of a unit's contract with its target and the actual being settled (None: no actual)."""

    indicator: int
    name: str
    measure: str
    direction: Direction
    target: Decimal
    actual: Decimal | None


@dataclass(frozen=True)
class Line:
    """One line of a unit's settlement: the rule (reward, bonus, penalty, extra penalty, veto, none) that gave
    ``amount`` (negative for a penalty) for ``indicator`` from the figures, and the sentence saying so."""

    indicator: int
    name: str
    rule: str
    amount: Decimal
    completion: Decimal | None
    text: str


@dataclass(frozen=True)
class Outcome:
    """A unit's settlement: the lines, rewards and penalties summed, and the veto indicators not completed."""

    currency: Currency
    lines: tuple[Line, ...]
    reward: Decimal
    penalty: Decimal
    vetoed_by: tuple[str, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return self.reward + self.penalty

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoed_by)


def _n(value: Decimal) -> str:
    """A number as an explanation writes it: half up to two places, trailing zeros dropped, grouped."""
    rounded = value.quantize(CENT, ROUND_HALF_UP)
    text = f"{rounded:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _amount(value: Decimal, currency: Currency) -> str:
    return f"{_n(value)} {currency.label}"


def _round(value: Decimal, currency: Currency) -> Decimal:
    """Money in whole yuan (down: a fraction of a yuan is never paid), points to two places."""
    if currency is Currency.MONEY:
        return value.to_integral_value(ROUND_DOWN)
    return value.quantize(CENT, ROUND_HALF_UP)


def _indicator_lines(rule: IndicatorRule, figure: Figure, currency: Currency) -> list[Line]:
    rate = completion(figure.target, figure.actual, figure.direction)
    head = figure.name
    if rate is None:
        why = "无实际完成值" if figure.actual is None else "目标值不大于 0"
        return [Line(rule.indicator, head, "none", Decimal(0), None, f"{head}：{why}，不计奖惩")]
    said = (
        f"{head}：目标 {_n(figure.target)} {figure.measure}，完成 {_n(figure.actual or Decimal(0))} "
        f"{figure.measure}，完成率 {_n(rate)}%"
    )
    lines: list[Line] = []
    if rate >= HUNDRED:
        if rule.reward:
            lines.append(
                Line(
                    rule.indicator,
                    head,
                    "reward",
                    rule.reward,
                    rate,
                    f"{said}，完成目标，奖励 {_amount(rule.reward, currency)}",
                )
            )
        above = ((rate - HUNDRED) // 1).quantize(Decimal(1))
        if rule.bonus_per_percent and above > 0:
            bonus = _round(min(rule.bonus_per_percent * above, rule.bonus_cap), currency)
            capped = "（已达封顶）" if rule.bonus_per_percent * above >= rule.bonus_cap else ""
            if bonus:
                lines.append(
                    Line(
                        rule.indicator,
                        head,
                        "bonus",
                        bonus,
                        rate,
                        f"{head}：超额 {_n(above)} 个百分点，每个百分点 "
                        f"{_amount(rule.bonus_per_percent, currency)}，"
                        f"封顶 {_amount(rule.bonus_cap, currency)}，加奖 {_amount(bonus, currency)}{capped}",
                    )
                )
    elif rate < rule.threshold:
        if rule.penalty:
            lines.append(
                Line(
                    rule.indicator,
                    head,
                    "penalty",
                    -rule.penalty,
                    rate,
                    f"{said}，低于扣罚线 {_n(rule.threshold)}%，扣罚 {_amount(rule.penalty, currency)}",
                )
            )
        below = ((rule.threshold - rate) // 1).quantize(Decimal(1))
        if rule.penalty_per_percent and below > 0:
            extra = _round(min(rule.penalty_per_percent * below, rule.penalty_cap), currency)
            if extra:
                lines.append(
                    Line(
                        rule.indicator,
                        head,
                        "penalty_per_percent",
                        -extra,
                        rate,
                        f"{head}：低于扣罚线 {_n(below)} 个百分点，每个百分点 "
                        f"{_amount(rule.penalty_per_percent, currency)}，"
                        f"封顶 {_amount(rule.penalty_cap, currency)}，加扣 {_amount(extra, currency)}",
                    )
                )
    if not lines:
        lines.append(Line(rule.indicator, head, "none", Decimal(0), rate, f"{said}，不奖不罚"))
    return lines


def settle(rules: Rules, figures: Sequence[Figure]) -> Outcome:
    """A unit's settlement: for every rule, the lines of its indicator's figure (an indicator without a figure
    gets none and fails its veto); then, when a veto indicator is not completed (completion under 100 % or
    none), a veto line takes back every reward (penalties stay)."""
    by_indicator = {figure.indicator: figure for figure in figures}
    currency = rules.currency
    lines: list[Line] = []
    vetoed_by: list[str] = []
    for rule in rules.indicators:
        figure = by_indicator.get(rule.indicator)
        if figure is None:
            lines.append(
                Line(
                    rule.indicator,
                    f"指标{rule.indicator}",
                    "none",
                    Decimal(0),
                    None,
                    "责任书无此指标的目标，不计奖惩",
                )
            )
            if rule.veto:
                vetoed_by.append(f"指标{rule.indicator}")
            continue
        lines.extend(_indicator_lines(rule, figure, currency))
        rate = completion(figure.target, figure.actual, figure.direction)
        if rule.veto and (rate is None or rate < HUNDRED):
            vetoed_by.append(figure.name)
    reward = sum((line.amount for line in lines if line.amount > 0), Decimal(0))
    penalty = sum((line.amount for line in lines if line.amount < 0), Decimal(0))
    if vetoed_by and reward:
        lines.append(
            Line(
                0,
                "一票否决",
                "veto",
                -reward,
                None,
                f"一票否决：{'、'.join(vetoed_by)}未完成，取消全部奖励 {_amount(reward, currency)}",
            )
        )
        reward = Decimal(0)
    return Outcome(currency, tuple(lines), reward, penalty, tuple(vetoed_by))
