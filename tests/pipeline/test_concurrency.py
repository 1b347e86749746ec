"""Two people issuing the year's plan or editing one reserve project at the same moment (PostgreSQL: real row
locks and concurrent connections): the plan is issued once, under one number, each listed project entering the
registry once; of two edits from one version one goes through and the other is told it is stale."""

import datetime as dt

import pytest

from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent
from gongjian.jobs.choices import JobState
from gongjian.jobs.models import Job
from gongjian.pipeline import services
from gongjian.pipeline.choices import PlanState, ReserveState
from gongjian.pipeline.models import AnnualPlan, ReserveProject
from gongjian.projects.choices import Category
from gongjian.projects.models import Project
from tests.concurrency import ON_POSTGRESQL, one_wins, run_together

pytestmark = ON_POSTGRESQL


@pytest.fixture
def plan_with_two(office_user, propose, district):
    first = propose(actor=office_user)
    second = propose(
        actor=office_user,
        name="城市更新一期",
        category=Category.URBAN,
        park=None,
        responsible_unit=district["housing"],
        total_investment=300_000_000,
        planned_start=dt.date(2027, 5, 10),
        planned_completion=dt.date(2027, 10, 31),
        batch="",
    )
    plan = services.create_plan(2027, actor=office_user)
    services.add_plan_items(plan, [first, second], actor=office_user, expected_version=plan.version)
    plan.refresh_from_db()
    return plan, first, second


def _issued_once(plan, first, second, number):
    plan = AnnualPlan.objects.get(pk=plan.pk)
    assert (plan.state, plan.number) == (PlanState.ISSUED, number) and number
    reserves = ReserveProject.objects.filter(pk__in=[first.pk, second.pk])
    assert {r.state for r in reserves} == {ReserveState.REGISTERED}
    assert Project.objects.count() == 2
    assert sorted(Project.objects.values_list("name", flat=True)) == sorted([first.name, second.name])
    assert {r.project_id for r in reserves} == set(Project.objects.values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="project.create").count() == 2
    assert AuditEvent.objects.filter(action="pipeline.plan.issue").count() == 1


def test_issuing_the_annual_plan_twice_at_once_issues_it_once_and_registers_each_project_once(
    office_user, plan_with_two
):
    plan, first, second = plan_with_two
    read = plan.version
    [winner] = one_wins(
        run_together(
            *[
                lambda: services.issue_plan(
                    plan, actor=office_user, expected_version=read, on=dt.date(2027, 1, 5)
                )
            ]
            * 2
        )
    )
    _issued_once(plan, first, second, winner.number)


def test_two_offices_pressing_issue_at_once_run_one_issuing_job(office_user, make_user, plan_with_two):
    second_office = make_user("project_office", username="office2")
    plan, first, second = plan_with_two
    read = plan.version
    results = run_together(
        *[
            lambda actor=actor: services.start_issue(plan, actor=actor, expected_version=read)
            for actor in (office_user, second_office)
        ]
    )
    # the second either is refused at once (the plan already issued) or its job finds it issued, under lock
    jobs = [r for r in results if isinstance(r, Job)]
    assert all(isinstance(r, (Job, Stale)) for r in results), results
    states = sorted(Job.objects.get(pk=j.pk).state for j in jobs)
    assert states.count(JobState.SUCCEEDED) == 1 and len(jobs) - 1 == states.count(JobState.FAILED), states
    _issued_once(plan, first, second, AnnualPlan.objects.get(pk=plan.pk).number)


def test_two_edits_of_one_reserve_project_from_one_version_keep_one(
    industry_user, make_user, district, propose
):
    colleague = make_user("unit_reporter", unit=district["industry"], username="industry2")
    reserve = propose(actor=industry_user)
    read = reserve.version
    [winner] = one_wins(
        run_together(
            *[
                lambda actor=actor, name=name: services.update_reserve(
                    reserve, {"name": name}, actor=actor, expected_version=read
                )
                for actor, name in (
                    (industry_user, "新能源电池材料项目（一期）"),
                    (colleague, "正极材料项目"),
                )
            ]
        )
    )
    reserve = ReserveProject.objects.get()
    assert (reserve.name, reserve.version) == (winner.name, read + 1)
    assert AuditEvent.objects.filter(action="pipeline.reserve.update").count() == 1
