"""Lighting on a real database: the numbers the engine gets, what is stored, rule versions, recompute triggers."""

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.core.models import AuditEvent
from gongjian.lights import services
from gongjian.lights.models import Case, Light, LightRule
from gongjian.projects.models import Milestone
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)  # 2026-11-3: 33 dekads of the year have started
PLAN = [1_000_000] * 36  # 100 万元 a dekad


@pytest.fixture
def unit():
    return UnitFactory(name="工信局")


def approved(project, code, year_to_date, *, office, deadline_days=3):
    """An approved report of ``code`` whose year-to-date figure is ``year_to_date``."""
    from gongjian.core.periods import Period

    period = Period.parse(code)
    opens = timezone.make_aware(dt.datetime.combine(period.start, dt.time()))
    row = reports.ReportingPeriod.objects.filter(code=code).first() or reports.open_period(
        code, opens_at=opens, deadline=opens + dt.timedelta(days=period.days + deadline_days), actor=office
    )
    now = row.deadline - dt.timedelta(hours=1)
    return Report.objects.create(
        project=project,
        period=row,
        state="approved",
        amount=year_to_date,
        year_to_date=year_to_date,
        since_start=year_to_date,
        first_submitted_at=now,
        submitted_at=now,
    )


def light(project, code="2026-11-3"):
    return Light.objects.get(project=project, period_code=code)


def test_every_project_gets_a_light_for_every_period_so_far_with_the_rule_version(unit):
    ProjectFactory(responsible_unit=unit, plan=PLAN)
    ProjectFactory(responsible_unit=unit, plan=[0] * 36, planned_start=None)
    result = services.recompute(today=TODAY)
    assert (result.lights, result.changed) == (66, 66)
    assert Light.objects.filter(rule_version=1).count() == 66
    assert services.recompute(today=TODAY).changed == 0  # nothing changed, nothing written


def test_the_light_of_a_period_reads_its_own_report_and_the_plan_through_its_end(unit, office_user):
    project = ProjectFactory(
        responsible_unit=unit, plan=PLAN, planned_start=dt.date(2026, 1, 5), actual_start=dt.date(2026, 1, 5)
    )
    approved(project, "2026-11-1", 31_000_000, office=office_user)  # plan to 11-1: 31 dekads = 3,100 万元
    approved(project, "2026-11-2", 32_000_000, office=office_user)
    services.recompute(today=TODAY)
    assert light(project, "2026-11-1").dimensions["investment"] == 0
    assert light(project, "2026-11-2").dimensions["investment"] == 0
    # 11-3's plan is 3,300 万元 and its report is not filed yet: 96 %, still green
    assert light(project, "2026-11-3").figures["investment"]["percent"] == 96
    approved(project, "2026-11-3", 33_000_000, office=office_user)  # filed before the period ends: it counts
    services.recompute(today=TODAY)
    assert light(project, "2026-11-3").figures["investment"]["percent"] == 100
    assert light(project, "2026-10-3").dimensions["investment"] == 2  # nothing filed before November


def test_two_missed_reports_in_a_row_are_red_with_the_words(unit, office_user):
    project = ProjectFactory(responsible_unit=unit, plan=[0] * 36, planned_start=None)
    approved(project, "2026-10-3", 0, office=office_user)
    for code in ("2026-11-1", "2026-11-2"):
        reports.open_period(
            code,
            opens_at=timezone.make_aware(dt.datetime(2026, 11, 1)),
            deadline=timezone.make_aware(dt.datetime(2026, 11, 22)),
            actor=office_user,
        )
    services.recompute(today=TODAY)
    assert light(project).reasons == ["连续两旬未报"] and light(project).colour == 2
    assert light(project, "2026-10-3").dimensions["missing"] == 0


def test_an_overdue_milestone_and_an_overdue_problem_case_light_the_project(unit, office_user, make_user):
    project = ProjectFactory(responsible_unit=unit, plan=[0] * 36, planned_start=None)
    Milestone.objects.create(project=project, kind="topping_out", planned_date=dt.date(2026, 11, 5))
    services.recompute(today=TODAY)
    assert light(project).reasons == ["主体封顶节点逾期 18 天（计划 2026-11-05）"]
    assert light(project).colour == 1

    from gongjian.lights.services import cases

    cases.open_case(
        project,
        kind="problem",
        title="临时用电增容未批复",
        reasons=["水电气：临时用电增容未批复"],
        owner=UnitFactory(name="供电公司"),
        period_code="2026-10-3",
    )
    Case.objects.update(deadline=dt.date(2026, 11, 6))  # 11 working days before 23 November
    services.recompute(today=TODAY)
    assert light(project).colour == 2
    assert "问题逾期 11 个工作日未解决：临时用电增容未批复" in light(project).reasons


def test_a_red_project_opens_one_case_for_its_unit_and_a_second_red_period_is_noted_on_it(unit):
    project = ProjectFactory(responsible_unit=unit, plan=PLAN)
    assert services.recompute(today=dt.date(2026, 11, 12)).cases_opened == 1
    case = Case.objects.get()
    assert (case.kind, case.owner, case.state, case.period_code) == ("light", unit, "new", "2026-11-2")
    assert case.reasons == light(project, "2026-11-2").reasons
    assert services.recompute(today=TODAY).cases_opened == 0
    assert case.events.filter(kind="red_again", text__startswith="2026年11月下旬：").count() == 1


def test_many_reds_at_once_open_the_same_cases_as_one_by_one_numbered_in_the_order_of_their_codes(
    unit, make_user
):
    # given: three red projects registered out of the order of their codes, one with two lead leaders, one
    # already on an open case, and two people in the owner unit
    from gongjian.core.models import Notification
    from gongjian.lights.models import CaseEvent
    from gongjian.lights.services import cases
    from gongjian.projects.models import ProjectLeader
    from tests.factories import PersonFactory

    owner = make_user("unit_reporter", unit=unit, username="owner")
    colleague = make_user("unit_reviewer", unit=unit, username="colleague")
    stranger = make_user("unit_reporter", unit=UnitFactory(name="住建局"), username="stranger")
    third = ProjectFactory(code="2026-003", name="三号项目", responsible_unit=unit, plan=PLAN)
    first = ProjectFactory(code="2026-001", name="一号项目", responsible_unit=unit, plan=PLAN)
    second = ProjectFactory(code="2026-002", name="二号项目", responsible_unit=unit, plan=PLAN)
    lead, later_lead = PersonFactory(name="王副区长"), PersonFactory(name="李副区长")
    ProjectLeader.objects.create(project=second, person=lead, role="lead")
    ProjectLeader.objects.create(project=second, person=later_lead, role="lead")
    services.recompute(today=dt.date(2026, 11, 12), open_cases=False)
    on_case = cases.open_case(
        third, kind="light", title="三号项目 亮红灯", reasons=["旧"], owner=unit, period_code="2026-11-1"
    )

    # when: a recompute finds all three red
    assert services.recompute(today=dt.date(2026, 11, 12)).cases_opened == 2

    # then: the two without a case get one each, numbered after the open one in the order of their codes
    opened = {c.project_id: c for c in Case.objects.filter(kind="light").exclude(pk=on_case.pk)}
    number = int(on_case.number.rsplit("-", 1)[1])
    prefix = on_case.number.rsplit("-", 1)[0]
    assert opened[first.pk].number == f"{prefix}-{number + 1:04d}"
    assert opened[second.pk].number == f"{prefix}-{number + 2:04d}"
    deadline = cases.deadline_after(10)
    for project in (first, second):
        case = opened[project.pk]
        reasons = light(project, "2026-11-2").reasons
        assert reasons
        assert (case.title, case.owner, case.state, case.level) == (
            f"{project.name} 亮红灯",
            unit,
            "new",
            "unit",
        )
        assert (case.period_code, case.reasons, case.deadline) == ("2026-11-2", reasons, deadline)
        assert case.light == light(project, "2026-11-2")
        opening = case.events.get()
        assert (opening.kind, opening.text, opening.actor_name) == ("opened", "；".join(reasons), "系统")
        event = AuditEvent.objects.get(action="case.open", object_id=str(case.pk))
        assert event.object_repr == f"{case.number} {case.title}"
        assert event.after == {
            "kind": "light",
            "project": project.pk,
            "owner": unit.pk,
            "deadline": deadline.isoformat(),
            "reasons": reasons,
        }
        for user in (owner, colleague):
            notice = Notification.objects.get(user=user, title__contains=case.number)
            assert notice.title == f"新督办件 {case.number}：{case.title}"
            assert notice.body == f"承办单位：工信局，办理时限 {deadline}。" + "；".join(reasons)
            assert notice.url == f"/lights/cases/{case.pk}/"
    assert not Notification.objects.filter(user=stranger).exists()
    assert opened[second.pk].supervisor == lead  # the first lead leader
    assert opened[first.pk].supervisor is None
    # the project already on a case: the new red period noted on it, once
    noted = CaseEvent.objects.filter(case=on_case, kind="red_again")
    assert [e.text for e in noted] == ["2026年11月中旬：" + "；".join(light(third, "2026-11-2").reasons)]
    assert services.recompute(today=dt.date(2026, 11, 12)).cases_opened == 0
    assert noted.count() == 1


def test_publishing_rules_is_a_new_version_that_relights_and_is_audited(unit, office_user):
    project = ProjectFactory(
        responsible_unit=unit, plan=PLAN, category="industry", actual_start=dt.date(2026, 3, 1)
    )
    approved(project, "2026-11-3", 27_000_000, office=office_user)  # 27 of 33: 81 %
    services.recompute(today=TODAY, open_cases=False)
    assert light(project).colour == 1
    LightRule.objects.create(
        dimension="investment",
        categories=["industry"],
        params={"green_from_percent": 80, "yellow_from_percent": 60},
    )
    version = services.publish_rules(actor=office_user, note="工业项目放宽到 80%")
    services.recompute(today=TODAY, open_cases=False)
    assert (light(project).colour, light(project).rule_version) == (0, version.number) == (0, 2)
    event = AuditEvent.objects.get(action="lights.rules.publish")
    assert event.note == "工业项目放宽到 80%" and len(event.after["rules"]) == 6


def test_an_invalid_rule_is_refused_with_its_field(unit):
    from django.core.exceptions import ValidationError

    rule = LightRule(dimension="investment", params={"green_from_percent": 50, "yellow_from_percent": 70})
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "params" in caught.value.message_dict
    with pytest.raises(ValidationError, match="未知的项目类别"):
        LightRule(dimension="missing", categories=["factory"]).full_clean()


def test_approving_a_report_opens_cases_for_its_problems_and_relights_the_project(
    unit, office_user, make_user
):
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    reviewer = make_user("unit_reviewer", unit=unit, username="rev")
    power = UnitFactory(name="供电公司")
    project = ProjectFactory(responsible_unit=unit, plan=[0] * 36, planned_start=None)
    opens = timezone.now() - dt.timedelta(days=1)
    period = reports.open_period(
        "2026-11-3", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )
    report = reports.save_draft(
        project,
        period,
        {"amount": 1_000_000},
        actor=reporter,
        problems=[{"category": "power_water", "description": "临时用电增容", "unit_asked": power}],
    )
    reports.submit_report(report, actor=reporter, expected_version=current_version(report))
    assert not Case.objects.exists()  # a submitted report's problems are not cases yet
    reports.approve_report(report, actor=reviewer, expected_version=current_version(report))
    case = Case.objects.get()
    assert (case.kind, case.owner, case.title, case.problem.report) == (
        "problem",
        power,
        "临时用电增容",
        report,
    )
    assert Light.objects.filter(project=project).exists()


def test_a_leader_records_a_judgement_beside_the_computed_light(unit, make_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    project = ProjectFactory(responsible_unit=unit)
    leader = make_user("principal_leader", username="boss")
    row = services.record_judgement(project, "2026-11-3", 2, "现场看进度明显滞后", actor=leader)
    assert (row.colour, row.judged_by) == (2, leader)
    with pytest.raises(ValidationError):
        services.record_judgement(project, "2026-11-3", 1, " ", actor=leader)
    with pytest.raises(PermissionDenied):
        services.record_judgement(
            project, "2026-11-3", 1, "理由", actor=make_user("unit_reporter", unit=unit)
        )


def test_the_office_changes_a_threshold_in_the_admin_and_a_new_version_relights(unit, office_user, client):
    project = ProjectFactory(responsible_unit=unit, plan=PLAN, actual_start=dt.date(2026, 3, 1))
    services.recompute(open_cases=False)
    before = Light.objects.filter(project=project).latest("period_code").rule_version
    office_user.is_staff = True
    office_user.save()
    client.force_login(office_user)
    rule = LightRule.objects.get(dimension="investment")
    response = client.post(
        f"/admin/lights/lightrule/{rule.pk}/change/",
        {
            "dimension": "investment",
            "categories": "[]",
            "enabled": "on",
            "params": '{"green_from_percent": 80, "yellow_from_percent": 50}',
            "note": "放宽",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Light.objects.filter(project=project).latest("period_code").rule_version == before + 1
    assert AuditEvent.objects.filter(action="lights.rules.publish").count() == 1
    bad = client.post(
        f"/admin/lights/lightrule/{rule.pk}/change/",
        {
            "dimension": "investment",
            "categories": "[]",
            "enabled": "on",
            "params": '{"green_from_percent": 50, "yellow_from_percent": 80}',
            "note": "",
        },
    )
    assert bad.status_code == 200 and "yellow line cannot be above the green line" in bad.content.decode()


def test_the_default_rules_can_be_installed_again_and_equal_the_design(db):
    from gongjian.lights import rules

    migrated = rules.RuleSet(tuple(r.as_rule() for r in LightRule.objects.all()))
    assert (
        migrated.as_dict() == rules.RuleSet.default().as_dict()
    )  # the migration's rows are the design's rules
    LightRule.objects.all().delete()
    services.install_default_rules()
    published = rules.RuleSet(tuple(r.as_rule() for r in LightRule.objects.all()))
    assert published.as_dict() == rules.RuleSet.default().as_dict()
