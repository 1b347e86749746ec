"""The targets table as Excel (each unit's target, actual to date, completion, time-elapsed line and rank per
indicator) and the monthly actuals sheet a unit fills and imports, with the row-level errors of an import."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from gongjian.core import excel
from gongjian.targets import queries


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _ratio(rate: Decimal | None) -> float | None:
    return None if rate is None else float(rate) / 100


def targets_workbook(year: int, user, month: int | None = None) -> bytes:
    summaries = queries.board(year, user=user, through_month=month)
    rows = [(s.indicator, cell) for s in summaries for cell in s.cells]
    columns = [
        excel.Column("指标名称", lambda r: r[0].name, width=20),
        excel.Column("类别", lambda r: r[0].get_category_display(), width=10),
        excel.Column("计量单位", lambda r: r[0].measure, width=8),
        excel.Column("责任单位", lambda r: r[1].unit_name, width=22),
        excel.Column("年度目标", lambda r: _number(r[0].shown(r[1].target)), kind="number", width=14),
        excel.Column("本年累计完成", lambda r: _number(r[0].shown(r[1].actual)), kind="number", width=14),
        excel.Column("截至月份", lambda r: r[1].month, kind="int", width=8),
        excel.Column("完成率", lambda r: _ratio(r[1].rate), kind="percent", width=10),
        excel.Column("序时进度", lambda r: _ratio(r[1].elapsed), kind="percent", width=10),
        excel.Column("落后序时", lambda r: "是" if r[1].behind else "", width=8),
        excel.Column("排名", lambda r: f"{r[1].rank}/{r[1].ranked}" if r[1].rank else "", width=8),
    ]
    return excel.workbook(excel.Sheet(f"{year}年目标完成情况", columns, rows, autofilter=True))


ACTUALS_SHEET = "完成情况"
# (header, key, required)
ACTUAL_COLUMNS = [
    ("指标名称", "indicator", True),
    ("责任单位", "unit", True),
    ("月份", "month", True),
    ("本年累计完成", "value", True),
    ("计量单位", "measure", False),
    ("说明", "note", False),
]


def actuals_template(year: int, month: int, targets: Iterable) -> bytes:
    """The sheet a unit fills: one row per target it enters (computed indicators left out), the month given."""
    columns = [
        excel.Column("指标名称", lambda t: t.indicator.name, width=20, required=True),
        excel.Column("责任单位", lambda t: t.unit.name, width=22, required=True),
        excel.Column("月份", lambda t: month, kind="int", width=8, required=True),
        excel.Column(
            "本年累计完成",
            lambda t: None,
            kind="number",
            width=14,
            required=True,
            note="按计量单位填写累计值",
        ),
        excel.Column("计量单位", lambda t: t.indicator.measure, width=8),
        excel.Column("说明", lambda t: "", width=30, note="无佐证材料时必填"),
    ]
    return excel.workbook(excel.Sheet(ACTUALS_SHEET, columns, targets))


def errors_workbook(errors) -> bytes:
    columns = [
        excel.Column("行号", "row", kind="int", width=8),
        excel.Column("列", "column", width=14),
        excel.Column("内容", "value", width=20),
        excel.Column("问题", "message", width=50),
    ]
    return excel.workbook(excel.Sheet("导入问题", columns, errors))
