"""The pipeline through /api/v1/pipeline/ with the HTTP client: the reserve in each unit's scope, 409 on a stale
edit, bad input answered 4xx naming the field (never 500), the plan's items and issue (202, the registry projects
made), the campaigns with their totals."""

import pytest

from gongjian.accounts import services as accounts
from gongjian.pipeline.models import ReserveProject
from gongjian.projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user, '测试', actor=user)[1]}"}


def new_reserve(district, **changes):
    return {
        "name": "新能源电池材料项目",
        "category": "industry",
        "region_code": "320311",
        "responsible_unit_id": district["industry"].pk,
        "park_id": district["park"].pk,
        "total_investment": 600_000_000,
        "start_year": 2027,
        "planned_start": "2027-03-01",
        "planned_completion": "2028-12-31",
        "readiness": "feasibility",
        "batch": "attract",
    } | changes


def test_a_unit_proposes_reads_and_edits_its_reserve(client, district, industry_user, housing_user):
    me, other = bearer(industry_user), bearer(housing_user)
    created = client.post("/api/v1/pipeline/reserve", new_reserve(district), content_type=JSON, **me)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["batch"], body["version"]) == ("reserve", "attract", 1)

    assert client.get(f"/api/v1/pipeline/reserve/{body['id']}", **other).status_code == 404
    assert client.get("/api/v1/pipeline/reserve", **other).json()["count"] == 0
    listed = client.get("/api/v1/pipeline/reserve?readiness=feasibility&batch=attract", **me).json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]

    edited = client.patch(
        f"/api/v1/pipeline/reserve/{body['id']}",
        {"version": 1, "readiness": "approvals"},
        content_type=JSON,
        **me,
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/pipeline/reserve/{body['id']}", {"version": 1, "name": "改名"}, content_type=JSON, **me
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale" and stale.json()["current_version"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total_investment": -5}, "body.payload.total_investment"),
        ({"start_year": 1900}, "body.payload.start_year"),
        ({"name": None}, "body.payload.name"),
        ({"category": "nonsense"}, "category"),
        ({"readiness": "ready"}, "readiness"),  # ready without 立项/备案
        ({"planned_completion": "2026-01-01"}, "planned_completion"),
        ({"approvals_done": ["nonsense"]}, "approvals_done"),
    ],
)
def test_bad_input_is_answered_with_the_field_never_500(client, district, industry_user, changes, field):
    response = client.post(
        "/api/v1/pipeline/reserve",
        new_reserve(district, **changes),
        content_type=JSON,
        **bearer(industry_user),
    )
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not ReserveProject.objects.exists()


def test_unknown_ids_and_bad_filters_are_4xx(client, district, office_user):
    office = bearer(office_user)
    missing_unit = client.post(
        "/api/v1/pipeline/reserve",
        new_reserve(district, responsible_unit_id=999999),
        content_type=JSON,
        **office,
    )
    assert missing_unit.status_code == 404
    assert client.get("/api/v1/pipeline/reserve?start_year=abc", **office).status_code == 422
    assert client.get("/api/v1/pipeline/reserve?readiness=nonsense", **office).status_code == 422
    assert (
        client.post("/api/v1/pipeline/plans", {"year": "x"}, content_type=JSON, **office).status_code == 422
    )
    assert (
        client.post(
            "/api/v1/pipeline/campaigns",
            {"kind": "bogus", "name": "x", "held_on": "2026-03-01"},
            content_type=JSON,
            **office,
        ).status_code
        == 422
    )


def test_the_office_builds_and_issues_a_plan(client, district, office_user, industry_user):
    office = bearer(office_user)
    reserve = client.post(
        "/api/v1/pipeline/reserve", new_reserve(district), content_type=JSON, **office
    ).json()
    plan = client.post("/api/v1/pipeline/plans", {"year": 2027}, content_type=JSON, **office)
    assert plan.status_code == 201
    plan = plan.json()
    assert client.post("/api/v1/pipeline/plans", {"year": 2027}, content_type=JSON, **office).json()[
        "code"
    ] == ("exists")

    denied = client.post(
        f"/api/v1/pipeline/plans/{plan['id']}/items",
        {"version": plan["version"], "reserve_ids": [reserve["id"]]},
        content_type=JSON,
        **bearer(industry_user),
    )
    assert denied.status_code == 403
    added = client.post(
        f"/api/v1/pipeline/plans/{plan['id']}/items",
        {"version": plan["version"], "reserve_ids": [reserve["id"]]},
        content_type=JSON,
        **office,
    ).json()
    assert added["project_count"] == 1 and added["categories"][0]["category"] == "industry"
    item = added["items"][0]
    bad = client.patch(
        f"/api/v1/pipeline/plans/{plan['id']}/items/{item['id']}",
        {"version": added["version"], "months": [1, 2, 3]},
        content_type=JSON,
        **office,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "months"
    edited = client.patch(
        f"/api/v1/pipeline/plans/{plan['id']}/items/{item['id']}",
        {
            "version": added["version"],
            "planned_investment": 120_000_000,
            "leader_ids": [district["lead"].pk],
            "headquarters_id": district["hq"].pk,
        },
        content_type=JSON,
        **office,
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["annual"] == 120_000_000
    assert edited.json()["items"][0]["leader_ids"] == [district["lead"].pk]

    stale = client.post(
        f"/api/v1/pipeline/plans/{plan['id']}/issue",
        {"version": added["version"]},
        content_type=JSON,
        **office,
    )
    assert stale.status_code == 409
    issued = client.post(
        f"/api/v1/pipeline/plans/{plan['id']}/issue",
        {"version": edited.json()["version"]},
        content_type=JSON,
        **office,
    )
    assert issued.status_code == 202
    task = client.get(issued.json()["url"], **office).json()
    assert task["state"] == "succeeded", task
    after = client.get(f"/api/v1/pipeline/plans/{plan['id']}", **office).json()
    assert after["state"] == "issued" and after["number"]
    project = Project.objects.get(pk=after["items"][0]["project_id"])
    assert project.plan_for(2027).total == 120_000_000
    assert project.headquarters == district["hq"]
    docx = client.get(f"/api/v1/pipeline/plans/{plan['id']}/docx", **office)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_campaigns_with_their_totals(client, district, office_user, industry_user):
    office = bearer(office_user)
    project = ProjectFactory()
    reserve = client.post(
        "/api/v1/pipeline/reserve", new_reserve(district), content_type=JSON, **office
    ).json()
    created = client.post(
        "/api/v1/pipeline/campaigns",
        {
            "kind": "start",
            "name": "春季集中开工",
            "held_on": "2026-03-20",
            "place": "高新区",
            "items": [
                {"project_id": project.pk, "amount": 100_000_000},
                {"reserve_id": reserve["id"], "amount": 50_000_000},
            ],
        },
        content_type=JSON,
        **office,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["project_count"], body["total"]) == (2, 150_000_000)
    both = client.patch(
        f"/api/v1/pipeline/campaigns/{body['id']}",
        {
            "version": body["version"],
            "items": [{"project_id": project.pk, "reserve_id": reserve["id"], "amount": 1}],
        },
        content_type=JSON,
        **office,
    )
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "items"
    listed = client.get("/api/v1/pipeline/campaigns?year=2026", **bearer(industry_user)).json()
    assert listed["items"][0]["total"] == 150_000_000
    assert (
        client.post(
            "/api/v1/pipeline/campaigns",
            {"kind": "start", "name": "x", "held_on": "2026-03-20"},
            content_type=JSON,
            **bearer(industry_user),
        ).status_code
        == 403
    )
