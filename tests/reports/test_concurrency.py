"""Two people submitting or saving the same report at the same moment (PostgreSQL: real row locks)."""

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.reports import services
from gongjian.reports.models import Report
from tests.concurrency import ON_POSTGRESQL, run_together
from tests.factories import ProjectFactory, UnitFactory

pytestmark = ON_POSTGRESQL


@pytest.fixture
def setup(make_user, office_user):
    unit = UnitFactory(name="工信局")
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    project = ProjectFactory(responsible_unit=unit)
    opens = timezone.now() - dt.timedelta(days=1)
    period = services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=10), actor=office_user
    )
    return reporter, project, period


def test_two_simultaneous_submits_of_one_report_give_one_submission(setup):
    reporter, project, period = setup
    report = services.save_draft(project, period, {"amount": 1_000}, actor=reporter)
    results = run_together(
        *[lambda: services.submit_report(report, actor=reporter, expected_version=report.version)] * 2
    )
    assert all(isinstance(r, Report) for r in results), results
    saved = Report.objects.get()
    assert saved.state == "submitted" and saved.revisions.count() == 1


def test_two_simultaneous_edits_of_the_same_version_lose_no_update_silently(setup):
    reporter, project, period = setup
    report = services.save_draft(project, period, {"amount": 1}, actor=reporter)
    results = run_together(
        lambda: services.save_draft(
            project, period, {"amount": 2}, actor=reporter, expected_version=report.version
        ),
        lambda: services.save_draft(
            project, period, {"amount": 3}, actor=reporter, expected_version=report.version
        ),
    )
    winners = [r for r in results if isinstance(r, Report)]
    losers = [r for r in results if isinstance(r, services.StaleReport)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert Report.objects.get().amount == winners[0].amount


def test_two_simultaneous_first_drafts_create_one_report(setup):
    reporter, project, period = setup
    results = run_together(
        lambda: services.save_draft(project, period, {"amount": 5}, actor=reporter),
        lambda: services.save_draft(project, period, {"amount": 6}, actor=reporter),
    )
    assert Report.objects.count() == 1, results
    # The one that lost the race to create it is told so; it never silently overwrites the other's values.
    saved = [r for r in results if isinstance(r, Report)]
    assert all(isinstance(r, Report | services.StaleReport) for r in results), results
    assert Report.objects.get().amount == saved[-1].amount
