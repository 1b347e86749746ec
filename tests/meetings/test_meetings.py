"""Dispatch meetings on a real database: the agenda drafted from the data, decisions tracked as cases with the
escalations' ladder, the next meeting opening with the open decisions, the ledger, and the pages."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.core.models import AuditEvent
from gongjian.lights import services as lights
from gongjian.lights.models import Case
from gongjian.lights.services import cases
from gongjian.meetings import services
from gongjian.meetings.models import Decision, Meeting
from gongjian.projects.models import Milestone
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db):
    """Two projects of 工信局 this year with a 1,000 万元 plan and no report: both red by their investment."""
    unit = UnitFactory(name="工信局")
    year = timezone.localdate().year
    battery = ProjectFactory(
        name="新能源电池材料项目", responsible_unit=unit, year=year, plan=True, planned_start=None
    )
    park = ProjectFactory(
        name="智能装备产业园", responsible_unit=unit, year=year, plan=True, planned_start=None
    )
    Milestone.objects.create(
        project=park, kind="start", name="主体开工", planned_date=timezone.localdate() + dt.timedelta(days=5)
    )
    lights.recompute()
    return {"unit": unit, "battery": battery, "park": park}


def meeting(actor, kind="monthly", days=0, **kwargs):
    held = timezone.now() + dt.timedelta(days=days)
    return services.create_meeting(
        kind=kind, title=kwargs.pop("title", "月度重点项目调度会"), held_at=held, actor=actor, **kwargs
    )


def test_a_new_meeting_drafts_its_agenda_from_reds_overdue_cases_and_milestones_due(district, office_user):
    m = meeting(office_user, kind="dekad")
    texts = {item["section"]: [] for item in m.agenda}
    for item in m.agenda:
        texts[item["section"]].append(item["text"])
    assert any("新能源电池材料项目（工信局）" in t for t in texts["red"])
    assert any("智能装备产业园：主体开工" in t for t in texts["milestones"])
    assert set(m.projects.values_list("name", flat=True)) == {"新能源电池材料项目", "智能装备产业园"}
    assert AuditEvent.objects.filter(action="dispatch.meeting.create").count() == 1

    # an overdue red-light case is on the next agenda too
    Case.objects.update(deadline=timezone.localdate() - dt.timedelta(days=1))
    later = meeting(office_user, kind="dekad", days=1, title="下一次旬调度会")
    assert sum(i["section"] == "overdue" for i in later.agenda) == Case.objects.count() == 2


def test_a_monthly_dispatch_covers_every_project(district, office_user):
    ProjectFactory(name="没有问题的项目", responsible_unit=district["unit"])
    assert meeting(office_user).projects.count() == 3


def test_a_decision_is_a_case_that_climbs_and_opens_the_next_meeting_until_closed(
    district, office_user, make_user
):
    chair = PersonFactory(name="陈志远", post="区长")
    m = meeting(office_user, chair=chair)
    owner = district["unit"]
    reporter = make_user("unit_reporter", unit=owner, username="rep")
    due = timezone.localdate() + dt.timedelta(days=7)
    decision = services.add_decision(
        m,
        text="协调供电公司十日内完成电力接入",
        owner=owner,
        deadline=due,
        projects=[district["battery"]],
        actor=office_user,
        expected_version=current_version(m),
    )
    case = decision.case
    assert (decision.number, case.kind, case.owner, case.deadline, case.supervisor) == (
        1,
        "decision",
        owner,
        due,
        chair,
    )
    assert case.project == district["battery"] and case.number.startswith("交")
    assert reporter.notifications.filter(title__contains="协调供电公司").exists()

    # the next meeting opens with it while it is open
    nxt = meeting(office_user, days=1, title="下月调度会")
    first = nxt.agenda[0]
    assert first["section"] == "decisions" and "协调供电公司十日内完成电力接入" in first["text"]

    # handled through the case workflow, closed by the office: the one after that no longer lists it
    cases.accept(case, actor=reporter, expected_version=current_version(case))
    cases.resolve(case, "已完成电力接入", actor=reporter, expected_version=current_version(case))
    with pytest.raises(PermissionDenied):
        cases.close(
            case, actor=reporter, expected_version=current_version(case)
        )  # the office closes a decision
    cases.close(case, actor=office_user, expected_version=current_version(case))
    third = meeting(office_user, days=2, title="再下月调度会")
    assert not any(i["section"] == "decisions" for i in third.agenda)

    # unhandled past the deadline, a decision climbs the ladder like any escalation
    late = services.add_decision(
        m,
        text="拆迁户安置方案报批",
        owner=owner,
        actor=office_user,
        deadline=timezone.localdate(),
        expected_version=current_version(m),
    )
    Case.objects.filter(pk=late.case_id).update(deadline=timezone.localdate() - dt.timedelta(days=30))
    cases.tick()
    late.case.refresh_from_db()
    assert late.case.level != "unit"


def test_a_decision_needs_its_text_owner_and_a_deadline_not_before_the_meeting(
    district, office_user, make_user
):
    m = meeting(office_user)
    with pytest.raises(ValidationError) as error:
        services.add_decision(
            m,
            text=" ",
            owner=None,
            deadline=timezone.localdate() - dt.timedelta(days=1),
            actor=office_user,
            expected_version=current_version(m),
        )
    assert set(error.value.message_dict) == {"text", "owner", "deadline"}
    assert not Decision.objects.exists() and not Case.objects.filter(kind="decision").exists()
    with pytest.raises(PermissionDenied):
        services.add_decision(
            m,
            text="x",
            owner=district["unit"],
            deadline=timezone.localdate(),
            actor=make_user("unit_reporter", unit=district["unit"]),
            expected_version=current_version(m),
        )


def test_the_pages_create_a_meeting_take_a_decision_and_export_the_ledger(
    district, office_client, office_user
):
    import openpyxl

    held = timezone.localtime() + dt.timedelta(hours=2)
    response = office_client.post(
        "/dispatch/meetings/new/",
        {
            "kind": "monthly",
            "title": "11月重点项目调度会",
            "held_at": held.strftime("%Y-%m-%dT%H:%M"),
            "place": "区政府三楼会议室",
        },
    )
    m = Meeting.objects.get()
    assert response.url == f"/dispatch/meetings/{m.pk}/"
    page = office_client.get(response.url).content.decode()
    assert "亮红灯项目" in page and "新能源电池材料项目（工信局）" in page
    assert 'name="version" value="1"' in page
    bad = office_client.post(
        response.url,
        {
            "action": "decision",
            "text": "",
            "owner": district["unit"].pk,
            "deadline": "2020-01-01",
            "version": "1",
        },
    )
    assert "请填写" in bad.content.decode() or "这个字段是必填项" in bad.content.decode()
    office_client.post(
        response.url,
        {
            "action": "decision",
            "text": "倒排工期",
            "owner": district["unit"].pk,
            "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "projects": [district["park"].pk],
            "version": "1",
        },
    )
    decision = Decision.objects.get()
    assert decision.projects.get() == district["park"]
    assert "倒排工期" in office_client.get("/dispatch/decisions/?state=open").content.decode()
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(office_client.get("/dispatch/decisions/export/").streaming_content))
    )
    [row] = list(book.active.iter_rows(min_row=2, values_only=True))
    assert row[3:5] == ("倒排工期", "工信局") and row[7] == decision.case.number
    office_client.post(
        response.url, {"action": "agenda", "agenda": "开场\n新能源电池材料项目（工信局）", "version": "2"}
    )
    m.refresh_from_db()
    assert [i["section"] for i in m.agenda] == ["other", "other"]
    office_client.post(response.url, {"action": "held", "notes": "会议听取了各单位汇报。", "version": "3"})
    m.refresh_from_db()
    assert m.state == "held" and m.notes == "会议听取了各单位汇报。"


def test_meetings_decisions_and_briefings_in_the_api(client, district, office_user, make_user):
    from gongjian.accounts import services as accounts

    def bearer(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user, '测试', actor=user)[1]}"}

    office = bearer(office_user)
    reporter = bearer(make_user("unit_reporter", unit=district["unit"], username="rep"))
    held = timezone.now().isoformat()
    created = client.post(
        "/api/v1/dispatch/meetings",
        {"kind": "dekad", "title": "旬调度会", "held_at": held},
        content_type="application/json",
        **office,
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    assert any(i["section"] == "red" for i in created.json()["agenda"])
    assert (
        client.post(
            "/api/v1/dispatch/meetings",
            {"kind": "dekad", "title": "x", "held_at": held},
            content_type="application/json",
            **reporter,
        ).status_code
        == 403
    )
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    version = created.json()["version"]
    bad = client.post(
        f"/api/v1/dispatch/meetings/{meeting_id}/decisions",
        {"text": "", "owner_id": district["unit"].pk, "deadline": deadline, "version": version},
        content_type="application/json",
        **office,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "text"
    decision = client.post(
        f"/api/v1/dispatch/meetings/{meeting_id}/decisions",
        {
            "text": "倒排工期",
            "owner_id": district["unit"].pk,
            "deadline": deadline,
            "project_ids": [district["park"].pk],
            "version": version,
        },
        content_type="application/json",
        **office,
    )
    assert decision.status_code == 201 and decision.json()["state"] == "new"
    ledger = client.get("/api/v1/dispatch/decisions?state=open", **reporter).json()["items"]
    assert [d["text"] for d in ledger] == ["倒排工期"]  # the owner unit sees it
    patched = client.patch(
        f"/api/v1/dispatch/meetings/{meeting_id}",
        {"state": "held", "notes": "已召开", "version": version + 1},
        content_type="application/json",
        **office,
    )
    assert patched.json()["state"] == "held"

    doc = client.post(
        "/api/v1/dispatch/documents",
        {"kind": "minutes", "meeting_id": meeting_id},
        content_type="application/json",
        **office,
    ).json()
    edited = client.patch(
        f"/api/v1/dispatch/documents/{doc['id']}",
        {"title": "旬调度会纪要", "texts": {"asks": "按时办结。"}, "version": doc["version"]},
        content_type="application/json",
        **office,
    ).json()
    assert next(s for s in edited["sections"] if s["key"] == "asks")["text"] == "按时办结。"
    issued = client.post(
        f"/api/v1/dispatch/documents/{doc['id']}/issue",
        {"version": edited["version"]},
        content_type="application/json",
        **office,
    ).json()
    assert issued["state"] == "issued" and issued["number"]
    word = client.get(f"/api/v1/dispatch/documents/{doc['id']}/docx", **office)
    assert word.status_code == 200 and word.content[:2] == b"PK"


def test_a_decision_about_no_project_gets_its_letters_and_its_page(
    district, office_user, office_client, make_user
):
    from docx import Document as Word

    from gongjian.lights.services import letters

    m = meeting(office_user, title="安全生产专题调度会")
    decision = services.add_decision(
        m,
        text="开展在建工地安全生产大检查",
        owner=district["unit"],
        deadline=timezone.localdate() + dt.timedelta(days=3),
        actor=office_user,
        expected_version=current_version(m),
    )
    assert decision.case.project is None
    reporter = make_user("unit_reporter", unit=district["unit"], username="rep")
    cases.accept(decision.case, actor=reporter, expected_version=current_version(decision.case))
    cases.resolve(
        decision.case,
        "已完成检查，整改问题 12 个",
        actor=reporter,
        expected_version=current_version(decision.case),
    )  # no evidence file needed
    assert office_user.notifications.filter(title__contains="待销号").exists()
    event = letters.issue(
        decision.case, "escalation", actor=office_user, expected_version=current_version(decision.case)
    )
    text = "\n".join(p.text for p in Word(io.BytesIO(event.evidence.read())).paragraphs)
    assert "关于会议交办事项的督办函" in text and "开展在建工地安全生产大检查" not in text.split("\n")[0]
    page = office_client.get(f"/lights/cases/{decision.case_id}/").content.decode()
    assert "安全生产专题调度会" in page and "开展在建工地安全生产大检查" in page
    listing = office_client.get("/lights/cases/").content.decode()
    assert "开展在建工地安全生产大检查" in listing


def test_a_decision_can_take_up_a_problem_raised_in_a_report(district, office_user, office_client):
    from gongjian.reports import services as reports
    from gongjian.reports.models import Problem, Report

    now = timezone.now()
    period = reports.open_period(
        "2026-11-2", opens_at=now - dt.timedelta(days=1), deadline=now, actor=office_user
    )
    report = Report.objects.create(
        project=district["park"],
        period=period,
        state="approved",
        amount=0,
        year_to_date=0,
        since_start=0,
        first_submitted_at=now,
        submitted_at=now,
    )
    problem = Problem.objects.create(
        report=report,
        project=district["park"],
        category="land",
        description="用地指标不足，需调剂 30 亩",
        unit_asked=district["unit"],
    )
    cases.open_case(
        district["park"],
        kind="problem",
        title=problem.description,
        reasons=[],
        owner=problem.unit_asked,
        period_code="2026-11-2",
        problem=problem,
    )
    m = meeting(office_user)
    page = office_client.get(f"/dispatch/meetings/{m.pk}/").content.decode()
    assert f'<option value="{problem.pk}">智能装备产业园：用地指标不足' in page
    office_client.post(
        f"/dispatch/meetings/{m.pk}/",
        {
            "action": "decision",
            "text": "自然资源局调剂用地指标",
            "owner": district["unit"].pk,
            "problem": problem.pk,
            "deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
            "version": m.version,
        },
    )
    decision = Decision.objects.get()
    assert decision.problem == problem and decision.case.project == district["park"]
    assert "用地指标不足" in office_client.get(f"/dispatch/meetings/{m.pk}/").content.decode()


def test_a_meeting_or_decision_with_an_id_or_a_date_out_of_range_answers_422_not_a_server_error(
    client, district, office_user
):
    from gongjian.accounts import services as accounts

    office = {
        "HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(office_user, '测试', actor=office_user)[1]}"
    }
    held = timezone.now().isoformat()
    for extra, field in (
        ({"attendee_ids": [2**64]}, "body.payload.attendee_ids.0"),
        ({"project_ids": [0]}, "body.payload.project_ids.0"),
        ({"held_at": "5707-02-07T02:56:40Z"}, "body.payload.held_at"),
    ):
        response = client.post(
            "/api/v1/dispatch/meetings",
            {"kind": "dekad", "title": "旬调度会", "held_at": held, **extra},
            content_type="application/json",
            **office,
        )
        assert response.status_code == 422, response.content
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Meeting.objects.exists()
    held_meeting = meeting(office_user)
    late = client.post(
        f"/api/v1/dispatch/meetings/{held_meeting.pk}/decisions",
        {
            "text": "倒排工期",
            "owner_id": district["unit"].pk,
            "deadline": "9999-12-31",
            "version": held_meeting.version,
        },
        content_type="application/json",
        **office,
    )
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "body.payload.deadline"
    assert not Decision.objects.exists()


def test_the_decisions_ledger_page_ignores_a_unit_no_row_can_have(district, office_client):
    response = office_client.get("/dispatch/decisions/?unit=99999999999999999999")
    assert response.status_code == 200


# -- the decision form: 责任人 of the chosen unit, errors at the field; a special meeting's projects -----------------


def test_a_person_of_another_unit_is_refused_at_the_field_and_the_decision_stays_in_the_form(
    district, office_client, office_user
):
    # Given a meeting, and a person of 住建局 while the decision goes to 工信局
    m = meeting(office_user)
    housing = UnitFactory(name="住建局")
    stranger = PersonFactory(name="住建局小王", post="科员", unit=housing)
    url = f"/dispatch/meetings/{m.pk}/"

    # When the office gives the decision to 工信局 naming 住建局's person
    response = office_client.post(
        url,
        {
            "action": "decision",
            "text": "协调供电公司十日内完成电力接入",
            "owner": district["unit"].pk,
            "assignee": stranger.pk,
            "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "projects": [district["park"].pk],
            "version": str(m.version),
        },
    )

    # Then nothing is taken, the page lands on the form, and the error stands at 责任人 with all that was typed
    assert not Decision.objects.exists()
    form = response.content.decode().split('id="decision-form"')[1].split("</form>")[0]
    assert form.startswith(' action="#decision-form"')
    assert "交办未保存" in form
    assignee = form.split('for="id_assignee"')[1].split('<div class="field')[0]
    assert "住建局小王（科员） 不在工信局，请选择该单位的人员。" in assignee
    assert "协调供电公司十日内完成电力接入</textarea>" in form
    assert f'value="{district["park"].pk}" selected' in form


def test_the_decision_form_offers_each_person_with_their_units_path_for_the_pages_script(
    district, office_client, office_user
):
    m = meeting(office_user)
    member = PersonFactory(name="工信局小李", post="科员", unit=district["unit"])
    leader = PersonFactory(name="赵明", post="副区长", unit=None)

    html = office_client.get(f"/dispatch/meetings/{m.pk}/").content.decode()
    form = html.split('id="decision-form"')[1].split("</form>")[0]

    assert f'value="{district["unit"].pk}" data-path="{district["unit"].path}"' in form
    assert f'value="{member.pk}" data-path="{district["unit"].path}"' in form
    assert f'value="{leader.pk}" data-path=""' in form  # a leader of no unit answers for any
    assert "/static/meetings/decision_form.js" in html


def test_a_person_of_the_unit_or_of_no_unit_may_answer_for_a_decision(district, office_user):
    m = meeting(office_user)
    team = UnitFactory(name="工信局项目一组", parent=district["unit"])
    for person in (
        PersonFactory(name="工信局小李", unit=district["unit"]),
        PersonFactory(name="一组组长", unit=team),
        PersonFactory(name="赵明", unit=None),
    ):
        decision = services.add_decision(
            m,
            text=f"{person.name}牵头",
            owner=district["unit"],
            assignee=person,
            deadline=timezone.localdate() + dt.timedelta(days=5),
            actor=office_user,
            expected_version=current_version(m),
        )
        assert decision.assignee == person


def test_a_special_meeting_chooses_its_projects_on_the_page(district, office_client):
    held = timezone.localtime() + dt.timedelta(hours=2)
    response = office_client.post(
        "/dispatch/meetings/new/",
        {
            "kind": "special",
            "title": "新能源电池材料项目专题调度会",
            "held_at": held.strftime("%Y-%m-%dT%H:%M"),
            "projects": [district["battery"].pk],
        },
    )
    m = Meeting.objects.get()
    assert response.status_code == 302 and list(m.projects.all()) == [district["battery"]]
    page = office_client.get(response.url).content.decode()
    decision_projects = page.split('name="projects" id="id_projects"')[-1].split("</select>")[0]
    assert "新能源电池材料项目" in decision_projects and "智能装备产业园" not in decision_projects

    # and changes them on its page
    office_client.post(
        response.url,
        {
            "action": "projects",
            "meeting-projects": [district["battery"].pk, district["park"].pk],
            "version": "1",
        },
    )
    assert set(m.projects.all()) == {district["battery"], district["park"]}
