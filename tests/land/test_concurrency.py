"""Two people writing one household's ledger at the same moment (PostgreSQL: real row locks and concurrent
connections): one agreement drafted and signed once, one edit of the household from one version, one
compensation decision; two payments of one agreement both kept and reconciled."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent
from gongjian.land import queries, services
from gongjian.land.choices import AgreementState
from gongjian.land.models import Agreement, Household, LawfulPath, Payment
from tests.concurrency import ON_POSTGRESQL, one_wins, run_together
from tests.land.conftest import household_data

pytestmark = ON_POSTGRESQL
DAY = dt.date(2026, 9, 20)


@pytest.fixture
def colleague(make_user, units):
    return make_user("service_team", unit=units["team"], username="member2")


@pytest.fixture
def household(task, people):
    return services.save_household(task, household_data(task.villages.first(), 1), actor=people["member"])


@pytest.fixture
def draft(household, people):
    return services.draft_agreement(household, actor=people["member"], signed_on=DAY)


def test_two_agreements_drafted_for_one_household_at_once_make_one(household, people, colleague):
    [winner] = one_wins(
        run_together(
            *[
                lambda actor=actor: services.draft_agreement(household, actor=actor, signed_on=DAY)
                for actor in (people["member"], colleague)
            ]
        )
    )
    agreement = Agreement.objects.get()
    assert (agreement.number, agreement.version, agreement.household_id) == (winner.number, 1, household.pk)
    assert AuditEvent.objects.filter(action="land.agreement.create").count() == 1


def test_two_signings_of_one_agreement_at_once_sign_it_once(household, draft, people, colleague):
    [winner] = one_wins(
        run_together(
            *[
                lambda actor=actor, day=day: services.sign_agreement(
                    draft, actor=actor, signed_on=day, version=draft.version
                )
                for actor, day in ((people["member"], DAY), (colleague, DAY + dt.timedelta(days=1)))
            ]
        )
    )
    agreement = Agreement.objects.get()
    assert (agreement.state, agreement.signed_on) == (AgreementState.SIGNED, winner.signed_on)
    assert agreement.version == draft.version + 1
    after = Household.objects.get()
    assert after.signed_on == winner.signed_on and after.version == household.version + 1
    assert AuditEvent.objects.filter(action="land.agreement.sign").count() == 1


def test_two_edits_of_one_household_from_one_version_keep_one(task, household, people, colleague):
    village = task.villages.first()
    [winner] = one_wins(
        run_together(
            *[
                lambda actor=actor, name=name: services.save_household(
                    task,
                    household_data(village, 1, head_name=name),
                    actor=actor,
                    household=household,
                    version=household.version,
                )
                for actor, name in ((people["member"], "张三丰"), (colleague, "张三石"))
            ]
        )
    )
    after = Household.objects.get()
    assert (after.head_name, after.version) == (winner.head_name, household.version + 1)
    assert after.members.count() == 1 and after.parcels.count() == 1 and after.buildings.count() == 1
    assert AuditEvent.objects.filter(action="land.household.update").count() == 1


def test_two_payments_to_one_agreement_at_once_are_both_kept_and_reconciled(task, draft, people, colleague):
    signed = services.sign_agreement(draft, actor=people["member"], signed_on=DAY, version=draft.version)
    total = signed.agreed_total
    assert total > 1
    parts = (total // 2, total - total // 2)
    results = run_together(
        *[
            lambda actor=actor, amount=amount: services.record_payment(
                signed, actor=actor, amount=amount, paid_on=DAY + dt.timedelta(days=1)
            )
            for actor, amount in zip((people["member"], colleague), parts, strict=True)
        ]
    )
    assert all(isinstance(r, Payment) for r in results), results
    assert sorted(Payment.objects.values_list("tranche", flat=True)) == [1, 2]
    assert sorted(Payment.objects.values_list("amount", flat=True)) == sorted(parts)
    result = queries.reconciliation(task, full=True)
    assert result["differences"] == []
    assert (result["totals"]["paid"], result["totals"]["balance"]) == (total, 0)


def test_two_payments_over_the_agreed_amount_at_once_keep_one_and_refuse_the_other(draft, people, colleague):
    signed = services.sign_agreement(draft, actor=people["member"], signed_on=DAY, version=draft.version)
    total = signed.agreed_total
    results = run_together(
        *[
            lambda actor=actor: services.record_payment(
                signed, actor=actor, amount=total, paid_on=DAY + dt.timedelta(days=1)
            )
            for actor in (people["member"], colleague)
        ]
    )
    kept = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(kept) == 1 and len(refused) == 1, results
    assert "amount" in refused[0].message_dict
    assert list(Payment.objects.values_list("amount", flat=True)) == [total]


def test_starting_the_lawful_path_twice_at_once_makes_one_decision(household, people, colleague, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2027, 12, 31))
    results = run_together(
        *[
            lambda actor=actor, number=number: services.start_lawful_path(
                household, actor=actor, decision_number=number, decided_on=dt.date(2027, 1, 5)
            )
            for actor, number in (
                (people["member"], "高新征决〔2027〕1号"),
                (colleague, "高新征决〔2027〕2号"),
            )
        ]
    )
    made = [r for r in results if isinstance(r, LawfulPath)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert refused[0].code == "state" and "已作出补偿决定" in refused[0].messages[0]
    path = LawfulPath.objects.get()
    assert (path.household_id, path.decision_number) == (household.pk, made[0].decision_number)
    assert AuditEvent.objects.filter(action="land.lawful.decide").count() == 1


def test_a_signing_and_a_redraft_of_one_agreement_at_once_keep_one_and_tell_the_other(
    household, draft, people, colleague
):
    # The redraft locks the household, then the agreement; the signing must take them in the same order, or the
    # two wait on each other and the database kills one (a deadlock: a 500, not "someone changed it").
    results = run_together(
        lambda: services.sign_agreement(draft, actor=people["member"], signed_on=DAY, version=draft.version),
        lambda: services.draft_agreement(
            household, actor=colleague, signed_on=DAY, option="money", version=draft.version
        ),
    )
    [winner] = one_wins(results)
    agreement = Agreement.objects.get()
    assert agreement.version == draft.version + 1
    assert agreement.state == (AgreementState.SIGNED if winner is results[0] else AgreementState.DRAFT)
    assert (Household.objects.get().signed_on is not None) == (agreement.state == AgreementState.SIGNED)


def test_a_signing_and_an_edit_of_the_household_at_once_never_sign_on_facts_no_longer_there(
    task, household, draft, people, colleague
):
    # The edit doubles the house: signed before it, the edit is refused as stale (the facts are what was paid); signed
    # after it, the agreement is computed again from the doubled house. Never a signature on the old facts.
    bigger = household_data(
        task.villages.first(), 1, buildings=[{"grade": "brick_concrete", "area": "240.00", "legal": True}]
    )
    signed, edited = run_together(
        lambda: services.sign_agreement(draft, actor=people["member"], signed_on=DAY, version=draft.version),
        lambda: services.save_household(
            task, bigger, actor=colleague, household=household, version=household.version
        ),
    )
    assert isinstance(signed, Agreement), signed
    agreement = Agreement.objects.select_related("standard").get()
    now = Household.objects.get()
    assert agreement.state == AgreementState.SIGNED and now.signed_on == DAY
    facts = services.compute(now, agreement.standard, DAY, agreement.option, agreement.housing_area)
    assert agreement.computed_total == agreement.agreed_total == facts.total
    if isinstance(edited, Household):
        assert (
            agreement.computed_total != draft.computed_total
        )  # the house the edit doubled is what was signed
    else:
        # told the household was signed meanwhile (its version moved on), its facts kept as paid
        assert isinstance(edited, Stale), edited
        assert now.buildings.get().area == 120
