"""Assignments in the browser: after an on-site meeting the office gives "现场会后讨论和报告" to every department in
two steps, a department hands in its discussion with a Word file from a phone, and the office's table and Excel
export show who has reported."""

import datetime as dt

import docx
import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.org.choices import UnitKind
from tests.factories import PASSWORD, UnitFactory

pytestmark = pytest.mark.browser


def test_the_office_gives_a_task_to_three_departments_and_sees_one_hand_in(
    page, login, phone, office_user, make_user, tmp_path
):
    today = timezone.localdate()
    industry = UnitFactory(name="工信局")
    UnitFactory(name="住建局"), UnitFactory(name="商务局")
    UnitFactory(name="向阳街道", kind=UnitKind.STREET)
    UnitFactory(name="经济开发区", kind=UnitKind.PARK)
    reporter = make_user("unit_reporter", unit=industry, username="gxj")

    # The office gives the task to all departments (one click), keeping the two usual steps
    login("office", PASSWORD)
    page.goto("/dispatch/assignments/")
    page.click("#assignment-new")
    expect(page.locator("h1")).to_have_text("下发任务")
    page.fill("#id_title", "现场会后讨论和报告")
    page.fill(
        "#id_instructions",
        "围绕“怎么看我们的项目？我们为项目做了什么？今后我们应该怎么办？”三个题目组织讨论。",
    )
    page.click("button[data-pick='department']")
    expect(page.locator("#unit-count")).to_have_text("已选 3")
    expect(page.locator("fieldset[data-kind='street'] input")).not_to_be_checked()
    names = page.locator("input[name=step_name]")
    deadlines = page.locator("input[name=step_deadline]")
    expect(names.nth(0)).to_have_value("组织讨论")
    expect(deadlines.nth(0)).to_have_value((today + dt.timedelta(days=7)).isoformat())
    expect(names.nth(1)).to_have_value("报送报告")
    expect(deadlines.nth(1)).to_have_value((today + dt.timedelta(days=14)).isoformat())
    page.click("#assignment-submit")
    expect(page.locator("h1")).to_contain_text("现场会后讨论和报告")
    expect(page.locator("#hand-in-table tbody tr")).to_have_count(3)
    expect(page.locator("#hand-in-table td.cell[data-state='missing']")).to_have_count(6)

    # 工信局 hands in its discussion with a Word file, from a phone
    document = docx.Document()
    document.add_paragraph("工信局现场会精神大讨论情况：11月12日召开班子会，围绕三个题目逐一发言。")
    path = tmp_path / "工信局讨论情况.docx"
    document.save(path)
    mobile = phone("gxj", PASSWORD)
    mobile.goto("/dispatch/assignments/")
    row = mobile.locator("#assignment-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td.mine")).to_have_text("已报 0/2")
    row.locator("a").click()
    form = mobile.locator(".hand-in").first
    expect(form.locator("h3")).to_contain_text("组织讨论")
    form.locator("textarea[name=text]").fill("11月12日召开班子会，全体干部参加讨论。")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    expect(mobile.locator(".messages")).to_contain_text("工信局「组织讨论」已报送。")
    expect(mobile.locator(".hand-in").first.locator(".tag")).to_have_text("已报")
    expect(mobile.locator(".hand-in").first).to_contain_text("工信局讨论情况.docx")

    # The office's table: 已报 for 工信局 (with the file), 未报 for the others
    page.reload()
    rows = {
        name: page.locator("#hand-in-table tbody tr", has_text=name)
        for name in ("工信局", "住建局", "商务局")
    }
    expect(rows["工信局"].locator("td.cell").nth(0).locator(".tag")).to_have_text("已报")
    expect(rows["工信局"].locator("td.cell").nth(1).locator(".tag")).to_have_text("未报")
    for name in ("住建局", "商务局"):
        expect(rows[name].locator("td.cell .tag")).to_have_text(["未报", "未报"])
    expect(page.locator("#step-counts li").nth(0)).to_contain_text("已报 1/3")
    with page.expect_download() as download_info:
        rows["工信局"].locator("a", has_text="工信局讨论情况.docx").click()
    assert download_info.value.suggested_filename == "工信局讨论情况.docx"
    downloaded = docx.Document(download_info.value.path())
    assert downloaded.paragraphs[0].text.startswith("工信局现场会精神大讨论情况")

    # …and in Excel
    with page.expect_download() as download_info:
        page.click("#export-link")
    assert download_info.value.suggested_filename == "现场会后讨论和报告_报送情况.xlsx"
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    cells = {sheet.cell(row, 1).value: [sheet.cell(row, c).value for c in range(2, 9)] for row in range(2, 5)}
    assert cells["工信局"][:2] == ["部门", "已报"]
    assert cells["工信局"][2].startswith(f"{today:%Y-%m-%d}") and cells["工信局"][3] == reporter.display_name
    assert cells["工信局"][4] == "未报"
    assert cells["住建局"][1] == cells["住建局"][4] == cells["商务局"][1] == cells["商务局"][4] == "未报"
    assert sheet.cell(6, 1).value == "合计" and sheet.cell(6, 3).value == "已报 1/3，逾期未报 0"

    # The list shows the progress to the office
    page.goto("/dispatch/assignments/")
    expect(page.locator("#assignment-table td.progress")).to_have_text("已报 1/6")
