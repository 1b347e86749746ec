"""The land API through the HTTP client: the ledger masked by entitlement, errors in the API's one shape with the
field named (never a 500), stale writes 409, the deviation's approval, the fairness audit."""

import pytest

from gongjian.core.models import AuditEvent
from tests.land.conftest import household_data, id_number

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_tasks_list_shows_each_tasks_progress_to_those_who_see_it(client, task, people):
    body = as_user(client, people["principal"]).get("/api/v1/land/tasks").json()
    assert body["count"] == 1 and body["items"][0]["name"] == "生态科技产业园征地拆迁"
    assert body["items"][0]["standard_version"] == 1
    assert [v["name"] for v in body["items"][0]["villages"]] == ["金星村", "石林村"]
    client.logout()
    assert as_user(client, people["outsider"]).get("/api/v1/land/tasks").json()["count"] == 0
    assert client.get(f"/api/v1/land/tasks/{task.pk}").status_code == 404


def test_a_household_with_a_bad_id_number_is_refused_naming_the_row_and_field(client, task, people):
    village = task.villages.get(name="金星村")
    data = household_data(village, 1)
    data["members"][0]["id_number"] = "320311198505055001"
    data["buildings"][0]["area"] = "很多"
    response = post(as_user(client, people["member"]), f"/api/v1/land/tasks/{task.pk}/households", data)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert any("buildings" in e["field"] and "area" in e["field"] for e in body["errors"])
    data["buildings"][0]["area"] = "120"
    body = post(client, f"/api/v1/land/tasks/{task.pk}/households", data).json()
    assert [e["field"] for e in body["errors"]] == ["members[0].id_number"]
    assert "校验位" in body["errors"][0]["message"]
    assert not task.households.exists()


def test_the_ledger_is_masked_for_a_leader_and_full_and_audited_for_the_team(client, task, people):
    village = task.villages.get(name="金星村")
    created = post(
        as_user(client, people["member"]),
        f"/api/v1/land/tasks/{task.pk}/households",
        household_data(village, 1),
    )
    assert created.status_code == 201
    household_id = created.json()["id"]
    before = (
        AuditEvent.objects.filter(action__startswith="land.")
        .filter(action__in=["land.ledger.read", "land.household.read"])
        .count()
    )
    rows = client.get(f"/api/v1/land/tasks/{task.pk}/households").json()["items"]
    assert rows[0]["head_id_number"] == id_number(1)
    detail = client.get(f"/api/v1/land/households/{household_id}").json()
    assert detail["masked"] is False and detail["members"][0]["id_number"] == id_number(501, "19850505")
    after = AuditEvent.objects.filter(action__in=["land.ledger.read", "land.household.read"]).count()
    assert after - before == 2
    client.logout()
    as_user(client, people["principal"])
    rows = client.get(f"/api/v1/land/tasks/{task.pk}/households").json()["items"]
    assert rows[0]["head_id_number"] == "320311********" + id_number(1)[-4:]
    detail = client.get(f"/api/v1/land/households/{household_id}").json()
    assert detail["masked"] is True and detail["head_name"] == "张*1"
    assert AuditEvent.objects.filter(action__in=["land.ledger.read", "land.household.read"]).count() == after


def test_an_agreement_with_a_deviation_waits_for_the_commander_then_signs(client, task, people):
    village = task.villages.get(name="金星村")
    as_user(client, people["member"])
    household = post(client, f"/api/v1/land/tasks/{task.pk}/households", household_data(village, 1)).json()
    refused = post(
        client,
        f"/api/v1/land/households/{household['id']}/agreement",
        {"signed_on": "2026-09-20", "agreed_total": 500000},
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "deviation_reason"
    agreement = post(
        client,
        f"/api/v1/land/households/{household['id']}/agreement",
        {"signed_on": "2026-09-20", "agreed_total": 500000, "deviation_reason": "评估价高于标准"},
    ).json()
    assert agreement["state"] == "pending" and agreement["deviation"] == 500000 - agreement["computed_total"]
    early_sign = post(
        client,
        f"/api/v1/land/agreements/{agreement['id']}/sign",
        {"signed_on": "2026-09-20", "version": agreement["version"]},
    )
    assert early_sign.status_code == 422 and early_sign.json()["code"] == "state"
    forbidden = post(
        client,
        f"/api/v1/land/agreements/{agreement['id']}/approval",
        {"approve": True, "version": agreement["version"]},
    )
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    client.logout()
    as_user(client, people["commander"])
    stale = post(
        client, f"/api/v1/land/agreements/{agreement['id']}/approval", {"approve": True, "version": 99}
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == agreement["version"]
    approved = post(
        client,
        f"/api/v1/land/agreements/{agreement['id']}/approval",
        {"approve": True, "note": "同意", "version": agreement["version"]},
    ).json()
    assert approved["state"] == "approved"
    client.logout()
    as_user(client, people["member"])
    signed = post(
        client,
        f"/api/v1/land/agreements/{agreement['id']}/sign",
        {"signed_on": "2026-09-20", "version": approved["version"]},
    )
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    audit = client.get(f"/api/v1/land/tasks/{task.pk}/audit").json()
    assert audit["counts"]["deviations"] == 1 and audit["counts"]["deviations_unapproved"] == 0
    assert audit["deviations"][0]["reason"] == "评估价高于标准"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"signed_on": "明天", "version": 1},
        {"signed_on": "2026-13-01", "version": 1},
        {"signed_on": "2026-09-01", "version": "一"},
    ],
)
def test_bad_input_to_signing_is_a_4xx_in_the_one_shape(client, task, people, body):
    response = post(as_user(client, people["member"]), "/api/v1/land/agreements/1/sign", body)
    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"code", "errors"}


def test_a_task_with_a_wrong_team_names_the_field(client, task, people, units):
    response = post(
        as_user(client, people["office"]),
        "/api/v1/land/tasks",
        {"name": "新任务", "park_id": units["park"].pk, "team_id": units["hq"].pk, "area_mu": "10"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "team_id"
    edited = client.patch(
        f"/api/v1/land/tasks/{task.pk}",
        {"version": task.version, "cadre_first_days": 20},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["cadre_first_days"] == 20
    stale = client.patch(
        f"/api/v1/land/tasks/{task.pk}",
        {"version": task.version, "name": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_a_bad_standard_names_the_field(client, task, people):
    response = post(
        as_user(client, people["office"]),
        f"/api/v1/land/tasks/{task.pk}/standards",
        {"name": "方案二", "content": {"land": []}},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"].startswith("content.")


def test_redrafting_an_agreement_without_its_version_is_stale_with_the_version_to_reload(
    client, task, people
):
    village = task.villages.get(name="金星村")
    as_user(client, people["member"])
    household = post(client, f"/api/v1/land/tasks/{task.pk}/households", household_data(village, 1)).json()
    first = post(
        client, f"/api/v1/land/households/{household['id']}/agreement", {"signed_on": "2026-09-20"}
    ).json()
    again = post(client, f"/api/v1/land/households/{household['id']}/agreement", {"signed_on": "2026-09-21"})
    assert again.status_code == 409 and again.json()["current_version"] == first["version"]
    redrafted = post(
        client,
        f"/api/v1/land/households/{household['id']}/agreement",
        {"signed_on": "2026-09-21", "version": first["version"]},
    )
    assert redrafted.status_code == 200 and redrafted.json()["version"] == first["version"] + 1
