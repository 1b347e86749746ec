"""A signed lead into the pipeline and the registry: proposed into the reserve from its page (origin 招商签约),
linked to its reserve project; when the year's plan is issued and that project enters the registry, the lead is
linked to the registry project and the project's page shows the lead's history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongjian.attraction import services
from gongjian.attraction.models import Lead
from gongjian.core.models import AuditEvent
from gongjian.pipeline import services as pipeline
from gongjian.pipeline.choices import Origin, ReserveState
from tests.factories import PASSWORD, region

pytestmark = pytest.mark.django_db


def test_a_signed_lead_is_proposed_from_its_page_and_follows_its_project_into_the_registry(
    client, reporter, office_user, make_lead, units
):
    lead = make_lead("signed", amount=300_000_000, found_on=dt.date(2026, 3, 1), signed=dt.date(2026, 4, 2))
    talks = make_lead("talks", name="尚在洽谈项目")
    place = region("320311", "泉山区")
    client.login(username="park_staff", password=PASSWORD)
    page = client.get(f"/attraction/leads/{lead.pk}/").content.decode()
    assert f"/attraction/leads/{lead.pk}/reserve/" in page
    assert (
        f"/attraction/leads/{talks.pk}/reserve/"
        not in client.get(f"/attraction/leads/{talks.pk}/").content.decode()
    )

    response = client.post(
        f"/attraction/leads/{lead.pk}/reserve/",
        {
            "category": "industry",
            "region": place.pk,
            "start_year": 2027,
            "readiness": "concept",
            "version": lead.version,
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    reserve = lead.reserve
    assert reserve.origin == Origin.ATTRACTION and reserve.name == lead.name
    assert reserve.total_investment == 300_000_000 and reserve.responsible_unit == units["park"]
    assert reserve.investor == lead.investor and reserve.start_year == 2027
    assert lead.steps.filter(text__contains="提交项目储备库").exists()
    assert AuditEvent.objects.filter(action="attraction.lead.propose").count() == 1
    again = client.get(f"/attraction/leads/{lead.pk}/").content.decode()
    assert f"/attraction/leads/{lead.pk}/reserve/" not in again  # once
    assert f"/pipeline/{reserve.pk}/" in again
    with pytest.raises(ValidationError):
        services.propose_reserve(lead, actor=reporter, expected_version=lead.version)
    with pytest.raises(ValidationError):
        services.propose_reserve(talks, actor=reporter, expected_version=talks.version)

    # the office lists it in next year's plan and issues it: the lead is linked to the registry project
    plan = pipeline.create_plan(2027, actor=office_user)
    pipeline.add_plan_items(plan, [reserve], actor=office_user, expected_version=plan.version)
    plan.refresh_from_db()
    pipeline.issue_plan(plan, actor=office_user, expected_version=plan.version, on=dt.date(2026, 12, 1))
    reserve.refresh_from_db()
    lead = Lead.objects.get(pk=lead.pk)
    assert reserve.state == ReserveState.REGISTERED and lead.project_id == reserve.project_id
    assert lead.steps.filter(text__contains="纳入重点项目库").exists()
    client.logout()
    client.login(username="office", password=PASSWORD)
    project_page = client.get(f"/projects/{reserve.project_id}/").content.decode()
    assert lead.name in project_page and "提交项目储备库" in project_page
