"""Importing leads and tranches: every row through the services, all or none, errors by row and column with the
downloadable report; a long file in the background."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gongjian.attraction.models import Lead, Tranche
from gongjian.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LEAD_HEADERS = [
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "联系电话",
    "产业链",
    "意向投资额（万元）",
    "跟踪单位",
    "引荐人",
    "登记日期",
]


def xlsx(sheet: str, headers: list, rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append([f"{sheet}导入表"])  # a title row above the header, as offices write
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(f"{sheet}.xlsx", buffer.getvalue())


def test_a_unit_imports_its_leads(client, reporter, introducer):
    client.force_login(reporter)
    day = timezone.localdate().isoformat()
    upload = xlsx(
        "意向项目",
        LEAD_HEADERS,
        [
            ["储能项目", "甲公司", "", "13812345678", "新能源", 800, "高新区管委会", "王引荐", day],
            ["物流项目", "乙公司", "", "", "现代物流", "1200.5", "高新区管委会", "", day],
        ],
    )
    response = client.post("/exchange/attraction/leads/import/", {"file": upload})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert Lead.objects.count() == 2
    lead = Lead.objects.get(name="物流项目")
    assert lead.amount == 12_005_000 and lead.chain == "logistics"
    assert Lead.objects.get(name="储能项目").introducer == introducer
    assert AuditEvent.objects.filter(action="attraction.lead.create").count() == 2
    assert AuditEvent.objects.filter(action="attraction.leads.import", success=True).exists()


def test_a_file_with_a_bad_row_saves_nothing_and_says_where(client, reporter):
    client.force_login(reporter)
    day = timezone.localdate().isoformat()
    upload = xlsx(
        "意向项目",
        LEAD_HEADERS,
        [
            ["储能项目", "甲公司", "", "", "新能源", 800, "高新区管委会", "", day],
            ["坏项目", "乙公司", "91320311XXXX", "", "航天", "-5", "商务局", "无此人", "2026-02-30"],
        ],
    )
    response = client.post("/exchange/attraction/leads/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    for reason in ("应为以下之一", "金额不能为负数", "不是有效的日期", "没有名为“无此人”的人员"):
        assert reason in html, reason
    assert Lead.objects.count() == 0
    token = response.context["report_token"]
    report = client.get(f"/exchange/attraction/import/errors/{token}/")
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content)))["错误清单"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and all(
        r[1] == 4 for r in rows
    )  # the bad row is the file's fourth (title, header, good, bad)


def test_a_row_for_another_unit_is_refused_by_the_services_scope(client, reporter):
    client.force_login(reporter)
    upload = xlsx(
        "意向项目", LEAD_HEADERS, [["越权项目", "丙公司", "", "", "新能源", 800, "商务局", "", "2026-01-05"]]
    )
    response = client.post("/exchange/attraction/leads/import/", {"file": upload})
    assert response.status_code == 400 and "只能管理本单位" in response.content.decode()
    assert not Lead.objects.exists()


def test_tranches_are_imported_onto_signed_leads_and_funds_before_signing_refused(
    client, reporter, make_lead
):
    make_lead("signed", name="已签项目")
    make_lead("talks", name="在谈项目")
    client.force_login(reporter)
    day = timezone.localdate().isoformat()
    headers = [
        "项目名称",
        "跟踪单位",
        "到位日期",
        "到位金额（万元）",
        "资金来源",
        "币种",
        "原币金额（万）",
        "折算汇率",
    ]
    bad = xlsx(
        "资金到位",
        headers,
        [
            ["已签项目", "高新区管委会", day, 300, "自有资金", "", "", ""],
            ["在谈项目", "高新区管委会", day, 100, "", "", "", ""],
        ],
    )
    response = client.post("/exchange/attraction/tranches/import/", {"file": bad})
    assert response.status_code == 400 and "尚未完成“签约”" in response.content.decode()
    assert not Tranche.objects.exists()
    good = xlsx(
        "资金到位",
        headers,
        [["已签项目", "高新区管委会", day, "", "外方出资", "美元", 50, "7.1"]],
    )
    response = client.post("/exchange/attraction/tranches/import/", {"file": good})
    assert response.status_code == 200
    tranche = Tranche.objects.get()
    assert tranche.currency == "USD" and tranche.usd_amount == 500_000 and tranche.amount == 3_550_000


def test_a_missing_column_is_named(client, reporter):
    client.force_login(reporter)
    upload = xlsx("意向项目", ["项目名称", "投资方"], [["x", "y"]])
    response = client.post("/exchange/attraction/leads/import/", {"file": upload})
    assert response.status_code == 400 and "缺少这一列" in response.content.decode()


def test_the_template_downloads_and_a_long_file_goes_to_the_background(client, reporter, settings):
    client.force_login(reporter)
    template = client.get("/exchange/attraction/leads/template/")
    assert template.status_code == 200
    settings.GONGJIAN_IMPORT_BACKGROUND_ROWS = 1
    day = timezone.localdate().isoformat()
    rows = [[f"项目{i}", "公司", "", "", "新能源", 600, "高新区管委会", "", day] for i in range(3)]
    response = client.post(
        "/exchange/attraction/leads/import/", {"file": xlsx("意向项目", LEAD_HEADERS, rows)}
    )
    assert response.status_code == 302 and "/system/jobs/" in response["Location"]
    assert Lead.objects.count() == 3  # tasks run at once in the tests
