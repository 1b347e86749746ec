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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path, PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.exchange.columns import (
    APPROVAL_COLUMNS,
    APPROVAL_SHEET,
    COUNT,
    MAIN_SHEET,
    MILESTONE_COLUMNS,
    MILESTONE_SHEET,
    MONTH_KEYS,
    PROJECT_COLUMNS,
    REJECTED_PREFIX,
    Column,
)
from gongjian.exchange.importing import ImportResult, People, ProjectImport, RowError, in_chunks
from gongjian.exchange.limits import Limits
from gongjian.exchange.reading import Sheet, UnreadableFile, count_rows, read_workbook
from gongjian.exchange.workbook import Workbook
from gongjian.jobs import services as jobs
from gongjian.jobs.models import Job
from gongjian.org.models import Person
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import AnnualPlan, Approval, Milestone, Project, ProjectLeader

__all__ = [
    "ImportResult", "RowError", "export_projects", "import_projects", "in_background", "open_error_report",
    "save_error_report", "start_import", "write_error_report", "write_template",
]

_RELATED = {
    "region": "region__code", "park": "park__name", "owner": "owner__name", "owner_credit_code": "owner__credit_code",
    "responsible_unit": "responsible_unit__name", "headquarters": "headquarters__name", "commander": "commander_id",
}
_FIELDS = {f.name for f in Project._meta.concrete_fields}
_DIRECT = [c.key for c in PROJECT_COLUMNS if c.key in _FIELDS and c.key not in _RELATED]

TEMPLATE_NOTES = [
    "1. 在“项目”表中每行填写一个项目，第一行是表头，请勿改动列名；红色列名为必填。把鼠标移到列名上可看到填写说明。",
    "2. 金额单位为万元（利用外资为万美元），日期填写如 2026-03-01。",
    "3. 项目编号留空时按“项目名称 + 入库年度”匹配已有项目：匹配到则更新，否则新建并自动编号。"
    "重复导入同一个文件只会更新，不会产生重复项目。",
    "4. 区划、单位、园区、指挥部、人员须是系统中已有的；新的业主企业填写统一社会信用代码后自动登记。",
    "5. “形象进度节点”“前期手续”两表可以不填；填写时，表中出现的项目的节点（手续）整体替换为表中的内容，"
    "未出现的项目保持不变。",
    "6. 只要有一处错误，整个文件都不会导入；系统列出每处错误的行、列和原因，并可下载错误报告。",
    "7. 本表（填表说明）不会被导入，下方示例仅供参考。",
]
ERROR_COLUMNS = [
    Column("工作表", "sheet", width=14),
    Column("行号", "row", COUNT, width=8),
    Column("列", "column", width=22),
    Column("填写的值", "value", width=28),
    Column("错误原因", "message", width=80),
]
_REPORT_DIR = "tmp/import-errors"
_REPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_REPORT_LIFETIME = dt.timedelta(days=1)


def import_projects(file: IO[bytes], *, filename: str, actor, dry_run: bool = False, progress=None) -> ImportResult:
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
        audit.record("project.import", actor=actor, object_type="projects.project", success=False,
                     object_repr=filename[:255], note=f"{len(result.errors)} errors; nothing saved",
                     after={"file": filename, "errors": len(result.errors)}, only_changes=False)
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
        return jobs.start("exchange.import_projects", {
            "upload": upload, "filename": filename, "dry_run": dry_run, "actor_id": actor.pk}, actor=actor,
            label=label)
    except BaseException:
        (folder / upload).unlink(missing_ok=True)  # nothing will read it
        raise


def import_limits() -> Limits:
    """How big an imported file may be (GONGJIAN_IMPORT_* settings)."""
    return Limits(max_rows=settings.GONGJIAN_IMPORT_MAX_ROWS, max_columns=settings.GONGJIAN_IMPORT_MAX_COLUMNS,
                  max_cells=settings.GONGJIAN_IMPORT_MAX_CELLS,
                  max_uncompressed_bytes=settings.GONGJIAN_IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024)


def export_projects(queryset: QuerySet[Project], year: int, stream: IO[bytes], *, actor=None,
                    filters: dict[str, Any] | None = None) -> int:
    """Write the projects of ``queryset`` (already scoped and filtered by the caller) with their ``year``
    plans, milestones and approvals to ``stream`` as .xlsx; audited. Returns the number of projects."""
    if actor is not None and not actor.has_perm("projects.export_projects"):
        raise PermissionDenied(_("无权导出项目。"))
    projects = list(queryset.values("pk", *_DIRECT, *_RELATED.values()))
    pks = [p["pk"] for p in projects]
    plans = dict(in_chunks(AnnualPlan.objects.filter(year=year).values_list("project_id", "dekads"),
                           "project_id", pks))
    leaders: dict[int, list[tuple[bool, int, int]]] = defaultdict(list)
    for link_id, pk, person, role in in_chunks(
            ProjectLeader.objects.values_list("id", "project_id", "person_id", "role"), "project_id", pks):
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
                row.update({key: sum(plan[m * 3:m * 3 + 3]) for m, key in enumerate(MONTH_KEYS)})
            yield row

    book = Workbook(stream, constant_memory=True)
    count = book.data_sheet(MAIN_SHEET, PROJECT_COLUMNS, rows())
    order = {pk: position for position, pk in enumerate(pks)}
    names = {p["pk"]: (p["code"], p["name"]) for p in projects}
    book.data_sheet(MILESTONE_SHEET, MILESTONE_COLUMNS, _child_rows(Milestone, MILESTONE_COLUMNS, pks, order, names))
    book.data_sheet(APPROVAL_SHEET, APPROVAL_COLUMNS, _child_rows(Approval, APPROVAL_COLUMNS, pks, order, names))
    book.instructions("说明", "重点项目导出", [
        f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        f"项目数：{count}",
        f"各月计划为 {year} 年计划，金额单位万元（利用外资为万美元）。",
        "本文件修改后可直接导入，按项目编号更新项目；“年度计划合计”和节点、手续表中的“项目名称”仅供查看，导入时忽略。",
    ], {MAIN_SHEET: PROJECT_COLUMNS, MILESTONE_SHEET: MILESTONE_COLUMNS, APPROVAL_SHEET: APPROVAL_COLUMNS})
    book.close()
    # Exports carry contact phones out of the system (DESIGN.md: every export of personal data is audited).
    audit.record("project.export", actor=actor, object_type="projects.project", only_changes=False,
                 after={"rows": count, "year": year, "filters": filters or {}})
    return count


def _child_rows(model, columns: Sequence[Column], pks: list[int], order: dict[int, int],
                names: dict[int, tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """Milestones or approvals in the order of the project sheet (and, within a project, the order its page
    shows them), each under its project's code and name."""
    keys = [c.key for c in columns if c.key not in {"code", "project_name"}]
    ordered = model.objects.order_by(*model._meta.ordering[1:], "id").values("project_id", *keys)
    items = sorted(in_chunks(ordered, "project_id", pks), key=lambda item: order[item["project_id"]])
    for item in items:
        code, name = names[item.pop("project_id")]
        yield {"code": code, "project_name": name, **item}


def _importable(columns: Sequence[Column]) -> list[Column]:
    return [c for c in columns if not c.export_only]


def write_template(stream: IO[bytes]) -> None:
    """The blank import template: the three data sheets with their headers and drop-downs, and a 填表说明
    sheet explaining every column with one example row (which, being on that sheet, is never imported)."""
    book = Workbook(stream)
    sheets = {MAIN_SHEET: PROJECT_COLUMNS, MILESTONE_SHEET: MILESTONE_COLUMNS, APPROVAL_SHEET: APPROVAL_COLUMNS}
    for name, columns in sheets.items():
        book.data_sheet(name, _importable(columns), notes=True)
    book.instructions("填表说明", "重点项目导入模板 · 填表说明", TEMPLATE_NOTES,
                      {name: _importable(columns) for name, columns in sheets.items()},
                      example=_importable(PROJECT_COLUMNS))
    book.close()


def write_error_report(errors: Iterable[RowError], stream: IO[bytes], *, rejected: Iterable[Sheet] = ()) -> None:
    """The errors of a failed import as .xlsx: one line per error (sheet, row, column, value, reason) and, for
    each sheet, its rejected rows as they were in the file with a 错误原因 column added."""
    errors = list(errors)
    book = Workbook(stream)
    book.data_sheet("错误清单", ERROR_COLUMNS, ({**asdict(e), "row": e.row or None} for e in errors))
    for sheet in rejected:
        reasons = defaultdict(list)
        for error in errors:
            if error.sheet == sheet.name:
                reasons[error.row].append(f"「{error.column}」{error.message}" if error.column else error.message)
        book.rejected_rows(f"{REJECTED_PREFIX}{sheet.name}", sheet.headers,
                           ((number, cells, "；".join(reasons[number])) for number, cells in sheet.rows))
    book.close()


def save_error_report(result: ImportResult, *, user) -> str:
    """Keep the error report of ``user``'s failed import for download; returns its token. Reports live under
    the user's own directory, so a token cannot open another user's report, and are removed after a day."""
    token = secrets.token_urlsafe(24)
    buffer = io.BytesIO()
    write_error_report(result.errors, buffer, rejected=result.rejected)
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
