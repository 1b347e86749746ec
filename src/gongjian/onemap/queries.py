"""The map (一张图): every project the viewer may see as a point from its coordinates, coloured by its latest light,
sized by its total investment, on the boundary of the region shown; projects without coordinates (or outside the
map) listed beside it. :func:`map_data` reads it all for the page, the cockpit's panel and the tests, in the same
three queries for ten projects or ten thousand; :func:`card` reads one project's figures when its point is clicked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import FloatField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
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
    # On the map, largest first (so small ones are drawn on top): {id, name, value: [lon, lat], size, colour}.
    points: list[dict[str, Any]]
    unplaced: list[
        dict[str, Any]
    ]  # no coordinates, or outside the boundary shown: {id, name, unit, url, why}
    counts: dict[str, int] = field(default_factory=dict)  # by colour key: "0", "1", "2", "none"
    lights_shown: bool = True
    # How many of the unplaced the list beside the map shows (None: all). The cockpit's panel shows the first
    # few and links to the map page for the rest: ten thousand items in a panel are read by nobody and took most
    # of the cockpit's time.
    listed: int | None = None

    @property
    def total(self) -> int:
        return len(self.points) + len(self.unplaced)

    @property
    def boundary_text(self) -> SafeString:
        return boundary_script_text(self.boundary)

    @property
    def unplaced_items(self) -> SafeString:
        """The list beside the map as HTML items, written in Python: a thousand of them through the template
        engine took a quarter of a second."""
        shown = self.unplaced if self.listed is None else self.unplaced[: self.listed]
        return format_html_join(
            "",
            '<li><a href="{}">{}</a> <small class="muted">{} · {}</small></li>',
            ((p["url"], p["name"], p["unit"], p["why"]) for p in shown),
        )

    @property
    def unlisted(self) -> int:
        """The unplaced projects the list leaves out (see ``listed``)."""
        return 0 if self.listed is None else max(0, len(self.unplaced) - self.listed)

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


def _of_year(year: int) -> dict[str, str]:
    """The light periods of ``year`` as a range of codes (``2026-01-1`` … ``2026-12-3``), which the (project,
    period) index answers; a LIKE would be a filter after it on PostgreSQL."""
    return {"period_code__gt": f"{year}-", "period_code__lt": f"{year + 1}"}


def latest_colour(year: int) -> Subquery:
    """A project's latest light colour of ``year``: one backward step on the (project, period) index."""
    latest = Light.objects.filter(project=OuterRef("pk"), **_of_year(year)).order_by("-period_code")
    return Subquery(latest.values("colour")[:1])


def _year(data, year: int | None) -> int:
    try:
        return year or int(data.get("year") or timezone.localdate().year)
    except (TypeError, ValueError):
        return timezone.localdate().year


def latest_colours(projects, year: int) -> dict[int, int]:
    """Each of ``projects``' latest light colour of ``year`` ({project id: colour}), for many projects at once:
    the lights of the year's latest lit period in one read of the (period, …) index, and the correlated look-up
    of :func:`latest_colour` only for the projects that period did not light (new or taken out of the registry)."""
    latest = (
        Light.objects.filter(**_of_year(year)).order_by("-period_code").values_list("period_code", flat=True)
    )
    code = latest.first()
    if code is None:
        return {}
    colours = dict(
        Light.objects.filter(period_code=code, project__in=projects.values("pk")).values_list(
            "project_id", "colour"
        )
    )
    rest = projects.exclude(pk__in=Light.objects.filter(period_code=code).values("project_id"))
    for pk, colour in rest.annotate(colour=latest_colour(year)).values_list("pk", "colour"):
        if colour is not None:
            colours[pk] = colour
    return colours


def map_data(
    user, data=None, *, year: int | None = None, projects=None, listed: int | None = None
) -> MapData:
    """What the map shows ``user`` with the filters in ``data`` (the page's query string): every project in the
    user's scope that is in the registry (出库 projects are not lit, nor drawn) and that the filters keep, with
    its latest light of the year. ``projects`` is the set to start from instead (the cockpit's, in scope and
    filtered already)."""
    data = data if data is not None else {}
    year = _year(data, year)
    queryset = Project.objects.in_scope(user).filter(is_archived=False) if projects is None else projects
    filterset = MapFilterSet(data or None, queryset=queryset)
    valid = not filterset.is_bound or filterset.is_valid()
    projects = filterset.qs if filterset.is_bound and valid else queryset
    chosen = filterset.form.cleaned_data if filterset.is_bound and valid else {}
    colour = chosen.get("colour") or ""
    boundary = boundary_for(chosen.get("region"))

    lights_shown = user.has_perm("lights.view_light")
    colours = latest_colours(projects, year) if lights_shown else {}
    rows = [
        (pk, name, unit, lon, lat, total, colours.get(pk))
        for pk, name, unit, lon, lat, total in projects.order_by("-total_investment", "pk")
        .annotate(
            # as floats straight from the database: 20,000 Decimals made and turned into floats cost a fifth of
            # the time
            lon=Cast("longitude", FloatField()),
            lat=Cast("latitude", FloatField()),
        )
        .values_list("pk", "name", "responsible_unit__name", "lon", "lat", "total_investment")
    ]
    largest = max((row[5] for row in rows), default=0)
    west, south, east, north = (
        boundary.bbox if boundary and len(boundary.bbox or []) == 4 else (-180, -90, 180, 90)
    )
    url = reverse("projects:project_detail", args=[0])[:-2]  # "/projects/" + id + "/"
    missing, outside = _("未标注坐标"), _("坐标不在地图范围内")
    points, unplaced, counts = [], [], {}
    for pk, name, unit, lon, lat, total, light in rows:
        key = NO_LIGHT if light is None else str(light)
        if colour and key != colour:
            continue
        counts[key] = counts.get(key, 0) + 1
        if lon is None or lat is None:
            unplaced.append(
                {"id": pk, "name": name, "unit": unit or "", "url": f"{url}{pk}/", "why": missing}
            )
            continue
        if not (west <= lon <= east and south <= lat <= north):
            unplaced.append(
                {"id": pk, "name": name, "unit": unit or "", "url": f"{url}{pk}/", "why": outside}
            )
            continue
        points.append(
            {"id": pk, "name": name, "value": [lon, lat], "size": point_size(total, largest), "colour": light}
        )
    return MapData(filterset, year, boundary, points, unplaced, counts, lights_shown, listed)


def card(user, pk: int, *, year: int | None = None) -> dict[str, Any] | None:
    """The card of a point (项目卡片): the project's name, unit, total investment, this year's completion rate (the
    investment done this year by its latest light, of the year's plan) and its latest light with the reasons; None
    when ``user`` may not see the project."""
    year = year or timezone.localdate().year
    row = (
        Project.objects.in_scope(user)
        .with_plan(year)
        .filter(pk=pk)
        .values_list("pk", "name", "responsible_unit__name", "total_investment", "plan_total")
        .first()
    )
    if row is None:
        return None
    pk, name, unit, total, plan = row
    result = {
        "id": pk,
        "name": name,
        "unit": unit or "",
        "url": reverse("projects:project_detail", args=[pk]),
        "total": format_money(total),
        "rate": "—",
    }
    light = None
    if user.has_perm("lights.view_light"):
        light = (
            Light.objects.filter(project_id=pk, **_of_year(year))
            .order_by("-period_code")
            .values_list("period_code", "colour", "reasons", "done_to_date")
            .first()
        )
        result |= {"colour": None, "light": _("未亮灯"), "reasons": _("本年尚无亮灯记录"), "period": ""}
    if light is not None:
        code, colour, reasons, done = light
        result |= {
            "colour": colour,
            "light": str(Colour(colour).label),
            "reasons": "；".join(reasons) if reasons else _("各项指标正常"),
            "period": str(Period.parse(code)),
            "light_url": reverse("lights:light_detail", args=[pk, code]),
        }
        if done is not None and plan:
            result["rate"] = f"{int(done) * 100 / plan:.1f}%"
    return result
