"""Import in the browser: download the template, fill it in Excel's place, upload a file with a mistake,
read the errors and the error report, fix the file and import it."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from gongjian.projects.models import Project
from tests.factories import PASSWORD, UnitFactory, region

pytestmark = pytest.mark.browser


def fill(path, rows):
    """Write ``rows`` (dicts keyed by header) under the headers of the template's 项目 sheet."""
    book = openpyxl.load_workbook(path)
    sheet = book["项目"]
    headers = [cell.value for cell in sheet[1]]
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    book.save(path)


def test_an_import_with_a_bad_row_saves_nothing_explains_each_error_and_succeeds_once_fixed(
    page, login, make_user, tmp_path
):
    make_user("project_office", username="office")
    UnitFactory(name="工信局")
    region("320311", "泉山区")
    login("office", PASSWORD)
    page.click("text=导入导出")
    expect(page.locator("h1")).to_contain_text("导入项目")

    with page.expect_download() as download:
        page.click("#template-link")
    template = tmp_path / "模板.xlsx"
    download.value.save_as(template)

    good = {
        "项目名称": "新能源电池材料项目",
        "项目类别": "工业",
        "建设性质": "新建",
        "项目级别": "区重点",
        "入库年度": 2026,
        "所在区划代码": "320311",
        "责任单位": "工信局",
        "总投资（万元）": 50000,
        "3月计划（万元）": 1200,
    }
    bad = {**good, "项目名称": "医疗器械产业园标准厂房", "总投资（万元）": "五亿", "责任单位": "不存在的局"}
    fill(template, [good, bad])

    page.set_input_files("#id_file", str(template))
    page.click("button:has-text('上传并导入')")
    errors = page.locator("#error-table tbody tr")
    expect(page.locator("#import-errors")).to_contain_text("未导入任何数据")
    expect(errors).to_have_count(2)
    expect(page.locator("#error-table")).to_contain_text("总投资（万元）")
    expect(page.locator("#error-table")).to_contain_text("五亿")
    expect(page.locator("#error-table")).to_contain_text("不存在的局")
    expect(errors.first.locator("td").nth(1)).to_have_text("3")  # the bad row is the file's third line
    assert Project.objects.count() == 0

    with page.expect_download() as download:
        page.click("#error-report-link")
    download.value.save_as(tmp_path / "错误报告.xlsx")
    report = openpyxl.load_workbook(tmp_path / "错误报告.xlsx")
    lines = [
        [str(c) for c in row if c is not None] for row in report.worksheets[0].iter_rows(values_only=True)
    ]
    assert any("五亿" in " ".join(line) for line in lines)

    fixed = tmp_path / "改好的.xlsx"
    book = openpyxl.load_workbook(template)
    sheet = book["项目"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=headers.index("总投资（万元）") + 1, value=30000)
    sheet.cell(row=3, column=headers.index("责任单位") + 1, value="工信局")
    book.save(fixed)

    page.set_input_files("#id_file", str(fixed))
    page.click("button:has-text('上传并导入')")
    expect(page.locator("#import-summary")).to_contain_text("新建 2 个项目")
    page.click("text=查看项目库")
    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.locator("#project-table tbody tr")).to_have_count(2)
    assert Project.objects.get(name="医疗器械产业园标准厂房").total_investment == 300_000_000


def test_the_export_button_downloads_the_filtered_list(page, login, make_user, tmp_path):
    from tests.factories import ProjectFactory

    make_user("project_office", username="office")
    ProjectFactory(name="段庄商贸城", category="commerce")
    ProjectFactory(name="新能源电池材料项目", category="industry")
    login("office", PASSWORD)
    page.goto("/projects/")
    page.select_option("#id_category", "commerce")
    expect(page.locator("#project-table tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.click("#export-link")
    assert download.value.suggested_filename.endswith(".xlsx")
    download.value.save_as(tmp_path / "export.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "export.xlsx")["项目"]
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[2]]
    assert names == ["段庄商贸城"]


def test_a_big_import_runs_in_the_background_and_its_task_lists_the_errors_and_the_report(
    page, login, make_user, tmp_path, settings
):
    settings.GONGJIAN_IMPORT_BACKGROUND_ROWS = 1  # two rows make a big file here
    make_user("project_office", username="office")
    UnitFactory(name="工信局")
    region("320311", "泉山区")
    login("office", PASSWORD)
    page.goto("/exchange/projects/import/")
    with page.expect_download() as download:
        page.click("#template-link")
    template = tmp_path / "模板.xlsx"
    download.value.save_as(template)
    good = {
        "项目名称": "新能源电池材料项目",
        "项目类别": "工业",
        "建设性质": "新建",
        "项目级别": "区重点",
        "入库年度": 2026,
        "所在区划代码": "320311",
        "责任单位": "工信局",
        "总投资（万元）": 50000,
    }
    fill(template, [good, {**good, "项目名称": "医疗器械产业园标准厂房", "责任单位": "不存在的局"}])

    page.set_input_files("#id_file", str(template))
    page.click("button:has-text('上传并导入')")
    expect(page).to_have_url(re.compile(r"/system/jobs/[0-9a-f-]+/$"))
    expect(page.locator("h1")).to_have_text("导入项目：模板.xlsx")
    expect(page.locator("#job-error")).to_contain_text("有 1 处错误，未导入任何数据")
    expect(page.locator("#job-errors tbody tr")).to_have_count(1)
    expect(page.locator("#job-errors")).to_contain_text("不存在的局")
    with page.expect_download() as download:
        page.click("#job-file")
    assert download.value.suggested_filename.startswith("导入错误报告_")
    assert Project.objects.count() == 0
