"""A reporter fills and submits a report, the reviewer returns it, the reporter corrects and resubmits."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.reports import services
from gongjian.reports.models import Report
from tests.factories import PASSWORD, ProjectFactory, UnitFactory

pytestmark = pytest.mark.browser


def test_fill_submit_return_and_resubmit_a_report(page, login, make_user, office_user):
    unit = UnitFactory(name="工信局")
    make_user("unit_reporter", unit=unit, username="rep")
    make_user("unit_reviewer", unit=unit, username="rev")
    ProjectFactory(name="新能源电池材料项目", responsible_unit=unit)
    opens = timezone.now() - dt.timedelta(days=1)
    services.open_period("2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user)

    login("rep", PASSWORD)
    page.click("nav >> text=旬报月报")
    page.click("#due-table a:text-is('填报')")
    page.fill("#id_amount", "300")
    page.fill("#id_progress_percent", "35")
    page.fill("#id_progress_text", "主体结构施工至三层")
    page.click("button[name=submit]")
    expect(page.locator(".messages")).to_contain_text("报告已提交")
    expect(page.locator("#cumulative")).to_contain_text("300.00")

    page.click("text=退出")
    login("rev", PASSWORD)
    page.click("nav >> text=旬报月报")
    page.click("#due-table a:text-is('审核')")
    page.fill("#id_reason", "本期金额与监理月报不符")
    page.click("button[value=return]")
    expect(page.locator(".messages")).to_contain_text("已退回")

    page.click("text=退出")
    login("rep", PASSWORD)
    page.click("nav >> text=旬报月报")
    page.click("#due-table a:text-is('填报')")
    expect(page.locator("#return-reason")).to_contain_text("本期金额与监理月报不符")
    page.fill("#id_amount", "280")
    page.click("button[name=submit]")
    expect(page.locator(".messages")).to_contain_text("报告已提交")
    expect(page.locator("#revisions tbody tr")).to_have_count(3)
    report = Report.objects.get()
    assert (report.state, report.amount) == ("submitted", 2_800_000)
