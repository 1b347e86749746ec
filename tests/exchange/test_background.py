"""Imports of many rows run in the background (issue 13 item 1): a file of more data rows than
GONGJIAN_IMPORT_BACKGROUND_ROWS is kept and imported by the worker, the page following its task; the same
all-or-nothing import, whose refusal keeps every error by row and column and the error report to download."""

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from gongjian.exchange import services
from gongjian.exchange.reading import count_rows
from gongjian.jobs.models import Job
from gongjian.projects.models import Project
from tests.exchange.conftest import csv_bytes, project_row, workbook
from tests.jobs.worker import work_off_the_queue

pytestmark = pytest.mark.django_db
IMPORT = reverse("exchange:import_projects")
ROWS = [
    project_row(项目名称="智能装备产业园"),
    project_row(项目名称="物流园"),
    project_row(项目名称="标准厂房"),
]


@pytest.fixture(autouse=True)
def two_rows_at_once(settings):
    """More than two data rows is a big file here (2,000 in production)."""
    settings.GONGJIAN_IMPORT_BACKGROUND_ROWS = 2


def upload(client, rows, name="项目.xlsx", **data):
    file = workbook(rows)
    file.name = name
    return client.post(IMPORT, {"file": file, **data})


def test_the_data_rows_are_counted_without_reading_the_cells():
    assert count_rows(workbook(ROWS), "项目.xlsx") == 3
    assert count_rows(workbook([]), "项目.xlsx") == 0
    milestones = [{"项目名称": "物流园", "节点": "开工", "计划日期": "2026-05-01"}] * 4
    assert count_rows(workbook(ROWS, sheets={"形象进度节点": milestones}), "项目.xlsx") == 7
    assert count_rows(csv_bytes(ROWS, "gbk"), "projects.csv") == 3


def test_a_big_file_is_imported_by_the_worker_and_its_task_shows_the_counts(
    queued, district, office_client, office_user, settings
):
    response = upload(office_client, ROWS)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/system/jobs/{job.pk}/"
    assert job.label == "导入项目：项目.xlsx" and job.state == "queued"
    assert not Project.objects.exists()  # nothing imported in the request
    [kept] = services.uploads_dir().iterdir()

    work_off_the_queue()
    job.refresh_from_db()
    assert job.state == "succeeded" and (job.done, job.total) == (3, 3) and job.step == "保存 3 个项目"
    assert job.result["summary"] == "导入完成。文件「项目.xlsx」：新建 3 个项目，更新 0 个，未变 0 个。"
    assert job.result_url == reverse("projects:project_list")
    assert sorted(Project.objects.values_list("name", flat=True)) == ["智能装备产业园", "标准厂房", "物流园"]
    assert not kept.exists()  # the upload is removed once read
    page = office_client.get(f"/system/jobs/{job.pk}/").content.decode()
    assert job.result["summary"] in page and 'id="job-result"' in page

    # The synchronous import of the same file finds nothing to change: the worker saved what it would have.
    settings.GONGJIAN_IMPORT_BACKGROUND_ROWS = 2000
    again = re.sub(r"\s+", "", upload(office_client, ROWS).content.decode())
    assert "新建<strong>0</strong>个项目，更新<strong>0</strong>个，未变<strong>3</strong>个" in again


def test_a_small_file_is_still_imported_within_the_request(district, office_client):
    response = upload(office_client, ROWS[:2])
    assert response.status_code == 200 and Project.objects.count() == 2 and not Job.objects.exists()


def test_a_big_dry_run_checks_in_the_background_and_saves_nothing(district, office_client):
    response = upload(office_client, ROWS, dry_run="on")
    job = Job.objects.get()
    assert response["Location"] == f"/system/jobs/{job.pk}/" and job.label == "检查导入文件：项目.xlsx"
    assert job.state == "succeeded" and job.result["summary"].startswith("检查通过，未保存。")
    assert not Project.objects.exists()


def test_a_big_file_with_errors_fails_its_task_with_every_error_and_the_report(
    district, office_client, office_user, make_user
):
    rows = [
        *ROWS,
        project_row(项目名称="乙", **{"总投资（万元）": "abc"}),
        project_row(项目名称="丙", 责任单位="无此局"),
    ]
    response = upload(office_client, rows)
    job = Job.objects.get()
    assert response["Location"] == f"/system/jobs/{job.pk}/" and not Project.objects.exists()

    task = office_client.get(f"/api/v1/tasks/{job.pk}").json()
    assert task["state"] == "failed"
    assert task["error"] == "文件「项目.xlsx」有 2 处错误，未导入任何数据。请修改后重新上传。"
    assert [
        (e["sheet"], e["row"], e["column"], e["value"], e["message"]) for e in task["result"]["errors"]
    ] == [
        ("项目", 5, "总投资（万元）", "abc", "不是有效的金额：abc"),
        ("项目", 6, "责任单位", "无此局", "单位不存在：无此局"),
    ]
    assert task["file_name"].startswith("导入错误报告_") and task["file_url"]

    page = office_client.get(f"/system/jobs/{job.pk}/").content.decode()
    assert "任务失败，未做任何修改" in page and "<td>无此局</td><td>单位不存在：无此局</td>" in page
    assert (
        f'id="job-file" href="{task["file_url"]}"' in page and "错误详情" not in page
    )  # refused, not broken
    report = office_client.get(task["file_url"])
    book = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    errors = list(book["错误清单"].iter_rows(min_row=2, values_only=True))
    assert [(sheet, row, column) for sheet, row, column, *_ in errors] == [
        ("项目", 5, "总投资（万元）"),
        ("项目", 6, "责任单位"),
    ]
    other = Client()
    other.force_login(make_user("unit_reporter", username="rep"))
    assert other.get(task["file_url"]).status_code == 404


def test_a_big_file_needs_the_import_permission_before_anything_is_kept(district, make_user, client):
    client.force_login(make_user("unit_reporter", unit=district.commerce))
    assert upload(client, ROWS).status_code == 403
    assert not Job.objects.exists() and not services.uploads_dir().exists()


def test_a_big_file_beyond_the_limits_is_refused_within_the_request(district, office_client, settings):
    settings.GONGJIAN_IMPORT_MAX_ROWS = 3  # the header and two rows
    response = upload(office_client, ROWS)
    assert response.status_code == 400 and "超过" in response.content.decode() and not Job.objects.exists()
