"""The traffic-light rules (红绿灯): how every project is lit green, yellow or red every period, and why.

A light is computed from the numbers, never typed in. Each *dimension* of a project is judged by its rule:

=============  ===========================================================================================
investment     投资完成率: investment done this year to date against the plan to date (序时进度)
milestone      形象进度节点: a milestone whose planned date has passed without it being reached
missing        未报: periods in a row, ending with this one, for which no report was submitted
problem        问题逾期: an open problem past its deadline, counted in working days
start          开工: a project not started by the month after its planned start
=============  ===========================================================================================

The project's light is its worst dimension. Every yellow or red dimension gives a reason in words
(``"开工节点逾期 18 天（计划 2026-10-05）"``), worst first, and every judged dimension gives the figures
behind it so a page can show them.

Thresholds are configuration: a :class:`RuleSet` (versioned) holds one rule per dimension and, where the
office wants it, rules for particular project categories. For a project of category C the rule of a
dimension is the one naming C if there is one, otherwise the general rule (no categories); a dimension with
neither, or whose chosen rule is disabled, is not judged. So a category can get its own threshold, its own
extra dimension, or be spared a dimension by a disabled rule naming it.

:func:`evaluate_frame` judges many projects and periods at once from polars frames. Pure: no Django, plain data
in and out. The tests hold a one-project-at-a-time reference (``tests/lights/reference.py``), written plainly
from the rules' wording, that the frame engine must agree with row for row.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any, ClassVar, Final, NamedTuple

import polars as pl

from gongjian.core.periods import PeriodKind
from gongjian.core.workdays import WorkCalendar

__all__ = [
    "DIMENSIONS",
    "FACTS",
    "Colour",
    "Dimension",
    "Figure",
    "InvestmentRule",
    "MilestoneRule",
    "MissingRule",
    "ProblemRule",
    "Rule",
    "RuleSet",
    "StartRule",
    "evaluate_frame",
    "figures_expr",
    "figures_of",
    "with_figures",
]


class Colour(IntEnum):
    """A light's colour; worse is larger, so ``max`` gives the worst."""

    GREEN = 0
    YELLOW = 1
    RED = 2

    @property
    def label(self) -> str:
        return _COLOUR_LABELS[self]


_COLOUR_LABELS: Final = {Colour.GREEN: "绿灯", Colour.YELLOW: "黄灯", Colour.RED: "红灯"}


class Dimension(StrEnum):
    """What a rule judges. The values name the output columns and the keys of ``figures``."""

    INVESTMENT = "investment"
    MILESTONE = "milestone"
    MISSING = "missing"
    PROBLEM = "problem"
    START = "start"


#: Every dimension, in the order reasons of the same colour are listed.
DIMENSIONS: Final = tuple(Dimension)

#: A number (or date, or name) behind a reason.
Figure = int | float | str | date | None

# How much of a problem's description a reason quotes.
_QUOTE_CHARS: Final = 20


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


# Rules


@dataclass(frozen=True, kw_only=True)
class Rule:
    """How one dimension is judged, for the categories named (none: every category without its own rule).

    A disabled rule still decides which rule applies: a disabled rule naming a category spares projects of
    that category the dimension even when a general rule exists.
    """

    kind: ClassVar[Dimension]

    categories: frozenset[str] = frozenset()
    enabled: bool = True

    def __post_init__(self) -> None:
        if type(self) is Rule:
            raise TypeError(
                "Rule is abstract: use InvestmentRule, MilestoneRule, MissingRule, ProblemRule or StartRule"
            )
        if not isinstance(self.categories, frozenset):
            raise TypeError(f"categories must be a frozenset, got {self.categories!r}")
        if any(not isinstance(c, str) or not c for c in self.categories):
            raise ValueError(f"a category must be a non-empty string, got {sorted(self.categories, key=str)}")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, read back by :meth:`from_dict`."""
        data: dict[str, Any] = {"kind": self.kind.value}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            data[f.name] = sorted(value) if f.name == "categories" else value
        return data

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Rule:
        values = dict(data)
        kind = Dimension(values.pop("kind"))
        values["categories"] = frozenset(values.get("categories", ()))
        return _RULE_CLASSES[kind](**values)


@dataclass(frozen=True, kw_only=True)
class InvestmentRule(Rule):
    """Green from ``green_from_percent`` of the plan to date, yellow from ``yellow_from_percent``, else red.

    Whole percents keep the comparison exact: 89.99 % is 89 %, below a 90 % line.
    """

    kind: ClassVar[Dimension] = Dimension.INVESTMENT

    green_from_percent: int = 90
    yellow_from_percent: int = 70

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int("green_from_percent", self.green_from_percent, minimum=0)
        _check_int("yellow_from_percent", self.yellow_from_percent, minimum=0)
        if self.yellow_from_percent > self.green_from_percent:
            raise ValueError("the yellow line cannot be above the green line")


@dataclass(frozen=True, kw_only=True)
class MilestoneRule(Rule):
    """Yellow when a milestone is more than ``yellow_after_days`` late, red when more than ``red_after_days``."""

    kind: ClassVar[Dimension] = Dimension.MILESTONE

    yellow_after_days: int = 0
    red_after_days: int = 30

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int("yellow_after_days", self.yellow_after_days, minimum=0)
        _check_int("red_after_days", self.red_after_days, minimum=0)
        if self.red_after_days < self.yellow_after_days:
            raise ValueError("a milestone cannot turn red before it turns yellow")


@dataclass(frozen=True, kw_only=True)
class MissingRule(Rule):
    """Yellow from ``yellow_from`` missing reports in a row, red from ``red_from``."""

    kind: ClassVar[Dimension] = Dimension.MISSING

    yellow_from: int = 1
    red_from: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int("yellow_from", self.yellow_from, minimum=1)
        _check_int("red_from", self.red_from, minimum=1)
        if self.red_from < self.yellow_from:
            raise ValueError("missing reports cannot turn red before they turn yellow")


@dataclass(frozen=True, kw_only=True)
class ProblemRule(Rule):
    """An open problem past its deadline is yellow once ``yellow_from_workdays`` working days past it (0: from
    the day after the deadline) and red from ``red_from_workdays``."""

    kind: ClassVar[Dimension] = Dimension.PROBLEM

    yellow_from_workdays: int = 0
    red_from_workdays: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int("yellow_from_workdays", self.yellow_from_workdays, minimum=0)
        _check_int("red_from_workdays", self.red_from_workdays, minimum=0)
        if self.red_from_workdays < self.yellow_from_workdays:
            raise ValueError("a problem cannot turn red before it turns yellow")


@dataclass(frozen=True, kw_only=True)
class StartRule(Rule):
    """Red when not started on the first day of the ``red_from_months_after``-th month after the planned
    start's month (1: from 1 October for a start planned in September)."""

    kind: ClassVar[Dimension] = Dimension.START

    red_from_months_after: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int("red_from_months_after", self.red_from_months_after, minimum=0)


_RULE_CLASSES: Final[dict[Dimension, type[Rule]]] = {
    cls.kind: cls for cls in (InvestmentRule, MilestoneRule, MissingRule, ProblemRule, StartRule)
}


@dataclass(frozen=True)
class RuleSet:
    """A version of the office's light rules. At most one rule of a kind may apply to any category."""

    rules: tuple[Rule, ...]
    version: int = 1

    def __post_init__(self) -> None:
        _check_int("version", self.version, minimum=1)
        seen: dict[tuple[Dimension, str | None], Rule] = {}
        for rule in self.rules:
            for scope in rule.categories or {None}:
                earlier = seen.setdefault((rule.kind, scope), rule)
                if earlier is not rule:
                    where = f"category {scope}" if scope else "all categories"
                    raise ValueError(f"two {rule.kind.value} rules for {where}: {earlier!r} and {rule!r}")

    @classmethod
    def default(cls, version: int = 1) -> RuleSet:
        """The rules of the design (002): 90 %/70 % of plan, 30 days of milestone slip, two missing reports,
        10 working days past a problem's deadline, not started by the month after the planned start."""
        return cls(
            rules=(InvestmentRule(), MilestoneRule(), MissingRule(), ProblemRule(), StartRule()),
            version=version,
        )

    def rules_for(self, category: str) -> dict[Dimension, Rule]:
        """The enabled rule of each dimension judged for a project of ``category``, in dimension order."""
        chosen: dict[Dimension, Rule] = {}
        for rule in self.rules:
            if category in rule.categories or (not rule.categories and rule.kind not in chosen):
                chosen[rule.kind] = rule
        return {kind: chosen[kind] for kind in DIMENSIONS if kind in chosen and chosen[kind].enabled}

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "rules": [rule.as_dict() for rule in self.rules]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        return cls(rules=tuple(Rule.from_dict(r) for r in data["rules"]), version=data["version"])


_UNITS: Final = {PeriodKind.DEKAD.value: ("旬", "旬"), PeriodKind.MONTH.value: ("月", "个月")}


# Many at once

_ROWS: Final = {
    "project_id": pl.Int64,
    "period_code": pl.String,
    "category": pl.String,
    "period_kind": pl.String,
    "as_of": pl.Date,
    "plan_to_date": pl.Int64,
    "done_to_date": pl.Int64,
    "missed_in_a_row": pl.Int64,
    "planned_start": pl.Date,
    "actual_start": pl.Date,
    "baseline": pl.Int64,
}
_NULLABLE: Final = {"planned_start", "actual_start"}
_MILESTONES: Final = {
    "project_id": pl.Int64,
    "label": pl.String,
    "planned": pl.Date,
    "actual": pl.Date,
    "baseline": pl.Int64,
}
# Optional in the caller's frames: which baseline (version of the yardstick) a row is measured against and which
# baseline a milestone's plan date belongs to; absent means one baseline for everything.
_OPTIONAL: Final = {"baseline": 0}
_PROBLEMS: Final = {
    "project_id": pl.Int64,
    "description": pl.String,
    "deadline": pl.Date,
    "resolved_on": pl.Date,
}

# The threshold columns joined onto every row by category; null where the dimension is not judged.
_PARAMS: Final = {
    "inv_green": pl.Int64,
    "inv_yellow": pl.Int64,
    "ms_yellow": pl.Int64,
    "ms_red": pl.Int64,
    "miss_yellow": pl.Int64,
    "miss_red": pl.Int64,
    "pb_yellow": pl.Int64,
    "pb_red": pl.Int64,
    "start_months": pl.Int64,
}


def _conform(
    frame: pl.DataFrame, schema: Mapping[str, pl.DataType | type[pl.DataType]], name: str
) -> pl.DataFrame:
    frame = frame.with_columns(
        pl.lit(value, pl.Int64).alias(column)
        for column, value in _OPTIONAL.items()
        if column in schema and column not in frame.columns
    )
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {', '.join(missing)}")
    return frame.select(pl.col(c).cast(t) for c, t in schema.items())


def _params(categories: list[str], ruleset: RuleSet) -> pl.DataFrame:
    records = []
    for category in categories:
        rules = ruleset.rules_for(category)
        record: dict[str, int | str | None] = dict.fromkeys(_PARAMS)
        record["category"] = category
        for rule in rules.values():
            if isinstance(rule, InvestmentRule):
                record.update(inv_green=rule.green_from_percent, inv_yellow=rule.yellow_from_percent)
            elif isinstance(rule, MilestoneRule):
                record.update(ms_yellow=rule.yellow_after_days, ms_red=rule.red_after_days)
            elif isinstance(rule, MissingRule):
                record.update(miss_yellow=rule.yellow_from, miss_red=rule.red_from)
            elif isinstance(rule, ProblemRule):
                record.update(pb_yellow=rule.yellow_from_workdays, pb_red=rule.red_from_workdays)
            elif isinstance(rule, StartRule):
                record.update(start_months=rule.red_from_months_after)
        records.append(record)
    return pl.DataFrame(records, schema={"category": pl.String, **_PARAMS})


def _workday_index(calendar: WorkCalendar, first: date, last: date) -> pl.DataFrame:
    """Each day from ``first`` to ``last`` with the number of working days from ``first`` through it, so that
    ``between(a, b)`` is a difference of two lookups."""
    exceptions = pl.DataFrame(
        {
            "date": [*calendar.holidays, *calendar.workdays],
            "work": [False] * len(calendar.holidays) + [True] * len(calendar.workdays),
        },
        schema={"date": pl.Date, "work": pl.Boolean},
    )
    days = pl.DataFrame({"date": pl.date_range(first, last, eager=True)})
    return days.join(exceptions, on="date", how="left", maintain_order="left").select(
        "date",
        pl.coalesce("work", pl.col("date").dt.weekday() <= 5).cast(pl.Int64).cum_sum().alias("index"),
    )


def _wan_expr(yuan: pl.Expr) -> pl.Expr:
    hundreds = (yuan + 50) // 100
    return pl.format("{}.{}", hundreds // 100, (hundreds % 100).cast(pl.String).str.zfill(2))


def _colour(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Int8)


def _milestones_overdue(base: pl.DataFrame, milestones: pl.DataFrame) -> pl.DataFrame:
    planned = pl.col("planned")
    return (
        base.filter(pl.col("ms_red").is_not_null())
        .select("_row", "project_id", "baseline", "as_of")
        .join(milestones, on=["project_id", "baseline"], how="inner")
        .filter(planned < pl.col("as_of"), pl.col("actual").is_null() | (pl.col("actual") > pl.col("as_of")))
        .group_by("_row")
        .agg(
            pl.len().cast(pl.Int64).alias("milestones_overdue"),
            planned.min().alias("milestone_planned"),
            pl.col("label").filter(planned == planned.min()).min().alias("milestone_label"),
        )
    )


def _problems_overdue(base: pl.DataFrame, problems: pl.DataFrame, calendar: WorkCalendar) -> pl.DataFrame:
    deadline = pl.col("deadline")
    overdue = (
        base.filter(pl.col("pb_red").is_not_null())
        .select("_row", "project_id", "as_of")
        .join(problems.filter(deadline.is_not_null()), on="project_id", how="inner")
        .filter(
            deadline < pl.col("as_of"),
            pl.col("resolved_on").is_null() | (pl.col("resolved_on") > pl.col("as_of")),
        )
        .group_by("_row")
        .agg(
            pl.len().cast(pl.Int64).alias("problems_overdue"),
            deadline.min().alias("problem_deadline"),
            pl.col("description").filter(deadline == deadline.min()).min().alias("problem_description"),
            pl.col("as_of").first(),
        )
    )
    if overdue.is_empty():
        return overdue.select(
            "_row",
            "problems_overdue",
            "problem_deadline",
            "problem_description",
            pl.lit(None, pl.Int64).alias("problem_workdays"),
        )
    first, last = overdue["problem_deadline"].min(), overdue["as_of"].max()
    assert isinstance(first, date) and isinstance(last, date)
    index = _workday_index(calendar, first, last)
    return (
        overdue.join(index.rename({"date": "as_of", "index": "i_as_of"}), on="as_of", how="left")
        .join(
            index.rename({"date": "problem_deadline", "index": "i_deadline"}),
            on="problem_deadline",
            how="left",
        )
        .select(
            "_row",
            "problems_overdue",
            "problem_deadline",
            "problem_description",
            (pl.col("i_as_of") - pl.col("i_deadline")).alias("problem_workdays"),
        )
    )


def _quote_expr(description: pl.Expr) -> pl.Expr:
    quoted = (
        pl.when(description.str.len_chars() > _QUOTE_CHARS)
        .then(description.str.slice(0, _QUOTE_CHARS) + "…")
        .otherwise(description)
    )
    return pl.when(quoted == "").then(pl.lit("")).otherwise("：" + quoted)


def evaluate_frame(
    rows: pl.DataFrame,
    milestones: pl.DataFrame,
    problems: pl.DataFrame,
    ruleset: RuleSet,
    calendar: WorkCalendar,
) -> pl.DataFrame:
    """The lights of many projects and periods at once; row for row the same as :func:`evaluate`.

    ``rows`` has one row per project and period: project_id, period_code, category, period_kind ("dekad" or
    "month"), as_of, plan_to_date, done_to_date, missed_in_a_row, planned_start and actual_start (both
    nullable), meaning what the fields of the tests' reference ``ProjectInput`` mean. ``milestones`` (project_id, label,
    planned, actual) and ``problems`` (project_id, description, deadline, resolved_on) belong to projects
    by project_id and are looked at as of each row's ``as_of``. Optionally, ``rows`` and ``milestones`` carry
    a ``baseline`` number: a row is then judged against the milestones of its project *and* baseline only (a
    project whose milestone plan dates were re-baselined keeps the old dates for the periods before).

    The result has one row per input row, in the same order: project_id, period_code, baseline, colour (0 green,
    1 yellow, 2 red), one colour column per dimension (null when not judged), reasons (list of texts, worst
    first) and the :data:`FACTS` the dimensions were judged on (a dimension's facts null when it is not judged).
    The figures behind the reasons are written from these on demand (:func:`with_figures`, :func:`figures_of`):
    a light keeps its facts, a few numbers and dates, instead of its figures' JSON.
    """
    rows = _conform(rows, _ROWS, "rows")
    milestones = _conform(milestones, _MILESTONES, "milestones")
    problems = _conform(problems, _PROBLEMS, "problems")
    _check_rows(rows)

    base = rows.with_row_index("_row").join(
        _params(rows["category"].unique().to_list(), ruleset),
        on="category",
        how="left",
        maintain_order="left",
    )
    base = base.join(
        _milestones_overdue(base, milestones), on="_row", how="left", maintain_order="left"
    ).join(_problems_overdue(base, problems, calendar), on="_row", how="left", maintain_order="left")
    # the first day a project not started is red: the first of the month ``start_months`` after its planned start
    months = (
        pl.col("planned_start").dt.year().cast(pl.Int64) * 12
        + pl.col("planned_start").dt.month().cast(pl.Int64)
        - 1
        + pl.col("start_months")
    )
    base = base.with_columns(start_red_from=pl.date(months // 12, months % 12 + 1, 1))

    judged = base.with_columns(exprs.colour.alias(kind.value) for kind, exprs in _DIMENSION_EXPRS.items())
    # Each text once, only where the dimension is yellow or red; then red ones before yellow ones.
    judged = judged.with_columns(
        pl.when(pl.col(kind.value) > Colour.GREEN).then(exprs.text).alias(f"_text_{kind.value}")
        for kind, exprs in _DIMENSION_EXPRS.items()
    )
    by_colour = [
        pl.when(pl.col(d.value) == colour).then(pl.col(f"_text_{d.value}"))
        for colour in (Colour.RED, Colour.YELLOW)
        for d in DIMENSIONS
    ]
    return judged.select(
        "project_id",
        "period_code",
        "baseline",
        _colour(pl.max_horizontal(*(d.value for d in DIMENSIONS)).fill_null(0)).alias("colour"),
        *(d.value for d in DIMENSIONS),
        # concat_arr (marked unstable in polars) is a dozen times faster here than concat_list; the tests
        # comparing both ways in would catch a change in it.
        pl.concat_arr(by_colour).arr.to_list().list.filter(pl.element().is_not_null()).alias("reasons"),
        "as_of",
        *(
            pl.when(pl.col(kind.value).is_not_null()).then(pl.col(fact)).alias(fact)
            for kind, facts in _FACTS_OF.items()
            for fact in facts
        ),
    )


#: What a light is judged on besides its thresholds, as :func:`evaluate_frame` gives it: the day it is judged as
#: of, then by dimension the investment planned and done to date, the overdue milestones (how many, the
#: earliest's name and plan date), the missing run, the overdue problems (how many, the earliest's description, deadline
#: and working days past it), the planned and actual start and the day a late start turns red.
FACTS: Final[dict[str, type[pl.DataType]]] = {
    "as_of": pl.Date,
    "plan_to_date": pl.Int64,
    "done_to_date": pl.Int64,
    "milestones_overdue": pl.Int64,
    "milestone_label": pl.String,
    "milestone_planned": pl.Date,
    "missed_in_a_row": pl.Int64,
    "problems_overdue": pl.Int64,
    "problem_description": pl.String,
    "problem_deadline": pl.Date,
    "problem_workdays": pl.Int64,
    "planned_start": pl.Date,
    "actual_start": pl.Date,
    "start_red_from": pl.Date,
}
_FACTS_OF: Final = {
    Dimension.INVESTMENT: ("plan_to_date", "done_to_date"),
    Dimension.MILESTONE: ("milestones_overdue", "milestone_label", "milestone_planned"),
    Dimension.MISSING: ("missed_in_a_row",),
    Dimension.PROBLEM: ("problems_overdue", "problem_description", "problem_deadline", "problem_workdays"),
    Dimension.START: ("planned_start", "actual_start", "start_red_from"),
}


def figures_expr() -> pl.Expr:
    """The figures behind a light, over a frame of its dimension colours and :data:`FACTS` (as
    :func:`evaluate_frame` gives them): a struct with one field per dimension, null when the dimension is not
    judged, each a struct of that dimension's figures; ``.struct.json_encode()`` gives the JSON a page shows."""
    return pl.struct(
        pl.when(pl.col(kind.value).is_not_null()).then(exprs.figures).alias(kind.value)
        for kind, exprs in _DIMENSION_EXPRS.items()
    ).alias("figures")


def with_figures(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (lights as :func:`evaluate_frame` gives them) with their ``figures`` (:func:`figures_expr`)."""
    return frame.with_columns(figures_expr())


def figures_of(lights: list[Mapping[str, object]]) -> list[dict[str, Any]]:
    """The figures of stored lights, each given as its dimension colours (keyed by dimension) and
    :data:`FACTS`: as JSON values, dates as ISO text, the same figures the light was judged with."""
    schema: dict[str, Any] = {d.value: pl.Int8 for d in DIMENSIONS} | FACTS
    frame = pl.DataFrame([{name: light.get(name) for name in schema} for light in lights], schema=schema)
    encoded = frame.select(figures_expr().struct.json_encode())["figures"]
    return [json.loads(text) for text in encoded]


class _Exprs(NamedTuple):
    """How one dimension is judged over a frame: its colour (null when not judged), its reason's text
    (meaningful where the colour is not green) and its figures."""

    colour: pl.Expr
    text: pl.Expr
    figures: pl.Expr


def _investment_exprs() -> _Exprs:
    plan, done, green = pl.col("plan_to_date"), pl.col("done_to_date"), pl.col("inv_green")
    percent = pl.when(plan > 0).then(done * 100 // plan)
    gap = pl.when(plan > 0).then(pl.max_horizontal(100 - percent, 0))
    colour = (
        pl.when(green.is_null())
        .then(None)
        .when(plan == 0)
        .then(0)
        .when(percent >= green)
        .then(0)
        .when(percent >= pl.col("inv_yellow"))
        .then(1)
        .otherwise(2)
    )
    text = pl.format(
        "投资完成率 {}%（本年累计 {} 万元 / 序时计划 {} 万元），低于序时进度 {} 个百分点",
        percent,
        _wan_expr(done),
        _wan_expr(plan),
        gap,
    )
    figures = pl.struct(
        plan_to_date=plan,
        done_to_date=done,
        ratio=pl.when(plan > 0).then(done / plan),
        percent=percent,
        gap_points=gap,
    )
    return _Exprs(_colour(colour), text, figures)


def _milestone_exprs() -> _Exprs:
    planned, label = pl.col("milestone_planned"), pl.col("milestone_label")
    days = (pl.col("as_of") - planned).dt.total_days()
    colour = (
        pl.when(pl.col("ms_red").is_null())
        .then(None)
        .when(days.is_null())
        .then(0)
        .when(days > pl.col("ms_red"))
        .then(2)
        .when(days > pl.col("ms_yellow"))
        .then(1)
        .otherwise(0)
    )
    text = pl.format(
        "{}逾期 {} 天（计划 {}）",
        pl.when(label.str.ends_with("节点")).then(label).otherwise(label + "节点"),
        days,
        planned.dt.to_string("%Y-%m-%d"),
    )
    figures = pl.struct(
        overdue=pl.col("milestones_overdue").fill_null(0),
        label=label,
        planned=planned,
        days_overdue=days.fill_null(0),
    )
    return _Exprs(_colour(colour), text, figures)


def _missing_exprs() -> _Exprs:
    missed = pl.col("missed_in_a_row")
    dekad = pl.col("period_kind") == PeriodKind.DEKAD.value
    colour = (
        pl.when(pl.col("miss_red").is_null())
        .then(None)
        .when(missed >= pl.col("miss_red"))
        .then(2)
        .when(missed >= pl.col("miss_yellow"))
        .then(1)
        .otherwise(0)
    )
    text = (
        pl.when(missed == 1)
        .then(pl.when(dekad).then(pl.lit("本旬未报")).otherwise(pl.lit("本月未报")))
        .when(missed == 2)
        .then(pl.when(dekad).then(pl.lit("连续两旬未报")).otherwise(pl.lit("连续两个月未报")))
        .otherwise(
            pl.format("连续 {} {}未报", missed, pl.when(dekad).then(pl.lit("旬")).otherwise(pl.lit("个月")))
        )
    )
    return _Exprs(_colour(colour), text, pl.struct(missed_in_a_row=missed))


def _problem_exprs() -> _Exprs:
    deadline, workdays = pl.col("problem_deadline"), pl.col("problem_workdays")
    colour = (
        pl.when(pl.col("pb_red").is_null())
        .then(None)
        .when(workdays.is_null())
        .then(0)
        .when(workdays >= pl.col("pb_red"))
        .then(2)
        .when(workdays >= pl.col("pb_yellow"))
        .then(1)
        .otherwise(0)
    )
    quote = _quote_expr(pl.col("problem_description"))
    text = (
        pl.when(workdays == 0)
        .then(pl.format("问题已过解决期限（{}）未解决{}", deadline.dt.to_string("%Y-%m-%d"), quote))
        .otherwise(pl.format("问题逾期 {} 个工作日未解决{}", workdays, quote))
    )
    figures = pl.struct(
        overdue=pl.col("problems_overdue").fill_null(0),
        description=pl.col("problem_description"),
        deadline=deadline,
        days_overdue=(pl.col("as_of") - deadline).dt.total_days().fill_null(0),
        workdays_overdue=workdays.fill_null(0),
    )
    return _Exprs(_colour(colour), text, figures)


def _start_exprs() -> _Exprs:
    as_of, planned = pl.col("as_of"), pl.col("planned_start")
    started = pl.when(pl.col("actual_start") <= as_of).then(pl.col("actual_start"))
    red_from = pl.col("start_red_from")
    colour = (
        pl.when(pl.col("start_months").is_null())
        .then(None)
        .when(planned.is_not_null() & started.is_null() & (as_of >= red_from))
        .then(2)
        .otherwise(0)
    )
    text = pl.format("计划 {} 开工，至今未开工", planned.dt.to_string("%Y-%m"))
    figures = pl.struct(planned_start=planned, actual_start=started, red_from=red_from)
    return _Exprs(_colour(colour), text, figures)


_DIMENSION_EXPRS: Final = {
    Dimension.INVESTMENT: _investment_exprs(),
    Dimension.MILESTONE: _milestone_exprs(),
    Dimension.MISSING: _missing_exprs(),
    Dimension.PROBLEM: _problem_exprs(),
    Dimension.START: _start_exprs(),
}


def _check_rows(rows: pl.DataFrame) -> None:
    """Refuse what the reference ``ProjectInput`` refuses, so both accept the same data."""
    required = [c for c in _ROWS if c not in _NULLABLE and c != "period_code"]
    found = rows.select(
        pl.any_horizontal(pl.col(required).is_null()).any().alias("nulls"),
        (~pl.col("period_kind").is_in(list(_UNITS))).any().alias("kinds"),
        (pl.min_horizontal("plan_to_date", "done_to_date", "missed_in_a_row") < 0).any().alias("negative"),
    ).row(0, named=True)
    if found["nulls"]:
        raise ValueError(f"rows has nulls in a required column ({', '.join(required)})")
    if found["kinds"]:
        raise ValueError("rows has a period_kind other than 'dekad' or 'month'")
    if found["negative"]:
        raise ValueError("rows has a negative plan_to_date, done_to_date or missed_in_a_row")
