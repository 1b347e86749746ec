"""The one Excel writer (core/excel.py): what a person opening the file sees — text stays text whatever it looks
like, money in 万元, percentages and dates formatted, the Chinese header frozen — and that a long sheet streams."""

import datetime as dt
import io
import re
import tracemalloc
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from gongjian.core import excel

HOSTILE = [
    "=1+1",
    "+86 138 0000 0000",
    "-2",
    "@SUM(A1:A9)",
    '=HYPERLINK("http://example.com","点我")',
    "=cmd|' /C calc'!A0",
    "0012",
    "1e5",
    "2026-03-01",
    "TRUE",
    "  前后空格  ",
]


def read(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_text_that_looks_like_a_formula_a_number_or_a_date_is_written_as_that_text_in_every_kind_of_column():
    columns = [
        excel.Column("文本", 0),
        excel.Column("混合", 0, "auto"),
        excel.Column("金额", 0, "money"),
        excel.Column("日期", 0, "date"),
        excel.Column("整数", 0, "int"),
    ]
    book = read(excel.workbook(excel.Sheet("清单", columns, [(text,) for text in HOSTILE])))
    rows = list(book["清单"].iter_rows(min_row=2))
    for text, row in zip(HOSTILE, rows, strict=True):
        for cell in row:
            assert cell.data_type == "s" and cell.value == text, (cell.coordinate, cell.value)


def test_money_goes_in_as_yuan_and_comes_out_as_wan_yuan_with_two_decimals_percent_dates_and_integers_formatted():
    columns = [
        excel.Column("总投资（万元）", "money", "money", width=14),
        excel.Column("完成率", "ratio", "percent"),
        excel.Column("计划开工", "start", "date"),
        excel.Column("填报时间", "at", "datetime"),
        excel.Column("就业（人）", "jobs", "int"),
        excel.Column("用地（亩）", "land", "decimal"),
        excel.Column("经度", "lng", "degrees"),
    ]
    row = {
        "money": 123_456_789,
        "ratio": 0.256,
        "start": dt.date(2026, 3, 1),
        "at": dt.datetime(2026, 3, 1, 8, 30),
        "jobs": 500,
        "land": Decimal("12.50"),
        "lng": Decimal("117.184811"),
    }
    sheet = read(excel.workbook(excel.Sheet("项目", columns, [row])))["项目"]
    money, ratio, start, at, jobs, land, lng = sheet[2]
    assert money.value == 12345.6789 and money.number_format == "#,##0.00"
    assert ratio.value == 0.256 and ratio.number_format == "0.0%"
    assert start.value == dt.datetime(2026, 3, 1) and start.number_format == "yyyy-mm-dd"
    assert at.value == dt.datetime(2026, 3, 1, 8, 30) and at.number_format == "yyyy-mm-dd hh:mm"
    assert jobs.value == 500 and jobs.number_format == "0"
    assert land.value == 12.5 and land.number_format == "0.00"
    assert lng.value == 117.184811 and lng.number_format == "0.000000"


def test_the_chinese_header_is_frozen_with_its_widths_and_blank_values_leave_blank_cells():
    columns = [
        excel.Column("项目编号", "code", width=12),
        excel.Column("项目名称", "name", width=30),
        excel.Column("包挂领导", "leader", required=True),
    ]
    sheet = read(
        excel.workbook(
            excel.Sheet("重点项目", columns, [{"code": "0012", "name": "智能装备产业园", "leader": None}])
        )
    )["重点项目"]
    assert [c.value for c in sheet[1]] == ["项目编号", "项目名称", "包挂领导"]
    assert sheet[1][0].font.b and sheet[1][2].font.color.rgb.endswith("C00000")  # required: red
    assert sheet.freeze_panes == "A2"
    assert round(sheet.column_dimensions["B"].width) == 31  # 30 characters, as Excel stores them
    assert [c.value for c in sheet[2]] == ["0012", "智能装备产业园", None]


def test_a_row_style_colours_the_whole_row_and_a_cell_style_one_cell_and_footers_follow_in_bold():
    columns = [
        excel.Column("灯色", "colour"),
        excel.Column("时限", "deadline", "date", style=lambda r: excel.RED if r["late"] else None),
    ]
    rows = [
        {"colour": "红灯", "deadline": dt.date(2026, 1, 1), "late": True},
        {"colour": "绿灯", "deadline": None, "late": False},
    ]
    fills = {"红灯": excel.FILLS["red"], "绿灯": excel.FILLS["green"]}
    sheet = read(
        excel.workbook(
            excel.Sheet(
                "灯",
                columns,
                rows,
                row_style=lambda r: fills[r["colour"]],
                footer=[["合计", 2]],
                footer_gap=1,
            )
        )
    )["灯"]
    assert sheet["A2"].fill.fgColor.rgb.endswith("FDECEA") and sheet["B2"].fill.fgColor.rgb.endswith("FDECEA")
    assert sheet["B2"].font.color.rgb.endswith("C00000") and sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["B3"].fill.fgColor.rgb.endswith("E6F4EA") and sheet["B3"].value is None
    assert (
        sheet["A4"].value is None
        and (sheet["A5"].value, sheet["B5"].value) == ("合计", 2)
        and sheet["A5"].font.b
    )


def test_choices_put_a_drop_down_on_every_row_and_notes_hang_on_the_header():
    columns = [excel.Column("项目类别", "category", choices=["工业", "商贸流通"], note="从下拉列表选择")]
    sheet = read(excel.workbook(excel.Sheet("项目", columns)))["项目"]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"工业,商贸流通"' and str(validation.sqref) == "A2:A1048576"
    assert sheet["A1"].comment.text == "从下拉列表选择"


def test_a_notes_sheet_has_its_title_lines_and_tables():
    notes = excel.Notes(
        "填表说明",
        "导入模板 · 填表说明",
        ["1. 第一条", "2. 第二条"],
        [
            excel.Block([excel.Column("列名", 0), excel.Column("必填", 1)], [("项目名称", "是")], wrap=True),
            excel.Block([excel.Column("总投资（万元）", 0, "money")], [(50_000 * 10_000,)], caption="示例"),
        ],
    )
    sheet = read(excel.workbook(notes))["填表说明"]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values == [
        ["导入模板 · 填表说明"],
        [],
        ["1. 第一条"],
        ["2. 第二条"],
        [],
        ["列名", "必填"],
        ["项目名称", "是"],
        [],
        ["示例"],
        ["总投资（万元）"],
        [50000],
    ]


def test_a_long_sheet_is_streamed_in_constant_memory_and_reports_its_progress():
    """10,000 rows held in memory take about 6 MB in xlsxwriter's cell table; streamed, well under 2 MB."""
    seen = []
    columns = [excel.Column("项目编号", 0), excel.Column("总投资（万元）", 1, "money")]
    rows = ((f"2026-{i:05d}", i * 10_000) for i in range(10_000))  # read once, never held as a list
    tracemalloc.start()
    try:
        book = excel.Workbook(constant_memory=True)
        count = book.add(excel.Sheet("项目", columns, rows), progress=seen.append)
        content = book.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 10_000 and peak < 2_000_000
    assert seen == [*range(1000, 10_001, 1000), 10_000]
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["项目"]
    last = list(sheet.iter_rows(min_row=10_001, values_only=True))
    assert last == [("2026-09999", 9999.0)]


def test_the_threshold_of_a_background_export_is_a_setting(settings):
    settings.GONGJIAN_EXPORT_BACKGROUND_ROWS = 3
    assert not excel.in_background(3) and excel.in_background(4)


# Any text a person can type or paste: every character but the lone surrogates UTF-8 cannot carry (control
# characters included: the file escapes them as _xHHHH_, as OOXML says).
_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)
# openpyxl does not undo that escaping (it reads "_x0001_" back as those seven characters), so what it is given is
# text without control characters (tab and line feed apart) and without anything that looks like an escape.
_PLAIN_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n"), min_size=1, max_size=200
).filter(lambda t: not re.search(r"_x[0-9A-Fa-f]{4}_", t))


@settings(max_examples=60, deadline=None)
@given(st.lists(_ANY_TEXT, min_size=1, max_size=5))
@pytest.mark.parametrize("constant_memory", [False, True])
def test_any_text_comes_back_exactly_as_written_through_the_reader_of_the_import(constant_memory, texts):
    content = excel.workbook(
        excel.Sheet("文本", [excel.Column("内容", 0)], [(t,) for t in texts]), constant_memory=constant_memory
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("文本").to_python()
    assert [row[0] for row in rows[1:]] == texts


@settings(max_examples=60, deadline=None)
@given(st.lists(_PLAIN_TEXT, min_size=1, max_size=5))
@pytest.mark.parametrize("constant_memory", [False, True])
def test_any_text_comes_back_exactly_as_written_through_openpyxl(constant_memory, texts):
    content = excel.workbook(
        excel.Sheet("文本", [excel.Column("内容", 0)], [(t,) for t in texts]), constant_memory=constant_memory
    )
    values = [row[0] for row in read(content)["文本"].iter_rows(min_row=2, values_only=True)]
    assert values == texts
