"""After publication, in the browser: the office interviews a lagging headquarters and closes its commitment, reads
the red-flag board, opens a commander's archive and exports the year's; and closes a commitment on a phone."""

import datetime as dt

import openpyxl
import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from gongjian.assess.models import Commitment, Consequence, Interview
from gongjian.assess.services import followup
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import ProjectLeader
from tests.assess.conftest import build_district, publish_period
from tests.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def district(office_user):
    """The assessment tests' district: one headquarters on plan, 商贸城指挥部 at half of it."""
    return build_district(office_user)


def publish(office_user, *codes):
    for code in codes:
        publish_period(code, actor=office_user)


def test_the_office_interviews_a_lagging_headquarters_and_closes_its_commitment(
    page, login, office_user, district
):
    publish(office_user, "2026-11")
    today = timezone.localdate()
    week_ahead = today + dt.timedelta(days=7)

    login("office", PASSWORD)
    page.goto("/assess/interviews/?year=2026")
    expect(page.locator("#interview-summary")).to_contain_text("待约谈 1 次")
    due = page.locator("#interview-queue tbody tr", has_text="商贸城指挥部")
    expect(due).to_contain_text("2026年11月")
    expect(due).to_contain_text("待约谈")
    due.locator("a:text-is('登记约谈')").click()
    expect(page.locator("h1")).to_contain_text("商贸城指挥部")

    # A commitment due before the interview is refused, and nothing typed is lost
    assert page.input_value("#id_held_on") == today.isoformat()  # the form starts on today
    page.fill("#id_interviewer", "区长 王某")
    page.fill("#id_interviewee", "商贸城指挥部指挥长 李某")
    page.fill("#id_content", "进度滞后一半，要求倒排工期、每旬报送赶工计划。")
    page.fill("#id_c-0-text", "12 月底前完成主体封顶")
    page.fill("#id_c-0-deadline", (today - dt.timedelta(days=3)).isoformat())
    page.click("#interview-form button[type=submit]")
    expect(page.locator("#interview-form [role=alert]")).to_contain_text("第 1 项整改承诺的时限早于约谈日期")
    expect(page.locator("#id_interviewer")).to_have_value("区长 王某")
    expect(page.locator("#id_interviewee")).to_have_value("商贸城指挥部指挥长 李某")
    expect(page.locator("#id_content")).to_have_value("进度滞后一半，要求倒排工期、每旬报送赶工计划。")
    expect(page.locator("#id_c-0-text")).to_have_value("12 月底前完成主体封顶")
    expect(page.locator("#id_c-0-deadline")).to_have_value((today - dt.timedelta(days=3)).isoformat())
    assert not Interview.objects.exists()

    page.fill("#id_c-0-deadline", week_ahead.isoformat())
    page.click("#interview-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("约谈已登记")
    expect(page.locator("h1")).to_contain_text("商贸城指挥部")
    facts = page.locator("#interview-facts")
    expect(facts).to_contain_text(today.isoformat())
    expect(facts).to_contain_text("区长 王某")
    expect(facts).to_contain_text("商贸城指挥部指挥长 李某")
    commitment = page.locator("#commitments tbody tr")
    expect(commitment).to_have_count(1)
    expect(commitment).to_contain_text("12 月底前完成主体封顶")
    expect(commitment).to_contain_text(week_ahead.isoformat())
    expect(commitment).to_contain_text("整改中")

    # The office records it done
    commitment.locator("input[name=done_on]").fill(today.isoformat())
    commitment.locator("input[name=result]").fill("主体结构已封顶")
    commitment.locator("button:text-is('登记完成')").click()
    expect(page.locator(".messages")).to_contain_text("已登记完成情况")
    expect(commitment).to_contain_text(f"已完成 {today.isoformat()}")
    expect(commitment).to_contain_text("主体结构已封顶")
    expect(commitment.locator("button:text-is('登记完成')")).to_have_count(0)

    page.click("a.button:text-is('返回')")
    expect(page.locator("#interview-summary")).to_contain_text("待约谈 0 次")
    expect(due).to_contain_text(f"已约谈 {today.isoformat()}")
    expect(due.locator("a:text-is('登记约谈')")).to_have_count(0)
    expect(page.locator("#commitments tbody tr")).to_contain_text("已完成")
    row = Commitment.objects.get()
    assert (row.deadline, row.done_on, row.result) == (week_ahead, today, "主体结构已封顶")


def test_the_interview_form_starts_on_today(page, login, office_user, district):
    publish(office_user, "2026-11")
    login("office", PASSWORD)
    page.goto(f"/assess/interviews/new/{Consequence.objects.get(kind='interview').pk}/")
    expect(page.locator("#id_held_on")).to_have_value(timezone.localdate().isoformat(), timeout=2_000)


def test_the_red_flag_board_lists_the_fast_headquarters_first(page, login, office_user, district):
    publish(office_user, "2026-11", "2026-11-2")

    login("office", PASSWORD)
    page.goto("/assess/flags/2026/")
    expect(page.locator("h1")).to_contain_text("2026年 红旗榜")
    expect(page.locator("nav.counts a[aria-current=page]")).to_have_text("指挥部")
    rows = page.locator("#flag-board tbody tr")
    expect(rows).to_have_count(2)
    fast, slow = rows.nth(0), rows.nth(1)
    expect(fast.locator("td").nth(0)).to_have_text("智能装备产业园指挥部")
    expect(fast.locator("td.flags")).to_have_text("1")
    expect(slow.locator("td").nth(0)).to_have_text("商贸城指挥部")
    expect(slow.locator("td.flags")).to_have_text("0")
    expect(slow.locator("td").nth(3)).to_have_text("1")  # 黄牌
    # by period, in words, who got what; the legend says what each means
    by_period = page.locator("#flags-by-period tbody tr")
    expect(by_period).to_have_count(2)
    expect(by_period.nth(0).locator("td")).to_have_text(
        ["2026年11月中旬", "智能装备产业园指挥部", "—", "—", "—", "—"]
    )
    expect(by_period.nth(1).locator("td").nth(0)).to_have_text("2026年11月")
    expect(by_period.nth(1).locator("td").nth(3)).to_have_text("商贸城指挥部")  # 黄牌
    expect(page.locator("#flag-legend")).to_contain_text("黄牌")

    page.click("nav.counts a:text-is('项目')")
    expect(page.locator("nav.counts a[aria-current=page]")).to_have_text("项目")
    expect(page.locator("#flag-board tbody")).to_contain_text("快项目")
    expect(page.locator("#flag-board tbody")).to_contain_text("慢项目")
    expect(page.locator("#flag-board tbody")).not_to_contain_text("商贸城指挥部")


def test_the_cadre_archive_shows_a_commander_and_exports_the_year(
    page, login, office_user, district, tmp_path
):
    leader = PersonFactory(name="张副区长", post="副区长")
    commander = PersonFactory(name="李指挥长", post="指挥长")
    ProjectLeader.objects.create(project=district["slow"], person=leader, role=LeaderRole.LEAD)
    district["slow"].commander = commander
    district["slow"].save()
    publish(office_user, "2026-11", "2026-11-2")

    login("office", PASSWORD)
    page.goto("/assess/archive/2026/")
    table = page.locator("#archive")
    expect(table.locator("tbody tr")).to_have_count(2)
    led = page.locator("#archive tbody tr", has_text="张副区长")
    expect(led).to_contain_text("副区长")
    expect(led).to_contain_text("包挂领导")
    commanded = page.locator("#archive tbody tr", has_text="李指挥长")
    expect(commanded).to_contain_text("商贸城指挥部")
    expect(commanded).to_contain_text("2026年11月")

    page.click("#archive a:text-is('李指挥长')")
    expect(page.locator("h1")).to_contain_text("李指挥长")
    record = page.locator("section.subject-record")
    expect(record).to_have_count(1)
    expect(record.locator("h2")).to_contain_text("商贸城指挥部")
    expect(record.locator("dt:text-is('黄牌') + dd")).to_have_text("2026年11月")

    page.click("a.button:text-is('返回')")
    with page.expect_download() as download_info:
        page.click("#archive-xlsx")
    download = download_info.value
    assert download.suggested_filename == "干部考核档案_2026.xlsx"
    download.save_as(tmp_path / "archive.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "archive.xlsx").active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"张副区长", "李指挥长"}
    assert rows["李指挥长"][3] == "商贸城指挥部" and "2026年11月" in rows["李指挥长"][10]

    with page.expect_download() as download_info:
        page.click("#archive-docx")
    download = download_info.value
    assert download.suggested_filename == "干部考核档案_2026.docx"
    download.save_as(tmp_path / "archive.docx")
    document = Document(str(tmp_path / "archive.docx"))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert "李指挥长" in text and "商贸城指挥部" in text and "张副区长" in text


def test_a_commitment_is_closed_on_a_phone_sized_screen(phone, office_user, district):
    publish(office_user, "2026-11")
    today = timezone.localdate()
    interview = followup.record_interview(
        actor=office_user,
        consequence=Consequence.objects.get(kind="interview"),
        held_on=today,
        interviewer="区长 王某",
        interviewee="李某",
        content="进度滞后，要求倒排工期。",
        commitments=[("每旬报送赶工计划", today + dt.timedelta(days=7))],
    )

    page = phone("office", PASSWORD)
    page.goto(f"/assess/interviews/{interview.pk}/")
    commitment = page.locator("#commitments tbody tr")
    expect(commitment).to_contain_text("整改中")
    form = commitment.locator("form.done-form")
    expect(form.locator("input[name=done_on]")).to_have_value(today.isoformat())
    button = form.locator("button:text-is('登记完成')")
    box = button.bounding_box()  # reachable without scrolling the table sideways
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    form.locator("input[name=result]").fill("已报送第一期计划")
    button.tap()
    expect(page.locator(".messages")).to_contain_text("已登记完成情况")
    expect(commitment).to_contain_text(f"已完成 {today.isoformat()}")
    expect(commitment).to_contain_text("已报送第一期计划")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = Commitment.objects.get()
    assert (row.done_on, row.result) == (today, "已报送第一期计划")
