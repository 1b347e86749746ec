"""A year of investment attraction (招商引资) in the demo district, in the shape of the district head's speech
(context 001): "干部会招商" — trips out led by the district's leaders, the three parks promoted as the carriers of
载体招商, a hundred-odd projects of 500万元 or more signed and funded across the year, a few tranches of foreign
capital in US dollars, several leads started as (or linked to) the registry's projects, some stalled, a couple
dropped with their reasons, and each unit's targets per link handed down by the office.

Like the rest of the demo it is a pure function of ``(year, as_of)`` and the district already built: its own
random stream, lists walked in order, nothing after ``as_of``. It writes in bulk, as the demo writes the
organisation, and one audit event records it."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from gongjian.attraction import services
from gongjian.attraction.choices import Chain, Currency, Metric, Stage, StepKind
from gongjian.attraction.models import AttractionTarget, Lead, LeadStep, Production, Signing, Tranche, Trip
from gongjian.core import audit
from gongjian.core.identifiers import CREDIT_CODE_CHARSET, make_credit_code, make_org_code
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project

SEED = 20221201 + 16
# (unit short name, share of the leads, chains it promotes): the three parks carry most (载体招商).
FOLLOWERS = [
    ("矿大园", 26, [Chain.DIGITAL, Chain.ELECTRONICS, Chain.NEW_MATERIALS]),
    ("医疗器械园", 26, [Chain.BIOMEDICINE, Chain.ELECTRONICS, Chain.EQUIPMENT]),
    ("杏山子园", 26, [Chain.EQUIPMENT, Chain.NEW_ENERGY, Chain.NEW_MATERIALS, Chain.FOOD]),
    ("招商局", 14, [Chain.LOGISTICS, Chain.NEW_ENERGY, Chain.DIGITAL]),
    ("商务局", 10, [Chain.LOGISTICS, Chain.TOURISM, Chain.TEXTILE]),
    ("工信局", 8, [Chain.EQUIPMENT, Chain.NEW_MATERIALS]),
]
DESTINATIONS = [
    "深圳",
    "上海",
    "苏州",
    "杭州",
    "北京",
    "温州",
    "东莞",
    "无锡",
    "宁波",
    "广州",
    "香港",
    "首尔",
]
INVESTOR_PLACES = [
    "深圳",
    "上海",
    "苏州",
    "杭州",
    "温州",
    "东莞",
    "无锡",
    "宁波",
    "广州",
    "南京",
    "合肥",
    "青岛",
]
WHAT = {
    Chain.NEW_ENERGY: ["储能电池", "光伏组件", "氢能装备", "充电桩"],
    Chain.NEW_MATERIALS: ["高性能纤维", "特种合金", "新型建材", "石墨烯材料"],
    Chain.EQUIPMENT: ["智能装备", "工程机械配件", "精密传动", "工业机器人"],
    Chain.ELECTRONICS: ["传感器", "电子元器件", "智能终端", "芯片封测"],
    Chain.BIOMEDICINE: ["医疗器械", "体外诊断试剂", "康复设备", "医用耗材"],
    Chain.FOOD: ["绿色食品加工", "冷链食品"],
    Chain.TEXTILE: ["服装智造", "家纺"],
    Chain.LOGISTICS: ["智慧物流园", "供应链中心", "电商仓储"],
    Chain.TOURISM: ["文旅综合体", "康养中心"],
    Chain.DIGITAL: ["软件园", "数据中心", "工业互联网平台"],
}
SUFFIX = ["有限公司", "科技有限公司", "集团有限公司", "股份有限公司"]
FOREIGN = [
    ("中国香港", Currency.USD),
    ("韩国", Currency.USD),
    ("新加坡", Currency.USD),
    ("德国", Currency.USD),
]
USD_RATE = Decimal("7.12")
DROPPED = ["投资方资金链紧张，暂缓投资", "项目选址与用地规划不符，投资方转投外地"]
NEXT = ["约请投资方来区考察", "对接园区厂房", "洽谈供地条件", "准备合同文本", "协调环评", "推动首期资金到位"]
# The targets per unit and link (counts as such, money in 万元, foreign capital in 万美元), by a unit's share.
TARGETS_PER_SHARE = {
    Metric.TRIPS: 0.3,
    Metric.LEADS: 1.6,
    Metric.SIGNED_COUNT: 1.2,
    Metric.SIGNED_AMOUNT: 4_000,
    Metric.FUNDS_AMOUNT: 1_800,
    Metric.STARTS: 0.5,
    Metric.BIG_PROJECTS: 1.0,
}


def _company(rng: random.Random, chain: str, used: set[str]) -> tuple[str, str]:
    while True:
        place = rng.choice(INVESTOR_PLACES)
        what = rng.choice(WHAT[chain])
        investor = f"{place}{rng.choice('鑫华瑞恒盛泰安宏德远')}{rng.choice('源达科通力创新丰辉')}{rng.choice(SUFFIX)}"
        name = f"{what}项目"
        if investor not in used:
            used.add(investor)
            return investor, name


def _credit_code(rng: random.Random) -> str:
    body = "MA" + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(6))
    return make_credit_code("91" + "320311" + make_org_code(body))


def build_attraction(year: int, as_of: date, units: dict[str, Unit], people: dict[str, Person]) -> dict:
    """Write the year's trips, leads with their history, signings, tranches, production and targets."""
    rng = random.Random(SEED)
    first = date(year, 1, 1)
    span = max((as_of - first).days, 1)
    leaders = [people[name] for name in ("陈志远", "刘建华", "赵明", "孙丽", "周海涛")]
    introducers = sorted(people.values(), key=lambda p: p.pk)

    def day_in(start: date, days: int) -> date:
        return min(as_of, start + timedelta(days=days))

    # 外出招商: two a month up to the progress date, led in turn by the district leaders.
    trips = []
    for i in range(max(1, 2 * (as_of.month if as_of.year == year else 12))):
        start = first + timedelta(days=int(span * (i + 0.5) / (2 * max(as_of.month, 1))))
        if start > as_of:
            break
        short, _share, _chains = FOLLOWERS[i % len(FOLLOWERS)]
        trips.append(
            Trip(
                unit=units[short],
                start_date=start,
                end_date=min(as_of, start + timedelta(days=rng.randint(1, 4))),
                destination=DESTINATIONS[i % len(DESTINATIONS)],
                leader=leaders[i % len(leaders)],
                companies="\n".join(
                    f"{rng.choice(INVESTOR_PLACES)}某{rng.choice('鑫华瑞恒')}公司" for _ in range(3)
                ),
                cost=rng.randint(2, 9) * 10_000,
                notes="围绕主导产业链开展驻点招商，洽谈企业并邀请来区考察。",
            )
        )
    Trip.objects.bulk_create(trips)
    for trip in trips:
        trip.delegation.set([trip.leader, *rng.sample(introducers, 2)])

    # The registry's started industrial projects that came from attraction: six, linked to leads.
    started = list(
        Project.objects.filter(
            category="industry", nature="new", actual_start__isnull=False, actual_start__lte=as_of
        )
        .exclude(park=None)
        .order_by("code")[:6]
    )

    plans = []  # (unit, chain, foreign, target stage, project)
    weights = [share for _short, share, _chains in FOLLOWERS]
    for project in started:
        plans.append((project.park, Chain.EQUIPMENT, None, Stage.STARTED, project))
    for i in range(124):
        short, _share, chains = rng.choices(FOLLOWERS, weights=weights)[0]
        foreign = FOREIGN[i // 30] if i % 30 == 7 else None
        roll = rng.random()
        stage = (
            Stage.TALKS
            if roll < 0.14
            else Stage.SIGNED
            if roll < 0.24
            else Stage.FUNDED
            if roll < 0.86
            else Stage.STARTED
            if roll < 0.95
            else Stage.PRODUCING
        )
        if i in (40, 90):
            stage = Stage.DROPPED
        plans.append((units[short], rng.choice(chains), foreign, stage, None))

    used: set[str] = set()
    leads, steps, signings, tranches, production = [], [], [], [], []
    order = [Stage.TALKS, Stage.SIGNED, Stage.FUNDED, Stage.STARTED, Stage.PRODUCING]
    for n, (unit, chain, foreign, target, project) in enumerate(plans):
        investor, name = _company(rng, chain, used)
        amount = rng.choice([6, 8, 12, 15, 20, 30, 50, 80, 120, 200]) * 1_000_000
        if n % 17 == 3:
            amount = rng.choice([2, 3, 4]) * 1_000_000  # a small one, under 500万元
        if project is not None:
            name, amount = project.name, project.total_investment
            found = project.actual_start - timedelta(days=rng.randint(90, 200))
        else:
            found = first + timedelta(days=rng.randint(0, max(span - 20, 1)))
        trip = (
            next((t for t in reversed(trips) if t.start_date <= found), None) if rng.random() < 0.6 else None
        )
        lead = Lead(
            name=name,
            investor=investor,
            credit_code=_credit_code(rng) if rng.random() < 0.7 else "",
            contact_name=rng.choice("张王李赵刘陈杨黄") + rng.choice(["经理", "总", "先生", "女士"]),
            contact_phone=f"13{rng.randint(5, 9)}{rng.randrange(10**8):08d}",
            chain=chain,
            amount=amount,
            country=foreign[0] if foreign else "",
            currency=foreign[1] if foreign else Currency.CNY,
            introducer=rng.choice(introducers),
            unit=unit,
            trip=trip,
            found_on=found,
            next_step=rng.choice(NEXT),
            stage=Stage.TALKS,
            project=project,
            last_step_on=found,
        )
        lead._history = [(StepKind.FOLLOW, found, "登记意向项目", "", Stage.TALKS)]
        day = found
        reach = order.index(target) if target != Stage.DROPPED else rng.randint(0, 1)
        gaps = [rng.randint(10, 50), rng.randint(5, 40), rng.randint(15, 60), rng.randint(60, 150)]
        if project is not None:
            gaps[:3] = [30, 20, max((project.actual_start - found).days - 50, 1)]
        for step in range(1, reach + 1):
            day = day + timedelta(days=gaps[step - 1])
            if day > as_of:
                break
            stage = order[step]
            text = {
                Stage.SIGNED: "签订投资合同",
                Stage.FUNDED: "首期资金到位",
                Stage.STARTED: "项目开工建设",
                Stage.PRODUCING: "项目投产",
            }[stage]
            if stage == Stage.STARTED and project is not None:
                day, text = project.actual_start, f"项目开工，纳入重点项目库：{project.code}"
            lead.stage = stage
            setattr(lead, {1: "signed_on", 2: "funded_on", 3: "started_on", 4: "producing_on"}[step], day)
            lead._history.append((StepKind.MOVE, day, text, order[step - 1], stage))
        if target == Stage.DROPPED:
            day = min(as_of, day + timedelta(days=rng.randint(10, 40)))
            lead._history.append(
                (StepKind.DROP, day, "项目终止：" + DROPPED[len(leads) % 2], lead.stage, Stage.DROPPED)
            )
            lead.stage, lead.dropped_on, lead.drop_reason = Stage.DROPPED, day, DROPPED[len(leads) % 2]
        elif n % 9 != 5:  # most leads are followed up recently; the others are left stalled
            follow = min(as_of, max(day, as_of - timedelta(days=rng.randint(1, 25))))
            if follow > day:
                lead._history.append((StepKind.FOLLOW, follow, "电话回访，了解项目推进情况", "", ""))
                day = follow
        lead.last_step_on = max(d for _k, d, *_r in lead._history)
        leads.append(lead)
    Lead.objects.bulk_create(leads)

    for lead in leads:
        for kind, on, text, frm, to in lead._history:
            steps.append(
                LeadStep(
                    lead=lead,
                    kind=kind,
                    on=on,
                    text=text,
                    stage_from=frm,
                    stage_to=to,
                    next_step=lead.next_step,
                )
            )
        if lead.signed_on:
            signings.append(Signing(lead=lead, unit_id=lead.unit_id, date=lead.signed_on, amount=lead.amount))
        if lead.funded_on:
            first_part = lead.amount * rng.choice([3, 4, 5]) // 10
            parts = [(lead.funded_on, first_part)]
            second = lead.funded_on + timedelta(days=rng.randint(30, 90))
            if second <= as_of:
                parts.append((second, lead.amount * 2 // 10))
            for on, yuan in parts:
                if lead.currency == Currency.CNY:
                    tranches.append(
                        Tranche(
                            lead=lead,
                            unit_id=lead.unit_id,
                            date=on,
                            amount=yuan,
                            source=rng.choice(["自有资金", "银行贷款", "股东增资"]),
                        )
                    )
                else:
                    usd = yuan // 7 // 10_000 * 10_000
                    tranches.append(
                        Tranche(
                            lead=lead,
                            unit_id=lead.unit_id,
                            date=on,
                            amount=int(Decimal(usd) * USD_RATE),
                            source="外方股东出资",
                            currency=Currency.USD,
                            foreign_amount=usd,
                            rate=USD_RATE,
                            usd_amount=usd,
                        )
                    )
        if lead.producing_on:
            production.append(
                Production(
                    lead=lead,
                    year=year,
                    output_value=lead.amount * 3 // 2,
                    tax=lead.amount // 20,
                    jobs=rng.randint(30, 300),
                )
            )
    LeadStep.objects.bulk_create(steps)
    Signing.objects.bulk_create(signings)
    Tranche.objects.bulk_create(tranches)
    Production.objects.bulk_create(production)
    # Written in bulk, past the services: the units' monthly figures are counted once here, as a write would.
    services.refresh_figures({trip.unit_id for trip in trips} | {lead.unit_id for lead in leads})

    targets = []
    for short, share, _chains in FOLLOWERS:
        for metric, per_share in TARGETS_PER_SHARE.items():
            value = per_share * share
            value = (
                round(value) * 10_000
                if metric in (Metric.SIGNED_AMOUNT, Metric.FUNDS_AMOUNT)
                else max(1, round(value))
            )
            targets.append(AttractionTarget(unit=units[short], year=year, metric=metric, value=value))
        if short in ("矿大园", "医疗器械园", "杏山子园", "招商局"):
            targets.append(
                AttractionTarget(unit=units[short], year=year, metric=Metric.FOREIGN_USD, value=300 * 10_000)
            )
    AttractionTarget.objects.bulk_create(targets)
    summary = {
        "trips": len(trips),
        "leads": len(leads),
        "signed": len(signings),
        "big": sum(s.amount >= 5_000_000 for s in signings),
        "tranches": len(tranches),
        "foreign": sum(t.currency != Currency.CNY for t in tranches),
        "linked": len(started),
        "dropped": sum(lead.stage == Stage.DROPPED for lead in leads),
    }
    audit.record("demo.attraction", object_type="core.demo", after=summary, only_changes=False)
    return summary
