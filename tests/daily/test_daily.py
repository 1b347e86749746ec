"""The service teams' daily cycle (每天一调度、一总结、一部署、一汇报): filing and correcting a day's report, deploying
tasks, the day's board and a team's summary — the services on the database, the pages through the client and the
API on a throwaway NinjaAPI with the project's error handlers."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja import NinjaAPI
from ninja.testing import TestClient

from gongjian.core.models import AuditEvent, Notification
from gongjian.daily import services as daily
from gongjian.daily.api import router
from gongjian.daily.models import DailyReport, DailyTask
from gongjian.org.choices import UnitKind
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

TODAY = daily.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


def report_data(**overrides):
    return {
        "done": "入户走访 12 户，签约 3 户",
        "households_signed": 3,
        "buildings_demolished": 2,
        "problems_solved": 1,
        "plan": "继续入户",
        "needs": "",
        **overrides,
    }


@pytest.fixture
def site(make_user):
    """杏山子园指挥部 with two teams, 泰山街道 with one; a member of the first team, the headquarters' and the
    street's staff."""
    hq = UnitFactory(name="杏山子园指挥部", kind=UnitKind.HEADQUARTERS)
    street = UnitFactory(name="泰山街道", kind=UnitKind.STREET)
    xing = UnitFactory(name="杏山子工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    han = UnitFactory(name="韩山工作队", kind=UnitKind.SERVICE_TEAM, parent=hq)
    zhu = UnitFactory(name="小珠山工作队", kind=UnitKind.SERVICE_TEAM, parent=street)
    UnitFactory(name="已撤销工作队", kind=UnitKind.SERVICE_TEAM, parent=hq, is_active=False)
    return {
        "hq": hq,
        "street": street,
        "xing": xing,
        "han": han,
        "zhu": zhu,
        "member": make_user("service_team", unit=xing, username="duiyuan"),
        "han_member": make_user("service_team", unit=han, username="hanshan"),
        "hq_user": make_user("unit_reporter", unit=hq, username="zhihuibu"),
        "street_user": make_user("unit_reporter", unit=street, username="jiedao"),
    }


# -- who sees which teams ------------------------------------------------------------------------------------------


def test_each_user_sees_their_own_team_the_teams_under_their_unit_or_all(site, office_user, make_user):
    names = lambda user: {t.name for t in daily.teams_for(user)}  # noqa: E731
    assert names(site["member"]) == {"杏山子工作队"}
    assert names(site["hq_user"]) == {"杏山子工作队", "韩山工作队"}
    assert names(site["street_user"]) == {"小珠山工作队"}
    assert (
        names(office_user)
        == names(make_user("principal_leader"))
        == {"杏山子工作队", "韩山工作队", "小珠山工作队"}
    )
    assert names(make_user("unit_reporter", unit=UnitFactory(name="工信局"))) == set()
    assert names(make_user("evaluator", unit=site["hq"])) == set()  # no permission to read the days


# -- filing --------------------------------------------------------------------------------------------------------


def test_a_member_files_the_days_report_and_corrects_it_with_the_change_audited(site):
    member, team = site["member"], site["xing"]
    report = daily.file_report(team, TODAY, report_data(), actor=member)
    assert (report.done, report.households_signed, report.filed_by) == (
        "入户走访 12 户，签约 3 户",
        3,
        member,
    )
    created = AuditEvent.objects.get(action="daily_report.create")
    assert created.after["households_signed"] == 3 and created.object_id == str(report.pk)

    corrected = daily.file_report(
        team,
        TODAY,
        report_data(households_signed="4", buildings_demolished=""),
        actor=member,
        expected_version=report.version,
    )
    assert corrected.pk == report.pk and DailyReport.objects.count() == 1
    assert (corrected.households_signed, corrected.buildings_demolished) == (4, 0)
    updated = AuditEvent.objects.get(action="daily_report.update")
    assert updated.before == {"buildings_demolished": 2, "households_signed": 3}
    assert updated.after == {"buildings_demolished": 0, "households_signed": 4}


def test_a_report_may_be_filed_up_to_three_days_back_but_not_for_tomorrow(site):
    member, team = site["member"], site["xing"]
    assert daily.file_report(team, TODAY - dt.timedelta(days=3), report_data(), actor=member).pk
    with pytest.raises(ValidationError) as late:
        daily.file_report(team, TODAY - dt.timedelta(days=4), report_data(), actor=member)
    message = late.value.message_dict["day"][0]
    assert (
        "最近 3 天" in message
        and (TODAY - dt.timedelta(days=3)).isoformat() in message
        and "项目办" in message
    )
    with pytest.raises(ValidationError) as future:
        daily.file_report(team, TOMORROW, report_data(), actor=member)
    assert "今天以后" in future.value.message_dict["day"][0]


def test_a_report_needs_what_was_done_and_figures_that_are_whole_and_not_negative(site):
    with pytest.raises(ValidationError) as exc:
        daily.file_report(
            site["xing"],
            TODAY,
            report_data(done="  ", households_signed=-1, buildings_demolished="两处"),
            actor=site["member"],
        )
    errors = exc.value.message_dict
    assert set(errors) == {"done", "households_signed", "buildings_demolished"}
    assert "不能为负数" in errors["households_signed"][0] and "整数" in errors["buildings_demolished"][0]
    assert (
        not DailyReport.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="daily").exists()
    )


def test_only_the_teams_members_or_the_office_file_its_report(site, office_user):
    for stranger in (site["hq_user"], site["han_member"]):
        with pytest.raises(PermissionDenied):
            daily.file_report(site["xing"], TODAY, report_data(), actor=stranger)
    assert daily.file_report(site["xing"], TODAY, report_data(), actor=office_user).filed_by == office_user
    with pytest.raises(ValidationError) as exc:
        daily.file_report(site["hq"], TODAY, report_data(), actor=office_user)
    assert "team" in exc.value.message_dict


def test_what_a_team_needs_is_sent_to_its_headquarters_once(site):
    first = daily.file_report(
        site["xing"], TODAY, report_data(needs="李家拒签，请协调司法所"), actor=site["member"]
    )
    daily.file_report(
        site["xing"],
        TODAY,
        report_data(needs="李家拒签，请协调司法所", plan="改"),
        actor=site["member"],
        expected_version=first.version,
    )
    [note] = Notification.objects.filter(user=site["hq_user"], url__startswith="/dispatch/daily/")
    assert "杏山子工作队" in note.title and note.body == "李家拒签，请协调司法所"
    assert note.url == f"/dispatch/daily/?day={TODAY.isoformat()}"
    assert not Notification.objects.filter(user=site["street_user"]).exists()
    assert not Notification.objects.filter(user=site["member"], url__startswith="/dispatch/daily/").exists()


# -- deploying -----------------------------------------------------------------------------------------------------


def test_the_headquarters_deploys_tomorrows_tasks_and_the_team_is_told(site):
    tasks = daily.deploy(site["xing"], TOMORROW, "拆除李家老宅\n\n  约谈王家  \n", actor=site["hq_user"])
    assert [t.text for t in tasks] == ["拆除李家老宅", "约谈王家"]
    assert AuditEvent.objects.filter(action="daily_task.create").count() == 2
    [note] = Notification.objects.filter(user=site["member"])
    assert note.body == "1. 拆除李家老宅\n2. 约谈王家" and TOMORROW.isoformat() in note.title
    assert (
        note.url == "/dispatch/daily/"
    )  # the member's own page, which lists tomorrow's tasks under the form
    assert not Notification.objects.filter(user=site["han_member"]).exists()

    # the same list sent again (a double tap) adds only what is new
    again = daily.deploy(site["xing"], TOMORROW, ["拆除李家老宅", "清运建筑垃圾"], actor=site["hq_user"])
    assert [t.text for t in again] == ["清运建筑垃圾"] and DailyTask.objects.count() == 3


def test_tasks_are_deployed_for_today_or_later_by_the_teams_headquarters_or_the_office(site, office_user):
    with pytest.raises(ValidationError) as past:
        daily.deploy(site["xing"], YESTERDAY, "补做", actor=site["hq_user"])
    assert "day" in past.value.message_dict
    with pytest.raises(ValidationError) as empty:
        daily.deploy(site["xing"], TOMORROW, "\n  \n", actor=site["hq_user"])
    assert "texts" in empty.value.message_dict
    with pytest.raises(ValidationError) as long:
        daily.deploy(site["xing"], TOMORROW, "短\n" + "长" * 301, actor=site["hq_user"])
    assert "第 2 条" in long.value.message_dict["texts"][0]
    for outsider in (site["member"], site["street_user"]):
        with pytest.raises(PermissionDenied):
            daily.deploy(site["xing"], TOMORROW, "越权部署", actor=outsider)
    assert daily.deploy(site["zhu"], TODAY, "今日补充任务", actor=office_user)
    assert not DailyTask.objects.exclude(team=site["zhu"]).exists()


# -- reading -------------------------------------------------------------------------------------------------------


def test_the_board_shows_each_teams_report_or_none_its_tasks_and_the_totals(site):
    member, hq_user = site["member"], site["hq_user"]
    daily.file_report(site["xing"], YESTERDAY, report_data(households_signed=5), actor=member)
    daily.file_report(site["xing"], TODAY, report_data(), actor=member)
    daily.file_report(
        site["han"],
        YESTERDAY,
        report_data(households_signed=2, buildings_demolished=1, problems_solved=0),
        actor=site["han_member"],
    )
    daily.deploy(site["xing"], TODAY, "今日任务", actor=hq_user)
    daily.deploy(site["han"], TOMORROW, "明日任务", actor=hq_user)

    board = daily.board(TODAY, daily.teams_for(hq_user))
    xing, han = board.rows
    assert (xing.team.name, han.team.name) == ("杏山子工作队", "韩山工作队")
    assert xing.report.households_signed == 3 and han.report is None
    assert [row.team.name for row in board.missing] == ["韩山工作队"]
    assert [t.text for t in xing.tasks] == ["今日任务"] and xing.next_tasks == []
    assert han.tasks == [] and [t.text for t in han.next_tasks] == ["明日任务"]
    assert board.totals == {"households_signed": 3, "buildings_demolished": 2, "problems_solved": 1}
    assert xing.cumulative == {"households_signed": 8, "buildings_demolished": 4, "problems_solved": 2}
    assert board.cumulative == {"households_signed": 10, "buildings_demolished": 5, "problems_solved": 2}


def test_the_board_takes_the_same_queries_for_three_teams_as_for_thirty(site, office_user):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            board = daily.board(TODAY, daily.teams_for(office_user))
            [(row.report and row.report.filed_by, row.team.parent) for row in board.rows]
        return len(queries)

    # one team has filed (its photos are read in one query, whatever the count)
    daily.file_report(site["xing"], TODAY, report_data(), actor=office_user)
    count()  # the user's permissions are cached from then on
    few = count()
    for i in range(27):
        team = UnitFactory(name=f"工作队{i}", kind=UnitKind.SERVICE_TEAM, parent=site["hq"])
        daily.file_report(team, TODAY, report_data(), actor=office_user)
        daily.deploy(team, TOMORROW, "任务", actor=office_user)
    assert count() == few


def test_a_teams_summary_adds_up_its_days_and_names_the_missing_ones(site):
    member, team = site["member"], site["xing"]
    DailyReport.objects.create(
        team=team,
        day=TODAY - dt.timedelta(days=40),
        done="早期",
        households_signed=10,
        filed_at=dt.datetime.now(dt.UTC),
    )
    daily.file_report(team, TODAY - dt.timedelta(days=2), report_data(households_signed=2), actor=member)
    daily.file_report(team, TODAY, report_data(needs="需要挖掘机"), actor=member)
    daily.deploy(team, TODAY, "今日任务", actor=site["hq_user"])

    summary = daily.summary(team, TODAY - dt.timedelta(days=3), TOMORROW)
    assert [d.day for d in summary.days] == [
        TODAY - dt.timedelta(days=n) for n in (3, 2, 1, 0)
    ]  # not tomorrow
    assert summary.missing == [TODAY - dt.timedelta(days=3), YESTERDAY] and summary.filed == 2
    assert [d.cumulative["households_signed"] for d in summary.days] == [10, 12, 12, 15]
    assert summary.totals["households_signed"] == 5 and summary.cumulative["households_signed"] == 15
    last = summary.days[-1]
    assert last.report.needs == "需要挖掘机" and [t.text for t in last.tasks] == ["今日任务"]
    assert summary.days[0].figures == daily.zero_figures()
    with pytest.raises(ValidationError):
        daily.summary(team, TODAY, YESTERDAY)


# -- pages ---------------------------------------------------------------------------------------------------------


def test_a_member_gets_todays_form_with_the_deployed_tasks_and_files_it(client, site):
    daily.deploy(site["xing"], TODAY, "拆除李家老宅", actor=site["hq_user"])
    client.force_login(site["member"])
    html = client.get("/dispatch/daily/").content.decode()
    assert "今日日报" in html and "杏山子工作队" in html and "拆除李家老宅" in html
    form = html[html.index('id="daily-form"') : html.index("</form>", html.index('id="daily-form"'))]
    assert form.count('inputmode="numeric"') == 3 and form.count('type="submit"') == 1
    assert html.index("拆除李家老宅") < html.index('id="daily-form"')

    response = client.post(
        "/dispatch/daily/",
        {
            "team": site["xing"].pk,
            "day": TODAY.isoformat(),
            "done": "签约 3 户",
            "households_signed": "3",
            "buildings_demolished": "",
            "problems_solved": "1",
            "plan": "继续",
            "needs": "",
            "action": "file",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/dispatch/daily/"
    report = DailyReport.objects.get()
    assert (report.households_signed, report.buildings_demolished, report.day) == (3, 0, TODAY)
    html = client.get("/dispatch/daily/").content.decode()
    assert "更正日报" in html and "签约 3 户</textarea>" in html and 'value="3"' in html


def test_a_refused_report_keeps_what_was_typed(client, site):
    client.force_login(site["member"])
    response = client.post(
        "/dispatch/daily/",
        {
            "team": site["xing"].pk,
            "day": TODAY.isoformat(),
            "done": "",
            "households_signed": "2",
            "plan": "明天拆两处",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "请填写今日完成情况" in html
    assert "明天拆两处</textarea>" in html and 'value="2"' in html and not DailyReport.objects.exists()
    too_old = client.post(
        "/dispatch/daily/",
        {"team": site["xing"].pk, "day": (TODAY - dt.timedelta(days=5)).isoformat(), "done": "补"},
    )
    assert too_old.status_code == 200 and "已超过期限" in too_old.content.decode()
    assert not DailyReport.objects.exists()


def test_a_member_cannot_file_or_read_another_teams_days(client, site):
    client.force_login(site["member"])
    assert client.get(f"/dispatch/daily/teams/{site['han'].pk}/").status_code == 404
    assert client.get(f"/dispatch/daily/?team={site['han'].pk}").status_code == 404
    assert client.post("/dispatch/daily/", {"team": site["han"].pk, "done": "冒名"}).status_code == 404
    assert (
        client.post(
            "/dispatch/daily/", {"action": "deploy", "team": site["xing"].pk, "texts": "自己给自己派活"}
        ).status_code
        == 403
    )
    assert client.get(f"/dispatch/daily/export.xlsx?team={site['han'].pk}").status_code == 404
    assert not DailyReport.objects.exists() and not DailyTask.objects.exists()


def test_a_user_without_the_daily_permission_is_refused(client, make_user):
    client.force_login(make_user("evaluator"))
    assert client.get("/dispatch/daily/").status_code == 403
    assert client.get("/dispatch/daily/export.xlsx").status_code == 403


def test_the_headquarters_board_shows_who_has_not_filed_and_deploys_tomorrow(client, site):
    daily.file_report(site["xing"], TODAY, report_data(needs="李家拒签"), actor=site["member"])
    client.force_login(site["hq_user"])
    html = client.get("/dispatch/daily/").content.decode()
    assert "工作队日报" in html and "小珠山工作队" not in html
    missing = html[html.index('id="daily-missing"') :]
    assert "韩山工作队" in missing[:300] and "杏山子工作队" not in missing[:300]
    assert "李家拒签" in html and 'id="deploy-forms"' in html

    response = client.post(
        "/dispatch/daily/",
        {
            "action": "deploy",
            "team": site["han"].pk,
            "day": TOMORROW.isoformat(),
            "board_day": TODAY.isoformat(),
            "texts": "拆除张家\n约谈王家",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/dispatch/daily/?day={TODAY.isoformat()}"
    assert list(DailyTask.objects.filter(team=site["han"], day=TOMORROW).values_list("text", flat=True)) == [
        "拆除张家",
        "约谈王家",
    ]
    too_long = client.post(
        "/dispatch/daily/",
        {
            "action": "deploy",
            "team": site["han"].pk,
            "day": TOMORROW.isoformat(),
            "board_day": TODAY.isoformat(),
            "texts": "长" * 301,
        },
    )
    assert too_long.status_code == 200 and "长" * 301 + "</textarea>" in too_long.content.decode()
    assert (
        client.post(
            "/dispatch/daily/", {"action": "deploy", "team": site["zhu"].pk, "texts": "别人的队"}
        ).status_code
        == 404
    )
    # the headquarters reads a team's day but does not file it
    assert client.post("/dispatch/daily/", {"team": site["han"].pk, "done": "代报"}).status_code == 403
    assert client.get(f"/dispatch/daily/?team={site['han'].pk}")["Location"] == (
        f"/dispatch/daily/teams/{site['han'].pk}/"
    )
    assert not DailyReport.objects.filter(team=site["han"]).exists()


def test_an_old_board_shows_the_day_asked_for_and_no_deploy_form(client, site):
    daily.file_report(site["xing"], YESTERDAY - dt.timedelta(days=1), report_data(), actor=site["member"])
    client.force_login(site["hq_user"])
    day = YESTERDAY - dt.timedelta(days=1)
    html = client.get(f"/dispatch/daily/?day={day.isoformat()}").content.decode()
    assert day.isoformat() in html and 'id="deploy-forms"' not in html
    assert "无法识别的日期" in client.get("/dispatch/daily/?day=昨天", follow=True).content.decode()


def test_the_board_page_takes_the_same_queries_however_many_teams(client, site, office_user):
    client.force_login(office_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dispatch/daily/").status_code == 200
        return len(queries)

    daily.file_report(site["xing"], TODAY, report_data(), actor=office_user)
    few = count()
    for i in range(10):
        team = UnitFactory(name=f"工作队{i}", kind=UnitKind.SERVICE_TEAM, parent=site["hq"])
        daily.file_report(team, TODAY, report_data(needs="协调"), actor=office_user)
        daily.deploy(team, TOMORROW, "任务", actor=office_user)
    assert count() == few


def test_the_team_page_lists_the_days_with_running_totals(client, site):
    daily.file_report(
        site["xing"], TODAY - dt.timedelta(days=2), report_data(households_signed=2), actor=site["member"]
    )
    daily.file_report(site["xing"], TODAY, report_data(), actor=site["member"])
    client.force_login(site["hq_user"])
    start = (TODAY - dt.timedelta(days=2)).isoformat()
    html = client.get(
        f"/dispatch/daily/teams/{site['xing'].pk}/?start={start}&end={TODAY.isoformat()}"
    ).content.decode()
    assert 'data-filed="0"' in html and html.count('data-filed="1"') == 2
    assert "summary-missing" in html and YESTERDAY.strftime("%m-%d") in html
    totals = html[html.index('id="summary-totals"') : html.index('id="summary-days"')]
    assert ">5<" in totals  # households signed over the three days and since the start
    # the default range is the last 30 days
    assert client.get(f"/dispatch/daily/teams/{site['xing'].pk}/").context["summary"].start == (
        TODAY - dt.timedelta(days=29)
    )


def test_the_board_and_a_teams_summary_export_to_excel(client, site):
    daily.file_report(site["xing"], TODAY, report_data(needs="协调"), actor=site["member"])
    client.force_login(site["hq_user"])
    response = client.get(f"/dispatch/daily/export.xlsx?day={TODAY.isoformat()}")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:6] == ("工作队", "上级单位", "状态", "签约户数", "拆除房屋", "解决问题")
    assert [r[:4] for r in rows[1:3]] == [
        ("杏山子工作队", "杏山子园指挥部", "已报", 3),
        ("韩山工作队", "杏山子园指挥部", "未报", 0),
    ]
    assert rows[3][:4] == ("合计", None, "已报 1 / 2", 3)

    response = client.get(f"/dispatch/daily/export.xlsx?team={site['xing'].pk}")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:3] == ("日期", "状态", "签约户数") and len(rows) == 31
    assert rows[1][:3] == (TODAY.isoformat(), "已报", 3) and rows[2][1] == "未报"


# -- API -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def api():
    """The router on a throwaway API that answers errors as /api/v1/ does (same handlers)."""
    from gongjian.api.core import api as real

    throwaway = NinjaAPI(urls_namespace="daily-test")
    for exc_class, handler in real._exception_handlers.items():
        throwaway.add_exception_handler(exc_class, handler)
    throwaway.add_router("/", router)
    return TestClient(throwaway)


def test_the_api_files_a_report_reads_the_board_and_the_summary(api, site):
    member, hq_user = site["member"], site["hq_user"]
    created = api.post(
        "/daily", json={"team_id": site["xing"].pk, "done": "签约 3 户", "households_signed": 3}, user=member
    )
    assert created.status_code == 201, created.content
    assert created.json()["day"] == TODAY.isoformat() and created.json()["filed_by"] == member.display_name
    corrected = api.post(
        "/daily",
        json={
            "team_id": site["xing"].pk,
            "done": "签约 4 户",
            "households_signed": 4,
            "version": created.json()["version"],
        },
        user=member,
    )
    assert corrected.status_code == 200 and corrected.json()["id"] == created.json()["id"]

    board = api.get(f"/daily?day={TODAY.isoformat()}", user=hq_user).json()
    assert (board["teams"], board["filed"], board["missing"]) == (2, 1, ["韩山工作队"])
    assert board["totals"]["households_signed"] == 4 and board["items"][1]["report"] is None
    only = api.get(f"/daily?team={site['han'].pk}", user=hq_user).json()
    assert [item["team"] for item in only["items"]] == ["韩山工作队"]

    summary = api.get(f"/daily/teams/{site['xing'].pk}?start={YESTERDAY.isoformat()}", user=hq_user).json()
    assert [d["filed"] for d in summary["days"]] == [False, True]
    assert summary["missing"] == [YESTERDAY.isoformat()] and summary["cumulative"]["households_signed"] == 4


def test_the_api_deploys_tasks_for_tomorrow_by_default(api, site):
    response = api.post(
        "/daily/tasks",
        json={"team_id": site["xing"].pk, "tasks": ["拆除李家", "约谈王家"]},
        user=site["hq_user"],
    )
    assert response.status_code == 201 and [t["day"] for t in response.json()] == [TOMORROW.isoformat()] * 2
    board = api.get("/daily", user=site["member"]).json()
    assert [t["text"] for t in board["items"][0]["next_tasks"]] == ["拆除李家", "约谈王家"]


def test_the_api_answers_errors_with_their_fields_and_refuses_outside_the_reach(api, site):
    invalid = api.post(
        "/daily",
        json={"team_id": site["xing"].pk, "done": "", "problems_solved": -1, "day": TOMORROW.isoformat()},
        user=site["member"],
    )
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid"
    assert {e["field"] for e in invalid.json()["errors"]} == {"done", "problems_solved", "day"}
    assert api.get("/daily?day=昨天", user=site["member"]).json()["errors"][0]["field"] == "day"
    assert (
        api.post("/daily", json={"team_id": site["han"].pk, "done": "冒名"}, user=site["member"]).status_code
        == 404
    )
    assert api.get(f"/daily/teams/{site['zhu'].pk}", user=site["hq_user"]).status_code == 404
    forbidden = api.post(
        "/daily/tasks", json={"team_id": site["xing"].pk, "tasks": ["越权"]}, user=site["member"]
    )
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert api.get("/daily/teams/999999", user=site["hq_user"]).status_code == 404


@pytest.mark.parametrize("query", ["day=9999-12-31", "day=0001-01-01", "day=1999-12-31"])
def test_a_board_day_outside_2000_to_2100_answers_422_not_a_server_error(api, site, query):
    response = api.get(f"/daily?{query}", user=site["hq_user"])
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "day", "message": "日期须在 2000-01-01 至 2100-12-31 之间。"}
    ]


def test_a_summary_from_or_to_a_day_outside_the_range_answers_422(api, site):
    for query, field in (("start=0001-01-01", "start"), ("end=9999-12-31", "end")):
        response = api.get(f"/daily/teams/{site['xing'].pk}?{query}", user=site["hq_user"])
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


def test_a_days_report_with_a_day_or_a_count_out_of_range_answers_422_and_saves_nothing(api, site):
    for extra, field in (
        ({"day": "9999-12-31"}, "body.payload.day"),
        ({"households_signed": 2**31}, "households_signed"),
    ):
        response = api.post(
            "/daily", json={"team_id": site["xing"].pk, "done": "签约", **extra}, user=site["member"]
        )
        assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == [field]
    tasks = api.post(
        "/daily/tasks",
        json={"team_id": site["xing"].pk, "day": "9999-12-31", "tasks": ["拆除"]},
        user=site["hq_user"],
    )
    assert tasks.status_code == 422 and not DailyTask.objects.exists() and not DailyReport.objects.exists()


def test_the_board_page_shows_today_and_says_so_for_a_day_it_cannot_show(client, site):
    client.force_login(site["hq_user"])
    for day in ("9999-12-31", "0001-01-01"):
        response = client.get(f"/dispatch/daily/?day={day}")
        assert (
            response.status_code == 200
            and "日期须在 2000-01-01 至 2100-12-31 之间" in response.content.decode()
        )


# -- the filing page's status line and the day's photos -----------------------------------------------------------


def test_a_report_nobody_signed_reads_without_empty_brackets(client, site):
    # Given today's report filed without an account behind it (entered for the team, or the demo's)
    DailyReport.objects.create(
        team=site["xing"], day=TODAY, done="入户走访", filed_at=dt.datetime.now(dt.UTC), filed_by=None
    )
    client.force_login(site["member"])

    status = client.get("/dispatch/daily/").content.decode().split('id="daily-status"')[1].split("</p>")[0]

    assert "提交，可修改后重新提交" in status and "（）" not in status


def test_a_report_names_who_filed_it(client, site):
    daily.file_report(site["xing"], TODAY, report_data(), actor=site["member"])
    client.force_login(site["member"])

    status = client.get("/dispatch/daily/").content.decode().split('id="daily-status"')[1].split("</p>")[0]

    assert f"提交（{site['member'].display_name}），可修改后重新提交" in status


def _jpeg(name="现场.jpg", **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import photo_bytes

    taken = TODAY.strftime("%Y:%m:%d") + " 10:30:00"
    return SimpleUploadedFile(name, photo_bytes(taken=taken, **kwargs), content_type="image/jpeg")


def _filing(site, **overrides):
    return {
        "team": site["xing"].pk,
        "day": TODAY.isoformat(),
        "done": "入户走访 12 户",
        "households_signed": "3",
        "action": "file",
        **overrides,
    }


def test_a_member_files_the_day_with_photos_and_the_team_and_headquarters_see_them(client, site):
    client.force_login(site["member"])

    response = client.post(
        "/dispatch/daily/", _filing(site, photos=[_jpeg(), _jpeg("拆除.jpg", colour="red")])
    )

    assert response.status_code == 302
    report = DailyReport.objects.get()
    photos = list(report.photos.order_by("original_name"))
    assert [p.original_name for p in photos] == ["拆除.jpg", "现场.jpg"]
    assert all(p.flags == [] and p.taken_at is not None for p in photos)  # taken that day, where it says
    assert AuditEvent.objects.filter(action="daily_report.photo.add").count() == 2
    page = client.get("/dispatch/daily/").content.decode()
    assert (
        f"/dispatch/daily/photos/{photos[0].pk}/thumbnail/" in page
        and 'enctype="multipart/form-data"' in page
    )
    shown = client.get(f"/dispatch/daily/photos/{photos[0].pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    # the headquarters reads them on its board and the team's days
    client.force_login(site["hq_user"])
    assert (
        f"/dispatch/daily/photos/{photos[0].pk}/thumbnail/" in client.get("/dispatch/daily/").content.decode()
    )
    team_page = client.get(f"/dispatch/daily/teams/{site['xing'].pk}/").content.decode()
    assert f"/dispatch/daily/photos/{photos[1].pk}/thumbnail/" in team_page
    # another team's member does not
    client.force_login(site["han_member"])
    assert client.get(f"/dispatch/daily/photos/{photos[0].pk}/").status_code == 404


def test_a_photo_taken_days_before_is_flagged_not_refused(site):
    report = daily.file_report(site["xing"], TODAY, report_data(), actor=site["member"])
    old = (TODAY - dt.timedelta(days=10)).strftime("%Y:%m:%d") + " 10:30:00"
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import photo_bytes

    upload = SimpleUploadedFile("旧照.jpg", photo_bytes(taken=old), content_type="image/jpeg")
    [photo] = daily.add_photos(report, [upload], actor=site["member"], expected_version=report.version)

    assert [f["code"] for f in photo.flags] == ["taken_before_period"]


def test_a_file_that_is_not_a_photo_is_refused_at_the_field_and_nothing_is_filed(client, site):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(site["member"])
    fake = SimpleUploadedFile("报表.jpg", b"not a picture at all", content_type="image/jpeg")

    response = client.post("/dispatch/daily/", _filing(site, plan="明天拆两处", photos=[fake]))

    html = response.content.decode()
    field = html.split('id="daily-photos-field"')[1].split("</div>\n  <button")[0]
    assert "报表.jpg" in field and 'class="errorlist"' in field
    assert "明天拆两处</textarea>" in html and not DailyReport.objects.exists()


def test_the_photo_limit_comes_from_the_settings_and_a_refused_upload_files_nothing(client, site, settings):
    settings.GONGJIAN_PHOTOS_PER_REPORT = 1
    client.force_login(site["member"])

    response = client.post("/dispatch/daily/", _filing(site, photos=[_jpeg(), _jpeg("二.jpg", colour="red")]))

    html = response.content.decode()
    assert "每份日报最多 1 张照片" in html.split('id="daily-photos-field"')[1]
    assert (
        not DailyReport.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="daily").exists()
    )


def test_a_member_takes_a_photo_off_the_days_report(client, site):
    report = daily.file_report(site["xing"], TODAY, report_data(), actor=site["member"])
    [photo] = daily.add_photos(report, [_jpeg()], actor=site["member"], expected_version=report.version)
    client.force_login(site["member"])

    response = client.post(
        "/dispatch/daily/", _filing(site, version=str(report.version), remove=[str(photo.pk)])
    )

    assert response.status_code == 302 and not DailyReport.objects.get().photos.exists()
    assert AuditEvent.objects.filter(action="daily_report.photo.remove").count() == 1


# -- problems become cases -----------------------------------------------------------------------------------------


def test_each_problem_a_team_asks_to_coordinate_opens_one_case_for_its_headquarters(site, office_user):
    from gongjian.lights.choices import CaseKind, CaseState
    from gongjian.lights.models import Case
    from gongjian.lights.services import cases

    first = daily.file_report(
        site["xing"],
        TODAY,
        report_data(needs="1. 李家拒签，请协调司法所\n2、王家祖坟迁移需民政局支持\n"),
        actor=site["member"],
    )
    opened = list(Case.objects.order_by("number"))
    assert [c.title for c in opened] == ["李家拒签，请协调司法所", "王家祖坟迁移需民政局支持"]
    year = TODAY.year
    assert [c.number for c in opened] == [f"协{year}-0001", f"协{year}-0002"]
    assert {(c.kind, c.owner, c.raised_by, c.state) for c in opened} == {
        (CaseKind.PROBLEM, site["hq"], site["xing"], CaseState.NEW)
    }
    assert "杏山子工作队" in opened[0].reasons[0] and TODAY.isoformat() in opened[0].reasons[0]
    assert AuditEvent.objects.filter(action="case.open").count() == 2
    titles = set(Notification.objects.filter(user=site["hq_user"]).values_list("title", flat=True))
    assert {f"新督办件 协{year}-0001：李家拒签，请协调司法所"} <= titles

    # a correction keeps the problems it had and opens a case only for the one it adds
    daily.file_report(
        site["xing"],
        TODAY,
        report_data(needs="李家拒签，请协调司法所\n王家祖坟迁移需民政局支持\n施工便道占用耕地"),
        actor=site["member"],
        expected_version=first.version,
    )
    assert Case.objects.count() == 3
    assert first.problems.get(text="施工便道占用耕地").case.number == f"协{year}-0003"

    # the headquarters signs for it (a case about no project queues no relight); another team cannot close it
    case = opened[0]
    case = cases.accept(case, actor=office_user, expected_version=case.version)
    assert case.state == CaseState.ACCEPTED
    assert cases.can_close(office_user, case) and not cases.can_close(site["han_member"], case)


def test_a_report_without_problems_opens_no_case_and_a_land_task_gives_its_project(site, office_user):
    from gongjian.land.models import Task
    from gongjian.lights.models import Case
    from tests.factories import ProjectFactory

    daily.file_report(site["han"], TODAY, report_data(needs="  \n"), actor=site["han_member"])
    assert not Case.objects.exists()
    project = ProjectFactory()
    Task.objects.create(name="韩山片区征收", project=project, team=site["han"], area_mu=10)
    daily.file_report(site["han"], YESTERDAY, report_data(needs="坟墓迁移"), actor=site["han_member"])
    [case] = Case.objects.all()
    assert case.project == project and case.owner == site["hq"]
