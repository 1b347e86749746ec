"""The facts an assessment is computed from are the figures the lights judge (issue 14 item 4 reads them in one
pass of its own): the plan to date, the investment done to date and the milestones due, for every period, with
a project re-baselined mid-year and reports of ten-day periods and months, filed on time, late and not at all."""

import datetime as dt

import polars as pl
import pytest
from django.utils import timezone

from gongjian.assess import services
from gongjian.core.periods import Period
from gongjian.lights import services as lights
from gongjian.projects import services as projects
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db
MILLION = 1_000_000


@pytest.fixture
def district(make_user, office_user):
    unit = UnitFactory(name="住建局")
    reporter = make_user("unit_reporter", unit=unit, username="rep2")
    moving = ProjectFactory(name="改基准项目", responsible_unit=unit, plan=[MILLION] * 36)
    start = moving.milestones.create(
        kind="start", planned_date=dt.date(2026, 10, 1), actual_date=dt.date(2026, 9, 28)
    )
    moving.milestones.create(kind="topping_out", planned_date=dt.date(2026, 11, 15))
    steady = ProjectFactory(name="照常项目", responsible_unit=unit, plan=[2 * MILLION] * 36)
    steady.milestones.create(
        kind="start", planned_date=dt.date(2026, 10, 5), actual_date=dt.date(2026, 10, 20)
    )
    change = projects.propose_baseline_change(
        moving,
        {"plans": {"2026": [MILLION // 2] * 36}, "milestones": {str(start.pk): "2026-12-20"}},
        reason="征迁延后，年度计划减半",
        effective_from="2026-11-2",
        actor=reporter,
    )
    projects.approve_baseline_change(change, actor=office_user, expected_version=1, note="同意")
    filings = [  # (period, project, year to date, days after the period opened, state)
        ("2026-10-3", moving, 28 * MILLION, 5, "approved"),
        ("2026-10", steady, 58 * MILLION, 20, "approved"),  # a month: filed late, counted from its end
        ("2026-11-1", steady, 60 * MILLION, 3, "approved"),
        ("2026-11-2", moving, 30 * MILLION, 2, "submitted"),
        ("2026-11-2", steady, 64 * MILLION, 1, "draft"),  # not counted
    ]
    opened = {}
    for code, project, done, after, state in filings:
        if code not in opened:
            opens = timezone.make_aware(dt.datetime.combine(Period.parse(code).end, dt.time(9)))
            opened[code] = reports.open_period(
                code, opens_at=opens, deadline=opens + dt.timedelta(days=4), actor=office_user
            )
        period = opened[code]
        filed = period.opens_at + dt.timedelta(days=after)
        Report.objects.create(
            project=project,
            period=period,
            state=state,
            amount=0,
            year_to_date=done,
            since_start=done,
            first_submitted_at=None if state == "draft" else filed,
            submitted_at=None if state == "draft" else filed,
        )
    return moving, steady


def test_plan_investment_and_milestones_to_date_are_the_figures_the_lights_judge(district):
    periods = [
        *Period.range(Period(2026, 9, 3), Period(2026, 12, 3)),
        *Period.range(Period(2026, 9), Period(2026, 12)),
    ]
    facts = services.load(periods)["facts"]
    now = timezone.make_aware(dt.datetime(2027, 1, 10))
    inputs = lights.load_inputs(None, periods, today=dt.date(2026, 12, 31), now=now)
    key = ["period_code", "project_id"]
    money = ["plan_to_date", "done_to_date"]
    assert facts.select(*key, *money).sort(key).equals(inputs.rows.select(*key, *money).sort(key))
    ends = pl.DataFrame({"period_code": [p.code for p in periods], "end": [p.end for p in periods]})
    due = (
        inputs.rows.select(*key, "baseline")
        .join(ends, on="period_code")
        .join(inputs.milestones, on=["project_id", "baseline"], how="left")
        .group_by(key)
        .agg(
            milestones_due=(pl.col("planned") <= pl.col("end")).sum().cast(pl.Int64),
            milestones_met=((pl.col("planned") <= pl.col("end")) & (pl.col("actual") <= pl.col("planned")))
            .sum()
            .cast(pl.Int64),
        )
    )
    counts = ["milestones_due", "milestones_met"]
    assert facts.select(*key, *counts).sort(key).equals(due.sort(key))
    moving, steady = district
    mine = {r["period_code"]: r for r in facts.filter(pl.col("project_id") == moving.pk).to_dicts()}
    # before the new baseline: 100 万元 a period, the start planned 1 October (met early); from 中旬: half
    assert (mine["2026-11-1"]["plan_to_date"], mine["2026-11-1"]["milestones_due"]) == (31 * MILLION, 1)
    assert (mine["2026-11-2"]["plan_to_date"], mine["2026-11-2"]["milestones_due"]) == (16 * MILLION, 1)
    assert mine["2026-10"]["done_to_date"] == 28 * MILLION
    assert mine["2026-11-2"]["done_to_date"] == 30 * MILLION
    other = {r["period_code"]: r for r in facts.filter(pl.col("project_id") == steady.pk).to_dicts()}
    # the month ends with its third ten-day period, whose figure it gives too
    assert (other["2026-10-3"]["done_to_date"], other["2026-10"]["done_to_date"]) == (
        58 * MILLION,
        58 * MILLION,
    )
    assert (other["2026-10"]["late_reports"], other["2026-11-2"]["missing_reports"]) == (1, 1)
