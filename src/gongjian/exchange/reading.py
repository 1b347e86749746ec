"""Reading an uploaded workbook (.xlsx) or CSV into plain rows, whatever program wrote it.

Offices fill the template in Excel or WPS, or save a CSV from another system — often in GBK, the Windows
default for Chinese. Only the sheets Gongjian knows are read; the header row is found even below a title row.
Before anything is read the file is checked against the limits (``limits.py``), so a small hostile file is
refused with a message instead of exhausting the server's memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from python_calamine import CalamineError, CalamineWorkbook

from gongjian.core.workbook_limits import Limits, SheetPart, UnreadableFile, XlsxPackage, check_size
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


@dataclass
class Sheet:
    """One sheet's header row and data rows, each row with its 1-based row number as the spreadsheet shows it."""

    name: str
    header_row: int = 0
    headers: list[Any] = field(default_factory=list)
    rows: list[tuple[int, Sequence[Any]]] = field(default_factory=list)


def read_workbook(file: IO[bytes], filename: str, limits: Limits | None = None) -> dict[str, Sheet]:
    """The project sheets of ``file``: always the main sheet, and the milestone and approval sheets when the
    workbook has them. Raises :class:`UnreadableFile`, also for a file beyond ``limits`` (the defaults when
    None)."""
    limits = limits or Limits()
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return {MAIN_SHEET: _sheet(MAIN_SHEET, _csv_rows(file, limits))}
    if suffix == ".xls":
        raise UnreadableFile("不支持旧版 .xls 文件，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。")
    if suffix not in {".xlsx", ".xlsm"}:
        raise UnreadableFile("只能导入 .xlsx 或 .csv 文件。")
    package = XlsxPackage(file, limits)
    sheets = _data_sheets(package.sheets)
    package.check(sheets.values())
    try:
        # calamine (Rust) reads a 10,000-row workbook several times faster than openpyxl's read-only mode.
        book = CalamineWorkbook.from_filelike(file)
    except CalamineError as exc:
        raise UnreadableFile(f"无法读取该 Excel 文件（{exc}），请确认文件未损坏且不是加密文件。") from exc
    try:
        return {
            key: _sheet(key, book.get_sheet_by_name(part.name).to_python(skip_empty_area=False))
            for key, part in sheets.items()
        }
    except CalamineError as exc:
        raise UnreadableFile(f"无法读取该 Excel 文件（{exc}）。") from exc


def count_rows(file: IO[bytes], filename: str, limits: Limits | None = None) -> int:
    """How many data rows ``file`` holds at most — the rows its sheets write, less a header row each — learnt
    while checking it against ``limits``, without reading its cells. Leaves the file where it was. Raises
    :class:`UnreadableFile` as :func:`read_workbook` would (for a file beyond the limits too)."""
    limits = limits or Limits()
    start = file.tell()
    try:
        suffix = PurePath(filename).suffix.lower()
        if suffix == ".csv":
            return max(0, sum(1 for _row in _csv_rows(file, limits)) - 1)
        if suffix not in {".xlsx", ".xlsm"}:
            raise UnreadableFile("只能导入 .xlsx 或 .csv 文件。")
        package = XlsxPackage(file, limits)
        counts = package.check(_data_sheets(package.sheets).values())
        return sum(max(0, rows - 1) for rows in counts.values())
    finally:
        file.seek(start)


def _data_sheets(parts: list[SheetPart]) -> dict[str, SheetPart]:
    """The sheets to read, by the name Gongjian knows them by: the main sheet (项目, or else the first one that
    is not a milestone or approval sheet) and the milestone and approval sheets when there are any."""
    parts = [p for p in parts if p.name.strip() not in NOTE_SHEETS and not p.name.startswith(REJECTED_PREFIX)]
    if not parts:
        raise UnreadableFile("工作簿中没有数据表。")
    main = next((p for p in parts if p.name.strip() == MAIN_SHEET), None)
    main = main or next((p for p in parts if p.name.strip() not in SHEETS), parts[0])
    sheets = {MAIN_SHEET: main}
    sheets.update(
        {p.name.strip(): p for p in parts if p.name.strip() in SHEETS and p.name.strip() != MAIN_SHEET}
    )
    return sheets


def _csv_rows(file: IO[bytes], limits: Limits) -> Iterator[list[str]]:
    """The records of a CSV file, refused at the first one beyond the limits or that csv cannot read."""
    data = file.read(limits.max_uncompressed_bytes + 1)
    check_size(len(data), limits, "CSV 文件")
    reader = csv.reader(io.StringIO(_decode(data)))
    cells = 0
    try:
        for count, row in enumerate(reader, start=1):
            cells += len(row)
            if count > limits.max_rows:
                raise UnreadableFile(f"CSV 文件超过 {limits.max_rows} 行的上限。")
            if len(row) > limits.max_columns:
                raise UnreadableFile(
                    f"CSV 文件第 {reader.line_num} 行有 {len(row)} 列，超过 {limits.max_columns} 列的上限。"
                )
            if cells > limits.max_cells:
                raise UnreadableFile(f"CSV 文件超过 {limits.max_cells:,} 个单元格的上限。")
            yield row
    except csv.Error as exc:
        # The csv module's own limit on one field (128 K characters by default): far beyond any real cell.
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(
                f"CSV 文件第 {reader.line_num} 行有单元格超过 {csv.field_size_limit():,} 个字符的上限。"
                "请检查引号是否成对。"
            ) from None
        raise UnreadableFile(f"CSV 文件第 {reader.line_num} 行无法读取（{exc}）。") from None


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
    at = next(
        (
            i
            for i, (_, row) in enumerate(filled[:_HEADER_SEARCH_ROWS])
            if recognised_headers(row, columns) >= 2
        ),
        0,
    )
    number, headers = filled[at]
    return Sheet(name, number, list(headers), filled[at + 1 :])
