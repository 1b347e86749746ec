"""Report pages through the test client: my reports due, filling and submitting, reviewing."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongjian.reports import services
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, office_user):
    unit = UnitFactory(name="工信局")
    reporter, reviewer = Client(), Client()
    reporter.force_login(make_user("unit_reporter", unit=unit, username="rep"))
    reviewer.force_login(make_user("unit_reviewer", unit=unit, username="rev"))
    project = ProjectFactory(name="新能源电池材料项目", responsible_unit=unit)
    ProjectFactory(name="别的单位的项目", responsible_unit=UnitFactory(name="商务局"))
    opens = timezone.now() - dt.timedelta(days=2)
    period = services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )
    return {"reporter": reporter, "reviewer": reviewer, "project": project, "period": period}


def form(**overrides):
    return {
        "amount": "300",
        "progress_percent": "35",
        "progress_text": "主体结构施工",
        "workers": "120",
        "next_plan": "",
        "explanation": "",
        "stated_year_to_date": "",
        "stated_since_start": "",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        **overrides,
    }


def test_my_reports_due_lists_only_my_units_projects_in_open_periods(world):
    html = world["reporter"].get("/reports/").content.decode()
    assert "新能源电池材料项目" in html and "别的单位的项目" not in html and "填报" in html


def test_filling_saving_and_submitting_a_report_through_the_page(world):
    url = f"/reports/{world['project'].pk}/{world['period'].pk}/"
    assert world["reporter"].post(url, form(save="1")).status_code == 302
    report = Report.objects.get()
    assert (report.state, report.amount, report.workers) == ("draft", 3_000_000, 120)
    response = world["reporter"].post(url, form(submit="1", amount="350", version=str(report.version)))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.amount) == ("submitted", 3_500_000)
    assert "350.00" in world["reporter"].get(url).content.decode()


def test_a_bad_value_is_shown_next_to_its_field(world):
    url = f"/reports/{world['project'].pk}/{world['period'].pk}/"
    response = world["reporter"].post(url, form(save="1", amount="abc", progress_percent="150"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_amount_errors"' in html and 'id="id_progress_percent_errors"' in html
    assert not Report.objects.exists()


def test_a_reviewer_returns_with_a_reason_and_the_reporter_sees_it(world):
    url = f"/reports/{world['project'].pk}/{world['period'].pk}/"
    world["reporter"].post(url, form(submit="1"))
    report = Report.objects.get()
    world["reviewer"].post(
        f"/reports/{report.pk}/review/",
        {"decision": "return", "reason": "进度照片缺失", "version": report.version},
    )
    report.refresh_from_db()
    assert report.state == "returned"
    html = world["reporter"].get(url).content.decode()
    assert "进度照片缺失" in html and 'id="report-form"' in html


def test_a_reporter_cannot_review(world):
    world["reporter"].post(f"/reports/{world['project'].pk}/{world['period'].pk}/", form(submit="1"))
    report = Report.objects.get()
    approve = {"decision": "approve", "version": report.version}
    assert world["reporter"].post(f"/reports/{report.pk}/review/", approve).status_code == 403
    assert world["reviewer"].post(f"/reports/{report.pk}/review/", approve).status_code == 302
    report.refresh_from_db()
    assert report.state == "approved"


def test_the_office_sees_per_unit_who_filed_and_who_is_missing_after_the_deadline(world, office_client):
    period, project = world["period"], world["project"]
    other = ProjectFactory(name="逾期未报项目", responsible_unit=project.responsible_unit)
    world["reporter"].post(f"/reports/{project.pk}/{period.pk}/", form(submit="1"))
    type(period).objects.filter(pk=period.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    html = office_client.get(f"/reports/periods/{period.pk}/").content.decode()
    row = html.split("<td>工信局</td>")[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    assert cells[:4] == ["2", "0", "1", "0"]  # 2 projects, 0 approved, 1 submitted, 0 returned
    assert other.name in html.split('id="missing"')[1]
    assert "商务局" in html  # the office sees every unit


def test_a_report_carries_milestones_reached_and_problems_for_other_units(world):
    project, period = world["project"], world["period"]
    start = project.milestones.create(kind="start", planned_date=dt.date(2026, 11, 15))
    land = UnitFactory(name="自然资源和规划局")
    data = form(
        submit="1",
        **{
            f"reached-milestone_{start.pk}": "2026-11-16",
            "problems-TOTAL_FORMS": "2",
            "problems-INITIAL_FORMS": "0",
            "problems-0-category": "land",
            "problems-0-description": "二期用地未摘牌",
            "problems-0-unit_asked": str(land.pk),
        },
    )
    assert world["reporter"].post(f"/reports/{project.pk}/{period.pk}/", data).status_code == 302
    report = Report.objects.get()
    assert report.state == "submitted"
    assert [(m.milestone, m.actual_date) for m in report.milestones_reached.all()] == [
        (start, dt.date(2026, 11, 16))
    ]
    assert report.problems.get().unit_asked == land
    assert "二期用地未摘牌" in world["reviewer"].get(f"/reports/{project.pk}/{period.pk}/").content.decode()


def test_the_versions_of_a_report_are_compared_side_by_side(world):
    url = f"/reports/{world['project'].pk}/{world['period'].pk}/"
    world["reporter"].post(url, form(submit="1", amount="300"))
    report = Report.objects.get()
    world["reviewer"].post(
        f"/reports/{report.pk}/review/",
        {"decision": "return", "reason": "金额有误", "version": report.version},
    )
    report.refresh_from_db()
    world["reporter"].post(url, form(submit="1", amount="280", version=str(report.version)))
    html = world["reporter"].get(url).content.decode().split('id="revisions"')[1]
    rows = html.split("<tr>")[2:]
    assert len(rows) == 3
    assert "300.00" in rows[0] and 'class="changed' not in rows[0]
    assert "金额有误" in rows[1] and 'class="changed' in rows[1]
    assert "280.00" in rows[2].split('class="changed')[1]
    assert "3000000" not in html and "本期完成（万元）" in html


def test_the_versions_table_reads_labels_and_names_not_codes_and_ids(world):
    # Given a report submitted with a milestone reached and a problem for another unit
    project, period = world["project"], world["period"]
    start = project.milestones.create(kind="start", name="主体开工", planned_date=dt.date(2026, 11, 15))
    land = UnitFactory(name="自然资源和规划局")
    data = form(
        submit="1",
        progress_percent="35.5",
        **{
            f"reached-milestone_{start.pk}": "2026-11-16",
            "problems-TOTAL_FORMS": "1",
            "problems-0-category": "land",
            "problems-0-description": "二期用地未摘牌",
            "problems-0-unit_asked": str(land.pk),
        },
    )
    assert world["reporter"].post(f"/reports/{project.pk}/{period.pk}/", data).status_code == 302

    # When the reporter reads the versions
    html = world["reporter"].get(f"/reports/{project.pk}/{period.pk}/").content.decode()
    table = html.split('id="revisions"')[1].split("</table>")[0]

    # Then they read the category, the unit and the milestone by name, money in 万元 and the rate in %
    assert "土地：二期用地未摘牌（请自然资源和规划局协调）" in table
    assert "主体开工（2026-11-16 完成）" in table
    assert "300.00" in table and "35.5%" in table
    assert "land" not in table and f"、{land.pk}" not in table and "3000000" not in table


def test_two_forms_opened_on_an_empty_report_cannot_overwrite_each_other(world):
    # Given two clerks who opened the same empty report; the first saves 300 万元.
    url = f"/reports/{world['project'].pk}/{world['period'].pk}/"
    assert world["reporter"].post(url, form(save="1")).status_code == 302
    # When the second saves what their form holds (no version: it was empty when they opened it)
    response = world["reporter"].post(url, form(save="1", amount="999"))
    # Then they are told and nothing of the first is lost.
    assert response.status_code == 409 and "已由他人先填写" in response.content.decode()
    assert Report.objects.get().amount == 3_000_000
