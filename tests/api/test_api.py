"""The JSON API through the HTTP client: tokens, scope, filters, the report state machine, JSON errors."""

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.accounts import services as accounts
from gongjian.core.models import AuditEvent
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return UnitFactory(name="工信局")


def bearer(user):
    _token, secret = accounts.create_api_token(user, "测试", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def period(office_user):
    opens = timezone.now() - dt.timedelta(days=1)
    return reports.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )


def test_without_a_token_the_api_answers_401_as_json(client):
    response = client.get("/api/v1/projects")
    assert response.status_code == 401 and response.json()["code"] == "unauthorised"
    response = client.get("/api/v1/projects", HTTP_AUTHORIZATION="Bearer gj_nope_nope")
    assert response.status_code == 401


def test_a_revoked_token_stops_working_and_tokens_are_stored_hashed(client, make_user):
    user = make_user("project_office")
    token, secret = accounts.create_api_token(user, "脚本", actor=user)
    assert secret not in str(token.__dict__)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/projects", **headers).status_code == 200
    accounts.revoke_api_token(token, actor=user)
    assert client.get("/api/v1/projects", **headers).status_code == 401
    assert AuditEvent.objects.filter(action__in=["api_token.create", "api_token.revoke"]).count() == 2


def test_the_project_list_has_the_pages_filters_scope_and_pagination(client, make_user, unit):
    for i in range(3):
        ProjectFactory(name=f"工业项目{i}", category="industry", responsible_unit=unit)
    ProjectFactory(name="商贸项目", category="commerce", responsible_unit=unit)
    ProjectFactory(name="别家项目", responsible_unit=UnitFactory(name="商务局"))
    headers = bearer(make_user("unit_reporter", unit=unit))
    body = client.get("/api/v1/projects?category=industry&limit=2&sort=name", **headers).json()
    assert body["count"] == 3 and [p["name"] for p in body["items"]] == ["工业项目0", "工业项目1"]
    assert client.get("/api/v1/projects?limit=100", **headers).json()["count"] == 4
    other = ProjectFactory(name="看不见", responsible_unit=UnitFactory(name="住建局"))
    assert client.get(f"/api/v1/projects/{other.pk}", **headers).status_code == 404


def test_creating_and_updating_a_project_goes_through_the_services(client, office_user, unit):
    region("320311")
    headers = bearer(office_user)
    payload = {
        "name": "接口新建项目",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "year": 2026,
        "region_code": "320311",
        "responsible_unit_id": unit.pk,
        "total_investment": 100_000_000,
    }
    created = client.post("/api/v1/projects", payload, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["code"] == "2026-0001" and project["version"] == 1
    changed = client.patch(
        f"/api/v1/projects/{project['id']}",
        {"version": 1, "location": "泉山区"},
        content_type="application/json",
        **headers,
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/projects/{project['id']}",
        {"version": 1, "location": "x"},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    bad = client.post(
        "/api/v1/projects", {**payload, "national_code": "123"}, content_type="application/json", **headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "national_code"


def test_a_created_project_is_answered_as_reading_it_answers(client, office_user, unit):
    region("320311")
    headers = bearer(office_user)
    payload = {
        "name": "坐标项目",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "year": 2026,
        "region_code": "320311",
        "responsible_unit_id": unit.pk,
        "total_investment": 100_000_000,
        "longitude": 117.18,
        "latitude": 34.2,
        "planned_start": "2026-03-01",
    }
    created = client.post("/api/v1/projects", payload, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    read = client.get(f"/api/v1/projects/{created.json()['id']}?year=2026", **headers)
    assert created.json() == read.json()
    assert created.json()["longitude"] == read.json()["longitude"] == "117.180000"
    missing = client.post(
        "/api/v1/projects",
        {**payload, "responsible_unit_id": 99_999},
        content_type="application/json",
        **headers,
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_reporter_cannot_create_projects_through_the_api(client, make_user, unit):
    region("320311")
    payload = {
        "name": "x",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "year": 2026,
        "region_code": "320311",
        "responsible_unit_id": unit.pk,
        "total_investment": 1,
    }
    response = client.post(
        "/api/v1/projects",
        payload,
        content_type="application/json",
        **bearer(make_user("unit_reporter", unit=unit)),
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_a_report_is_filed_submitted_returned_and_approved_through_the_api(client, make_user, unit, period):
    project = ProjectFactory(responsible_unit=unit)
    reporter = bearer(make_user("unit_reporter", unit=unit))
    reviewer = bearer(make_user("unit_reviewer", unit=unit))
    due = client.get("/api/v1/due", **reporter).json()["items"]
    assert [(d["project_id"], d["filing_status"]) for d in due] == [(project.pk, "open")]

    created = client.post(
        "/api/v1/reports",
        {"project_id": project.pk, "period_id": period.pk, "amount": 1000},
        content_type="application/json",
        **reporter,
    )
    assert created.status_code == 201, created.content
    report = created.json()
    submitted = client.post(
        f"/api/v1/reports/{report['id']}/submit",
        {"version": report["version"]},
        content_type="application/json",
        **reporter,
    )
    assert submitted.json()["state"] == "submitted"
    version = {"version": submitted.json()["version"]}
    assert (
        client.post(
            f"/api/v1/reports/{report['id']}/approve", version, content_type="application/json", **reporter
        ).status_code
        == 403
    )
    no_reason = client.post(
        f"/api/v1/reports/{report['id']}/return",
        {"reason": "", **version},
        content_type="application/json",
        **reviewer,
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "return_reason"
    returned = client.post(
        f"/api/v1/reports/{report['id']}/return",
        {"reason": "补充照片", **version},
        content_type="application/json",
        **reviewer,
    ).json()
    assert returned["state"] == "returned"
    fixed = client.patch(
        f"/api/v1/reports/{report['id']}",
        {"version": returned["version"], "amount": 1200},
        content_type="application/json",
        **reporter,
    ).json()
    resubmitted = client.post(
        f"/api/v1/reports/{report['id']}/submit",
        {"version": fixed["version"]},
        content_type="application/json",
        **reporter,
    ).json()
    approved = client.post(
        f"/api/v1/reports/{report['id']}/approve",
        {"version": resubmitted["version"]},
        content_type="application/json",
        **reviewer,
    ).json()
    assert (approved["state"], approved["amount"], fixed["year_to_date"]) == ("approved", 1200, 1200)
    assert (
        client.get(f"/api/v1/reports?period_id={period.pk}&state=approved", **reporter).json()["items"][0][
            "id"
        ]
        == report["id"]
    )


def test_the_openapi_document_is_served(client, office_user):
    client.force_login(office_user)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/projects" in schema["paths"] and "/api/v1/reports/{report_id}/submit" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_a_user_creates_a_token_on_their_page_sees_it_once_and_revokes_it(client, make_user):
    user = make_user("unit_reporter")
    client.force_login(user)
    html = client.post("/accounts/tokens/", {"name": "自动填报脚本"}).content.decode()
    secret = html.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    assert secret.startswith("gj_") and accounts.user_for_token(secret) == user
    assert secret not in client.get("/accounts/tokens/").content.decode()
    token = user.api_tokens.get()
    client.post("/accounts/tokens/", {"revoke": token.pk})
    assert accounts.user_for_token(secret) is None


def test_a_report_is_filed_and_submitted_in_one_request_or_not_at_all(client, make_user, unit, period):
    project = ProjectFactory(responsible_unit=unit, total_investment=10_000_000)
    reporter = bearer(make_user("unit_reporter", unit=unit))
    filed = client.post(
        "/api/v1/reports",
        {"project_id": project.pk, "period_id": period.pk, "amount": 2_000_000, "submit": True},
        content_type="application/json",
        **reporter,
    )
    assert filed.status_code == 201, filed.content
    assert (filed.json()["state"], filed.json()["first_submitted_at"] is not None) == ("submitted", True)
    report = Report.objects.get()
    assert [(r.number, r.state) for r in report.revisions.all()] == [(1, "submitted")]
    assert list(
        AuditEvent.objects.filter(object_id=str(report.pk), action__startswith="report.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["report.create", "report.submit"]

    other = ProjectFactory(responsible_unit=unit, total_investment=1_000_000)
    too_much = client.post(
        "/api/v1/reports",
        {"project_id": other.pk, "period_id": period.pk, "amount": 2_000_000, "submit": True},
        content_type="application/json",
        **reporter,
    )
    assert too_much.status_code == 422 and too_much.json()["code"] == "needs_explanation"
    assert not Report.objects.filter(project=other).exists()  # the draft was not kept either


def test_filing_for_a_project_outside_ones_scope_is_forbidden(client, make_user, unit, period):
    elsewhere = ProjectFactory(responsible_unit=UnitFactory(name="住建局"))
    reporter = bearer(make_user("unit_reporter", unit=unit))
    response = client.post(
        "/api/v1/reports",
        {"project_id": elsewhere.pk, "period_id": period.pk, "amount": 1},
        content_type="application/json",
        **reporter,
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Report.objects.exists()


def test_filing_over_an_existing_draft_answers_409_with_its_version(client, make_user, unit, period):
    project = ProjectFactory(responsible_unit=unit, total_investment=10_000_000)
    reporter = bearer(make_user("unit_reporter", unit=unit))
    filing = {"project_id": project.pk, "period_id": period.pk, "amount": 2_000_000}
    assert (
        client.post("/api/v1/reports", filing, content_type="application/json", **reporter).status_code == 201
    )
    again = client.post(
        "/api/v1/reports", {**filing, "amount": 9}, content_type="application/json", **reporter
    )
    assert again.status_code == 409
    assert again.json()["code"] == "stale" and again.json()["current_version"] == 1
    assert Report.objects.get().amount == 2_000_000


def test_a_request_the_schema_refuses_answers_in_the_same_error_shape(client, office_user):
    headers = bearer(office_user)
    response = client.get("/api/v1/projects?limit=many", **headers)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["errors"][0]["field"] == "query.limit" and "detail" not in body
    posted = client.post("/api/v1/projects", {"name": "缺字段"}, content_type="application/json", **headers)
    assert posted.status_code == 422 and {e["field"] for e in posted.json()["errors"]} >= {
        "body.payload.category"
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects",
        "/api/v1/lights",
        "/api/v1/cases",
        "/api/v1/reports",
        "/api/v1/dispatch/meetings",
        "/api/v1/dispatch/assignments",
        "/api/v1/assess/runs",
        "/api/v1/assess/consequences",
    ],
)
@pytest.mark.parametrize(
    "query",
    ["offset=100000000000000000000", "offset=1e20", "offset=-5", "limit=100000000000000000000", "limit=0"],
)
def test_a_page_a_list_cannot_have_answers_422_not_a_server_error(client, office_user, url, query):
    response = client.get(f"{url}?{query}", **bearer(office_user))
    assert response.status_code == 422 and response.json()["code"] == "invalid"


# -- the edge: every refusal is a 4xx in the one error shape, with a message in the users' words --------------------


def test_a_body_that_is_no_json_answers_400_in_the_error_shape_not_ninjas_detail(client, office_user):
    response = client.post(
        "/api/v1/projects", b"\xff{not json", content_type="application/json", **bearer(office_user)
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "errors": [{"field": "body", "message": "请求内容无法解析，应为有效的 JSON。"}],
    }


def test_a_method_an_address_does_not_take_answers_405_in_the_error_shape_with_allow(client, office_user):
    response = client.put("/api/v1/projects", {}, content_type="application/json", **bearer(office_user))
    assert response.status_code == 405 and response["Content-Type"].startswith("application/json")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    body = response.json()
    assert body["code"] == "method_not_allowed" and "PUT" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/v1/reports/abc", "/api/v1/reports/-1", "/api/v1/reports/1%0A2"]
)
def test_an_address_the_api_does_not_have_answers_404_as_json_not_the_sites_page(client, office_user, path):
    response = client.get(path, **bearer(office_user))
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found" and response.json()["errors"][0]["message"]


def test_a_record_that_is_not_there_is_named_in_words(client, office_user):
    response = client.get("/api/v1/reports/987654321", **bearer(office_user))
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "errors": [{"field": None, "message": "不存在，或不在您的数据范围内。"}],
    }


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/reports?period_id=99999999999999999999", "query.period_id"),
        ("/api/v1/reports?project_id=99999999999999999999", "query.project_id"),
        ("/api/v1/reports?period_id=0", "query.period_id"),
        ("/api/v1/dispatch/decisions?owner_id=99999999999999999999", "query.owner_id"),
        ("/api/v1/projects?unit=99999999999999999999", "query.unit"),
        ("/api/v1/dispatch/daily?team=99999999999999999999", "query.team"),
    ],
)
def test_an_id_no_row_can_have_answers_422_not_a_server_error(client, office_user, url, field):
    response = client.get(url, **bearer(office_user))
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_schemas_refusals_are_in_chinese_naming_the_bound(client, office_user):
    response = client.get("/api/v1/projects?limit=0", **bearer(office_user))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "query.limit", "message": "应不小于 1。"}]
    response = client.get("/api/v1/cases?limit=many", **bearer(office_user))
    assert response.json()["errors"] == [{"field": "query.limit", "message": "应为整数。"}]
    response = client.post(
        "/api/v1/projects", {"name": "缺字段"}, content_type="application/json", **bearer(office_user)
    )
    assert {"field": "body.payload.category", "message": "必填。"} in response.json()["errors"]


def test_a_project_list_filter_that_names_nothing_answers_422_instead_of_every_project(
    client, office_user, unit
):
    ProjectFactory(responsible_unit=unit)
    response = client.get("/api/v1/projects?unit=987654", **bearer(office_user))
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["unit"]
    assert client.get(f"/api/v1/projects?unit={unit.pk}", **bearer(office_user)).json()["count"] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", 10**13 + 1),
        ("amount", -1),
        ("stated_year_to_date", 10**19),
        ("progress_percent", "100.01"),
        ("progress_percent", "12.345"),
        ("workers", 2**31),
    ],
)
def test_a_report_amount_percentage_or_count_out_of_range_answers_422_and_saves_nothing(
    client, make_user, unit, period, field, value
):
    project = ProjectFactory(responsible_unit=unit, total_investment=10_000_000)
    filing = {"project_id": project.pk, "period_id": period.pk, "amount": 1_000_000, field: value}
    response = client.post(
        "/api/v1/reports",
        filing,
        content_type="application/json",
        **bearer(make_user("unit_reporter", unit=unit)),
    )
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [f"body.payload.{field}"]
    assert not Report.objects.exists()


def test_a_project_date_amount_or_coordinate_out_of_range_answers_422(client, office_user, unit):
    region("320311")
    payload = {
        "name": "范围",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "year": 2026,
        "region_code": "320311",
        "responsible_unit_id": unit.pk,
        "total_investment": 100_000_000,
    }
    for field, value in [
        ("planned_start", "9999-12-31"),
        ("planned_completion", "1999-12-31"),
        ("total_investment", 10**13 + 1),
        ("longitude", "181"),
        ("latitude", "12.1234567"),
    ]:
        response = client.post(
            "/api/v1/projects",
            {**payload, field: value},
            content_type="application/json",
            **bearer(office_user),
        )
        assert response.status_code == 422, (field, response.content)
        assert [e["field"] for e in response.json()["errors"]] == [f"body.payload.{field}"]
    date_refused = client.post(
        "/api/v1/projects",
        {**payload, "planned_start": "2101-01-01"},
        content_type="application/json",
        **bearer(office_user),
    )
    assert date_refused.json()["errors"][0]["message"] == "日期须在 2000-01-01 至 2100-12-31 之间。"
    assert (
        client.post(
            "/api/v1/projects", payload, content_type="application/json", **bearer(office_user)
        ).status_code
        == 201
    )


def test_a_control_character_in_the_query_string_is_refused_at_the_edge(client, office_user):
    response = client.get("/api/v1/projects?q=%00", **bearer(office_user))
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "errors": [{"field": "q", "message": "不能包含控制字符（如 NUL）。"}],
    }
