"""The demo district's targets and responsibility contracts (目标责任状) in the shape of context/001: the "双三"
goals — GDP 30亿元 and fiscal revenue 3亿元 — split over the streets, parks and the bureaus that carry output;
fixed-asset investment computed from the approved reports of each unit's projects; the greening 任务书 (30 公顷 of
new green space, 45.5万 trees, 8 green-space projects) and the road works; a contract for every unit, issued, one
signed with its scan; monthly actuals through November (the history approved, October's being reviewed,
November's waiting, one returned for its missing evidence); and a settlement previewed on what is approved.

Only indicators with a real source are made: the attraction units' 签约金额 and 资金到位 are computed from the
demo's leads (the attraction app's computed sources), their targets the ones the office handed down in attraction,
so nothing is typed twice."""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone

from gongjian.accounts.models import User
from gongjian.attraction import targeting
from gongjian.attraction.choices import Metric
from gongjian.attraction.models import AttractionTarget
from gongjian.core.locking import ANY_VERSION
from gongjian.org.models import Unit
from gongjian.projects.models import AnnualPlan
from gongjian.targets import queries, services, sources
from gongjian.targets.choices import ActualState, Category, Source
from gongjian.targets.models import Actual, Indicator, UnitTarget

STREETS = ["段庄街道", "湖滨街道", "七里沟街道", "金山街道", "泰山街道"]
PARKS = ["矿大园", "医疗器械园", "杏山子园"]
# (name, measure, category, total, who carries it, weights): the totals are context/001's.
ENTERED = [
    (
        "地区生产总值",
        "亿元",
        Category.ECONOMY,
        Decimal(30),
        [*STREETS, *PARKS, "工信局", "商务局"],
        [9, 8, 7, 8, 6, 12, 10, 9, 18, 13],
    ),
    (
        "一般公共预算收入",
        "亿元",
        Category.ECONOMY,
        Decimal(3),
        [*STREETS, *PARKS, "财政局"],
        [10, 9, 8, 9, 7, 12, 11, 10, 24],
    ),
    ("新增绿化面积", "公顷", Category.GREENING, Decimal(30), [*STREETS, "住建局"], [4, 5, 4, 5, 6, 6]),
    ("植树", "棵", Category.GREENING, Decimal(455_000), [*STREETS, "住建局"], [7, 8, 6, 8, 9, 7]),
    ("绿地建设项目", "个", Category.GREENING, Decimal(8), ["住建局"], [1]),
    ("道路综合整治", "km", Category.CONSTRUCTION, Decimal("61.5"), [*STREETS, "住建局"], [4, 4, 4, 4, 4, 21]),
]
# GDP and revenue come in by the quarter: cumulative shares of the year at each quarter's end (一季度 22%…).
# The attraction figures the attraction units' contracts hold them to (computed from their leads).
ATTRACTION = [("签约金额", Metric.SIGNED_AMOUNT), ("资金到位", Metric.FUNDS_AMOUNT)]
QUARTERS = [Decimal("0.22"), Decimal("0.47"), Decimal("0.73"), Decimal(1)]
HISTORY_MONTHS = 9  # approved as history; October is being reviewed and November waits


def _split(total: Decimal, weights: list[int], money: bool) -> list[Decimal]:
    """``total`` in shares of ``weights``, the last taking the rounding so they sum exactly."""
    whole = sum(weights)
    places = Decimal(1) if money else Decimal("0.01")
    parts = [(total * w / whole).quantize(places, ROUND_HALF_UP) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def build_targets(year: int, as_of: date) -> dict:
    """Build the year's targets, contracts, actuals and a settlement preview; what was made, for the summary."""
    office = User.objects.get(username="office")
    everyone = list(Unit.objects.all())
    by_short = {u.short_name: u for u in everyone if u.short_name}  # the loader's shorthands (工信局, 矿大园)
    units_by_id = {u.pk: u for u in everyone}

    def unit(name: str) -> Unit:
        return by_short[name]

    rng = random.Random(year * 7 + 16)
    indicators: list[tuple[Indicator, list[UnitTarget]]] = []
    for order, (name, measure, category, total, carriers, weights) in enumerate(ENTERED, start=1):
        indicator = services.create_indicator(
            year=year, name=name, measure=measure, category=category, order=order * 10, actor=office
        )
        stored_total = total * indicator.factor
        shares = _split(stored_total, weights, indicator.is_money or measure in ("棵", "个"))
        targets = []
        for carrier, share in zip(carriers, shares, strict=True):
            milestones = [share * q for q in QUARTERS] if category == Category.ECONOMY else []
            if indicator.is_money:
                milestones = [m.quantize(Decimal(1), ROUND_HALF_UP) for m in milestones]
            targets.append(
                services.set_target(
                    indicator, unit(carrier), target=share, milestones=milestones, actor=office
                )
            )
        indicators.append((indicator, targets))

    # 固定资产投资完成额: each responsible unit's target is its projects' annual plan; the actuals are computed.
    investment = services.create_indicator(
        year=year,
        name="固定资产投资完成额",
        measure="万元",
        category=Category.ECONOMY,
        source=Source.COMPUTED,
        source_key=sources.FIXED_ASSET_INVESTMENT,
        order=25,
        actor=office,
    )
    plans = (
        AnnualPlan.objects.filter(year=year, total__gt=0)
        .values("project__responsible_unit")
        .annotate(total=Sum("total"))
        .order_by("project__responsible_unit")
    )
    for row in plans:
        services.set_target(
            investment,
            units_by_id[row["project__responsible_unit"]],
            target=Decimal(row["total"]),
            actor=office,
        )

    # 签约金额 and 资金到位 of the attraction units: computed from their leads, against attraction's targets.
    computed = [investment]
    for order, (name, metric) in enumerate(ATTRACTION, start=1):
        indicator = services.create_indicator(
            year=year,
            name=name,
            measure="亿元",
            category=Category.ATTRACTION,
            source=Source.COMPUTED,
            source_key=targeting.key(metric),
            order=60 + order,
            actor=office,
        )
        for row in AttractionTarget.objects.filter(year=year, metric=metric, value__gt=0).order_by("unit_id"):
            services.set_target(indicator, units_by_id[row.unit_id], target=Decimal(row.value), actor=office)
        computed.append(indicator)

    # Actuals through November (a month's figures come in the month after it), or the months before ``as_of``.
    last = min(11, as_of.month - 1) if as_of.year == year else 11
    made = _actuals(indicators, year, last, office, rng, as_of)
    if last >= 1:
        _computed(computed, year, last, office, as_of)

    contracts = []
    for carrier in sorted(
        {t.unit_id for _i, targets in indicators for t in targets}
        | set(UnitTarget.objects.filter(indicator__in=computed).values_list("unit_id", flat=True))
    ):
        contract = services.create_contract(
            units_by_id[carrier], year, actor=office, rules=_rules(carrier, year)
        )
        contracts.append(services.issue_contract(contract, actor=office, expected_version=contract.version))
    reporter = User.objects.get(username="reporter")
    mine = next((c for c in contracts if c.unit.short_name == "工信局"), None)
    if mine is not None:
        services.sign_contract(mine, scan=_scan(mine), actor=reporter, expected_version=mine.version)

    settlement = None
    if last >= 1:
        settlement = services.run_settlement(year, actor=office, through_month=last)
    return {
        "indicators": len(indicators) + len(computed),
        "contracts": len(contracts),
        "actuals": made,
        "settlement": settlement,
    }


def _rules(unit_id: int, year: int) -> dict:
    """The contract's rules: 20,000 yuan for each indicator completed, 1,000 for each percent above up to 10,000,
    below 80 % a penalty of 10,000; GDP carries the veto (一票否决) where the unit has it."""
    rules = []
    for target in UnitTarget.objects.filter(unit_id=unit_id, indicator__year=year).select_related(
        "indicator"
    ):
        rules.append(
            {
                "indicator": target.indicator_id,
                "reward": 20_000,
                "bonus_per_percent": 1_000,
                "bonus_cap": 10_000,
                "threshold": 80,
                "penalty": 10_000,
                "veto": target.indicator.name == "地区生产总值",
            }
        )
    return {"currency": "money", "indicators": rules}


def _actuals(indicators, year: int, last: int, office, rng: random.Random, as_of: date) -> int:
    """Each unit's cumulative figure month by month: its pace (0.8–1.15 of the time-elapsed line) with some noise,
    never going back. The history is written at once as approved (it was reviewed in its months); October's are
    entered and approved through the services, November's entered and waiting, one returned."""
    if last < 1:
        return 0
    now = timezone.now()
    history: list[Actual] = []
    for indicator, targets in indicators:
        for target in targets:
            pace = Decimal(str(round(rng.uniform(0.8, 1.15), 3)))
            value = Decimal(0)
            for month in range(1, last + 1):
                step = target.target * pace * Decimal(str(round(rng.uniform(0.6, 1.4), 3))) / 12
                value = _round(indicator, value + step)
                if month <= min(HISTORY_MONTHS, last - 1):
                    history.append(
                        Actual(
                            unit_target=target,
                            month=month,
                            value=value,
                            state=ActualState.APPROVED,
                            note="据统计月报",
                            submitted_at=now,
                            reviewed_at=now,
                        )
                    )
                else:
                    _enter(target, month, value, office, approve=month < last, today=as_of)
    Actual.objects.bulk_create(history)
    queries.changed()
    returned = (
        Actual.objects.filter(unit_target__indicator__year=year, state=ActualState.SUBMITTED, computed=False)
        .filter(unit_target__indicator__name="新增绿化面积")
        .order_by("unit_target__unit__name")
        .first()
    )
    if returned is not None:
        services.review_actual(
            returned,
            approve=False,
            reason="新增绿化面积须附验收单，请补充后重新报送",
            actor=office,
            expected_version=returned.version,
        )
    return Actual.objects.filter(unit_target__indicator__year=year).count()


def _computed(indicators: list[Indicator], year: int, last: int, office, today: date) -> None:
    """The computed indicators (investment, the attraction figures): the history from their sources, written at
    once as approved; the last two months through the monthly task's service, the earlier approved and the last
    waiting."""
    now = timezone.now()
    history = []
    for indicator in indicators:
        source = sources.get(indicator.source_key)
        targets = {t.unit_id: t for t in indicator.targets.all()}
        for month in range(1, max(0, last - 2) + 1):
            figures = source.compute(year, month, list(targets))
            history += [
                Actual(
                    unit_target=target,
                    month=month,
                    value=Decimal(figures.get(unit_id, 0)).quantize(Decimal(1), ROUND_HALF_UP),
                    computed=True,
                    state=ActualState.APPROVED,
                    note=f"由“{source.label}”计算",
                    submitted_at=now,
                    reviewed_at=now,
                )
                for unit_id, target in targets.items()
            ]
    Actual.objects.bulk_create(history)
    queries.changed()
    for month in range(max(1, last - 1), last + 1):
        services.compute_actuals(year, month, actor=office, today=today)
    for actual in Actual.objects.filter(
        unit_target__indicator__in=indicators, state=ActualState.SUBMITTED, month__lt=last
    ).order_by("month", "id"):
        services.review_actual(actual, approve=True, actor=office, expected_version=actual.version)


def _round(indicator: Indicator, value: Decimal) -> Decimal:
    places = Decimal(1) if indicator.is_money or indicator.measure in ("棵", "个") else Decimal("0.01")
    return value.quantize(places, ROUND_HALF_UP)


def _enter(target: UnitTarget, month: int, value: Decimal, office, *, approve: bool, today: date) -> None:
    """A unit's staff enter the month (as the system acting for them: the demo has no account in every unit)."""
    actual = services.enter_actual(
        target, month, value=value, note="据统计月报", actor=None, expected_version=ANY_VERSION, today=today
    )
    if approve:
        services.review_actual(actual, approve=True, actor=office, expected_version=actual.version)


def _scan(contract) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% {contract.number} signed scan (demo)\n%%EOF\n".encode()
    return SimpleUploadedFile(
        f"{contract.year}年目标责任书（签字）.pdf", body, content_type="application/pdf"
    )
