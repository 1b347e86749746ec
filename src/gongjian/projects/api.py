"""Projects in the JSON API: the list takes the same filters as the list page (ProjectFilterSet) and the same
scope; writes go through the registry services."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from gongjian.core.bounds import Day, Id, Latitude, Longitude, Year, Yuan
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.org.models import Region, Unit
from gongjian.projects import services
from gongjian.projects.models import BaselineChange, Project
from gongjian.projects.queries import describe_baseline, describe_changes, project_as_stored, region_and_unit
from gongjian.projects.views import filtered_projects

router = Router(tags=["projects"])


class ProjectOut(Schema):
    id: int
    code: str
    national_code: str
    name: str
    category: str
    nature: str
    level: str
    batch: str = ""  # 四个一批: attract, spinoff, cluster, listing, or ""
    year: int
    region_code: str
    responsible_unit_id: int
    responsible_unit: str
    total_investment: int  # yuan
    plan_total: int | None = None  # this year's (or ?year=) annual plan, yuan
    planned_start: date | None
    planned_completion: date | None
    longitude: Decimal | None = None  # CGCS2000 / WGS-84 degrees
    latitude: Decimal | None = None
    leaders: list[str]
    version: int


class ProjectIn(Schema):
    name: str
    category: str
    nature: str
    level: str
    year: Year
    region_code: str
    responsible_unit_id: Id
    total_investment: Yuan
    code: str = ""
    national_code: str = ""
    location: str = ""
    longitude: Longitude | None = None
    latitude: Latitude | None = None
    content: str = ""
    planned_start: Day | None = None
    planned_completion: Day | None = None


class ProjectPatch(Schema):
    version: int
    name: str | None = None
    category: str | None = None
    nature: str | None = None
    level: str | None = None
    batch: str | None = None
    location: str | None = None
    longitude: Longitude | None = None
    latitude: Latitude | None = None
    content: str | None = None
    total_investment: Yuan | None = None
    planned_start: Day | None = None
    planned_completion: Day | None = None
    actual_start: Day | None = None
    actual_completion: Day | None = None


Text = Annotated[str, Field(max_length=100)]


class ProjectFilters(Schema):
    """The list page's filters (ProjectFilterSet reads them from the query string); here for their types and
    ranges, so that the document states them and a value out of range answers 422."""

    q: Text | None = None
    category: Text | None = None
    nature: Text | None = None
    level: Text | None = None
    batch: Text | None = None
    unit: Id | None = None
    headquarters: Id | None = None
    leader: Id | None = None
    region: Id | None = None
    park: Id | None = None
    year: Year | None = Field(None, description="入库年度，也是计划投资的年度（默认今年）")
    sort: Text | None = None


def _out(project: Project, *, leaders: list[str] | None = None) -> dict:
    return {
        **{
            f: getattr(project, f)
            for f in (
                "id",
                "code",
                "national_code",
                "name",
                "category",
                "nature",
                "level",
                "batch",
                "year",
                "responsible_unit_id",
                "total_investment",
                "planned_start",
                "planned_completion",
                "longitude",
                "latitude",
                "version",
            )
        },
        "region_code": project.region.code,
        "responsible_unit": project.responsible_unit.name,
        "plan_total": getattr(project, "plan_total", None),
        "leaders": leaders
        if leaders is not None
        else [link.person.name for link in project.leader_links.all()],
    }


def _fields(data: dict) -> dict:
    if "region_code" in data and "responsible_unit_id" in data:  # both, as a new project has them: one read
        found = region_and_unit(data.pop("region_code"), data.pop("responsible_unit_id"))
        if found is None:
            raise Http404
        data["region"], data["responsible_unit"] = found
    if "region_code" in data:
        data["region"] = get_object_or_404(Region, code=data.pop("region_code"))
    if "responsible_unit_id" in data:
        data["responsible_unit"] = get_object_or_404(Unit, pk=data.pop("responsible_unit_id"))
    return data


@router.get("", response=page_of(ProjectOut), summary="List projects (filters as on the list page)")
@paginate(Pages, default=50, most=500)
def list_projects(request, filters: Query[ProjectFilters]):
    """Query parameters: q, category, nature, level, unit, headquarters, leader, region, park, year, sort."""
    filterset, queryset, _year = filtered_projects(request)
    if filterset.is_bound and not filterset.is_valid():  # the page shows every project; the API says why not
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return Rows(
        queryset.select_related("region", "responsible_unit").prefetch_related("leader_links__person"), _out
    )


@router.get("/{int:project_id}", response=ProjectOut)
def get_project(request, project_id: int, year: Year | None = None):
    """``?year=`` chooses the year of ``plan_total`` (filtered_projects reads it); declared for its range."""
    _filterset, queryset, _year = filtered_projects(request)
    return _out(get_object_or_404(queryset.select_related("region", "responsible_unit"), pk=project_id))


@router.post("", response={201: ProjectOut})
def create_project(request, payload: ProjectIn):
    project = services.create_project(_fields(payload.dict()), actor=request.user)
    # Read back as stored (amounts and coordinates as the database keeps them); a project made here has no
    # leaders yet.
    return Status(201, _out(project_as_stored(project.pk, project.year), leaders=[]))


@router.patch("/{int:project_id}", response=ProjectOut)
def update_project(request, project_id: int, payload: ProjectPatch):
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    project = services.update_project(project, _fields(data), actor=request.user, expected_version=version)
    return _out(Project.objects.with_plan(project.year).get(pk=project.pk))


# Baselines (基准)


class BaselineProposal(Schema):
    """What the baseline should become (only what changes needs to be given): money in yuan, units and people
    by id, plans as 36 ten-day amounts by year, milestone plan dates by milestone id."""

    total_investment: Yuan | None = None
    responsible_unit: Id | None = None
    headquarters: Id | None = None
    leaders: list[tuple[Id, Literal["lead", "deputy"]]] | None = Field(None, max_length=50)
    plans: dict[str, list[Yuan]] | None = Field(None, max_length=5)
    milestones: dict[str, Day] | None = Field(None, max_length=200)


class BaselineChangeIn(Schema):
    effective_from: str = Field(..., max_length=20, description="ten-day period code, e.g. 2026-11-2")
    reason: str = Field(..., min_length=1, max_length=1000)
    proposed: BaselineProposal


class BaselineChangeOut(Schema):
    id: int
    project_id: int
    state: str
    state_label: str
    effective_from: str
    effective_label: str
    reason: str
    proposed: dict
    before: dict
    changes: list[str]
    proposed_by: str | None
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    number: int | None
    version: int


class BaselineOut(Schema):
    project_id: int
    number: int
    effective_from: str
    label: str
    changes: list[BaselineChangeOut]


class BaselineDecisionIn(Schema):
    version: int
    note: str = Field("", max_length=500)


def describe_listed(changes) -> list[BaselineChange]:
    rows = list(changes)
    describe_changes(rows)
    return rows


def _change_out(change: BaselineChange) -> dict:
    if not hasattr(change, "lines"):
        describe_changes([change])
    return {
        "id": change.pk,
        "project_id": change.project_id,
        "state": change.state,
        "state_label": str(change.get_state_display()),
        "effective_from": change.effective_from,
        "effective_label": str(change.effective_period),
        "reason": change.reason,
        "proposed": change.proposed,
        "before": change.before,
        "changes": change.lines,
        "proposed_by": change.proposed_by.display_name if change.proposed_by else None,
        "proposed_at": change.proposed_at,
        "decided_by": change.decided_by.display_name if change.decided_by else None,
        "decided_at": change.decided_at,
        "decision_note": change.decision_note,
        "number": change.number,
        "version": change.version,
    }


@router.get(
    "/{int:project_id}/baseline", response=BaselineOut, summary="The project's baseline and its changes"
)
def get_baseline(request, project_id: int):
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_id)
    changes = project.baseline_changes.select_related("proposed_by", "decided_by").order_by(
        "-proposed_at", "-pk"
    )
    return {
        "project_id": project.pk,
        "number": project.baseline,
        "effective_from": project.baseline_from,
        "label": describe_baseline(project.baseline, project.baseline_from),
        "changes": [_change_out(c) for c in describe_listed(changes)],
    }


@router.post(
    "/{int:project_id}/baseline-changes",
    response={201: BaselineChangeOut},
    summary="Propose a change of the baseline (a unit; the office approves)",
)
def propose_baseline_change(request, project_id: int, payload: BaselineChangeIn):
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_id)
    proposed = payload.proposed.dict(exclude_unset=True)
    if "milestones" in proposed and proposed["milestones"] is not None:
        proposed["milestones"] = {k: v.isoformat() for k, v in proposed["milestones"].items()}
    if proposed.get("leaders") is not None:
        proposed["leaders"] = [list(link) for link in proposed["leaders"]]
    change = services.propose_baseline_change(
        project,
        {k: v for k, v in proposed.items() if v is not None or k == "headquarters"},
        reason=payload.reason,
        effective_from=payload.effective_from,
        actor=request.user,
    )
    return Status(201, _change_out(change))


def _visible_change(request, change_id: int) -> BaselineChange:
    return get_object_or_404(
        BaselineChange.objects.filter(project__in=Project.objects.in_scope(request.user)).select_related(
            "project", "proposed_by", "decided_by"
        ),
        pk=change_id,
    )


@router.post(
    "/baseline-changes/{int:change_id}/approve",
    response=BaselineChangeOut,
    summary="Approve a baseline change (office): the new baseline takes effect from its period",
)
def approve_baseline_change(request, change_id: int, payload: BaselineDecisionIn):
    change = services.approve_baseline_change(
        _visible_change(request, change_id),
        actor=request.user,
        expected_version=payload.version,
        note=payload.note,
    )
    return _change_out(change)


@router.post(
    "/baseline-changes/{int:change_id}/refuse",
    response=BaselineChangeOut,
    summary="Refuse a baseline change (office), with the reason",
)
def refuse_baseline_change(request, change_id: int, payload: BaselineDecisionIn):
    change = services.refuse_baseline_change(
        _visible_change(request, change_id),
        actor=request.user,
        expected_version=payload.version,
        note=payload.note,
    )
    return _change_out(change)


@router.post(
    "/baseline-changes/{int:change_id}/withdraw",
    response=BaselineChangeOut,
    summary="Withdraw a baseline change that is still open",
)
def withdraw_baseline_change(request, change_id: int, payload: BaselineDecisionIn):
    change = services.withdraw_baseline_change(
        _visible_change(request, change_id), actor=request.user, expected_version=payload.version
    )
    return _change_out(change)
