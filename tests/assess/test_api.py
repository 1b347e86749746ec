"""Assessment in the JSON API through the HTTP client, on the district of conftest.py: runs and their rankings,
publication and revision, permissions, scheme YAML, the year-end ranking and the evaluators' scores."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.accounts import services as accounts
from gongjian.assess import services
from gongjian.assess.models import Evaluation, EvaluatorAssignment, Run, Scheme
from gongjian.core.models import AuditEvent
from tests.assess.conftest import open_current_dekad, publish_period, run_over_api, started_task
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


def confirm(run: dict) -> dict:
    """Publishing confirmed, from the version of the draft read."""
    return {"confirm": True, "version": run["version"]}


def bearer(user):
    _token, secret = accounts.create_api_token(user, "测试", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def office(office_user):
    return bearer(office_user)


@pytest.fixture
def reporter(make_user):
    return bearer(make_user("unit_reporter", unit=UnitFactory(name="住建局")))


def test_the_office_runs_a_period_and_reads_its_ranking_and_explanations(client, district, office):
    answer = client.post("/api/v1/assess/runs", {"period": "2026年11月中旬"}, content_type=JSON, **office)
    task = started_task(client, answer, office)
    assert (task["state"], task["percent"], task["label"]) == ("succeeded", 100, "考核 2026年11月中旬")
    assert task["result"]["summary"] == "已计算 2026年11月中旬 的考核结果（草稿）。"
    run = client.get(f"/api/v1/assess/runs/{task['result']['runs'][0]['id']}", **office).json()
    assert task["result_url"] == f"/assess/runs/{run['id']}/"
    assert (run["period_code"], run["period_label"], run["state"], run["revision"]) == (
        "2026-11-2",
        "2026年11月中旬",
        "draft",
        1,
    )
    assert run["scores"]["headquarters"] == 2 and run["consequences"]["red_flag"] >= 1
    assert AuditEvent.objects.filter(action="assess.run").count() == 1

    listed = client.get("/api/v1/assess/runs?period=2026-11-2&state=draft", **office).json()["items"]
    assert [r["id"] for r in listed] == [run["id"]]
    assert client.get("/api/v1/assess/runs?state=published", **office).json() == {"count": 0, "items": []}
    assert client.get(f"/api/v1/assess/runs/{run['id']}", **office).json()["scheme_id"] == run["scheme_id"]

    ranking = client.get(f"/api/v1/assess/runs/{run['id']}/scores?kind=headquarters", **office).json()
    assert ranking["count"] == 2
    first, second = ranking["items"]
    assert (first["name"], first["rank"], first["group_size"]) == ("智能装备产业园指挥部", 1, 2)
    assert (second["name"], second["rank"]) == ("商贸城指挥部", 2) and first["score"] > second["score"]
    assert first["subject_id"] == district["fast_hq"].pk and "investment" in str(first["points"])
    assert any("3200.00 万元 / 序时计划 3200.00 万元" in line for line in first["explanation"])

    detail = client.get(f"/api/v1/assess/scores/{first['id']}", **office).json()
    assert (detail["period_code"], detail["run_state"]) == ("2026-11-2", "draft")
    assert "red_flag" in [c["kind"] for c in detail["consequences"]]
    flags = client.get(
        f"/api/v1/assess/runs/{run['id']}/consequences?kind=red_flag&subject_kind=headquarters", **office
    ).json()
    assert [c["name"] for c in flags["items"]] == ["智能装备产业园指挥部"]


def test_a_published_run_refuses_a_rerun_and_a_revision_needs_a_reason(client, district, office):
    run = run_over_api(client, {"period": "2026-11-2"}, office)
    published = client.post(
        f"/api/v1/assess/runs/{run['id']}/publish", confirm(run), content_type=JSON, **office
    )
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert published.json()["published_at"] is not None

    again = client.post("/api/v1/assess/runs", {"period": "2026-11-2"}, content_type=JSON, **office)
    assert again.status_code == 422 and again.json()["code"] == "published"
    twice = client.post(f"/api/v1/assess/runs/{run['id']}/publish", confirm(run), content_type=JSON, **office)
    assert twice.status_code == 409 and twice.json()["code"] == "stale"  # pressed again on the same page
    assert (
        client.post(
            f"/api/v1/assess/runs/{run['id']}/publish", confirm(published.json()), content_type=JSON, **office
        ).json()["code"]
        == "state"
    )

    version = {"version": published.json()["version"]}
    no_reason = client.post(
        f"/api/v1/assess/runs/{run['id']}/revise", {"reason": " ", **version}, content_type=JSON, **office
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    revised = client.post(
        f"/api/v1/assess/runs/{run['id']}/revise",
        {"reason": "慢项目补报了投资", **version},
        content_type=JSON,
        **office,
    )
    assert revised.status_code == 201, revised.content
    revision = revised.json()
    assert (revision["revision"], revision["supersedes_id"], revision["state"], revision["reason"]) == (
        2,
        run["id"],
        "draft",
        "慢项目补报了投资",
    )
    client.post(
        f"/api/v1/assess/runs/{revision['id']}/publish", confirm(revision), content_type=JSON, **office
    )
    old = client.get(f"/api/v1/assess/runs/{run['id']}", **office).json()
    assert (old["state"], old["superseded_by_id"]) == ("superseded", revision["id"])
    assert [
        r["revision"] for r in client.get("/api/v1/assess/runs?period=2026-11-2", **office).json()["items"]
    ] == [
        2,
        1,
    ]

    # the consequences across published runs leave the superseded one out
    flags = client.get("/api/v1/assess/consequences?year=2026&kind=red_flag", **office).json()
    assert {c["run_id"] for c in flags["items"]} == {revision["id"]} and flags["count"] >= 1
    assert client.get("/api/v1/assess/consequences?year=2025", **office).json()["count"] == 0


def test_a_reporter_without_the_permission_cannot_run_publish_or_read(client, district, office, reporter):
    refused = client.post("/api/v1/assess/runs", {"period": "2026-11-2"}, content_type=JSON, **reporter)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert not Run.objects.exists()
    run = run_over_api(client, {"period": "2026-11-2"}, office)
    assert client.post(f"/api/v1/assess/runs/{run['id']}/publish", **reporter).status_code == 403
    assert Run.objects.get().state == "draft"
    for path in (
        "runs",
        f"runs/{run['id']}",
        f"runs/{run['id']}/scores",
        "schemes",
        "consequences",
        "year/2026",
    ):
        assert client.get(f"/api/v1/assess/{path}", **reporter).status_code == 403, path
    scheme = Scheme.objects.get()
    assert (
        client.post(
            f"/api/v1/assess/schemes/{scheme.pk}/activate", {"year": 2027}, content_type=JSON, **reporter
        ).status_code
        == 403
    )


def test_scores_are_ordered_by_rank_within_their_group_and_paged(client, district, office_user, office):
    # given a scheme that ranks projects within their category, and a commerce project next to the two
    # industrial ones
    content = services.ensure_scheme_for(2026, actor=None).content
    content["subjects"] = [s | {"grouped": s["kind"] == "project"} for s in content["subjects"]]
    grouped = services.save_scheme(content, actor=office_user)
    [year] = client.get("/api/v1/assess/schemes/years", **office).json()["items"]
    activated = client.post(
        f"/api/v1/assess/schemes/{grouped.pk}/activate",
        {"year": 2026, "version": year["version"]},
        content_type=JSON,
        **office,
    )
    assert activated.json()["years"] == [2026]
    ProjectFactory(name="商贸项目", category="commerce", responsible_unit=district["fast"].responsible_unit)
    run = run_over_api(client, {"period": "2026-11-2"}, office)
    page = client.get(f"/api/v1/assess/runs/{run['id']}/scores?kind=project", **office).json()
    rows = [(s["group"], s["rank"], s["name"]) for s in page["items"]]
    assert rows == sorted(rows) and len({g for g, _r, _n in rows}) == 2
    assert [(r[1], r[2]) for r in rows if r[0] == "industry"] == [(1, "快项目"), (2, "慢项目")]
    assert next(s for s in page["items"] if s["group"] == "industry")["group_size"] == 2

    second = client.get(
        f"/api/v1/assess/runs/{run['id']}/scores?kind=project&limit=1&offset=1", **office
    ).json()
    assert second["count"] == 3 and [s["id"] for s in second["items"]] == [page["items"][1]["id"]]
    every = client.get(f"/api/v1/assess/runs/{run['id']}/scores", **office).json()
    assert every["count"] > page["count"] and {s["subject_kind"] for s in every["items"]} >= {
        "project",
        "headquarters",
    }


def test_lists_read_in_a_fixed_number_of_queries(client, district, office):
    for period in ("2026-11-2", "2026-11"):
        run = run_over_api(client, {"period": period}, office)
        client.post(f"/api/v1/assess/runs/{run['id']}/publish", confirm(run), content_type=JSON, **office)
    counts = {}
    for limit in (1, 100):
        for path in (
            "runs",
            f"runs/{run['id']}/scores",
            f"runs/{run['id']}/consequences",
            "consequences",
        ):
            with CaptureQueriesContext(connection) as queries:
                body = client.get(f"/api/v1/assess/{path}?limit={limit}", **office).json()
            items = body["items"]
            counts.setdefault(path, {})[len(items)] = len(queries)
    # one row or all of them, the same number of queries
    assert all(len(seen) == 2 and len(set(seen.values())) == 1 for seen in counts.values()), counts


def test_a_schemes_yaml_goes_out_and_comes_back_as_its_next_version(client, office):
    default = services.ensure_scheme_for(2026, actor=None)
    schemes = client.get("/api/v1/assess/schemes", **office).json()["items"]
    assert [(s["id"], s["version"], s["years"]) for s in schemes] == [(default.pk, 1, [2026])]
    content = client.get(f"/api/v1/assess/schemes/{default.pk}", **office).json()["content"]
    assert content["name"] == default.name and content["indicators"]

    exported = client.get(f"/api/v1/assess/schemes/{default.pk}/yaml", **office)
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/yaml")
    text = exported.content.decode()
    assert "indicators:" in text
    imported = client.post(
        "/api/v1/assess/schemes/import", {"yaml": text, "note": "原样导回"}, content_type=JSON, **office
    )
    assert imported.status_code == 201, imported.content
    new = imported.json()
    assert (new["name"], new["version"], new["note"], new["years"]) == (default.name, 2, "原样导回", [])
    assert Scheme.objects.get(pk=new["id"]).engine_scheme().indicators == default.engine_scheme().indicators
    assert AuditEvent.objects.filter(action="assess.scheme.save", actor__isnull=False).count() == 1

    activated = client.post(
        f"/api/v1/assess/schemes/{new['id']}/activate", {"year": 2027}, content_type=JSON, **office
    )
    assert activated.status_code == 200 and activated.json()["years"] == [2027]
    assert services.scheme_for(2027).pk == new["id"]

    broken = client.post(
        "/api/v1/assess/schemes/import",
        {"yaml": text.replace("points: 40", "points: -1", 1)},
        content_type=JSON,
        **office,
    )
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "content"
    assert "points" in broken.json()["errors"][0]["message"]
    assert Scheme.objects.count() == 2


def test_raters_post_their_scores_and_an_out_of_range_one_names_its_field(
    client, district, make_user, office
):
    rater = make_user("evaluator", username="rater")
    for hq in (district["fast_hq"], district["slow_hq"]):
        EvaluatorAssignment.objects.create(rater=rater, subject_kind="headquarters", subject_id=hq.pk)
    headers = bearer(rater)
    fast, slow = district["fast_hq"].pk, district["slow_hq"].pk
    sheet = client.get("/api/v1/assess/evaluations?period=2026-11-2", **headers).json()
    assert (sheet["period_code"], sheet["period_label"]) == ("2026-11-2", "2026年11月中旬")
    assert {(i["name"], i["score"]) for i in sheet["items"]} == {
        ("智能装备产业园指挥部", None),
        ("商贸城指挥部", None),
    }

    bad = client.post(
        "/api/v1/assess/evaluations",
        {
            "period": "2026-11-2",
            "scores": [
                {"subject_kind": "headquarters", "subject_id": fast, "score": 95},
                {"subject_kind": "headquarters", "subject_id": slow, "score": 120},
            ],
        },
        content_type=JSON,
        **headers,
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == [f"headquarters-{slow}"]
    assert not Evaluation.objects.exists()  # both or neither

    saved = client.post(
        "/api/v1/assess/evaluations",
        {
            "period": "2026-11-2",
            "scores": [
                {"subject_kind": "headquarters", "subject_id": fast, "score": 95, "comment": "现场组织有力"},
            ],
        },
        content_type=JSON,
        **headers,
    )
    assert saved.status_code == 200, saved.content
    items = {i["subject_id"]: i for i in saved.json()["items"]}
    assert (items[fast]["score"], items[fast]["comment"], items[slow]["score"]) == (
        95.0,
        "现场组织有力",
        None,
    )
    assert AuditEvent.objects.filter(action="assess.evaluation.create").count() == 1

    elsewhere = client.post(
        "/api/v1/assess/evaluations",
        {
            "period": "2026-11-2",
            "scores": [
                {"subject_kind": "project", "subject_id": district["fast"].pk, "score": 90},
            ],
        },
        content_type=JSON,
        **headers,
    )
    assert elsewhere.status_code == 403
    bad_period = client.post(
        "/api/v1/assess/evaluations", {"period": "十一月", "scores": []}, content_type=JSON, **headers
    )
    assert bad_period.status_code == 422 and bad_period.json()["errors"][0]["field"] == "period"

    run = run_over_api(client, {"period": "2026-11-2"}, office)
    fast_score = client.get(f"/api/v1/assess/runs/{run['id']}/scores?kind=headquarters", **office).json()[
        "items"
    ][0]
    assert any("综合评价" in line and "95" in line for line in fast_score["explanation"])
    client.post(f"/api/v1/assess/runs/{run['id']}/publish", confirm(run), content_type=JSON, **office)
    late = client.post(
        "/api/v1/assess/evaluations",
        {
            "period": "2026-11-2",
            "scores": [
                {"subject_kind": "headquarters", "subject_id": slow, "score": 80},
            ],
        },
        content_type=JSON,
        **headers,
    )
    assert late.status_code == 422 and late.json()["code"] == "published"


def test_someone_with_nothing_to_evaluate_gets_403(client, reporter):
    assert client.get("/api/v1/assess/evaluations", **reporter).status_code == 403


def test_the_year_end_ranking_grades_the_subjects_of_the_published_months(
    client, district, office_user, office
):
    for code in ("2026-10", "2026-11"):
        publish_period(code, actor=office_user)
    rows = client.get("/api/v1/assess/year/2026?kind=headquarters", **office).json()["items"]
    assert [(r["rank"], r["name"], r["months"]) for r in rows] == [
        (1, "智能装备产业园指挥部", 2),
        (2, "商贸城指挥部", 2),
    ]
    assert all(r["grade"] and r["grade"] in r["explanation"] for r in rows)
    assert client.get("/api/v1/assess/year/2025", **office).json() == {"count": 0, "items": []}


def test_unknown_ids_are_404_and_the_endpoints_are_in_the_openapi_document(client, office_user, office):
    assert client.get("/api/v1/assess/runs/999", **office).json()["code"] == "not_found"
    assert client.get("/api/v1/assess/scores/999", **office).status_code == 404
    client.force_login(office_user)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/assess/runs",
        "/api/v1/assess/runs/{run_id}/scores",
        "/api/v1/assess/year/{year}",
        "/api/v1/assess/evaluations",
        "/api/v1/assess/schemes/import",
    } <= set(paths)


def test_follow_up_in_the_api_interviews_commitments_flags_and_the_archive(
    client, district, office, reporter, office_user
):
    import datetime as dt

    from django.utils import timezone

    from gongjian.org.models import Person

    batch = run_over_api(client, {"periods": ["2026-11", "2026-11-2"]}, office, batch=True)
    assert [r["period_code"] for r in batch] == ["2026-11", "2026-11-2"]
    for run in batch:
        published = client.post(
            f"/api/v1/assess/runs/{run['id']}/publish", confirm(run), content_type=JSON, **office
        )
        assert published.status_code == 200

    [due] = client.get("/api/v1/assess/interviews?year=2026", **office).json()["items"]
    assert due["interview"] is None and due["consequence"]["name"] == "商贸城指挥部"
    today = timezone.localdate()
    body = {
        "consequence_id": due["consequence"]["id"],
        "held_on": today.isoformat(),
        "interviewer": "区长",
        "interviewee": "指挥长",
        "content": "约谈内容",
        "commitments": [{"text": "倒排工期", "deadline": (today + dt.timedelta(days=5)).isoformat()}],
    }
    assert client.post("/api/v1/assess/interviews", body, content_type=JSON, **reporter).status_code == 403
    bad = client.post("/api/v1/assess/interviews", body | {"content": ""}, content_type=JSON, **office)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "content"
    created = client.post("/api/v1/assess/interviews", body, content_type=JSON, **office)
    assert created.status_code == 201, created.content
    [commitment] = created.json()["commitments"]
    assert commitment["state"] == "open"
    done = client.post(
        f"/api/v1/assess/commitments/{commitment['id']}/complete",
        {"done_on": today.isoformat(), "result": "已倒排", "version": commitment["version"]},
        content_type=JSON,
        **office,
    )
    assert done.json()["state"] == "done"
    interview = client.get(f"/api/v1/assess/interviews/{created.json()['id']}", **office).json()
    assert interview["commitments"][0]["result"] == "已倒排"

    board = client.get("/api/v1/assess/flags/2026", **office).json()
    assert board["periods"] == ["2026-11", "2026-11-2"]
    assert [(t["name"], t["red_flags"], t["yellow_cards"]) for t in board["items"]] == [
        ("智能装备产业园指挥部", 1, 0),
        ("商贸城指挥部", 0, 1),
    ]

    commander = Person.objects.create(name="李指挥长", post="指挥长")
    district["slow"].commander = commander
    district["slow"].save()
    [entry] = client.get(f"/api/v1/assess/archive/2026?person_id={commander.pk}", **office).json()["items"]
    [subject] = entry["subjects"]
    assert (subject["name"], subject["yellow_cards"], len(subject["interviews"])) == (
        "商贸城指挥部",
        ["2026年11月"],
        1,
    )
    assert client.get("/api/v1/assess/archive/2026", **reporter).status_code == 403


def test_schemes_and_the_consequences_ledger_come_as_excel(client, district, office, reporter):
    import io

    import openpyxl

    scheme = services.ensure_scheme_for(2026, actor=None)
    response = client.get(f"/api/v1/assess/schemes/{scheme.pk}/xlsx", **office)
    assert (
        response.status_code == 200
        and "考核指标" in openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames
    )
    publish_period("2026-11", actor=None)
    ledger = openpyxl.load_workbook(
        io.BytesIO(client.get("/api/v1/assess/consequences/2026/xlsx", **office).content)
    )
    assert {row[4] for row in ledger.active.iter_rows(min_row=2, values_only=True)} >= {
        "经济奖励",
        "黄牌",
        "约谈",
    }
    assert client.get("/api/v1/assess/consequences/2026/xlsx", **reporter).status_code == 403


def test_publishing_without_confirmation_is_refused_and_lists_what_would_be_published(
    client, district, office
):
    run = run_over_api(client, {"period": "2026-11"}, office)
    url = f"/api/v1/assess/runs/{run['id']}/publish"
    for refused in (
        client.post(url, **office),
        client.post(url, {}, content_type=JSON, **office),
        client.post(url, {"confirm": False}, content_type=JSON, **office),
    ):
        assert refused.status_code == 422, refused.content
        answer = refused.json()
        assert (answer["code"], answer["errors"][0]["field"]) == ("confirm", "confirm")
        would = answer["would_publish"]
        # November: the fast headquarters' reward, the slow one's yellow card and the interview it calls for.
        assert would["consequences"] == {"interview": 1, "reward": 1, "yellow_card": 1}
        assert would["reward_total"] == 30_000 and would["scores"]["headquarters"] == 2
        assert {(c["kind"], c["name"], c["amount"]) for c in would["items"]} == {
            ("reward", "智能装备产业园指挥部", 30_000),
            ("yellow_card", "商贸城指挥部", 0),
            ("interview", "商贸城指挥部", 0),
        }
        assert would["refused"] == ""
    assert client.get(f"/api/v1/assess/runs/{run['id']}", **office).json()["state"] == "draft"
    assert not AuditEvent.objects.filter(action="assess.publish").exists()

    without_version = client.post(url, {"confirm": True}, content_type=JSON, **office)
    assert without_version.status_code == 422 and without_version.json()["errors"][0]["field"] == "version"
    published = client.post(url, confirm(run), content_type=JSON, **office)
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert client.get("/api/v1/assess/consequences?year=2026&kind=reward", **office).json()["count"] == 1


def test_the_publish_endpoint_documents_its_confirmation_and_what_it_answers_without_one(client, office_user):
    client.force_login(office_user)
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/assess/runs/{run_id}/publish"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "confirm" in str(body) or "PublishIn" in str(body)
    refusal = operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[
        -1
    ]
    assert {"code", "errors", "would_publish"} <= set(
        document["components"]["schemas"][refusal]["properties"]
    )


def test_a_period_open_for_filing_is_drafted_only_early_with_a_reason_and_is_not_published(
    client, district, office, office_user
):
    current = open_current_dekad(office_user)
    refused = client.post("/api/v1/assess/runs", {"period": current.code}, content_type=JSON, **office)
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "early_reason" and "尚未截止" in error["message"]
    assert not Run.objects.exists()

    early = run_over_api(client, {"period": current.code, "early_reason": "区长要求看本旬进度"}, office)
    assert (early["state"], early["early_reason"]) == ("draft", "区长要求看本旬进度")
    publish = client.post(
        f"/api/v1/assess/runs/{early['id']}/publish", confirm(early), content_type=JSON, **office
    )
    assert publish.status_code == 422 and publish.json()["code"] == "state"
    assert "尚未截止" in publish.json()["errors"][0]["message"]
    assert Run.objects.get().state == "draft"
    batch = client.post("/api/v1/assess/runs/batch", {"periods": [current.code]}, content_type=JSON, **office)
    assert batch.status_code == 422 and batch.json()["errors"][0]["field"] == "early_reason"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/assess/archive/0", "path.year"),
        ("/api/v1/assess/archive/99999999999999999999", "path.year"),
        ("/api/v1/assess/year/1999", "path.year"),
        ("/api/v1/assess/flags/2101", "path.year"),
        ("/api/v1/assess/consequences/0/xlsx", "path.year"),
        ("/api/v1/assess/consequences?year=0", "query.year"),
        ("/api/v1/assess/interviews?year=99999", "query.year"),
        ("/api/v1/assess/archive/2026?person_id=99999999999999999999", "query.person_id"),
    ],
)
def test_a_year_or_id_out_of_range_answers_422_not_a_server_error(client, office, url, field):
    response = client.get(url, **office)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_an_interview_or_commitment_dated_outside_2000_to_2100_answers_422(client, office):
    interview = {
        "consequence_id": 1,
        "held_on": "9999-12-31",
        "interviewer": "区长",
        "interviewee": "指挥长",
        "content": "约谈",
        "commitments": [{"text": "倒排工期", "deadline": "0001-01-01"}],
    }
    response = client.post("/api/v1/assess/interviews", interview, content_type=JSON, **office)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "body.payload.held_on",
        "body.payload.commitments.0.deadline",
    }
