"""Reading reports: the projects still to file in a period, and each reporter's reports due (the due page and
the API's /due)."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from gongjian.projects.models import Project
from gongjian.reports import rules
from gongjian.reports.models import Report, ReportingPeriod


def unfiled_projects(period: ReportingPeriod):
    """The active projects of ``period`` without a submitted (or approved) report."""
    filed = Report.objects.filter(period=period, first_submitted_at__isnull=False).values("project_id")
    return Project.objects.filter(is_archived=False).exclude(pk__in=filed)


def due_rows(user, now: datetime | None = None) -> list[dict[str, Any]]:
    """My reports due: every project in ``user``'s scope × the three latest opened periods, with its report (or
    None) and filing status. The due page and the API's /due both show this."""
    now = now or timezone.now()
    periods = list(ReportingPeriod.objects.filter(opens_at__lte=now).order_by("-deadline")[:3])
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
