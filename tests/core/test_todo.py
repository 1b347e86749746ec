"""Each role lands on its work, and the 待办 count in the header: per role, `/` opens the page it should, and the
to-do page lists each kind with the count of its list — checked against the list itself and against the
database, after creating work and after doing it."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongjian import urls as root_urls
from gongjian.assess import services as assess
from gongjian.assess.models import EvaluatorAssignment
from gongjian.assess.queries import scoring_period
from gongjian.assignments import services as assignments
from gongjian.core import todo
from gongjian.core.periods import Period
from gongjian.daily import services as daily
from gongjian.lights.services import cases
from gongjian.meetings import services as meetings
from gongjian.org.choices import UnitKind
from gongjian.projects.models import ProjectLeader
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db

# The site without its cockpit: a landing whose page is not installed is passed over (core.todo.landing_for).
urlpatterns = [p for p in root_urls.urlpatterns if getattr(p, "app_name", None) != "cockpit"]


@pytest.fixture
def site(make_user, office_user):
    industry = UnitFactory(name="工信局")
    commerce = UnitFactory(name="商务局")
    hq = UnitFactory(name="杏山子园指挥部", kind=UnitKind.HEADQUARTERS)
    team = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    leader = make_user("supervising_leader", username="leader")
    project = ProjectFactory(name="新能源电池材料项目", responsible_unit=industry)
    ProjectLeader.objects.create(project=project, person=leader.person, role="lead")
    return {
        "industry": industry,
        "team_unit": team,
        "project": project,
        "office": office_user,
        "reporter": make_user("unit_reporter", unit=industry, username="reporter"),
        "reviewer": make_user("unit_reviewer", unit=industry, username="reviewer"),
        "leader": leader,
        "evaluator": make_user("evaluator", unit=commerce, username="evaluator"),
        "team": make_user("service_team", unit=team, username="team"),
        "principal": make_user("principal_leader", username="principal"),
        "sysadmin": make_user("system_admin", username="sysadmin"),
        "secadmin": make_user("security_admin", username="secadmin"),
        "auditor": make_user("audit_admin", username="auditor"),
    }


def open_period(office):
    now = timezone.now()
    code = Period.dekad_of(timezone.localdate()).code
    return reports.open_period(
        code, opens_at=now - dt.timedelta(days=1), deadline=now + dt.timedelta(days=3), actor=office
    )


def landing(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    return response.url


# What each list shows, read as a user reads it: its rows (or, for the day's report, whether it says 未报).
SHOWN = {
    "reports.file": lambda html: len(re.findall(r'<tr data-status="', html)),
    "reports.review": lambda html: len(re.findall(r'<tr data-status="', html)),
    "lights.cases": lambda html: int(re.search(r"共 (\d+) 件", html).group(1)),
    "lights.close": lambda html: int(re.search(r"共 (\d+) 件", html).group(1)),
    "meetings.decisions": lambda html: html.count('<td><a href="/dispatch/meetings/'),
    "assignments.pending": lambda html: html.count("data-assignment="),
    "assess.scores": lambda html: html.count('name="score-'),
    "daily.today": lambda html: int("未报" in html.split('id="daily-status"')[1].split("</p>")[0]),
    "attraction.stalled": lambda html: int(re.search(r"共 (\d+) 个", html).group(1)),
    "targets.review": lambda html: int(re.search(r"共 (\d+) 条", html).group(1)),
    "land.lawful": lambda html: html.count('<tr data-path="'),
}


def todo_page(client, user) -> dict[str, int]:
    """The to-do page as ``user`` reads it, {kind: count}, each count checked against its list and the header's
    total against the page's."""
    client.force_login(user)
    html = client.get("/todo/").content.decode()
    rows = re.findall(
        r'<tr data-kind="([\w.]+)"[^>]*>\s*<td>[^<]*</td><td class="num todo-count">(\d+)</td>'
        r'\s*<td><a href="([^"]+)"',
        html,
    )
    counts = {kind: int(n) for kind, n, _url in rows}
    total = int(re.search(r'id="todo-total">(\d+)<', html).group(1))
    assert total == sum(counts.values())
    badge = re.search(r'id="todo-badge">(\d+)<', html)
    assert (int(badge.group(1)) if badge else 0) == total
    for kind, n, url in rows:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200, (kind, url)
        assert SHOWN[kind](listed.content.decode()) == int(n), (kind, url)
    return counts


def test_each_role_lands_on_its_work(client, site):
    assert landing(client, site["reporter"]) == "/reports/"
    assert landing(client, site["reviewer"]) == "/reports/?todo=review"
    assert landing(client, site["leader"]) == f"/lights/?group=leader&value={site['leader'].person.pk}"
    assert landing(client, site["team"]) == "/dispatch/daily/"
    assert landing(client, site["office"]) == "/cockpit/"
    assert landing(client, site["principal"]) == "/cockpit/"
    assert landing(client, site["auditor"]) == "/system/audit/"
    assert landing(client, site["secadmin"]) == "/accounts/security/"
    assert landing(client, site["sysadmin"]) == "/admin/"
    # an evaluator without subjects has no scoring to land on (the project list); with subjects, the scoring page
    assert landing(client, site["evaluator"]) == "/projects/"
    EvaluatorAssignment.objects.create(
        rater=site["evaluator"], subject_kind="project", subject_id=site["project"].pk
    )
    assert landing(client, site["evaluator"]) == "/assess/evaluate/"


@pytest.mark.urls("tests.core.test_todo")
def test_without_a_cockpit_the_principal_leaders_and_the_office_land_on_the_project_list(client, site):
    assert landing(client, site["office"]) == "/projects/"
    assert landing(client, site["principal"]) == "/projects/"


def test_a_principal_leader_with_scores_waiting_lands_on_the_scoring_then_back_on_the_cockpit(client, site):
    assert landing(client, site["principal"]) == "/cockpit/"
    # a principal leader with scores waiting lands on the scoring first, back on the cockpit once scored
    EvaluatorAssignment.objects.create(
        rater=site["principal"], subject_kind="project", subject_id=site["project"].pk
    )
    assert landing(client, site["principal"]) == "/assess/evaluate/"
    period = scoring_period()
    assess.record_evaluations(
        site["principal"], period.code, {("project", site["project"].pk): ("90", "", None)}
    )
    assert landing(client, site["principal"]) == "/cockpit/"


def test_a_reporter_who_also_reviews_lands_where_work_waits_else_on_the_reports_due(client, site, make_user):
    both = make_user("unit_reporter", "unit_reviewer", unit=site["industry"], username="both")
    period = open_period(site["office"])
    # a report to file: the reports due (first in the order)
    assert landing(client, both) == "/reports/"
    report = reports.save_draft(site["project"], period, {"amount": 1_000_000}, actor=site["reporter"])
    reports.submit_report(report, actor=site["reporter"], expected_version=report.version)
    # nothing to file, a report to review: the review list
    assert landing(client, both) == "/reports/?todo=review"
    report.refresh_from_db()
    reports.approve_report(report, actor=site["reviewer"], expected_version=report.version)
    # nothing waiting: the first in the fixed order
    assert landing(client, both) == "/reports/"


def test_reports_to_file_and_to_review_count_down_as_they_are_filed_and_reviewed(client, site):
    period = open_period(site["office"])
    second = ProjectFactory(name="智能装备产业园项目", responsible_unit=site["industry"])
    ProjectFactory(name="别的单位的项目")  # not in their scope

    assert todo_page(client, site["reporter"])["reports.file"] == 2
    assert "reports.review" not in todo_page(client, site["reporter"])
    assert todo_page(client, site["reviewer"]) == {
        "reports.review": 0,
        "lights.cases": 0,
        "meetings.decisions": 0,
        "assignments.pending": 0,
    }

    report = reports.save_draft(site["project"], period, {"amount": 1_000_000}, actor=site["reporter"])
    assert todo_page(client, site["reporter"])["reports.file"] == 2  # a draft is still to file
    report = reports.submit_report(report, actor=site["reporter"], expected_version=report.version)
    assert todo_page(client, site["reporter"])["reports.file"] == 1
    assert todo_page(client, site["reviewer"])["reports.review"] == 1

    report = reports.return_report(
        report, "请补充形象进度", actor=site["reviewer"], expected_version=current_version(report)
    )
    assert todo_page(client, site["reporter"])["reports.file"] == 2  # returned: to file again
    assert todo_page(client, site["reviewer"])["reports.review"] == 0

    for project in (site["project"], second):
        draft = Report.objects.filter(project=project, period=period).first()
        draft = draft or reports.save_draft(project, period, {"amount": 2_000_000}, actor=site["reporter"])
        reports.submit_report(draft, actor=site["reporter"], expected_version=current_version(draft))
    assert todo_page(client, site["reporter"])["reports.file"] == 0
    assert todo_page(client, site["reviewer"])["reports.review"] == 2
    for r in Report.objects.filter(period=period):
        reports.approve_report(r, actor=site["reviewer"], expected_version=r.version)
    assert todo_page(client, site["reviewer"])["reports.review"] == 0


def test_cases_decisions_and_assignments_count_for_the_unit_and_the_leader_until_handled(client, site):
    office, reporter, leader = site["office"], site["reporter"], site["leader"]
    case = cases.open_case(
        site["project"],
        kind="light",
        title="投资完成滞后",
        reasons=["投资完成率低于60%"],
        owner=site["industry"],
        period_code="2026-05-2",
        actor=None,
    )
    other = cases.open_case(
        None,
        kind="problem",
        title="别的单位的问题",
        reasons=["用地"],
        owner=UnitFactory(),
        period_code="2026-05-2",
    )
    assert other.supervisor is None
    assert todo_page(client, reporter)["lights.cases"] == 1
    assert todo_page(client, leader)["lights.cases"] == 1  # the lead leader supervises it
    assert todo_page(client, office)["lights.close"] == 0

    case = cases.accept(case, actor=reporter, expected_version=case.version)
    assert todo_page(client, reporter)["lights.cases"] == 1  # signed for, still being handled
    evidence = SimpleUploadedFile("赶工计划.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    case = cases.resolve(
        case, "已制定赶工计划", actor=reporter, evidence=evidence, expected_version=case.version
    )
    assert todo_page(client, reporter)["lights.cases"] == 0
    assert todo_page(client, leader)["lights.cases"] == 0
    assert todo_page(client, office)["lights.close"] == 1  # waits for the office to close it
    cases.close(case, actor=office, expected_version=case.version)
    assert todo_page(client, office)["lights.close"] == 0

    meeting = meetings.create_meeting(
        kind="monthly", title="月度调度会", held_at=timezone.now(), actor=office
    )
    decision = meetings.add_decision(
        meeting,
        text="倒排工期追赶进度",
        owner=site["industry"],
        deadline=timezone.localdate() + dt.timedelta(days=10),
        actor=office,
        expected_version=meeting.version,
    )
    meeting.refresh_from_db()
    meetings.add_decision(
        meeting,
        text="别的单位的事项",
        owner=UnitFactory(),
        deadline=timezone.localdate() + dt.timedelta(days=10),
        actor=office,
        expected_version=meeting.version,
    )
    assert todo_page(client, reporter)["meetings.decisions"] == 1
    assert todo_page(client, reporter)["lights.cases"] == 0  # a decision counts once, with the decisions
    decision_case = decision.case
    decision_case = cases.accept(decision_case, actor=reporter, expected_version=decision_case.version)
    cases.resolve(decision_case, "已完成", actor=reporter, expected_version=decision_case.version)
    assert todo_page(client, reporter)["meetings.decisions"] == 0

    assignment = assignments.create_assignment(
        title="现场会后组织讨论",
        instructions="一周内讨论，两周内报送",
        units=[site["industry"], UnitFactory(name="住建局")],
        steps=[
            ("组织讨论", timezone.localdate() + dt.timedelta(days=7)),
            ("报送报告", timezone.localdate() + dt.timedelta(days=14)),
        ],
        actor=office,
    )
    assert todo_page(client, reporter)["assignments.pending"] == 1
    assert todo_page(client, site["reviewer"])["assignments.pending"] == 1  # the same unit's hand-in
    first, second = assignment.steps.order_by("deadline")
    assignments.submit(first, site["industry"], text="已讨论", actor=reporter)
    assert todo_page(client, reporter)["assignments.pending"] == 1  # one step still to hand in
    assignments.submit(second, site["industry"], text="报告", actor=reporter)
    assert todo_page(client, reporter)["assignments.pending"] == 0


def test_scores_waiting_count_down_as_the_evaluator_scores(client, site):
    evaluator = site["evaluator"]
    assert todo_page(client, evaluator) == {}  # nothing assigned: no scoring to do
    EvaluatorAssignment.objects.create(rater=evaluator, subject_kind="project", subject_id=site["project"].pk)
    EvaluatorAssignment.objects.create(rater=evaluator, subject_kind="unit", subject_id=site["industry"].pk)
    assert todo_page(client, evaluator) == {"assess.scores": 2}
    code = scoring_period().code
    assess.record_evaluations(evaluator, code, {("project", site["project"].pk): ("88", "", None)})
    assert todo_page(client, evaluator) == {"assess.scores": 1}
    assess.record_evaluations(evaluator, code, {("unit", site["industry"].pk): ("92", "", None)})
    assert todo_page(client, evaluator) == {"assess.scores": 0}
    # a score of another period does not count for this one
    assess.record_evaluations(evaluator, "2026-01-1", {("unit", site["industry"].pk): ("70", "", None)})
    assert todo_page(client, evaluator) == {"assess.scores": 0}


def test_the_service_teams_day_report_waits_until_filed(client, site):
    # (a service team keeps the lawful path of its land tasks: this one has none, so the kind is not its work)
    assert todo_page(client, site["team"]) == {"daily.today": 1}
    daily.file_report(site["team_unit"], daily.today(), {"done": "入户走访 8 户"}, actor=site["team"])
    assert todo_page(client, site["team"]) == {"daily.today": 0}
    assert landing(client, site["team"]) == "/dispatch/daily/"


def test_the_header_counts_once_per_page_and_administrators_have_no_to_do(
    client, site, django_assert_max_num_queries
):
    assert todo_page(client, site["auditor"]) == {}
    client.force_login(site["reporter"])
    open_period(site["office"])
    client.get("/reports/")  # warm the session and permissions
    with django_assert_max_num_queries(40):
        html = client.get("/projects/").content.decode()
    assert 'id="todo-badge">1<' in html
    # counted once however often the header asks
    user = site["reporter"]
    assert todo.total(user) == todo.total(user) == 1
    assert user._gongjian_todo is not None
