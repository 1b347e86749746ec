"""One unit's responsibility contract (目标责任状) followed in the browser from issue to year-end settlement: the
office defines an indicator and splits it to the unit, drafts and issues the contract and downloads its .docx;
the unit's staff upload the signed scan and enter monthly actuals with evidence; the office approves them, computes
the settlement, publishes it and revises it with a reason. The unit's page is also read on a phone."""

import pytest
from playwright.sync_api import expect

from gongjian.targets.choices import ActualState, ContractState, SettlementState
from gongjian.targets.models import Actual, Contract, Indicator, Settlement
from tests.factories import PASSWORD, UnitFactory

pytestmark = pytest.mark.browser

YEAR = 2025


@pytest.fixture
def site(make_user):
    street = UnitFactory(name="湖滨街道")
    return {
        "street": street,
        "office": make_user("project_office", username="xiangmuban", full_name="项目办"),
        "staff": make_user("unit_reporter", unit=street, username="hubin", full_name="李街道"),
    }


def _enter(page, street, target_id: int, month: int, value: str, evidence: str):
    page.goto(f"/targets/units/{street.pk}/?year={YEAR}")
    page.select_option("#id_target", value=str(target_id))
    page.select_option("#id_month", value=str(month))
    page.fill("#id_value", value)
    page.fill("#id_note", "据绿化验收台账")
    page.set_input_files(
        "#id_evidence", files=[{"name": evidence, "mimeType": "application/pdf", "buffer": b"%PDF-1.4 ok"}]
    )
    page.click("#actual-form button[type=submit]")
    expect(page.locator("#actual-table")).to_contain_text(f"{month}月")


def test_a_unit_s_contract_goes_from_issue_to_a_revised_settlement(page, login, phone, site):
    street = site["street"]
    login("xiangmuban", PASSWORD)

    # the indicator, split to the unit
    page.goto(f"/targets/indicators/new/?year={YEAR}")
    page.fill("#id_name", "新增绿化面积")
    page.fill("#id_measure", "公顷")
    page.select_option("#id_category", label="绿化")
    page.click("#indicator-form button[type=submit]")
    indicator = Indicator.objects.get(year=YEAR, name="新增绿化面积")
    expect(page.locator("h1")).to_contain_text("分解到单位")
    page.fill(f"#unit-{street.pk}", "12")
    page.click("#split-form button[type=submit]")
    target = indicator.targets.get(unit=street)
    assert target.target == 12

    # the contract drafted by the default rules, issued, its .docx downloaded
    page.goto(f"/targets/contracts/?year={YEAR}")
    page.get_by_role("button", name="按默认奖惩办法起草").click()
    row = page.locator("#contract-table tbody tr", has_text="湖滨街道")
    expect(row).to_contain_text("草稿")
    row.get_by_role("button", name="下达").click()
    expect(row).to_contain_text("已下达")
    with page.expect_download() as download:
        row.get_by_role("link", name="责任书（Word）").click()
    assert download.value.suggested_filename.endswith(".docx")
    with open(download.value.path(), "rb") as docx:
        assert docx.read(2) == b"PK"
    contract = Contract.objects.get(unit=street, year=YEAR)
    assert contract.state == ContractState.ISSUED and contract.number

    # the unit signs: the scan uploaded on its page; then its monthly actuals with evidence
    unit_page = phone("hubin", PASSWORD)
    unit_page.goto(f"/targets/units/{street.pk}/?year={YEAR}")
    expect(unit_page.locator("#contract-card")).to_contain_text(contract.number)
    assert unit_page.evaluate("document.documentElement.scrollWidth") <= 390
    unit_page.set_input_files(
        "#id_scan", files=[{"name": "责任书签字.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 s"}]
    )
    unit_page.locator("#contract-card button[type=submit]").click()
    expect(unit_page.locator("#contract-card")).to_contain_text("签字扫描件")
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    _enter(unit_page, street, target.pk, 6, "5.5", "六月验收单.pdf")
    _enter(unit_page, street, target.pk, 12, "13", "十二月验收单.pdf")
    assert set(Actual.objects.filter(unit_target=target).values_list("state", flat=True)) == {
        ActualState.SUBMITTED
    }

    # the office approves both
    page.goto("/targets/review/")
    for _month in (6, 12):
        page.locator("#review-table tbody tr", has_text="湖滨街道").first.get_by_role(
            "button", name="通过"
        ).click()
        expect(page.locator(".messages")).to_contain_text("已审核通过")
    assert set(Actual.objects.filter(unit_target=target).values_list("state", flat=True)) == {
        ActualState.APPROVED
    }
    page.goto(f"/targets/units/{street.pk}/?year={YEAR}&month=12")
    expect(page.locator("#unit-targets")).to_contain_text("108.3%")

    # the settlement computed for the year, published, then revised with a reason
    page.goto("/targets/settlements/")
    page.fill("#id_year", str(YEAR))
    page.select_option("#id_through_month", value="12")
    page.locator("#settle-form button[type=submit]").click()
    expect(page.locator("#job-state")).to_have_text("已完成")  # computed as a background task
    page.click("#job-result")
    lines = page.locator("#line-table")
    expect(lines).to_contain_text("湖滨街道")
    expect(lines).to_contain_text("新增绿化面积")
    page.get_by_role("button", name="发布兑现结果").click()
    first = Settlement.objects.get(year=YEAR, revision=1)
    assert first.state == SettlementState.PUBLISHED

    page.goto("/targets/settlements/")
    page.fill("#id_year", str(YEAR))
    page.select_option("#id_through_month", value="12")
    page.fill("#id_reason", "复核绿化面积验收单后重新计算")
    page.locator("#settle-form button[type=submit]").click()
    page.click("#job-result")
    expect(page.locator("main")).to_contain_text("修订原因：复核绿化面积验收单后重新计算")
    expect(page.get_by_role("link", name="查看修订前的版本")).to_be_visible()
    page.get_by_role("button", name="发布兑现结果").click()
    second = Settlement.objects.get(year=YEAR, revision=2)
    first.refresh_from_db()
    assert second.state == SettlementState.PUBLISHED and second.supersedes_id == first.pk
    assert first.state == SettlementState.SUPERSEDED
