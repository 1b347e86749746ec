"""The cockpit in the browser: the office opens it, its charts are drawn (canvas), each chart's 数据表 holds the
figures, 保存图片 downloads a PNG, a figure's link opens the list with the same count, the wall screen is dark and
full; a reporter on a phone sees their projects' cockpit."""

import re

import pytest
from playwright.sync_api import expect

from tests.cockpit.test_cockpit import district  # noqa: F401  (the fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def panels_turn_by_turn(page) -> set[str]:
    """Click through the wall screen's turns (分屏) and return the panels seen, each checked to be on the one screen
    of its turn (inside 1080 px) while the other turns are hidden."""
    seen = set()
    for n in range(1, page.locator("[data-screen-turn]").count() + 1):
        if n > 1:  # more panels than one screen holds: they take turns, each turn a screen
            page.click(f"[data-show-turn='{n}']")
        expect(page.locator(f"#screen-turn-{n}")).to_be_visible()
        for panel in page.locator(f"#screen-turn-{n} section.panel").all():
            box = panel.bounding_box()
            assert box and box["y"] + box["height"] <= 1080, panel.get_attribute("id")
            seen.add(panel.get_attribute("id"))
        assert page.locator("[data-screen-turn]:visible").count() == 1
    return seen


def test_the_office_reads_the_cockpit_and_follows_a_figure_to_its_list(page, login, district, tmp_path):  # noqa: F811
    login("office", PASSWORD)
    page.goto("/cockpit/")
    expect(page.locator("h1")).to_contain_text("驾驶舱")
    # every chart is drawn on a canvas by ECharts
    charts = page.locator("figure.chart")
    assert charts.count() >= 5
    for i in range(charts.count()):
        expect(charts.nth(i).locator(".chart-canvas canvas")).to_have_count(1)
    # the lights' table view holds the figures the counts show
    lights = page.locator("#chart-lights-now")
    lights.locator("summary").click()
    table = lights.locator("table").inner_text()
    assert re.search(r"红灯\s+2", table) and re.search(r"黄灯\s+1", table), table
    # 保存图片: a PNG drawn by ECharts
    with page.expect_download() as download:
        lights.locator("[data-chart-save]").click()
    path = tmp_path / "lights.png"
    download.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the red figure opens the project list with as many projects
    red = page.locator("#fig-light-2 strong").inner_text()
    page.click("#fig-light-2")
    expect(page.locator("h1")).to_contain_text(f"共 {red} 个项目")
    assert page.locator("#project-table tbody tr").count() == int(red)


def test_the_wall_screen_is_dark_large_and_refreshes_itself(page, login, district):  # noqa: F811
    page.set_viewport_size({"width": 1920, "height": 1080})
    login("office", PASSWORD)
    page.goto("/cockpit/")
    page.click("#screen-link")
    expect(page.locator("body.screen")).to_be_visible()
    assert page.locator("meta[http-equiv=refresh]").get_attribute("content") == "300"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 21, 38)"
    assert page.locator(".topbar").count() == 0  # no menu on the wall
    expect(page.locator("figure.chart canvas").first).to_be_visible()
    assert int(page.locator("#project-count").inner_text()) == 3
    # every panel on the one screen, nothing to scroll to
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080], size
    seen = panels_turn_by_turn(page)
    assert {"panel-investment", "panel-lights", "panel-red"} <= seen
    assert len(seen) == page.locator("section.panel").count()


def test_a_reporter_on_a_phone_sees_their_projects_cockpit(phone, district):  # noqa: F811
    page = phone("reporter", PASSWORD)
    page.click(".mainnav >> text=驾驶舱")
    expect(page.locator("h1")).to_contain_text("驾驶舱")
    assert page.locator("#project-count strong").inner_text() == "2"
    expect(page.locator("#chart-lights-now canvas")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    text = page.locator("main").inner_text()
    assert "机械项目" not in text and "电池项目" in text


def test_the_funnel_and_the_targets_panels_render_on_the_cockpit_and_the_wall_still_fits(
    page,
    login,
    district,  # noqa: F811
):
    from decimal import Decimal

    from django.utils import timezone

    from gongjian.attraction import services as attraction
    from gongjian.org.models import Unit
    from gongjian.targets import services as targets

    today = timezone.localdate()
    unit = Unit.objects.order_by("pk").first()
    lead = attraction.create_lead(
        actor=None,
        name="动力电池模组项目",
        investor="某新能源科技有限公司",
        unit=unit,
        amount=300_000_000,
        found_on=today.replace(day=1),
    )
    attraction.sign_lead(lead, on=today, amount=300_000_000, actor=None, expected_version=lead.version)
    indicator = targets.create_indicator(year=today.year, name="新增绿化面积", measure="公顷", actor=None)
    target = targets.set_target(indicator, unit, target=Decimal(12), actor=None)
    month = max(1, today.month - 1)
    actual = targets.enter_actual(target, month, value=Decimal(8), actor=None, note="台账", today=today)
    targets.review_actual(actual, approve=True, actor=None, expected_version=actual.version)

    login("office", PASSWORD)
    page.goto("/cockpit/")
    expect(page.locator("section.panel#panel-attraction")).to_contain_text("签约")
    expect(page.locator("section.panel#panel-targets")).to_contain_text("新增绿化面积")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/cockpit/screen/")
    expect(page.locator("body.screen")).to_be_visible()
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080], size
    assert {"panel-attraction", "panel-targets"} <= panels_turn_by_turn(page)
