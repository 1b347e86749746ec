"""The compensation engine (补偿计算): a household's facts + the task's standard + the signing date → each line
(item, quantity, rate, amount, the rule quoted) and the total, integer yuan, the same every time.

Pure (no Django, ``mypy --strict``). Illegal buildings (违建) are listed with 0: recorded, never paid. Each line is
rounded to the standard's unit in its mode; the total is the sum of the lines, so it is a multiple of the unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from gongjian.land.standard import Standard, tier_for

_MODES = {"half_up": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}


class EngineError(ValueError):
    """A fact the standard has no rate for (a category it does not list); ``str(exc)`` is a Chinese sentence."""


@dataclass(frozen=True)
class Parcel:
    category: str
    area_mu: Decimal


@dataclass(frozen=True)
class Building:
    grade: str
    area: Decimal
    legal: bool = True


@dataclass(frozen=True)
class Attachment:
    kind: str
    count: int


@dataclass(frozen=True)
class Facts:
    """What sets a household's compensation, and nothing else."""

    persons: int
    parcels: tuple[Parcel, ...] = ()
    buildings: tuple[Building, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    business_area: Decimal = Decimal(0)

    @property
    def legal_area(self) -> Decimal:
        return sum((b.area for b in self.buildings if b.legal), Decimal(0))

    def vector(self) -> tuple[object, ...]:
        """The facts as one comparable value (similar households share it): areas summed per category."""
        land: dict[str, Decimal] = {}
        for p in self.parcels:
            land[p.category] = land.get(p.category, Decimal(0)) + p.area_mu
        built: dict[tuple[str, bool], Decimal] = {}
        for b in self.buildings:
            built[(b.grade, b.legal)] = built.get((b.grade, b.legal), Decimal(0)) + b.area
        things: dict[str, int] = {}
        for a in self.attachments:
            things[a.kind] = things.get(a.kind, 0) + a.count
        return (
            self.persons,
            tuple(sorted(land.items())),
            tuple(sorted(built.items())),
            tuple(sorted(things.items())),
            self.business_area,
        )


@dataclass(frozen=True)
class Choice:
    """The resettlement option chosen: money (货币安置) or housing (产权调换) of ``area`` ㎡."""

    option: str = "money"
    housing_area: Decimal = Decimal(0)


@dataclass(frozen=True)
class Line:
    item: str
    basis: str  # what was counted, in words: "砖混 120.00㎡"
    quantity: Decimal
    rate: int
    amount: int
    rule: str  # the standard's words


@dataclass(frozen=True)
class Result:
    lines: tuple[Line, ...]
    total: int
    reward_by: date | None = None
    notes: tuple[str, ...] = field(default=())


def round_yuan(value: Decimal, unit: int, mode: str) -> int:
    """``value`` yuan to a multiple of ``unit`` in ``mode`` (half_up: away from zero at the half)."""
    steps = (value / unit).quantize(Decimal(1), rounding=_MODES[mode])
    return int(steps) * unit


def _q(value: Decimal) -> str:
    return f"{value:.2f}"


def compute(facts: Facts, standard: Standard, signed_on: date | None, choice: Choice | None = None) -> Result:
    """Every line of ``facts``' compensation under ``standard`` for an agreement signed on ``signed_on`` (None:
    not signed yet, so no early-signing reward)."""
    choice = choice or Choice()
    unit, mode = standard.rounding_unit, standard.rounding_mode
    lines: list[Line] = []

    def add(item: str, basis: str, quantity: Decimal, rate: int, rule: str, *, paid: bool = True) -> None:
        amount = round_yuan(quantity * rate, unit, mode) if paid else 0
        lines.append(Line(item, basis, quantity, rate, amount, rule))

    for parcel in facts.parcels:
        land = standard.land.get(parcel.category)
        if land is None:
            raise EngineError(f"补偿方案没有地类「{parcel.category}」的补偿标准")
        add(
            f"土地补偿·{land.label}",
            f"{land.label} {_q(parcel.area_mu)}亩",
            parcel.area_mu,
            land.rate,
            f"{land.label}每亩 {land.rate} 元",
        )
    for building in facts.buildings:
        grade = standard.buildings.get(building.grade)
        if grade is None:
            raise EngineError(f"补偿方案没有结构等级「{building.grade}」的补偿标准")
        if building.legal:
            add(
                f"房屋补偿·{grade.label}",
                f"{grade.label} {_q(building.area)}㎡",
                building.area,
                grade.rate,
                f"{grade.label}结构每平方米 {grade.rate} 元",
            )
        else:
            add(
                f"违法建筑·{grade.label}",
                f"{grade.label} {_q(building.area)}㎡",
                building.area,
                0,
                "违法建筑不予补偿",
                paid=False,
            )
    for attachment in facts.attachments:
        thing = standard.attachments.get(attachment.kind)
        if thing is None:
            raise EngineError(f"补偿方案没有附属物「{attachment.kind}」的补偿标准")
        add(
            f"附属物·{thing.label}",
            f"{thing.label} {attachment.count}{thing.unit}",
            Decimal(attachment.count),
            thing.rate,
            f"{thing.label}每{thing.unit or '个'} {thing.rate} 元",
        )
    if facts.business_area > 0:
        add(
            "停产停业损失补助",
            f"经营面积 {_q(facts.business_area)}㎡",
            facts.business_area,
            standard.business_per_sqm,
            f"经营用房每平方米 {standard.business_per_sqm} 元",
        )
    has_home = facts.legal_area > 0
    if has_home:
        times = Decimal(standard.relocation_times)
        add(
            "搬迁费",
            f"{standard.relocation_times}次",
            times,
            standard.relocation_per_household,
            f"每户每次 {standard.relocation_per_household} 元",
        )
    if choice.option == "money":
        if has_home:
            add(
                "货币安置奖励",
                f"合法建筑 {_q(facts.legal_area)}㎡",
                facts.legal_area,
                standard.money_per_sqm,
                f"选择货币安置的每平方米 {standard.money_per_sqm} 元",
            )
    elif choice.option == "housing":
        if has_home and standard.transition_months:
            person_months = Decimal(facts.persons * standard.transition_months)
            add(
                "过渡费",
                f"{facts.persons}人×{standard.transition_months}个月",
                person_months,
                standard.transition_per_person_month,
                f"每人每月 {standard.transition_per_person_month} 元",
            )
        entitled = standard.housing.per_person_area * facts.persons
        within = min(choice.housing_area, entitled)
        extra = max(choice.housing_area - entitled, Decimal(0))
        if within > 0:
            lines.append(
                Line(
                    "安置房购房款（抵扣）",
                    f"安置面积 {_q(within)}㎡",
                    within,
                    standard.housing.base_price,
                    -round_yuan(within * standard.housing.base_price, unit, mode),
                    f"每人 {_q(standard.housing.per_person_area)}㎡ 以内每平方米 {standard.housing.base_price} 元",
                )
            )
        if extra > 0:
            lines.append(
                Line(
                    "超面积购房款（抵扣）",
                    f"超出面积 {_q(extra)}㎡",
                    extra,
                    standard.housing.extra_price,
                    -round_yuan(extra * standard.housing.extra_price, unit, mode),
                    f"超出部分每平方米 {standard.housing.extra_price} 元",
                )
            )
    else:
        raise EngineError(f"未知的安置方式「{choice.option}」")
    tier = tier_for(standard, signed_on)
    if tier is not None and has_home:
        if tier.per_sqm:
            add(
                "提前签约奖励",
                f"合法建筑 {_q(facts.legal_area)}㎡",
                facts.legal_area,
                tier.per_sqm,
                f"{tier.by:%Y年%m月%d日}前签约每平方米 {tier.per_sqm} 元",
            )
        if tier.fixed:
            add(
                "提前签约奖励（按户）",
                "1户",
                Decimal(1),
                tier.fixed,
                f"{tier.by:%Y年%m月%d日}前签约每户 {tier.fixed} 元",
            )
    return Result(tuple(lines), sum(line.amount for line in lines), tier.by if tier else None)
