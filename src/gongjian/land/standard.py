"""The compensation standard (补偿安置方案) of an acquisition task as the engine reads it: one validated JSON
document per version, so that 一把尺子量到底 — every household of the task is computed from the same rates.

Pure (no Django): the service stores the document, this module checks its shape and turns it into
:class:`Standard`. Money is integer yuan; areas are decimal ㎡ or 亩.

The document::

    {
      "land": [{"code": "arable", "label": "耕地", "rate": 48000}],            # 元/亩
      "buildings": [{"code": "brick_concrete", "label": "砖混", "rate": 1350}],  # 元/㎡, legal buildings only
      "attachments": [{"code": "tree", "label": "树木", "unit": "棵", "price": 80}],
      "relocation": {"per_household": 3000, "times": 2},                         # 搬迁费: per move, moves
      "transition": {"per_person_month": 400, "months": 24},                      # 过渡费
      "business": {"per_sqm": 300},                                               # 停产停业损失补助, 元/㎡
      "options": {
        "money": {"per_sqm": 300},                                                # 货币安置奖励, 元/㎡ legal
        "housing": {"per_person_area": 40, "base_price": 1800, "extra_price": 4200}
      },
      "reward": [{"by": "2026-09-30", "per_sqm": 200, "fixed": 20000}, ...],       # 提前签约奖励
      "rounding": {"unit": 10, "mode": "half_up"}
    }

The reward's tiers are ordered by date and never grow later (``per_sqm`` and ``fixed`` not larger than the tier
before): those who sign first must not lose by it (context/003).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

ROUNDING_UNITS: Final = (1, 10, 100)
ROUNDING_MODES: Final = ("half_up", "down", "up")
OPTIONS: Final = ("money", "housing")
MAX_RATE: Final = 100_000_000  # yuan per unit: more is a typing error


class StandardError(ValueError):
    """The document is not a valid standard; ``field`` is the path of the first wrong value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Rate:
    code: str
    label: str
    rate: int
    unit: str = ""


@dataclass(frozen=True)
class Tier:
    by: date
    per_sqm: int
    fixed: int


@dataclass(frozen=True)
class Housing:
    per_person_area: Decimal
    base_price: int
    extra_price: int


@dataclass(frozen=True)
class Standard:
    land: dict[str, Rate]
    buildings: dict[str, Rate]
    attachments: dict[str, Rate]
    relocation_per_household: int
    relocation_times: int
    transition_per_person_month: int
    transition_months: int
    business_per_sqm: int
    money_per_sqm: int
    housing: Housing
    reward: tuple[Tier, ...]
    rounding_unit: int
    rounding_mode: str

    @classmethod
    def from_dict(cls, data: Any) -> Standard:
        return parse(data)


def _obj(data: Any, field: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise StandardError(field, "应为对象")
    return data


def _int(data: dict[str, Any], key: str, field: str, *, low: int = 0, high: int = MAX_RATE) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise StandardError(f"{field}.{key}", "应为整数（元）")
    if not low <= value <= high:
        raise StandardError(f"{field}.{key}", f"应在 {low} 至 {high} 之间")
    return value


def _text(data: dict[str, Any], key: str, field: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise StandardError(f"{field}.{key}", "应为非空文字")
    return value.strip()


def _rates(data: Any, field: str, rate_key: str) -> dict[str, Rate]:
    if not isinstance(data, list) or not data:
        raise StandardError(field, "应为非空列表")
    rates: dict[str, Rate] = {}
    for index, item in enumerate(data):
        where = f"{field}[{index}]"
        row = _obj(item, where)
        code = _text(row, "code", where)
        if code in rates:
            raise StandardError(f"{where}.code", f"重复的类别 {code}")
        unit = _text(row, "unit", where, required=False)
        rates[code] = Rate(code, _text(row, "label", where), _int(row, rate_key, where), unit)
    return rates


def _date(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise StandardError(field, "应为日期，如 2026-09-30")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise StandardError(field, "应为日期，如 2026-09-30") from None


def parse(data: Any) -> Standard:
    """Check ``data`` and return the standard; raises :class:`StandardError` naming the first wrong field."""
    root = _obj(data, "standard")
    relocation = _obj(root.get("relocation"), "relocation")
    transition = _obj(root.get("transition"), "transition")
    business = _obj(root.get("business"), "business")
    options = _obj(root.get("options"), "options")
    money = _obj(options.get("money"), "options.money")
    housing = _obj(options.get("housing"), "options.housing")
    area = housing.get("per_person_area")
    if isinstance(area, bool) or not isinstance(area, int | str) or not str(area).strip():
        raise StandardError("options.housing.per_person_area", "应为面积（㎡）")
    try:
        per_person_area = Decimal(str(area))
    except ArithmeticError:
        raise StandardError("options.housing.per_person_area", "应为面积（㎡）") from None
    if not per_person_area.is_finite() or not 0 <= per_person_area <= 1000:
        raise StandardError("options.housing.per_person_area", "应在 0 至 1000 之间")
    raw_tiers = root.get("reward", [])
    if not isinstance(raw_tiers, list):
        raise StandardError("reward", "应为列表")
    tiers: list[Tier] = []
    for index, item in enumerate(raw_tiers):
        where = f"reward[{index}]"
        row = _obj(item, where)
        tier = Tier(
            _date(row.get("by"), f"{where}.by"), _int(row, "per_sqm", where), _int(row, "fixed", where)
        )
        if tiers:
            before = tiers[-1]
            if tier.by <= before.by:
                raise StandardError(f"{where}.by", "截止日期应晚于上一档")
            # 先签约的不吃亏: a later tier never pays more than an earlier one.
            if tier.per_sqm > before.per_sqm or tier.fixed > before.fixed:
                raise StandardError(where, "后一档奖励不得高于前一档（先签约的不能吃亏）")
        tiers.append(tier)
    rounding = _obj(root.get("rounding"), "rounding")
    unit = rounding.get("unit")
    if unit not in ROUNDING_UNITS or isinstance(unit, bool):
        raise StandardError("rounding.unit", "应为 1、10 或 100（元）")
    mode = rounding.get("mode", "half_up")
    if mode not in ROUNDING_MODES:
        raise StandardError("rounding.mode", "应为 half_up（四舍五入）、down（舍去）或 up（进位）")
    return Standard(
        land=_rates(root.get("land"), "land", "rate"),
        buildings=_rates(root.get("buildings"), "buildings", "rate"),
        attachments=_rates(root.get("attachments"), "attachments", "price"),
        relocation_per_household=_int(relocation, "per_household", "relocation"),
        relocation_times=_int(relocation, "times", "relocation", high=10),
        transition_per_person_month=_int(transition, "per_person_month", "transition"),
        transition_months=_int(transition, "months", "transition", high=120),
        business_per_sqm=_int(business, "per_sqm", "business"),
        money_per_sqm=_int(money, "per_sqm", "options.money"),
        housing=Housing(
            per_person_area,
            _int(housing, "base_price", "options.housing"),
            _int(housing, "extra_price", "options.housing"),
        ),
        reward=tuple(tiers),
        rounding_unit=int(unit),
        rounding_mode=str(mode),
    )


def tier_for(standard: Standard, signed_on: date | None) -> Tier | None:
    """The reward tier a signing date falls in: the first whose cut-off is on or after it (None: no reward)."""
    if signed_on is None:
        return None
    for tier in standard.reward:
        if signed_on <= tier.by:
            return tier
    return None
