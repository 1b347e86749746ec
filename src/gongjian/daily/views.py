"""Pages of the daily cycle: a team member files the day's report on a phone; the headquarters and the office read
the day's board (who has filed, the figures, the needs) and deploy tomorrow's tasks; a team's day-by-day summary;
both to Excel."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import excel
from gongjian.core.forms import add_service_errors
from gongjian.core.locking import Stale
from gongjian.daily import services as daily
from gongjian.daily.forms import DailyReportForm
from gongjian.daily.models import DailyPhoto, DailyReport, DailyTask

VIEW = "daily.view_dailyreport"


def _day(request, name: str, default: datetime.date) -> datetime.date:
    try:
        return daily.parse_day(request.GET.get(name) or request.POST.get(name), default, name=name)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return default


def _visible_team(request, pk):
    """A team in the user's reach, or 404 (for a team outside it as for one that does not exist)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(daily.teams_for(request.user), pk=pk)


@permission_required(VIEW, raise_exception=True)
def daily_page(request):
    """A team member's filing form (or the office's, for ?team=); everyone else the day's board."""
    if request.method == "POST" and request.POST.get("action") == "deploy":
        return _deploy(request)
    user = request.user
    team_id = request.POST.get("team") or request.GET.get("team")
    team = _visible_team(request, team_id) if team_id else daily.team_of(user)
    if team is not None and daily.can_file(user, team):
        return _filing(request, team)
    if request.method == "POST":
        raise PermissionDenied
    if team is not None:  # a team the user reads but does not file for
        return redirect("daily:daily_team", pk=team.pk)
    return _board_page(request, _day(request, "day", daily.today()))


def _filing(request, team):
    current = daily.today()
    day = _day(request, "day", current)
    if request.method == "GET" and not current - datetime.timedelta(days=daily.DAYS_BACK) <= day <= current:
        messages.error(request, _("只能填报今天和最近 %(n)d 天的日报。") % {"n": daily.DAYS_BACK})
        day = current
    report = DailyReport.objects.filter(team=team, day=day).select_related("filed_by").first()
    computed = daily.computed_figures(team, day)
    status = 200
    if request.method == "POST":
        form = DailyReportForm(request.POST, request.FILES, report=report, computed=computed)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version, uploads, removed = data.pop("version"), data.pop("photos"), data.pop("remove")
            try:
                # The report with its photos, or nothing: a refused photo leaves the day as it was and the form as
                # typed.
                with transaction.atomic():
                    saved = daily.file_report(team, day, data, actor=request.user, expected_version=version)
                    for photo in removed:
                        saved = daily.remove_photo(photo, actor=request.user, expected_version=saved.version)
                    if uploads:
                        daily.add_photos(saved, uploads, actor=request.user, expected_version=saved.version)
            except ValidationError as exc:  # a report filed or corrected since the page was read: 409, kept
                add_service_errors(form, exc)
                if isinstance(exc, Stale):
                    status = 409
            else:
                messages.success(
                    request,
                    _("%(day)s 日报已提交。") % {"day": day.isoformat()}
                    if report is None
                    else _("%(day)s 日报已更正。") % {"day": day.isoformat()},
                )
                query = {"team": team.pk} if daily.team_of(request.user) != team else {}
                if day != current:
                    query["day"] = day.isoformat()
                return redirect(reverse("daily:daily") + (f"?{urlencode(query)}" if query else ""))
    else:
        initial = (
            {name: getattr(report, name) for name in (*daily.FIGURES, *daily.TEXTS, "version")}
            if report
            else {}
        )
        form = DailyReportForm(initial=initial, report=report, computed=computed)
    tasks = list(DailyTask.objects.filter(team=team, day__in=[day, day + datetime.timedelta(days=1)]))
    return render(
        request,
        "daily/daily_form.html",
        {
            "team": team,
            "day": day,
            "today": current,
            "report": report,
            "form": form,
            "photos": list(report.photos.all()) if report else [],
            "tasks": [t for t in tasks if t.day == day],
            "next_tasks": [t for t in tasks if t.day != day],
            "next_day": day + datetime.timedelta(days=1),
            "is_today": day == current,
            "missing": [d for d in daily.recent_missing(team) if d != day],
            "own": daily.team_of(request.user) == team,
            "figures": [form[name] for name in daily.FIGURES],
            "texts": [form[name] for name in daily.TEXTS],
        },
        status=status,
    )


def _board_page(request, day, *, deploy_team=None, deploy_text="", deploy_errors=()):
    user = request.user
    data = daily.board(day, daily.teams_for(user))
    deploy_day = data.next_day
    for row in data.rows:
        row.can_deploy = deploy_day >= daily.today() and daily.can_deploy(user, row.team)
        row.can_file = daily.can_file(user, row.team) and (daily.today() - day).days <= daily.DAYS_BACK
        mine = deploy_team is not None and row.team.pk == deploy_team.pk
        row.deploy_text, row.deploy_errors = (deploy_text, deploy_errors) if mine else ("", ())
    return render(
        request,
        "daily/daily_board.html",
        {
            "board": data,
            "day": day,
            "today": daily.today(),
            "deploy_day": deploy_day,
            "prev_day": day - datetime.timedelta(days=1),
            "next_day": data.next_day if data.next_day <= daily.today() else None,
            "figures": daily.FIGURES,
            "deployable": [row for row in data.rows if row.can_deploy],
            "totals": [
                (label, data.totals[name], data.cumulative[name]) for name, label in daily.FIGURES.items()
            ],
        },
    )


def _deploy(request):
    board_day = _day(request, "board_day", daily.today())
    team = _visible_team(request, request.POST.get("team"))
    text = request.POST.get("texts", "")
    try:
        day = daily.parse_day(request.POST.get("day"), board_day + datetime.timedelta(days=1))
        created = daily.deploy(team, day, text, actor=request.user)
    except ValidationError as exc:
        return _board_page(request, board_day, deploy_team=team, deploy_text=text, deploy_errors=exc.messages)
    if created:
        messages.success(
            request,
            _("已向 %(team)s 部署 %(day)s 的任务 %(n)d 项。")
            % {"team": team.name, "day": day.isoformat(), "n": len(created)},
        )
    else:
        messages.info(request, _("这些任务已经部署过。"))
    return redirect(reverse("daily:daily") + f"?day={board_day.isoformat()}")


def _range(request) -> tuple[datetime.date, datetime.date]:
    start, end = daily.default_range()
    end = _day(request, "end", end)
    start = _day(request, "start", end - datetime.timedelta(days=29))
    if start > end or (end - start).days >= daily.MAX_SUMMARY_DAYS:
        messages.error(
            request,
            _("日期范围无效（开始不晚于结束，最多 %(n)d 天），已显示最近 30 天。")
            % {"n": daily.MAX_SUMMARY_DAYS},
        )
        start, end = daily.default_range()
    return start, end


@permission_required(VIEW, raise_exception=True)
def daily_team(request, pk):
    """A team's days: figures, running totals, what was done, planned and asked for, and the days not filed."""
    team = _visible_team(request, pk)
    start, end = _range(request)
    data = daily.summary(team, start, end)
    current = daily.today()
    first_fileable = current - datetime.timedelta(days=daily.DAYS_BACK)
    return render(
        request,
        "daily/daily_team.html",
        {
            "team": team,
            "summary": data,
            "start": start,
            "end": end,
            "days": data.days[::-1],
            "figures": daily.FIGURES,
            "first_fileable": first_fileable,
            "can_file": daily.can_file(request.user, team),
            "own": daily.team_of(request.user) == team,
            "totals": [
                (label, data.totals[name], data.cumulative[name]) for name, label in daily.FIGURES.items()
            ],
        },
    )


def _tasks_text(tasks) -> str:
    return "\n".join(f"{i}. {t.text}" for i, t in enumerate(tasks, start=1))


def _filed_at(report) -> str:
    return f"{timezone.localtime(report.filed_at):%Y-%m-%d %H:%M}" if report else ""


@permission_required(VIEW, raise_exception=True)
def daily_export(request):
    """The board of ?day= or, with ?team=, the team's summary over ?start=&end=, to Excel."""
    labels = [str(label) for label in daily.FIGURES.values()]
    cumulative = [_("累计%(figure)s") % {"figure": label} for label in labels]
    if request.GET.get("team"):
        team = _visible_team(request, request.GET["team"])
        start, end = _range(request)
        data = daily.summary(team, start, end)
        columns = [
            excel.Column(_("日期"), lambda d: d.day.isoformat(), width=11),
            excel.Column(_("状态"), lambda d: _("已报") if d.report else _("未报"), width=11),
            *_figure_columns(lambda d: d.figures, labels),
            *_figure_columns(lambda d: d.cumulative, cumulative),
            *_text_columns(lambda d: d.report),
            excel.Column(_("部署任务"), lambda d: _tasks_text(d.tasks), width=36),
            excel.Column(_("填报人"), lambda d: _filer(d.report), width=16),
            excel.Column(_("填报时间"), lambda d: _filed_at(d.report), width=16),
        ]
        sheet = excel.Sheet(_("工作队日报汇总"), columns, data.days[::-1], freeze=(1, 1))
        return excel.response(excel.workbook(sheet), f"{team.name}_日报汇总_{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    day = _day(request, "day", daily.today())
    data = daily.board(day, daily.teams_for(request.user))
    columns = [
        excel.Column(_("工作队"), "team.name", width=20),
        excel.Column(_("上级单位"), lambda i: i.team.parent.name if i.team.parent else "", width=20),
        excel.Column(
            _("状态"),
            lambda i: _("已报") if i.report else _("未报"),
            width=8,
            style=lambda i: None if i.report else excel.RED,
        ),
        *_figure_columns(lambda i: i.figures(), labels),
        *_figure_columns(lambda i: i.cumulative, cumulative),
        *_text_columns(lambda i: i.report),
        excel.Column(_("当日部署"), lambda i: _tasks_text(i.tasks), width=36),
        excel.Column(_("次日部署"), lambda i: _tasks_text(i.next_tasks), width=36),
        excel.Column(_("填报人"), lambda i: _filer(i.report), width=16),
        excel.Column(_("填报时间"), lambda i: _filed_at(i.report), width=16),
    ]
    totals = [
        _("合计"),
        "",
        _("已报 %(filed)d / %(all)d") % {"filed": len(data.filed), "all": len(data.rows)},
        *data.totals.values(),
        *data.cumulative.values(),
    ]
    sheet = excel.Sheet(_("工作队日报"), columns, data.rows, freeze=(1, 1), footer=[totals])
    return excel.response(excel.workbook(sheet), f"工作队日报_{day:%Y%m%d}.xlsx")


def _figure_columns(figures, headers) -> list[excel.Column]:
    """A column per daily figure (in daily.FIGURES's order), its number from ``figures(row)``."""

    def value(k):
        return lambda row: list(figures(row).values())[k]

    return [excel.Column(header, value(k), "auto", width=10) for k, header in enumerate(headers)]


def _text_columns(report) -> list[excel.Column]:
    """A column per text of the daily report (daily.TEXTS), blank for a day with no report."""

    def value(name):
        return lambda row: getattr(report(row), name) if report(row) else ""

    return [excel.Column(str(label), value(name), width=36) for name, label in daily.TEXTS.items()]


def _filer(report) -> str:
    return report.filed_by.display_name if report and report.filed_by else ""


@permission_required(VIEW, raise_exception=True)
def photo_file(request, pk, thumbnail=False):
    """A photo of a team's day (or its thumbnail), to whoever reads the team's days; never a public URL."""
    photo = get_object_or_404(
        DailyPhoto.objects.filter(report__team__in=daily.teams_for(request.user)), pk=pk
    )
    stored = photo.thumbnail if thumbnail else photo.image
    response = FileResponse(stored.open("rb"), content_type="image/jpeg" if thumbnail else photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=86400"
    return response
