"""Lighting every project every period: load the numbers, run the rules engine over them, keep what changed, and
open a case for every project newly red. Also the published rule versions and the leaders' judgement lights."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import accumulate
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core.models import work_calendar
from gongjian.core.periods import Period, PeriodKind
from gongjian.lights import rules
from gongjian.lights.choices import CaseKind, CaseState, Colour
from gongjian.lights.models import Case, Judgement, Light, LightRule, RuleVersion
from gongjian.projects.models import AnnualPlan, Milestone, Project
from gongjian.reports.models import Report, ReportingPeriod

CHUNK = 5_000


# -- rules ---------------------------------------------------------------------------------------------------------

def current_rules() -> RuleVersion:
    """The published rule version in force; the defaults are published as version 1 the first time."""
    latest = RuleVersion.objects.order_by("-number").first()
    if latest is None:
        latest = RuleVersion.objects.create(number=1, rules=rules.RuleSet.default().as_dict(),
                                            note=_("默认规则"))
    return latest


@transaction.atomic
def publish_rules(*, actor, note: str = "") -> RuleVersion:
    """Publish the office's rules (every :class:`LightRule`) as a new version. Lights computed from now on record
    it; the caller recomputes (the admin does, after saving)."""
    if actor is not None and not actor.has_perm("lights.change_lightrule"):
        raise PermissionDenied(_("只有项目办可以修改亮灯规则。"))
    try:
        ruleset = rules.RuleSet(rules=tuple(r.as_rule() for r in LightRule.objects.all()))
    except (TypeError, ValueError) as exc:
        raise ValidationError(str(exc)) from None
    previous = RuleVersion.objects.select_for_update().order_by("-number").first()
    number = previous.number + 1 if previous else 1
    version = RuleVersion.objects.create(number=number, rules=ruleset.as_dict() | {"version": number}, note=note,
                                         created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record("lights.rules.publish", actor=actor, obj=version, before=previous.rules if previous else None,
                 after=version.rules, only_changes=False, note=note)
    return version


# -- the inputs ----------------------------------------------------------------------------------------------------

def light_periods(year: int, today: date, kinds=(PeriodKind.DEKAD,)) -> list[Period]:
    """The periods of ``year`` that have started by ``today`` (every one for a past year)."""
    periods: list[Period] = []
    for kind in kinds:
        first = Period(year, 1, 1) if kind == PeriodKind.DEKAD else Period(year, 1)
        last = Period.of(min(today, date(year, 12, 31)), kind)
        if last.year == year and first <= last:
            periods.extend(Period.range(first, last))
    return periods


@dataclass
class Inputs:
    rows: pl.DataFrame
    milestones: pl.DataFrame
    problems: pl.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def _missing_runs(project_ids: list[int], periods: list[Period], now: datetime) -> dict[tuple[int, str], int]:
    """For each project and light period: how many reporting periods in a row, ending with the latest one whose
    deadline has passed by ``now`` (and that is not after the light's period), have no report filed."""
    runs: dict[tuple[int, str], int] = {}
    by_kind: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        by_kind[period.kind].append(period)
    for kind, wanted in by_kind.items():
        year = wanted[0].year
        due = list(ReportingPeriod.objects.filter(kind=kind, code__startswith=f"{year}-", deadline__lt=now)
                   .order_by("code").values_list("id", "code"))
        due.sort(key=lambda row: Period.parse(row[1]))
        if not due:
            continue
        filed = set(Report.objects.filter(period_id__in=[pk for pk, _code in due], first_submitted_at__isnull=False)
                    .values_list("project_id", "period_id"))
        due_periods = [Period.parse(code) for _pk, code in due]
        for project_id in project_ids:
            run, run_after = 0, []
            for (period_id, _code) in due:
                run = 0 if (project_id, period_id) in filed else run + 1
                run_after.append(run)
            position = 0
            for period in wanted:
                while position < len(due_periods) and due_periods[position] <= period:
                    position += 1
                runs[(project_id, period.code)] = run_after[position - 1] if position else 0
    return runs


def load_inputs(project_ids: list[int] | None, periods: list[Period], *, today: date, now: datetime) -> Inputs:
    """The engine's frames for ``project_ids`` (all active projects when None) × ``periods`` (one year)."""
    import time

    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    year = periods[0].year
    projects = Project.objects.filter(is_archived=False)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    project_rows = list(projects.values_list("pk", "category", "planned_start", "actual_start"))
    ids = [row[0] for row in project_rows]
    plans = dict(AnnualPlan.objects.filter(year=year, project_id__in=ids).values_list("project_id", "dekads")) \
        if project_ids is not None else dict(AnnualPlan.objects.filter(year=year).values_list("project_id", "dekads"))
    reports = list(Report.objects.filter(period__code__startswith=f"{year}-", state__in=["submitted", "approved"],
                                         **({"project_id__in": ids} if project_ids is not None else {}))
                   .values_list("project_id", "period__code", "year_to_date"))
    seconds["query"] = time.perf_counter() - clock

    # Investment done to date: the latest filed year-to-date figure of a period ending by the light's period.
    done_by_project: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for project_id, code, year_to_date in reports:
        done_by_project[project_id].append((Period.parse(code).end, year_to_date))
    for figures in done_by_project.values():
        figures.sort()
    runs = _missing_runs(ids, periods, now)
    ends = [(p, min(p.end, today), _last_dekad(p)) for p in periods]

    columns: dict[str, list[Any]] = {name: [] for name in (
        "project_id", "period_code", "category", "period_kind", "as_of", "plan_to_date", "done_to_date",
        "missed_in_a_row", "planned_start", "actual_start")}
    for project_id, category, planned_start, actual_start in project_rows:
        cumulative = list(accumulate(plans.get(project_id) or [0] * 36))
        filed = done_by_project.get(project_id, [])
        for period, as_of, last_dekad in ends:
            done = 0
            for end, year_to_date in filed:
                if end > period.end:  # the period's own report counts as soon as it is filed
                    break
                done = year_to_date
            columns["project_id"].append(project_id)
            columns["period_code"].append(period.code)
            columns["category"].append(category)
            columns["period_kind"].append(str(period.kind))
            columns["as_of"].append(as_of)
            columns["plan_to_date"].append(cumulative[last_dekad] if len(cumulative) > last_dekad else 0)
            columns["done_to_date"].append(done)
            columns["missed_in_a_row"].append(runs.get((project_id, period.code), 0))
            columns["planned_start"].append(planned_start)
            columns["actual_start"].append(actual_start)
    rows = pl.DataFrame(columns, schema={
        "project_id": pl.Int64, "period_code": pl.String, "category": pl.String, "period_kind": pl.String,
        "as_of": pl.Date, "plan_to_date": pl.Int64, "done_to_date": pl.Int64, "missed_in_a_row": pl.Int64,
        "planned_start": pl.Date, "actual_start": pl.Date})
    seconds["rows"] = time.perf_counter() - clock - seconds["query"]

    milestone_rows = Milestone.objects.all() if project_ids is None else Milestone.objects.filter(project_id__in=ids)
    from gongjian.projects.choices import MilestoneKind

    kinds = dict(MilestoneKind.choices)
    milestones = pl.DataFrame(
        [(pid, name or str(kinds.get(kind, kind)), planned, actual) for pid, kind, name, planned, actual
         in milestone_rows.values_list("project_id", "kind", "name", "planned_date", "actual_date")],
        schema={"project_id": pl.Int64, "label": pl.String, "planned": pl.Date, "actual": pl.Date}, orient="row")
    cases = Case.objects.filter(kind=CaseKind.PROBLEM)
    if project_ids is not None:
        cases = cases.filter(project_id__in=ids)
    problems = pl.DataFrame(
        [(pid, title, deadline, resolved.date() if resolved else None)
         for pid, title, deadline, resolved in cases.values_list("project_id", "title", "deadline", "resolved_at")],
        schema={"project_id": pl.Int64, "description": pl.String, "deadline": pl.Date, "resolved_on": pl.Date},
        orient="row")
    return Inputs(rows, milestones, problems, seconds)


def _last_dekad(period: Period) -> int:
    """Index (0–35) in the year of the period's last ten-day period."""
    if period.dekad is not None:
        return period.index_in_year - 1
    return (period.month or 12) * 3 - 1


# -- recomputing ---------------------------------------------------------------------------------------------------

@dataclass
class Recomputed:
    lights: int = 0
    changed: int = 0
    cases_opened: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def recompute(project_ids: list[int] | None = None, *, year: int | None = None, today: date | None = None,
              kinds=(PeriodKind.DEKAD,), open_cases: bool = True) -> Recomputed:
    """Light ``project_ids`` (every active project when None) for every period of ``year`` so far, keep the lights
    that changed, and open a case for each project red in the latest period without an open one."""
    import time

    now = timezone.now()
    if today is not None:  # lighting as of a past day: deadlines count as they stood at its end
        end_of_day = timezone.make_aware(datetime.combine(today, datetime.max.time()))
        now = min(now, end_of_day)
    today = today or timezone.localdate()
    year = year or today.year
    periods = light_periods(year, today, kinds)
    result = Recomputed()
    if not periods:
        return result
    version = current_rules()
    clock = time.perf_counter()
    inputs = load_inputs(project_ids, periods, today=today, now=now)
    result.seconds |= inputs.seconds
    mark = time.perf_counter()
    frame = rules.evaluate_frame(inputs.rows, inputs.milestones, inputs.problems, version.ruleset(), work_calendar())
    result.seconds["engine"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with transaction.atomic():
        result.lights, result.changed = _store(frame, version.number, now, project_ids, [p.code for p in periods])
        result.seconds["store"] = time.perf_counter() - mark
        if open_cases:
            from gongjian.lights import cases

            latest = periods[-1].code
            reds = frame.filter((pl.col("period_code") == latest) & (pl.col("colour") == Colour.RED))
            result.cases_opened = cases.open_for_reds(reds["project_id"].to_list(), latest)
    result.seconds["total"] = time.perf_counter() - clock
    return result


def _store(frame: pl.DataFrame, version: int, now: datetime, project_ids, codes: list[str]) -> tuple[int, int]:
    """Write the lights that differ from the stored ones. Returns (lights computed, lights written)."""
    dims = [d.value for d in rules.DIMENSIONS]
    frame = frame.with_columns(
        pl.struct(dims).struct.json_encode().alias("_dims"),
        pl.col("reasons").list.join("\u0001").alias("_reasons"),
        pl.col("figures").struct.json_encode().alias("_figures"),
    ).with_columns(
        pl.concat_str(pl.col("colour").cast(pl.String), "_dims", "_reasons", "_figures", pl.lit(str(version)),
                      separator="\u0002").hash(seed=1).cast(pl.String).str.slice(0, 16).alias("_digest"),
    )
    stored = Light.objects.filter(period_code__in=codes)
    if project_ids is not None:
        stored = stored.filter(project_id__in=project_ids)
    existing = {(pid, code): (pk, digest) for pk, pid, code, digest
                in stored.values_list("pk", "project_id", "period_code", "digest")}
    stale: list[int] = []
    fresh: list[Light] = []
    for project_id, code, colour, dims_json, reasons_text, figures_json, digest in frame.select(
            "project_id", "period_code", "colour", "_dims", "_reasons", "_figures", "_digest").iter_rows():
        old = existing.get((project_id, code))
        if old is not None:
            if old[1] == digest:
                continue
            stale.append(old[0])
        fresh.append(Light(project_id=project_id, period_code=code, colour=colour,
                           dimensions={k: v for k, v in json.loads(dims_json).items() if v is not None},
                           reasons=reasons_text.split("\u0001") if reasons_text else [],
                           figures=_plain_figures(json.loads(figures_json)), rule_version=version,
                           computed_at=now, digest=digest))
    for start in range(0, len(stale), CHUNK):
        Light.objects.filter(pk__in=stale[start:start + CHUNK]).delete()
    Light.objects.bulk_create(fresh, batch_size=CHUNK)
    return frame.height, len(fresh)


def _plain_figures(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if v is not None}


def recompute_project(project_id: int) -> Recomputed:
    return recompute([project_id])


# -- judgement ----------------------------------------------------------------------------------------------------

@transaction.atomic
def record_judgement(project: Project, period_code: str, colour: int, reason: str, *, actor) -> Judgement:
    """A leader's judgement light beside the computed one; both are shown, with the reason."""
    if actor is not None and not (actor.has_perm("lights.add_judgement")
                                  and Project.objects.in_scope(actor).filter(pk=project.pk).exists()):
        raise PermissionDenied(_("只有包挂领导、主要领导或项目办可以研判该项目。"))
    if not reason.strip():
        raise ValidationError({"reason": _("研判须写明理由。")})
    if colour not in Colour.values:
        raise ValidationError({"colour": _("灯色无效。")})
    Period.parse(period_code)
    row = Judgement.objects.filter(project=project, period_code=period_code).first()
    before = audit.snapshot(row, ["colour", "reason"]) if row else None
    row = row or Judgement(project=project, period_code=period_code)
    row.colour, row.reason = colour, reason.strip()
    row.judged_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    audit.record("lights.judgement", actor=actor, obj=row, before=before,
                 after=audit.snapshot(row, ["colour", "reason"]), only_changes=before is not None)
    return row


def open_case_count() -> int:
    return Case.objects.exclude(state=CaseState.CLOSED).count()
