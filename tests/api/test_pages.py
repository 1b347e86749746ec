"""Every list of the API is one page (issue 13 item 5): ``{"count", "items"}`` with ``offset`` and ``limit``. The
lists are found in the OpenAPI document — every GET whose answer has a count and items — and each is read over
the demo district as the project office: the count is the list's, ``limit`` is kept, ``offset`` moves along the
same order, past the end there are no items but the count is still there, and a limit out of range is refused
(422) in Chinese, naming the field and the bound."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from gongjian.accounts import services as accounts
from gongjian.accounts.models import User
from gongjian.assess.models import Run
from gongjian.demo.loader import load_demo
from gongjian.land.models import Task as LandTask
from gongjian.lights import queries as board
from gongjian.lights.models import Light
from gongjian.projects.models import Project
from gongjian.reports import services as reports
from gongjian.reports.models import ReportingPeriod
from gongjian.targets import queries as targets_board

JSON = "application/json"
YEAR = 2026
AS_OF = dt.date(2026, 5, 20)


def _jpeg(colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(f"{colour}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _second_of_each(client, headers) -> None:
    """What the demo has one of, a second through the API: a scheme version in force for the next year, a
    meeting and an assignment."""
    [scheme] = client.get("/api/v1/assess/schemes", **headers).json()["items"]
    text = client.get(f"/api/v1/assess/schemes/{scheme['id']}/yaml", **headers).content.decode()
    again = client.post(
        "/api/v1/assess/schemes/import", {"yaml": text, "note": "第二版"}, content_type=JSON, **headers
    )
    assert again.status_code == 201, again.content
    activated = client.post(
        f"/api/v1/assess/schemes/{again.json()['id']}/activate",
        {"year": YEAR + 1},
        content_type=JSON,
        **headers,
    )
    assert activated.status_code == 200, activated.content
    # before the demo's meeting, so that the first of the list is the one with decisions (whose projects are
    # then read too)
    meeting = client.post(
        "/api/v1/dispatch/meetings",
        {"kind": "special", "title": "专题调度会", "held_at": f"{YEAR}-01-05T09:00:00+08:00"},
        content_type=JSON,
        **headers,
    )
    assert meeting.status_code == 201, meeting.content
    [assignment] = client.get("/api/v1/dispatch/assignments", **headers).json()["items"]
    deadline = str(timezone.localdate() + dt.timedelta(days=7))
    given = client.post(
        "/api/v1/dispatch/assignments",
        {
            "title": "报送问题清单",
            "instructions": "列出需协调的问题",
            "unit_ids": assignment["unit_ids"],
            "steps": [{"name": "报送", "deadline": deadline}],
        },
        content_type=JSON,
        **headers,
    )
    assert given.status_code == 201, given.content


# Lists of which the demo district holds a single row: one acquisition task, one settlement (a preview).
ONE_IN_THE_DEMO = {"/api/v1/land/tasks", "/api/v1/targets/settlements"}


@pytest.fixture(scope="module")
def district(module_db):
    """The demo district, two site photos on one of its reports, and an API token of its project office; built
    once for the module in a transaction rolled back at its end."""
    load_demo(year=YEAR, as_of=AS_OF)
    reporter = User.objects.get(username="reporter")
    project = Project.objects.in_scope(reporter).order_by("pk").first()
    period = ReportingPeriod.objects.exclude(reports__project=project).order_by("opens_at").first()
    report = reports.save_report(project, period, {"amount": 0}, actor=reporter)
    reports.add_photos(report, [_jpeg("red"), _jpeg("blue")], actor=reporter, expected_version=report.version)
    office = User.objects.get(username="office")
    _row, secret = accounts.create_api_token(office, "pages", actor=office)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    _second_of_each(Client(), headers)
    run = Run.objects.annotate(n=Count("consequences")).order_by("-n", "pk").first()
    lit = Light.objects.values("period_code").annotate(n=Count("pk")).order_by("-n", "period_code").first()
    values = {
        "report_id": report.pk,
        "run_id": run.pk,
        "year": YEAR,
        "task_id": LandTask.objects.order_by("pk").first().pk,
    }
    queries = {
        "/api/v1/lights": f"period={lit['period_code']}&",
        "/api/v1/targets/targets": f"year={YEAR}&",  # a year's targets: the year is required
    }
    yield headers, values, queries


def _lists(document: dict) -> list[tuple[str, int]]:
    """Every GET of the document whose answer is a page, with the most its ``limit`` takes."""
    schemas = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if not operation:
            continue
        answer = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        ref = answer.get("schema", {}).get("$ref", "")
        body = schemas.get(ref.rsplit("/", 1)[-1], {})
        if {"count", "items"} <= set(body.get("properties", {})):
            [limit] = [p["schema"] for p in operation["parameters"] if p["name"] == "limit"]
            found.append((path, limit["maximum"]))
    return found


# The document as a client reads it, when the module is collected (it is served to anyone).
DOCUMENT = Client(HTTP_HOST="localhost").get("/api/v1/openapi.json").json()
LISTS = _lists(DOCUMENT)


def test_the_lists_are_found_in_the_document_and_none_answers_a_bare_array():
    paths = {path for path, _most in LISTS}
    assert {
        "/api/v1/projects",
        "/api/v1/reports",
        "/api/v1/cases",
        "/api/v1/assess/runs",
        "/api/v1/dispatch/meetings",
        "/api/v1/dispatch/assignments",
    } <= paths
    bare = [
        path
        for path, operations in DOCUMENT["paths"].items()
        if "get" in operations
        and operations["get"]["responses"]
        .get("200", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
        .get("type")
        == "array"
    ]
    assert bare == []


@pytest.mark.parametrize(("path", "most"), LISTS, ids=[path for path, _most in LISTS])
def test_every_list_is_a_page_with_its_count_a_kept_limit_and_a_moving_offset(
    client, district, db, path, most
):
    headers, values, queries = district
    url = path.format(**values) + "?" + queries.get(path, "")

    with CaptureQueriesContext(connection) as read_every:
        every = client.get(f"{url}limit={most}", **headers)
    assert every.status_code == 200, every.content
    count, items = every.json()["count"], every.json()["items"]
    assert count >= (1 if path in ONE_IN_THE_DEMO else 2), "the district should have two rows at least"
    assert len(items) == min(count, most)

    board.forget()  # the board keeps its figures per version: both reads start without them
    targets_board.forget()  # so does the targets' board, per stamp
    with CaptureQueriesContext(connection) as read_one:
        first = client.get(f"{url}limit=1", **headers).json()
    # no query per row: one row is read in as many queries as all of them
    assert len(read_one) == len(read_every)
    assert (first["count"], first["items"]) == (count, items[:1])
    second = client.get(f"{url}limit=1&offset=1", **headers).json()
    assert (second["count"], second["items"]) == (count, items[1:2])

    beyond = client.get(f"{url}offset={count}", **headers).json()
    assert (beyond["count"], beyond["items"]) == (count, [])

    for limit, message in ((0, "应不小于 1。"), (most + 1, f"应不大于 {most}。"), ("十", "应为整数。")):
        refused = client.get(f"{url}limit={limit}", **headers)
        assert refused.status_code == 422
        assert refused.json() == {"code": "invalid", "errors": [{"field": "query.limit", "message": message}]}
    refused = client.get(f"{url}offset=-1", **headers)
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "invalid",
        "errors": [{"field": "query.offset", "message": "应不小于 0。"}],
    }
