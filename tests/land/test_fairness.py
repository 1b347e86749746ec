"""The fairness audit: a task signed by the standard has nothing to show; a late signer paid more than an early
signer of the same facts is found, and so are deviations and similar households paid differently."""

import datetime as dt

import pytest

from gongjian.land import queries, services
from tests.land.conftest import household_data

pytestmark = pytest.mark.django_db


def sign(household, actor, day, commander=None, **kwargs):
    agreement = services.draft_agreement(household, actor=actor, signed_on=day, **kwargs)
    if kwargs.get("agreed_total") is not None:
        agreement = services.decide_deviation(
            agreement, actor=commander, approve=True, version=agreement.version
        )
    return services.sign_agreement(agreement, actor=actor, signed_on=day, version=agreement.version)


def test_a_fair_task_has_no_findings(task, people):
    village = task.villages.first()
    for n, day in enumerate([dt.date(2026, 9, 10), dt.date(2026, 10, 10), dt.date(2026, 11, 10)], start=1):
        household = services.save_household(task, household_data(village, n), actor=people["member"])
        sign(household, people["member"], day)
    audit = queries.fairness(task, full=False)
    assert audit.counts() == {
        "households": 3,
        "agreements": 3,
        "deviations": 0,
        "deviations_unapproved": 0,
        "similar_paid_differently": 0,
        "late_paid_more": 0,
    }


def test_a_late_signer_paid_more_than_an_early_signer_of_the_same_facts_is_found(task, people):
    village = task.villages.first()
    early = services.save_household(task, household_data(village, 1), actor=people["member"])
    late = services.save_household(task, household_data(village, 2), actor=people["member"])
    other = services.save_household(
        task,
        household_data(village, 3, buildings=[{"grade": "frame", "area": "300.00"}]),
        actor=people["member"],
    )
    sign(early, people["member"], dt.date(2026, 9, 10))
    # the late one held out and was promised the first tier's reward and more: approved, but still unfair
    sign(
        late,
        people["member"],
        dt.date(2026, 11, 10),
        people["commander"],
        agreed_total=900_000,
        deviation_reason="拖延后加价",
    )
    sign(other, people["member"], dt.date(2026, 11, 12))
    audit = queries.fairness(task, full=False)
    assert [row["household__number"] for row in audit.late_paid_more] == ["H0002"]
    assert audit.late_paid_more[0]["earlier_number"] == "H0001"
    assert [row["household__number"] for row in audit.deviations] == ["H0002"]
    assert audit.deviations[0]["approved"] and audit.unapproved == 0
    assert audit.deviations[0]["household__head_name"] == "张*2"  # masked for the reader


def test_similar_households_paid_differently_are_listed(task, people):
    village = task.villages.first()
    one = services.save_household(task, household_data(village, 1), actor=people["member"])
    two = services.save_household(task, household_data(village, 2), actor=people["member"])
    services.draft_agreement(one, actor=people["member"], signed_on=dt.date(2026, 9, 10))
    services.draft_agreement(
        two,
        actor=people["member"],
        signed_on=dt.date(2026, 9, 10),
        agreed_total=400_000,
        deviation_reason="村里说情",
    )
    audit = queries.fairness(task, full=True)
    assert [row["household__number"] for row in audit.similar_paid_differently] == ["H0002"]
    assert audit.unapproved == 1  # pending: not yet approved
    assert audit.late_paid_more == []  # neither has signed


def test_the_progress_flags_cadre_households_not_signed_after_the_set_days(task, people):
    village = task.villages.first()
    cadre = services.save_household(
        task, household_data(village, 1, cadre_relation="cadre"), actor=people["member"]
    )
    services.save_household(task, household_data(village, 2), actor=people["member"])
    counts = queries.progress(task)  # announced 2026-09-01 + 15 days, long past on the test's today
    assert counts["total"] == 2 and counts["cadre"] == 1 and counts["overdue"] == 1
    rows = queries.ledger(task, queries.LedgerFilters(overdue=True), full=False)
    assert [r["number"] for r in rows] == ["H0001"]
    sign(cadre, people["member"], dt.date(2026, 9, 10))
    assert queries.progress(task)["overdue"] == 0
    first = queries.ledger(task, queries.LedgerFilters(), full=False)[0]
    assert first["is_cadre"] and first["signed_on"] == dt.date(2026, 9, 10)  # cadres first in the village
