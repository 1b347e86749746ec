"""The API against its own OpenAPI document (issue 12 item 6): schemathesis generates requests from
/api/v1/openapi.json — valid ones and ones the document forbids — and sends them, signed in with an API token as
the project office and as a unit's reporter, to the application in-process over the demo district. No answer may
be a server error, fall outside the statuses the operation documents, differ from the documented body or content
type, or accept what the document forbids; every error body is {code, errors}.

Bounded and reproducible: a fixed seed, a few dozen examples per operation; every request runs in a savepoint
rolled back after it, so each meets the same district, as each request of a server meets its own transaction."""

import datetime as dt
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from gongjian.accounts import services as accounts
from gongjian.accounts.models import User
from gongjian.assess.models import Commitment, Interview, Run, Scheme, Score
from gongjian.assignments.models import Assignment, AssignmentStep
from gongjian.attraction.models import Lead, Tranche, Trip
from gongjian.daily import services as daily
from gongjian.demo.loader import load_demo
from gongjian.documents.models import Document
from gongjian.land.models import Agreement, Household, Task
from gongjian.lights.models import Case, Light
from gongjian.meetings.models import Meeting
from gongjian.pipeline.models import AnnualPlan as PipelinePlan
from gongjian.pipeline.models import Campaign, PlanItem, ReserveProject
from gongjian.projects.models import Project
from gongjian.reports.models import Report, ReportPhoto

YEAR = 2026
AS_OF = dt.date(2026, 5, 20)
# A deeper or another search, outside the suite: GONGJIAN_API_EXAMPLES=500 GONGJIAN_API_SEED=7 pytest …
EXAMPLES = int(os.environ.get("GONGJIAN_API_EXAMPLES", "25"))
SEED = int(os.environ.get("GONGJIAN_API_SEED", "20261206"))


def _config(*, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # The token is sent with every request (see the test), so the generator leaves the security schemes be.
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "with-security-parameters": False,
            },
            # The coverage phase walks every parameter's boundaries and wrong types (year 1999 and 2101, an id of
            # 2⁶³, a word for a number, a missing field …); examples and fuzzing then draw valid and invalid requests.
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
        }
    )


def error_body_is_code_and_errors(ctx: CheckContext, response, case) -> bool | None:
    """Every error answer (4xx) is JSON with ``code`` and ``errors`` — the README's one error shape."""
    if 400 <= response.status_code < 500:
        media_type = (response.headers.get("content-type") or [""])[0]
        assert media_type.startswith("application/json"), (
            response.status_code,
            media_type,
            response.text[:200],
        )
        body = response.json()
        assert isinstance(body, dict) and {"code", "errors"} <= set(body), body
        assert isinstance(body["code"], str) and isinstance(body["errors"], list), body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    error_body_is_code_and_errors,
]


def _known_ids() -> dict[str, list]:
    """Ids of the district's objects by the name of the path parameter that takes them, so that generated
    paths reach real objects as often as unknown ones."""
    return {
        "project_id": list(Project.objects.values_list("pk", flat=True)[:20]),
        "report_id": list(Report.objects.order_by("-pk").values_list("pk", flat=True)[:20]),
        "photo_id": list(ReportPhoto.objects.values_list("pk", flat=True)[:5]),
        "period_code": sorted(set(Light.objects.values_list("period_code", flat=True)))[-3:],
        "case_id": list(Case.objects.values_list("pk", flat=True)[:20]),
        "meeting_id": list(Meeting.objects.values_list("pk", flat=True)[:10]),
        "document_id": list(Document.objects.values_list("pk", flat=True)[:10]),
        "assignment_id": list(Assignment.objects.values_list("pk", flat=True)[:10]),
        "step_id": list(AssignmentStep.objects.values_list("pk", flat=True)[:10]),
        "team_id": list(daily.active_teams().values_list("pk", flat=True)[:10]),
        "scheme_id": list(Scheme.objects.values_list("pk", flat=True)[:5]),
        "run_id": list(Run.objects.values_list("pk", flat=True)[:10]),
        "score_id": list(Score.objects.values_list("pk", flat=True)[:20]),
        "interview_id": list(Interview.objects.values_list("pk", flat=True)[:5]),
        "commitment_id": list(Commitment.objects.values_list("pk", flat=True)[:5]),
        "reserve_id": list(ReserveProject.objects.values_list("pk", flat=True)[:20]),
        "plan_id": list(PipelinePlan.objects.values_list("pk", flat=True)),
        "item_id": list(PlanItem.objects.values_list("pk", flat=True)[:20]),
        "campaign_id": list(Campaign.objects.values_list("pk", flat=True)),
        "trip_id": list(Trip.objects.values_list("pk", flat=True)[:10]),
        "lead_id": list(Lead.objects.order_by("pk").values_list("pk", flat=True)[:20]),
        "tranche_id": list(Tranche.objects.values_list("pk", flat=True)[:10]),
        "task_id": list(Task.objects.values_list("pk", flat=True)[:3]),
        "household_id": list(Household.objects.values_list("pk", flat=True)[:20]),
        "agreement_id": list(Agreement.objects.values_list("pk", flat=True)[:20]),
        "year": [YEAR],
        "kind": ["reminder", "assignment", "escalation"],  # a case's letters
    }


# The document the server serves, read from it as a client reads it when the module is collected. The office
# gets every phase; a reporter's requests are refused at the same boundaries before any permission is looked at
# (the schema is checked first), so for a reporter the coverage phase would only repeat the office's: its
# examples and fuzzing meet the reporter's scope and permissions.
office_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=_config(coverage=True)
)
reporter_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=_config(coverage=False)
)
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.fixture(scope="module")
def district(module_db):
    """The demo district with an API token for its ``office`` and its ``reporter``, built once for the module in
    a transaction rolled back at its end (each test runs in a savepoint inside it)."""
    # As Django's test client does: the handler must not close the connection (and with it the test's
    # transaction) at the start and end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        load_demo(year=YEAR, as_of=AS_OF)
        tokens = {}
        for username in ("office", "reporter"):
            user = User.objects.get(username=username)
            _row, secret = accounts.create_api_token(user, "schemathesis", actor=user)
            tokens[username] = {"Authorization": f"Bearer {secret}"}
        known = {name: ids for name, ids in _known_ids().items() if ids}
        yield tokens, known
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _to_known_objects(case, known) -> None:
    """In a valid request, about half the ids (and period codes) name an object the district has, chosen by the
    generated value, so that generated paths reach real objects as well as unknown ones. Requests built to break
    the document are sent as they are."""
    if not case.path_parameters or not case.meta.generation.mode.is_positive:
        return
    for name, value in case.path_parameters.items():
        ids = known.get(name)
        if not ids or isinstance(value, bool):
            continue
        number = value if isinstance(value, int) else len(value) if isinstance(value, str) else 1
        if number % 2 == 0:
            case.path_parameters[name] = ids[number // 2 % len(ids)]


def _call_and_check(case, headers: dict, known: dict) -> None:
    _to_known_objects(case, known)
    savepoint = transaction.savepoint()
    try:
        response = case.call(headers=headers)
    finally:
        transaction.savepoint_rollback(savepoint)
    case.validate_response(response, checks=CHECKS, headers=headers)


@office_schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_to_its_document_for_the_project_office(case, district, db):
    tokens, known = district
    _call_and_check(case, tokens["office"], known)


@reporter_schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_to_its_document_for_a_units_reporter(case, district, db):
    tokens, known = district
    _call_and_check(case, tokens["reporter"], known)
