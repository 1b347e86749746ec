"""The cockpit's figures (驾驶舱): each one counted in SQL over the viewer's filtered projects, from what the other
apps store — plans, the lights with their figures (the investment done and planned to date that lit them), the
board's kept summaries, cases, milestones, reports and assessment results. Nothing loops over projects in Python.

Every figure here is the count of a list a person can open (the project list, the case list, a period's filing
page, a run's ranking) with the same filters; the tests hold each against the database and the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, QuerySet, Sum
from django.utils import timezone

from gongjian.assess.models import Consequence, Run, RunState, Score, SubjectKind
from gongjian.core.panels import View
from gongjian.core.periods import Period
from gongjian.lights import queries as lights
from gongjian.lights.choices import OPEN_STATES, CaseKind, Colour
from gongjian.lights.models import BoardSummary, Case, Light
from gongjian.org.models import Region, Unit
from gongjian.projects.choices import MilestoneKind
from gongjian.projects.filters import narrow
from gongjian.projects.models import AnnualPlan, Milestone, Project
from gongjian.reports.models import Report, ReportingPeriod

# The milestones the cockpit watches (开工/竣工/投产) and how far ahead.
WATCHED_MILESTONES = (MilestoneKind.START, MilestoneKind.COMPLETION, MilestoneKind.PRODUCTION)
MILESTONE_DAYS = 30


def projects_of(user, filters) -> tuple[QuerySet, list[str]]:
    """The user's active projects narrowed by the cockpit's filters, as the project list narrows them."""
    return narrow(filters, Project.objects.in_scope(user).filter(is_archived=False))


def sees_everything(view: View) -> bool:
    """True when the figures may be read without restricting to the view's projects: the viewer sees every
    project and no filter narrows them (archived projects have no lights, a recompute removes them)."""
    return not view.filtered and view.user.has_perm("projects.view_all_projects")


def of_projects(queryset: QuerySet, view: View, path: str = "project") -> QuerySet:
    """``queryset`` (rows about projects, through ``path``) restricted to the view's projects. For those who see
    everything the few archived projects are left out by their ids, without joining the project table, so that
    the rows' own indexes answer (a full recompute removes an archived project's lights)."""
    if sees_everything(view):
        archived = Project.objects.filter(is_archived=True).values("pk")
        return queryset.filter(**{f"{path}__isnull": False}).exclude(**{f"{path}_id__in": archived})
    return queryset.filter(**{f"{path}__in": view.projects.order_by().values("pk")})


def current_period(view: View) -> Period:
    """The ten-day period the cockpit shows as "now": today's in the current year, the last of a past year, the
    first of a future one."""
    if view.year == view.today.year:
        return Period.dekad_of(view.today)
    return Period(view.year, 12, 3) if view.year < view.today.year else Period(view.year, 1, 1)


def year_dekads(view: View) -> list[Period]:
    """The ten-day periods of the year up to the current one."""
    return list(Period.range(Period(view.year, 1, 1), current_period(view)))


def _kept(view: View, name: str, make):
    """Figures kept in the process per board version (which moves with every light, judgement, project and
    organisation change), viewer's scope, filters, year and day: the wall screen and many leaders opening the
    cockpit read them once."""
    key = (
        "cockpit",
        name,
        lights.board_version(),
        lights.scope_key(view.user),
        tuple(sorted(view.filters.items())),
        view.year,
        view.today,
    )
    return lights.kept(key, make)


def project_count(view: View) -> int:
    return _kept(view, "count", lambda: view.projects.count())


@dataclass(frozen=True)
class Investment:
    """The year's investment by month: the annual plan, and per month to its end (the month's last ten-day
    period, or the current one) the plan and the investment done to date, as the lights measured them."""

    plan_year: int  # the year's planned investment (yuan)
    months: list[int]
    codes: list[str]
    plan_to_date: list[int]
    done_to_date: list[int]

    @property
    def done(self) -> int:
        return self.done_to_date[-1] if self.done_to_date else 0

    @property
    def planned_now(self) -> int:
        return self.plan_to_date[-1] if self.plan_to_date else 0

    def rate(self, amount: int) -> float | None:
        return round(amount * 100 / self.plan_year, 1) if self.plan_year else None


def investment(view: View) -> Investment:
    """Summed in SQL from the lights' investment columns (Light.plan_to_date, done_to_date), which the index
    (period, project, plan, done) answers alone: for every project, or for the view's projects."""

    def make() -> Investment:
        now = current_period(view)
        ends = [Period(view.year, m, 3) for m in range(1, now.month)] + [now]
        plan = of_projects(AnnualPlan.objects.filter(year=view.year), view).aggregate(t=Sum("total"))["t"]
        rows = {
            code: (plan_sum or 0, done_sum or 0)
            for code, plan_sum, done_sum in of_projects(
                Light.objects.filter(period_code__in=[p.code for p in ends]), view
            )
            .values("period_code")
            .annotate(plan=Sum("plan_to_date"), done=Sum("done_to_date"))
            .values_list("period_code", "plan", "done")
            .order_by()
        }
        return Investment(
            plan or 0,
            [p.month for p in ends],
            [p.code for p in ends],
            [rows.get(p.code, (0, 0))[0] for p in ends],
            [rows.get(p.code, (0, 0))[1] for p in ends],
        )

    return _kept(view, "investment", make)


def light_counts(view: View) -> dict[str, dict[int, int]]:
    """Lights by colour for every ten-day period of the year so far ({code: {colour: n}}): for those who see every
    project, unfiltered or filtered by one category, park or region, the board's kept summaries (their totals, or
    their groups of that grouping); otherwise counted from the lights' indexes."""
    codes = [p.code for p in year_dekads(view)]

    def make() -> dict[str, dict[int, int]]:
        if sees_everything(view):
            figures = lights.summaries(view.user, codes, codes[-1])
            return {code: dict(figures[code].totals) for code in codes}
        if (kept := _from_board(view, codes)) is not None:
            return kept
        out = {code: dict.fromkeys(Colour.values, 0) for code in codes}
        for code, colour, n in (
            of_projects(Light.objects.filter(period_code__in=codes), view)
            .values_list("period_code", "colour")
            .annotate(n=Count("*"))
        ):
            out[code][colour] = n
        return out

    return _kept(view, "lights", make)


def _from_board(view: View, codes: list[str]) -> dict[str, dict[int, int]] | None:
    """The counts of a view filtered by one category, park or region (with the regions under it), for one who sees
    every project, summed from the board's kept rows of the periods (BoardSummary: each grouping's counts, kept
    when the lights are written, of the registry as it is); None when a row is missing or another filter is set."""
    if len(view.filters) != 1 or not view.user.has_perm("projects.view_all_projects"):
        return None
    ((name, value),) = view.filters.items()
    if name not in ("category", "park", "region"):
        return None
    _lights, registry = lights.board_version()
    rows = dict(
        BoardSummary.objects.filter(period_code__in=codes, registry=registry).values_list(
            "period_code", "figures"
        )
    )
    if len(rows) != len(codes):
        return None
    archived = Project.objects.filter(is_archived=True).values("pk")
    if Light.objects.filter(period_code__in=codes, project_id__in=archived).exists():
        return (
            None  # the board still counts an archived project's lights (until a full recompute removes them)
        )
    if name == "region":
        path = Region.objects.filter(pk=value).values_list("path", flat=True).first()
        keys = (
            set(Region.objects.filter(path__startswith=path).values_list("pk", flat=True)) if path else set()
        )
    else:
        keys = {value if name == "category" else int(value)}
    out = {}
    for code in codes:
        counts = dict.fromkeys(Colour.values, 0)
        for key, *by_colour, _total in rows[code]["groups"][name]:
            if key in keys:
                for colour, n in zip(Colour.values, by_colour, strict=True):
                    counts[colour] += n
        out[code] = counts
    return out


@dataclass(frozen=True)
class RedProject:
    project_id: int
    code: str
    name: str
    unit: str
    opened: dt.datetime | None  # the oldest open case about the project
    age_days: int | None


def red_projects(view: View, most: int = 10) -> tuple[int, list[RedProject]]:
    """The projects red now (how many) and the ``most`` whose open cases are oldest (those without a case
    first: nobody is handling them). Read from both sides' indexes: the red lights of the period without an
    open case, in project order; then the open cases about projects red now, grouped by project (the open
    cases are few; the red lights are not grouped)."""
    code = current_period(view).code
    reds = of_projects(Light.objects.filter(period_code=code, colour=Colour.RED), view)
    total = reds.count()
    open_cases = Case.objects.filter(state__in=OPEN_STATES, project__isnull=False)
    names = ("project_id", "project__code", "project__name", "project__responsible_unit__name")
    rows = [
        (*row, None)
        for row in reds.exclude(Exists(open_cases.filter(project_id=OuterRef("project_id"))))
        .order_by("project_id")
        .values_list(*names)[:most]
    ]
    if len(rows) < most:
        rows += list(
            open_cases.filter(project_id__in=reds.values("project_id"))
            .values(*names)
            .annotate(opened=Min("opened_at"))
            .order_by("opened", "project_id")
            .values_list(*names, "opened")[: most - len(rows)]
        )
    today = view.today
    found = [
        RedProject(
            pid, code_, name, unit, opened, (today - timezone.localdate(opened)).days if opened else None
        )
        for pid, code_, name, unit, opened in rows
    ]
    return total, found


@dataclass(frozen=True)
class Ranking:
    run: Run | None
    period: Period | None
    rows: list[dict]


def ranking(view: View, most: int = 10) -> Ranking:
    """The latest published ranking of headquarters of the year, best first, with each one's flags and cards
    (a headquarters over none of the filtered projects is left out when filters are set)."""
    run = (
        Run.objects.filter(state=RunState.PUBLISHED, period_code__startswith=f"{view.year}-")
        .order_by("-published_at", "-pk")
        .first()
    )
    if run is None:
        return Ranking(None, None, [])
    scores = Score.objects.filter(run=run, subject_kind=SubjectKind.HEADQUARTERS)
    consequences = Consequence.objects.filter(run=run, subject_kind=SubjectKind.HEADQUARTERS)
    if view.filtered:
        ids = view.projects.exclude(headquarters=None).values("headquarters_id")
        scores, consequences = scores.filter(subject_id__in=ids), consequences.filter(subject_id__in=ids)
    marks: dict[int, list[str]] = {}
    for subject_id, label in consequences.values_list("subject_id", "kind"):
        marks.setdefault(subject_id, []).append(label)
    labels = dict(Consequence._meta.get_field("kind").choices)
    rows = [
        {
            "name": name,
            "score": score,
            "rank": rank,
            "group": group,
            "marks": [{"kind": k, "label": str(labels[k])} for k in marks.get(subject_id, [])],
        }
        for subject_id, name, score, rank, group in scores.order_by(
            "group", "rank", "subject_name"
        ).values_list("subject_id", "subject_name", "score", "rank", "group")[:most]
    ]
    return Ranking(run, Period.parse(run.period_code), rows)


@dataclass(frozen=True)
class DueMilestones:
    projects: dict[str, int]  # kind → projects with such a milestone due (the project list's count)
    rows: list[dict]


def milestones_due(view: View, most: int = 10) -> DueMilestones:
    """Milestones 开工/竣工/投产 not reached and planned from today to 30 days ahead: the projects with one, by kind,
    and the first ``most`` of them by date."""
    last = view.today + dt.timedelta(days=MILESTONE_DAYS)
    # The few milestones due, from the partial index (planned date, kind, project where not reached), by their
    # ids; then those of the view's projects (not every milestone of the projects, read by project).
    due_ids = Milestone.objects.filter(
        kind__in=WATCHED_MILESTONES,
        actual_date__isnull=True,
        planned_date__gte=view.today,
        planned_date__lte=last,
    ).values("pk")
    due = of_projects(Milestone.objects.filter(pk__in=due_ids), view)
    counts = dict.fromkeys((k.value for k in WATCHED_MILESTONES), 0)
    for kind, n in due.values_list("kind").annotate(n=Count("project_id", distinct=True)):
        counts[kind] = n
    labels = dict(MilestoneKind.choices)
    rows = [
        {
            "project_id": pid,
            "project": name,
            "kind": labels[kind],
            "label": label or labels[kind],
            "date": planned,
            "days": (planned - view.today).days,
        }
        for pid, name, kind, label, planned in due.order_by("planned_date", "project_id").values_list(
            "project_id", "project__name", "kind", "name", "planned_date"
        )[:most]
    ]
    return DueMilestones(counts, rows)


@dataclass(frozen=True)
class OverdueUnit:
    unit_id: int
    name: str
    counts: dict[str, int]  # case kind → overdue cases

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def overdue_by_unit(view: View, most: int = 10) -> tuple[int, list[OverdueUnit]]:
    """Cases and decisions past their deadline and still with their owner, by owning unit (the most first): the
    case list's "仅逾期" with the unit (and the filters' projects) chosen. Decisions about no project count only
    while no filter is set."""
    cases = lights.filter_cases(
        lights.visible_cases(view.user),
        overdue=True,
        projects=view.projects if view.filtered else None,
    )
    by_unit: dict[int, dict[str, int]] = {}
    for owner, kind, n in (
        cases.order_by().values_list("owner_id", "kind").annotate(n=Count("id", distinct=True))
    ):
        by_unit.setdefault(owner, dict.fromkeys(CaseKind.values, 0))[kind] = n
    names = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "name"))
    units = sorted(
        (OverdueUnit(pk, names.get(pk, ""), counts) for pk, counts in by_unit.items()),
        key=lambda u: (-u.total, u.name),
    )
    return sum(u.total for u in units), units[:most]


@dataclass(frozen=True)
class Filing:
    period: ReportingPeriod | None
    projects: int
    filed: int

    @property
    def rate(self) -> float | None:
        return round(self.filed * 100 / self.projects, 1) if self.projects else None


def filing(view: View) -> Filing:
    """The filing rate of the current reporting period (the latest opened one of the year): the viewer's
    filtered projects with a report submitted at least once (已报送), out of all of them."""
    now = timezone.now()
    period = (
        ReportingPeriod.objects.filter(opens_at__lte=now, code__startswith=f"{view.year}-")
        .order_by("-deadline", "-pk")
        .first()
    )
    total = project_count(view)
    if period is None:
        return Filing(None, total, 0)
    filed = of_projects(Report.objects.filter(period=period, first_submitted_at__isnull=False), view).count()
    return Filing(period, total, filed)
