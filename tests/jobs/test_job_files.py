"""A job's file belongs to its owner and to a finished piece of work: the API names where a token fetches it, a
failure's leftovers are not offered, old files are removed by the tick, and a failure reads in Chinese."""

import datetime as dt
import os

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongjian.jobs import services
from gongjian.jobs.models import Job

pytestmark = pytest.mark.django_db


def _finished(owner, *, days_ago: float, state="succeeded", name="重点项目.xlsx") -> Job:
    job = Job.objects.create(
        kind="exchange.export_projects",
        label="导出",
        created_by=owner,
        state=state,
        file_name=name,
        finished_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    folder = services.files_dir() / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result").write_bytes(b"PK")
    return job


def test_the_api_names_the_file_for_a_token_and_the_page_for_a_browser(office_client, office_user):
    job = _finished(office_user, days_ago=0)
    shown = office_client.get(f"/api/v1/tasks/{job.pk}").json()
    assert shown["file_api_url"] == f"/api/v1/tasks/{job.pk}/file"
    assert office_client.get(shown["file_api_url"]).status_code == 200


def test_a_failed_jobs_file_is_offered_to_its_owner_only(client, office_user, make_user):
    job = _finished(office_user, days_ago=0, state="failed", name="导入错误报告.xlsx")
    other = make_user("project_office", username="office2")
    client.force_login(other)
    page = client.get(f"/system/jobs/{job.pk}/").content.decode()
    assert "任务失败" in page and 'id="job-file"' not in page
    client.force_login(office_user)
    assert 'id="job-file"' in client.get(f"/system/jobs/{job.pk}/").content.decode()


@services.job("tests.files_then_fails")
def _files_then_fails(progress) -> dict:
    progress.save_file("函件.zip", b"PK")
    raise RuntimeError("disk full")


@services.job("tests.refused")
def _refused(progress) -> dict:
    raise PermissionDenied("发起导出的账号已不可用。")


@services.job("tests.gone")
def _gone(progress) -> dict:
    return Job.objects.get(pk="00000000-0000-0000-0000-000000000000")


def test_a_failure_offers_no_file_of_the_undone_work_and_says_why_in_chinese(office_user):
    failed = services.run(
        str(Job.objects.create(kind="tests.files_then_fails", label="x", created_by=office_user).pk)
    )
    assert failed.state == "failed" and failed.file_name == ""
    refused = services.run(
        str(Job.objects.create(kind="tests.refused", label="x", created_by=office_user).pk)
    )
    assert refused.error == "发起导出的账号已不可用。"
    gone = services.run(str(Job.objects.create(kind="tests.gone", label="x", created_by=office_user).pk))
    assert gone.error == "任务要处理的数据已不存在（可能已被删除）。"


def test_the_tick_removes_old_job_files_and_unread_uploads_and_keeps_the_rest(office_user, settings):
    settings.GONGJIAN_JOB_FILES_DAYS = 7
    old, recent = _finished(office_user, days_ago=8), _finished(office_user, days_ago=1)
    uploads = services.files_dir() / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    stale, fresh = uploads / "stale.xlsx", uploads / "fresh.xlsx"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(stale, (two_days_ago, two_days_ago))

    assert services.remove_old_files() == (1, 1)
    assert (
        not (services.files_dir() / str(old.pk)).exists() and (services.files_dir() / str(recent.pk)).exists()
    )
    assert not stale.exists() and fresh.exists()
    old.refresh_from_db()
    assert old.file_name == ""  # the page no longer offers what is gone
