"""Assessment schemes (gongjian.assess.scheme): what a scheme may say, the errors that name the field at
fault, the YAML form, and the default scheme of context/000. Plain Python, no database."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.assess.scheme import (
    AdjustmentIndicator,
    Band,
    Consequence,
    ConsequenceKind,
    Curve,
    EvaluationIndicator,
    Indicator,
    InvestmentIndicator,
    Mode,
    NoPlan,
    ProgressIndicator,
    RedLightsIndicator,
    ReportsIndicator,
    Scheme,
    SchemeError,
    ScoredIndicator,
    Subject,
    SubjectKind,
    Weighting,
    YearEnd,
    YearEndBasis,
    default_scheme,
    dump_yaml,
    load_yaml,
)


def default_dict() -> dict[str, Any]:
    return default_scheme().as_dict()


def error_of(data: dict[str, Any]) -> SchemeError:
    with pytest.raises(SchemeError) as caught:
        Scheme.from_dict(data)
    return caught.value


# ------------------------------------------------------------------------------------------------ default


def test_the_default_scheme_scores_the_three_parts_of_context_000_on_100_points() -> None:
    scheme = default_scheme()
    assert [s.kind for s in scheme.subjects] == [SubjectKind.PROJECT, SubjectKind.HEADQUARTERS]
    assert not any(s.grouped for s in scheme.subjects)
    assert scheme.weighting is Weighting.PLANNED
    assert scheme.indicator("investment") == InvestmentIndicator(points=40)
    assert scheme.indicator("progress") == ProgressIndicator(points=30)
    assert scheme.indicator("evaluation") == EvaluationIndicator(points=30, trim_from=5)
    assert scheme.indicator("reports") == ReportsIndicator(missing=2, late=1)
    assert scheme.indicator("red_lights") == RedLightsIndicator(per_light=3)
    assert scheme.indicator("adjustment") == AdjustmentIndicator()
    investment = scheme.indicator("investment")
    assert isinstance(investment, InvestmentIndicator)
    assert (investment.mode, investment.floor, investment.cap, investment.curve) == (
        Mode.ABSOLUTE,
        0.0,
        1.0,
        Curve.LINEAR,
    )


def test_the_default_consequences_are_those_of_context_000() -> None:
    red_flag, reward, yellow = default_scheme().consequences
    headquarters = (SubjectKind.HEADQUARTERS,)
    # 每旬对先进指挥部张贴红旗表彰
    assert (red_flag.kind, red_flag.period_kind, red_flag.subjects, red_flag.count) == (
        ConsequenceKind.RED_FLAG,
        "dekad",
        headquarters,
        1,
    )
    # 每月对先进者进行经济奖励
    assert (reward.kind, reward.period_kind, reward.count, reward.amounts) == (
        ConsequenceKind.REWARD,
        "month",
        3,
        (30_000, 20_000, 10_000),
    )
    # 对落后者亮黄牌并约谈指挥长，连续三月落后者亮黑牌并通报批评
    assert (yellow.kind, yellow.period_kind, yellow.count, yellow.interview) == (
        ConsequenceKind.YELLOW_CARD,
        "month",
        1,
        True,
    )
    assert (yellow.black_card_after, yellow.public_criticism) == (3, True)


def test_the_default_year_end_grades_by_rank_20_30_40_10() -> None:
    year_end = default_scheme().year_end
    assert year_end.basis is YearEndBasis.RANK
    assert [(b.grade, b.share) for b in year_end.bands] == [
        ("优秀", 0.2),
        ("良好", 0.3),
        ("一般", 0.4),
        ("较差", 0.1),
    ]


@pytest.mark.parametrize(
    ("size", "reached"),
    [(1, [0, 1, 1, 1]), (3, [1, 2, 3, 3]), (9, [2, 5, 8, 9]), (10, [2, 5, 9, 10]), (20, [4, 10, 18, 20])],
)
def test_rank_bands_reach_the_rounded_share_of_the_group(size: int, reached: list[int]) -> None:
    assert default_scheme().year_end.cutoffs(size) == reached


# ------------------------------------------------------------------------------------------------ YAML


def test_the_yaml_form_is_readable_chinese_and_reads_back_equal() -> None:
    text = dump_yaml(default_scheme())
    assert "name: 项目建设推进工作考核办法" in text
    assert "grade: 优秀" in text
    assert "\\u" not in text
    assert load_yaml(text) == default_scheme()
    assert dump_yaml(load_yaml(text)) == text


def test_a_scheme_typed_by_hand_with_defaults_left_out_loads() -> None:
    scheme = load_yaml(
        """
name: 街道考核
subjects:
  - kind: unit
    grouped: true
indicators:
  - kind: investment
    points: 60
    mode: relative
    floor: 0.7
  - kind: reports
consequences:
  - kind: yellow_card
    period_kind: month
    subjects: [unit]
    score: 60
year_end:
  basis: score
  bands:
    - {grade: 优秀, min_score: 90}
    - {grade: 合格, min_score: 60}
    - {grade: 不合格}
"""
    )
    assert scheme.version == 1
    assert scheme.subjects == (Subject(kind=SubjectKind.UNIT, grouped=True),)
    assert scheme.indicators == (
        InvestmentIndicator(points=60, mode=Mode.RELATIVE, floor=0.7),
        ReportsIndicator(),
    )
    assert scheme.consequences[0].score == 60.0
    assert scheme.year_end.bands[-1] == Band(grade="不合格")


def test_a_project_without_a_plan_is_left_out_of_investment_by_default_and_the_yaml_says_so() -> None:
    investment = default_scheme().indicator("investment")
    assert isinstance(investment, InvestmentIndicator) and investment.no_plan is NoPlan.REWEIGHT
    assert "no_plan: reweight" in dump_yaml(default_scheme())
    typed = load_yaml(dump_yaml(default_scheme()).replace("no_plan: reweight", "no_plan: zero"))
    assert typed.indicator("investment") == InvestmentIndicator(points=40, no_plan=NoPlan.ZERO)
    # A scheme saved before the option existed reads as re-weighting.
    data = default_dict()
    del data["indicators"][0]["no_plan"]
    assert Scheme.from_dict(data) == default_scheme()


def test_without_investment_the_other_indicators_are_reweighted_to_the_same_total() -> None:
    assert default_scheme().reweighted("investment") == {"progress": 50, "evaluation": 50}
    only = Scheme.from_dict(default_dict() | {"indicators": [{"kind": "investment", "points": 40}]})
    assert only.reweighted("investment") == {}


def test_whole_numbers_are_written_without_a_decimal_point() -> None:
    data = yaml.safe_load(dump_yaml(default_scheme()))
    assert data["indicators"][0]["points"] == 40
    assert isinstance(data["indicators"][0]["points"], int)


def test_text_that_is_not_yaml_or_not_a_mapping_is_refused() -> None:
    with pytest.raises(SchemeError, match="not valid YAML"):
        load_yaml("name: [unclosed")
    with pytest.raises(SchemeError, match="must be a mapping"):
        load_yaml("- just a list")


# ------------------------------------------------------------------------------------------------ errors


def with_change(path: list[str | int], value: Any) -> dict[str, Any]:
    data = default_dict()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        (["name"], "", "name", "non-empty text"),
        (["version"], 0, "version", "at least 1"),
        (["version"], "2", "version", "whole number"),
        (["weighting"], "area", "weighting", "planned, equal"),
        (["subjects", 1, "kind"], "district", "subjects[1].kind", "must be one of"),
        (["subjects", 1, "kind"], "project", "subjects[1].kind", "assessed twice"),
        (["subjects", 0, "grouped"], "yes", "subjects[0].grouped", "true or false"),
        (["indicators", 0, "points"], -40, "indicators[0].points", "more than 0"),
        (["indicators", 0, "points"], True, "indicators[0].points", "must be a number"),
        (["indicators", 0, "floor"], 1, "indicators[0].floor", "less than 1"),
        (["indicators", 0, "cap"], 0, "indicators[0].cap", "more than 0"),
        (["indicators", 0, "curve"], "log", "indicators[0].curve", "linear, sqrt"),
        (["indicators", 0, "mode"], "ranked", "indicators[0].mode", "absolute, relative"),
        (["indicators", 0, "no_plan"], "half", "indicators[0].no_plan", "reweight, zero, full"),
        (["indicators", 1, "no_plan"], "zero", "indicators[1].no_plan", "unknown field"),
        (["indicators", 1, "kind"], "investment", "indicators[1].kind", "scored twice"),
        (["indicators", 1, "kind"], "output", "indicators[1].kind", "must be one of"),
        (["indicators", 2, "trim_from"], 2, "indicators[2].trim_from", "at least 3"),
        (["indicators", 3, "missing"], -2, "indicators[3].missing", "at least 0"),
        (["indicators", 4, "max_points"], 0, "indicators[4].max_points", "more than 0"),
        (["consequences", 0, "kind"], "black_card", "consequences[0].kind", "follow a yellow card"),
        (["consequences", 0, "period_kind"], "year", "consequences[0].period_kind", "dekad or month"),
        (["consequences", 0, "subjects"], ["unit"], "consequences[0].subjects[0]", "not among the subjects"),
        (["consequences", 0, "subjects"], [], "consequences[0].subjects", "at least one"),
        (["consequences", 0, "count"], 0, "consequences[0].count", "at least 1"),
        (["consequences", 0, "count"], None, "consequences[0].count", "at least one of count"),
        (["consequences", 0, "percent"], 120, "consequences[0].percent", "at most 100"),
        (["consequences", 0, "amounts"], [100], "consequences[0].amounts", "only a reward"),
        (["consequences", 1, "amounts"], [], "consequences[1].amounts", "at least one amount"),
        (["consequences", 1, "amounts"], [30000, -1], "consequences[1].amounts[1]", "at least 0"),
        (["consequences", 1, "interview"], True, "consequences[1].interview", "only a yellow card"),
        (["consequences", 2, "period_kind"], "dekad", "consequences[2].black_card_after", "must be monthly"),
        (
            ["consequences", 2, "black_card_after"],
            None,
            "consequences[2].public_criticism",
            "follows a black",
        ),
        (["consequences", 2, "kind"], "reward", "consequences[2].amounts", "at least one amount"),
        (["year_end", "basis"], "mean", "year_end.basis", "rank, score"),
        (["year_end", "bands"], [], "year_end.bands", "at least one grade"),
        (["year_end", "bands", 0, "share"], 0.5, "year_end.bands", "add up to 1"),
        (["year_end", "bands", 1, "grade"], "优秀", "year_end.bands[1].grade", "named twice"),
        (["year_end", "bands", 2, "share"], None, "year_end.bands[2].share", "required when grading by rank"),
    ],
)
def test_an_invalid_field_is_named_in_the_error(
    path: list[str | int], value: Any, where: str, says: str
) -> None:
    error = error_of(with_change(path, value))
    assert error.path == where
    assert says in error.message
    assert str(error).startswith(f"{where}: ")


def test_two_rules_of_a_kind_for_the_same_period_kind_are_refused() -> None:
    data = default_dict()
    data["consequences"].append(dict(data["consequences"][0]))
    assert error_of(data).path == "consequences[3].kind"


def test_unknown_and_missing_fields_are_named() -> None:
    data = default_dict()
    data["indicators"][0]["weight"] = 40
    assert (error_of(data).path, error_of(data).message) == ("indicators[0].weight", "unknown field")
    data = default_dict()
    del data["indicators"][0]["points"]
    assert (error_of(data).path, error_of(data).message) == ("indicators[0].points", "is required")
    data = default_dict()
    del data["year_end"]
    assert error_of(data).path == "year_end"
    data = default_dict()
    data["colour"] = "red"
    assert error_of(data).path == "colour"


def test_a_list_where_a_mapping_belongs_is_named() -> None:
    assert error_of(with_change(["subjects"], "project")).path == "subjects"
    assert error_of(with_change(["indicators", 0], [40])).path == "indicators[0]"


def test_score_bands_must_fall_and_the_last_takes_the_rest() -> None:
    bands = [{"grade": "优秀", "min_score": 90}, {"grade": "合格", "min_score": 95}, {"grade": "不合格"}]
    data = with_change(["year_end"], {"basis": "score", "bands": bands})
    assert error_of(data).path == "year_end.bands[1].min_score"
    bands = [{"grade": "优秀", "min_score": 90}, {"grade": "不合格", "min_score": 0}]
    data = with_change(["year_end"], {"basis": "score", "bands": bands})
    assert error_of(data).path == "year_end.bands[1].min_score"


def test_building_in_code_checks_the_same_way() -> None:
    with pytest.raises(SchemeError) as caught:
        InvestmentIndicator(points=40, floor=-0.1)
    assert caught.value.path == "floor"
    with pytest.raises(SchemeError) as caught:
        Consequence(kind=ConsequenceKind.RED_FLAG, period_kind="dekad", subjects=(SubjectKind.UNIT,))
    assert caught.value.path == "count"


def test_condition_texts_name_the_conditions_in_chinese() -> None:
    top = Consequence(
        kind=ConsequenceKind.RED_FLAG, period_kind="dekad", subjects=(SubjectKind.UNIT,), count=4, score=85
    )
    bottom = Consequence(
        kind=ConsequenceKind.YELLOW_CARD, period_kind="month", subjects=(SubjectKind.UNIT,), percent=10
    )
    assert top.condition_text() == "前 4 名且不低于 85 分"
    assert bottom.condition_text() == "后 10%"


# ------------------------------------------------------------------------------------------------ property

kinds = st.sampled_from(list(SubjectKind))
shares = st.sampled_from([0.0, 0.25, 0.5, 0.6, 0.75])


@st.composite
def indicators(draw: st.DrawFn) -> tuple[Indicator, ...]:
    def scored(
        cls: type[InvestmentIndicator] | type[ProgressIndicator], **more: Any
    ) -> st.SearchStrategy[Indicator]:
        return st.builds(
            cls,
            points=st.integers(1, 60),
            mode=st.sampled_from(list(Mode)),
            floor=shares,
            cap=st.sampled_from([0.8, 1.0, 1.25]),
            curve=st.sampled_from(list(Curve)),
            **more,
        )

    options: list[st.SearchStrategy[Indicator]] = [
        scored(InvestmentIndicator, no_plan=st.sampled_from(list(NoPlan))),
        scored(ProgressIndicator),
        st.builds(EvaluationIndicator, points=st.floats(1, 50, allow_nan=False), trim_from=st.integers(3, 8)),
        st.builds(ReportsIndicator, missing=st.integers(0, 5), late=st.sampled_from([0, 0.5, 1])),
        st.builds(RedLightsIndicator, per_light=st.integers(0, 5), max_points=st.none() | st.integers(1, 20)),
        st.builds(AdjustmentIndicator, max_points=st.none() | st.integers(1, 10)),
    ]
    chosen = draw(st.lists(st.integers(0, len(options) - 1), min_size=1, max_size=6, unique=True))
    return tuple(draw(options[i]) for i in chosen)


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    subject_kinds = draw(st.lists(kinds, min_size=1, max_size=5, unique=True))
    subjects = tuple(Subject(kind=k, grouped=draw(st.booleans())) for k in subject_kinds)
    consequences = []
    for kind, period_kind in draw(
        st.lists(
            st.tuples(st.sampled_from(list(ConsequenceKind)[:3]), st.sampled_from(["dekad", "month"])),
            unique=True,
            max_size=4,
        )
    ):
        yellow = kind is ConsequenceKind.YELLOW_CARD
        black = draw(st.none() | st.integers(1, 4)) if yellow and period_kind == "month" else None
        consequences.append(
            Consequence(
                kind=kind,
                period_kind=period_kind,
                subjects=tuple(draw(st.lists(st.sampled_from(subject_kinds), min_size=1, unique=True))),
                count=draw(st.integers(1, 3)),
                percent=draw(st.none() | st.sampled_from([10, 12.5, 50])),
                score=draw(st.none() | st.sampled_from([0, 60, 85.5])),
                amounts=tuple(draw(st.lists(st.integers(0, 50_000), min_size=1, max_size=3)))
                if kind is ConsequenceKind.REWARD
                else (),
                interview=yellow and draw(st.booleans()),
                black_card_after=black,
                public_criticism=black is not None and draw(st.booleans()),
            )
        )
    year_end = draw(
        st.sampled_from(
            [
                default_scheme().year_end,
                YearEnd(
                    basis=YearEndBasis.SCORE,
                    bands=(
                        Band(grade="好", min_score=80),
                        Band(grade="中", min_score=59.5),
                        Band(grade="差"),
                    ),
                ),
            ]
        )
    )
    return Scheme(
        name=draw(st.sampled_from(["考核", "2027 年项目考核方案", "what-if"])),
        version=draw(st.integers(1, 50)),
        description=draw(
            st.text(max_size=20) | st.sampled_from(["\x85", "a\u2028b", " lead", "#x", "- y", "null", "\t"])
        ),
        subjects=subjects,
        weighting=draw(st.sampled_from(list(Weighting))),
        indicators=draw(indicators()),
        consequences=tuple(consequences),
        year_end=year_end,
    )


@settings(max_examples=150)
@given(schemes())
def test_re_weighting_without_investment_keeps_the_full_marks_adding_up_to_the_total(scheme: Scheme) -> None:
    shares = scheme.reweighted("investment")
    assert "investment" not in shares
    if shares:
        assert math.fsum(shares.values()) == pytest.approx(scheme.scored_total(), rel=1e-12)
        for kind, points in shares.items():
            indicator = scheme.indicator(kind)
            assert isinstance(indicator, ScoredIndicator) and points >= indicator.points


@settings(max_examples=150)
@given(schemes())
def test_any_scheme_survives_a_round_trip_through_yaml_and_plain_data(scheme: Scheme) -> None:
    assert Scheme.from_dict(scheme.as_dict()) == scheme
    text = dump_yaml(scheme)
    assert load_yaml(text) == scheme
    assert dump_yaml(load_yaml(text)) == text
