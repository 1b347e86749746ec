"""Lighting every project every period: load the numbers, run the rules engine over them, keep what changed, and
open a case for every project newly red. Also the published rule versions and the leaders' judgement lights."""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit, bulk
from gongjian.core.locking import check_version, raced
from gongjian.core.models import work_calendar
from gongjian.core.periods import Period, PeriodKind
from gongjian.lights import queries, rules, storage
from gongjian.lights.choices import CaseKind, Colour
from gongjian.lights.models import (
    DIMENSION_FIELDS,
    BoardSummary,
    BoardVersion,
    Case,
    Judgement,
    Light,
    LightRule,
    RuleVersion,
)
from gongjian.lights.services import cases
from gongjian.projects.choices import MilestoneKind
from gongjian.projects.models import AnnualPlan, Milestone, Project
from gongjian.projects.queries import in_force_then, last_dekad, yardsticks
from gongjian.reports.models import Report, ReportingPeriod

CHUNK = 5_000


# Rules


def current_rules() -> RuleVersion:
    """The published rule version in force; the defaults are published as version 1 the first time."""
    latest = RuleVersion.objects.order_by("-number").first()
    if latest is None:
        latest = RuleVersion.objects.create(
            number=1, rules=rules.RuleSet.default().as_dict(), note=_("默认规则")
        )
    return latest


def install_default_rules() -> None:
    """Give an empty rule table the defaults of the design (as the first migration does), e.g. after a flush."""
    if LightRule.objects.exists():
        return
    for rule in rules.RuleSet.default().rules:
        data = rule.as_dict()
        params = {k: v for k, v in data.items() if k not in {"kind", "categories", "enabled"}}
        LightRule.objects.create(dimension=data["kind"], params=params)


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
    version = RuleVersion.objects.create(
        number=number,
        rules=ruleset.as_dict() | {"version": number},
        note=note,
        created_by=audit.actor_or_none(actor),
    )
    audit.record(
        "lights.rules.publish",
        actor=actor,
        obj=version,
        before=previous.rules if previous else None,
        after=version.rules,
        only_changes=False,
        note=note,
    )
    return version


# The inputs


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


_MISSED_SCHEMA = {"project_id": pl.Int64, "period_code": pl.String, "missed_in_a_row": pl.Int64}


def _missing_runs(
    project_ids: list[int], periods: list[Period], now: datetime, filed_reports: pl.DataFrame
) -> pl.DataFrame:
    """For each project and light period: how many reporting periods in a row, ending with the latest one whose
    deadline has passed by ``now`` (and that is not after the light's period), have no report filed.
    ``filed_reports``: project_id and period_id of the reports of the year ever submitted."""
    frames = []
    by_kind: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        by_kind[period.kind].append(period)
    for kind, wanted in by_kind.items():
        year = wanted[0].year
        due = sorted(
            (
                (Period.parse(code), pk)
                for pk, code in ReportingPeriod.objects.filter(
                    kind=kind, code__startswith=f"{year}-", deadline__lt=now
                ).values_list("id", "code")
            )
        )
        if not due:
            continue
        # grid: every project × every due period, in order; a run of missing reports restarts after each filed one
        due_frame = pl.DataFrame(
            {"due_index": list(range(len(due))), "period_id": [pk for _p, pk in due]},
            schema={"due_index": pl.Int64, "period_id": pl.Int64},
        )
        filed = (
            filed_reports.filter(pl.col("period_id").is_in([pk for _p, pk in due]))
            .select("project_id", "period_id")  # one report a project and period
            .with_columns(filed=pl.lit(True))
        )
        grid = (
            pl.DataFrame({"project_id": project_ids}, schema={"project_id": pl.Int64})
            .join(due_frame, how="cross")
            .join(filed, on=["project_id", "period_id"], how="left")
            .with_columns(pl.col("filed").fill_null(False))
            .sort("project_id", "due_index")
            .with_columns(block=pl.col("filed").cast(pl.Int64).cum_sum().over("project_id"))
            .with_columns(
                missed_in_a_row=(~pl.col("filed")).cast(pl.Int64).cum_sum().over("project_id", "block")
            )
            .select("project_id", "due_index", "missed_in_a_row")
        )
        keys = [p for p, _pk in due]
        # each light period reads the run at the latest due period not after it
        light_frame = pl.DataFrame(
            {
                "period_code": [p.code for p in wanted],
                "due_index": [bisect_right(keys, p) - 1 for p in wanted],
            },
            schema={"period_code": pl.String, "due_index": pl.Int64},
        )
        frames.append(
            pl.DataFrame({"project_id": project_ids}, schema={"project_id": pl.Int64})
            .join(light_frame.filter(pl.col("due_index") >= 0), how="cross")
            .join(grid, on=["project_id", "due_index"], how="left")
            .select("project_id", "period_code", pl.col("missed_in_a_row").fill_null(0))
        )
    return pl.concat(frames) if frames else pl.DataFrame(schema=_MISSED_SCHEMA)


def load_inputs(
    project_ids: list[int] | None, periods: list[Period], *, today: date, now: datetime
) -> Inputs:
    """The engine's frames for ``project_ids`` (all active projects when None) × ``periods`` (one year)."""
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    year = periods[0].year
    projects = Project.objects.filter(is_archived=False)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    # Read by COPY on PostgreSQL (core/bulk.frame): hundreds of thousands of reports, not as Python tuples.
    base = bulk.frame(
        projects.values_list("pk", "category", "planned_start", "actual_start", "baseline"),
        {
            "project_id": pl.Int64,
            "category": pl.String,
            "planned_start": pl.Date,
            "actual_start": pl.Date,
            "baseline": pl.Int64,
        },
    )
    ids = base["project_id"].to_list()
    numbers = dict(zip(ids, base["baseline"].to_list(), strict=True))
    only = {"project_id__in": ids} if project_ids is not None else {}
    plans = bulk.frame(
        AnnualPlan.objects.filter(year=year, **only).values_list("project_id", "dekads"),
        {"project_id": pl.Int64, "dekads": pl.String},  # the JSON list of the 36 ten-day amounts, as text
    )
    # periods measured against a baseline the registry no longer holds (a re-baselined project's earlier ones)
    older = yardsticks(numbers, periods, every=project_ids is None)
    period_codes = dict(ReportingPeriod.objects.filter(code__startswith=f"{year}-").values_list("id", "code"))
    # The year's reports read once: those counted (submitted or approved) and those ever submitted (a returned
    # report was filed on time all the same)
    counted = Q(state__in=["submitted", "approved"])
    submitted = Q(first_submitted_at__isnull=False)
    year_reports = bulk.frame(
        Report.objects.filter(counted | submitted, period_id__in=list(period_codes), **only)
        .annotate(
            counted=ExpressionWrapper(counted, output_field=BooleanField()),
            submitted=ExpressionWrapper(submitted, output_field=BooleanField()),
        )
        .values_list("project_id", "period_id", "year_to_date", "counted", "submitted"),
        {
            "project_id": pl.Int64,
            "period_id": pl.Int64,
            "done_to_date": pl.Int64,
            "counted": pl.Boolean,
            "submitted": pl.Boolean,
        },
    )
    reports = year_reports.filter("counted")
    runs = _missing_runs(ids, periods, now, year_reports.filter("submitted"))
    seconds["query"] = time.perf_counter() - clock

    calendar = pl.DataFrame(
        {
            "period_code": [p.code for p in periods],
            "period_kind": [str(p.kind) for p in periods],
            "as_of": [min(p.end, today) for p in periods],
            "period_end": [p.end for p in periods],
            "last_dekad": [last_dekad(p) for p in periods],
        },
        schema={
            "period_code": pl.String,
            "period_kind": pl.String,
            "as_of": pl.Date,
            "period_end": pl.Date,
            "last_dekad": pl.Int64,
        },
    )
    rows = base.join(calendar, how="cross")
    # The plan to date: the cumulative sum of the year's ten-day amounts through the period's last ten-day period.
    cumulative = (
        plans.select(
            "project_id",
            dekads=pl.col("dekads")
            .str.json_decode(pl.List(pl.Int64))
            .fill_null(pl.lit([], pl.List(pl.Int64))),
        )
        .with_columns(  # a plan without its ten-day amounts plans nothing
            dekads=pl.when(pl.col("dekads").list.len() > 0)
            .then("dekads")
            .otherwise(pl.lit([0] * 36, pl.List(pl.Int64)))
        )
        .with_columns(last_dekad=pl.int_ranges(0, pl.col("dekads").list.len(), dtype=pl.Int64))
        .explode("dekads", "last_dekad")
        .select(
            "project_id",
            "last_dekad",
            plan_to_date=pl.col("dekads").cum_sum().over("project_id"),
        )
    )
    rows = rows.join(cumulative, on=["project_id", "last_dekad"], how="left")
    rows = in_force_then(rows, older, periods, year)
    # Investment done to date: the latest filed year-to-date figure of a period ending by the light's period end
    # (a period's own report counts as soon as it is filed).
    ends = pl.DataFrame(
        {"period_id": list(period_codes), "period_end": [Period.parse(c).end for c in period_codes.values()]},
        schema={"period_id": pl.Int64, "period_end": pl.Date},
    )
    filed = (
        reports.join(ends, on="period_id", how="inner")
        .select("project_id", "period_end", "done_to_date")
        .sort("project_id", "period_end", maintain_order=True)
        .unique(["project_id", "period_end"], keep="last", maintain_order=True)
    )
    rows = rows.sort("project_id", "period_end").join_asof(
        filed, on="period_end", by="project_id", strategy="backward", check_sortedness=False
    )
    rows = (
        rows.join(runs, on=["project_id", "period_code"], how="left")
        .with_columns(
            pl.col("plan_to_date").fill_null(0),
            pl.col("done_to_date").fill_null(0),
            pl.col("missed_in_a_row").fill_null(0),
        )
        .select(
            "project_id",
            "period_code",
            "category",
            "period_kind",
            "as_of",
            "plan_to_date",
            "done_to_date",
            "missed_in_a_row",
            "planned_start",
            "actual_start",
            "baseline",
        )
    )
    seconds["rows"] = time.perf_counter() - clock - seconds["query"]

    kinds = {kind: str(label) for kind, label in MilestoneKind.choices}  # translated once, not once a row
    found = bulk.frame(
        Milestone.objects.filter(**only).values_list(
            "pk", "project_id", "kind", "name", "planned_date", "actual_date"
        ),
        {
            "pk": pl.Int64,
            "project_id": pl.Int64,
            "kind": pl.String,
            "name": pl.String,
            "planned": pl.Date,
            "actual": pl.Date,
        },
    ).with_columns(
        label=pl.when(pl.col("name").is_null() | (pl.col("name") == ""))
        .then(pl.col("kind").replace(kinds))
        .otherwise("name")
    )
    milestones = found.select(
        "project_id",
        "label",
        "planned",
        "actual",
        baseline=pl.col("project_id").replace_strict(numbers, default=0, return_dtype=pl.Int64),
    )
    if older:  # and the milestone plan dates of those baselines: the same nodes, as then planned
        live = {
            pk: (pid, label, actual)
            for pk, pid, label, actual in found.select("pk", "project_id", "label", "actual").iter_rows()
        }
        then = [
            (live[pk][0], live[pk][1], planned, live[pk][2], stick.number)
            for stick in {(pid, stick.number): stick for (pid, _code), stick in older.items()}.values()
            for pk, planned in stick.milestone_dates().items()
            if pk in live
        ]
        milestones = pl.concat([milestones, pl.DataFrame(then, schema=milestones.schema, orient="row")])
    cases = Case.objects.filter(kind=CaseKind.PROBLEM, **only)
    problems = pl.DataFrame(
        [
            (pid, title, deadline, resolved.date() if resolved else None)
            for pid, title, deadline, resolved in cases.values_list(
                "project_id", "title", "deadline", "resolved_at"
            )
        ],
        schema={
            "project_id": pl.Int64,
            "description": pl.String,
            "deadline": pl.Date,
            "resolved_on": pl.Date,
        },
        orient="row",
    )
    return Inputs(rows, milestones, problems, seconds)


# Recomputing


@dataclass
class Recomputed:
    lights: int = 0
    changed: int = 0
    cases_opened: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def recompute(
    project_ids: list[int] | None = None,
    *,
    year: int | None = None,
    today: date | None = None,
    kinds=(PeriodKind.DEKAD,),
    open_cases: bool = True,
    progress=None,
) -> Recomputed:
    """Light ``project_ids`` (every active project when None) for every period of ``year`` so far, keep the lights
    that changed, and open a case for each project red in the latest period without an open one. ``progress``
    (a background job's) hears of each of the three steps: read, judge, store."""

    def step(done: int, text: str) -> None:
        if progress is not None:
            progress(done, 3, text)

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
    step(0, _("读取项目、计划和报表"))
    inputs = load_inputs(project_ids, periods, today=today, now=now)
    step(1, _("按规则判定灯色"))
    result.seconds |= inputs.seconds
    mark = time.perf_counter()
    frame = rules.evaluate_frame(
        inputs.rows, inputs.milestones, inputs.problems, version.ruleset(), work_calendar()
    )
    result.seconds["engine"] = time.perf_counter() - mark
    mark = time.perf_counter()
    step(2, _("保存灯色并开出督办件"))
    with transaction.atomic():
        stored = _store(frame, version.number, now, project_ids, [p.code for p in periods])
        result.lights, result.changed = stored.lights, stored.changed
        refresh_board(
            [p.code for p in periods],
            written_at=now,
            project_ids=project_ids,
            written=stored.written,
            lights=frame if project_ids is None else None,
        )
        result.seconds["store"] = time.perf_counter() - mark
        if open_cases:
            latest = periods[-1].code
            reds = frame.filter((pl.col("period_code") == latest) & (pl.col("colour") == Colour.RED))
            mark = time.perf_counter()
            result.cases_opened = cases.open_for_reds(reds["project_id"].to_list(), latest)
            result.seconds["cases"] = time.perf_counter() - mark
    result.seconds["total"] = time.perf_counter() - clock
    return result


def _store(frame: pl.DataFrame, version: int, now: datetime, project_ids, codes: list[str]) -> Stored:
    """Write the lights whose content (colour, dimensions, reasons, facts) differs from the stored ones, by
    digest, and move the others to the rule version in force with one statement. The reasons' JSON is made by
    polars for the whole frame; new lights go in the order of their (project, period) key, which the indexes
    follow, so that each index takes them as appends instead of at random places."""
    dims = [d.value for d in rules.DIMENSIONS]
    frame = (
        frame.with_columns(bulk.json_text("reasons").alias("_reasons"))
        .with_columns(
            pl.struct("colour", *dims, "_reasons", *rules.FACTS, "baseline")
            .hash(seed=1)
            .cast(pl.String)
            .str.slice(0, 16)
            .alias("digest"),
        )
        .drop("reasons")
        .rename({"_reasons": "reasons", **DIMENSION_FIELDS})
        .with_columns(
            rule_version=pl.lit(version, pl.Int64),
            computed_at=pl.lit(now.astimezone(UTC), pl.Datetime("us", "UTC")),
        )
    )
    stored = Light.objects.filter(period_code__in=codes)
    if project_ids is not None:
        stored = stored.filter(project_id__in=project_ids)
    existing = bulk.frame(
        stored.values_list("pk", "project_id", "period_code", "digest"),
        {"id": pl.Int64, "project_id": pl.Int64, "period_code": pl.String, "_old": pl.String},
    )
    joined = frame.join(existing, on=["project_id", "period_code"], how="left")
    new = (
        joined.filter(pl.col("id").is_null())
        .select("project_id", "period_code", *storage.COLUMNS)
        .sort("project_id", "period_code")
    )
    changed = (
        joined.filter(pl.col("id").is_not_null() & (pl.col("_old") != pl.col("digest")))
        .select("id", *storage.COLUMNS)
        .sort("id")
    )
    if not new.is_empty():  # lights of a project deleted since its inputs were read are not written
        new = new.filter(pl.col("project_id").is_in(_hold_projects(new["project_id"].unique().to_list())))
    storage.insert(new)
    storage.update(changed)
    stored.exclude(rule_version=version).update(rule_version=version)  # same light, now by these rules
    if project_ids is None:  # archived projects are no longer lit: their lights of these periods go
        Light.objects.filter(period_code__in=codes, project__is_archived=True).delete()
    written = set(new["period_code"].unique().to_list()) | set(
        joined.filter(pl.col("id").is_not_null() & (pl.col("_old") != pl.col("digest")))["period_code"]
        .unique()
        .to_list()
    )
    return Stored(frame.height, new.height + changed.height, written)


def _hold_projects(ids: list[int]) -> list[int]:
    """Those of the projects ``ids`` that exist, held until the transaction ends so that none is deleted while
    lights are written for it: the lock a foreign key's check would take for each light (PostgreSQL: FOR KEY
    SHARE, which a project's deletion waits for), taken once a project. SQLite has one writer at a time: a
    deletion cannot come in between."""
    if connection.vendor != "postgresql":
        return list(set(ids) & set(Project.objects.values_list("pk", flat=True)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {connection.ops.quote_name(Project._meta.db_table)} WHERE id = ANY(%s) FOR KEY SHARE",
            [ids],
        )
        return [pk for (pk,) in cursor.fetchall()]


@dataclass
class Stored:
    """What :func:`_store` wrote: lights computed and rewritten, and the periods with a light written."""

    lights: int
    changed: int
    written: set[str]


def _totals(frame: pl.DataFrame, codes: list[str]) -> dict[str, dict[int, int]]:
    totals: dict[str, dict[int, int]] = {code: dict.fromkeys(Colour.values, 0) for code in codes}
    for code, colour, n in frame.group_by("period_code", "colour").len().iter_rows():
        totals[code][colour] = n
    return totals


# The board's figures


def refresh_board(
    codes: list[str],
    *,
    written_at: datetime | None = None,
    project_ids=None,
    written: set[str] | None = None,
    lights: pl.DataFrame | None = None,
) -> None:
    """After lights of ``codes`` were written (in the writer's transaction): move the board's version, so that
    every kept answer and ETag is of the past, and count again, for those who see every project, the periods
    whose figures moved — with ``written_at`` (a recompute's time, which the lights it rewrote carry) only the
    periods with a light written since (of ``project_ids``), and on a recompute of every project also those whose
    totals no longer match (an archived project's lights removed) or that have no row of the registry as it is. A
    recompute of every project gives the periods it wrote lights of (``written``) and the lights it computed
    (``lights``: project_id, period_code, colour — every light of ``codes``), from which the totals and figures
    are counted instead of from the table."""
    _move_version("lights")
    _lights, registry = queries.board_version()  # read before counting: figures never go under a later one
    if written_at is not None:
        totals = _totals(lights, codes) if lights is not None else None
        codes = _moved(codes, written_at, project_ids, registry, written, totals)
    if not codes:
        return
    now = timezone.now()
    BoardSummary.objects.bulk_create(
        [
            BoardSummary(period_code=code, registry=registry, figures=data.as_json(), computed_at=now)
            for code, data in (
                queries.count(None, codes) if lights is None else queries.count_frame(lights, codes)
            ).items()
        ],
        update_conflicts=True,
        unique_fields=["period_code"],
        update_fields=["registry", "figures", "computed_at"],
    )


def _moved(
    codes: list[str],
    written_at: datetime,
    project_ids,
    registry: int,
    written: set[str] | None = None,
    totals: dict[str, dict[int, int]] | None = None,
) -> list[str]:
    if written is None:
        lights = Light.objects.filter(period_code__in=codes, computed_at__gte=written_at)
        if project_ids is not None:
            lights = lights.filter(project_id__in=project_ids)
        written = set(lights.values_list("period_code", flat=True).distinct())
    moved = set(written)
    if project_ids is None:
        kept = {
            code: queries.Figures.from_json(figures).totals
            for code, figures in BoardSummary.objects.filter(
                period_code__in=codes, registry=registry
            ).values_list("period_code", "figures")
        }
        if totals is None:
            totals = {code: {c: 0 for c in Colour.values} for code in codes}
            lights = Light.objects.filter(period_code__in=codes)
            for code, colour, n in lights.values_list("period_code", "colour").annotate(n=Count("*")):
                totals[code][colour] = n
        moved |= {code for code in codes if kept.get(code) != totals[code]}
    return [code for code in codes if code in moved]


def _judged(code: str) -> None:
    """After a judgement of ``code``: the board's version moves, and the period's row, when it is of the
    registry as it is, counts the judgements that differ again (nothing else of it moves)."""
    _move_version("lights")
    _lights, registry = queries.board_version()
    row = BoardSummary.objects.select_for_update().filter(period_code=code, registry=registry).first()
    if row is not None:
        judged = list(Judgement.objects.filter(period_code=code).values_list("project_id", "colour"))
        computed = dict(
            Light.objects.filter(period_code=code, project_id__in=[pid for pid, _c in judged]).values_list(
                "project_id", "colour"
            )
        )
        row.figures = row.figures | {
            "disagreements": sum(computed.get(pid) != colour for pid, colour in judged)
        }
        row.save(update_fields=["figures"])


def registry_changed() -> None:
    """A project or the organisation behind the board changed (its groups, names or who sees what): every
    kept board figure and answer is of the past. Called in the changing transaction, so that a reader sees the
    new version only with the change."""
    _move_version("registry")


def _move_version(name: str) -> None:
    if not BoardVersion.objects.filter(pk=1).update(**{name: F(name) + 1}):  # a flushed database has no row
        BoardVersion.objects.get_or_create(pk=1)
        BoardVersion.objects.filter(pk=1).update(**{name: F(name) + 1})


# Judgement


@transaction.atomic
def record_judgement(
    project: Project,
    period_code: str,
    colour: int,
    reason: str,
    *,
    actor,
    expected_version: int | None = None,
) -> Judgement:
    """A leader's judgement light beside the computed one; both are shown, with the reason. A project has one
    judgement a period: changing it names the version read (``expected_version``); giving one where another
    leader has judged since (no version, or another) is stale."""
    if actor is not None and not (
        actor.has_perm("lights.add_judgement")
        and Project.objects.in_scope(actor).filter(pk=project.pk).exists()
    ):
        raise PermissionDenied(_("只有包挂领导、主要领导或项目办可以研判该项目。"))
    if not reason.strip():
        raise ValidationError({"reason": _("研判须写明理由。")})
    if colour not in Colour.values:
        raise ValidationError({"colour": _("灯色无效。")})
    Period.parse(period_code)
    row = Judgement.objects.select_for_update().filter(project=project, period_code=period_code).first()
    if row is not None:
        check_version(row.version, expected_version, _("研判"))
        row.version += 1
    before = audit.snapshot(row, ["colour", "reason"]) if row else None
    row = row or Judgement(project=project, period_code=period_code)
    row.colour, row.reason = colour, reason.strip()
    row.judged_by = audit.actor_or_none(actor)
    if before is None:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:  # another leader judged it a moment ago
            raise raced(_("研判")) from None
    else:
        row.save()
    audit.record(
        "lights.judgement",
        actor=actor,
        obj=row,
        before=before,
        after=audit.snapshot(row, ["colour", "reason"]),
        only_changes=before is not None,
    )
    _judged(period_code)
    return row
