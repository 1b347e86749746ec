"""Running assessments: load a period's facts from the database, run the engine, keep the results as a draft,
publish them (immutable from then on), revise a published period with a reason, and try any scheme over past
periods without saving anything (what-if). Schemes are versions: saving, copying or importing makes a new one.

A period is assessed once its filing deadline has passed; before, only as an early draft (提前试算) with the
office's reason, which is never published. Publishing is final, so the pages and the API show what it will
publish (:func:`publication`) and publish only when the office confirms."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.assess import engine, notice, sources
from gongjian.assess import scheme as schemes
from gongjian.assess.models import (
    Adjustment,
    Consequence,
    ConsequenceKind,
    Evaluation,
    EvaluatorAssignment,
    Run,
    RunFigures,
    RunState,
    Scheme,
    SchemeYear,
    Score,
    SubjectKind,
)
from gongjian.core import audit, bulk
from gongjian.core.locking import ANY_VERSION, Stale, check_version, raced
from gongjian.core.models import ClosedPeriod
from gongjian.core.periods import Period
from gongjian.jobs import services as jobs
from gongjian.jobs.models import Job
from gongjian.lights.models import Light
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import AnnualPlan, BaselineVersion, Milestone, Project, ProjectLeader
from gongjian.projects.queries import Yardstick, describe_baseline, in_force_then, last_dekad, yardsticks
from gongjian.reports.choices import ReportState
from gongjian.reports.models import Report, ReportingPeriod

DEFAULT_NAME = "项目建设推进工作考核办法（默认）"


def _check_office(actor) -> None:
    if actor is not None and not actor.has_perm("assess.run_assessment"):
        raise PermissionDenied(_("只有项目办可以管理考核。"))


# Schemes


@transaction.atomic
def save_scheme(content: schemes.Scheme | dict, *, actor, note: str = "") -> Scheme:
    """Keep ``content`` as the next version of its name (validated by the engine's own rules)."""
    _check_office(actor)
    try:
        parsed = content if isinstance(content, schemes.Scheme) else schemes.Scheme.from_dict(content)
    except schemes.SchemeError as exc:
        raise ValidationError({"content": str(exc)}) from None
    last = Scheme.objects.filter(name=parsed.name).aggregate(v=Max("version"))["v"] or 0
    data = parsed.as_dict() | {"version": last + 1}
    row = Scheme.objects.create(
        name=parsed.name,
        version=last + 1,
        content=data,
        note=note,
        created_by=audit.actor_or_none(actor),
    )
    audit.record(
        "assess.scheme.save",
        actor=actor,
        obj=row,
        after={"name": row.name, "version": row.version},
        only_changes=False,
        note=note,
    )
    return row


def import_yaml(text: str, *, actor, note: str = "") -> Scheme:
    _check_office(actor)
    try:
        parsed = schemes.load_yaml(text)
    except schemes.SchemeError as exc:
        raise ValidationError({"content": str(exc)}) from None
    except Exception as exc:  # YAML syntax errors come from PyYAML with their line and column
        raise ValidationError({"content": _("不是有效的 YAML：%(error)s") % {"error": exc}}) from None
    return save_scheme(parsed, actor=actor, note=note or _("导入"))


def export_yaml(row: Scheme) -> str:
    return schemes.dump_yaml(row.engine_scheme())


@transaction.atomic
def activate(row: Scheme, year: int, *, actor, expected_version: int | None = None) -> SchemeYear:
    """Put ``row`` in force for ``year``. Where a scheme is in force for the year already, the activation names
    the version of that choice the office read (``expected_version``): without it, or from another, it is stale
    (someone else chose the year's scheme since)."""
    _check_office(actor)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度须在 2000 到 2100 之间。")})
    current = SchemeYear.objects.select_for_update().filter(year=year).first()
    if current is not None:
        check_version(current.version, expected_version, _("年度考核方案"))
        current.version += 1
    before = {"scheme": str(current.scheme)} if current else None
    current = current or SchemeYear(year=year)
    current.scheme = row
    current.activated_by = audit.actor_or_none(actor)
    if before is None:
        try:
            with transaction.atomic():
                current.save(force_insert=True)
        except IntegrityError:  # another activation for the year a moment ago
            raise raced(_("年度考核方案")) from None
    else:
        current.save()
    audit.record(
        "assess.scheme.activate", actor=actor, obj=current, before=before, after={"scheme": str(row)}
    )
    return current


def scheme_for(year: int) -> Scheme:
    """The scheme in force for ``year``: the one activated for it, else the latest default scheme (context 000),
    unsaved when there is none yet. Read-only, so the pages that show results may call it."""
    active = SchemeYear.objects.select_related("scheme").filter(year=year).first()
    if active:
        return active.scheme
    row = Scheme.objects.filter(name=DEFAULT_NAME).order_by("-version").first()
    if row is None:
        default = schemes.default_scheme()
        row = Scheme(
            name=DEFAULT_NAME,
            version=1,
            content=default.as_dict() | {"name": DEFAULT_NAME, "version": 1},
            note=_("默认方案"),
        )
    return row


def ensure_scheme_for(year: int, *, actor) -> Scheme:
    """For a run, which records the scheme it used: the scheme in force, the default saved and activated for
    ``year`` (both audited) the first time."""
    row = scheme_for(year)
    if row.pk is not None and SchemeYear.objects.filter(year=year, scheme=row).exists():
        return row
    if row.pk is None:
        row = save_scheme(row.content, actor=actor, note=_("默认方案"))
    return activate(row, year, actor=actor).scheme


# The engine's inputs


_FILINGS = {
    "project_id": pl.Int64,
    "reporting_period_id": pl.Int64,
    "counted": pl.Boolean,
    "year_to_date": pl.Int64,
    "filed": pl.Boolean,
    "late": pl.Boolean,
}


def _filings(year: int) -> pl.DataFrame:
    """Every report of the reporting periods of ``year``, read whole in one pass (three times faster than
    looking most of them up one by one through an index): whether it counts for the investment done to date
    (submitted or approved, as the lights count it), its year-to-date figure, whether it was ever filed and
    whether first filed after its period's deadline (decided by the database, so no time needs converting)."""
    reports = (
        Report.objects.filter(period__code__startswith=f"{year}-")
        .order_by()
        .annotate(
            counted=ExpressionWrapper(
                Q(state__in=[ReportState.SUBMITTED, ReportState.APPROVED]), output_field=BooleanField()
            ),
            filed=ExpressionWrapper(Q(first_submitted_at__isnull=False), output_field=BooleanField()),
            late=ExpressionWrapper(
                Q(first_submitted_at__gt=F("period__deadline")), output_field=BooleanField()
            ),
        )
        .values_list("project_id", "period_id", "counted", "year_to_date", "filed", "late")
    )
    return bulk.frame(reports, _FILINGS)


def _to_date(
    periods: list[Period],
    year: int,
    baselines: dict[int, int],
    older: dict[tuple[int, str], Yardstick],
    filings: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For every active project (``baselines``: id → the number of its baseline) and period: the plan to date,
    the investment done to date and the baseline measured against (``older``: the periods measured against a
    superseded one); and the milestones of every baseline involved, with their planned and actual dates.

    The figures the lights judge (``lights.services.load_inputs``), read here without what only the lights
    need: the plan to date is the year's ten-day plan added up through the period's last ten-day period; the
    investment done is the year-to-date figure of the latest submitted or approved report of a reporting period
    ending by the period's end (of two ending the same day, the larger)."""
    calendar = pl.DataFrame(
        {
            "period_code": [p.code for p in periods],
            "period_end": [p.end for p in periods],
            "last_dekad": [last_dekad(p) for p in periods],
        },
        schema={"period_code": pl.String, "period_end": pl.Date, "last_dekad": pl.Int64},
    )
    base = pl.DataFrame(
        {"project_id": list(baselines), "baseline": list(baselines.values())},
        schema={"project_id": pl.Int64, "baseline": pl.Int64},
    )
    # the ten-day plans as JSON text, decoded by polars (ten thousand json.loads cost more than the rest)
    dekads = pl.col("dekads")
    plans = bulk.frame(
        AnnualPlan.objects.filter(year=year)
        .order_by()
        .annotate(text=Cast("dekads", TextField()))
        .values_list("project_id", "text"),
        {"project_id": pl.Int64, "dekads": pl.String},
    ).with_columns(
        pl.when(dekads.str.json_decode(pl.List(pl.Int64)).list.len() > 0)
        .then(dekads.str.json_decode(pl.List(pl.Int64)))
        .otherwise(pl.lit([0] * 36, pl.List(pl.Int64)))
    )
    cumulative = (
        plans.explode("dekads")
        .with_columns(
            pl.int_range(pl.len()).over("project_id").cast(pl.Int64).alias("last_dekad"),
            pl.col("dekads").cum_sum().over("project_id").alias("plan_to_date"),
        )
        .drop("dekads")
    )
    rows = base.join(calendar, how="cross").join(cumulative, on=["project_id", "last_dekad"], how="left")
    rows = in_force_then(rows, older, periods, year)
    ends = pl.DataFrame(
        [
            (pk, Period.parse(code).end)
            for pk, code in ReportingPeriod.objects.filter(code__startswith=f"{year}-").values_list(
                "id", "code"
            )
        ],
        schema={"reporting_period_id": pl.Int64, "period_end": pl.Date},
        orient="row",
    )
    done = (
        filings.filter(pl.col("counted"))
        .join(ends, on="reporting_period_id")
        .select("project_id", "period_end", pl.col("year_to_date").alias("done_to_date"))
        .sort("project_id", "period_end", "done_to_date")
        .unique(["project_id", "period_end"], keep="last", maintain_order=True)
        .sort("period_end")
    )
    # both sorted by date as a whole, so within every project too
    rows = (
        rows.sort("period_end")
        .join_asof(done, on="period_end", by="project_id", strategy="backward", check_sortedness=False)
        .with_columns(pl.col("plan_to_date").fill_null(0), pl.col("done_to_date").fill_null(0))
        .select("period_code", "project_id", "period_end", "baseline", "plan_to_date", "done_to_date")
    )

    current = bulk.frame(
        Milestone.objects.order_by().values_list("pk", "project_id", "planned_date", "actual_date"),
        {"id": pl.Int64, "project_id": pl.Int64, "planned": pl.Date, "actual": pl.Date},
    )
    milestones = current.join(base, on="project_id", how="inner").drop("id")
    if older:  # and the milestone plan dates of those baselines: the same nodes, as then planned
        live = {
            pk: (pid, actual) for pk, pid, actual in current.select("id", "project_id", "actual").iter_rows()
        }
        then_planned = [
            (live[pk][0], planned, live[pk][1], stick.number)
            for stick in {(pid, stick.number): stick for (pid, _code), stick in older.items()}.values()
            for pk, planned in stick.milestone_dates().items()
            if pk in live
        ]
        milestones = pl.concat(
            [
                milestones.select("project_id", "planned", "actual", "baseline"),
                pl.DataFrame(
                    then_planned,
                    schema={
                        "project_id": pl.Int64,
                        "planned": pl.Date,
                        "actual": pl.Date,
                        "baseline": pl.Int64,
                    },
                    orient="row",
                ),
            ]
        )
    return rows, milestones.select("project_id", "planned", "actual", "baseline")


def load(periods: Period | Sequence[Period], *, now: datetime | None = None) -> dict[str, pl.DataFrame]:
    """The engine's frames for one period or several of one year (ten-day periods and months), from the
    database, each table read once for all of them."""
    periods = [periods] if isinstance(periods, Period) else sorted(set(periods))
    if not periods:
        raise ValueError(_("没有要考核的期别。"))
    if len({p.year for p in periods}) > 1:
        raise ValueError(_("一次考核的期别须在同一年度内。"))
    now = now or timezone.now()
    year = periods[0].year
    codes = [p.code for p in periods]
    projects = list(
        Project.objects.filter(is_archived=False).values_list(
            "pk",
            "name",
            "category",
            "headquarters_id",
            "responsible_unit_id",
            "park_id",
            "responsible_unit__kind",
            "baseline",
        )
    )
    baselines = {p[0]: p[-1] for p in projects}
    # periods measured against a baseline the registry no longer holds (a re-baselined project's earlier ones)
    older = yardsticks(baselines, periods, every=True)
    leads = dict(
        ProjectLeader.objects.filter(role=LeaderRole.LEAD, project__is_archived=False).values_list(
            "project_id", "person_id"
        )
    )
    planned = dict(AnnualPlan.objects.filter(year=year).values_list("project_id", "total"))
    # a project re-baselined after the last assessed period is weighted by the plan then in force
    for (pid, code), stick in older.items():
        if code == max(periods).code:
            planned[pid] = sum(stick.plan(year) or [])
    project_frame = pl.DataFrame(
        [
            {
                "project_id": pid,
                "name": name,
                "category": category,
                "planned": planned.get(pid, 0),
                "headquarters_id": hq,
                "unit_id": unit,
                "leader_id": leads.get(pid),
                "area_id": park,
                "project_group": category,
                "headquarters_group": engine.ALL,
                "unit_group": unit_kind,
                "leader_group": engine.ALL,
                "area_group": engine.ALL,
            }
            for pid, name, category, hq, unit, park, unit_kind, _baseline in projects
        ],
        schema={
            "project_id": pl.Int64,
            "name": pl.String,
            "category": pl.String,
            "planned": pl.Int64,
            "headquarters_id": pl.Int64,
            "unit_id": pl.Int64,
            "leader_id": pl.Int64,
            "area_id": pl.Int64,
            "project_group": pl.String,
            "headquarters_group": pl.String,
            "unit_group": pl.String,
            "leader_group": pl.String,
            "area_group": pl.String,
        },
    )
    key = ["period_code", "project_id"]

    # plan and investment to date, the milestones of the baseline each period is measured against, and every
    # report of the year (one reading serves the investment done and the missing and late reports)
    filings = _filings(year)
    money, milestones = _to_date(periods, year, baselines, older, filings)

    # milestones due by each period's end, and those reached by their planned date, as planned in the baseline
    # each period is measured against (a re-baselined project's earlier periods keep the dates then in force):
    # running counts over each project's (and baseline's) milestones in date order, read at the period's end
    running = (
        milestones.filter(pl.col("planned").is_not_null())
        .group_by("project_id", "baseline", "planned")
        .agg(
            due=pl.len().cast(pl.Int64),
            met=(pl.col("actual").is_not_null() & (pl.col("actual") <= pl.col("planned")))
            .sum()
            .cast(pl.Int64),
        )
        .sort("project_id", "baseline", "planned")
        .with_columns(pl.col("due", "met").cum_sum().over("project_id", "baseline"))
        .sort("planned")
    )
    facts = (
        money.sort("period_end")
        .join_asof(
            running,
            left_on="period_end",
            right_on="planned",
            by=["project_id", "baseline"],
            strategy="backward",
            check_sortedness=False,  # sorted by date as a whole, so within every project too
        )
        .rename({"due": "milestones_due", "met": "milestones_met"})
    )

    # reports of the reporting periods inside each assessed period whose deadline has passed: missing (those
    # expected less those filed) and late
    inner = pl.DataFrame(
        [
            (period.code, rp.pk)
            for rp in ReportingPeriod.objects.filter(deadline__lt=now, code__startswith=f"{year}-")
            for period in periods
            if rp.period.start >= period.start and rp.period.end <= period.end
        ],
        schema={"period_code": pl.String, "reporting_period_id": pl.Int64},
        orient="row",
    )
    expected = dict(inner.group_by("period_code").len().iter_rows())
    reporting = (
        filings.filter(pl.col("filed"))
        .join(inner, on="reporting_period_id")
        .group_by(key)
        .agg(_filed=pl.len().cast(pl.Int64), late_reports=pl.col("late").sum().cast(pl.Int64))
    )

    # red lights: a ten-day period's own, a month's ten-day periods'
    lit_in = {
        dekad.code: period.code
        for period in periods
        for dekad in ([period] if period.dekad else period.dekads())
    }
    reds = (
        bulk.frame(
            Light.objects.filter(period_code__in=list(lit_in), colour=2, project__is_archived=False)
            .order_by()
            .values_list("period_code", "project_id"),
            {"light_code": pl.String, "project_id": pl.Int64},
        )
        .with_columns(period_code=pl.col("light_code").replace_strict(lit_in, return_dtype=pl.String))
        .group_by(key)
        .agg(red_lights=pl.len().cast(pl.Int64))
    )

    kinds = {p.code: str(p.kind) for p in periods}
    fact_frame = (
        facts.join(reporting, on=key, how="left")
        .join(reds, on=key, how="left")
        .with_columns(
            pl.col("period_code").replace_strict(kinds, return_dtype=pl.String).alias("period_kind"),
            pl.col("period_code")
            .replace_strict(expected, default=0, return_dtype=pl.Int64)
            .alias("_expected"),
        )
        .with_columns(
            pl.col("milestones_due", "milestones_met", "_filed", "late_reports", "red_lights").fill_null(0)
        )
        .with_columns((pl.col("_expected") - pl.col("_filed")).alias("missing_reports"))
        .select(list(engine.FACT_COLUMNS))
        .cast(dict(engine.FACT_COLUMNS))
    )

    evaluations = pl.DataFrame(
        list(
            Evaluation.objects.filter(period_code__in=codes).values_list(
                "period_code", "subject_kind", "subject_id", "rater_id", "score"
            )
        ),
        schema={**engine.EVALUATION_COLUMNS, "score": pl.Decimal(5, 2)},
        orient="row",
    ).cast({"score": pl.Float64})
    adjustments = pl.DataFrame(
        list(
            Adjustment.objects.filter(period_code__in=codes).values_list(
                "period_code", "subject_kind", "subject_id", "points", "reason"
            )
        ),
        schema={**engine.ADJUSTMENT_COLUMNS, "points": pl.Decimal(6, 2)},
        orient="row",
    ).cast({"points": pl.Float64})
    # yellow cards of the months published before the last assessed period and not assessed again now
    earlier = Consequence.objects.filter(
        run__state=RunState.PUBLISHED,
        kind="yellow_card",
        run__period_kind="month",
        run__period_code__lt=codes[-1],
    ).exclude(run__period_code__in=codes)
    history = pl.DataFrame(
        list(earlier.values_list("run__period_code", "subject_kind", "subject_id", "kind")),
        schema=dict(engine.HISTORY_COLUMNS),
        orient="row",
    )
    return {
        "projects": project_frame,
        "facts": fact_frame,
        "evaluations": evaluations,
        "adjustments": adjustments,
        "history": history,
    }


def compute(periods: Period | Sequence[Period], row: Scheme) -> engine.Results:
    """The results of ``row`` for one period or several of one year, in one engine call."""
    frames = load(periods)
    scheme = row.engine_scheme()
    return engine.assess(
        frames["projects"],
        frames["facts"],
        frames["evaluations"],
        frames["adjustments"],
        frames["history"],
        scheme,
        completions=sources.completions(_period_list(periods), scheme),
    )


def _period_list(periods: Period | Sequence[Period]) -> list[Period]:
    return [periods] if isinstance(periods, Period) else list(periods)


def subject_names() -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    for pk, name in Project.objects.values_list("pk", "name"):
        names[("project", pk)] = name
    for pk, name in Unit.objects.values_list("pk", "name"):
        for kind in ("headquarters", "unit", "area"):
            names[(kind, pk)] = name
    for pk, name, post in Person.objects.values_list("pk", "name", "post"):
        names[("leader", pk)] = f"{name}（{post}）" if post else name
    return names


def subject_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every subject that can be assessed, grouped by kind, as choices "kind:id" → name (for forms)."""
    live = Project.objects.filter(is_archived=False)
    units = Unit.objects.order_by("name")
    groups = {
        SubjectKind.PROJECT: list(live.order_by("code").values_list("pk", "name")),
        SubjectKind.HEADQUARTERS: list(units.filter(kind=UnitKind.HEADQUARTERS).values_list("pk", "name")),
        SubjectKind.UNIT: list(
            units.filter(pk__in=live.values("responsible_unit")).values_list("pk", "name")
        ),
        SubjectKind.LEADER: [
            (pk, f"{name}（{post}）" if post else name)
            for pk, name, post in Person.objects.filter(
                pk__in=ProjectLeader.objects.filter(role=LeaderRole.LEAD).values("person")
            )
            .order_by("name")
            .values_list("pk", "name", "post")
        ],
        SubjectKind.AREA: list(units.filter(pk__in=live.values("park")).values_list("pk", "name")),
    }
    return [
        (str(kind.label), [(f"{kind.value}:{pk}", name) for pk, name in rows])
        for kind, rows in groups.items()
    ]


# Runs


def filing_deadlines(periods: Sequence[Period]) -> dict[str, datetime]:
    """When each period closes for filing: the latest deadline of the reporting periods within it (a month's own
    and its ten-day periods'), and never before the period's last day is over — a period nobody opened for
    filing closes when it ends. Until then its figures can still change, so it is not assessed."""
    inner = {p.code: [p.code, *([d.code for d in p.dekads()] if p.dekad is None else [])] for p in periods}
    deadlines = dict(
        ReportingPeriod.objects.filter(code__in={c for codes in inner.values() for c in codes}).values_list(
            "code", "deadline"
        )
    )
    out = {}
    for period in periods:
        ends = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
        out[period.code] = max([ends, *(deadlines[c] for c in inner[period.code] if c in deadlines)])
    return out


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _early_reason(text: str) -> str:
    reason = (text or "").strip()
    if len(reason) > 300:
        raise ValidationError({"early_reason": _("提前试算原因不能超过 300 字。")})
    return reason


def _names() -> pl.DataFrame:
    names = subject_names()
    return pl.DataFrame(
        {
            "subject_kind": [kind for kind, _pk in names],
            "subject_id": [pk for _kind, pk in names],
            "subject_name": [name[:200] for name in names.values()],
        },
        schema={"subject_kind": pl.String, "subject_id": pl.Int64, "subject_name": pl.String},
    )


_NOTES = {"period_code": pl.String, "subject_kind": pl.String, "subject_id": pl.Int64, "note": pl.String}


def _baseline_notes(codes: list[str]) -> pl.DataFrame:
    """A re-baselined project's explanation says which baseline its plan and milestone dates came from: the line
    for each such project and period, as the baselines stand when the run is made."""
    moved = dict(Project.objects.filter(baseline__gt=1).values_list("pk", "baseline"))
    if not moved:
        return pl.DataFrame(schema=_NOTES)
    periods = [Period.parse(code) for code in codes]
    starts = dict(Project.objects.filter(pk__in=list(moved)).values_list("pk", "baseline_from"))
    older = yardsticks(moved, periods)
    froms = {
        (v.project_id, v.number): v.valid_from
        for v in BaselineVersion.objects.filter(project_id__in=list(moved))
    }
    notes = []
    for pid, number in moved.items():
        for period in periods:
            stick = older.get((pid, period.code))
            used = stick.number if stick else number
            since = froms.get((pid, used), "") if stick else starts[pid]
            notes.append(
                (
                    period.code,
                    SubjectKind.PROJECT.value,
                    pid,
                    _("计划与节点口径：%(b)s") % {"b": describe_baseline(used, since)},
                )
            )
    return pl.DataFrame(notes, schema=_NOTES, orient="row")


def _save_results(runs: dict[str, Run], results: engine.Results) -> None:
    """Write the scores and consequences of each period in ``results`` to its run in ``runs``, from the
    engine's frames straight to the tables (:mod:`gongjian.core.bulk`), and keep each run's figures, from which
    its explanations are written when they are read (:func:`gongjian.assess.queries.explanations`)."""
    run_ids = pl.DataFrame(
        {"period_code": list(runs), "run_id": [run.pk for run in runs.values()]},
        schema={"period_code": pl.String, "run_id": pl.Int64},
    )
    names = _names()
    points = [c for c in results.scores.columns if c.endswith("_points")]

    def named(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.join(run_ids, on="period_code")
            .join(names, on=["subject_kind", "subject_id"], how="left")
            .with_columns(pl.col("subject_name").fill_null(pl.col("subject_id").cast(pl.String)))
        )

    scores = named(results.scores).select(
        "run_id",
        "subject_kind",
        "subject_id",
        "subject_name",
        pl.col("group").fill_null("").str.slice(0, 60),
        "score",
        "rank",
        "group_size",
        pl.struct(pl.col(c).alias(c.removesuffix("_points")) for c in points).alias("points"),
        pl.lit("[]").alias("explanation"),
    )
    bulk.insert(Score, scores.with_columns(bulk.json_text("points")))
    consequences = named(results.consequences).select(
        "run_id",
        "subject_kind",
        "subject_id",
        "subject_name",
        "kind",
        pl.col("amount").fill_null(0).cast(pl.Int64),
        pl.col("reason").str.slice(0, 300),
    )
    bulk.insert(Consequence, consequences)
    _keep_figures(runs, results.figures)


def _keep_figures(runs: dict[str, Run], figures: pl.DataFrame) -> None:
    """Keep the figures of each run as one Parquet file, with the baseline note of its re-baselined projects."""
    notes = _baseline_notes(list(runs))
    if notes.is_empty():
        figures = figures.with_columns(pl.lit(None, pl.String).alias("note"))
    else:
        figures = figures.join(notes, on=["period_code", "subject_kind", "subject_id"], how="left")
    parts = figures.partition_by("period_code", as_dict=True)
    kept = []
    for code, run in runs.items():
        out = io.BytesIO()
        parts.get((code,), figures.clear()).write_parquet(out, compression="zstd", compression_level=1)
        kept.append(RunFigures(run=run, layout=engine.FIGURES_LAYOUT, data=out.getvalue()))
    RunFigures.objects.bulk_create(kept)


def _periods(codes: Sequence[str]) -> list[Period]:
    periods = sorted({Period.parse(code) for code in codes})
    for period in periods:
        if period.dekad is None and period.month is None:
            raise ValidationError({"period": _("考核期须为某一旬或某一月。")})
    if len({p.year for p in periods}) > 1:
        raise ValidationError({"period": _("一次考核的期别须在同一年度内。")})
    return periods


def run_assessment(
    code: str,
    *,
    actor,
    scheme: Scheme | None = None,
    early_reason: str = "",
    expected_version: int | None = None,
) -> Run:
    """Assess the period ``code`` and keep the results as a draft, replacing an earlier draft of it — the one of
    version ``expected_version`` (a draft there already is not replaced unseen). A published period is not rerun:
    revise it (:func:`revise`). A period still open for filing needs ``early_reason``."""
    versions = (
        expected_version
        if expected_version is ANY_VERSION
        else ({} if expected_version is None else {Period.parse(code).code: expected_version})
    )
    return run_assessments(
        [code], actor=actor, scheme=scheme, skip_published=False, early_reason=early_reason, versions=versions
    )[0]


@dataclass
class _Plan:
    """What a run of several periods will do, before it does it: the periods it assesses, each with the draft it
    replaces (if any); which of them are still open for filing, and why they are drafted early."""

    periods: list[Period]
    deadlines: dict[str, datetime]
    still_open: list[Period]
    early_reason: str
    by_code: dict[str, list[Run]]
    chosen: dict[str, tuple[Period, Run | None]]


def _plan(
    codes: Sequence[str],
    *,
    actor,
    skip_published: bool,
    early_reason: str,
    skip_open: bool,
    versions: Mapping[str, int] | None,
    lock: bool,
) -> _Plan:
    """Check a run of ``codes`` (see :func:`run_assessments`) and say what it will do; ``lock``: the runs of those
    periods are locked until the transaction ends (the run itself), or only read (the check before queueing)."""
    _check_office(actor)
    periods = _periods(codes)
    if not periods:
        return _Plan([], {}, [], "", {}, {})
    early_reason = _early_reason(early_reason)
    now = timezone.now()
    deadlines = filing_deadlines(periods)
    still_open = [p for p in periods if deadlines[p.code] >= now]
    if still_open and not early_reason:
        if skip_open:
            periods = [p for p in periods if p not in still_open]
        else:
            raise ValidationError(
                {
                    "early_reason": [
                        _(
                            "%(period)s 的填报截止于 %(deadline)s，尚未截止，不能考核；如需提前试算，请写明原因。"
                        )
                        % {"period": p, "deadline": _when(deadlines[p.code])}
                        for p in still_open
                    ]
                }
            )
    by_code: dict[str, list[Run]] = {}
    found = Run.objects.filter(period_code__in=[p.code for p in periods])
    for run in found.select_for_update() if lock else found:
        by_code.setdefault(run.period_code, []).append(run)
    chosen: dict[str, tuple[Period, Run | None]] = {}
    for period in periods:
        runs = by_code.get(period.code, [])
        draft = next((r for r in runs if r.state == RunState.DRAFT), None)
        published = next((r for r in runs if r.state == RunState.PUBLISHED), None)
        if published and not (draft and draft.supersedes_id == published.pk):
            if skip_published:
                continue
            raise ValidationError(
                _("%(period)s 的考核结果已发布，如需更正请提出修订。") % {"period": period}, code="published"
            )
        if draft is not None and versions is not ANY_VERSION:
            try:
                check_version(draft.version, (versions or {}).get(period.code), _("考核草稿"), acting=True)
            except Stale as exc:
                raise Stale(f"{period}：{exc.messages[0]}", current_version=exc.current_version) from None
        chosen[period.code] = (period, draft)
    return _Plan(periods, deadlines, still_open, early_reason, by_code, chosen)


def check_assessments(
    codes: Sequence[str],
    *,
    actor,
    skip_published: bool = True,
    early_reason: str = "",
    skip_open: bool = False,
    versions: Mapping[str, int] | None = None,
) -> list[Period]:
    """Refuse now what :func:`run_assessments` with these arguments would refuse — no permission, a period not
    of one year, published or still open for filing, a draft changed since it was read — so that a request
    queueing the run answers at once; returns the periods it will assess. Changes nothing."""
    plan = _plan(
        codes,
        actor=actor,
        skip_published=skip_published,
        early_reason=early_reason,
        skip_open=skip_open,
        versions=versions,
        lock=False,
    )
    return [period for period, _draft in plan.chosen.values()]


def start_assessments(
    codes: Sequence[str],
    *,
    actor,
    early_reason: str = "",
    versions: Mapping[str, int] | None = None,
    single: bool = False,
) -> Job:
    """Queue the assessment of ``codes`` as background work (the job ``assess.run``) after refusing at once what
    the run would refuse (:func:`check_assessments`). ``single``: one period, refused when published (as
    :func:`run_assessment`); otherwise several of one year, the published ones left as they are."""
    check_assessments(
        codes, actor=actor, skip_published=not single, early_reason=early_reason, versions=versions
    )
    periods = _periods(codes)
    if not periods:
        raise ValidationError({"period": _("请选择考核期。")})
    if single or len(periods) == 1:
        label = _("考核 %(period)s") % {"period": periods[0]}
    else:
        label = _("批量考核 %(periods)s（%(n)d 期）") % {
            "periods": "、".join(str(p) for p in periods[:3]) + ("等" if len(periods) > 3 else ""),
            "n": len(periods),
        }
    return jobs.start(
        "assess.run",
        {
            "periods": [p.code for p in periods],
            "early_reason": early_reason,
            "versions": dict(versions or {}),
            "skip_published": not single,
            "actor_id": getattr(actor, "pk", None),
        },
        actor=actor,
        label=label,
    )


@transaction.atomic
def run_assessments(
    codes: Sequence[str],
    *,
    actor,
    scheme: Scheme | None = None,
    skip_published: bool = True,
    early_reason: str = "",
    skip_open: bool = False,
    versions: Mapping[str, int] | None = None,
    progress=None,
) -> list[Run]:
    """Assess several periods of one year at once — each table read once, one engine call per scheme, the
    results written in bulk — and keep each as a draft, replacing earlier drafts. A published period is left as
    it is (``skip_published``) or refused. Months assessed together count each other's yellow cards in order,
    as if published one after another. Returns the drafts, in period order.

    A period still open for filing (before :func:`filing_deadlines`) is assessed only as an early draft
    (提前试算) when the office gives ``early_reason``, recorded on the run and in its audit event; otherwise it
    is left out (``skip_open``) or refused, naming its deadline.

    A period's draft is replaced only from the version of it the office read: ``versions`` maps period codes to
    those versions, and a period whose draft is missing from it (or there at another version) is stale — the
    first such, in period order, is refused with its version. The command line and the scheduled runs, which
    recompute whatever drafts there are on purpose, pass ANY_VERSION. A replaced draft's version goes up.

    ``progress`` (a background job's) is told how many periods are done, and what is being done."""
    plan = _plan(
        codes,
        actor=actor,
        skip_published=skip_published,
        early_reason=early_reason,
        skip_open=skip_open,
        versions=versions,
        lock=True,
    )
    periods, deadlines, still_open, early_reason = (
        plan.periods,
        plan.deadlines,
        plan.still_open,
        plan.early_reason,
    )
    if not periods:
        return []
    user = audit.actor_or_none(actor)
    now = timezone.now()
    by_code = plan.by_code
    chosen: dict[str, tuple[Period, Run | None, int]] = {}
    schemes_used: dict[int, Scheme] = {}
    for code, (period, draft) in plan.chosen.items():
        row = scheme or (draft.scheme if draft else ensure_scheme_for(period.year, actor=actor))
        schemes_used[row.pk] = row
        chosen[code] = (period, draft, row.pk)
    done = 0
    drafts = [draft for _p, draft, _s in chosen.values() if draft]
    Score.objects.filter(run__in=drafts).delete()
    Consequence.objects.filter(run__in=drafts).delete()
    RunFigures.objects.filter(run__in=drafts).delete()
    saved: dict[str, Run] = {}
    for scheme_id, row in schemes_used.items():
        mine = [(period, draft) for period, draft, used in chosen.values() if used == scheme_id]
        if progress is not None:
            progress(
                done,
                len(chosen),
                _("计算 %(periods)s 的考核结果")
                % {
                    "periods": "、".join(str(period) for period, _d in mine[:3])
                    + ("等" if len(mine) > 3 else "")
                },
            )
        try:
            results = compute([period for period, _d in mine], row)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        runs_now: dict[str, Run] = {}
        for period, draft in mine:
            early = early_reason if period in still_open else ""
            if draft:
                draft.scheme, draft.created_at, draft.created_by = row, now, user
                draft.early_reason = early
                draft.version += 1
                draft.save(update_fields=["scheme", "created_at", "created_by", "early_reason", "version"])
                run = draft
            else:
                last = max((r.revision for r in by_code.get(period.code, [])), default=0)
                run = Run.objects.create(
                    period_code=period.code,
                    period_kind=str(period.kind),
                    scheme=row,
                    revision=last + 1,
                    created_at=now,
                    created_by=user,
                    early_reason=early,
                )
            runs_now[period.code] = run
        _save_results(runs_now, results)
        counts = dict(results.scores.group_by("period_code").len().iter_rows())
        flagged = dict(results.consequences.group_by("period_code").len().iter_rows())
        for code, run in runs_now.items():
            audit.record(
                "assess.run",
                actor=actor,
                obj=run,
                only_changes=False,
                after={
                    "period": code,
                    "scheme": str(row),
                    "scores": counts.get(code, 0),
                    "consequences": flagged.get(code, 0),
                    "filing_deadline": _when(deadlines[code]),
                    **({"early_reason": run.early_reason} if run.early_reason else {}),
                },
            )
        saved |= runs_now
        done += len(mine)
    if progress is not None:
        progress(done, len(chosen), _("已保存 %(n)d 期考核结果") % {"n": done})
    return [saved[p.code] for p in periods if p.code in saved]


def _unpublishable(run: Run, now: datetime) -> str:
    """Why ``run`` cannot be published now ("" when it can)."""
    if run.state != RunState.DRAFT:
        return _("只有草稿可以发布。")
    deadline = filing_deadlines([Period.parse(run.period_code)])[run.period_code]
    if deadline >= now:
        return _("%(period)s 的填报截止于 %(deadline)s，尚未截止，考核结果不能发布。") % {
            "period": Period.parse(run.period_code),
            "deadline": _when(deadline),
        }
    if run.created_at <= deadline:
        # 提前试算: reports filed before the deadline are missing from it.
        return _("该结果是填报截止（%(deadline)s）前的提前试算，不能发布；请按最新数据重算后再发布。") % {
            "deadline": _when(deadline)
        }
    return ""


@dataclass(frozen=True)
class Publication:
    """What publishing a draft makes final: the scores of each kind of subject, every consequence with its
    amount, and why it cannot be published now (``refused``, empty when it can)."""

    run: Run
    scores: dict[str, int]  # kind of subject (its label) → subjects scored
    consequences: list[Consequence]  # by kind, then subject
    counts: dict[str, int]  # kind of consequence (its label) → how many
    reward_total: int  # yuan
    refused: str


def publication(run: Run, *, now: datetime | None = None) -> Publication:
    """What :func:`publish` would make final for ``run`` (a read, for the confirmation page and the API)."""
    kinds = dict(SubjectKind.choices)
    scores = {
        str(kinds.get(kind, kind)): n
        for kind, n in run.scores.values_list("subject_kind").annotate(n=Count("pk")).order_by("subject_kind")
    }
    order = {kind: i for i, kind in enumerate(ConsequenceKind.values)}
    consequences = sorted(run.consequences.all(), key=lambda c: (order.get(c.kind, 99), c.subject_name, c.pk))
    counts: dict[str, int] = {}
    for c in consequences:
        counts[str(c.get_kind_display())] = counts.get(str(c.get_kind_display()), 0) + 1
    total = run.consequences.filter(kind=ConsequenceKind.REWARD).aggregate(s=Sum("amount"))["s"] or 0
    return Publication(
        run=run,
        scores=scores,
        consequences=consequences,
        counts=counts,
        reward_total=total,
        refused=_unpublishable(run, now or timezone.now()),
    )


@transaction.atomic
def publish(run: Run, *, actor, expected_version: int | None = None) -> Run:
    """Publish a draft computed after its period's filing deadline, as the office read it (version
    ``expected_version``: a draft recomputed since is not published unseen): from now on its results never
    change."""
    _check_office(actor)
    current = Run.objects.select_for_update().get(pk=run.pk)
    check_version(current.version, expected_version, _("考核结果"), acting=True)
    refused = _unpublishable(current, timezone.now())
    if refused:
        raise ValidationError(refused, code="state")
    if current.supersedes_id:
        Run.objects.filter(pk=current.supersedes_id).update(
            state=RunState.SUPERSEDED, version=F("version") + 1
        )
    current.state, current.published_at = RunState.PUBLISHED, timezone.now()
    ClosedPeriod.close(current.period_code, Period.parse(current.period_code).end)
    current.published_by = audit.actor_or_none(actor)
    current.version += 1
    current.save()
    notice.issue_number(current, actor=actor)
    audit.record(
        "assess.publish",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"period": current.period_code, "revision": current.revision},
    )
    return current


@transaction.atomic
def revise(run: Run, reason: str, *, actor, expected_version: int | None = None) -> Run:
    """Open a correction of a published period: a new draft revision linked to it, computed from the data as
    they are now; publishing it supersedes the old results, which stay on record. The published run is named at
    the version the office read (``expected_version``), and opening the correction bumps it, so a second
    correction opened from the same page is stale."""
    _check_office(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("修订须写明原因。")})
    current = Run.objects.select_for_update().get(pk=run.pk)
    check_version(current.version, expected_version, _("考核结果"), acting=True)
    if current.state != RunState.PUBLISHED:
        raise ValidationError(_("只有已发布的结果可以修订。"), code="state")
    if Run.objects.filter(supersedes=current).exists():
        raise ValidationError(_("该结果已有修订草稿。"), code="exists")
    results = compute(Period.parse(current.period_code), current.scheme)
    revision = Run.objects.create(
        period_code=current.period_code,
        period_kind=current.period_kind,
        scheme=current.scheme,
        revision=current.revision + 1,
        supersedes=current,
        reason=reason.strip(),
        created_at=timezone.now(),
        created_by=audit.actor_or_none(actor),
    )
    _save_results({revision.period_code: revision}, results)
    current.version += 1
    current.save(update_fields=["version"])
    audit.record(
        "assess.revise",
        actor=actor,
        obj=revision,
        only_changes=False,
        after={"period": revision.period_code, "revision": revision.revision, "reason": reason.strip()},
    )
    return revision


def parse_periods(text: str) -> list[Period]:
    """Periods written as codes separated by commas or spaces, each a code or a FIRST..LAST range of one kind:
    "2026-11-2", "2026-01..2026-10", "2026-11-1..2026-11-3, 2026-11"."""
    periods: list[Period] = []
    for part in text.replace("，", ",").replace(",", " ").split():
        first, _dots, last = part.partition("..")
        try:
            start = Period.parse(first)
            end = Period.parse(last) if last else start
        except ValueError:
            raise ValidationError(
                {
                    "period": _(
                        "无法识别的期别“%(text)s”，应如 2026年11月中旬、2026年11月或 2026年1月..2026年10月。"
                    )
                    % {"text": part}
                }
            ) from None
        if start.kind != end.kind or end < start:
            raise ValidationError(
                {"period": _("“%(text)s”：起止须为同一类期别，且起不晚于止。") % {"text": part}}
            )
        periods.extend(Period.range(start, end))
    return _periods([p.code for p in periods])


def what_if(trial: Scheme, periods: Sequence[Period], kind: str = SubjectKind.HEADQUARTERS) -> list[dict]:
    """``trial`` over past periods beside the scheme in force, computed and saved nowhere: for each subject of
    ``kind``, its mean rank and score over the periods by each, the change, and the consequences each gives."""
    active = scheme_for(periods[0].year)
    frames = load(periods)
    results = {}
    for name, row in (("was", active), ("now", trial)):
        scheme = row.engine_scheme()
        out = engine.assess(
            frames["projects"],
            frames["facts"],
            frames["evaluations"],
            frames["adjustments"],
            frames["history"],
            scheme,
            explain=False,
            completions=sources.completions(periods, scheme),
        )
        scores = (
            out.scores.filter(pl.col("subject_kind") == kind)
            .group_by("subject_id")
            .agg(
                pl.col("rank").mean().alias(f"{name}_rank"),
                pl.col("score").mean().alias(f"{name}_score"),
                pl.col("group").last().alias(f"{name}_group"),
            )
        )
        marks = out.consequences.filter(pl.col("subject_kind") == kind).group_by("subject_id", "kind").len()
        results[name] = (scores, {(sid, k): n for sid, k, n in marks.iter_rows()})
    joined = results["now"][0].join(results["was"][0], on="subject_id", how="full", coalesce=True)
    names = subject_names()
    labels = dict(ConsequenceKind.choices)

    def marks(which: str, sid: int) -> str:
        given = results[which][1]
        return "、".join(
            f"{labels[k]}×{given[(sid, k)]}" if given[(sid, k)] > 1 else str(labels[k])
            for k in labels
            if (sid, k) in given
        )

    rows = []
    for r in joined.iter_rows(named=True):
        sid = r["subject_id"]
        moved = (
            None
            if r["was_rank"] is None or r["now_rank"] is None
            else round(r["was_rank"] - r["now_rank"], 1)
        )
        rows.append(
            {
                "name": names.get((kind, sid), str(sid)),
                "group": r["now_group"] or r["was_group"] or "",
                "rank": r["now_rank"],
                "score": r["now_score"],
                "was_rank": r["was_rank"],
                "was_score": r["was_score"],
                "moved": moved,
                "marks": marks("now", sid),
                "was_marks": marks("was", sid),
            }
        )
    rows.sort(key=lambda row: (row["group"], row["rank"] if row["rank"] is not None else 1e9, row["name"]))
    return rows


# Comprehensive evaluation


@transaction.atomic
def record_evaluations(
    rater, period_code: str, scores: dict[tuple[str, int], tuple[float | str, str, int | None]]
) -> int:
    """Save ``rater``'s scores (0–100, with an optional comment) of their assigned subjects for a period; a
    published period takes no more. Returns how many were saved.

    Each score comes with the version of the rater's earlier score of that subject (None for a first one): a
    score given since (in another window) is not overwritten unseen — the batch is refused as stale, naming each
    subject, with the first one's version. A score that changes bumps its version."""
    period = Period.parse(period_code)
    if Run.objects.filter(period_code=period.code, state=RunState.PUBLISHED).exists():
        raise ValidationError(
            _("%(period)s 的考核结果已发布，不能再评分。") % {"period": period}, code="published"
        )
    assigned = set(EvaluatorAssignment.objects.filter(rater=rater).values_list("subject_kind", "subject_id"))
    errors, saved = {}, 0
    existing = {
        (e.subject_kind, e.subject_id): e
        for e in Evaluation.objects.select_for_update().filter(period_code=period.code, rater=rater)
    }
    stale: dict[str, str] = {}
    stale_version = None
    for (kind, subject_id), (_value, _comment, version) in scores.items():
        row = existing.get((kind, subject_id))
        if row is not None and version is not ANY_VERSION and version != row.version:
            stale[f"{kind}-{subject_id}"] = _("该评分已在别处修改（当前版本 %(v)d），请刷新后重新评分。") % {
                "v": row.version
            }
            stale_version = row.version if stale_version is None else stale_version
    if stale:
        raise Stale(stale, current_version=stale_version)
    for (kind, subject_id), (value, comment, _version) in scores.items():
        if (kind, subject_id) not in assigned:
            raise PermissionDenied(_("未分配给你评价的对象。"))
        try:
            score = Decimal(str(value)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors[f"{kind}-{subject_id}"] = _("评分须为数字。")
            continue
        if not Decimal(0) <= score <= Decimal(100):
            errors[f"{kind}-{subject_id}"] = _("评分应在 0 到 100 之间。")
            continue
        row, created = existing.get((kind, subject_id)), False
        if row is None:
            try:
                with transaction.atomic():
                    row = Evaluation.objects.create(
                        period_code=period.code,
                        subject_kind=kind,
                        subject_id=subject_id,
                        rater=rater,
                        score=score,
                        comment=comment[:300],
                    )
            except IntegrityError:  # scored in another window a moment ago
                raise raced(_("评分")) from None
            created = True
        if not created and (row.score, row.comment) != (score, comment[:300]):
            before = {"score": row.score, "comment": row.comment}
            row.score, row.comment = score, comment[:300]
            row.version += 1
            row.save()
            audit.record(
                "assess.evaluation.update",
                actor=rater,
                obj=row,
                before=before,
                after={"score": score, "comment": row.comment},
            )
        elif created:
            audit.record(
                "assess.evaluation.create",
                actor=rater,
                obj=row,
                only_changes=False,
                after={"score": score, "comment": row.comment},
            )
        saved += 1
    if errors:
        raise ValidationError(errors)
    return saved


def missing_evaluations(period_code: str) -> list[tuple]:
    """Assignments without a score for the period: (rater, subject kind, subject id, subject name)."""
    done = set(
        Evaluation.objects.filter(period_code=period_code).values_list(
            "rater_id", "subject_kind", "subject_id"
        )
    )
    names = subject_names()
    return [
        (a.rater, a.subject_kind, a.subject_id, names.get((a.subject_kind, a.subject_id), str(a.subject_id)))
        for a in EvaluatorAssignment.objects.select_related("rater").order_by("rater__username")
        if (a.rater_id, a.subject_kind, a.subject_id) not in done
    ]


def run_due(now: datetime | None = None) -> list[str]:
    """The scheduled part (`gongjian tick`): draft the assessment of every reporting period whose deadline passed
    within the last week and that has no results yet. Returns the periods assessed."""
    now = now or timezone.now()
    done = set(Run.objects.values_list("period_code", flat=True))
    assessed = []
    for code in (
        ReportingPeriod.objects.filter(deadline__lt=now, deadline__gte=now - timedelta(days=7))
        .order_by("deadline")
        .values_list("code", flat=True)
    ):
        if code not in done:
            # Never early: a period whose deadline falls before its end waits for its end.
            runs = run_assessments(
                [code], actor=None, skip_published=False, skip_open=True, versions=ANY_VERSION
            )
            assessed.extend(run.period_code for run in runs)
    return assessed


def year_end(year: int) -> pl.DataFrame:
    """The year-end ranking and grades from the published monthly results of ``year`` (by the year's scheme)."""
    runs = Run.objects.filter(
        state=RunState.PUBLISHED, period_kind="month", period_code__startswith=f"{year}-"
    )
    rows = list(
        Score.objects.filter(run__in=runs).values_list(
            "run__period_code", "subject_kind", "subject_id", "group", "score"
        )
    )
    scores = pl.DataFrame(
        [(code, "month", kind, sid, group or engine.ALL, score) for code, kind, sid, group, score in rows],
        schema={
            "period_code": pl.String,
            "period_kind": pl.String,
            "subject_kind": pl.String,
            "subject_id": pl.Int64,
            "group": pl.String,
            "score": pl.Float64,
        },
        orient="row",
    )
    return engine.grade_year(scores, scheme_for(year).engine_scheme())
