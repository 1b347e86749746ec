"""`gongjian import projects FILE` and `gongjian export projects FILE`, through call_command."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from gongjian.core.models import AuditEvent
from gongjian.projects.models import Project
from tests.exchange.conftest import project_row, read_sheet, workbook
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def saved(tmp_path, rows, name="projects.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook(rows).getvalue())
    return path


def test_the_import_command_prints_the_counts_and_is_recorded_as_the_system(tmp_path, district):
    out = io.StringIO()

    call_command("import_data", "projects", str(saved(tmp_path, [project_row()])), stdout=out)

    assert "导入完成：新建 1 个项目，更新 0 个，未变 0 个。" in out.getvalue()
    assert AuditEvent.objects.get(action="project.import").actor_name == "system"


def test_the_import_command_lists_every_error_writes_a_report_and_fails(tmp_path, district):
    report, err = tmp_path / "errors.xlsx", io.StringIO()
    path = saved(
        tmp_path,
        [project_row(**{"总投资（万元）": "abc"}), project_row(项目名称="乙", 所在区划代码="999999")],
    )

    with pytest.raises(CommandError, match="导入失败：共 2 处错误，未保存任何数据"):
        call_command("import_data", "projects", str(path), "--error-report", str(report), stderr=err)

    assert "项目\t2\t总投资（万元）\tabc\t不是有效的金额：abc" in err.getvalue()
    assert "项目\t3\t所在区划代码\t999999\t区划代码不存在：999999" in err.getvalue()
    assert openpyxl.load_workbook(report)["错误清单"].max_row == 3
    assert Project.objects.count() == 0


def test_the_import_command_acts_as_an_account_and_can_only_check(tmp_path, district, office_user, make_user):
    out = io.StringIO()
    call_command(
        "import_data",
        "projects",
        str(saved(tmp_path, [project_row()])),
        "--as",
        "office",
        "--dry-run",
        stdout=out,
    )
    assert "检查通过（未保存）：新建 1 个项目" in out.getvalue() and Project.objects.count() == 0

    make_user("unit_reporter", username="reporter", unit=district.commerce)
    with pytest.raises(CommandError, match="无权导入项目"):
        call_command("import_data", "projects", str(saved(tmp_path, [project_row()])), "--as", "reporter")


def test_the_export_command_applies_the_filters_of_the_list(tmp_path, district):
    ProjectFactory(code="C-1", category="industry", responsible_unit=district.industry)
    ProjectFactory(code="C-2", category="industry", responsible_unit=district.commerce)
    ProjectFactory(code="C-3", category="commerce", responsible_unit=district.industry)
    path, out = tmp_path / "out.xlsx", io.StringIO()

    call_command(
        "export_data",
        "projects",
        str(path),
        "--year",
        "2026",
        "--category",
        "工业",
        "--unit",
        "区工业和信息化局",
        stdout=out,
    )

    assert "已导出 1 个项目" in out.getvalue()
    assert [r["项目编号"] for r in read_sheet(path.read_bytes())] == ["C-1"]


def test_the_export_command_refuses_an_unknown_unit(tmp_path, district):
    with pytest.raises(CommandError, match="--unit：找不到或不唯一：无此局"):
        call_command("export_data", "projects", str(tmp_path / "out.xlsx"), "--unit", "无此局")
