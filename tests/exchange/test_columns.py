"""Cells to values and back: what people type in Excel and WPS reads the way they meant it."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.exchange.columns import PROJECT_COLUMNS, bind_headers, parse_date, parse_decimal, parse_wan

COLUMN = {c.key: c for c in PROJECT_COLUMNS}


@pytest.mark.parametrize(
    "cell",
    [
        dt.datetime(2026, 3, 1),
        dt.date(2026, 3, 1),
        "2026-03-01",
        "2026/3/1",
        "2026.3.1",
        "2026年3月1日",
        "20260301",
        " 2026-03-01 00:00:00 ",
        46082,
        "２０２６－０３－０１",
    ],
)
def test_a_date_is_read_however_people_write_it(cell):
    assert parse_date(cell) == dt.date(2026, 3, 1)


@pytest.mark.parametrize("cell", ["2026-02-30", "明年三月", "2026", 2026])
def test_something_that_is_not_a_date_says_how_to_write_one(cell):
    with pytest.raises(ValueError, match=r"不是有效的日期.*2026-03-01"):
        parse_date(cell)


def test_money_is_read_in_wan_yuan_and_stored_in_yuan():
    assert parse_wan("1,234.56") == 12_345_600
    assert parse_wan(2000.5) == 20_005_000
    assert parse_wan("") is None
    with pytest.raises(ValueError, match="不是有效的金额：abc"):
        parse_wan("abc")
    with pytest.raises(ValueError, match="不能为负数"):
        parse_wan(-1)


def test_an_area_keeps_two_decimals():
    assert parse_decimal(12.345) == Decimal("12.35")


def test_a_choice_is_accepted_by_its_chinese_label_or_its_stored_value():
    category = COLUMN["category"]
    assert category.parse("工业") == category.parse("industry") == category.parse(" INDUSTRY ") == "industry"
    assert category.format("industry") == "工业"
    with pytest.raises(ValueError, match="不是有效的选项，可选：工业、商贸流通"):
        category.parse("重工业")


def test_a_text_cell_holding_digits_stays_the_same_text():
    assert COLUMN["contact_phone"].parse(13800001111.0) == "13800001111"
    assert COLUMN["region"].parse(320311) == "320311"


def test_leaders_are_split_on_the_separators_people_use():
    assert COLUMN["leaders"].parse("王强、李娜，张伟;赵敏") == ["王强", "李娜", "张伟", "赵敏"]
    assert COLUMN["leaders"].format(["王强", "李娜"]) == "王强、李娜"


def test_headers_match_ignoring_spaces_full_width_brackets_and_required_marks():
    binding = bind_headers(["项目名称*", " 总投资 (万元) ", "code", "备用列"], PROJECT_COLUMNS)
    assert binding.positions == {"name": 0, "total_investment": 1, "code": 2}
    assert binding.unknown == ["备用列"]
    assert {c.header for c in binding.missing} == {
        "项目类别",
        "建设性质",
        "项目级别",
        "所在区划代码",
        "责任单位",
    }


def test_every_example_in_the_template_is_a_valid_cell():
    for column in PROJECT_COLUMNS:
        column.parse(column.example)
