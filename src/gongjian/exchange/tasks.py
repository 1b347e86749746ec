"""Background work of the registry exchange: a workbook too big to import, or an export too long to write,
inside a request."""

import io
from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.exchange import attraction, exports, services
from gongjian.jobs.services import Failed, Progress, job
from gongjian.projects.filters import filter_projects

# The task's page lists this many errors; the error report it keeps has all of them.
ERRORS_KEPT = 500


@job("exchange.import_projects", permission="projects.import_projects")
def import_projects(
    progress: Progress, *, upload: str, filename: str, dry_run: bool = False, actor_id: int
) -> dict:
    """Import the kept upload, all rows or none (services.import_projects); a refused file fails the task with its
    errors by row and column, and the error report to download. The upload is removed once read."""
    path = services.uploads_dir() / upload
    try:
        actor = User.objects.get(pk=actor_id)
        with path.open("rb") as file:
            result = services.import_projects(
                file, filename=filename, actor=actor, dry_run=dry_run, progress=progress
            )
    finally:
        path.unlink(missing_ok=True)
    if not result.ok:
        report = io.BytesIO()
        exports.write_error_report(result.errors, report, rejected=result.rejected)
        progress.save_file(f"导入错误报告_{timezone.localdate():%Y-%m-%d}.xlsx", report.getvalue())
        raise Failed(
            _("文件「%(name)s」有 %(n)d 处错误，未导入任何数据。请修改后重新上传。")
            % {"name": filename, "n": len(result.errors)},
            {
                "errors": [asdict(error) for error in result.errors[:ERRORS_KEPT]],
                "errors_total": len(result.errors),
                "warnings": result.warnings,
            },
        )
    counts = {
        "name": filename,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    summary = (
        _(
            "检查通过，未保存。文件「%(name)s」：新建 %(created)d 个项目，更新 %(updated)d 个，未变 %(unchanged)d 个。"
        )
        if dry_run
        else _(
            "导入完成。文件「%(name)s」：新建 %(created)d 个项目，更新 %(updated)d 个，未变 %(unchanged)d 个。"
        )
    ) % counts
    if result.created_units:
        summary += _("新登记的业主单位：%(units)s。") % {"units": "、".join(result.created_units)}
    summary += "".join(result.warnings)
    return {
        "summary": summary,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "created_units": result.created_units,
        "warnings": result.warnings,
        "dry_run": dry_run,
        "url": reverse("projects:project_list"),
    }


@job("exchange.import_attraction", permission="attraction.manage_leads")
def import_attraction(
    progress: Progress, *, what: str, upload: str, filename: str, dry_run: bool = False, actor_id: int
) -> dict:
    """Import attraction's leads or tranches (``what``) from the kept upload, all rows or none; a refused file
    fails the task with its errors by row and column and the error report to download."""
    path = services.uploads_dir() / upload
    try:
        actor = User.objects.get(pk=actor_id)
        with path.open("rb") as file:
            result = attraction.import_attraction(
                what, file, filename=filename, actor=actor, dry_run=dry_run, progress=progress
            )
    finally:
        path.unlink(missing_ok=True)
    if not result.ok:
        report = io.BytesIO()
        exports.write_error_report(result.errors, report, rejected=result.rejected)
        progress.save_file(f"导入错误报告_{timezone.localdate():%Y-%m-%d}.xlsx", report.getvalue())
        raise Failed(
            _("文件「%(name)s」有 %(n)d 处错误，未导入任何数据。请修改后重新上传。")
            % {"name": filename, "n": len(result.errors)},
            {
                "errors": [asdict(error) for error in result.errors[:ERRORS_KEPT]],
                "errors_total": len(result.errors),
                "warnings": [],
            },
        )
    summary = (_("检查通过，未保存：%(n)d 行。") if dry_run else _("导入完成：%(n)d 行。")) % {
        "n": result.created
    }
    return {
        "summary": summary,
        "created": result.created,
        "dry_run": dry_run,
        "url": reverse("attraction:lead_list"),
    }


def query_dict(query: dict[str, list[str]]) -> QueryDict:
    """The query string a job was started with (kept as lists, as ``dict(request.GET.lists())`` gives them)."""
    data = QueryDict(mutable=True)
    for key, values in query.items():
        data.setlist(key, values)
    return data


@job("exchange.export_projects", permission="projects.export_projects")
def export_projects(progress: Progress, *, query: dict[str, list[str]]) -> dict:
    """The project list as its owner filtered it: the same query, in their scope, as the page would export."""
    actor = progress.job.created_by
    if actor is None or not actor.is_active:  # never export a scope nobody holds any more
        raise PermissionDenied(_("发起导出的账号已不可用。"))
    _filterset, queryset, year = filter_projects(actor, query_dict(query))
    buffer = io.BytesIO()
    count = services.export_projects(queryset, year, buffer, actor=actor, filters=query, progress=progress)
    progress.save_file(f"重点项目_{timezone.localdate():%Y-%m-%d}.xlsx", buffer.getvalue())
    return {"summary": _("导出 %(n)d 个项目。") % {"n": count}, "rows": count}
