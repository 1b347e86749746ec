"""The service teams' daily cycle (context 003: "每天一调度，每天一总结，每天一部署，每天一汇报"): each team files the
day's report — what was done, households signed, buildings demolished, problems solved, tomorrow's plan and what
it needs the headquarters for; the headquarters reads the day's board (who has filed, who has not, the figures)
and deploys the next day's tasks to each team; a team's days add up to its summary with running totals.

Who sees which teams: a team's members their own team, the staff of a headquarters or street the teams under it,
the project office and the principal leaders every active team (the same reach as the project scope).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.core import audit, bounds
from gongjian.core.locking import check_version, raced
from gongjian.core.notify import notify
from gongjian.core.periods import Period, PeriodKind
from gongjian.daily.models import DailyPhoto, DailyProblem, DailyReport, DailyTask
from gongjian.lights.choices import CaseKind
from gongjian.lights.services import cases
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.org.scope import scope_for
from gongjian.reports import photos
from gongjian.reports.services import store_photos

# A team may file late or correct its report for this many days back; older days are the office's history.
DAYS_BACK = 3
# The longest summary one request may ask for.
MAX_SUMMARY_DAYS = 366
TASK_MAX = DailyTask._meta.get_field("text").max_length

MAX_FIGURE = 100_000  # households, buildings or problems of one team's day: more is a typing error
FIGURES = {
    "households_signed": gettext_lazy("签约户数"),
    "buildings_demolished": gettext_lazy("拆除房屋"),
    "problems_solved": gettext_lazy("解决问题"),
}
TEXTS = {
    "done": gettext_lazy("今日完成"),
    "plan": gettext_lazy("明日计划"),
    "needs": gettext_lazy("需指挥部协调"),
}
_AUDITED = ["day", "done", *FIGURES, "plan", "needs"]

# Apps above that keep a ledger of a team's work (land: households signed, buildings demolished) register a
# counter: counter(team, day) → the figures it computes for that team and day (None when it keeps none for the
# team). Computed figures replace the typed ones; the narrative, problems and tomorrow's plan stay typed.
_COUNTERS: dict[str, Callable[[Unit, date], Mapping[str, int] | None]] = {}


def register_counter(key: str, counter: Callable[[Unit, date], Mapping[str, int] | None]) -> None:
    _COUNTERS[key] = counter


# Apps above that know which project a team works for (land: the team's acquisition task) register a finder:
# finder(team, day) → the project a problem of the team's daily report is about (None when they know none).
_PROJECT_FINDERS: dict[str, Callable[[Unit, date], Any]] = {}


def register_project_finder(key: str, finder: Callable[[Unit, date], Any]) -> None:
    _PROJECT_FINDERS[key] = finder


def _project_of(team: Unit, day: date):
    for _key, finder in sorted(_PROJECT_FINDERS.items()):
        project = finder(team, day)
        if project is not None:
            return project
    return None


def computed_figures(team: Unit, day: date) -> dict[str, int]:
    """The figures of ``team``'s ``day`` that a ledger computes (empty when none keeps the team's work)."""
    figures: dict[str, int] = {}
    for _key, counter in sorted(_COUNTERS.items()):
        figures.update({k: int(v) for k, v in (counter(team, day) or {}).items() if k in FIGURES})
    return figures


def today() -> date:
    """The working day in Asia/Shanghai; the one place the services and pages ask for it."""
    return timezone.localdate()


def parse_day(text: str | None, default: date, *, name: str = "day") -> date:
    """A date from a query or form value (2026-05-01); ``default`` when empty."""
    if not text:
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            {name: _("无法识别的日期“%(text)s”，应如 2026-05-01。") % {"text": text[:40]}}, code="invalid"
        ) from None
    if not bounds.in_range(day):  # the board reads the day after it: 9999-12-31 has none
        raise ValidationError(
            {
                name: _("日期须在 %(first)s 至 %(last)s 之间。")
                % {"first": bounds.FIRST_DAY, "last": bounds.LAST_DAY}
            },
            code="invalid",
        )
    return day


def zero_figures() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


# Who may do what


def _unit_of(user) -> Unit | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_gongjian_daily_unit", False)
    if cached is not False:
        return cached
    person = Person.objects.select_related("unit").filter(user=user).first()
    unit = person.unit if person and person.unit_id else None
    user._gongjian_daily_unit = unit
    return unit


def active_teams() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.SERVICE_TEAM, is_active=True).select_related("parent")


def teams_for(user) -> QuerySet[Unit]:
    """The teams whose days ``user`` may read: their own team, the teams under their headquarters or street, or
    every active team for the office and the principal leaders."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("daily.view_dailyreport"):
        return Unit.objects.none()
    teams = active_teams().order_by("parent__name", "name")
    if user.has_perm("meetings.run_dispatch") or scope_for(user).sees_all:
        return teams
    unit = _unit_of(user)
    if unit is None:
        return Unit.objects.none()
    return teams.filter(path__startswith=unit.path)


def is_member(user, team: Unit) -> bool:
    unit = _unit_of(user)
    return bool(unit and unit.path.startswith(team.path))


def team_of(user) -> Unit | None:
    """The active team ``user`` belongs to and files for, if any."""
    unit = _unit_of(user)
    if unit is None or not user.has_perm("daily.add_dailyreport"):
        return None
    ids = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    return active_teams().filter(pk__in=ids).order_by("-path").first()


def can_file(user, team: Unit) -> bool:
    """The team's own members, or the project office (filing for a team that reported by phone call)."""
    if not user.has_perm("daily.add_dailyreport"):
        return False
    return user.has_perm("meetings.run_dispatch") or is_member(user, team)


def can_deploy(user, team: Unit) -> bool:
    """The staff of a headquarters or street the team is under, or the project office."""
    if not user.has_perm("daily.add_dailytask"):
        return False
    if user.has_perm("meetings.run_dispatch"):
        return True
    unit = _unit_of(user)
    return bool(
        unit and unit.kind != UnitKind.SERVICE_TEAM and team.path.startswith(unit.path) and unit.pk != team.pk
    )


def _check_team(team: Unit) -> None:
    if team.kind != UnitKind.SERVICE_TEAM or not team.is_active:
        raise ValidationError(
            {"team": _("%(name)s 不是有效的服务工作队。") % {"name": team.name}}, code="invalid"
        )


def _team_users(team: Unit) -> list:
    return list(get_user_model().objects.filter(is_active=True, person__unit__path__startswith=team.path))


def _overseers(team: Unit) -> list:
    """The staff of the units above the team who deploy its tasks (its headquarters or street)."""
    above = [int(pk) for pk in team.path.strip("/").split("/")[:-1] if pk]
    users = get_user_model().objects.filter(is_active=True, person__unit_id__in=above)
    return [u for u in users if u.has_perm("daily.add_dailytask")]


def daily_url(day: date | None = None) -> str:
    url = reverse("daily:daily")
    return f"{url}?day={day.isoformat()}" if day else url


# Filing


def _clean(day: date, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    current = today()
    if day > current:
        errors["day"] = _("不能填报今天以后的日报。")
    elif (current - day).days > DAYS_BACK:
        errors["day"] = _(
            "只能补报或更正最近 %(n)d 天（%(first)s 起）的日报；%(day)s 的日报已超过期限，"
            "如需更正请联系项目办。"
        ) % {
            "n": DAYS_BACK,
            "first": (current - timedelta(days=DAYS_BACK)).isoformat(),
            "day": day.isoformat(),
        }
    cleaned: dict[str, Any] = {}
    for name in TEXTS:
        cleaned[name] = str(data.get(name) or "").strip()
    if not cleaned["done"]:
        errors["done"] = _("请填写今日完成情况。")
    for name, label in FIGURES.items():
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned[name] = 0
            continue
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            errors[name] = _("%(field)s应填整数。") % {"field": label}
            continue
        if isinstance(raw, bool) or value < 0:
            errors[name] = _("%(field)s不能为负数。") % {"field": label}
            continue
        if value > MAX_FIGURE:
            errors[name] = _("%(field)s %(value)d 超出合理范围，请核对。") % {"field": label, "value": value}
            continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors, code="invalid")
    return cleaned


@transaction.atomic
def file_report(
    team: Unit, day: date, data: Mapping[str, Any], *, actor, expected_version: int | None = None
) -> DailyReport:
    """Create the team's report of ``day`` or correct it (每天一汇报). ``data`` holds done, plan, needs and the
    three figures (blank figures are 0). Today and the last three days only; the team's members or the office.

    A correction names the version of the report it corrects (``expected_version``); filing where a report of the
    day is there already (another member filed it first, or a second device at the same moment) without its
    version, or from another one, is stale: nobody overwrites a report they have not seen."""
    _check_team(team)
    if actor is not None and not can_file(actor, team):
        raise PermissionDenied(_("只有本工作队队员或项目办可以填报 %(team)s 的日报。") % {"team": team.name})
    cleaned = _clean(day, data)
    cleaned.update(computed_figures(team, day))  # counted from the ledger where one keeps the team's work
    user = audit.actor_or_none(actor)
    report = DailyReport.objects.select_for_update().filter(team=team, day=day).first()
    if report is None:
        try:
            with transaction.atomic():
                report = DailyReport.objects.create(
                    team=team, day=day, filed_by=user, filed_at=timezone.now(), **cleaned
                )
        except IntegrityError:  # a second device filed it a moment ago: this one has not seen it
            raise raced(_("日报")) from None
        audit.record(
            "daily_report.create",
            actor=actor,
            obj=report,
            only_changes=False,
            after=audit.snapshot(report, _AUDITED),
        )
        _tell_needs(report, "")
        open_cases(report, actor=actor)
        return report
    check_version(report.version, expected_version, _("日报"))
    before = audit.snapshot(report, _AUDITED)
    old_needs = report.needs
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.filed_by, report.filed_at = user, timezone.now()
    report.version += 1
    report.save()
    audit.record(
        "daily_report.update", actor=actor, obj=report, before=before, after=audit.snapshot(report, _AUDITED)
    )
    _tell_needs(report, old_needs)
    open_cases(report, actor=actor)
    return report


def problem_lines(needs: str) -> list[str]:
    """The problems of a report's needs: one a line (numbering and list marks dropped), each once."""
    lines: list[str] = []
    for raw in needs.splitlines():
        text = raw.strip().lstrip("0123456789.、)）-•·* ").strip()
        if text and text[:300] not in lines:
            lines.append(text[:300])
    return lines


def _headquarters(team: Unit) -> Unit:
    """The unit that owns a team's problems: the headquarters (or street) the team is under, else the team."""
    return team.parent if team.parent_id else team


def open_cases(report: DailyReport, *, actor) -> list:
    """Each problem the team asked the headquarters to coordinate becomes a case (督办件) owned by the team's
    headquarters, once: a correction of the report opens cases only for the problems it adds (the lights' case
    service numbers, audits and notifies them as a project report's problems)."""
    known = set(DailyProblem.objects.filter(report=report).values_list("text", flat=True))
    fresh = [text for text in problem_lines(report.needs) if text not in known]
    if not fresh:
        return []
    team = Unit.objects.select_related("parent").get(pk=report.team_id)
    owner, project = _headquarters(team), _project_of(team, report.day)
    period = Period.of(report.day, PeriodKind.DEKAD).code
    opened = []
    for text in fresh:
        case = cases.open_case(
            project,
            kind=CaseKind.PROBLEM,
            title=text,
            reasons=[
                _("%(team)s %(day)s 日报需指挥部协调：%(text)s")
                % {"team": team.name, "day": report.day.isoformat(), "text": text}
            ],
            owner=owner,
            period_code=period,
            actor=actor,
            raised_by=team,
        )
        DailyProblem.objects.create(report=report, text=text, case=case)
        opened.append(case)
    return opened


def _tell_needs(report: DailyReport, old_needs: str) -> None:
    # What a team needs the headquarters for goes to the headquarters the day it is asked, not at the next meeting.
    if not report.needs or report.needs == old_needs:
        return
    notify(
        _overseers(report.team),
        _("%(team)s 需指挥部协调（%(day)s）") % {"team": report.team.name, "day": report.day.isoformat()},
        report.needs,
        url=daily_url(report.day),
    )


# Photos of the day: read, checked and stored as the reports' site photos are (gongjian.reports.photos, the same
# size and count limits), flagged never refused.

# A day's photos are of that day; one taken the evening before is not flagged.
PHOTO_DAYS_BEFORE = 1


def _photo_limits() -> photos.Limits:
    return photos.Limits(
        max_days_before=PHOTO_DAYS_BEFORE, max_distance_m=settings.GONGJIAN_PHOTO_MAX_DISTANCE_M
    )


def _check_photo_change(report: DailyReport, actor, expected_version: int | None) -> DailyReport:
    if actor is not None and not can_file(actor, report.team):
        raise PermissionDenied(
            _("只有本工作队队员或项目办可以修改 %(team)s 的日报。") % {"team": report.team.name}
        )
    current = DailyReport.objects.select_for_update().select_related("team").get(pk=report.pk)
    if (today() - current.day).days > DAYS_BACK:
        raise ValidationError(
            {
                "photos": _("%(day)s 的日报已超过补报期限，不能再修改照片。")
                % {"day": current.day.isoformat()}
            },
            code="locked",
        )
    check_version(current.version, expected_version, _("日报"))
    return current


@transaction.atomic
def add_photos(
    report: DailyReport, uploads: list, *, actor, expected_version: int | None = None
) -> list[DailyPhoto]:
    """Attach photos to a team's report of version ``expected_version`` (today's or one still open for
    correction); the photos are part of the report, so its version goes up (``report.version`` says the new one).
    Each is read for its EXIF time and GPS position and flagged when taken before the day; the same file twice is
    kept once."""
    current = _check_photo_change(report, actor, expected_version)
    if current.photos.count() + len(uploads) > settings.GONGJIAN_PHOTOS_PER_REPORT:
        raise ValidationError(
            {"photos": _("每份日报最多 %(n)d 张照片。") % {"n": settings.GONGJIAN_PHOTOS_PER_REPORT}},
            code="too_many",
        )
    added = store_photos(
        current,
        uploads,
        model=DailyPhoto,
        period_start=current.day,
        site=None,  # a team works over its whole area: no one site to measure from
        limits=_photo_limits(),
        action="daily_report.photo.add",
        actor=actor,
        field="photos",
    )
    if added:
        current.version += 1
        current.save(update_fields=["version"])
    report.version = current.version
    return added


@transaction.atomic
def remove_photo(photo: DailyPhoto, *, actor, expected_version: int | None = None) -> DailyReport:
    """Take a photo off a team's report of version ``expected_version``; returns the report at its new version.
    The files go once the removal has committed."""
    current = _check_photo_change(photo.report, actor, expected_version)
    files = [photo.image.name, photo.thumbnail.name]
    storage = photo.image.storage
    audit.record(
        "daily_report.photo.remove",
        actor=actor,
        obj=current,
        only_changes=False,
        before={"photo": photo.pk, "name": photo.original_name, "sha256": photo.sha256},
    )
    photo.delete()
    current.version += 1
    current.save(update_fields=["version"])
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])
    return current


# Deploying


def split_tasks(texts: str | Iterable[str]) -> list[str]:
    """Tasks typed one per line (or given as a list), blank lines dropped."""
    lines = (
        texts.splitlines()
        if isinstance(texts, str)
        else [line for t in texts for line in str(t).splitlines()]
    )
    return [line.strip() for line in lines if line.strip()]


@transaction.atomic
def deploy(team: Unit, day: date, texts: str | Iterable[str], *, actor) -> list[DailyTask]:
    """Deploy tasks to a team for ``day`` (每天一部署), today or later; tasks already deployed for that day with
    the same text are not repeated. The team's members are notified."""
    _check_team(team)
    if actor is not None and not can_deploy(actor, team):
        raise PermissionDenied(_("只有 %(team)s 所属指挥部或项目办可以部署任务。") % {"team": team.name})
    errors: dict[str, str] = {}
    if day < today():
        errors["day"] = _("只能部署今天或以后的任务。")
    tasks = split_tasks(texts)
    if not tasks:
        errors["texts"] = _("请填写至少一条任务，每行一条。")
    for n, text in enumerate(tasks, start=1):
        if len(text) > TASK_MAX:
            errors["texts"] = _("第 %(n)d 条任务超过 %(max)d 字，请拆成几条。") % {"n": n, "max": TASK_MAX}
            break
    if errors:
        raise ValidationError(errors, code="invalid")
    Unit.objects.select_for_update().filter(pk=team.pk).first()  # one deployment to a team at a time
    existing = set(DailyTask.objects.filter(team=team, day=day).values_list("text", flat=True))
    fresh = list(dict.fromkeys(t for t in tasks if t not in existing))
    user = audit.actor_or_none(actor)
    created = [DailyTask.objects.create(team=team, day=day, text=text, deployed_by=user) for text in fresh]
    for task in created:
        audit.record(
            "daily_task.create",
            actor=actor,
            obj=task,
            only_changes=False,
            after={"team": team.pk, "day": day, "text": task.text},
        )
    if created:
        notify(
            _team_users(team),
            _("%(day)s 部署任务 %(n)d 项") % {"day": day.isoformat(), "n": len(created)},
            "\n".join(f"{i}. {t.text}" for i, t in enumerate(created, start=1)),
            url=daily_url(),
        )
    return created


# Reading


@dataclass
class TeamDay:
    """One team on the board: its report of the day (None: 未报), the tasks of the day and the next."""

    team: Unit
    report: DailyReport | None
    tasks: list[DailyTask]
    next_tasks: list[DailyTask]
    cumulative: dict[str, int]  # every report of the team up to and including the day

    @property
    def filed(self) -> bool:
        return self.report is not None

    def figures(self) -> dict[str, int]:
        return {name: getattr(self.report, name) for name in FIGURES} if self.report else zero_figures()


@dataclass
class Board:
    day: date
    rows: list[TeamDay]
    totals: dict[str, int]
    cumulative: dict[str, int]

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def filed(self) -> list[TeamDay]:
        return [row for row in self.rows if row.filed]

    @property
    def missing(self) -> list[TeamDay]:
        return [row for row in self.rows if not row.filed]

    @property
    def needs(self) -> list[TeamDay]:
        return [row for row in self.rows if row.report and row.report.needs]


def _tasks_by(teams: list[int], days: list[date]) -> dict[tuple[int, date], list[DailyTask]]:
    grouped: dict[tuple[int, date], list[DailyTask]] = defaultdict(list)
    for task in DailyTask.objects.filter(team_id__in=teams, day__in=days).select_related("deployed_by"):
        grouped[task.team_id, task.day].append(task)
    return grouped


def board(day: date, teams: Iterable[Unit]) -> Board:
    """The day's board over ``teams`` (in their order): each team's report or None, the tasks deployed for the
    day and the next, the figures' totals of the day and since the teams began. Five queries whatever the count."""
    teams = list(teams)
    ids = [t.pk for t in teams]
    reports = {
        r.team_id: r
        for r in DailyReport.objects.filter(team_id__in=ids, day=day)
        .select_related("filed_by")
        .prefetch_related("photos")
    }
    tasks = _tasks_by(ids, [day, day + timedelta(days=1)])
    sums = {
        row["team_id"]: row
        for row in DailyReport.objects.filter(team_id__in=ids, day__lte=day)
        .values("team_id")
        .annotate(**{name: Sum(name) for name in FIGURES})
    }
    rows, totals, cumulative = [], zero_figures(), zero_figures()
    for team in teams:
        report = reports.get(team.pk)
        if report is not None:
            report.team = team  # the row already holds it: no query per report
        running = {name: int((sums.get(team.pk) or {}).get(name) or 0) for name in FIGURES}
        rows.append(
            TeamDay(
                team,
                report,
                tasks.get((team.pk, day), []),
                tasks.get((team.pk, day + timedelta(days=1)), []),
                running,
            )
        )
        for name in FIGURES:
            totals[name] += getattr(report, name) if report else 0
            cumulative[name] += running[name]
    return Board(day, rows, totals, cumulative)


@dataclass
class SummaryDay:
    day: date
    report: DailyReport | None
    figures: dict[str, int]
    cumulative: dict[str, int]
    tasks: list[DailyTask] = field(default_factory=list)

    @property
    def filed(self) -> bool:
        return self.report is not None


@dataclass
class Summary:
    team: Unit
    start: date
    end: date
    days: list[SummaryDay]  # oldest first, up to today
    totals: dict[str, int]  # of the range
    base: dict[str, int]  # the running totals before the range began

    @property
    def missing(self) -> list[date]:
        return [d.day for d in self.days if not d.filed]

    @property
    def filed(self) -> int:
        return sum(1 for d in self.days if d.filed)

    @property
    def cumulative(self) -> dict[str, int]:
        return self.days[-1].cumulative if self.days else dict(self.base)


def default_range(end: date | None = None) -> tuple[date, date]:
    """The last 30 days up to ``end`` (today)."""
    end = end or today()
    return end - timedelta(days=29), end


def summary(team: Unit, start: date, end: date) -> Summary:
    """The team's days from ``start`` to ``end`` (days after today are left out): each day's figures, the
    running totals since the team's first report, its texts and tasks, and which days have no report."""
    if start > end:
        raise ValidationError({"start": _("开始日期不能晚于结束日期。")}, code="invalid")
    if (end - start).days >= MAX_SUMMARY_DAYS:
        raise ValidationError(
            {"start": _("一次最多汇总 %(n)d 天。") % {"n": MAX_SUMMARY_DAYS}}, code="invalid"
        )
    last = min(end, today())
    before = DailyReport.objects.filter(team=team, day__lt=start).aggregate(
        **{name: Sum(name) for name in FIGURES}
    )
    base = {name: int(before[name] or 0) for name in FIGURES}
    reports = {
        r.day: r
        for r in DailyReport.objects.filter(team=team, day__gte=start, day__lte=last)
        .select_related("filed_by")
        .prefetch_related("photos")
    }
    for report in reports.values():
        report.team = team
    tasks: dict[date, list[DailyTask]] = defaultdict(list)
    for task in DailyTask.objects.filter(team=team, day__gte=start, day__lte=last):
        tasks[task.day].append(task)
    days, running, totals = [], dict(base), zero_figures()
    day = start
    while day <= last:
        report = reports.get(day)
        figures = {name: getattr(report, name) for name in FIGURES} if report else zero_figures()
        for name in FIGURES:
            running[name] += figures[name]
            totals[name] += figures[name]
        days.append(SummaryDay(day, report, figures, dict(running), tasks.get(day, [])))
        day += timedelta(days=1)
    return Summary(team, start, end, days, totals, base)


def recent_missing(team: Unit) -> list[date]:
    """The days a team may still file (the last three and today) that have no report, oldest first."""
    current = today()
    days = [current - timedelta(days=n) for n in range(DAYS_BACK, -1, -1)]
    filed = set(DailyReport.objects.filter(team=team, day__in=days).values_list("day", flat=True))
    return [d for d in days if d not in filed]
