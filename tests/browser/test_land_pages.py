"""Land acquisition in the browser (issue 17): one household from the ledger — entered, computed, its agreement
with a deviation approved by the headquarters on a phone, signed — to the published wall list and the public page
read without login, on a desktop and on a phone; and one holdout through the lawful path, step by step."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.land import services
from gongjian.land.models import LawfulPath, WallList
from gongjian.org.choices import UnitKind
from tests.factories import PASSWORD, UnitFactory
from tests.land.conftest import STANDARD, household_data

pytestmark = pytest.mark.browser


@pytest.fixture
def site(make_user):
    park = UnitFactory(name="生态科技产业园", kind=UnitKind.PARK)
    hq = UnitFactory(name="园区建设指挥部", kind=UnitKind.HEADQUARTERS)
    team = UnitFactory(name="征迁服务工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    office = make_user("project_office", username="banshi")
    member = make_user("service_team", unit=team, username="duiyuan", full_name="张队员")
    commander = make_user("supervising_leader", unit=hq, username="zhihui", full_name="李指挥")
    task = services.create_task(
        actor=office,
        name="生态科技产业园征地拆迁",
        park_id=park.pk,
        team_id=team.pk,
        area_mu="1200.00",
        announcement_number="高新征告〔2026〕1号",
        announcement_date=dt.date(2026, 9, 1),
        deadline=dt.date(2026, 12, 31),
        villages=[{"name": "金星村", "groups": ["一组", "二组"]}],
    )
    services.add_standard(task, actor=office, name="补偿安置方案", content=STANDARD)
    village = task.villages.get()
    household = services.save_household(
        task, household_data(village, 1, head_name="王建国"), actor=member
    )  # entered in the ledger
    return {
        "task": task,
        "village": village,
        "household": household,
        "member": member,
        "commander": commander,
    }


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_household_from_the_ledger_to_the_wall_list_and_the_public_page(
    page, login, phone, browser, live_server, site
):
    household, task = site["household"], site["task"]
    login("duiyuan", PASSWORD)
    page.goto(f"/land/tasks/{task.pk}/ledger/")
    page.locator("#ledger").get_by_role("link", name="H0001").click()
    expect(page.locator("h1")).to_contain_text("H0001")
    expect(page.locator("body")).to_contain_text(
        "按现行标准测算"
    )  # computed from the ledger and the standard

    draft = page.locator("form:has(input[name=action][value=draft])")
    draft.locator("#id_agreed_total").fill("888888")
    draft.locator("#id_deviation_reason").fill("祖屋有文物价值，经评估增加")
    draft.locator("button[type=submit]").click()
    expect(page.locator("h2").filter(has_text="补偿安置协议")).to_contain_text("待指挥部审批")
    expect(page.locator("form:has(input[name=action][value=sign])")).to_have_count(0)

    # the headquarters approves on a phone
    commander = phone("zhihui", PASSWORD)
    commander.goto(f"/land/households/{household.pk}/")
    approve = commander.locator("form:has(input[name=action][value=approve])")
    approve.locator("#id_approve").select_option("1")
    approve.locator("#id_note").fill("同意")
    approve.locator("button[type=submit]").tap()
    expect(commander.locator("h2").filter(has_text="补偿安置协议")).to_contain_text("已批准")

    page.reload()
    page.locator("form:has(input[name=action][value=sign]) button[type=submit]").click()
    expect(page.locator("h2").filter(has_text="补偿安置协议")).to_contain_text("已签约")

    # published from the task's page
    page.goto(f"/land/tasks/{task.pk}/")
    page.locator("#wall-publish select[name=village]").select_option(str(site["village"].pk))
    page.locator("#wall-publish button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已发布金星村公示清单第1号")
    expect(page.locator("#walls")).to_contain_text("第1号")
    published = WallList.objects.get()
    assert published.pdf_file and published.docx_file  # the background job made the paper lists

    # anyone reads it without signing in, on a desktop and on a phone
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport)
        public = context.new_page()
        public.goto(f"/land/public/{task.pk}/")
        expect(public.locator("h1")).to_contain_text("征收补偿安置公示")
        public.get_by_role("link", name="查看最新公示（第1号）").click()
        rows = public.locator("#wall-rows")
        expect(rows).to_contain_text("王*国")
        expect(rows).to_contain_text("祖屋有文物价值，经评估增加")
        expect(rows).to_contain_text("888,888")
        body = public.locator("body").inner_text()
        assert "王建国" not in body and household.head_id_number not in body
        assert household.head_id_number[:6] in body
        if viewport["width"] == 390:
            assert fits_the_phone(public)
        pdf = public.request.get(f"/land/public/walls/{published.pk}.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF-")
        context.close()


def test_a_holdout_through_the_lawful_path(page, login, site, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2027, 12, 31))
    household = site["household"]
    login("duiyuan", PASSWORD)
    page.goto(f"/land/households/{household.pk}/")
    decision = page.locator("#lawful-decision")
    decision.locator("#id_decision_number").fill("高新征补决〔2027〕1号")
    decision.locator("#id_decided_on").fill("2027-01-05")
    decision.locator("#id_document").set_input_files(
        {"name": "补偿决定书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 decision"}
    )
    decision.locator("button[type=submit]").click()
    expect(page.locator(".lawful-steps")).to_contain_text("高新征补决〔2027〕1号")

    serve = page.locator("#lawful-serve")
    serve.locator("#id_served_on").fill("2027-01-10")
    serve.locator("button[type=submit]").click()
    expect(page.locator(".lawful-steps")).to_contain_text(
        "申请行政复议期限至 2027年3月11日，提起行政诉讼期限至 2027年7月10日"
    )
    expect(page.locator("#lawful")).to_contain_text("可申请强制执行的期间：2027年7月11日 至 2027年10月10日")

    # too early: refused with the reason, nothing recorded
    court = page.locator("#lawful-court")
    court.locator("#id_applied_on").fill("2027-03-20")
    court.locator("#id_court").fill("泉山区人民法院")
    court.locator("button[type=submit]").click()
    expect(page.locator("#lawful-court")).to_contain_text("自 2027-07-11 起才能申请强制执行")
    assert LawfulPath.objects.get().applied_on is None

    court = page.locator("#lawful-court")
    court.locator("#id_applied_on").fill("2027-07-12")
    court.locator("#id_court").fill("泉山区人民法院")
    court.locator("button[type=submit]").click()
    expect(page.locator(".lawful-steps")).to_contain_text("申请法院强制执行：2027年7月12日，泉山区人民法院")

    ruling = page.locator("#lawful-ruling")
    ruling.locator("#id_ruled_on").fill("2027-08-20")
    ruling.locator("#id_ruling_result").select_option("granted")
    ruling.locator("#id_document").set_input_files(
        {"name": "裁定书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 ruling"}
    )
    ruling.locator("button[type=submit]").click()
    expect(page.locator(".lawful-steps")).to_contain_text("法院裁定：2027年8月20日，准予强制执行")
    expect(page.locator("form.lawful-form")).to_have_count(0)

    page.goto("/land/lawful/")
    expect(page.locator("#lawful-paths")).to_contain_text("法院裁定")
