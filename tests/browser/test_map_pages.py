"""The map (一张图) in the browser, on a desktop and a 390 × 844 phone: the boundary and the points are drawn on the
canvas in their lights' colours, clicking a point opens its card, the projects without coordinates are listed
beside the map, and the project page draws its own point."""

import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongjian.lights.models import Light
from gongjian.org import services as org
from tests.factories import PASSWORD, ProjectFactory, UnitFactory, region

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year
OUTLINE = [
    [117.0, 34.1],
    [117.3, 34.1],
    [117.32, 34.2],
    [117.3, 34.3],
    [117.0, 34.3],
    [116.98, 34.2],
    [117.0, 34.1],
]
RED, YELLOW, GREEN = (0xD9, 0x30, 0x25), (0xE8, 0xB4, 0x00), (0x2E, 0x9D, 0x57)

# The chart of a map figure, a point's pixel on the page, and the colour drawn there (the canvas is scaled by the
# device's pixel ratio).
PIXEL_JS = """([id, lon, lat]) => {
  const figure = document.getElementById(id);
  figure.scrollIntoView({block: 'center'});  // a click lands only on what is in the viewport
  const chart = echarts.getInstanceByDom(figure.querySelector('[data-map-canvas]'));
  const [x, y] = chart.convertToPixel({geoIndex: 0}, [lon, lat]);
  const canvas = figure.querySelector('canvas');
  const box = canvas.getBoundingClientRect();
  const ratio = canvas.width / box.width;
  const rgba = canvas.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
  return {x: box.left + x, y: box.top + y, rgb: [rgba[0], rgba[1], rgba[2]]};
}"""


def near(rgb, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, colour, strict=True))


def lit(project, colour, reasons=()):
    Light.objects.create(
        project=project,
        period_code=f"{YEAR}-01-3",
        colour=colour,
        reasons=list(reasons),
        as_of=timezone.localdate(),
        rule_version=1,
        computed_at=timezone.now(),
        digest="x",
    )


@pytest.fixture
def district(make_user):
    reg = region("320311", "泉山区")
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "泉山区"},
                "geometry": {"type": "Polygon", "coordinates": [OUTLINE]},
            }
        ],
    }
    org.save_boundary(reg, json.dumps(document).encode(), file_name="泉山区.geojson")
    unit = UnitFactory(name="金山街道办")
    make_user("project_office", username="office")
    make_user("unit_reporter", username="reporter", unit=unit)
    battery = ProjectFactory(
        name="新能源电池材料项目",
        responsible_unit=unit,
        total_investment=1_500_000_000,
        year=YEAR,
        longitude=Decimal("117.100000"),
        latitude=Decimal("34.250000"),
    )
    lit(
        battery,
        2,
        ["投资完成率 40%（本年累计 400.00 万元 / 序时计划 1,000.00 万元），低于序时进度 60 个百分点"],
    )
    market = ProjectFactory(
        name="湖滨农贸市场标准化改造",
        responsible_unit=unit,
        total_investment=30_000_000,
        year=YEAR,
        longitude=Decimal("117.220000"),
        latitude=Decimal("34.150000"),
    )
    lit(market, 0)
    other = ProjectFactory(
        name="外单位的项目", year=YEAR, longitude=Decimal("117.200000"), latitude=Decimal("34.200000")
    )
    lit(other, 1)
    unsurveyed = ProjectFactory(name="绿色食品精深加工项目", responsible_unit=unit, year=YEAR)
    return battery, market, other, unsurveyed


def wait_drawn(page, figure_id, points):
    page.wait_for_selector(f"#{figure_id}[data-drawn='{points}'] canvas")
    page.wait_for_function(
        "() => echarts.getInstanceByDom(document.querySelector('[data-map-canvas]')) !== undefined"
    )


def colour_at(page, figure_id, project, colour):
    """The point of ``project`` on the canvas, once it shows ``colour`` there (progressive rendering)."""
    args = [figure_id, float(project.longitude), float(project.latitude)]
    page.wait_for_function(
        f"(args) => {{ const p = ({PIXEL_JS})(args); return {list(colour)}.every((c, i) => Math.abs(c - p.rgb[i]) <= 40); }}",
        arg=args,
    )
    return page.evaluate(PIXEL_JS, args)


def no_english(text):
    """Words of Latin letters in what a person reads (the project codes aside, which are not on these pages)."""
    return re.findall(r"[A-Za-z_]{2,}", text)


def test_the_office_reads_the_map_clicks_a_red_point_and_opens_its_card(page, login, district):
    battery, market, other, _unsurveyed = district
    login("office", PASSWORD)
    page.goto("/map/")
    wait_drawn(page, "onemap", 3)

    point = colour_at(page, "onemap", battery, RED)
    assert near(colour_at(page, "onemap", market, GREEN)["rgb"], GREEN)
    assert near(colour_at(page, "onemap", other, YELLOW)["rgb"], YELLOW)
    # the boundary is drawn: a pixel inside it (away from the points) has the area's colour, not the background
    inside = page.evaluate(PIXEL_JS, ["onemap", 117.05, 34.12])["rgb"]
    assert near(inside, (0xEE, 0xF2, 0xF7), 6) and not near(inside, (0xFA, 0xFB, 0xFC), 2)

    card = page.locator("#onemap-card")
    expect(card).to_be_hidden()
    page.mouse.click(point["x"], point["y"])
    expect(card).to_be_visible()
    expect(card.locator("h3")).to_have_text("新能源电池材料项目")
    expect(card).to_contain_text("金山街道办")
    expect(card).to_contain_text("15.00亿元")
    expect(card).to_contain_text("红灯")
    expect(card).to_contain_text("低于序时进度 60 个百分点")
    expect(card).to_contain_text(f"{YEAR}年1月下旬")
    expect(card.locator("a", has_text="查看项目")).to_have_attribute("href", f"/projects/{battery.pk}/")
    expect(card.locator("a", has_text="亮灯详情")).to_have_attribute(
        "href", f"/lights/projects/{battery.pk}/{YEAR}-01-3/"
    )

    unplaced = page.locator("#onemap-unplaced")
    expect(unplaced.locator("h3")).to_have_text("未在图上的项目（1 个）")
    expect(unplaced.locator("a")).to_have_text(["绿色食品精深加工项目"])
    expect(page.locator("#onemap-legend")).to_contain_text("红灯 1")
    assert no_english(page.inner_text("main")) == []

    card.locator("a", has_text="查看项目").click()
    expect(page).to_have_url(re.compile(rf"/projects/{battery.pk}/$"))


def test_a_reporter_on_a_phone_sees_their_units_points_and_taps_one(phone, district):
    market = district[1]
    page = phone("reporter", PASSWORD)
    page.goto("/map/")
    wait_drawn(page, "onemap", 2)  # the other unit's project is not theirs

    point = colour_at(page, "onemap", market, GREEN)
    page.touchscreen.tap(point["x"], point["y"])
    card = page.locator("#onemap-card")
    expect(card).to_be_visible()
    expect(card.locator("h3")).to_have_text("湖滨农贸市场标准化改造")
    expect(card).to_contain_text("绿灯")
    expect(card).to_contain_text("各项指标正常")
    expect(page.locator("#onemap-unplaced a")).to_have_text(["绿色食品精深加工项目"])
    assert "外单位的项目" not in page.content()
    # the map fits the phone's width
    assert page.evaluate("document.querySelector('#onemap canvas').getBoundingClientRect().width") <= 390
    assert no_english(page.inner_text("main")) == []


def test_filtering_the_map_by_colour_keeps_the_red_projects(page, login, district):
    login("office", PASSWORD)
    page.goto("/map/")
    page.select_option("#id_colour", label="红灯")
    wait_drawn(page, "onemap", 1)
    expect(page).to_have_url(re.compile(r"colour=2"))
    expect(page.locator("#map-total")).to_have_text("共 1 个项目")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_project_page_draws_its_own_point_on_the_district(page, login, phone, district, device):
    battery = district[0]
    if device == "phone":
        page = phone("office", PASSWORD)
    else:
        login("office", PASSWORD)
    page.goto(f"/projects/{battery.pk}/")
    wait_drawn(page, "site-map", 1)
    point = colour_at(page, "site-map", battery, RED)
    assert near(point["rgb"], RED)
    expect(page.locator("#site-map figcaption")).to_have_text("底图：泉山区行政区划边界")


def test_the_cockpit_shows_the_map_beside_its_charts_and_a_click_opens_the_card(page, login, district):
    battery = district[0]
    login("office", PASSWORD)
    page.goto("/cockpit/")
    wait_drawn(page, "cockpit-map", 3)
    point = colour_at(page, "cockpit-map", battery, RED)
    page.mouse.click(point["x"], point["y"])
    card = page.locator("#cockpit-map-card")
    expect(card.locator("h3")).to_have_text("新能源电池材料项目")
    expect(card).to_contain_text("15.00亿元")
    # the cockpit's own charts still draw with the one ECharts of the page
    assert page.evaluate("document.querySelectorAll('script[src*=\"echarts.min.js\"]').length") == 1
    assert page.evaluate(
        "[...document.querySelectorAll('.chart-canvas')].some(el => echarts.getInstanceByDom(el))"
    )
