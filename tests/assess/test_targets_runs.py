"""A run of a scheme that scores departments on their targets (目标完成), on a real database: the rates come from
whatever domain registered a provider (``gongjian.assess.sources``: the targets app does), the scores and their
explanations are kept like any other indicator's."""

import polars as pl
import pytest

from gongjian.assess import queries, services, sources
from gongjian.assess.scheme import default_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def department_scheme(office_user):
    data = default_scheme().as_dict()
    data["name"] = "部门考核方案"
    data["subjects"] = [{"kind": "headquarters"}, {"kind": "unit"}]
    data["consequences"] = []
    data["indicators"] = [
        {"kind": "investment", "points": 50},
        {"kind": "progress", "points": 50, "subjects": ["headquarters"]},
        {"kind": "targets", "points": 50, "subjects": ["unit"], "indicators": ["签约金额"]},
    ]
    row = services.save_scheme(data, actor=office_user, note="部门")
    services.activate(row, 2026, actor=office_user)
    return row


def test_a_unit_is_scored_on_the_rate_its_provider_gives_and_the_explanation_quotes_it(
    district, department_scheme, office_user
):
    unit = district["fast"].responsible_unit
    asked = []

    def provider(periods, indicators):
        asked.append(([p.code for p in periods], indicators))
        return pl.DataFrame(
            {
                "period_code": [p.code for p in periods],
                "subject_kind": ["unit"] * len(periods),
                "subject_id": [unit.pk] * len(periods),
                "rate": [0.8] * len(periods),
                "detail": ["签约金额 2.40/3.00亿元"] * len(periods),
            }
        )

    sources.register("test", provider)
    try:
        run = services.run_assessment("2026-11-2", actor=office_user)
    finally:
        sources.unregister("test")

    assert asked == [(["2026-11-2"], ("签约金额",))]
    score = run.scores.get(subject_kind="unit", subject_id=unit.pk)
    assert score.points["targets"] == 40 and score.points.get("progress") is None
    assert "目标完成：签约金额 2.40/3.00亿元，完成率 80%，按线性折算 40 分（满分 50）" in queries.explanation(
        score
    )
    headquarters = run.scores.filter(subject_kind="headquarters")
    assert headquarters.count() == 2 and all(s.points.get("targets") is None for s in headquarters)
    assert run.scheme.name == "部门考核方案"


def test_without_a_provider_a_unit_gets_no_target_points_and_is_told_why(
    district, department_scheme, office_user
):
    run = services.run_assessment("2026-11-2", actor=office_user)
    unit = district["fast"].responsible_unit
    score = run.scores.get(subject_kind="unit", subject_id=unit.pk)
    assert score.points["targets"] == 0
    assert "目标完成：本期无考核目标，不计分（0 分，满分 50）" in queries.explanation(score)


def test_with_the_targets_app_a_unit_is_scored_on_its_approved_targets(
    district, department_scheme, office_user, make_user
):
    from decimal import Decimal

    from gongjian.targets import services as targets

    unit = district["fast"].responsible_unit
    reporter = make_user("unit_reporter", unit=unit, username="unit_reporter_targets")
    signed = targets.create_indicator(year=2026, name="签约金额", measure="亿元", actor=office_user)
    other = targets.create_indicator(year=2026, name="新增绿化面积", measure="公顷", actor=office_user)
    target = targets.set_target(signed, unit, target=Decimal(300_000_000), actor=office_user)
    targets.set_target(other, unit, target=Decimal(10), actor=office_user)
    actual = targets.enter_actual(target, 10, value=Decimal(240_000_000), actor=reporter, note="合同台账")
    targets.review_actual(actual, approve=True, actor=office_user, expected_version=actual.version)

    run = services.run_assessment("2026-11-2", actor=office_user)

    score = run.scores.get(subject_kind="unit", subject_id=unit.pk)
    assert score.points["targets"] == 40  # only 签约金额 is named: 80 % of 50 points
    assert (
        "目标完成：签约金额 2.40/3.00亿元 80.0%，完成率 80%，按线性折算 40 分（满分 50）"
        in queries.explanation(score)
    )
