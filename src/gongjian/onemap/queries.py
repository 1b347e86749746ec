"""The map (一张图): every project the viewer may see as a point from its coordinates, coloured by its latest light,
sized by its total investment, on the boundary of the region shown; projects without coordinates (or outside the
map) listed beside it. One function reads it all for the page, the cockpit's panel and the tests."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core.money import format_money
from gongjian.core.periods import Period
from gongjian.lights.choices import Colour
from gongjian.lights.models import Light
from gongjian.onemap.filters import NO_LIGHT, MapFilterSet
from gongjian.org.models import RegionBoundary
from gongjian.org.queries import boundary_for, boundary_script_text
from gongjian.projects.models import Project

SMALLEST, LARGEST = 6, 30  # a point's diameter in pixels, for the smallest and the largest investment


@dataclass
class MapData:
    filterset: MapFilterSet
    year: int
    boundary: RegionBoundary | None
    points: list[dict[str, Any]]  # placed on the map, largest first (so small ones are drawn on top)
    unplaced: list[dict[str, Any]]  # no coordinates, or coordinates outside the boundary shown
    counts: dict[str, int] = field(default_factory=dict)  # by colour key: "0", "1", "2", "none"
    lights_shown: bool = True

    @property
    def total(self) -> int:
        return len(self.points) + len(self.unplaced)

    @property
    def boundary_text(self):
        return boundary_script_text(self.boundary)

    @property
    def legend(self) -> list[tuple[str, str, int]]:
        """(colour key, label, projects) in the order of the map's legend: red first."""
        labels = {str(value): label for value, label in Colour.choices} | {NO_LIGHT: _("未亮灯")}
        return [(key, labels[key], self.counts.get(key, 0)) for key in ("2", "1", "0", NO_LIGHT)]


def point_size(total: int, largest: int) -> int:
    """The diameter of a project's point: by the square root of its investment, so the area grows with it."""
    if largest <= 0 or total <= 0:
        return SMALLEST
    return SMALLEST + round((LARGEST - SMALLEST) * math.sqrt(min(total, largest) / largest))


def latest_lights(projects, year: int) -> dict[int, tuple]:
    """Each project's latest light of ``year`` as (period code, colour, reasons, investment done this year), in one
    query: the light's id is found per project by the (project, period) index, then the lights are read by id."""
    latest = (
        Light.objects.filter(project=OuterRef("pk"), period_code__startswith=f"{year}-")
        .order_by("-period_code")
        .values("pk")[:1]
    )
    ids = projects.order_by().annotate(light_id=Subquery(latest)).values("light_id")
    rows = Light.objects.filter(pk__in=ids).values_list(
        "project_id", "period_code", "colour", "reasons", KT("figures__investment__done_to_date")
    )
    return {row[0]: row[1:] for row in rows}


def map_data(user, data=None, *, year: int | None = None) -> MapData:
    """What the map shows ``user`` with the filters in ``data`` (the page's query string): every project in the
    user's scope that the filters keep, read with its latest light in two queries whatever their number."""
    data = data if data is not None else {}
    try:
        year = year or int(data.get("year") or timezone.localdate().year)
    except (TypeError, ValueError):
        year = timezone.localdate().year
    queryset = Project.objects.in_scope(user).with_plan(year)
    filterset = MapFilterSet(data or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    projects = filterset.qs if filterset.is_bound and valid else queryset
    region = filterset.form.cleaned_data.get("region") if filterset.is_bound and valid else None
    colour = filterset.form.cleaned_data.get("colour") if filterset.is_bound and valid else ""
    boundary = boundary_for(region)

    lights_shown = user.has_perm("lights.view_light")
    lights = latest_lights(projects, year) if lights_shown else {}
    rows = list(
        projects.order_by("-total_investment", "pk").values_list(
            "pk", "name", "responsible_unit__name", "longitude", "latitude", "total_investment", "plan_total"
        )
    )
    largest = max((row[5] for row in rows), default=0)
    labels = {value: str(label) for value, label in Colour.choices}
    no_light, no_reason, all_well = _("未亮灯"), _("本年尚无亮灯记录"), _("各项指标正常")
    west, south, east, north = boundary.bbox if boundary and boundary.bbox else (-180, -90, 180, 90)
    url = reverse("projects:project_detail", args=[0])[:-2]  # "/projects/" + id + "/"
    periods: dict[str, str] = {}
    points, unplaced, counts = [], [], {}
    for pk, name, unit, lon, lat, total, plan in rows:
        light = lights.get(pk)
        key = str(light[1]) if light else NO_LIGHT
        if colour and key != colour:
            continue
        counts[key] = counts.get(key, 0) + 1
        item = {"id": pk, "name": name, "unit": unit or "", "url": f"{url}{pk}/"}
        if lon is None or lat is None:
            unplaced.append(item | {"why": _("未标注坐标")})
            continue
        lon, lat = float(lon), float(lat)
        if not (west <= lon <= east and south <= lat <= north):
            unplaced.append(item | {"why": _("坐标不在地图范围内")})
            continue
        done = int(light[3]) if light and light[3] is not None else None
        rate = f"{done * 100 / plan:.1f}%" if done is not None and plan else "—"
        point = item | {
            "value": [lon, lat],
            "size": point_size(total, largest),
            "total": format_money(total),
            "rate": rate,
            "colour": light[1] if light else None,
        }
        if lights_shown:
            point["light"] = labels[light[1]] if light else no_light
            point["reasons"] = _reasons(light, no_reason, all_well)
            point["period"] = periods.setdefault(light[0], str(Period.parse(light[0]))) if light else ""
        points.append(point)
    return MapData(filterset, year, boundary, points, unplaced, counts, lights_shown)


def _reasons(light, no_reason: str, all_well: str) -> str:
    if light is None:
        return no_reason
    return "；".join(light[2]) if light[2] else all_well
