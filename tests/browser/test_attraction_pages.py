"""One lead followed in the browser from a trip to production (五个环节): the unit's staff register the trip, a
lead from it, a follow-up, the signing with the contract's scan, two tranches (one in US dollars with its rate),
the start linked to a registry project (whose page then shows the lead's history) and the production figures; the
funnel shows it and the unit's figures moved. The lead's page is also read on a phone."""

import pytest
from playwright.sync_api import expect

from gongjian.attraction import queries
from gongjian.attraction.choices import Stage
from gongjian.attraction.models import Lead, Tranche
from tests.factories import PASSWORD, ProjectFactory, UnitFactory

pytestmark = pytest.mark.browser

YEAR = 2026


@pytest.fixture
def site(make_user):
    park = UnitFactory(name="高新区管委会")
    return {
        "park": park,
        "project": ProjectFactory(name="新能源电池产业园", responsible_unit=park, year=YEAR),
        "staff": make_user("unit_reporter", unit=park, username="zhaoshang", full_name="王招商"),
    }


def _save(page, fields: dict, *, files: dict | None = None, selects: dict | None = None):
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    for name, value in (selects or {}).items():
        if isinstance(value, int):
            page.select_option(f"#id_{name}", value=str(value))
        else:
            page.select_option(f"#id_{name}", label=value)
    for name, (filename, body, mime) in (files or {}).items():
        page.set_input_files(f"#id_{name}", files=[{"name": filename, "mimeType": mime, "buffer": body}])
    page.click("#attraction-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已保存")


def test_a_lead_goes_from_a_trip_to_production_and_the_funnel_moves(page, login, phone, site):
    park = site["park"]
    assert queries.unit_totals(YEAR).get(park.pk) is None
    login("zhaoshang", PASSWORD)

    # 外出招商: the trip, then a lead registered from it
    page.goto("/attraction/trips/new/")
    page.select_option("#id_unit", label="高新区管委会")
    page.fill("#id_start_date", f"{YEAR}-10-10")
    page.fill("#id_end_date", f"{YEAR}-10-12")
    page.fill("#id_destination", "江苏省苏州市")
    page.click("#attraction-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("江苏省苏州市")
    page.get_by_role("link", name="登记意向项目").click()
    page.fill("#id_name", "动力电池模组项目")
    page.fill("#id_investor", "苏州某新能源科技有限公司")
    page.fill("#id_amount", "30000")
    page.select_option("#id_chain", label="新能源")
    page.select_option("#id_unit", label="高新区管委会")
    page.fill("#id_found_on", f"{YEAR}-10-12")
    page.click("#attraction-form button[type=submit]")
    lead = Lead.objects.get(name="动力电池模组项目")
    assert lead.trip is not None and lead.stage == Stage.TALKS
    page.goto(f"/attraction/leads/{lead.pk}/")
    expect(page.locator("main")).to_contain_text("江苏省苏州市")

    # 洽谈 → 签约 with the contract's scan
    page.get_by_role("link", name="登记跟进").click()
    _save(page, {"on": f"{YEAR}-10-20", "text": "赴企业总部洽谈，达成投资意向"})
    page.get_by_role("link", name="项目签约").click()
    _save(
        page,
        {"on": f"{YEAR}-10-25", "amount": "30000"},
        files={"contract": ("投资合同.pdf", b"%PDF-1.4 contract", "application/pdf")},
    )
    expect(page.locator("main")).to_contain_text("30,000")
    with page.expect_download() as download:
        page.get_by_role("link", name="合同扫描件").click()
    assert download.value.suggested_filename == "投资合同.pdf"

    # 资金到位: 1,200 万元, then 100 万美元 at 7.1
    page.get_by_role("link", name="资金到位").first.click()
    _save(page, {"date": f"{YEAR}-11-05", "amount": "1200", "source": "企业自有资金"})
    page.get_by_role("link", name="资金到位").first.click()
    _save(
        page,
        {"date": f"{YEAR}-11-20", "foreign_amount": "100", "rate": "7.1", "source": "境外股东增资"},
        selects={"currency": "美元"},
    )
    tranches = page.locator("#tranches tbody tr")
    expect(tranches).to_have_count(2)
    expect(page.locator("#tranches")).to_contain_text("汇率 7.1")
    usd = Tranche.objects.get(lead=lead, currency="USD")
    assert (usd.amount, usd.usd_amount) == (7_100_000, 1_000_000)

    # 开工: linked to the registry project, whose page shows the lead's history
    page.get_by_role("link", name="项目开工").click()
    _save(page, {"on": f"{YEAR}-11-25"}, selects={"project": site["project"].pk})
    lead.refresh_from_db()
    assert lead.stage == Stage.STARTED and lead.project_id == site["project"].pk
    page.goto(f"/projects/{site['project'].pk}/")
    expect(page.locator("main")).to_contain_text("动力电池模组项目")
    expect(page.locator("main")).to_contain_text("赴企业总部洽谈")

    # 投产达效
    page.goto(f"/attraction/leads/{lead.pk}/")
    page.get_by_role("link", name="投产达效").click()
    _save(page, {"year": str(YEAR), "output_value": "45000", "tax": "1500", "jobs": "260"})
    expect(page.locator("#production")).to_contain_text("260")
    lead.refresh_from_db()
    assert lead.stage == Stage.PRODUCING

    # The unit's figures are its lead's, and the funnel shows them
    totals = queries.unit_totals(YEAR)[park.pk]
    assert totals["signed_count"] == 1 and totals["signed_amount"] == 300_000_000
    assert totals["funds_amount"] == 12_000_000 and totals["foreign_usd"] == 1_000_000
    assert totals["starts"] == 1 and totals["trips"] == 1 and totals["leads"] == 1
    page.goto(f"/attraction/?year={YEAR}&through=12")
    row = page.locator("#funnel tbody tr", has_text="高新区管委会")
    expect(row).to_contain_text("30,000")
    expect(row).to_contain_text("1,200")

    # and the lead reads on a phone, one screen wide
    mobile = phone("zhaoshang", PASSWORD)
    mobile.goto(f"/attraction/leads/{lead.pk}/")
    expect(mobile.locator("h1")).to_contain_text("动力电池模组项目")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
