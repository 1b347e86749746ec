"""What a person does in the browser: sign in, find projects, create and edit one."""

import re

import pytest
from playwright.sync_api import expect

from gongjian.org.choices import UnitKind
from gongjian.projects.models import Project
from tests.factories import PASSWORD, ProjectFactory, UnitFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def office(make_user):
    return make_user("project_office", username="office", full_name="项目办小张")


def test_signing_in_with_the_right_password_opens_the_registry(page, login, office):
    login("office", PASSWORD)
    expect(page).to_have_url(re.compile(r"/cockpit/$"))  # the office lands on the cockpit (issue 15)
    page.click("nav >> text=项目库")
    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.locator("header")).to_contain_text("项目办小张")
    expect(page.locator("h1")).to_contain_text("重点项目库")


def test_a_wrong_password_keeps_the_person_on_the_login_page_with_a_message(page, login, office):
    login("office", "not-the-password")
    expect(page.locator(".errors-summary")).to_contain_text("账号或密码错误")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_filtering_the_list_by_category_and_searching_by_name(page, login, office):
    ProjectFactory(name="段庄商贸城", category="commerce")
    ProjectFactory(name="新能源电池材料项目", category="industry")
    ProjectFactory(name="医疗器械产业园标准厂房", category="industry")
    login("office", PASSWORD)
    page.goto("/projects/")
    rows = page.locator("#project-table tbody tr")
    expect(rows).to_have_count(3)

    page.select_option("#id_category", "industry")  # the filter form submits itself on change
    expect(rows).to_have_count(2)
    expect(page.locator("#project-table")).not_to_contain_text("段庄商贸城")

    page.fill("#id_q", "医疗")
    page.click("form.filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("医疗器械产业园标准厂房")
    expect(page).to_have_url(re.compile(r"category=industry"))


def test_creating_a_project_shows_errors_next_to_fields_then_saves(page, login, office):
    UnitFactory(name="住建局")
    UnitFactory(name="杏山子民营工业园", kind=UnitKind.PARK)
    login("office", PASSWORD)
    page.goto("/projects/")
    page.click("text=新建项目")
    page.fill("#id_name", "滨湖花园安置房")
    page.select_option("#id_category", "livelihood")
    page.select_option("#id_nature", "new")
    page.select_option("#id_level", "district")
    page.select_option("#id_region", label="泉山区")
    page.select_option("#id_responsible_unit", label="住建局")
    page.fill("#id_total_investment", "100")
    page.fill("#id_plan_0", "60")
    page.fill("#id_plan_1", "60")
    expect(page.locator("[data-plan-total]")).to_have_text("120.00")
    page.click("button:has-text('保存')")

    expect(page.locator("#id_total_investment_errors")).to_contain_text("总投资不能小于年度计划投资")
    assert not Project.objects.exists()

    page.fill("#id_total_investment", "12000")
    page.click("button:has-text('保存')")
    expect(page.locator("h1")).to_contain_text("滨湖花园安置房")
    expect(page.locator("#plan")).to_contain_text("120.00")
    assert Project.objects.get().total_investment == 120_000_000


def test_editing_a_project_changes_only_what_was_typed(page, login, office):
    project = ProjectFactory(name="中山大厦", location="淮海路", plan=True)
    login("office", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    page.click("text=编辑")
    page.fill("#id_location", "中山北路 8 号")
    page.click("button:has-text('保存')")
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("main")).to_contain_text("中山北路 8 号")
    project.refresh_from_db()
    assert project.location == "中山北路 8 号" and project.plans.get().total == 10_000_000


def test_the_list_is_usable_on_a_phone_sized_screen(page, login, office):
    ProjectFactory(name="段庄商贸城")
    page.set_viewport_size({"width": 390, "height": 844})
    login("office", PASSWORD)
    page.goto("/projects/")
    expect(page.locator("#project-table")).to_contain_text("段庄商贸城")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # nothing forces sideways scrolling of the whole page
