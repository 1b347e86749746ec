"""Upgrading lights kept as they were before 0009 (their dimensions and their figures as JSON) to lights that keep
their dimensions as columns and the facts they were judged on: one ``migrate``, and every light shows the same
dimensions and figures as before, now written from its facts, and is judged as of the same day."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongjian.lights import services
from gongjian.lights.models import Light
from gongjian.lights.services.cases import open_case
from gongjian.projects.models import Milestone
from tests.factories import ProjectFactory, UnitFactory
from tests.lights.test_services import approved

TODAY = dt.date(
    2026, 11, 23
)  # lit as of 2026年11月下旬, a past day: the light of that period is judged as of it
BEFORE = ("lights", "0008_case_raised_by")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _shown() -> dict[tuple[int, str], tuple]:
    return {
        (light.project_id, light.period_code): (light.dimensions, light.figures, light.as_of, light.reasons)
        for light in Light.objects.all()
    }


@pytest.mark.django_db(transaction=True)
def test_one_migrate_keeps_every_lights_dimensions_figures_and_day(make_user):
    office = make_user("project_office")
    unit = UnitFactory(name="住建局")
    # late in every way: a milestone past its date, an overdue problem, not started, investment behind
    late = ProjectFactory(
        name="棚户区改造", responsible_unit=unit, plan=[1_000_000] * 36, planned_start=dt.date(2026, 3, 5)
    )
    Milestone.objects.create(project=late, kind="topping_out", planned_date=dt.date(2026, 6, 30))
    open_case(
        late,
        kind="problem",
        title="安置用地指标未落实",
        reasons=["安置用地指标未落实"],
        owner=unit,
        period_code="2026-09-1",
        deadline=dt.date(2026, 9, 15),
    )
    approved(late, "2026-10-3", 12_000_000, office=office)
    on_time = ProjectFactory(
        name="产业园", responsible_unit=unit, plan=[1_000_000] * 36, actual_start=dt.date(2026, 1, 5)
    )
    approved(on_time, "2026-11-2", 33_000_000, office=office)
    services.recompute(today=TODAY)
    shown = _shown()
    figures = [f for _d, f, _a, _r in shown.values()]
    assert any((f["milestone"] or {}).get("days_overdue", 0) > 0 for f in figures)
    assert any((f["problem"] or {}).get("workdays_overdue", 0) > 0 for f in figures)
    assert any((f["start"] or {}).get("red_from") for f in figures)
    assert shown[(late.pk, "2026-11-3")][2] == TODAY and shown[(late.pk, "2026-10-3")][2] == dt.date(
        2026, 10, 31
    )

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    before = [node for node in latest if node[0] != "lights"] + [BEFORE]
    try:
        # given the lights as 0008 kept them: dimensions and figures as JSON, no facts
        old = _migrate([BEFORE]).loader.project_state(before).apps.get_model("lights", "Light")
        for light in old.objects.all():
            dimensions, figures, _as_of, _reasons = shown[(light.project_id, light.period_code)]
            light.dimensions, light.figures = dimensions, figures
            light.save(update_fields=["dimensions", "figures"])
        assert old.objects.filter(figures={}).count() == 0
        _migrate(latest)
    finally:
        _migrate(latest)

    assert _shown() == shown
