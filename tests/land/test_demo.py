"""The demo's land acquisition: the park's task with two villages and about 300 households, valid ID numbers, an
autumn campaign where the cadres sign first, a few approved deviations, and figures the ledger, the audit and the
panel show."""

import datetime as dt

import pytest

from gongjian.core.identifiers import check_citizen_id
from gongjian.demo.loader import load_demo
from gongjian.land import access, queries
from gongjian.land.models import Household, Task

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture
def demo():
    load_demo(year=2026, as_of=AS_OF)
    return Task.objects.get()


def test_the_demo_has_the_parks_task_with_two_villages_and_about_300_households(demo):
    assert [v.name for v in demo.villages.all()] == ["小珠山村", "大郭庄村"]
    assert demo.households.count() == 300
    for number in Household.objects.values_list("head_id_number", flat=True):
        assert check_citizen_id(number, today=AS_OF) == number


def test_the_demo_campaign_shows_cadres_first_deviations_and_holdouts(demo):
    counts = queries.progress(demo)
    assert 240 < counts["signed"] < 300 and counts["moved"] > 100
    assert counts["overdue"] == 1  # one cadre household still holds out
    audit = queries.fairness(demo, full=False)
    assert len(audit.deviations) == 5 and audit.unapproved == 1
    assert audit.late_paid_more == []  # the standard is kept: nobody who held out got more
    assert demo.households.filter(note__contains="依法裁决", signed_on__isnull=True).count() == 2
    cadre_days = [h.signed_on for h in demo.households.exclude(cadre_relation="").exclude(signed_on=None)]
    assert max(cadre_days) < demo.announcement_date + dt.timedelta(days=demo.cadre_first_days)


def test_the_demo_team_and_leader_reach_the_task(demo):
    from gongjian.accounts.models import User

    team = User.objects.get(username="team")
    leader = User.objects.get(username="leader")
    assert access.reads_in_full(team, demo)
    assert access.tasks_for(leader).filter(pk=demo.pk).exists() and not access.reads_in_full(leader, demo)
