"""Assessment runs in the background (issue 13 item 1): the page and the API answer at once with the task, what
the run would refuse is refused before anything is queued, the worker computes the same drafts the direct run
does, and a run refused by the time the worker gets to it changes nothing and says why."""

import pytest
from django.test import Client

from gongjian.assess import queries, services
from gongjian.assess.models import Consequence, Run, Score
from gongjian.core.locking import ANY_VERSION
from gongjian.core.models import AuditEvent
from gongjian.jobs.models import Job
from tests.assess.conftest import publish_period
from tests.factories import UnitFactory
from tests.jobs.worker import work_off_the_queue

pytestmark = pytest.mark.django_db
JSON = "application/json"


def scores_of(run: Run) -> list[tuple]:
    scores = list(run.scores.all())
    written = queries.explanations(scores)
    return sorted((s.subject_kind, s.subject_id, s.score, s.rank, s.points, written[s.pk]) for s in scores)


def consequences_of(run: Run) -> list[tuple]:
    return sorted(run.consequences.values_list("subject_kind", "subject_id", "kind", "amount", "reason"))


def test_the_run_button_answers_with_the_task_and_the_worker_drafts_what_the_direct_run_does(
    queued, district, office_user, office_client
):
    response = office_client.post("/assess/run/", {"period": "2026-11-2"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/system/jobs/{job.pk}/"
    assert not Run.objects.exists()  # nothing computed in the request
    waiting = office_client.get(response["Location"]).content.decode()
    assert "考核 2026年11月中旬" in waiting and "排队中" in waiting and "data-job-status=" in waiting

    work_off_the_queue()
    job.refresh_from_db()
    run = Run.objects.get()
    assert (job.state, job.done, job.total, job.result_url) == ("succeeded", 1, 1, f"/assess/runs/{run.pk}/")
    assert job.step == "已保存 1 期考核结果"
    page = office_client.get(f"/system/jobs/{job.pk}/").content.decode()
    assert "已计算 2026年11月中旬 的考核结果（草稿）。" in page and f'href="/assess/runs/{run.pk}/"' in page
    in_background = scores_of(run), consequences_of(run)
    assert in_background[0] and in_background[1]

    # The same period computed directly (the command line's way) gives the same scores and consequences.
    [again] = services.run_assessments(
        ["2026-11-2"], actor=office_user, skip_published=False, versions=ANY_VERSION
    )
    assert again.pk == run.pk and (scores_of(again), consequences_of(again)) == in_background


def test_a_batch_over_the_api_answers_202_and_its_task_lists_the_drafts(
    queued, client, district, office_user, office_client
):
    answer = office_client.post(
        "/api/v1/assess/runs/batch", {"periods": ["2026-11-2", "2026-11"]}, content_type=JSON
    )
    assert answer.status_code == 202
    started = answer.json()
    assert not Run.objects.exists()
    queued_state = office_client.get(started["url"]).json()
    assert (queued_state["state"], queued_state["label"]) == (
        "queued",
        "批量考核 2026年11月、2026年11月中旬（2 期）",
    )

    work_off_the_queue()
    task = office_client.get(started["url"]).json()
    runs = {run.period_code: run.pk for run in Run.objects.all()}
    assert task["state"] == "succeeded" and task["result_url"] == "/assess/"
    assert task["result"]["runs"] == [
        {"id": runs["2026-11"], "period_code": "2026-11"},
        {"id": runs["2026-11-2"], "period_code": "2026-11-2"},
    ]
    assert (task["done"], task["total"]) == (2, 2) and task["result"]["summary"].startswith(
        "已计算 2 期考核结果"
    )


def test_a_run_refused_by_the_time_the_worker_gets_to_it_changes_nothing_and_says_why(
    queued, district, office_user, office_client
):
    draft = services.run_assessment("2026-11-2", actor=office_user)
    before = scores_of(draft), draft.version, AuditEvent.objects.filter(action="assess.run").count()
    answer = office_client.post(
        "/api/v1/assess/runs", {"period": "2026-11-2", "version": draft.version}, content_type=JSON
    )
    assert answer.status_code == 202
    # Another clerk publishes the draft while the task waits for the worker.
    services.publish(draft, actor=office_user, expected_version=draft.version)
    published = Run.objects.get()
    work_off_the_queue()

    task = office_client.get(answer.json()["url"]).json()
    assert task["state"] == "failed" and task["finished"]
    assert task["error"] == "2026年11月中旬 的考核结果已发布，如需更正请提出修订。"
    assert Run.objects.get().version == published.version and Run.objects.get().state == "published"
    assert scores_of(Run.objects.get()) == before[0]
    assert AuditEvent.objects.filter(action="assess.run").count() == before[2]
    page = office_client.get(f"/system/jobs/{task['id']}/").content.decode()
    assert "任务失败，未做任何修改" in page and task["error"] in page


def test_what_the_run_refuses_is_refused_at_once_and_nothing_is_queued(
    district, office_user, office_client, make_user
):
    publish_period("2026-11-2", actor=office_user)
    again = office_client.post("/api/v1/assess/runs", {"period": "2026-11-2"}, content_type=JSON)
    assert again.status_code == 422 and again.json()["code"] == "published"
    unknown = office_client.post("/api/v1/assess/runs", {"period": "第三季度"}, content_type=JSON)
    assert unknown.status_code == 422 and "无法识别的期别" in unknown.json()["errors"][0]["message"]
    two_years = office_client.post(
        "/api/v1/assess/runs/batch", {"periods": ["2025-12", "2026-11"]}, content_type=JSON
    )
    assert two_years.status_code == 422 and "同一年度" in two_years.json()["errors"][0]["message"]
    nothing = office_client.post("/api/v1/assess/runs/batch", {"periods": []}, content_type=JSON)
    assert nothing.status_code == 422 and nothing.json()["errors"][0]["message"] == "请选择考核期。"
    page = office_client.post("/assess/run/", {"period": "2026-11-2"})
    assert page.status_code == 302 and page["Location"] == "/assess/"
    assert "已发布，如需更正请提出修订" in office_client.get("/assess/").content.decode()

    reporter = Client()
    reporter.force_login(make_user("unit_reporter", unit=UnitFactory(name="住建局"), username="rep"))
    assert reporter.post("/assess/run/", {"period": "2026-11-1"}).status_code == 403
    assert reporter.post("/api/v1/assess/runs", {"period": "2026-11-1"}, content_type=JSON).status_code == 403
    assert (
        reporter.post("/api/v1/assess/runs/batch", {"periods": ["2026-11-1"]}, content_type=JSON).status_code
        == 403
    )
    assert not Job.objects.exists()
    assert Run.objects.count() == 1 and Score.objects.exclude(run__state="published").count() == 0
    assert not Consequence.objects.exclude(run__state="published").exists()


def test_rerunning_a_draft_from_its_page_goes_through_the_task(district, office_user, office_client):
    run = services.run_assessment("2026-11-2", actor=office_user)
    response = office_client.post(f"/assess/runs/{run.pk}/rerun/", {"version": run.version})
    job = Job.objects.get(kind="assess.run")
    assert response["Location"] == f"/system/jobs/{job.pk}/" and job.state == "succeeded"
    assert job.result_url == f"/assess/runs/{run.pk}/"
    run.refresh_from_db()
    assert run.version == 2
