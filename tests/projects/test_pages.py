"""Project pages through the test client: list, filters, sorting, paging, detail, create and edit."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.core.models import AuditEvent
from gongjian.core.periods import Period
from gongjian.lights.models import Light
from gongjian.org.choices import UnitKind
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import AnnualPlan, Project, ProjectLeader
from gongjian.reports.models import Report, ReportingPeriod
from tests.factories import PersonFactory, ProjectFactory, UnitFactory, region

pytestmark = pytest.mark.django_db


def rows(response):
    """The project names in the list table, in order."""
    html = response.content.decode()
    body = html.split('<table id="project-table">')[1].split("</table>")[0]
    return re.findall(r'<a href="/projects/\d+/">([^<]+)</a>', body)


def test_the_list_filters_by_category_nature_level_unit_leader_region_park_and_text(office_client):
    park = UnitFactory(name="杏山子民营工业园", kind=UnitKind.PARK)
    unit = UnitFactory(name="商务局")
    leader = PersonFactory(name="王书记", leadership_body="party")
    street = region("320311002", "杏山子街道")
    a = ProjectFactory(name="甲 工业 新建", category="industry", nature="new", level="city", park=park)
    b = ProjectFactory(
        name="乙 商贸 续建",
        category="commerce",
        nature="continuing",
        responsible_unit=unit,
        region=region("320311002003", "杏山子社区"),
    )
    ProjectLeader.objects.create(project=b, person=leader, role=LeaderRole.LEAD)
    ProjectFactory(name="丙 其他", category="urban", nature="preliminary")

    assert rows(office_client.get("/projects/?category=industry")) == [a.name]
    assert rows(office_client.get("/projects/?nature=continuing")) == [b.name]
    assert rows(office_client.get("/projects/?level=city")) == [a.name]
    assert rows(office_client.get(f"/projects/?unit={unit.pk}")) == [b.name]
    assert rows(office_client.get(f"/projects/?leader={leader.pk}")) == [b.name]
    assert rows(office_client.get(f"/projects/?region={street.pk}")) == [b.name]
    assert rows(office_client.get(f"/projects/?park={park.pk}")) == [a.name]
    assert rows(office_client.get("/projects/?q=商贸")) == [b.name]
    assert len(rows(office_client.get("/projects/"))) == 3


def test_the_list_sorts_by_total_investment_both_ways(office_client):
    for name, total in [("小", 1), ("大", 3), ("中", 2)]:
        ProjectFactory(name=name, total_investment=total * 100_000_000)
    assert rows(office_client.get("/projects/?sort=-total")) == ["大", "中", "小"]
    assert rows(office_client.get("/projects/?sort=total")) == ["小", "中", "大"]


def test_the_list_pages_by_fifty_and_keeps_the_filters_in_the_page_links(office_client):
    for i in range(120):
        ProjectFactory(name=f"项目{i:03d}", category="industry")
    response = office_client.get("/projects/?category=industry&page=2")
    assert len(rows(response)) == 50
    assert "category=industry&amp;page=3" in response.content.decode()
    assert len(rows(office_client.get("/projects/?category=industry&page=3"))) == 20


def test_the_list_shows_money_in_wan_yuan_and_the_years_plan(office_client):
    ProjectFactory(name="计划项目", total_investment=312_000_000, plan=True)
    html = office_client.get("/projects/?year=2026").content.decode()
    assert "31,200.00" in html and "1,000.00" in html


def test_the_list_needs_the_same_number_of_queries_for_10_and_60_projects(office_client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert office_client.get("/projects/").status_code == 200
        return len(ctx)

    leader = PersonFactory(leadership_body="government")
    for _ in range(10):
        ProjectLeader.objects.create(project=ProjectFactory(plan=True), person=leader)
    small = count()
    for _ in range(50):
        ProjectLeader.objects.create(project=ProjectFactory(plan=True), person=leader)
    # the plans' sum (a join), every row's light and completion, and the header's 待办 counts (targets to review and
    # the lawful paths due among them): a query each
    assert count() == small <= 26


def test_the_detail_page_shows_the_plan_by_dekad_milestones_and_approvals(office_client):
    project = ProjectFactory(name="中山大厦", plan=[1_000_000] * 36)
    project.milestones.create(kind="start", planned_date=dt.date(2026, 3, 1), actual_date=dt.date(2026, 3, 9))
    project.approvals.create(
        kind="environment", status="done", document_no="环审〔2026〕1号", approved_on=dt.date(2026, 1, 2)
    )
    html = office_client.get(f"/projects/{project.pk}/?year=2026").content.decode()
    assert "中山大厦" in html and "2026-03-09" in html and "环审〔2026〕1号" in html
    assert "3,600.00" in html  # the year's total in 万元


def post_data(**overrides):
    unit = UnitFactory(name="住建局")
    data = {
        "name": "滨湖花园安置房",
        "category": "livelihood",
        "nature": "new",
        "level": "district",
        "funding": "government",
        "year": "2026",
        "region": str(region("320311").pk),
        "responsible_unit": str(unit.pk),
        "total_investment": "12000",
        "land_area_mu": "35.5",
        "land_status": "supplied",
        "expected_jobs": "0",
        "planned_start": "2026-04-01",
        "planned_completion": "2027-10-31",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-kind": "start",
        "milestones-0-planned_date": "2026-04-01",
        "approvals-TOTAL_FORMS": "0",
        "approvals-INITIAL_FORMS": "0",
        **{f"plan_{i}": "" for i in range(36)},
    }
    data.update({"plan_9": "300", "plan_10": "300", "plan_11": "400"})
    data.update(overrides)
    return data


def test_creating_a_project_through_the_form_stores_yuan_and_the_plan(office_client):
    response = office_client.post("/projects/new/", post_data())
    project = Project.objects.get(name="滨湖花园安置房")
    assert response.status_code == 302 and response.url == f"/projects/{project.pk}/"
    assert project.total_investment == 120_000_000
    assert AnnualPlan.objects.get(project=project).dekads[9:12] == [3_000_000, 3_000_000, 4_000_000]
    assert project.milestones.get().kind == "start"


def test_a_bad_form_shows_each_message_next_to_its_field_and_saves_nothing(office_client):
    response = office_client.post(
        "/projects/new/", post_data(name="", total_investment="abc", planned_completion="2025-01-01")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_errors"' in html
    assert 'id="id_total_investment_errors"' in html
    assert 'id="id_planned_completion_errors"' in html and "计划竣工日期不能早于计划开工日期" in html
    assert not Project.objects.exists()


def test_a_plan_above_the_total_investment_is_shown_on_the_total_field(office_client):
    html = office_client.post("/projects/new/", post_data(total_investment="100")).content.decode()
    assert 'id="id_total_investment_errors"' in html and "总投资不能小于年度计划投资" in html


def test_editing_keeps_what_was_not_changed_and_audits_the_change(office_client):
    project = ProjectFactory(name="中枢商业步行街", total_investment=200_000_000, plan=True)
    form = office_client.get(f"/projects/{project.pk}/edit/")
    assert form.status_code == 200
    initial = form.context["form"].initial
    data = post_data(
        name="中枢商业步行街（一期）",
        total_investment="20000",
        version=str(initial["version"]),
        responsible_unit=str(project.responsible_unit_id),
        year="2026",
        **{f"plan_{i}": str(initial[f"plan_{i}"] or "") for i in range(36)},
    )
    response = office_client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "中枢商业步行街（一期）" and project.version == 2
    assert project.plans.get().total == 10_000_000
    event = AuditEvent.objects.get(action="project.update")
    assert event.before["name"] == "中枢商业步行街" and event.after["name"] == "中枢商业步行街（一期）"


def test_saving_a_stale_form_tells_the_user_instead_of_overwriting(office_client):
    project = ProjectFactory(name="原名")
    data = post_data(name="我改的", version="1", responsible_unit=str(project.responsible_unit_id))
    Project.objects.filter(pk=project.pk).update(version=2, name="别人改的")
    response = office_client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 409 and "已被他人修改（当前版本 2）" in response.content.decode()
    assert 'value="我改的"' in response.content.decode()  # what was typed stays on the form
    project.refresh_from_db()
    assert project.name == "别人改的"


def test_a_reviewer_gets_no_create_button_and_cannot_open_the_create_page(make_user, client):
    client.force_login(make_user("unit_reviewer"))
    assert "新建项目" not in client.get("/projects/").content.decode()
    assert client.get("/projects/new/").status_code == 403


def test_pages_require_signing_in(client):
    response = client.get("/projects/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_english_is_available(office_client):
    ProjectFactory(name="X")
    office_client.post("/i18n/setlang/", {"language": "en", "next": "/projects/"})
    html = office_client.get("/projects/").content.decode()
    assert "Project registry" in html


def test_a_reader_sees_the_contact_phone_masked_and_an_editor_sees_it_whole(office_client, make_user, client):
    unit = UnitFactory(name="工信局")
    project = ProjectFactory(responsible_unit=unit, contact_person="刘工", contact_phone="13812345678")
    assert "13812345678" in office_client.get(f"/projects/{project.pk}/").content.decode()
    client.force_login(make_user("unit_reviewer", unit=unit))
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_the_list_shows_the_totals_of_the_filtered_projects(office_client):
    ProjectFactory(name="甲", category="industry", total_investment=200_000_000, plan=True)
    ProjectFactory(name="乙", category="industry", total_investment=150_000_000, plan=True)
    ProjectFactory(name="丙", category="commerce", total_investment=999_000_000)
    html = office_client.get("/projects/?category=industry&year=2026").content.decode()
    totals = html.split('id="list-totals"')[1].split("</p>")[0]
    assert "3.50亿元" in totals and "2,000.00万元" in totals


def test_the_office_deletes_a_project_from_its_page_and_a_reporter_cannot(office_client, make_user):
    from django.test import Client

    unit = UnitFactory(name="工信局")
    project = ProjectFactory(name="待删项目", responsible_unit=unit)
    reporter = Client()
    reporter.force_login(make_user("unit_reporter", unit=unit))
    assert "待删项目" in reporter.get(f"/projects/{project.pk}/").content.decode()
    assert reporter.post(f"/projects/{project.pk}/delete/", {"version": "1"}).status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()
    assert office_client.post(f"/projects/{project.pk}/delete/", {"version": "1"}).status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


def test_deleting_from_a_page_read_before_someone_changed_the_project_is_refused(office_client):
    project = ProjectFactory(name="待删项目")
    assert 'name="version" value="1"' in office_client.get(f"/projects/{project.pk}/").content.decode()
    Project.objects.filter(pk=project.pk).update(version=2, name="别人刚改过")
    response = office_client.post(f"/projects/{project.pk}/delete/", {"version": "1"})
    assert response.status_code == 409
    assert "该项目已被他人处理（当前版本 2），请刷新后再操作。" in response.content.decode()
    assert Project.objects.get(pk=project.pk).name == "别人刚改过"


def _filed(project, dekads: int) -> None:
    """``dekads`` approved reports of 2026 (1,000,000 yuan each) and a light for each period, red in the last."""
    for n, period in enumerate(Period.range(Period(2026, 1, 1), Period(2026, 12, 3))):
        if n == dekads:
            break
        opens = timezone.make_aware(dt.datetime.combine(period.start, dt.time(8)))
        reporting, _created = ReportingPeriod.objects.get_or_create(
            code=period.code, defaults={"kind": "dekad", "opens_at": opens, "deadline": opens}
        )
        Report.objects.create(
            project=project,
            period=reporting,
            state="approved",
            amount=1_000_000,
            year_to_date=1_000_000 * (n + 1),
            since_start=1_000_000 * (n + 1),
        )
        Light.objects.create(
            project=project,
            period_code=period.code,
            colour=2 if n == dekads - 1 else 0,
            reasons=["投资完成率低于序时进度"] if n == dekads - 1 else [],
            rule_version=1,
            computed_at=timezone.now(),
            as_of=period.end,
        )


def test_the_list_shows_each_projects_light_and_this_years_completion(office_client):
    project = ProjectFactory(name="亮灯项目", plan=[1_000_000] * 36)  # 36,000,000 this year
    ProjectFactory(name="未报项目", plan=[1_000_000] * 36)
    _filed(project, 9)

    html = office_client.get("/projects/?year=2026").content.decode()
    row = html.split("亮灯项目")[1].split("</tr>")[0]
    assert '<span class="light light-2"></span>红灯' in row and "25.0%" in row  # 9,000,000 of 36,000,000
    other = html.split("未报项目")[1].split("</tr>")[0]
    assert "未亮灯" in other and "0.0%" in other


def test_the_project_page_shows_completion_by_month_reports_and_lights_in_the_same_queries(office_client):
    def count(project):
        with CaptureQueriesContext(connection) as ctx:
            response = office_client.get(f"/projects/{project.pk}/?year=2026")
        return len(ctx), response.content.decode()

    few, many = ProjectFactory(plan=[1_000_000] * 36), ProjectFactory(plan=[1_000_000] * 36)
    _filed(few, 2)
    _filed(many, 30)
    (small, _html), (large, html) = count(few), count(many)
    assert small == large
    plan = html.split('id="plan-and-done"')[1].split("</section>")[0]
    march = plan.split("3月</td>")[1].split("</tr>")[0]
    assert "300.00" in march and "25.0%" in march  # three dekads done in March; 9 of 36 by its end
    assert "2026年10月下旬" in html.split('id="latest-reports"')[1]
    history = html.split('id="light-history"')[1].split("</section>")[0]
    assert history.count("<tr>") == 31 and "投资完成率低于序时进度" in history


def test_a_browser_set_to_english_still_reads_chinese_until_the_user_chooses_english(office_client):
    ProjectFactory(name="X")
    html = office_client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "项目库" in html and "Project registry" not in html

    office_client.post("/i18n/setlang/", {"language": "en", "next": "/projects/"})
    response = office_client.get("/projects/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Project registry" in response.content.decode() and response["Content-Language"] == "en"
