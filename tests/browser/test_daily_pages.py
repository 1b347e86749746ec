"""The daily cycle in the browser: a team member files today's report on a phone, the headquarters sees who has
not filed and deploys tomorrow's task, and the next day the member finds it above the form."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongjian.core.models import Notification
from gongjian.daily import services as daily
from gongjian.daily.models import DailyReport
from gongjian.org.choices import UnitKind
from tests.factories import PASSWORD, UnitFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def site(make_user):
    hq = UnitFactory(name="杏山子园指挥部", kind=UnitKind.HEADQUARTERS)
    xing = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    han = UnitFactory(name="韩山工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    return {
        "hq": hq,
        "xing": xing,
        "han": han,
        "member": make_user("service_team", unit=xing, username="duiyuan", full_name="张队员"),
        "hq_user": make_user("unit_reporter", unit=hq, username="zhihuibu", full_name="李指挥"),
    }


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_member_files_on_the_phone_and_the_headquarters_deploys_the_next_day(
    page, login, phone, site, monkeypatch
):
    today = daily.today()
    tomorrow = today + dt.timedelta(days=1)
    daily.deploy(site["xing"], today, "入户做李家工作", actor=site["hq_user"])

    # the member opens today's form on the phone: today's task above it, one screen wide
    member = phone("duiyuan", PASSWORD)
    member.goto("/dispatch/daily/")
    expect(member.locator("h1")).to_contain_text("今日日报")
    expect(member.locator("#daily-tasks")).to_contain_text("入户做李家工作")
    assert fits_the_phone(member)
    for name in ("households_signed", "buildings_demolished", "problems_solved"):
        assert member.get_attribute(f"#id_{name}", "inputmode") == "numeric"
    expect(member.locator("#daily-form button[type=submit]")).to_have_count(1)

    member.fill("#id_done", "入户走访 12 户，李家签约")
    member.fill("#id_households_signed", "3")
    member.fill("#id_buildings_demolished", "2")
    member.fill("#id_problems_solved", "1")
    member.fill("#id_plan", "拆除李家老宅")
    member.fill("#id_needs", "王家拒签，请司法所协助")
    member.locator("#daily-form button[type=submit]").tap()
    expect(member.locator(".messages")).to_contain_text("日报已提交")
    report = DailyReport.objects.get(team=site["xing"], day=today)
    assert (report.households_signed, report.buildings_demolished, report.problems_solved) == (3, 2, 1)
    expect(member.locator("#id_done")).to_have_value("入户走访 12 户，李家签约")  # prefilled to correct
    expect(member.locator("#daily-form button[type=submit]")).to_have_text("更正日报")
    assert fits_the_phone(member)

    # the headquarters sees who has not filed, the figures and the need, and deploys tomorrow's task
    login("zhihuibu", PASSWORD)
    page.goto("/dispatch/daily/")
    counts = page.locator("#daily-counts")
    expect(counts).to_contain_text("已报1")
    expect(counts).to_contain_text("未报1")
    expect(page.locator("#daily-missing")).to_contain_text("韩山工作队")
    expect(page.locator("#daily-missing")).not_to_contain_text("杏山子工作队")
    filed = page.locator(f"#daily-board tr[data-team='{site['xing'].pk}']")
    expect(filed).to_contain_text("已报")
    expect(filed).to_contain_text("入户走访 12 户")
    expect(page.locator("#daily-needs")).to_contain_text("王家拒签，请司法所协助")
    expect(page.locator("#daily-totals")).to_contain_text("3")
    expect(page.locator("#deploy-heading")).to_contain_text(tomorrow.isoformat())
    card = page.locator(f"#deploy-forms .deploy-card[data-team='{site['xing'].pk}']")
    card.locator("textarea").fill("拆除李家老宅\n清运建筑垃圾")
    card.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("部署")
    expect(filed.locator("td").last).to_contain_text("拆除李家老宅")
    # the member of the team is told
    assert Notification.objects.filter(user=site["member"], body__contains="清运建筑垃圾").exists()
    member.reload()  # that evening the member already sees tomorrow's tasks under the form
    expect(member.locator("#daily-next-tasks")).to_contain_text("清运建筑垃圾")

    # the next day the member finds the tasks above an empty form
    monkeypatch.setattr(daily, "today", lambda: tomorrow)
    member.goto("/dispatch/daily/")
    expect(member.locator("#daily-status")).to_contain_text(tomorrow.isoformat())
    expect(member.locator("#daily-status")).to_contain_text("未报")
    tasks = member.locator("#daily-tasks li")
    expect(tasks).to_have_count(2)
    expect(tasks.first).to_have_text("拆除李家老宅")
    expect(member.locator("#id_done")).to_have_value("")
    assert fits_the_phone(member)


def test_a_refused_report_on_the_phone_keeps_what_was_typed(phone, site):
    member = phone("duiyuan", PASSWORD)
    member.goto("/dispatch/daily/")
    member.fill("#id_done", "走访")
    member.fill("#id_plan", "明天拆两处")
    member.fill("#id_households_signed", "-2")
    member.evaluate(
        "document.getElementById('daily-form').noValidate = true"
    )  # what an old browser would send
    member.locator("#daily-form button[type=submit]").tap()
    expect(member.locator("#daily-form [role=alert]").first).to_be_visible()
    expect(member.locator("#id_plan")).to_have_value("明天拆两处")
    expect(member.locator("#id_done")).to_have_value("走访")
    assert not DailyReport.objects.exists()
    assert fits_the_phone(member)
