"""Dispatch meetings in the browser: the office creates a meeting whose agenda is drafted from the data and gives a
red project's unit a decision; the unit handles it as a case, the office closes it and the next meeting opens with
only the decisions still open; the office drafts, edits, issues and downloads a briefing and a meeting's minutes."""

import datetime as dt
import re

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.core.periods import Period
from gongjian.documents.models import Document
from gongjian.lights import services as lights
from gongjian.meetings import services
from gongjian.meetings.models import Decision, Meeting
from gongjian.projects.models import Milestone
from tests.factories import PASSWORD, ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.browser

POWER = "协调供电公司十日内完成电力接入"
RESETTLE = "拆迁户安置方案报批"


@pytest.fixture
def district(db):
    """工信局's 新能源电池材料项目 and 住建局's 智能装备产业园, each with a 1,000 万元 plan this year and no report (red
    by their investment); the park's 主体开工 is due in five days."""
    industry, housing = UnitFactory(name="工信局"), UnitFactory(name="住建局")
    year = timezone.localdate().year
    battery = ProjectFactory(
        name="新能源电池材料项目", responsible_unit=industry, year=year, plan=True, planned_start=None
    )
    park = ProjectFactory(
        name="智能装备产业园", responsible_unit=housing, year=year, plan=True, planned_start=None
    )
    due = timezone.localdate() + dt.timedelta(days=5)
    Milestone.objects.create(project=park, kind="start", name="主体开工", planned_date=due)
    lights.recompute()
    return {"industry": industry, "housing": housing, "battery": battery, "park": park, "due": due}


def sign_out(page):
    page.click("text=退出")


def local_input(moment: dt.datetime) -> str:
    """A time as a datetime-local input takes it, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def create_meeting_in_the_form(page, title, held_at):
    """From the meeting list, 新建调度会 (a monthly one by default) → the meeting page it lands on."""
    page.click("nav >> text=调度")
    page.click("#new-meeting")
    expect(page.locator("h1")).to_have_text("新建调度会")
    expect(page.locator("#id_kind")).to_have_value("monthly")
    page.fill("#id_title", title)
    page.fill("#id_held_at", local_input(held_at))
    page.fill("#id_place", "区政府三楼会议室")
    page.click("#meeting-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("调度会已创建，议程已按最新数据生成")
    expect(page.locator("h1")).to_contain_text(title)
    meeting = Meeting.objects.get(title=title)
    expect(page).to_have_url(re.compile(rf"/dispatch/meetings/{meeting.pk}/$"))
    return meeting


def meeting_by_service(office_user, title, *, days=0):
    return services.create_meeting(
        kind="monthly",
        title=title,
        held_at=timezone.now() + dt.timedelta(days=days),
        place="区政府三楼会议室",
        actor=office_user,
    )


def test_the_office_creates_a_monthly_meeting_and_gives_the_red_projects_unit_a_decision(
    page, login, office_user, make_user, district
):
    make_user("unit_reporter", unit=district["industry"], username="rep", full_name="工信局小李")
    today = timezone.localdate()
    login("office", PASSWORD)
    meeting = create_meeting_in_the_form(page, f"{today.month}月重点项目调度会", timezone.now())
    assert (
        meeting.kind == "monthly" and meeting.projects.count() == 2
    )  # a monthly dispatch covers every project

    # The agenda drafted from the data: each red project with its unit, and the milestone due before next month
    agenda = page.locator("#agenda")
    expect(agenda.locator("h3")).to_have_text(["亮红灯项目", "近期到期节点"])
    red = agenda.locator("ol.agenda-red li")
    expect(red).to_have_count(2)
    battery_item = red.filter(has_text="新能源电池材料项目（工信局）")
    expect(battery_item).to_contain_text("低于序时进度")
    expect(battery_item.locator("a")).to_have_attribute("href", f"/projects/{district['battery'].pk}/")
    expect(red.filter(has_text="智能装备产业园（住建局）")).to_have_count(1)
    expect(agenda.locator("ol.agenda-milestones li")).to_have_text(
        [f"智能装备产业园：主体开工，计划 {district['due'].isoformat()} 完成"]
    )
    expect(page.locator("#decisions tbody")).to_contain_text("尚无交办事项")

    # A deadline before the meeting is refused, and what was typed stays in the form
    page.fill("#id_text", POWER)
    page.select_option("#id_owner", label="工信局")
    page.select_option("#id_assignee", label="工信局小李（科员）")
    page.fill("#id_deadline", (today - dt.timedelta(days=1)).isoformat())
    page.select_option("#id_projects", label=str(district["battery"]))  # options read "编号 名称"
    page.click("#decision-form button:text-is('交办')")
    expect(page.locator("#decision-form")).to_contain_text("完成时限不能早于会议日期")
    expect(page.locator("#id_text")).to_have_value(POWER)
    assert not Decision.objects.exists()

    # A week ahead: the decision is taken and opens its case, waiting for the unit to sign for it
    deadline = today + dt.timedelta(days=7)
    page.fill("#id_deadline", deadline.isoformat())
    page.click("#decision-form button:text-is('交办')")
    decision = Decision.objects.get()
    case = decision.case
    expect(page.locator(".messages")).to_contain_text(f"已交办第 1 项，督办编号 {case.number}")
    rows = page.locator("#decisions tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(
        ["1", POWER, "工信局", "工信局小李", deadline.isoformat(), "待签收"]
    )
    link = rows.first.locator("a")
    expect(link).to_have_attribute("href", f"/lights/cases/{case.pk}/")
    assert (case.kind, case.owner, case.project, case.deadline) == (
        "decision",
        district["industry"],
        district["battery"],
        deadline,
    )
    assert list(decision.projects.all()) == [district["battery"]]

    # The link opens the case, which names the meeting it came from
    link.click()
    expect(page.locator("h1")).to_contain_text(POWER)
    expect(page.locator("#case-state")).to_have_text("待签收")
    expect(page.locator("#case-deadline")).to_have_text(deadline.isoformat())
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("新能源电池材料项目")
    expect(fields).to_contain_text("工信局")
    expect(fields).to_contain_text(f"{meeting.title}（{today.isoformat()}）交办第 1 项")
    page.click(f"dl.fields a:has-text('{meeting.title}')")
    expect(page).to_have_url(re.compile(rf"/dispatch/meetings/{meeting.pk}/$"))


def test_the_unit_handles_a_decision_the_office_closes_it_and_the_next_meeting_lists_only_the_open_one(
    page, login, office_user, make_user, district
):
    make_user("unit_reporter", unit=district["industry"], username="rep", full_name="工信局小李")
    # Last month's meeting (held yesterday) gave two decisions, one to each unit
    first = meeting_by_service(office_user, "上月重点项目调度会", days=-1)
    deadline = timezone.localdate() + dt.timedelta(days=7)
    power = services.add_decision(
        first,
        text=POWER,
        owner=district["industry"],
        deadline=deadline,
        projects=[district["battery"]],
        actor=office_user,
        expected_version=current_version(first),
    )
    services.add_decision(
        first,
        text=RESETTLE,
        owner=district["housing"],
        deadline=deadline,
        projects=[district["park"]],
        actor=office_user,
        expected_version=current_version(first),
    )

    # 工信局's reporter finds its decision (and only its own) in the ledger and opens the case
    login("rep", PASSWORD)
    page.click("nav >> text=调度")
    page.click("a:text-is('交办事项台账')")
    expect(page).to_have_url(re.compile(r"/dispatch/decisions/\?state=open$"))
    rows = page.locator("#decision-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(
        ["上月重点项目调度会 #1", POWER, "工信局", deadline.isoformat(), "待签收"]
    )
    page.click(f"#decision-table a:text-is('{POWER}')")
    expect(page).to_have_url(re.compile(rf"/lights/cases/{power.case_id}/$"))
    expect(page.locator("#case-state")).to_have_text("待签收")

    page.click("#accept")
    expect(page.locator(".messages")).to_contain_text("已签收")
    expect(page.locator("#case-state")).to_have_text("已签收")
    # A decision is resolved on its result alone: no evidence file is needed
    expect(page.locator("label[for=id_resolve_evidence]")).to_have_text("佐证材料")
    page.fill("#id_resolve_text", "已完成电力接入，供电公司出具接电确认单")
    page.click("#resolve-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已办结，待销号")
    expect(page.locator("#case-state")).to_have_text("待销号")
    expect(page.locator("dl.fields")).to_contain_text("已完成电力接入，供电公司出具接电确认单")
    expect(page.locator("#handle")).to_have_count(0)
    expect(page.locator("#review")).to_have_count(0)  # the office closes a decision, not the unit

    # The office closes it from the ledger
    sign_out(page)
    login("office", PASSWORD)
    page.goto("/dispatch/decisions/")
    rows = page.locator("#decision-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=POWER).locator("td").last).to_have_text("待销号")
    page.click(f"#decision-table a:text-is('{POWER}')")
    page.fill("#id_close_text", "接电确认单齐全，同意销号")
    page.click("#close")
    expect(page.locator(".messages")).to_contain_text("已销号")
    expect(page.locator("#case-state")).to_have_text("已销号")
    expect(page.locator("#timeline li.closed")).to_contain_text("接电确认单齐全，同意销号")

    # Back on the meeting page: one closed, one still waiting for 住建局
    page.click(f"dl.fields a:has-text('{first.title}')")
    decisions = page.locator("#decisions tbody tr")
    expect(decisions).to_have_count(2)
    expect(decisions.nth(0).locator("td").last).to_have_text("已销号")
    expect(decisions.nth(1).locator("td").last).to_have_text("待签收")
    page.click("a.button:text-is('返回')")
    expect(page.locator("#meetings tbody tr", has_text=first.title).locator("td.num")).to_have_text(
        ["2", "1", "0"]
    )

    # The ledger's filter: closed ones only
    page.goto("/dispatch/decisions/")
    page.select_option("#id_state", "closed")  # the filter form submits itself on change
    expect(page).to_have_url(re.compile(r"state=closed"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(POWER)

    # The next meeting opens with the previous meeting's open decision, not the closed one
    create_meeting_in_the_form(page, "本月重点项目调度会", timezone.now())
    agenda = page.locator("#agenda")
    expect(agenda.locator("h3").first).to_have_text("上次会议交办事项落实情况")
    carried = agenda.locator("ol.agenda-decisions li")
    expect(carried).to_have_count(1)
    expect(carried.first).to_contain_text(
        f"上月重点项目调度会第 2 项：{RESETTLE}（住建局，时限 {deadline.isoformat()}，待签收）"
    )
    expect(agenda).not_to_contain_text(POWER)


def test_the_office_drafts_edits_issues_and_downloads_a_briefing(
    page, login, office_user, district, tmp_path
):
    today = timezone.localdate()
    period = Period.dekad_of(today).prev()
    if (
        period.year != today.year
    ):  # from 1 to 10 January the previous ten-day period is last year's, never lit
        period = Period.dekad_of(today)
    asks = "各单位要在月底前补齐进度，红灯项目逐项制定整改措施。"

    login("office", PASSWORD)
    page.click("nav >> text=调度")
    page.click("a:text-is('通报与纪要')")
    expect(page.locator("#documents tbody")).to_contain_text("尚无通报或纪要")
    page.select_option("#id_period", period.code)
    page.click("#briefing-form button:text-is('生成调度情况通报')")
    # drafted in the background: the task's page follows it and links to the draft
    expect(page).to_have_url(re.compile(r"/system/jobs/[0-9a-f-]+/$"))
    expect(page.locator("#job-state")).to_have_text("已完成")
    expect(page.locator("#job-summary")).to_contain_text("请审改后印发")
    page.click("#job-result")
    document = Document.objects.get()
    expect(page).to_have_url(re.compile(rf"/dispatch/documents/{document.pk}/$"))
    expect(page.locator("h1")).to_contain_text(f"{period}重点项目建设调度情况通报")
    expect(page.locator("#document-state")).to_have_text("草稿")
    expect(page.locator("#document-number")).to_have_count(0)
    expect(page.locator("#docx-link")).to_have_text("预览 Word")
    red = page.locator("section.card", has=page.locator("h2:text-is('红灯项目')"))
    expect(red.locator("table tbody tr")).to_have_count(2)
    expect(red.locator("table tbody tr", has_text="新能源电池材料项目").locator("td").nth(1)).to_have_text(
        "工信局"
    )

    # The office rewrites 下步工作要求 and saves
    page.get_by_label("下步工作要求").fill(asks)
    page.click("#document-form button:text-is('保存修改')")
    expect(page.locator(".messages")).to_contain_text("已保存修改")
    expect(page.locator("#text-asks")).to_have_value(asks)

    # Issued once, with the year's first issue number; no longer editable
    page.click("#issue-form button:text-is('印发')")
    number = f"{today.year}年第1期"
    expect(page).to_have_url(re.compile(r"/system/jobs/[0-9a-f-]+/$"))
    expect(page.locator("#job-summary")).to_contain_text(f"编号 {number}")
    page.click("#job-result")
    expect(page).to_have_url(re.compile(rf"/dispatch/documents/{document.pk}/$"))
    expect(page.locator("#document-state")).to_have_text("已印发")
    expect(page.locator("#document-number")).to_have_text(number)
    expect(page.locator("#document-form")).to_have_count(0)
    expect(page.locator("#issue-form")).to_have_count(0)
    expect(page.locator("section.card", has=page.locator("h2:text-is('下步工作要求')"))).to_contain_text(asks)

    # The Word file carries the edited text and the red projects' table
    expect(page.locator("#docx-link")).to_have_text("下载 Word")
    with page.expect_download() as download_info:
        page.click("#docx-link")
    download = download_info.value
    assert download.suggested_filename.endswith(f"_{number}.docx")
    path = tmp_path / "briefing.docx"
    download.save_as(path)
    word = docx.Document(path)
    paragraphs = [p.text for p in word.paragraphs]
    assert asks in paragraphs
    assert any("第1期" in text for text in paragraphs)
    cells = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert ["新能源电池材料项目", "工信局"] in [row[:2] for row in cells]

    page.click("a.button:text-is('返回')")
    row = page.locator("#documents tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(
        [
            f"{period}重点项目建设调度情况通报",
            "调度情况通报",
            "已印发",
            number,
            re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
        ]
    )


def test_the_office_records_a_meeting_and_issues_its_minutes(page, login, office_user, district):
    meeting = meeting_by_service(office_user, "项目建设专题调度会")
    deadline = timezone.localdate() + dt.timedelta(days=7)
    services.add_decision(
        meeting,
        text=POWER,
        owner=district["industry"],
        deadline=deadline,
        actor=office_user,
        expected_version=current_version(meeting),
    )
    services.add_decision(
        meeting,
        text=RESETTLE,
        owner=district["housing"],
        deadline=deadline,
        actor=office_user,
        expected_version=current_version(meeting),
    )

    login("office", PASSWORD)
    page.goto(f"/dispatch/meetings/{meeting.pk}/")
    expect(page.locator("#meeting-state")).to_have_text("筹备中")
    page.fill("#id_notes", "会议听取了工信局、住建局的汇报。")
    page.click("#held-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已记录会议情况")
    expect(page.locator("#meeting-state")).to_have_text("已召开")
    expect(page.locator("dl.fields")).to_contain_text("会议听取了工信局、住建局的汇报。")

    page.click("#minutes-form button:text-is('生成会议纪要')")
    document = Document.objects.get()
    expect(page).to_have_url(re.compile(rf"/dispatch/documents/{document.pk}/$"))
    expect(page.locator("h1")).to_contain_text("项目建设专题调度会纪要")
    expect(page.locator("#document-state")).to_have_text("草稿")
    expect(page.locator("#text-facts")).to_have_value(
        re.compile(r"在区政府三楼会议室主持召开项目建设专题调度会。")
    )
    expect(page.locator("#text-facts")).to_have_value(re.compile(r"会议听取了工信局、住建局的汇报。"))
    table = page.locator("section.card", has=page.locator("h2:text-is('会议议定事项')")).locator("table")
    expect(table.locator("thead th")).to_have_text(["序号", "事项", "责任单位", "责任人", "完成时限"])
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(0).locator("td")).to_have_text(
        ["1", POWER, "工信局", "", deadline.isoformat()]
    )
    expect(table.locator("tbody tr").nth(1).locator("td")).to_have_text(
        ["2", RESETTLE, "住建局", "", deadline.isoformat()]
    )

    page.click("#issue-form button:text-is('印发')")
    expect(page.locator("#document-state")).to_have_text("已印发")
    expect(page.locator("#document-number")).to_contain_text("纪〔")
    expect(page.locator("#document-number")).to_have_text(
        re.compile(rf"纪〔{timezone.localdate().year}〕1号$")
    )
    number = page.locator("#document-number").inner_text()
    expect(page.locator(".messages")).to_contain_text(f"已印发，编号 {number}")

    # The meeting page lists its minutes with their number
    page.goto(f"/dispatch/meetings/{meeting.pk}/")
    minutes = page.locator("#minutes-form + ul li")
    expect(minutes).to_have_count(1)
    expect(minutes.first).to_contain_text("项目建设专题调度会纪要")
    expect(minutes.first).to_contain_text("已印发")
    expect(minutes.first).to_contain_text(number)
