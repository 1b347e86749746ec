"""Importing projects: every row is checked, all are saved or none, and a second import updates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongjian.core.models import AuditEvent
from gongjian.exchange.importing import ImportResult, ProjectImport
from gongjian.exchange.reading import read_workbook
from gongjian.exchange.services import import_projects
from gongjian.org.choices import UnitKind
from gongjian.org.models import Unit
from gongjian.projects.models import AnnualPlan, Approval, Milestone, Project
from tests.exchange.conftest import csv_bytes, project_row, workbook
from tests.factories import PersonFactory, ProjectFactory, credit_code

pytestmark = pytest.mark.django_db


def run(rows, actor, *, sheets=None, **options):
    return import_projects(workbook(rows, sheets=sheets), filename="项目.xlsx", actor=actor, **options)


def problems(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_a_new_project_is_created_with_its_plan_leaders_and_references(district, office_user):
    result = run([project_row()], office_user)

    assert (result.ok, result.created) == (True, 1)
    project = Project.objects.get()
    assert project.code == "2026-0001"
    assert (project.region, project.park, project.owner) == (district.county, district.park, district.company)
    assert (project.headquarters, project.commander) == (district.headquarters, district.leader)
    assert project.total_investment == 500_000_000
    assert (project.planned_start, project.planned_completion) == (dt.date(2026, 3, 1), dt.date(2027, 12, 31))
    plan = AnnualPlan.objects.get(project=project, year=2026)
    assert plan.months[2:4] == [10_000_000, 20_005_000] and plan.total == 30_005_000
    assert plan.dekads[6:9] == [3_333_333, 3_333_333, 3_333_334]
    assert [(link.person, link.role) for link in project.leader_links.order_by("-role")] == [
        (district.leader, "lead"),
        (district.deputy, "deputy"),
    ]
    event = AuditEvent.objects.get(action="project.import_create")
    assert event.actor == office_user and event.after["name"] == "智能装备产业园"
    summary = AuditEvent.objects.get(action="project.import")
    assert summary.after == {
        "file": "项目.xlsx",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "units_created": [],
    }


def test_importing_the_same_rows_again_changes_nothing_and_duplicates_nothing(district, office_user):
    run([project_row(), project_row(项目名称="物流园")], office_user)
    versions = list(Project.objects.values_list("version", flat=True))

    result = run([project_row(), project_row(项目名称="物流园")], office_user)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(Project.objects.values_list("version", flat=True)) == versions
    assert AuditEvent.objects.filter(action="project.import_update").count() == 0


def test_a_reimport_updates_the_changed_values_bumps_the_version_and_audits_only_the_changes(
    district, office_user
):
    run([project_row(项目编号="GJ-001")], office_user)

    result = run(
        [
            project_row(
                项目编号="GJ-001",
                项目名称="智能装备产业园（一期）",
                **{"总投资（万元）": 60000, "3月计划（万元）": 1500},
            )
        ],
        office_user,
    )

    assert (result.created, result.updated) == (0, 1)
    project = Project.objects.get(code="GJ-001")
    assert (project.name, project.total_investment, project.version) == (
        "智能装备产业园（一期）",
        600_000_000,
        2,
    )
    assert project.plans.get().months[2] == 15_000_000
    event = AuditEvent.objects.get(action="project.import_update")
    assert set(event.after) == {"name", "total_investment", "plans", "version"}
    assert event.before["version"] == 1 and event.after["version"] == 2


def test_an_update_writes_dates_references_leaders_and_choices(district, office_user):
    run([project_row(项目编号="GJ-001")], office_user)

    run(
        [
            project_row(
                项目编号="GJ-001",
                计划竣工="2028年6月30日",
                所属园区="",
                指挥长="李娜",
                包挂领导="李娜",
                建设性质="续建",
                **{"用地面积（亩）": "88.5"},
            )
        ],
        office_user,
    )

    project = Project.objects.get(code="GJ-001")
    assert (project.planned_completion, project.park, project.commander) == (
        dt.date(2028, 6, 30),
        None,
        district.deputy,
    )
    assert (project.nature, str(project.land_area_mu)) == ("continuing", "88.50")
    assert [(link.person, link.role) for link in project.leader_links.all()] == [(district.deputy, "lead")]


def test_a_project_saved_by_someone_else_between_the_check_and_the_save_is_not_overwritten(
    district, office_user
):
    run([project_row(项目编号="GJ-001")], office_user)
    job = ProjectImport(
        read_workbook(workbook([project_row(项目编号="GJ-001", 项目名称="新名称")]), "a.xlsx"),
        actor=office_user,
        result=(result := ImportResult("a.xlsx")),
    )
    job.check()
    Project.objects.filter(code="GJ-001").update(version=5)

    job.save()

    assert problems(result) == [(2, "项目编号", "该项目在导入过程中被他人修改，请重新导入")]
    assert Project.objects.get(code="GJ-001").name == "智能装备产业园"


def test_a_row_without_a_code_updates_the_project_of_the_same_name_in_that_year(district, office_user):
    existing = ProjectFactory(name="智能装备产业园", year=2026, responsible_unit=district.commerce)
    ProjectFactory(name="智能装备产业园", year=2025, responsible_unit=district.commerce)

    result = run([project_row()], office_user)

    assert (result.created, result.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.responsible_unit == district.industry


def test_new_projects_are_numbered_after_the_registry_and_the_codes_in_the_file(district, office_user):
    ProjectFactory(code="2026-0007", year=2026)

    run(
        [
            project_row(项目名称="甲"),
            project_row(项目编号="2026-0008", 项目名称="乙"),
            project_row(项目名称="丙"),
        ],
        office_user,
    )

    assert dict(Project.objects.filter(name__in="甲乙丙").values_list("name", "code")) == {
        "甲": "2026-0009",
        "乙": "2026-0008",
        "丙": "2026-0010",
    }


def test_a_file_with_errors_in_several_rows_saves_nothing_and_reports_each_by_row_column_and_reason(
    district, office_user
):
    rows = [
        project_row(项目名称="好项目"),
        project_row(项目名称="坏金额", **{"总投资（万元）": "abc"}),
        project_row(项目名称="坏单位", 责任单位="不存在局", 计划开工="明年"),
        project_row(项目名称="倒挂", 计划开工="2027-01-01", 计划竣工="2026-01-01"),
        project_row(项目名称="超计划", **{"总投资（万元）": 100}),
        project_row(项目名称="", 项目类别="重工业"),
    ]

    result = run(rows, office_user)

    assert not result.ok and Project.objects.count() == 0
    assert list(AuditEvent.objects.values_list("action", "success")) == [("project.import", False)]
    assert problems(result) == [
        (3, "总投资（万元）", "不是有效的金额：abc"),
        (4, "责任单位", "单位不存在：不存在局"),
        (4, "计划开工", "不是有效的日期：明年（请填写如 2026-03-01）"),
        (5, "计划竣工", "计划竣工日期不能早于计划开工日期。"),
        (6, "总投资（万元）", "2026 年计划投资 3,000.50 万元超过总投资 100.00 万元"),
        (7, "项目名称", "不能为空"),
        (
            7,
            "项目类别",
            "「重工业」不是有效的选项，可选：工业、商贸流通、城建、民生、基础设施、社会事业、农业农村、现代服务业、其他",
        ),
    ]
    assert str(result.errors[0]) == "第 3 行「总投资（万元）」：不是有效的金额：abc"
    assert [number for number, _ in result.rejected[0].rows] == [3, 4, 5, 6, 7]


def test_duplicate_codes_and_names_in_the_file_are_errors(district, office_user):
    result = run(
        [
            project_row(项目编号="A1", 项目名称="甲"),
            project_row(项目编号="A1", 项目名称="乙"),
            project_row(项目编号="A2", 项目名称="甲"),
        ],
        office_user,
    )

    assert problems(result) == [
        (3, "项目编号", "与第 2 行的项目编号重复"),
        (4, "项目名称", "与第 2 行的项目名称重复（同一入库年度）"),
    ]


def test_an_invalid_national_project_code_is_rejected_by_the_model_rule(district, office_user):
    result = run([project_row(全国投资项目代码="2026-999999-04-01-12345")], office_user)

    assert [(e.row, e.column) for e in result.errors] == [(2, "全国投资项目代码")]
    assert "项目代码格式" in result.errors[0].message


def test_a_missing_required_column_is_one_clear_error_and_unknown_columns_are_warnings(district, office_user):
    row = project_row(备注栏="随便写")
    del row["责任单位"], row["项目级别"]

    result = run([row, row], office_user)

    assert [str(e) for e in result.errors] == [
        "第 1 行：缺少必填列：项目级别、责任单位（请使用系统提供的模板）"
    ]
    assert result.warnings == ["「项目」表的列「备注栏」无法识别，已忽略。"]


def test_an_ambiguous_commander_names_the_candidates_and_a_qualified_name_resolves_it(district, office_user):
    PersonFactory(name="张伟", post="局长", unit=district.industry)
    PersonFactory(name="张伟", post="科员", unit=district.commerce)

    failed = run([project_row(指挥长="张伟")], office_user)
    done = run([project_row(指挥长="张伟（区商务局）")], office_user)

    assert problems(failed) == [
        (
            2,
            "指挥长",
            "「张伟」对应多人：张伟（区工业和信息化局，局长）、张伟（区商务局，科员）；"
            "请写成“姓名（单位名称）”以区分",
        )
    ]
    assert done.ok and Project.objects.get().commander.post == "科员"


def test_an_unknown_owner_with_a_valid_credit_code_is_registered_as_an_enterprise_and_audited(
    district, office_user
):
    code = credit_code(77)

    result = run([project_row(业主单位="徐州新锐材料有限公司", 业主统一社会信用代码=code)], office_user)

    assert result.ok and result.created_units == ["徐州新锐材料有限公司"]
    unit = Unit.objects.get(name="徐州新锐材料有限公司")
    assert (unit.kind, unit.credit_code) == (UnitKind.ENTERPRISE, code)
    assert Project.objects.get().owner == unit
    assert AuditEvent.objects.filter(action="unit.create", object_id=str(unit.pk), actor=office_user).exists()


def test_an_unknown_owner_with_an_invalid_or_without_a_credit_code_is_an_error(district, office_user):
    result = run(
        [
            project_row(业主单位="新企业甲", 业主统一社会信用代码="91320311MA1WK3L250"),
            project_row(项目名称="乙", 业主单位="新企业乙"),
        ],
        office_user,
    )

    assert [(e.row, e.column) for e in result.errors] == [(2, "业主统一社会信用代码"), (3, "业主单位")]
    assert "校验位错误" in result.errors[0].message
    assert result.errors[1].message.startswith(
        "单位不存在：新企业乙（如为新企业，请同时填写业主统一社会信用代码"
    )
    assert not Unit.objects.filter(name__startswith="新企业").exists()


def test_a_unit_reporter_cannot_update_another_units_project_by_import(district, make_user):
    reporter = make_user("unit_reporter", unit=district.commerce)
    reporter.user_permissions.add(*_permission("import_projects"))
    other = ProjectFactory(code="GJ-9", responsible_unit=district.industry)

    result = run([project_row(项目编号="GJ-9", 责任单位="区商务局")], reporter)

    assert problems(result) == [(2, "项目编号", "无权修改该项目")]
    other.refresh_from_db()
    assert other.responsible_unit == district.industry


def test_importing_needs_the_import_permission(district, make_user):
    with pytest.raises(PermissionDenied):
        run([project_row()], make_user("unit_reporter", unit=district.commerce))


def test_a_dry_run_checks_and_counts_but_saves_nothing(district, office_user):
    result = run([project_row()], office_user, dry_run=True)

    assert (result.ok, result.dry_run, result.created) == (True, True, 1)
    assert Project.objects.count() == 0 and AuditEvent.objects.count() == 0


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig"])
def test_a_csv_with_chinese_headers_imports_in_gbk_or_utf8(district, office_user, encoding):
    rows = [
        project_row(项目名称="商贸物流中心", 项目类别="商贸流通", 包挂领导="王强"),
        project_row(项目名称="标准厂房"),
    ]

    result = import_projects(csv_bytes(rows, encoding), filename="projects.csv", actor=office_user)

    assert (result.ok, result.created) == (True, 2)
    assert Project.objects.get(name="商贸物流中心").category == "commerce"


def test_the_milestone_and_approval_sheets_replace_the_listed_projects_lists_and_leave_others(
    district, office_user
):
    listed = ProjectFactory(code="GJ-1", responsible_unit=district.industry)
    untouched = ProjectFactory(code="GJ-2", responsible_unit=district.industry)
    for project in (listed, untouched):
        Milestone.objects.create(project=project, kind="start", planned_date=dt.date(2026, 3, 1))
    milestones = [
        {"项目编号": "GJ-1", "节点类型": "开工", "计划完成": "2026-04-01", "实际完成": "2026-04-03"},
        {"项目编号": "GJ-1", "节点类型": "主体封顶", "节点名称": "厂房封顶", "计划完成": "2026-09-30"},
        {"项目编号": "NEW-1", "节点类型": "开工", "计划完成": "2026-05-01"},
    ]
    approvals = [
        {
            "项目编号": "NEW-1",
            "手续类型": "立项/备案",
            "办理状态": "已办结",
            "办结日期": "2026-01-15",
            "批复文号": "泉发改备〔2026〕12号",
        }
    ]

    result = run(
        [project_row(项目编号="NEW-1")],
        office_user,
        sheets={"形象进度节点": milestones, "前期手续": approvals},
    )

    assert (result.ok, result.created, result.updated) == (True, 1, 1)
    assert [(m.kind, m.name, m.actual_date, m.sequence) for m in listed.milestones.all()] == [
        ("start", "", dt.date(2026, 4, 3), 0),
        ("topping_out", "厂房封顶", None, 1),
    ]
    assert untouched.milestones.count() == 1
    new = Project.objects.get(code="NEW-1")
    assert new.milestones.count() == 1
    assert Approval.objects.get(project=new).document_no == "泉发改备〔2026〕12号"
    listed.refresh_from_db()
    assert listed.version == 2


def test_a_milestone_row_naming_an_unknown_project_or_breaking_a_model_rule_is_an_error(
    district, office_user
):
    approvals = [
        {"项目编号": "NOPE", "手续类型": "环评"},
        {"项目编号": "NEW-1", "手续类型": "环评", "办理状态": "已办结"},
    ]

    result = run([project_row(项目编号="NEW-1")], office_user, sheets={"前期手续": approvals})

    assert [str(e) for e in result.errors] == [
        "「前期手续」表第 2 行「项目编号」：项目编号不存在（须为项目表中或系统中已有的项目）",
        "「前期手续」表第 3 行「办结日期」：已办结的手续须填写办结日期。",
    ]


def test_a_month_whose_total_is_unchanged_keeps_the_dekad_split_entered_on_the_project_page(
    district, office_user
):
    run([project_row(项目编号="GJ-1")], office_user)
    plan = AnnualPlan.objects.get()
    plan.dekads[6:9] = [10_000_000, 0, 0]  # all of March in 上旬
    plan.save()

    result = run([project_row(项目编号="GJ-1", **{"4月计划（万元）": 3000})], office_user)

    plan.refresh_from_db()
    assert result.updated == 1
    assert plan.dekads[6:12] == [10_000_000, 0, 0, 10_000_000, 10_000_000, 10_000_000]


def _permission(codename):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename=codename)


def test_site_coordinates_are_read_to_six_decimals_and_must_come_in_pairs_within_range(district, office_user):
    from decimal import Decimal

    result = run([project_row(**{"经度": 117.1848114, "纬度": "34.261792"})], office_user)
    assert result.ok, problems(result)
    project = Project.objects.get()
    assert (project.longitude, project.latitude) == (Decimal("117.184811"), Decimal("34.261792"))
    result = run(
        [
            project_row(项目名称="甲", **{"经度": 117.18}),
            project_row(项目名称="乙", **{"经度": 217.18, "纬度": 34.2}),
            project_row(项目名称="丙", **{"经度": "东经117度", "纬度": 34.2}),
        ],
        office_user,
    )
    assert [(row, column) for row, column, _message in problems(result)] == [
        (2, "纬度"),
        (3, "经度"),
        (4, "经度"),
    ]
    assert "经度和纬度须同时填写" in problems(result)[0][2]
    assert "不是有效的经纬度" in problems(result)[2][2]
