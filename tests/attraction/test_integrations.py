"""Attraction in the rest of Gongjian: the cockpit's panel, the monthly briefing's section, the cadre archive's
全员招商 credit (through assess's registry) and the lead's history on its registry project's page."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongjian.assess.exports import archive_workbook
from gongjian.assess.services import followup
from gongjian.attraction import services
from gongjian.core.periods import Period
from gongjian.documents.queries import briefing_sections
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_cockpit_shows_the_funnel_with_links_to_the_leads(client, leader, make_lead):
    make_lead("signed")
    client.force_login(leader)
    html = client.get(f"/cockpit/?year={timezone.localdate().year}").content.decode()
    assert 'id="panel-attraction"' in html and "高新区管委会" in html and "link=signed_count" in html


def test_a_monthly_briefing_has_an_attraction_section_and_a_ten_day_one_none(make_lead, units, office_user):
    lead = make_lead("talks", found_on=dt.date(2025, 3, 2))
    services.sign_lead(
        lead, on=dt.date(2025, 3, 9), amount=12_000_000, actor=None, expected_version=lead.version
    )
    services.set_target(
        unit=units["park"], year=2025, metric="signed_amount", value=24_000_000, actor=office_user
    )
    sections = {s.key: s for s in briefing_sections(Period.parse("2025-03"))}
    section = sections["attraction"]
    assert "签约项目 1 个、金额 1,200.00 万元" in section.text
    assert section.rows == [["高新区管委会", 1, "1,200.00", "50.0%", "0.00", "—", 0, 1, "0.00"]]
    assert "attraction" not in {s.key for s in briefing_sections(Period.parse("2025-03-1"))}


def test_the_cadre_archive_records_the_introducer_s_credit(make_lead, introducer):
    make_lead("signed")
    year = timezone.localdate().year
    [entry] = [e for e in followup.archive(year) if e.person == introducer]
    assert entry.subjects == [] and entry.credits[0][0] == "招商引资"
    assert "引荐意向项目 1 个，签约 1 个、金额 800.00 万元" in entry.credits[0][1]
    sheet = load_workbook(io.BytesIO(archive_workbook(year))).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "王引荐")
    assert "招商引资" in row[header.index("其他实绩（招商引资等）")]


def test_the_project_page_shows_the_lead_it_came_from(client, office_user, make_lead, units):
    project = ProjectFactory(responsible_unit=units["park"], name="储能装备产业园")
    lead = make_lead("funded")
    services.start_lead(
        lead, on=timezone.localdate(), project=project, actor=None, expected_version=lead.version
    )
    client.force_login(office_user)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="attraction-leads"' in html and "签订投资合同" in html and "王引荐" in html
