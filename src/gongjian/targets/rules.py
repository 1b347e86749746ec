"""The reward and penalty rules of a responsibility contract (责任书的奖惩条款), as plain data.

A contract's rules are stored as JSON on the contract and read here into frozen dataclasses, checked field by
field (:class:`RulesError` names the field at fault, e.g. ``indicators[2].bonus_cap``). The settlement engine
that applies them is :mod:`gongjian.targets.engine`.

What the rules name::

    {
      "currency": "money" | "points",   # rewards in yuan (integers) or in points (分)
      "indicators": [                    # one rule per indicator of the contract
        {
          "indicator": 12,               # the indicator's id
          "reward": 50000,               # completion ≥ 100 %: this reward
          "bonus_per_percent": 2000,     # and this for each whole percent above 100 …
          "bonus_cap": 20000,            # … up to this much bonus (0: no bonus)
          "threshold": 80,               # completion below this percent: the penalty
          "penalty": 30000,              # fixed penalty below the threshold
          "penalty_per_percent": 1000,   # and this for each whole percent below the threshold …
          "penalty_cap": 20000,          # … up to this much more
          "veto": false                  # 一票否决: this indicator not completed zeroes every reward
        }
      ]
    }

Every amount is ≥ 0 (a penalty is written as the amount taken off); in money rules every amount is whole yuan.
Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Final

__all__ = ["Currency", "IndicatorRule", "Rules", "RulesError", "default_rule"]

# Large enough for any reward a district pays (10¹¹ yuan), small enough for a BigIntegerField sum.
MAX_AMOUNT: Final = Decimal(100_000_000_000)
MAX_PERCENT: Final = Decimal(1000)


class RulesError(ValueError):
    """Rules that cannot be used. ``path`` names the field (``indicators[1].penalty``)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class Currency(StrEnum):
    MONEY = "money"
    POINTS = "points"

    @property
    def label(self) -> str:
        return "元" if self is Currency.MONEY else "分"


_AMOUNTS: Final = (
    "reward",
    "bonus_per_percent",
    "bonus_cap",
    "penalty",
    "penalty_per_percent",
    "penalty_cap",
)


@dataclass(frozen=True)
class IndicatorRule:
    """The rule of one indicator: the reward at full completion with a capped bonus for each percent above, and
    the penalty below the threshold with a capped addition for each percent below; ``veto`` for 一票否决."""

    indicator: int
    reward: Decimal = Decimal(0)
    bonus_per_percent: Decimal = Decimal(0)
    bonus_cap: Decimal = Decimal(0)
    threshold: Decimal = Decimal(0)
    penalty: Decimal = Decimal(0)
    penalty_per_percent: Decimal = Decimal(0)
    penalty_cap: Decimal = Decimal(0)
    veto: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"indicator": self.indicator}
        for name in (*_AMOUNTS, "threshold"):
            value: Decimal = getattr(self, name)
            out[name] = int(value) if value == value.to_integral_value() else str(value)
        out["veto"] = self.veto
        return out


@dataclass(frozen=True)
class Rules:
    """A contract's rules: the currency of its rewards and one rule per indicator."""

    currency: Currency
    indicators: tuple[IndicatorRule, ...]

    def rule_for(self, indicator: int) -> IndicatorRule | None:
        return next((rule for rule in self.indicators if rule.indicator == indicator), None)

    def as_dict(self) -> dict[str, Any]:
        return {"currency": self.currency.value, "indicators": [rule.as_dict() for rule in self.indicators]}

    @classmethod
    def from_dict(cls, data: Any) -> Rules:
        """The rules of ``data`` (as stored), or :class:`RulesError` naming the first field at fault."""
        if not isinstance(data, Mapping):
            raise RulesError("", "奖惩条款应为对象")
        unknown = set(data) - {"currency", "indicators"}
        if unknown:
            raise RulesError(sorted(unknown)[0], "未知的字段")
        try:
            currency = Currency(data.get("currency", "money"))
        except ValueError:
            raise RulesError("currency", "应为 money（奖金，元）或 points（分）") from None
        items = data.get("indicators", [])
        if not isinstance(items, list):
            raise RulesError("indicators", "应为列表")
        rules: list[IndicatorRule] = []
        seen: set[int] = set()
        for at, item in enumerate(items):
            rule = _rule(item, currency, f"indicators[{at}]")
            if rule.indicator in seen:
                raise RulesError(f"indicators[{at}].indicator", "同一指标只能有一条规则")
            seen.add(rule.indicator)
            rules.append(rule)
        return cls(currency, tuple(rules))


def _rule(item: Any, currency: Currency, path: str) -> IndicatorRule:
    if not isinstance(item, Mapping):
        raise RulesError(path, "应为对象")
    unknown = set(item) - {"indicator", "threshold", "veto", *_AMOUNTS}
    if unknown:
        raise RulesError(f"{path}.{sorted(unknown)[0]}", "未知的字段")
    indicator = item.get("indicator")
    if isinstance(indicator, bool) or not isinstance(indicator, int) or indicator < 1:
        raise RulesError(f"{path}.indicator", "应为指标的编号（正整数）")
    values: dict[str, Decimal] = {}
    for name in (*_AMOUNTS, "threshold"):
        value = _number(item.get(name, 0), f"{path}.{name}")
        if value < 0:
            raise RulesError(f"{path}.{name}", "不能为负数")
        limit = MAX_PERCENT if name == "threshold" else MAX_AMOUNT
        if value > limit:
            raise RulesError(f"{path}.{name}", f"不能超过 {limit}")
        if currency is Currency.MONEY and name != "threshold" and value != value.to_integral_value():
            raise RulesError(f"{path}.{name}", "奖金以元为单位，应为整数")
        values[name] = value
    if values["threshold"] > 100:
        raise RulesError(f"{path}.threshold", "扣罚线应不高于 100%")
    veto = item.get("veto", False)
    if not isinstance(veto, bool):
        raise RulesError(f"{path}.veto", "应为 true 或 false")
    return IndicatorRule(indicator=indicator, veto=veto, **values)


def _number(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise RulesError(path, "应为数字")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RulesError(path, "应为数字") from None
    if not number.is_finite():
        raise RulesError(path, "应为有限的数字")
    return number


def default_rule(indicator: int, currency: Currency = Currency.MONEY) -> IndicatorRule:
    """The rule the office starts from for an indicator: 10,000 yuan (or 10 points) at full completion, 500 (or
    0.5) for each percent above up to 5,000 (5), and below 80 % a penalty of 5,000 (5)."""
    scale = Decimal(1) if currency is Currency.MONEY else Decimal("0.001")
    return IndicatorRule(
        indicator=indicator,
        reward=Decimal(10_000) * scale,
        bonus_per_percent=Decimal(500) * scale,
        bonus_cap=Decimal(5_000) * scale,
        threshold=Decimal(80),
        penalty=Decimal(5_000) * scale,
    )
