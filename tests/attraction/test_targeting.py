"""Attraction's figures as the targets' computed sources: a unit's 签约金额 and 资金到位 indicators are computed from
its leads by the targets' monthly task, never typed, and go to the office's review like any computed actual."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.attraction import targeting
from gongjian.targets import services as targets
from gongjian.targets import sources
from gongjian.targets.choices import ActualState, Category, Source
from gongjian.targets.models import Actual

pytestmark = pytest.mark.django_db

YEAR = 2026


def test_every_attraction_figure_is_a_registered_source_in_its_measure():
    assert sources.get("attraction.signed_amount").measure == "元"
    assert sources.get("attraction.funds_amount").measure == "元"
    assert sources.get("attraction.foreign_usd").measure == "美元"
    assert sources.get("attraction.signed_count").label == "签约项目数"
    assert {targeting.key(m) for m in targeting.FIGURES} <= {s.key for s in sources.registered()}


def test_signing_and_funds_indicators_are_computed_from_the_unit_s_leads_and_reviewed(
    make_lead, units, office_user
):
    park, commerce = units["park"], units["commerce"]
    make_lead(
        "funded", unit=park, amount=240_000_000, found_on=dt.date(YEAR, 3, 1), signed=dt.date(YEAR, 3, 10)
    )  # funds 1.2亿 on 3-10
    make_lead(
        "signed", unit=park, amount=10_000_000, found_on=dt.date(YEAR, 3, 1), signed=dt.date(YEAR, 5, 2)
    )  # after March
    make_lead(
        "funded",
        unit=commerce,
        amount=6_000_000,
        found_on=dt.date(YEAR - 1, 12, 1),
        signed=dt.date(YEAR - 1, 12, 30),
    )  # last year's

    signed = targets.create_indicator(
        year=YEAR,
        name="签约金额",
        measure="亿元",
        category=Category.ATTRACTION,
        source=Source.COMPUTED,
        source_key="attraction.signed_amount",
        actor=office_user,
    )
    funds = targets.create_indicator(
        year=YEAR,
        name="资金到位",
        measure="万元",
        category=Category.ATTRACTION,
        source=Source.COMPUTED,
        source_key="attraction.funds_amount",
        actor=office_user,
    )
    for indicator in (signed, funds):
        for unit in (park, commerce):
            targets.set_target(indicator, unit, target=Decimal(300_000_000), actor=office_user)

    assert targets.compute_actuals(YEAR, 3, actor=office_user) == 4
    values = {
        (a.unit_target.indicator.name, a.unit_target.unit_id): a
        for a in Actual.objects.filter(month=3).select_related("unit_target__indicator")
    }
    assert values[("签约金额", park.pk)].value == Decimal(240_000_000)
    assert values[("资金到位", park.pk)].value == Decimal(120_000_000)
    assert values[("签约金额", commerce.pk)].value == 0  # signed last year: not this year's figure
    first = values[("签约金额", park.pk)]
    assert first.computed and first.state == ActualState.SUBMITTED and first.note == "由“签约金额”计算"

    reviewed = targets.review_actual(first, approve=True, actor=office_user, expected_version=first.version)
    assert reviewed.state == ActualState.APPROVED
    assert targets.compute_actuals(YEAR, 3, actor=office_user) == 0  # unchanged: stays approved
    assert targets.compute_actuals(YEAR, 5, actor=office_user) == 4
    may = Actual.objects.get(month=5, unit_target__indicator=signed, unit_target__unit=park)
    assert may.value == Decimal(250_000_000)


def test_a_money_source_needs_a_money_measure(office_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        targets.create_indicator(
            year=YEAR,
            name="签约金额",
            measure="个",
            source=Source.COMPUTED,
            source_key="attraction.signed_amount",
            actor=office_user,
        )
    assert "measure" in refused.value.message_dict
