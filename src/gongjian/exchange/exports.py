"""The registry's workbooks as sheets for the one writer (``core/excel.py``): the export, the blank import
template with its 填表说明, and a failed import's error report.

The cells come from the columns the import reads (``columns.py``), so an exported file, edited or not, imports
back unchanged: codes as text so leading zeros survive, money in 万元, dates as dates, choices by their Chinese
label with a drop-down, the help of each column on its header.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import IO, Any

from gongjian.core import excel
from gongjian.exchange.columns import (
    APPROVAL_COLUMNS,
    APPROVAL_SHEET,
    COUNT,
    MAIN_SHEET,
    MILESTONE_COLUMNS,
    MILESTONE_SHEET,
    PROJECT_COLUMNS,
    REJECTED_PREFIX,
    Column,
)
from gongjian.exchange.importing import RowError
from gongjian.exchange.reading import Sheet

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
SHEETS = {MAIN_SHEET: PROJECT_COLUMNS, MILESTONE_SHEET: MILESTONE_COLUMNS, APPROVAL_SHEET: APPROVAL_COLUMNS}
# The writer's kind for each style of an exchange column (money goes to the writer in yuan, it writes 万元).
_KINDS = {
    "text": "text",
    "money": "money",
    "decimal": "decimal",
    "degrees": "degrees",
    "integer": "int",
    "date": "date",
}
_NOTES_WIDTHS = [14, 24, 6, 36, 40, 60]
_NOTES_HEADERS = ["工作表", "列名", "必填", "格式", "可选值", "说明"]


def cell_column(column: Column, *, notes: bool = False) -> excel.Column:
    """The writer's column for an exchange column: rows are dicts by key; choice columns a person may fill get
    a drop-down (so an edited export stays importable); ``notes`` hangs the column's help on its header."""
    kind = _KINDS[column.kind.style]
    if kind == "money":

        def value(row):
            return row.get(column.key)
    else:

        def value(row):
            return column.format(row.get(column.key))

    return excel.Column(
        column.header,
        value,
        kind,
        width=column.width,
        required=column.required,
        note=column.help if notes else "",
        choices=column.kind.labels if column.kind.choices and not column.export_only else (),
    )


def data_sheet(
    name: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]] = (), *, notes: bool = False
) -> excel.Sheet:
    return excel.Sheet(
        name, [cell_column(c, notes=notes) for c in columns], rows, header_height=30, autofilter=True
    )


def _importable(columns: Sequence[Column]) -> list[Column]:
    return [c for c in columns if not c.export_only]


def instructions(
    name: str,
    title: str,
    lines: Sequence[str],
    sheets: dict[str, Sequence[Column]],
    *,
    example: Sequence[Column] = (),
) -> excel.Notes:
    """A sheet explaining every column of ``sheets`` — required, format, allowed values — and, when
    ``example`` is given, one example row of those columns, marked as an example (it is never imported)."""
    described = [
        (sheet, c.header, "是" if c.required else "", c.kind.describe, "、".join(c.kind.labels), c.help)
        for sheet, columns in sheets.items()
        for c in columns
    ]
    blocks = [
        excel.Block(
            [excel.Column(header, position) for position, header in enumerate(_NOTES_HEADERS)],
            described,
            wrap=True,
        )
    ]
    if example:
        blocks.append(
            excel.Block(
                [cell_column(c) for c in example],
                [{c.key: c.parse(c.example) for c in example}],
                caption="示例（仅供参考：本表不会被导入，请在“项目”表中填写）",
            )
        )
    return excel.Notes(name, title, lines, blocks, widths=_NOTES_WIDTHS)


def project_sheets(
    projects: Iterable[dict[str, Any]],
    milestones: Iterable[dict[str, Any]],
    approvals: Iterable[dict[str, Any]],
) -> list[excel.Sheet]:
    """The export's three data sheets (projects, then their milestones and approvals)."""
    return [
        data_sheet(MAIN_SHEET, PROJECT_COLUMNS, projects),
        data_sheet(MILESTONE_SHEET, MILESTONE_COLUMNS, milestones),
        data_sheet(APPROVAL_SHEET, APPROVAL_COLUMNS, approvals),
    ]


def export_notes(*, count: int, year: int, at: dt.datetime) -> excel.Notes:
    return instructions(
        "说明",
        "重点项目导出",
        [
            f"导出时间：{at:%Y-%m-%d %H:%M}",
            f"项目数：{count}",
            f"各月计划为 {year} 年计划，金额单位万元（利用外资为万美元）。",
            "本文件修改后可直接导入，按项目编号更新项目；“年度计划合计”和节点、手续表中的“项目名称”仅供查看，导入时忽略。",
        ],
        SHEETS,
    )


def template_sheets() -> list[excel.Sheet | excel.Notes]:
    """The blank import template: the three data sheets with their headers and drop-downs, and a 填表说明
    sheet explaining every column with one example row (which, being on that sheet, is never imported)."""
    return [
        *(data_sheet(name, _importable(columns), notes=True) for name, columns in SHEETS.items()),
        instructions(
            "填表说明",
            "重点项目导入模板 · 填表说明",
            TEMPLATE_NOTES,
            {name: _importable(columns) for name, columns in SHEETS.items()},
            example=_importable(PROJECT_COLUMNS),
        ),
    ]


def error_report_sheets(errors: Iterable[RowError], rejected: Iterable[Sheet] = ()) -> list[excel.Sheet]:
    """The errors of a failed import: one line per error (sheet, row, column, value, reason) and, for each
    sheet, its rejected rows as they were in the file with a 错误原因 column added."""
    errors = list(errors)
    sheets = [data_sheet("错误清单", ERROR_COLUMNS, ({**asdict(e), "row": e.row or None} for e in errors))]
    for sheet in rejected:
        reasons = defaultdict(list)
        for error in errors:
            if error.sheet == sheet.name:
                reasons[error.row].append(
                    f"「{error.column}」{error.message}" if error.column else error.message
                )
        sheets.append(
            excel.Sheet(
                f"{REJECTED_PREFIX}{sheet.name}",
                _rejected_columns(sheet.headers),
                ((number, cells, "；".join(reasons[number])) for number, cells in sheet.rows),
                freeze=(1, 1),
            )
        )
    return sheets


def _rejected_columns(headers: Sequence[Any]) -> list[excel.Column]:
    """行号, the file's own columns written as the types they came in, and 错误原因 in red."""

    def cell(position: int):
        return lambda row: row[1][position] if position < len(row[1]) else None

    return [
        excel.Column("行号", 0, "number"),
        *(
            excel.Column("" if h is None else str(h), cell(i), "auto", width=14)
            for i, h in enumerate(headers)
        ),
        excel.Column("错误原因", 2, width=60, style=lambda row: {"font_color": "#C00000", "text_wrap": True}),
    ]


def write_template(stream: IO[bytes]) -> None:
    excel.workbook(*template_sheets(), stream=stream)


def write_error_report(
    errors: Iterable[RowError], stream: IO[bytes], *, rejected: Iterable[Sheet] = ()
) -> None:
    excel.workbook(*error_report_sheets(errors, rejected), stream=stream)


def child_rows(
    items: Iterable[dict[str, Any]], order: dict[int, int], names: dict[int, tuple[str, str]]
) -> Iterator[dict[str, Any]]:
    """Milestones or approvals in the order of the project sheet (and, within a project, in the order given),
    each under its project's code and name."""
    for item in sorted(items, key=lambda item: order[item["project_id"]]):
        code, name = names[item.pop("project_id")]
        yield {"code": code, "project_name": name, **item}
