"""The import page, the export download and the template download, through the test client."""

import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse

from gongjian.core.models import AuditEvent
from gongjian.projects.models import Project
from tests.exchange.conftest import project_row, read_sheet, workbook
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
IMPORT = reverse("exchange:import_projects")
EXPORT = reverse("exchange:export_projects")


def upload(client, rows, name="项目.xlsx", **data):
    file = workbook(rows)
    file.name = name
    return client.post(IMPORT, {"file": file, **data})


def test_the_import_page_offers_the_template_and_an_upload_form(office_client):
    response = office_client.get(IMPORT)

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("exchange:project_template") in page and 'enctype="multipart/form-data"' in page


def test_only_who_may_import_opens_the_import_page(client, make_user, district):
    client.force_login(make_user("unit_reporter", unit=district.commerce))

    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("exchange:project_template")).status_code == 403


def test_a_successful_upload_shows_the_counts_and_a_link_to_the_list(office_client, district):
    response = upload(office_client, [project_row(), project_row(项目名称="物流园")])

    assert response.status_code == 200
    summary = re.sub(r"\s+", "", response.content.decode())
    assert "新建<strong>2</strong>个项目，更新<strong>0</strong>个，未变<strong>0</strong>个" in summary
    assert reverse("projects:project_list") in summary
    assert Project.objects.count() == 2


def test_an_upload_with_errors_shows_every_error_and_its_report_downloads_for_that_user_only(
    office_client, district, make_user, client
):
    response = upload(
        office_client,
        [project_row(**{"总投资（万元）": "abc"}), project_row(项目名称="乙", 责任单位="无此局")],
    )

    assert response.status_code == 400 and Project.objects.count() == 0
    page = response.content.decode()
    assert "有 2 处错误，未导入任何数据" in page
    assert "<td>总投资（万元）</td><td>abc</td><td>不是有效的金额：abc</td>" in page
    assert "<td>责任单位</td><td>无此局</td><td>单位不存在：无此局</td>" in page
    report_url = re.search(r'id="error-report-link" href="([^"]+)"', page).group(1)

    report = office_client.get(report_url)
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    errors = list(book["错误清单"].iter_rows(min_row=2, values_only=True))
    assert [(sheet, row, column) for sheet, row, column, *_ in errors] == [
        ("项目", 2, "总投资（万元）"),
        ("项目", 3, "责任单位"),
    ]
    rejected = list(book["出错行-项目"].iter_rows(values_only=True))
    assert rejected[0][0] == "行号" and rejected[0][-1] == "错误原因"
    assert rejected[1][0] == 2 and rejected[1][-1] == "「总投资（万元）」不是有效的金额：abc"

    client.force_login(make_user("project_office", username="office2"))
    assert client.get(report_url).status_code == 404


def test_an_upload_that_is_not_a_spreadsheet_is_refused_by_the_form(office_client):
    response = office_client.post(IMPORT, {"file": io.BytesIO(b"hello")})

    assert response.status_code == 400
    assert "只能导入 .xlsx 或 .csv 文件" in response.content.decode()


def test_the_export_applies_the_list_filters_writes_wan_yuan_and_is_audited(office_client, district):
    ProjectFactory(
        code="A-1",
        name="工业甲",
        category="industry",
        responsible_unit=district.industry,
        total_investment=123_456_789,
    )
    ProjectFactory(code="A-2", name="商贸乙", category="commerce", responsible_unit=district.industry)

    response = office_client.get(EXPORT, {"category": "industry", "year": "2026"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"filename*=utf-8''{quote('重点项目_')}" in response["Content-Disposition"]
    rows = read_sheet(b"".join(response.streaming_content))
    assert [(r["项目编号"], r["总投资（万元）"]) for r in rows] == [("A-1", 12345.6789)]
    event = AuditEvent.objects.get(action="project.export")
    assert event.after == {"rows": 1, "year": 2026, "filters": {"category": ["industry"], "year": ["2026"]}}


def test_the_export_holds_only_the_projects_in_the_users_scope(client, make_user, district):
    ProjectFactory(code="B-1", responsible_unit=district.industry)
    ProjectFactory(code="B-2", responsible_unit=district.commerce)
    client.force_login(make_user("unit_reporter", unit=district.commerce))

    response = client.get(EXPORT)

    assert [r["项目编号"] for r in read_sheet(b"".join(response.streaming_content))] == ["B-2"]


def test_the_template_downloads_and_importing_it_unchanged_imports_nothing(office_client):
    response = office_client.get(reverse("exchange:project_template"))
    assert response.status_code == 200
    file = io.BytesIO(b"".join(response.streaming_content))
    file.name = "模板.xlsx"

    imported = office_client.post(IMPORT, {"file": file})

    assert imported.status_code == 200
    assert "新建 <strong>0</strong> 个项目" in imported.content.decode()
    assert Project.objects.count() == 0
