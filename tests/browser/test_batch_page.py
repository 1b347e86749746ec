"""Batch filing in the browser: download the unit's sheet, upload it with a mistake, fix it, upload again."""

import datetime as dt

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.reports import services
from gongjian.reports.models import Report
from tests.factories import PASSWORD, ProjectFactory, UnitFactory

pytestmark = pytest.mark.browser


def test_batch_upload_with_an_error_saves_nothing_then_the_fixed_file_saves_all(
    page, login, make_user, office_user, tmp_path
):
    unit = UnitFactory(name="工信局")
    make_user("unit_reporter", unit=unit, username="rep")
    ProjectFactory(code="2026-0001", name="甲项目", responsible_unit=unit)
    ProjectFactory(code="2026-0002", name="乙项目", responsible_unit=unit)
    opens = timezone.now() - dt.timedelta(days=1)
    services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )

    login("rep", PASSWORD)
    page.click("nav >> text=旬报月报")
    page.click("#batch-links a")
    with page.expect_download() as download:
        page.click("#batch-template")
    sheet_path = tmp_path / "填报.xlsx"
    download.value.save_as(sheet_path)

    book = openpyxl.load_workbook(sheet_path)
    sheet = book["填报"]
    sheet["C2"], sheet["C3"] = 120, "一百万"
    book.save(sheet_path)
    page.set_input_files("#id_file", str(sheet_path))
    page.click("#batch-form button[type=submit]")
    expect(page.locator("#batch-errors")).to_contain_text("未保存任何报告")
    expect(page.locator("#batch-error-table tbody tr")).to_have_count(1)
    expect(page.locator("#batch-error-table")).to_contain_text("一百万")
    assert Report.objects.count() == 0

    sheet["C3"] = 80
    book.save(sheet_path)
    page.set_input_files("#id_file", str(sheet_path))
    page.check("input[name=submit]")
    page.click("#batch-form button[type=submit]")
    expect(page.locator("#batch-summary")).to_contain_text("已保存 2 份报告，其中提交 2 份")
    assert sorted(Report.objects.values_list("amount", flat=True)) == [800_000, 1_200_000]
