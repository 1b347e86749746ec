"""Report services on a real database: the state machine, cumulative figures, versions, scope, audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.core.models import AuditEvent, Notification
from gongjian.reports import services
from gongjian.reports.choices import ReportState
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return UnitFactory(name="工信局")


@pytest.fixture
def reporter(make_user, unit):
    return make_user("unit_reporter", unit=unit, username="rep")


@pytest.fixture
def reviewer(make_user, unit):
    return make_user("unit_reviewer", unit=unit, username="rev")


@pytest.fixture
def project(unit):
    return ProjectFactory(name="新能源电池材料项目", responsible_unit=unit, total_investment=500_000_000)


def period(code, office):
    opens = timezone.make_aware(dt.datetime(2026, 11, 1))
    return services.open_period(code, opens_at=opens, deadline=opens + dt.timedelta(days=30), actor=office)


def test_a_report_goes_from_draft_to_submitted_to_approved_with_a_revision_and_audit_at_each_step(
    office_user, reporter, reviewer, project
):
    p = period("2026-11-2", office_user)
    report = services.save_draft(
        project, p, {"amount": 3_000_000, "progress_text": "主体施工"}, actor=reporter
    )
    assert report.state == ReportState.DRAFT and report.year_to_date == 3_000_000
    report = services.submit_report(report, actor=reporter, expected_version=report.version)
    assert report.state == ReportState.SUBMITTED and report.first_submitted_at is not None
    report = services.approve_report(report, actor=reviewer, expected_version=current_version(report))
    assert report.state == ReportState.APPROVED and report.reviewer == reviewer
    assert [r.state for r in report.revisions.all()] == ["submitted", "approved"]
    assert list(
        AuditEvent.objects.filter(action__startswith="report.")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["report.create", "report.submit", "report.approve"]
    with pytest.raises(ValidationError):
        services.save_draft(project, p, {"amount": 1}, actor=reporter, expected_version=report.version)


def test_a_returned_report_can_be_corrected_and_resubmitted_and_every_version_is_kept(
    office_user, reporter, reviewer, project
):
    p = period("2026-11-2", office_user)
    draft = services.save_draft(project, p, {"amount": 100}, actor=reporter)
    report = services.submit_report(draft, actor=reporter, expected_version=draft.version)
    with pytest.raises(ValidationError):
        services.return_report(report, "   ", actor=reviewer, expected_version=current_version(report))
    report = services.return_report(
        report, "金额与发票不符", actor=reviewer, expected_version=current_version(report)
    )
    assert report.state == ReportState.RETURNED and report.return_reason == "金额与发票不符"
    report = services.save_draft(project, p, {"amount": 200}, actor=reporter, expected_version=report.version)
    report = services.submit_report(report, actor=reporter, expected_version=current_version(report))
    assert report.state == ReportState.SUBMITTED and report.amount == 200
    assert [(r.state, r.data["amount"]) for r in report.revisions.all()] == [
        ("submitted", 100),
        ("returned", 100),
        ("submitted", 200),
    ]


def test_cumulative_figures_add_up_the_earlier_periods_and_a_lower_stated_figure_needs_an_explanation(
    office_user, reporter, reviewer, project
):
    first, second = period("2026-11-1", office_user), period("2026-11-2", office_user)
    draft = services.save_draft(project, first, {"amount": 1_000}, actor=reporter)
    services.submit_report(draft, actor=reporter, expected_version=draft.version)
    report = services.save_draft(project, second, {"amount": 500, "stated_year_to_date": 900}, actor=reporter)
    assert report.year_to_date == 1_500
    with pytest.raises(ValidationError) as caught:
        services.submit_report(report, actor=reporter, expected_version=current_version(report))
    assert {"year_to_date", "explanation"} <= set(caught.value.message_dict)
    report = services.save_draft(
        project, second, {"explanation": "统计局核减 600 元"}, actor=reporter, expected_version=report.version
    )
    assert (
        services.submit_report(report, actor=reporter, expected_version=current_version(report)).state
        == ReportState.SUBMITTED
    )


def test_two_people_saving_the_same_version_cannot_overwrite_each_other(office_user, reporter, project):
    p = period("2026-11-2", office_user)
    report = services.save_draft(project, p, {"amount": 1}, actor=reporter)
    services.save_draft(project, p, {"amount": 2}, actor=reporter, expected_version=report.version)
    with pytest.raises(services.StaleReport):
        services.save_draft(project, p, {"amount": 3}, actor=reporter, expected_version=report.version)
    assert Report.objects.get().amount == 2


def test_a_double_clicked_submit_leaves_one_submitted_report(office_user, reporter, project):
    p = period("2026-11-2", office_user)
    report = services.save_draft(project, p, {"amount": 1}, actor=reporter)
    services.submit_report(report, actor=reporter, expected_version=report.version)
    services.submit_report(report, actor=reporter, expected_version=report.version)
    assert Report.objects.count() == 1 and Report.objects.get().revisions.count() == 1
    assert AuditEvent.objects.filter(action="report.submit").count() == 1


def test_only_reporters_in_scope_file_and_nobody_reviews_their_own_report(make_user, office_user, project):
    p = period("2026-11-2", office_user)
    outsider = make_user("unit_reporter", unit=UnitFactory(name="商务局"))
    with pytest.raises(PermissionDenied):
        services.save_draft(project, p, {"amount": 1}, actor=outsider)
    both = make_user("unit_reporter", "unit_reviewer", unit=project.responsible_unit)
    draft = services.save_draft(project, p, {"amount": 1}, actor=both)
    report = services.submit_report(draft, actor=both, expected_version=draft.version)
    with pytest.raises(PermissionDenied):
        services.approve_report(report, actor=both, expected_version=current_version(report))


def test_a_period_must_be_a_dekad_or_month_and_opens_only_once(office_user, reporter):
    period("2026-11", office_user)
    with pytest.raises(ValidationError):
        period("2026-11", office_user)
    with pytest.raises(ValidationError):
        period("2026", office_user)
    with pytest.raises(PermissionDenied):
        period("2026-12", reporter)


def test_milestones_reached_reach_the_registry_only_when_the_report_is_approved(
    office_user, reporter, reviewer, project
):
    start = project.milestones.create(kind="start", planned_date=dt.date(2026, 11, 1))
    other = ProjectFactory().milestones.create(kind="start", planned_date=dt.date(2026, 1, 1))
    p = period("2026-11-2", office_user)
    with pytest.raises(ValidationError):
        services.save_draft(
            project, p, {"amount": 1}, actor=reporter, milestones=[(other, dt.date(2026, 11, 12))]
        )
    report = services.save_draft(
        project, p, {"amount": 1}, actor=reporter, milestones=[(start, dt.date(2026, 11, 12))]
    )
    services.submit_report(report, actor=reporter, expected_version=current_version(report))
    start.refresh_from_db()
    assert start.actual_date is None
    services.approve_report(report, actor=reviewer, expected_version=current_version(report))
    start.refresh_from_db()
    assert start.actual_date == dt.date(2026, 11, 12)
    assert AuditEvent.objects.get(action="milestone.reach").after == {"actual_date": "2026-11-12"}


def test_problems_raised_in_a_report_are_kept_with_their_category_and_unit_and_in_every_version(
    office_user, reporter, project
):
    land = UnitFactory(name="自然资源和规划局")
    p = period("2026-11-2", office_user)
    report = services.save_draft(
        project,
        p,
        {"amount": 1},
        actor=reporter,
        problems=[{"category": "land", "description": "二期用地尚未摘牌", "unit_asked": land}],
    )
    report = services.submit_report(report, actor=reporter, expected_version=current_version(report))
    problem = report.problems.get()
    assert (problem.category, problem.unit_asked, problem.project) == ("land", land, project)
    assert report.revisions.get().data["problems"] == [
        {"category": "land", "description": "二期用地尚未摘牌", "unit_asked": land.pk}
    ]
    with pytest.raises(ValidationError):
        services.save_draft(
            project,
            period("2026-11-3", office_user),
            {"amount": 1},
            actor=reporter,
            problems=[{"category": "nonsense", "description": "x", "unit_asked": land}],
        )


def test_a_returned_report_tells_its_reporter_why_with_a_link_to_the_report(
    office_user, reporter, reviewer, project, client
):
    # Given a report the reporter submitted
    p = period("2026-11-2", office_user)
    report = services.save_draft(project, p, {"amount": 3_000_000}, actor=reporter)
    report = services.submit_report(report, actor=reporter, expected_version=report.version)

    # When the reviewer returns it
    services.return_report(report, "本期完成投资与台账不符", actor=reviewer, expected_version=report.version)

    # Then the reporter (and nobody else) is told, with the reason and a link to the report
    note = Notification.objects.get()
    assert note.user == reporter
    assert note.title == "报告被退回，请修改后重新提交：新能源电池材料项目（2026年11月中旬）"
    assert note.body == "退回原因：本期完成投资与台账不符"
    assert note.url == f"/reports/{project.pk}/{p.pk}/"
    client.force_login(reporter)
    html = client.get("/system/notifications/").content.decode()
    assert f'<a href="/reports/{project.pk}/{p.pk}/">报告被退回' in html and "本期完成投资与台账不符" in html
