"""Data scope on the dispatch pages: a meeting page, its export and the API show a reporter, a reviewer or a
supervising leader only the decisions, red lights and scores their own scope shows them elsewhere; the office and
the principal leaders see every meeting as it is. The matrix of tests/projects/test_scope.py, extended to
meetings, decisions, agendas, briefings and minutes, assignments, the service teams' days and assessment scores."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.accounts import services as accounts
from gongjian.assess import services as assess
from gongjian.assess.models import Run, RunState, Score, SubjectKind
from gongjian.assess.queries import scores_in_scope
from gongjian.assignments import services as assignments
from gongjian.core.periods import Period
from gongjian.daily import services as daily
from gongjian.documents import services as briefings
from gongjian.lights import services as lights
from gongjian.lights.models import Case
from gongjian.meetings import queries, services
from gongjian.meetings.models import Decision
from gongjian.org.choices import UnitKind
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import Milestone, ProjectLeader
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db

POWER = "协调供电公司十日内完成电力接入"  # last month, to 工信局
RESETTLE = "拆迁户安置方案报批"  # last month, to 住建局
SCHEDULE = "倒排工期确保年底投产"  # this month, to 工信局
ROOF = "十五日内完成安置房主体封顶"  # this month, to 住建局

# What each side of the district is seen by on this month's meeting: its decisions (this month's in the table,
# last month's open ones on the agenda), its red project with the reason, its headquarters' score, its unit.
INDUSTRY = [POWER, SCHEDULE, "新能源电池材料项目（工信局）", "高新区指挥部：", "工信局"]
HOUSING = [
    RESETTLE,
    ROOF,
    "棚户区改造安置房（住建局）",
    "棚户区改造安置房：主体封顶",
    "老城区指挥部：",
    "住建局",
]
NEITHER = ["西区指挥部："]  # a headquarters with no project of either
EVERYTHING = INDUSTRY + HOUSING + NEITHER

# who → what they must see; everything else must stay hidden from them
MATRIX = {
    "office": EVERYTHING,
    "mayor": EVERYTHING,
    "rep": INDUSTRY,
    "reviewer": INDUSTRY,
    "leader": HOUSING,
}


@pytest.fixture
def district(office_user, make_user):
    """工信局's 新能源电池材料项目 under 高新区指挥部 and 住建局's 棚户区改造安置房 under 老城区指挥部, both red with
    their red-light cases overdue; 工信局's reporter and reviewer, the housing project's supervising leader, a
    principal leader and a service team member. Last month's meeting gave each unit a decision, four headquarters
    have a published score, and this month's meeting (whose agenda is drafted from all that) gave each unit one
    more."""
    industry, housing = UnitFactory(name="工信局"), UnitFactory(name="住建局")
    hqs = {
        name: UnitFactory(name=name, kind=UnitKind.HEADQUARTERS)
        for name in ("东区指挥部", "西区指挥部", "高新区指挥部", "老城区指挥部")
    }
    year = timezone.localdate().year
    battery = ProjectFactory(
        name="新能源电池材料项目",
        responsible_unit=industry,
        headquarters=hqs["高新区指挥部"],
        year=year,
        plan=True,
        planned_start=None,
    )
    shanty = ProjectFactory(
        name="棚户区改造安置房",
        responsible_unit=housing,
        headquarters=hqs["老城区指挥部"],
        year=year,
        plan=True,
        planned_start=None,
        category="livelihood",
    )
    Milestone.objects.create(
        project=shanty,
        kind="topping_out",
        name="主体封顶",
        planned_date=timezone.localdate() + dt.timedelta(days=5),
    )
    users = {
        "office": office_user,
        "mayor": make_user("principal_leader", username="mayor"),
        "rep": make_user("unit_reporter", unit=industry, username="rep"),
        "reviewer": make_user("unit_reviewer", unit=industry, username="reviewer"),
        "leader": make_user("supervising_leader", username="leader"),
        "team": make_user(
            "service_team",
            unit=UnitFactory(name="老城区第一工作队", kind=UnitKind.SERVICE_TEAM, parent=hqs["老城区指挥部"]),
            username="team",
        ),
    }
    ProjectLeader.objects.create(project=shanty, person=users["leader"].person, role=LeaderRole.LEAD)
    lights.recompute()
    Case.objects.filter(kind="light").update(deadline=timezone.localdate() - dt.timedelta(days=1))

    deadline = timezone.localdate() + dt.timedelta(days=7)
    last = services.create_meeting(
        kind="monthly",
        title="上月重点项目调度会",
        actor=office_user,
        held_at=timezone.now() - dt.timedelta(days=1),
    )
    services.add_decision(
        last,
        text=POWER,
        owner=industry,
        deadline=deadline,
        projects=[battery],
        actor=office_user,
        expected_version=current_version(last),
    )
    services.add_decision(
        last,
        text=RESETTLE,
        owner=housing,
        deadline=deadline,
        projects=[shanty],
        actor=office_user,
        expected_version=current_version(last),
    )
    run = Run.objects.create(
        period_code=Period.dekad_of(timezone.localdate()).prev().code,
        period_kind="dekad",
        scheme=assess.ensure_scheme_for(year, actor=None),
        state=RunState.PUBLISHED,
        created_at=timezone.now(),
        published_at=timezone.now(),
    )
    for rank, (name, score) in enumerate(
        [("东区指挥部", 95.0), ("西区指挥部", 88.5), ("高新区指挥部", 76.25), ("老城区指挥部", 61.5)], start=1
    ):
        Score.objects.create(
            run=run,
            subject_kind="headquarters",
            subject_id=hqs[name].pk,
            subject_name=name,
            score=score,
            rank=rank,
            group_size=4,
        )
    meeting = services.create_meeting(
        kind="monthly", title="本月重点项目调度会", actor=office_user, held_at=timezone.now()
    )
    services.add_decision(
        meeting,
        text=SCHEDULE,
        owner=industry,
        deadline=deadline,
        projects=[battery],
        actor=office_user,
        expected_version=current_version(meeting),
    )
    services.add_decision(
        meeting,
        text=ROOF,
        owner=housing,
        deadline=deadline,
        projects=[shanty],
        actor=office_user,
        expected_version=current_version(meeting),
    )
    return {
        "industry": industry,
        "housing": housing,
        "hqs": hqs,
        "battery": battery,
        "shanty": shanty,
        "users": users,
        "meeting": meeting,
        "last": last,
        "run": run,
        "deadline": deadline,
    }


def seen(text: str, who: str, *, besides: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """What of the district ``text`` shows that ``who`` must see but does not, and must not see but does
    (``besides``: what this view does not show anyone)."""
    shown = MATRIX[who]
    return (
        [m for m in shown if m not in text and m not in besides],
        [m for m in EVERYTHING if m not in shown and m in text],
    )


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user, '测试', actor=user)[1]}"}


def workbook_rows(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(min_row=2, values_only=True))


# -- the meeting page, its export and the API ----------------------------------------------------------------------


@pytest.mark.parametrize("who", list(MATRIX))
def test_a_meeting_page_shows_each_user_only_the_decisions_lights_and_scores_of_their_scope(
    district, client, who
):
    client.force_login(district["users"][who])
    page = client.get(f"/dispatch/meetings/{district['meeting'].pk}/").content.decode()
    assert seen(page, who) == ([], [])
    assert "本月重点项目调度会" in page


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_meetings_api_shows_each_user_only_the_decisions_lights_and_scores_of_their_scope(
    district, client, who
):
    meeting = client.get(
        f"/api/v1/dispatch/meetings/{district['meeting'].pk}", **bearer(district["users"][who])
    )
    assert meeting.status_code == 200
    listed = client.get("/api/v1/dispatch/meetings", **bearer(district["users"][who])).json()["items"]
    [this_month] = [m for m in listed if m["id"] == district["meeting"].pk]
    assert this_month == meeting.json()
    assert seen(json.dumps(meeting.json(), ensure_ascii=False), who) == ([], [])
    expected = {
        "office": [SCHEDULE, ROOF],
        "mayor": [SCHEDULE, ROOF],
        "rep": [SCHEDULE],
        "reviewer": [SCHEDULE],
        "leader": [ROOF],
    }[who]
    assert [d["text"] for d in meeting.json()["decisions"]] == expected
    projects = {
        "office": {"battery", "shanty"},
        "mayor": {"battery", "shanty"},
        "rep": {"battery"},
        "reviewer": {"battery"},
        "leader": {"shanty"},
    }[who]
    assert set(meeting.json()["project_ids"]) == {district[name].pk for name in projects}


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_meetings_export_shows_each_user_only_the_decisions_lights_and_scores_of_their_scope(
    district, client, who
):
    client.force_login(district["users"][who])
    rows = {row[0]: row for row in workbook_rows(client.get("/dispatch/meetings/export/"))}
    this_month = rows["本月重点项目调度会"]
    # the export names no decision, only counts them
    assert seen("\n".join(str(cell) for cell in this_month), who, besides=(SCHEDULE, ROOF)) == ([], [])
    assert this_month[7] == (2 if who in ("office", "mayor") else 1)  # decisions given
    assert this_month[6] == 2  # the meeting dispatched two projects: a fact of the meeting, not of a project


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_meeting_list_counts_only_the_decisions_a_user_sees(district, client, who):
    client.force_login(district["users"][who])
    page = client.get("/dispatch/").content.decode()
    row = page[page.index("本月重点项目调度会") :]
    row = row[: row.index("</tr>")]
    counts = row.count('<td class="num">2</td>'), row.count('<td class="num">1</td>')
    assert counts == ((2, 0) if who in ("office", "mayor") else (0, 2))  # decisions and open ones


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_decisions_ledger_and_its_export_apply_the_same_scope(district, client, who):
    client.force_login(district["users"][who])
    page = client.get("/dispatch/decisions/").content.decode()
    texts = {row[3] for row in workbook_rows(client.get("/dispatch/decisions/export/"))}
    api = {
        d["text"]
        for d in client.get("/api/v1/dispatch/decisions", **bearer(district["users"][who])).json()["items"]
    }
    decisions = {POWER, SCHEDULE, RESETTLE, ROOF}
    expected = {
        "office": decisions,
        "mayor": decisions,
        "rep": {POWER, SCHEDULE},
        "reviewer": {POWER, SCHEDULE},
        "leader": {RESETTLE, ROOF},
    }[who]
    assert texts == api == {t for t in decisions if t in page} == expected


def test_a_unit_without_a_project_in_a_meeting_and_no_decision_does_not_see_the_meeting(
    district, client, make_user
):
    client.force_login(make_user("unit_reporter", unit=UnitFactory(name="商务局"), username="commerce"))
    assert "本月重点项目调度会" not in client.get("/dispatch/").content.decode()
    assert client.get(f"/dispatch/meetings/{district['meeting'].pk}/").status_code == 404
    assert workbook_rows(client.get("/dispatch/meetings/export/")) == []


def test_a_service_team_member_reads_no_meeting(district, client):
    client.force_login(district["users"]["team"])
    assert client.get("/dispatch/").status_code == 403
    assert client.get(f"/dispatch/meetings/{district['meeting'].pk}/").status_code == 403
    assert client.get("/dispatch/meetings/export/").status_code == 403
    assert client.get("/api/v1/dispatch/meetings", **bearer(district["users"]["team"])).status_code == 403


def test_the_office_still_edits_the_whole_agenda(district, office_client):
    page = office_client.get(f"/dispatch/meetings/{district['meeting'].pk}/").content.decode()
    textarea = page[page.index('<textarea name="agenda"') : page.index("</textarea>")]
    assert all(
        marker in textarea for marker in EVERYTHING if marker not in (SCHEDULE, ROOF, "工信局", "住建局")
    )


def test_a_line_the_office_writes_into_the_agenda_is_read_by_everyone_who_sees_the_meeting(
    district, client, office_client
):
    meeting = district["meeting"]
    lines = [item["text"] for item in meeting.agenda] + ["请各单位会后三日内报送整改清单"]
    office_client.post(
        f"/dispatch/meetings/{meeting.pk}/",
        {"action": "agenda", "agenda": "\n".join(lines), "version": current_version(meeting)},
    )
    client.force_login(district["users"]["rep"])
    page = client.get(f"/dispatch/meetings/{meeting.pk}/").content.decode()
    assert "请各单位会后三日内报送整改清单" in page and "棚户区改造安置房" not in page


# -- which decision is whose ---------------------------------------------------------------------------------------


def test_a_decision_about_several_projects_is_seen_by_the_units_of_each(district, client, office_user):
    both = services.add_decision(
        district["meeting"],
        text="两个项目共用变电站的选址协调",
        owner=district["housing"],
        deadline=district["deadline"],
        projects=[district["shanty"], district["battery"]],
        actor=office_user,
        expected_version=current_version(district["meeting"]),
    )
    client.force_login(district["users"]["rep"])
    assert (
        "两个项目共用变电站的选址协调"
        in client.get(f"/dispatch/meetings/{district['meeting'].pk}/").content.decode()
    )
    assert "两个项目共用变电站的选址协调" in client.get("/dispatch/decisions/").content.decode()
    assert both in queries.visible_decisions(district["users"]["leader"])


def test_a_decision_about_no_project_given_to_a_person_by_name_is_seen_by_that_person(
    district, client, office_user
):
    leader = district["users"]["leader"]
    named = services.add_decision(
        district["meeting"],
        text="牵头协调安置用地指标",
        owner=district["housing"],
        assignee=leader.person,
        deadline=district["deadline"],
        actor=office_user,
        expected_version=current_version(district["meeting"]),
    )
    assert named.case.project is None
    client.force_login(leader)
    ledger = client.get("/dispatch/decisions/").content.decode()
    assert "牵头协调安置用地指标" in ledger
    assert (
        "牵头协调安置用地指标" in client.get(f"/dispatch/meetings/{district['meeting'].pk}/").content.decode()
    )
    client.force_login(district["users"]["rep"])
    assert "牵头协调安置用地指标" not in client.get("/dispatch/decisions/").content.decode()


def test_the_ledger_links_a_decision_to_its_case_only_where_the_user_may_open_the_case(
    district, client, office_user
):
    leader = district["users"]["leader"]
    named = services.add_decision(
        district["meeting"],
        text="牵头协调安置用地指标",
        owner=district["housing"],
        assignee=leader.person,
        deadline=district["deadline"],
        actor=office_user,
        expected_version=current_version(district["meeting"]),
    )
    client.force_login(leader)
    roof = Decision.objects.get(text=ROOF)
    for url in ("/dispatch/decisions/", f"/dispatch/meetings/{district['meeting'].pk}/"):
        page = client.get(url).content.decode()
        assert f"/lights/cases/{roof.case_id}/" in page
        can_open = client.get(f"/lights/cases/{named.case_id}/").status_code == 200
        assert (f"/lights/cases/{named.case_id}/" in page) == can_open


# -- briefings and minutes -----------------------------------------------------------------------------------------


def test_a_draft_of_the_minutes_is_the_offices_until_it_is_issued(district, client, office_user):
    minutes = briefings.draft("minutes", meeting=district["meeting"], actor=office_user)
    rep = district["users"]["rep"]
    client.force_login(rep)
    assert minutes.title not in client.get("/dispatch/documents/").content.decode()
    assert client.get(f"/dispatch/documents/{minutes.pk}/").status_code == 404
    assert client.get(f"/dispatch/documents/{minutes.pk}/docx/").status_code == 404
    assert client.get(f"/api/v1/dispatch/documents/{minutes.pk}", **bearer(rep)).status_code == 404
    assert client.get("/api/v1/dispatch/documents", **bearer(rep)).json() == {"count": 0, "items": []}
    client.force_login(district["users"]["mayor"])
    assert client.get(f"/dispatch/documents/{minutes.pk}/").status_code == 200

    briefings.issue(
        minutes, actor=office_user, expected_version=current_version(minutes)
    )  # issued minutes are sent to every unit
    client.force_login(rep)
    assert ROOF in client.get(f"/dispatch/documents/{minutes.pk}/").content.decode()
    assert [d["id"] for d in client.get("/api/v1/dispatch/documents", **bearer(rep)).json()["items"]] == [
        minutes.pk
    ]


# -- no query per row ----------------------------------------------------------------------------------------------


def test_the_meeting_list_export_and_api_take_the_same_queries_for_two_meetings_as_for_five(
    district, client, office_user
):
    rep = district["users"]["rep"]
    token = bearer(rep)
    client.force_login(rep)

    def counts() -> list[int]:
        out = []
        for url, extra in [
            ("/dispatch/", {}),
            ("/dispatch/meetings/export/", {}),
            ("/dispatch/decisions/", {}),
            ("/api/v1/dispatch/meetings", token),
            ("/api/v1/dispatch/decisions", token),
        ]:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, **extra)
                b"".join(response.streaming_content) if response.streaming else response.content
            assert response.status_code == 200
            out.append(len(queries))
        return out

    client.get("/api/v1/dispatch/decisions", **token)  # a token's first use is recorded, once a minute
    before = counts()
    for n in range(3):
        more = services.create_meeting(
            kind="dekad",
            title=f"第{n}次旬调度会",
            actor=office_user,
            held_at=timezone.now() + dt.timedelta(hours=n + 1),
        )
        services.add_decision(
            more,
            text=f"第{n}次旬调度会事项",
            owner=district["industry"],
            deadline=district["deadline"],
            projects=[district["battery"]],
            actor=office_user,
            expected_version=current_version(more),
        )
        services.add_decision(
            more,
            text=f"第{n}次旬调度会住建事项",
            owner=district["housing"],
            deadline=district["deadline"],
            projects=[district["shanty"]],
            actor=office_user,
            expected_version=current_version(more),
        )
    assert counts() == before


# -- the rest of the dispatch and the assessment's scores ----------------------------------------------------------


def test_assignments_and_the_service_teams_days_follow_the_same_matrix(district, client, office_user):
    assignments.create_assignment(
        title="住建领域安全生产检查",
        instructions="一周内报送自查情况。",
        units=[district["housing"]],
        steps=[("自查报告", district["deadline"])],
        actor=office_user,
    )
    team = district["users"]["team"].person.unit
    daily.file_report(
        team,
        daily.today(),
        {"done": "走访农户 12 户", "households_signed": 3},
        actor=district["users"]["team"],
    )
    visible = {
        who: (
            {a.title for a in assignments.visible_assignments(user)},
            {t.name for t in daily.teams_for(user)},
        )
        for who, user in district["users"].items()
    }
    assert visible == {
        "office": ({"住建领域安全生产检查"}, {"老城区第一工作队"}),
        "mayor": ({"住建领域安全生产检查"}, {"老城区第一工作队"}),
        "rep": (set(), set()),
        "reviewer": (set(), set()),
        "leader": (set(), set()),
        "team": (set(), {"老城区第一工作队"}),
    }
    board = client.get("/api/v1/dispatch/daily", **bearer(district["users"]["rep"])).json()
    assert board["items"] == [] and "走访农户" not in json.dumps(board, ensure_ascii=False)


def test_assessment_scores_are_seen_for_what_a_users_projects_count_towards(district, make_user):
    run = district["run"]
    leader = district["users"]["leader"]
    other_leader = PersonFactory(name="另一位领导")
    for kind, subject in [
        (SubjectKind.PROJECT, district["battery"]),
        (SubjectKind.PROJECT, district["shanty"]),
        (SubjectKind.UNIT, district["industry"]),
        (SubjectKind.UNIT, district["housing"]),
        (SubjectKind.LEADER, leader.person),
        (SubjectKind.LEADER, other_leader),
    ]:
        Score.objects.create(
            run=run,
            subject_kind=kind,
            subject_id=subject.pk,
            subject_name=str(subject.name),
            score=80,
            rank=1,
            group_size=1,
        )

    def names(user):
        return {(s.subject_kind, s.subject_name) for s in scores_in_scope(user)}

    everything = {(s.subject_kind, s.subject_name) for s in Score.objects.all()}
    assert names(district["users"]["office"]) == names(district["users"]["mayor"]) == everything
    assert (
        names(district["users"]["rep"])
        == names(district["users"]["reviewer"])
        == {("headquarters", "高新区指挥部"), ("project", "新能源电池材料项目"), ("unit", "工信局")}
    )
    assert names(leader) == {
        ("headquarters", "老城区指挥部"),
        ("project", "棚户区改造安置房"),
        ("unit", "住建局"),
        ("leader", leader.person.name),
    }
    assert names(district["users"]["team"]) == set()  # a team member's scope holds no project
    assert names(make_user("unit_reporter", unit=UnitFactory(name="商务局"))) == set()
    assert names(make_user("audit_admin")) == set()
