"""The pipeline in the JSON API, under /api/v1/pipeline/: the reserve (项目储备库), the year's plans with their items
and issue (202: the registry entries are made in the background), and the campaigns — through the pipeline's
services, which check permissions, scope and versions and audit."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongjian.core.bounds import Day, Id, Year, Yuan
from gongjian.core.downloads import attachment
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.jobs.api import TaskStarted, accepted
from gongjian.org.models import Person, Region, Unit
from gongjian.pipeline import exports, queries, services
from gongjian.pipeline.filters import ReserveFilterSet
from gongjian.pipeline.models import AnnualPlan, Campaign, CampaignItem, PlanItem, ReserveProject
from gongjian.projects.models import Project

router = Router(tags=["pipeline"])

Text = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=5000)]


class ReserveOut(Schema):
    id: int
    name: str
    category: str
    nature: str
    level: str
    region_code: str
    park_id: int | None
    owner_id: int | None
    investor: str
    responsible_unit_id: int
    responsible_unit: str
    content: str
    total_investment: int  # yuan
    start_year: int
    planned_start: date | None
    planned_completion: date | None
    readiness: str  # concept, proposal, feasibility, approvals, ready
    approvals_done: list[str]
    origin: str  # planned, attraction, other
    origin_ref: str
    batch: str  # 四个一批: attract, spinoff, cluster, listing, or ""
    state: str  # reserve, planned, registered, withdrawn
    withdraw_reason: str
    project_id: int | None
    project_code: str
    version: int


class ReserveIn(Schema):
    name: Text
    category: Text
    region_code: Text
    responsible_unit_id: Id
    total_investment: Yuan
    start_year: Year
    nature: Text = "new"
    level: Text = "district"
    park_id: Id | None = None
    owner_id: Id | None = None
    investor: Text = ""
    content: LongText = ""
    planned_start: Day | None = None
    planned_completion: Day | None = None
    readiness: Text = "concept"
    approvals_done: list[Text] = []
    origin: Text = "planned"
    origin_ref: Text = ""
    batch: Text = ""


class ReservePatch(Schema):
    version: int  # the reserve project's, as the caller read it (409 stale when it has changed since)
    name: Text | None = None
    category: Text | None = None
    nature: Text | None = None
    level: Text | None = None
    region_code: Text | None = None
    park_id: Id | None = None
    owner_id: Id | None = None
    investor: Text | None = None
    responsible_unit_id: Id | None = None
    content: LongText | None = None
    total_investment: Yuan | None = None
    start_year: Year | None = None
    planned_start: Day | None = None
    planned_completion: Day | None = None
    readiness: Text | None = None
    approvals_done: list[Text] | None = None
    batch: Text | None = None


class ReserveWithdrawIn(Schema):
    version: int
    reason: Annotated[str, Field(max_length=500)]


class ReserveFilters(Schema):
    q: Text | None = None
    readiness: Text | None = None
    category: Text | None = None
    unit: Id | None = None
    batch: Text | None = None
    start_year: Year | None = None
    state: Text | None = None
    origin: Text | None = None


def _reserve_out(r: ReserveProject) -> dict:
    return {
        **{
            f: getattr(r, f)
            for f in (
                "id",
                "name",
                "category",
                "nature",
                "level",
                "park_id",
                "owner_id",
                "investor",
                "responsible_unit_id",
                "content",
                "total_investment",
                "start_year",
                "planned_start",
                "planned_completion",
                "readiness",
                "approvals_done",
                "origin",
                "origin_ref",
                "batch",
                "state",
                "withdraw_reason",
                "project_id",
                "version",
            )
        },
        "region_code": r.region.code,
        "responsible_unit": r.responsible_unit.name,
        "project_code": r.project.code if r.project_id else "",
    }


def _viewer(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("没有查看项目储备和年度计划的权限。"))


def _unit(pk: int | None) -> Unit | None:
    return get_object_or_404(Unit, pk=pk) if pk else None


def _reserve_fields(data: dict) -> dict:
    """The API's ids and codes as the service's rows (404 for one that does not exist)."""
    if "region_code" in data:
        data["region"] = get_object_or_404(Region, code=data.pop("region_code"))
    for key in ("park", "owner", "responsible_unit"):
        if f"{key}_id" in data:
            data[key] = _unit(data.pop(f"{key}_id"))
    return data


@router.get("/reserve", response=page_of(ReserveOut), summary="The reserve projects the user sees, filtered")
@paginate(Pages)
def list_reserve(request, filters: Query[ReserveFilters]):
    _viewer(request, "pipeline.view_reserveproject")
    data = {k: v for k, v in filters.dict().items() if v is not None}
    filterset = ReserveFilterSet(data, queryset=queries.reserves(request.user).order_by("id"))
    if not filterset.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in filterset.errors.items()})
    return Rows(filterset.qs, _reserve_out)


@router.get("/reserve/{int:reserve_id}", response=ReserveOut)
def get_reserve(request, reserve_id: int):
    _viewer(request, "pipeline.view_reserveproject")
    return _reserve_out(get_object_or_404(queries.reserves(request.user), pk=reserve_id))


@router.post(
    "/reserve", response={201: ReserveOut}, summary="Propose a reserve project (a unit's own, in its scope)"
)
def create_reserve(request, payload: ReserveIn):
    data = _reserve_fields(payload.dict())
    origin, origin_ref = data.pop("origin"), data.pop("origin_ref")
    reserve = services.propose(data, actor=request.user, origin=origin, origin_ref=origin_ref)
    return Status(201, _reserve_out(queries.reserves(request.user).get(pk=reserve.pk)))


@router.patch("/reserve/{int:reserve_id}", response={200: ReserveOut, 409: StaleOut})
def edit_reserve(request, reserve_id: int, payload: ReservePatch):
    reserve = get_object_or_404(queries.reserves(request.user), pk=reserve_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.update_reserve(reserve, _reserve_fields(data), actor=request.user, expected_version=version)
    return _reserve_out(queries.reserves(request.user).get(pk=reserve.pk))


@router.post("/reserve/{int:reserve_id}/withdraw", response={200: ReserveOut, 409: StaleOut})
def withdraw_reserve(request, reserve_id: int, payload: ReserveWithdrawIn):
    reserve = get_object_or_404(queries.reserves(request.user), pk=reserve_id)
    services.withdraw_reserve(
        reserve, reason=payload.reason, actor=request.user, expected_version=payload.version
    )
    return _reserve_out(queries.reserves(request.user).get(pk=reserve.pk))


# Plans


class PlanItemOut(Schema):
    id: int
    reserve_id: int
    name: str
    category: str
    sequence: int
    total_investment: int  # the reserve's, yuan
    planned_investment: int  # the year's, yuan
    months: list[int]  # as given (empty: spread over the construction months when issued)
    planned_start: date | None
    planned_completion: date | None
    level: str
    responsible_unit_id: int
    headquarters_id: int | None
    leader_ids: list[int]  # the first is the lead leader
    project_id: int | None  # the registry project, once issued
    project_code: str


class PlanCategoryTotal(Schema):
    category: str
    label: str
    count: int
    total: int
    annual: int


class PlanOut(Schema):
    id: int
    year: int
    title: str
    state: str  # draft, issued
    number: str
    issued_at: datetime | None
    project_count: int
    total: int  # yuan
    annual: int  # yuan
    categories: list[PlanCategoryTotal]
    items: list[PlanItemOut]
    version: int


class PlanSummary(Schema):
    id: int
    year: int
    title: str
    state: str
    number: str
    version: int


class PlanIn(Schema):
    year: Year
    title: Text = ""


class PlanItemsIn(Schema):
    version: int  # the plan's
    reserve_ids: list[Id] = Field(..., min_length=1, max_length=500)


class PlanItemPatch(Schema):
    version: int  # the plan's
    planned_investment: Yuan | None = None
    months: list[Yuan] | None = Field(None, min_length=0, max_length=12)
    planned_start: Day | None = None
    planned_completion: Day | None = None
    level: Text | None = None
    responsible_unit_id: Id | None = None
    headquarters_id: Id | None = None
    leader_ids: list[Id] | None = Field(None, max_length=20)


class PlanVersionIn(Schema):
    version: int


def _item_out(item: PlanItem, leader_ids: list[int]) -> dict:
    reserve = item.reserve
    return {
        "id": item.pk,
        "reserve_id": reserve.pk,
        "name": reserve.name,
        "category": reserve.category,
        "sequence": item.sequence,
        "total_investment": reserve.total_investment,
        "planned_investment": item.planned_investment,
        "months": list(item.months or []),
        "planned_start": item.planned_start,
        "planned_completion": item.planned_completion,
        "level": item.level,
        "responsible_unit_id": item.responsible_unit_id,
        "headquarters_id": item.headquarters_id,
        "leader_ids": leader_ids,
        "project_id": reserve.project_id,
        "project_code": reserve.project.code if reserve.project_id else "",
    }


def _plan_out(plan: AnnualPlan) -> dict:
    items = list(queries.plan_items(plan))
    totals = queries.plan_totals(items)
    leaders: dict[int, list[int]] = {}
    links = PlanItem.leaders.through.objects.filter(planitem__plan=plan).order_by("id")
    for item_id, person_id in links.values_list("planitem_id", "person_id"):
        leaders.setdefault(item_id, []).append(person_id)
    return {
        "id": plan.pk,
        "year": plan.year,
        "title": plan.title,
        "state": plan.state,
        "number": plan.number,
        "issued_at": plan.issued_at,
        "project_count": totals["count"],
        "total": totals["total"],
        "annual": totals["annual"],
        "categories": totals["categories"],
        "items": [_item_out(i, leaders.get(i.pk, [])) for i in items],
        "version": plan.version,
    }


@router.get(
    "/plans", response=page_of(PlanSummary), summary="The yearly key-project plans, latest year first"
)
@paginate(Pages)
def list_plans(request):
    _viewer(request, "pipeline.view_annualplan")
    return Rows(AnnualPlan.objects.order_by("-year"))


@router.post("/plans", response={201: PlanOut}, summary="Start the draft plan of a year")
def create_plan(request, payload: PlanIn):
    plan = services.create_plan(payload.year, actor=request.user, title=payload.title)
    return Status(201, _plan_out(plan))


@router.get("/plans/{int:plan_id}", response=PlanOut, summary="A plan with its items and totals by category")
def get_plan(request, plan_id: int):
    _viewer(request, "pipeline.view_annualplan")
    return _plan_out(get_object_or_404(AnnualPlan, pk=plan_id))


@router.post(
    "/plans/{int:plan_id}/items",
    response={200: PlanOut, 409: StaleOut},
    summary="List reserve projects in the draft plan (version: the plan's)",
)
def add_plan_items(request, plan_id: int, payload: PlanItemsIn):
    plan = get_object_or_404(AnnualPlan, pk=plan_id)
    found = list(ReserveProject.objects.filter(pk__in=payload.reserve_ids))
    if len(found) != len(set(payload.reserve_ids)):
        raise Http404
    services.add_plan_items(plan, found, actor=request.user, expected_version=payload.version)
    return _plan_out(AnnualPlan.objects.get(pk=plan.pk))


@router.patch(
    "/plans/{int:plan_id}/items/{int:item_id}",
    response={200: PlanOut, 409: StaleOut},
    summary="Edit an item's baseline-to-be (version: the plan's)",
)
def edit_plan_item(request, plan_id: int, item_id: int, payload: PlanItemPatch):
    item = get_object_or_404(PlanItem.objects.select_related("plan"), pk=item_id, plan_id=plan_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    leaders = None
    if "leader_ids" in data:
        ids = data.pop("leader_ids") or []
        people = Person.objects.in_bulk(ids)
        if len(people) != len(set(ids)):
            raise Http404
        leaders = [people[i] for i in ids]
    for key in ("responsible_unit", "headquarters"):
        if f"{key}_id" in data:
            data[key] = _unit(data.pop(f"{key}_id"))
    if data.get("months") is None and "months" in data:
        data["months"] = []
    services.edit_plan_item(item, data, actor=request.user, expected_version=version, leaders=leaders)
    return _plan_out(AnnualPlan.objects.get(pk=plan_id))


@router.post(
    "/plans/{int:plan_id}/items/{int:item_id}/remove",
    response={200: PlanOut, 409: StaleOut},
    summary="Take an item off the draft plan; its reserve project goes back to the reserve",
)
def remove_plan_item(request, plan_id: int, item_id: int, payload: PlanVersionIn):
    item = get_object_or_404(PlanItem.objects.select_related("plan"), pk=item_id, plan_id=plan_id)
    services.remove_plan_item(item, actor=request.user, expected_version=payload.version)
    return _plan_out(AnnualPlan.objects.get(pk=plan_id))


@router.post(
    "/plans/{int:plan_id}/issue",
    response={202: TaskStarted, 409: StaleOut},
    summary="Issue the plan as read (version): in the background its projects enter the registry, it is "
    "numbered and its .docx kept — all or nothing; follow the task",
)
def issue_plan(request, plan_id: int, payload: PlanVersionIn):
    plan = get_object_or_404(AnnualPlan, pk=plan_id)
    return accepted(services.start_issue(plan, actor=request.user, expected_version=payload.version))


@router.get("/plans/{int:plan_id}/docx", summary="The plan's .docx (as issued, or a draft's preview)")
def plan_docx(request, plan_id: int):
    _viewer(request, "pipeline.view_annualplan")
    plan = get_object_or_404(AnnualPlan, pk=plan_id)
    return attachment(exports.docx(plan), f"{plan.title}.docx")


# Campaigns


class CampaignItemIO(Schema):
    project_id: Id | None = None  # a registry project …
    reserve_id: Id | None = None  # … or a reserve project
    amount: Yuan
    note: Text = ""


class CampaignItemOut(CampaignItemIO):
    id: int
    name: str


class CampaignOut(Schema):
    id: int
    kind: str  # signing, start, production
    name: str
    held_on: date
    place: str
    note: str
    project_count: int
    total: int  # yuan
    items: list[CampaignItemOut]
    version: int


class CampaignIn(Schema):
    kind: Text
    name: Text
    held_on: Day
    place: Text = ""
    note: Annotated[str, Field(max_length=2000)] = ""
    items: list[CampaignItemIO] = Field([], max_length=500)


class CampaignPatch(Schema):
    version: int
    kind: Text | None = None
    name: Text | None = None
    held_on: Day | None = None
    place: Text | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    items: list[CampaignItemIO] | None = Field(None, max_length=500)


# A campaign's items with their project or reserve project: one query, whichever kind the page's items are.
ITEMS = [Prefetch("items", queryset=CampaignItem.objects.select_related("project", "reserve"))]


def _with_items():
    return Campaign.objects.prefetch_related(*ITEMS)


def _campaign_out(c: Campaign) -> dict:
    items = list(c.items.all())
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "held_on": c.held_on,
        "place": c.place,
        "note": c.note,
        "project_count": len(items),
        "total": sum(i.amount for i in items),
        "items": [
            {
                "id": i.pk,
                "name": i.name,
                "project_id": i.project_id,
                "reserve_id": i.reserve_id,
                "amount": i.amount,
                "note": i.note,
            }
            for i in items
        ],
        "version": c.version,
    }


def _campaign_rows(items: list[dict]) -> list[dict]:
    """The items' ids as rows (404 for one that does not exist)."""
    projects = Project.objects.in_bulk([i["project_id"] for i in items if i.get("project_id")])
    reserves = ReserveProject.objects.in_bulk([i["reserve_id"] for i in items if i.get("reserve_id")])
    rows = []
    for i in items:
        if (i.get("project_id") and i["project_id"] not in projects) or (
            i.get("reserve_id") and i["reserve_id"] not in reserves
        ):
            raise Http404
        rows.append(
            {
                "project": projects.get(i.get("project_id")),
                "reserve": reserves.get(i.get("reserve_id")),
                "amount": i["amount"],
                "note": i.get("note", ""),
            }
        )
    return rows


@router.get("/campaigns", response=page_of(CampaignOut), summary="Campaign batches, latest first")
@paginate(Pages)
def list_campaigns(request, kind: Text | None = None, year: Year | None = None):
    _viewer(request, "pipeline.view_campaign")
    campaigns = Campaign.objects.order_by("-held_on", "-id")
    if kind:
        campaigns = campaigns.filter(kind=kind)
    if year:
        campaigns = campaigns.filter(held_on__year=year)
    return Rows(campaigns.prefetch_related(*ITEMS), _campaign_out)


@router.get("/campaigns/{int:campaign_id}", response=CampaignOut)
def get_campaign(request, campaign_id: int):
    _viewer(request, "pipeline.view_campaign")
    return _campaign_out(get_object_or_404(_with_items(), pk=campaign_id))


@router.post(
    "/campaigns", response={201: CampaignOut}, summary="Record a campaign with its projects and amounts"
)
def create_campaign(request, payload: CampaignIn):
    data = payload.dict()
    items = _campaign_rows(data.pop("items"))
    campaign = services.create_campaign(data, items, actor=request.user)
    return Status(201, _campaign_out(_with_items().get(pk=campaign.pk)))


@router.patch("/campaigns/{int:campaign_id}", response={200: CampaignOut, 409: StaleOut})
def edit_campaign(request, campaign_id: int, payload: CampaignPatch):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    items = data.pop("items", None)
    services.update_campaign(
        campaign,
        data,
        actor=request.user,
        expected_version=version,
        items=None if items is None else _campaign_rows(items),
    )
    return _campaign_out(_with_items().get(pk=campaign.pk))
