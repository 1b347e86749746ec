"""Target completion as the assessment reads it (目标完成): the provider the targets app registers gives each unit
the mean completion of its named targets to the end of the month a period falls in, from approved actuals only,
with the words that explain it."""

from decimal import Decimal

import pytest

from gongjian.assess import sources as assess_sources
from gongjian.core.periods import Period
from gongjian.targets import assessing, services
from tests.targets.conftest import YEAR

D = Decimal

pytestmark = pytest.mark.django_db


def _approved(target, month, value, reporter, office):
    actual = services.enter_actual(target, month, value=value, actor=reporter, note="台账")
    return services.review_actual(actual, approve=True, actor=office, expected_version=actual.version)


def _rows(frame):
    return {
        (r["period_code"], r["subject_id"]): (r["rate"], r["detail"]) for r in frame.iter_rows(named=True)
    }


def test_the_targets_app_registers_its_provider():
    assert assess_sources._PROVIDERS["targets"] is assessing.completions


def test_a_unit_gets_the_mean_of_its_named_targets_to_the_month_end(targets, units, reporter, office):
    green, money = targets
    _approved(green[0], 3, D(5), reporter, office)  # 5/10 公顷 = 50 %
    _approved(money[0], 2, D(80_000_000), reporter, office)  # 0.80/1.00 亿元 = 80 %
    submitted = services.enter_actual(green[0], 4, value=D(9), actor=reporter, note="未审")  # not approved

    rows = _rows(assessing.completions([Period(YEAR, 4, 2), Period(YEAR, 2)], ()))
    rate, detail = rows[(f"{YEAR}-04-2", units[0].pk)]
    assert rate == pytest.approx(0.65)
    assert detail == "新增绿化面积 5/10公顷 50.0%；地区生产总值 0.80/1.00亿元 80.0%"
    # In February the greening had no approved figure yet: it counts as 0 %, said so.
    rate, detail = rows[(f"{YEAR}-02", units[0].pk)]
    assert rate == pytest.approx(0.40)
    assert "新增绿化面积 暂无审核通过的完成数，按 0% 计" in detail
    # The other units have targets and nothing approved: 0, but rated.
    assert rows[(f"{YEAR}-04-2", units[1].pk)][0] == 0
    assert submitted.value == D(9)

    named = _rows(assessing.completions([Period(YEAR, 4)], ("地区生产总值",)))
    assert named[(f"{YEAR}-04", units[0].pk)] == (pytest.approx(0.8), "地区生产总值 0.80/1.00亿元 80.0%")
    assert not _rows(assessing.completions([Period(YEAR, 4)], ("没有的指标",)))
    assert not _rows(assessing.completions([Period(YEAR + 1, 4)], ()))


def test_an_indicator_over_its_target_is_capped_as_the_targets_module_caps_it(
    targets, units, reporter, office
):
    green, _money = targets
    _approved(green[0], 5, D(100_000), reporter, office)
    rows = _rows(assessing.completions([Period(YEAR, 6)], ("新增绿化面积",)))
    assert rows[(f"{YEAR}-06", units[0].pk)][0] == pytest.approx(9.9999)
