"""A registry export longer than GONGJIAN_EXPORT_BACKGROUND_ROWS is written by a background job: the same file
the page would have given, of the same projects (the user's scope and filters), downloadable by its owner alone."""

import pytest
from django.urls import reverse

from gongjian.core.models import AuditEvent
from gongjian.jobs.choices import JobState
from tests.factories import ProjectFactory
from tests.workbooks import contents, export_in_background

pytestmark = pytest.mark.django_db
EXPORT = reverse("exchange:export_projects")


@pytest.fixture
def projects(district):
    """Three industry projects of the commerce bureau (a reporter there sees them), one commerce project of its
    own (filtered out by ?category=industry) and one of another unit (out of its scope)."""
    for n in range(3):
        ProjectFactory(
            code=f"C-{n}",
            name=f"工业项目{n}",
            category="industry",
            responsible_unit=district.commerce,
            total_investment=(n + 1) * 10_000_000,
        )
    ProjectFactory(code="C-9", category="commerce", responsible_unit=district.commerce)
    ProjectFactory(code="I-1", category="industry", responsible_unit=district.industry)


def test_a_short_export_is_still_written_in_the_request(office_client, projects, settings):
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 10
    response = office_client.get(EXPORT)
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")


def test_a_long_export_is_written_by_a_job_holding_exactly_what_the_page_would_have_exported(
    client, make_user, district, projects, settings
):
    reporter = make_user("unit_reporter", unit=district.commerce, username="commerce")
    client.force_login(reporter)
    url = f"{EXPORT}?category=industry&year=2026"
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 10
    at_once = b"".join(client.get(url).streaming_content)

    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 2
    job, file = export_in_background(client, url)

    assert job.state == JobState.SUCCEEDED and job.created_by == reporter
    assert (job.done, job.total) == (3, 3) and job.result["rows"] == 3
    assert job.file_name.startswith("重点项目_") and job.file_name.endswith(".xlsx")
    assert contents(file) == contents(at_once)
    assert [row[0] for row in contents(file)["项目"][1:]] == ["C-0", "C-1", "C-2"]
    exported = AuditEvent.objects.filter(action="project.export").order_by("id").last()
    assert exported.actor == reporter
    assert exported.after == {
        "rows": 3,
        "year": 2026,
        "filters": {"category": ["industry"], "year": ["2026"]},
    }


def test_only_the_owner_downloads_a_background_export(client, make_user, district, projects, settings):
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 2
    owner = make_user("project_office", username="owner")
    client.force_login(owner)
    job, _file = export_in_background(client, EXPORT)
    file_url = f"/system/jobs/{job.pk}/file/"

    # another unit's reporter does not even see the job
    client.force_login(make_user("unit_reporter", unit=district.industry, username="stranger"))
    assert client.get(file_url).status_code == 404
    assert client.get(f"/system/jobs/{job.pk}/").status_code == 404

    # another of the office, who follows every job, sees it; the file (its owner's data scope) is not theirs
    client.force_login(make_user("project_office", username="operator"))
    page = client.get(f"/system/jobs/{job.pk}/").content.decode()
    assert "结果文件只有发起人可以下载" in page and 'id="job-file"' not in page
    assert client.get(f"/system/jobs/{job.pk}/status/").json()["file_url"] == ""
    assert client.get(f"/api/v1/tasks/{job.pk}").json()["file_url"] == ""
    assert client.get(file_url).status_code == 403


def test_starting_a_background_export_needs_the_export_permission(client, make_user, projects, settings):
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 2
    client.force_login(make_user("evaluator", username="evaluator"))
    assert client.post(EXPORT).status_code == 403


def test_the_api_answers_a_short_export_with_the_file_and_a_long_one_with_202_and_a_task_whose_file_its_owner_gets(
    client, make_user, district, projects, settings
):
    reporter = make_user("unit_reporter", unit=district.commerce, username="commerce")
    client.force_login(reporter)
    url = "/api/v1/projects/export?category=industry&year=2026"
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 10
    at_once = client.post(url)
    assert at_once.status_code == 200 and at_once["Content-Type"].endswith("spreadsheetml.sheet")

    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 2
    started = client.post(url)

    assert started.status_code == 202
    task = client.get(started.json()["url"]).json()
    assert task["state"] == "succeeded" and (task["done"], task["total"]) == (3, 3)
    file = client.get(f"{started.json()['url']}/file")
    assert file.status_code == 200
    assert contents(b"".join(file.streaming_content)) == contents(b"".join(at_once.streaming_content))

    client.force_login(make_user("project_office", username="operator"))
    assert client.get(f"{started.json()['url']}/file").status_code == 403
    client.force_login(make_user("unit_reporter", unit=district.industry, username="stranger"))
    assert client.get(f"{started.json()['url']}/file").status_code == 404


def test_the_api_refuses_an_export_to_whom_may_not_export_and_bad_filters_with_422(
    client, make_user, projects
):
    client.force_login(make_user("evaluator", username="evaluator"))
    assert client.post("/api/v1/projects/export").status_code == 403
    client.force_login(make_user("project_office", username="office"))
    refused = client.post("/api/v1/projects/export?category=nonsense")
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
