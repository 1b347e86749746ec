"""Reading the registry: a project's baseline (基准) as data, and which baseline each period is measured against.

A baseline is the yardstick a project is judged by: its annual plans by ten-day period, total investment,
responsible unit, headquarters, leaders and milestone plan dates. The registry's own fields hold the latest one
(number ``Project.baseline``, in force from ``Project.baseline_from``); the ones it replaced are
:class:`BaselineVersion` rows. A period is measured against the baseline in force on its last day, so a month
containing the ten-day period a change takes effect from is measured by the new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from django.db import connection
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from gongjian.core.money import format_wan
from gongjian.core.periods import Period
from gongjian.core.rows import Reader
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import AnnualPlan, BaselineVersion, Milestone, Project, ProjectLeader

_PROJECT, _REGION, _UNIT = Reader(Project), Reader(Region), Reader(Unit)


def region_and_unit(region_code: str, unit_id: int) -> tuple[Region, Unit] | None:
    """The region of ``region_code`` and the unit ``unit_id`` in one read, or None when either is not there: what
    a project created through the API names. Plain SQL, like the answer below (issue 14: the ORM took longer to
    build these than the database to answer)."""
    regions, units = (connection.ops.quote_name(model._meta.db_table) for model in (Region, Unit))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_REGION.columns('r')}, {_UNIT.columns('u')} FROM {regions} r CROSS JOIN {units} u "
            "WHERE r.code = %s AND u.id = %s",
            [region_code, unit_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return _REGION.make(row[: _REGION.width]), _UNIT.make(row[_REGION.width :])


def project_as_stored(project_id: int, plan_year: int) -> Project:
    """A project as the database keeps it (amounts and coordinates in its precision), with its region, its
    responsible unit and ``plan_total``, the annual plan of ``plan_year`` (as ``Project.objects.with_plan``), in
    one read."""
    projects, regions, units, plans = (
        connection.ops.quote_name(model._meta.db_table) for model in (Project, Region, Unit, AnnualPlan)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_PROJECT.columns('p')}, {_REGION.columns('r')}, {_UNIT.columns('u')}, "
            f"(SELECT a.total FROM {plans} a WHERE a.project_id = p.id AND a.year = %s) "
            f"FROM {projects} p INNER JOIN {regions} r ON r.id = p.region_id "
            f"INNER JOIN {units} u ON u.id = p.responsible_unit_id WHERE p.id = %s",
            [plan_year, project_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Project.DoesNotExist(project_id)
    project = _PROJECT.make(row[: _PROJECT.width])
    project.region = _REGION.make(row[_PROJECT.width : _PROJECT.width + _REGION.width])
    project.responsible_unit = _UNIT.make(row[_PROJECT.width + _REGION.width : -1])
    project.plan_total = row[-1]
    return project


# What a baseline holds, in the order a person reads a change.
BASELINE_KEYS = ("total_investment", "responsible_unit", "headquarters", "leaders", "plans", "milestones")


def baseline_of(project: Project) -> dict[str, Any]:
    """The project's current baseline as plain data: money in yuan, the unit, headquarters and people by id,
    plans by year (36 ten-day amounts) and milestone plan dates by milestone id."""
    return {
        "total_investment": project.total_investment,
        "responsible_unit": project.responsible_unit_id,
        "headquarters": project.headquarters_id,
        "leaders": sorted(
            [person, role]
            for person, role in ProjectLeader.objects.filter(project=project).values_list("person_id", "role")
        ),
        "plans": {
            str(year): list(dekads)
            for year, dekads in AnnualPlan.objects.filter(project=project)
            .order_by("year")
            .values_list("year", "dekads")
        },
        "milestones": {
            str(pk): planned.isoformat()
            for pk, planned in Milestone.objects.filter(project=project).values_list("pk", "planned_date")
        },
    }


@dataclass(frozen=True)
class Yardstick:
    """The baseline one period of one project is measured against: its number, and the superseded version's
    content (None when it is the registry's current one)."""

    number: int
    content: dict[str, Any] | None = None

    def plan(self, year: int) -> list[int] | None:
        """The ten-day plan of ``year`` in this (superseded) baseline; None when it had none."""
        assert self.content is not None
        dekads = self.content.get("plans", {}).get(str(year))
        return list(dekads) if dekads else None

    def milestone_dates(self) -> dict[int, date]:
        assert self.content is not None
        return {int(pk): date.fromisoformat(day) for pk, day in self.content.get("milestones", {}).items()}


def superseded(
    project_ids: Iterable[int] | None, first: date, last: date
) -> dict[int, list[BaselineVersion]]:
    """The superseded baselines that were in force some day between ``first`` and ``last``, by project (most
    projects have none, and then nothing is read for them)."""
    rows = BaselineVersion.objects.filter(ends_on__gt=first).exclude(starts_on__gt=last).order_by("number")
    if project_ids is not None:
        rows = rows.filter(project_id__in=list(project_ids))
    out: dict[int, list[BaselineVersion]] = {}
    for row in rows:
        out.setdefault(row.project_id, []).append(row)
    return out


def version_for(versions: list[BaselineVersion], period: Period) -> BaselineVersion | None:
    """The superseded version a period is measured against, if any (else the registry's current baseline)."""
    end = period.end
    return next(
        (v for v in versions if (v.starts_on is None or end >= v.starts_on) and end < v.ends_on), None
    )


def yardsticks(
    projects: dict[int, int], periods: list[Period], *, every: bool = False
) -> dict[tuple[int, str], Yardstick]:
    """For ``projects`` ({id: current baseline number}) × ``periods``, the baselines other than the current one
    that apply, keyed by (project id, period code). Pairs measured by the current baseline are left out.
    ``every``: ``projects`` are all the active projects, so the lookup needs no list of ids."""
    if not projects or not periods:
        return {}
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    found: dict[tuple[int, str], Yardstick] = {}
    for project_id, versions in superseded(None if every else projects, first, last).items():
        if project_id not in projects:  # archived
            continue
        for period in periods:
            version = version_for(versions, period)
            if version is not None:
                found[(project_id, period.code)] = Yardstick(version.number, version.content)
    return found


def describe_baseline(number: int, effective_from: str) -> str:
    """``基准第2版（自2026年11月中旬起执行）``, or ``基准第1版（入库基准）``."""
    if not effective_from:
        return _("基准第%(n)d版（入库基准）") % {"n": number}
    return _("基准第%(n)d版（自%(period)s起执行）") % {"n": number, "period": Period.parse(effective_from)}


def describe_changes(changes: Iterable[Any]) -> None:
    """Give each change (a :class:`BaselineChange`) ``lines``: what it moves, one line per item, from → to, in the
    office's words. The units, people and milestones named by all of them are read once."""
    changes = list(changes)
    units, people, nodes = set(), set(), set()
    for change in changes:
        for data in (change.proposed, change.before):
            units.update(data.get(k) for k in ("responsible_unit", "headquarters") if data.get(k))
            people.update(p for p, _role in data.get("leaders") or [])
        nodes.update(int(k) for k in change.proposed.get("milestones") or {})
    names = _Names(
        dict(Unit.objects.filter(pk__in=units).values_list("pk", "name")),
        dict(Person.objects.filter(pk__in=people).values_list("pk", "name")),
        {str(m.pk): m.label for m in Milestone.objects.filter(pk__in=nodes)},
    )
    for change in changes:
        change.lines = _lines(change.proposed, change.before, names)


@dataclass(frozen=True)
class _Names:
    units: dict[int, str]
    people: dict[int, str]
    milestones: dict[str, str]


def _lines(proposed: dict[str, Any], before: dict[str, Any], names: _Names) -> list[str]:
    lines: list[str] = []
    roles = dict(LeaderRole.choices)
    if "total_investment" in proposed:
        lines.append(
            _("总投资：%(old)s 万元 → %(new)s 万元")
            % {
                "old": format_wan(before.get("total_investment") or 0),
                "new": format_wan(proposed["total_investment"]),
            }
        )
    for key, label in (("responsible_unit", _("责任单位")), ("headquarters", _("指挥部"))):
        if key in proposed:
            lines.append(
                _("%(label)s：%(old)s → %(new)s")
                % {
                    "label": label,
                    "old": names.units.get(before.get(key), "—"),
                    "new": names.units.get(proposed[key], "—"),
                }
            )
    if "leaders" in proposed:

        def listed(links):
            return "、".join(f"{names.people.get(p, '—')}（{roles.get(r, r)}）" for p, r in links) or "—"

        lines.append(
            _("包挂领导：%(old)s → %(new)s")
            % {"old": listed(before.get("leaders", [])), "new": listed(proposed["leaders"])}
        )
    for year, dekads in sorted(proposed.get("plans", {}).items()):
        old = before.get("plans", {}).get(year) or [0] * 36
        months = [m + 1 for m in range(12) if sum(old[m * 3 : m * 3 + 3]) != sum(dekads[m * 3 : m * 3 + 3])]
        lines.append(
            _("%(year)s年计划投资：%(old)s 万元 → %(new)s 万元（变动月份：%(months)s）")
            % {
                "year": year,
                "old": format_wan(sum(old)),
                "new": format_wan(sum(dekads)),
                "months": "、".join(f"{m}月" for m in months) or _("旬间调整"),
            }
        )
    for pk, day in sorted((proposed.get("milestones") or {}).items(), key=lambda kv: kv[1]):
        lines.append(
            _("节点「%(name)s」计划完成：%(old)s → %(new)s")
            % {
                "name": names.milestones.get(pk, _("已删除的节点")),
                "old": before.get("milestones", {}).get(pk, "—"),
                "new": day,
            }
        )
    return lines


def baseline_label(project: Project, number: int) -> str:
    """How a page names baseline ``number`` of ``project``: with the period it took effect from."""
    if number == project.baseline:
        return describe_baseline(number, project.baseline_from)
    version = BaselineVersion.objects.filter(project=project, number=number).first()
    return describe_baseline(number, version.valid_from if version else "")


def last_dekad(period: Period) -> int:
    """Index (0–35) in the year of the period's last ten-day period."""
    return period.index_in_year - 1 if period.dekad is not None else (period.month or 12) * 3 - 1


def in_force_then(
    rows: pl.DataFrame, older: dict[tuple[int, str], Yardstick], periods: list[Period], year: int
) -> pl.DataFrame:
    """``rows`` (project_id, period_code, baseline, plan_to_date, measured by each project's current baseline)
    with the periods in ``older`` (``yardsticks``) taking the number and the plan to date of the baseline then
    in force."""
    if not older:
        return rows
    last = {p.code: last_dekad(p) for p in periods}
    then = pl.DataFrame(
        [
            (pid, code, stick.number, sum((stick.plan(year) or [0] * 36)[: last[code] + 1]))
            for (pid, code), stick in older.items()
            if code in last
        ],
        schema={"project_id": pl.Int64, "period_code": pl.String, "_baseline": pl.Int64, "_plan": pl.Int64},
        orient="row",
    )
    return (
        rows.join(then, on=["project_id", "period_code"], how="left")
        .with_columns(
            baseline=pl.coalesce("_baseline", "baseline"),
            plan_to_date=pl.when(pl.col("_baseline").is_not_null()).then("_plan").otherwise("plan_to_date"),
        )
        .drop("_baseline", "_plan")
    )


# What the floors above know of a project, read through its relations: the registry may not import the reports
# and lights apps, but their rows hang off the project (``project.reports``, ``project.lights``) and are read
# here, each in one query, for the list and the project page.


def _related(name: str):
    return Project._meta.get_field(name).related_model


def light_labels() -> dict[int, str]:
    """The light colours in words (绿灯, 黄灯, 红灯), as the lights app labels them."""
    return {value: str(label) for value, label in _related("lights")._meta.get_field("colour").choices}


APPROVED = "approved"  # reports.choices.ReportState.APPROVED: figures the reviewer has checked


def list_figures(project_ids: Iterable[int], year: int) -> dict[int, tuple[int | None, int | None]]:
    """Each project's latest light colour and this year's investment completed (the highest year-to-date figure
    of its approved reports), in one query: {project id: (colour, yuan)}."""
    lights, reports = _related("lights"), _related("reports")
    colour = lights.objects.filter(project=OuterRef("pk")).order_by("-period_code").values("colour")[:1]
    done = (
        reports.objects.filter(project=OuterRef("pk"), state=APPROVED, period__code__startswith=f"{year}-")
        .order_by()
        .values("project")
        .annotate(most=Max("year_to_date"))
        .values("most")
    )
    rows = (
        Project.objects.filter(pk__in=list(project_ids))
        .annotate(colour=Subquery(colour), done=Subquery(done))
        .values_list("pk", "colour", "done")
    )
    return {pk: (colour, done) for pk, colour, done in rows}


@dataclass
class MonthDone:
    month: int
    plan: int
    done: int | None  # completed in the month, from the approved reports' year-to-date figures
    to_date: int | None  # completed this year by the month's end
    rate: float | None  # to_date over the year's plan, in %


def months_done(project: Project, year: int, plan_months: list[int] | None) -> list[MonthDone]:
    """This year's plan against what was completed, month by month (approved reports; one query)."""
    by_month: dict[int, tuple[Period, int]] = {}
    for code, to_date in (
        _related("reports")
        .objects.filter(project=project, state=APPROVED, period__code__startswith=f"{year}-")
        .values_list("period__code", "year_to_date")
    ):
        period = Period.parse(code)
        month = period.month or 12
        if month not in by_month or by_month[month][0] < period:
            by_month[month] = (period, to_date)
    total = sum(plan_months or [])
    rows, before = [], 0
    last = max(by_month, default=0)
    for month in range(1, 13):
        plan = (plan_months or [0] * 12)[month - 1]
        if month in by_month:
            to_date = by_month[month][1]
            done, before = to_date - before, to_date
        elif month < last:  # nothing reported that month: nothing more done
            to_date, done = before, 0
        else:
            to_date = done = None
        rate = round(to_date * 100 / total, 1) if to_date is not None and total else None
        rows.append(MonthDone(month, plan, done, to_date, rate))
    return rows


def latest_reports(project: Project, count: int = 6) -> list:
    """The project's latest reports, newest first, with their period."""
    return list(
        _related("reports")
        .objects.filter(project=project)
        .select_related("period")
        .order_by("-period__opens_at")[:count]
    )


def site_photos(project: Project, count: int = 8) -> list:
    """The latest site photos of the project's reports, newest first."""
    photos = _related("reports")._meta.get_field("photos").related_model
    return list(
        photos.objects.filter(report__project=project)
        .select_related("report__period")
        .order_by("-pk")[:count]
    )


def light_history(project: Project, year: int) -> list[tuple[Period, Any]]:
    """The project's lights of the year by period, latest first, with their reasons."""
    rows = list(_related("lights").objects.filter(project=project, period_code__startswith=f"{year}-"))
    rows.sort(key=lambda light: Period.parse(light.period_code), reverse=True)
    return [(Period.parse(light.period_code), light) for light in rows]
