"""Reading reports: the projects still to file in a period, each reporter's reports due (the due page and the
API's /due), and what a filing reads before it writes (:func:`filing_read`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gongjian.core.rows import Reader
from gongjian.org.scope import Scope, scope_for
from gongjian.projects.models import Project
from gongjian.reports import rules
from gongjian.reports.choices import ReportState
from gongjian.reports.models import Report, ReportingPeriod


@dataclass
class FilingRead:
    """What saving a report needs to know first, read in one query: the project (id, name and total investment
    only) and the period (id, kind and code only), whether the project is in the filer's scope, the report of
    the project and period if there is one, and the earlier reports that make up its cumulative figures."""

    project: Project
    period: ReportingPeriod
    in_scope: bool
    report_id: int | None
    earlier: list[tuple[str, int, int, int]]  # (period code, amount, year to date, since start), oldest first


_PROJECT = Reader(Project, ["id", "name", "total_investment"])
_PERIOD = Reader(ReportingPeriod, ["id", "kind", "code"])


_scope_conditions: dict[Scope, tuple[str, tuple]] = {}


def _scope_condition(user) -> tuple[str, tuple]:
    """SQL that is true when the project ``pr`` is in ``user``'s scope: the condition of
    ``Project.objects.in_scope``, built once per scope in a process (building it cost more than running it)."""
    if user is None:
        return "1 = 1", ()
    scope = scope_for(user)
    if scope not in _scope_conditions:
        scoped = Project.objects.in_scope(user)
        if scoped.query.is_empty():
            condition: tuple[str, tuple] = ("1 = 0", ())
        elif not scoped.query.where:  # sees every project
            condition = ("1 = 1", ())
        else:
            sql, params = scoped.filter(pk=RawSQL("pr.id", ())).values("pk").query.sql_with_params()
            condition = (f"EXISTS ({sql})", tuple(params))
        _scope_conditions[scope] = condition
    return _scope_conditions[scope]


def filing_read(
    project_id: int, period_id: int, *, scope_of=None, check_scope: bool = True
) -> FilingRead | None:
    """One query for what a filing reads before it writes (issue 14: it was five), or None when the project or the
    period is not there. ``scope_of`` is the filer whose scope is asked (None: nobody's, the answer is yes);
    without ``check_scope`` it is not asked (the answer is no)."""
    condition, scope_params = _scope_condition(scope_of) if check_scope else ("1 = 0", ())
    project, period, report = (
        connection.ops.quote_name(model._meta.db_table) for model in (Project, ReportingPeriod, Report)
    )
    # Plain SQL that SQLite and PostgreSQL both run: the filing is the busiest write there is, and the ORM spent
    # longer building these reads than the database answering them. The report of the period itself comes back
    # in any state; the earlier ones of the same kind only when they are not drafts, as the cumulative figures
    # count them (rules.cumulative).
    sql = f"""
        SELECT {_PROJECT.columns("pr")}, {_PERIOD.columns("pe")}, ({condition}),
               r.id, rp.id, rp.code, r.amount, r.year_to_date, r.since_start
        FROM {project} pr
        CROSS JOIN {period} pe
        LEFT JOIN ({report} r INNER JOIN {period} rp ON rp.id = r.period_id)
            ON r.project_id = pr.id AND rp.kind = pe.kind AND rp.code <= pe.code
            AND (rp.id = pe.id OR r.state <> %s)
        WHERE pr.id = %s AND pe.id = %s
        ORDER BY rp.code
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scope_params, ReportState.DRAFT.value, project_id, period_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    head = _PROJECT.width + _PERIOD.width
    report_id, earlier = None, []
    for row in rows:
        this_id, row_period, code, amount, year_to_date, since_start = row[head + 1 :]
        if this_id is None:
            continue
        if row_period == period_id:
            report_id = this_id
        else:
            earlier.append((code, amount, year_to_date, since_start))
    first = rows[0]
    return FilingRead(
        project=_PROJECT.make(first[: _PROJECT.width]),
        period=_PERIOD.make(first[_PROJECT.width : head]),
        in_scope=bool(first[head]),
        report_id=report_id,
        earlier=earlier,
    )


def unfiled_projects(period: ReportingPeriod):
    """The active projects of ``period`` without a submitted (or approved) report."""
    filed = Report.objects.filter(period=period, first_submitted_at__isnull=False).values("project_id")
    return Project.objects.filter(is_archived=False).exclude(pk__in=filed)


def due_rows(user, now: datetime | None = None) -> list[dict[str, Any]]:
    """My reports due: every project in ``user``'s scope × the three latest opened periods, with its report (or
    None) and filing status. The due page and the API's /due both show this."""
    now = now or timezone.now()
    periods = _open_periods(now)
    projects = list(
        Project.objects.in_scope(user)
        .filter(is_archived=False)
        .select_related("responsible_unit")
        .order_by("code")
    )
    reports = {
        (r.project_id, r.period_id): r
        for r in Report.objects.filter(period__in=periods, project__in=[p.pk for p in projects])
    }
    rows = []
    for period in periods:
        for project in projects:
            report = reports.get((project.pk, period.pk))
            status = rules.filing_status(
                opens_at=period.opens_at,
                deadline=period.deadline,
                submitted_at=report.first_submitted_at if report else None,
                now=now,
            )
            rows.append({"period": period, "project": project, "report": report, "status": status})
    return rows


def _open_periods(now: datetime | None = None) -> list[ReportingPeriod]:
    """The periods the due page shows: the three latest that opened."""
    return list(ReportingPeriod.objects.filter(opens_at__lte=now or timezone.now()).order_by("-deadline")[:3])


def to_file_count(user, now: datetime | None = None) -> int:
    """待填报: the rows of :func:`due_rows` still to file — no report yet, or one in draft or returned — counted
    in three queries (the periods, the projects, the reports already in), never row by row."""
    if not user.has_perm("reports.submit_report"):
        return 0
    periods = _open_periods(now)
    if not periods:
        return 0
    projects = Project.objects.in_scope(user).filter(is_archived=False)
    filed = Report.objects.filter(
        period__in=periods,
        project__in=projects.values("pk"),
        state__in=[ReportState.SUBMITTED, ReportState.APPROVED],
    ).count()
    return projects.values("pk").count() * len(periods) - filed


def to_file(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of :func:`due_rows` still to file (what :func:`to_file_count` counts)."""
    return [row for row in rows if row["report"] is None or row["report"].is_editable()]


def to_review(user):
    """待审核: the submitted reports of the projects in ``user``'s scope, of any period, for a reviewer."""
    if not user.has_perm("reports.review_report"):
        return Report.objects.none()
    return Report.objects.filter(
        state=ReportState.SUBMITTED, project__in=Project.objects.in_scope(user).values("pk")
    )


def to_review_count(user) -> int:
    return to_review(user).count()


def review_rows(user, now: datetime | None = None) -> list[dict[str, Any]]:
    """The reports waiting for ``user``'s review as rows of the due page, oldest period first."""
    now = now or timezone.now()
    reports = (
        to_review(user)
        .select_related("period", "project", "project__responsible_unit")
        .order_by("period__deadline", "project__code")
    )
    return [
        {
            "period": r.period,
            "project": r.project,
            "report": r,
            "status": rules.filing_status(
                opens_at=r.period.opens_at,
                deadline=r.period.deadline,
                submitted_at=r.first_submitted_at,
                now=now,
            ),
        }
        for r in reports
    ]
