"""Importing attraction's leads and tranches (the columns and row checks are attraction's own,
gongjian.attraction.importing): this module reads the file with the registry import's reader and limits and
turns the outcome into its ImportResult, so the same page, error list and downloadable error report serve it.
A file of more rows than GONGJIAN_IMPORT_BACKGROUND_ROWS is imported by a background job, as projects are."""

from __future__ import annotations

import secrets
import shutil
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gongjian.attraction import importing
from gongjian.core import audit, excel
from gongjian.core.workbook_limits import UnreadableFile, XlsxPackage
from gongjian.exchange.importing import ImportResult, RowError
from gongjian.exchange.reading import Sheet, _csv_rows
from gongjian.exchange.services import import_limits, uploads_dir
from gongjian.jobs import services as jobs

KINDS = {"leads": importing.LEAD_SHEET, "tranches": importing.TRANCHE_SHEET}
_HEADER_SEARCH_ROWS = 10


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(file: IO[bytes], filename: str, kind: str) -> Sheet:
    """The sheet of ``kind`` (by its name, else the first) with its header row found below any title rows.
    Raises UnreadableFile, also for a file beyond the import limits."""
    limits = import_limits()
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        rows = list(_csv_rows(file, limits))
    elif suffix in {".xlsx", ".xlsm"}:
        package = XlsxPackage(file, limits)
        parts = [p for p in package.sheets if p.name.strip() not in {"说明", "填表说明", "错误清单"}]
        if not parts:
            raise UnreadableFile("工作簿中没有数据表。")
        part = next((p for p in parts if p.name.strip() == kind), parts[0])
        package.check([part])
        try:
            book = CalamineWorkbook.from_filelike(file)
            rows = book.get_sheet_by_name(part.name).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise UnreadableFile(f"无法读取该 Excel 文件（{exc}），请确认文件未损坏且不是加密文件。") from exc
    else:
        raise UnreadableFile("只能导入 .xlsx 或 .csv 文件。")
    filled = [(n, row) for n, row in enumerate(rows, start=1) if not all(_blank(c) for c in row)]
    if not filled:
        return Sheet(kind)
    columns = importing.COLUMNS[kind]
    at = next(
        (
            i
            for i, (_n, row) in enumerate(filled[:_HEADER_SEARCH_ROWS])
            if len(importing.bind(row, columns)[0]) >= 2
        ),
        0,
    )
    number, headers = filled[at]
    return Sheet(kind, number, list(headers), filled[at + 1 :])


def import_attraction(
    what: str, file: IO[bytes], *, filename: str, actor, dry_run: bool = False, progress=None
) -> ImportResult:
    """Import the leads or tranches (``what``) of a file: all rows or, when any is wrong, none."""
    if actor is not None and not actor.has_perm("attraction.manage_leads"):
        raise PermissionDenied(_("没有管理招商项目的权限。"))
    kind = KINDS[what]
    result = ImportResult(filename=filename, dry_run=dry_run)
    if progress is not None:
        progress(0, 2, _("读取文件"))
    try:
        sheet = read_sheet(file, filename, kind)
    except UnreadableFile as exc:
        result.errors.append(RowError("", 0, "", "", str(exc)))
        return result
    if progress is not None:
        progress(1, 2, _("检查并保存 %(n)d 行") % {"n": len(sheet.rows)})
    outcome = importing.import_rows(kind, sheet.headers, sheet.rows, actor=actor, dry_run=dry_run)
    result.created = outcome.created if outcome.ok else 0
    result.errors = [
        RowError(kind, row, column, value, message) for row, column, value, message in outcome.errors
    ]
    if not outcome.ok:
        wrong = {row for row, *_rest in outcome.errors}
        result.rejected = [
            Sheet(kind, sheet.header_row, sheet.headers, [r for r in sheet.rows if r[0] in wrong])
        ]
    audit.record(
        f"attraction.{what}.import",
        actor=actor,
        object_type=f"attraction.{'lead' if what == 'leads' else 'tranche'}",
        success=outcome.ok,
        object_repr=filename[:255],
        after={
            "file": filename,
            "rows": len(sheet.rows),
            "created": result.created,
            "errors": len(result.errors),
        },
        only_changes=False,
    )
    return result


def template(what: str) -> bytes:
    """An empty workbook to fill in: the sheet's columns (required ones red) and a 填表说明 sheet."""
    kind = KINDS[what]
    columns = importing.COLUMNS[kind]
    sheet = excel.Sheet(
        kind,
        [excel.Column(c.header, c.key, "text", width=16, required=c.required, note=c.help) for c in columns],
        [],
    )
    notes = excel.Notes(
        "填表说明",
        title=f"{kind}导入说明",
        lines=[
            "红色列为必填。金额单位为万元（外资原币金额为万元原币，折合美元为万美元）。",
            "只要有一行错误，整个文件都不会导入；错误报告按行列出原因。",
        ],
    )
    return excel.workbook(sheet, notes)


def start_import(what: str, file: IO[bytes], *, filename: str, actor, dry_run: bool = False):
    """Keep ``file`` and queue its import (the job ``exchange.import_attraction``)."""
    if not actor.has_perm("attraction.manage_leads"):
        raise PermissionDenied(_("没有管理招商项目的权限。"))
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    upload = f"{secrets.token_urlsafe(16)}{PurePath(filename).suffix.lower()}"
    file.seek(0)
    with (folder / upload).open("wb") as kept:
        shutil.copyfileobj(file, kept, 1024 * 1024)
    try:
        return jobs.start(
            "exchange.import_attraction",
            {"what": what, "upload": upload, "filename": filename, "dry_run": dry_run, "actor_id": actor.pk},
            actor=actor,
            label=_("导入%(kind)s：%(name)s") % {"kind": KINDS[what], "name": filename},
        )
    except BaseException:
        (folder / upload).unlink(missing_ok=True)
        raise
