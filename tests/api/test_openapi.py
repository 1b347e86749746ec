"""The OpenAPI document (issue 12 item 6): one schema per name, so no endpoint is documented with another's
fields."""

from collections import defaultdict

import jsonschema_rs
import pytest
import yaml
from ninja import Schema

from gongjian.api.core import api  # noqa: F401  (imports every router, so every schema class exists)
from gongjian.assess.services import ensure_scheme_for

pytestmark = pytest.mark.django_db


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_schema_of_the_api_has_a_name_of_its_own():
    # by class, not only by module: the pages and their query parameters are made by functions in one module
    by_name = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("gongjian."):
            by_name[schema.__name__].add(schema)
    assert {
        name: sorted(s.__module__ for s in schemas) for name, schemas in by_name.items() if len(schemas) > 1
    } == {}


def test_the_report_filing_is_documented_with_its_own_fields(client, office_user):
    client.force_login(office_user)
    document = client.get("/api/v1/openapi.json").json()
    body = document["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    name = body["$ref"].rsplit("/", 1)[1]
    assert {"project_id", "period_id", "amount", "submit"} <= set(
        document["components"]["schemas"][name]["properties"]
    )


def test_every_operation_documents_the_error_answers_in_one_shape(client, office_user):
    client.force_login(office_user)
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["components"]["schemas"]["Error"]["required"]) == {"code", "errors"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"401", "403", "404", "409", "422"} <= set(operation["responses"]), (method, path)


def test_the_scheme_yaml_answer_is_documented_as_the_mapping_a_client_reads(client, office_user):
    client.force_login(office_user)
    document = client.get("/api/v1/openapi.json").json()
    answer = document["paths"]["/api/v1/assess/schemes/{scheme_id}/yaml"]["get"]["responses"]["200"]
    scheme = ensure_scheme_for(2026, actor=office_user)
    response = client.get(f"/api/v1/assess/schemes/{scheme.pk}/yaml")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/yaml")
    assert jsonschema_rs.validator_for(answer["content"]["text/yaml"]["schema"]).is_valid(
        yaml.safe_load(response.content)
    )


def test_every_input_range_is_in_the_document(client, office_user):
    client.force_login(office_user)
    document = client.get("/api/v1/openapi.json").json()
    parameters = {
        (path, p["name"]): p["schema"]
        for path, operations in document["paths"].items()
        for operation in operations.values()
        for p in operation.get("parameters", [])
    }
    year = parameters[("/api/v1/assess/archive/{year}", "year")]
    assert (year["minimum"], year["maximum"]) == (2000, 2100)
    report = document["components"]["schemas"]["ReportIn"]["properties"]
    assert (report["amount"]["minimum"], report["amount"]["maximum"]) == (0, 10**13)
    assert (report["project_id"]["minimum"], report["project_id"]["maximum"]) == (1, 2**63 - 1)
    assert (
        "2100-12-31"
        in document["components"]["schemas"]["DecisionIn"]["properties"]["deadline"]["description"]
    )
