"""The ledger's services: who may keep it and read it in full, the audit of unmasked reads, deviations that wait
for the headquarters, signing, stale writes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent
from gongjian.land import access, queries, services
from gongjian.land.choices import AgreementState
from tests.land.conftest import household_data, id_number

pytestmark = pytest.mark.django_db


def village(task, name="金星村"):
    return task.villages.get(name=name)


def test_the_team_keeps_its_tasks_ledger_and_another_team_cannot(task, people):
    household = services.save_household(task, household_data(village(task), 1), actor=people["member"])
    assert household.members.count() == 1 and household.buildings.count() == 1
    with pytest.raises(PermissionDenied):
        services.save_household(task, household_data(village(task), 2), actor=people["outsider"])
    assert not access.tasks_for(people["outsider"]).filter(pk=task.pk).exists()
    assert (
        access.tasks_for(people["commander"]).filter(pk=task.pk).exists()
    )  # the headquarters above the team


def test_a_bad_id_number_names_the_field_and_saves_nothing(task, people):
    data = household_data(village(task), 1)
    data["members"][0]["id_number"] = id_number(7)[:-1] + ("0" if id_number(7)[-1] != "0" else "1")
    data["head_id_number"] = "12345"
    with pytest.raises(ValidationError) as caught:
        services.save_household(task, data, actor=people["member"])
    assert "校验位" in caught.value.message_dict["members[0].id_number"][0]
    assert "18位" in caught.value.message_dict["head_id_number"][0]
    assert not task.households.exists()


def test_only_the_team_the_office_and_the_auditor_read_in_full_and_each_full_read_is_audited(task, people):
    household = services.save_household(task, household_data(village(task), 1), actor=people["member"])
    for who, full in [
        ("member", True),
        ("office", True),
        ("auditor", True),
        ("principal", False),
        ("commander", False),
    ]:
        before = AuditEvent.objects.filter(action="land.household.read").count()
        assert services.read_household(household, actor=people[who]) is full, who
        after = AuditEvent.objects.filter(action="land.household.read").count()
        assert after - before == (1 if full else 0)
    event = AuditEvent.objects.filter(action="land.household.read").latest("id")
    assert event.actor_id == people["auditor"].pk
    rows = queries.ledger(task, queries.LedgerFilters(), full=False)
    assert rows[0]["head_id_number"].startswith("320311") and "*" in rows[0]["head_id_number"]
    assert rows[0]["head_name"] == "张*1"


def test_an_agreement_at_the_standard_can_be_signed_and_a_second_sign_is_refused(task, people):
    household = services.save_household(task, household_data(village(task), 1), actor=people["member"])
    agreement = services.draft_agreement(household, actor=people["member"], signed_on=dt.date(2026, 9, 20))
    assert agreement.state == AgreementState.DRAFT and agreement.agreed_total == agreement.computed_total
    signed = services.sign_agreement(
        agreement, actor=people["member"], signed_on=dt.date(2026, 9, 20), version=agreement.version
    )
    household.refresh_from_db()
    assert signed.state == AgreementState.SIGNED and household.signed_on == dt.date(2026, 9, 20)
    with pytest.raises(Stale):
        services.sign_agreement(
            agreement, actor=people["member"], signed_on=dt.date(2026, 9, 21), version=agreement.version
        )


def test_a_deviation_needs_a_reason_and_the_headquarters_approval_before_signing(task, people):
    household = services.save_household(task, household_data(village(task), 1), actor=people["member"])
    with pytest.raises(ValidationError) as caught:
        services.draft_agreement(
            household, actor=people["member"], signed_on=dt.date(2026, 9, 20), agreed_total=999_990
        )
    assert "deviation_reason" in caught.value.message_dict
    agreement = services.draft_agreement(
        household,
        actor=people["member"],
        signed_on=dt.date(2026, 9, 20),
        agreed_total=999_990,
        deviation_reason="祖屋有文物价值，经评估增加",
    )
    assert agreement.state == AgreementState.PENDING
    with pytest.raises(ValidationError):
        services.sign_agreement(
            agreement, actor=people["member"], signed_on=dt.date(2026, 9, 20), version=agreement.version
        )
    with pytest.raises(PermissionDenied):  # the office is not the headquarters
        services.decide_deviation(agreement, actor=people["office"], approve=True, version=agreement.version)
    approved = services.decide_deviation(
        agreement, actor=people["commander"], approve=True, note="同意", version=agreement.version
    )
    assert approved.state == AgreementState.APPROVED and approved.approved_by == people["commander"]
    signed = services.sign_agreement(
        approved, actor=people["member"], signed_on=dt.date(2026, 9, 20), version=approved.version
    )
    assert signed.agreed_total == 999_990 and signed.deviation != 0


def test_an_approved_deviation_is_asked_again_when_the_signing_date_changes_the_standard_amount(task, people):
    household = services.save_household(task, household_data(village(task), 1), actor=people["member"])
    agreement = services.draft_agreement(
        household,
        actor=people["member"],
        signed_on=dt.date(2026, 9, 20),
        agreed_total=500_000,
        deviation_reason="评估增加",
    )
    agreement = services.decide_deviation(
        agreement, actor=people["commander"], approve=True, version=agreement.version
    )
    with pytest.raises(ValidationError) as caught:
        services.sign_agreement(
            agreement, actor=people["member"], signed_on=dt.date(2026, 10, 15), version=agreement.version
        )
    assert "重新报批" in caught.value.message_dict["signed_on"][0]


def test_a_signature_after_a_cut_off_gets_the_lower_reward(task, people):
    household = services.save_household(task, household_data(village(task), 1), actor=people["member"])
    agreement = services.draft_agreement(household, actor=people["member"], signed_on=dt.date(2026, 9, 20))
    early = agreement.computed_total
    signed = services.sign_agreement(
        agreement, actor=people["member"], signed_on=dt.date(2026, 10, 15), version=agreement.version
    )
    assert signed.computed_total < early and signed.agreed_total == signed.computed_total


def test_a_stale_edit_of_a_household_is_refused(task, people):
    household = services.save_household(task, household_data(village(task), 1), actor=people["member"])
    services.save_household(
        task,
        household_data(village(task), 1, group="二组"),
        actor=people["member"],
        household=household,
        version=1,
    )
    with pytest.raises(Stale):
        services.save_household(
            task, household_data(village(task), 1), actor=people["member"], household=household, version=1
        )


def test_the_standard_is_checked_whole_and_a_new_version_is_numbered(task, people):
    from tests.land.conftest import STANDARD

    with pytest.raises(ValidationError) as caught:
        services.add_standard(
            task, actor=people["office"], name="新方案", content={**STANDARD, "rounding": {"unit": 3}}
        )
    assert "content.rounding.unit" in caught.value.message_dict
    kept = services.add_standard(task, actor=people["office"], name="新方案", content=STANDARD)
    assert kept.version == 2 and services.current_standard(task) == kept
    with pytest.raises(PermissionDenied):
        services.add_standard(task, actor=people["member"], name="新方案", content=STANDARD)
