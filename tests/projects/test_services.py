"""Registry services on a real database: validation, optimistic locking, audit events."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.core.models import AuditEvent
from gongjian.projects import services
from gongjian.projects.choices import ApprovalKind, ApprovalStatus, LeaderRole, MilestoneKind
from gongjian.projects.models import AnnualPlan, Project
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, current_version, region

pytestmark = pytest.mark.django_db


def fields(**overrides):
    base = {
        "name": "新能源电池材料项目",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "year": 2026,
        "region": region("320311"),
        "responsible_unit": UnitFactory(name="工信局"),
        "total_investment": 500_000_000,
        "planned_start": dt.date(2026, 3, 1),
        "planned_completion": dt.date(2027, 6, 30),
    }
    return base | overrides


def test_creating_a_project_numbers_it_saves_its_children_and_audits_everything(office_user):
    leader = PersonFactory(name="李副区长", leadership_body="government")
    children = services.ProjectChildren(
        plan_dekads=services.dekads_from_months([10_000_000] * 12),
        leaders=[(leader, LeaderRole.LEAD)],
        milestones=[
            {
                "kind": MilestoneKind.START,
                "name": "",
                "planned_date": dt.date(2026, 3, 1),
                "actual_date": None,
                "note": "",
            }
        ],
        approvals=[
            {
                "kind": ApprovalKind.ENVIRONMENT,
                "status": ApprovalStatus.DONE,
                "approved_on": dt.date(2026, 1, 5),
                "document_no": "徐环审〔2026〕3号",
            }
        ],
    )
    project = services.create_project(fields(), children, actor=office_user)

    assert project.code == "2026-0001"
    assert AnnualPlan.objects.get(project=project, year=2026).total == 120_000_000
    assert [m.kind for m in project.milestones.all()] == ["start"]
    assert project.approvals.get().document_no == "徐环审〔2026〕3号"
    event = AuditEvent.objects.get(action="project.create")
    assert event.actor == office_user
    assert event.after["name"] == "新能源电池材料项目"
    assert event.after["plans"]["2026"][0] == 3_333_333


def test_an_annual_plan_larger_than_the_total_investment_is_refused_and_nothing_is_saved(office_user):
    children = services.ProjectChildren(plan_dekads=services.dekads_from_months([100_000_000] * 12))
    with pytest.raises(ValidationError) as caught:
        services.create_project(fields(), children, actor=office_user)
    assert "plan" in caught.value.error_dict
    assert not Project.objects.exists()
    assert not AuditEvent.objects.filter(action="project.create").exists()


def test_a_completion_date_before_the_start_is_an_error_on_that_field(office_user):
    with pytest.raises(ValidationError) as caught:
        services.create_project(fields(planned_completion=dt.date(2025, 1, 1)), actor=office_user)
    assert "planned_completion" in caught.value.error_dict


def test_an_invalid_national_project_code_is_refused(office_user):
    with pytest.raises(ValidationError) as caught:
        services.create_project(fields(national_code="2026-12345"), actor=office_user)
    assert "national_code" in caught.value.error_dict


def test_an_update_records_only_what_changed(office_user):
    project = ProjectFactory(name="旧名称")
    services.update_project(
        project, {"name": "新名称"}, actor=office_user, expected_version=current_version(project)
    )
    event = AuditEvent.objects.get(action="project.update")
    assert event.before == {"name": "旧名称", "version": 1}
    assert event.after == {"name": "新名称", "version": 2}


def test_an_edit_made_on_a_stale_copy_is_refused_instead_of_overwriting(office_user):
    project = ProjectFactory(name="原名")
    services.update_project(project, {"name": "甲改的"}, actor=office_user, expected_version=1)
    with pytest.raises(services.StaleVersion):
        services.update_project(project, {"name": "乙改的"}, actor=office_user, expected_version=1)
    project.refresh_from_db()
    assert (project.name, project.version) == ("甲改的", 2)


def test_only_the_project_office_may_create_projects(make_user):
    with pytest.raises(PermissionDenied):
        services.create_project(fields(), actor=make_user("unit_reporter"))


def test_deleting_keeps_the_projects_last_state_in_the_audit_trail(office_user):
    project = ProjectFactory(name="要删的项目", plan=True)
    services.delete_project(project, actor=office_user, expected_version=current_version(project))
    event = AuditEvent.objects.get(action="project.delete")
    assert event.before["name"] == "要删的项目" and event.object_repr.endswith("要删的项目")
    assert not Project.objects.exists()


def test_monthly_amounts_split_into_dekads_keep_their_sum():
    dekads = services.dekads_from_months([100, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8, 10_000_001])
    assert len(dekads) == 36
    assert [sum(dekads[i * 3 : i * 3 + 3]) for i in range(12)] == [
        100,
        0,
        7,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        10_000_001,
    ]


def test_the_plan_to_date_adds_the_dekads_up_to_the_period():
    from gongjian.core.periods import Period

    plan = AnnualPlan(year=2026, dekads=list(range(1, 37)))
    assert plan.to_date(Period("2026-01", dekad=1)) == 1
    assert plan.to_date(Period("2026-02")) == sum(range(1, 7))
    assert plan.to_date(Period("2026")) == sum(range(1, 37))
    assert plan.amount(Period("2026-12")) == 34 + 35 + 36
    assert plan.to_date(Period("2025-12")) == 0
