"""Assessment runs on a real database: facts loaded from reports, milestones and lights, drafts replaced,
publication final, revisions linked with their reason, and the pages that show and explain the results (on the
district of conftest.py)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from gongjian.assess import queries, services
from gongjian.assess.models import Adjustment, Run
from gongjian.core.models import AuditEvent
from gongjian.jobs.models import Job
from gongjian.reports.models import ReportingPeriod
from tests.assess.conftest import open_current_dekad, publish_period
from tests.factories import UnitFactory, current_version
from tests.workbooks import contents, export_in_background

pytestmark = pytest.mark.django_db


def headquarters(run):
    return {s.subject_name: s for s in run.scores.filter(subject_kind="headquarters")}


def test_a_run_scores_ranks_and_explains_every_subject_and_gives_the_red_flag(district, office_user):
    run = services.run_assessment("2026-11-2", actor=office_user)
    assert (run.state, run.revision, run.period_kind) == ("draft", 1, "dekad")
    scores = headquarters(run)
    fast, slow = scores["智能装备产业园指挥部"], scores["商贸城指挥部"]
    assert fast.score > slow.score and (fast.rank, slow.rank, fast.group_size) == (1, 2, 2)
    assert any("3200.00 万元 / 序时计划 3200.00 万元" in line for line in queries.explanation(fast))
    assert any("1600.00 万元" in line for line in queries.explanation(slow))
    flags = run.consequences.filter(kind="red_flag", subject_kind="headquarters")
    assert [c.subject_name for c in flags] == ["智能装备产业园指挥部"]
    assert AuditEvent.objects.filter(action="assess.run").count() == 1


def test_rerunning_a_draft_replaces_it_with_the_corrected_data(district, office_user):
    first = services.run_assessment("2026-11-2", actor=office_user)
    Adjustment.objects.create(
        period_code="2026-11-2",
        subject_kind="headquarters",
        subject_id=district["slow_hq"].pk,
        points=50,
        reason="受到市政府通报表扬",
    )
    again = services.run_assessment("2026-11-2", actor=office_user, expected_version=first.version)
    assert again.pk == first.pk and Run.objects.count() == 1 and again.version == first.version + 1
    slow = headquarters(again)["商贸城指挥部"]
    assert slow.rank == 1 and any("受到市政府通报表扬" in line for line in queries.explanation(slow))


def test_published_results_are_final_and_a_correction_is_a_linked_revision(district, office_user):
    run = publish_period("2026-11-2", actor=office_user)
    from gongjian.core.models import ClosedPeriod

    assert ClosedPeriod.objects.get().code == "2026-11-2"  # closed: no re-baselining reaches back into it
    with pytest.raises(ValidationError, match="已发布"):
        services.run_assessment("2026-11-2", actor=office_user)
    with pytest.raises(ValidationError):
        services.revise(run, "  ", actor=office_user, expected_version=current_version(run))
    revision = services.revise(
        run, "慢项目补报了投资", actor=office_user, expected_version=current_version(run)
    )
    assert (revision.revision, revision.supersedes, revision.state) == (2, run, "draft")
    services.publish(revision, actor=office_user, expected_version=current_version(revision))
    run.refresh_from_db()
    assert run.state == "superseded" and run.scores.exists()  # the old results stay on record
    assert AuditEvent.objects.filter(action__in=["assess.publish", "assess.revise"]).count() == 3


def test_only_the_office_runs_assessments(district, make_user):
    with pytest.raises(PermissionDenied):
        services.run_assessment("2026-11-2", actor=make_user("unit_reporter", unit=UnitFactory()))


def test_the_command_assesses_and_publishes(district, capsys):
    call_command("assess", "2026-11-2", "--publish")
    assert "revision 1 (已发布)" in capsys.readouterr().out
    assert Run.objects.get().state == "published"
    call_command("assess", "2026-11-1..2026-11-3", "2026-10")
    out = capsys.readouterr().out
    assert "already published, left as they are: 2026-11-2" in out
    assert sorted(Run.objects.filter(state="draft").values_list("period_code", flat=True)) == [
        "2026-10",
        "2026-11-1",
        "2026-11-3",
    ]


def test_the_pages_run_rank_explain_and_publish(district, office_client):
    listing = office_client.get("/assess/").content.decode()
    assert 'id="run-form"' in listing and "/assess/year/" in listing
    response = office_client.post("/assess/run/", {"period": "2026-11-2"})
    run, job = Run.objects.get(), Job.objects.get(kind="assess.run")
    # The button answers at once with the task's page, which links to the draft once the task has run.
    assert response.status_code == 302 and response["Location"] == f"/system/jobs/{job.pk}/"
    task = office_client.get(response["Location"]).content.decode()
    assert "已完成" in task and "已计算 2026年11月中旬 的考核结果（草稿）。" in task
    assert f'id="job-result" href="/assess/runs/{run.pk}/"' in task
    html = office_client.get(f"/assess/runs/{run.pk}/").content.decode()
    assert "智能装备产业园指挥部" in html and "红旗" in html
    score = headquarters(run)["商贸城指挥部"]
    detail = office_client.get(f"/assess/scores/{score.pk}/").content.decode()
    assert "本组第 2/2 名" in detail and "投资完成" in detail
    office_client.post(f"/assess/runs/{run.pk}/publish/", {"confirm": "yes", "version": run.version})
    run.refresh_from_db()
    assert run.state == "published"


def test_raters_score_their_subjects_and_the_office_sees_who_has_not(
    district, make_user, client, office_user
):
    from gongjian.assess.models import Evaluation, EvaluatorAssignment

    leader = make_user("evaluator", username="rater")
    for hq in (district["fast_hq"], district["slow_hq"]):
        EvaluatorAssignment.objects.create(rater=leader, subject_kind="headquarters", subject_id=hq.pk)
    client.force_login(office_user)
    missing = client.get("/assess/evaluate/?period=2026-11-2").content.decode()
    assert missing.count("→") == 2
    client.force_login(leader)
    bad = client.post(
        "/assess/evaluate/", {"period": "2026-11-2", f"score-headquarters-{district['fast_hq'].pk}": "120"}
    )
    assert "评分应在 0 到 100 之间" in bad.content.decode() and not Evaluation.objects.exists()
    client.post(
        "/assess/evaluate/",
        {
            "period": "2026-11-2",
            f"score-headquarters-{district['fast_hq'].pk}": "95",
            f"comment-headquarters-{district['fast_hq'].pk}": "现场组织有力",
        },
    )
    assert Evaluation.objects.get().score == 95
    client.force_login(office_user)
    assert client.get("/assess/evaluate/?period=2026-11-2").content.decode().count("→") == 1
    run = services.run_assessment("2026-11-2", actor=office_user)
    fast = headquarters(run)["智能装备产业园指挥部"]
    assert any("综合评价" in line and "95" in line for line in queries.explanation(fast))


def test_a_published_run_gives_a_numbered_notice_and_a_public_page(
    district, office_user, office_client, client, settings
):
    import io

    import docx

    settings.GONGJIAN_DOC_PREFIX = "泉重点办"
    run = services.run_assessment("2026-11-2", actor=office_user)
    assert office_client.get(f"/assess/runs/{run.pk}/notice.docx").status_code == 302  # a draft has no notice
    services.publish(run, actor=office_user, expected_version=current_version(run))
    first = office_client.get(f"/assess/runs/{run.pk}/notice.docx")
    again = office_client.get(f"/assess/runs/{run.pk}/notice.docx")
    year = timezone.localdate().year
    document = docx.Document(io.BytesIO(first.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"泉重点办〔{year}〕1号" in text and "关于2026年11月中旬重点项目建设考核结果的通报" in text
    assert "红旗：智能装备产业园指挥部。" in text
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[1:] == [
        ["1", "智能装备产业园指挥部", f"{headquarters(run)['智能装备产业园指挥部'].score:.2f}"],
        ["2", "商贸城指挥部", f"{headquarters(run)['商贸城指挥部'].score:.2f}"],
    ]
    assert (
        docx.Document(io.BytesIO(again.content)).paragraphs
        and Run.objects.get().notice_number == f"泉重点办〔{year}〕1号"
    )  # downloading again issues no new number
    client.logout()
    public = client.get("/assess/public/")
    assert public.status_code == 200 and "智能装备产业园指挥部" in public.content.decode()
    assert "红旗" in public.content.decode()
    board = public.content.decode().split('id="public-flags"')[1]
    assert "智能装备产业园指挥部" in board and "🚩 1" in board and "商贸城指挥部" not in board


def test_the_tick_drafts_the_assessment_of_a_period_past_its_deadline_once(district, capsys):
    from gongjian.reports.models import ReportingPeriod

    ReportingPeriod.objects.update(deadline=timezone.now() - dt.timedelta(days=1))
    call_command("tick")
    assert "起草到期考核：起草 2026-11-2" in capsys.readouterr().out
    call_command("tick")
    assert "起草到期考核：起草 无" in capsys.readouterr().out
    assert Run.objects.get().state == "draft"


def test_a_scheme_goes_out_as_yaml_and_comes_back_as_a_new_version_in_force(db, tmp_path, capsys):
    from gongjian.assess.models import Scheme, SchemeYear

    call_command("scheme", "export", "--year", "2026")
    text = capsys.readouterr().out
    assert "indicators:" in text
    changed = tmp_path / "scheme.yaml"
    changed.write_text(text.replace("points: 40", "points: 50", 1), encoding="utf-8")
    call_command("scheme", "import", str(changed), "--activate", "2027")
    # Exporting saved nothing (a read), so the import is the scheme's first saved version.
    assert "v1 saved, in force for 2027" in capsys.readouterr().out
    assert SchemeYear.objects.get(year=2027).scheme == Scheme.objects.get(version=1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("points: 40", "points: -1", 1), encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="points"):
        call_command("scheme", "import", str(broken))


def test_what_if_compares_another_scheme_with_the_one_in_force_and_saves_nothing(
    district, office_user, office_client
):
    active = services.ensure_scheme_for(2026, actor=None)
    content = dict(active.content)
    # a scheme that scores only physical progress: both headquarters met no milestones, so they tie
    content["indicators"] = [i for i in content["indicators"] if i["kind"] == "progress"]
    content["name"] = "只看形象进度"
    trial = services.save_scheme(content, actor=office_user)
    html = office_client.get(f"/assess/what-if/?scheme={trial.pk}&period=2026-11-2&kind=headquarters")
    text = html.content.decode()
    assert "智能装备产业园指挥部" in text and "商贸城指挥部" in text and "↓1" not in text
    rows = text.split('id="comparison"')[1]
    assert rows.count('<td class="num">1</td>') >= 2  # a tie at rank 1 under the trial scheme
    assert not Run.objects.exists()


def test_what_if_over_several_periods_compares_mean_ranks_and_the_consequences_each_scheme_gives(
    district, office_user, office_client
):
    content = dict(services.ensure_scheme_for(2026, actor=None).content)
    content["consequences"] = [c for c in content["consequences"] if c["kind"] != "red_flag"]
    content["name"] = "不设红旗"
    trial = services.save_scheme(content, actor=office_user)
    rows = services.what_if(trial, services.parse_periods("2026-11-1..2026-11-3"))
    fast = next(r for r in rows if r["name"] == "智能装备产业园指挥部")
    assert fast["was_marks"] and "红旗" in fast["was_marks"] and fast["marks"] == ""
    assert fast["rank"] == fast["was_rank"] and fast["moved"] == 0
    page = office_client.get(
        f"/assess/what-if/?scheme={trial.pk}&period=2026-11-1..2026-11-3"
    ).content.decode()
    assert "（3 期）" in page and "各期平均" in page and "红旗" in page.split('id="comparison"')[1]
    bad = office_client.get(f"/assess/what-if/?scheme={trial.pk}&period=2026-11-3..2026-11-1")
    assert bad.status_code == 200 and "起不晚于止" in bad.content.decode()
    assert office_client.get("/assess/what-if/?period=垃圾").status_code == 200
    assert not Run.objects.exists()


def test_a_run_exports_its_scores_and_consequences_to_excel(district, office_user, office_client):
    import io

    import openpyxl

    run = services.run_assessment("2026-11-2", actor=office_user)
    response = office_client.get(f"/assess/runs/{run.pk}/export/")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:6] == ("考核对象类型", "分组", "名次", "组内数", "考核对象", "得分")
    hq = [r for r in rows[1:] if r[0] == "指挥部"]
    assert [(r[2], r[4]) for r in hq] == [(1, "智能装备产业园指挥部"), (2, "商贸城指挥部")]
    assert "红旗" in hq[0][-2] and "投资完成" in hq[0][-1]


def test_a_run_with_more_scores_than_a_request_writes_exports_them_in_the_background(
    district, office_user, office_client, settings
):
    run = services.run_assessment("2026-11-2", actor=office_user)
    url = f"/assess/runs/{run.pk}/export/"
    at_once = b"".join(office_client.get(url).streaming_content)

    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 2
    job, file = export_in_background(office_client, url)

    assert job.kind == "assess.export_run" and job.total == job.done == run.scores.count() > 2
    assert job.file_name == f"考核结果_2026年11月中旬_第{run.revision}版.xlsx"
    assert contents(file) == contents(at_once)


def test_the_year_end_ranking_grades_subjects_from_the_published_months(district, office_user, office_client):
    for code in ("2026-10", "2026-11"):
        publish_period(code, actor=office_user)
    services.run_assessment("2026-09", actor=office_user)  # a draft month does not count
    grades = services.year_end(2026)
    hq = grades.filter(grades["subject_kind"] == "headquarters").sort("rank")
    assert hq["months"].to_list() == [2, 2] and hq["rank"].to_list() == [1, 2]
    html = office_client.get("/assess/year/2026/").content.decode()
    first = hq.row(0, named=True)
    assert "智能装备产业园指挥部" in html and f"<strong>{first['grade']}</strong>" in html
    assert first["explanation"] in html


def test_late_and_missing_reports_are_counted_from_the_deadlines(district, office_user):
    import polars as pl

    from gongjian.core.periods import Period
    from gongjian.reports.models import Report

    late = Report.objects.get(project=district["slow"])
    late.first_submitted_at = late.period.deadline + dt.timedelta(hours=1)
    late.save()
    extra = UnitFactory(name="住建局")
    from tests.factories import ProjectFactory

    silent = ProjectFactory(name="没报的项目", responsible_unit=extra)
    facts = services.load(Period.parse("2026-11-2"), now=late.period.deadline + dt.timedelta(days=1))["facts"]
    counts = {r["project_id"]: (r["missing_reports"], r["late_reports"]) for r in facts.iter_rows(named=True)}
    assert counts[district["slow"].pk] == (0, 1) and counts[district["fast"].pk] == (0, 0)
    assert counts[silent.pk] == (1, 0)
    assert facts.schema["late_reports"] == pl.Int64


# -- guards: nothing assessed while it can still change, nothing published unseen ------------------------------


def test_a_period_still_open_for_filing_cannot_be_assessed_without_a_reason(
    district, office_user, office_client
):
    # Issue 12: a ten-day period still open for filing was assessed and published in one click, with a red flag.
    current = open_current_dekad(office_user)
    with pytest.raises(ValidationError, match="尚未截止") as refused:
        services.run_assessment(current.code, actor=office_user)
    assert "early_reason" in refused.value.message_dict
    response = office_client.post("/assess/run/", {"period": current.code})
    assert response.status_code == 302 and response["Location"] == "/assess/"
    listing = office_client.get("/assess/").content.decode()
    assert "尚未截止" in listing and "如需提前试算，请写明原因" in listing
    assert "前只能提前试算" in listing.split(f'value="{current.code}"')[1].split("</option>")[0]
    assert not Run.objects.exists() and not Job.objects.exists()  # refused before anything was queued


def test_an_early_draft_records_its_reason_is_shown_as_such_and_cannot_be_published(
    district, office_user, office_client
):
    current = open_current_dekad(office_user)
    response = office_client.post(
        "/assess/run/", {"period": current.code, "early_reason": "区长要求看本旬进度"}
    )
    run = Run.objects.get()
    assert response["Location"] == f"/system/jobs/{Job.objects.get().pk}/"
    assert "提前试算" in office_client.get(response["Location"]).content.decode()
    assert (run.state, run.early_reason) == ("draft", "区长要求看本旬进度")
    event = AuditEvent.objects.get(action="assess.run")
    assert event.after["early_reason"] == "区长要求看本旬进度" and event.after["filing_deadline"]
    page = office_client.get(f"/assess/runs/{run.pk}/").content.decode()
    assert "提前试算" in page and "区长要求看本旬进度" in page.split('id="early-draft"')[1]
    assert "提前试算" in office_client.get("/assess/").content.decode().split('id="run-table"')[1]

    with pytest.raises(ValidationError, match="尚未截止"):
        services.publish(run, actor=office_user, expected_version=current_version(run))
    confirm = office_client.get(f"/assess/runs/{run.pk}/publish/").content.decode()
    assert 'id="publish-refused"' in confirm and 'id="publish-form"' not in confirm
    office_client.post(f"/assess/runs/{run.pk}/publish/", {"confirm": "yes"})
    run.refresh_from_db()
    assert run.state == "draft" and not AuditEvent.objects.filter(action="assess.publish").exists()


def test_an_early_draft_is_published_only_once_rerun_after_the_deadline(district, office_user):
    # The office reopens 2026-11-2 for filing: it can be drafted only early.
    window = ReportingPeriod.objects.filter(code="2026-11-2")
    window.update(deadline=timezone.now() + dt.timedelta(days=1))
    run = services.run_assessment("2026-11-2", actor=office_user, early_reason="试算")
    # The window closes after the draft was computed: reports filed meanwhile are missing from it.
    window.update(deadline=timezone.now())
    with pytest.raises(ValidationError, match="提前试算"):
        services.publish(run, actor=office_user, expected_version=current_version(run))
    again = services.run_assessment("2026-11-2", actor=office_user, expected_version=current_version(run))
    assert again.pk == run.pk and again.early_reason == ""
    assert (
        services.publish(again, actor=office_user, expected_version=current_version(again)).state
        == "published"
    )


def test_a_period_whose_deadline_came_before_its_end_waits_for_its_end(district, office_user):
    current = open_current_dekad(office_user, deadline_in=-dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="尚未截止"):
        services.run_assessment(current.code, actor=office_user)


def test_publishing_on_the_page_asks_for_confirmation_and_lists_the_flags_cards_and_amounts(
    district, office_user, office_client
):
    run = services.run_assessment("2026-11", actor=office_user)
    detail = office_client.get(f"/assess/runs/{run.pk}/").content.decode()
    assert (
        f'href="/assess/runs/{run.pk}/publish/"' in detail
    )  # a link to the confirmation, not a one-click form
    confirm = office_client.get(f"/assess/runs/{run.pk}/publish/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    listed = page.split('id="publish-consequences"')[1]
    assert "经济奖励" in listed and "智能装备产业园指挥部" in listed and "30000" in listed
    assert "黄牌" in listed and "约谈" in listed and "商贸城指挥部" in listed
    assert "30000 元" in page.split('id="publish-amount"')[1] and 'name="confirm"' in page
    run.refresh_from_db()
    assert run.state == "draft"

    unconfirmed = office_client.post(f"/assess/runs/{run.pk}/publish/")
    assert unconfirmed.status_code == 200 and "请核对将发布的内容" in unconfirmed.content.decode()
    assert "智能装备产业园指挥部" in unconfirmed.content.decode().split('id="publish-consequences"')[1]
    run.refresh_from_db()
    assert run.state == "draft"

    assert f'name="version" value="{run.version}"' in page
    done = office_client.post(f"/assess/runs/{run.pk}/publish/", {"confirm": "yes", "version": run.version})
    assert done.status_code == 302
    run.refresh_from_db()
    assert run.state == "published" and AuditEvent.objects.filter(action="assess.publish").count() == 1


def test_other_actions_still_need_a_post(district, office_user, office_client):
    run = services.run_assessment("2026-11-2", actor=office_user)
    assert office_client.get(f"/assess/runs/{run.pk}/rerun/").status_code == 405
    assert office_client.get(f"/assess/runs/{run.pk}/revise/").status_code == 405


def test_the_tick_leaves_a_period_whose_deadline_passed_before_it_ended(district, office_user, capsys):
    open_current_dekad(office_user, deadline_in=-dt.timedelta(hours=1))
    call_command("tick")
    assert "起草到期考核：起草 无" in capsys.readouterr().out
    assert not Run.objects.exists()


def test_the_command_drafts_an_open_period_only_early_with_a_reason(district, office_user, capsys):
    from django.core.management.base import CommandError

    current = open_current_dekad(office_user)
    with pytest.raises(CommandError, match="尚未截止"):
        call_command("assess", current.code)
    call_command("assess", current.code, "--early", "月中调度会要看")
    assert "提前试算" in capsys.readouterr().out
    assert Run.objects.get().early_reason == "月中调度会要看"
    with pytest.raises(CommandError, match="尚未截止"):
        call_command("assess", current.code, "--early", "再算一次", "--publish")
