"""The assessment engine (考核): scores, ranks, consequences and their explanations, from plain columns.

:func:`assess` applies a :class:`~gongjian.assess.scheme.Scheme` to every period present in the facts at once
(10,000 projects × 36 旬 in one call); :func:`grade_year` grades a year from the monthly results. Pure: polars
and the standard library in, polars out; no Django. The same inputs always give the same results, so any
scheme can be run over past periods to see what it would have given (what-if).

Inputs (one frame each; extra columns are ignored):

projects      one row per project: ``project_id`` (int), ``planned`` (int yuan ≥ 0, this year's planned
              investment, the weight when aggregating), and for every aggregate kind of subject the scheme
              assesses, the column ``<kind>_id`` (int, null when the project has none: ``headquarters_id``,
              ``unit_id``, ``leader_id``, ``area_id``); for every kind the scheme ranks within groups, the column
              ``<kind>_group`` (text, e.g. ``unit_group``: "department", "street", "soe"; ``project_group`` for
              projects), the same for all projects of one subject and set wherever ``<kind>_id`` is.
              ``name`` and ``category`` may be present and are not used.
facts         one row per period and project: ``period_code`` (``Period.code``: "2026-03-2" for 2026年3月中旬,
              "2026-03" for March), ``project_id``, ``period_kind`` ("dekad" or "month", agreeing with the code),
              ``plan_to_date`` and ``done_to_date`` (int yuan: this year's plan through the period's end and the
              investment done this year to date), ``milestones_due`` (milestones whose planned date is on or
              before the period's end), ``milestones_met`` (of those, the ones reached by their planned date),
              ``missing_reports``, ``late_reports`` and ``red_lights`` (counts for the period); all ints ≥ 0.
evaluations   ``period_code``, ``subject_kind``, ``subject_id``, ``rater_id``, ``score`` (0–100): one row per
              rater and subject (综合评价).
adjustments   ``period_code``, ``subject_kind``, ``subject_id``, ``points`` (±), ``reason``: the office's bonus
              and penalty items (加减分). Items for a subject or period not assessed are ignored.
history       ``period_code`` (a month), ``subject_kind``, ``subject_id``, ``kind``: consequences given in
              earlier runs; the yellow cards count towards a black card's run of months. Months assessed in this
              call are taken from this call, not from the history.
completions   (optional, read only when the scheme scores 目标完成) ``period_code``, ``subject_kind``,
              ``subject_id``, ``rate`` (≥ 0: the subject's completion of its targets to the period's end, 1.0
              for 100 %) and ``detail`` (the words behind it, quoted in the explanation): one row per subject and
              period at most.

How a subject is scored (see the scheme's classes for each indicator's formula):

- A project's rates are its own. A headquarters', unit's, leader's or area's rate is the mean of its projects'
  rates, each capped at the indicator's cap, weighted by the projects' annual planned investment (or equally,
  as the scheme says; equally too when all its projects plan 0). Counts of missing and late reports and of red
  lights add up over its projects. A subject is assessed in a period when at least one of its projects has a
  row of facts there.
- A project with no plan to date (``plan_to_date`` 0) has no investment rate; the investment indicator's
  ``no_plan`` says what it gets. ``reweight``: it is left out of the indicator (0 points, said so) and its
  progress and evaluation are scored out of the full marks :meth:`~gongjian.assess.scheme.Scheme.reweighted`
  gives, so that its scored indicators still add up to the scheme's total; an aggregate leaves such projects
  out of its mean and is left out itself when none of its projects plans anything. ``zero``: 0 points.
  ``full``: full attainment. No milestone due counts as complete (nothing can be behind).
- The comprehensive evaluation of a subject is the mean of its raters' scores, without the highest and the
  lowest from the scheme's ``trim_from`` raters on. A subject nobody rated takes, if it is an aggregate, the
  weighted mean of its rated projects' evaluations; otherwise the mean of the rated subjects of its group;
  when nobody in the group was rated, the indicator gives 0 points and says so.
- Points of each indicator are rounded to the cent (0.01, halves up), the score is their sum. Subjects are
  ranked by score, best first, within (period, kind of subject, group); ties share the better rank (1, 2, 2, 4).
- Consequences follow the scheme's rules (see :class:`~gongjian.assess.scheme.Consequence`). A subject with
  a yellow card in a period gets no red flag or reward of the same kind of period, even when it is among the
  first (a group of three with rewards for the first three).

Every score has its explanation: one line per indicator with its inputs, formula and points, the total and rank,
and for each consequence rule that applies to the row whether it was given and why. Writing them all is most of
the work of a run and nobody reads most of them, so :func:`assess` keeps instead the figures they are written
from (:attr:`Results.figures`, a few numbers a row), and :func:`explain` writes any of them — one subject's for
its page, a run's for its export — word for word as ``assess(..., explain=True)`` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

import polars as pl

from gongjian.assess.scheme import (
    AdjustmentIndicator,
    Consequence,
    ConsequenceKind,
    Curve,
    EvaluationIndicator,
    Indicator,
    IndicatorKind,
    InvestmentIndicator,
    Mode,
    NoPlan,
    ProgressIndicator,
    RedLightsIndicator,
    ReportsIndicator,
    Scheme,
    ScoredIndicator,
    SubjectKind,
    TargetsIndicator,
    Weighting,
    YearEndBasis,
)
from gongjian.core.periods import Period, PeriodKind

__all__ = [
    "ADJUSTMENT_COLUMNS",
    "ALL",
    "COMPLETION_COLUMNS",
    "EVALUATION_COLUMNS",
    "FACT_COLUMNS",
    "FIGURES_LAYOUT",
    "HISTORY_COLUMNS",
    "Results",
    "assess",
    "explain",
    "grade_year",
    "group_column",
    "id_column",
]

#: The group of subjects that are ranked all together.
ALL: Final = "all"

FACT_COLUMNS: Final[Mapping[str, pl.DataType | type[pl.DataType]]] = {
    "period_code": pl.String,
    "project_id": pl.Int64,
    "period_kind": pl.String,
    "plan_to_date": pl.Int64,
    "done_to_date": pl.Int64,
    "milestones_due": pl.Int64,
    "milestones_met": pl.Int64,
    "missing_reports": pl.Int64,
    "late_reports": pl.Int64,
    "red_lights": pl.Int64,
}
EVALUATION_COLUMNS: Final[Mapping[str, pl.DataType | type[pl.DataType]]] = {
    "period_code": pl.String,
    "subject_kind": pl.String,
    "subject_id": pl.Int64,
    "rater_id": pl.Int64,
    "score": pl.Float64,
}
ADJUSTMENT_COLUMNS: Final[Mapping[str, pl.DataType | type[pl.DataType]]] = {
    "period_code": pl.String,
    "subject_kind": pl.String,
    "subject_id": pl.Int64,
    "points": pl.Float64,
    "reason": pl.String,
}
COMPLETION_COLUMNS: Final[Mapping[str, pl.DataType | type[pl.DataType]]] = {
    "period_code": pl.String,
    "subject_kind": pl.String,
    "subject_id": pl.Int64,
    "rate": pl.Float64,
    "detail": pl.String,
}
HISTORY_COLUMNS: Final[Mapping[str, pl.DataType | type[pl.DataType]]] = {
    "period_code": pl.String,
    "subject_kind": pl.String,
    "subject_id": pl.Int64,
    "kind": pl.String,
}

#: The layout of :attr:`Results.figures`; a change to the columns or their meaning changes it, so that figures
#: kept under another layout are not misread.
FIGURES_LAYOUT: Final = 1
_FIGURE_KEYS: Final = ["period_code", "period_kind", "subject_kind", "subject_id", "group"]
_RANKS: Final = ["rank", "group_size"]
# The engine's frames are collected whole: the streaming engine's many small chunks make the steps after slower.
_ENGINE: Final = "in-memory"

# Ranks and group statistics are taken within (period, kind of subject, group), named by one integer (see
# :func:`_group_key`), which hashes and sorts many times faster than the three columns.
_GK: Final = "_gk"
_SUBJECT: Final = ["subject_kind", "subject_id"]
# Rounding to the cent adds this before flooring, so that a half computed as 0.4999999999 still rounds up
# and two ways of computing the same half agree.
_EPS: Final = 1e-9

# Whom a yellow card's interview (约谈) is with.
_HEADS: Final = {
    SubjectKind.PROJECT: "项目负责人",
    SubjectKind.HEADQUARTERS: "指挥长",
    SubjectKind.UNIT: "单位主要负责人",
    SubjectKind.LEADER: "包挂领导",
    SubjectKind.AREA: "主要负责人",
}

_CONSEQUENCE_ORDER: Final = {kind.value: i for i, kind in enumerate(ConsequenceKind)}
_KIND: Final = pl.Enum([kind.value for kind in SubjectKind])
# Where a subject's comprehensive evaluation came from: its own raters, its projects', its group's mean, none.
_SOURCE: Final = pl.Enum(["own", "projects", "group", "none"])


def id_column(kind: SubjectKind) -> str:
    """The projects' column naming the subject of ``kind`` a project belongs to."""
    return f"{kind.value}_id"


def group_column(kind: SubjectKind) -> str:
    """The projects' column naming the ranking group of the subject of ``kind``."""
    return f"{kind.value}_group"


@dataclass(frozen=True, eq=False)
class Results:
    """What :func:`assess` gives.

    ``scores``: one row per period and subject: period_code, period_kind, subject_kind, subject_id, group,
    score, rank, group_size, one ``<indicator>_points`` column per indicator of the scheme (in its order),
    scheme_version and, when asked for, explanation (list of texts); sorted by kind of subject (project,
    headquarters, unit, leader, area), kind of period (dekad, month), period, group, rank and id.

    ``consequences``: one row per consequence: period_code, period_kind, subject_kind, subject_id, group,
    kind (red_flag, reward, yellow_card, interview, black_card, public_criticism), amount (yuan, rewards only),
    reason and scheme_version; sorted by period, kind of subject, id and kind.

    ``figures``: a row for each row of ``scores``, in the same order — the figures its explanation is written
    from (what the scheme's indicators and rules need: the subject's inputs and rates, its group's best where an
    indicator is relative, its points, rank and whether each rule was given), keyed by period_code,
    period_kind, subject_kind, subject_id and group. Kept with the scheme, they are all :func:`explain` needs;
    their layout is :data:`FIGURES_LAYOUT`.
    """

    scores: pl.DataFrame
    consequences: pl.DataFrame
    figures: pl.DataFrame
    scheme_name: str
    scheme_version: int


# Formatting
# Numbers in explanations: rounded half up, trailing zeros dropped ("24.8", "40", "-2"); money in 万元 with
# two decimals as everywhere else.


def _round(expr: pl.Expr, decimals: int) -> pl.Expr:
    scale = float(10**decimals)
    units = (expr * scale + 0.5 + _EPS).floor()
    # Polars divides by a constant by multiplying with its reciprocal (4823 × 0.01 = 48.230000000000004);
    # dividing by a column gives the float nearest to 48.23, as Python's 4823 / 100 does.
    return units / (units * 0.0 + scale)


def _cents(expr: pl.Expr) -> pl.Expr:
    """Round to 0.01, halves up."""
    return _round(expr, 2)


def _num(expr: pl.Expr, decimals: int = 2) -> pl.Expr:
    # A float rounded to a few decimals prints as those decimals (shortest round-trip form); drop a ".0".
    return _round(expr, decimals).cast(pl.String).str.strip_suffix(".0")


def _signed(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr >= 0).then(pl.lit("+") + _num(expr)).otherwise(_num(expr))


def _num_text(value: float, decimals: int = 2) -> str:
    """:func:`_num` for one number known when the expression is built."""
    scale = 10**decimals
    text = str(math.floor(value * scale + 0.5 + _EPS) / scale)
    return text.removesuffix(".0")


def _wan(yuan: pl.Expr) -> pl.Expr:
    """Yuan as 万元 with two decimals, half up: 6_200_000 → "620.00"."""
    hundreds = (yuan + 50) // 100
    return pl.format("{}.{}", hundreds // 100, (hundreds % 100).cast(pl.String).str.zfill(2))


# Inputs


def _conform(
    frame: pl.DataFrame, schema: Mapping[str, pl.DataType | type[pl.DataType]], name: str
) -> pl.DataFrame:
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {', '.join(missing)}")
    try:
        return frame.select(pl.col(c).cast(t) for c, t in schema.items())
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"{name} has a column of the wrong type: {exc}") from None


def _nulls(frame: pl.DataFrame, columns: Sequence[str], name: str) -> None:
    counts = frame.select(pl.col(columns).null_count()).row(0)
    bad = [c for c, n in zip(columns, counts, strict=True) if n]
    if bad:
        raise ValueError(f"{name} has empty values in {', '.join(bad)}")


def _aggregate_kinds(scheme: Scheme) -> list[SubjectKind]:
    return [s.kind for s in scheme.subjects if s.kind is not SubjectKind.PROJECT]


def _conform_projects(projects: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    schema: dict[str, pl.DataType | type[pl.DataType]] = {"project_id": pl.Int64, "planned": pl.Int64}
    for kind in _aggregate_kinds(scheme):
        schema[id_column(kind)] = pl.Int64
    for subject in scheme.subjects:
        if subject.grouped:
            schema[group_column(subject.kind)] = pl.String
    projects = _conform(projects, schema, "projects")
    _nulls(projects, ["project_id", "planned"], "projects")
    for subject in scheme.subjects:
        if subject.grouped:
            column = group_column(subject.kind)
            belongs = (
                pl.lit(True)
                if subject.kind is SubjectKind.PROJECT
                else pl.col(id_column(subject.kind)).is_not_null()
            )
            if projects.select((belongs & pl.col(column).is_null()).any()).item():
                raise ValueError(f"projects has empty values in {column}")
    found = projects.select(
        pl.col("project_id").is_duplicated().any().alias("twice"),
        (pl.col("planned") < 0).any().alias("negative"),
    ).row(0, named=True)
    if found["twice"]:
        raise ValueError("projects names a project_id twice")
    if found["negative"]:
        raise ValueError("projects has a negative planned investment")
    for subject in scheme.subjects:
        if subject.grouped and subject.kind is not SubjectKind.PROJECT:
            key, group = id_column(subject.kind), group_column(subject.kind)
            split = (
                projects.filter(pl.col(key).is_not_null())
                .group_by(key)
                .agg(pl.col(group).n_unique().alias("n"))
                .filter(pl.col("n") > 1)
            )
            if not split.is_empty():
                raise ValueError(
                    f"projects puts {subject.kind} {split[key].min()!s} in more than one {group}"
                )
    return projects


def _check_periods(codes: Sequence[str], name: str, *, months_only: bool = False) -> pl.DataFrame:
    """The distinct period codes, sorted, with their kind and, for months, their index (year × 12 + month − 1)."""
    rows = []
    for code in sorted(set(codes)):
        try:
            period = Period.parse(code)
        except ValueError as exc:
            raise ValueError(f"{name} has a period_code that is not a period: {exc}") from None
        if period.code != code:
            raise ValueError(f"{name} has the period_code {code!r}; write it as {period.code!r}")
        if period.kind is PeriodKind.YEAR or (months_only and period.kind is not PeriodKind.MONTH):
            raise ValueError(f"{name} has the period_code {code!r}, which is not a month")
        index = period.year * 12 + (period.month or 1) - 1 if period.kind is PeriodKind.MONTH else None
        rows.append((code, period.kind.value, index))
    return pl.DataFrame(
        rows,
        schema={"period_code": pl.String, "period_kind": pl.String, "month_index": pl.Int64},
        orient="row",
    )


def _check_facts(facts: pl.DataFrame, projects: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Refuse facts that cannot be assessed; the periods they cover (see :func:`_check_periods`), and the facts
    with their period_code an enum of those periods, in code order (checked and grouped as small integers)."""
    _nulls(facts, list(FACT_COLUMNS), "facts")
    periods = _check_periods(facts["period_code"].unique().to_list(), "facts")
    facts = facts.with_columns(pl.col("period_code").cast(pl.Enum(periods["period_code"])))
    period = pl.col("period_code").to_physical()
    counts = [c for c in FACT_COLUMNS if c not in ("period_code", "project_id", "period_kind")]
    found = facts.select(
        (pl.min_horizontal(counts) < 0).any().alias("negative"),
        (pl.col("milestones_met") > pl.col("milestones_due")).any().alias("met"),
        (~pl.col("project_id").is_in(projects["project_id"].implode())).any().alias("unknown"),
        (pl.lit(periods["period_kind"]).gather(period) != pl.col("period_kind")).any().alias("kind"),
        pl.col("project_id").min().alias("low"),
        pl.col("project_id").max().alias("high"),
    ).row(0, named=True)
    if found["negative"]:
        raise ValueError(f"facts has a negative value in {', '.join(counts)}")
    if found["met"]:
        raise ValueError("facts has more milestones met than due")
    if found["unknown"]:
        raise ValueError("facts names a project_id that is not in projects")
    if found["kind"]:
        raise ValueError("facts has a period_kind that does not agree with its period_code")
    if facts.height:
        span = found["high"] - found["low"] + 1
        # One integer per (period, project) counts distinct pairs many times faster than a struct does.
        key = (
            period.cast(pl.Int64) * span + (pl.col("project_id") - found["low"])
            if span * periods.height < 2**62
            else pl.struct("period_code", "project_id")
        )
        if facts.select(key.n_unique() < pl.len()).item():
            raise ValueError("facts has two rows for the same period_code and project_id")
    return periods, facts


def _check_subject_kinds(frame: pl.DataFrame, name: str) -> None:
    kinds = {k.value for k in SubjectKind}
    unknown = sorted(set(frame["subject_kind"].unique().to_list()) - kinds, key=str)
    if unknown:
        raise ValueError(f"{name} has an unknown subject_kind: {', '.join(map(str, unknown))}")


def _check_evaluations(evaluations: pl.DataFrame) -> None:
    _nulls(evaluations, list(EVALUATION_COLUMNS), "evaluations")
    _check_subject_kinds(evaluations, "evaluations")
    found = evaluations.select(
        ((pl.col("score") < 0) | (pl.col("score") > 100) | pl.col("score").is_nan()).any().alias("range"),
        (pl.len() - pl.struct("period_code", "subject_kind", "subject_id", "rater_id").n_unique()).alias(
            "twice"
        ),
    ).row(0, named=True)
    if found["range"]:
        raise ValueError("evaluations has a score outside 0–100")
    if found["twice"]:
        raise ValueError("evaluations has two scores from one rater for the same subject and period")


def _check_adjustments(adjustments: pl.DataFrame) -> None:
    _nulls(adjustments, ["period_code", "subject_kind", "subject_id", "points"], "adjustments")
    _check_subject_kinds(adjustments, "adjustments")
    if adjustments.select(~pl.col("points").is_finite().all()).item():
        raise ValueError("adjustments has points that are not a finite number")


def _check_completions(completions: pl.DataFrame) -> None:
    _nulls(completions, ["period_code", "subject_kind", "subject_id", "rate"], "completions")
    _check_subject_kinds(completions, "completions")
    found = completions.select(
        ((pl.col("rate") < 0) | ~pl.col("rate").is_finite()).any().alias("range"),
        (pl.len() - pl.struct("period_code", "subject_kind", "subject_id").n_unique()).alias("twice"),
    ).row(0, named=True)
    if found["range"]:
        raise ValueError("completions has a rate that is negative or not a finite number")
    if found["twice"]:
        raise ValueError("completions has two rates for the same subject and period")


class _Keys(NamedTuple):
    """The enum types of the key columns inside the engine, so that grouping, ranking and sorting work on
    small integers: the periods assessed (in code order, which is time order within a kind), the kinds of
    subject and the groups."""

    period: pl.Enum
    kind: pl.Enum
    group: pl.Enum


def _keyed(frame: pl.DataFrame, keys: _Keys) -> pl.LazyFrame:
    """A frame's rows for the periods assessed, with its keys typed as the engine's."""
    return (
        frame.lazy()
        .filter(pl.col("period_code").is_in(keys.period.categories.implode()))
        .with_columns(pl.col("period_code").cast(keys.period), pl.col("subject_kind").cast(keys.kind))
    )


# Subjects


def _scored(scheme: Scheme, kind: IndicatorKind) -> ScoredIndicator | None:
    indicator = scheme.indicator(kind)
    return indicator if isinstance(indicator, ScoredIndicator) else None


def _no_plan(scheme: Scheme) -> NoPlan:
    indicator = scheme.indicator(IndicatorKind.INVESTMENT)
    return indicator.no_plan if isinstance(indicator, InvestmentIndicator) else NoPlan.FULL


def _trim_from(scheme: Scheme) -> int:
    indicator = scheme.indicator(IndicatorKind.EVALUATION)
    return indicator.trim_from if isinstance(indicator, EvaluationIndicator) else 5


def _evaluation_stats(evaluations: pl.LazyFrame, trim_from: int) -> pl.LazyFrame:
    """Each rated subject's evaluation: n raters, highest, lowest and the (trimmed) mean."""
    score = pl.col("score")
    stats = evaluations.group_by("period_code", "subject_kind", "subject_id").agg(
        score.len().cast(pl.Int64).alias("ev_n"),
        score.sum().alias("_ev_total"),
        score.max().alias("ev_hi"),
        score.min().alias("ev_lo"),
    )
    n, total = pl.col("ev_n"), pl.col("_ev_total")
    return stats.with_columns(
        pl.when(n >= trim_from)
        .then((total - pl.col("ev_hi") - pl.col("ev_lo")) / (n - 2))
        .otherwise(total / n)
        .alias("ev_own")
    ).drop("_ev_total")


def _project_rows(
    facts: pl.DataFrame, projects: pl.DataFrame, scheme: Scheme, ev: pl.LazyFrame
) -> pl.DataFrame:
    """Facts joined with their projects, with each project's rates capped as its indicators say."""
    inv = _scored(scheme, IndicatorKind.INVESTMENT)
    prog = _scored(scheme, IndicatorKind.PROGRESS)
    plan, done = pl.col("plan_to_date"), pl.col("done_to_date")
    due, met = pl.col("milestones_due"), pl.col("milestones_met")
    inv_cap = inv.cap if inv else 1.0
    prog_cap = prog.cap if prog else 1.0
    # Nothing planned yet: no rate, and the scheme says what that gives (null: left out of the indicator).
    # No milestone due yet: nothing can be behind.
    inv_rate = pl.when(plan > 0).then(done / plan)
    unplanned = {
        NoPlan.REWEIGHT: pl.lit(None, pl.Float64),
        NoPlan.ZERO: pl.lit(0.0),
        NoPlan.FULL: pl.lit(inv_cap),
    }[_no_plan(scheme)]
    prog_rate = pl.when(due > 0).then(met / due).otherwise(1.0)
    weight = pl.col("planned").cast(pl.Float64) if scheme.weighting is Weighting.PLANNED else pl.lit(1.0)
    project_ev = ev.filter(pl.col("subject_kind") == SubjectKind.PROJECT.value).select(
        "period_code", pl.col("subject_id").alias("project_id"), "ev_n", "ev_hi", "ev_lo", "ev_own"
    )
    joined = facts.join(projects, on="project_id", how="left")
    return (
        _attach(joined, project_ev, ["period_code", "project_id"])
        .lazy()
        .with_columns(
            inv_rate.alias("inv_rate"),
            pl.when(plan > 0)
            .then(inv_rate.clip(upper_bound=inv_cap))
            .otherwise(unplanned)
            .alias("inv_capped"),
            prog_rate.alias("prog_rate"),
            prog_rate.clip(upper_bound=prog_cap).alias("prog_capped"),
            weight.alias("_w"),
        )
        .collect(engine=_ENGINE)
    )


def _subject_schema(keys: _Keys) -> dict[str, pl.DataType | type[pl.DataType]]:
    return {"period_code": keys.period, "subject_kind": keys.kind, "group": keys.group, **_SUBJECT_SCHEMA}


_SUBJECT_SCHEMA: Final[dict[str, pl.DataType | type[pl.DataType]]] = {
    "period_kind": pl.String,
    "subject_id": pl.Int64,
    "n_projects": pl.Int64,
    "w_total": pl.Float64,
    "inv_w": pl.Float64,
    "no_plan_n": pl.Int64,
    "done": pl.Int64,
    "plan": pl.Int64,
    "inv_rate": pl.Float64,
    "inv_att": pl.Float64,
    "due": pl.Int64,
    "met": pl.Int64,
    "prog_rate": pl.Float64,
    "prog_att": pl.Float64,
    "missing": pl.Int64,
    "late": pl.Int64,
    "red": pl.Int64,
    "ev_n": pl.Int64,
    "ev_hi": pl.Float64,
    "ev_lo": pl.Float64,
    "ev_own": pl.Float64,
    "ev_projects": pl.Float64,
}


def _assessed_kinds(scheme: Scheme) -> list[SubjectKind]:
    """The kinds of subject ``scheme`` assesses, in the order of :class:`SubjectKind` (the results' order)."""
    return [s.kind for s in sorted(scheme.subjects, key=lambda s: list(SubjectKind).index(s.kind))]


def _subject_rows(
    project_rows: pl.DataFrame,
    ev: pl.LazyFrame,
    adjustments: pl.LazyFrame,
    completions: pl.LazyFrame,
    scheme: Scheme,
    keys: _Keys,
) -> list[pl.DataFrame]:
    """For each kind of subject the scheme assesses (in the order of :class:`SubjectKind`), one row per period
    and subject, with the rates it is scored on, the office's adjustments (``adj_total`` and the items in
    words, ``adj_items``, where the scheme has the indicator) and the completion of its targets (``tg_rate``
    and ``tg_detail``, where the scheme scores it)."""
    rows = project_rows.lazy()
    inv_cap = ind.cap if (ind := _scored(scheme, IndicatorKind.INVESTMENT)) else 1.0
    prog_cap = ind.cap if (ind := _scored(scheme, IndicatorKind.PROGRESS)) else 1.0
    # Each project's weighted figures, added up by every kind of subject made of projects: plain sums and means
    # group many times faster than expressions do.
    w = pl.col("_w")
    pooled = rows.with_columns(
        pl.when(pl.col("inv_capped").is_not_null()).then(w).alias("_inv_w"),
        (pl.col("plan_to_date") == 0).alias("_no_plan"),
        (pl.col("inv_capped") * w).alias("_inv_capped_w"),
        (pl.col("prog_capped") * w).alias("_prog_capped_w"),
        pl.when(pl.col("ev_own").is_not_null()).then(w).alias("_ev_w"),
        (pl.col("ev_own") * w).alias("_ev_own_w"),
    )
    parts = []
    for subject in sorted(scheme.subjects, key=lambda s: list(SubjectKind).index(s.kind)):
        kind = subject.kind
        group = pl.col(group_column(kind)) if subject.grouped else pl.lit(ALL).cast(keys.group)
        if kind is SubjectKind.PROJECT:
            part = rows.select(
                "period_code",
                "period_kind",
                pl.lit(kind.value).cast(keys.kind).alias("subject_kind"),
                pl.col("project_id").alias("subject_id"),
                group.alias("group"),
                pl.lit(1, pl.Int64).alias("n_projects"),
                pl.col("_w").alias("w_total"),
                pl.col("_w").alias("inv_w"),
                (pl.col("plan_to_date") == 0).cast(pl.Int64).alias("no_plan_n"),
                pl.col("done_to_date").alias("done"),
                pl.col("plan_to_date").alias("plan"),
                "inv_rate",
                (pl.col("inv_capped") * (1 / inv_cap)).alias("inv_att"),
                pl.col("milestones_due").alias("due"),
                pl.col("milestones_met").alias("met"),
                "prog_rate",
                (pl.col("prog_capped") * (1 / prog_cap)).alias("prog_att"),
                pl.col("missing_reports").alias("missing"),
                pl.col("late_reports").alias("late"),
                pl.col("red_lights").alias("red"),
                "ev_n",
                "ev_hi",
                "ev_lo",
                "ev_own",
                pl.lit(None, pl.Float64).alias("ev_projects"),
            )
        else:
            key = id_column(kind)
            w_total, inv_w, ev_w = pl.col("w_total"), pl.col("inv_w"), pl.col("_ev_w")

            def mean_of(x: str, w_sum: pl.Expr) -> pl.Expr:
                # 考核 aggregation: weighted by planned investment; equally when nothing is planned.
                return pl.when(w_sum > 0).then(pl.col(f"_{x}_w") / w_sum).otherwise(pl.col(f"_{x}_mean"))

            aggregated = (
                pooled.filter(pl.col(key).is_not_null())
                .group_by("period_code", key)
                .agg(
                    pl.col("period_kind").first(),
                    group.first().alias("group"),
                    pl.len().cast(pl.Int64).alias("n_projects"),
                    pl.col("_w").sum().alias("w_total"),
                    pl.col("_inv_w").sum().alias("inv_w"),
                    pl.col("_no_plan").sum().cast(pl.Int64).alias("no_plan_n"),
                    pl.col("done_to_date").sum().alias("done"),
                    pl.col("plan_to_date").sum().alias("plan"),
                    pl.col("_inv_capped_w").sum(),
                    pl.col("inv_capped").mean().alias("_inv_capped_mean"),
                    pl.col("milestones_due").sum().alias("due"),
                    pl.col("milestones_met").sum().alias("met"),
                    pl.col("_prog_capped_w").sum(),
                    pl.col("prog_capped").mean().alias("_prog_capped_mean"),
                    pl.col("missing_reports").sum().alias("missing"),
                    pl.col("late_reports").sum().alias("late"),
                    pl.col("red_lights").sum().alias("red"),
                    pl.col("_ev_w").sum(),
                    pl.col("_ev_own_w").sum(),
                    pl.col("ev_own").mean().alias("_ev_own_mean"),
                )
                # 考核 aggregation of the investment rate: over the projects that have one (a project with no
                # plan is left out when the scheme re-weights); of the evaluation, over the rated projects.
                .with_columns(
                    mean_of("inv_capped", inv_w).alias("inv_rate"),
                    mean_of("prog_capped", w_total).alias("prog_rate"),
                    mean_of("ev_own", ev_w).alias("ev_projects"),
                )
                .rename({key: "subject_id"})
                .with_columns(
                    pl.lit(kind.value).cast(keys.kind).alias("subject_kind"),
                    (pl.col("inv_rate") * (1 / inv_cap)).alias("inv_att"),
                    (pl.col("prog_rate") * (1 / prog_cap)).alias("prog_att"),
                )
            )
            own = ev.filter(pl.col("subject_kind") == kind.value).drop("subject_kind")
            part = aggregated.join(own, on=["period_code", "subject_id"], how="left")
        parts.append(part.select(pl.col(c).cast(t) for c, t in _subject_schema(keys).items()))
    subjects = pl.collect_all(parts, engine=_ENGINE)
    on = ["period_code", "subject_kind", "subject_id"]
    if scheme.indicator(IndicatorKind.TARGETS) is not None:
        rates = completions.select(*on, pl.col("rate").alias("tg_rate"), pl.col("detail").alias("tg_detail"))
        subjects = [_attach(part, rates, on) for part in subjects]
    if scheme.indicator(IndicatorKind.ADJUSTMENT) is None:
        return subjects
    items = (
        adjustments.sort("period_code", "subject_kind", "subject_id", "points", "reason", nulls_last=True)
        .group_by("period_code", "subject_kind", "subject_id", maintain_order=True)
        .agg(
            pl.col("points").sum().alias("adj_total"),
            pl.format("{}（{}）", _signed(pl.col("points")), pl.col("reason").fill_null(""))
            .str.join("；")
            .alias("adj_items"),
        )
    )
    return [_attach(part, items, on) for part in subjects]


def _attach(frame: pl.DataFrame, other: pl.LazyFrame, on: list[str]) -> pl.DataFrame:
    """``frame`` with the other columns of ``other`` (one row per key) where the keys ``on`` match, null
    elsewhere; joined on the keys alone, so that the many other columns of ``frame`` are not copied."""
    other_df = other.collect(engine=_ENGINE)
    if other_df.is_empty():
        return frame.with_columns(pl.lit(None, t).alias(c) for c, t in other_df.schema.items() if c not in on)
    found = frame.lazy().select(on).join(other_df.lazy(), on=on, how="left", maintain_order="left").drop(on)
    return frame.hstack(found.collect(engine=_ENGINE).get_columns())


# Points


def _over(expr: pl.Expr) -> pl.Expr:
    return expr.over(_GK)


def _group_key(keys: _Keys) -> pl.Expr:
    """One integer per (kind of subject, kind of period, period, group), in the order the results are sorted."""
    periods, groups = len(keys.period.categories), len(keys.group.categories)

    def index(column: str) -> pl.Expr:
        return pl.col(column).to_physical().cast(pl.UInt64)

    month = (pl.col("period_kind") == PeriodKind.MONTH.value).cast(pl.UInt64)
    return ((index("subject_kind") * 2 + month) * periods + index("period_code")) * groups + index("group")


def _points(indicator: ScoredIndicator, attainment: pl.Expr, full: pl.Expr | float) -> pl.Expr:
    """Full marks × (floor + (1 − floor) × share), the share relative to the group's best when relative."""
    share = attainment.sqrt() if indicator.curve is Curve.SQRT else attainment
    if indicator.mode is Mode.RELATIVE:
        best = _over(share.max())
        share = pl.when(best > 0).then(share / best).otherwise(0.0)
    return _cents(full * (indicator.floor + (1 - indicator.floor) * share))


def _reweighted(scheme: Scheme) -> dict[IndicatorKind, float]:
    """The full marks the other scored indicators take for a subject left out of the investment indicator
    (empty unless the scheme re-weights)."""
    if _no_plan(scheme) is not NoPlan.REWEIGHT:
        return {}
    return scheme.reweighted(IndicatorKind.INVESTMENT)


def _full(indicator: ScoredIndicator, scheme: Scheme) -> pl.Expr | float:
    """An indicator's full marks for each row: re-weighted where the row is left out of the investment
    indicator (``inv_out``)."""
    shares = _reweighted(scheme)
    if indicator.kind not in shares:
        return indicator.points
    return pl.when(pl.col("inv_out")).then(pl.lit(shares[indicator.kind])).otherwise(pl.lit(indicator.points))


def _points_column(indicator: Indicator | ScoredIndicator) -> str:
    return f"{indicator.kind.value}_points"


def _source(name: str) -> pl.Expr:
    return pl.lit(name).cast(_SOURCE)


def _relative(scheme: Scheme, kind: IndicatorKind) -> bool:
    indicator = scheme.indicator(kind)
    return isinstance(indicator, ScoredIndicator) and indicator.mode is Mode.RELATIVE


def _score(subjects: pl.LazyFrame, scheme: Scheme, keys: _Keys) -> pl.LazyFrame:
    """Points and score of every subject, with its group's statistics (see :func:`_ranked` for the ranks)."""
    ev_value = pl.coalesce("ev_own", "ev_projects")
    scored = (
        subjects.with_columns(_group_key(keys).alias(_GK))
        .with_columns(
            _over(ev_value.mean()).alias("ev_group"),
            pl.when(pl.col("ev_own").is_not_null())
            .then(_source("own"))
            .when(pl.col("ev_projects").is_not_null())
            .then(_source("projects"))
            .when(_over(ev_value.count()) > 0)
            .then(_source("group"))
            .otherwise(_source("none"))
            .alias("ev_source"),
        )
        .with_columns(pl.coalesce(ev_value, "ev_group").alias("ev_value"))
    )
    targets = _scored(scheme, IndicatorKind.TARGETS)
    if targets is not None:
        # No target to complete: no rate, no points (clip keeps the null).
        rate = pl.col("tg_rate").clip(upper_bound=targets.cap)
        scored = scored.with_columns((rate * (1 / targets.cap)).alias("tg_att"))
    # The best of each group, which a relative indicator's explanation names.
    bests = {"inv_best": "inv_att", "prog_best": "prog_att", "ev_best": "ev_value", "tg_best": "tg_att"}
    scored = scored.with_columns(
        _over(pl.col(source).max()).alias(best)
        for best, source in bests.items()
        if best in _figure_columns(scheme)
    )

    # Left out of the investment indicator: no rate where the scheme re-weights.
    scored = scored.with_columns(pl.col("inv_att").is_null().alias("inv_out"))
    columns = []
    for indicator in scheme.indicators:
        name = _points_column(indicator)
        if isinstance(indicator, InvestmentIndicator):
            points = _points(indicator, pl.col("inv_att"), indicator.points)
            # Nothing planned anywhere in the subject and the scheme counts that as 0: no floor either.
            nothing = pl.col("inv_out") | (
                (pl.col("no_plan_n") == pl.col("n_projects")) & pl.lit(indicator.no_plan is NoPlan.ZERO)
            )
            columns.append(pl.when(nothing).then(0.0).otherwise(points).alias(name))
        elif isinstance(indicator, ProgressIndicator):
            columns.append(_points(indicator, pl.col("prog_att"), _full(indicator, scheme)).alias(name))
        elif isinstance(indicator, EvaluationIndicator):
            rate = pl.col("ev_value") * 0.01
            # Null (nobody in the group rated) stays null: clip keeps nulls where min_horizontal drops them.
            attainment = rate.clip(upper_bound=indicator.cap) * (1 / indicator.cap)
            full = _full(indicator, scheme)
            columns.append(_points(indicator, attainment, full).fill_null(0.0).alias(name))
        elif isinstance(indicator, TargetsIndicator):
            points = _points(indicator, pl.col("tg_att"), _full(indicator, scheme))
            columns.append(points.fill_null(0.0).alias(name))
        elif isinstance(indicator, ReportsIndicator):
            deducted = pl.col("missing") * indicator.missing + pl.col("late") * indicator.late
            columns.append((0.0 - _cents(_at_most(deducted, indicator.max_points))).alias(name))
        elif isinstance(indicator, RedLightsIndicator):
            deducted = pl.col("red") * indicator.per_light
            columns.append((0.0 - _cents(_at_most(deducted, indicator.max_points))).alias(name))
        elif isinstance(indicator, AdjustmentIndicator):
            total = pl.col("adj_total").fill_null(0.0)
            if indicator.max_points is not None:
                total = total.clip(-indicator.max_points, indicator.max_points)
            columns.append(_cents(total).alias(name))
    scored = scored.with_columns(columns)
    score = _cents(pl.sum_horizontal(_points_column(i) for i in scheme.indicators))
    # Only what the results and the rules read is kept (the ranks and the rules' own columns come after).
    kept = [c for c in _figure_columns(scheme) if c not in _RANKS and not c.startswith("_")] + [_GK]
    return scored.with_columns(score.alias("score")).select(kept)


def _ranked(scored: pl.DataFrame) -> pl.DataFrame:
    """Sorted as the results are — by group (:func:`_group_key`), best score first, then id — with each row's
    rank, its rank counted from the bottom (``_rank_up``) and its group's size, read off its place in that order
    (ties share the better rank: 1, 2, 2, 4) instead of ranking within each group apart."""
    group, score = pl.col(_GK), pl.col("score")
    at = pl.int_range(pl.len(), dtype=pl.Int64)
    first_of_group = group.ne_missing(group.shift(1))
    last_of_group = group.ne_missing(group.shift(-1))
    start = pl.when(first_of_group).then(at).forward_fill()
    end = pl.when(last_of_group).then(at).backward_fill()
    first_tie = pl.when(first_of_group | score.ne_missing(score.shift(1))).then(at).forward_fill()
    last_tie = pl.when(last_of_group | score.ne_missing(score.shift(-1))).then(at).backward_fill()
    return scored[_order(scored)].with_columns(
        (first_tie - start + 1).alias("rank"),
        (end - last_tie + 1).alias("_rank_up"),
        (end - start + 1).alias("group_size"),
    )


def _order(scored: pl.DataFrame) -> pl.Series:
    """The places of the rows in the order of :func:`_ranked`: sorting by one integer made of the group, the
    score in cents (scores are rounded to the cent) and the id is several times faster than by the three
    columns, and is used whenever their ranges fit in 63 bits."""
    by = [_GK, "score", "subject_id"]
    if scored.is_empty():
        return pl.Series([], dtype=pl.UInt32)
    cents = (pl.col("score") * 100).round().cast(pl.Int64)
    found = scored.select(
        pl.col(_GK).max().alias("group"),
        cents.min().alias("low"),
        cents.max().alias("high"),
        pl.col("subject_id").min().alias("first"),
        pl.col("subject_id").max().alias("last"),
    ).row(0, named=True)
    groups, scores = found["group"] + 1, found["high"] - found["low"] + 1
    ids = found["last"] - found["first"] + 1
    if groups * scores * ids >= 2**63:
        return scored.select(pl.arg_sort_by(by, descending=[False, True, False])).to_series()
    key = (pl.col(_GK).cast(pl.Int64) * scores + (found["high"] - cents)) * ids + (
        pl.col("subject_id") - found["first"]
    )
    return scored.select(key.arg_sort()).to_series()


def _at_most(expr: pl.Expr, limit: float | None) -> pl.Expr:
    return expr if limit is None else expr.clip(upper_bound=limit)


# Consequences


def _how_many(percent: float) -> pl.Expr:
    """How many ``percent`` of the group is: rounded half up, at least one."""
    return pl.max_horizontal((pl.col("group_size") * (percent * 0.01) + 0.5 + _EPS).floor().cast(pl.Int64), 1)


def _chosen(rule: Consequence) -> pl.Expr:
    """Whether a row meets every condition of ``rule`` (meaningful on the rows the rule applies to)."""
    rank, up, score = pl.col("rank"), pl.col("_rank_up"), pl.col("score")
    conditions: list[pl.Expr] = []
    if rule.from_top:
        if rule.count is not None:
            conditions.append(rank <= rule.count)
        if rule.percent is not None:
            conditions.append(rank <= _how_many(rule.percent))
        if rule.score is not None:
            conditions.append(score >= rule.score)
    else:
        if rule.count is not None or rule.percent is not None:
            # Nobody is last who has nobody ahead of them.
            conditions.append(rank > 1)
        if rule.count is not None:
            conditions.append(up <= rule.count)
        if rule.percent is not None:
            conditions.append(up <= _how_many(rule.percent))
        if rule.score is not None:
            conditions.append(score < rule.score)
    return pl.all_horizontal(conditions)


def _applies(rule: Consequence) -> pl.Expr:
    return (pl.col("period_kind") == rule.period_kind) & pl.col("subject_kind").is_in(
        [s.value for s in rule.subjects]
    )


def _amount(rule: Consequence) -> pl.Expr:
    """A reward's amount by rank: the r-th amount, or the last past the list."""
    expr: pl.Expr = pl.lit(rule.amounts[-1], pl.Int64)
    for r in range(len(rule.amounts) - 1, 0, -1):
        expr = pl.when(pl.col("rank") == r).then(pl.lit(rule.amounts[r - 1], pl.Int64)).otherwise(expr)
    return expr


def _streaks(
    scored: pl.DataFrame, rule: Consequence, flag: str, history: pl.DataFrame, months: pl.DataFrame
) -> pl.DataFrame:
    """For each yellow card of ``rule`` given in this run (by its ``_row``): how many months in a row, ending
    with its month, the subject had a yellow card (this run's months from this run, earlier ones from the
    history), and the month the run began. ``months`` gives the index of every month code involved."""
    given = scored.filter(pl.col(flag)).select("_row", "period_code", *_SUBJECT)
    given = given.with_columns(pl.col(c).cast(pl.String) for c in ("period_code", "subject_kind"))
    earlier = history.filter(
        pl.col("kind") == ConsequenceKind.YELLOW_CARD.value,
        pl.col("subject_kind").is_in([s.value for s in rule.subjects]),
        ~pl.col("period_code").is_in(months.filter(pl.col("assessed"))["period_code"].implode()),
    ).select("period_code", *_SUBJECT)
    m = pl.col("month_index")
    cards = (
        pl.concat([given.drop("_row"), earlier])
        .unique()
        .join(months.select("period_code", "month_index"), on="period_code", how="left")
        .sort(*_SUBJECT, "month_index")
        # Months in a row share month_index − (position within the subject).
        .with_columns((m - pl.int_range(pl.len()).over(_SUBJECT)).alias("_run"))
        .with_columns(m.min().over(*_SUBJECT, "_run").alias("_start"))
    )
    start = pl.col("_start")
    runs = cards.select(
        "period_code",
        *_SUBJECT,
        (m - start + 1).alias("streak"),
        start.alias("streak_from"),
    )
    return given.join(runs, on=["period_code", *_SUBJECT], how="left").select("_row", "streak", "streak_from")


class _RuleColumns(NamedTuple):
    chosen: str  # met the rule's conditions and was given it (null where the rule does not apply)
    withheld: str  # met them but got a yellow card in the same period
    streak: str  # yellow cards: months in a row
    since: str  # yellow cards: the month the run began (its index, year × 12 + month − 1)
    amount: str  # rewards: yuan


def _rule_columns(i: int) -> _RuleColumns:
    return _RuleColumns(f"_chosen_{i}", f"_withheld_{i}", f"_streak_{i}", f"_from_{i}", f"_amount_{i}")


def _decide(
    scored: pl.DataFrame, history: pl.DataFrame, months: pl.DataFrame, scheme: Scheme
) -> pl.DataFrame:
    """Add, per consequence rule, whether each row was given it (null where the rule does not apply), and for
    yellow cards the run of months and for rewards the amount."""
    rules = list(enumerate(scheme.consequences))
    scored = scored.with_columns(
        pl.when(_applies(rule)).then(_chosen(rule)).alias(_rule_columns(i).chosen) for i, rule in rules
    )
    for i, rule in rules:
        columns = _rule_columns(i)
        chosen = pl.col(columns.chosen)
        if rule.from_top:
            # 考核办法: a laggard (落后者) is not also an advanced one (先进者): a yellow card in the same period
            # withholds a red flag or a reward.
            yellow = [
                pl.col(_rule_columns(j).chosen).fill_null(False)
                for j, other in rules
                if other.kind is ConsequenceKind.YELLOW_CARD and other.period_kind == rule.period_kind
            ]
            carded = yellow[0] if yellow else pl.lit(False)
            scored = scored.with_columns((chosen & carded).alias(columns.withheld)).with_columns(
                pl.when(pl.col(columns.withheld)).then(False).otherwise(chosen).alias(columns.chosen)
            )
        if rule.kind is ConsequenceKind.REWARD:
            scored = scored.with_columns(pl.when(chosen).then(_amount(rule)).alias(columns.amount))
        if rule.kind is ConsequenceKind.YELLOW_CARD:
            if rule.period_kind == "month":
                # Set on the few rows given a card, by their place (a join would copy every column).
                runs = _streaks(scored, rule, columns.chosen, history, months)
                streak = pl.repeat(None, scored.height, dtype=pl.Int64, eager=True)
                since = pl.repeat(None, scored.height, dtype=pl.Int64, eager=True)
                scored = scored.with_columns(
                    streak.scatter(runs["_row"], runs["streak"]).alias(columns.streak),
                    since.scatter(runs["_row"], runs["streak_from"]).alias(columns.since),
                )
            else:
                scored = scored.with_columns(
                    pl.lit(None, pl.Int64).alias(columns.streak), pl.lit(None, pl.Int64).alias(columns.since)
                )
    return scored


def _place() -> pl.Expr:
    return pl.format("本组第 {}/{} 名", pl.col("rank"), pl.col("group_size"))


def _head(rule: Consequence) -> pl.Expr:
    expr: pl.Expr = pl.lit("")
    for kind in rule.subjects:
        expr = pl.when(pl.col("subject_kind") == kind.value).then(pl.lit(_HEADS[kind])).otherwise(expr)
    return expr


def _yellow_tail(rule: Consequence, streak: pl.Expr) -> pl.Expr:
    """After a yellow card: the run of months, and the black card it brings or would bring."""
    after = rule.black_card_after
    if after is None:
        return pl.when(streak >= 2).then(pl.format("，连续第 {} 个月", streak)).otherwise(pl.lit(""))
    black = " → 黑牌" + ("，通报批评" if rule.public_criticism else "")
    return (
        pl.when(streak >= after)
        .then(pl.format(f"，连续第 {{}} 个月{black}", streak))
        .otherwise(pl.format(f"，连续第 {{}} 个月（满 {after} 个月亮黑牌）", streak))
    )


def _rule_line(rule: Consequence, i: int, kind: SubjectKind) -> pl.Expr:
    """Why rule i was or was not given, for the explanation of a subject of ``kind`` it applies to."""
    columns = _rule_columns(i)
    head = pl.format(f"{rule.kind.label}：{{}}，{{}} 分，", _place(), _num(pl.col("score")))
    condition = rule.condition_text()
    withheld = ""
    if rule.kind is ConsequenceKind.RED_FLAG:
        given, refused = pl.lit(f"符合「{condition}」→ 授予红旗"), f"不符合「{condition}」→ 无红旗"
        withheld = f"符合「{condition}」，但本期亮黄牌 → 无红旗"
    elif rule.kind is ConsequenceKind.REWARD:
        given = pl.format(f"符合「{condition}」→ 奖励 {{}} 万元", _wan(pl.col(columns.amount)))
        refused = f"不符合「{condition}」→ 无奖励"
        withheld = f"符合「{condition}」，但本期亮黄牌 → 无奖励"
    else:
        given = pl.lit(f"符合「{condition}」→ 亮黄牌" + (f"，约谈{_HEADS[kind]}" if rule.interview else ""))
        if rule.period_kind == "month":
            given = given + _yellow_tail(rule, pl.col(columns.streak))
        refused = f"不符合「{condition}」→ 无黄牌"
    otherwise = head + pl.lit(refused)
    if rule.from_top:
        otherwise = pl.when(pl.col(columns.withheld)).then(head + pl.lit(withheld)).otherwise(otherwise)
    return pl.when(pl.col(columns.chosen)).then(head + given).otherwise(otherwise)


def _consequence_rows(scored: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    keys = ["period_code", "period_kind", *_SUBJECT, "group"]
    parts = []
    score = _num(pl.col("score"))
    for i, rule in enumerate(scheme.consequences):
        _, _, streak, since, amount = _rule_columns(i)
        # Whole again (rechunked): polars 2.1 formats wrongly across columns cut into different pieces.
        chosen = scored.filter(pl.col(_rule_columns(i).chosen)).rechunk()
        if rule.kind is ConsequenceKind.RED_FLAG:
            parts.append(
                chosen.select(
                    *keys,
                    pl.lit(rule.kind.value).alias("kind"),
                    pl.lit(None, pl.Int64).alias("amount"),
                    pl.format("红旗：{}，{} 分", _place(), score).alias("reason"),
                )
            )
        elif rule.kind is ConsequenceKind.REWARD:
            parts.append(
                chosen.select(
                    *keys,
                    pl.lit(rule.kind.value).alias("kind"),
                    pl.col(amount).alias("amount"),
                    pl.format(
                        "经济奖励：{}，{} 分，奖励 {} 万元", _place(), score, _wan(pl.col(amount))
                    ).alias("reason"),
                )
            )
        else:
            run = pl.col(streak)
            black = pl.lit(False) if rule.black_card_after is None else run >= rule.black_card_after
            tail = pl.when(run >= 2).then(pl.format("，连续第 {} 个月", run)).otherwise(pl.lit(""))
            parts.append(
                chosen.select(
                    *keys,
                    pl.lit(rule.kind.value).alias("kind"),
                    pl.lit(None, pl.Int64).alias("amount"),
                    pl.format(
                        "黄牌：{}，{} 分{}{}",
                        _place(),
                        score,
                        tail,
                        pl.when(black).then(pl.lit(" → 黑牌")).otherwise(pl.lit("")),
                    ).alias("reason"),
                )
            )
            if rule.interview:
                parts.append(
                    chosen.select(
                        *keys,
                        pl.lit(ConsequenceKind.INTERVIEW.value).alias("kind"),
                        pl.lit(None, pl.Int64).alias("amount"),
                        pl.format("约谈{}：本期亮黄牌（{}）", _head(rule), _place()).alias("reason"),
                    )
                )
            if rule.black_card_after is not None:
                blacks = chosen.filter(black)
                start = pl.col(since)
                text = pl.format("自 {}年{}月起连续 {} 个月黄牌", start // 12, start % 12 + 1, run)
                parts.append(
                    blacks.select(
                        *keys,
                        pl.lit(ConsequenceKind.BLACK_CARD.value).alias("kind"),
                        pl.lit(None, pl.Int64).alias("amount"),
                        pl.format("黑牌：{}", text).alias("reason"),
                    )
                )
                if rule.public_criticism:
                    parts.append(
                        blacks.select(
                            *keys,
                            pl.lit(ConsequenceKind.PUBLIC_CRITICISM.value).alias("kind"),
                            pl.lit(None, pl.Int64).alias("amount"),
                            pl.format("通报批评：{}，亮黑牌", text).alias("reason"),
                        )
                    )
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "period_code": pl.String,
        "period_kind": pl.String,
        "subject_kind": pl.String,
        "subject_id": pl.Int64,
        "group": pl.String,
        "kind": pl.String,
        "amount": pl.Int64,
        "reason": pl.String,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    order = pl.col("kind").replace_strict(_CONSEQUENCE_ORDER, return_dtype=pl.Int64)
    return (
        pl.concat([p.select(pl.col(c).cast(t) for c, t in schema.items()) for p in parts])
        .with_columns(order.alias("_order"))
        .sort("period_code", *_SUBJECT, "_order")
        .drop("_order")
    )


# Explanations


def _scoring_phrase(indicator: ScoredIndicator, best: pl.Expr) -> pl.Expr:
    """How attainment became points: "按线性折算", "本组最高 80%，按相对线性折算（保底 60%）"."""
    floor = f"（保底 {_num_text(indicator.floor * 100, 1)}%）" if indicator.floor else ""
    if indicator.mode is Mode.ABSOLUTE:
        return pl.lit(f"按{indicator.curve.label}折算{floor}")
    return pl.format(f"本组最高 {{}}，按相对{indicator.curve.label}折算{floor}", best)


def _full_text(indicator: ScoredIndicator, scheme: Scheme) -> pl.Expr:
    """The full marks of each row: "满分 30", or "满分 30，按权重折算为 50" where it is left out of investment."""
    full = f"满分 {_num_text(indicator.points)}"
    shares = _reweighted(scheme)
    if indicator.kind not in shares:
        return pl.lit(full)
    return (
        pl.when(pl.col("inv_out"))
        .then(pl.lit(f"{full}，按权重折算为 {_num_text(shares[indicator.kind])}"))
        .otherwise(pl.lit(full))
    )


def _tail(indicator: ScoredIndicator, scheme: Scheme) -> pl.Expr:
    return pl.format(" {} 分（{}）", _num(pl.col(_points_column(indicator))), _full_text(indicator, scheme))


def _weighted(scheme: Scheme, weight: str = "w_total") -> pl.Expr:
    if scheme.weighting is Weighting.EQUAL:
        return pl.lit("按项目平均")
    return (
        pl.when(pl.col(weight) > 0)
        .then(pl.lit("按年度计划投资加权"))
        .otherwise(pl.lit("按项目平均（年度计划投资均为 0）"))
    )


def _left_out_text(scheme: Scheme) -> str:
    """What leaving out the investment indicator does to the others: "其余指标按权重折算（形象进度满分 50、…）"."""
    shares = _reweighted(scheme)
    if not shares:
        return "且无其他计分指标可折算"
    marks = "、".join(f"{kind.label}满分 {_num_text(points)}" for kind, points in shares.items())
    return f"其余指标按权重折算（{marks}）"


def _percent(rate: pl.Expr) -> pl.Expr:
    return _num(rate * 100, 1) + "%"


def _best_rate(indicator: ScoredIndicator, best: str) -> pl.Expr:
    if indicator.mode is Mode.ABSOLUTE:
        return pl.lit("")  # not shown
    return _percent(pl.col(best) * indicator.cap)


def _investment_line(indicator: InvestmentIndicator, scheme: Scheme, pooled: bool) -> pl.Expr:
    plan, rate, done = pl.col("plan"), pl.col("inv_rate"), _wan(pl.col("done"))
    no_plan = indicator.no_plan
    scoring = pl.format(
        "，{}{}", _scoring_phrase(indicator, _best_rate(indicator, "inv_best")), _tail(indicator, scheme)
    )
    left_out = f"不计投资完成额指标，{_left_out_text(scheme)}"
    full = _num_text(indicator.points)
    if pooled:
        unplanned = pl.col("no_plan_n")
        note = {
            NoPlan.REWEIGHT: "不计入",
            NoPlan.ZERO: "按 0 计",
            NoPlan.FULL: "视为完成",
        }[no_plan]
        inputs = pl.format(
            "所辖 {} 个项目本期累计 {} 万元 / 序时计划 {} 万元，{}完成率 {}{}",
            pl.col("n_projects"),
            done,
            _wan(plan),
            _weighted(scheme, "inv_w"),
            _percent(rate),
            pl.when(unplanned > 0)
            .then(pl.format(f"（其中 {{}} 个项目本期无计划投资，{note}）", unplanned))
            .otherwise(pl.lit("")),
        )
        line = pl.format("投资完成：{}{}", inputs, scoring)
        # Every project of the subject planned nothing: the subject is left out of the indicator.
        return (
            pl.when(pl.col("inv_out"))
            .then(
                pl.format(
                    f"投资完成：所辖 {{}} 个项目本期均无计划投资（累计 {{}} 万元），{left_out}",
                    pl.col("n_projects"),
                    done,
                )
            )
            .otherwise(line)
        )
    capped = (
        pl.when(rate > indicator.cap)
        .then(pl.lit(f"（封顶 {_num_text(indicator.cap * 100, 1)}%）"))
        .otherwise(pl.lit(""))
    )
    measured = pl.format(
        "投资完成：本期累计 {} 万元 / 序时计划 {} 万元 = {}{}{}",
        done,
        _wan(plan),
        _percent(rate),
        capped,
        scoring,
    )
    unmeasured = {
        # 考核 of a zero plan: nothing done against nothing planned earns no points, nor loses any.
        NoPlan.REWEIGHT: pl.format(
            f"投资完成：本期累计 {{}} 万元，序时计划为 0。本期无计划投资，{left_out}", done
        ),
        NoPlan.ZERO: pl.format(
            f"投资完成：本期累计 {{}} 万元，序时计划为 0。本期无计划投资，按方案计 0 分（满分 {full}）", done
        ),
        NoPlan.FULL: pl.format("投资完成：本期累计 {} 万元，序时计划为 0，视为完成{}", done, scoring),
    }[no_plan]
    return pl.when(plan > 0).then(measured).otherwise(unmeasured)


def _progress_line(indicator: ScoredIndicator, scheme: Scheme, pooled: bool) -> pl.Expr:
    due, met, rate = pl.col("due"), pl.col("met"), pl.col("prog_rate")
    if pooled:
        inputs = pl.format(
            "所辖 {} 个项目到期节点 {} 个、按期完成 {} 个，{}完成率 {}",
            pl.col("n_projects"),
            due,
            met,
            _weighted(scheme),
            _percent(rate),
        )
    else:
        inputs = (
            pl.when(due > 0)
            .then(pl.format("到期节点 {} 个，按期完成 {} 个 = {}", due, met, _percent(rate)))
            .otherwise(pl.lit("本期无到期节点，视为完成"))
        )
    return pl.format(
        "形象进度：{}，{}{}",
        inputs,
        _scoring_phrase(indicator, _best_rate(indicator, "prog_best")),
        _tail(indicator, scheme),
    )


def _evaluation_line(indicator: EvaluationIndicator, scheme: Scheme, pooled: bool) -> pl.Expr:
    source, value, n = pl.col("ev_source"), _num(pl.col("ev_value")), pl.col("ev_n")
    trim = indicator.trim_from
    best = pl.lit("") if indicator.mode is Mode.ABSOLUTE else pl.format("{} 分", _num(pl.col("ev_best")))
    inputs = (
        pl.when(source == "own")
        .then(
            pl.when(n >= trim)
            .then(
                pl.format(
                    "{} 位评委，去掉最高分 {}、最低分 {} 后平均 {} 分",
                    n,
                    _num(pl.col("ev_hi")),
                    _num(pl.col("ev_lo")),
                    value,
                )
            )
            .otherwise(pl.format(f"{{}} 位评委平均 {{}} 分（不足 {trim} 位，不去最高最低分）", n, value))
        )
        .when(source == "group")
        .then(pl.format("无评分，取本组平均 {} 分", value))
    )
    if pooled:
        inputs = inputs.when(source == "projects").then(
            pl.format("无直接评分，取所辖项目评分{}平均 {} 分", _weighted(scheme), value)
        )
    return (
        pl.when(source == "none")
        .then(pl.format("综合评价：本组无评分，不计分（0 分，{}）", _full_text(indicator, scheme)))
        .otherwise(
            pl.format(
                "综合评价：{}，{}{}", inputs, _scoring_phrase(indicator, best), _tail(indicator, scheme)
            )
        )
    )


def _targets_line(indicator: TargetsIndicator, scheme: Scheme) -> pl.Expr:
    rate = pl.col("tg_rate")
    capped = (
        pl.when(rate > indicator.cap)
        .then(pl.lit(f"（封顶 {_num_text(indicator.cap * 100, 1)}%）"))
        .otherwise(pl.lit(""))
    )
    detail = pl.when(pl.col("tg_detail").fill_null("") != "").then(pl.format("{}，", pl.col("tg_detail")))
    return (
        pl.when(rate.is_null())
        .then(pl.format("目标完成：本期无考核目标，不计分（0 分，{}）", _full_text(indicator, scheme)))
        .otherwise(
            pl.format(
                "目标完成：{}完成率 {}{}，{}{}",
                detail.otherwise(pl.lit("")),
                _percent(rate),
                capped,
                _scoring_phrase(indicator, _best_rate(indicator, "tg_best")),
                _tail(indicator, scheme),
            )
        )
    )


def _capped_note(deducted: pl.Expr, limit: float | None) -> pl.Expr:
    if limit is None:
        return pl.lit("")
    return pl.when(deducted > limit).then(pl.lit(f"（封顶 {_num_text(limit)} 分）")).otherwise(pl.lit(""))


def _reports_line(indicator: ReportsIndicator, pooled: bool) -> pl.Expr:
    missing, late = pl.col("missing"), pl.col("late")
    counts = pl.concat_str(
        pl.when(missing > 0).then(
            pl.format(f"缺报 {{}} 次（每次 {_num_text(indicator.missing)} 分）", missing)
        ),
        pl.when(late > 0).then(pl.format(f"迟报 {{}} 次（每次 {_num_text(indicator.late)} 分）", late)),
        separator="、",
        ignore_nulls=True,
    )
    return (
        pl.when((missing == 0) & (late == 0))
        .then(pl.lit("报送：无缺报、迟报，不扣分"))
        .otherwise(
            pl.format(
                f"报送：{'所辖项目' if pooled else ''}{{}}，扣 {{}} 分{{}}",
                counts,
                _num(-pl.col(_points_column(indicator))),
                _capped_note(missing * indicator.missing + late * indicator.late, indicator.max_points),
            )
        )
    )


def _red_lights_line(indicator: RedLightsIndicator, pooled: bool) -> pl.Expr:
    red = pl.col("red")
    return (
        pl.when(red == 0)
        .then(pl.lit("红灯：无，不扣分"))
        .otherwise(
            pl.format(
                f"红灯：{'所辖项目共 ' if pooled else ''}{{}} 盏（每盏 {_num_text(indicator.per_light)} 分），"
                "扣 {} 分{}",
                red,
                _num(-pl.col(_points_column(indicator))),
                _capped_note(red * indicator.per_light, indicator.max_points),
            )
        )
    )


def _adjustment_line(indicator: AdjustmentIndicator) -> pl.Expr:
    total = pl.col("adj_total")
    limit = indicator.max_points
    note = (
        pl.lit("")
        if limit is None
        else pl.when(total.abs() > limit)
        .then(pl.lit(f"（以 ±{_num_text(limit)} 分为限）"))
        .otherwise(pl.lit(""))
    )
    return (
        pl.when(total.is_null())
        .then(pl.lit("加减分：无"))
        .otherwise(
            pl.format(
                "加减分：{}，合计 {} 分{}",
                pl.col("adj_items"),
                _signed(pl.col(_points_column(indicator))),
                note,
            )
        )
    )


def _explanation(scheme: Scheme, kind: SubjectKind, period_kind: str) -> pl.Expr:
    """The explanation of each row of one kind of subject and period: a line per indicator, the total and
    rank, and a line per consequence rule that applies."""
    pooled = kind is not SubjectKind.PROJECT
    lines: list[pl.Expr] = []
    for indicator in scheme.indicators:
        if isinstance(indicator, InvestmentIndicator):
            lines.append(_investment_line(indicator, scheme, pooled))
        elif isinstance(indicator, ProgressIndicator):
            lines.append(_progress_line(indicator, scheme, pooled))
        elif isinstance(indicator, EvaluationIndicator):
            lines.append(_evaluation_line(indicator, scheme, pooled))
        elif isinstance(indicator, TargetsIndicator):
            lines.append(_targets_line(indicator, scheme))
        elif isinstance(indicator, ReportsIndicator):
            lines.append(_reports_line(indicator, pooled))
        elif isinstance(indicator, RedLightsIndicator):
            lines.append(_red_lights_line(indicator, pooled))
        elif isinstance(indicator, AdjustmentIndicator):
            lines.append(_adjustment_line(indicator))
    lines.append(pl.format("合计 {} 分，{}", _num(pl.col("score")), _place()))
    lines.extend(
        _rule_line(rule, i, kind)
        for i, rule in enumerate(scheme.consequences)
        if rule.period_kind == period_kind and kind in rule.subjects
    )
    # Every line is set on every row, so a fixed-size array does (concat_arr is marked unstable in polars,
    # but is many times faster than concat_list here; the tests read the lines back).
    return pl.concat_arr(lines).arr.to_list()


# Assess


def assess(
    projects: pl.DataFrame,
    facts: pl.DataFrame,
    evaluations: pl.DataFrame,
    adjustments: pl.DataFrame,
    history: pl.DataFrame,
    scheme: Scheme,
    *,
    explain: bool = False,
    completions: pl.DataFrame | None = None,
) -> Results:
    """Score, rank and judge every subject the scheme assesses in every period of ``facts``.

    The frames are described in the module docstring. Raises :class:`ValueError` naming the frame and the
    column when an input cannot be used (a missing column, an empty or negative count, two rows for one
    project and period, a period code that is not one, a score outside 0–100…). The explanations are written
    only with ``explain=True``; otherwise :attr:`Results.figures` keeps what they are written from, and
    :func:`explain` writes any of them when asked.
    """
    projects = _conform_projects(projects, scheme)
    periods, facts = _check_facts(_conform(facts, FACT_COLUMNS, "facts"), projects)
    evaluations = _conform(evaluations, EVALUATION_COLUMNS, "evaluations")
    _check_evaluations(evaluations)
    adjustments = _conform(adjustments, ADJUSTMENT_COLUMNS, "adjustments")
    _check_adjustments(adjustments)
    completions = _conform(
        pl.DataFrame(schema=COMPLETION_COLUMNS) if completions is None else completions,
        COMPLETION_COLUMNS,
        "completions",
    )
    _check_completions(completions)
    history = _conform(history, HISTORY_COLUMNS, "history")
    _nulls(history, list(HISTORY_COLUMNS), "history")
    yellow = history.filter(pl.col("kind") == ConsequenceKind.YELLOW_CARD.value)
    months = pl.concat(
        [
            periods.filter(pl.col("period_kind") == PeriodKind.MONTH.value).with_columns(
                assessed=pl.lit(True)
            ),
            _check_periods(
                yellow["period_code"].unique().to_list(), "history", months_only=True
            ).with_columns(assessed=pl.lit(False)),
        ]
    ).unique("period_code", keep="first", maintain_order=True)

    grouped = [group_column(s.kind) for s in scheme.subjects if s.grouped]
    groups = {ALL}.union(*(projects[c].drop_nulls().unique().to_list() for c in grouped))
    period = facts.schema["period_code"]
    assert isinstance(period, pl.Enum)
    keys = _Keys(period=period, kind=_KIND, group=pl.Enum(sorted(groups)))
    projects = projects.with_columns(pl.col(c).cast(keys.group) for c in grouped)

    ev = _evaluation_stats(_keyed(evaluations, keys), _trim_from(scheme))
    rows = _project_rows(facts, projects, scheme, ev)
    subjects = _subject_rows(rows, ev, _keyed(adjustments, keys), _keyed(completions, keys), scheme, keys)
    # Each kind of subject scored by the indicators that score it and sorted apart; one after the other, they
    # are in the order of the results (a kind an indicator does not score has no figures of it: nulls).
    kinds = _assessed_kinds(scheme)
    scored = pl.concat(
        [
            _ranked(part)
            for part in pl.collect_all(
                [
                    _score(part.lazy(), scheme.for_subjects(kind), keys)
                    for kind, part in zip(kinds, subjects, strict=True)
                ],
                engine=_ENGINE,
            )
        ],
        how="vertical" if all(scheme.for_subjects(k) is scheme for k in kinds) else "diagonal_relaxed",
        rechunk=False,
    )
    decided = _decide(scored.with_row_index("_row"), history, months, scheme)
    consequences = _consequence_rows(decided, scheme)

    text = [pl.col(c).cast(pl.String) for c in ("period_code", "subject_kind", "group")]
    decided = decided.with_columns(text)
    scores = decided.select(
        "period_code",
        "period_kind",
        "subject_kind",
        "subject_id",
        "group",
        "score",
        "rank",
        "group_size",
        *(_points_column(i) for i in scheme.indicators),
    ).with_columns(pl.lit(scheme.version, pl.Int64).alias("scheme_version"))
    figures = decided.select(_figure_columns(scheme))
    if explain:
        scores = scores.with_columns(_written(figures, scheme))
    consequences = consequences.with_columns(pl.lit(scheme.version, pl.Int64).alias("scheme_version"))
    return Results(
        scores=scores,
        consequences=consequences,
        figures=figures,
        scheme_name=scheme.name,
        scheme_version=scheme.version,
    )


# Explaining on demand


def _figure_columns(scheme: Scheme) -> list[str]:
    """The columns of :attr:`Results.figures` under ``scheme``: what its explanations are written from."""
    columns = [*_FIGURE_KEYS, "score", "rank", "group_size", "n_projects", "w_total"]
    for indicator in scheme.indicators:
        columns.append(_points_column(indicator))
        relative = isinstance(indicator, ScoredIndicator) and indicator.mode is Mode.RELATIVE
        if isinstance(indicator, InvestmentIndicator):
            columns += ["done", "plan", "inv_rate", "inv_att", "inv_w", "no_plan_n"]
            columns += ["inv_best"] if relative else []
        elif isinstance(indicator, ProgressIndicator):
            columns += ["due", "met", "prog_rate"] + (["prog_best"] if relative else [])
        elif isinstance(indicator, EvaluationIndicator):
            columns += ["ev_source", "ev_value", "ev_n", "ev_hi", "ev_lo"] + (["ev_best"] if relative else [])
        elif isinstance(indicator, TargetsIndicator):
            columns += ["tg_rate", "tg_detail"] + (["tg_best"] if relative else [])
        elif isinstance(indicator, ReportsIndicator):
            columns += ["missing", "late"]
        elif isinstance(indicator, RedLightsIndicator):
            columns.append("red")
        elif isinstance(indicator, AdjustmentIndicator):
            columns += ["adj_total", "adj_items"]
    if _reweighted(scheme) and "inv_att" not in columns:
        columns.append("inv_att")
    for i, rule in enumerate(scheme.consequences):
        names = _rule_columns(i)
        columns.append(names.chosen)
        if rule.from_top:
            columns.append(names.withheld)
        if rule.kind is ConsequenceKind.REWARD:
            columns.append(names.amount)
        if rule.kind is ConsequenceKind.YELLOW_CARD and rule.period_kind == "month":
            columns.append(names.streak)
    return columns


def _written(figures: pl.DataFrame, scheme: Scheme) -> pl.Series:
    """The explanation of every row of ``figures`` (in its order), written part by part: each kind of subject
    and of period has its own lines, known in advance."""
    if figures.is_empty():
        return pl.Series("explanation", [], pl.List(pl.String))
    frame = figures.rechunk().lazy().with_row_index("_at")  # see _consequence_rows on rechunking
    if "inv_att" in figures.columns:
        # Left out of the investment indicator (no rate where the scheme re-weights).
        frame = frame.with_columns(pl.col("inv_att").is_null().alias("inv_out"))
    parts = [
        frame.filter(pl.col("subject_kind") == kind, pl.col("period_kind") == period_kind).select(
            "_at",
            _explanation(scheme.for_subjects(kind), SubjectKind(kind), period_kind).alias("explanation"),
        )
        for kind, period_kind in figures.select("subject_kind", "period_kind").unique().iter_rows()
    ]
    written = pl.concat(pl.collect_all(parts))
    if len(parts) > 1:
        written = written.sort("_at")
    return written["explanation"]


def explain(figures: pl.DataFrame, scheme: Scheme) -> pl.Series:
    """The explanations of the rows of ``figures`` (rows of :attr:`Results.figures`, as kept, of this scheme
    and :data:`FIGURES_LAYOUT`), in their order: for each, a line per indicator with its inputs, formula and
    points, the total and rank, and a line per consequence rule that applies, saying whether it was given and
    why — word for word what :func:`assess` writes with ``explain=True``."""
    missing = [c for c in _figure_columns(scheme) if c not in figures.columns]
    if missing:
        raise ValueError(f"figures lacks the columns {', '.join(missing)}")
    return _written(figures, scheme)


# Year end


def grade_year(scores: pl.DataFrame, scheme: Scheme) -> pl.DataFrame:
    """The year-end grades (年终考核) from the monthly rows of ``scores`` (as :func:`assess` gives them; 旬 rows
    are left out), by calendar year.

    Each subject's mean monthly score (rounded to the cent) is ranked within its group (its group in its last
    month) and graded by the scheme's year-end bands. Columns: year, subject_kind, subject_id, group, months,
    mean_score, rank, group_size, grade, explanation; sorted by year, kind of subject, group, rank and id.
    """
    needed = ["period_code", "period_kind", "subject_kind", "subject_id", "group", "score"]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks the columns {', '.join(missing)}")
    year_group = ["year", "subject_kind", "group"]
    yearly = (
        scores.filter(pl.col("period_kind") == PeriodKind.MONTH.value)
        .with_columns(pl.col("period_code").str.slice(0, 4).cast(pl.Int64).alias("year"))
        .group_by("year", "subject_kind", "subject_id")
        .agg(
            pl.len().cast(pl.Int64).alias("months"),
            pl.col("score").mean().alias("_mean"),
            pl.col("group").sort_by("period_code").last().alias("group"),
        )
        .with_columns(_cents(pl.col("_mean")).alias("mean_score"))
        .with_columns(
            pl.col("mean_score").rank("min", descending=True).over(year_group).cast(pl.Int64).alias("rank"),
            pl.len().over(year_group).cast(pl.Int64).alias("group_size"),
        )
    )
    year_end = scheme.year_end
    grades = [band.grade for band in year_end.bands]
    head = pl.format(
        "{} 个月考核平均 {} 分，本组第 {}/{} 名",
        pl.col("months"),
        _num(pl.col("mean_score")),
        pl.col("rank"),
        pl.col("group_size"),
    )
    if year_end.basis is YearEndBasis.RANK:
        cumulative, reached = 0.0, []
        for band in year_end.bands:
            cumulative += band.share or 0
            reached.append((pl.col("group_size") * cumulative + 0.5 + _EPS).floor().cast(pl.Int64))
        reached[-1] = pl.col("group_size")
        grade: pl.Expr = pl.lit(grades[-1])
        for limit, name in reversed(list(zip(reached[:-1], grades[:-1], strict=True))):
            grade = pl.when(pl.col("rank") <= limit).then(pl.lit(name)).otherwise(grade)
        rule_parts: list[pl.Expr | str] = []
        for k, (limit, name) in enumerate(zip(reached[:-1], grades[:-1], strict=True)):
            rule_parts.append(pl.format(f"{name}{'前' if k == 0 else '至第'} {{}} 名", limit))
        rule_parts.append(f"其余{grades[-1]}")
        rule = pl.concat_str([p if isinstance(p, pl.Expr) else pl.lit(p) for p in rule_parts], separator="，")
        explanation = pl.format("{} → {}（本组 {} 名：{}）", head, grade, pl.col("group_size"), rule)
    else:
        grade = pl.lit(grades[-1])
        for band in reversed(year_end.bands[:-1]):
            assert band.min_score is not None
            grade = pl.when(pl.col("mean_score") >= band.min_score).then(pl.lit(band.grade)).otherwise(grade)
        words = "，".join(
            f"{b.grade}不低于 {_num_text(b.min_score)} 分"
            for b in year_end.bands[:-1]
            if b.min_score is not None
        )
        explanation = pl.format(f"{{}} → {{}}（{words}，其余{grades[-1]}）", head, grade)
    return yearly.select(
        "year",
        "subject_kind",
        "subject_id",
        "group",
        "months",
        "mean_score",
        "rank",
        "group_size",
        grade.alias("grade"),
        explanation.alias("explanation"),
    ).sort("year", "subject_kind", "group", "rank", "subject_id")
