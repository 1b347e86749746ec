"""Reading an uploaded workbook (.xlsx) or CSV into plain rows, whatever program wrote it.

Offices fill the template in Excel or WPS, or save a CSV from another system — often in GBK, the Windows
default for Chinese. Only the sheets Gongjian knows are read; the header row is found even below a title row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from python_calamine import CalamineError, CalamineWorkbook

from gongjian.exchange.columns import (
    MAIN_SHEET,
    NOTE_SHEETS,
    REJECTED_PREFIX,
    SHEETS,
    is_blank,
    recognised_headers,
)

# People put a title (“2026年重点项目计划表”) and a blank line or two above the header.
_HEADER_SEARCH_ROWS = 10


class UnreadableFile(ValueError):
    """The file is not a workbook or CSV we can read; the message says what to do."""


@dataclass
class Sheet:
    """One sheet's header row and data rows, each row with its 1-based row number as the spreadsheet shows it."""

    name: str
    header_row: int = 0
    headers: list[Any] = field(default_factory=list)
    rows: list[tuple[int, Sequence[Any]]] = field(default_factory=list)


def read_workbook(file: IO[bytes], filename: str) -> dict[str, Sheet]:
    """The project sheets of ``file``: always the main sheet, and the milestone and approval sheets when the
    workbook has them. Raises :class:`UnreadableFile`."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return {MAIN_SHEET: _sheet(MAIN_SHEET, csv.reader(io.StringIO(_decode(file.read()))))}
    if suffix == ".xls":
        raise UnreadableFile("不支持旧版 .xls 文件，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。")
    if suffix not in {".xlsx", ".xlsm"}:
        raise UnreadableFile("只能导入 .xlsx 或 .csv 文件。")
    try:
        # calamine (Rust) reads a 10,000-row workbook several times faster than openpyxl's read-only mode.
        book = CalamineWorkbook.from_filelike(file)
    except CalamineError as exc:
        raise UnreadableFile(f"无法读取该 Excel 文件（{exc}），请确认文件未损坏且不是加密文件。") from exc
    names = [name for name in book.sheet_names
             if name.strip() not in NOTE_SHEETS and not name.startswith(REJECTED_PREFIX)]
    if not names:
        raise UnreadableFile("工作簿中没有数据表。")
    main = next((n for n in names if n.strip() == MAIN_SHEET), None)
    main = main or next((n for n in names if n.strip() not in SHEETS), names[0])
    sheets = {MAIN_SHEET: main}
    sheets.update({n.strip(): n for n in names if n.strip() in SHEETS and n.strip() != MAIN_SHEET})
    try:
        return {key: _sheet(key, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for key, name in sheets.items()}
    except CalamineError as exc:
        raise UnreadableFile(f"无法读取该 Excel 文件（{exc}）。") from exc


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds) first; GB18030 otherwise — a superset of GBK and GB2312."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。")


def _sheet(name: str, rows) -> Sheet:
    filled = [(number, row) for number, row in enumerate(rows, start=1) if not all(is_blank(c) for c in row)]
    if not filled:
        return Sheet(name)
    # The header is the first row naming at least two of our columns; failing that, the first non-blank row
    # (whose columns will then be reported as missing).
    columns = SHEETS[name]
    at = next((i for i, (_, row) in enumerate(filled[:_HEADER_SEARCH_ROWS])
               if recognised_headers(row, columns) >= 2), 0)
    number, headers = filled[at]
    return Sheet(name, number, list(headers), filled[at + 1:])
