"""The attraction services on a real database: the order of the links, scope, optimistic locking, the audit
trail, foreign capital, the start as a registry project, the drop's reason and the masking of contacts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongjian.attraction import queries, services
from gongjian.attraction.models import Lead, LeadStep, Tranche
from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent
from gongjian.projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_unit_registers_a_lead_and_its_history_starts_with_it(reporter, units, introducer):
    lead = services.create_lead(
        actor=reporter,
        name="光伏组件项目",
        investor="某光伏科技有限公司",
        unit=units["park"],
        amount=60_000_000,
        introducer=introducer,
        chain="new_energy",
    )
    assert lead.stage == "talks" and lead.is_big
    assert list(lead.steps.values_list("text", flat=True)) == ["登记意向项目"]
    assert AuditEvent.objects.filter(action="attraction.lead.create", object_id=str(lead.pk)).exists()


def test_a_credit_code_is_checked_when_given(reporter, units):
    with pytest.raises(ValidationError) as caught:
        services.create_lead(
            actor=reporter, name="项目", investor="公司", unit=units["park"], credit_code="123"
        )
    assert "统一社会信用代码应为18位" in caught.value.message_dict["credit_code"][0]


def test_a_unit_cannot_register_a_lead_for_another_unit(reporter, units):
    with pytest.raises(PermissionDenied):
        services.create_lead(actor=reporter, name="项目", investor="公司", unit=units["commerce"])


def test_funds_before_the_signature_are_refused_naming_the_rule(reporter, make_lead):
    lead = make_lead("talks")
    with pytest.raises(ValidationError) as caught:
        services.add_tranche(
            lead, date=timezone.localdate(), amount=1_000_000, actor=reporter, expected_version=lead.version
        )
    assert "尚未完成“签约”" in caught.value.message_dict["stage"][0]
    assert not Tranche.objects.exists()


def test_a_start_before_funds_is_refused(reporter, make_lead):
    lead = make_lead("signed")
    with pytest.raises(ValidationError) as caught:
        services.start_lead(lead, on=timezone.localdate(), actor=reporter, expected_version=lead.version)
    assert "尚未完成“资金到位”" in caught.value.message_dict["stage"][0]


def test_a_lead_moves_through_every_link_and_keeps_each_step(office_user, make_lead):
    lead = make_lead("producing")
    assert lead.stage == "producing" and lead.project is not None
    moves = list(lead.steps.filter(kind="move").values_list("stage_to", flat=True))
    assert moves == ["signed", "funded", "started", "producing"]
    assert lead.signed_on and lead.funded_on and lead.started_on and lead.producing_on
    project = Project.objects.get(pk=lead.project_id)
    assert project.name == lead.name and project.responsible_unit_id == lead.unit_id


def test_a_started_lead_can_be_linked_to_an_existing_project(reporter, make_lead, units):
    project = ProjectFactory(responsible_unit=units["park"])
    lead = make_lead("funded")
    services.start_lead(
        lead, on=timezone.localdate(), project=project, actor=reporter, expected_version=lead.version
    )
    lead.refresh_from_db()
    assert lead.project_id == project.pk and lead.stage == "started"


def test_a_reporter_cannot_register_a_new_project_the_registry_reserves_for_the_office(reporter, make_lead):
    lead = make_lead("funded")
    with pytest.raises(PermissionDenied):
        services.start_lead(lead, on=timezone.localdate(), actor=reporter, expected_version=lead.version)
    assert not Project.objects.exists()


def test_a_stale_version_is_refused_and_nothing_changes(reporter, make_lead):
    lead = make_lead("talks")
    old = lead.version
    services.add_step(lead, text="电话沟通", actor=reporter, expected_version=old)
    with pytest.raises(Stale):
        services.update_lead(lead, actor=reporter, expected_version=old, name="改名")
    assert Lead.objects.get(pk=lead.pk).name == "新能源电池项目"


def test_a_drop_needs_its_reason_and_keeps_it(reporter, make_lead):
    lead = make_lead("signed")
    with pytest.raises(ValidationError) as caught:
        services.drop_lead(lead, reason=" ", actor=reporter, expected_version=lead.version)
    assert "原因" in caught.value.message_dict["reason"][0]
    services.drop_lead(lead, reason="投资方资金链断裂", actor=reporter, expected_version=lead.version)
    lead.refresh_from_db()
    assert lead.stage == "dropped" and lead.drop_reason == "投资方资金链断裂"
    assert lead.steps.filter(kind="drop").exists()
    with pytest.raises(ValidationError):
        services.sign_lead(
            lead, on=timezone.localdate(), amount=1, actor=reporter, expected_version=lead.version
        )


def test_foreign_capital_keeps_its_currency_rate_and_dollars(reporter, make_lead):
    lead = make_lead("signed", currency="EUR", country="德国")
    tranche = services.add_tranche(
        lead,
        date=timezone.localdate(),
        currency="EUR",
        foreign_amount=1_000_000,
        rate=Decimal("7.85"),
        usd_amount=1_080_000,
        source="外方股东出资",
        actor=reporter,
        expected_version=lead.version,
    )
    assert tranche.amount == 7_850_000 and tranche.usd_amount == 1_080_000 and tranche.is_foreign
    dollars = services.add_tranche(
        lead,
        date=timezone.localdate(),
        currency="USD",
        foreign_amount=500_000,
        rate=Decimal("7.1"),
        actor=reporter,
        expected_version=Lead.objects.get(pk=lead.pk).version,
    )
    assert dollars.usd_amount == 500_000 and dollars.amount == 3_550_000


def test_foreign_capital_without_a_rate_is_refused(reporter, make_lead):
    lead = make_lead("signed")
    with pytest.raises(ValidationError) as caught:
        services.add_tranche(
            lead,
            date=timezone.localdate(),
            currency="USD",
            foreign_amount=100,
            actor=reporter,
            expected_version=lead.version,
        )
    assert "rate" in caught.value.message_dict


def test_a_contract_scan_is_kept_and_an_empty_one_refused(reporter, make_lead):
    lead = make_lead("talks")
    with pytest.raises(ValidationError) as caught:
        services.sign_lead(
            lead,
            on=timezone.localdate(),
            amount=9_000_000,
            contract=SimpleUploadedFile("合同.pdf", b""),
            actor=reporter,
            expected_version=lead.version,
        )
    assert "contract" in caught.value.message_dict
    signing = services.sign_lead(
        lead,
        on=timezone.localdate(),
        amount=9_000_000,
        contract=SimpleUploadedFile("合同.pdf", b"%PDF-1.4 contract"),
        actor=reporter,
        expected_version=lead.version,
    )
    assert signing.contract_name == "合同.pdf" and signing.contract.read() == b"%PDF-1.4 contract"


def test_only_the_office_hands_down_targets_and_a_change_names_the_version(office_user, reporter, units):
    with pytest.raises(PermissionDenied):
        services.set_target(unit=units["park"], year=2026, metric="signed_count", value=10, actor=reporter)
    target = services.set_target(
        unit=units["park"], year=2026, metric="signed_count", value=10, actor=office_user
    )
    with pytest.raises(Stale):
        services.set_target(unit=units["park"], year=2026, metric="signed_count", value=12, actor=office_user)
    services.set_target(
        unit=units["park"], year=2026, metric="signed_count", value=12, actor=office_user, expected_version=1
    )
    target.refresh_from_db()
    assert target.value == 12 and target.version == 2
    assert AuditEvent.objects.filter(action__startswith="attraction.target.").count() == 2


def test_contacts_are_read_unmasked_only_by_the_following_unit(reporter, other_reporter, leader, make_lead):
    lead = make_lead("talks")
    assert queries.sees_contacts(reporter, lead)
    assert not queries.sees_contacts(leader, lead)
    assert not queries.sees_contacts(other_reporter, lead)


def test_a_unit_sees_its_own_leads_and_the_leaders_see_all(
    reporter, other_reporter, leader, make_lead, units
):
    mine = make_lead("talks")
    theirs = make_lead("talks", unit=units["commerce"])
    assert set(queries.visible_leads(reporter)) == {mine}
    assert set(queries.visible_leads(other_reporter)) == {theirs}
    assert set(queries.visible_leads(leader)) == {mine, theirs}
    with pytest.raises(PermissionDenied):
        services.add_step(theirs, text="越权", actor=reporter, expected_version=theirs.version)


def test_a_follow_up_cannot_be_dated_in_the_future(reporter, make_lead):
    lead = make_lead("talks")
    with pytest.raises(ValidationError) as caught:
        services.add_step(
            lead,
            text="明天见面",
            on=timezone.localdate() + dt.timedelta(days=1),
            actor=reporter,
            expected_version=lead.version,
        )
    assert "on" in caught.value.message_dict
    assert LeadStep.objects.filter(lead=lead).count() == 1
