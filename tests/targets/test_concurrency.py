"""Two people writing one unit's actual or one contract at the same moment (PostgreSQL: real row locks and
concurrent connections): one write goes through, the other is told it is stale; nothing entered twice, nothing
reviewed, issued or signed twice."""

from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.models import AuditEvent
from gongjian.targets import services
from gongjian.targets.choices import ActualState, ContractState
from gongjian.targets.models import Actual, Contract
from tests.concurrency import ON_POSTGRESQL, one_wins, run_together
from tests.targets.conftest import YEAR

pytestmark = ON_POSTGRESQL


def test_one_units_actual_for_one_month_entered_twice_at_once_is_one_row(targets, reporter, make_user, units):
    colleague = make_user("unit_reporter", unit=units[0], username="reporter_a2")
    green, _money = targets
    [winner] = one_wins(
        run_together(
            *[
                lambda actor=actor, value=value: services.enter_actual(
                    green[0], 3, value=value, actor=actor, note="台账"
                )
                for actor, value in ((reporter, D(4)), (colleague, D(5)))
            ]
        )
    )
    actual = Actual.objects.get()
    assert (actual.value, actual.version, actual.state) == (winner.value, 1, ActualState.SUBMITTED)
    assert AuditEvent.objects.filter(action="targets.actual.create").count() == 1


def test_two_reviews_of_one_actual_at_once_keep_one(targets, reporter, office, make_user):
    second_office = make_user("project_office", username="office2")
    green, _money = targets
    actual = services.enter_actual(green[0], 3, value=D(4), actor=reporter, note="台账")
    [winner] = one_wins(
        run_together(
            lambda: services.review_actual(actual, approve=True, actor=office, expected_version=1),
            lambda: services.review_actual(
                actual, approve=False, reason="数值超过任务书", actor=second_office, expected_version=1
            ),
        )
    )
    actual = Actual.objects.get()
    assert (actual.state, actual.version) == (winner.state, 2)
    assert actual.revisions.count() == 1
    assert (
        AuditEvent.objects.filter(action__in=["targets.actual.approve", "targets.actual.return"]).count() == 1
    )


def test_issuing_one_contract_twice_at_once_issues_it_once_with_one_number(targets, units, office):
    contract = services.create_contract(units[0], YEAR, actor=office)
    [winner] = one_wins(
        run_together(*[lambda: services.issue_contract(contract, actor=office, expected_version=1)] * 2)
    )
    contract = Contract.objects.get()
    assert (contract.state, contract.number, contract.version) == (ContractState.ISSUED, winner.number, 2)
    assert AuditEvent.objects.filter(action="targets.contract.issue").count() == 1
    # the loser took no number: the next contract issued gets the one after the winner's
    other = services.issue_contract(
        services.create_contract(units[1], YEAR, actor=office), actor=office, expected_version=1
    )
    assert (
        int(other.number.rsplit("〕", 1)[1].rstrip("号"))
        == int(winner.number.rsplit("〕", 1)[1].rstrip("号")) + 1
    )


def test_signing_one_contract_twice_at_once_signs_it_once(targets, units, office, reporter):
    contract = services.issue_contract(
        services.create_contract(units[0], YEAR, actor=office), actor=office, expected_version=1
    )
    [winner] = one_wins(
        run_together(
            *[
                lambda body=body: services.sign_contract(
                    contract,
                    scan=SimpleUploadedFile("责任书.pdf", body, content_type="application/pdf"),
                    actor=reporter,
                    expected_version=2,
                )
                for body in (b"%PDF-1.4 first", b"%PDF-1.4 second")
            ]
        )
    )
    contract = Contract.objects.get()
    assert (contract.state, contract.version) == (ContractState.SIGNED, 3)
    assert contract.scan.name == winner.scan.name and contract.scan.read() in (
        b"%PDF-1.4 first",
        b"%PDF-1.4 second",
    )
    assert AuditEvent.objects.filter(action="targets.contract.sign").count() == 1


def test_creating_one_units_contract_twice_at_once_makes_one_and_refuses_the_other(targets, units, office):
    results = run_together(*[lambda: services.create_contract(units[0], YEAR, actor=office)] * 2)
    winners = [r for r in results if isinstance(r, Contract)]
    refused = [r for r in results if getattr(r, "code", None) == "exists"]
    assert len(winners) == 1 and len(refused) == 1, results
    assert "已有" in refused[0].messages[0]
    assert Contract.objects.get().pk == winners[0].pk
