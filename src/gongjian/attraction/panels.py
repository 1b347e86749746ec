"""The five links of attraction as a panel of the leaders' cockpit (gongjian.core.panels): for the cockpit's year,
each unit's figures against its targets (the units of the park or region chosen, when one is), every figure a
link to the leads it counted. The project filters (category, level) do not apply to leads."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from gongjian.attraction import queries
from gongjian.attraction.choices import USD_METRICS, YUAN_METRICS, Metric
from gongjian.core.money import format_wan
from gongjian.core.panels import View, register
from gongjian.org.models import Region, Unit

SHOWN = ("leads", "signed_count", "signed_amount", "funds_amount", "starts", "big_projects", "foreign_usd")
TOP = 10


def _units(view: View) -> set[int] | None:
    park, region = view.filters.get("park"), view.filters.get("region")
    units = Unit.objects.all()
    if park and str(park).isdigit():
        path = Unit.objects.filter(pk=int(park)).values_list("path", flat=True).first() or "-"
        units = units.filter(path__startswith=path)
    elif region and str(region).isdigit():
        path = Region.objects.filter(pk=int(region)).values_list("path", flat=True).first() or "-"
        units = units.filter(region__path__startswith=path)
    else:
        return None
    return set(units.values_list("pk", flat=True))


def _shown(metric: str, value: int | None) -> str:
    if value is None:
        return "—"
    return format_wan(value) if metric in YUAN_METRICS or metric in USD_METRICS else str(value)


@register(
    "attraction",
    title="招商引资五个环节",
    template="attraction/panel.html",
    order=35,
    permission="attraction.view_lead",
    wide=True,
)
def attraction_panel(view: View) -> dict | None:
    through = view.today.month if view.year == view.today.year else 12
    data = queries.funnel(view.user, view.year, through, _units(view))
    base = reverse("attraction:lead_list")

    def link(metric: str, unit_id: int | None = None) -> str:
        params = {"year": view.year, "through": through, "link": metric}
        if unit_id:
            params["unit"] = unit_id
        return f"{base}?{urlencode(params)}"

    def cells(row, unit_id=None):
        return [
            {
                "value": _shown(m, row.values[m]),
                "target": _shown(m, row.targets.get(m)),
                "rate": row.rates[m],
                "link": link(m, unit_id),
            }
            for m in SHOWN
        ]

    headers = []
    for m in SHOWN:
        label = str(Metric(m).label)
        headers.append(label.replace("（元）", "（万元）").replace("（美元）", "（万美元）"))
    return {
        "year": view.year,
        "through": through,
        "headers": headers,
        "total": cells(data.total),
        "rows": [(r, cells(r, r.unit_id)) for r in data.rows[:TOP]],
        "more": max(0, len(data.rows) - TOP),
        "link": f"{reverse('attraction:funnel')}?{urlencode({'year': view.year, 'through': through})}",
    }
