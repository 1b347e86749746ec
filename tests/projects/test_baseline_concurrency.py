"""Two people acting on one project's baseline at the same moment (PostgreSQL: real row locks, concurrent
connections): one approval goes through and the other is stale; two proposals make one open proposal."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongjian.core.locking import Stale
from gongjian.projects import services
from gongjian.projects.models import BaselineChange, BaselineVersion, Project
from tests.concurrency import ON_POSTGRESQL, run_together
from tests.factories import ProjectFactory, UnitFactory

pytestmark = ON_POSTGRESQL


@pytest.fixture
def setting(make_user):
    unit = UnitFactory(name="住建局")
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    office = make_user("project_office", username="office")
    project = ProjectFactory(responsible_unit=unit, total_investment=100_000_000, plan=[1_000_000] * 36)
    project.milestones.create(kind="start", planned_date=dt.date(2026, 10, 1))
    return project, reporter, office


def test_two_offices_approving_one_proposal_at_once_make_one_new_baseline(setting):
    project, reporter, office = setting
    change = services.propose_baseline_change(
        project, {"total_investment": 90_000_000}, reason="调减", effective_from="2026-11-2", actor=reporter
    )
    results = run_together(
        *[
            lambda: services.approve_baseline_change(change, actor=office, expected_version=1)
            for _ in range(2)
        ]
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, Stale) for r in results) == 1, results
    assert Project.objects.get().baseline == 2 and BaselineVersion.objects.count() == 1


def test_two_proposals_at_once_leave_one_open(setting):
    project, reporter, _office = setting
    results = run_together(
        *[
            lambda amount=amount: services.propose_baseline_change(
                project,
                {"total_investment": amount},
                reason="调整",
                effective_from="2026-11-2",
                actor=reporter,
            )
            for amount in (90_000_000, 80_000_000)
        ]
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert BaselineChange.objects.filter(state="proposed").count() == 1
