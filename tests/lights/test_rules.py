"""The traffic-light rules (gongjian.lights.rules): what lights a project green, yellow or red, and the words
given. Plain Python and polars, no database.

Most examples run both ways in — one project through ``evaluate`` and the same project as a one-row frame
through ``evaluate_frame`` — since services use the second and pages explain with the first.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjian.core.money import format_wan
from gongjian.core.workdays import WorkCalendar
from gongjian.lights.rules import (
    DIMENSIONS,
    FACTS,
    Colour,
    Dimension,
    InvestmentRule,
    MilestoneRule,
    MissingRule,
    ProblemRule,
    Rule,
    RuleSet,
    StartRule,
    evaluate_frame,
    figures_of,
    with_figures,
)
from tests.lights.reference import Light, MilestoneInput, ProblemInput, ProjectInput, evaluate

AS_OF = date(2026, 10, 31)  # the end of 2026年10月下旬, a Saturday
WEEK = WorkCalendar()
DEFAULT = RuleSet.default()
WAN = 10_000  # yuan


def project(**fields: Any) -> ProjectInput:
    """A 工业 project seen on AS_OF with nothing wrong, changed by ``fields``."""
    values: dict[str, Any] = {
        "category": "工业",
        "period_kind": "dekad",
        "as_of": AS_OF,
        "plan_to_date": 1000 * WAN,
        "done_to_date": 1000 * WAN,
    }
    return ProjectInput(**{**values, **fields})


# ------------------------------------------------------------------------------------------------ both ways in


@dataclass(frozen=True)
class Seen:
    """A light as a page shows it: the colour, each dimension's colour (None: not judged), the reasons."""

    colour: int
    dimensions: dict[str, int | None]
    reasons: list[str]
    figures: dict[str, dict[str, Any] | None]


def seen_from_light(light: Light) -> Seen:
    return Seen(
        colour=int(light.colour),
        dimensions={
            d.value: (None if light.colour_of(d) is None else int(light.colour_of(d) or 0))
            for d in DIMENSIONS
        },
        reasons=list(light.texts),
        figures={d.value: (dict(light.figures[d]) if d in light.figures else None) for d in DIMENSIONS},
    )


def frames(projects: Sequence[ProjectInput]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The frames a service would build for ``projects``, the i-th being project i."""
    rows = pl.DataFrame(
        [
            {
                "project_id": i,
                "period_code": f"p{i}",
                "category": p.category,
                "period_kind": p.period_kind,
                "as_of": p.as_of,
                "plan_to_date": p.plan_to_date,
                "done_to_date": p.done_to_date,
                "missed_in_a_row": p.missed_in_a_row,
                "planned_start": p.planned_start,
                "actual_start": p.actual_start,
            }
            for i, p in enumerate(projects)
        ],
        schema={
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
        },
    )
    milestones = pl.DataFrame(
        [
            {"project_id": i, "label": m.label, "planned": m.planned, "actual": m.actual}
            for i, p in enumerate(projects)
            for m in p.milestones
        ],
        schema={"project_id": pl.Int64, "label": pl.String, "planned": pl.Date, "actual": pl.Date},
    )
    problems = pl.DataFrame(
        [
            {
                "project_id": i,
                "description": q.description,
                "deadline": q.deadline,
                "resolved_on": q.resolved_on,
            }
            for i, p in enumerate(projects)
            for q in p.problems
        ],
        schema={
            "project_id": pl.Int64,
            "description": pl.String,
            "deadline": pl.Date,
            "resolved_on": pl.Date,
        },
    )
    return rows, milestones, problems


def seen_in_frame(projects: Sequence[ProjectInput], ruleset: RuleSet, calendar: WorkCalendar) -> list[Seen]:
    # the figures written from the light's facts, as a stored light's are
    out = with_figures(evaluate_frame(*frames(projects), ruleset, calendar))
    return [
        Seen(
            colour=row["colour"],
            dimensions={d.value: row[d.value] for d in DIMENSIONS},
            reasons=row["reasons"],
            figures=row["figures"],
        )
        for row in out.to_dicts()
    ]


Judge = Callable[..., Seen]


@pytest.fixture(params=["evaluate", "evaluate_frame"])
def judge(request: pytest.FixtureRequest) -> Judge:
    """Light one project, one way or the other."""

    def by_scalar(p: ProjectInput, ruleset: RuleSet = DEFAULT, calendar: WorkCalendar = WEEK) -> Seen:
        return seen_from_light(evaluate(p, ruleset, calendar))

    def by_frame(p: ProjectInput, ruleset: RuleSet = DEFAULT, calendar: WorkCalendar = WEEK) -> Seen:
        [one] = seen_in_frame([p], ruleset, calendar)
        return one

    return by_scalar if request.param == "evaluate" else by_frame


# ------------------------------------------------------------------------------------------------ investment


def test_62_percent_of_plan_is_red_with_the_figures_in_words(judge: Judge) -> None:
    light = judge(project(plan_to_date=1000 * WAN, done_to_date=620 * WAN))
    assert light.colour == Colour.RED
    assert light.reasons == [
        "投资完成率 62%（本年累计 620.00 万元 / 序时计划 1000.00 万元），低于序时进度 38 个百分点"
    ]
    assert light.figures["investment"] == {
        "plan_to_date": 10_000_000,
        "done_to_date": 6_200_000,
        "ratio": 0.62,
        "percent": 62,
        "gap_points": 38,
    }


@pytest.mark.parametrize(
    ("done", "colour"),
    [
        (9_000_000, Colour.GREEN),  # 90 % exactly
        (8_999_000, Colour.YELLOW),  # 89.99 %
        (7_000_000, Colour.YELLOW),  # 70 % exactly
        (6_999_000, Colour.RED),  # 69.99 %
        (0, Colour.RED),
        (12_000_000, Colour.GREEN),  # ahead of plan
    ],
)
def test_investment_lines_are_90_and_70_percent_of_the_plan_to_date(
    judge: Judge, done: int, colour: Colour
) -> None:
    assert judge(project(plan_to_date=10_000_000, done_to_date=done)).dimensions["investment"] == colour


def test_just_below_the_green_line_says_one_point_below(judge: Judge) -> None:
    light = judge(project(plan_to_date=10_000_000, done_to_date=8_999_000))
    assert light.reasons == [
        "投资完成率 89%（本年累计 899.90 万元 / 序时计划 1000.00 万元），低于序时进度 11 个百分点"
    ]


def test_nothing_planned_yet_is_green_whatever_was_done(judge: Judge) -> None:
    light = judge(project(plan_to_date=0, done_to_date=0))
    assert light.dimensions["investment"] == Colour.GREEN
    assert light.figures["investment"] == {
        "plan_to_date": 0,
        "done_to_date": 0,
        "ratio": None,
        "percent": None,
        "gap_points": None,
    }


@given(plan=st.integers(1, 10**12), share=st.integers(0, 89))
def test_amounts_are_shown_in_wan_yuan_as_everywhere_else(plan: int, share: int) -> None:
    done = plan * share // 100
    [reason] = evaluate(project(plan_to_date=plan, done_to_date=done), DEFAULT, WEEK).texts
    assert (
        f"（本年累计 {format_wan(done, grouping=False)} 万元 / 序时计划 {format_wan(plan, grouping=False)} 万元）"
        in reason
    )


# ------------------------------------------------------------------------------------------------ milestones


def test_a_milestone_30_days_late_is_yellow_and_31_days_red(judge: Judge) -> None:
    late_30 = judge(project(milestones=(MilestoneInput("开工", AS_OF - timedelta(days=30)),)))
    late_31 = judge(project(milestones=(MilestoneInput("开工", AS_OF - timedelta(days=31)),)))
    assert (late_30.colour, late_31.colour) == (Colour.YELLOW, Colour.RED)
    assert late_30.reasons == ["开工节点逾期 30 天（计划 2026-10-01）"]
    assert late_31.reasons == ["开工节点逾期 31 天（计划 2026-09-30）"]


def test_a_milestone_is_late_from_the_day_after_its_planned_date(judge: Judge) -> None:
    assert judge(project(milestones=(MilestoneInput("开工", AS_OF),))).colour == Colour.GREEN
    assert judge(project(milestones=(MilestoneInput("开工", AS_OF - timedelta(days=1)),))).reasons == [
        "开工节点逾期 1 天（计划 2026-10-30）"
    ]


def test_a_milestone_reached_by_the_evaluation_day_is_not_late(judge: Judge) -> None:
    reached = MilestoneInput("开工", date(2026, 9, 1), actual=AS_OF)
    assert judge(project(milestones=(reached,))).colour == Colour.GREEN


def test_a_milestone_reached_after_the_evaluation_day_was_still_late_then(judge: Judge) -> None:
    # Relighting an old period must give the light it had then.
    later = MilestoneInput("开工", date(2026, 9, 1), actual=AS_OF + timedelta(days=1))
    assert judge(project(milestones=(later,))).reasons == ["开工节点逾期 60 天（计划 2026-09-01）"]


def test_a_label_already_ending_in_jiedian_is_not_doubled(judge: Judge) -> None:
    light = judge(project(milestones=(MilestoneInput("主体封顶节点", date(2026, 10, 13)),)))
    assert light.reasons == ["主体封顶节点逾期 18 天（计划 2026-10-13）"]


def test_the_longest_late_milestone_is_named_and_the_others_counted(judge: Judge) -> None:
    light = judge(
        project(
            milestones=(
                MilestoneInput("设备安装", date(2026, 10, 20)),
                MilestoneInput("主体封顶", date(2026, 10, 10)),
                MilestoneInput("开工", date(2026, 3, 1), actual=date(2026, 3, 5)),
                MilestoneInput("竣工", date(2027, 6, 30)),
            )
        )
    )
    assert light.reasons == ["主体封顶节点逾期 21 天（计划 2026-10-10）"]
    assert light.figures["milestone"] == {
        "overdue": 2,
        "label": "主体封顶",
        "planned": date(2026, 10, 10),
        "days_overdue": 21,
    }


# ------------------------------------------------------------------------------------------------ missing reports


@pytest.mark.parametrize(
    ("kind", "missed", "colour", "reasons"),
    [
        ("dekad", 0, Colour.GREEN, []),
        ("dekad", 1, Colour.YELLOW, ["本旬未报"]),
        ("dekad", 2, Colour.RED, ["连续两旬未报"]),
        ("dekad", 3, Colour.RED, ["连续 3 旬未报"]),
        ("month", 1, Colour.YELLOW, ["本月未报"]),
        ("month", 2, Colour.RED, ["连续两个月未报"]),
        ("month", 12, Colour.RED, ["连续 12 个月未报"]),
    ],
)
def test_missing_reports_are_yellow_once_and_red_twice_in_a_row(
    judge: Judge, kind: str, missed: int, colour: Colour, reasons: list[str]
) -> None:
    light = judge(project(period_kind=kind, missed_in_a_row=missed))
    assert (light.colour, light.reasons) == (colour, reasons)


# ------------------------------------------------------------------------------------------------ problems

DEADLINE = date(2026, 10, 16)  # a Friday
LONG = "征地拆迁补偿款未到位，影响施工进场，需要区政府协调解决"


@pytest.mark.parametrize(
    ("as_of", "colour", "reason"),
    [
        (date(2026, 10, 16), Colour.GREEN, None),
        (
            date(2026, 10, 17),
            Colour.YELLOW,
            "问题已过解决期限（2026-10-16）未解决：电力增容",
        ),  # only a Saturday past
        (date(2026, 10, 19), Colour.YELLOW, "问题逾期 1 个工作日未解决：电力增容"),
        (date(2026, 10, 29), Colour.YELLOW, "问题逾期 9 个工作日未解决：电力增容"),
        (date(2026, 10, 30), Colour.RED, "问题逾期 10 个工作日未解决：电力增容"),
    ],
)
def test_an_open_problem_turns_red_10_working_days_past_its_deadline(
    judge: Judge, as_of: date, colour: Colour, reason: str | None
) -> None:
    light = judge(project(as_of=as_of, problems=(ProblemInput("电力增容", DEADLINE),)))
    assert light.colour == colour
    assert light.reasons == ([reason] if reason else [])


def test_holidays_do_not_count_against_a_problem(judge: Judge) -> None:
    national_day = WorkCalendar(
        holidays=frozenset(date(2025, 10, d) for d in range(1, 9)),
        workdays=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
    )
    p = project(as_of=date(2025, 10, 10), problems=(ProblemInput("电力增容", date(2025, 9, 30)),))
    assert judge(p, DEFAULT, national_day).reasons == ["问题逾期 2 个工作日未解决：电力增容"]
    assert judge(p, DEFAULT, WEEK).reasons == ["问题逾期 8 个工作日未解决：电力增容"]


def test_a_long_description_is_quoted_by_its_first_20_characters(judge: Judge) -> None:
    light = judge(project(as_of=date(2026, 10, 19), problems=(ProblemInput(LONG, DEADLINE),)))
    assert light.reasons == ["问题逾期 1 个工作日未解决：征地拆迁补偿款未到位，影响施工进场，需要…"]
    assert light.figures["problem"] == {
        "overdue": 1,
        "description": LONG,
        "deadline": DEADLINE,
        "days_overdue": 3,
        "workdays_overdue": 1,
    }


@pytest.mark.parametrize(
    "problem",
    [
        ProblemInput("电力增容", DEADLINE, resolved_on=AS_OF),
        ProblemInput("电力增容", DEADLINE, resolved_on=DEADLINE - timedelta(days=3)),
        ProblemInput("电力增容", None),
    ],
)
def test_a_solved_problem_or_one_without_deadline_is_not_overdue(judge: Judge, problem: ProblemInput) -> None:
    assert judge(project(problems=(problem,))).dimensions["problem"] == Colour.GREEN


def test_a_problem_solved_after_the_evaluation_day_was_still_open_then(judge: Judge) -> None:
    p = project(problems=(ProblemInput("电力增容", DEADLINE, resolved_on=AS_OF + timedelta(days=1)),))
    assert judge(p).reasons == ["问题逾期 10 个工作日未解决：电力增容"]


def test_the_problem_with_the_earliest_deadline_is_named(judge: Judge) -> None:
    light = judge(
        project(
            problems=(
                ProblemInput("用水报装", date(2026, 10, 27)),
                ProblemInput("电力增容", date(2026, 10, 20)),
                ProblemInput("", date(2026, 10, 30)),
            )
        )
    )
    assert light.reasons == ["问题逾期 8 个工作日未解决：电力增容"]
    assert light.figures["problem"]["overdue"] == 3  # type: ignore[index]


def test_a_problem_without_description_is_reported_without_a_quote(judge: Judge) -> None:
    light = judge(project(problems=(ProblemInput("", date(2026, 10, 27)),)))
    assert light.reasons == ["问题逾期 3 个工作日未解决"]


# ------------------------------------------------------------------------------------------------ start


@pytest.mark.parametrize(
    ("as_of", "colour"),
    [
        (date(2026, 9, 30), Colour.GREEN),
        (date(2026, 10, 1), Colour.RED),
        (date(2027, 3, 1), Colour.RED),
    ],
)
def test_not_started_is_red_from_the_first_of_the_month_after_the_planned_start(
    judge: Judge, as_of: date, colour: Colour
) -> None:
    light = judge(project(as_of=as_of, planned_start=date(2026, 9, 10)))
    assert light.colour == colour
    assert light.reasons == (["计划 2026-09 开工，至今未开工"] if colour else [])


def test_a_december_start_turns_red_in_january(judge: Judge) -> None:
    p = project(planned_start=date(2026, 12, 15))
    assert judge(replace(p, as_of=date(2026, 12, 31))).colour == Colour.GREEN
    assert judge(replace(p, as_of=date(2027, 1, 1))).figures["start"] == {
        "planned_start": date(2026, 12, 15),
        "actual_start": None,
        "red_from": date(2027, 1, 1),
    }


def test_a_started_project_is_green_but_a_start_after_the_evaluation_day_does_not_count(judge: Judge) -> None:
    planned = date(2026, 9, 10)
    assert judge(project(planned_start=planned, actual_start=date(2026, 10, 20))).colour == Colour.GREEN
    assert judge(project(planned_start=planned, actual_start=AS_OF + timedelta(days=1))).colour == Colour.RED


# ------------------------------------------------------------------------------------------------ the whole light


def test_the_worst_dimension_wins_and_reasons_come_worst_first(judge: Judge) -> None:
    light = judge(
        project(
            plan_to_date=1000 * WAN,
            done_to_date=800 * WAN,  # yellow
            missed_in_a_row=1,  # yellow
            milestones=(MilestoneInput("开工", date(2026, 9, 1)),),  # red
            planned_start=date(2026, 8, 1),  # red
        )
    )
    assert light.colour == Colour.RED
    assert light.dimensions == {"investment": 1, "milestone": 2, "missing": 1, "problem": 0, "start": 2}
    assert light.reasons == [
        "开工节点逾期 60 天（计划 2026-09-01）",
        "计划 2026-08 开工，至今未开工",
        "投资完成率 80%（本年累计 800.00 万元 / 序时计划 1000.00 万元），低于序时进度 20 个百分点",
        "本旬未报",
    ]


def test_a_project_with_nothing_wrong_is_green_without_reasons(judge: Judge) -> None:
    light = judge(project())
    assert (light.colour, light.reasons) == (Colour.GREEN, [])
    assert light.dimensions == dict.fromkeys(["investment", "milestone", "missing", "problem", "start"], 0)


# ------------------------------------------------------------------------------------------------ rule sets

LATE_45 = (MilestoneInput("开工", AS_OF - timedelta(days=45)),)


def test_a_category_can_have_its_own_threshold(judge: Judge) -> None:
    rules = RuleSet(
        (*DEFAULT.rules, MilestoneRule(red_after_days=60, categories=frozenset({"城建"}))), version=2
    )
    assert judge(project(category="工业", milestones=LATE_45), rules).colour == Colour.RED
    assert judge(project(category="城建", milestones=LATE_45), rules).colour == Colour.YELLOW


def test_a_dimension_can_be_judged_for_one_category_only(judge: Judge) -> None:
    rules = RuleSet((InvestmentRule(), StartRule(categories=frozenset({"工业"}))))
    not_started = {"planned_start": date(2026, 1, 10)}
    assert judge(project(category="工业", **not_started), rules).reasons == ["计划 2026-01 开工，至今未开工"]
    other = judge(project(category="商贸流通", **not_started), rules)
    assert other.colour == Colour.GREEN
    assert other.dimensions["start"] is None
    assert other.figures["start"] is None


def test_a_disabled_rule_is_not_judged(judge: Judge) -> None:
    rules = RuleSet((InvestmentRule(), MissingRule(enabled=False)))
    light = judge(project(missed_in_a_row=5), rules)
    assert light.colour == Colour.GREEN
    assert light.dimensions == {
        "investment": 0,
        "milestone": None,
        "missing": None,
        "problem": None,
        "start": None,
    }


def test_a_disabled_rule_for_a_category_spares_it_the_general_rule(judge: Judge) -> None:
    rules = RuleSet((MissingRule(), MissingRule(enabled=False, categories=frozenset({"民生"}))))
    assert judge(project(category="工业", missed_in_a_row=2), rules).colour == Colour.RED
    assert judge(project(category="民生", missed_in_a_row=2), rules).dimensions["missing"] is None


def test_a_category_rule_may_name_several_categories(judge: Judge) -> None:
    strict = InvestmentRule(
        green_from_percent=100, yellow_from_percent=95, categories=frozenset({"工业", "城建"})
    )
    rules = RuleSet((InvestmentRule(), strict))
    ninety_five = {"plan_to_date": 100 * WAN, "done_to_date": 95 * WAN}
    assert judge(project(category="城建", **ninety_five), rules).reasons == [
        "投资完成率 95%（本年累计 95.00 万元 / 序时计划 100.00 万元），低于序时进度 5 个百分点"
    ]
    assert judge(project(category="民生", **ninety_five), rules).colour == Colour.GREEN


def test_no_rules_light_everything_green(judge: Judge) -> None:
    light = judge(project(missed_in_a_row=3, done_to_date=0), RuleSet(()))
    assert (light.colour, light.reasons) == (Colour.GREEN, [])
    assert set(light.dimensions.values()) == {None}


def test_two_rules_of_a_kind_for_the_same_projects_are_refused() -> None:
    with pytest.raises(ValueError, match="two investment rules for all categories"):
        RuleSet((InvestmentRule(), InvestmentRule(green_from_percent=80)))
    with pytest.raises(ValueError, match="two milestone rules for category 城建"):
        RuleSet(
            (
                MilestoneRule(categories=frozenset({"城建", "工业"})),
                MilestoneRule(categories=frozenset({"城建"})),
            )
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda: InvestmentRule(green_from_percent=70, yellow_from_percent=90),
        lambda: MilestoneRule(yellow_after_days=40, red_after_days=30),
        lambda: MissingRule(yellow_from=0),
        lambda: ProblemRule(red_from_workdays=-1),
        lambda: StartRule(red_from_months_after=-1),
        lambda: MissingRule(categories=frozenset({""})),
    ],
)
def test_thresholds_that_make_no_sense_are_refused(make: Callable[[], Rule]) -> None:
    with pytest.raises(ValueError):
        make()


def test_a_rule_must_say_what_it_judges() -> None:
    with pytest.raises(TypeError, match="abstract"):
        Rule()


def test_the_default_rules_are_the_design_s() -> None:
    assert DEFAULT.version == 1
    assert DEFAULT.rules_for("工业") == {
        Dimension.INVESTMENT: InvestmentRule(green_from_percent=90, yellow_from_percent=70),
        Dimension.MILESTONE: MilestoneRule(yellow_after_days=0, red_after_days=30),
        Dimension.MISSING: MissingRule(yellow_from=1, red_from=2),
        Dimension.PROBLEM: ProblemRule(yellow_from_workdays=0, red_from_workdays=10),
        Dimension.START: StartRule(red_from_months_after=1),
    }


def test_a_rule_set_survives_a_round_trip_through_json() -> None:
    rules = RuleSet(
        (
            *DEFAULT.rules,
            MilestoneRule(red_after_days=60, categories=frozenset({"城建", "民生"})),
            StartRule(enabled=False, categories=frozenset({"民生"})),
        ),
        version=7,
    )
    assert RuleSet.from_dict(json.loads(json.dumps(rules.as_dict()))) == rules


# ------------------------------------------------------------------------------------------------ inputs


@pytest.mark.parametrize(
    "fields",
    [
        {"plan_to_date": -1},
        {"done_to_date": -1},
        {"missed_in_a_row": -1},
        {"period_kind": "year"},
    ],
)
def test_impossible_inputs_are_refused_both_ways(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        project(**fields)
    rows, milestones, problems = frames([project()])
    rows = rows.with_columns(pl.lit(value).alias(name) for name, value in fields.items())
    with pytest.raises(ValueError):
        evaluate_frame(rows, milestones, problems, DEFAULT, WEEK)


def test_a_frame_without_a_needed_column_is_refused() -> None:
    rows, milestones, problems = frames([project()])
    with pytest.raises(ValueError, match="done_to_date"):
        evaluate_frame(rows.drop("done_to_date"), milestones, problems, DEFAULT, WEEK)


def test_no_rows_give_no_lights() -> None:
    out = evaluate_frame(*frames([]), DEFAULT, WEEK)
    assert out.is_empty()
    assert out.columns == [
        "project_id",
        "period_code",
        "baseline",
        "colour",
        *[d.value for d in DIMENSIONS],
        "reasons",
        *FACTS,
    ]


def test_a_row_is_judged_against_the_milestones_of_its_own_baseline() -> None:
    """A re-baselined project: the same node planned 40 days ago in baseline 1 and next month in baseline 2.
    The period measured by baseline 1 finds it overdue; the one measured by baseline 2 does not."""
    late = MilestoneInput("开工", AS_OF - timedelta(days=40))
    rows, milestones, problems = frames([project(milestones=(late,)), project(milestones=(late,))])
    rows = rows.with_columns(project_id=pl.lit(7, pl.Int64), baseline=pl.Series([1, 2], dtype=pl.Int64))
    milestones = pl.concat(
        [
            milestones.head(1).with_columns(project_id=pl.lit(7, pl.Int64), baseline=pl.lit(1, pl.Int64)),
            milestones.head(1).with_columns(
                project_id=pl.lit(7, pl.Int64),
                baseline=pl.lit(2, pl.Int64),
                planned=pl.lit(AS_OF + timedelta(days=30)),
            ),
        ]
    )
    out = evaluate_frame(rows, milestones, problems, DEFAULT, WEEK)
    assert out["baseline"].to_list() == [1, 2]
    assert out["milestone"].to_list() == [Colour.RED, Colour.GREEN]
    # without the column everything is one baseline, and both nodes count against both rows
    both = evaluate_frame(rows.drop("baseline"), milestones.drop("baseline"), problems, DEFAULT, WEEK)
    assert both["milestone"].to_list() == [Colour.RED, Colour.RED]


def test_lights_come_out_in_the_order_rows_went_in() -> None:
    projects = [project(done_to_date=k * 50 * WAN, missed_in_a_row=k % 3) for k in range(20)]
    rows, milestones, problems = frames(projects)
    order = list(range(20))
    random.Random(5).shuffle(order)
    out = evaluate_frame(rows[order], milestones, problems, DEFAULT, WEEK)
    assert out["project_id"].to_list() == order


def test_the_figures_column_encodes_as_json() -> None:
    out = with_figures(evaluate_frame(*frames([project(done_to_date=620 * WAN)]), DEFAULT, WEEK))
    figures = json.loads(out.select(pl.col("figures").struct.json_encode())["figures"][0])
    assert figures["investment"]["percent"] == 62


def test_a_stored_lights_figures_are_written_again_from_its_facts() -> None:
    """What a light keeps (its dimension colours and facts, as plain values) gives the figures it was judged with,
    as JSON: the same as the frame's, a late milestone's days and a problem's working days included."""
    p = project(done_to_date=620 * WAN, milestones=LATE_45, problems=(ProblemInput("电力增容", DEADLINE),))
    out = with_figures(evaluate_frame(*frames([p, project(missed_in_a_row=3)]), DEFAULT, WEEK))
    kept = out.drop("figures").to_dicts()  # as the database gives them back: dates, ints, texts and nulls
    written = figures_of(kept)
    assert written == [json.loads(t) for t in out.select(pl.col("figures").struct.json_encode())["figures"]]
    assert written[0]["milestone"]["days_overdue"] == 45 and written[0]["investment"]["percent"] == 62
    assert written[0]["problem"]["description"] == "电力增容" and written[1]["missing"] == {
        "missed_in_a_row": 3
    }


def test_equal_inputs_give_equal_and_hashable_lights() -> None:
    p = project(done_to_date=620 * WAN, milestones=LATE_45, problems=(ProblemInput("电力增容", DEADLINE),))
    first, second = evaluate(p, DEFAULT, WEEK), evaluate(replace(p), RuleSet.default(), WorkCalendar())
    assert first == second
    assert hash(first) == hash(second)
    assert first.reasons[0].dimension == Dimension.INVESTMENT
    assert first.reasons[0].figures == first.figures[Dimension.INVESTMENT]


# ------------------------------------------------------------------------------------------------ properties

CATEGORIES = ("工业", "商贸流通", "城建")
LABELS = st.one_of(st.sampled_from(["开工", "主体封顶节点", "竣工", "投产"]), st.text(max_size=6))
# Descriptions around the 20 characters a reason quotes, as well as any.
DESCRIPTIONS = st.text(max_size=30) | st.text(min_size=19, max_size=21)
days = st.dates(min_value=date(2026, 6, 1), max_value=date(2027, 3, 31))
# Evaluation days, often the first of a month, when a late start turns red.
as_of_days = days | st.sampled_from([date(2026, m, 1) for m in range(7, 13)])
# Amounts around the lines as well as anywhere.
amounts = st.integers(0, 10**12) | st.sampled_from(
    [0, 50, 6_999, 7_000, 8_999, 9_000, 10_000, 6_200_050, 9_999_950]
)


def near(as_of: date) -> st.SearchStrategy[date]:
    """Days around ``as_of``, often exactly on the boundaries of the default rules."""
    offsets = st.integers(-75, 20) | st.sampled_from([-31, -30, -14, -1, 0, 1])
    return offsets.map(lambda k: as_of + timedelta(days=k))


@st.composite
def projects(draw: st.DrawFn) -> ProjectInput:
    as_of = draw(as_of_days)
    day, maybe_day = near(as_of), st.none() | near(as_of)
    return ProjectInput(
        category=draw(st.sampled_from(CATEGORIES)),
        period_kind=draw(st.sampled_from(["dekad", "month"])),
        as_of=as_of,
        plan_to_date=draw(amounts),
        done_to_date=draw(amounts),
        missed_in_a_row=draw(st.integers(0, 5)),
        milestones=tuple(draw(st.lists(st.builds(MilestoneInput, LABELS, day, maybe_day), max_size=4))),
        problems=tuple(
            draw(st.lists(st.builds(ProblemInput, DESCRIPTIONS, maybe_day, maybe_day), max_size=3))
        ),
        planned_start=draw(maybe_day),
        actual_start=draw(maybe_day),
    )


@st.composite
def custom_rule_sets(draw: st.DrawFn) -> RuleSet:
    def investment(categories: frozenset[str]) -> st.SearchStrategy[Rule]:
        return st.tuples(st.integers(0, 120), st.integers(0, 120), st.booleans()).map(
            lambda t: InvestmentRule(
                green_from_percent=max(t[:2]),
                yellow_from_percent=min(t[:2]),
                enabled=t[2],
                categories=categories,
            )
        )

    def milestone(categories: frozenset[str]) -> st.SearchStrategy[Rule]:
        return st.tuples(st.integers(0, 60), st.integers(0, 60), st.booleans()).map(
            lambda t: MilestoneRule(
                yellow_after_days=min(t[:2]), red_after_days=max(t[:2]), enabled=t[2], categories=categories
            )
        )

    def missing(categories: frozenset[str]) -> st.SearchStrategy[Rule]:
        return st.tuples(st.integers(1, 4), st.integers(1, 4), st.booleans()).map(
            lambda t: MissingRule(
                yellow_from=min(t[:2]), red_from=max(t[:2]), enabled=t[2], categories=categories
            )
        )

    def problem(categories: frozenset[str]) -> st.SearchStrategy[Rule]:
        return st.tuples(st.integers(0, 15), st.integers(0, 15), st.booleans()).map(
            lambda t: ProblemRule(
                yellow_from_workdays=min(t[:2]),
                red_from_workdays=max(t[:2]),
                enabled=t[2],
                categories=categories,
            )
        )

    def start(categories: frozenset[str]) -> st.SearchStrategy[Rule]:
        return st.tuples(st.integers(0, 3), st.booleans()).map(
            lambda t: StartRule(red_from_months_after=t[0], enabled=t[1], categories=categories)
        )

    rules: list[Rule] = []
    for make in (investment, milestone, missing, problem, start):
        if draw(st.booleans()):
            rules.append(draw(make(frozenset())))
        named = draw(st.lists(st.sampled_from(CATEGORIES), unique=True))
        # Split the named categories over up to two rules.
        cut = draw(st.integers(0, len(named)))
        rules.extend(draw(make(frozenset(part))) for part in (named[:cut], named[cut:]) if part)
    return RuleSet(tuple(draw(st.permutations(rules))), version=draw(st.integers(1, 9)))


def rule_sets() -> st.SearchStrategy[RuleSet]:
    return st.just(DEFAULT) | custom_rule_sets()


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    special = draw(st.sets(days, max_size=30))
    worked = draw(st.sets(st.sampled_from(sorted(special)))) if special else set()
    return WorkCalendar(holidays=frozenset(special - worked), workdays=frozenset(worked))


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(projects(), min_size=1, max_size=8), rule_sets(), calendars())
def test_both_ways_in_give_the_same_lights(
    batch: list[ProjectInput], ruleset: RuleSet, calendar: WorkCalendar
) -> None:
    expected = [seen_from_light(evaluate(p, ruleset, calendar)) for p in batch]
    assert seen_in_frame(batch, ruleset, calendar) == expected


@given(projects(), rule_sets(), calendars())
def test_the_light_is_the_worst_dimension_and_every_non_green_one_gives_a_reason(
    p: ProjectInput, ruleset: RuleSet, calendar: WorkCalendar
) -> None:
    light = evaluate(p, ruleset, calendar)
    colours = [colour for _, colour in light.dimensions]
    assert light.colour == max(colours, default=Colour.GREEN)
    assert [(r.dimension, r.colour) for r in light.reasons] == sorted(
        ((d, c) for d, c in light.dimensions if c > Colour.GREEN),
        key=lambda dc: (-dc[1], DIMENSIONS.index(dc[0])),
    )
    assert set(light.figures) == {d for d, _ in light.dimensions}


@given(projects(), rule_sets(), calendars(), st.randoms(use_true_random=False))
def test_the_order_of_milestones_and_problems_does_not_matter(
    p: ProjectInput, ruleset: RuleSet, calendar: WorkCalendar, rnd: random.Random
) -> None:
    shuffled = replace(
        p,
        milestones=tuple(rnd.sample(p.milestones, len(p.milestones))),
        problems=tuple(rnd.sample(p.problems, len(p.problems))),
    )
    assert evaluate(shuffled, ruleset, calendar) == evaluate(p, ruleset, calendar)


def at_least_as_bad(worse: Light, better: Light) -> bool:
    return worse.colour >= better.colour and all(
        c >= (better.colour_of(d) or Colour.GREEN) for d, c in worse.dimensions
    )


@given(
    projects(), rule_sets(), calendars(), st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 5)
)
def test_less_done_more_planned_or_more_missed_never_looks_better(
    p: ProjectInput, ruleset: RuleSet, calendar: WorkCalendar, less: int, more: int, missed: int
) -> None:
    worse = replace(
        p,
        done_to_date=max(0, p.done_to_date - less),
        plan_to_date=p.plan_to_date + more,
        missed_in_a_row=p.missed_in_a_row + missed,
    )
    assert at_least_as_bad(evaluate(worse, ruleset, calendar), evaluate(p, ruleset, calendar))


@given(projects(), rule_sets(), calendars(), st.integers(0, 120))
def test_time_passing_with_nothing_reached_never_looks_better(
    p: ProjectInput, ruleset: RuleSet, calendar: WorkCalendar, wait: int
) -> None:
    later = p.as_of + timedelta(days=wait)

    def not_yet(d: date | None) -> date | None:
        # Whatever happened between the two days did not happen.
        return None if d is not None and p.as_of < d <= later else d

    p = replace(
        p,
        milestones=tuple(replace(m, actual=not_yet(m.actual)) for m in p.milestones),
        problems=tuple(replace(q, resolved_on=not_yet(q.resolved_on)) for q in p.problems),
        actual_start=not_yet(p.actual_start),
    )
    assert at_least_as_bad(
        evaluate(replace(p, as_of=later), ruleset, calendar), evaluate(p, ruleset, calendar)
    )
