"""The funnel is the sum of the leads: every figure checked against a plain Python sum over generated data."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjian.attraction import queries, services
from gongjian.attraction.models import Lead, Signing, Tranche, Trip
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

YEAR = 2025  # a past year: every date of it is before today


def _python_totals(year: int, through: int) -> dict[int, dict[str, int]]:
    """The same figures, summed row by row in Python."""
    out: dict[int, dict[str, int]] = {}

    def add(unit_id, metric, value):
        out.setdefault(unit_id, dict.fromkeys(queries.METRICS, 0))[metric] += value

    def within(day):
        return day is not None and day.year == year and day.month <= through

    for trip in Trip.objects.all():
        if within(trip.start_date):
            add(trip.unit_id, "trips", 1)
    for lead in Lead.objects.all():
        if within(lead.found_on):
            add(lead.unit_id, "leads", 1)
        if within(lead.started_on):
            add(lead.unit_id, "starts", 1)
    for signing in Signing.objects.select_related("lead"):
        if within(signing.date):
            add(signing.lead.unit_id, "signed_count", 1)
            add(signing.lead.unit_id, "signed_amount", signing.amount)
            if signing.amount >= 5_000_000:
                add(signing.lead.unit_id, "big_projects", 1)
    for tranche in Tranche.objects.select_related("lead"):
        if within(tranche.date):
            if tranche.currency == "CNY":
                add(tranche.lead.unit_id, "funds_amount", tranche.amount)
            else:
                add(tranche.lead.unit_id, "foreign_usd", tranche.usd_amount)
    return out


def _generate(seed: int, units) -> None:
    rng = random.Random(seed)
    for _ in range(rng.randint(0, 4)):
        day = dt.date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
        services.create_trip(
            actor=None, unit=rng.choice(units), start_date=day, end_date=day, destination="深圳"
        )
    for i in range(rng.randint(1, 12)):
        found = dt.date(YEAR - rng.randint(0, 1), rng.randint(1, 6), rng.randint(1, 28))
        amount = rng.choice([1_000_000, 4_999_999, 5_000_000, 80_000_000])
        lead = services.create_lead(
            actor=None,
            name=f"项目{i}",
            investor="公司",
            unit=rng.choice(units),
            amount=amount,
            found_on=found,
        )
        depth = rng.randint(0, 3)
        day = found + dt.timedelta(days=rng.randint(1, 150))
        if depth >= 1:
            services.sign_lead(lead, on=day, amount=amount, actor=None, expected_version=lead.version)
        if depth >= 2:
            foreign = rng.random() < 0.3
            lead.refresh_from_db()
            services.add_tranche(
                lead,
                date=day + dt.timedelta(days=rng.randint(0, 60)),
                amount=amount // 3,
                currency="USD" if foreign else "CNY",
                foreign_amount=amount // 21 if foreign else None,
                rate=Decimal("7.1") if foreign else None,
                actor=None,
                expected_version=lead.version,
            )
        if depth >= 3:
            lead.refresh_from_db()
            project_day = lead.funded_on + dt.timedelta(days=rng.randint(0, 40))
            from tests.factories import ProjectFactory

            services.start_lead(
                lead,
                on=project_day,
                project=ProjectFactory(responsible_unit=lead.unit),
                actor=None,
                expected_version=lead.version,
            )


@settings(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), through=st.integers(1, 12))
def test_the_unit_totals_are_the_sum_of_the_leads(db, seed, through):
    from django.db import transaction

    with transaction.atomic():
        units = [UnitFactory() for _ in range(3)]
        _generate(seed, units)
        expected = {u: v for u, v in _python_totals(YEAR, through).items() if any(v.values())}
        assert queries.unit_totals(YEAR, through) == expected
        transaction.set_rollback(True)


def test_the_funnel_carries_targets_rates_and_ranks_and_its_total(office_user, units):
    for unit, signed in ((units["park"], 3), (units["commerce"], 1)):
        for i in range(signed):
            lead = services.create_lead(
                actor=None,
                name=f"{unit.name}{i}",
                investor="公司",
                unit=unit,
                amount=6_000_000,
                found_on=dt.date(YEAR, 2, 1),
            )
            services.sign_lead(
                lead, on=dt.date(YEAR, 3, 1), amount=6_000_000, actor=None, expected_version=lead.version
            )
        services.set_target(unit=unit, year=YEAR, metric="signed_count", value=4, actor=office_user)
    data = queries.funnel(office_user, YEAR, 12)
    by_unit = {r.unit: r for r in data.rows}
    park, commerce = by_unit["高新区管委会"], by_unit["商务局"]
    assert (
        park.values["signed_count"] == 3
        and park.rates["signed_count"] == 75.0
        and park.ranks["signed_count"] == 1
    )
    assert commerce.rates["signed_count"] == 25.0 and commerce.ranks["signed_count"] == 2
    assert data.total.values["signed_amount"] == 24_000_000 and data.total.rates["signed_count"] == 50.0
    assert park.values["big_projects"] == 3
    # Through February nothing was signed yet.
    assert queries.funnel(office_user, YEAR, 2).total.values["signed_count"] == 0


def test_a_unit_reads_only_its_own_row_of_the_funnel(reporter, units):
    for unit in units.values():
        services.create_lead(
            actor=None, name="项目", investor="公司", unit=unit, found_on=dt.date(YEAR, 1, 5)
        )
    data = queries.funnel(reporter, YEAR, 12)
    assert [r.unit for r in data.rows] == ["高新区管委会"]


def test_a_figure_s_link_lists_exactly_the_leads_it_counted(office_user, units):
    counted = services.create_lead(
        actor=None, name="签了", investor="公司", unit=units["park"], found_on=dt.date(YEAR, 1, 5)
    )
    services.sign_lead(
        counted, on=dt.date(YEAR, 4, 1), amount=100, actor=None, expected_version=counted.version
    )
    services.create_lead(
        actor=None, name="未签", investor="公司", unit=units["park"], found_on=dt.date(YEAR, 1, 5)
    )
    params = {"year": str(YEAR), "link": "signed_count", "through": "12", "unit": str(units["park"].pk)}
    assert list(queries.filtered_leads(office_user, params)) == [counted]
    params["through"] = "3"
    assert list(queries.filtered_leads(office_user, params)) == []


def test_introducers_get_their_credit(units, introducer):
    lead = services.create_lead(
        actor=None,
        name="项目",
        investor="公司",
        unit=units["park"],
        introducer=introducer,
        found_on=dt.date(YEAR, 1, 5),
    )
    services.sign_lead(
        lead, on=dt.date(YEAR, 2, 1), amount=7_000_000, actor=None, expected_version=lead.version
    )
    assert queries.credit_by_introducer(YEAR)[introducer.pk] == {
        "leads": 1,
        "signed_count": 1,
        "signed_amount": 7_000_000,
        "funds_amount": 0,
    }


def test_the_months_add_up_to_the_year(units):
    for month in (1, 4, 4, 9):
        lead = services.create_lead(
            actor=None, name="项目", investor="公司", unit=units["park"], found_on=dt.date(YEAR, month, 3)
        )
        services.sign_lead(
            lead, on=dt.date(YEAR, month, 20), amount=6_000_000, actor=None, expected_version=lead.version
        )
    months = queries.monthly(YEAR)[units["park"].pk]
    assert months["signed_count"] == [1, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0]
    year = queries.unit_totals(YEAR, 12)[units["park"].pk]
    assert all(sum(months[m]) == year[m] for m in queries.METRICS)
    assert queries.unit_totals(YEAR, 4)[units["park"].pk]["signed_amount"] == sum(months["signed_amount"][:4])


def test_the_funnel_and_the_lead_list_read_a_fixed_number_of_queries(
    client, office_user, units, django_assert_max_num_queries
):
    from tests.factories import UnitFactory

    for i in range(30):
        unit = UnitFactory()
        services.create_lead(
            actor=None, name=f"项目{i}", investor="公司", unit=unit, found_on=dt.date(YEAR, 2, 1)
        )
    client.force_login(office_user)
    with django_assert_max_num_queries(25):
        assert client.get(f"/attraction/?year={YEAR}&through=12").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(f"/attraction/leads/?year={YEAR}").status_code == 200
