"""Two people writing one lead or one target at the same moment (PostgreSQL: real row locks and concurrent
connections): one signing goes through and the other is told the lead is stale; a target handed down twice is
one row and a clear refusal; of two tranches from one version one is kept and the other, sent again, is kept
too; tranches the lead takes one after the other are all kept and counted."""

import datetime as dt

from django.utils import timezone

from gongjian.attraction import queries, services
from gongjian.attraction.choices import Metric, Stage
from gongjian.attraction.models import AttractionTarget, Lead, Signing, Tranche
from gongjian.core.locking import ANY_VERSION, Stale
from gongjian.core.models import AuditEvent
from tests.concurrency import ON_POSTGRESQL, one_wins, run_together

pytestmark = ON_POSTGRESQL


def test_two_signings_of_one_lead_at_once_sign_it_once(make_lead, reporter):
    lead = make_lead("talks")
    read = lead.version
    day = timezone.localdate() - dt.timedelta(days=5)
    [winner] = one_wins(
        run_together(
            *[
                lambda amount=amount: services.sign_lead(
                    lead, on=day, amount=amount, actor=reporter, expected_version=read
                )
                for amount in (5_000_000, 6_000_000)
            ]
        )
    )
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.stage == Stage.SIGNED and lead.signed_on == day and lead.version == read + 1
    assert list(Signing.objects.values_list("amount", flat=True)) == [winner.amount]
    assert AuditEvent.objects.filter(action="attraction.lead.sign").count() == 1


def test_two_offices_handing_down_the_same_new_target_at_once_make_one_and_refuse_the_other(
    units, office_user, make_user
):
    second_office = make_user("project_office", username="office2")
    [winner] = one_wins(
        run_together(
            *[
                lambda actor=actor, value=value: services.set_target(
                    unit=units["park"], year=2026, metric=Metric.SIGNED_AMOUNT, value=value, actor=actor
                )
                for actor, value in ((office_user, 100_000_000), (second_office, 200_000_000))
            ]
        )
    )
    target = AttractionTarget.objects.get()
    assert (target.value, target.version) == (winner.value, 1)
    assert AuditEvent.objects.filter(action="attraction.target.create").count() == 1


def test_two_tranches_of_one_lead_from_one_version_keep_one_and_the_other_kept_when_sent_again(
    make_lead, reporter
):
    lead = make_lead("signed", amount=8_000_000)
    read = lead.version
    day = lead.signed_on
    results = run_together(
        *[
            lambda amount=amount: services.add_tranche(
                lead, date=day, amount=amount, source="自有资金", actor=reporter, expected_version=read
            )
            for amount in (3_000_000, 2_000_000)
        ]
    )
    [winner] = one_wins(results)
    [loser] = [r for r in results if isinstance(r, Stale)]
    assert list(Tranche.objects.values_list("amount", flat=True)) == [winner.amount]
    assert loser.current_version == read + 1 == Lead.objects.get(pk=lead.pk).version
    # the one told "stale" reloads and sends its tranche again: both kept, the funds add up
    services.add_tranche(
        lead,
        date=day,
        amount=5_000_000 - winner.amount,
        source="自有资金",
        actor=reporter,
        expected_version=loser.current_version,
    )
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.stage == Stage.FUNDED and lead.funded_on == day and lead.version == read + 2
    assert sorted(Tranche.objects.values_list("amount", flat=True)) == [2_000_000, 3_000_000]
    assert queries.unit_totals(day.year, day.month)[lead.unit_id]["funds_amount"] == 5_000_000


def test_two_tranches_the_system_adds_to_one_lead_at_once_are_both_kept_and_the_funds_add_up(make_lead):
    # Writers that add to whatever is there (ANY_VERSION: the demo loader, the command line) at the same moment:
    # the lead's lock takes them one after the other; both are kept, the lead is funded once, the version moves
    # twice.
    lead = make_lead("signed", amount=8_000_000)
    read = lead.version
    day = lead.signed_on
    results = run_together(
        *[
            lambda amount=amount: services.add_tranche(
                lead, date=day, amount=amount, source="自有资金", actor=None, expected_version=ANY_VERSION
            )
            for amount in (3_000_000, 2_000_000)
        ]
    )
    assert all(isinstance(r, Tranche) for r in results), results
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.stage == Stage.FUNDED and lead.funded_on == day and lead.version == read + 2
    assert sorted(Tranche.objects.filter(lead=lead).values_list("amount", flat=True)) == [
        2_000_000,
        3_000_000,
    ]
    assert queries.unit_totals(day.year, day.month)[lead.unit_id]["funds_amount"] == 5_000_000
    assert AuditEvent.objects.filter(action="attraction.tranche.create").count() == 2


def test_writes_for_one_unit_at_once_are_all_counted_in_its_monthly_figures(make_lead, reporter, units):
    """Each write recounts its unit's monthly figures; two at once for one unit must not keep the count of the
    one that did not see the other (the units' rows are locked for the recount)."""
    day = timezone.localdate()
    leads = [make_lead("talks", found_on=day) for _ in range(2)]
    results = run_together(
        *[
            lambda n=n: services.create_lead(
                actor=reporter, name=f"同时登记{n}", investor=f"投资方{n}", unit=units["park"], found_on=day
            )
            for n in range(3)
        ],
        *[
            lambda lead=lead: services.sign_lead(
                lead, on=day, amount=6_000_000, actor=reporter, expected_version=lead.version
            )
            for lead in leads
        ],
    )
    assert not [r for r in results if isinstance(r, Exception)]
    figures = queries.unit_totals(day.year, day.month)[units["park"].pk]
    assert figures["leads"] == 5 and figures["signed_count"] == 2 and figures["big_projects"] == 2
    assert queries.kept_months() == queries.counted_months()
