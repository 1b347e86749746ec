"""A small district the assessment tests share: two headquarters, one project each, and the November 中旬
reports that put one on plan and the other at half of it."""

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.assess import services
from gongjian.core.periods import Period
from gongjian.org.choices import UnitKind
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory

PLAN = [1_000_000] * 36


@pytest.fixture
def district(office_user):
    return build_district(office_user)


def build_district(office_user):
    unit = UnitFactory(name="工信局")
    fast_hq = UnitFactory(name="智能装备产业园指挥部", kind=UnitKind.HEADQUARTERS)
    slow_hq = UnitFactory(name="商贸城指挥部", kind=UnitKind.HEADQUARTERS)
    fast = ProjectFactory(name="快项目", responsible_unit=unit, headquarters=fast_hq, plan=PLAN)
    slow = ProjectFactory(name="慢项目", responsible_unit=unit, headquarters=slow_hq, plan=PLAN)
    opens = timezone.make_aware(dt.datetime(2026, 11, 11))
    period = reports.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=13), actor=office_user
    )
    filed = timezone.make_aware(dt.datetime(2026, 11, 20, 10))
    for project, done in ((fast, 32_000_000), (slow, 16_000_000)):  # plan to 11-2: 3,200 万元
        Report.objects.create(
            project=project,
            period=period,
            state="approved",
            amount=done,
            year_to_date=done,
            since_start=done,
            first_submitted_at=filed,
            submitted_at=filed,
        )
    return {"fast_hq": fast_hq, "slow_hq": slow_hq, "fast": fast, "slow": slow}


def publish_period(code: str, actor):
    """Assess ``code`` (a fresh draft) and publish it as read, the way the office does on the pages."""
    run = services.run_assessment(code, actor=actor)
    return services.publish(run, actor=actor, expected_version=run.version)


def open_current_dekad(office_user, *, deadline_in=dt.timedelta(days=3)):
    """Today's ten-day period, open for filing until ``deadline_in`` after now (the period's own end falls
    later still when the deadline is earlier)."""
    now = timezone.now()
    period = Period.dekad_of(timezone.localdate())
    reports.open_period(
        period.code, opens_at=now - dt.timedelta(days=2), deadline=now + deadline_in, actor=office_user
    )
    return period


def started_task(client, answer, headers) -> dict:
    """A 202 answer's task, as the API shows it once it ended (tests run tasks at once)."""
    assert answer.status_code == 202, answer.content
    started = answer.json()
    assert started["url"] == f"/api/v1/tasks/{started['task_id']}"
    return client.get(started["url"], **headers).json()


def run_over_api(client, body: dict, headers: dict, *, batch: bool = False):
    """Assess over the API (one period, or several with ``batch``) and follow the task to its end: the run — or
    the runs, in period order — as ``GET /api/v1/assess/runs/{id}`` gives them."""
    answer = client.post(
        f"/api/v1/assess/runs{'/batch' if batch else ''}", body, content_type="application/json", **headers
    )
    task = started_task(client, answer, headers)
    assert task["state"] == "succeeded", task
    runs = [
        client.get(f"/api/v1/assess/runs/{run['id']}", **headers).json() for run in task["result"]["runs"]
    ]
    return runs if batch else runs[0]
