"""The demo district's pipeline: this year's plan issued with the registry's 36 projects linked (none made twice),
next year's reserve at every readiness with its tags, next year's draft plan, this year's three campaigns with their
totals, and registry projects tagged 四个一批."""

import datetime as dt

import pytest

from gongjian.demo.loader import load_demo
from gongjian.pipeline.choices import CampaignKind, Origin, PlanState, Readiness, ReserveState
from gongjian.pipeline.models import AnnualPlan, ReserveProject
from gongjian.pipeline.queries import campaigns_with_totals
from gongjian.projects.models import Project

YEAR = 2026


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_loads_the_pipeline(db):
    load_demo(year=YEAR, as_of=dt.date(YEAR, 5, 20))

    assert Project.objects.count() == 36
    issued = AnnualPlan.objects.get(year=YEAR)
    assert issued.state == PlanState.ISSUED and issued.number and issued.content
    linked = ReserveProject.objects.filter(plan_items__plan=issued)
    assert linked.count() == 36
    assert set(linked.values_list("project_id", flat=True)) == set(
        Project.objects.values_list("pk", flat=True)
    )
    assert set(linked.values_list("state", flat=True)) == {ReserveState.REGISTERED}

    reserve = ReserveProject.objects.filter(start_year=YEAR + 1)
    assert reserve.count() == 30
    assert set(reserve.values_list("readiness", flat=True)) == set(Readiness.values)
    assert reserve.filter(origin=Origin.ATTRACTION).count() >= 5
    assert reserve.exclude(batch="").count() >= 15
    assert reserve.filter(state=ReserveState.WITHDRAWN).count() == 1

    draft = AnnualPlan.objects.get(year=YEAR + 1)
    assert draft.state == PlanState.DRAFT and draft.items.count() == 12

    campaigns = {c.kind: c for c in campaigns_with_totals()}
    assert set(campaigns) == set(CampaignKind.values)
    assert all(c.item_count and c.total for c in campaigns.values())
    assert campaigns[CampaignKind.START].held_on.month == 3

    assert Project.objects.exclude(batch="").count() >= 8
