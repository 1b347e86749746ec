"""The pipeline's services on the database: units propose and edit their own reserve projects, the office builds
the year's plan and issues it — every listed project then stands in the registry with its baseline and the reserve
links to it — and a plan with an item that cannot enter the registry is refused whole, naming the item."""

import datetime as dt
import io

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent
from gongjian.jobs.choices import JobState
from gongjian.jobs.models import Job
from gongjian.pipeline import exports, queries, services
from gongjian.pipeline.choices import Origin, PlanState, Readiness, ReserveState
from gongjian.pipeline.models import AnnualPlan, ReserveProject
from gongjian.projects.choices import ApprovalKind, Category, LeaderRole, MilestoneKind
from gongjian.projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


# The reserve


def test_a_unit_proposes_a_reserve_project_of_its_own_and_it_is_audited(industry_user, propose):
    reserve = propose(actor=industry_user)

    assert reserve.state == ReserveState.RESERVE
    assert reserve.origin == Origin.PLANNED
    assert reserve.created_by == industry_user
    event = AuditEvent.objects.get(action="pipeline.reserve.propose")
    assert event.object_id == str(reserve.pk) and event.actor == industry_user


def test_a_unit_cannot_propose_for_another_unit(housing_user, propose):
    with pytest.raises(PermissionDenied):
        propose(actor=housing_user)  # 工信局's project, in the 高新区 park: not the housing bureau's
    assert not ReserveProject.objects.exists()


def test_a_unit_sees_only_its_own_reserve_and_the_office_sees_all(
    industry_user, housing_user, office_user, propose, district
):
    mine = propose(actor=industry_user)
    theirs = propose(actor=housing_user, name="保障房", responsible_unit=district["housing"], park=None)

    assert list(ReserveProject.objects.in_scope(industry_user)) == [mine]
    assert list(ReserveProject.objects.in_scope(housing_user)) == [theirs]
    assert set(ReserveProject.objects.in_scope(office_user)) == {mine, theirs}


def test_an_edit_made_on_a_stale_copy_is_refused(industry_user, propose):
    reserve = propose(actor=industry_user)
    services.update_reserve(
        reserve, {"readiness": Readiness.FEASIBILITY}, actor=industry_user, expected_version=reserve.version
    )

    with pytest.raises(Stale):
        services.update_reserve(reserve, {"name": "改名"}, actor=industry_user, expected_version=1)
    reserve.refresh_from_db()
    assert reserve.name == "新能源电池材料项目" and reserve.version == 2
    assert AuditEvent.objects.filter(action="pipeline.reserve.update").count() == 1


def test_another_unit_may_not_edit_a_reserve_project(industry_user, housing_user, propose):
    reserve = propose(actor=industry_user)
    with pytest.raises(PermissionDenied):
        services.update_reserve(
            reserve, {"name": "改名"}, actor=housing_user, expected_version=reserve.version
        )


def test_ready_to_start_needs_the_project_approval_done(industry_user, propose):
    with pytest.raises(ValidationError) as caught:
        propose(actor=industry_user, readiness=Readiness.READY, approvals_done=[ApprovalKind.ENVIRONMENT])
    assert "readiness" in caught.value.message_dict

    reserve = propose(
        actor=industry_user,
        readiness=Readiness.READY,
        approvals_done=[ApprovalKind.ENVIRONMENT, ApprovalKind.PROJECT_APPROVAL],
    )
    assert reserve.approvals_done == [ApprovalKind.PROJECT_APPROVAL, ApprovalKind.ENVIRONMENT]


def test_bad_values_are_named_by_field(industry_user, propose):
    with pytest.raises(ValidationError) as caught:
        propose(
            actor=industry_user,
            total_investment=-1,
            planned_start=dt.date(2028, 3, 1),
            planned_completion=dt.date(2027, 1, 1),
            approvals_done=["nonsense"],
        )
    assert {"total_investment", "planned_completion", "planned_start", "approvals_done"} <= set(
        caught.value.message_dict
    )


def test_attraction_puts_a_signed_lead_in_the_reserve(propose, reserve_fields):
    reserve = services.propose(
        reserve_fields(name="签约项目"), actor=None, origin=Origin.ATTRACTION, origin_ref="签约 2026-017"
    )
    assert (reserve.origin, reserve.origin_ref) == (Origin.ATTRACTION, "签约 2026-017")


def test_a_withdrawn_project_keeps_its_reason_and_is_no_longer_edited(industry_user, propose):
    reserve = propose(actor=industry_user)
    with pytest.raises(ValidationError):
        services.withdraw_reserve(reserve, reason=" ", actor=industry_user, expected_version=reserve.version)
    services.withdraw_reserve(
        reserve, reason="投资方放弃", actor=industry_user, expected_version=reserve.version
    )
    reserve.refresh_from_db()
    assert (reserve.state, reserve.withdraw_reason) == (ReserveState.WITHDRAWN, "投资方放弃")
    with pytest.raises(ValidationError) as caught:
        services.update_reserve(reserve, {"name": "x"}, actor=industry_user, expected_version=reserve.version)
    assert caught.value.code == "state"


# The plan


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


def test_only_the_office_plans(industry_user, propose):
    with pytest.raises(PermissionDenied):
        services.create_plan(2027, actor=industry_user)


def test_listing_takes_the_reserve_defaults_and_marks_the_projects_planned(plan_with_two):
    plan, first, second = plan_with_two
    items = {i.reserve_id: i for i in plan.items.all()}
    # 2027-03 to 2028-12 is 22 months, 10 of them in 2027
    assert items[first.pk].planned_investment == 600_000_000 * 10 // 22
    assert items[second.pk].planned_investment == 300_000_000  # all of it falls in 2027
    assert ReserveProject.objects.get(pk=first.pk).state == ReserveState.PLANNED
    assert plan.version == 2


def test_a_project_in_a_plan_cannot_be_listed_twice(office_user, plan_with_two):
    plan, first, _second = plan_with_two
    with pytest.raises(ValidationError) as caught:
        services.add_plan_items(plan, [first], actor=office_user, expected_version=plan.version)
    assert caught.value.code == "state"


def test_an_item_edit_checks_its_numbers(office_user, plan_with_two):
    plan, first, _second = plan_with_two
    item = plan.items.get(reserve=first)
    with pytest.raises(ValidationError) as caught:
        services.edit_plan_item(
            item,
            {"planned_investment": 700_000_000, "months": [1] * 12},
            actor=office_user,
            expected_version=plan.version,
        )
    assert {"planned_investment", "months"} <= set(caught.value.message_dict)
    with pytest.raises(Stale):
        services.edit_plan_item(item, {"planned_investment": 1}, actor=office_user, expected_version=1)


def test_issuing_makes_registry_projects_with_their_baseline(office_user, plan_with_two, district):
    plan, first, second = plan_with_two
    item = plan.items.get(reserve=first)
    months = [0, 0, 20_000_000] + [30_000_000] * 9
    services.edit_plan_item(
        item,
        {"planned_investment": sum(months), "months": months, "headquarters": district["hq"]},
        actor=office_user,
        expected_version=plan.version,
        leaders=[district["deputy"], district["lead"]],
    )
    plan.refresh_from_db()

    job = services.start_issue(plan, actor=office_user, expected_version=plan.version)  # tasks run at once

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    plan.refresh_from_db()
    assert plan.state == PlanState.ISSUED and plan.number.startswith("重点办〔")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == ReserveState.REGISTERED and second.state == ReserveState.REGISTERED
    project = first.project
    assert project.code.startswith("2027-")
    assert (project.name, project.category, project.year, project.batch) == (
        "新能源电池材料项目",
        Category.INDUSTRY,
        2027,
        "attract",
    )
    assert (project.total_investment, project.responsible_unit, project.headquarters, project.park) == (
        600_000_000,
        district["industry"],
        district["hq"],
        district["park"],
    )
    plan_row = project.plan_for(2027)
    assert plan_row.total == sum(months) and plan_row.months == months
    assert [(link.person, link.role) for link in project.leader_links.order_by("id")] == [
        (district["deputy"], LeaderRole.LEAD),
        (district["lead"], LeaderRole.DEPUTY),
    ]
    assert {(m.kind, m.planned_date) for m in project.milestones.all()} == {
        (MilestoneKind.START, dt.date(2027, 3, 1)),
        (MilestoneKind.COMPLETION, dt.date(2028, 12, 31)),
    }
    # the other item's plan spread evenly over May to October, as it was left
    other = second.project.plan_for(2027).months
    assert other[:4] == [0] * 4 and other[10:] == [0, 0] and sum(other) == 300_000_000
    assert AuditEvent.objects.filter(action="project.create").count() == 2
    assert AuditEvent.objects.filter(action="pipeline.plan.issue").count() == 1


def test_the_issued_docx_lists_the_items_and_totals_by_category(office_user, plan_with_two):
    plan, _first, _second = plan_with_two
    services.issue_plan(plan, actor=office_user, expected_version=plan.version, on=dt.date(2027, 1, 5))
    plan.refresh_from_db()

    document = docx.Document(io.BytesIO(exports.docx(plan)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert f"关于印发《{plan.title}》的通知" in text.replace("\n", "")
    assert plan.number in text
    assert "新能源电池材料项目" in cells and "城市更新一期" in cells
    assert "工业小计（1个）" in cells and "城建小计（1个）" in cells
    assert "60,000.00" in cells  # the battery project's total, in 万元
    assert "合计：2个项目，总投资90,000.00万元" in text


def test_a_failing_item_is_reported_and_nothing_is_made(office_user, plan_with_two, district):
    plan, first, second = plan_with_two
    # the housing bureau's reserve project is given an enterprise as its park: the registry refuses it
    ReserveProject.objects.filter(pk=second.pk).update(park=district["industry"])
    before = Project.objects.count()

    job = services.start_issue(plan, actor=office_user, expected_version=plan.version)

    job = Job.objects.get(pk=job.pk)
    assert job.state == JobState.FAILED
    assert "第2项《城市更新一期》" in job.error and "所属园区" in job.error
    assert job.result["problems"][0]["name"] == "城市更新一期"
    assert Project.objects.count() == before
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.number == ""
    assert ReserveProject.objects.get(pk=first.pk).project is None
    assert not AuditEvent.objects.filter(action="project.create").exists()


def test_an_item_already_in_the_registry_is_linked_not_made_twice(office_user, plan_with_two):
    plan, first, _second = plan_with_two
    existing = ProjectFactory(name=first.name)
    ReserveProject.objects.filter(pk=first.pk).update(project=existing)
    before = Project.objects.count()

    services.issue_plan(plan, actor=office_user, expected_version=plan.version)

    assert Project.objects.count() == before + 1  # only the other one
    first.refresh_from_db()
    assert first.project == existing and first.state == ReserveState.REGISTERED


def test_an_issued_plan_no_longer_changes(office_user, plan_with_two):
    plan, _first, _second = plan_with_two
    services.issue_plan(plan, actor=office_user, expected_version=plan.version)
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.remove_plan_item(plan.items.first(), actor=office_user, expected_version=plan.version)
    assert caught.value.code == "issued"


def test_removing_an_item_puts_it_back_in_the_reserve(office_user, plan_with_two):
    plan, first, _second = plan_with_two
    services.remove_plan_item(plan.items.get(reserve=first), actor=office_user, expected_version=plan.version)
    first.refresh_from_db()
    assert first.state == ReserveState.RESERVE
    assert queries.plan_totals(queries.plan_items(AnnualPlan.objects.get(pk=plan.pk)))["count"] == 1


# Campaigns


def test_a_campaign_totals_its_projects(office_user, propose):
    reserve = propose(actor=office_user)
    project = ProjectFactory()
    campaign = services.create_campaign(
        {"kind": "signing", "name": "春季集中签约", "held_on": dt.date(2026, 3, 18)},
        [{"project": project, "amount": 100_000_000}, {"reserve": reserve, "amount": 600_000_000}],
        actor=office_user,
    )
    row = queries.campaigns_with_totals().get(pk=campaign.pk)
    assert (row.item_count, row.total) == (2, 700_000_000)

    with pytest.raises(ValidationError) as caught:
        services.update_campaign(
            campaign,
            {},
            actor=office_user,
            expected_version=campaign.version,
            items=[{"project": project, "reserve": reserve, "amount": 1}],
        )
    assert "第1行" in caught.value.message_dict["items"][0]
    with pytest.raises(Stale):
        services.update_campaign(campaign, {"name": "x"}, actor=office_user, expected_version=9)


def test_only_the_office_runs_campaigns(industry_user):
    with pytest.raises(PermissionDenied):
        services.create_campaign(
            {"kind": "start", "name": "集中开工", "held_on": dt.date(2026, 4, 1)}, [], actor=industry_user
        )
