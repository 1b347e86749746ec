"""The pipeline's pages with the test client: the reserve list filtered and in scope, the form refusing bad input
and keeping what was typed, the plan page selecting from the reserve and issuing, the campaigns, the Excel export
and the import with its row errors; and the project list's 四个一批 filter."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.pipeline import importing, services
from gongjian.pipeline.models import AnnualPlan, Campaign, ReserveProject
from gongjian.projects.choices import Batch
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_reserve_list_filters_and_keeps_to_the_units_scope(
    client, industry_user, housing_user, propose, district
):
    propose(actor=industry_user)
    propose(actor=industry_user, name="概念阶段项目", readiness="concept", batch="")
    propose(actor=housing_user, name="保障房", responsible_unit=district["housing"], park=None)
    client.force_login(industry_user)

    page = client.get("/pipeline/").content.decode()
    assert "新能源电池材料项目" in page and "概念阶段项目" in page and "保障房" not in page
    page = client.get("/pipeline/?batch=attract").content.decode()
    assert "新能源电池材料项目" in page and "概念阶段项目" not in page
    assert "招引一批" in page and "attract</td>" not in page
    assert client.get("/pipeline/?start_year=abc").status_code == 200  # shown as a filter error, not a 500


def test_the_form_refuses_bad_input_and_keeps_what_was_typed(client, industry_user, district):
    client.force_login(industry_user)
    data = {
        "name": "新材料产业园",
        "category": "industry",
        "nature": "new",
        "level": "district",
        "region": district["region"].pk,
        "responsible_unit": district["industry"].pk,
        "total_investment": "50000",
        "start_year": "2027",
        "planned_start": "2027-06-01",
        "planned_completion": "2027-01-01",
        "readiness": "concept",
    }
    response = client.post("/pipeline/new/", data)
    assert response.status_code == 422
    assert "计划" in response.content.decode() or "竣工" in response.content.decode()
    assert 'value="新材料产业园"' in response.content.decode()
    assert not ReserveProject.objects.exists()

    response = client.post("/pipeline/new/", data | {"planned_completion": "2028-06-30"})
    assert response.status_code == 302
    reserve = ReserveProject.objects.get()
    assert reserve.total_investment == 500_000_000  # 50,000 万元
    detail = client.get(response.url).content.decode()
    assert "新材料产业园" in detail and "5.00亿元" in detail


def test_a_stale_form_is_refused_with_409(client, industry_user, propose, district):
    reserve = propose(actor=industry_user)
    services.update_reserve(reserve, {"name": "新名"}, actor=industry_user, expected_version=1)
    client.force_login(industry_user)
    response = client.post(
        f"/pipeline/{reserve.pk}/edit/",
        {
            "version": "1",
            "name": "旧页面上的名字",
            "category": "industry",
            "nature": "new",
            "level": "district",
            "region": district["region"].pk,
            "responsible_unit": district["industry"].pk,
            "total_investment": "60000",
            "start_year": "2027",
            "readiness": "concept",
        },
    )
    assert response.status_code == 409
    assert ReserveProject.objects.get(pk=reserve.pk).name == "新名"


def test_the_office_selects_from_the_reserve_and_issues_the_plan(client, office_user, propose):
    reserve = propose(actor=office_user)
    client.force_login(office_user)
    response = client.post("/pipeline/plans/", {"year": "2027"})
    plan = AnnualPlan.objects.get()
    assert response.status_code == 302
    page = client.get(f"/pipeline/plans/{plan.pk}/").content.decode()
    assert 'name="reserve"' in page and "新能源电池材料项目" in page

    client.post(f"/pipeline/plans/{plan.pk}/", {"action": "add", "reserve": [reserve.pk], "version": "1"})
    page = client.get(f"/pipeline/plans/{plan.pk}/").content.decode()
    assert "共 1 个项目" in page and "工业" in page
    stale = client.post(f"/pipeline/plans/{plan.pk}/", {"action": "issue", "version": "1"})
    assert stale.status_code == 409
    response = client.post(f"/pipeline/plans/{plan.pk}/", {"action": "issue", "version": "2"})
    assert response.status_code == 302 and "/system/jobs/" in response.url
    plan.refresh_from_db()
    assert plan.state == "issued"
    docx = client.get(f"/pipeline/plans/{plan.pk}/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_a_unit_cannot_post_to_the_plan(client, industry_user, office_user):
    plan = services.create_plan(2027, actor=office_user)
    client.force_login(industry_user)
    assert client.post(f"/pipeline/plans/{plan.pk}/", {"action": "issue", "version": "1"}).status_code == 403


def test_campaign_pages_total_their_items(client, office_user):
    project = ProjectFactory(name="智能装备产业园")
    client.force_login(office_user)
    response = client.post(
        "/pipeline/campaigns/new/",
        {
            "kind": "start",
            "name": "春季集中开工",
            "held_on": "2026-03-20",
            "items-TOTAL_FORMS": "3",
            "items-INITIAL_FORMS": "0",
            "items-0-project": project.pk,
            "items-0-amount": "12000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get()
    page = client.get(f"/pipeline/campaigns/{campaign.pk}/").content.decode()
    assert "智能装备产业园" in page and "1.20亿元" in page
    listing = client.get("/pipeline/campaigns/").content.decode()
    assert "春季集中开工" in listing and "12,000.00" in listing


def _workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2027年储备项目申报表"])
    sheet.append(
        ["项目名称", "项目类别", "所在区划代码", "责任单位", "预计总投资（万元）", "预计开工年度", "四个一批"]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_import_reports_each_bad_row_and_saves_nothing(client, industry_user, district):
    client.force_login(industry_user)
    content = _workbook(
        [
            ["新材料项目", "工业", "320311", "工信局", "8000", "2027", "招引一批"],
            ["", "工业", "320311", "工信局", "abc", "2027", ""],
            ["物流园", "不知道", "999999", "工信局", "100", "1990", "x"],
        ]
    )
    response = client.post("/pipeline/import/", {"file": SimpleUploadedFile("储备.xlsx", content)})
    assert response.status_code == 422
    page = response.content.decode()
    for where in ("项目名称", "预计总投资（万元）", "项目类别", "预计开工年度", "四个一批"):
        assert where in page
    result = importing.import_reserve(io.BytesIO(content), actor=industry_user)
    assert {(e.row, e.column) for e in result.errors} >= {
        (4, "项目名称"),
        (4, "预计总投资（万元）"),
        (5, "项目类别"),
        (5, "预计开工年度"),
        (5, "四个一批"),
    }
    assert not ReserveProject.objects.exists()

    good = _workbook([["新材料项目", "工业", "320311", "工信局", "8000", "2027", "招引一批"]])
    response = client.post("/pipeline/import/", {"file": SimpleUploadedFile("储备.xlsx", good)})
    assert response.status_code == 302
    reserve = ReserveProject.objects.get()
    assert (reserve.total_investment, reserve.batch) == (80_000_000, Batch.ATTRACT)


def test_another_units_row_is_refused(industry_user, district):
    content = _workbook([["保障房", "城建", "320311", "住建局", "100", "2027", ""]])
    result = importing.import_reserve(io.BytesIO(content), actor=industry_user)
    assert [(e.row, e.column) for e in result.errors] == [(3, "责任单位")]


def test_the_export_opens_with_the_reserve_in_wan(client, office_user, propose):
    propose(actor=office_user)
    client.force_login(office_user)
    response = client.get("/pipeline/export/?batch=attract")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "项目名称" and rows[1][0] == "新能源电池材料项目"
    assert rows[1][rows[0].index("预计总投资（万元）")] == 60000
    assert rows[1][rows[0].index("四个一批")] == "招引一批"


def test_the_project_list_filters_by_the_four_batches_tag(client, office_user):
    ProjectFactory(name="招来的项目", batch=Batch.ATTRACT)
    ProjectFactory(name="上市的项目", batch=Batch.LISTING)
    client.force_login(office_user)
    page = client.get("/projects/?batch=attract&year=2026").content.decode()
    assert "招来的项目" in page and "上市的项目" not in page
    detail_project = ProjectFactory(name="详情", batch=Batch.CLUSTER)
    assert "成群一批" in client.get(f"/projects/{detail_project.pk}/").content.decode()


def test_the_cockpit_shows_the_reserve_by_readiness(client, office_user, propose):
    propose(actor=office_user, readiness="feasibility")
    services.create_campaign(
        {"kind": "signing", "name": "集中签约", "held_on": dt.date(2026, 3, 1)},
        [{"project": ProjectFactory(), "amount": 10_000_000}],
        actor=office_user,
    )
    client.force_login(office_user)
    page = client.get("/cockpit/").content.decode()
    assert 'id="panel-pipeline"' in page
    assert "/pipeline/?readiness=feasibility" in page and "集中签约" in page


def test_the_list_pages_read_a_fixed_number_of_queries(client, office_user, propose, district):
    """One more reserve project or plan item must not cost one more query (no N+1 on the lists)."""
    client.force_login(office_user)
    plan = services.create_plan(2027, actor=office_user)

    def counts():
        plan.refresh_from_db()
        with CaptureQueriesContext(connection) as reserve_list:
            client.get("/pipeline/")
        with CaptureQueriesContext(connection) as plan_page:
            client.get(f"/pipeline/plans/{plan.pk}/")
        return len(reserve_list), len(plan_page)

    def grow(n):
        made = [propose(actor=office_user, name=f"项目{n}-{i}") for i in range(3)]
        plan.refresh_from_db()
        services.add_plan_items(plan, made[:2], actor=office_user, expected_version=plan.version)

    grow(1)
    before = counts()
    grow(2)
    assert counts() == before
