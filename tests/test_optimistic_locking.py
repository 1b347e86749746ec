"""Optimistic locking everywhere a person edits (issue 12 item 4), through the JSON API: every write to an object
that exists carries the version the writer read. For each such endpoint: a write from an old version answers 409
``stale`` with the version there now and changes nothing (no row, no audit event); a write without a version
answers 422 (or, where the write may also create — an upsert — 409 with the version to reload); a write from the
current version goes through and moves the version on. The OpenAPI document lists the 409 of each."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from gongjian.accounts import services as accounts
from gongjian.assess import services as assess
from gongjian.assess.models import (
    Commitment,
    Consequence,
    Evaluation,
    EvaluatorAssignment,
    Interview,
    Run,
    SchemeYear,
)
from gongjian.assess.services import followup
from gongjian.assignments import services as assignments
from gongjian.assignments.models import Submission
from gongjian.core.models import AuditEvent
from gongjian.daily.models import DailyReport
from gongjian.documents import services as briefings
from gongjian.documents.models import Document
from gongjian.lights.models import Case, CaseEvent, Judgement
from gongjian.lights.services import cases
from gongjian.meetings import services as dispatch
from gongjian.meetings.models import Decision, Meeting
from gongjian.org.choices import UnitKind
from gongjian.projects.models import Project
from gongjian.reports import services as reports
from gongjian.reports.models import Report, ReportPhoto
from tests.assess.conftest import build_district, publish_period
from tests.factories import ProjectFactory, UnitFactory, current_version, photo_bytes

pytestmark = pytest.mark.django_db

JSON = "application/json"
TODAY = timezone.localdate()


def bearer(user) -> dict:
    _token, secret = accounts.create_api_token(user, "测试", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def office(office_user) -> dict:
    return bearer(office_user)


def with_version(body: dict, version: int | None, name: str = "version") -> dict:
    return body if version is None else {**body, name: version}


def state_of(obj, *related):
    """What a refused write must leave as it was: the row, the rows named by ``related`` (querysets, counted) and
    the audit trail."""
    row = list(type(obj)._default_manager.filter(pk=obj.pk).values())
    return row, [q.count() for q in related], AuditEvent.objects.count()


def three_ways(send, obj, *related, missing=422, done=(200,), bumps=True):
    """Someone else saves ``obj`` first; then the writer sends from the version they read (409, nothing changes),
    without a version (``missing``: 422, or 409 where the write may also create), and from the current version
    (``done``), which moves the version on unless ``bumps`` is false. Returns the last answer."""
    read = current_version(obj)
    type(obj)._default_manager.filter(pk=obj.pk).update(version=F("version") + 1)  # someone else saved
    now = read + 1
    before = state_of(obj, *related)

    stale = send(read)
    assert stale.status_code == 409, stale.content.decode()
    body = stale.json()
    assert (body["code"], body["current_version"]) == ("stale", now), body
    assert body["errors"] and f"当前版本 {now}" in body["errors"][0]["message"]
    assert state_of(obj, *related) == before

    unversioned = send(None)
    assert unversioned.status_code == missing, unversioned.content.decode()
    if missing == 422:
        assert unversioned.json()["code"] == "invalid"
        assert any("version" in (e["field"] or "") for e in unversioned.json()["errors"]), unversioned.json()
    else:
        assert (unversioned.json()["code"], unversioned.json()["current_version"]) == ("stale", now)
    assert state_of(obj, *related) == before

    answer = send(now)
    assert answer.status_code in done, answer.content.decode()
    assert current_version(obj) == (now + 1 if bumps else now)
    return answer


# -- reports ------------------------------------------------------------------------------------------------------


@pytest.fixture
def filing(make_user, office_user):
    unit = UnitFactory(name="工信局")
    project = ProjectFactory(name="智能装备产业园", responsible_unit=unit)
    opens = timezone.now() - dt.timedelta(days=1)
    period = reports.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    reviewer = make_user("unit_reviewer", unit=unit, username="rev")
    draft = reports.save_draft(project, period, {"amount": 1_000_000}, actor=reporter)
    return {
        "project": project,
        "period": period,
        "draft": draft,
        "reporter": bearer(reporter),
        "reviewer": bearer(reviewer),
        "reporter_user": reporter,
    }


def submitted(filing) -> Report:
    draft = filing["draft"]
    return reports.submit_report(
        draft, actor=filing["reporter_user"], expected_version=current_version(draft)
    )


def test_changing_a_report_needs_its_version(client, filing):
    report = filing["draft"]
    three_ways(
        lambda v: client.patch(
            f"/api/v1/reports/{report.pk}",
            with_version({"amount": 7}, v),
            content_type=JSON,
            **filing["reporter"],
        ),
        report,
    )
    assert Report.objects.get().amount == 7


def test_filing_a_report_that_is_there_already_is_stale_with_its_version(client, filing):
    again = client.post(
        "/api/v1/reports",
        {"project_id": filing["project"].pk, "period_id": filing["period"].pk, "amount": 5},
        content_type=JSON,
        **filing["reporter"],
    )
    assert again.status_code == 409 and again.json()["current_version"] == 1
    assert Report.objects.get().amount == 1_000_000


def test_submitting_a_report_needs_its_version_and_leaves_it_as_a_double_click_finds_it(client, filing):
    report = filing["draft"]
    url = f"/api/v1/reports/{report.pk}/submit"
    answer = three_ways(
        lambda v: client.post(url, with_version({}, v), content_type=JSON, **filing["reporter"]),
        report,
        bumps=False,
    )  # a submission changes the state, not what the report says
    assert answer.json()["state"] == "submitted"
    # the same button pressed twice: the second finds it submitted from the same version and changes nothing
    twice = client.post(url, {"version": answer.json()["version"]}, content_type=JSON, **filing["reporter"])
    assert twice.status_code == 200 and Report.objects.get().revisions.count() == 1


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_reviewing_a_report_needs_the_version_the_reviewer_read(client, filing, decision):
    report = submitted(filing)
    body = {"reason": "照片不清"} if decision == "return" else {}
    answer = three_ways(
        lambda v: client.post(
            f"/api/v1/reports/{report.pk}/{decision}",
            with_version(body, v),
            content_type=JSON,
            **filing["reviewer"],
        ),
        report,
    )
    assert answer.json()["state"] == {"approve": "approved", "return": "returned"}[decision]


def test_a_second_reviewer_on_the_same_page_is_told_the_report_changed(client, filing):
    report = submitted(filing)
    read = current_version(report)
    approved = client.post(
        f"/api/v1/reports/{report.pk}/approve", {"version": read}, content_type=JSON, **filing["reviewer"]
    )
    assert approved.status_code == 200
    second = client.post(
        f"/api/v1/reports/{report.pk}/return",
        {"version": read, "reason": "再看看"},
        content_type=JSON,
        **filing["reviewer"],
    )
    assert second.status_code == 409 and second.json()["current_version"] == read + 1
    assert Report.objects.get().state == "approved"


def test_adding_photos_to_a_report_needs_its_version(client, filing):
    report = filing["draft"]

    def send(version):
        upload = SimpleUploadedFile("现场.jpg", photo_bytes(), content_type="image/jpeg")
        return client.post(
            f"/api/v1/reports/{report.pk}/photos",
            with_version({"files": [upload]}, version),
            **filing["reporter"],
        )

    three_ways(send, report, ReportPhoto.objects.all(), done=(201,))
    assert ReportPhoto.objects.count() == 1


def test_taking_a_photo_off_a_report_needs_its_version(client, filing):
    report = filing["draft"]
    upload = SimpleUploadedFile("现场.jpg", photo_bytes(), content_type="image/jpeg")
    [photo] = reports.add_photos(
        report, [upload], actor=filing["reporter_user"], expected_version=report.version
    )
    url = f"/api/v1/reports/{report.pk}/photos/{photo.pk}"
    three_ways(
        lambda v: client.delete(url if v is None else f"{url}?version={v}", **filing["reporter"]),
        report,
        ReportPhoto.objects.all(),
        done=(204,),
    )
    assert not ReportPhoto.objects.exists()


# -- projects -----------------------------------------------------------------------------------------------------


def test_changing_a_project_needs_its_version(client, office_user, office):
    project = ProjectFactory(location="旧址")
    three_ways(
        lambda v: client.patch(
            f"/api/v1/projects/{project.pk}",
            with_version({"location": "新址"}, v),
            content_type=JSON,
            **office,
        ),
        project,
    )
    assert Project.objects.get().location == "新址"


# -- lights: judgements and cases ---------------------------------------------------------------------------------


def test_a_judgement_is_given_once_and_changed_only_from_its_version(client, make_user):
    project = ProjectFactory()
    leader = bearer(make_user("principal_leader", username="boss"))
    url = f"/api/v1/lights/{project.pk}/2026-11-3/judgement"
    first = client.put(url, {"colour": 2, "reason": "现场无人"}, content_type=JSON, **leader)
    assert first.status_code == 200 and first.json()["version"] == 1
    answer = three_ways(
        lambda v: client.put(
            url, with_version({"colour": 1, "reason": "已复工"}, v), content_type=JSON, **leader
        ),
        Judgement.objects.get(),
        missing=409,
    )
    assert answer.json()["colour"] == 1 and Judgement.objects.get().reason == "已复工"


@pytest.fixture
def casework(make_user, office_user):
    unit = UnitFactory(name="工信局")
    project = ProjectFactory(name="智能装备产业园", responsible_unit=unit)
    owner = make_user("unit_reporter", unit=unit, username="owner")
    case = cases.open_case(
        project,
        kind="light",
        title="智能装备产业园 亮红灯",
        reasons=["投资滞后"],
        owner=unit,
        period_code="2026-11-3",
    )
    return {
        "case": case,
        "owner_user": owner,
        "owner": bearer(owner),
        "office": bearer(office_user),
        "office_user": office_user,
    }


def resolved(casework) -> Case:
    case, owner = casework["case"], casework["owner_user"]
    cases.accept(case, actor=owner, expected_version=current_version(case))
    evidence = SimpleUploadedFile("照片.jpg", b"\xff\xd8 photo")
    return cases.resolve(
        case, "已完成", actor=owner, evidence=evidence, expected_version=current_version(case)
    )


@pytest.mark.parametrize(
    "action, who, body, state",
    [
        ("accept", "owner", {}, "accepted"),
        ("pass_up", "owner", {"text": "涉及规划调整，超出本单位权限"}, "new"),
        ("close", "office", {"text": "核实无误"}, "closed"),
        ("reopen", "office", {"text": "佐证不足"}, "in_hand"),
    ],
)
def test_each_action_on_a_case_needs_the_version_read(client, casework, action, who, body, state):
    case = resolved(casework) if action in ("close", "reopen") else casework["case"]
    answer = three_ways(
        lambda v: client.post(
            f"/api/v1/cases/{case.pk}/{action}", with_version(body, v), content_type=JSON, **casework[who]
        ),
        case,
        CaseEvent.objects.all(),
    )
    assert answer.json()["state"] == state and answer.json()["version"] == current_version(case)


@pytest.mark.parametrize("action", ["act", "resolve"])
def test_recording_an_action_or_the_result_of_a_case_needs_the_version_read(client, casework, action):
    case = casework["case"]

    def send(version):
        data = {"text": "已约谈施工单位", "evidence": SimpleUploadedFile("照片.jpg", b"\xff\xd8 photo")}
        return client.post(
            f"/api/v1/cases/{case.pk}/{action}", with_version(data, version), **casework["owner"]
        )

    answer = three_ways(send, case, CaseEvent.objects.all())
    assert answer.json()["state"] == {"act": "in_hand", "resolve": "resolved"}[action]


def test_two_offices_closing_the_same_case_from_one_page_do_not_both_succeed(client, casework):
    case = resolved(casework)
    read = current_version(case)
    first = client.post(
        f"/api/v1/cases/{case.pk}/close",
        {"version": read, "text": "同意"},
        content_type=JSON,
        **casework["office"],
    )
    second = client.post(
        f"/api/v1/cases/{case.pk}/close",
        {"version": read, "text": "也同意"},
        content_type=JSON,
        **casework["office"],
    )
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["current_version"] == read + 1
    assert list(CaseEvent.objects.filter(case=case, kind="closed").values_list("text", flat=True)) == ["同意"]


def test_a_letter_is_issued_about_the_case_as_read_and_leaves_its_version(client, casework):
    case = casework["case"]
    answer = three_ways(
        lambda v: client.post(
            f"/api/v1/cases/{case.pk}/letters/reminder",
            with_version({}, v),
            content_type=JSON,
            **casework["office"],
        ),
        case,
        CaseEvent.objects.all(),
        bumps=False,
        done=(202,),
    )
    task = client.get(answer.json()["url"], **casework["office"]).json()
    assert task["state"] == "succeeded" and task["file_name"].endswith("提醒函.docx")
    assert CaseEvent.objects.filter(case=case, kind="letter").count() == 1


def test_letters_on_several_cases_are_issued_only_from_each_cases_version(client, casework):
    case = casework["case"]
    three_ways(
        lambda v: client.post(
            "/api/v1/cases/letters/reminder",
            {"cases": [{"id": case.pk, **with_version({}, v)}]},
            content_type=JSON,
            **casework["office"],
        ),
        case,
        CaseEvent.objects.all(),
        bumps=False,
        missing=422,
        done=(202,),
    )
    assert CaseEvent.objects.filter(case=case, kind="letter").count() == 1


# -- dispatch: meetings, decisions, briefings and minutes, daily reports, hand-ins ---------------------------------


@pytest.fixture
def meeting(office_user):
    return dispatch.create_meeting(
        kind="monthly", title="11月重点项目调度会", held_at=timezone.now(), actor=office_user, projects=[]
    )


def test_editing_a_meeting_needs_its_version(client, meeting, office_user, office):
    answer = three_ways(
        lambda v: client.patch(
            f"/api/v1/dispatch/meetings/{meeting.pk}",
            with_version({"notes": "已召开", "state": "held"}, v),
            content_type=JSON,
            **office,
        ),
        meeting,
    )
    assert (answer.json()["state"], answer.json()["version"]) == ("held", current_version(meeting))


def test_adding_a_decision_to_a_meeting_needs_the_meetings_version(client, meeting, office_user, office):
    unit = UnitFactory(name="住建局")
    body = {
        "text": "开展在建工地安全生产大检查",
        "owner_id": unit.pk,
        "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
    }
    three_ways(
        lambda v: client.post(
            f"/api/v1/dispatch/meetings/{meeting.pk}/decisions",
            with_version(body, v),
            content_type=JSON,
            **office,
        ),
        meeting,
        Decision.objects.all(),
        Case.objects.all(),
        done=(201,),
    )
    assert Decision.objects.count() == 1


@pytest.fixture
def minutes(meeting, office_user):
    return briefings.draft("minutes", meeting=meeting, actor=office_user)


def test_editing_a_draft_needs_its_version(client, minutes, office_user, office):
    three_ways(
        lambda v: client.patch(
            f"/api/v1/dispatch/documents/{minutes.pk}",
            with_version({"title": "会议纪要（修改）", "texts": {"asks": "按时办结。"}}, v),
            content_type=JSON,
            **office,
        ),
        minutes,
    )
    assert Document.objects.get().title == "会议纪要（修改）"


def test_issuing_a_draft_needs_the_version_read(client, minutes, office_user, office):
    answer = three_ways(
        lambda v: client.post(
            f"/api/v1/dispatch/documents/{minutes.pk}/issue", with_version({}, v), content_type=JSON, **office
        ),
        minutes,
    )
    assert answer.json()["state"] == "issued" and answer.json()["number"]


def test_a_days_report_is_filed_once_and_corrected_only_from_its_version(client, make_user):
    team = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM)
    member = bearer(make_user("service_team", unit=team, username="duiyuan"))
    body = {"team_id": team.pk, "done": "入户走访 12 户", "households_signed": 3}
    created = client.post("/api/v1/dispatch/daily", body, content_type=JSON, **member)
    assert created.status_code == 201 and created.json()["version"] == 1
    corrected = {**body, "done": "入户走访 14 户", "households_signed": 4}
    answer = three_ways(
        lambda v: client.post(
            "/api/v1/dispatch/daily", with_version(corrected, v), content_type=JSON, **member
        ),
        DailyReport.objects.get(),
        missing=409,
    )
    assert answer.json()["households_signed"] == 4


def test_a_hand_in_is_made_once_and_replaced_only_from_its_version(client, make_user, office_user):
    unit = UnitFactory(name="工信局")
    person = bearer(make_user("unit_reporter", unit=unit, username="gxj"))
    task = assignments.create_assignment(
        title="现场会后讨论",
        instructions="组织讨论并报送",
        units=[unit],
        steps=[("组织讨论", TODAY + dt.timedelta(days=7))],
        actor=office_user,
    )
    url = f"/api/v1/dispatch/assignments/{task.pk}/steps/{task.steps.get().pk}/submissions"
    assert client.post(url, {"text": "已召开班子会"}, **person).status_code == 201
    answer = three_ways(
        lambda v: client.post(url, with_version({"text": "两次召开讨论会"}, v), **person),
        Submission.objects.get(),
        missing=409,
        done=(201,),
    )
    assert answer.json()["text"] == "两次召开讨论会"


# -- assessment ---------------------------------------------------------------------------------------------------


@pytest.fixture
def district(office_user):
    return build_district(office_user)


def test_putting_a_scheme_in_force_for_a_year_that_has_one_needs_that_choices_version(
    client, district, office_user, office
):
    active = assess.ensure_scheme_for(2026, actor=office_user)
    newer = assess.save_scheme(active.content, actor=office_user, note="新版")
    url = f"/api/v1/assess/schemes/{newer.pk}/activate"
    [year] = client.get("/api/v1/assess/schemes/years", **office).json()["items"]
    assert (year["year"], year["scheme_id"], year["version"]) == (2026, active.pk, 1)
    three_ways(
        lambda v: client.post(url, with_version({"year": 2026}, v), content_type=JSON, **office),
        SchemeYear.objects.get(year=2026),
        missing=409,
    )
    assert assess.scheme_for(2026) == newer
    # a year that has none yet takes one without a version
    assert client.post(url, {"year": 2027}, content_type=JSON, **office).status_code == 200


def test_running_a_period_again_replaces_its_draft_only_from_the_drafts_version(
    client, district, office_user, office
):
    first = client.post("/api/v1/assess/runs", {"period": "2026-11-2"}, content_type=JSON, **office)
    assert first.status_code == 202 and Run.objects.get().version == 1
    run = Run.objects.get()
    # A stale or unversioned run is refused when asked, before anything is queued (202: queued, and run).
    answer = three_ways(
        lambda v: client.post(
            "/api/v1/assess/runs", with_version({"period": "2026-11-2"}, v), content_type=JSON, **office
        ),
        run,
        Run.objects.all(),
        missing=409,
        done=(202,),
    )
    task = client.get(answer.json()["url"], **office).json()
    assert task["result"]["runs"] == [{"id": run.pk, "period_code": "2026-11-2"}] and Run.objects.count() == 1


def test_running_several_periods_replaces_each_draft_only_from_its_version(
    client, district, office_user, office
):
    run = assess.run_assessment("2026-11-2", actor=office_user)

    def send(version):
        body = {
            "periods": ["2026-11-2", "2026-11-1"],
            "versions": {} if version is None else {"2026-11-2": version},
        }
        return client.post("/api/v1/assess/runs/batch", body, content_type=JSON, **office)

    answer = three_ways(send, run, Run.objects.all(), missing=409, done=(202,))
    task = client.get(answer.json()["url"], **office).json()
    assert [r["period_code"] for r in task["result"]["runs"]] == ["2026-11-1", "2026-11-2"]
    assert Run.objects.count() == 2


def test_publishing_needs_the_version_of_the_draft_confirmed(client, district, office_user, office):
    run = assess.run_assessment("2026-11-2", actor=office_user)
    answer = three_ways(
        lambda v: client.post(
            f"/api/v1/assess/runs/{run.pk}/publish",
            with_version({"confirm": True}, v),
            content_type=JSON,
            **office,
        ),
        run,
    )
    assert answer.json()["state"] == "published"


def test_a_draft_recomputed_after_it_was_read_is_not_published_unseen(client, district, office_user, office):
    run = assess.run_assessment("2026-11-2", actor=office_user)
    read = run.version
    assess.run_assessment(
        "2026-11-2", actor=office_user, expected_version=read
    )  # another office clerk reruns it
    refused = client.post(
        f"/api/v1/assess/runs/{run.pk}/publish",
        {"confirm": True, "version": read},
        content_type=JSON,
        **office,
    )
    assert refused.status_code == 409 and refused.json()["current_version"] == read + 1
    assert Run.objects.get().state == "draft"


def test_opening_a_correction_needs_the_published_runs_version(client, district, office_user, office):
    published = publish_period("2026-11-2", actor=office_user)
    answer = three_ways(
        lambda v: client.post(
            f"/api/v1/assess/runs/{published.pk}/revise",
            with_version({"reason": "慢项目补报了投资"}, v),
            content_type=JSON,
            **office,
        ),
        published,
        Run.objects.all(),
        done=(201,),
    )
    assert answer.json()["supersedes_id"] == published.pk and Run.objects.count() == 2


def test_a_raters_score_is_given_once_and_changed_only_from_its_version(client, district, make_user):
    rater = make_user("evaluator", username="rater")
    hq = district["fast_hq"]
    EvaluatorAssignment.objects.create(rater=rater, subject_kind="headquarters", subject_id=hq.pk)
    headers = bearer(rater)

    def send(score, version=None):
        item = with_version({"subject_kind": "headquarters", "subject_id": hq.pk, "score": score}, version)
        return client.post(
            "/api/v1/assess/evaluations",
            {"period": "2026-11-2", "scores": [item]},
            content_type=JSON,
            **headers,
        )

    first = send(90)
    assert first.status_code == 200 and first.json()["items"][0]["version"] == 1
    answer = three_ways(lambda v: send(95, v), Evaluation.objects.get(), missing=409)
    assert answer.json()["items"][0]["score"] == 95
    stale = send(80, 1)
    assert [e["field"] for e in stale.json()["errors"]] == [
        f"headquarters-{hq.pk}"
    ]  # the batch names the subject


@pytest.fixture
def interview(district, office_user):
    publish_period("2026-11", actor=office_user)
    due = Consequence.objects.get(kind="interview")
    return followup.record_interview(
        actor=office_user,
        consequence=due,
        held_on=TODAY,
        interviewer="区长",
        interviewee="指挥长",
        content="约谈",
        commitments=[("倒排工期", TODAY + dt.timedelta(days=5))],
    )


def test_recording_an_interview_that_is_recorded_already_is_stale_with_its_version(
    client, interview, office_user, office
):
    body = {
        "consequence_id": interview.consequence_id,
        "held_on": TODAY.isoformat(),
        "interviewer": "副区长",
        "interviewee": "指挥长",
        "content": "又约谈了一次",
    }
    before = state_of(interview, Interview.objects.all(), Commitment.objects.all())
    again = client.post("/api/v1/assess/interviews", body, content_type=JSON, **office)
    assert again.status_code == 409 and again.json()["current_version"] == interview.version
    assert state_of(interview, Interview.objects.all(), Commitment.objects.all()) == before


def test_completing_a_commitment_needs_its_version(client, interview, office_user, office):
    commitment = interview.commitments.get()
    answer = three_ways(
        lambda v: client.post(
            f"/api/v1/assess/commitments/{commitment.pk}/complete",
            with_version({"done_on": TODAY.isoformat(), "result": "已倒排"}, v),
            content_type=JSON,
            **office,
        ),
        commitment,
    )
    assert answer.json()["state"] == "done"


# -- the document and the list of writes --------------------------------------------------------------------------

# Every write of the API to an object that exists, by method and path, with the output schema that shows its
# version; and the writes that only create (no object of the caller's to overwrite: a new meeting, document,
# assignment, the day's tasks, a scheme version, a recompute of every light).
VERSIONED = {
    ("patch", "/api/v1/reports/{report_id}"): "ReportOut",
    ("post", "/api/v1/reports"): "ReportOut",
    ("post", "/api/v1/reports/{report_id}/submit"): "ReportOut",
    ("post", "/api/v1/reports/{report_id}/approve"): "ReportOut",
    ("post", "/api/v1/reports/{report_id}/return"): "ReportOut",
    ("post", "/api/v1/reports/{report_id}/photos"): "ReportOut",
    ("delete", "/api/v1/reports/{report_id}/photos/{photo_id}"): "ReportOut",
    ("patch", "/api/v1/projects/{project_id}"): "ProjectOut",
    ("put", "/api/v1/lights/{project_id}/{period_code}/judgement"): "JudgementOut",
    **{
        ("post", f"/api/v1/cases/{{case_id}}/{action}"): "CaseOut"
        for action in ("accept", "act", "resolve", "close", "reopen", "pass_up")
    },
    ("post", "/api/v1/cases/{case_id}/letters/{kind}"): "CaseOut",
    ("post", "/api/v1/cases/letters/{kind}"): "CaseOut",
    ("patch", "/api/v1/dispatch/meetings/{meeting_id}"): "MeetingOut",
    ("post", "/api/v1/dispatch/meetings/{meeting_id}/decisions"): "MeetingOut",
    ("patch", "/api/v1/dispatch/documents/{document_id}"): "DocumentOut",
    ("post", "/api/v1/dispatch/documents/{document_id}/issue"): "DocumentOut",
    ("post", "/api/v1/dispatch/daily"): "DailyReportOut",
    ("post", "/api/v1/dispatch/assignments/{assignment_id}/steps/{step_id}/submissions"): "SubmissionOut",
    ("post", "/api/v1/assess/schemes/{scheme_id}/activate"): "SchemeYearOut",
    ("post", "/api/v1/assess/runs"): "RunOut",
    ("post", "/api/v1/assess/runs/batch"): "RunOut",
    ("post", "/api/v1/assess/runs/{run_id}/publish"): "RunOut",
    ("post", "/api/v1/assess/runs/{run_id}/revise"): "RunOut",
    ("post", "/api/v1/assess/evaluations"): "EvaluationOut",
    ("post", "/api/v1/assess/interviews"): "InterviewOut",
    ("post", "/api/v1/assess/commitments/{commitment_id}/complete"): "CommitmentOut",
    ("post", "/api/v1/projects/baseline-changes/{change_id}/approve"): "BaselineChangeOut",
    ("post", "/api/v1/projects/baseline-changes/{change_id}/refuse"): "BaselineChangeOut",
    ("post", "/api/v1/projects/baseline-changes/{change_id}/withdraw"): "BaselineChangeOut",
    ("patch", "/api/v1/land/tasks/{task_id}"): "LandTaskOut",
    ("put", "/api/v1/land/households/{household_id}"): "HouseholdOut",
    # an upsert: redrafting the household's agreement without its version is stale with the version to reload
    ("post", "/api/v1/land/households/{household_id}/agreement"): "AgreementOut",
    ("post", "/api/v1/land/agreements/{agreement_id}/approval"): "AgreementOut",
    ("post", "/api/v1/land/agreements/{agreement_id}/sign"): "AgreementOut",
    # investment attraction, targets and the pipeline (issue 16)
    ("patch", "/api/v1/pipeline/reserve/{reserve_id}"): "ReserveOut",
    ("post", "/api/v1/pipeline/reserve/{reserve_id}/withdraw"): "ReserveOut",
    ("post", "/api/v1/pipeline/plans/{plan_id}/items"): "PlanOut",
    ("patch", "/api/v1/pipeline/plans/{plan_id}/items/{item_id}"): "PlanOut",
    ("post", "/api/v1/pipeline/plans/{plan_id}/items/{item_id}/remove"): "PlanOut",
    # answers the task issuing it (202); the plan it checked is a PlanOut
    ("post", "/api/v1/pipeline/plans/{plan_id}/issue"): "PlanOut",
    ("patch", "/api/v1/pipeline/campaigns/{campaign_id}"): "CampaignOut",
    ("patch", "/api/v1/targets/indicators/{indicator_id}"): "IndicatorOut",
    ("patch", "/api/v1/targets/targets/{target_id}"): "TargetOut",
    ("patch", "/api/v1/targets/actuals/{actual_id}"): "ActualOut",
    ("post", "/api/v1/targets/actuals/{actual_id}/review"): "ActualOut",
    ("patch", "/api/v1/targets/contracts/{contract_id}"): "ContractOut",
    ("post", "/api/v1/targets/contracts/{contract_id}/issue"): "ContractOut",
    # answers the task computing it (202); the draft it recomputes is a SettlementOut
    ("post", "/api/v1/targets/settlements"): "SettlementOut",
    ("post", "/api/v1/targets/settlements/{settlement_id}/publish"): "SettlementOut",
    ("patch", "/api/v1/attraction/trips/{trip_id}"): "TripOut",
    ("patch", "/api/v1/attraction/leads/{lead_id}"): "LeadOut",
    ("post", "/api/v1/attraction/leads/{lead_id}/sign"): "LeadOut",
    ("post", "/api/v1/attraction/leads/{lead_id}/start"): "LeadOut",
    ("post", "/api/v1/attraction/leads/{lead_id}/production"): "LeadOut",
    ("post", "/api/v1/attraction/leads/{lead_id}/drop"): "LeadOut",
    ("patch", "/api/v1/attraction/steps/{step_id}"): "LeadStepOut",
    ("post", "/api/v1/attraction/leads/{lead_id}/steps"): "LeadStepOut",
    ("patch", "/api/v1/attraction/tranches/{tranche_id}"): "TrancheOut",
    ("post", "/api/v1/attraction/leads/{lead_id}/tranches"): "TrancheOut",
}
CREATES_ONLY = {
    ("post", "/api/v1/projects"),
    ("post", "/api/v1/lights/recompute"),
    ("post", "/api/v1/dispatch/meetings"),
    ("post", "/api/v1/dispatch/documents"),
    ("post", "/api/v1/dispatch/assignments"),
    ("post", "/api/v1/dispatch/daily/tasks"),
    ("post", "/api/v1/assess/schemes/import"),
    ("post", "/api/v1/projects/{project_id}/baseline-changes"),  # a proposal; one open per project (else 422)
    ("post", "/api/v1/projects/export"),  # an export (or the task writing it): changes no object
    ("post", "/api/v1/land/tasks"),
    (
        "post",
        "/api/v1/land/tasks/{task_id}/standards",
    ),  # a new version of the standard; versions are never edited
    (
        "post",
        "/api/v1/land/tasks/{task_id}/households",
    ),  # a household's number is unique in its task (else 422)
    ("post", "/api/v1/pipeline/reserve"),
    ("post", "/api/v1/pipeline/plans"),
    ("post", "/api/v1/pipeline/campaigns"),
    ("post", "/api/v1/targets/indicators"),
    ("post", "/api/v1/targets/targets"),
    ("post", "/api/v1/targets/actuals"),
    ("post", "/api/v1/targets/contracts"),
    ("post", "/api/v1/attraction/trips"),
    ("post", "/api/v1/attraction/leads"),
}


@pytest.fixture
def document(client, office_user):
    client.force_login(office_user)
    return client.get("/api/v1/openapi.json").json()


def test_every_write_of_the_api_is_version_checked_or_only_creates(document):
    writes = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    assert writes == set(VERSIONED) | CREATES_ONLY


def test_each_version_checked_write_documents_its_409_and_each_edited_object_shows_its_version(document):
    schemas = document["components"]["schemas"]
    for (method, path), output in VERSIONED.items():
        answer = document["paths"][path][method]["responses"]["409"]
        ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert {"code", "errors", "current_version"} <= set(schemas[ref]["properties"]), (method, path)
        assert "version" in schemas[output]["properties"], output


def test_a_write_without_any_body_is_refused_in_the_same_shape(client, casework):
    answer = client.post(f"/api/v1/cases/{casework['case'].pk}/accept", **casework["office"])
    assert answer.status_code == 422 and answer.json() == {
        "code": "invalid",
        "errors": [{"field": "body", "message": "缺少请求内容，应为 JSON。"}],
    }
    not_json = client.post(
        f"/api/v1/cases/{casework['case'].pk}/accept", "version=1", content_type=JSON, **casework["office"]
    )
    assert not_json.status_code == 400 and json.loads(not_json.content)["code"] == "invalid"
    assert Case.objects.get().state == "new"


def test_meetings_and_their_minutes_show_their_version(client, meeting, minutes, office_user):
    headers = bearer(office_user)
    assert client.get(f"/api/v1/dispatch/meetings/{meeting.pk}", **headers).json()["version"] == 1
    assert client.get(f"/api/v1/dispatch/documents/{minutes.pk}", **headers).json()["version"] == 1
    assert Meeting.objects.get().version == Document.objects.get().version == 1
