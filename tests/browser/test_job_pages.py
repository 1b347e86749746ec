"""A background task's page: its progress bar follows the task without the person reloading, and shows the
result when it ends — on a desk and on a phone."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.jobs.models import Job
from tests.factories import PASSWORD, ProjectFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def office(make_user):
    return make_user("project_office", username="office", full_name="项目办小张")


def test_the_progress_bar_follows_the_task_and_the_result_appears(page, login, office):
    job = Job.objects.create(
        kind="lights.recompute",
        label="重算本年度红绿灯",
        state="running",
        done=1,
        total=3,
        step="按规则判定灯色",
        created_by=office,
        started_at=timezone.now(),
    )
    login("office", PASSWORD)
    page.goto(f"/system/jobs/{job.pk}/")
    expect(page.locator("#job-state")).to_have_text("进行中")
    expect(page.locator("#job-percent")).to_have_text("33%")
    Job.objects.filter(pk=job.pk).update(done=2, step="保存灯色并开出督办件")
    expect(page.locator("#job-percent")).to_have_text("66%")  # no reload: the bar follows
    expect(page.locator("#job-step")).to_have_text("保存灯色并开出督办件")
    Job.objects.filter(pk=job.pk).update(
        state="succeeded",
        done=3,
        finished_at=timezone.now(),
        result_url="/lights/",
        result={"summary": "计算 72 盏灯，其中 5 盏有变化，新开督办件 1 件。"},
    )
    expect(page.locator("#job-summary")).to_have_text("计算 72 盏灯，其中 5 盏有变化，新开督办件 1 件。")
    page.click("#job-result")
    expect(page).to_have_url(re.compile(r"/lights/$"))


def test_a_failed_task_says_why_on_a_phone(phone, office):
    job = Job.objects.create(
        kind="lights.recompute",
        label="重算本年度红绿灯",
        state="failed",
        created_by=office,
        error="数据库暂时不可用",
        detail="Traceback …",
        finished_at=timezone.now(),
    )
    mobile = phone("office", PASSWORD)
    mobile.goto(f"/system/jobs/{job.pk}/")
    expect(mobile.locator("#job-error")).to_contain_text("任务失败，未做任何修改：数据库暂时不可用")
    mobile.goto("/system/jobs/")
    expect(mobile.locator("#jobs")).to_contain_text("重算本年度红绿灯")
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_long_export_starts_in_the_background_and_its_owner_downloads_the_file(
    page, login, office, settings
):
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 1
    for _n in range(2):
        ProjectFactory()
    login("office", PASSWORD)
    page.goto("/projects/")
    page.click("#export-link")
    expect(page.locator("#export-start")).to_contain_text("本次导出共 2 行")
    page.click("#export-start-button")
    expect(page).to_have_url(re.compile(r"/system/jobs/[0-9a-f-]+/$"))
    expect(page.locator("#job-state")).to_have_text("已完成")
    with page.expect_download() as download:
        page.click("#job-file")
    assert re.fullmatch(r"重点项目_\d{4}-\d{2}-\d{2}\.xlsx", download.value.suggested_filename)
