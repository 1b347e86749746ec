"""Optimistic locking on the pages (issue 12 item 4): every form that changes something that exists carries the
version the page showed (a hidden input); when someone else has changed the object since, the page answers 409,
says so in Chinese, keeps what the user typed, and changes nothing."""

import datetime as dt
import re

import pytest
from django.db.models import F
from django.utils import timezone

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
from gongjian.lights import services as lights
from gongjian.lights.models import Case, CaseEvent, Judgement
from gongjian.lights.services import cases
from gongjian.meetings import services as dispatch
from gongjian.meetings.models import Decision, Meeting
from gongjian.org.choices import UnitKind
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.assess.conftest import build_district, publish_period
from tests.factories import ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def shown_version(html: str, form_id: str | None = None) -> str:
    """The hidden version the page's form (the first, or the one with ``form_id``) carries."""
    if form_id is not None:
        html = html.split(f'id="{form_id}"', 1)[1]
    tag = re.search(r'<input[^>]*name="version"[^>]*>', html).group(0)
    value = re.search(r'value="(\d*)"', tag)
    return value.group(1) if value else ""


def someone_else_saves(obj) -> int:
    type(obj)._default_manager.filter(pk=obj.pk).update(version=F("version") + 1)
    return current_version(obj)


def refused(response, message: str, *kept: str) -> str:
    html = response.content.decode()
    assert response.status_code == 409, html[:3000]
    assert message in html, html[:3000]
    for text in kept:
        assert text in html, text
    return html


# -- reports ------------------------------------------------------------------------------------------------------


def test_a_review_of_a_report_changed_since_is_refused_and_the_reason_kept(client, make_user, office_user):
    unit = UnitFactory(name="工信局")
    project = ProjectFactory(responsible_unit=unit)
    opens = timezone.now() - dt.timedelta(days=1)
    period = reports.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    draft = reports.save_draft(project, period, {"amount": 1_000_000}, actor=reporter)
    report = reports.submit_report(draft, actor=reporter, expected_version=draft.version)
    client.force_login(make_user("unit_reviewer", unit=unit, username="rev"))
    page = client.get(f"/reports/{project.pk}/{period.pk}/").content.decode()
    read = shown_version(page, "review-form")
    now = someone_else_saves(report)

    response = client.post(
        f"/reports/{report.pk}/review/", {"decision": "return", "reason": "现场照片缺失", "version": read}
    )

    refused(response, f"该报告已被他人处理（当前版本 {now}），请刷新后再操作。", ">现场照片缺失</textarea>")
    assert Report.objects.get().state == "submitted"


# -- lights -------------------------------------------------------------------------------------------------------


@pytest.fixture
def red_case(make_user):
    unit = UnitFactory(name="工信局")
    project = ProjectFactory(responsible_unit=unit)
    owner = make_user("unit_reporter", unit=unit, username="owner")
    case = cases.open_case(
        project, kind="light", title="亮红灯", reasons=["投资滞后"], owner=unit, period_code="2026-11-3"
    )
    return case, owner


def test_an_action_on_a_case_changed_since_is_refused_and_what_was_typed_kept(client, red_case):
    case, owner = red_case
    client.force_login(owner)
    page = client.get(f"/lights/cases/{case.pk}/").content.decode()
    read = shown_version(page, "act-form")
    assert read == "1"
    now = someone_else_saves(case)
    events = CaseEvent.objects.count()

    response = client.post(
        f"/lights/cases/{case.pk}/act/", {"text": "已约谈施工单位，增加两个班组", "version": read}
    )

    html = refused(
        response,
        f"该督办件已被他人处理（当前版本 {now}），请刷新后再操作。",
        '<textarea readonly rows="3" id="kept-text">已约谈施工单位，增加两个班组</textarea>',
    )
    assert shown_version(html, "act-form") == read  # pressing again cannot act on the case unseen
    assert CaseEvent.objects.count() == events and Case.objects.get().state == "new"


def test_a_letter_about_a_case_changed_since_is_not_issued(client, red_case, office_user):
    case, _owner = red_case
    client.force_login(office_user)
    read = shown_version(client.get(f"/lights/cases/{case.pk}/").content.decode(), "letters")
    now = someone_else_saves(case)
    response = client.post(f"/lights/cases/{case.pk}/letters/reminder/", {"version": read})
    refused(response, f"该督办件已被他人处理（当前版本 {now}）")
    assert not CaseEvent.objects.filter(kind="letter").exists()


def test_a_judgement_changed_since_is_not_overwritten_and_the_reason_kept(client, make_user):
    project = ProjectFactory()
    leader = make_user("principal_leader", username="boss")
    lights.record_judgement(project, "2026-11-3", 2, "现场无人施工", actor=leader)
    client.force_login(leader)
    url = f"/lights/projects/{project.pk}/2026-11-3/"
    read = shown_version(client.get(url).content.decode(), "judgement-form")
    now = someone_else_saves(Judgement.objects.get())

    response = client.post(url, {"colour": "0", "reason": "已全面复工", "version": read})

    refused(
        response,
        f"该研判已被他人修改（当前版本 {now}），请刷新后重新编辑。",
        ">已全面复工</textarea>",
        '<option value="0" selected>',
    )
    assert Judgement.objects.get().reason == "现场无人施工"


def test_a_judgement_given_by_someone_else_since_the_page_was_opened_is_not_overwritten(client, make_user):
    project = ProjectFactory()
    leader = make_user("principal_leader", username="boss")
    client.force_login(leader)
    url = f"/lights/projects/{project.pk}/2026-11-3/"
    assert shown_version(client.get(url).content.decode(), "judgement-form") == ""  # none yet
    lights.record_judgement(project, "2026-11-3", 2, "别人先研判", actor=make_user("principal_leader"))
    response = client.post(url, {"colour": "1", "reason": "我的研判", "version": ""})
    refused(response, "该研判已由他人先行保存（当前版本 1）", ">我的研判</textarea>")
    assert Judgement.objects.get().reason == "别人先研判"


# -- dispatch -----------------------------------------------------------------------------------------------------


@pytest.fixture
def meeting(office_user):
    return dispatch.create_meeting(
        kind="monthly", title="11月重点项目调度会", held_at=timezone.now(), actor=office_user, projects=[]
    )


def test_an_agenda_edited_since_is_not_overwritten_and_the_edit_is_kept(office_client, meeting):
    url = f"/dispatch/meetings/{meeting.pk}/"
    read = shown_version(office_client.get(url).content.decode(), "agenda-form")
    now = someone_else_saves(meeting)

    response = office_client.post(url, {"action": "agenda", "agenda": "开场\n我写的议程", "version": read})

    html = refused(
        response, f"该会议已被他人修改（当前版本 {now}），请刷新后重新编辑。", "开场\n我写的议程</textarea>"
    )
    assert shown_version(html, "agenda-form") == read
    assert Meeting.objects.get().agenda == meeting.agenda


def test_notes_and_a_decision_on_a_meeting_changed_since_are_kept_not_saved(office_client, meeting):
    url = f"/dispatch/meetings/{meeting.pk}/"
    read = shown_version(office_client.get(url).content.decode(), "held-form")
    now = someone_else_saves(meeting)
    message = f"该会议已被他人修改（当前版本 {now}），请刷新后重新编辑。"

    refused(
        office_client.post(url, {"action": "held", "notes": "听取了汇报", "version": read}),
        message,
        ">听取了汇报</textarea>",
    )
    unit = UnitFactory(name="住建局")
    refused(
        office_client.post(
            url,
            {
                "action": "decision",
                "text": "开展安全生产大检查",
                "owner": unit.pk,
                "deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
                "version": read,
            },
        ),
        message,
        "开展安全生产大检查</textarea>",
    )
    assert Meeting.objects.get().state == "planned" and not Decision.objects.exists()


def test_a_draft_edited_or_issued_since_keeps_what_was_typed(office_client, meeting, office_user):
    document = briefings.draft("minutes", meeting=meeting, actor=office_user)
    url = f"/dispatch/documents/{document.pk}/"
    read = shown_version(office_client.get(url).content.decode(), "document-form")
    now = someone_else_saves(document)

    response = office_client.post(url, {"title": "我改的标题", "text-asks": "我改的要求", "version": read})

    refused(
        response,
        f"该文件已被他人修改（当前版本 {now}），请刷新后重新编辑。",
        'value="我改的标题"',
        ">我改的要求</textarea>",
    )
    assert Document.objects.get().title == document.title
    issue = office_client.post(url, {"action": "issue", "version": read})
    refused(issue, f"该文件已被他人处理（当前版本 {now}），请刷新后再操作。")
    assert Document.objects.get().state == "draft"


def test_a_days_report_corrected_elsewhere_since_keeps_what_was_typed(client, make_user):
    team = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM)
    member = make_user("service_team", unit=team, username="duiyuan")
    from gongjian.daily import services as daily

    # The day asked for when the test runs (not when the module was imported): a run across midnight in Shanghai
    # read tomorrow's empty form here, and was refused as a first filing instead.
    day = daily.today()
    report = daily.file_report(team, day, {"done": "入户走访 12 户", "households_signed": 3}, actor=member)
    client.force_login(member)
    read = shown_version(client.get(f"/dispatch/daily/?day={day}").content.decode(), "daily-form")
    assert read == str(report.version)
    now = someone_else_saves(report)

    response = client.post(
        "/dispatch/daily/",
        {
            "team": team.pk,
            "day": day.isoformat(),
            "done": "入户走访 20 户",
            "households_signed": "7",
            "version": read,
            "action": "file",
        },
    )

    refused(
        response,
        f"该日报已被他人修改（当前版本 {now}），请刷新后重新编辑。",
        "入户走访 20 户</textarea>",
        'value="7"',
    )
    assert DailyReport.objects.get().households_signed == 3


def test_a_first_daily_report_where_another_member_filed_one_meanwhile_is_not_overwritten(client, make_user):
    team = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM)
    member = make_user("service_team", unit=team, username="duiyuan")
    client.force_login(member)
    from gongjian.daily import services as daily

    day = daily.today()
    assert shown_version(client.get(f"/dispatch/daily/?day={day}").content.decode(), "daily-form") == ""
    daily.file_report(team, day, {"done": "别人先报的"}, actor=make_user("service_team", unit=team))
    response = client.post(
        "/dispatch/daily/",
        {"team": team.pk, "day": day.isoformat(), "done": "我报的", "version": "", "action": "file"},
    )
    refused(response, "该日报已由他人先行保存（当前版本 1）", "我报的</textarea>")
    assert DailyReport.objects.get().done == "别人先报的"


def test_a_hand_in_replaced_since_keeps_what_was_typed(client, make_user, office_user):
    unit = UnitFactory(name="工信局")
    person = make_user("unit_reporter", unit=unit, username="gxj")
    task = assignments.create_assignment(
        title="现场会后讨论",
        instructions="组织讨论并报送",
        units=[unit],
        steps=[("组织讨论", TODAY + dt.timedelta(days=7))],
        actor=office_user,
    )
    step = task.steps.get()
    first = assignments.submit(step, unit, text="已召开班子会", actor=person)
    client.force_login(person)
    url = f"/dispatch/assignments/{task.pk}/"
    read = shown_version(client.get(url).content.decode())
    now = someone_else_saves(first)

    response = client.post(url, {"step": step.pk, "unit": unit.pk, "text": "两次召开讨论会", "version": read})

    refused(
        response, f"该报送已被他人修改（当前版本 {now}），请刷新后重新编辑。", ">两次召开讨论会</textarea>"
    )
    assert Submission.objects.get().text == "已召开班子会"


# -- assessment ---------------------------------------------------------------------------------------------------


@pytest.fixture
def district(office_user):
    return build_district(office_user)


def test_a_score_changed_in_another_window_is_not_overwritten_and_the_typed_one_kept(
    client, district, make_user
):
    rater = make_user("evaluator", username="rater")
    hq = district["fast_hq"]
    EvaluatorAssignment.objects.create(rater=rater, subject_kind="headquarters", subject_id=hq.pk)
    assess.record_evaluations(rater, "2026-11-2", {("headquarters", hq.pk): ("90", "", None)})
    client.force_login(rater)
    page = client.get("/assess/evaluate/?period=2026-11-2").content.decode()
    read = re.search(rf'name="version-headquarters-{hq.pk}" value="(\d+)"', page).group(1)
    now = someone_else_saves(Evaluation.objects.get())

    response = client.post(
        "/assess/evaluate/",
        {
            "period": "2026-11-2",
            f"score-headquarters-{hq.pk}": "96",
            f"comment-headquarters-{hq.pk}": "现场组织有力",
            f"version-headquarters-{hq.pk}": read,
        },
    )

    refused(
        response,
        f"该评分已在别处修改（当前版本 {now}），请刷新后重新评分。",
        'value="96"',
        'value="现场组织有力"',
    )
    assert Evaluation.objects.get().score == 90


def test_running_a_period_whose_draft_was_recomputed_since_keeps_the_form(
    office_client, district, office_user
):
    today = timezone.localdate()
    from gongjian.core.periods import Period

    code = Period.dekad_of(today).prev().code  # offered on the page
    page = office_client.get("/assess/").content.decode()
    assert f'name="version-{code}" value=""' in page  # no draft yet
    first = assess.run_assessment(code, actor=office_user, early_reason="试算")  # another clerk runs it first

    response = office_client.post(
        "/assess/run/", {"period": code, "early_reason": "区长要看", f"version-{code}": ""}
    )

    refused(response, "该考核草稿已由他人先行保存（当前版本 1）", 'value="区长要看"')
    assert Run.objects.values_list("pk", "version", "created_at").get() == (first.pk, 1, first.created_at)


def test_a_correction_of_a_run_changed_since_keeps_its_reason(office_client, district, office_user):
    run = publish_period("2026-11-2", actor=office_user)
    url = f"/assess/runs/{run.pk}/"
    read = shown_version(office_client.get(url).content.decode(), "revise-form")
    now = someone_else_saves(run)

    response = office_client.post(
        f"/assess/runs/{run.pk}/revise/", {"reason": "慢项目补报了投资", "version": read}
    )

    refused(
        response, f"该考核结果已被他人处理（当前版本 {now}），请刷新后再操作。", 'value="慢项目补报了投资"'
    )
    assert Run.objects.count() == 1


def test_publishing_a_draft_recomputed_since_it_was_confirmed_shows_the_confirmation_again(
    office_client, district, office_user
):
    run = assess.run_assessment("2026-11-2", actor=office_user)
    read = shown_version(
        office_client.get(f"/assess/runs/{run.pk}/publish/").content.decode(), "publish-form"
    )
    assess.run_assessment(
        "2026-11-2", actor=office_user, expected_version=run.version
    )  # recomputed meanwhile

    response = office_client.post(f"/assess/runs/{run.pk}/publish/", {"confirm": "yes", "version": read})

    html = refused(response, "该考核结果已被他人处理（当前版本 2），请刷新后再操作。", 'id="will-publish"')
    assert shown_version(html, "publish-form") == "2"  # the confirmation lists the draft as it is now
    assert Run.objects.get().state == "draft"


@pytest.fixture
def interview(district, office_user):
    publish_period("2026-11", actor=office_user)
    return followup.record_interview(
        actor=office_user,
        consequence=Consequence.objects.get(kind="interview"),
        held_on=TODAY,
        interviewer="区长",
        interviewee="指挥长",
        content="约谈",
        commitments=[("倒排工期", TODAY + dt.timedelta(days=5))],
    )


def test_a_commitment_changed_since_keeps_the_result_typed(office_client, interview):
    commitment = interview.commitments.get()
    url = f"/assess/interviews/{interview.pk}/"
    page = office_client.get(url).content.decode()
    read = shown_version(page.split('class="inline-form done-form"', 1)[1])
    now = someone_else_saves(commitment)

    response = office_client.post(
        url,
        {"commitment": commitment.pk, "done_on": TODAY.isoformat(), "result": "已按旬报送", "version": read},
    )

    refused(response, f"该整改承诺已被他人处理（当前版本 {now}），请刷新后再操作。", 'value="已按旬报送"')
    assert Commitment.objects.get().done_on is None


def test_a_commitment_added_to_an_interview_changed_since_is_kept_not_added(office_client, interview):
    url = f"/assess/interviews/{interview.pk}/"
    read = shown_version(office_client.get(url).content.decode(), "add-commitment")
    now = someone_else_saves(interview)

    response = office_client.post(
        url, {"text": "每旬报送赶工计划", "deadline": TODAY.isoformat(), "version": read}
    )

    refused(
        response, f"该约谈记录已被他人修改（当前版本 {now}），请刷新后重新编辑。", 'value="每旬报送赶工计划"'
    )
    assert Commitment.objects.count() == 1


def test_an_interview_recorded_by_someone_else_meanwhile_keeps_the_record_typed(
    office_client, district, office_user
):
    publish_period("2026-11", actor=office_user)
    due = Consequence.objects.get(kind="interview")
    url = f"/assess/interviews/new/{due.pk}/"
    assert office_client.get(url).status_code == 200
    followup.record_interview(
        actor=office_user,
        consequence=due,
        held_on=TODAY,
        interviewer="区长",
        interviewee="指挥长",
        content="别人先登记的",
    )
    response = office_client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            "interviewer": "副区长",
            "interviewee": "李某",
            "content": "我记的约谈内容",
            "c-TOTAL_FORMS": "0",
            "c-INITIAL_FORMS": "0",
        },
    )
    refused(response, "该约谈事项已由他人登记（当前版本 1）", "我记的约谈内容</textarea>")
    assert Interview.objects.get().content == "别人先登记的"


# -- the admin ----------------------------------------------------------------------------------------------------


def test_activating_a_scheme_for_a_year_chosen_since_the_page_was_read_is_refused(
    office_client, district, office_user
):
    active = assess.ensure_scheme_for(2026, actor=office_user)
    newer = assess.save_scheme(active.content, actor=office_user, note="新版")
    url = f"/admin/assess/scheme/{newer.pk}/activate/"
    read = re.search(r'name="version-2026" value="(\d+)"', office_client.get(url).content.decode()).group(1)
    now = someone_else_saves(SchemeYear.objects.get(year=2026))

    response = office_client.post(url, {"year": "2026", "version-2026": read})

    refused(response, f"该年度考核方案已被他人修改（当前版本 {now}），请刷新后重新编辑。")
    assert assess.scheme_for(2026) == active
    ok = office_client.post(url, {"year": "2026", "version-2026": str(now)})
    assert ok.status_code == 302 and assess.scheme_for(2026) == newer


def test_the_admins_change_form_of_an_edited_object_refuses_a_stale_save(office_client, interview):
    url = f"/admin/assess/interview/{interview.pk}/change/"
    page = office_client.get(url).content.decode()
    read = re.search(r'name="loaded_version" value="(\d+)"', page).group(1)
    commitment = interview.commitments.get()
    now = someone_else_saves(interview)
    audit = AuditEvent.objects.count()
    data = {
        "subject": f"{interview.subject_kind}:{interview.subject_id}",
        "held_on": TODAY.isoformat(),
        "interviewer": "区长",
        "interviewee": "指挥长",
        "content": "补记的约谈内容",
        "loaded_version": read,
        "commitments-TOTAL_FORMS": "1",
        "commitments-INITIAL_FORMS": "1",
        "commitments-MIN_NUM_FORMS": "0",
        "commitments-MAX_NUM_FORMS": "1000",
        "commitments-0-id": commitment.pk,
        "commitments-0-interview": interview.pk,
        "commitments-0-text": commitment.text,
        "commitments-0-deadline": commitment.deadline.isoformat(),
        "commitments-0-loaded_version": commitment.version,
        "_save": "保存",
    }

    response = office_client.post(url, data)

    refused(response, f"该约谈记录已被他人修改（当前版本 {now}），请刷新后重新编辑。", "补记的约谈内容")
    assert Interview.objects.get().content == "约谈" and AuditEvent.objects.count() == audit
    data["loaded_version"] = str(now)
    assert office_client.post(url, data).status_code == 302
    assert (Interview.objects.get().content, current_version(interview)) == ("补记的约谈内容", now + 1)


def test_a_bonus_item_changed_in_the_admin_since_it_was_read_is_not_overwritten(office_client, district):
    from gongjian.assess.models import Adjustment

    hq = district["fast_hq"]
    item = Adjustment.objects.create(
        period_code="2026-11-2",
        subject_kind="headquarters",
        subject_id=hq.pk,
        points=3,
        reason="获市政府通报表扬",
    )
    url = f"/admin/assess/adjustment/{item.pk}/change/"
    read = re.search(r'name="loaded_version" value="(\d+)"', office_client.get(url).content.decode()).group(1)
    now = someone_else_saves(item)
    data = {
        "subject": f"headquarters:{hq.pk}",
        "period_code": "2026-11-2",
        "points": "5",
        "reason": "获省政府通报表扬",
        "loaded_version": read,
        "_save": "保存",
    }

    refused(
        office_client.post(url, data),
        f"该加减分事项已被他人修改（当前版本 {now}），请刷新后重新编辑。",
        'value="获省政府通报表扬"',
    )
    assert Adjustment.objects.get().points == 3
