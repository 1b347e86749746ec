"""Reading lights and cases: the traffic-light board (红绿灯看板) — counts by a grouping, the trend over periods,
and the lit projects, the same figures for the page, the API and the Excel export, always within the viewer's
scope — and the cases (督办件) a user sees, with the case list's filters."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.core import bulk
from gongjian.core.periods import Period
from gongjian.lights.choices import WORKING_STATES, CaseKind, CaseState, Colour
from gongjian.lights.models import BoardSummary, BoardVersion, Case, Judgement, Light
from gongjian.org.models import Person, Region, Unit
from gongjian.org.queries import person_of
from gongjian.org.scope import scope_for
from gongjian.projects.choices import Category, LeaderRole
from gongjian.projects.models import Project, ProjectLeader

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
    trend_codes = [p.code for p in _recent(period, 12)]
    figures = summaries(user, trend_codes, period.code)
    shown = figures[period.code]
    totals = dict(shown.totals)
    groups = _named(group, shown.groups[group])

    trend = []
    for code in trend_codes:
        row = figures[code].totals
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
    listed, filters = _listed(user, period, group, colour, value)
    return Board(period, group, totals, groups, trend, shown.disagreements, listed, filters)


def _listed(user, period: Period, group: str, colour: str | None, value: str | None) -> tuple[QuerySet, dict]:
    """The board's list of lights with the page's filters: an index query, never counted ahead."""
    listed = scoped_lights(user, period.code)
    filters = {"group": group}
    if colour not in (None, "") and str(colour).isdigit():
        listed = listed.filter(colour=int(colour))
        filters["colour"] = str(colour)
    if value is not None:
        listed = listed.filter(_group_filter(group, value))
        if group == "leader":  # through the project's leader links, which could name a project twice
            listed = listed.distinct()
        filters["value"] = value
    # Worst first, then in the order projects were registered: both from the (period, colour, project) index.
    listed = listed.select_related("project", "project__responsible_unit").order_by("-colour", "project_id")
    return listed, filters


@dataclass(frozen=True)
class Figures:
    """A period's board figures as one scope sees them: lights by colour, the counts of each grouping by the
    group's key ((key, green, yellow, red, total)), and the judgements that differ from the computed light."""

    totals: dict[int, int]
    groups: dict[str, list[tuple]]
    disagreements: int
    grouped: bool = True  # False: the totals alone (a trend's period)

    def as_json(self) -> dict:
        return {
            "totals": [[c, n] for c, n in self.totals.items()],
            "groups": {g: [list(row) for row in rows] for g, rows in self.groups.items()},
            "disagreements": self.disagreements,
        }

    @classmethod
    def from_json(cls, data: dict) -> Figures:
        return cls(
            {c: n for c, n in data["totals"]},
            {g: [tuple(row) for row in rows] for g, rows in data["groups"].items()},
            data["disagreements"],
        )


def scope_key(user) -> str:
    """The same for every user who sees the same projects: ``all`` for those who see every one."""
    scope = scope_for(user)
    if scope.sees_all:
        return "all"
    parts = [str(scope.person_id), ",".join(map(str, sorted(scope.unit_ids))), *scope.region_paths]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def board_version() -> tuple[int, int]:
    """(lights, registry): read before the figures, so that figures read after a change never go under the
    version before it."""
    row = BoardVersion.objects.filter(pk=1).values_list("lights", "registry").first()
    return row if row is not None else (0, 0)


_KEPT: OrderedDict[tuple, object] = OrderedDict()
_KEPT_MOST = 1000  # figures of a period are small; an API answer of 100 lights is about 60 KB
_KEPT_LARGEST = 256 * 1024  # a longer answer (a page of 1,000 lights) is made each time, not kept
_kept_lock = threading.Lock()


def kept(key: tuple, make: Callable[[], Any]) -> Any:
    """What ``make`` gives, kept in this process under ``key`` (which holds the board version it was read at):
    the figures and API answers of a version are made once per process, the oldest forgotten past _KEPT_MOST."""
    with _kept_lock:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
    value = make()
    if isinstance(value, bytes) and len(value) > _KEPT_LARGEST:
        return value
    with _kept_lock:
        _KEPT[key] = value
        while len(_KEPT) > _KEPT_MOST:
            _KEPT.popitem(last=False)
    return value


def forget() -> None:
    """Forget what this process kept (tests, whose rolled-back versions repeat)."""
    with _kept_lock:
        _KEPT.clear()


def summaries(user, codes: list[str], shown: str) -> dict[str, Figures]:
    """The figures of ``codes`` as ``user`` sees them, with the groupings of the ``shown`` period (the others'
    totals are the trend's): for those who see every project, the rows the writers of lights keep
    (BoardSummary) while the registry has not changed since; otherwise, and for every other scope, counted once
    per board version and kept in this process."""
    version = board_version()
    key = scope_key(user)
    found: dict[str, Figures] = {}
    wanted = []
    for code in codes:
        hit = _KEPT.get(("figures", version, key, code))
        if hit is None and code != shown:
            hit = _KEPT.get(("totals", version, key, code))
        if hit is not None:
            found[code] = hit  # type: ignore[assignment]
        else:
            wanted.append(code)
    if wanted and key == "all":
        for code, data in BoardSummary.objects.filter(
            period_code__in=wanted, registry=version[1]
        ).values_list("period_code", "figures"):
            found[code] = Figures.from_json(data)
    missing = [code for code in wanted if code not in found]
    if missing:
        found |= count(user, missing, grouped=[shown] if shown in missing else [])
    for code in wanted:
        whole = found[code].grouped
        kept(("figures" if whole else "totals", version, key, code), lambda code=code: found[code])
    return found


def count(user, codes: list[str], *, grouped: list[str] | None = None) -> dict[str, Figures]:
    """The figures of ``codes`` counted from the lights the user sees (None: every light), a grouped query each
    for the totals, each grouping and the judgements, over all the periods at once; the groupings only of
    ``grouped`` when given (the others' are left empty)."""
    lights = Light.objects.filter(period_code__in=codes)
    judgements = Judgement.objects.filter(period_code__in=codes)
    if user is not None:
        lights, judgements = _in_scope(lights, user), _in_scope(judgements, user)
    totals: dict[str, dict[int, int]] = {code: {c: 0 for c in Colour.values} for code in codes}
    # COUNT(*), not COUNT(id): the (period, colour, project) index answers it without reading the table.
    for code, colour_value, n in lights.values_list("period_code", "colour").annotate(n=Count("*")):
        totals[code][colour_value] = n
    grouped = codes if grouped is None else grouped
    groups: dict[str, dict[str, list[tuple]]] = {code: {} for code in codes}
    for group, (_label, id_path, _name) in GROUPS.items() if grouped else ():
        of_group = lights.filter(period_code__in=grouped)
        if group == "leader":
            of_group = of_group.filter(project__leader_links__role=LeaderRole.LEAD)
        counts = of_group.values("period_code", id_path).annotate(
            green=Count("id", filter=Q(colour=Colour.GREEN)),
            yellow=Count("id", filter=Q(colour=Colour.YELLOW)),
            red=Count("id", filter=Q(colour=Colour.RED)),
            total=Count("id"),
        )
        for code in grouped:
            groups[code][group] = []
        for row in counts:
            groups[row["period_code"]][group].append(
                (row[id_path], row["green"], row["yellow"], row["red"], row["total"])
            )
    judged = list(judgements.values_list("period_code", "project_id", "colour"))
    computed = {
        (code, pid): colour_value
        for code, pid, colour_value in Light.objects.filter(
            period_code__in=codes, project_id__in={pid for _code, pid, _colour in judged}
        ).values_list("period_code", "project_id", "colour")
    }
    disagreements = dict.fromkeys(codes, 0)
    for code, pid, colour_value in judged:
        disagreements[code] += computed.get((code, pid)) != colour_value
    return {code: Figures(totals[code], groups[code], disagreements[code], code in grouped) for code in codes}


def count_frame(lights: pl.DataFrame, codes: list[str]) -> dict[str, Figures]:
    """:func:`count` for every light (``user`` None) from ``lights`` (project_id, period_code, colour) — every light of
    ``codes``, as a recompute of every project has just computed them — instead of from the table: the groupings
    are the same counts by each project's category, unit, region, park and lead leaders, done in polars."""
    lights = lights.select("project_id", "period_code", "colour").filter(pl.col("period_code").is_in(codes))
    projects = bulk.frame(
        Project.objects.values_list("pk", "category", "responsible_unit_id", "region_id", "park_id"),
        {
            "project_id": pl.Int64,
            "category": pl.String,
            "unit": pl.Int64,
            "region": pl.Int64,
            "park": pl.Int64,
        },
    )
    leads = bulk.frame(
        ProjectLeader.objects.filter(role=LeaderRole.LEAD).values_list("project_id", "person_id"),
        {"project_id": pl.Int64, "leader": pl.Int64},
    )
    lit = lights.join(projects, on="project_id", how="inner")
    colour = pl.col("colour")
    counts = [
        (colour == Colour.GREEN).sum().alias("green"),
        (colour == Colour.YELLOW).sum().alias("yellow"),
        (colour == Colour.RED).sum().alias("red"),
        pl.len().alias("total"),
    ]
    totals: dict[str, dict[int, int]] = {code: dict.fromkeys(Colour.values, 0) for code in codes}
    for code, colour_value, n in lights.group_by("period_code", "colour").len().iter_rows():
        totals[code][colour_value] = n
    groups: dict[str, dict[str, list[tuple]]] = {code: {group: [] for group in GROUPS} for code in codes}
    for group in GROUPS:
        of_group = lit.join(leads, on="project_id", how="inner") if group == "leader" else lit
        for code, key, *figures in of_group.group_by("period_code", group).agg(counts).iter_rows():
            groups[code][group].append((key, *figures))
    judged = list(
        Judgement.objects.filter(period_code__in=codes).values_list("period_code", "project_id", "colour")
    )
    computed = {
        (code, pid): colour_value
        for pid, code, colour_value in lights.filter(
            pl.col("project_id").is_in({pid for _code, pid, _colour in judged})
        ).iter_rows()
    }
    disagreements = dict.fromkeys(codes, 0)
    for code, pid, colour_value in judged:
        disagreements[code] += computed.get((code, pid)) != colour_value
    return {code: Figures(totals[code], groups[code], disagreements[code], True) for code in codes}


def _named(group: str, rows: list[tuple]) -> list[dict]:
    """A grouping's counts with each group's name as it is now, worst first."""
    keys = {key for key, *_counts in rows if key is not None}
    if group == "category":
        names: dict = dict(Category.choices)
    elif group in ("unit", "park"):
        names = dict(Unit.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif group == "region":
        names = dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:
        names = dict(Person.objects.filter(pk__in=keys).values_list("pk", "name"))
    groups = []
    for key, green, yellow, red, total in rows:
        name = names.get(key, key) if group == "category" else names.get(key)
        groups.append(
            {
                "key": "" if key is None else str(key),
                "name": name or _("（未填）"),
                "green": green,
                "yellow": yellow,
                "red": red,
                "total": total,
            }
        )
    groups.sort(key=lambda g: (-g["red"], -g["yellow"], str(g["name"])))
    return groups


def _recent(period: Period, n: int) -> list[Period]:
    periods = [period]
    while len(periods) < n and periods[0].prev().year == period.year:
        periods.insert(0, periods[0].prev())
    return periods


def filter_cases(
    queryset,
    *,
    state: str = "open",
    kind: str | None = None,
    overdue: bool = False,
    owner: str | int | None = None,
    projects: QuerySet | None = None,
):
    """The case list's filters, as the page and the API take them: state ("open" for every case not closed, or
    one state), kind, overdue (past the deadline and still with the owner), the owning unit, and ``projects``
    (the cases about these projects only: the cockpit's region, park, category and level)."""
    if owner not in (None, "") and str(owner).isdigit() and len(str(owner)) < 19:
        queryset = queryset.filter(owner_id=int(owner))
    if projects is not None:
        queryset = queryset.filter(project__in=projects.values("pk"))
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
    person = person_of(user)
    if person and person.unit_id:
        query |= Q(owner__path__startswith=person.unit.path)
        query |= Q(supervisor=person)
    return Case.objects.filter(query).distinct()


def my_cases(user):
    """督办件 waiting for ``user`` (the case list's "我的待办"): red-light and problem cases still with their owner
    (to sign for or being handled) that their own unit owns or that they supervise. A meeting's decisions are
    counted with the decisions (gongjian.meetings), and a case waiting to be closed (待销号) by the office."""
    if not user.has_perm("lights.handle_case"):
        return Case.objects.none()
    person = person_of(user)
    if person is None:
        return Case.objects.none()
    mine = Q(supervisor=person)
    if person.unit_id:
        mine |= Q(owner_id=person.unit_id)
    return Case.objects.filter(mine, state__in=WORKING_STATES).exclude(kind=CaseKind.DECISION)


def my_case_count(user) -> int:
    return my_cases(user).count()


def to_close_count(user) -> int:
    """待销号: the cases the user sees that were resolved and wait for the office to close them."""
    if not user.has_perm("lights.close_case"):
        return 0
    return visible_cases(user).filter(state=CaseState.RESOLVED).count()


def leads(user) -> Person | None:
    """The user's person when they lead (包挂) or command (指挥长) a project, else None."""
    person = person_of(user)
    if person is None:
        return None
    led = Project.objects.filter(Q(commander=person) | Q(leader_links__person=person))
    return person if led.exists() else None


def my_board_url(user) -> str:
    """The board of the projects a supervising leader leads (grouped by leader, their own row), or of their scope
    for a commander or a leader without projects yet."""
    person = person_of(user)
    url = reverse("lights:board")
    if person is not None and person.project_links.filter(role=LeaderRole.LEAD).exists():
        return f"{url}?group=leader&value={person.pk}"
    return url
