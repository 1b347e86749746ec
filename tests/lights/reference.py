"""The lights judged one project at a time, written plainly from the rules' wording: the reference the frame
engine (:func:`gongjian.lights.rules.evaluate_frame`) must agree with, row for row (``test_rules.py`` runs every
property through both). Test code: the application lights with the frame engine only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from gongjian.core.workdays import WorkCalendar
from gongjian.lights.rules import (
    _QUOTE_CHARS,
    _UNITS,
    DIMENSIONS,
    Colour,
    Dimension,
    Figure,
    InvestmentRule,
    MilestoneRule,
    MissingRule,
    ProblemRule,
    RuleSet,
    StartRule,
    _check_int,
)


@dataclass(frozen=True)
class MilestoneInput:
    """A milestone of physical progress (形象进度节点) with its planned date and, once reached, its actual date."""

    label: str
    planned: date
    actual: date | None = None


@dataclass(frozen=True)
class ProblemInput:
    """A problem needing coordination; without a deadline it is never overdue."""

    description: str
    deadline: date | None
    resolved_on: date | None = None


@dataclass(frozen=True)
class ProjectInput:
    """What the rules look at for one project in one period, as known on ``as_of`` (usually the period's end).

    Money is whole yuan. ``plan_to_date`` is the plan this year through the period's end (序时进度);
    ``done_to_date`` is the investment done this year to date; ``missed_in_a_row`` counts periods in a row
    without a submitted report, ending with this one. Dates after ``as_of`` are not yet known to the rules:
    a milestone reached or a problem resolved after ``as_of`` was still open on ``as_of``.
    """

    category: str
    period_kind: str
    as_of: date
    plan_to_date: int
    done_to_date: int
    missed_in_a_row: int = 0
    milestones: tuple[MilestoneInput, ...] = ()
    problems: tuple[ProblemInput, ...] = ()
    planned_start: date | None = None
    actual_start: date | None = None

    def __post_init__(self) -> None:
        if self.period_kind not in _UNITS:
            raise ValueError(f"period_kind must be 'dekad' or 'month', got {self.period_kind!r}")
        _check_int("plan_to_date", self.plan_to_date, minimum=0)
        _check_int("done_to_date", self.done_to_date, minimum=0)
        _check_int("missed_in_a_row", self.missed_in_a_row, minimum=0)


@dataclass(frozen=True)
class Reason:
    """Why one dimension is yellow or red, in words, with the figures behind it."""

    dimension: Dimension
    colour: Colour
    text: str
    figures: Mapping[str, Figure] = field(hash=False)


@dataclass(frozen=True)
class Light:
    """A project's light for one period.

    ``dimensions`` pairs each judged dimension with its colour, in dimension order; ``reasons`` covers the
    yellow and red ones, worst first (then in dimension order); ``figures`` maps each judged dimension to
    the numbers behind it, green ones included. Equal inputs give equal lights.
    """

    colour: Colour
    reasons: tuple[Reason, ...]
    dimensions: tuple[tuple[Dimension, Colour], ...]
    figures: Mapping[Dimension, Mapping[str, Figure]] = field(hash=False)

    def colour_of(self, dimension: Dimension | str) -> Colour | None:
        """The colour of one dimension, or ``None`` when it was not judged."""
        return dict(self.dimensions).get(Dimension(dimension))

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.reasons)


# Each wording is written twice, here and as a polars expression below; the tests hold them equal.

# period kind → (the word after 本, the word after a count)


def _wan(yuan: int) -> str:
    """Yuan as 万元 with two decimals, half-up, no grouping: 6_200_000 → "620.00"."""
    hundreds = (yuan + 50) // 100
    return f"{hundreds // 100}.{hundreds % 100:02d}"


def _investment_text(percent: int, done: int, plan: int, gap: int) -> str:
    # The gap is measured to 序时进度 itself (100 % of the plan to date), as the 银川 rule words it: ">30 个百分点"
    # below it is red, i.e. under 70 %.
    return (
        f"投资完成率 {percent}%（本年累计 {_wan(done)} 万元 / 序时计划 {_wan(plan)} 万元），"
        f"低于序时进度 {gap} 个百分点"
    )


def _milestone_text(label: str, days: int, planned: date) -> str:
    name = label if label.endswith("节点") else f"{label}节点"
    return f"{name}逾期 {days} 天（计划 {planned.isoformat()}）"


def _missing_text(missed: int, period_kind: str) -> str:
    this, counted = _UNITS[period_kind]
    if missed == 1:
        return f"本{this}未报"
    if missed == 2:
        return f"连续两{counted}未报"
    return f"连续 {missed} {counted}未报"


def _quote(description: str) -> str:
    quoted = description if len(description) <= _QUOTE_CHARS else f"{description[:_QUOTE_CHARS]}…"
    return f"：{quoted}" if quoted else ""


def _problem_text(workdays: int, deadline: date, description: str) -> str:
    if workdays == 0:
        # Past the deadline only over days off (a Friday deadline seen on Sunday).
        return f"问题已过解决期限（{deadline.isoformat()}）未解决{_quote(description)}"
    return f"问题逾期 {workdays} 个工作日未解决{_quote(description)}"


def _start_text(planned: date) -> str:
    return f"计划 {planned:%Y-%m} 开工，至今未开工"


_Judgement = tuple[Colour, dict[str, Figure], str]


def _judge_investment(p: ProjectInput, rule: InvestmentRule) -> _Judgement:
    if p.plan_to_date == 0:
        # Nothing planned yet: nothing can be behind.
        figures: dict[str, Figure] = {
            "plan_to_date": 0,
            "done_to_date": p.done_to_date,
            "ratio": None,
            "percent": None,
            "gap_points": None,
        }
        return Colour.GREEN, figures, ""
    percent = p.done_to_date * 100 // p.plan_to_date
    if percent >= rule.green_from_percent:
        colour = Colour.GREEN
    elif percent >= rule.yellow_from_percent:
        colour = Colour.YELLOW
    else:
        colour = Colour.RED
    gap = max(0, 100 - percent)
    figures = {
        "plan_to_date": p.plan_to_date,
        "done_to_date": p.done_to_date,
        "ratio": p.done_to_date / p.plan_to_date,
        "percent": percent,
        "gap_points": gap,
    }
    return colour, figures, _investment_text(percent, p.done_to_date, p.plan_to_date, gap)


def _judge_milestone(p: ProjectInput, rule: MilestoneRule) -> _Judgement:
    overdue = [
        (m.planned, m.label)
        for m in p.milestones
        if m.planned < p.as_of and (m.actual is None or m.actual > p.as_of)
    ]
    if not overdue:
        return Colour.GREEN, {"overdue": 0, "label": None, "planned": None, "days_overdue": 0}, ""
    # The one longest overdue; among milestones planned the same day, the first label, so order never matters.
    planned, label = min(overdue)
    days = (p.as_of - planned).days
    if days > rule.red_after_days:
        colour = Colour.RED
    elif days > rule.yellow_after_days:
        colour = Colour.YELLOW
    else:
        colour = Colour.GREEN
    figures: dict[str, Figure] = {
        "overdue": len(overdue),
        "label": label,
        "planned": planned,
        "days_overdue": days,
    }
    return colour, figures, _milestone_text(label, days, planned)


def _judge_missing(p: ProjectInput, rule: MissingRule) -> _Judgement:
    n = p.missed_in_a_row
    colour = Colour.RED if n >= rule.red_from else Colour.YELLOW if n >= rule.yellow_from else Colour.GREEN
    return colour, {"missed_in_a_row": n}, _missing_text(n, p.period_kind)


def _judge_problem(p: ProjectInput, rule: ProblemRule, calendar: WorkCalendar) -> _Judgement:
    overdue = [
        (q.deadline, q.description)
        for q in p.problems
        if q.deadline is not None
        and q.deadline < p.as_of
        and (q.resolved_on is None or q.resolved_on > p.as_of)
    ]
    if not overdue:
        return (
            Colour.GREEN,
            {"overdue": 0, "description": None, "deadline": None, "days_overdue": 0, "workdays_overdue": 0},
            "",
        )
    # The earliest deadline is the longest overdue, in working days as in calendar days.
    deadline, description = min(overdue)
    workdays = calendar.between(deadline, p.as_of)
    if workdays >= rule.red_from_workdays:
        colour = Colour.RED
    elif workdays >= rule.yellow_from_workdays:
        colour = Colour.YELLOW
    else:
        colour = Colour.GREEN
    figures: dict[str, Figure] = {
        "overdue": len(overdue),
        "description": description,
        "deadline": deadline,
        "days_overdue": (p.as_of - deadline).days,
        "workdays_overdue": workdays,
    }
    return colour, figures, _problem_text(workdays, deadline, description)


def _judge_start(p: ProjectInput, rule: StartRule) -> _Judgement:
    started = p.actual_start if p.actual_start is not None and p.actual_start <= p.as_of else None
    if p.planned_start is None:
        return Colour.GREEN, {"planned_start": None, "actual_start": started, "red_from": None}, ""
    months = p.planned_start.year * 12 + p.planned_start.month - 1 + rule.red_from_months_after
    red_from = date(months // 12, months % 12 + 1, 1)
    colour = Colour.RED if started is None and p.as_of >= red_from else Colour.GREEN
    figures: dict[str, Figure] = {
        "planned_start": p.planned_start,
        "actual_start": started,
        "red_from": red_from,
    }
    return colour, figures, _start_text(p.planned_start)


def evaluate(project: ProjectInput, ruleset: RuleSet, calendar: WorkCalendar) -> Light:
    """The light of one project for one period under ``ruleset``."""
    judged: dict[Dimension, _Judgement] = {}
    for kind, rule in ruleset.rules_for(project.category).items():
        if isinstance(rule, InvestmentRule):
            judged[kind] = _judge_investment(project, rule)
        elif isinstance(rule, MilestoneRule):
            judged[kind] = _judge_milestone(project, rule)
        elif isinstance(rule, MissingRule):
            judged[kind] = _judge_missing(project, rule)
        elif isinstance(rule, ProblemRule):
            judged[kind] = _judge_problem(project, rule, calendar)
        elif isinstance(rule, StartRule):
            judged[kind] = _judge_start(project, rule)
    reasons = sorted(
        (
            Reason(kind, colour, text, figures)
            for kind, (colour, figures, text) in judged.items()
            if colour > Colour.GREEN
        ),
        key=lambda r: (-r.colour, DIMENSIONS.index(r.dimension)),
    )
    return Light(
        colour=max((colour for colour, _, _ in judged.values()), default=Colour.GREEN),
        reasons=tuple(reasons),
        dimensions=tuple((kind, colour) for kind, (colour, _, _) in judged.items()),
        figures={kind: figures for kind, (_, figures, _) in judged.items()},
    )
