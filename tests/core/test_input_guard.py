"""Every submitted value is checked at the edge (issue 12 item 6): NUL and other control characters, fields
longer than any form takes, years, percentages and text lengths out of range get a clear 4xx."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.projects.models import Project
from gongjian.reports.models import Report
from tests.api.test_api import bearer
from tests.factories import ProjectFactory, UnitFactory, photo_bytes, region

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_name_is_refused_on_the_page_and_in_the_api(office_client, office_user):
    response = office_client.post("/projects/new/", {"name": "项目\x00名称"})
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    api = office_client.post(
        "/api/v1/projects",
        '{"name": "项目\\u0000名称"}',
        content_type="application/json",
        **bearer(office_user),
    )
    assert api.status_code == 400 and api.json()["code"] == "invalid"
    assert not Project.objects.exists()


def test_a_field_of_megabytes_is_refused_before_it_reaches_a_form(office_client):
    response = office_client.post("/projects/new/", {"name": "项" * 200_000})
    assert response.status_code == 400 and "内容过长" in response.content.decode()


def test_a_project_year_outside_2000_to_2100_is_refused(office_user, client):
    region("320311")
    unit = UnitFactory(name="工信局")
    payload = {
        "name": "年份不对",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "region_code": "320311",
        "responsible_unit_id": unit.pk,
        "total_investment": 100_000_000,
    }
    for year in (0, 99999, 1999, 2101):
        response = client.post(
            "/api/v1/projects",
            {**payload, "year": year},
            content_type="application/json",
            **bearer(office_user),
        )
        assert response.status_code == 422, (year, response.content)
    assert not Project.objects.exists()


def test_progress_outside_0_to_100_percent_and_a_huge_text_are_refused(make_user, client, office_user):
    import datetime as dt

    from django.utils import timezone

    from gongjian.reports import services

    unit = UnitFactory(name="工信局")
    project = ProjectFactory(responsible_unit=unit, total_investment=10_000_000)
    opens = timezone.now() - dt.timedelta(days=1)
    period = services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )
    reporter = bearer(make_user("unit_reporter", unit=unit))
    filing = {"project_id": project.pk, "period_id": period.pk, "amount": 1}
    for bad in ({"progress_percent": 150}, {"progress_percent": -3}, {"progress_text": "字" * 20_000}):
        response = client.post(
            "/api/v1/reports", {**filing, **bad}, content_type="application/json", **reporter
        )
        assert response.status_code in (400, 422), (bad, response.content)
    assert not Report.objects.exists()


def test_a_control_character_in_a_query_string_is_refused_before_it_reaches_a_query(office_client):
    # PostgreSQL refuses a NUL in a string: ?q=%00 reached the project search and failed there (500).
    for query in ("q=%00", "q=%1B%5B2J", "year=2026&%07=1"):
        response = office_client.get(f"/projects/?{query}")
        assert response.status_code == 400 and "不能包含控制字符" in response.content.decode(), query
    assert office_client.get("/projects/?q=%E6%B3%89%09%E5%B1%B1").status_code == 200  # a tab is text


def test_a_body_past_the_limit_is_refused_in_chinese_and_in_the_apis_shape(
    office_client, office_user, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    api = office_client.post(
        "/api/v1/projects",
        '{"name": "' + "项" * 400_000 + '"}',
        content_type="application/json",
        **bearer(office_user),
    )
    assert api.status_code == 400 and api.json() == {
        "code": "invalid",
        "errors": [{"field": None, "message": "请求内容过大（文件以外最多 1 MB）。"}],
    }
    page = office_client.post("/projects/new/", {"name": "项" * 400_000})
    assert page.status_code == 400 and page.content.decode() == "请求内容过大（文件以外最多 1 MB）。"
    upload = office_client.post(
        "/api/v1/reports/1/photos", {"caption": "项" * 400_000}, **bearer(office_user)
    )
    assert upload.status_code == 400 and upload.json()["code"] == "invalid"


def test_a_control_character_in_an_api_uploads_text_is_refused(client, office_user):
    # The middleware leaves the API's multipart bodies to the API: its form fields check their own text
    # (a NUL in a case's action reached PostgreSQL and failed there).
    photo = SimpleUploadedFile("site.jpg", photo_bytes(), "image/jpeg")
    for url, data, field in (
        (
            "/api/v1/reports/1/photos",
            {"caption": "主体\x00封顶", "files": photo, "version": "1"},
            "form.caption",
        ),
        ("/api/v1/cases/1/act", {"text": "办\x00理", "version": "1"}, "form.text"),
        ("/api/v1/cases/1/resolve", {"text": "已\x1b办结", "version": "1"}, "form.text"),
        ("/api/v1/dispatch/assignments/1/steps/1/submissions", {"text": "\x00"}, "form.text"),
    ):
        response = client.post(url, data, **bearer(office_user))
        assert response.status_code == 422, (url, response.content)
        assert response.json()["errors"] == [{"field": field, "message": "不能包含控制字符（如 NUL）。"}]
