"""The settlement engine against a plain reference: every unit's reward, penalty and veto from its rules and
figures, every amount explained, and more completion never giving less."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.targets import engine
from gongjian.targets.rules import Currency, IndicatorRule, Rules, RulesError

D = Decimal


def reference_rate(target, actual, direction):
    if actual is None or target <= 0:
        return None
    if direction == "higher":
        rate = actual * 100 / target
    else:
        rate = D(200) if actual <= 0 else target * 100 / actual
    rate = min(D("999.99"), max(D(0), rate))
    return rate.quantize(D("0.01"), ROUND_HALF_UP)


def reference_amount(rule, rate):
    """One indicator's amount written out as the 奖惩办法 reads."""
    if rate is None:
        return D(0)
    if rate >= 100:
        whole = int(rate - 100)
        return rule.reward + min(rule.bonus_per_percent * whole, rule.bonus_cap)
    if rate < rule.threshold:
        whole = int(rule.threshold - rate)
        return -(rule.penalty + min(rule.penalty_per_percent * whole, rule.penalty_cap))
    return D(0)


def reference_total(rules, figures):
    amounts, vetoed = [], False
    by = {f.indicator: f for f in figures}
    for rule in rules.indicators:
        f = by.get(rule.indicator)
        rate = None if f is None else reference_rate(f.target, f.actual, f.direction)
        amounts.append(reference_amount(rule, rate))
        if rule.veto and (rate is None or rate < 100):
            vetoed = True
    reward = sum((a for a in amounts if a > 0), D(0))
    penalty = sum((a for a in amounts if a < 0), D(0))
    return (D(0) if vetoed else reward), penalty


amounts = st.integers(min_value=0, max_value=100_000).map(D)
rule_data = st.builds(
    dict,
    reward=amounts,
    bonus_per_percent=amounts,
    bonus_cap=amounts,
    threshold=st.integers(min_value=0, max_value=100).map(D),
    penalty=amounts,
    penalty_per_percent=amounts,
    penalty_cap=amounts,
    veto=st.booleans(),
)
values = st.decimals(min_value=0, max_value=10_000, places=2)


@st.composite
def cases(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    rules = Rules(Currency.MONEY, tuple(IndicatorRule(indicator=i + 1, **draw(rule_data)) for i in range(n)))
    figures = [
        engine.Figure(
            i + 1,
            f"指标{i + 1}",
            "公顷",
            draw(st.sampled_from(list(engine.Direction))),
            draw(st.decimals(min_value=1, max_value=10_000, places=2)),
            draw(st.none() | values),
        )
        for i in range(n)
    ]
    return rules, figures


@settings(deadline=None, max_examples=300)
@given(cases())
def test_the_engine_agrees_with_the_reference(case):
    rules, figures = case
    outcome = engine.settle(rules, figures)
    reward, penalty = reference_total(rules, figures)
    assert outcome.reward == reward
    assert outcome.penalty == penalty
    assert outcome.total == reward + penalty
    # every amount is a line, and the lines add up to the total
    assert sum((line.amount for line in outcome.lines), D(0)) == outcome.total
    assert all(line.text for line in outcome.lines)


@settings(deadline=None, max_examples=300)
@given(cases(), st.integers(min_value=0, max_value=4), values, values)
def test_more_completion_never_gives_less(case, at, one, other):
    """Of two actuals of one indicator, the better one (more where higher is better, less where lower is)
    never settles to less, whatever the rules and the other figures."""
    rules, figures = case
    f = figures[at % len(figures)]
    worse, better = sorted([one, other]) if f.direction == "higher" else sorted([one, other], reverse=True)

    def with_actual(actual):
        return [
            engine.Figure(g.indicator, g.name, g.measure, g.direction, g.target, actual) if g is f else g
            for g in figures
        ]

    assert engine.settle(rules, with_actual(better)).total >= engine.settle(rules, with_actual(worse)).total


def test_a_unit_over_target_gets_the_reward_and_the_capped_bonus_explained():
    rules = Rules(
        Currency.MONEY,
        (
            IndicatorRule(
                1,
                reward=D(50_000),
                bonus_per_percent=D(2_000),
                bonus_cap=D(10_000),
                threshold=D(80),
                penalty=D(30_000),
            ),
        ),
    )
    figure = engine.Figure(
        1, "地区生产总值", "元", engine.Direction.HIGHER, D(3_000_000_000), D(3_300_000_000)
    )
    outcome = engine.settle(rules, [figure])
    assert outcome.reward == D(60_000)  # 110 %: 50,000 + min(10 × 2,000, 10,000)
    assert [line.rule for line in outcome.lines] == ["reward", "bonus"]
    assert "完成率 110%" in outcome.lines[0].text
    assert "封顶" in outcome.lines[1].text and "10,000 元" in outcome.lines[1].text


def test_a_veto_indicator_not_completed_takes_back_every_reward_but_not_the_penalties():
    rules = Rules(
        Currency.POINTS,
        (
            IndicatorRule(1, reward=D(10)),
            IndicatorRule(2, reward=D(5), threshold=D(90), penalty=D(3), veto=True),
        ),
    )
    figures = [
        engine.Figure(1, "新增绿化面积", "公顷", engine.Direction.HIGHER, D(30), D(31)),
        engine.Figure(2, "安全生产事故", "起", engine.Direction.HIGHER, D(10), D(8)),
    ]
    outcome = engine.settle(rules, figures)
    assert outcome.vetoed and outcome.vetoed_by == ("安全生产事故",)
    assert outcome.reward == 0 and outcome.penalty == D(-3) and outcome.total == D(-3)
    assert outcome.lines[-1].rule == "veto" and "取消全部奖励 10 分" in outcome.lines[-1].text


def test_lower_is_better_rates_target_over_actual():
    assert engine.completion(D(80), D(100), "lower") == D("80.00")
    assert engine.completion(D(80), D(0), "lower") == D(200)
    assert engine.completion(D(0), D(5), "higher") is None
    assert engine.completion(D(10), None, "higher") is None


def test_the_time_elapsed_line_follows_the_milestones_or_the_months():
    assert engine.elapsed_percent(D(120), [], 3) == D("25.00")
    quarters = [D(10), D(40), D(70), D(120)]
    assert engine.elapsed_expected(D(120), quarters, 3) == D(10)
    assert engine.elapsed_expected(D(120), quarters, 5) == D(30)
    months = [D(m * 5) for m in range(1, 13)]
    assert engine.elapsed_expected(D(60), months, 11) == D(55)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"currency": "euro"}, "currency"),
        ({"indicators": [{"indicator": 0}]}, "indicators[0].indicator"),
        ({"indicators": [{"indicator": 1, "reward": -5}]}, "indicators[0].reward"),
        ({"indicators": [{"indicator": 1, "reward": "1.5"}]}, "indicators[0].reward"),
        ({"indicators": [{"indicator": 1, "threshold": 120}]}, "indicators[0].threshold"),
        ({"indicators": [{"indicator": 1}, {"indicator": 1}]}, "indicators[1].indicator"),
        ({"indicators": [{"indicator": 1, "bonus": 3}]}, "indicators[0].bonus"),
    ],
)
def test_bad_rules_name_the_field_at_fault(data, path):
    with pytest.raises(RulesError) as refused:
        Rules.from_dict(data)
    assert refused.value.path == path


def test_rules_read_back_as_they_were_written():
    rules = Rules(Currency.POINTS, (IndicatorRule(3, reward=D("2.5"), threshold=D(85), veto=True),))
    assert Rules.from_dict(rules.as_dict()) == rules
