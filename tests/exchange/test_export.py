"""Exporting projects to .xlsx, and the round trip: what the export writes imports back unchanged."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.core.models import AuditEvent
from gongjian.exchange.exports import write_template
from gongjian.exchange.services import export_projects, import_projects
from gongjian.projects.models import AnnualPlan, Approval, Milestone, Project
from tests.exchange.conftest import project_row, read_sheet, workbook
from tests.factories import PersonFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def export(queryset=None, year=2026) -> bytes:
    buffer = io.BytesIO()
    export_projects(queryset if queryset is not None else Project.objects.all(), year, buffer)
    return buffer.getvalue()


@pytest.fixture
def registry(district, office_user):
    """Two projects as the project page leaves them: uneven dekads, milestones, approvals, a shared name."""
    PersonFactory(name="张伟", post="局长", unit=district.industry)
    PersonFactory(name="张伟", post="科员", unit=district.commerce)
    result = import_projects(
        workbook(
            [
                project_row(
                    项目编号="2026-0001",
                    指挥长="张伟（区商务局）",
                    全国投资项目代码="2026-320311-04-01-123456",
                    联系电话="05168888888",
                    **{"用地面积（亩）": 12.35, "利用外资（万美元）": 120.5},
                ),
                project_row(
                    项目编号="2026-0002",
                    项目名称="商贸物流中心",
                    项目类别="商贸流通",
                    所属园区="",
                    指挥部="",
                    指挥长="",
                    包挂领导="李娜",
                    实际开工="2026-03-05",
                    **{"3月计划（万元）": None, "4月计划（万元）": None},
                ),
            ],
            sheets={
                "形象进度节点": [
                    {
                        "项目编号": "2026-0001",
                        "节点类型": "开工",
                        "计划完成": "2026-03-01",
                        "实际完成": "2026-03-03",
                    },
                    {
                        "项目编号": "2026-0001",
                        "节点类型": "竣工",
                        "计划完成": "2027-12-31",
                        "备注": "力争提前",
                    },
                ],
                "前期手续": [
                    {
                        "项目编号": "2026-0001",
                        "手续类型": "环评",
                        "办理状态": "已办结",
                        "办结日期": "2026-01-10",
                        "批复文号": "徐环审〔2026〕3号",
                        "审批部门": "市生态环境局",
                    }
                ],
            },
        ),
        filename="seed.xlsx",
        actor=office_user,
    )
    assert result.ok, result.errors
    plan = AnnualPlan.objects.get(project__code="2026-0001")
    plan.dekads[6:9] = [10_000_000, 0, 0]  # entered by dekad on the project page
    plan.save()
    return Project.objects.order_by("code")


def test_an_exported_file_imports_back_without_changing_or_duplicating_anything(registry, office_user):
    data = export()
    before = {p.code: p.version for p in registry}
    events = AuditEvent.objects.count()

    result = import_projects(io.BytesIO(data), filename="导出.xlsx", actor=office_user)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert {p.code: p.version for p in Project.objects.all()} == before
    assert AnnualPlan.objects.get(project__code="2026-0001").dekads[6:9] == [10_000_000, 0, 0]
    assert (Milestone.objects.count(), Approval.objects.count()) == (2, 1)
    assert AuditEvent.objects.count() == events + 1  # the import's summary only
    assert not result.warnings


def test_the_export_writes_codes_as_text_money_in_wan_yuan_and_dates_as_dates(registry):
    book = openpyxl.load_workbook(io.BytesIO(export()))

    assert book.sheetnames == ["项目", "形象进度节点", "前期手续", "说明"]
    sheet = book["项目"]
    headers = [c.value for c in sheet[1]]
    first = dict(zip(headers, [c for c in sheet[2]], strict=True))
    assert first["项目编号"].value == "2026-0001" and first["联系电话"].value == "05168888888"
    assert first["总投资（万元）"].value == 50000 and first["总投资（万元）"].number_format == "#,##0.00"
    assert first["3月计划（万元）"].value == 1000 and first["年度计划合计（万元）"].value == 3000.5
    assert first["计划开工"].value == dt.datetime(2026, 3, 1)
    assert first["指挥长"].value == "张伟（区商务局）" and first["包挂领导"].value == "王强、李娜"
    assert first["用地面积（亩）"].value == 12.35 and first["利用外资（万美元）"].value == 120.5
    assert sheet.freeze_panes == "A2"
    milestones = read_sheet(export(), "形象进度节点")
    assert [(m["项目编号"], m["节点类型"], m["备注"]) for m in milestones] == [
        ("2026-0001", "开工", None),
        ("2026-0001", "竣工", "力争提前"),
    ]


def test_the_export_writes_only_the_projects_of_the_queryset(registry):
    rows = read_sheet(export(Project.objects.filter(category="commerce")))

    assert [r["项目名称"] for r in rows] == ["商贸物流中心"]
    assert AuditEvent.objects.filter(action="project.export").last().after["rows"] == 1


def test_a_plan_of_another_year_is_exported_under_its_year_and_imports_back_to_it(district, office_user):
    project = ProjectFactory(
        code="2025-0001", year=2025, responsible_unit=district.industry, plan=[100_000] * 36
    )
    AnnualPlan.objects.filter(project=project).update(year=2026)

    result = import_projects(io.BytesIO(export(year=2026)), filename="x.xlsx", actor=office_user)

    assert result.unchanged == 1
    assert list(project.plans.values_list("year", "total")) == [(2026, 3_600_000)]


def test_the_template_explains_every_column_and_imports_nothing_as_it_is(district, office_user):
    buffer = io.BytesIO()
    write_template(buffer)

    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["项目", "形象进度节点", "前期手续", "填表说明"]
    assert book["项目"].max_row == 1
    validations = {
        str(v.sqref).split(":")[0]: v.formula1 for v in book["项目"].data_validations.dataValidation
    }
    assert '"工业,商贸流通,城建,民生,基础设施,社会事业,农业农村,现代服务业,其他"' in validations.values()
    notes = [row for row in book["填表说明"].iter_rows(values_only=True)]
    assert any(row[1] == "总投资（万元）" and row[2] == "是" for row in notes)
    assert any(row[0] and str(row[0]).startswith("示例") for row in notes)

    result = import_projects(io.BytesIO(buffer.getvalue()), filename="模板.xlsx", actor=office_user)
    assert (result.ok, result.created, Project.objects.count()) == (True, 0, 0)


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_exporting_and_importing_run_as_many_queries_for_twenty_projects_as_for_two(district, office_user):
    def rows(n):
        return [project_row(项目编号=f"Q{n}-{i}", 项目名称=f"项目{n}-{i}") for i in range(n)]

    def child_sheets(n):
        return {
            "形象进度节点": [
                {"项目编号": f"Q{n}-{i}", "节点类型": "开工", "计划完成": "2026-03-01"} for i in range(n)
            ]
        }

    import_projects(workbook(rows(1)), filename="q.xlsx", actor=office_user)  # loads the user's permissions
    imports = [
        _queries(
            lambda n=n: import_projects(
                workbook(rows(n), sheets=child_sheets(n)), filename="q.xlsx", actor=office_user
            )
        )
        for n in (2, 20)
    ]
    exports = [
        _queries(lambda n=n: export(Project.objects.filter(code__startswith=f"Q{n}-"))) for n in (2, 20)
    ]

    assert imports[0] == imports[1] and exports[0] == exports[1]
