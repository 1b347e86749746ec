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


@pytest.fixture(scope="module")
def loaded(module_db):
    load_demo(year=2026, as_of=AS_OF)  # once for the module; each test reads it in a savepoint


@pytest.fixture
def demo(loaded, db):
    return Task.objects.get()


def test_the_demo_has_the_parks_task_with_two_villages_and_about_300_households(demo):
    assert [v.name for v in demo.villages.all()] == ["小珠山村", "大郭庄村"]
    assert demo.households.count() == 300
    for number in Household.objects.values_list("head_id_number", flat=True):
        assert check_citizen_id(number, today=AS_OF) == number
    # some households were appraised by a registered appraiser, the report kept with the amount
    appraised = list(demo.households.exclude(appraiser=""))
    assert appraised and all(h.appraised_amount and h.appraisal_report.name for h in appraised)
    with appraised[0].appraisal_report.open("rb") as report:
        assert report.read(5) == b"%PDF-"


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


def test_the_demo_publishes_both_villages_lists_one_corrected_with_its_reason(demo, client):
    from gongjian.land.models import WallList

    versions = list(WallList.objects.filter(task=demo).order_by("number"))
    assert [(w.village.name, w.number) for w in versions] == [
        ("小珠山村", 1),
        ("大郭庄村", 2),
        ("小珠山村", 3),
    ]
    assert "测绘复核" in versions[2].reason and versions[0].reason == ""
    number = versions[2].reason[:7]
    old = next(r for r in versions[0].rows if r["number"] == number)
    new = next(r for r in versions[2].rows if r["number"] == number)
    assert old["buildings"] != new["buildings"]
    assert sum(w.totals["households"] for w in versions[:2]) == 300
    page = client.get(f"/land/public/{demo.pk}/").content.decode()
    assert "测绘复核" in page and "第3号" in page


def test_the_demo_holdouts_are_on_the_lawful_path_after_the_deadline(demo):
    from gongjian.land import services
    from gongjian.land.models import LawfulPath

    paths = list(LawfulPath.objects.order_by("decided_on"))
    assert len(paths) == 2 and all(p.household.signed_on is None for p in paths)
    assert all(p.decided_on > demo.deadline for p in paths) and demo.deadline < AS_OF
    served, waiting = paths
    assert served.suit_deadline > served.review_deadline > AS_OF
    assert waiting.served_on is None and "尚未送达" in services.lawful_due(waiting, AS_OF)


def test_the_demo_pays_the_signed_households_with_one_difference_to_reconcile(demo):
    result = queries.reconciliation(demo, full=False)
    assert result["totals"]["paid"] > 0 and result["totals"]["differences"] == 1
    (row,) = result["differences"]
    assert 0 < row["paid"] < row["agreed_total"] and row["tranches"] == 1
