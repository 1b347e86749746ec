"""The pipeline's panel of the leaders' cockpit (驾驶舱): the reserve by readiness (what is ripening for next year's
plan) and the latest campaigns' totals, each figure linking to the list behind it."""

from __future__ import annotations

from django.urls import reverse

from gongjian.core.panels import View, register
from gongjian.pipeline import queries
from gongjian.pipeline.models import ReserveProject


@register(
    "pipeline",
    title="项目储备与集中活动",
    template="pipeline/panels/pipeline.html",
    order=70,
    permission="pipeline.view_reserveproject",
)
def pipeline_panel(view: View) -> dict | None:
    reserve_list = reverse("pipeline:reserve_list")
    readiness = [
        r | {"link": f"{reserve_list}?readiness={r['readiness']}"}
        for r in queries.by_readiness(ReserveProject.objects.in_scope(view.user))
    ]
    campaigns = [
        {
            "name": c.name,
            "kind": c.get_kind_display(),
            "held_on": c.held_on,
            "count": c.item_count,
            "total": c.total or 0,
            "link": reverse("pipeline:campaign_detail", args=[c.pk]),
        }
        for c in queries.campaigns_with_totals().order_by("-held_on", "-id")[:3]
    ]
    if not any(r["count"] for r in readiness) and not campaigns:
        return None
    return {
        "readiness": readiness,
        "count": sum(r["count"] for r in readiness),
        "total": sum(r["total"] for r in readiness),
        "reserve_link": reserve_list,
        "campaigns": campaigns,
        "campaign_link": reverse("pipeline:campaign_list"),
    }
