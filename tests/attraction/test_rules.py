"""The rules of the five links, without a database."""

from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.attraction import rules


def test_the_links_are_taken_one_after_the_other():
    assert rules.move_problem("talks", "signed") is None
    assert rules.move_problem("signed", "funded") is None
    assert rules.move_problem("funded", "started") is None
    assert rules.move_problem("started", "producing") is None


def test_funds_before_a_signature_name_the_missing_link():
    problem = rules.move_problem("talks", "funded")
    assert problem is not None and "尚未完成“签约”" in problem and "资金到位" in problem


def test_a_start_before_funds_and_going_back_are_refused():
    assert "尚未完成“资金到位”" in rules.move_problem("signed", "started")
    assert "不能回到" in rules.move_problem("funded", "signed")


def test_a_dropped_lead_moves_no_more_and_a_producing_one_cannot_be_dropped():
    assert "已终止" in rules.move_problem("dropped", "signed")
    assert rules.move_problem("producing", "dropped") is not None
    for stage in ("talks", "signed", "funded", "started"):
        assert rules.move_problem(stage, "dropped") is None


@given(st.sampled_from(rules.ORDER), st.sampled_from(rules.ORDER))
def test_only_the_next_link_is_allowed(current, target):
    allowed = rules.move_problem(current, target) is None
    assert allowed == (rules.ORDER.index(target) == rules.ORDER.index(current) + 1)


@settings(deadline=None)
@given(
    st.dictionaries(st.integers(1, 50), st.one_of(st.none(), st.floats(0, 500, allow_nan=False)), max_size=30)
)
def test_ranks_are_competition_ranks_by_rate(rates):
    ranked = rules.ranks(rates)
    for unit, rate in rates.items():
        if rate is None:
            assert ranked[unit] is None
        else:
            assert ranked[unit] == 1 + sum(1 for r in rates.values() if r is not None and r > rate)


def test_rates_and_the_overall_rate_cap_each_figure_at_its_target():
    assert rules.rate(50, 200) == 25.0
    assert rules.rate(5, 0) is None and rules.rate(5, None) is None
    assert rules.overall_rate({"a": 300.0, "b": 50.0, "c": None}) == 75.0
