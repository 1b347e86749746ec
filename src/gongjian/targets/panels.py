"""The targets' completion as a panel of the leaders' cockpit (驾驶舱), registered like any domain's
(``gongjian.core.panels``): each indicator of the year against the time-elapsed line (序时进度), every figure a
link to its indicator's page. The targets are the units', so the cockpit's project filters do not narrow them."""

from __future__ import annotations

from django.urls import reverse

from gongjian.core.panels import View, register
from gongjian.targets import queries


@register(
    "targets",
    title="目标完成情况（对照序时进度）",
    template="targets/panels/completion.html",
    order=35,
    permission="targets.view_indicator",
    wide=True,
)
def completion_panel(view: View) -> dict | None:
    month = queries.current_month(view.year)
    if not month:
        return None
    summaries = queries.board(view.year, user=view.user, through_month=month)
    if not summaries:
        return None
    return {
        "year": view.year,
        "month": month,
        "rows": [
            {
                "summary": s,
                "link": f"{reverse('targets:indicator_detail', args=[s.indicator.pk])}?month={month}",
                "gap": None if s.rate is None or s.elapsed is None else s.rate - s.elapsed,
            }
            for s in summaries
        ],
        "link": f"{reverse('targets:board')}?year={view.year}&month={month}",
    }
