"""The attraction pages through the test client: the funnel with links behind each figure, the lists and their
filters, the lead's page with its history, the forms that move a lead (errors shown, a stale version refused),
files served only within scope, and the Excel exports with contacts masked."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from gongjian.attraction import services
from gongjian.attraction.models import Lead
from gongjian.core.models import AuditEvent
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_the_funnel_page_shows_each_unit_with_links_to_its_leads(client, office_user, make_lead, units):
    make_lead("signed")
    client.force_login(office_user)
    year = timezone.localdate().year
    page = client.get(f"/attraction/?year={year}&through=12")
    assert page.status_code == 200
    html = page.content.decode()
    assert "高新区管委会" in html and "link=signed_count" in html and f"unit={units['park'].pk}" in html


def test_the_lead_list_filters_and_the_detail_shows_the_history(client, reporter, make_lead):
    lead = make_lead("funded", name="智能制造基地")
    make_lead("talks", name="物流园")
    client.force_login(reporter)
    html = client.get("/attraction/leads/?stage=funded").content.decode()
    assert "智能制造基地" in html and "物流园" not in html
    detail = client.get(f"/attraction/leads/{lead.pk}/").content.decode()
    assert "签订投资合同" in detail and "13812345678" in detail and "项目开工" in detail


def test_a_leader_reads_the_lead_with_contacts_masked(client, leader, make_lead):
    lead = make_lead("talks")
    client.force_login(leader)
    html = client.get(f"/attraction/leads/{lead.pk}/").content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_a_unit_signs_a_lead_on_its_page_and_a_stale_form_is_refused(client, reporter, make_lead):
    lead = make_lead("talks")
    client.force_login(reporter)
    url = f"/attraction/leads/{lead.pk}/sign/"
    assert client.get(url).status_code == 200
    today = timezone.localdate().isoformat()
    contract = SimpleUploadedFile("合同.pdf", b"%PDF scan")
    response = client.post(url, {"on": today, "amount": "900", "contract": contract, "version": lead.version})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "signed" and lead.signing.amount == 9_000_000
    again = client.post(f"/attraction/leads/{lead.pk}/step/", {"on": today, "text": "回访", "version": 1})
    assert again.status_code == 200 and "已被他人" in again.content.decode()
    assert client.get(f"/attraction/leads/{lead.pk}/contract/").status_code == 200


def test_skipping_a_link_on_a_page_shows_the_rule_on_the_form(client, reporter, make_lead):
    lead = make_lead("talks")
    client.force_login(reporter)
    response = client.post(
        f"/attraction/leads/{lead.pk}/tranche/",
        {
            "date": timezone.localdate().isoformat(),
            "currency": "CNY",
            "amount": "100",
            "version": lead.version,
        },
    )
    assert response.status_code == 200 and "尚未完成“签约”" in response.content.decode()


def test_another_unit_cannot_open_a_lead_or_its_files(client, other_reporter, make_lead):
    lead = make_lead("talks")
    services.sign_lead(
        lead,
        on=timezone.localdate(),
        amount=1,
        contract=SimpleUploadedFile("合同.pdf", b"scan"),
        actor=None,
        expected_version=lead.version,
    )
    client.force_login(other_reporter)
    assert client.get(f"/attraction/leads/{lead.pk}/").status_code == 404
    assert client.get(f"/attraction/leads/{lead.pk}/contract/").status_code == 404
    assert client.post(f"/attraction/leads/{lead.pk}/drop/", {"reason": "x", "version": 1}).status_code == 404


def test_a_trip_is_recorded_on_its_form_and_leads_come_from_it(client, reporter, units):
    client.force_login(reporter)
    today = timezone.localdate().isoformat()
    response = client.post(
        "/attraction/trips/new/",
        {
            "unit": units["park"].pk,
            "start_date": today,
            "end_date": today,
            "destination": "上海",
            "cost": "1.5",
        },
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "上海" in detail and "1.50" in detail
    assert client.get("/attraction/trips/").status_code == 200


def test_the_lead_export_masks_contacts_for_all_but_the_following_unit(client, leader, reporter, make_lead):
    make_lead("talks")
    for user, phone in ((leader, "138****5678"), (reporter, "13812345678")):
        client.force_login(user)
        response = client.get("/attraction/leads/export/")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        header = [c.value for c in sheet[1]]
        assert sheet.cell(2, header.index("联系电话") + 1).value == phone
    assert AuditEvent.objects.filter(action="attraction.lead.export").count() == 2


def test_the_funnel_and_tranches_export_as_excel(client, office_user, make_lead):
    make_lead("funded")
    client.force_login(office_user)
    for url in ("/attraction/funnel/export/", "/attraction/tranches/export/"):
        response = client.get(url)
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert book.active.max_row >= 2


def test_the_office_hands_down_a_target_from_its_form(client, office_user, units):
    client.force_login(office_user)
    year = timezone.localdate().year
    response = client.post(
        "/attraction/targets/",
        {"unit": units["park"].pk, "year": year, "metric": "signed_amount", "value": "5000"},
    )
    assert response.status_code == 302
    page = client.get(f"/attraction/targets/?unit={units['park'].pk}&year={year}&metric=signed_amount")
    assert 'name="version" value="1"' in page.content.decode()
    assert Lead.objects.count() == 0


def test_a_reporter_cannot_open_the_target_form(client, reporter):
    client.force_login(reporter)
    assert client.get("/attraction/targets/").status_code == 403


def test_the_funnel_page_shows_a_unit_s_months_in_chinese_with_wan_and_rates(
    client, office_user, other_reporter, make_lead, units
):
    make_lead("signed", found_on=dt.date(2025, 3, 1), signed=dt.date(2025, 3, 10), amount=8_000_000)
    services.set_target(
        unit=units["park"], year=2025, metric="signed_amount", value=20_000_000, actor=office_user
    )
    client.force_login(office_user)
    park = units["park"].pk
    plain = client.get("/attraction/?year=2025&through=12").content.decode()
    assert (
        'id="monthly-table"' not in plain and f"unit={park}#monthly" in plain
    )  # the unit's name leads to it
    html = client.get(f"/attraction/?year=2025&through=12&unit={park}&link=signed_amount").content.decode()
    assert (
        "高新区管委会 2025年逐月完成情况" in html
        and "签约金额（万元）" in html
        and "全年目标 2,000.00" in html
    )
    table = html[html.index('id="monthly-table"') : html.index("</table>", html.index('id="monthly-table"'))]
    assert "3月" in table and "800.00" in table and "40.0%" in table and "12月" in table
    assert "signed_amount" not in table  # labels, never the link's key
    every = client.get(f"/attraction/?year=2025&through=6&monthly=1&unit={park}").content.decode()
    table = every[
        every.index('id="monthly-table"') : every.index("</table>", every.index('id="monthly-table"'))
    ]
    assert "外出招商（次）" in table and "6月" in table and "7月" not in table
    client.force_login(other_reporter)
    assert client.get(f"/attraction/?year=2025&unit={park}").status_code == 404


def test_the_office_hands_down_every_units_targets_in_one_table_all_or_none(
    client, office_user, units, reporter
):
    from gongjian.attraction.models import AttractionTarget
    from gongjian.core.models import AuditEvent

    year = timezone.localdate().year
    park, commerce = units["park"].pk, units["commerce"].pk
    client.force_login(office_user)
    page = client.get(f"/attraction/targets/table/?year={year}").content.decode()
    assert "高新区管委会" in page and "签约金额（万元）" in page and "实际利用外资（万美元）" in page
    enterprise = UnitFactory(name="某某建设有限公司", kind="enterprise")
    assert enterprise.name not in client.get(f"/attraction/targets/table/?year={year}").content.decode()
    assert (
        f'name="t-{park}-signed_amount"' in page
        and "/attraction/targets/table/" in client.get(f"/attraction/?year={year}").content.decode()
    )

    url = f"/attraction/targets/table/?year={year}"
    sent = {f"t-{park}-signed_amount": "5000", f"t-{park}-trips": "12", f"t-{commerce}-foreign_usd": "300.5"}
    assert client.post(url, sent).status_code == 302
    kept = {(t.unit_id, t.metric): t.value for t in AttractionTarget.objects.filter(year=year)}
    assert kept == {
        (park, "signed_amount"): 50_000_000,
        (park, "trips"): 12,
        (commerce, "foreign_usd"): 3_005_000,
    }
    assert AuditEvent.objects.filter(action="attraction.target.create").count() == 3

    # the table shows what was handed down; sending it back unchanged touches nothing
    page = client.get(url).content.decode()
    assert f'name="t-{park}-signed_amount" value="5000"' in page
    assert f'name="t-{commerce}-foreign_usd" value="300.5"' in page
    assert f'name="t-{park}-trips" value="12"' in page and f'name="t-{park}-leads" value=""' in page
    same = {**sent, f"v-{park}-signed_amount": 1, f"v-{park}-trips": 1, f"v-{commerce}-foreign_usd": 1}
    assert client.post(url, same).status_code == 302
    assert AuditEvent.objects.filter(action="attraction.target.update").count() == 0

    # one wrong cell: the cell says why, and nothing of the table is saved
    wrong = {**same, f"t-{park}-trips": "15", f"t-{commerce}-leads": "十个"}
    response = client.post(url, wrong)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="e-{commerce}-leads"' in html and "应为整数" in html and 'value="十个"' in html
    assert AttractionTarget.objects.get(unit_id=park, metric="trips").value == 12

    # a cell changed by someone else since the table was read: 409, nothing saved
    services.set_target(
        unit=units["park"], year=year, metric="trips", value=20, actor=office_user, expected_version=1
    )
    stale = {**same, f"t-{park}-trips": "16", f"t-{park}-leads": "30"}
    response = client.post(url, stale)
    assert response.status_code == 409 and f'id="e-{park}-trips"' in response.content.decode()
    assert not AttractionTarget.objects.filter(unit_id=park, metric="leads").exists()

    client.force_login(reporter)
    assert client.get(url).status_code == 403 and client.post(url, sent).status_code == 403
