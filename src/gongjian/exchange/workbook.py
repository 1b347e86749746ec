"""Writing .xlsx files that Excel and WPS open: the template, the export and the error report.

xlsxwriter writes plain OOXML that both programs read. Codes go in as text so leading zeros survive, money as
numbers in 万元 so a column can be summed, dates as dates; text columns carry the text format so a person typing
320311 into the template keeps a code, not a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

import xlsxwriter

from gongjian.exchange.columns import Column

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LAST_ROW = 1_048_575  # drop-downs cover every row a person may fill
_STYLES = {
    "general": {},
    "text": {"num_format": "@"},
    "money": {"num_format": "#,##0.00"},
    "decimal": {"num_format": "0.00"},
    "degrees": {"num_format": "0.000000"},
    "integer": {"num_format": "0"},
    "date": {"num_format": "yyyy-mm-dd"},
}


class Workbook:
    """An xlsxwriter workbook with Gongjian's formats. ``constant_memory`` streams rows to disk as they are
    written, so a 10,000-project export does not hold every cell in memory."""

    def __init__(self, stream: IO[bytes], *, constant_memory: bool = False):
        self.book = xlsxwriter.Workbook(stream, {
            "constant_memory": constant_memory,
            # Everything we write goes through an explicit write_string/number/datetime: never guess.
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        self.cell = {name: self.book.add_format(spec) for name, spec in _STYLES.items()}
        header = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        self.header = self.book.add_format(header)
        self.required_header = self.book.add_format({**header, "font_color": "#C00000"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.bold = self.book.add_format({"bold": True})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.error_text = self.book.add_format({"font_color": "#C00000", "text_wrap": True})

    def close(self) -> None:
        self.book.close()

    def data_sheet(self, name: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]] = (), *,
                   notes: bool = False) -> int:
        """A sheet with a header row and one row per dict (keyed by column key); returns the number of rows.

        Choice columns get a drop-down so an edited export or a filled template stays importable. ``notes``
        attaches each column's help to its header cell (not in constant-memory mode).
        """
        sheet = self.book.add_worksheet(name)
        sheet.freeze_panes(1, 0)
        sheet.set_row(0, 30)
        for position, column in enumerate(columns):
            sheet.set_column(position, position, column.width, self.cell[column.kind.style])
            sheet.write_string(0, position, column.header, self.required_header if column.required else self.header)
            if notes and column.help:
                sheet.write_comment(0, position, column.help, {"x_scale": 2, "y_scale": 1.5})
            if column.kind.choices and not column.export_only:
                sheet.data_validation(1, position, _LAST_ROW, position, {
                    "validate": "list", "source": column.kind.labels, "error_type": "warning",
                    "error_title": "不在可选范围内", "error_message": "请从下拉列表中选择。",
                })
        count = 0
        for count, row in enumerate(rows, start=1):
            for position, column in enumerate(columns):
                self.write(sheet, count, position, column.format(row.get(column.key)), column.kind.style)
        if count:
            sheet.autofilter(0, 0, count, len(columns) - 1)
        return count

    def write(self, sheet, row: int, position: int, value: Any, style: str) -> None:
        if value is None or value == "":
            return
        if style == "text":
            sheet.write_string(row, position, str(value), self.cell["text"])
        elif style == "date":
            sheet.write_datetime(row, position, value, self.cell["date"])
        else:
            sheet.write_number(row, position, value, self.cell[style])

    def rejected_rows(self, name: str, headers: Sequence[Any], rows: Iterable[tuple[int, Sequence[Any], str]]) -> None:
        """Rows as they were in an imported file, each with its row number in front and its errors behind."""
        sheet = self.book.add_worksheet(name)
        sheet.freeze_panes(1, 1)
        titles = ["行号", *("" if h is None else str(h) for h in headers), "错误原因"]
        for position, title in enumerate(titles):
            sheet.write_string(0, position, title, self.header)
        sheet.set_column(1, len(titles) - 2, 14)
        sheet.set_column(len(titles) - 1, len(titles) - 1, 60)
        for index, (number, cells, reason) in enumerate(rows, start=1):
            sheet.write_number(index, 0, number)
            for position, value in enumerate(cells[:len(headers)], start=1):
                self.write(sheet, index, position, value, _style_of(value))
            sheet.write_string(index, len(titles) - 1, reason, self.error_text)

    def instructions(self, name: str, title: str, lines: Sequence[str], sheets: dict[str, Sequence[Column]], *,
                     example: Sequence[Column] = ()) -> None:
        """A sheet explaining every column of ``sheets`` — required, format, allowed values — and, when
        ``example`` is given, one example row of those columns, marked as an example (it is never imported)."""
        sheet = self.book.add_worksheet(name)
        for position, width in enumerate([14, 24, 6, 36, 40, 60]):
            sheet.set_column(position, position, width)
        sheet.write_string(0, 0, title, self.title)
        row = 2
        for line in lines:
            sheet.write_string(row, 0, line)
            row += 1
        row += 1
        for position, header in enumerate(["工作表", "列名", "必填", "格式", "可选值", "说明"]):
            sheet.write_string(row, position, header, self.header)
        for sheet_name, columns in sheets.items():
            for column in columns:
                row += 1
                cells = [sheet_name, column.header, "是" if column.required else "",
                         column.kind.describe, "、".join(column.kind.labels), column.help]
                for position, text in enumerate(cells):
                    sheet.write_string(row, position, text, self.wrap)
        if example:
            row += 2
            sheet.write_string(row, 0, "示例（仅供参考：本表不会被导入，请在“项目”表中填写）", self.bold)
            for position, column in enumerate(example):
                sheet.write_string(row + 1, position, column.header,
                                   self.required_header if column.required else self.header)
                self.write(sheet, row + 2, position, column.format(column.parse(column.example)),
                           column.kind.style)


def _style_of(value: Any) -> str:
    """How to write a cell read from someone else's file: as the type it came in."""
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "general"
    return "text"
