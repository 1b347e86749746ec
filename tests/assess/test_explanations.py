"""Explanations on demand (issue 14 item 4): a run keeps the figures its scores were computed from, and the score
page, the API and the export write each explanation from them when it is read — the same lines the run used to
keep with every score, a re-baselined project's baseline note included; the scores of runs made before keep
theirs and show them as kept."""

import html
import re

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.accounts import services as accounts
from gongjian.assess import engine, queries, services
from gongjian.assess.models import RunFigures, Score
from gongjian.core.periods import Period
from gongjian.projects.models import Project
from gongjian.reports.models import Report
from tests.workbooks import contents

pytestmark = pytest.mark.django_db


def written_at_once(run) -> dict[tuple[str, int], list[str]]:
    """What the run kept with every score before issue 14: the engine's explanations, written with the results."""
    frames = services.load(Period.parse(run.period_code))
    results = engine.assess(*frames.values(), run.scheme.engine_scheme(), explain=True)
    return {
        (kind, sid): lines
        for kind, sid, lines in results.scores.select("subject_kind", "subject_id", "explanation").rows()
    }


def page_lines(client, score: Score) -> list[str]:
    page = client.get(f"/assess/scores/{score.pk}/").content.decode()
    listed = re.search(r'<ol id="explanation">(.*?)</ol>', page, re.S).group(1)
    return [html.unescape(line) for line in re.findall(r"<li>(.*?)</li>", listed)]


def exported(client, run) -> list[tuple]:
    answer = client.get(f"/assess/runs/{run.pk}/export/")
    [sheet] = contents(b"".join(answer.streaming_content)).values()
    return sheet


def api(user) -> dict:
    _token, secret = accounts.create_api_token(user, "测试", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_page_the_api_and_the_export_show_each_score_explained_as_the_run_wrote_it(
    district, office_user, office_client, client
):
    run = services.run_assessment("2026-11-2", actor=office_user)
    expected = written_at_once(run)
    scores = list(run.scores.all())
    assert len(scores) == len(expected) == 4
    assert all(score.stored_explanation == [] for score in scores)  # no text kept with the scores
    assert RunFigures.objects.get(run=run).layout == engine.FIGURES_LAYOUT
    headers = api(office_user)
    for score in scores:
        lines = expected[score.subject_kind, score.subject_id]
        assert lines and queries.explanation(score) == lines
        assert page_lines(office_client, score) == lines
        assert client.get(f"/api/v1/assess/scores/{score.pk}", **headers).json()["explanation"] == lines
    listed = client.get(f"/api/v1/assess/runs/{run.pk}/scores?limit=3", **headers).json()["items"]
    listed += client.get(f"/api/v1/assess/runs/{run.pk}/scores?offset=3", **headers).json()["items"]
    assert {(r["subject_kind"], r["subject_id"]): r["explanation"] for r in listed} == expected
    sheet = exported(office_client, run)
    header = sheet[0]
    explained = {
        (row[header.index("考核对象")], row[header.index("计分说明")])
        for row in sheet[1:]
        if row[0] is not None
    }
    names = {(s.subject_kind, s.subject_id): s.subject_name for s in scores}
    assert explained == {(names[key], "\n".join(lines)) for key, lines in expected.items()}


def test_an_explanation_tells_the_figures_of_its_run_not_todays(district, office_user):
    run = services.run_assessment("2026-11-2", actor=office_user)
    fast = run.scores.get(subject_kind="project", subject_id=district["fast"].pk)
    before = queries.explanation(fast)
    assert "本期累计 3200.00 万元" in before[0]
    Report.objects.filter(project=district["fast"]).update(year_to_date=1_000_000)
    assert queries.explanation(fast) == before


def test_a_rebaselined_projects_explanation_names_the_baseline_its_figures_came_from(district, office_user):
    Project.objects.filter(pk=district["slow"].pk).update(baseline=2, baseline_from="2026-11-2")
    run = services.run_assessment("2026-11-2", actor=office_user)
    slow = run.scores.get(subject_kind="project", subject_id=district["slow"].pk)
    lines = queries.explanation(slow)
    assert lines[:-1] == written_at_once(run)["project", district["slow"].pk]
    assert lines[-1] == "计划与节点口径：基准第2版（自2026年11月中旬起执行）"
    fast = run.scores.get(subject_kind="project", subject_id=district["fast"].pk)
    assert not any(line.startswith("计划与节点口径") for line in queries.explanation(fast))


def test_scores_of_a_run_made_before_issue_14_show_the_explanation_they_kept(
    district, office_user, office_client
):
    run = services.run_assessment("2026-11-2", actor=office_user)
    RunFigures.objects.filter(run=run).delete()  # as a run made before kept nothing of the kind
    kept = ["投资完成：本期累计 3200.00 万元 / 序时计划 3200.00 万元 = 100%", "合计 100 分，本组第 1/2 名"]
    run.scores.update(stored_explanation=kept)
    score = run.scores.get(subject_kind="headquarters", subject_id=district["fast_hq"].pk)
    assert queries.explanation(score) == kept
    assert page_lines(office_client, score) == kept
    sheet = exported(office_client, run)
    column = sheet[0].index("计分说明")
    assert {row[column] for row in sheet[1:] if row[0] is not None} == {"\n".join(kept)}


def test_a_draft_run_again_keeps_its_new_figures_only(district, office_user):
    run = services.run_assessment("2026-11-2", actor=office_user)
    Report.objects.filter(project=district["slow"]).update(year_to_date=32_000_000)
    again = services.run_assessment("2026-11-2", actor=office_user, expected_version=run.version)
    assert again.pk == run.pk and RunFigures.objects.filter(run=run).count() == 1
    slow = again.scores.get(subject_kind="project", subject_id=district["slow"].pk)
    assert "本期累计 3200.00 万元" in queries.explanation(slow)[0]


def test_a_page_of_scores_reads_its_runs_figures_once(district, office_user, client):
    run = services.run_assessment("2026-11-2", actor=office_user)
    headers = api(office_user)
    with CaptureQueriesContext(connection) as queries_made:
        items = client.get(f"/api/v1/assess/runs/{run.pk}/scores", **headers).json()["items"]
    assert len(items) == 4 and all(item["explanation"] for item in items)
    figures = [q for q in queries_made.captured_queries if "assess_runfigures" in q["sql"]]
    assert len(figures) == 1


def test_the_kept_figures_are_small(district, office_user):
    run = services.run_assessment("2026-11-2", actor=office_user)
    data = bytes(RunFigures.objects.get(run=run).data)
    figures = pl.read_parquet(data)
    assert figures.height == 4 and "note" in figures.columns
    assert len(data) < 20_000
