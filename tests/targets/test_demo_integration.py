"""The demo joins targets to attraction and the assessment: the attraction units' 签约金额 and 资金到位 are
computed from their leads against attraction's targets, and the year's scheme scores the responsible units on
their targets (目标完成) beside their investment, the headquarters ranked as before."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.assess import queries as assess_queries
from gongjian.assess.models import Run, Score
from gongjian.attraction import queries as attraction
from gongjian.attraction.models import AttractionTarget
from gongjian.demo.loader import DEMO_PASSWORD, load_demo
from gongjian.targets.choices import ActualState
from gongjian.targets.models import Actual, UnitTarget

YEAR = 2025

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_scores_units_on_targets_computed_from_their_leads(client):
    load_demo(year=YEAR, as_of=dt.date(YEAR, 12, 15))

    # 签约金额 of each attraction unit: its attraction target, and actuals that are its leads' signings.
    signed = UnitTarget.objects.filter(indicator__year=YEAR, indicator__name="签约金额").select_related(
        "unit"
    )
    assert signed.count() >= 5
    wanted = dict(
        AttractionTarget.objects.filter(year=YEAR, metric="signed_amount").values_list("unit_id", "value")
    )
    assert {t.unit_id: t.target for t in signed} == {k: Decimal(v) for k, v in wanted.items() if v}
    totals = attraction.unit_totals(YEAR, 9)
    for target in signed:
        september = Actual.objects.get(unit_target=target, month=9)
        assert september.computed and september.state == ActualState.APPROVED
        assert september.value == totals.get(target.unit_id, {}).get("signed_amount", 0)
    assert Actual.objects.filter(
        unit_target__indicator__name="资金到位", month=11, computed=True, state=ActualState.SUBMITTED
    ).exists()

    # The year's scheme scores units on 目标完成; headquarters keep their progress and evaluation.
    run = Run.objects.filter(state="published", period_code=f"{YEAR}-11").get()
    units = Score.objects.filter(run=run, subject_kind="unit")
    assert units.exists() and any(s.points.get("targets", 0) > 0 for s in units)
    best = max(units, key=lambda s: s.points.get("targets", 0))
    line = next(w for w in assess_queries.explanation(best) if w.startswith("目标完成："))
    assert "签约金额" in line and "亿元" in line and "完成率" in line
    headquarters = Score.objects.filter(run=run, subject_kind="headquarters")
    assert headquarters.exists() and all(s.points.get("targets") is None for s in headquarters)
    assert all(s.points.get("progress") is not None for s in headquarters)

    client.login(username="office", password=DEMO_PASSWORD)
    page = client.get(f"/assess/runs/{run.pk}/?kind=unit")
    assert page.status_code == 200 and best.subject_name in page.content.decode()
    detail = client.get(f"/assess/scores/{best.pk}/").content.decode()
    assert "目标完成" in detail
