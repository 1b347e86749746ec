"""Issue 15's done-when, on the demo district: every page a role reaches from its menu reads Chinese — no English
words, period codes, choice values, None/True/False, empty choices or raw floats in what the user reads — and the
points clerks tripped over read as they should, on a desktop and on a 390 × 844 phone.

Text is read with inner_text (the machine running these has no Chinese font). The demo is loaded once per test
(about a minute): both tests below need it whole.
"""

import io
import itertools
import re
import zipfile

import pytest
from django.utils import timezone
from lxml import etree
from playwright.sync_api import expect

from gongjian.assess.models import Run, Score
from gongjian.core.periods import Period
from gongjian.demo.loader import DEMO_PASSWORD, load_demo
from gongjian.lights.models import Light
from gongjian.meetings.models import Meeting
from gongjian.projects.models import Project
from tests.browser.chinese_scan import PUBLIC, ROLES, findings, walk
from tests.factories import photo_bytes

pytestmark = pytest.mark.browser

# What a test here costs, for splitting the suite in CI (tests/conftest.py): the walk of every role's pages takes about three minutes.
SHARD_SECONDS = 90

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
GREEN, YELLOW, RED = "rgb(46, 157, 87)", "rgb(232, 180, 0)", "rgb(217, 48, 37)"


@pytest.fixture
def demo(transactional_db):
    return load_demo()


@pytest.fixture
def open_as(browser, live_server):
    """open_as(username or None, screen) → a page signed in through the login form (None: the public)."""
    contexts = []

    def open_page(username, screen=DESKTOP):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **screen)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            page.goto("/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return page

    yield open_page
    for context in contexts:
        settle(context)
        context.close()


def settle(context) -> None:
    """Let the pages' last requests finish before the context closes: a request still running on the live server
    (a thumbnail, an audited page view) when the test's database is emptied makes the emptying fail."""
    for page in context.pages:
        page.wait_for_load_state("networkidle")


def deeper_pages() -> dict[str, list[str]]:
    """The forms a role opens further than the walk goes from its menu (three clicks and more): the five links'
    actions on a lead, the land ledger's household forms and documents' pages, the office's tables."""
    from gongjian.attraction.models import Lead
    from gongjian.land.models import Household, LawfulPath

    lead = Lead.objects.order_by("pk").first()
    household = Household.objects.filter(signed_on__isnull=True).order_by("pk").first()
    lawful = LawfulPath.objects.order_by("pk").first()
    actions = ["step", "sign", "tranche", "start", "production", "drop", "reserve"]
    return {
        "office": [
            *(f"/attraction/leads/{lead.pk}/{action}/" for action in actions),
            "/attraction/targets/table/",
            "/attraction/targets/",
            "/land/tasks/new/",
            f"/land/tasks/{household.task_id}/edit/",
        ],
        "team": [
            f"/land/households/{household.pk}/edit/",
            f"/land/tasks/{household.task_id}/households/new/",
            f"/land/households/{lawful.household_id}/",
            "/land/lawful/",
        ],
    }


def test_every_page_each_role_reaches_from_its_menu_reads_chinese(demo, open_as, live_server):
    problems, visited = {}, {}
    deeper = deeper_pages()
    for role in [None, *ROLES]:
        page = open_as(role)
        pages = walk(page, live_server.url, start=PUBLIC) if role is None else walk(page, live_server.url)
        if role in deeper:
            pages = itertools.chain(pages, walk(page, live_server.url, depth=0, start=deeper[role]))
        for url, status, text in pages:
            visited.setdefault(role or "public", []).append(url)
            found = findings(text) + ([f"HTTP {status}"] if status >= 400 else [])
            if found:
                problems[f"{role or 'public'} {url.removeprefix(live_server.url)}"] = sorted(set(found))[:8]
        settle(page.context)
        page.context.close()
    # every role was walked, and past its menu into its pages (a walk that stopped at the first page would prove
    # nothing); the system administrator's menu is the admin, walked to its index
    assert set(visited) == {"public", *ROLES}
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
    assert {role: len(urls) >= 2 for role, urls in visited.items() if role != "sysadmin"} == {
        role: True for role in ["public", *ROLES] if role != "sysadmin"
    }, visited
    assert len(visited["office"]) > 30


def test_what_clerks_tripped_over_reads_right_on_a_desktop_and_a_phone(demo, open_as):
    year = timezone.localdate().year
    run = Run.objects.filter(state="published", period_kind="dekad").order_by("-period_code").first()
    red = Light.objects.filter(colour=2, plan_to_date__gt=0).order_by("-period_code").first()
    # the demo's published assessments carry the evaluator's scores, not 0 for everyone
    assert Score.objects.filter(run=run, subject_kind="project", points__evaluation__gt=0).count() == 36

    # the reporter files this period's report with a site photo: the project page shows it
    reporter = open_as("reporter")
    reporter.goto("/reports/")
    reporter.click("#due-table a:text-is('填报')")
    filed = Project.objects.get(pk=int(reporter.url.rstrip("/").split("/")[-2]))
    reporter.fill("#id_amount", "120")
    reporter.fill("#id_progress_percent", "60")
    reporter.fill("#id_progress_text", "主体结构施工至五层")
    reporter.set_input_files(
        "#id_photos", [{"name": "五层.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    reporter.click("button[name=submit]")
    expect(reporter.locator(".messages")).to_contain_text("报告已提交")

    for screen in (DESKTOP, PHONE):
        office = open_as("office", screen)

        # the run list and the ranking: periods in words, the scheme's indicator names, groups in words
        office.goto("/assess/")
        runs = office.locator("#run-table").inner_text()
        assert str(Period.parse(run.period_code)) in runs
        assert [f for f in findings(runs) if f.startswith("period code")] == []
        office.goto(f"/assess/runs/{run.pk}/")
        ranking = office.locator("#ranking")
        expect(ranking.locator("tbody tr").first.locator("td").first).to_have_text("全部")
        if screen is DESKTOP:
            headers = ranking.locator("thead th").all_inner_texts()
            assert headers[4:10] == ["投资完成", "形象进度", "综合评价", "报送", "红灯", "加减分"]
            evaluation = ranking.locator("tbody tr").first.locator("td").nth(6).inner_text()
            assert float(evaluation) > 0
        assert not re.search(
            r"investment|progress|evaluation|red_lights|adjustment|\ball\b", ranking.inner_text()
        )

        # the light page: money in 万元, rates in %, no yuan or raw ratios
        office.goto(f"/lights/projects/{red.project_id}/{red.period_code}/")
        dimensions = office.locator("#dimension-table").inner_text()
        assert re.search(r"序时计划：[\d,]+\.\d\d 万元", dimensions), dimensions
        assert re.search(r"完成率：\d+\.\d%", dimensions), dimensions
        assert not re.search(r"\d\.\d{4,}|\d{7,}", dimensions), dimensions

        # the board's swatches are coloured
        office.goto("/lights/")
        swatches = [
            office.locator(f"#totals .light-{c}").evaluate(
                "e => [getComputedStyle(e).backgroundColor, e.getBoundingClientRect().width]"
            )
            for c in (0, 1, 2)
        ]
        assert [colour for colour, _width in swatches] == [GREEN, YELLOW, RED]
        assert all(width > 5 for _colour, width in swatches)

        # the red-flag board: a legend, a table by period, amounts in 元 with thousands separators
        office.goto(f"/assess/flags/{year}/")
        expect(office.locator("#flag-legend")).to_contain_text("黄牌")
        board = office.locator("#flag-board").inner_text()
        assert re.search(r"\d{1,3}(,\d{3})+", board) and not re.search(r"[🚩■￥]", board)
        by_period = office.locator("#flags-by-period tbody tr")
        expect(by_period.first.locator("td").first).to_have_text(
            re.compile(r"^\d{4}年\d{1,2}月(上旬|中旬|下旬)?$")
        )
        assert re.search(r"\d{1,3},\d{3}元", office.locator("#flags-by-period").inner_text())

        # the office's evaluation status is true: this period's 36 are waiting for the evaluator
        office.goto("/assess/evaluate/")
        expect(office.locator("#missing li")).to_have_count(36)
        expect(office.locator("#missing")).not_to_contain_text("全部已评分")

        # the project list: a light word with its swatch and this year's completion rate
        office.goto("/projects/")
        rows = office.locator("#project-table tbody tr")
        expect(rows).to_have_count(36)
        lights = rows.locator("td.light-cell").all_inner_texts()
        assert set(lights) <= {"绿灯", "黄灯", "红灯"} and len(set(lights)) == 3
        first = rows.first
        colour = first.locator("td.light-cell .light").evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour == {"绿灯": GREEN, "黄灯": YELLOW, "红灯": RED}[lights[0]]
        assert all(re.fullmatch(r"\d+\.\d%", c) for c in rows.locator("td.completion").all_inner_texts())

        # the project page: plan against completion by month, latest reports, site photos, light history
        office.goto(f"/projects/{filed.pk}/")
        plan = office.locator("#plan-and-done")
        expect(plan.locator("thead")).to_contain_text("月完成")
        expect(plan.locator("tbody tr").first).to_contain_text("%")
        latest = office.locator("#latest-reports tbody tr").first
        expect(latest.locator("a")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月(上旬|中旬|下旬)?$"))
        expect(latest).to_contain_text("已提交")
        expect(office.locator("#site-photos li")).to_have_count(1)
        office.locator(
            "#site-photos img"
        ).scroll_into_view_if_needed()  # thumbnails load as they come into view
        office.wait_for_function(
            "() => { const i = document.querySelector('#site-photos img'); return i.complete && i.naturalWidth > 0; }"
        )
        history = office.locator("#light-history tbody tr")
        expect(history.first.locator("td").first).to_have_text(
            re.compile(r"^\d{4}年\d{1,2}月(上旬|中旬|下旬)$")
        )
        assert history.count() >= 30
        assert office.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"] + 1

        # the evaluator's menu item is their scoring form, with every project to score
        evaluator = open_as("evaluator", screen)
        evaluator.click(".mainnav a:text-is('综合评价')")
        expect(evaluator.locator("h1")).to_contain_text("综合评价打分")
        expect(evaluator.locator("#evaluation-form tbody tr")).to_have_count(36)

        # a special meeting chooses its projects on its page
        office.goto("/dispatch/meetings/new/")
        office.select_option("#id_kind", label="专题调度")
        office.fill("#id_title", "新能源项目专题调度会")
        office.fill("#id_held_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        office.select_option("#id_projects", index=[0, 1])
        office.click("#meeting-form button[type=submit]")
        expect(office.locator("#meeting-projects")).to_contain_text("2 个")
        meeting = Meeting.objects.order_by("-pk").first()
        office.click("#meeting-projects summary")
        office.select_option("#projects-form select", index=[0, 1, 2])
        office.click("#projects-form button[type=submit]")
        expect(office.locator("#meeting-projects")).to_contain_text("3 个")
        assert meeting.projects.count() == 3

    # the notice names the GB/T 9704 fonts, each with the fallback a machine without it takes
    notice = office.request.get(
        f"/assess/runs/{Run.objects.filter(state='published').latest('pk').pk}/notice.docx"
    )
    table = etree.fromstring(zipfile.ZipFile(io.BytesIO(notice.body())).read("word/fontTable.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    fonts = {
        f.get(f"{w}name"): (
            f.find(f"{w}altName").get(f"{w}val") if f.find(f"{w}altName") is not None else None
        )
        for f in table.iter(f"{w}font")
    }
    assert {k: fonts.get(k) for k in ("方正小标宋简体", "仿宋_GB2312", "楷体_GB2312")} == {
        "方正小标宋简体": "宋体",
        "仿宋_GB2312": "仿宋",
        "楷体_GB2312": "楷体",
    }
    assert "黑体" in fonts
