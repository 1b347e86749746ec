"""The project page's own point (项目位置): on its region's boundary, or the nearest ancestor's, coloured by its
latest light; a project without coordinates says so."""

import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from gongjian.lights.models import Light
from gongjian.org import services as org
from tests.factories import ProjectFactory, region

pytestmark = pytest.mark.django_db

SQUARE = [[[117.0, 34.1], [117.3, 34.1], [117.3, 34.3], [117.0, 34.3], [117.0, 34.1]]]


def embedded(html, name):
    return json.loads(re.search(rf'id="site-map-{name}"[^>]*>(.*?)</script>', html, re.S).group(1))


def test_the_project_page_draws_its_point_on_the_boundary_of_its_nearest_region_that_has_one(office_client):
    district = region("320311", "泉山区")
    org.save_boundary(district, json.dumps({"type": "Polygon", "coordinates": SQUARE}).encode())
    village = region("320311004201", "杏山子村")
    project = ProjectFactory(
        name="新能源电池材料项目", region=village, longitude=Decimal("117.18"), latitude=Decimal("34.26")
    )
    Light.objects.create(
        project=project,
        period_code=f"{timezone.localdate().year}-01-3",
        colour=2,
        reasons=["连续 2 期未报送"],
        as_of=timezone.localdate(),
        rule_version=1,
        computed_at=timezone.now(),
        digest="x",
    )

    html = office_client.get(f"/projects/{project.pk}/").content.decode()

    [point] = embedded(html, "points")
    assert (point["name"], point["value"], point["colour"]) == ("新能源电池材料项目", [117.18, 34.26], 2)
    assert embedded(html, "boundary")["features"][0]["geometry"]["coordinates"] == SQUARE
    assert "底图：泉山区行政区划边界" in html


def test_a_project_without_coordinates_says_so(office_client):
    project = ProjectFactory(name="绿色食品精深加工项目")
    html = office_client.get(f"/projects/{project.pk}/").content.decode()
    assert "未标注现场坐标" in html and "site-map-points" not in html
