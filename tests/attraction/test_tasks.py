"""Stalled leads: the unit is reminded once per stall, and the 待办 counts them for its staff."""

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.attraction import queries, services
from gongjian.core import todo
from gongjian.core.models import Notification
from gongjian.schedule import steps

pytestmark = pytest.mark.django_db


def test_a_stalled_lead_reminds_its_unit_once_per_stall(reporter, other_reporter, make_lead, settings):
    settings.GONGJIAN_LEAD_STALL_DAYS = 30
    old = timezone.localdate() - dt.timedelta(days=45)
    lead = make_lead("talks", found_on=old)
    make_lead("talks")  # followed 20 days ago: not stalled
    assert services.remind_stalled() == 1
    [note] = Notification.objects.filter(user=reporter)
    assert "1 个项目超过 30 天未跟进" in note.title and "stalled=1" in note.url
    assert not Notification.objects.filter(user=other_reporter).exists()
    assert services.remind_stalled() == 0  # once per stall
    # A new step ends the stall; a new stall later is reminded again.
    services.add_step(
        lead, text="回访", on=old + dt.timedelta(days=1), actor=reporter, expected_version=lead.version
    )
    assert services.remind_stalled() == 1


def test_the_todo_counts_the_unit_s_stalled_leads(reporter, make_lead):
    make_lead("talks", found_on=timezone.localdate() - dt.timedelta(days=90))
    assert queries.stalled_count_for(reporter) == 1
    items = {item.kind.key: item for item in todo.items(reporter)}
    assert items["attraction.stalled"].count == 1


def test_the_scheduler_runs_the_stall_reminder(make_lead):
    make_lead("talks", found_on=timezone.localdate() - dt.timedelta(days=90))
    record = steps.run([s for s in steps.STEPS if s.name == "attraction.stalled"])
    assert record.ok and "1" in record.steps[0]["summary"]
