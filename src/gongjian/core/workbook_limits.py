"""What an uploaded workbook may hold, checked before anything reads it.

An .xlsx file is a zip of XML files. A few kilobytes can claim a cell at XFD1048576 (the reader then sets aside
room for every cell between A1 and there: 512 GB) or inflate to gigabytes (a "zip bomb"). So the zip is
inflated here first, a megabyte at a time and never further than the limits allow, and the XML of every sheet
the import will read is scanned for how far its cells reach. Only a file within every limit goes on to the
reader; any other is refused with a message saying which limit it broke and where.

The scan follows the reader's rules (calamine's ``XlsxCellReader``): a row's ``r`` sets the row, ``</row>``
moves to the next one, a cell's ``r`` sets its row and column, a cell without one takes the next column.
Counting every ``<c>`` — with a value or not, inside comments or not — can only make it see more than the
reader will, never less.
"""

from __future__ import annotations

import copy
import html
import re
import string
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

_MB = 1024 * 1024
_PIECE = _MB  # how much XML is inflated and scanned at a time
# Deflate cannot pack ordinary spreadsheet XML much tighter than 20:1; a member that inflates to 100 times its
# size, and to more than a few megabytes, holds nothing a person typed.
MAX_RATIO = 100
_RATIO_FLOOR = 8 * _MB
_MAX_MEMBERS = 10_000  # a workbook with every kind of part has a few hundred
_MAX_STRUCTURE = 16 * _MB  # xl/workbook.xml and its relationships: a few kilobytes in practice

_SIGNATURES = {
    b"\xd0\xcf\x11\xe0": "旧版 .xls 工作簿或加密的工作簿",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"%PDF": "PDF 文件",
    b"GIF8": "GIF 图片",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
}
# Zips of other kinds, by a member that marks them. The reader takes a zip holding one of these for that kind of
# file, whatever else it holds, so such a zip is refused even beside an xl/workbook.xml.
_OTHER_PACKAGES = {
    "xl/workbook.bin": "该文件是二进制工作簿（.xlsb），请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。",
    "content.xml": "该文件是 OpenDocument 表格（.ods），请在 WPS 或 LibreOffice 中“另存为” .xlsx 后再导入。",
    "word/document.xml": "该文件是 Word 文档（.docx），不是 Excel 工作簿（.xlsx）。",
    "ppt/presentation.xml": "该文件是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿（.xlsx）。",
}

# What a truncated or corrupted zip raises from zipfile and zlib.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
    struct.error,
    NotImplementedError,
    RuntimeError,
)


class UnreadableFile(ValueError):
    """The file is not a workbook or CSV we can read; the message says what to do."""


@dataclass(frozen=True)
class Limits:
    """How big an imported file may be. A sheet's rows and columns count from A1, as the reader lays them out:
    cells at A1 and Z1000 make 1,000 rows of 26 columns whatever lies between."""

    max_rows: int = 200_000
    max_columns: int = 200
    max_cells: int = 5_000_000  # rows × columns of one sheet: the reader holds 32 bytes for each
    max_uncompressed_bytes: int = 200 * _MB

    @property
    def shape(self) -> str:
        return f"最多 {self.max_columns} 列、{self.max_rows} 行"

    @property
    def mb(self) -> int:
        return self.max_uncompressed_bytes // _MB


@dataclass(frozen=True)
class SheetPart:
    """A sheet as the workbook lists it: its place among the tabs, its name and the zip member holding it."""

    number: int
    name: str
    member: str

    def __str__(self) -> str:
        return f"第 {self.number} 个工作表「{self.name}」"


def column_letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA: the letters of a 1-based column number."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def check_size(size: int, limits: Limits, what: str) -> None:
    if size > limits.max_uncompressed_bytes:
        raise UnreadableFile(f"{what}超过 {limits.mb} MB 的上限，未读取。")


class XlsxPackage:
    """An .xlsx file opened as a zip: what kind of file it really is, its sheets, and (:meth:`check`) whether
    it keeps within the limits. Reads the file's bytes and leaves its position where it was."""

    def __init__(self, file: IO[bytes], limits: Limits):
        self.file, self.limits, self.start = file, limits, file.tell()
        head = file.read(8)
        size = file.seek(0, 2) - self.start
        file.seek(self.start)
        check_size(size, limits, "文件大小")
        if not head.startswith(b"PK\x03\x04"):
            kind = next((kind for magic, kind in _SIGNATURES.items() if head.startswith(magic)), "")
            if kind.startswith("旧版"):
                raise UnreadableFile(f"该文件是{kind}，请在 Excel 或 WPS 中“另存为”不加密的 .xlsx 后再导入。")
            raise UnreadableFile(f"该文件{f'是 {kind}，' if kind else ''}不是 Excel 工作簿（.xlsx）。")
        try:
            self.zip = zipfile.ZipFile(file)
            self.sheets = self._sheets()
        except UnreadableFile:
            raise
        except _DAMAGED as exc:
            raise UnreadableFile(f"文件不完整或已损坏（{exc}），请重新保存或导出后再导入。") from exc
        finally:
            file.seek(self.start)

    def _sheets(self) -> list[SheetPart]:
        infos = self.zip.infolist()
        self.members = {_fold(info.filename): info for info in infos}
        if len(self.members) < len(infos):  # two members the reader cannot tell apart
            raise UnreadableFile("压缩包内有重名的文件，不是正常的 Excel 工作簿。")
        for member, message in _OTHER_PACKAGES.items():
            if member in self.members:
                raise UnreadableFile(message)
        if "xl/workbook.xml" not in self.members:
            raise UnreadableFile("该文件是压缩包，但不是 Excel 工作簿（.xlsx）。")
        if len(infos) > _MAX_MEMBERS:
            raise UnreadableFile(f"压缩包内有 {len(infos)} 个文件，不是正常的 Excel 工作簿。")
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnreadableFile("工作簿已加密，请在 Excel 或 WPS 中取消密码后再导入。")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnreadableFile(
                    f"压缩包内的 {info.filename} 使用了 Excel 不使用的压缩方式，不是正常的 Excel 工作簿。"
                )
        self._check_declared(infos)
        return _sheet_parts(self._text("xl/workbook.xml"), self._text("xl/_rels/workbook.xml.rels"))

    def _check_declared(self, infos: list[zipfile.ZipInfo]) -> None:
        """What the zip's directory says each member inflates to: a bomb that admits it is refused at once."""
        total = sum(info.file_size for info in infos)
        largest = max(infos, key=lambda info: info.file_size, default=None)
        if largest is not None and total > self.limits.max_uncompressed_bytes:
            raise UnreadableFile(
                f"工作簿解压后共 {total // _MB} MB，超过 {self.limits.mb} MB 的上限"
                f"（其中 {largest.filename} 解压后 {largest.file_size // _MB} MB），可能是“压缩炸弹”，未读取。"
            )
        for info in infos:
            _check_ratio(info.filename, info.file_size, info.compress_size)

    def _text(self, member: str) -> bytes:
        info = self.members.get(_fold(member))
        if info is None:
            raise UnreadableFile(f"工作簿缺少 {member}，文件可能已损坏。")
        parts: list[bytes] = []
        self._inflate(
            info,
            _MAX_STRUCTURE,
            member,
            parts.append,
            over=f"工作簿的 {member} 解压后超过 {_MAX_STRUCTURE // _MB} MB，不是正常的 Excel 工作簿。",
        )
        return b"".join(parts)

    def _inflate(
        self, info: zipfile.ZipInfo, budget: int, where: str, sink: Callable[[bytes], None] | None, over: str
    ) -> int:
        """Inflate one member a piece at a time, passing each piece to ``sink``; returns the member's real size.
        Refuses the file, saying ``over``, as soon as the member passes ``budget``, or when it inflates to more
        than MAX_RATIO times its compressed size."""
        real = copy.copy(info)
        # Read what is there, not what the directory says is there; the CRC is still checked at the real end.
        real.file_size = 1 << 62
        size = 0
        with self.zip.open(real) as member:
            while piece := member.read(_PIECE):
                size += len(piece)
                if size > budget:
                    raise UnreadableFile(over)
                _check_ratio(where, size, info.compress_size)
                if sink is not None:
                    sink(piece)
        return size

    def check(self, sheets: Iterable[SheetPart]) -> dict[SheetPart, int]:
        """Inflate every member to learn its real size (the zip's directory may lie), and scan the XML of
        ``sheets`` for how far their cells reach. Raises UnreadableFile naming the limit and where. Returns how
        many rows each of ``sheets`` writes (blank and header rows among them: at least as many as hold data)."""
        scans: dict[str, _Scan] = {}
        counts: dict[SheetPart, int] = {}
        for sheet in sheets:
            info = self.members.get(_fold(sheet.member))
            if info is None:
                raise UnreadableFile(f"{sheet}在文件中不存在（{sheet.member}），文件可能已损坏。")
            scans[info.filename] = _Scan(sheet, self.limits)
        budget = self.limits.max_uncompressed_bytes
        try:
            for info in self.zip.infolist():
                scan = scans.get(info.filename)
                where = str(scan.sheet) if scan else info.filename
                over = f"工作簿解压后超过 {self.limits.mb} MB 的上限（读到{where}时），可能是“压缩炸弹”，未读取。"
                budget -= self._inflate(info, budget, where, scan.feed if scan else None, over)
                if scan:
                    scan.finish()
            for name, scan in scans.items():
                counts[scan.sheet] = scan.row_count
                if scan.unusual:  # not written the usual way: scan again, following the reader cell by cell
                    exact = _ExactScan(scan.sheet, self.limits)
                    self._inflate(
                        self.zip.getinfo(name),
                        self.limits.max_uncompressed_bytes,
                        str(scan.sheet),
                        exact.feed,
                        over="",
                    )  # its size passed above
                    exact.finish()
                    counts[scan.sheet] = exact.row_count
        except UnreadableFile:
            raise
        except _DAMAGED as exc:
            raise UnreadableFile(f"文件不完整或已损坏（{exc}），请重新保存或导出后再导入。") from exc
        finally:
            self.file.seek(self.start)
        return counts


def _fold(name: str) -> str:
    """Member names as the reader compares them: ignoring the case of ASCII letters only."""
    return name.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _check_ratio(where: str, size: int, compressed: int) -> None:
    if size > _RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        raise UnreadableFile(
            f"工作簿的压缩比超过 {MAX_RATIO} 倍的上限（{where}：{compressed:,} 字节解压后超过 "
            f"{size // _MB} MB），可能是“压缩炸弹”，未读取。"
        )


# The workbook's list of sheets, read as the reader reads it

_ATTRIBUTES = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_SHEET = re.compile(rb"<(?:[^\s/>:<]+:)?sheet(?=[\s/>])" + _ATTRIBUTES + rb">")
_RELATIONSHIP = re.compile(rb"<(?:[^\s/>:<]+:)?Relationship(?=[\s/>])" + _ATTRIBUTES + rb">")
_ATTRIBUTE = re.compile(rb"([^\s=/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attributes(text: bytes) -> dict[bytes, str]:
    return {
        m[1]: (m[2] if m[2] is not None else m[3]).decode("utf-8", "replace")
        for m in _ATTRIBUTE.finditer(text)
    }


def _sheet_parts(workbook: bytes, relationships: bytes) -> list[SheetPart]:
    """The sheets in tab order, each with the member the reader opens for it: a relationship's target under
    xl/ unless it already starts there."""
    targets: dict[str, str] = {}
    for match in _RELATIONSHIP.finditer(relationships):
        attributes = _attributes(match[1])
        targets[attributes.get(b"Id", "")] = attributes.get(b"Target", "")
    sheets: list[SheetPart] = []
    names: set[str] = set()
    for match in _SHEET.finditer(workbook):
        attributes = _attributes(match[1])
        target = targets.get(attributes.get(b"r:id", attributes.get(b"relationships:id", "")), "")
        member = (
            target[1:]
            if target.startswith("/xl/")
            else target
            if target.startswith("xl/")
            else f"xl/{target}"
        )
        name = html.unescape(attributes.get(b"name", ""))
        if name in names:  # the reader would open the first of them, whichever one we checked
            raise UnreadableFile(f"工作簿中有两个工作表都叫「{name}」，不是正常的 Excel 工作簿。")
        names.add(name)
        sheets.append(SheetPart(len(sheets) + 1, name, member))
    return sheets


# How far a sheet's cells reach

_SHEET_DATA = re.compile(rb"<(?:([^\s/>:<]+):)?sheetData[\s/>]")
_DIMENSION = re.compile(rb"<(?:[^\s/>:<]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_LAST_CELL = re.compile(r"([A-Za-z]+)(\d+)$")
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
# A row without its number first, or a row or cell with a namespace prefix: not the usual way of writing.
_UNUSUAL_ROW = re.compile(rb'<row(?! r="\d)[\s/>]')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_CELL_AT = re.compile(rb'<c r="([A-Z]+)(\d+)"')


def _at_most(limit: str, low: str, high: str, lead: str) -> str:
    """A regular expression for the strings of the characters ``low``–``high`` (the first one ``lead``–``high``)
    that count no more than ``limit``, written with the same characters: shorter ones, or as long and smaller
    where they first differ, or ``limit`` itself. ``_at_most("GR", "A", "Z", "A")`` matches columns A to GR."""
    length, before = len(limit), {chr(c + 1): chr(c) for c in range(ord(low), ord(high))}
    parts = [f"[{lead}-{high}][{low}-{high}]{{0,{length - 2}}}"] if length > 1 else []
    for position, character in enumerate(limit):
        first = lead if position == 0 else low
        if character > first:
            parts.append(
                f"{limit[:position]}[{first}-{before[character]}][{low}-{high}]{{{length - position - 1}}}"
            )
    return "|".join([*parts, limit])


@lru_cache(maxsize=64)
def _unusual_cell(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell not written ``<c r="B7" s="3">`` — its position first, within ``columns`` and ``rows``, and no other
    attribute named r (the reader takes the last one)."""
    left = _at_most(column_letters(columns), "A", "Z", "A")
    above = _at_most(str(rows), "0", "9", "1")
    usual = f' r="(?:{left})(?:{above})"(?: (?!r=)[^\\s=<>"\']+="[^"<]*")*/?>'
    return re.compile(f"<c(?!{usual})[\\s/>]".encode())


class _Pieces:
    """Cuts inflated XML at the last ``<`` of each piece, so no tag is split between two pieces."""

    def __init__(self) -> None:
        self.pending = b""

    def cut(self, data: bytes, last: bool = False) -> bytes:
        data = self.pending + data
        end = len(data) if last else data.rfind(b"<")
        if end <= 0 and len(data) < 4 * _PIECE:
            self.pending = data
            return b""
        if end <= 0:  # a tag longer than megabytes: its start is in this piece, the rest holds no tag
            end = len(data)
        self.pending = data[end:]
        return data[:end]


class _Scan:
    """One sheet, the fast way. Excel, WPS, LibreOffice and the common libraries write each row as
    ``<row r="7"`` and each cell as ``<c r="B7"``; for such a sheet a few searches per piece, run in C, prove
    every cell within the limits. Anything else makes it ``unusual`` and :class:`_ExactScan` takes over.

    Rows are checked against the highest row number seen so far (or the declared one), columns against what
    that many rows leave of the cell limit; if the rows turn out more than that allowance assumed, the sheet is
    unusual too."""

    def __init__(self, sheet: SheetPart, limits: Limits):
        self.sheet, self.limits = sheet, limits
        self.pieces = _Pieces()
        self.in_data = self.unusual = False
        self.declared = self.rows = self.row_count = self.cell_count = self.columns_allowed = 0

    def feed(self, data: bytes, last: bool = False) -> None:
        if not self.unusual and (piece := self.pieces.cut(data, last)):
            self._scan(piece)

    def finish(self) -> None:
        self.feed(b"", last=True)
        if self.columns_allowed > self._columns_for(max(self.declared, self.rows)):
            self.unusual = True

    def _columns_for(self, rows: int) -> int:
        return min(self.limits.max_columns, self.limits.max_cells // max(rows, 1))

    def _scan(self, piece: bytes) -> None:
        if not self.in_data:
            start = _SHEET_DATA.search(piece)
            dimension = _DIMENSION.search(piece, 0, start.start() if start else len(piece))
            if dimension and not self.declared:
                self.declared = _check_dimension(self.sheet, dimension, self.limits)
            if start is None:
                return
            self.in_data, piece = True, piece[start.end() :]
            if start[1]:
                self.unusual = True
                return
        numbers = _ROW_NUMBER.findall(piece)
        if numbers:
            self.rows = max(self.rows, *map(int, numbers))
            self.row_count += len(numbers)
            _check_rows(self.sheet, self.rows, self.row_count, self.limits)
        if _UNUSUAL_ROW.search(piece) or _PREFIXED.search(piece):
            self.unusual = True
            return
        self.cell_count += piece.count(b'<c r="')
        _check_cell_count(self.sheet, self.cell_count, self.limits)
        rows = max(self.declared, self.rows)
        columns = self._columns_for(rows)
        self.columns_allowed = max(self.columns_allowed, columns)
        found = _unusual_cell(columns, max(rows, 1)).search(piece)
        if found is None:
            return
        cell = _CELL_AT.match(piece, found.start())
        if cell:
            _check_cell(self.sheet, int(cell[2]), column_number(cell[1].decode()), self.limits)
        self.unusual = True


def _check_rows(sheet: SheetPart, last: int, count: int, limits: Limits) -> None:
    if last > limits.max_rows:
        raise UnreadableFile(f"{sheet}有第 {last} 行，超过上限：{limits.shape}。请删除数据以外的行后再导入。")
    if count > limits.max_rows:
        raise UnreadableFile(f"{sheet}超过 {limits.max_rows} 行的上限。")


def _check_cell(sheet: SheetPart, row: int, column: int, limits: Limits) -> None:
    if column > limits.max_columns or row > limits.max_rows:
        raise UnreadableFile(
            f"{sheet}在单元格 {column_letters(column)}{row} 有内容，超过上限：{limits.shape}。"
            "请删除数据以外的单元格后再导入。"
        )


def _check_cell_count(sheet: SheetPart, count: int, limits: Limits) -> None:
    if count > limits.max_cells:
        raise UnreadableFile(f"{sheet}超过 {limits.max_cells:,} 个单元格的上限。")


def _check_dimension(sheet: SheetPart, found: re.Match[bytes], limits: Limits) -> int:
    """The range the sheet declares (``<dimension ref="A1:R120"/>``) within the limits; returns its last row."""
    declared = found[1].decode("ascii", "replace")
    last = _LAST_CELL.search(declared)
    if last is None:
        return 0
    columns, rows = column_number(last[1]), int(last[2])
    if columns > limits.max_columns or rows > limits.max_rows:
        raise UnreadableFile(
            f"{sheet}声明的范围 {declared} 超过上限：{limits.shape}。"
            "请删除数据以外的行和列（或把数据复制到新的工作簿）后再导入。"
        )
    if columns * rows > limits.max_cells:
        raise UnreadableFile(
            f"{sheet}声明的范围 {declared} 共 {columns * rows:,} 个单元格，"
            f"超过 {limits.max_cells:,} 个单元格（行数 × 列数）的上限。"
        )
    return rows


_TAG_START = re.compile(rb"<(?:[^\s/>:<]+:)?(?:row|c)(?=[\s/>])|</(?:[^\s/>:<]+:)?row[\s>]")
_TAG = re.compile(rb"<(/?)(?:[^\s/>:<]+:)?(row|c)(?=[\s/>])" + _ATTRIBUTES + rb">")
# Every attribute that may be the one named r (the reader takes a row's first and a cell's last): counting them
# all, and taking the furthest, can only place a cell further than the reader does.
_POSITIONS = re.compile(rb"(?:^|[\s\"'])r\s*=\s*(?:\"([A-Za-z]*)(\d+)\"|'([A-Za-z]*)(\d+)')")
_MAX_TAG = 4 * _MB


def _place(found: re.Match[bytes]) -> tuple[int, int]:
    """The row and column (1-based; column 0 when there are no letters) of a position attribute."""
    letters, digits = (found[1], found[2]) if found[2] is not None else (found[3], found[4])
    return int(digits), column_number(letters.decode())


class _ExactScan:
    """One sheet, tag by tag, placing each cell as the reader does. Slower (a Python step per row and cell), so it
    runs only for sheets not written the usual way; it stops at the first cell beyond a limit."""

    def __init__(self, sheet: SheetPart, limits: Limits):
        self.sheet, self.limits = sheet, limits
        self.pending = b""
        self.in_data = False
        self.row = self.column = 0  # where the next cell without a position goes (0-based, as the reader)
        self.rows = self.columns = self.row_count = self.cell_count = 0

    def feed(self, data: bytes, last: bool = False) -> None:
        data, position = self.pending + data, 0
        if not self.in_data:
            start = _SHEET_DATA.search(data)
            if start is None:
                self.pending = b"" if last else data[max(data.rfind(b"<"), 0) :]
                return
            self.in_data, position = True, start.end()
        while start := _TAG_START.search(data, position):
            tag = _TAG.match(data, start.start())
            if tag is None and not last:  # it ends in the next piece
                position = start.start()
                break
            if tag is not None:
                self._tag(tag[1], tag[2], tag[3])
            position = tag.end() if tag else start.end()
        else:
            tail = data.rfind(b"<", position)
            position = len(data) if last or tail < 0 else tail
        self.pending = data[position:]
        if len(self.pending) > _MAX_TAG:
            raise UnreadableFile(
                f"{self.sheet}的 XML 有一个超过 {_MAX_TAG // _MB} MB 的标签，文件可能已损坏。"
            )

    def _tag(self, closing: bytes, name: bytes, attributes: bytes) -> None:
        if closing:
            if name == b"row":
                self.row, self.column = self.row + 1, 0
            return
        positions = [_place(found) for found in _POSITIONS.finditer(attributes)]
        if name == b"row":
            if positions:
                self.row = max(row for row, _ in positions) - 1
            self.row_count += 1
            self.rows = max(self.rows, self.row + 1)
            _check_rows(self.sheet, self.rows, self.row_count, self.limits)
            if attributes.rstrip().endswith(b"/"):  # <row/> opens and closes
                self.row, self.column = self.row + 1, 0
            return
        row = self.row + 1
        if positions:
            row, self.column = max(row for row, _ in positions), max(column for _, column in positions) - 1
        self.column += 1
        self.cell_count += 1
        _check_cell(self.sheet, row, self.column, self.limits)
        _check_cell_count(self.sheet, self.cell_count, self.limits)
        self.rows, self.columns = max(self.rows, row), max(self.columns, self.column)

    def finish(self) -> None:
        self.feed(b"", last=True)
        if self.rows * self.columns > self.limits.max_cells:
            last = f"{column_letters(self.columns)}{self.rows}"
            raise UnreadableFile(
                f"{self.sheet}的数据范围 A1:{last} 共 {self.rows * self.columns:,} 个单元格，"
                f"超过 {self.limits.max_cells:,} 个单元格（行数 × 列数）的上限。"
            )


def read_sheets(
    file: IO[bytes], filename: str, names: Iterable[str] = (), limits: Limits | None = None
) -> dict[str, list[list[object]]]:
    """The rows of the sheets ``names`` of an uploaded .xlsx (every sheet when empty; a name the workbook lacks
    is left out), each cell as calamine gives it — for any app's import, after the whole file was checked
    against ``limits`` (the defaults when None) like the registry's import checks it. Raises
    :class:`UnreadableFile` with a message for the user: not an .xlsx, beyond a limit, or unreadable."""
    from python_calamine import CalamineError, CalamineWorkbook  # noqa: PLC0415  (only the readers need it)

    limits = limits or Limits()
    lowered = filename.lower()
    if lowered.endswith(".xls"):
        raise UnreadableFile("不支持旧版 .xls 文件，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。")
    if not lowered.endswith((".xlsx", ".xlsm")):
        raise UnreadableFile("只能导入 .xlsx 文件。")
    package = XlsxPackage(file, limits)
    wanted = [name.strip() for name in names]
    parts = [p for p in package.sheets if not wanted or p.name.strip() in wanted]
    package.check(parts)
    try:
        book = CalamineWorkbook.from_filelike(file)
        return {
            p.name.strip(): book.get_sheet_by_name(p.name).to_python(skip_empty_area=False) for p in parts
        }
    except CalamineError as exc:
        raise UnreadableFile(f"无法读取该 Excel 文件（{exc}），请确认文件未损坏且不是加密文件。") from exc
