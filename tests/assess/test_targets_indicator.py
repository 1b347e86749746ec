"""The 目标完成 indicator (issue 16): a scheme for departments scores their completion of the targets in their
responsibility contracts — attraction signings, funds in place, fiscal revenue — beside their projects. The rate
comes from outside the projects' facts (the engine's ``completions``) and is scored like any rate: capped,
turned into points by the curve and the floor, explained with the words behind it."""

from __future__ import annotations

import math
from dataclasses import replace

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gongjian.assess import engine
from gongjian.assess.scheme import Scheme, SchemeError, TargetsIndicator, default_scheme
from tests.assess.test_engine import by_key, districts
from tests.assess.test_scheme import schemes

MONTH = "2026-11"


def scheme(**targets) -> Scheme:
    data = default_scheme().as_dict()
    data["subjects"] = [{"kind": "unit", "grouped": False}]
    data["consequences"] = []
    data["indicators"] = [
        {"kind": "investment", "points": 60},
        {"kind": "targets", "points": 40, **targets},
    ]
    return Scheme.from_dict(data)


def district(units: dict[int, int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One project per unit id, each done as ``units`` says out of 100 planned."""
    ids = list(range(1, len(units) + 1))
    projects = pl.DataFrame({"project_id": ids, "planned": [100] * len(ids), "unit_id": list(units)})
    n = len(ids)
    facts = pl.DataFrame(
        {
            "period_code": [MONTH] * n,
            "project_id": ids,
            "period_kind": ["month"] * n,
            "plan_to_date": [100] * n,
            "done_to_date": list(units.values()),
            "milestones_due": [0] * n,
            "milestones_met": [0] * n,
            "missing_reports": [0] * n,
            "late_reports": [0] * n,
            "red_lights": [0] * n,
        }
    )
    return projects, facts


def run(
    units: dict[int, int], rates: dict[int, float], plan: Scheme, *, explain: bool = True
) -> engine.Results:
    projects, facts = district(units)
    completions = pl.DataFrame(
        {
            "period_code": [MONTH] * len(rates),
            "subject_kind": ["unit"] * len(rates),
            "subject_id": list(rates),
            "rate": list(rates.values()),
            "detail": [f"签约金额 {rate * 100:.1f}%" for rate in rates.values()],
        },
        schema=engine.COMPLETION_COLUMNS,
    )
    empty = {
        name: pl.DataFrame(schema=columns)
        for name, columns in (
            ("evaluations", engine.EVALUATION_COLUMNS),
            ("adjustments", engine.ADJUSTMENT_COLUMNS),
            ("history", engine.HISTORY_COLUMNS),
        )
    }
    return engine.assess(
        projects,
        facts,
        empty["evaluations"],
        empty["adjustments"],
        empty["history"],
        plan,
        explain=explain,
        completions=completions,
    )


def rows(results: engine.Results) -> dict[int, dict]:
    return {row["subject_id"]: row for row in results.scores.iter_rows(named=True)}


def test_a_departments_target_completion_is_scored_capped_and_explained() -> None:
    results = rows(run({10: 100, 20: 100, 30: 100}, {10: 1.5, 20: 0.6}, scheme(cap=1.2)))

    assert results[10]["targets_points"] == 40 and results[10]["score"] == 100
    assert results[20]["targets_points"] == 20  # 0.6 / 1.2 of 40
    assert results[30]["targets_points"] == 0 and results[30]["rank"] == 3
    assert results[10]["explanation"][1] == (
        "目标完成：签约金额 150.0%，完成率 150%（封顶 120%），按线性折算 40 分（满分 40）"
    )
    assert (
        results[20]["explanation"][1] == "目标完成：签约金额 60.0%，完成率 60%，按线性折算 20 分（满分 40）"
    )
    assert results[30]["explanation"][1] == "目标完成：本期无考核目标，不计分（0 分，满分 40）"


def test_relative_scoring_measures_against_the_best_department_and_names_it() -> None:
    results = rows(run({10: 100, 20: 100}, {10: 0.8, 20: 0.4}, scheme(mode="relative", floor=0.5)))
    assert results[10]["targets_points"] == 40 and results[20]["targets_points"] == 30  # 40 × (0.5 + 0.5 × ½)
    assert "本组最高 80%，按相对线性折算（保底 50%）" in results[20]["explanation"][1]


def test_the_explanations_written_later_from_the_figures_are_the_same() -> None:
    plan = scheme(cap=1.1)
    results = run({10: 90, 20: 50}, {10: 1.05, 20: 0.3}, plan)
    later = engine.explain(run({10: 90, 20: 50}, {10: 1.05, 20: 0.3}, plan, explain=False).figures, plan)
    assert later.to_list() == results.scores["explanation"].to_list()


@settings(deadline=None, max_examples=60)
@given(
    rate=st.floats(min_value=0, max_value=5, allow_nan=False),
    higher=st.floats(min_value=0, max_value=5, allow_nan=False),
    points=st.integers(min_value=1, max_value=100),
    cap=st.sampled_from([0.8, 1.0, 1.2, 1.5]),
    floor=st.sampled_from([0.0, 0.3, 0.6]),
    curve=st.sampled_from(["linear", "sqrt"]),
)
def test_points_follow_the_formula_and_more_completion_never_scores_less(
    rate, higher, points, cap, floor, curve
) -> None:
    plan_data = default_scheme().as_dict()
    plan_data["subjects"] = [{"kind": "unit", "grouped": False}]
    plan_data["consequences"] = []
    plan_data["indicators"] = [
        {"kind": "targets", "points": points, "cap": cap, "floor": floor, "curve": curve}
    ]
    plan = Scheme.from_dict(plan_data)
    low, high = sorted((rate, higher))
    results = rows(run({10: 100, 20: 100}, {10: low, 20: high}, plan, explain=False))

    share = min(low, cap) / cap
    share = math.sqrt(share) if curve == "sqrt" else share
    expected = math.floor(points * (floor + (1 - floor) * share) * 100 + 0.5 + 1e-9) / 100
    assert results[10]["targets_points"] == pytest.approx(expected, abs=0.011)
    assert results[20]["targets_points"] >= results[10]["targets_points"]


def test_bad_completions_are_refused_by_name() -> None:
    projects, facts = district({10: 100})
    empty = [
        pl.DataFrame(schema=c)
        for c in (engine.EVALUATION_COLUMNS, engine.ADJUSTMENT_COLUMNS, engine.HISTORY_COLUMNS)
    ]

    def bad(**columns) -> str:
        frame = pl.DataFrame(
            {
                "period_code": [MONTH],
                "subject_kind": ["unit"],
                "subject_id": [10],
                "rate": [1.0],
                "detail": [""],
            }
            | columns
        )
        with pytest.raises(ValueError) as error:
            engine.assess(projects, facts, *empty, scheme(), completions=frame)
        return str(error.value)

    assert "negative" in bad(rate=[-0.1])
    assert "unknown subject_kind" in bad(subject_kind=["company"])
    twice = pl.DataFrame(
        {
            "period_code": [MONTH] * 2,
            "subject_kind": ["unit"] * 2,
            "subject_id": [10, 10],
            "rate": [1.0, 0.5],
            "detail": ["", ""],
        }
    )
    with pytest.raises(ValueError, match="two rates"):
        engine.assess(projects, facts, *empty, scheme(), completions=twice)


def test_a_scheme_names_its_target_indicators_and_keeps_them() -> None:
    plan = scheme(indicators=["签约金额", "资金到位"])
    indicator = plan.indicator("targets")
    assert isinstance(indicator, TargetsIndicator) and indicator.indicators == ("签约金额", "资金到位")
    assert Scheme.from_dict(plan.as_dict()) == plan
    with pytest.raises(SchemeError, match="indicators"):
        scheme(indicators=["签约金额", "签约金额"])
    with pytest.raises(SchemeError, match=r"indicators\[1\]"):
        scheme(indicators=["签约金额", ""])


def test_a_scheme_scores_departments_on_their_targets_and_headquarters_on_their_projects_alone() -> None:
    data = default_scheme().as_dict()
    data["subjects"] = [{"kind": "headquarters"}, {"kind": "unit"}]
    data["consequences"] = []
    data["indicators"] = [
        {"kind": "investment", "points": 40},
        {"kind": "progress", "points": 60, "subjects": ["headquarters"]},
        {"kind": "targets", "points": 60, "subjects": ["unit"]},
        {"kind": "red_lights", "per_light": 5},
    ]
    plan = Scheme.from_dict(data)
    assert Scheme.from_dict(plan.as_dict()) == plan and plan.as_dict()["indicators"][0].keys() >= {"points"}
    assert "subjects" not in plan.as_dict()["indicators"][0]  # every kind: written as before
    projects = pl.DataFrame(
        {"project_id": [1, 2], "planned": [100, 100], "unit_id": [10, 20], "headquarters_id": [7, 7]}
    )
    _, facts = district({10: 50, 20: 100})
    completions = pl.DataFrame(
        {
            "period_code": [MONTH],
            "subject_kind": ["unit"],
            "subject_id": [10],
            "rate": [0.9],
            "detail": ["签约金额 90.0%"],
        }
    )
    empty = [
        pl.DataFrame(schema=c)
        for c in (engine.EVALUATION_COLUMNS, engine.ADJUSTMENT_COLUMNS, engine.HISTORY_COLUMNS)
    ]
    results = engine.assess(projects, facts, *empty, plan, explain=True, completions=completions)
    by = {(r["subject_kind"], r["subject_id"]): r for r in results.scores.iter_rows(named=True)}

    hq = by[("headquarters", 7)]
    assert (hq["investment_points"], hq["progress_points"], hq["targets_points"]) == (30, 60, None)
    assert not any(line.startswith("目标完成") for line in hq["explanation"])
    unit = by[("unit", 10)]
    assert (unit["investment_points"], unit["targets_points"], unit["progress_points"]) == (20, 54, None)
    assert unit["score"] == 74 and unit["explanation"][1].startswith("目标完成：签约金额 90.0%")
    assert not any(line.startswith("形象进度") for line in unit["explanation"])
    # written later from the kept figures, word for word
    again = engine.assess(projects, facts, *empty, plan, completions=completions)
    assert engine.explain(again.figures, plan).to_list() == results.scores["explanation"].to_list()
    with pytest.raises(SchemeError, match="no indicator scores unit"):
        Scheme.from_dict(
            data | {"indicators": [{"kind": "progress", "points": 60, "subjects": ["headquarters"]}]}
        )
    with pytest.raises(SchemeError, match=r"indicators\[1\]\.subjects\[0\]"):
        Scheme.from_dict(
            data
            | {
                "indicators": [
                    data["indicators"][0],
                    {"kind": "progress", "points": 60, "subjects": ["area"]},
                ]
            }
        )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(districts(), schemes(), st.data())
def test_each_kind_is_scored_as_by_a_scheme_of_the_indicators_that_score_it(district, plan, data) -> None:
    """Indicators restricted to some kinds: every kind's points, scores, ranks and explanations are those of the
    scheme made of its own indicators alone (its consequences aside)."""
    kinds = [s.kind for s in plan.subjects]
    restricted = tuple(
        replace(i, subjects=tuple(data.draw(st.lists(st.sampled_from(kinds), unique=True))))
        for i in plan.indicators
    )
    assume(all(any(i.scores(kind) for i in restricted) for kind in kinds))  # else refused: see below
    plan = replace(plan, indicators=restricted, consequences=())
    got = by_key(district.assess(plan))
    for kind in kinds:
        own = plan.for_subjects(kind)
        alone = replace(
            own,
            subjects=tuple(s for s in plan.subjects if s.kind == kind),
            indicators=tuple(replace(i, subjects=()) for i in own.indicators),
        )
        expected = by_key(district.assess(alone))
        for key, row in expected.items():
            mine = got[key]
            assert (mine["score"], mine["rank"], mine["group_size"]) == (
                row["score"],
                row["rank"],
                row["group_size"],
            ), key
            for indicator in plan.indicators:
                name = f"{indicator.kind.value}_points"
                assert mine[name] == (row[name] if indicator.scores(kind) else None), (key, name)
            assert mine["explanation"] == row["explanation"], key
