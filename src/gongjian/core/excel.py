"""The one Excel writer. An app declares its sheets in its ``exports.py`` — columns (:class:`Column`) over rows
(:class:`Sheet`) — and this module writes them with xlsxwriter, which Excel and WPS both open.

How a cell is written is decided here, once: text always goes in as text (a name starting with ``=``, ``+``,
``-`` or ``@`` stays that name, never a formula; a code keeps its leading zeros), money as a number in 万元 that
a column can sum, dates as dates, each column with its number format, the header row frozen. A big sheet is
streamed (``constant_memory``): rows go to disk as they are written, so ten thousand rows cost no more memory
than ten.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.http import FileResponse
from django.utils import timezone

from gongjian.core.money import yuan_to_wan

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAST_ROW = 1_048_575  # drop-downs cover every row a person may fill
PROGRESS_EVERY = 1000  # rows between two progress reports of a long sheet

# kind → the cell's number format. "number" is a number as it comes; "auto" writes each value as its own type
# (text, number, date), for sheets whose columns hold a mix (a scheme's tables, a file's rejected rows).
KINDS: dict[str, dict[str, Any]] = {
    "text": {"num_format": "@"},
    "money": {"num_format": "#,##0.00"},  # yuan in, 万元 out
    "percent": {"num_format": "0.0%"},  # a ratio in (0.25), 25.0% shown
    "date": {"num_format": "yyyy-mm-dd"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
    "int": {"num_format": "0"},
    "decimal": {"num_format": "0.00"},
    "degrees": {"num_format": "0.000000"},
    "number": {},
    "auto": {},
}
HEADER = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
REQUIRED = {"font_color": "#C00000"}  # a required column's header, on the import template and the export
RED = {"font_color": "#C00000", "bold": True}  # a late deadline, a missing report
FILLS = {"green": {"bg_color": "#E6F4EA"}, "yellow": {"bg_color": "#FFF6DC"}, "red": {"bg_color": "#FDECEA"}}

Style = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its Chinese header; where a row's value comes from (an attribute or key name,
    dotted for a related object — ``"project.code"`` —, a position in a tuple, or a function of the row); its
    kind (one of :data:`KINDS`) and width. ``style`` gives a cell its own look (a red deadline); ``required``
    marks the header red, ``note`` hangs a comment on it and ``choices`` puts a drop-down on the rows below."""

    header: str
    value: str | int | Callable[[Any], Any]
    kind: str = "text"
    width: float | None = None
    style: Callable[[Any], Style | None] | None = None
    required: bool = False
    note: str = ""
    choices: Sequence[str] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind: {self.kind}")

    def of(self, row: Any) -> Any:
        """This column's value in ``row``."""
        if callable(self.value):
            return self.value(row)
        if isinstance(self.value, int):
            return row[self.value] if self.value < len(row) else None
        value = row
        for name in self.value.split("."):
            if value is None:
                return None
            value = value.get(name) if isinstance(value, Mapping) else getattr(value, name)
        return value


@dataclass
class Sheet:
    """A sheet: a header row (frozen) and one row per item of ``rows`` (any iterable, read once, in order).

    ``row_style`` colours a whole row (a light's colour); ``footer`` rows (totals) follow the data in bold after
    ``footer_gap`` blank rows; ``header=False`` writes the rows alone (a two-column sheet of label and value).
    """

    name: str
    columns: Sequence[Column]
    rows: Iterable[Any] = ()
    freeze: tuple[int, int] | None = (1, 0)
    header: bool = True
    header_height: float | None = None
    autofilter: bool = False
    row_style: Callable[[Any], Style | None] | None = None
    footer: Sequence[Sequence[Any]] = ()
    footer_gap: int = 0


@dataclass
class Block:
    """A table on a :class:`Notes` sheet, after ``gap`` blank rows and its ``caption``."""

    columns: Sequence[Column]
    rows: Iterable[Any] = ()
    caption: str = ""
    gap: int = 1
    wrap: bool = False  # long text wraps in its cell


@dataclass
class Notes:
    """A sheet for people to read: a title, lines of text, then tables (a 填表说明 listing every column)."""

    name: str
    title: str = ""
    lines: Sequence[str] = ()
    blocks: Sequence[Block] = ()
    widths: Sequence[float] = ()


@dataclass
class Workbook:
    """Sheets written one after another to ``stream`` (a buffer of its own when none is given), then
    :meth:`close`. ``constant_memory`` streams each sheet's rows to a temporary file as they are written."""

    stream: IO[bytes] | None = None
    constant_memory: bool = False
    _formats: dict[tuple, Any] = field(default_factory=dict, init=False)

    def __post_init__(self):
        if self.stream is None:
            self.stream = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.stream,
            {
                "constant_memory": self.constant_memory,
                # Every cell goes through an explicit write_string/number/datetime: nothing is guessed from text.
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )

    def format(self, *styles: Style | None):
        """One xlsxwriter format for the merged ``styles`` (made once per distinct look)."""
        spec: dict[str, Any] = {}
        for style in styles:
            spec.update(style or {})
        key = tuple(sorted(spec.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(spec) if spec else None
        return self._formats[key]

    def add(self, sheet: Sheet, *, progress: Callable[[int], None] | None = None) -> int:
        """Write ``sheet``; returns how many rows of data it has. ``progress`` is told the rows written so far
        every :data:`PROGRESS_EVERY` rows."""
        ws = self.book.add_worksheet(sheet.name)
        columns = list(sheet.columns)
        for position, column in enumerate(columns):
            if column.width is not None or KINDS[column.kind]:
                ws.set_column(position, position, column.width, self.format(KINDS[column.kind]))
        first = 0
        if sheet.header:
            first = 1
            if sheet.header_height:
                ws.set_row(0, sheet.header_height)
            self._header(ws, 0, columns)
            for position, column in enumerate(columns):
                if column.choices:
                    ws.data_validation(
                        1,
                        position,
                        LAST_ROW,
                        position,
                        {
                            "validate": "list",
                            "source": list(column.choices),
                            "error_type": "warning",
                            "error_title": "不在可选范围内",
                            "error_message": "请从下拉列表中选择。",
                        },
                    )
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
        plain = [self.format(KINDS[column.kind]) for column in columns]
        count = 0
        for count, row in enumerate(sheet.rows, start=1):
            self._row(
                ws, first + count - 1, columns, row, sheet.row_style(row) if sheet.row_style else None, plain
            )
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
        if sheet.autofilter and count:
            ws.autofilter(0, 0, count, len(columns) - 1)
        line = first + count + sheet.footer_gap
        bold = self.format({"bold": True})
        for cells in sheet.footer:
            for position, value in enumerate(cells):
                self.write(ws, line, position, value, "auto", bold)
            line += 1
        if progress:
            progress(count)
        return count

    def notes(self, notes: Notes) -> None:
        """Write a sheet of notes: the title (large, bold), the lines, then each block's caption and table."""
        ws = self.book.add_worksheet(notes.name)
        for position, width in enumerate(notes.widths):
            ws.set_column(position, position, width)
        line = 0
        if notes.title:
            ws.write_string(0, 0, notes.title, self.format({"bold": True, "font_size": 14}))
            line = 2
        for text in notes.lines:
            ws.write_string(line, 0, text)
            line += 1
        for block in notes.blocks:
            line += block.gap
            if block.caption:
                ws.write_string(line, 0, block.caption, self.format({"bold": True}))
                line += 1
            self._header(ws, line, block.columns)
            for row in block.rows:
                line += 1
                self._row(
                    ws, line, block.columns, row, {"text_wrap": True, "valign": "top"} if block.wrap else None
                )
            line += 1

    def close(self) -> bytes:
        """Finish the file; returns its bytes when the workbook wrote to a buffer of its own."""
        self.book.close()
        return self.stream.getvalue() if isinstance(self.stream, io.BytesIO) else b""

    def _header(self, ws, line: int, columns: Sequence[Column]) -> None:
        for position, column in enumerate(columns):
            ws.write_string(
                line, position, column.header, self.format(HEADER, REQUIRED if column.required else None)
            )
            if column.note:
                ws.write_comment(line, position, column.note, {"x_scale": 2, "y_scale": 1.5})

    def _row(
        self,
        ws,
        line: int,
        columns: Sequence[Column],
        row: Any,
        row_style: Style | None,
        plain: Sequence[Any] | None = None,
    ) -> None:
        """One row; ``plain`` holds each column's own format, for the cells with no style of their own."""
        for position, column in enumerate(columns):
            value = column.of(row)
            if value is None or value == "":
                if row_style:  # a coloured row is coloured across, blanks included
                    ws.write_blank(line, position, None, self.format(KINDS[column.kind], row_style))
                continue
            cell_style = column.style(row) if column.style else None
            if plain is not None and not row_style and not cell_style:
                cell_format = plain[position]
            else:
                cell_format = self.format(KINDS[column.kind], row_style, cell_style)
            self.write(ws, line, position, value, column.kind, cell_format)

    def write(self, ws, line: int, position: int, value: Any, kind: str, cell_format=None) -> None:
        """One cell: text as text whatever it looks like, numbers as numbers, dates as dates."""
        if value is None or value == "":
            return
        if isinstance(value, str):
            if kind == "auto" and cell_format is None:
                cell_format = self.format(KINDS["text"])
            ws.write_string(line, position, value, cell_format)
        elif isinstance(value, bool):
            ws.write_boolean(line, position, value, cell_format)
        elif kind == "text":
            ws.write_string(line, position, str(value), cell_format)
        elif isinstance(value, dt.date):
            if kind == "auto" and cell_format is None:
                cell_format = self.format(KINDS["datetime" if isinstance(value, dt.datetime) else "date"])
            ws.write_datetime(line, position, _naive(value), cell_format)
        elif isinstance(value, int | float | Decimal):
            number = yuan_to_wan(value) if kind == "money" else value
            ws.write_number(
                line, position, float(number) if isinstance(number, Decimal) else number, cell_format
            )
        else:
            ws.write_string(line, position, str(value), cell_format)


def _naive(value: dt.date) -> dt.datetime:
    """A date or time as Excel holds it: local (Asia/Shanghai) wall time, no zone."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return dt.datetime.combine(value, dt.time())


def workbook(*sheets: Sheet | Notes, stream: IO[bytes] | None = None, constant_memory: bool = False) -> bytes:
    """``sheets`` in order as an .xlsx file, written to ``stream``, or returned as bytes when there is none."""
    book = Workbook(stream, constant_memory=constant_memory)
    for sheet in sheets:
        if isinstance(sheet, Notes):
            book.notes(sheet)
        else:
            book.add(sheet)
    return book.close()


def response(content: bytes | IO[bytes], filename: str) -> FileResponse:
    """An .xlsx download; Django writes the Chinese file name as RFC 5987 ``filename*``."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def in_background(rows: int) -> bool:
    """Whether an export of ``rows`` rows is written by a background job instead of inside the request
    (``GONGJIAN_EXPORT_BACKGROUND_ROWS``): a big one would outlast the request's time limit."""
    return rows > settings.GONGJIAN_EXPORT_BACKGROUND_ROWS
