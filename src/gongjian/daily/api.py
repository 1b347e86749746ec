"""The daily cycle in the JSON API: the day's board, filing a team's report, a team's summary and deploying tasks,
through the same services and team reach (``daily.teams_for``) as the pages."""

from datetime import date, datetime, timedelta
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from gongjian.core.bounds import Day, Id
from gongjian.core.locking import StaleOut
from gongjian.daily import services as daily
from gongjian.daily.models import DailyReport, DailyTask

router = Router(tags=["dispatch"])


class TaskOut(Schema):
    id: int
    team_id: int
    day: date
    text: str
    deployed_by: str
    deployed_at: datetime


class DailyReportOut(Schema):
    id: int
    team_id: int
    team: str
    day: date
    done: str
    households_signed: int
    buildings_demolished: int
    problems_solved: int
    plan: str
    needs: str
    filed_by: str
    filed_at: datetime
    version: int


class TeamDayOut(Schema):
    team_id: int
    team: str
    parent: str  # the headquarters or street the team is under
    filed: bool
    report: DailyReportOut | None  # null: not filed (未报)
    tasks: list[TaskOut]  # deployed for the day
    next_tasks: list[TaskOut]  # deployed for the next day
    cumulative: dict[str, int]  # the team's figures up to and including the day


class DailyBoardOut(Schema):
    day: date
    teams: int
    filed: int
    missing: list[str]  # the names of the teams that have not filed
    totals: dict[str, int]  # households_signed, buildings_demolished, problems_solved of the day
    cumulative: dict[str, int]
    items: list[TeamDayOut]


# The range is the filing service's (daily._clean), which names every wrong field of a report in one answer.
Figure = Annotated[int, Field(json_schema_extra={"minimum": 0, "maximum": daily.MAX_FIGURE})]


class DailyReportIn(Schema):
    team_id: Id
    day: Day | None = None  # today when left out
    version: int | None = None  # the report's, when correcting one (409 stale when left out or out of date)
    done: str = ""
    households_signed: Figure = 0
    buildings_demolished: Figure = 0
    problems_solved: Figure = 0
    plan: str = ""
    needs: str = ""


class SummaryDayOut(Schema):
    day: date
    filed: bool
    figures: dict[str, int]
    cumulative: dict[str, int]  # running totals since the team's first report
    done: str
    plan: str
    needs: str
    tasks: list[str]
    version: int | None  # the day's report's (null: not filed)


class SummaryOut(Schema):
    team_id: int
    team: str
    start: date
    end: date
    filed: int
    missing: list[date]
    totals: dict[str, int]  # of the range
    cumulative: dict[str, int]  # at the end of the range
    days: list[SummaryDayOut]  # oldest first, up to today


class TasksIn(Schema):
    team_id: Id
    day: Day | None = None  # tomorrow when left out
    tasks: list[str]


def _viewer(request) -> None:
    if not request.user.has_perm("daily.view_dailyreport"):
        raise PermissionDenied(_("没有查看工作队日报的权限。"))


def _team(request, team_id: int):
    _viewer(request)
    return get_object_or_404(daily.teams_for(request.user), pk=team_id)


def _task_out(task: DailyTask) -> dict:
    return {
        "id": task.pk,
        "team_id": task.team_id,
        "day": task.day,
        "text": task.text,
        "deployed_by": task.deployed_by.display_name if task.deployed_by else "",
        "deployed_at": task.deployed_at,
    }


def _report_out(report: DailyReport) -> dict:
    return {
        "id": report.pk,
        "team_id": report.team_id,
        "team": report.team.name,
        "day": report.day,
        "done": report.done,
        **{name: getattr(report, name) for name in daily.FIGURES},
        "plan": report.plan,
        "needs": report.needs,
        "filed_by": report.filed_by.display_name if report.filed_by else "",
        "filed_at": report.filed_at,
        "version": report.version,
    }


@router.get(
    "/daily",
    response=DailyBoardOut,
    summary="The service teams' board of a day (who has filed, figures, tasks)",
)
def get_board(request, day: str | None = None, team: Id | None = None):
    _viewer(request)
    the_day = daily.parse_day(day, daily.today())
    teams = daily.teams_for(request.user)
    if team is not None:
        teams = teams.filter(pk=team)
        if not teams:
            raise Http404
    data = daily.board(the_day, teams)
    return {
        "day": data.day,
        "teams": len(data.rows),
        "filed": len(data.filed),
        "missing": [row.team.name for row in data.missing],
        "totals": data.totals,
        "cumulative": data.cumulative,
        "items": [
            {
                "team_id": row.team.pk,
                "team": row.team.name,
                "parent": row.team.parent.name if row.team.parent else "",
                "filed": row.filed,
                "report": _report_out(row.report) if row.report else None,
                "tasks": [_task_out(t) for t in row.tasks],
                "next_tasks": [_task_out(t) for t in row.next_tasks],
                "cumulative": row.cumulative,
            }
            for row in data.rows
        ],
    }


@router.post(
    "/daily",
    response={200: DailyReportOut, 201: DailyReportOut, 409: StaleOut},
    summary="File a team's report of a day (201), or correct it with its version (200); filing over a "
    "report there already without its version is 409 stale",
)
def file_report(request, payload: DailyReportIn):
    team = _team(request, payload.team_id)
    day = payload.day or daily.today()
    existed = DailyReport.objects.filter(team=team, day=day).exists()
    report = daily.file_report(
        team,
        day,
        payload.model_dump(exclude={"team_id", "day", "version"}),
        actor=request.user,
        expected_version=payload.version,
    )
    return Status(200 if existed else 201, _report_out(report))


@router.get(
    "/daily/teams/{int:team_id}",
    response=SummaryOut,
    summary="A team's days from start to end (the last 30 days by default) with running totals",
)
def get_summary(request, team_id: int, start: str | None = None, end: str | None = None):
    team = _team(request, team_id)
    last = daily.parse_day(end, daily.today(), name="end")
    first = daily.parse_day(start, last - timedelta(days=29), name="start")
    data = daily.summary(team, first, last)
    return {
        "team_id": team.pk,
        "team": team.name,
        "start": data.start,
        "end": data.end,
        "filed": data.filed,
        "missing": data.missing,
        "totals": data.totals,
        "cumulative": data.cumulative,
        "days": [
            {
                "day": d.day,
                "filed": d.filed,
                "figures": d.figures,
                "cumulative": d.cumulative,
                **{name: getattr(d.report, name) if d.report else "" for name in daily.TEXTS},
                "tasks": [t.text for t in d.tasks],
                "version": d.report.version if d.report else None,
            }
            for d in data.days
        ],
    }


@router.post(
    "/daily/tasks",
    response={201: list[TaskOut]},
    summary="Deploy tasks to a team for a day (tomorrow by default); repeated texts are not added twice",
)
def deploy_tasks(request, payload: TasksIn):
    team = _team(request, payload.team_id)
    day = payload.day or daily.today() + timedelta(days=1)
    created = daily.deploy(team, day, payload.tasks, actor=request.user)
    return Status(201, [_task_out(t) for t in created])
