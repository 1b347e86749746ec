"""Reading the pipeline: the reserve in a user's scope, its totals by readiness, a plan's totals by category, the
campaigns with their totals."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from gongjian.pipeline.choices import Readiness, ReserveState
from gongjian.pipeline.models import AnnualPlan, Campaign, PlanItem, ReserveProject
from gongjian.projects.choices import Category


def reserves(user) -> QuerySet[ReserveProject]:
    return ReserveProject.objects.in_scope(user).select_related(
        "region", "park", "owner", "responsible_unit", "project"
    )


def by_readiness(queryset: QuerySet[ReserveProject]) -> list[dict]:
    """Count and expected investment (yuan) of the reserve still open, per readiness in its order."""
    rows = {
        r["readiness"]: r
        for r in queryset.filter(state__in=[ReserveState.RESERVE, ReserveState.PLANNED])
        .values("readiness")
        .annotate(count=Count("id"), total=Sum("total_investment"))
    }
    return [
        {
            "readiness": value,
            "label": str(label),
            "count": rows.get(value, {}).get("count", 0),
            "total": rows.get(value, {}).get("total") or 0,
        }
        for value, label in Readiness.choices
    ]


def plan_items(plan: AnnualPlan) -> QuerySet[PlanItem]:
    return (
        plan.items.select_related(
            "reserve__owner", "reserve__region", "responsible_unit", "headquarters", "reserve__project"
        )
        .prefetch_related("leaders")
        .order_by("sequence", "id")
    )


def plan_totals(items) -> dict:
    """Counts, total investment and the year's plan (yuan) of ``items``, overall and per category."""
    groups: dict[str, dict] = {}
    for item in items:
        g = groups.setdefault(item.reserve.category, {"count": 0, "total": 0, "annual": 0})
        g["count"] += 1
        g["total"] += item.reserve.total_investment
        g["annual"] += item.planned_investment
    categories = [
        {"category": value, "label": str(label), **groups[value]}
        for value, label in Category.choices
        if value in groups
    ]
    return {
        "count": sum(g["count"] for g in groups.values()),
        "total": sum(g["total"] for g in groups.values()),
        "annual": sum(g["annual"] for g in groups.values()),
        "categories": categories,
    }


def campaigns_with_totals() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(
        item_count=Count("items"),
        total=Sum("items__amount"),
        project_count=Count("items", filter=Q(items__project__isnull=False)),
    )
