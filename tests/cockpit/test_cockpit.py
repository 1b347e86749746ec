"""The cockpit's figures against the database and against the lists they link to, each viewer's scope, the
filters, and what the page says (Chinese, no codes)."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from gongjian.assess.models import Consequence, Run, Scheme, Score
from gongjian.cockpit import queries
from gongjian.core.panels import View
from gongjian.core.periods import Period
from gongjian.lights.models import Case, Light
from gongjian.projects.models import Milestone
from gongjian.reports.models import Report, ReportingPeriod
from tests.factories import ProjectFactory, UnitFactory

TODAY = timezone.localdate()
YEAR = TODAY.year
NOW = Period.dekad_of(TODAY)
PLAN = 10_000_000  # ProjectFactory(plan=True): 1,000 万元 a year


def light(project, period, colour, plan_to_date, done_to_date):
    return Light.objects.create(
        project=project,
        period_code=period.code,
        colour=colour,
        plan_to_date=plan_to_date,
        done_to_date=done_to_date,
        as_of=period.end,
        rule_version=1,
        computed_at=timezone.now(),
        digest="x",
    )


def case(number, owner, *, project=None, kind="light", days_late=3, opened_days_ago=12, state="new"):
    opened = timezone.now() - dt.timedelta(days=opened_days_ago)
    return Case.objects.create(
        kind=kind,
        number=number,
        project=project,
        period_code=NOW.code,
        title="事项",
        owner=owner,
        deadline=TODAY - dt.timedelta(days=days_late),
        opened_at=opened,
        last_action_at=opened,
        state=state,
    )


@pytest.fixture
def district(db, make_user):
    """Unit A (the reporter's) with an industry and a commerce project, unit B with an industry project and an
    archived one; lights now (red, yellow, red, —) and a month ago; cases, milestones, a filing period."""
    a, b = UnitFactory(name="工信局"), UnitFactory(name="住建局")
    year = {"year": YEAR}
    a1 = ProjectFactory(name="电池项目", responsible_unit=a, category="industry", plan=True, **year)
    a2 = ProjectFactory(name="商贸中心", responsible_unit=a, category="commerce", plan=True, **year)
    b1 = ProjectFactory(
        name="机械项目", responsible_unit=b, category="industry", level="city", plan=True, **year
    )
    gone = ProjectFactory(name="已出库项目", responsible_unit=b, plan=True, is_archived=True, **year)
    light(a1, NOW, 2, 6_000_000, 1_000_000)
    light(a2, NOW, 1, 6_000_000, 5_000_000)
    light(b1, NOW, 2, 6_000_000, 2_000_000)
    if NOW.month > 1:
        earlier = Period(YEAR, NOW.month - 1, 3)
        for p, done in ((a1, 500_000), (a2, 3_000_000), (b1, 1_000_000)):
            light(p, earlier, 0, 4_000_000, done)
    case("D-1", a, project=a1, opened_days_ago=20)  # overdue, A, about a red project
    case("D-2", a, project=a1, kind="problem", opened_days_ago=5)  # overdue too
    case("D-3", b, kind="decision")  # a meeting's decision about no project, overdue
    case("D-4", b, project=b1, days_late=-5)  # not overdue
    case("D-5", a, project=a2, state="closed")  # closed
    Milestone.objects.create(project=a1, kind="start", planned_date=TODAY + dt.timedelta(days=10))
    Milestone.objects.create(project=b1, kind="completion", planned_date=TODAY + dt.timedelta(days=40))
    Milestone.objects.create(
        project=a2, kind="production", planned_date=TODAY + dt.timedelta(days=5), actual_date=TODAY
    )
    Milestone.objects.create(project=gone, kind="start", planned_date=TODAY + dt.timedelta(days=3))
    period = ReportingPeriod.objects.create(
        kind="dekad",
        code=NOW.code,
        opens_at=timezone.now() - dt.timedelta(days=1),
        deadline=timezone.now() + dt.timedelta(days=5),
    )
    Report.objects.create(project=a1, period=period, state="submitted", first_submitted_at=timezone.now())
    Report.objects.create(project=b1, period=period, state="draft")
    reporter = make_user("unit_reporter", unit=a, username="reporter")
    office = make_user("project_office", username="office")
    return {
        "a": a,
        "b": b,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "period": period,
        "reporter": reporter,
        "office": office,
    }


def view_for(user, **filters):
    projects, _words = queries.projects_of(user, filters)
    return View(user=user, year=YEAR, today=TODAY, filters=filters, projects=projects)


def test_each_figure_of_the_office_equals_the_database(district):
    view = view_for(district["office"])
    assert queries.project_count(view) == 3  # the archived project is left out
    inv = queries.investment(view)
    assert inv.plan_year == 3 * PLAN
    assert inv.done == 8_000_000 and inv.planned_now == 18_000_000
    assert inv.rate(inv.done) == round(8_000_000 * 100 / (3 * PLAN), 1)
    counts = queries.light_counts(view)
    assert counts[NOW.code] == {0: 0, 1: 1, 2: 2}
    total, reds = queries.red_projects(view)
    assert total == 2
    # the oldest open case first (a1: D-1, 20 days; b1: D-4, 12 days)
    assert [(r.name, r.age_days) for r in reds] == [("电池项目", 20), ("机械项目", 12)]
    due = queries.milestones_due(view)
    assert due.projects == {"start": 1, "completion": 0, "production": 0}
    overdue_total, units = queries.overdue_by_unit(view)
    assert overdue_total == 3
    assert {(u.name, u.counts["light"], u.counts["problem"], u.counts["decision"]) for u in units} == {
        ("工信局", 1, 1, 0),
        ("住建局", 0, 0, 1),
    }
    filing = queries.filing(view)
    assert (filing.period, filing.projects, filing.filed, filing.rate) == (district["period"], 3, 1, 33.3)


def test_a_reporter_sees_only_the_figures_of_their_units_projects(district):
    view = view_for(district["reporter"])
    assert queries.project_count(view) == 2
    assert queries.investment(view).plan_year == 2 * PLAN
    assert queries.light_counts(view)[NOW.code] == {0: 0, 1: 1, 2: 1}
    assert queries.red_projects(view)[0] == 1
    total, units = queries.overdue_by_unit(view)
    assert total == 2 and [u.name for u in units] == ["工信局"]
    assert queries.filing(view).projects == 2


def test_the_filters_narrow_every_figure(district):
    view = view_for(district["office"], category="industry")
    assert queries.project_count(view) == 2
    assert queries.investment(view).done == 3_000_000
    assert queries.light_counts(view)[NOW.code] == {0: 0, 1: 0, 2: 2}
    # with a filter, cases about no project (a meeting's decision) are not counted
    assert queries.overdue_by_unit(view)[0] == 2
    view = view_for(district["office"], level="city")
    assert queries.project_count(view) == 1 and queries.milestones_due(view).projects["start"] == 0


def test_one_category_park_or_region_counts_the_lights_from_the_boards_rows(district):
    from django.db.models import Count

    from gongjian.lights import services as light_services
    from gongjian.org.choices import UnitKind
    from gongjian.projects.models import Project

    park = UnitFactory(name="高新园", kind=UnitKind.PARK)
    Project.objects.filter(pk=district["b1"].pk).update(park=park)
    office = district["office"]
    codes = [p.code for p in queries.year_dekads(view_for(office))]
    light_services.refresh_board(codes)

    def counted(view):
        out = {code: {0: 0, 1: 0, 2: 0} for code in codes}
        for code, colour, n in (
            Light.objects.filter(period_code__in=codes, project__in=view.projects.values("pk"))
            .values_list("period_code", "colour")
            .annotate(n=Count("*"))
        ):
            out[code][colour] = n
        return out

    region = district["a1"].region
    for filters in (
        {"category": "industry"},
        {"category": "commerce"},
        {"park": str(park.pk)},
        {"region": str(region.pk)},
    ):
        view = view_for(office, **filters)
        assert queries._from_board(view, codes) == counted(view), filters
        assert queries.light_counts(view) == counted(view)
    assert queries.light_counts(view_for(office, park=str(park.pk)))[NOW.code] == {0: 0, 1: 0, 2: 1}
    # another filter beside, or an archived project's light still on the board: counted from the lights
    assert queries._from_board(view_for(office, category="industry", level="city"), codes) is None
    light(Project.objects.get(name="已出库项目"), NOW, 2, 0, 0)
    assert queries._from_board(view_for(office, category="industry"), codes) is None


def test_the_latest_published_ranking_of_headquarters_with_flags_and_cards(district):
    scheme = Scheme.objects.create(name="方案", version=1, content={})
    old = Run.objects.create(
        period_code=f"{YEAR}-01-1",
        period_kind="dekad",
        scheme=scheme,
        state="published",
        created_at=timezone.now(),
        published_at=timezone.now() - dt.timedelta(days=30),
    )
    run = Run.objects.create(
        period_code=f"{YEAR}-01-2",
        period_kind="dekad",
        scheme=scheme,
        state="published",
        created_at=timezone.now(),
        published_at=timezone.now(),
    )
    Run.objects.create(
        period_code=f"{YEAR}-01-3",
        period_kind="dekad",
        scheme=scheme,
        state="draft",
        created_at=timezone.now(),
    )
    for r, name, score, rank in (
        (run, "一号指挥部", 95.5, 1),
        (run, "二号指挥部", 80.0, 2),
        (old, "旧", 1, 1),
    ):
        Score.objects.create(
            run=r,
            subject_kind="headquarters",
            subject_id=rank,
            subject_name=name,
            score=score,
            rank=rank,
            group_size=2,
        )
    Consequence.objects.create(
        run=run,
        subject_kind="headquarters",
        subject_id=1,
        subject_name="一号指挥部",
        kind="red_flag",
        reason="第一",
    )
    Consequence.objects.create(
        run=run,
        subject_kind="headquarters",
        subject_id=2,
        subject_name="二号指挥部",
        kind="yellow_card",
        reason="末位",
    )
    Case.objects.filter(number="D-4").update(state="closed")  # b1 red with no open case: listed first
    _total, reds = queries.red_projects(view_for(district["office"]))
    assert [(r.name, r.age_days) for r in reds] == [("机械项目", None), ("电池项目", 20)]
    ranking = queries.ranking(view_for(district["office"]))
    assert ranking.run == run
    assert [(r["name"], r["rank"], [m["label"] for m in r["marks"]]) for r in ranking.rows] == [
        ("一号指挥部", 1, ["红旗"]),
        ("二号指挥部", 2, ["黄牌"]),
    ]


def _count_behind(client, link):
    """The count the list behind a link shows."""
    response = client.get(link)
    assert response.status_code == 200, link
    path = urlsplit(link).path
    if path == "/projects/":
        return response.context["paginator"].count
    if path == "/lights/cases/":
        return response.context["page"].paginator.count
    return response.context["totals"]


def test_every_figure_links_to_a_list_with_the_same_count(district, client):
    client.force_login(district["office"])
    for query in ("", "?category=industry"):
        page = client.get(f"/cockpit/{query}")
        assert page.status_code == 200
        panels = {p["panel"].key: p["data"] for p in page.context["panels"]}
        # the projects counted, and the year's plan as the project list totals it
        link = page.context["projects_link"]
        assert _count_behind(client, link) == page.context["projects"]
        listed = client.get(panels["investment"]["plan_link"])
        assert listed.context["paginator"].count == page.context["projects"]
        assert (
            listed.context["totals"]["plan"]
            == queries.investment(
                view_for(district["office"], **({"category": "industry"} if query else {}))
            ).plan_year
        )
        for light_count in panels["lights"]["counts"]:
            assert _count_behind(client, light_count["link"]) == light_count["n"], light_count
        assert _count_behind(client, panels["red"]["link"]) == panels["red"]["total"]
        for kind in panels["milestones"]["counts"]:
            assert _count_behind(client, kind["link"]) == kind["n"], kind
        assert _count_behind(client, panels["overdue"]["link"]) == panels["overdue"]["total"]
        for unit in panels["overdue"]["units"]:
            assert _count_behind(client, unit["link"]) == unit["total"]
            for kind in unit["kinds"]:
                assert _count_behind(client, kind["link"]) == kind["n"]
        totals = _count_behind(client, panels["filing"]["link"])
        assert (totals["projects"], totals["filed"]) == (
            panels["filing"]["projects"],
            panels["filing"]["filed"],
        )


def test_a_reporters_cockpit_shows_their_projects_only(district, client):
    client.force_login(district["reporter"])
    page = client.get("/cockpit/")
    assert page.status_code == 200 and page.context["projects"] == 2
    text = page.content.decode()
    assert "电池项目" in text and "机械项目" not in text
    assert "ranking" not in {p["panel"].key for p in page.context["panels"]}  # no assess.view_run


def test_bad_filters_are_said_at_the_field(district, client):
    client.force_login(district["office"])
    page = client.get("/cockpit/?year=abc&category=zzz&region=999999")
    assert page.status_code == 400
    text = page.content.decode()
    assert "请填写四位年份" in text and "没有这个选项" in text


def test_the_menu_links_to_the_cockpit_and_the_wall_screen_refreshes_itself(district, client):
    client.force_login(district["reporter"])
    assert 'href="/cockpit/"' in client.get("/projects/").content.decode()
    screen = client.get("/cockpit/screen/?category=industry")
    assert screen.status_code == 200
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', screen.content.decode())
    assert 'class="dark screen"' in screen.content.decode()


def visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<(select|noscript)[^>]*name=\"language\".*?</select>", " ", html, flags=re.S)
    html = re.sub(r"<noscript>.*?</noscript>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_page_reads_in_chinese_without_codes(district, client):
    client.force_login(district["office"])
    for url in ("/cockpit/", "/cockpit/screen/"):
        text = visible_text(client.get(url).content.decode())
        words = set(re.findall(r"[A-Za-z_]{3,}", text))
        assert not words, words
        assert not re.search(r"\b\d{4}-\d{1,2}-[123]\b", text)  # a period's code, not 2026年12月上旬
        assert str(NOW) in text


def test_the_wall_screen_puts_its_panels_in_turns_of_two_rows():
    from types import SimpleNamespace

    from gongjian.cockpit.views import SCREEN_CELLS, screens

    def panel(key, wide=False):
        return {"panel": SimpleNamespace(key=key, wide=wide)}

    panels = [
        panel("a", True),
        panel("b"),
        panel("c"),
        panel("d", True),
        panel("e", True),
        panel("f"),
        panel("g"),
    ]
    turns = [[p["panel"].key for p in turn] for turn in screens(panels)]
    assert turns == [["a", "b", "c", "d", "e"], ["f", "g"]] and SCREEN_CELLS == 8
    assert screens([]) == [] and [[p["panel"].key for p in t] for t in screens(panels[:2])] == [["a", "b"]]
