"""The demo district's pipeline (谋划/储备): this year's key-project plan issued in January with the 36 registry
projects as its items (linked, not made twice), a reserve of about thirty projects for next year at every readiness
with their 四个一批 tags (some brought by signed leads), next year's draft plan selecting the ripest of them, this
year's three campaigns (集中签约 in February, 集中开工 in spring, 集中投产 in autumn), and the registry's projects
tagged 招引/裂变/成群/上市一批. Everything goes through the pipeline's services, as the office would do it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gongjian.core.locking import ANY_VERSION
from gongjian.core.money import YUAN_PER_WAN
from gongjian.org.models import Region, Unit
from gongjian.pipeline import services
from gongjian.pipeline.choices import CampaignKind, Origin, Readiness
from gongjian.pipeline.models import PlanItem, ReserveProject
from gongjian.projects.choices import ApprovalKind, Batch, Category, Level, Nature
from gongjian.projects.models import Project


@dataclass(frozen=True)
class Proposal:
    """A project proposed for next year: (name, category, responsible unit, park, 万元, readiness, tag, origin)."""

    name: str
    category: str
    unit: str
    park: str
    wan: int
    readiness: str
    batch: str = ""
    origin: str = Origin.PLANNED


IND, COM, URB, SOC = Category.INDUSTRY, Category.COMMERCE, Category.URBAN, Category.SOCIAL
CON, PRO, FEA, APP, RDY = (
    Readiness.CONCEPT,
    Readiness.PROPOSAL,
    Readiness.FEASIBILITY,
    Readiness.APPROVALS,
    Readiness.READY,
)
A, S, C, L = Batch.ATTRACT, Batch.SPINOFF, Batch.CLUSTER, Batch.LISTING
SIGNED = Origin.ATTRACTION

PROPOSALS = [
    Proposal("锂电池正极材料二期", IND, "工信局", "杏山子园", 65000, RDY, S),
    Proposal("医用影像探测器产业化", IND, "工信局", "医疗器械园", 32000, RDY, A, SIGNED),
    Proposal("矿山智能装备研发中心", IND, "工信局", "矿大园", 18000, APP, C),
    Proposal("高端液压件扩能", IND, "工信局", "杏山子园", 22000, RDY, S),
    Proposal("半导体封装测试基地", IND, "招商局", "杏山子园", 80000, APP, A, SIGNED),
    Proposal("一次性医用耗材产业园", IND, "招商局", "医疗器械园", 26000, FEA, C, SIGNED),
    Proposal("光伏组件智能工厂", IND, "工信局", "杏山子园", 45000, RDY, A, SIGNED),
    Proposal("生物医药中试平台", IND, "工信局", "医疗器械园", 15000, FEA, L),
    Proposal("煤矿安全监测系统产业化", IND, "工信局", "矿大园", 12000, RDY, L),
    Proposal("新能源汽车零部件产业园", IND, "招商局", "杏山子园", 56000, APP, C, SIGNED),
    Proposal("特种电缆扩产", IND, "工信局", "杏山子园", 9000, PRO, S),
    Proposal("环保装备再制造基地", IND, "工信局", "矿大园", 14000, FEA, A),
    Proposal("绿色食品加工二期", IND, "工信局", "杏山子园", 8000, PRO, S),
    Proposal("工业互联网平台", IND, "工信局", "矿大园", 6000, CON, C),
    Proposal("功能性纺织新材料", IND, "招商局", "杏山子园", 20000, CON, A, SIGNED),
    Proposal("精密铸件智能化改造", IND, "工信局", "杏山子园", 7000, RDY, S),
    Proposal("医疗器械检测认证中心", SOC, "工信局", "医疗器械园", 5000, APP, C),
    Proposal("大学科技园孵化器三期", IND, "工信局", "矿大园", 12000, PRO, L),
    Proposal("冷链物流园二期", COM, "商务局", "", 24000, RDY, A, SIGNED),
    Proposal("汽车后市场服务中心", COM, "商务局", "", 11000, FEA),
    Proposal("跨境电商产业园", COM, "商务局", "", 16000, PRO, A),
    Proposal("建材家居博览中心", COM, "商务局", "", 19000, CON),
    Proposal("夜间消费街区改造", COM, "商务局", "", 6000, APP),
    Proposal("城市展厅与会展中心", COM, "住建局", "", 30000, CON),
    Proposal("老旧小区改造（三期）", URB, "住建局", "", 14000, RDY),
    Proposal("背街小巷提升工程", URB, "住建局", "", 5000, APP),
    Proposal("滨湖花园二期安置房", URB, "住建局", "", 28000, FEA),
    Proposal("社区邻里中心", SOC, "住建局", "", 7000, PRO),
    Proposal("智慧停车场建设", URB, "住建局", "", 4000, CON),
    Proposal("区人民医院医技楼", SOC, "发改局", "", 21000, FEA),
]
# The ready and nearly ready ones the office lists in next year's draft plan.
LISTED_NEXT_YEAR = 12

APPROVALS_BY_READINESS = {
    Readiness.CONCEPT: [],
    Readiness.PROPOSAL: [],
    Readiness.FEASIBILITY: [ApprovalKind.PROJECT_APPROVAL],
    Readiness.APPROVALS: [
        ApprovalKind.PROJECT_APPROVAL,
        ApprovalKind.LAND_PRE_REVIEW,
        ApprovalKind.ENVIRONMENT,
    ],
    Readiness.READY: [
        ApprovalKind.PROJECT_APPROVAL,
        ApprovalKind.LAND_PRE_REVIEW,
        ApprovalKind.LAND_PLANNING,
        ApprovalKind.ENVIRONMENT,
        ApprovalKind.ENGINEERING_PLANNING,
    ],
}
# The registry's projects by name and their tag: attracted, spun off a local enterprise, part of a cluster, listing.
TAGS = {
    "新能源电池材料": Batch.ATTRACT,
    "医用影像设备": Batch.ATTRACT,
    "光伏组件封装材料": Batch.ATTRACT,
    "医疗器械产业园标准厂房": Batch.CLUSTER,
    "矿山安全监测装备": Batch.CLUSTER,
    "新能源汽车零部件": Batch.CLUSTER,
    "工程机械液压件": Batch.SPINOFF,
    "工程机械配套精密铸件": Batch.SPINOFF,
    "高端电子元器件": Batch.LISTING,
    "煤矿智能化装备": Batch.LISTING,
}


def build_pipeline(year: int, *, units: dict[str, Unit], projects: list[Project]) -> None:
    # read again: the demo's history and baseline changes have moved them since they were made
    projects = list(
        Project.objects.filter(pk__in=[p.pk for p in projects])
        .select_related("region", "park", "owner", "responsible_unit", "headquarters")
        .order_by("code")
    )
    _tag_registry(projects)
    _this_years_plan(year, projects)
    reserves = _next_years_reserve(year + 1, units)
    _next_years_draft(year + 1, reserves)
    _campaigns(year, projects, reserves)


def _tag_registry(projects: list[Project]) -> None:
    tagged = []
    for project in projects:
        if project.category != Category.INDUSTRY:
            continue
        tag = next((batch for word, batch in TAGS.items() if word in project.name), "")
        if tag:
            project.batch = tag
            tagged.append(project)
    Project.objects.bulk_update(tagged, ["batch"])


def _this_years_plan(year: int, projects: list[Project]) -> None:
    """The plan issued in January: each registry project in the reserve, linked to its registry entry, listed with
    the year's plan, dates, headquarters and leaders the registry holds."""
    plan = services.create_plan(year, actor=None)
    links = {}
    for project in projects:
        start = project.planned_start or date(year, 1, 1)
        completion = (
            project.planned_completion
            if project.planned_completion and project.planned_completion >= start
            else None
        )
        reserve = services.propose(
            {
                "name": project.name,
                "category": project.category,
                "nature": project.nature,
                "level": project.level,
                "batch": project.batch,
                "region": project.region,
                "park": project.park,
                "owner": project.owner,
                "responsible_unit": project.responsible_unit,
                "content": project.content,
                "total_investment": project.total_investment,
                "start_year": start.year,
                "planned_start": project.planned_start,
                "planned_completion": completion,
                "readiness": Readiness.READY,
                "approvals_done": APPROVALS_BY_READINESS[Readiness.READY],
            },
            actor=None,
        )
        links[reserve.pk] = project
    ReserveProject.objects.bulk_update(
        [ReserveProject(pk=pk, project=project) for pk, project in links.items()], ["project"]
    )
    services.add_plan_items(
        plan, list(ReserveProject.objects.filter(pk__in=links)), actor=None, expected_version=plan.version
    )
    for item in PlanItem.objects.filter(plan=plan).select_related("plan", "reserve"):
        project = links[item.reserve_id]
        row = project.plan_for(year) or project.plans.filter(year=year).first()
        months = row.months if row else []
        ends = project.planned_completion
        services.edit_plan_item(
            item,
            {
                "planned_investment": sum(months),
                "months": months if sum(months) else [],
                "planned_start": project.planned_start,
                "planned_completion": ends if ends and ends.year >= year else None,
                "level": project.level,
                "responsible_unit": project.responsible_unit,
                "headquarters": project.headquarters,
            },
            actor=None,
            expected_version=ANY_VERSION,
            leaders=[link.person for link in project.leader_links.order_by("-role", "id")],
        )
    services.issue_plan(plan, actor=None, expected_version=ANY_VERSION, on=date(year, 1, 20))


def _next_years_reserve(year: int, units: dict[str, Unit]) -> list[ReserveProject]:
    district = Region.objects.get(code="320311")
    reserves = []
    for n, spec in enumerate(PROPOSALS):
        park = units[spec.park] if spec.park else None
        month = 3 + n % 7
        reserves.append(
            services.propose(
                {
                    "name": spec.name,
                    "category": spec.category,
                    "nature": Nature.NEW,
                    "level": Level.CITY if spec.wan >= 40000 else Level.DISTRICT,
                    "batch": spec.batch,
                    "region": park.region if park else district,
                    "park": park,
                    "investor": "",
                    "responsible_unit": units[spec.unit],
                    "content": f"建设{spec.name}，预计总投资{spec.wan}万元。",
                    "total_investment": spec.wan * YUAN_PER_WAN,
                    "start_year": year,
                    "planned_start": date(year, month, 1) if spec.readiness != Readiness.CONCEPT else None,
                    "planned_completion": date(year + 1 + n % 2, 12, 31)
                    if spec.readiness != Readiness.CONCEPT
                    else None,
                    "readiness": spec.readiness,
                    "approvals_done": APPROVALS_BY_READINESS[spec.readiness],
                },
                actor=None,
                origin=spec.origin,
                origin_ref=f"{year - 1}年招商签约第{n + 1:02d}号" if spec.origin == SIGNED else "",
            )
        )
    withdrawn = reserves[-1]
    services.withdraw_reserve(
        withdrawn, reason="用地规划调整，暂缓实施", actor=None, expected_version=withdrawn.version
    )
    return reserves


def _next_years_draft(year: int, reserves: list[ReserveProject]) -> None:
    plan = services.create_plan(year, actor=None)
    ripest = [r for r in reserves if r.readiness in (Readiness.READY, Readiness.APPROVALS)][:LISTED_NEXT_YEAR]
    services.add_plan_items(plan, ripest, actor=None, expected_version=plan.version)


def _campaigns(year: int, projects: list[Project], reserves: list[ReserveProject]) -> None:
    signed = [r for r in reserves if r.origin == SIGNED]
    services.create_campaign(
        {
            "kind": CampaignKind.SIGNING,
            "name": f"{year}年一季度重点项目集中签约",
            "held_on": date(year, 2, 26),
            "place": "区政府会议中心",
        },
        [{"reserve": r, "amount": r.total_investment} for r in signed],
        actor=None,
    )
    spring = [
        p for p in projects if p.nature == Nature.NEW and p.planned_start and p.planned_start.month in (3, 4)
    ]
    services.create_campaign(
        {
            "kind": CampaignKind.START,
            "name": f"{year}年春季重点项目集中开工",
            "held_on": date(year, 3, 28),
            "place": "杏山子民营工业园",
        },
        [{"project": p, "amount": p.total_investment} for p in spring],
        actor=None,
    )
    producing = [p for p in projects if p.nature == Nature.CONTINUING and p.category == Category.INDUSTRY][:5]
    services.create_campaign(
        {
            "kind": CampaignKind.PRODUCTION,
            "name": f"{year}年重点项目集中投产",
            "held_on": date(year, 9, 26),
            "place": "医疗器械电子高科技园",
        },
        [{"project": p, "amount": p.expected_output or p.total_investment} for p in producing],
        actor=None,
    )
