"""The targets' pages: the board, an indicator's ranking, a unit's page where its staff report the month (a bad
figure answered 422 with what was typed kept), the review queue, the Excel export and the import's row errors."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core import todo
from gongjian.targets import services
from gongjian.targets.choices import ActualState
from gongjian.targets.models import Actual, Settlement
from tests.targets.conftest import YEAR

D = Decimal


@pytest.fixture
def signed_in(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_the_board_shows_each_indicator_in_its_measure(signed_in, leader, targets):
    page = signed_in(leader).get(f"/targets/?year={YEAR}&month=6")
    assert page.status_code == 200
    text = page.content.decode()
    assert "新增绿化面积" in text and "地区生产总值" in text
    assert "6.00" in text  # 1 + 2 + 3 亿元 of GDP, shown in 亿元
    assert "50.0%" in text  # the time-elapsed line at June


def test_a_unit_reports_its_month_from_its_page_and_the_office_sees_it_waiting(
    signed_in, reporter, office, targets, units
):
    green, _money = targets
    client = signed_in(reporter)
    page = client.get(f"/targets/units/{units[0].pk}/?year={YEAR}")
    assert page.status_code == 200 and "报送完成情况" in page.content.decode()
    bad = client.post(
        f"/targets/units/{units[0].pk}/actual/",
        {"year": YEAR, "target": green[0].pk, "month": 4, "value": "很多", "note": "台账"},
    )
    assert bad.status_code == 422 and "台账" in bad.content.decode()
    posted = client.post(
        f"/targets/units/{units[0].pk}/actual/",
        {
            "year": YEAR,
            "target": green[0].pk,
            "month": 4,
            "value": "3.5",
            "evidence": SimpleUploadedFile("验收单.pdf", b"%PDF-1.4"),
        },
    )
    assert posted.status_code == 302
    actual = Actual.objects.get()
    assert actual.value == D("3.5") and actual.evidence_name == "验收单.pdf"
    assert client.get(f"/targets/actuals/{actual.pk}/evidence/").status_code == 200
    assert {i.kind.key: i.count for i in todo.items(office)}["targets.review"] == 1
    queue = signed_in(office).get("/targets/review/")
    assert "甲街道" in queue.content.decode()
    returned = signed_in(office).post(
        f"/targets/review/{actual.pk}/", {"version": actual.version, "decision": "return", "reason": ""}
    )
    assert returned.status_code == 422
    approved = signed_in(office).post(
        f"/targets/review/{actual.pk}/", {"version": actual.version, "decision": "approve"}
    )
    assert approved.status_code == 302
    assert Actual.objects.get().state == ActualState.APPROVED


def test_another_units_page_is_not_found(signed_in, other_reporter, units, targets):
    assert signed_in(other_reporter).get(f"/targets/units/{units[0].pk}/?year={YEAR}").status_code == 404


def test_the_targets_table_exports_to_excel(signed_in, leader, targets, office, reporter):
    green, _money = targets
    actual = services.enter_actual(green[0], 3, value=D(5), actor=reporter, note="台账")
    services.review_actual(actual, approve=True, actor=office, expected_version=actual.version)
    answer = signed_in(leader).get(f"/targets/export.xlsx?year={YEAR}&month=3")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("指标名称", "类别", "计量单位", "责任单位")
    row = next(r for r in rows if r[0] == "新增绿化面积" and r[3] == "甲街道")
    assert row[4] == 10 and row[5] == 5 and row[7] == pytest.approx(0.5) and row[10] == "1/1"


def _sheet(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "完成情况"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("完成情况.xlsx", out.getvalue())


def test_the_import_names_each_bad_row_and_saves_nothing_until_all_are_right(signed_in, reporter, targets):
    client = signed_in(reporter)
    header = ["指标名称", "责任单位", "月份", "本年累计完成", "计量单位", "说明"]
    bad = client.post(
        f"/targets/import/?year={YEAR}",
        {
            "year": YEAR,
            "file": _sheet(
                [
                    header,
                    ["新增绿化面积", "甲街道", 5, 4.5, "公顷", "台账"],
                    ["新增绿化面积", "乙街道", 5, 1, "公顷", ""],  # not this reporter's unit
                    ["地区生产总值", "甲街道", 13, 0.4, "亿元", ""],
                    ["地区生产总值", "甲街道", 5, "四千万", "亿元", ""],
                    ["新增绿化面积", "甲街道", 5, 5, "公顷", "重复"],
                ]
            ),
        },
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    for expected in ("不在本账号的填报范围内", "应为 1 至 12", "应为数字", "与第 2 行重复"):
        assert expected in text
    assert Actual.objects.count() == 0
    good = client.post(
        f"/targets/import/?year={YEAR}",
        {
            "year": YEAR,
            "file": _sheet(
                [
                    header,
                    ["新增绿化面积", "甲街道", 5, 4.5, "公顷", ""],
                    ["地区生产总值", "甲街道", "5月", 0.4, "亿元", ""],
                ]
            ),
        },
    )
    assert good.status_code == 302
    assert dict(Actual.objects.values_list("unit_target__indicator__name", "value")) == {
        "新增绿化面积": D("4.5"),
        "地区生产总值": D(40_000_000),
    }


def test_the_office_drafts_issues_and_the_unit_signs_from_the_pages(
    signed_in, office, reporter, units, targets
):
    client = signed_in(office)
    assert client.post("/targets/contracts/draft/", {"year": YEAR}).status_code == 302
    from gongjian.targets.models import Contract

    contract = Contract.objects.get(unit=units[0])
    client.post(f"/targets/contracts/{contract.pk}/issue/", {"version": contract.version})
    contract.refresh_from_db()
    assert contract.number and client.get(f"/targets/contracts/{contract.pk}/docx/").status_code == 200
    unit_client = signed_in(reporter)
    unit_client.post(
        f"/targets/contracts/{contract.pk}/sign/",
        {"version": contract.version, "scan": SimpleUploadedFile("签字.pdf", b"%PDF-1.4 s")},
    )
    contract.refresh_from_db()
    assert contract.state == "signed"
    assert (
        b"".join(unit_client.get(f"/targets/contracts/{contract.pk}/scan/").streaming_content)
        == b"%PDF-1.4 s"
    )


def test_the_office_splits_an_indicator_in_its_measure_and_a_resave_keeps_every_yuan(
    signed_in, office, gdp, units
):
    client = signed_in(office)
    bad = client.post(f"/targets/indicators/{gdp.pk}/split/", {f"unit-{units[0].pk}": "三亿"})
    assert bad.status_code == 422 and "三亿" in bad.content.decode()
    client.post(
        f"/targets/indicators/{gdp.pk}/split/",
        {f"unit-{units[0].pk}": "0.33333333", f"unit-{units[1].pk}": "2"},
    )
    assert dict(gdp.targets.values_list("unit__name", "target")) == {
        "甲街道": D(33_333_333),
        "乙街道": D(200_000_000),
    }
    form = client.get(f"/targets/indicators/{gdp.pk}/split/").content.decode()
    assert 'value="0.33333333"' in form and 'value="2"' in form


def test_the_settlement_form_starts_a_task_whose_page_leads_to_the_result(signed_in, office, targets, units):
    contract = services.create_contract(units[0], YEAR, actor=office)
    services.issue_contract(contract, actor=office, expected_version=contract.version)
    client = signed_in(office)
    started = client.post("/targets/settlements/run/", {"year": YEAR, "through_month": "12"})
    assert started.status_code == 302 and started["Location"].startswith("/system/jobs/")
    task = client.get(started["Location"]).content.decode()
    assert "已完成" in task and "查看结果" in task and "1 个单位" in task
    settlement = Settlement.objects.get(year=YEAR)
    assert f"/targets/settlements/{settlement.pk}/" in task
    assert "甲街道" in client.get(f"/targets/settlements/{settlement.pk}/").content.decode()
    refused = client.post("/targets/settlements/run/", {"year": YEAR + 1, "through_month": "12"}, follow=True)
    assert "没有已下达的责任书" in refused.content.decode()
