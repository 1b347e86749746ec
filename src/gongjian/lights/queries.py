"""Reading lights and cases: the traffic-light board (红绿灯看板) — counts by a grouping, the trend over periods,
and the lit projects, the same figures for the page, the API and the Excel export, always within the viewer's
scope — and the cases (督办件) a user sees, with the case list's filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.core.periods import Period
from gongjian.lights.choices import WORKING_STATES, CaseKind, CaseState, Colour
from gongjian.lights.models import Case, Judgement, Light
from gongjian.projects.choices import Category, LeaderRole
from gongjian.projects.models import Project

# group key → (label, the Light field path of its id, of its name)
GROUPS = {
    "category": (_("项目类别"), "project__category", None),
    "unit": (_("责任单位"), "project__responsible_unit_id", "project__responsible_unit__name"),
    "leader": (_("包挂领导"), "project__leader_links__person_id", "project__leader_links__person__name"),
    "region": (_("所在区划"), "project__region_id", "project__region__name"),
    "park": (_("所属园区"), "project__park_id", "project__park__name"),
}
PAGE = 50


def current_period() -> Period:
    return Period.dekad_of(timezone.localdate())


def parse_period(code: str | None) -> Period:
    if code:
        try:
            period = Period.parse(code)
            if period.dekad is not None or period.month is not None:
                return period
        except ValueError:
            pass
    return current_period()


@dataclass
class Board:
    period: Period
    group: str
    totals: dict[int, int]
    groups: list[dict]
    trend: list[dict]
    disagreements: int
    lights: QuerySet
    filters: dict[str, str] = field(default_factory=dict)


def _in_scope(queryset: QuerySet, user) -> QuerySet:
    """Rows of the user's projects; those who see every project get no join at all. Archived projects have no
    lights (a recompute removes them), so the project office's counts read the light table's index alone."""
    if user.has_perm("projects.view_all_projects"):
        return queryset
    return queryset.filter(project__in=Project.objects.in_scope(user).values("pk"))


def scoped_lights(user, period_code: str) -> QuerySet:
    """The lights of a period the user may see."""
    return _in_scope(Light.objects.filter(period_code=period_code), user)


def _group_filter(group: str, value: str) -> Q:
    _label, id_path, _name = GROUPS[group]
    if value == "":
        return Q(**{f"{id_path}__isnull": True})
    if group == "leader":
        return Q(project__leader_links__person_id=value, project__leader_links__role=LeaderRole.LEAD)
    return Q(**{id_path: value})


def build(
    user,
    *,
    period_code: str | None = None,
    group: str = "category",
    colour: str | None = None,
    value: str | None = None,
) -> Board:
    period = parse_period(period_code)
    group = group if group in GROUPS else "category"
    lights = scoped_lights(user, period.code)
    totals = {c: 0 for c in Colour.values} | dict(
        lights.values_list("colour").annotate(n=Count("*")).values_list("colour", "n")
    )

    _label, id_path, name_path = GROUPS[group]
    grouped = lights
    if group == "leader":
        grouped = grouped.filter(project__leader_links__role=LeaderRole.LEAD)
    fields = [id_path] + ([name_path] if name_path else [])
    counts = grouped.values(*fields).annotate(
        green=Count("id", filter=Q(colour=Colour.GREEN)),
        yellow=Count("id", filter=Q(colour=Colour.YELLOW)),
        red=Count("id", filter=Q(colour=Colour.RED)),
        total=Count("id"),
    )
    categories = dict(Category.choices)
    groups = []
    for row in counts:
        key = row[id_path]
        name = categories.get(key, key) if group == "category" else row.get(name_path)
        groups.append(
            {
                "key": "" if key is None else str(key),
                "name": name or _("（未填）"),
                "green": row["green"],
                "yellow": row["yellow"],
                "red": row["red"],
                "total": row["total"],
            }
        )
    groups.sort(key=lambda g: (-g["red"], -g["yellow"], str(g["name"])))

    trend_codes = [p.code for p in _recent(period, 12)]
    trend_lights = _in_scope(Light.objects.filter(period_code__in=trend_codes), user)
    by_period: dict[str, dict[int, int]] = {code: {c: 0 for c in Colour.values} for code in trend_codes}
    # COUNT(*), not COUNT(id): the (period, colour, project) index answers it without reading the table.
    for code, colour_value, n in trend_lights.values_list("period_code", "colour").annotate(n=Count("*")):
        by_period[code][colour_value] = n
    trend = []
    for code in trend_codes:
        row = by_period[code]
        total = sum(row.values()) or 1
        trend.append(
            {
                "period": Period.parse(code),
                "code": code,
                "green": row[0],
                "yellow": row[1],
                "red": row[2],
                "green_pct": row[0] * 100 / total,
                "yellow_pct": row[1] * 100 / total,
                "red_pct": row[2] * 100 / total,
            }
        )

    judged = dict(
        _in_scope(Judgement.objects.filter(period_code=period.code), user).values_list("project_id", "colour")
    )
    computed = dict(lights.filter(project_id__in=list(judged)).values_list("project_id", "colour"))
    disagreements = sum(computed.get(pid) != colour for pid, colour in judged.items())

    listed = lights
    filters = {"group": group}
    if colour not in (None, "") and str(colour).isdigit():
        listed = listed.filter(colour=int(colour))
        filters["colour"] = str(colour)
    if value is not None:
        listed = listed.filter(_group_filter(group, value)).distinct()
        filters["value"] = value
    # Worst first, then in the order projects were registered: both from the (period, colour, project) index.
    listed = listed.select_related("project", "project__responsible_unit").order_by("-colour", "project_id")
    return Board(period, group, totals, groups, trend, disagreements, listed, filters)


def _recent(period: Period, n: int) -> list[Period]:
    periods = [period]
    while len(periods) < n and periods[0].prev().year == period.year:
        periods.insert(0, periods[0].prev())
    return periods


def filter_cases(queryset, *, state: str = "open", kind: str | None = None, overdue: bool = False):
    """The case list's filters, as the page and the API take them: state ("open" for every case not closed, or
    one state), kind, and overdue (past the deadline and still with the owner)."""
    if state == "open":
        queryset = queryset.exclude(state=CaseState.CLOSED)
    elif state in CaseState.values:
        queryset = queryset.filter(state=state)
    if kind in CaseKind.values:
        queryset = queryset.filter(kind=kind)
    if overdue:
        queryset = queryset.filter(deadline__lt=timezone.localdate(), state__in=WORKING_STATES)
    return queryset.order_by("deadline", "id")


def visible_cases(user):
    """The cases a user sees: of projects in their scope, and those their unit owns or that reached them."""
    if user.has_perm("projects.view_all_projects"):
        return Case.objects.all()
    projects = Project.objects.in_scope(user).values("pk")
    query = Q(project__in=projects)
    person = getattr(user, "person", None)
    if person and person.unit_id:
        query |= Q(owner__path__startswith=person.unit.path)
        query |= Q(supervisor=person)
    return Case.objects.filter(query).distinct()
