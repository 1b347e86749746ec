"""Long work runs in the background (issue 13 item 1): the request answers 202 with a task id at once, the
worker does the work, the task's page and API show its progress and result; a failed task keeps its error and
changes nothing."""

import pytest
from django.core.management import call_command
from django.db import transaction

from gongjian.jobs import services
from gongjian.jobs.models import Job
from gongjian.lights.models import Light
from gongjian.projects.models import Project
from tests.factories import ProjectFactory
from tests.jobs.worker import work_off_the_queue

pytestmark = pytest.mark.django_db


def test_the_worker_command_runs_the_queue_until_it_is_empty(queued, office_user, transactional_db):
    job = services.start("lights.recompute", {}, actor=office_user, label="重算")
    call_command("worker", batch=True, interval=0, verbosity=0)
    job.refresh_from_db()
    assert job.state == "succeeded"


def test_recomputing_over_http_answers_at_once_and_the_worker_lights(queued, office_client):
    for _n in range(3):
        ProjectFactory(plan=True)
    response = office_client.post("/api/v1/lights/recompute")
    assert response.status_code == 202
    started = response.json()
    job = Job.objects.get(pk=started["task_id"])
    assert started["url"] == f"/api/v1/tasks/{job.pk}" and job.state == "queued"
    assert not Light.objects.exists()  # nothing done in the request
    queued_view = office_client.get(started["page"]).content.decode()
    assert "排队中" in queued_view and "data-job-status=" in queued_view

    work_off_the_queue()
    state = office_client.get(started["url"]).json()
    assert state["state"] == "succeeded" and state["percent"] == 100 and state["finished"]
    assert state["result"]["lights"] == Light.objects.count() > 0
    assert state["result_url"] == "/lights/"
    page = office_client.get(started["page"]).content.decode()
    assert "已完成" in page and "查看结果" in page and state["result"]["summary"] in page


def test_only_the_office_relights_and_a_person_follows_only_their_own_tasks(
    queued, client, office_client, office_user, make_user
):
    reporter = make_user("unit_reporter", username="rep")
    job = services.start("lights.recompute", {}, actor=office_user, label="重算")
    from django.test import Client

    client = Client()
    client.force_login(reporter)
    assert client.post("/api/v1/lights/recompute").status_code == 403
    assert client.get(f"/api/v1/tasks/{job.pk}").status_code == 404
    assert client.get(f"/system/jobs/{job.pk}/").status_code == 404
    assert office_client.get(f"/api/v1/tasks/{job.pk}").status_code == 200


@services.job("tests.half_done")
def _half_done(progress, *, name: str) -> dict:
    """Writes a project, reports progress, then fails: the write must not survive."""
    with transaction.atomic():
        ProjectFactory(name=name)
        progress(1, 2, "写了一半")
        raise ValueError("boom")


def test_a_failed_task_keeps_its_error_for_the_office_and_changes_nothing(
    queued, office_client, office_user, make_user, client
):
    job = services.start(
        "tests.half_done", {"name": "不该留下的项目"}, actor=office_user, label="会失败的任务"
    )
    work_off_the_queue()
    job.refresh_from_db()
    assert job.state == "failed" and job.error == "任务出错：ValueError" and "boom" in job.detail
    assert not Project.objects.filter(name="不该留下的项目").exists()
    page = office_client.get(f"/system/jobs/{job.pk}/").content.decode()
    assert "任务失败，未做任何修改" in page and "错误详情" in page
    listed = office_client.get("/system/jobs/").content.decode()
    assert "会失败的任务" in listed and "失败" in listed


def test_a_job_of_an_unknown_kind_or_without_permission_is_refused(make_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    reporter = make_user("unit_reporter", username="rep3")
    with pytest.raises(ValidationError):
        services.start("no.such.kind", {}, actor=None, label="x")
    with pytest.raises(PermissionDenied):
        services.start("lights.recompute", {}, actor=reporter, label="x")
    assert not Job.objects.exists()


def test_a_failing_scheduled_step_is_recorded_and_the_next_ones_still_run(office_client):
    from gongjian.schedule import steps as schedule

    def fails() -> str:
        ProjectFactory(name="半途而废")
        raise RuntimeError("数据源不可用")

    steps = [
        schedule.Step("a", "第一步", lambda: "好"),
        schedule.Step("b", "第二步", fails),
        schedule.Step("c", "第三步", lambda: "也好"),
    ]
    run = schedule.run(steps)
    assert [(s["name"], s["ok"]) for s in run.steps] == [("a", True), ("b", False), ("c", True)]
    assert run.steps[1]["error"] == "数据源不可用" and not run.ok
    assert not Project.objects.filter(name="半途而废").exists()  # its own transaction rolled back
    page = office_client.get("/system/jobs/").content.decode()
    assert "定时任务最近运行" in page and "第二步" in page and "数据源不可用" in page


def test_the_schedule_calls_every_apps_entry_points_in_order():
    from gongjian.schedule import steps as schedule

    assert [s.name.split(".")[0] for s in schedule.STEPS] == [
        "reports",
        "lights",
        "lights",
        "assess",
        "assess",
        "assignments",
        "attraction",
        "targets",
        "land",
        "accounts",
        "jobs",
        "core",
    ]
