"""Excel in and out of the reserve (项目储备库): the export of a filtered list, the template, and the import of
proposed projects with row-level errors.

The registry's import (gongjian.exchange) sits above this app in the import floors, so its reader cannot be used
here; this one follows its rules on a smaller scale: the header row is found even below a title, columns are
matched by their Chinese header, every problem is reported by row and column, and a file with any error saves
nothing (every row goes through :func:`gongjian.pipeline.services.propose`, in one transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gongjian.core import excel
from gongjian.core.money import wan_to_yuan
from gongjian.org.choices import UnitKind
from gongjian.org.models import Region, Unit
from gongjian.pipeline import services
from gongjian.pipeline.choices import Readiness
from gongjian.pipeline.models import ReserveProject
from gongjian.projects.choices import ApprovalKind, Batch, Category, Level, Nature

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else ""
        where += f"「{self.column}」" if self.column else ""
        return f"{where}：{self.message}" if where else self.message


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(choices) -> Callable[[Any], str]:
    by_label = {str(label): value for value, label in choices.choices}

    def parse(value: Any) -> str:
        text = _text(value)
        if not text:
            return ""
        if text in by_label:
            return by_label[text]
        if text in choices.values:
            return text
        raise ValueError(_("应为：%(labels)s") % {"labels": "、".join(by_label)})

    return parse


def _wan(value: Any) -> int | None:
    text = _text(value).replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("应为金额（万元）。")) from None
    if amount < 0:
        raise ValueError(_("金额不能为负数。"))
    return wan_to_yuan(amount)


def _year(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValueError(_("应为 2000 到 2100 之间的年份。"))
    return int(text)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("应为日期，如 2027-03-01。")) from None


def _approvals(value: Any) -> list[str]:
    parse = _choice(ApprovalKind)
    names = [n for n in _text(value).replace("，", "、").replace(",", "、").split("、") if n.strip()]
    return [parse(n.strip()) for n in names]


# header → (field, parser, required); units and the region are looked up by name and code below.
COLUMNS: dict[str, tuple[str, Callable[[Any], Any], bool]] = {
    "项目名称": ("name", _text, True),
    "项目类别": ("category", _choice(Category), True),
    "建设性质": ("nature", _choice(Nature), False),
    "拟定级别": ("level", _choice(Level), False),
    "四个一批": ("batch", _choice(Batch), False),
    "所在区划代码": ("region", _text, True),
    "所属园区": ("park", _text, False),
    "业主单位": ("owner", _text, False),
    "投资方": ("investor", _text, False),
    "责任单位": ("responsible_unit", _text, True),
    "建设内容": ("content", _text, False),
    "预计总投资（万元）": ("total_investment", _wan, True),
    "预计开工年度": ("start_year", _year, True),
    "预计开工": ("planned_start", _date, False),
    "预计竣工": ("planned_completion", _date, False),
    "前期工作深度": ("readiness", _choice(Readiness), False),
    "已办结手续": ("approvals_done", _approvals, False),
}
HEADER_BY_FIELD = {f: h for h, (f, _p, _r) in COLUMNS.items()}


def read_rows(file: IO[bytes]) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the data rows (with their row numbers) of the file's first sheet; raises ValidationError."""
    if getattr(file, "size", 0) and file.size > MAX_BYTES:
        raise ValidationError(_("文件过大（超过 10 MB）。"))
    try:
        book = CalamineWorkbook.from_filelike(file)
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, IndexError) as exc:
        raise ValidationError(
            _("无法读取该文件，请上传按模板填写的 .xlsx 文件（%(why)s）。") % {"why": exc}
        ) from None
    filled = [(n, list(r)) for n, r in enumerate(rows, start=1) if any(_text(c) for c in r)]
    at = next((i for i, (_n, r) in enumerate(filled[:10]) if sum(_text(c) in COLUMNS for c in r) >= 2), None)
    if at is None:
        raise ValidationError(_("没有找到表头，请使用储备项目导入模板。"))
    header = [_text(c) for c in filled[at][1]]
    data = filled[at + 1 :]
    if len(data) > MAX_ROWS:
        raise ValidationError(_("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})
    return header, data


def _units(names: Iterable[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for unit in Unit.objects.filter(name__in=set(names)):
        found.setdefault(unit.name, unit)
    return found


def import_reserve(file: IO[bytes], *, actor) -> ImportResult:
    """Propose every row of ``file`` as a reserve project; with any error, nothing is saved."""
    if actor is not None and not actor.has_perm("pipeline.add_reserveproject"):
        raise PermissionDenied(_("无权导入储备项目。"))
    header, data = read_rows(file)
    result = ImportResult()
    missing = [h for h, (_f, _p, required) in COLUMNS.items() if required and h not in header]
    if missing:
        result.errors.append(RowError(0, "", _("缺少必填列：%(cols)s") % {"cols": "、".join(missing)}))
        return result
    where = {h: header.index(h) for h in COLUMNS if h in header}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, row in data:
        values: dict[str, Any] = {}
        for head, (name, parse, required) in COLUMNS.items():
            raw = row[where[head]] if head in where and where[head] < len(row) else None
            try:
                value = parse(raw)
            except ValueError as exc:
                result.errors.append(RowError(number, head, str(exc)))
                continue
            if required and value in (None, ""):
                result.errors.append(RowError(number, head, _("必填。")))
            elif value not in (None, ""):
                values[name] = value
        parsed.append((number, values))
    regions = {
        r.code: r for r in Region.objects.filter(code__in={v.get("region") for _n, v in parsed} - {None})
    }
    units = _units(v.get(k) for _n, v in parsed for k in ("park", "owner", "responsible_unit") if v.get(k))
    with transaction.atomic():
        for number, values in parsed:
            if any(e.row == number for e in result.errors):
                continue
            values["region"] = regions.get(values["region"])
            if values["region"] is None:
                result.errors.append(RowError(number, "所在区划代码", _("系统中没有该区划代码。")))
                continue
            bad = False
            for key in ("park", "owner", "responsible_unit"):
                if key in values:
                    unit = units.get(values[key])
                    if unit is None or (key == "park" and unit.kind != UnitKind.PARK):
                        result.errors.append(RowError(number, HEADER_BY_FIELD[key], _("系统中没有该单位。")))
                        bad = True
                    values[key] = unit
            if bad:
                continue
            try:
                with transaction.atomic():
                    services.propose(values, actor=actor)
            except ValidationError as exc:
                for name, messages in (
                    exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
                ):
                    for message in messages:
                        result.errors.append(RowError(number, HEADER_BY_FIELD.get(name, ""), message))
                continue
            except PermissionDenied as exc:
                result.errors.append(RowError(number, "责任单位", str(exc)))
                continue
            result.created += 1
        if result.errors:
            result.created = 0
            transaction.set_rollback(True)
    return result


def _labels(choices) -> list[str]:
    return [str(label) for _v, label in choices.choices]


def reserve_columns() -> list[excel.Column]:
    return [
        excel.Column("项目名称", "name", width=30, required=True),
        excel.Column(
            "项目类别", lambda r: r.get_category_display(), required=True, choices=_labels(Category)
        ),
        excel.Column("建设性质", lambda r: r.get_nature_display(), choices=_labels(Nature)),
        excel.Column("拟定级别", lambda r: r.get_level_display(), choices=_labels(Level)),
        excel.Column("四个一批", lambda r: r.get_batch_display() if r.batch else "", choices=_labels(Batch)),
        excel.Column("所在区划代码", "region.code", required=True),
        excel.Column("所属园区", lambda r: r.park.name if r.park_id else ""),
        excel.Column("业主单位", lambda r: r.owner.name if r.owner_id else ""),
        excel.Column("投资方", "investor"),
        excel.Column("责任单位", "responsible_unit.name", required=True),
        excel.Column("建设内容", "content", width=40),
        excel.Column("预计总投资（万元）", "total_investment", kind="money", required=True),
        excel.Column("预计开工年度", "start_year", kind="int", required=True),
        excel.Column("预计开工", "planned_start", kind="date"),
        excel.Column("预计竣工", "planned_completion", kind="date"),
        excel.Column("前期工作深度", lambda r: r.get_readiness_display(), choices=_labels(Readiness)),
        excel.Column(
            "已办结手续", lambda r: "、".join(str(ApprovalKind(k).label) for k in r.approvals_done), width=30
        ),
        excel.Column("项目来源", lambda r: r.get_origin_display()),
        excel.Column("状态", lambda r: r.get_state_display()),
        excel.Column("入库项目编号", lambda r: r.project.code if r.project_id else ""),
    ]


def export_reserve(rows: Iterable[ReserveProject]) -> bytes:
    return excel.workbook(excel.Sheet("储备项目", reserve_columns(), rows, autofilter=True))


def template() -> bytes:
    columns = reserve_columns()[:17]  # the importable ones
    return excel.workbook(excel.Sheet("储备项目", columns, []))
