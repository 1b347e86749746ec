"""Hostile files offered to the import: sparse and bomb workbooks, truncated and disguised files, huge CSV fields.

Each is built here, in memory, in milliseconds (nothing binary is committed). Each is refused with a message
naming the limit and where, through the service, the import page and the command, and leaves the database as it
was. The bombs are refused in under two seconds and 200 MB.
"""

import io
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from gongjian.core import workbook_limits as limits
from gongjian.core.workbook_limits import Limits, column_letters, column_number
from gongjian.exchange.reading import read_workbook
from gongjian.exchange.services import import_projects
from gongjian.projects.models import Project
from tests.exchange.conftest import HEADERS, csv_bytes, project_row
from tests.factories import ProjectFactory, photo_bytes

pytestmark = pytest.mark.django_db
SHAPE = "超过上限：最多 200 列、200000 行"


# -- building the files ---------------------------------------------------------------------------------------


@dataclass
class Part:
    """A zip member as stored: its deflated bytes, and the size and CRC its headers give."""

    name: str
    deflated: bytes
    size: int
    crc: int = 0


def part(name: str, content: bytes) -> Part:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Part(name, packer.compress(content) + packer.flush(), len(content), zlib.crc32(content))


def repeated(
    name: str, head: bytes, block: bytes, times: int, tail: bytes, *, admitted: int | None = None
) -> Part:
    """``head + block * times + tail`` deflated without deflating all of it: after a full flush deflate starts
    afresh, so each repetition of ``block`` deflates to the same bytes. ``admitted`` is the size the headers
    give (the true one when None). The CRC is left 0: the file is refused long before its end is read."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    once = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.compress(tail) + packer.flush()
    size = len(head) + len(block) * times + len(tail)
    return Part(name, start + once * times + end, size if admitted is None else admitted)


def zipped(parts: list[Part]) -> bytes:
    """A zip written by hand (zipfile would deflate a bomb itself, for seconds)."""
    out, directory = io.BytesIO(), []
    for p in parts:
        offset, name = out.tell(), p.name.encode()
        fields = (8, 0, 0x21, p.crc, len(p.deflated), p.size, len(name))  # deflate, 1980-01-01
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, *fields, 0) + name + p.deflated)
        directory.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, *fields, 0, 0, 0, 0, 0, offset)
            + name
        )
    start = out.tell()
    out.write(b"".join(directory))
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), out.tell() - start, start, 0)
    )
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
    b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
    b'main+xml"/></Types>'
)
ROOT_RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml'
    '/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="项目" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def xlsx(sheet: bytes | Part) -> bytes:
    """A one-sheet workbook (sheet 项目) whose sheet XML is ``sheet``."""
    if isinstance(sheet, bytes):
        sheet = part("xl/worksheets/sheet1.xml", sheet)
    return zipped(
        [
            part("[Content_Types].xml", CONTENT_TYPES),
            part("_rels/.rels", ROOT_RELATIONSHIPS),
            part("xl/workbook.xml", WORKBOOK),
            part("xl/_rels/workbook.xml.rels", RELATIONSHIPS),
            sheet,
        ]
    )


def sheet_xml(rows: str, *, dimension: str | None = None) -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return SHEET_HEAD + f"{declared}<sheetData>{rows}</sheetData></worksheet>".encode()


def cell(ref: str, value: str = "1") -> str:
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return f'<row r="{row}"><c r="{ref}"><v>{value}</v></c></row>'


def written_by_openpyxl(*refs: str) -> bytes:
    """What Excel-like programs write for cells far apart: openpyxl declares the range A1:<last cell>."""
    book = openpyxl.Workbook()
    book.active.title = "项目"
    for ref in refs:
        book.active[ref] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb(*, admitted: bool) -> bytes:
    """About 1 GB of sheet XML — repeated rows each holding an 8,000-character text — deflated to about 1 MB.
    When not ``admitted``, the zip's headers claim the sheet inflates to just 1 MB, so only inflating it shows
    what it is (calamine's zip reader happens to stop at the claimed size; the check must not rely on that)."""
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 8000 + b"</t></is></c></row>"
    block = row * (1024 * 1024 // len(row))
    sheet = repeated(
        "xl/worksheets/sheet1.xml",
        SHEET_HEAD + b"<sheetData>",
        block,
        1024,
        b"</sheetData></worksheet>",
        admitted=None if admitted else 1024 * 1024,
    )
    return xlsx(sheet)


# -- what a user sees -----------------------------------------------------------------------------------------


@pytest.fixture
def existing(db):
    """A project already in the registry: a refused file must leave it as it was, and add nothing."""
    return ProjectFactory(name="已有项目")


def refused(data: bytes, actor, name="项目.xlsx") -> str:
    """Import ``data``; assert it was refused and nothing saved; return the message the user reads."""
    before = list(Project.objects.values_list("pk", "version", "name"))
    result = import_projects(io.BytesIO(data), filename=name, actor=actor)
    assert not result.ok and len(result.errors) == 1
    assert list(Project.objects.values_list("pk", "version", "name")) == before
    return result.errors[0].message


def test_a_workbook_with_cells_at_a1_and_xfd1048576_is_refused_naming_its_declared_range(
    existing, office_user
):
    message = refused(written_by_openpyxl("A1", "XFD1048576"), office_user)

    assert message.startswith(f"第 1 个工作表「项目」声明的范围 A1:XFD1048576 {SHAPE}")


def test_the_same_cells_without_a_declared_range_are_refused_at_the_far_row(existing, office_user):
    message = refused(xlsx(sheet_xml(cell("A1") + cell("XFD1048576"))), office_user)

    assert message.startswith(f"第 1 个工作表「项目」有第 1048576 行，{SHAPE}")


def test_a_workbook_with_cells_at_a1_and_z1000000_is_refused_without_reading_a_million_rows(
    existing, office_user
):
    started = time.process_time()
    declared = refused(written_by_openpyxl("A1", "Z1000000"), office_user)
    found = refused(xlsx(sheet_xml(cell("A1") + cell("Z1000000"))), office_user)

    assert declared.startswith(f"第 1 个工作表「项目」声明的范围 A1:Z1000000 {SHAPE}")
    assert found.startswith(f"第 1 个工作表「项目」有第 1000000 行，{SHAPE}")
    assert time.process_time() - started < 2


def test_a_sheet_declaring_a_huge_range_around_a_few_cells_is_refused_naming_that_range(
    existing, office_user
):
    message = refused(xlsx(sheet_xml(cell("A1") + cell("B2"), dimension="A1:XFD1048576")), office_user)

    assert message.startswith(f"第 1 个工作表「项目」声明的范围 A1:XFD1048576 {SHAPE}")


def test_a_declared_range_that_understates_the_cells_does_not_hide_a_far_cell(existing, office_user):
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'

    message = refused(xlsx(sheet_xml(rows, dimension="A1")), office_user)

    assert message.startswith(f"第 1 个工作表「项目」在单元格 XFD1 有内容，{SHAPE}")


def test_a_cell_placed_below_its_own_row_is_found_where_the_reader_would_put_it(existing, office_user):
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B300000"><v>1</v></c></row>'

    assert refused(xlsx(sheet_xml(rows)), office_user).startswith(
        f"第 1 个工作表「项目」在单元格 B300000 有内容，{SHAPE}"
    )


def test_cells_written_without_positions_are_counted_as_the_reader_places_them(existing, office_user):
    rows = "<row><c><v>1</v></c></row><row>" + "<c><v>1</v></c>" * 201 + "</row>"

    message = refused(xlsx(sheet_xml(rows)), office_user)

    assert message.startswith(f"第 1 个工作表「项目」在单元格 GS2 有内容，{SHAPE}")


def test_a_cell_with_a_second_position_is_found_at_the_one_the_reader_takes(existing, office_user):
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="0" r="XFD1"><v>1</v></c></row>'  # the reader takes the last

    assert refused(xlsx(sheet_xml(rows)), office_user).startswith(
        f"第 1 个工作表「项目」在单元格 XFD1 有内容，{SHAPE}"
    )


@pytest.mark.parametrize("piece", [7, 64, 1000])
def test_no_cell_hides_across_the_pieces_the_xml_is_scanned_in(existing, office_user, monkeypatch, piece):
    monkeypatch.setattr(limits, "_PIECE", piece)
    quiet = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 40))
    tricky = '<row><c x="a>b" y="<" r="XFD2"><v>1</v></c></row>'  # a ">" and a "<" inside the tag

    for rows in (quiet + cell("XFD40"), quiet + tricky, tricky + quiet):
        message = refused(xlsx(sheet_xml(rows)), office_user)
        assert "在单元格 XFD" in message and SHAPE in message, message


def test_a_range_within_the_rows_and_columns_but_of_too_many_cells_is_refused_with_its_size(
    existing, office_user
):
    message = refused(xlsx(sheet_xml(cell("A1") + cell("GR150000"))), office_user)

    assert message == (
        "第 1 个工作表「项目」的数据范围 A1:GR150000 共 30,000,000 个单元格，"
        "超过 5,000,000 个单元格（行数 × 列数）的上限。"
    )


def test_a_zip_bomb_whose_headers_admit_its_size_is_refused_at_once_naming_the_limit(existing, office_user):
    data = bomb(admitted=True)
    started = time.process_time()

    message = refused(data, office_user)

    assert time.process_time() - started < 0.5
    assert re.match(
        r"工作簿解压后共 10\d\d MB，超过 200 MB 的上限（其中 xl/worksheets/sheet1.xml 解压后 10\d\d MB）"
        r"，可能是“压缩炸弹”，未读取。$",
        message,
    )


def test_a_zip_bomb_is_refused_in_under_two_seconds_and_200_mb_with_the_limit_named(existing, office_user):
    data = bomb(admitted=False)  # its headers claim 1 MB: only inflating it shows what it is
    assert len(data) < 1.5 * 1024 * 1024
    tracemalloc.start()
    started = time.process_time()

    message = refused(data, office_user)

    elapsed, (_now, peak) = time.process_time() - started, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2 and peak < 200 * 1024 * 1024
    assert message.startswith("工作簿的压缩比超过 100 倍的上限（第 1 个工作表「项目」：")
    assert message.endswith("可能是“压缩炸弹”，未读取。")


def test_the_uncompressed_size_limit_is_a_setting(existing, office_user, settings):
    settings.GONGJIAN_IMPORT_MAX_UNCOMPRESSED_MB = 1
    sheet = repeated(
        "xl/worksheets/sheet1.xml",
        SHEET_HEAD + b"<sheetData>",
        b"<!-- padding -->" * 1000,
        100,
        b"</sheetData></worksheet>",
        admitted=1000,
    )  # 1.6 MB claiming 1 KB: below the ratio check

    message = refused(xlsx(sheet), office_user)

    assert (
        message == "工作簿解压后超过 1 MB 的上限（读到第 1 个工作表「项目」时），可能是“压缩炸弹”，未读取。"
    )


def test_the_row_and_column_limits_are_settings(existing, office_user, settings):
    settings.GONGJIAN_IMPORT_MAX_ROWS = 3
    rows = csv_bytes([project_row(项目名称=f"项目{n}") for n in range(4)], "utf-8").getvalue()
    assert refused(rows, office_user, name="项目.csv") == "CSV 文件超过 3 行的上限。"

    settings.GONGJIAN_IMPORT_MAX_COLUMNS = 5
    assert refused(xlsx(sheet_xml(cell("F1"))), office_user).startswith(
        "第 1 个工作表「项目」在单元格 F1 有内容，超过上限：最多 5 列、3 行。"
    )


def test_a_truncated_workbook_is_refused_as_damaged(existing, office_user):
    data = written_by_openpyxl("A1")

    message = refused(data[: len(data) // 2], office_user)

    assert message.startswith("文件不完整或已损坏") and "请重新保存或导出后再导入" in message


@pytest.mark.parametrize(
    "data, says",
    [
        (photo_bytes(fmt="PNG"), "该文件是 PNG 图片，不是 Excel 工作簿（.xlsx）。"),
        (
            zipped([part("word/document.xml", b"<w:document/>")]),
            "该文件是 Word 文档（.docx），不是 Excel 工作簿（.xlsx）。",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "该文件是旧版 .xls 工作簿或加密的工作簿，请在 Excel 或 WPS 中",
        ),
        (b"%PDF-1.7\n", "该文件是 PDF 文件，不是 Excel 工作簿（.xlsx）。"),
    ],
)
def test_a_file_of_another_kind_named_xlsx_is_refused_saying_what_it_is(existing, office_user, data, says):
    assert refused(data, office_user).startswith(says)


def test_a_csv_with_a_200_kb_field_is_refused_naming_the_line_and_the_limit(existing, office_user):
    data = ",".join(HEADERS).encode() + ('\r\n"' + "x" * 200_000 + '",甲\r\n').encode()

    message = refused(data, office_user, name="项目.csv")

    assert message == "CSV 文件第 2 行有单元格超过 131,072 个字符的上限。请检查引号是否成对。"


def test_a_csv_in_gbk_is_read_as_chinese(district, office_user):
    result = import_projects(
        csv_bytes([project_row(项目名称="智能装备产业园（二期）")], "gbk"),
        filename="项目.csv",
        actor=office_user,
    )

    assert result.ok, result.errors
    assert Project.objects.get().name == "智能装备产业园（二期）"


def test_a_workbook_written_the_unusual_way_within_the_limits_still_imports(district, office_user):
    # A namespace prefix and no positions at all: the exact scan places the cells as the reader does.
    row = project_row()

    def cells(values):
        return "".join(f'<x:c t="inlineStr"><x:is><x:t>{v}</x:t></x:is></x:c>' for v in values)

    sheet = (
        SHEET_HEAD.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
        + f"<x:sheetData><x:row>{cells(row)}</x:row><x:row>{cells(row.values())}</x:row></x:sheetData>"
        "</x:worksheet>".encode()
    )

    result = import_projects(io.BytesIO(xlsx(sheet)), filename="项目.xlsx", actor=office_user)

    assert result.ok, result.errors
    assert Project.objects.get().name == "智能装备产业园"


def test_the_import_page_shows_the_refusal_with_a_400_and_saves_nothing(existing, office_client):
    upload = SimpleUploadedFile("稀疏.xlsx", written_by_openpyxl("A1", "XFD1048576"))

    response = office_client.post(reverse("exchange:import_projects"), {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert "文件「稀疏.xlsx」有 1 处错误，未导入任何数据" in page
    assert f"第 1 个工作表「项目」声明的范围 A1:XFD1048576 {SHAPE}" in page
    assert list(Project.objects.all()) == [existing]


def test_the_import_command_prints_the_refusal_and_fails(existing, tmp_path):
    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(bomb(admitted=False))
    err = io.StringIO()

    with pytest.raises(CommandError, match="导入失败：共 1 处错误，未保存任何数据"):
        call_command("import_data", "projects", str(path), stderr=err)

    assert "工作簿的压缩比超过 100 倍的上限" in err.getvalue()
    assert list(Project.objects.all()) == [existing]


# -- the pieces -------------------------------------------------------------------------------------------------


def test_column_letters_and_numbers_are_each_others_inverse():
    assert [column_letters(n) for n in (1, 26, 27, 200, 16384)] == ["A", "Z", "AA", "GR", "XFD"]
    assert all(column_number(column_letters(n)) == n for n in range(1, 20_000))


def test_a_workbook_at_the_row_limit_is_read_and_one_row_more_is_refused():
    book = openpyxl.Workbook()
    book.active.title = "项目"
    for row in range(1, 2001):
        book.active.append([f"行{row}", row, row * 1.5])
    out = io.BytesIO()
    book.save(out)

    sheets = read_workbook(io.BytesIO(out.getvalue()), "项目.xlsx", Limits(max_rows=2000, max_columns=3))

    assert sheets["项目"].header_row == 1 and len(sheets["项目"].rows) == 1999
    with pytest.raises(ValueError, match="声明的范围 A1:C2000 超过上限：最多 200 列、1999 行"):
        read_workbook(io.BytesIO(out.getvalue()), "项目.xlsx", Limits(max_rows=1999))


def test_a_zip_whose_members_differ_only_in_case_is_refused():
    data = zipped(
        [
            part("xl/workbook.xml", WORKBOOK),
            part("xl/_rels/workbook.xml.rels", RELATIONSHIPS),
            part("xl/worksheets/sheet1.xml", sheet_xml(cell("A1"))),
            part("XL/worksheets/SHEET1.xml", sheet_xml(cell("XFD1"))),
        ]
    )

    with pytest.raises(ValueError, match="重名的文件"):
        read_workbook(io.BytesIO(data), "项目.xlsx")


def test_the_hand_written_zip_is_a_zip_python_reads():
    data = xlsx(sheet_xml(cell("A1")))

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        assert package.read("xl/worksheets/sheet1.xml").endswith(b"</worksheet>")
