"""The map's data (一张图) against the database: each project a point coloured by its latest light and sized by its
investment, within the viewer's scope and the filters; projects without coordinates or off the map listed; the
same number of queries for 3 projects as for 30; and the page through the client."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.lights.models import Light
from gongjian.onemap.queries import LARGEST, SMALLEST, card, map_data, point_size
from gongjian.org import services as org
from gongjian.projects.models import Project
from tests.factories import ProjectFactory, UnitFactory, region

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
SQUARE = [[[117.0, 34.1], [117.3, 34.1], [117.3, 34.3], [117.0, 34.3], [117.0, 34.1]]]


def boundary_of(reg, ring=SQUARE):
    document = {
        "type": "Feature",
        "properties": {"name": reg.name},
        "geometry": {"type": "Polygon", "coordinates": ring},
    }
    return org.save_boundary(reg, json.dumps(document).encode())


def lit(project, code, colour, reasons=(), done=None):
    return Light.objects.create(
        project=project,
        period_code=code,
        colour=colour,
        reasons=list(reasons),
        plan_to_date=None if done is None else 0,
        done_to_date=done,
        as_of=timezone.localdate(),
        rule_version=1,
        computed_at=timezone.now(),
        digest="x",
    )


def at(lon, lat):
    return {"longitude": Decimal(str(lon)), "latitude": Decimal(str(lat))}


@pytest.fixture
def district():
    reg = region("320311", "泉山区")
    boundary_of(reg)
    return reg


@pytest.fixture
def town(district):
    unit = UnitFactory(name="金山街道办")
    big = ProjectFactory(
        name="新能源电池材料项目",
        responsible_unit=unit,
        total_investment=2_000_000_000,
        plan=True,
        year=YEAR,
        **at(117.18, 34.26),
    )
    lit(big, f"{YEAR}-01-1", 0)
    lit(
        big,
        f"{YEAR}-02-3",
        2,
        ["投资完成率 40%（本年累计 400.00 万元 / 序时计划 1,000.00 万元），低于序时进度 60 个百分点"],
        done=4_000_000,
    )
    lit(big, f"{YEAR - 1}-12-3", 0)
    small = ProjectFactory(
        name="湖滨农贸市场标准化改造",
        responsible_unit=unit,
        total_investment=20_000_000,
        year=YEAR,
        **at(117.1, 34.2),
    )
    lit(small, f"{YEAR}-02-3", 1, ["开工节点逾期 5 天"])
    dark = ProjectFactory(
        name="矿大科技园综合服务中心", total_investment=500_000_000, year=YEAR, **at(117.2, 34.15)
    )
    nowhere = ProjectFactory(name="绿色食品精深加工项目", total_investment=300_000_000, year=YEAR)
    lit(nowhere, f"{YEAR}-02-3", 2, ["连续 2 期未报送"])
    afar = ProjectFactory(name="外地飞地项目", total_investment=100_000_000, year=YEAR, **at(118.5, 34.2))
    return unit, big, small, dark, nowhere, afar


def by_name(data):
    return {p["name"]: p for p in data.points}


def test_each_point_is_coloured_by_its_latest_light_and_sized_by_investment(town, office_user):
    big, small, dark = town[1], town[2], town[3]
    data = map_data(office_user, {})

    assert data.points == [  # largest first: the small ones are drawn on top
        {"id": big.pk, "name": "新能源电池材料项目", "value": [117.18, 34.26], "size": LARGEST, "colour": 2},
        {
            "id": dark.pk,
            "name": "矿大科技园综合服务中心",
            "value": [117.2, 34.15],
            "size": 18,
            "colour": None,
        },
        {"id": small.pk, "name": "湖滨农贸市场标准化改造", "value": [117.1, 34.2], "size": 8, "colour": 1},
    ]
    assert [(p["name"], p["why"], p["url"]) for p in data.unplaced] == [
        ("绿色食品精深加工项目", "未标注坐标", f"/projects/{town[4].pk}/"),
        ("外地飞地项目", "坐标不在地图范围内", f"/projects/{town[5].pk}/"),
    ]
    assert data.counts == {"2": 2, "1": 1, "none": 2} and data.total == 5
    assert data.legend == [("2", "红灯", 2), ("1", "黄灯", 1), ("0", "绿灯", 0), ("none", "未亮灯", 2)]
    assert data.boundary.region.name == "泉山区"


def test_a_points_card_has_the_projects_figures_and_its_latest_light_with_the_reasons(town, office_user):
    big, small, dark = town[1], town[2], town[3]
    assert card(office_user, big.pk) == {
        "id": big.pk,
        "name": "新能源电池材料项目",
        "unit": "金山街道办",
        "url": f"/projects/{big.pk}/",
        "total": "20.00亿元",
        "rate": "40.0%",  # 400 万元 done of a 1,000 万元 plan this year
        "colour": 2,
        "light": "红灯",
        "reasons": "投资完成率 40%（本年累计 400.00 万元 / 序时计划 1,000.00 万元），低于序时进度 60 个百分点",
        "period": f"{YEAR}年2月下旬",
        "light_url": f"/lights/projects/{big.pk}/{YEAR}-02-3/",
    }
    small_card = card(office_user, small.pk)
    assert (small_card["total"], small_card["light"], small_card["rate"]) == ("2,000.00万元", "黄灯", "—")
    assert card(office_user, dark.pk)["light"] == "未亮灯"
    assert card(office_user, big.pk, year=YEAR - 1)["light"] == "绿灯"


def test_the_size_grows_with_the_square_root_of_the_investment():
    assert point_size(100, 100) == LARGEST
    assert point_size(25, 100) == SMALLEST + round((LARGEST - SMALLEST) / 2)
    assert point_size(0, 100) == point_size(5, 0) == SMALLEST


def test_a_reporter_sees_only_the_projects_of_their_unit(town, make_user):
    unit = town[0]
    reporter = make_user("unit_reporter", unit=unit)
    data = map_data(reporter, {})
    assert [p["name"] for p in data.points] == ["新能源电池材料项目", "湖滨农贸市场标准化改造"]
    assert data.unplaced == [] and data.total == 2


def test_the_filters_keep_a_colour_a_category_or_a_region(town, office_user):
    red = map_data(office_user, {"colour": "2"})
    assert [p["name"] for p in red.points] == ["新能源电池材料项目"]
    assert [p["name"] for p in red.unplaced] == ["绿色食品精深加工项目"]
    unlit = map_data(office_user, {"colour": "none"})
    assert [p["name"] for p in unlit.points] == ["矿大科技园综合服务中心"]
    assert map_data(office_user, {"category": "commerce"}).total == 0
    assert (
        map_data(office_user, {"colour": "purple"}).total == 5
    )  # a bad value filters nothing (the form says so)
    village = region("320311004201", "杏山子村")
    ProjectFactory(name="杏山子村项目", region=village, year=YEAR, **at(117.15, 34.2))
    street = village.parent
    boundary_of(street, [[[117.1, 34.15], [117.2, 34.15], [117.2, 34.25], [117.1, 34.25], [117.1, 34.15]]])
    data = map_data(office_user, {"region": street.pk})
    assert [p["name"] for p in data.points] == ["杏山子村项目"] and data.boundary.region == street


def test_last_years_map_shows_last_years_latest_light(town, office_user):
    assert map_data(office_user, {"year": str(YEAR - 1)}).total == 0  # no project entered the registry then
    data = map_data(office_user, {}, year=YEAR - 1)
    assert next(p for p in data.points if p["name"] == "新能源电池材料项目")["colour"] == 0


def test_the_data_is_read_in_the_same_few_queries_for_3_projects_as_for_30(district, office_user):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            map_data(office_user, {"colour": "0"})
        return len(captured)

    for n in range(3):
        lit(ProjectFactory(year=YEAR, **at(117.1 + n / 100, 34.2)), f"{YEAR}-03-1", n % 3)
    queries()  # the account's permissions are read once, on its first question
    few = queries()
    for n in range(27):
        lit(ProjectFactory(year=YEAR, **at(117.1 + n / 100, 34.2)), f"{YEAR}-03-1", n % 3)
    assert queries() == few <= 6


def test_an_evaluator_sees_the_points_without_lights(town, make_user):
    evaluator = make_user("evaluator", unit=town[0])
    data = map_data(evaluator, {})
    assert not data.lights_shown and len(data.points) == 2
    assert {p["colour"] for p in data.points} == {None}
    assert "light" not in card(evaluator, town[1].pk) and card(evaluator, town[1].pk)["total"] == "20.00亿元"


def test_the_page_embeds_the_points_and_lists_the_projects_off_the_map(town, office_client):
    response = office_client.get("/map/")
    html = response.content.decode()

    assert response.status_code == 200
    points = json.loads(
        re.search(r'<script id="onemap-points" type="application/json">(.*?)</script>', html).group(1)
    )
    assert [p["name"] for p in points] == [
        "新能源电池材料项目",
        "矿大科技园综合服务中心",
        "湖滨农贸市场标准化改造",
    ]
    boundary = json.loads(
        re.search(r'<script type="application/json" id="onemap-boundary">(.*?)</script>', html).group(1)
    )
    assert boundary["features"][0]["properties"]["name"] == "泉山区"
    unplaced = re.search(r'id="onemap-unplaced">(.*?)</section>', html, re.S).group(1)
    assert "未在图上的项目（2 个）" in unplaced and f'href="/projects/{town[4].pk}/"' in unplaced
    assert "echarts.min.js" in html and "http" not in re.sub(r'href="http[^"]*"', "", html.split("<main")[1])
    assert response.context["map"].filterset.form.fields["colour"].choices[0] == ("", "全部")


def test_the_page_without_a_boundary_says_so_and_still_lists_the_projects(office_client):
    region("320311", "泉山区")
    ProjectFactory(name="无坐标项目", year=YEAR)
    html = office_client.get("/map/").content.decode()
    assert "尚未上传行政区划边界" in html and "无坐标项目" in html


def test_a_bad_filter_value_answers_the_page_not_an_error(town, office_client):
    response = office_client.get("/map/?year=abc&region=999999&colour=9")
    assert response.status_code == 200


def test_the_card_view_answers_json_within_the_scope_and_404_outside(town, client, make_user):
    reporter = make_user("unit_reporter", unit=town[0])
    client.force_login(reporter)
    answer = client.get(f"/map/projects/{town[1].pk}/card/?year={YEAR}")
    assert answer.status_code == 200 and answer.json()["name"] == "新能源电池材料项目"
    assert "新能源电池材料项目" in answer.content.decode()  # UTF-8, not \u escapes
    assert client.get(f"/map/projects/{town[3].pk}/card/").status_code == 404  # another unit's
    assert client.get(f"/map/projects/{town[1].pk}/card/?year=abc").status_code == 200


def test_a_project_taken_out_of_the_registry_is_not_on_the_map(town, office_user):
    Project.objects.filter(pk=town[1].pk).update(is_archived=True)
    data = map_data(office_user, {})
    assert "新能源电池材料项目" not in [p["name"] for p in data.points] and data.total == 4


def test_the_cockpit_shows_the_map_as_a_panel_of_its_filtered_projects(town, office_client):
    html = office_client.get("/cockpit/").content.decode()
    assert 'id="panel-map"' in html and "项目一张图" in html
    points = json.loads(
        re.search(r'<script id="cockpit-map-points" type="application/json">(.*?)</script>', html).group(1)
    )
    assert len(points) == 3 and 'id="cockpit-map-card"' in html and f'href="/map/?year={YEAR}"' in html
    filtered = office_client.get("/cockpit/?category=commerce").content.decode()
    assert 'id="cockpit-map-points" type="application/json">[]<' in filtered
    assert f'href="/map/?category=commerce&amp;year={YEAR}"' in filtered


def test_the_cockpit_panel_lists_the_first_unplaced_projects_and_links_to_the_rest(district, office_client):
    from gongjian.onemap.panels import UNPLACED_LISTED

    for n in range(UNPLACED_LISTED + 3):
        lit(
            ProjectFactory(name=f"无坐标项目{n:02d}", year=YEAR, total_investment=10_000_000 * (n + 1)),
            f"{YEAR}-03-1",
            n % 3,
        )
    html = office_client.get(f"/cockpit/?year={YEAR}").content.decode()
    unplaced = re.search(r'id="cockpit-map-unplaced">(.*?)</section>', html, re.S).group(1)

    assert f"未在图上的项目（{UNPLACED_LISTED + 3} 个）" in unplaced
    assert (
        unplaced.count("<li>") == UNPLACED_LISTED
        and "无坐标项目22" in unplaced
        and "无坐标项目00" not in unplaced
    )
    assert "另有 3 个未列出" in unplaced and f'href="/map/?year={YEAR}"' in unplaced
    legend = re.search(r'id="cockpit-map-legend">(.*?)</ul>', html, re.S).group(1)
    assert re.sub(r"\s+|<[^>]+>", "", legend) == "红灯7黄灯8绿灯8未亮灯0"
