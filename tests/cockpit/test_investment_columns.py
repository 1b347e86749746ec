"""The lights' investment columns (Light.plan_to_date, done_to_date), which the cockpit sums, hold what the lights'
figures say: after a recompute of every project and after one project's relight. (How an upgrade fills the columns
of lights kept before them: tests/lights/test_upgrade_light_facts.py.)"""

import datetime as dt

import pytest
from django.db.models import Sum

from gongjian.cockpit import queries
from gongjian.core.panels import View
from gongjian.core.periods import Period
from gongjian.lights import services
from gongjian.lights.models import Light, LightRule
from tests.factories import ProjectFactory, UnitFactory
from tests.lights.test_services import approved

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)  # 2026-11-3
PLAN = [1_000_000] * 36


def from_json() -> dict[str, tuple]:
    """Per period, the sums of the lights' figures (what a light shows; the cockpit summed them before the
    columns): None where no light of the period has investment figures."""
    sums: dict[str, tuple] = {}
    for light in Light.objects.all():
        investment = light.figures["investment"]
        plan, done = sums.get(light.period_code, (None, None))
        if investment:
            plan, done = (plan or 0) + investment["plan_to_date"], (done or 0) + investment["done_to_date"]
        sums[light.period_code] = (plan, done)
    return sums


def from_columns() -> dict[str, tuple]:
    return {
        code: (plan, done)
        for code, plan, done in Light.objects.values("period_code")
        .annotate(plan=Sum("plan_to_date"), done=Sum("done_to_date"))
        .values_list("period_code", "plan", "done")
        .order_by()
    }


def each_light_agrees() -> None:
    for light in Light.objects.all():
        investment, plan, done = light.figures.get("investment"), light.plan_to_date, light.done_to_date
        assert (plan, done) == (
            (investment["plan_to_date"], investment["done_to_date"]) if investment else (None, None)
        )


def cockpit(user) -> queries.Investment:
    queries.lights.forget()
    projects, _words = queries.projects_of(user, {})
    return queries.investment(View(user=user, year=2026, today=TODAY, filters={}, projects=projects))


def test_the_columns_hold_the_figures_after_a_recompute_and_a_relight(make_user):
    office = make_user("project_office")
    unit = UnitFactory(name="工信局")
    a = ProjectFactory(responsible_unit=unit, category="industry", plan=PLAN)
    b = ProjectFactory(responsible_unit=unit, category="industry", plan=[2_000_000] * 36)
    # the investment dimension is not judged for commerce projects: their lights have no investment figures
    LightRule.objects.create(dimension="investment", categories=["commerce"], enabled=False)
    services.publish_rules(actor=None)
    c = ProjectFactory(responsible_unit=unit, category="commerce", plan=PLAN)
    approved(a, "2026-10-3", 20_000_000, office=office)
    approved(b, "2026-09-3", 30_000_000, office=office)
    approved(c, "2026-10-3", 50_000_000, office=office)
    services.recompute(today=TODAY)

    assert Light.objects.filter(project=c, plan_to_date__isnull=True).count() == 33
    each_light_agrees()
    before = from_json()
    assert from_columns() == before
    assert before["2026-10-3"] == (30 * 1_000_000 + 30 * 2_000_000, 20_000_000 + 30_000_000)
    inv = cockpit(office)
    assert inv.codes[-1] == "2026-11-3" and inv.done_to_date[-2] == 50_000_000
    assert list(zip(inv.plan_to_date, inv.done_to_date, strict=True)) == [before[code] for code in inv.codes]

    # one project relit after its November report: its lights' columns move with their figures
    approved(a, "2026-11-1", 25_000_000, office=office)
    services.recompute([a.pk], today=TODAY)
    each_light_agrees()
    after = from_json()
    assert after["2026-11-3"] == (before["2026-11-3"][0], before["2026-11-3"][1] + 5_000_000)
    assert from_columns() == after
    assert cockpit(office).done == after[Period.dekad_of(TODAY).code][1]
