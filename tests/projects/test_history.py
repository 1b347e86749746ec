"""Editing a project never rewrites history (issue 12 item 1): its milestones, approvals and leaders are changed
in place, a milestone a report has reached cannot disappear, and the admin shows the registry read-only."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from gongjian.lights.models import Light
from gongjian.lights.services import recompute
from gongjian.projects import services as projects
from gongjian.reports import services as reports
from gongjian.reports.models import Report, ReportedMilestone, ReportRevision
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, current_version
from tests.reports.test_services import period

pytestmark = pytest.mark.django_db


def _rows(model, **filters):
    return sorted(
        (row.pk, tuple(sorted(model_to_dict(row).items(), key=str)))
        for row in model.objects.filter(**filters)
    )


@pytest.fixture
def approved(office_user, make_user):
    """A project with two milestones, a leader and an approval, and an approved report that reached one."""
    unit = UnitFactory(name="工信局")
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    reviewer = make_user("unit_reviewer", unit=unit, username="rev")
    leader = PersonFactory(name="李副区长", leadership_body="government")
    project = ProjectFactory(
        name="新能源电池材料项目", responsible_unit=unit, total_investment=500_000_000, plan=True
    )
    projects.update_project(
        project,
        {},
        projects.ProjectChildren(
            leaders=[(leader, "lead")],
            milestones=[
                {"kind": "start", "name": "", "planned_date": dt.date(2026, 11, 1)},
                {"kind": "topping_out", "name": "主体封顶", "planned_date": dt.date(2026, 12, 20)},
            ],
            approvals=[
                {"kind": "land_pre_review", "name": "", "status": "done", "approved_on": dt.date(2026, 3, 1)}
            ],
        ),
        actor=office_user,
        expected_version=current_version(project),
    )
    start = project.milestones.get(kind="start")
    report = reports.save_draft(
        project,
        period("2026-11-2", office_user),
        {"amount": 1_000_000},
        actor=reporter,
        milestones=[(start, dt.date(2026, 11, 12))],
    )
    reports.submit_report(report, actor=reporter, expected_version=current_version(report))
    reports.approve_report(report, actor=reviewer, expected_version=current_version(report))
    recompute(year=2026, today=dt.date(2026, 11, 30), open_cases=False)
    return project, leader


def test_editing_a_project_keeps_every_report_row_and_light_as_it_was(approved, office_user):
    project, leader = approved
    before = {
        model: _rows(model, **key)
        for model, key in [
            (Report, {"project": project}),
            (ReportRevision, {"report__project": project}),
            (ReportedMilestone, {"report__project": project}),
            (Light, {"project": project}),
        ]
    }
    milestone_ids = set(project.milestones.values_list("pk", flat=True))
    rows = [
        {
            "id": m.pk,
            "kind": m.kind,
            "name": m.name,
            "planned_date": m.planned_date,
            "actual_date": m.actual_date,
            "note": "已核",
        }
        for m in project.milestones.all()
    ]

    projects.update_project(
        project,
        {"name": "新能源电池材料项目（一期）"},
        projects.ProjectChildren(
            leaders=[(leader, "lead")],
            milestones=rows,
            approvals=[
                {
                    "kind": "land_pre_review",
                    "name": "",
                    "status": "done",
                    "approved_on": dt.date(2026, 3, 1),
                    "document_no": "徐自然资预〔2026〕8号",
                }
            ],
        ),
        actor=office_user,
        expected_version=current_version(project),
    )

    assert set(project.milestones.values_list("pk", flat=True)) == milestone_ids  # same rows, same ids
    assert set(project.milestones.values_list("note", flat=True)) == {"已核"}
    after = {
        model: _rows(model, **key)
        for model, key in [
            (Report, {"project": project}),
            (ReportRevision, {"report__project": project}),
            (ReportedMilestone, {"report__project": project}),
            (Light, {"project": project}),
        ]
    }
    assert after == before and before[ReportedMilestone]


def test_a_milestone_a_report_has_reached_cannot_be_dropped(approved, office_user):
    project, _leader = approved
    kept = project.milestones.get(kind="topping_out")
    with pytest.raises(ValidationError) as caught:
        projects.update_project(
            project,
            {},
            projects.ProjectChildren(
                milestones=[
                    {"id": kept.pk, "kind": kept.kind, "name": kept.name, "planned_date": kept.planned_date}
                ]
            ),
            actor=office_user,
            expected_version=current_version(project),
        )
    assert "已被报表引用" in str(caught.value) and project.milestones.count() == 2
    assert ReportedMilestone.objects.filter(report__project=project).count() == 1


def test_a_milestone_nobody_reported_goes_and_a_new_one_comes(approved, office_user):
    project, _leader = approved
    start = project.milestones.get(kind="start")
    projects.update_project(
        project,
        {},
        projects.ProjectChildren(
            milestones=[
                {"id": start.pk, "kind": "start", "name": "", "planned_date": start.planned_date},
                {"kind": "production", "name": "", "planned_date": dt.date(2027, 6, 30)},
            ]
        ),
        actor=office_user,
        expected_version=current_version(project),
    )
    assert sorted(project.milestones.values_list("kind", flat=True)) == ["production", "start"]
    assert project.milestones.get(kind="start").pk == start.pk


def test_the_project_page_edit_keeps_milestone_ids(approved, office_client):
    from tests.projects.test_pages import post_data

    project, _leader = approved
    start, topping = project.milestones.order_by("sequence")
    initial = office_client.get(f"/projects/{project.pk}/edit/").context["form"].initial
    data = post_data(
        name=project.name,
        total_investment="50000",
        version=str(initial["version"]),
        responsible_unit=str(project.responsible_unit_id),
        year="2026",
        **{f"plan_{i}": str(initial[f"plan_{i}"] or "") for i in range(36)},
    )
    data.update(
        {
            "milestones-TOTAL_FORMS": "2",
            "milestones-INITIAL_FORMS": "2",
            "milestones-0-id": str(start.pk),
            "milestones-0-kind": "start",
            "milestones-0-planned_date": "2026-11-01",
            "milestones-0-actual_date": "2026-11-12",
            "milestones-1-id": str(topping.pk),
            "milestones-1-kind": "topping_out",
            "milestones-1-name": "主体封顶",
            "milestones-1-planned_date": "2026-12-25",
        }
    )
    response = office_client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    assert [(m.pk, m.planned_date) for m in project.milestones.order_by("sequence")] == [
        (start.pk, dt.date(2026, 11, 1)),
        (topping.pk, dt.date(2026, 12, 25)),
    ]
    assert ReportedMilestone.objects.get(report__project=project).milestone_id == start.pk


def test_the_admin_shows_the_registry_read_only(approved, office_client):
    project, _leader = approved
    assert office_client.get(f"/admin/projects/project/{project.pk}/change/").status_code == 200
    response = office_client.post(f"/admin/projects/project/{project.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    assert office_client.get("/admin/projects/project/add/").status_code == 403
