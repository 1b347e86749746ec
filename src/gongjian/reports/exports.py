"""The reports' Excel sheets: the batch-filing sheet (批量填报) a unit downloads pre-filled with its projects,
fills and uploads back (``batch.py`` reads it)."""

from __future__ import annotations

from typing import IO

from gongjian.core import excel
from gongjian.reports.models import Report, ReportingPeriod
from gongjian.reports.services.batch import COLUMNS, SHEET

# The batch column kinds (batch.COLUMNS) as the writer's: money in yuan comes out in 万元, the rest as they are.
_KINDS = {"text": "text", "info": "text", "money": "money", "decimal": "number", "int": "number"}
_WIDE = {"name", "progress_text", "next_plan", "explanation"}


def batch_columns() -> list[excel.Column]:
    """The columns of the sheet, required ones marked with *; a project's own code and name, then what its
    draft for the period already holds."""

    def value(name: str):
        if name in ("code", "name"):
            return lambda row: getattr(row[0], name)
        return lambda row: getattr(row[1], name) if row[1] is not None else None

    return [
        excel.Column(
            header + ("*" if required else ""), value(name), _KINDS[kind], width=24 if name in _WIDE else 14
        )
        for header, name, kind, required in COLUMNS
    ]


def write_batch_template(projects, period: ReportingPeriod, stream: IO[bytes]) -> None:
    """The sheet for ``period`` with one row per project, carrying what a draft already holds."""
    reports = {r.project_id: r for r in Report.objects.filter(period=period, project__in=projects)}
    excel.workbook(
        excel.Sheet(SHEET, batch_columns(), ((p, reports.get(p.pk)) for p in projects), freeze=(1, 2)),
        excel.Notes(
            "说明",
            lines=[
                f"{period} 批量填报：每行一个项目，按项目编号匹配；带 * 的列必填；金额单位为万元。",
                "上传后逐行检查，有任何错误则整个文件都不保存，并列出出错的行、列和原因。",
            ],
        ),
        stream=stream,
    )
