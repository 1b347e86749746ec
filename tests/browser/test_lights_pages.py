"""The traffic lights in the browser: the office reads the board, judges a light and exports it; a unit handles
a red light's case (督办件) to closure, with the office sending it back once and the unit passing it up."""

import datetime as dt
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.core.periods import Period
from gongjian.lights import services
from gongjian.lights.models import Case
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import PASSWORD, ProjectFactory, UnitFactory

pytestmark = pytest.mark.browser

# The board opens on the current ten-day period, so the lights are computed as of today (not a fixed date) and
# the plans are for this year.
PLAN_EACH_DEKAD = 10_000_000 // 36  # ProjectFactory(plan=True): 1,000 万元 over the 36 dekads


def planned_project(unit, name):
    """A project with a 1,000 万元 plan this year and no start date (so only its investment lights it): red until
    a report says otherwise."""
    return ProjectFactory(
        name=name, responsible_unit=unit, year=timezone.localdate().year, plan=True, planned_start=None
    )


def approved_report(project, year_to_date, *, actor):
    """An approved report of the previous ten-day period (ended by today, its filing deadline still ahead, so no
    other project counts as missing it). From 1 to 10 January that period is last year's and does not count."""
    code = Period.dekad_of(timezone.localdate()).prev().code
    now = timezone.now()
    period = reports.open_period(
        code, opens_at=now - dt.timedelta(days=1), deadline=now + dt.timedelta(days=9), actor=actor
    )
    return Report.objects.create(
        project=project,
        period=period,
        state="approved",
        amount=year_to_date,
        year_to_date=year_to_date,
        since_start=year_to_date,
        first_submitted_at=now,
        submitted_at=now,
    )


def sign_out(page):
    page.click("text=退出")


def test_the_office_reads_the_board_judges_a_light_and_exports_the_list(page, login, office_user, tmp_path):
    industry, housing = UnitFactory(name="工信局"), UnitFactory(name="住建局")
    battery = planned_project(industry, "新能源电池材料项目")
    equipment = planned_project(industry, "智能装备产业园")
    planned_project(housing, "实验学校扩建工程")
    ProjectFactory(name="老旧小区改造", responsible_unit=housing, plan=[0] * 36, planned_start=None)
    # 智能装备产业园 has done 80 % of its plan to date (rounded up so the integer percent is exactly 80): yellow
    current = Period.dekad_of(timezone.localdate())
    plan_to_date = PLAN_EACH_DEKAD * current.index_in_year if current.index_in_year < 36 else 10_000_000
    approved_report(equipment, -(-plan_to_date * 80 // 100), actor=office_user)
    services.recompute()

    login("office", PASSWORD)
    page.click("nav >> text=红绿灯")
    expect(page.locator("h1")).to_contain_text("红绿灯看板")
    expect(page.locator("h1 small")).to_have_text(str(current))
    expect(page.locator("#totals strong[data-colour='0']")).to_have_text("1")
    expect(page.locator("#totals strong[data-colour='1']")).to_have_text("1")
    expect(page.locator("#totals strong[data-colour='2']")).to_have_text("2")
    expect(page.locator("#disagreements")).to_have_text("0")
    expect(page.locator("#light-table tbody tr")).to_have_count(4)

    # Grouped by unit: the unit with the most red (then yellow) comes first
    page.select_option("#id_group", "unit")  # the filter form submits itself on change
    expect(page).to_have_url(re.compile(r"group=unit"))
    groups = page.locator("#group-table tbody tr")
    expect(groups).to_have_count(2)
    expect(page.locator("#group-table thead")).to_contain_text("责任单位")
    expect(groups.nth(0).locator("td")).to_have_text(["工信局", "0", "1", "1", "2"])
    expect(groups.nth(1).locator("td")).to_have_text(["住建局", "1", "0", "1", "2"])

    # Only the red ones, each with its reason in words
    page.click("#totals strong[data-colour='2']")
    rows = page.locator("#light-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#light-table tbody tr[data-colour='2']")).to_have_count(2)
    expect(page.locator("#light-table")).not_to_contain_text("智能装备产业园")
    expect(page.locator("#light-table")).not_to_contain_text("老旧小区改造")
    battery_row = rows.filter(has_text="新能源电池材料项目")
    expect(battery_row).to_contain_text("红灯")
    expect(battery_row).to_contain_text("工信局")
    expect(battery_row).to_contain_text(
        re.compile(
            r"投资完成率 0%（本年累计 0\.00 万元 / 序时计划 [\d.]+ 万元），"
            r"低于序时进度 100 个百分点"
        )
    )

    # The red count of one unit lists that unit's red project only
    page.click("#group-table tbody tr:has-text('住建局') td:nth-child(4) a")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("实验学校扩建工程")
    page.click("text=显示全部")
    expect(rows).to_have_count(4)
    equipment_row = page.locator("#light-table tr", has_text="智能装备产业园")
    expect(equipment_row).to_contain_text("投资完成率 80%")
    expect(equipment_row).to_contain_text("低于序时进度 20 个百分点")

    # One project's light: its reasons and the figures behind each dimension
    page.click("#light-table a:text-is('新能源电池材料项目')")
    expect(page).to_have_url(re.compile(rf"/lights/projects/{battery.pk}/{current.code}/$"))
    expect(page.locator("#computed")).to_contain_text("红灯")
    expect(page.locator("#computed .reason")).to_contain_text("低于序时进度 100 个百分点")
    investment = page.locator("#dimension-table tbody tr", has_text="投资完成")
    expect(investment).to_contain_text("红灯")
    expect(investment).to_contain_text("完成率：0.0%")
    expect(investment).to_contain_text(re.compile(r"序时计划：[\d,]+\.\d\d 万元"))
    expect(investment).to_contain_text("低于绿灯线（百分点）：100")
    expect(page.locator("#dimension-table tbody tr", has_text="未按期报送")).to_contain_text("绿灯")
    expect(page.locator("#disagreement")).to_have_count(0)

    # A judgement that differs from the computed light is saved and flagged
    page.select_option("#id_colour", "1")
    page.fill("#id_reason", "设备采购合同已签，资金下旬到位")
    page.click("button:text-is('保存研判')")
    expect(page.locator(".messages")).to_contain_text("研判已保存")
    expect(page.locator("#judgement")).to_contain_text("黄灯")
    expect(page.locator("#judgement")).to_contain_text("设备采购合同已签，资金下旬到位")
    expect(page.locator("#disagreement")).to_be_visible()
    expect(page.locator("#id_colour")).to_have_value("1")

    page.click("a.button:text-is('红绿灯看板')")
    expect(page.locator("#disagreements")).to_have_text("1")
    expect(page.locator("#totals strong[data-colour='2']")).to_have_text("2")  # a judgement does not relight

    # The export carries the board's filters; here the whole list
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename == f"红绿灯_{current}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "红绿灯"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("项目编号", "项目名称", "责任单位", "灯色")
    assert rows[0][-3:] == ("原因", "规则版本", "基准版本")
    assert len(rows) == 5
    battery_line = next(row for row in rows if row[1] == "新能源电池材料项目")
    assert battery_line[:4] == (battery.code, "新能源电池材料项目", "工信局", "红灯")
    assert "低于序时进度 100 个百分点" in battery_line[-3]
    assert [row[3] for row in rows[1:]] == ["红灯", "红灯", "黄灯", "绿灯"]


def test_a_red_light_case_is_handled_sent_back_passed_up_and_closed(page, login, make_user, office_user):
    industry = UnitFactory(name="工信局")
    make_user("unit_reporter", unit=industry, username="rep", full_name="工信局小李")
    make_user("unit_reporter", unit=UnitFactory(name="住建局"), username="outsider")
    planned_project(industry, "新能源电池材料项目")
    services.recompute()
    case = Case.objects.get()
    assert case.owner == industry

    login("rep", PASSWORD)
    page.click("nav >> text=督办")
    rows = page.locator("#case-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    expect(rows.first).to_contain_text("工信局")
    expect(rows.first).to_contain_text("待签收")
    page.click("#case-table a:text-is('新能源电池材料项目 亮红灯')")
    expect(page.locator("#case-state")).to_have_text("待签收")
    expect(page.locator("dl.fields")).to_contain_text("低于序时进度 100 个百分点")

    page.click("#accept")
    expect(page.locator(".messages")).to_contain_text("已签收")
    expect(page.locator("#case-state")).to_have_text("已签收")
    expect(page.locator("#accept")).to_have_count(0)

    page.fill("#id_act_text", "已约谈项目业主，督促设备款本周到位")
    page.click("#act-form button:text-is('记录处置')")
    expect(page.locator(".messages")).to_contain_text("处置情况已记录")
    expect(page.locator("#case-state")).to_have_text("办理中")
    expect(page.locator("#timeline li.action")).to_contain_text("已约谈项目业主，督促设备款本周到位")

    # A red-light case is not resolved on words alone
    page.fill("#id_resolve_text", "设备款已到位")
    page.click("#resolve-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("须上传佐证材料")
    expect(page.locator("#case-state")).to_have_text("办理中")

    page.fill("#id_resolve_text", "设备款 600 万元已到位")
    page.set_input_files(
        "#id_resolve_evidence",
        {"name": "到账凭证.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 first"},
    )
    page.click("#resolve-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已办结，待销号")
    expect(page.locator("#case-state")).to_have_text("待销号")
    expect(page.locator("#handle")).to_have_count(0)
    expect(page.locator("#review")).to_have_count(0)  # the unit cannot close its own case

    # The office sends it back, with its reason
    sign_out(page)
    login("office", PASSWORD)
    page.goto(f"/lights/cases/{case.pk}/")
    with page.expect_download() as download_info:
        page.click("#timeline a:has-text('到账凭证.pdf')")
    assert download_info.value.suggested_filename == "到账凭证.pdf"
    assert download_info.value.path().read_bytes() == b"%PDF-1.4 first"
    page.click("#reopen")
    expect(page.locator(".messages")).to_contain_text("退回须写明原因")
    expect(page.locator("#case-state")).to_have_text("待销号")
    page.fill("#id_close_text", "只有到账截图，请补银行回单")
    page.click("#reopen")
    expect(page.locator(".messages")).to_contain_text("已退回重办")
    expect(page.locator("#case-state")).to_have_text("办理中")

    # The unit passes it up with a reason everyone on the case sees
    sign_out(page)
    login("rep", PASSWORD)
    page.click("nav >> text=督办")
    page.click("#case-table a:text-is('新能源电池材料项目 亮红灯')")
    expect(page.locator("#timeline li.reopened")).to_contain_text("只有到账截图，请补银行回单")
    expect(page.locator("#ladder li.reached")).to_have_count(1)
    page.fill("#id_pass_text", "余款需市级专项资金协调")
    page.click("#pass-up-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已上交上一级督办")
    passed = page.locator("#timeline li.passed_up")
    expect(passed).to_contain_text("上交")
    expect(passed).to_contain_text("余款需市级专项资金协调")
    expect(passed).to_contain_text("工信局小李")
    expect(passed).to_contain_text("包挂领导")  # the level it went to
    expect(page.locator("#ladder li")).to_have_text(["责任单位", "包挂领导", "指挥部", "主要领导"])
    expect(page.locator("#ladder li.reached")).to_have_text(["责任单位", "包挂领导"])
    expect(page.locator("#ladder li").nth(1)).to_have_class("reached")

    page.fill("#id_resolve_text", "银行回单已补")
    page.set_input_files(
        "#id_resolve_evidence",
        {"name": "银行回单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 second"},
    )
    page.click("#resolve-form button[type=submit]")
    expect(page.locator("#case-state")).to_have_text("待销号")

    # The office accepts the result and closes the case
    sign_out(page)
    login("office", PASSWORD)
    page.click("nav >> text=督办")
    expect(page.locator("#case-table tbody tr").first).to_contain_text("待销号")
    page.click("#case-table a:text-is('新能源电池材料项目 亮红灯')")
    page.fill("#id_close_text", "回单齐全，同意销号")
    page.click("#close")
    expect(page.locator(".messages")).to_contain_text("已销号")
    expect(page.locator("#case-state")).to_have_text("已销号")
    expect(page.locator("#review")).to_have_count(0)
    expect(page.locator("#timeline li.closed")).to_contain_text("回单齐全，同意销号")
    page.click("nav >> text=督办")
    expect(page.locator("#case-table")).to_contain_text("没有督办件")  # the list opens on open cases

    # Someone of an unrelated unit neither lists nor opens it
    sign_out(page)
    login("outsider", PASSWORD)
    page.click("nav >> text=督办")
    page.select_option("#id_state", "all")
    expect(page.locator("#case-table")).to_contain_text("没有督办件")
    assert page.goto(f"/lights/cases/{case.pk}/").status == 404


def test_a_reporter_on_a_phone_signs_for_a_case_and_records_an_action(phone, make_user):
    industry = UnitFactory(name="工信局")
    make_user("unit_reporter", unit=industry, username="rep")
    planned_project(industry, "新能源电池材料项目")
    services.recompute()
    case = Case.objects.get()

    page = phone("rep", PASSWORD)
    page.click("nav >> text=督办")
    expect(page.locator("#case-table th.hide-sm")).to_be_hidden()
    page.tap("#case-table a:text-is('新能源电池材料项目 亮红灯')")
    expect(page.locator("#case-state")).to_have_text("待签收")
    page.tap("#accept")
    expect(page.locator("#case-state")).to_have_text("已签收")
    page.fill("#id_act_text", "现场核实：设备已进场，正在安装")
    page.tap("#act-form button:text-is('记录处置')")
    expect(page.locator(".messages")).to_contain_text("处置情况已记录")
    expect(page.locator("#case-state")).to_have_text("办理中")
    expect(page.locator("#timeline li.action")).to_contain_text("现场核实：设备已进场，正在安装")
    # Nothing sticks out sideways: the page fits the phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    case.refresh_from_db()
    assert case.state == "in_hand"


def test_the_office_ticks_cases_on_the_list_and_downloads_their_letters_from_the_task(
    page, login, office_user
):
    industry = UnitFactory(name="工信局")
    planned_project(industry, "新能源电池材料项目")
    planned_project(industry, "医疗器械产业园")
    services.recompute()
    assert Case.objects.count() == 2

    login("office", PASSWORD)
    page.goto("/lights/cases/")
    for box in page.locator("#case-table tbody input[type=checkbox]").all():
        box.check()
    page.select_option("#id_letter_kind", "reminder")
    page.click("#letters-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/system/jobs/[0-9a-f-]+/$"))
    expect(page.locator("h1")).to_have_text("印发提醒函 2 件")
    expect(page.locator("#job-summary")).to_contain_text("已印发 2 件")
    with page.expect_download() as download:
        page.click("#job-file")
    assert download.value.suggested_filename.startswith("提醒函_")
    assert download.value.suggested_filename.endswith(".zip")
