"""Running assessments: load a period's facts from the database, run the engine, keep the results as a draft,
publish them (immutable from then on), revise a published period with a reason, and try any scheme over past
periods without saving anything (what-if). Schemes are versions: saving, copying or importing makes a new one."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.assess import engine
from gongjian.assess import scheme as schemes
from gongjian.assess.models import (
    Adjustment,
    Consequence,
    Evaluation,
    Run,
    RunState,
    Scheme,
    SchemeYear,
    Score,
)
from gongjian.core import audit
from gongjian.core.periods import Period
from gongjian.lights.models import Light
from gongjian.org.models import Person, Unit
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import Milestone, Project, ProjectLeader
from gongjian.reports.models import Report, ReportingPeriod

DEFAULT_NAME = "项目建设推进工作考核办法（默认）"


def _check_office(actor) -> None:
    if actor is not None and not actor.has_perm("assess.run_assessment"):
        raise PermissionDenied(_("只有项目办可以管理考核。"))


# -- schemes ---------------------------------------------------------------------------------------------------


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
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
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
def activate(row: Scheme, year: int, *, actor) -> SchemeYear:
    _check_office(actor)
    current = SchemeYear.objects.select_for_update().filter(year=year).first()
    before = {"scheme": str(current.scheme)} if current else None
    current = current or SchemeYear(year=year)
    current.scheme = row
    current.activated_by = actor if getattr(actor, "is_authenticated", False) else None
    current.save()
    audit.record(
        "assess.scheme.activate", actor=actor, obj=current, before=before, after={"scheme": str(row)}
    )
    return current


def scheme_for(year: int) -> Scheme:
    """The scheme in force for ``year``; the default scheme (context 000) the first time."""
    active = SchemeYear.objects.select_related("scheme").filter(year=year).first()
    if active:
        return active.scheme
    row = Scheme.objects.filter(name=DEFAULT_NAME).order_by("-version").first()
    if row is None:
        default = schemes.default_scheme()
        data = default.as_dict() | {"name": DEFAULT_NAME, "version": 1}
        row = Scheme.objects.create(name=DEFAULT_NAME, version=1, content=data, note=_("默认方案"))
    return SchemeYear.objects.create(year=year, scheme=row).scheme


# -- the engine's inputs ---------------------------------------------------------------------------------------


def load(period: Period, *, now: datetime | None = None) -> dict[str, pl.DataFrame]:
    """The engine's frames for one period (a ten-day period or a month), from the database."""
    from gongjian.lights.services import load_inputs

    now = now or timezone.now()
    today = min(timezone.localdate(), period.end)
    projects = list(
        Project.objects.filter(is_archived=False).values_list(
            "pk",
            "name",
            "category",
            "headquarters_id",
            "responsible_unit_id",
            "park_id",
            "responsible_unit__kind",
        )
    )
    ids = [p[0] for p in projects]
    leads = dict(
        ProjectLeader.objects.filter(role=LeaderRole.LEAD, project_id__in=ids).values_list(
            "project_id", "person_id"
        )
    )
    from gongjian.projects.models import AnnualPlan

    planned = dict(AnnualPlan.objects.filter(year=period.year).values_list("project_id", "total"))
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
            for pid, name, category, hq, unit, park, unit_kind in projects
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

    # plan and investment to date, as the lights read them
    inputs = load_inputs(ids, [period], today=today, now=now)
    money = inputs.rows.select("project_id", "plan_to_date", "done_to_date")

    # milestones due by the period's end, and those reached by their planned date
    due: dict[int, list[int]] = {}
    for pid, planned_date, actual in Milestone.objects.filter(
        project_id__in=ids, planned_date__lte=period.end
    ).values_list("project_id", "planned_date", "actual_date"):
        row = due.setdefault(pid, [0, 0])
        row[0] += 1
        row[1] += int(actual is not None and actual <= planned_date)

    # reports of the reporting periods inside this period whose deadline has passed: missing and late
    inner = [
        p
        for p in ReportingPeriod.objects.filter(deadline__lt=now, code__startswith=f"{period.year}-")
        if p.period.start >= period.start and p.period.end <= period.end
    ]
    filed = {
        (pid, period_id): first
        for pid, period_id, first in Report.objects.filter(
            period__in=inner, first_submitted_at__isnull=False
        ).values_list("project_id", "period_id", "first_submitted_at")
    }
    reds = dict.fromkeys(ids, 0)
    codes = [p.code for p in ([period] if period.dekad else period.dekads())]
    for pid in Light.objects.filter(period_code__in=codes, colour=2, project_id__in=ids).values_list(
        "project_id", flat=True
    ):
        reds[pid] += 1
    facts = []
    for pid in ids:
        missing = sum((pid, rp.pk) not in filed for rp in inner)
        late = sum(1 for rp in inner if (pid, rp.pk) in filed and filed[(pid, rp.pk)] > rp.deadline)
        milestones = due.get(pid, [0, 0])
        facts.append(
            {
                "period_code": period.code,
                "project_id": pid,
                "period_kind": str(period.kind),
                "milestones_due": milestones[0],
                "milestones_met": milestones[1],
                "missing_reports": missing,
                "late_reports": late,
                "red_lights": reds[pid],
            }
        )
    fact_frame = pl.DataFrame(
        facts,
        schema={k: v for k, v in engine.FACT_COLUMNS.items() if k not in {"plan_to_date", "done_to_date"}},
    )
    fact_frame = (
        fact_frame.join(money, on="project_id", how="left")
        .with_columns(pl.col("plan_to_date").fill_null(0), pl.col("done_to_date").fill_null(0))
        .select(list(engine.FACT_COLUMNS))
    )

    evaluations = pl.DataFrame(
        [
            (e.period_code, e.subject_kind, e.subject_id, e.rater_id, float(e.score))
            for e in Evaluation.objects.filter(period_code=period.code)
        ],
        schema=dict(engine.EVALUATION_COLUMNS),
        orient="row",
    )
    adjustments = pl.DataFrame(
        [
            (a.period_code, a.subject_kind, a.subject_id, float(a.points), a.reason)
            for a in Adjustment.objects.filter(period_code=period.code)
        ],
        schema=dict(engine.ADJUSTMENT_COLUMNS),
        orient="row",
    )
    earlier = Consequence.objects.filter(
        run__state=RunState.PUBLISHED,
        kind="yellow_card",
        run__period_kind="month",
        run__period_code__lt=period.code,
    )
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


def compute(period: Period, row: Scheme) -> engine.Results:
    frames = load(period)
    return engine.assess(
        frames["projects"],
        frames["facts"],
        frames["evaluations"],
        frames["adjustments"],
        frames["history"],
        row.engine_scheme(),
    )


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


# -- runs ------------------------------------------------------------------------------------------------------


def _save_results(run: Run, results: engine.Results) -> None:
    names = subject_names()
    points = [c for c in results.scores.columns if c.endswith("_points")]
    Score.objects.bulk_create(
        Score(
            run=run,
            subject_kind=row["subject_kind"],
            subject_id=row["subject_id"],
            subject_name=names.get((row["subject_kind"], row["subject_id"]), str(row["subject_id"])),
            group=row["group"] or "",
            score=row["score"],
            rank=row["rank"],
            group_size=row["group_size"],
            points={c.removesuffix("_points"): row[c] for c in points},
            explanation=list(row["explanation"]),
        )
        for row in results.scores.iter_rows(named=True)
    )
    Consequence.objects.bulk_create(
        Consequence(
            run=run,
            subject_kind=row["subject_kind"],
            subject_id=row["subject_id"],
            subject_name=names.get((row["subject_kind"], row["subject_id"]), str(row["subject_id"])),
            kind=row["kind"],
            amount=row["amount"] or 0,
            reason=row["reason"][:300],
        )
        for row in results.consequences.iter_rows(named=True)
    )


@transaction.atomic
def run_assessment(code: str, *, actor, scheme: Scheme | None = None) -> Run:
    """Assess the period ``code`` and keep the results as a draft, replacing an earlier draft of it. A published
    period is not rerun: revise it (:func:`revise`)."""
    _check_office(actor)
    period = Period.parse(code)
    if period.dekad is None and period.month is None:
        raise ValidationError({"period": _("考核期须为某一旬或某一月。")})
    runs = Run.objects.select_for_update().filter(period_code=period.code)
    draft = runs.filter(state=RunState.DRAFT).first()
    published = runs.filter(state=RunState.PUBLISHED).first()
    if published and not (draft and draft.supersedes_id == published.pk):
        raise ValidationError(
            _("%(period)s 的考核结果已发布，如需更正请提出修订。") % {"period": period}, code="published"
        )
    row = scheme or (draft.scheme if draft else scheme_for(period.year))
    try:
        results = compute(period, row)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if draft:
        draft.scores.all().delete()
        draft.consequences.all().delete()
        draft.scheme, draft.created_at = row, timezone.now()
        draft.created_by = actor if getattr(actor, "is_authenticated", False) else None
        draft.save()
        run = draft
    else:
        last = runs.aggregate(r=Max("revision"))["r"] or 0
        run = Run.objects.create(
            period_code=period.code,
            period_kind=str(period.kind),
            scheme=row,
            revision=last + 1,
            created_at=timezone.now(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    _save_results(run, results)
    audit.record(
        "assess.run",
        actor=actor,
        obj=run,
        only_changes=False,
        after={
            "period": run.period_code,
            "scheme": str(row),
            "scores": results.scores.height,
            "consequences": results.consequences.height,
        },
    )
    return run


@transaction.atomic
def publish(run: Run, *, actor) -> Run:
    """Publish a draft: from now on its results never change."""
    _check_office(actor)
    current = Run.objects.select_for_update().get(pk=run.pk)
    if current.state != RunState.DRAFT:
        raise ValidationError(_("只有草稿可以发布。"), code="state")
    if current.supersedes_id:
        Run.objects.filter(pk=current.supersedes_id).update(state=RunState.SUPERSEDED)
    current.state, current.published_at = RunState.PUBLISHED, timezone.now()
    current.published_by = actor if getattr(actor, "is_authenticated", False) else None
    current.save()
    audit.record(
        "assess.publish",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"period": current.period_code, "revision": current.revision},
    )
    return current


@transaction.atomic
def revise(run: Run, reason: str, *, actor) -> Run:
    """Open a correction of a published period: a new draft revision linked to it, computed from the data as
    they are now; publishing it supersedes the old results, which stay on record."""
    _check_office(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("修订须写明原因。")})
    current = Run.objects.select_for_update().get(pk=run.pk)
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
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _save_results(revision, results)
    audit.record(
        "assess.revise",
        actor=actor,
        obj=revision,
        only_changes=False,
        after={"period": revision.period_code, "revision": revision.revision, "reason": reason.strip()},
    )
    return revision


def what_if(row: Scheme, codes: list[str]) -> dict[str, engine.Results]:
    """Results of ``row`` over past periods, computed and not saved (to compare with the published ones)."""
    return {code: compute(Period.parse(code), row) for code in codes}


# -- comprehensive evaluation ------------------------------------------------------------------------------------


@transaction.atomic
def record_evaluations(rater, period_code: str, scores: dict[tuple[str, int], tuple[float, str]]) -> int:
    """Save ``rater``'s scores (0–100, with an optional comment) of their assigned subjects for a period; a
    published period takes no more. Returns how many were saved."""
    from decimal import Decimal, InvalidOperation

    from gongjian.assess.models import EvaluatorAssignment

    period = Period.parse(period_code)
    if Run.objects.filter(period_code=period.code, state=RunState.PUBLISHED).exists():
        raise ValidationError(
            _("%(period)s 的考核结果已发布，不能再评分。") % {"period": period}, code="published"
        )
    assigned = set(EvaluatorAssignment.objects.filter(rater=rater).values_list("subject_kind", "subject_id"))
    errors, saved = {}, 0
    for (kind, subject_id), (value, comment) in scores.items():
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
        row, created = Evaluation.objects.get_or_create(
            period_code=period.code,
            subject_kind=kind,
            subject_id=subject_id,
            rater=rater,
            defaults={"score": score, "comment": comment[:300]},
        )
        if not created and (row.score, row.comment) != (score, comment[:300]):
            before = {"score": row.score, "comment": row.comment}
            row.score, row.comment = score, comment[:300]
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
    from gongjian.assess.models import EvaluatorAssignment

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
    from datetime import timedelta

    now = now or timezone.now()
    done = set(Run.objects.values_list("period_code", flat=True))
    assessed = []
    for code in ReportingPeriod.objects.filter(deadline__lt=now, deadline__gte=now - timedelta(days=7)) \
            .order_by("deadline").values_list("code", flat=True):
        if code not in done:
            run_assessment(code, actor=None)
            assessed.append(code)
    return assessed


def year_end(year: int) -> pl.DataFrame:
    """The year-end ranking and grades from the published monthly results of ``year`` (by the year's scheme)."""
    runs = Run.objects.filter(state=RunState.PUBLISHED, period_kind="month", period_code__startswith=f"{year}-")
    rows = list(Score.objects.filter(run__in=runs).values_list(
        "run__period_code", "subject_kind", "subject_id", "group", "score"))
    scores = pl.DataFrame(
        [(code, "month", kind, sid, group or engine.ALL, score) for code, kind, sid, group, score in rows],
        schema={"period_code": pl.String, "period_kind": pl.String, "subject_kind": pl.String,
                "subject_id": pl.Int64, "group": pl.String, "score": pl.Float64}, orient="row")
    return engine.grade_year(scores, scheme_for(year).engine_scheme())
