"""Excel exchange of the project registry: import, export, the blank template and the error report.

The import and the export use the same columns (``columns.py``), so an exported file, edited or not, imports
back: rows are matched by 项目编号 and only what changed is written.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit, excel
from gongjian.core.workbook_limits import Limits
from gongjian.exchange import exports
from gongjian.exchange.columns import APPROVAL_COLUMNS, MILESTONE_COLUMNS, MONTH_KEYS, PROJECT_COLUMNS, Column
from gongjian.exchange.importing import ImportResult, People, ProjectImport, RowError, in_chunks
from gongjian.exchange.reading import UnreadableFile, count_rows, read_workbook
from gongjian.jobs import services as jobs
from gongjian.jobs.models import Job
from gongjian.org.models import Person
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import AnnualPlan, Approval, Milestone, Project, ProjectLeader

__all__ = [
    "ImportResult",
    "RowError",
    "export_projects",
    "import_projects",
    "in_background",
    "open_error_report",
    "save_error_report",
    "start_import",
]

_RELATED = {
    "region": "region__code",
    "park": "park__name",
    "owner": "owner__name",
    "owner_credit_code": "owner__credit_code",
    "responsible_unit": "responsible_unit__name",
    "headquarters": "headquarters__name",
    "commander": "commander_id",
}
_FIELDS = {f.name for f in Project._meta.concrete_fields}
_DIRECT = [c.key for c in PROJECT_COLUMNS if c.key in _FIELDS and c.key not in _RELATED]

_REPORT_DIR = "tmp/import-errors"
_REPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_REPORT_LIFETIME = dt.timedelta(days=1)


def import_projects(
    file: IO[bytes], *, filename: str, actor, dry_run: bool = False, progress=None
) -> ImportResult:
    """Import the projects of an .xlsx or .csv file: all rows or, when any is wrong, none.

    ``actor`` needs ``projects.import_projects`` and may only update projects in their scope; ``None`` is the
    command line. With ``dry_run`` every check runs and the counts are reported, but nothing is saved.
    ``progress`` (a background job's) is told each step: reading, checking, saving.
    """
    if actor is not None and not actor.has_perm("projects.import_projects"):
        raise PermissionDenied(_("无权导入项目。"))
    result = ImportResult(filename=filename, dry_run=dry_run)
    steps = 2 if dry_run else 3
    if progress is not None:
        progress(0, steps, _("读取文件"))
    try:
        sheets = read_workbook(file, filename, import_limits())
    except UnreadableFile as exc:
        result.errors.append(RowError("", 0, "", "", str(exc)))
    else:
        job = ProjectImport(sheets, actor=actor, result=result)
        if progress is not None:
            progress(1, steps, _("检查 %(n)d 行") % {"n": sum(len(sheet.rows) for sheet in sheets.values())})
        job.check()
        if result.ok and not dry_run:
            if progress is not None:
                progress(2, steps, _("保存 %(n)d 个项目") % {"n": len(job.changes)})
            job.save()
    if not result.ok:
        # A refused import saves no data, but the attempt is a security-relevant event (等保 8.1.4.3 b).
        audit.record(
            "project.import",
            actor=actor,
            object_type="projects.project",
            success=False,
            object_repr=filename[:255],
            note=f"{len(result.errors)} errors; nothing saved",
            after={"file": filename, "errors": len(result.errors)},
            only_changes=False,
        )
    return result


def rows_to_import(file: IO[bytes], filename: str) -> int | None:
    """How many data rows ``file`` holds at most, counted without reading it (None when it cannot be read: the
    import then says why)."""
    try:
        return count_rows(file, filename, import_limits())
    except UnreadableFile:
        return None


def in_background(file: IO[bytes], filename: str) -> bool:
    """Whether importing ``file`` is long work, for the worker: more data rows than GONGJIAN_IMPORT_BACKGROUND_ROWS."""
    rows = rows_to_import(file, filename)
    return rows is not None and rows > settings.GONGJIAN_IMPORT_BACKGROUND_ROWS


def uploads_dir() -> Path:
    """Where a file waits for the import job that reads it (shared with the worker: under MEDIA_ROOT)."""
    return jobs.files_dir() / "uploads"


def start_import(file: IO[bytes], *, filename: str, actor, dry_run: bool = False) -> Job:
    """Keep ``file`` and queue its import as background work (the job ``exchange.import_projects``): the same
    all-or-nothing import, its errors kept on the job with the error report to download."""
    if not actor.has_perm("projects.import_projects"):
        raise PermissionDenied(_("无权导入项目。"))
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    upload = f"{secrets.token_urlsafe(16)}{PurePath(filename).suffix.lower()}"
    file.seek(0)
    with (folder / upload).open("wb") as kept:
        shutil.copyfileobj(file, kept, 1024 * 1024)
    label = (_("检查导入文件：%(name)s") if dry_run else _("导入项目：%(name)s")) % {"name": filename}
    try:
        return jobs.start(
            "exchange.import_projects",
            {"upload": upload, "filename": filename, "dry_run": dry_run, "actor_id": actor.pk},
            actor=actor,
            label=label,
        )
    except BaseException:
        (folder / upload).unlink(missing_ok=True)  # nothing will read it
        raise


def import_limits() -> Limits:
    """How big an imported file may be (GONGJIAN_IMPORT_* settings)."""
    return Limits(
        max_rows=settings.GONGJIAN_IMPORT_MAX_ROWS,
        max_columns=settings.GONGJIAN_IMPORT_MAX_COLUMNS,
        max_cells=settings.GONGJIAN_IMPORT_MAX_CELLS,
        max_uncompressed_bytes=settings.GONGJIAN_IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024,
    )


def export_projects(
    queryset: QuerySet[Project],
    year: int,
    stream: IO[bytes],
    *,
    actor=None,
    filters: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the projects of ``queryset`` (already scoped and filtered by the caller) with their ``year``
    plans, milestones and approvals to ``stream`` as .xlsx; audited. Returns the number of projects.
    ``progress`` is told the projects written so far and how many there are."""
    if actor is not None and not actor.has_perm("projects.export_projects"):
        raise PermissionDenied(_("无权导出项目。"))
    projects = list(queryset.values("pk", *_DIRECT, *_RELATED.values()))
    pks = [p["pk"] for p in projects]
    plans = dict(
        in_chunks(AnnualPlan.objects.filter(year=year).values_list("project_id", "dekads"), "project_id", pks)
    )
    leaders: dict[int, list[tuple[bool, int, int]]] = defaultdict(list)
    for link_id, pk, person, role in in_chunks(
        ProjectLeader.objects.values_list("id", "project_id", "person_id", "role"), "project_id", pks
    ):
        leaders[pk].append((role != LeaderRole.LEAD, link_id, person))
    person_ids = {p["commander_id"] for p in projects if p["commander_id"]}
    person_ids.update(person for links in leaders.values() for _, _, person in links)
    people = People(in_chunks(Person.objects.values_list("name", flat=True), "pk", person_ids))

    def rows() -> Iterator[dict[str, Any]]:
        for project in projects:
            row = {key: project[key] for key in _DIRECT}
            row.update({key: project[lookup] for key, lookup in _RELATED.items()})
            row["commander"] = people.label(project["commander_id"])
            row["leaders"] = [people.label(person) for *_, person in sorted(leaders[project["pk"]])]
            plan = plans.get(project["pk"])
            row["plan_year"] = year
            if plan:
                row["plan_total"] = sum(plan)
                row.update({key: sum(plan[m * 3 : m * 3 + 3]) for m, key in enumerate(MONTH_KEYS)})
            yield row

    order = {pk: position for position, pk in enumerate(pks)}
    names = {p["pk"]: (p["code"], p["name"]) for p in projects}
    main, milestones, approvals = exports.project_sheets(
        rows(),
        exports.child_rows(_children(Milestone, MILESTONE_COLUMNS, pks), order, names),
        exports.child_rows(_children(Approval, APPROVAL_COLUMNS, pks), order, names),
    )
    book = excel.Workbook(stream, constant_memory=True)
    count = book.add(main, progress=(lambda done: progress(done, len(projects))) if progress else None)
    book.add(milestones)
    book.add(approvals)
    book.notes(exports.export_notes(count=count, year=year, at=timezone.localtime()))
    book.close()
    # Exports carry contact phones out of the system (DESIGN.md: every export of personal data is audited).
    audit.record(
        "project.export",
        actor=actor,
        object_type="projects.project",
        only_changes=False,
        after={"rows": count, "year": year, "filters": filters or {}},
    )
    return count


def _children(model, columns: Sequence[Column], pks: list[int]) -> Iterator[dict[str, Any]]:
    """The milestones or approvals of the projects ``pks``, each project's in the order its page shows them."""
    keys = [c.key for c in columns if c.key not in {"code", "project_name"}]
    ordered = model.objects.order_by(*model._meta.ordering[1:], "id").values("project_id", *keys)
    return in_chunks(ordered, "project_id", pks)


def save_error_report(result: ImportResult, *, user) -> str:
    """Keep the error report of ``user``'s failed import for download; returns its token. Reports live under
    the user's own directory, so a token cannot open another user's report, and are removed after a day."""
    token = secrets.token_urlsafe(24)
    buffer = io.BytesIO()
    exports.write_error_report(result.errors, buffer, rejected=result.rejected)
    folder = f"{_REPORT_DIR}/{user.pk}"
    if default_storage.exists(folder):
        cutoff = timezone.now() - _REPORT_LIFETIME
        for name in default_storage.listdir(folder)[1]:
            if default_storage.get_modified_time(f"{folder}/{name}") < cutoff:
                default_storage.delete(f"{folder}/{name}")
    default_storage.save(f"{folder}/{token}.xlsx", ContentFile(buffer.getvalue()))
    return token


def open_error_report(token: str, *, user) -> File | None:
    """``user``'s error report saved under ``token``, or None."""
    name = f"{_REPORT_DIR}/{user.pk}/{token}.xlsx"
    if not _REPORT_TOKEN.fullmatch(token) or not default_storage.exists(name):
        return None
    return default_storage.open(name, "rb")
