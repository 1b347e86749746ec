"""The columns of the project workbook, declared once for the template, the import and the export.

Each column says how a cell becomes a value (``parse``) and how a value becomes a cell (``format``), so that
what the export writes the import reads back unchanged. Cells hold what people type: money in 万元, choices
by their Chinese label, units and people by name, regions by code. Turning names into database rows is the
import service's job; nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.db import models
from django.utils import translation

from gongjian.core.money import wan_to_yuan, yuan_to_wan
from gongjian.projects.choices import (
    ApprovalKind,
    ApprovalStatus,
    Category,
    Funding,
    LandStatus,
    Level,
    MilestoneKind,
    Nature,
)

MAIN_SHEET = "项目"
MILESTONE_SHEET = "形象进度节点"
APPROVAL_SHEET = "前期手续"
# Sheets we write for people to read; an import never takes data from them.
NOTE_SHEETS = frozenset({"说明", "填表说明", "错误清单"})
REJECTED_PREFIX = "出错行-"  # an error report's copy of the rejected rows of a sheet

# Excel's day 0 (it counts 1900 as a leap year, so serials from March 1900 on are off by one from 1899-12-31).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers of 1954-10-03 … 2119-01-09: a plain number outside that range is not meant as a date.
_EXCEL_SERIALS = range(20_000, 80_000)
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
NAME_SEPARATORS = re.compile(r"[、,，;；\n]+")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text: spreadsheets turn typed digits into numbers (13800001111 → 13800001111.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def _normalised(value: Any) -> str:
    """Text compared leniently: full-width forms folded to ASCII (（）→ ()), spaces removed, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value))).lower()


def parse_text(value: Any) -> str | None:
    if type(value) is str:  # most cells: a file's worth of them, so no detours
        return value.strip() or None
    return None if is_blank(value) else _text(value)


def parse_year(value: Any) -> int | None:
    if is_blank(value):
        return None
    text = _normalised(value).removesuffix("年")
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValueError(f"不是有效的年度：{_text(value)}")
    return int(text)


def parse_wan(value: Any) -> int | None:
    """An amount in 万元 (or 万美元) as whole yuan (dollars)."""
    if is_blank(value):
        return None
    amount = wan_to_yuan(value)
    if amount < 0:
        raise ValueError(f"金额不能为负数：{_text(value)}")
    return amount


def parse_decimal(value: Any) -> Decimal | None:
    """A quantity with two decimals (亩); finer digits are rounded half-up, as a person would."""
    if is_blank(value):
        return None
    try:
        number = (
            Decimal(repr(value)) if isinstance(value, float) else Decimal(_normalised(value).replace(",", ""))
        )
    except InvalidOperation:
        raise ValueError(f"不是有效的数字：{_text(value)}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"不是有效的非负数：{_text(value)}")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_coordinate(value: Any) -> Decimal | None:
    """Degrees of longitude or latitude with six decimals (about 0.1 m); the model checks the range."""
    if is_blank(value):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(_normalised(value))
    except InvalidOperation:
        raise ValueError(f"不是有效的经纬度：{_text(value)}") from None
    if not number.is_finite():
        raise ValueError(f"不是有效的经纬度：{_text(value)}")
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def parse_count(value: Any) -> int | None:
    if is_blank(value):
        return None
    number = parse_decimal(value)
    if number is None or number != number.to_integral_value():
        raise ValueError(f"应为非负整数：{_text(value)}")
    return int(number)


def parse_date(value: Any) -> dt.date | None:
    """Excel dates, Excel serial numbers and the ways people write dates: 2026-03-01, 2026/3/1, 2026.3.1,
    2026年3月1日, 20260301."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and int(value) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = unicodedata.normalize("NFKC", _text(value))
    match = _DATE_RE.fullmatch(text) or _COMPACT_DATE_RE.fullmatch(text)
    try:
        if match:
            return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        pass
    raise ValueError(f"不是有效的日期：{text}（请填写如 2026-03-01）")


def parse_names(value: Any) -> list[str] | None:
    if is_blank(value):
        return None
    return [name.strip() for name in NAME_SEPARATORS.split(_text(value)) if name.strip()]


@cache
def _source_labels(choices: type[models.TextChoices]) -> tuple[tuple[str, str], ...]:
    """(value, Chinese label) pairs. Files are in Chinese whatever language the user's pages are in."""
    with translation.override(None):
        return tuple((value, str(label)) for value, label in choices.choices)


@cache
def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    lookup = {}
    for value, label in _source_labels(choices):
        lookup[_normalised(value)] = value
        lookup[_normalised(label)] = value
    for value, label in _source_labels(choices):
        lookup.setdefault(label, value)  # exactly as written: found without normalising
    return lookup


@dataclass(frozen=True)
class Kind:
    """What sort of cell a column holds: how it is read, written, styled and explained to the person filling it."""

    parse: Callable[[Any], Any]
    format: Callable[[Any], Any]
    style: str  # the export's cell format: text, money, date, decimal, integer
    describe: str
    choices: type[models.TextChoices] | None = None

    @property
    def labels(self) -> list[str]:
        return [label for _, label in _source_labels(self.choices)] if self.choices else []


def _as_is(value: Any) -> Any:
    return value


def _money_cell(yuan: int | None) -> float | None:
    # A float holds any amount up to 100 亿元 to the yuan, and Excel needs a number to add up a column.
    return None if yuan is None else float(yuan_to_wan(yuan))


def _decimal_cell(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _names_cell(names: Sequence[str] | None) -> str:
    return "、".join(names or [])


def choice_kind(choices: type[models.TextChoices]) -> Kind:
    lookup = _choice_lookup(choices)

    def parse(value: Any) -> str | None:
        if is_blank(value):
            return None
        found = lookup.get(value) if type(value) is str else None  # the label as the template's list gives it
        if found is None:
            found = lookup.get(_normalised(value))
        if found is None:
            allowed = "、".join(label for _, label in _source_labels(choices))
            raise ValueError(f"「{_text(value)}」不是有效的选项，可选：{allowed}")
        return found

    labels = dict(_source_labels(choices))

    def format_(value: str | None) -> str:
        return labels.get(value or "", value or "")

    return Kind(parse, format_, "text", "从下拉列表选择（也可填英文代码）", choices)


TEXT = Kind(parse_text, _as_is, "text", "文本")
CODE = Kind(parse_text, _as_is, "text", "文本（按文本保存，前导 0 不会丢失）")
YEAR = Kind(parse_year, _as_is, "integer", "四位年份，如 2026")
MONEY = Kind(parse_wan, _money_cell, "money", "数字，单位万元，最多4位小数")
DATE = Kind(parse_date, _as_is, "date", "日期，如 2026-03-01、2026/3/1、2026年3月1日、20260301")
DECIMAL = Kind(parse_decimal, _decimal_cell, "decimal", "数字，保留2位小数")
COORDINATE = Kind(parse_coordinate, _decimal_cell, "degrees", "十进制度数，最多6位小数")
COUNT = Kind(parse_count, _as_is, "integer", "非负整数")
NAMES = Kind(parse_names, _names_cell, "text", "姓名，多人用“、”分隔")
PERSON = Kind(parse_text, _as_is, "text", "姓名；重名时写成“姓名（单位名称）”")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its Chinese header, the English key the code uses, and how its cells read."""

    header: str
    key: str
    kind: Kind = TEXT
    required: bool = False
    help: str = ""
    example: Any = ""
    width: int = 12
    # Written by the export for the reader's sake (a plan total, a project's name beside its code) but never
    # read back: the import takes the facts they are derived from.
    export_only: bool = False

    def parse(self, value: Any) -> Any:
        return self.kind.parse(value)

    def format(self, value: Any) -> Any:
        return self.kind.format(value)


MONTH_KEYS = [f"month_{m}" for m in range(1, 13)]

PROJECT_COLUMNS: list[Column] = [
    Column(
        "项目编号",
        "code",
        CODE,
        width=12,
        example="2026-0001",
        help="本系统的项目编号。留空时按“项目名称 + 入库年度”匹配已有项目，找不到则新建并自动编号。",
    ),
    Column(
        "全国投资项目代码",
        "national_code",
        CODE,
        width=26,
        example="2026-320311-04-01-123456",
        help="投资项目在线审批监管平台赋予的24位代码，没有可不填。",
    ),
    Column(
        "项目名称",
        "name",
        required=True,
        width=30,
        example="徐州智能装备产业园（一期）",
        help="同一入库年度内不能重名。",
    ),
    Column("项目类别", "category", choice_kind(Category), required=True, width=10, example="工业"),
    Column("建设性质", "nature", choice_kind(Nature), required=True, width=9, example="新建"),
    Column("项目级别", "level", choice_kind(Level), required=True, width=9, example="区重点"),
    Column(
        "投资类型", "funding", choice_kind(Funding), width=10, example="社会投资", help="留空为社会投资。"
    ),
    Column("入库年度", "year", YEAR, width=9, example=2026, help="留空为当年。"),
    Column(
        "所在区划代码",
        "region",
        CODE,
        required=True,
        width=14,
        example="320311",
        help="系统中已有的行政区划代码（6、9 或 12 位）。",
    ),
    Column("所属园区", "park", width=18, example="", help="系统中已有的园区单位名称。"),
    Column("建设地点", "location", width=20, example="泉山区银山路东侧"),
    Column(
        "经度",
        "longitude",
        COORDINATE,
        width=12,
        example=117.184811,
        help="项目现场中心点的经度（天地图坐标），与纬度同时填写；用于核对现场照片的拍摄位置。",
    ),
    Column("纬度", "latitude", COORDINATE, width=11, example=34.261792, help="与经度同时填写。"),
    Column(
        "业主单位",
        "owner",
        width=24,
        example="徐州某某智能科技有限公司",
        help="系统中已有的单位名称；企业尚未登记时同时填写统一社会信用代码，导入时自动新建该企业。",
    ),
    Column(
        "业主统一社会信用代码",
        "owner_credit_code",
        CODE,
        width=22,
        example="91320311MA1WK3L25T",
        help="18位，按 GB 32100 校验。",
    ),
    Column(
        "责任单位",
        "responsible_unit",
        required=True,
        width=16,
        example="区工业和信息化局",
        help="系统中已有的单位名称。",
    ),
    Column("指挥部", "headquarters", width=18, example="", help="系统中已有的指挥部名称。"),
    Column("指挥长", "commander", PERSON, width=10, example="", help="系统中已有的人员。"),
    Column(
        "包挂领导",
        "leaders",
        NAMES,
        width=16,
        example="",
        help="系统中已有的人员，多人用“、”分隔：第一位为包挂领导，其余为联系领导。",
    ),
    Column("项目联系人", "contact_person", width=10, example="李明"),
    Column("联系电话", "contact_phone", CODE, width=14, example="13800000000"),
    Column("建设内容", "content", width=40, example="新建厂房 5 万平方米，购置智能装备生产线 10 条。"),
    Column("总投资（万元）", "total_investment", MONEY, required=True, width=14, example=50000),
    Column(
        "计划年度", "plan_year", YEAR, width=9, example=2026, help="下列各月计划所属的年度，留空为入库年度。"
    ),
    Column(
        "年度计划合计（万元）",
        "plan_total",
        MONEY,
        width=14,
        export_only=True,
        help="各月计划之和，仅供查看，导入时忽略。",
    ),
    *(
        Column(
            f"{m}月计划（万元）",
            key,
            MONEY,
            width=11,
            example=1000 if m >= 3 else "",
            help="当月计划投资，导入时平均分到上、中、下旬；各月都留空则不改动年度计划。",
        )
        for m, key in enumerate(MONTH_KEYS, start=1)
    ),
    Column("计划开工", "planned_start", DATE, width=11, example="2026-03-01"),
    Column("计划竣工", "planned_completion", DATE, width=11, example="2027-12-31", help="不能早于计划开工。"),
    Column("实际开工", "actual_start", DATE, width=11),
    Column("实际竣工", "actual_completion", DATE, width=11, help="不能早于实际开工。"),
    Column("用地面积（亩）", "land_area_mu", DECIMAL, width=11, example=120),
    Column(
        "供地情况", "land_status", choice_kind(LandStatus), width=12, example="已供地", help="留空为未供地。"
    ),
    Column("达产后年产值（万元）", "expected_output", MONEY, width=14, example=100000),
    Column("达产后年税收（万元）", "expected_tax", MONEY, width=14, example=5000),
    Column("新增就业（人）", "expected_jobs", COUNT, width=10, example=500),
    Column("利用外资（万美元）", "foreign_investment_usd", MONEY, width=12, example=0),
    Column("临时党支部", "party_branch", width=16, example=""),
    Column("党支部书记", "party_secretary", width=10, example=""),
]

_PROJECT_REF = Column(
    "项目编号",
    "code",
    CODE,
    required=True,
    width=12,
    example="2026-0001",
    help="项目表中的项目编号，或系统中已有项目的编号。",
)
_PROJECT_NAME = Column("项目名称", "project_name", width=30, export_only=True, help="仅供查看，导入时忽略。")

MILESTONE_COLUMNS: list[Column] = [
    _PROJECT_REF,
    _PROJECT_NAME,
    Column("节点类型", "kind", choice_kind(MilestoneKind), required=True, width=10, example="开工"),
    Column("节点名称", "name", width=20, example="主体厂房开工"),
    Column("计划完成", "planned_date", DATE, required=True, width=11, example="2026-03-01"),
    Column("实际完成", "actual_date", DATE, width=11),
    Column("备注", "note", width=24),
]

APPROVAL_COLUMNS: list[Column] = [
    _PROJECT_REF,
    _PROJECT_NAME,
    Column("手续类型", "kind", choice_kind(ApprovalKind), required=True, width=16, example="立项/备案"),
    Column("手续名称", "name", width=20, example=""),
    Column(
        "办理状态", "status", choice_kind(ApprovalStatus), width=10, example="已办结", help="留空为未办理。"
    ),
    Column("批复文号", "document_no", width=22, example="泉发改备〔2026〕12号"),
    Column("审批部门", "authority", width=16, example="区发展和改革局"),
    Column("计划办结", "planned_date", DATE, width=11),
    Column("办结日期", "approved_on", DATE, width=11, example="2026-01-15", help="已办结的手续必填。"),
    Column("备注", "note", width=24),
]

SHEETS: dict[str, list[Column]] = {
    MAIN_SHEET: PROJECT_COLUMNS,
    MILESTONE_SHEET: MILESTONE_COLUMNS,
    APPROVAL_SHEET: APPROVAL_COLUMNS,
}


@dataclass
class HeaderBinding:
    """Which cell of a row holds which column, and what was wrong with the header row."""

    positions: dict[str, int]
    unknown: list[str]
    missing: list[Column]
    duplicated: list[str]


def bind_headers(headers: Iterable[Any], columns: Sequence[Column]) -> HeaderBinding:
    """Match a header row to ``columns`` by Chinese header or English key, ignoring spaces, full-width
    brackets and the ``*`` people add to mark required columns."""
    by_header = {}
    for column in columns:
        by_header[_normalised(column.header)] = column
        by_header[_normalised(column.key)] = column
    positions: dict[str, int] = {}
    unknown, duplicated = [], []
    for position, header in enumerate(headers):
        if is_blank(header):
            continue
        column = by_header.get(_normalised(header).replace("*", ""))
        if column is None:
            unknown.append(_text(header))
        elif column.key in positions:
            duplicated.append(column.header)
        elif not column.export_only:
            positions[column.key] = position
    missing = [c for c in columns if c.required and c.key not in positions]
    return HeaderBinding(positions, unknown, missing, duplicated)


def recognised_headers(headers: Iterable[Any], columns: Sequence[Column]) -> int:
    """How many cells of a row are headers of ``columns`` (to find the header row below a title row)."""
    known = {_normalised(c.header) for c in columns}
    return sum(1 for h in headers if not is_blank(h) and _normalised(h).replace("*", "") in known)
