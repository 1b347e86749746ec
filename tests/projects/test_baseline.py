"""The yardstick belongs to the office (issue 12 item 2, first part): a unit's reporter edits a project's
description and progress but cannot move its plan, total investment, responsible unit, headquarters, leaders or
milestone plan dates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongjian.projects import services
from gongjian.projects.models import AnnualPlan
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user):
    unit = UnitFactory(name="工信局")
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    project = ProjectFactory(responsible_unit=unit, total_investment=500_000_000, plan=True)
    project.milestones.create(kind="start", planned_date=dt.date(2026, 11, 1))
    return project, reporter


def test_a_reporter_edits_the_description_but_not_the_yardstick(setting, office_user):
    project, reporter = setting
    services.update_project(project, {"content": "新建厂房 12 万平方米"}, actor=reporter, expected_version=current_version(project))
    plan = project.plan_for(project.year).dekads
    attempts = [
        ({"total_investment": 1}, services.ProjectChildren()),
        ({"responsible_unit": UnitFactory(name="商务局")}, services.ProjectChildren()),
        ({}, services.ProjectChildren(plan_dekads=[1] * 36)),
        ({}, services.ProjectChildren(leaders=[(PersonFactory(name="某领导"), "lead")])),
        ({}, services.ProjectChildren(milestones=[{"id": m.pk, "kind": m.kind, "name": m.name,
                                                   "planned_date": dt.date(2027, 6, 1)}
                                                  for m in project.milestones.all()])),
    ]
    for fields, children in attempts:
        with pytest.raises(PermissionDenied, match="基准"):
            services.update_project(project, fields, children, actor=reporter, expected_version=current_version(project))
    project.refresh_from_db()
    assert project.total_investment == 500_000_000 and project.responsible_unit.name == "工信局"
    assert AnnualPlan.objects.get(project=project).dekads == plan
    # The office moves it.
    services.update_project(project, {"total_investment": 600_000_000}, actor=office_user, expected_version=current_version(project))


def test_a_reporter_saving_the_page_with_the_plan_as_it_is_is_not_refused(setting, client):
    from tests.projects.test_pages import post_data

    project, reporter = setting
    client.force_login(reporter)
    initial = client.get(f"/projects/{project.pk}/edit/").context["form"].initial
    start = project.milestones.get()
    data = post_data(name=project.name, total_investment=str(project.total_investment / 10_000),
                     version=str(initial["version"]), responsible_unit=str(project.responsible_unit_id),
                     year=str(project.year), region=str(project.region_id),
                     **{f"plan_{i}": str(initial[f"plan_{i}"] or "") for i in range(36)})
    data.update({"milestones-INITIAL_FORMS": "1", "milestones-0-id": str(start.pk),
                 "milestones-0-planned_date": "2026-11-01", "content": "描述改了"})
    for name in ("planned_start", "planned_completion", "land_area_mu", "land_status", "expected_jobs",
                 "category", "nature", "level", "funding"):
        value = initial.get(name)
        data[name] = "" if value is None else str(value)
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project.refresh_from_db()
    assert project.content == "描述改了"
