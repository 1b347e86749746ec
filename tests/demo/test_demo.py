"""The demo district must be the district of the speech (context 001), the same every time it is built."""

import datetime as dt
import itertools
import json

import pytest
from django.db.models import Sum

from gongjian.accounts.models import User
from gongjian.accounts.roles import Role, role_label
from gongjian.core.identifiers import check_credit_code, check_project_code
from gongjian.core.models import AuditEvent
from gongjian.demo.data import UNSURVEYED
from gongjian.demo.loader import DEMO_PASSWORD, DemoAlreadyLoaded, load_demo
from gongjian.org.choices import ENTERPRISE_KINDS
from gongjian.org.models import RegionBoundary, Unit
from gongjian.projects.choices import ApprovalStatus, Category, LeaderRole, Nature
from gongjian.projects.models import AnnualPlan, Project

YEAR = 2026
AS_OF = dt.date(2026, 5, 20)


@pytest.fixture(scope="module")
def loaded(module_db):
    """The demo district, built once for the module (seven seconds a build); each test reads it in a savepoint,
    so what one test changes (a reset, a second load) is gone for the next. The tests of an empty database are in
    test_demo_year.py."""
    return load_demo(year=YEAR, as_of=AS_OF)


@pytest.fixture
def summary(loaded, db):
    return loaded


def fingerprint() -> list:
    """Names, codes and amounts of everything a user would notice if it changed between two loads."""
    projects = Project.objects.select_related("owner", "responsible_unit", "commander").prefetch_related(
        "plans", "milestones", "approvals", "leader_links__person"
    )
    return [
        (
            p.code,
            p.name,
            p.national_code,
            p.total_investment,
            p.plan_for(YEAR).dekads,
            p.owner.name,
            p.owner.credit_code,
            p.responsible_unit.name,
            p.commander and p.commander.name,
            p.location,
            p.land_area_mu,
            p.expected_output,
            sorted((link.person.name, link.role) for link in p.leader_links.all()),
            [(m.name, m.planned_date, m.actual_date) for m in p.milestones.all()],
            [(a.kind, a.status, a.approved_on, a.document_no) for a in p.approvals.all()],
        )
        for p in projects.order_by("code")
    ] + sorted(User.objects.values_list("username", "full_name"))


def test_the_demo_has_the_36_projects_of_the_speech(summary):
    projects = Project.objects.all()

    assert projects.count() == 36
    assert projects.filter(nature=Nature.NEW).count() == 25
    assert projects.filter(nature=Nature.CONTINUING).count() == 11
    assert projects.filter(category=Category.INDUSTRY).count() == 23
    assert projects.filter(category=Category.COMMERCE).count() == 13
    assert {"段庄商贸城", "中枢商业步行街", "中山大厦"} <= set(projects.values_list("name", flat=True))
    assert (summary.projects, summary.new, summary.continuing, summary.industry, summary.commerce) == (
        36,
        25,
        11,
        23,
        13,
    )


def test_total_and_annual_investment_add_up_exactly_to_the_speech_figures(summary):
    assert Project.objects.aggregate(s=Sum("total_investment"))["s"] == 3_120_000_000
    assert AnnualPlan.objects.filter(year=YEAR).aggregate(s=Sum("total"))["s"] == 1_038_000_000
    assert AnnualPlan.objects.exclude(year=YEAR).count() == 0
    assert (summary.total_investment, summary.annual_plan) == (3_120_000_000, 1_038_000_000)


def test_every_annual_plan_fits_its_total_has_36_dekads_and_is_low_at_the_spring_festival(summary):
    district_months = [0] * 12
    for project in Project.objects.prefetch_related("plans"):
        plan = project.plan_for(YEAR)
        assert len(plan.dekads) == 36
        assert sum(plan.dekads) == plan.total <= project.total_investment
        assert all(isinstance(v, int) and v >= 0 for v in plan.dekads)
        assert all(month % 10_000 == 0 for month in plan.months)  # whole 万元 a month
        district_months = [a + b for a, b in zip(district_months, plan.months, strict=True)]

    jan, feb, apr, oct_ = district_months[0], district_months[1], district_months[3], district_months[9]
    assert feb < jan < apr
    assert feb < oct_


def test_milestones_and_approvals_are_consistent_with_progress(summary):
    for project in Project.objects.prefetch_related("milestones", "approvals"):
        milestones = list(project.milestones.all())
        assert len(milestones) == 6
        done = [m.actual_date for m in milestones if m.actual_date]
        assert done == sorted(done) and all(d <= AS_OF for d in done)
        # Nothing is done after a node that is still open.
        assert [m.actual_date is not None for m in milestones] == sorted(
            (m.actual_date is not None for m in milestones), reverse=True
        )
        assert project.actual_start == milestones[1].actual_date
        if project.nature == Nature.CONTINUING:
            assert project.actual_start is not None and project.actual_start.year < YEAR
        if project.actual_start:
            for approval in project.approvals.all():
                assert approval.status in {ApprovalStatus.DONE, ApprovalStatus.NOT_REQUIRED}
                assert approval.approved_on is None or approval.approved_on < project.actual_start
        assert len(project.approvals.all()) == 6


def test_every_project_has_one_lead_leader_from_the_four_leadership_bodies(summary):
    for project in Project.objects.prefetch_related("leader_links__person"):
        links = list(project.leader_links.all())
        assert [link.role for link in links].count(LeaderRole.LEAD) == 1
        assert all(link.person.leadership_body for link in links)
    with_headquarters = Project.objects.filter(headquarters__isnull=False, commander__isnull=False).count()
    assert 14 <= with_headquarters <= 22  # about half
    assert not Project.objects.filter(category=Category.INDUSTRY, park__isnull=True).exists()


def test_loading_twice_is_refused_without_reset(summary):
    with pytest.raises(DemoAlreadyLoaded, match="--reset"):
        load_demo(year=YEAR, as_of=AS_OF)

    assert Project.objects.count() == 36


def test_reset_rebuilds_exactly_the_same_district(summary):
    before = fingerprint()

    load_demo(year=YEAR, as_of=AS_OF, reset=True)

    assert fingerprint() == before
    assert Project.objects.count() == 36


def test_reset_keeps_other_accounts_and_the_audit_trail(summary, make_user):
    other = make_user("project_office", username="someone-else")
    events = AuditEvent.objects.count()

    load_demo(year=YEAR, as_of=AS_OF, reset=True)

    assert User.objects.filter(pk=other.pk).exists()
    assert AuditEvent.objects.count() > events


def test_every_role_has_an_account_and_the_login_page_lists_them(summary, client):
    for role in Role.values:
        assert User.objects.filter(groups__name=role).count() == 1, role
    assert len(summary.accounts) == len(Role.values)

    page = client.get("/accounts/login/").content.decode()

    assert DEMO_PASSWORD in page
    for account in summary.accounts:
        assert account.username in page
        assert role_label(account.role) in page
        assert User.objects.get(username=account.username).check_password(DEMO_PASSWORD)
        assert User.objects.get(username=account.username).person.unit is not None


def test_every_credit_code_and_national_project_code_validates(summary):
    enterprises = Unit.objects.filter(kind__in=ENTERPRISE_KINDS)
    assert enterprises.count() >= 20
    for unit in enterprises:
        assert check_credit_code(unit.credit_code) == unit.credit_code
        assert unit.credit_code[2:8] == "320311"
    for code in Project.objects.values_list("national_code", flat=True):
        assert check_project_code(code) == code
        assert code[5:11] == "320311"


def test_the_reporter_sees_a_proper_subset_and_the_office_sees_everything(summary):
    reporter = User.objects.get(username="reporter")
    office = User.objects.get(username="office")

    seen = Project.objects.in_scope(reporter).count()

    assert 0 < seen < 36
    assert Project.objects.in_scope(office).count() == 36
    assert Project.objects.in_scope(User.objects.get(username="principal")).count() == 36


def test_the_leader_and_the_service_team_see_their_own_projects(summary):
    leader = User.objects.get(username="leader")
    team = User.objects.get(username="team")

    led = Project.objects.filter(leader_links__person__user=leader)

    assert led.count() >= 3
    assert set(led) <= set(Project.objects.in_scope(leader))
    assert 0 < Project.objects.in_scope(leader).count() < 36
    assert 0 < Project.objects.in_scope(team).count() < 36


def test_the_progress_date_changes_progress_but_not_the_district(summary):
    def names_and_amounts():
        return sorted(
            Project.objects.values_list(
                "name", "national_code", "total_investment", "contact_person", "owner__credit_code"
            )
        )

    before = names_and_amounts()
    started_in_may = Project.objects.filter(actual_start__isnull=False).count()

    load_demo(year=YEAR, as_of=dt.date(YEAR, 11, 30), reset=True)

    assert names_and_amounts() == before
    assert Project.objects.filter(actual_start__isnull=False).count() > started_in_may


def test_the_demo_opens_the_current_ten_day_period_and_the_reporter_has_reports_due(summary, client):
    from gongjian.reports.models import ReportingPeriod

    period = ReportingPeriod.objects.order_by("-opens_at").first()
    assert period.period.contains(AS_OF)
    # two of the reporter's reports are in and wait for the reviewer; the rest are due
    assert list(period.reports.values_list("state", flat=True)) == ["submitted", "submitted"]
    client.post("/accounts/login/", {"username": "reporter", "password": DEMO_PASSWORD})
    html = client.get("/reports/").content.decode()
    mine = Project.objects.in_scope(User.objects.get(username="reporter"))
    assert sum(f'href="/reports/{p.pk}/{period.pk}/"' in html for p in mine) == mine.count() > 0


def test_the_demo_has_reports_for_the_past_periods_and_its_projects_lit_in_every_colour(summary):
    from gongjian.lights.models import Case, Light
    from gongjian.reports.models import Report, ReportingPeriod

    assert ReportingPeriod.objects.count() == 14  # 2026-01-1 … 2026-05-2 (20 May is in 中旬)
    assert Report.objects.filter(state="approved").count() > 30 * 13
    current = Light.objects.filter(period_code="2026-05-2")
    colours = {light.colour for light in current}
    assert current.count() == 36 and colours == {0, 1, 2}
    reds = set(current.filter(colour=2).values_list("project_id", flat=True))
    assert set(Case.objects.filter(kind="light").values_list("project_id", flat=True)) == reds


def test_the_demo_has_published_assessments_and_an_interview_on_the_last_months_yellow_card(summary):
    from gongjian.assess.models import Consequence, Interview, Run

    published = set(Run.objects.filter(state="published").values_list("period_code", flat=True))
    # 2026-01-1 … 2026-05-1 and January … April: every period that ended before 20 May
    assert published == {f"2026-{m:02d}-{d}" for m in range(1, 5) for d in (1, 2, 3)} | {"2026-05-1"} | {
        f"2026-{m:02d}" for m in range(1, 5)
    }
    assert Consequence.objects.filter(kind="red_flag", run__period_code="2026-05-1").exists()
    yellow = Consequence.objects.filter(kind="interview", run__period_code="2026-04")
    interviews = Interview.objects.filter(consequence__in=yellow)
    assert interviews.count() == yellow.count() > 0
    interview = interviews.first()
    assert interview.held_on == dt.date(2026, 5, 3) and "指挥长" in interview.interviewee
    assert [c.done_on is not None for c in interview.commitments.order_by("deadline")] == [True, False]


def test_the_demo_evaluator_has_scored_every_past_period_and_has_the_current_one_to_score(summary, client):
    from gongjian.assess.models import Evaluation, Score

    # every published period's projects carry the evaluator's score (72–96), not 0
    scores = Score.objects.filter(run__state="published", subject_kind="project")
    assert scores.count() > 0
    assert not scores.filter(points__evaluation=0).exists()
    assert Evaluation.objects.filter(period_code="2026-05-1").count() == 36

    # the evaluator's menu item opens their form with the 36 projects, this period still to score
    client.login(username="evaluator", password=DEMO_PASSWORD)
    page = client.get("/assess/evaluate/?period=2026-05-2")
    assert page.status_code == 200 and page.content.decode().count('name="score-project-') == 36
    client.logout()
    # and the office reads the truth: 36 waiting for 曾博文 this period, not "all scored"
    client.login(username="office", password=DEMO_PASSWORD)
    page = client.get("/assess/evaluate/?period=2026-05-2").content.decode()
    assert page.count("曾博文 → ") == 36 and "全部已评分" not in page


def test_the_demo_has_last_months_dispatch_meeting_with_decisions_minutes_and_a_briefing(summary):
    from gongjian.documents.models import Document
    from gongjian.meetings.models import Meeting

    meeting = Meeting.objects.get()
    assert meeting.title == "2026年4月重点项目调度会" and meeting.state == "held"
    assert meeting.held_at.date() == dt.date(2026, 5, 3) and meeting.agenda
    states = [d.case.state for d in meeting.decisions.order_by("number")]
    assert states[0] == "closed" and set(states[1:]) == {"new"} and len(states) >= 2
    issued = Document.objects.filter(state="issued")
    assert set(issued.values_list("kind", flat=True)) == {"minutes", "briefing"}
    assert issued.get(kind="briefing").period_code == "2026-04"


def test_the_demo_has_a_week_of_service_team_reports_and_an_assignment_half_handed_in(summary):
    from gongjian.assignments.models import Assignment
    from gongjian.daily.models import DailyReport, DailyTask

    days = set(DailyReport.objects.values_list("day", flat=True))
    assert days == {AS_OF - dt.timedelta(days=n) for n in range(7)}
    assert DailyReport.objects.filter(day=AS_OF).count() == 2  # one team has not filed today
    assert DailyTask.objects.filter(day=AS_OF + dt.timedelta(days=1)).count() == 3
    assignment = Assignment.objects.get()
    first = assignment.steps.order_by("deadline").first()
    assert assignment.units.count() == 9 and first.submissions.count() == 3


def test_a_land_teams_daily_reports_say_what_its_ledger_counts(summary):
    """A team with an acquisition task files what the ledger counts (households signed, buildings demolished
    that day), and its narrative says the same numbers."""
    from gongjian.daily.models import DailyReport
    from gongjian.land.models import Household, Task

    teams = set(Task.objects.values_list("team_id", flat=True))
    reports = DailyReport.objects.filter(team_id__in=teams)
    assert reports.exists()
    for report in reports:
        households = Household.objects.filter(task__team_id=report.team_id)
        signed = households.filter(signed_on=report.day).count()
        razed = households.filter(demolished_on=report.day).count()
        assert (report.households_signed, report.buildings_demolished) == (signed, razed)
        assert f"签约 {signed} 户，拆除房屋 {razed} 处" in report.done


def test_the_demo_district_has_a_boundary_around_every_site_and_three_sites_not_surveyed(summary):
    boundary = RegionBoundary.objects.select_related("region").get()
    assert (boundary.region.name, boundary.features, boundary.version) == ("泉山区", 1, 1)
    ring = json.loads(boundary.geojson)["features"][0]["geometry"]["coordinates"][0]

    def inside(x: float, y: float) -> bool:  # ray casting
        crossings = 0
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                crossings += 1
        return crossings % 2 == 1

    sites = list(Project.objects.values_list("name", "longitude", "latitude"))
    assert sorted(name for name, lon, _lat in sites if lon is None) == sorted(UNSURVEYED)
    assert all(inside(float(lon), float(lat)) for _name, lon, lat in sites if lon is not None)
    assert AuditEvent.objects.filter(action="org.regionboundary.upload").count() == 1


def test_every_business_role_has_work_waiting_and_lands_on_its_work(summary, client):
    from gongjian.core import todo

    expected = {
        "reporter": ("/reports/", "reports.file"),
        "reviewer": ("/reports/?todo=review", "reports.review"),
        "leader": (None, "lights.cases"),
        "evaluator": ("/assess/evaluate/", "assess.scores"),
        "office": ("/cockpit/", "assignments.pending"),
    }
    for username, (landing, kind) in expected.items():
        user = User.objects.get(username=username)
        client.force_login(user)
        url = client.get("/").url
        assert url == landing or (landing is None and url.startswith("/lights/?group=leader")), username
        counts = {item.kind.key: item.count for item in todo.items(user)}
        assert counts[kind] > 0, (username, counts)
    assert todo.items(User.objects.get(username="reviewer"))[0].count == 2
    assert client.get("/").status_code == 302
