"""The targets API over HTTP: lists and details in the reader's scope, writes through the services with the
version (409 when stale), bad input answered 4xx in the API's one error shape naming the field, never a 500."""

import io
from decimal import Decimal

import docx
import pytest

from gongjian.accounts import services as accounts
from gongjian.targets import services
from gongjian.targets.models import Actual
from tests.targets.conftest import YEAR

D = Decimal


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user, '测试', actor=user)[1]}"}


@pytest.fixture
def call(client):
    def send(method, path, user, body=None):
        kwargs = bearer(user)
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1/targets{path}", **kwargs)

    return send


def test_the_office_defines_an_indicator_and_a_unit_cannot(call, office, reporter):
    body = {"year": YEAR, "name": "道路整治", "measure": "km", "category": "construction"}
    created = call("post", "/indicators", office, body)
    assert created.status_code == 201 and created.json()["measure"] == "km"
    refused = call("post", "/indicators", reporter, {**body, "name": "另一条"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 1999, "name": "x", "measure": "km"}, "body.payload.year"),
        ({"year": YEAR, "measure": "km"}, "body.payload.name"),
        ({"year": YEAR, "name": "x", "measure": "km", "direction": "sideways"}, "direction"),
        (
            {"year": YEAR, "name": "x", "measure": "km", "source": "computed", "source_key": "nope"},
            "source_key",
        ),
        ({"year": YEAR, "name": "", "measure": "km"}, "name"),
    ],
)
def test_a_bad_indicator_is_refused_naming_the_field(call, office, body, field):
    answer = call("post", "/indicators", office, body)
    assert answer.status_code == 422
    assert field in {e["field"] for e in answer.json()["errors"]}


def test_targets_carry_actual_rate_elapsed_and_rank_in_the_readers_scope(
    call, targets, office, reporter, leader
):
    green, _money = targets
    actual = services.enter_actual(green[0], 6, value=D(5), actor=reporter, note="台账")
    services.review_actual(actual, approve=True, actor=office, expected_version=actual.version)
    everything = call("get", f"/targets?year={YEAR}&month=6", leader).json()
    assert everything["count"] == 6
    mine = call("get", f"/targets?year={YEAR}&month=6&indicator_id={green[0].indicator_id}", reporter).json()
    [row] = mine["items"]
    assert row["unit"] == "甲街道" and D(row["actual"]) == 5 and D(row["rate"]) == 50
    assert D(row["elapsed"]) == 50 and row["rank"] == 1 and row["behind"] is False


def test_a_unit_enters_an_actual_the_office_reviews_it_and_a_stale_write_is_409(
    call, targets, office, reporter
):
    green, _money = targets
    created = call(
        "post", "/actuals", reporter, {"target_id": green[0].pk, "month": 3, "value": "2.5", "note": "台账"}
    )
    assert created.status_code == 201, created.json()
    actual = created.json()
    assert actual["state"] == "submitted" and actual["version"] == 1
    changed = call(
        "patch", f"/actuals/{actual['id']}", reporter, {"version": 1, "value": "3", "note": "更正"}
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = call("patch", f"/actuals/{actual['id']}", reporter, {"version": 1, "value": "4"})
    assert (
        stale.status_code == 409 and stale.json()["code"] == "stale" and stale.json()["current_version"] == 2
    )
    no_reason = call("post", f"/actuals/{actual['id']}/review", office, {"version": 2, "approve": False})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    approved = call("post", f"/actuals/{actual['id']}/review", office, {"version": 2, "approve": True})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": 13, "value": "1"}, "body.payload.month"),
        ({"month": 3, "value": "lots"}, "body.payload.value"),
        ({"month": 3, "value": "1e30"}, "body.payload.value"),
        ({"month": 3, "value": "1.123456"}, "body.payload.value"),
        ({"month": 3, "value": "1"}, "evidence"),  # no note, no evidence
    ],
)
def test_bad_actuals_are_422_naming_the_field(call, targets, reporter, body, field):
    green, _money = targets
    answer = call("post", "/actuals", reporter, {"target_id": green[0].pk, **body})
    assert answer.status_code == 422, answer.content
    assert field in {e["field"] for e in answer.json()["errors"]}
    assert Actual.objects.count() == 0


def test_another_units_target_is_not_found(call, targets, other_reporter):
    green, _money = targets
    answer = call(
        "post", "/actuals", other_reporter, {"target_id": green[0].pk, "month": 3, "value": "1", "note": "x"}
    )
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_a_body_that_is_not_json_is_4xx_in_the_error_shape(client, office):
    answer = client.post(
        "/api/v1/targets/actuals", data="{oops", content_type="application/json", **bearer(office)
    )
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"


def test_contracts_and_their_docx_with_the_units_targets(
    call, targets, units, office, reporter, other_reporter
):
    contract = services.create_contract(units[0], YEAR, actor=office)
    assert call("get", "/contracts", reporter).json()["count"] == 0  # a draft is the office's
    services.issue_contract(contract, actor=office, expected_version=contract.version)
    listed = call("get", f"/contracts?year={YEAR}", reporter).json()
    assert listed["count"] == 1 and listed["items"][0]["state"] == "issued"
    answer = call("get", f"/contracts/{contract.pk}/docx", reporter)
    assert answer.status_code == 200
    text = _docx_text(b"".join(answer.streaming_content) if answer.streaming else answer.content)
    assert "甲街道" in text and "新增绿化面积" in text and "1.00" in text and "地区生产总值" in text
    assert call("get", f"/contracts/{contract.pk}/docx", other_reporter).status_code == 404


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_settlement_runs_publishes_and_a_stale_publish_is_409(call, client, targets, units, office, reporter):
    contract = services.create_contract(units[0], YEAR, actor=office)
    services.issue_contract(contract, actor=office, expected_version=contract.version)
    run = call("post", "/settlements", office, {"year": YEAR})
    assert run.status_code == 202
    task = client.get(run.json()["url"], **bearer(office)).json()
    assert task["state"] == "succeeded" and task["result_url"].startswith("/targets/settlements/")
    body = call("get", f"/settlements/{task['result']['settlement_id']}", office).json()
    assert body["revision"] == 1 and body["lines"][0]["unit"] == "甲街道"
    assert all(item["text"] for item in body["lines"][0]["items"])
    assert call("get", "/settlements", reporter).json()["count"] == 0  # drafts are the office's
    stale = call("post", f"/settlements/{body['id']}/publish", office, {"version": 99})
    assert stale.status_code == 409
    published = call("post", f"/settlements/{body['id']}/publish", office, {"version": body["version"]})
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert call("get", "/settlements", reporter).json()["count"] == 1
    refused = call("post", "/settlements", reporter, {"year": YEAR, "reason": "x"})
    assert refused.status_code == 403
    no_reason = call("post", "/settlements", office, {"year": YEAR})  # a revision of the published one
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"


def test_the_office_drafts_edits_and_issues_a_contract_through_the_api(call, targets, units, office):
    green, _money = targets
    created = call("post", "/contracts", office, {"unit_id": units[0].pk, "year": YEAR})
    assert created.status_code == 201 and created.json()["state"] == "draft"
    contract = created.json()
    bad = call(
        "patch",
        f"/contracts/{contract['id']}",
        office,
        {
            "version": contract["version"],
            "rules": {"indicators": [{"indicator": green[0].indicator_id, "reward": -1}]},
        },
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rules.indicators[0].reward"
    rules = {
        "currency": "points",
        "indicators": [{"indicator": green[0].indicator_id, "reward": "2.5", "veto": True}],
    }
    edited = call(
        "patch", f"/contracts/{contract['id']}", office, {"version": contract["version"], "rules": rules}
    )
    assert edited.status_code == 200 and edited.json()["rules"]["currency"] == "points"
    stale = call("post", f"/contracts/{contract['id']}/issue", office, {"version": contract["version"]})
    assert stale.status_code == 409
    issued = call("post", f"/contracts/{contract['id']}/issue", office, {"version": edited.json()["version"]})
    assert issued.status_code == 200 and issued.json()["number"]
    again = call("post", "/contracts", office, {"unit_id": units[0].pk, "year": YEAR})
    assert again.status_code == 422 and again.json()["code"] == "exists"
