"""The map as a panel of the leaders' cockpit (驾驶舱), registered like any domain's (``gongjian.core.panels``): the
cockpit's projects (in the viewer's scope, filtered by its region, park, category and level) on the boundary of
the region chosen, with the same card and list as the map page."""

from __future__ import annotations

from django.urls import reverse

from gongjian.core.panels import View, register
from gongjian.onemap.queries import map_data

UNPLACED_LISTED = 20  # the unplaced projects the panel lists; the map page lists them all


@register("map", title="项目一张图", template="onemap/panels/map.html", order=25, wide=True, on_screen=False)
def map_panel(view: View) -> dict:
    return {
        "map": map_data(
            view.user, dict(view.filters), year=view.year, projects=view.projects, listed=UNPLACED_LISTED
        ),
        "link": view.link(reverse("onemap:map"), year=view.year),
    }
