"""The attraction API through the HTTP client: lists with filters and scope, creates, moves, 409 on a stale
version, bad input as 4xx with field errors, and the funnel."""

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.accounts import services as accounts
from gongjian.attraction import services
from gongjian.attraction.models import Lead

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, secret = accounts.create_api_token(user, "测试", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def patch(client, url, body, headers):
    return client.patch(url, body, content_type="application/json", **headers)


def test_a_unit_registers_a_lead_and_moves_it_through_the_api(client, reporter, units):
    headers = bearer(reporter)
    created = post(
        client,
        "/api/v1/attraction/leads",
        {
            "name": "储能电站项目",
            "investor": "某储能公司",
            "unit_id": units["park"].pk,
            "amount": 90_000_000,
            "contact_phone": "13812345678",
        },
        headers,
    )
    assert created.status_code == 201, created.content
    lead = created.json()
    assert lead["stage"] == "talks" and lead["contact_phone"] == "13812345678" and lead["big"]
    today = timezone.localdate().isoformat()
    signed = post(
        client,
        f"/api/v1/attraction/leads/{lead['id']}/sign",
        {"version": lead["version"], "on": today, "amount": 80_000_000},
        headers,
    )
    assert signed.status_code == 200 and signed.json()["stage"] == "signed"
    tranche = post(
        client,
        f"/api/v1/attraction/leads/{lead['id']}/tranches",
        {"version": signed.json()["version"], "date": today, "amount": 20_000_000, "source": "自有资金"},
        headers,
    )
    assert tranche.status_code == 201 and tranche.json()["amount"] == 20_000_000
    steps = client.get(f"/api/v1/attraction/steps?lead_id={lead['id']}", **headers).json()
    assert [s["stage_to"] for s in steps["items"]] == ["talks", "signed", "funded"]


def test_skipping_a_link_answers_422_naming_the_rule(client, reporter, make_lead):
    lead = make_lead("talks")
    response = post(
        client,
        f"/api/v1/attraction/leads/{lead.pk}/tranches",
        {"version": lead.version, "date": timezone.localdate().isoformat(), "amount": 1},
        bearer(reporter),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] in {"state", "invalid"} and "尚未完成“签约”" in body["errors"][0]["message"]


def test_a_stale_version_answers_409_with_the_current_one(client, reporter, make_lead):
    lead = make_lead("talks")
    headers = bearer(reporter)
    assert (
        patch(
            client,
            f"/api/v1/attraction/leads/{lead.pk}",
            {"version": lead.version, "next_step": "考察"},
            headers,
        ).status_code
        == 200
    )
    response = patch(
        client, f"/api/v1/attraction/leads/{lead.pk}", {"version": lead.version, "name": "旧"}, headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale" and response.json()["current_version"] == lead.version + 1


def test_bad_input_answers_4xx_with_field_errors_never_500(client, reporter, units):
    headers = bearer(reporter)
    cases = [
        {"name": "项目", "investor": "公司", "unit_id": units["park"].pk, "amount": -5},
        {"name": "项目", "investor": "公司", "unit_id": units["park"].pk, "credit_code": "bad"},
        {"name": "", "investor": "公司", "unit_id": units["park"].pk},
        {"name": "项目", "investor": "公司", "unit_id": units["park"].pk, "chain": "nope"},
        {"name": "项目", "investor": "公司", "unit_id": 999999},
        {"investor": "公司", "unit_id": units["park"].pk},
        {"name": "项目", "investor": "公司", "unit_id": units["park"].pk, "found_on": "2026-13-45"},
    ]
    for body in cases:
        response = post(client, "/api/v1/attraction/leads", body, headers)
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert response.json()["errors"], body
    assert not Lead.objects.exists()
    assert client.get("/api/v1/attraction/funnel?year=abc", **headers).status_code == 422
    assert client.get("/api/v1/attraction/funnel?year=2026&through_month=13", **headers).status_code == 422


def test_another_unit_s_lead_is_not_found_and_contacts_are_masked_for_leaders(
    client, reporter, other_reporter, leader, make_lead
):
    lead = make_lead("talks")
    assert client.get(f"/api/v1/attraction/leads/{lead.pk}", **bearer(other_reporter)).status_code == 404
    seen = client.get(f"/api/v1/attraction/leads/{lead.pk}", **bearer(leader)).json()
    assert seen["contact_phone"] == "138****5678" and seen["contact_name"] == "李*系"
    assert (
        post(
            client,
            f"/api/v1/attraction/leads/{lead.pk}/steps",
            {"version": lead.version, "text": "看看"},
            bearer(leader),
        ).status_code
        == 403
    )


def test_the_lead_list_filters_by_stage_unit_and_stalled(client, leader, make_lead, units):
    make_lead("talks", found_on=timezone.localdate() - dt.timedelta(days=200))
    make_lead("signed", unit=units["commerce"])
    headers = bearer(leader)
    body = client.get("/api/v1/attraction/leads?stage=signed", **headers).json()
    assert body["count"] == 1 and body["items"][0]["unit"] == "商务局"
    assert client.get(f"/api/v1/attraction/leads?unit_id={units['park'].pk}", **headers).json()["count"] == 1
    stalled = client.get("/api/v1/attraction/leads?stalled=true", **headers).json()
    assert stalled["count"] == 1 and stalled["items"][0]["stalled"]


def test_trips_are_recorded_and_edited_with_their_version(client, reporter, units):
    headers = bearer(reporter)
    day = timezone.localdate().isoformat()
    created = post(
        client,
        "/api/v1/attraction/trips",
        {
            "unit_id": units["park"].pk,
            "start_date": day,
            "end_date": day,
            "destination": "苏州",
            "companies": "甲公司\n乙公司",
            "cost": 12_000,
        },
        headers,
    )
    assert created.status_code == 201 and created.json()["companies"] == ["甲公司", "乙公司"]
    trip = created.json()
    edited = patch(
        client,
        f"/api/v1/attraction/trips/{trip['id']}",
        {"version": trip["version"], "cost": 15_000},
        headers,
    )
    assert edited.status_code == 200 and edited.json()["cost"] == 15_000
    assert (
        patch(
            client, f"/api/v1/attraction/trips/{trip['id']}", {"version": trip["version"], "cost": 1}, headers
        ).status_code
        == 409
    )
    bad = post(
        client,
        "/api/v1/attraction/trips",
        {"unit_id": units["park"].pk, "start_date": day, "end_date": "2000-01-01", "destination": "苏州"},
        headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "end_date"


def test_the_funnel_answers_figures_targets_and_rates_per_unit(client, office_user, make_lead, units):
    year = timezone.localdate().year
    make_lead("funded")
    services.set_target(unit=units["park"], year=year, metric="signed_count", value=4, actor=office_user)
    body = client.get(f"/api/v1/attraction/funnel?year={year}&through_month=12", **bearer(office_user)).json()
    [park] = [u for u in body["units"] if u["unit"] == "高新区管委会"]
    assert park["links"]["signed_count"] == {"value": 1, "target": 4, "rate": 25.0, "rank": 1}
    assert park["links"]["funds_amount"]["value"] == 4_000_000
    assert body["metrics"]["foreign_usd"] == "实际利用外资（美元）"


def test_tranches_list_and_edit_with_their_version(client, reporter, make_lead):
    lead = make_lead("funded")
    headers = bearer(reporter)
    body = client.get("/api/v1/attraction/tranches?foreign=false", **headers).json()
    assert body["count"] == 1
    tranche = body["items"][0]
    edited = patch(
        client,
        f"/api/v1/attraction/tranches/{tranche['id']}",
        {"version": tranche["version"], "source": "银行贷款"},
        headers,
    )
    assert edited.status_code == 200 and edited.json()["source"] == "银行贷款"
    assert lead.pk == tranche["lead_id"]


@pytest.fixture
def year_of_signings(make_lead, units, office_user):
    """In 2025 the park signs 800万元 in March and 200万元 in June, commerce 500万元 in May; the park's year's
    target is 2000万元 signed."""
    make_lead("signed", found_on=dt.date(2025, 3, 1), signed=dt.date(2025, 3, 10), amount=8_000_000)
    make_lead("signed", found_on=dt.date(2025, 6, 1), signed=dt.date(2025, 6, 5), amount=2_000_000)
    make_lead(
        "signed",
        unit=units["commerce"],
        found_on=dt.date(2025, 5, 1),
        signed=dt.date(2025, 5, 2),
        amount=5_000_000,
    )
    services.set_target(
        unit=units["park"], year=2025, metric="signed_amount", value=20_000_000, actor=office_user
    )
    return 2025


def test_the_monthly_completion_of_a_unit_is_cumulative_against_its_year_s_target(
    client, office_user, reporter, other_reporter, units, year_of_signings
):
    park = units["park"].pk
    url = f"/api/v1/attraction/funnel/monthly?year=2025&unit={park}&link=signed_amount"
    body = client.get(url, **bearer(office_user)).json()
    assert body["unit"] == "高新区管委会" and body["through_month"] == 12
    [link] = body["links"]
    assert link["metric"] == "signed_amount" and link["target"] == 20_000_000
    months = {m["month"]: m for m in link["months"]}
    assert len(months) == 12 and months[2] == {"month": 2, "value": 0, "cumulative": 0, "rate": 0.0}
    assert months[3] == {"month": 3, "value": 8_000_000, "cumulative": 8_000_000, "rate": 40.0}
    assert (months[6]["value"], months[6]["cumulative"], months[6]["rate"]) == (2_000_000, 10_000_000, 50.0)
    assert months[12]["cumulative"] == 10_000_000
    # every link when none is chosen; a link without a target has no rate
    every = client.get(f"/api/v1/attraction/funnel/monthly?year=2025&unit={park}", **bearer(reporter)).json()
    signed = {link["metric"]: link for link in every["links"]}["signed_count"]
    assert (
        len(every["links"]) == 8
        and signed["months"][5]["cumulative"] == 2
        and signed["months"][5]["rate"] is None
    )
    # all units summed for the office; a unit's staff sum their own alone
    district = client.get(
        "/api/v1/attraction/funnel/monthly?year=2025&link=signed_amount", **bearer(office_user)
    )
    assert (
        district.json()["unit"] == "全部单位"
        and district.json()["links"][0]["months"][11]["cumulative"] == 15_000_000
    )
    own = client.get(
        "/api/v1/attraction/funnel/monthly?year=2025&link=signed_amount", **bearer(reporter)
    ).json()
    assert own["links"][0]["months"][11]["cumulative"] == 10_000_000


def test_the_monthly_completion_refuses_another_unit_and_an_unknown_link(
    client, other_reporter, units, year_of_signings
):
    headers = bearer(other_reporter)
    other = client.get(f"/api/v1/attraction/funnel/monthly?year=2025&unit={units['park'].pk}", **headers)
    assert other.status_code == 404
    bad = client.get("/api/v1/attraction/funnel/monthly?year=2025&link=gdp", **headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "link"
    assert (
        client.get("/api/v1/attraction/funnel/monthly?year=2025&through_month=13", **headers).status_code
        == 422
    )
