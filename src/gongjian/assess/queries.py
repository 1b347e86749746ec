"""Reads of assessment results: which scores a user may see, and the explanations of scores, written from their
run's figures when they are read."""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence

import polars as pl
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from gongjian.assess import engine
from gongjian.assess.models import (
    Evaluation,
    EvaluatorAssignment,
    Run,
    RunFigures,
    RunState,
    Score,
    SubjectKind,
)
from gongjian.core.periods import Period
from gongjian.org.scope import scope_for
from gongjian.projects.models import Project

Subject = tuple[str, int]  # (subject_kind, subject_id)


def scores_in_scope(user) -> QuerySet[Score]:
    """The scores ``user`` may see: all for those who see every project; otherwise the scores of what their
    projects count towards — the project itself, its headquarters, its responsible unit and its park — and a
    leader's own score (a cadre's score is theirs, not their projects' units')."""
    scope = scope_for(user)
    if scope.sees_all:
        return Score.objects.all()
    if scope.is_empty:
        return Score.objects.none()
    projects = Project.objects.in_scope(user)
    query = (
        Q(subject_kind=SubjectKind.PROJECT, subject_id__in=projects.values("pk"))
        | Q(subject_kind=SubjectKind.HEADQUARTERS, subject_id__in=projects.values("headquarters_id"))
        | Q(subject_kind=SubjectKind.UNIT, subject_id__in=projects.values("responsible_unit_id"))
        | Q(subject_kind=SubjectKind.AREA, subject_id__in=projects.values("park_id"))
    )
    if scope.person_id:
        query |= Q(subject_kind=SubjectKind.LEADER, subject_id=scope.person_id)
    return Score.objects.filter(query)


def _written(kept: RunFigures, subjects: Collection[Subject] | None) -> dict[Subject, list[str]]:
    if kept.layout != engine.FIGURES_LAYOUT:
        raise ValueError(
            f"the figures of run {kept.run_id} are in layout {kept.layout}, not {engine.FIGURES_LAYOUT}"
        )
    figures = pl.read_parquet(io.BytesIO(kept.data))
    if subjects is not None:
        wanted = pl.DataFrame(
            list(subjects), schema={"subject_kind": pl.String, "subject_id": pl.Int64}, orient="row"
        )
        figures = figures.join(wanted, on=["subject_kind", "subject_id"], how="semi")
    lines = engine.explain(figures, kept.run.scheme.engine_scheme())
    return {
        (kind, sid): [*written, note] if note else written
        for kind, sid, note, written in zip(
            figures["subject_kind"], figures["subject_id"], figures["note"], lines.to_list(), strict=True
        )
    }


def run_explanations(
    run_id: int, subjects: Collection[Subject] | None = None
) -> dict[Subject, list[str]] | None:
    """The explanations of the scores of a run (only of ``subjects`` when given), by subject, written from its
    figures; None for a run computed before issue 14, whose scores keep theirs (``Score.stored_explanation``)."""
    kept = RunFigures.objects.select_related("run__scheme").filter(run_id=run_id).first()
    return None if kept is None else _written(kept, subjects)


def explanations(scores: Sequence[Score]) -> dict[int, list[str]]:
    """The explanation of each of ``scores`` by its id: one line per indicator with its inputs, formula and
    points, the total and rank, a line per consequence rule that applies, and, for a re-baselined project, the
    baseline its figures came from — each run's figures read once, whatever the number of its scores."""
    runs: dict[int, list[Score]] = {}
    for score in scores:
        runs.setdefault(score.run_id, []).append(score)
    kept = RunFigures.objects.select_related("run__scheme").filter(run_id__in=list(runs)).in_bulk()
    out: dict[int, list[str]] = {}
    for run_id, mine in runs.items():
        if run_id not in kept:
            out |= {score.pk: score.stored_explanation for score in mine}
            continue
        written = _written(kept[run_id], {(s.subject_kind, s.subject_id) for s in mine})
        out |= {score.pk: written.get((score.subject_kind, score.subject_id), []) for score in mine}
    return out


def explanation(score: Score) -> list[str]:
    """The explanation of one score (see :func:`explanations`)."""
    return explanations([score])[score.pk]


def scoring_period() -> Period:
    """The period raters score by default: the current ten-day period (the scoring page opens on it)."""
    return Period.dekad_of(timezone.localdate())


def is_rater(user) -> bool:
    """Whether ``user`` has subjects to score (综合评价打分人): assigned by the office, with the permission."""
    return user.has_perm("assess.add_evaluation") and EvaluatorAssignment.objects.filter(rater=user).exists()


def scores_waiting(user, period_code: str | None = None) -> QuerySet[EvaluatorAssignment]:
    """待评分: ``user``'s assigned subjects without their score for the period (default: :func:`scoring_period`);
    none once the period's results are published, as no score is taken then."""
    code = period_code or scoring_period().code
    if Run.objects.filter(period_code=code, state=RunState.PUBLISHED).exists():
        return EvaluatorAssignment.objects.none()
    scored = Evaluation.objects.filter(
        rater=user,
        period_code=code,
        subject_kind=OuterRef("subject_kind"),
        subject_id=OuterRef("subject_id"),
    )
    return EvaluatorAssignment.objects.filter(rater=user).filter(~Exists(scored))


def scores_waiting_count(user) -> int:
    return scores_waiting(user).count()
