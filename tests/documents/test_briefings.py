"""Briefings and minutes: drafted from the data, edited by the office, issued once with a number that never
repeats; the .docx has the official page and fonts and its tables hold the database's numbers."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from docx import Document as Word
from docx.oxml.ns import qn

from gongjian.core.money import format_wan
from gongjian.core.periods import Period
from gongjian.documents import exports, queries
from gongjian.documents import services as briefings
from gongjian.documents.models import Document
from gongjian.jobs.models import Job
from gongjian.lights import services as lights
from gongjian.lights.models import Light
from gongjian.meetings import services
from gongjian.projects.models import AnnualPlan
from gongjian.reports import services as reports
from gongjian.reports.models import Report
from tests.factories import ProjectFactory, UnitFactory, current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(office_user):
    """Three projects this year, one reported on plan for the last ten-day period, two not (red)."""
    industry, housing = UnitFactory(name="工信局"), UnitFactory(name="住建局")
    year = timezone.localdate().year
    on_plan = ProjectFactory(
        name="智能装备产业园", responsible_unit=industry, year=year, plan=True, planned_start=None
    )
    ProjectFactory(
        name="新能源电池材料项目", responsible_unit=industry, year=year, plan=True, planned_start=None
    )
    ProjectFactory(
        name="棚户区改造安置房",
        responsible_unit=housing,
        year=year,
        plan=True,
        planned_start=None,
        category="livelihood",
    )
    period = Period.dekad_of(timezone.localdate()).prev()
    now = timezone.now()
    opened = reports.open_period(
        period.code,
        opens_at=now - dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=9),
        actor=office_user,
    )
    plan = AnnualPlan.objects.get(project=on_plan, year=year)
    done = sum(plan.dekads[: period.month * 3 - 3 + period.dekad])
    Report.objects.create(
        project=on_plan,
        period=opened,
        state="approved",
        amount=done,
        year_to_date=done,
        since_start=done,
        first_submitted_at=now,
        submitted_at=now,
    )
    lights.recompute()
    return {"period": period, "on_plan": on_plan, "done": done}


def section(document, key):
    return next(s for s in document.sections if s["key"] == key)


def test_a_briefing_is_drafted_from_the_data_edited_and_issued_once(district, office_user):
    period = district["period"]
    draft = briefings.draft("briefing", period_code=period.code, actor=office_user)
    investment = section(draft, "investment")
    total = investment["table"]["rows"][-1]
    plans = AnnualPlan.objects.filter(year=period.year)
    assert total[:3] == ["合计", 3, format_wan(sum(p.total for p in plans))]
    assert total[4] == format_wan(district["done"])
    lit = section(draft, "lights")
    reds = Light.objects.filter(period_code=period.code, colour=2).count()
    assert f"红灯 {reds} 个" in lit["text"] and reds == 2
    assert {r[0] for r in section(draft, "red")["table"]["rows"]} == {
        "新能源电池材料项目",
        "棚户区改造安置房",
    }

    briefings.edit(
        draft,
        title=draft.title,
        texts={"asks": "各单位要在月底前补齐进度。"},
        actor=office_user,
        expected_version=current_version(draft),
    )
    draft.refresh_from_db()
    assert section(draft, "asks")["text"] == "各单位要在月底前补齐进度。"

    first = briefings.issue(draft, actor=office_user, expected_version=current_version(draft))
    assert first.state == "issued" and first.issue == 1 and first.number.endswith("第1期")
    with pytest.raises(ValidationError):
        briefings.edit(
            first, title="改", texts={}, actor=office_user, expected_version=current_version(first)
        )
    with pytest.raises(ValidationError):
        briefings.issue(first, actor=office_user, expected_version=current_version(first))
    again = briefings.draft("briefing", period_code=period.code, actor=office_user)
    second = briefings.issue(again, actor=office_user, expected_version=again.version)
    assert second.issue == 2  # never repeated
    assert bytes(first.content) == exports.docx(Document.objects.get(pk=first.pk))  # kept as issued


def test_the_issued_briefing_is_an_official_page_whose_tables_hold_the_databases_numbers(
    district, office_user
):
    period = district["period"]
    draft = briefings.draft("briefing", period_code=period.code, actor=office_user)
    issued = briefings.issue(draft, actor=office_user, expected_version=draft.version)
    word = Word(io.BytesIO(bytes(issued.content)))
    page = word.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert [
        round(m.mm) for m in (page.top_margin, page.bottom_margin, page.left_margin, page.right_margin)
    ] == [37, 35, 28, 26]
    grid = page._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    body = next(p for p in word.paragraphs if p.text.startswith("全区重点项目"))
    assert body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title = next(p for p in word.paragraphs if p.text == issued.title)
    assert title.runs[0].font.name == "方正小标宋简体"
    assert any("第1期" in p.text for p in word.paragraphs)
    # every run of the body and the tables names its Chinese font itself (w:eastAsia), one of GB/T 9704's
    runs = list(word.element.body.iter(qn("w:r")))
    fonts = {
        r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for r in runs
        if r.find(qn("w:t")) is not None
    }
    assert fonts <= {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"} and "仿宋_GB2312" in fonts

    # the investment table: each category's figures as the database has them
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "类别")
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    year = period.year
    industry = AnnualPlan.objects.filter(year=year, project__category="industry")
    assert cells["工业"][1:3] == ["2", format_wan(sum(p.total for p in industry))]
    assert cells["合计"][4] == format_wan(district["done"])
    lights_table = next(t for t in word.tables if t.rows[0].cells[0].text == "责任单位")
    by_unit = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in lights_table.rows[1:]}
    assert by_unit == {"工信局": ["2", "1", "0", "1"], "住建局": ["1", "0", "0", "1"]}


def test_minutes_list_the_decisions_and_take_a_document_number(district, office_user):
    unit = UnitFactory(name="发改局")
    meeting = services.create_meeting(
        kind="special",
        title="项目建设专题调度会",
        held_at=timezone.now(),
        place="区政府三楼会议室",
        actor=office_user,
    )
    services.add_decision(
        meeting,
        text="协调解决用地指标",
        owner=unit,
        deadline=timezone.localdate() + dt.timedelta(days=7),
        actor=office_user,
        expected_version=current_version(meeting),
    )
    draft = briefings.draft("minutes", meeting=meeting, actor=office_user)
    minutes = briefings.issue(draft, actor=office_user, expected_version=draft.version)
    assert minutes.number.endswith("1号") and "纪〔" in minutes.number
    word = Word(io.BytesIO(bytes(minutes.content)))
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "序号")
    assert [c.text for c in table.rows[1].cells][:3] == ["1", "协调解决用地指标", "发改局"]
    assert any("项目建设专题调度会" in p.text and "区政府三楼会议室" in p.text for p in word.paragraphs)


def test_the_pages_draft_and_issue_a_briefing_in_the_background_and_edit_it_between(district, office_client):
    period = district["period"]
    response = office_client.post("/dispatch/documents/new/", {"period": period.code})
    drafting = Job.objects.get(kind="documents.draft_briefing")
    assert response.url == f"/system/jobs/{drafting.pk}/"  # the button answers at once with the task's page
    document = Document.objects.get()
    url = f"/dispatch/documents/{document.pk}/"
    task = office_client.get(response.url).content.decode()
    assert "已完成" in task and f'href="{url}"' in task and document.title in task
    page = office_client.get(url).content.decode()
    assert "投资完成情况" in page and "新能源电池材料项目" in page
    assert 'name="version" value="1"' in page
    office_client.post(url, {"title": "调度情况通报（修改）", "text-asks": "抓紧补报。", "version": "1"})
    document.refresh_from_db()
    assert document.title == "调度情况通报（修改）" and section(document, "asks")["text"] == "抓紧补报。"

    # issuing from a page read before the edit is refused at once, nothing queued
    stale = office_client.post(url, {"action": "issue", "version": "1"})
    assert stale.status_code == 409 and not Job.objects.filter(kind="documents.issue").exists()
    response = office_client.post(url, {"action": "issue", "version": "2"})
    issuing = Job.objects.get(kind="documents.issue")
    assert response.url == f"/system/jobs/{issuing.pk}/"
    document.refresh_from_db()
    assert document.state == "issued" and issuing.result["number"] == document.number
    assert issuing.result_url == url and document.number in office_client.get(response.url).content.decode()
    download = office_client.get(f"/dispatch/documents/{document.pk}/docx/")
    assert download.content == bytes(document.content)
    assert office_client.post("/dispatch/documents/new/", {"period": "垃圾"}).url == "/dispatch/documents/"
    assert (
        Document.objects.count() == 1 and Job.objects.count() == 2
    )  # a period that cannot be one queues nothing


def test_the_api_answers_a_briefing_with_its_task_and_the_task_links_the_document(
    district, client, office_user
):
    client.force_login(office_user)
    period = district["period"]
    started = client.post(
        "/api/v1/dispatch/documents",
        {"kind": "briefing", "period": period.code},
        content_type="application/json",
    )
    assert started.status_code == 202
    task = client.get(started.json()["url"]).json()
    document = Document.objects.get()
    assert task["state"] == "succeeded" and task["result"]["document_id"] == document.pk
    assert task["result_url"] == f"/dispatch/documents/{document.pk}/"
    read = client.get(f"/api/v1/dispatch/documents/{document.pk}").json()
    assert read["state"] == "draft" and read["period_code"] == period.code

    stale = client.post(
        f"/api/v1/dispatch/documents/{document.pk}/issue", {"version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    issued = client.post(
        f"/api/v1/dispatch/documents/{document.pk}/issue",
        {"version": read["version"]},
        content_type="application/json",
    )
    assert issued.status_code == 202
    task = client.get(issued.json()["url"]).json()
    document.refresh_from_db()
    assert (
        task["state"] == "succeeded"
        and document.state == "issued"
        and task["result"]["number"] == document.number
    )

    refused = client.post(
        "/api/v1/dispatch/documents",
        {"kind": "briefing", "period": "2026-13"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "period"
    assert "无法识别的期别" in refused.json()["errors"][0]["message"]
    assert Job.objects.count() == 2


def test_a_briefing_task_that_fails_leaves_no_draft_and_keeps_why(district, office_user, monkeypatch):
    def broken(*args, **kwargs):
        raise ValidationError("考核结果读取失败")

    monkeypatch.setattr("gongjian.documents.services.briefing_sections", broken)
    job = briefings.start_briefing(district["period"].code, actor=office_user)
    job.refresh_from_db()
    assert job.state == "failed" and "考核结果读取失败" in job.error
    assert not Document.objects.exists()


def test_a_months_briefing_lists_the_decisions_of_that_months_meeting_held_after_it_ended(office_user):
    # Given the November dispatch meeting, held on 3 December as every month's is, with four decisions; a daily
    # dispatch on 5 December with none; and the December meeting on 4 January
    tz = timezone.get_current_timezone()
    industry = UnitFactory(name="工信局")

    def held(day, kind, title, decisions=0):
        meeting = services.create_meeting(
            kind=kind, title=title, held_at=dt.datetime.combine(day, dt.time(9), tzinfo=tz), actor=office_user
        )
        for n in range(decisions):
            services.add_decision(
                meeting,
                text=f"第{n + 1}项交办事项",
                owner=industry,
                deadline=day + dt.timedelta(days=20),
                actor=office_user,
                expected_version=current_version(meeting),
            )
        return meeting

    held(dt.date(2026, 12, 3), "monthly", "2026年11月重点项目调度会", decisions=4)
    held(dt.date(2026, 12, 5), "daily", "12月05日征迁工作日调度会")
    held(dt.date(2027, 1, 4), "monthly", "2026年12月重点项目调度会", decisions=1)
    november = Period.parse("2026-11")

    # When the November briefing is drafted on 7 December, and again in February
    for drafted in (dt.datetime(2026, 12, 7, 10, tzinfo=tz), dt.datetime(2027, 2, 10, 10, tzinfo=tz)):
        sections = queries.briefing_sections(november, now=drafted)
        decisions = next(s for s in sections if s.key == "decisions")

        # Then it reads the November meeting's four decisions
        assert decisions.text.startswith("2026年11月重点项目调度会（2026-12-03）交办事项 4 项"), drafted
        assert [row[1] for row in decisions.rows] == [f"第{n}项交办事项" for n in range(1, 5)]
