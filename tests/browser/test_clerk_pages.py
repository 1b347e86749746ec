"""What clerks tripped over, as they click it: an error page with a way back, a service team's photos on the
phone, the decision form's 责任人 narrowed to the chosen unit with an error shown at its field, the briefing's
decisions of the month's meeting, and the Chinese font stack. Text is read with inner_text (the machine running
these has no Chinese font)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.core.periods import Period
from gongjian.daily import services as daily
from gongjian.daily.models import DailyReport
from gongjian.meetings import services as meetings
from gongjian.meetings.models import Decision
from gongjian.org.choices import UnitKind
from tests.factories import PASSWORD, PersonFactory, UnitFactory, photo_bytes

pytestmark = pytest.mark.browser


def test_a_missing_page_is_chinese_in_the_sites_frame_and_goes_back(page, login, make_user):
    make_user("unit_reporter", username="rep")
    login("rep", PASSWORD)
    page.goto("/reports/")
    page.goto("/reports/no-such-page/")

    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator(".topbar")).to_contain_text("攻坚")
    page.click("text=返回上一页")
    expect(page).to_have_url(f"{page.url.split('/reports/')[0]}/reports/")


def test_a_member_attaches_the_days_photos_on_the_phone(phone, make_user, tmp_path):
    hq = UnitFactory(name="杏山子园指挥部", kind=UnitKind.HEADQUARTERS)
    team = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    make_user("service_team", unit=team, username="duiyuan", full_name="张队员")
    taken = daily.today().strftime("%Y:%m:%d") + " 09:15:00"
    picture = tmp_path / "拆除现场.jpg"
    picture.write_bytes(photo_bytes(taken=taken))

    member = phone("duiyuan", PASSWORD)
    member.goto("/dispatch/daily/")
    member.fill("#id_done", "入户走访 12 户，拆除 2 处")
    member.set_input_files("#id_photos", str(picture))
    member.locator("#daily-form button[type=submit]").tap()

    expect(member.locator(".messages")).to_contain_text("日报已提交")
    photo = DailyReport.objects.get().photos.get()
    expect(member.locator("#daily-photos li")).to_have_count(1)
    expect(member.locator("#daily-photos")).to_contain_text("拆除现场.jpg")
    # The thumbnail is shown (it loads after the page: wait for it rather than look at once).
    member.wait_for_function(
        "() => { const i = document.querySelector('#daily-photos img'); return i.complete && i.naturalWidth > 0; }",
        timeout=15_000,
    )
    status = member.locator("#daily-status").inner_text()
    assert "提交（张队员）" in status and "（）" not in status
    assert member.evaluate("document.documentElement.scrollWidth") <= 390  # one screen wide
    assert photo.flags == []


def test_the_decision_form_offers_the_units_people_and_shows_a_refusal_at_the_field(page, login, office_user):
    industry, housing = UnitFactory(name="工信局"), UnitFactory(name="住建局")
    PersonFactory(name="工信局小李", post="科员", unit=industry)
    PersonFactory(name="住建局小王", post="科员", unit=housing)
    PersonFactory(name="赵明", post="副区长", unit=None)
    meeting = meetings.create_meeting(
        kind="monthly", title="月度重点项目调度会", held_at=timezone.now(), actor=office_user
    )
    login("office", PASSWORD)
    page.goto(f"/dispatch/meetings/{meeting.pk}/")

    # choosing 工信局 leaves its people (and the leader of no unit) to choose from
    page.select_option("#id_owner", label="工信局")
    offered = page.locator("#id_assignee option").all_inner_texts()
    assert offered[0] == "请选择" and {"工信局小李（科员）", "赵明（副区长）"} <= set(offered)
    assert "住建局小王（科员）" not in offered
    page.select_option("#id_owner", label="住建局")
    assert "住建局小王（科员）" in page.locator("#id_assignee option").all_inner_texts()
    assert "工信局小李（科员）" not in page.locator("#id_assignee option").all_inner_texts()

    # a deadline before the meeting is refused: the page lands on the form, the error at its field, all kept
    page.fill("#id_text", "协调供电公司十日内完成电力接入")
    page.select_option("#id_assignee", label="住建局小王（科员）")
    page.fill("#id_deadline", (timezone.localdate() - dt.timedelta(days=3)).isoformat())
    page.click("#decision-form button:text-is('交办')")
    error = page.locator("#decision-form .field.has-error")
    expect(error).to_contain_text("完成时限不能早于会议日期")
    expect(error.locator("input")).to_have_id("id_deadline")
    expect(error).to_be_in_viewport()
    expect(page.locator("#id_text")).to_have_value("协调供电公司十日内完成电力接入")
    assert page.locator("#id_owner option:checked").inner_text() == "住建局"
    assert page.locator("#id_assignee option:checked").inner_text() == "住建局小王（科员）"
    assert not Decision.objects.exists()

    page.fill("#id_deadline", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.click("#decision-form button:text-is('交办')")
    expect(page.locator(".messages")).to_contain_text("已交办第 1 项")
    assert Decision.objects.get().assignee.name == "住建局小王"


def test_last_months_briefing_lists_the_decisions_of_last_months_meeting(page, login, office_user):
    # Given last month's dispatch meeting, held after the month ended as it always is, with four decisions
    month = Period.month_of(timezone.localdate()).prev()
    tz = timezone.get_current_timezone()
    held = min(
        timezone.now() - dt.timedelta(minutes=5),
        dt.datetime.combine(month.end, dt.time(9), tz) + dt.timedelta(days=3),
    )
    meeting = meetings.create_meeting(
        kind="monthly", title=f"{month}重点项目调度会", held_at=held, actor=office_user
    )
    industry = UnitFactory(name="工信局")
    for n in range(1, 5):
        meetings.add_decision(
            meeting,
            text=f"第{n}项交办事项",
            owner=industry,
            deadline=timezone.localdate() + dt.timedelta(days=20),
            actor=office_user,
            expected_version=meeting.version + n - 1,
        )

    # When the office drafts last month's briefing
    login("office", PASSWORD)
    page.goto("/dispatch/documents/")
    page.select_option("#id_period", month.code)
    page.click("#briefing-form button:text-is('生成调度情况通报')")
    expect(page.locator("#job-state")).to_have_text("已完成")
    page.click("#job-result")
    expect(page).to_have_url(re.compile(r"/dispatch/documents/[0-9]+/$"))

    # Then its decisions section reads that meeting's four
    section = page.locator("section.card", has=page.locator("h2:text-is('上次调度会交办事项落实情况')"))
    expect(section.locator("table tbody tr")).to_have_count(4)
    expect(page.locator("#text-decisions")).to_have_value(re.compile(r"交办事项 4 项"))


def test_the_pages_ask_for_the_offices_chinese_fonts(page, login, make_user):
    make_user("unit_reporter", username="rep")
    login("rep", PASSWORD)
    page.goto("/reports/")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    for font in ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei"):
        assert font in family
    assert family.rstrip().endswith("sans-serif")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('select, input, button')).fontFamily")
        == family
    )
