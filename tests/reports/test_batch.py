"""Batch filing with Excel: the pre-filled sheet, all-or-nothing upload, errors by row, column and reason."""

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from gongjian.projects.models import Project
from gongjian.reports import services
from gongjian.reports.exports import write_batch_template
from gongjian.reports.models import Report
from gongjian.reports.services.batch import import_batch
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, office_user):
    unit = UnitFactory(name="工信局")
    reporter = make_user("unit_reporter", unit=unit, username="rep")
    a = ProjectFactory(code="2026-0001", name="甲项目", responsible_unit=unit)
    b = ProjectFactory(code="2026-0002", name="乙项目", responsible_unit=unit)
    ProjectFactory(code="2026-0099", name="别家项目", responsible_unit=UnitFactory(name="商务局"))
    opens = timezone.now() - dt.timedelta(days=1)
    period = services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )
    return {"reporter": reporter, "a": a, "b": b, "period": period}


def filled(world, rows):
    buffer = io.BytesIO()
    write_batch_template(
        Project.objects.in_scope(world["reporter"]).order_by("code"), world["period"], buffer
    )
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book["填报"]
    for number, values in rows.items():
        for column, value in values.items():
            sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out, [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]


def test_the_sheet_lists_exactly_the_reporters_projects(world):
    _file, codes = filled(world, {})
    assert codes == ["2026-0001", "2026-0002"]


def test_a_good_sheet_saves_and_submits_every_row(world):
    file, _codes = filled(world, {2: {3: 120, 4: 30, 6: 80}, 3: {3: 50.5}})
    result = import_batch(file, period=world["period"], actor=world["reporter"], submit=True)
    assert result.ok and (result.saved, result.submitted) == (2, 2)
    assert sorted(Report.objects.values_list("amount", "state")) == [
        (505_000, "submitted"),
        (1_200_000, "submitted"),
    ]


def test_any_bad_row_saves_nothing_and_each_error_names_row_and_column(world):
    file, _codes = filled(world, {2: {3: 120}, 3: {3: "很多", 4: 150}, 4: {1: "2026-0099", 3: 1}})
    result = import_batch(file, period=world["period"], actor=world["reporter"])
    assert not result.ok and Report.objects.count() == 0
    errors = {(e.row, e.column) for e in result.errors}
    assert {(3, "本期完成投资（万元）"), (3, "形象进度（%）"), (4, "项目编号")} <= errors


def test_the_batch_page_downloads_the_sheet_and_reports_errors(world):
    client = Client()
    client.force_login(world["reporter"])
    response = client.get(f"/reports/periods/{world['period'].pk}/batch/?download=1")
    assert response.status_code == 200
    file, _codes = filled(world, {2: {3: "x"}})
    file.name = "填报.xlsx"
    response = client.post(f"/reports/periods/{world['period'].pk}/batch/", {"file": file})
    assert response.status_code == 400 and "batch-error-table" in response.content.decode()
