"""The services of targets: who may do what to which unit, stale writes refused, every change audited and every
value kept, the review flow and the settlement's revisions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.core.locking import Stale
from gongjian.core.models import AuditEvent
from gongjian.jobs.choices import JobState
from gongjian.jobs.models import Job
from gongjian.targets import services
from gongjian.targets.choices import ActualState, ContractState, SettlementState
from gongjian.targets.models import Actual, ActualRevision, Settlement
from tests.targets.conftest import YEAR

D = Decimal


def test_only_the_office_defines_indicators(reporter, leader):
    for actor in (reporter, leader):
        with pytest.raises(PermissionDenied):
            services.create_indicator(year=YEAR, name="道路整治", measure="km", actor=actor)


def test_an_indicator_name_is_once_a_year_and_a_computed_one_needs_a_known_source(office, greening):
    with pytest.raises(ValidationError) as twice:
        services.create_indicator(year=YEAR, name="新增绿化面积", measure="公顷", actor=office)
    assert "name" in twice.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.create_indicator(
            year=YEAR, name="签约额", measure="亿元", source="computed", source_key="nothing", actor=office
        )
    assert "source_key" in unknown.value.message_dict
    with pytest.raises(ValidationError) as wrong_measure:
        services.create_indicator(
            year=YEAR,
            name="投资",
            measure="公顷",
            source="computed",
            source_key="fixed_asset_investment",
            actor=office,
        )
    assert "measure" in wrong_measure.value.message_dict


def test_a_stale_edit_of_an_indicator_is_refused_and_the_edit_audited(office, greening):
    services.update_indicator(greening, actor=office, expected_version=1, note="按任务书")
    with pytest.raises(Stale):
        services.update_indicator(greening, actor=office, expected_version=1, note="另一人")
    event = AuditEvent.objects.get(action="targets.indicator.update")
    assert event.after == {"note": "按任务书"}


def test_money_targets_are_whole_yuan(office, gdp, units):
    with pytest.raises(ValidationError) as refused:
        services.set_target(gdp, units[0], target=D("100.5"), actor=office)
    assert "target" in refused.value.message_dict
    assert services.from_shown(gdp, "1.25") == D(125_000_000)


def test_milestones_are_four_quarters_or_twelve_months_and_cumulative(office, greening, units):
    with pytest.raises(ValidationError):
        services.set_target(greening, units[0], target=D(12), milestones=[1, 2, 3], actor=office)
    with pytest.raises(ValidationError):
        services.set_target(greening, units[0], target=D(12), milestones=[3, 2, 6, 12], actor=office)
    target = services.set_target(greening, units[0], target=D(12), milestones=[3, 6, 9, 12], actor=office)
    assert target.milestone_values() == [D(3), D(6), D(9), D(12)]


def _enter(target, month, value, actor, **kw):
    return services.enter_actual(target, month, value=value, actor=actor, note="台账", **kw)


def test_a_unit_enters_only_its_own_actuals(targets, reporter, other_reporter, office):
    green, _money = targets
    actual = _enter(green[0], 3, D("4.5"), reporter)
    assert actual.state == ActualState.SUBMITTED
    with pytest.raises(PermissionDenied):
        _enter(green[0], 4, D(5), other_reporter)
    with pytest.raises(PermissionDenied):
        _enter(green[0], 4, D(5), office)  # the office reviews, the unit enters
    event = AuditEvent.objects.get(action="targets.actual.create")
    assert event.actor_id == reporter.pk


def test_an_entered_actual_needs_evidence_or_a_note(targets, reporter):
    green, _money = targets
    with pytest.raises(ValidationError) as refused:
        services.enter_actual(green[0], 3, value=D(4), actor=reporter)
    assert "evidence" in refused.value.message_dict
    scan = SimpleUploadedFile("台账.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    actual = services.enter_actual(green[0], 3, value=D(4), actor=reporter, evidence=scan)
    assert actual.evidence_name == "台账.pdf" and actual.evidence.read().startswith(b"%PDF")


def test_a_changed_actual_keeps_its_earlier_value_and_a_stale_change_is_refused(targets, reporter):
    green, _money = targets
    actual = _enter(green[0], 3, D(4), reporter)
    changed = services.enter_actual(green[0], 3, value=D(5), actor=reporter, expected_version=actual.version)
    assert changed.value == D(5) and changed.version == 2
    assert list(ActualRevision.objects.filter(actual=actual).values_list("value", flat=True)) == [D(4)]
    with pytest.raises(Stale):
        services.enter_actual(green[0], 3, value=D(6), actor=reporter, expected_version=1)
    with pytest.raises(Stale):  # a second "new" entry of the same month is a stale write of the first
        services.enter_actual(green[0], 3, value=D(6), actor=reporter)


def test_the_review_flow_returns_with_a_reason_and_approves_what_was_corrected(targets, reporter, office):
    green, _money = targets
    actual = _enter(green[0], 3, D(40), reporter)
    with pytest.raises(ValidationError) as no_reason:
        services.review_actual(actual, approve=False, actor=office, expected_version=actual.version)
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(PermissionDenied):
        services.review_actual(actual, approve=True, actor=reporter, expected_version=actual.version)
    returned = services.review_actual(
        actual, approve=False, reason="数值超过任务书", actor=office, expected_version=actual.version
    )
    assert returned.state == ActualState.RETURNED and returned.return_reason == "数值超过任务书"
    corrected = services.enter_actual(
        green[0], 3, value=D(4), actor=reporter, expected_version=returned.version
    )
    assert corrected.state == ActualState.SUBMITTED and corrected.return_reason == ""
    approved = services.review_actual(
        corrected, approve=True, actor=office, expected_version=corrected.version
    )
    assert approved.state == ActualState.APPROVED
    with pytest.raises(ValidationError):
        services.enter_actual(green[0], 3, value=D(9), actor=reporter, expected_version=approved.version)
    actions = list(
        AuditEvent.objects.filter(action__startswith="targets.actual")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "targets.actual.create",
        "targets.actual.return",
        "targets.actual.update",
        "targets.actual.approve",
    ]


def test_a_month_not_begun_cannot_be_entered(targets, reporter):
    green, _money = targets
    with pytest.raises(ValidationError) as refused:
        services.enter_actual(green[0], 13, value=D(1), actor=reporter, note="x")
    assert "month" in refused.value.message_dict


def _contract(unit, office, veto=False):
    contract = services.create_contract(unit, YEAR, actor=office)
    return contract


def test_a_contract_is_issued_numbered_with_its_docx_and_then_fixed(targets, units, office, reporter):
    contract = _contract(units[0], office)
    assert contract.state == ContractState.DRAFT and len(contract.rules["indicators"]) == 2
    with pytest.raises(PermissionDenied):
        services.issue_contract(contract, actor=reporter, expected_version=contract.version)
    issued = services.issue_contract(contract, actor=office, expected_version=contract.version)
    assert (
        issued.state == ContractState.ISSUED and "责" in issued.number and bytes(issued.content)[:2] == b"PK"
    )
    with pytest.raises(ValidationError):
        services.update_contract(issued, rules=issued.rules, actor=office, expected_version=issued.version)
    green, _money = targets
    with pytest.raises(ValidationError):
        services.set_target(
            green[0].indicator, units[0], target=D(99), actor=office, expected_version=green[0].version
        )
    other = services.issue_contract(_contract(units[1], office), actor=office, expected_version=1)
    assert other.number != issued.number


def test_bad_rules_are_refused_naming_the_field(targets, units, office):
    with pytest.raises(ValidationError) as refused:
        services.create_contract(units[0], YEAR, actor=office, rules={"indicators": [{"indicator": 999_999}]})
    assert "rules.indicators[0].indicator" in refused.value.message_dict


def test_the_unit_signs_its_own_contract_with_a_scan(targets, units, office, reporter, other_reporter):
    contract = services.issue_contract(_contract(units[0], office), actor=office, expected_version=1)
    scan = SimpleUploadedFile("责任书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        services.sign_contract(contract, scan=scan, actor=other_reporter, expected_version=contract.version)
    with pytest.raises(ValidationError) as wrong_kind:
        services.sign_contract(
            contract,
            scan=SimpleUploadedFile("a.exe", b"MZ"),
            actor=reporter,
            expected_version=contract.version,
        )
    assert "scan" in wrong_kind.value.message_dict
    signed = services.sign_contract(contract, scan=scan, actor=reporter, expected_version=contract.version)
    assert signed.state == ContractState.SIGNED and signed.scan.read() == b"%PDF-1.4 signed"


def _approve_all(office):
    for actual in Actual.objects.filter(state=ActualState.SUBMITTED):
        services.review_actual(actual, approve=True, actor=office, expected_version=actual.version)


def test_the_settlement_pays_by_the_rules_and_a_revision_keeps_the_published_one(
    targets, units, office, reporter
):
    green, money = targets
    rules = {
        "currency": "money",
        "indicators": [
            {
                "indicator": green[0].indicator_id,
                "reward": 10000,
                "bonus_per_percent": 500,
                "bonus_cap": 2000,
            },
            {"indicator": money[0].indicator_id, "threshold": 90, "penalty": 3000},
        ],
    }
    contract = services.create_contract(units[0], YEAR, actor=office, rules=rules)
    services.issue_contract(contract, actor=office, expected_version=contract.version)
    _enter(green[0], 12, D(11), reporter)  # 110 % of 10 公顷
    _enter(money[0], 12, D(80_000_000), reporter)  # 80 % of 1 亿元
    _approve_all(office)
    draft = services.run_settlement(YEAR, actor=office)
    [line] = draft.lines.all()
    assert (line.reward, line.penalty, line.total) == (D(12000), D(-3000), D(9000))
    assert [item["rule"] for item in line.items] == ["reward", "bonus", "penalty"]
    with pytest.raises(PermissionDenied):
        services.publish_settlement(draft, actor=reporter, expected_version=draft.version)
    published = services.publish_settlement(draft, actor=office, expected_version=draft.version)
    with pytest.raises(ValidationError) as no_reason:
        services.run_settlement(YEAR, actor=office)
    assert "reason" in no_reason.value.message_dict
    revision = services.run_settlement(YEAR, actor=office, reason="绿化面积复核")
    assert revision.revision == 2 and revision.supersedes_id == published.pk
    services.publish_settlement(revision, actor=office, expected_version=revision.version)
    published.refresh_from_db()
    assert published.state == SettlementState.SUPERSEDED and published.lines.count() == 1
    assert Settlement.objects.filter(state=SettlementState.PUBLISHED).get() == revision


def test_a_preview_before_december_cannot_be_published(targets, units, office):
    services.issue_contract(_contract(units[0], office), actor=office, expected_version=1)
    preview = services.run_settlement(YEAR, actor=office, through_month=6)
    with pytest.raises(ValidationError):
        services.publish_settlement(preview, actor=office, expected_version=preview.version)
    with pytest.raises(Stale):
        services.run_settlement(YEAR, actor=office, expected_version=99)


def test_the_settlement_runs_as_a_task_whose_result_leads_to_it(targets, units, office, reporter):
    green, _money = targets
    for unit in units:
        services.issue_contract(_contract(unit, office), actor=office, expected_version=1)
    _enter(green[0], 12, D(11), reporter)
    _approve_all(office)
    job = services.start_settlement(YEAR, actor=office)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and (job.done, job.total) == (3, 3)
    settlement = Settlement.objects.get(year=YEAR)
    assert job.result["settlement_id"] == settlement.pk
    assert job.result_url == f"/targets/settlements/{settlement.pk}/"
    assert "3 个单位" in job.result["summary"]
    assert sorted(line.unit_name for line in settlement.lines.all()) == sorted(u.name for u in units)
    with pytest.raises(PermissionDenied):
        services.start_settlement(YEAR, actor=reporter)
    # refused at once, before anything is queued: a stale draft, a month out of range
    with pytest.raises(Stale):
        services.start_settlement(YEAR, actor=office, expected_version=settlement.version + 5)
    with pytest.raises(ValidationError) as month:
        services.start_settlement(YEAR, actor=office, through_month=13)
    assert "through_month" in month.value.message_dict
    assert Job.objects.filter(kind="targets.settle").count() == 1


def test_a_year_without_an_issued_contract_is_refused_before_a_task_starts(targets, units, office):
    _contract(units[0], office)  # a draft only
    with pytest.raises(ValidationError):
        services.start_settlement(YEAR, actor=office)
    assert not Job.objects.exists() and not Settlement.objects.exists()


def test_the_settlement_reads_every_contract_s_figures_in_the_same_few_queries(targets, units, office):
    services.issue_contract(_contract(units[0], office), actor=office, expected_version=1)
    with CaptureQueriesContext(connection) as one:
        first = services.run_settlement(YEAR, actor=office)
    for unit in units[1:]:
        services.issue_contract(_contract(unit, office), actor=office, expected_version=1)
    with CaptureQueriesContext(connection) as three:
        services.run_settlement(YEAR, actor=office, expected_version=first.version)
    assert Settlement.objects.get().lines.count() == 3
    assert len(three.captured_queries) <= len(one.captured_queries) + 1  # the draft's old line deleted


def test_computed_actuals_come_from_the_approved_reports_and_still_need_review(investment, units, office):
    from gongjian.targets import sources

    services.split_indicator(investment, {units[0]: D(1_000_000), units[1]: D(2_000_000)}, actor=office)
    sources.register(
        sources.Source(
            "fixed_asset_investment",
            "固定资产投资完成额",
            "元",
            lambda year, month, ids: {units[0].pk: D(600_000)},
        )
    )
    try:
        assert services.compute_actuals(YEAR, 5, actor=office) == 2
        assert services.compute_actuals(YEAR, 5, actor=office) == 0  # twice is once
        values = dict(Actual.objects.values_list("unit_target__unit_id", "value"))
        assert values == {units[0].pk: D(600_000), units[1].pk: D(0)}
        assert set(Actual.objects.values_list("state", flat=True)) == {ActualState.SUBMITTED}
    finally:
        sources.register_builtin()
