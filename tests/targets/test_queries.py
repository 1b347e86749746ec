"""The completion board equals a plain computation: each unit's actual to date is its latest approved month,
its completion and rank are worked out as a clerk would, and each reader sees only the units they may."""

from decimal import Decimal

from django.utils import timezone

from gongjian.reports.models import Report, ReportingPeriod
from gongjian.targets import queries, services, sources
from gongjian.targets.models import Actual
from tests.factories import ProjectFactory
from tests.targets.conftest import YEAR

D = Decimal


def _approved(target, month, value, reporter, office):
    actual = services.enter_actual(target, month, value=value, actor=reporter, note="台账")
    return services.review_actual(actual, approve=True, actor=office, expected_version=actual.version)


def test_the_board_rates_and_ranks_each_unit_as_a_plain_computation_does(
    targets, units, office, make_user, leader
):
    green, _money = targets
    reporters = [make_user("unit_reporter", unit=u, username=f"r{n}") for n, u in enumerate(units)]
    # 甲 10 公顷: 3 by March, 6 by June (approved); 9 by September waiting
    _approved(green[0], 3, D(3), reporters[0], office)
    _approved(green[0], 6, D(6), reporters[0], office)
    services.enter_actual(green[0], 9, value=D(9), actor=reporters[0], note="待审")
    # 乙 20 公顷: 12 by June; 丙 30 公顷: nothing
    _approved(green[1], 6, D(12), reporters[1], office)

    [summary] = queries.board(YEAR, user=leader, through_month=9, indicator_ids=[green[0].indicator_id])
    cells = {c.unit_name: c for c in summary.cells}
    plain = {"甲街道": (D(6), D(60)), "乙街道": (D(12), D(60))}
    for name, (actual, rate) in plain.items():
        assert (cells[name].actual, cells[name].rate) == (actual, rate)
        assert cells[name].elapsed == D(75)  # September: 9 ÷ 12
        assert cells[name].behind
        assert cells[name].rank == 1 and cells[name].ranked == 2  # equal rates share the rank
    assert cells["丙局"].actual is None and cells["丙局"].rank is None
    assert summary.target == D(60) and summary.actual == D(18) and summary.rate == D(30)

    [by_june] = queries.board(YEAR, user=leader, through_month=3, indicator_ids=[green[0].indicator_id])
    assert {c.unit_name: c.actual for c in by_june.cells}["甲街道"] == D(3)


def test_a_unit_reads_only_its_own_row_with_its_rank_in_the_district(
    targets, units, office, reporter, make_user
):
    green, _money = targets
    other = make_user("unit_reporter", unit=units[1], username="r_b")
    _approved(green[0], 6, D(2), reporter, office)  # 20 %
    _approved(green[1], 6, D(10), other, office)  # 50 %
    summaries = queries.board(YEAR, user=reporter, through_month=6)
    assert all({c.unit_id for c in s.cells} <= {units[0].pk} for s in summaries)
    [cell] = summaries[0].cells
    assert cell.rank == 2 and cell.ranked == 2


def test_the_review_queue_counts_what_waits_for_the_office(targets, reporter, office):
    green, _money = targets
    services.enter_actual(green[0], 2, value=D(1), actor=reporter, note="台账")
    assert queries.review_count(office) == 1
    assert queries.review_count(reporter) == 0


def test_fixed_asset_investment_sums_the_latest_approved_year_to_date_of_each_units_projects(units):
    a1, a2 = ProjectFactory(responsible_unit=units[0]), ProjectFactory(responsible_unit=units[0])
    b1 = ProjectFactory(responsible_unit=units[1])
    now = timezone.now()
    periods = {
        code: ReportingPeriod.objects.create(kind="dekad", code=code, opens_at=now, deadline=now)
        for code in (f"{YEAR}-03-3", f"{YEAR}-04-3", f"{YEAR}-05-1")
    }

    def report(project, code, ytd, state="approved"):
        Report.objects.create(project=project, period=periods[code], state=state, year_to_date=ytd)

    report(a1, f"{YEAR}-03-3", 1_000_000)
    report(a1, f"{YEAR}-04-3", 2_500_000)
    report(a1, f"{YEAR}-05-1", 9_000_000)  # May: after April's end
    report(a2, f"{YEAR}-03-3", 700_000)
    report(a2, f"{YEAR}-04-3", 800_000, state="submitted")  # not approved: March's figure stands
    report(b1, f"{YEAR}-04-3", 300_000)
    figures = sources.get("fixed_asset_investment").compute(YEAR, 4, None)
    assert figures == {units[0].pk: D(3_200_000), units[1].pk: D(300_000)}
    assert sources.get("fixed_asset_investment").compute(YEAR, 4, [units[1].pk]) == {units[1].pk: D(300_000)}


def test_the_board_reads_a_fixed_number_of_queries(targets, leader, django_assert_max_num_queries):
    queries.board(YEAR, user=leader)  # permissions and scope read once
    with django_assert_max_num_queries(3):
        queries.board(YEAR, user=leader)
    assert Actual.objects.count() == 0


def test_the_board_kept_by_the_process_follows_every_change(targets, units, office, reporter, leader):
    green, _money = targets
    [before] = queries.board(YEAR, user=leader, through_month=6, indicator_ids=[green[0].indicator_id])
    assert {c.unit_name: c.actual for c in before.cells}["甲街道"] is None
    _approved(green[0], 6, D(7), reporter, office)
    units[0].name = "甲街道办事处"
    units[0].save()
    [after] = queries.board(YEAR, user=leader, through_month=6, indicator_ids=[green[0].indicator_id])
    assert {c.unit_name: c.actual for c in after.cells}["甲街道办事处"] == D(7)
