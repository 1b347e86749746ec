"""Re-baselining in the browser: a unit's reporter proposes on a phone, the office approves at a desk, and the
project page then names the new baseline and lists the change."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from gongjian.projects.models import BaselineChange
from tests.factories import PASSWORD, ProjectFactory, UnitFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def setting(make_user):
    unit = UnitFactory(name="住建局")
    make_user("unit_reporter", unit=unit, username="reporter", full_name="住建局小李")
    make_user("project_office", username="office", full_name="项目办小张")
    project = ProjectFactory(
        name="滨湖花园安置房", responsible_unit=unit, total_investment=100_000_000, plan=[1_000_000] * 36
    )
    project.milestones.create(kind="start", planned_date=dt.date(2026, 10, 1))
    return project


def test_a_reporter_proposes_on_a_phone_and_the_office_approves(setting, phone, page, login):
    project = setting
    mobile = phone("reporter", PASSWORD)
    mobile.goto(f"/projects/{project.pk}/")
    expect(mobile.locator("#baseline-current")).to_have_text("基准第1版（入库基准）")
    mobile.click("text=提出调整申请")
    mobile.select_option("#id_effective_from", "2026-11-2")
    mobile.click("button:has-text('提交申请')")  # nothing changed, no reason: both said
    expect(mobile.locator("#id_reason_errors")).to_be_visible()
    mobile.fill("#id_reason", "征迁延后，12月上旬不再安排投资")
    mobile.fill("#id_plan_33", "0")
    expect(mobile.locator("[data-plan-total]")).to_have_text("3,500.00")
    mobile.click("button:has-text('提交申请')")
    expect(mobile.locator("#change-state")).to_have_text("待审批")
    expect(mobile.locator("#change-lines")).to_contain_text("3,600.00 万元 → 3,500.00 万元")
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    login("office", PASSWORD)
    page.goto("/projects/")
    expect(page.locator("#baseline-changes")).to_contain_text("1 件待审批")
    page.click("#baseline-changes")
    page.click(f"text={project.name}")
    page.fill("#note", "同意")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#decide-form button[value=approve]")
    expect(page.locator("#change-state")).to_have_text("已批准")
    page.click("text=返回项目")
    expect(page.locator("#baseline-current")).to_have_text("基准第2版（自2026年11月中旬起执行）")
    expect(page.locator("#baseline-history")).to_contain_text("形成基准第2版")
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/"))
    assert BaselineChange.objects.get().state == "approved"
