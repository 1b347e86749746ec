"""Projects in the JSON API: the list takes the same filters as the list page (ProjectFilterSet) and the same
scope; writes go through the registry services."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from gongjian.core.bounds import Day, Id, Latitude, Longitude, Year, Yuan
from gongjian.core.pagination import Limit, Offset
from gongjian.org.models import Region, Unit
from gongjian.projects import services
from gongjian.projects.models import Project
from gongjian.projects.views import filtered_projects

router = Router(tags=["projects"])
MAX_LIMIT = 500


class ProjectOut(Schema):
    id: int
    code: str
    national_code: str
    name: str
    category: str
    nature: str
    level: str
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


class ProjectPage(Schema):
    count: int
    items: list[ProjectOut]


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
    unit: Id | None = None
    headquarters: Id | None = None
    leader: Id | None = None
    region: Id | None = None
    park: Id | None = None
    year: Year | None = Field(None, description="入库年度，也是计划投资的年度（默认今年）")
    sort: Text | None = None


def _out(project: Project) -> dict:
    return {
        **{f: getattr(project, f) for f in ("id", "code", "national_code", "name", "category", "nature", "level",
                                            "year", "responsible_unit_id", "total_investment", "planned_start",
                                            "planned_completion", "longitude", "latitude", "version")},
        "region_code": project.region.code, "responsible_unit": project.responsible_unit.name,
        "plan_total": getattr(project, "plan_total", None),
        "leaders": [link.person.name for link in project.leader_links.all()],
    }


def _fields(data: dict) -> dict:
    if "region_code" in data:
        data["region"] = get_object_or_404(Region, code=data.pop("region_code"))
    if "responsible_unit_id" in data:
        data["responsible_unit"] = get_object_or_404(Unit, pk=data.pop("responsible_unit_id"))
    return data


@router.get("", response=ProjectPage, summary="List projects (filters as on the list page)")
def list_projects(request, filters: Query[ProjectFilters], limit: Limit = 50, offset: Offset = 0):
    """Query parameters: q, category, nature, level, unit, headquarters, leader, region, park, year, sort."""
    filterset, queryset, _year = filtered_projects(request)
    if filterset.is_bound and not filterset.is_valid():  # the page shows every project; the API says why not
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    queryset = queryset.select_related("region", "responsible_unit").prefetch_related("leader_links__person")
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {"count": queryset.count(), "items": [_out(p) for p in queryset[offset:offset + limit]]}


@router.get("/{int:project_id}", response=ProjectOut)
def get_project(request, project_id: int, year: Year | None = None):
    """``?year=`` chooses the year of ``plan_total`` (filtered_projects reads it); declared for its range."""
    _filterset, queryset, _year = filtered_projects(request)
    return _out(get_object_or_404(queryset.select_related("region", "responsible_unit"), pk=project_id))


@router.post("", response={201: ProjectOut})
def create_project(request, payload: ProjectIn):
    project = services.create_project(_fields(payload.dict()), actor=request.user)
    return Status(201, _out(Project.objects.with_plan(project.year).get(pk=project.pk)))


@router.patch("/{int:project_id}", response=ProjectOut)
def update_project(request, project_id: int, payload: ProjectPatch):
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    project = services.update_project(project, _fields(data), actor=request.user, expected_version=version)
    return _out(Project.objects.with_plan(project.year).get(pk=project.pk))
