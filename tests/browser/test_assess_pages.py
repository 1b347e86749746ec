"""The office runs a period's assessment, reads a score's explanation and publishes; a rater enters scores."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.assess.models import Evaluation, EvaluatorAssignment, Run
from gongjian.org.choices import UnitKind
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import PASSWORD, ProjectFactory, UnitFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def district(office_user):
    unit = UnitFactory(name="工信局")
    hqs = [
        UnitFactory(name=name, kind=UnitKind.HEADQUARTERS)
        for name in ("智能装备产业园指挥部", "商贸城指挥部")
    ]
    opens = timezone.now() - dt.timedelta(days=30)
    code = timezone.localdate() - dt.timedelta(days=12)
    from gongjian.core.periods import Period

    period_value = Period.dekad_of(code)
    period = reports.open_period(
        period_value.code, opens_at=opens, deadline=opens + dt.timedelta(days=20), actor=office_user
    )
    for hq, done in zip(hqs, (40_000_000, 10_000_000), strict=True):
        project = ProjectFactory(
            name=f"{hq.name[:4]}项目", responsible_unit=unit, headquarters=hq, plan=[1_000_000] * 36
        )
        filed = period.deadline - dt.timedelta(days=1)
        Report.objects.create(
            project=project,
            period=period,
            state="approved",
            amount=done,
            year_to_date=done,
            since_start=done,
            first_submitted_at=filed,
            submitted_at=filed,
        )
    return {"hqs": hqs, "period": period_value}


def test_the_office_runs_explains_and_publishes_a_period(page, login, make_user, district):
    make_user("project_office", username="office2")
    login("office2", PASSWORD)
    page.click("nav >> text=考核")
    page.select_option("#id_period", district["period"].code)
    page.click("#run-form button")
    # The run is a background task: its page shows it done (tests run tasks at once) and links to the draft.
    expect(page).to_have_url(re.compile(r"/system/jobs/[0-9a-f-]+/$"))
    expect(page.locator("#job-summary")).to_contain_text("考核结果（草稿）")
    page.click("#job-result")
    expect(page.locator("#run-state")).to_have_text("草稿")
    first = page.locator("#ranking tbody tr").first
    expect(first).to_contain_text("智能装备产业园指挥部")
    expect(first).to_contain_text("红旗")
    page.click("#ranking a:text-is('商贸城指挥部')")
    expect(page.locator("h1")).to_contain_text("商贸城指挥部")
    expect(page.locator("#explanation")).to_contain_text("投资完成")
    expect(page.locator("main")).to_contain_text("本组第 2/2 名")
    page.click("text=返回排名")
    page.click("#publish")
    expect(page.locator("#publish-consequences")).to_contain_text("智能装备产业园指挥部")
    page.check("#id_confirm")
    page.click("#confirm-publish")
    expect(page.locator("#run-state")).to_have_text("已发布")
    expect(page.locator("#revise-form")).to_be_visible()
    assert Run.objects.get().state == "published"


def test_a_rater_enters_scores_on_a_phone_sized_screen(
    browser, live_server, transactional_db, make_user, district
):
    rater = make_user("evaluator", username="rater")
    for hq in district["hqs"]:
        EvaluatorAssignment.objects.create(rater=rater, subject_kind="headquarters", subject_id=hq.pk)
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "rater")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/assess/evaluate/?period={district['period'].code}")
    inputs = page.locator("#evaluation-form input[name^=score-]")
    expect(inputs).to_have_count(2)
    inputs.nth(0).fill("101")
    page.click("#evaluation-form button")
    expect(page.locator(".messages")).to_contain_text("评分应在 0 到 100 之间")
    inputs.nth(0).fill("92.5")
    inputs.nth(1).fill("80")
    page.click("#evaluation-form button")
    expect(page.locator(".messages")).to_contain_text("已保存 2 项评分")
    assert sorted(float(e.score) for e in Evaluation.objects.all()) == [80.0, 92.5]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
