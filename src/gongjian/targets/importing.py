"""Importing a unit's monthly actuals from the sheet of ``exports.actuals_template``: every row is checked and any
problem is reported with its row, column and value; only a sheet without problems is saved, all of it in one
transaction through :func:`services.enter_actual` (the sheet is the truth: a submitted or returned actual of the
same month is overwritten, its earlier value kept; an approved one is refused).

The workbook is read with calamine as the registry's import reads it; the registry's reader itself sits in the
exchange app, above targets in the floors, so the size checks it makes are repeated here in their simple form."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core.locking import ANY_VERSION
from gongjian.core.workbook_limits import Limits, UnreadableFile, read_sheets
from gongjian.targets import queries, services
from gongjian.targets.choices import Source
from gongjian.targets.exports import ACTUAL_COLUMNS, ACTUALS_SHEET
from gongjian.targets.models import UnitTarget

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportResult:
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    """Raised inside the transaction to undo every row when a service refused one."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(file: IO[bytes], filename: str) -> list[list[Any]]:
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(_("文件超过 %(mb)d MB。") % {"mb": MAX_BYTES // (1024 * 1024)})
    try:
        # checked against the registry import's limits (a zip bomb or a cell at XFD1048576 is refused unread)
        sheets = read_sheets(io.BytesIO(data), filename, limits=Limits(max_rows=MAX_ROWS + 10))
    except UnreadableFile as exc:
        raise ValueError(str(exc)) from None
    if not sheets:
        raise ValueError(_("工作簿中没有数据表。"))
    return sheets.get(ACTUALS_SHEET) or next(iter(sheets.values()))


def import_actuals(file: IO[bytes], filename: str, *, year: int, actor) -> ImportResult:
    """Check every row of the sheet, then enter every row (see the module's docstring)."""
    if actor is not None and not actor.has_perm("targets.enter_actuals"):
        raise PermissionDenied(_("没有填报目标完成情况的权限。"))
    result = ImportResult()
    try:
        rows = _rows(file, filename)
    except ValueError as exc:
        result.errors.append(RowError(0, "", filename, str(exc)))
        return result
    if not rows:
        result.errors.append(RowError(0, "", "", _("工作表是空的。")))
        return result
    headers = [_text(h).rstrip("*") for h in rows[0]]
    missing = [h for h, _key, required in ACTUAL_COLUMNS if required and h not in headers]
    if missing:
        result.errors.append(RowError(1, "、".join(missing), "", _("缺少必填列")))
        return result
    index = {key: headers.index(h) for h, key, _required in ACTUAL_COLUMNS if h in headers}
    targets = {
        (t.indicator.name, t.unit.name): t
        for t in queries.visible_targets(actor)
        .filter(indicator__year=year)
        .select_related("indicator", "unit")
    }
    parsed: list[tuple[int, UnitTarget, int, Any, str]] = []
    seen: dict[tuple[int, int], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: (row[at] if at < len(row) else None) for key, at in index.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        errors = len(result.errors)
        for header, key, required in ACTUAL_COLUMNS:
            if required and _text(cells.get(key)) == "":
                result.errors.append(RowError(number, header, "", _("必填")))
        if len(result.errors) > errors:
            continue
        target = targets.get((_text(cells["indicator"]), _text(cells["unit"])))
        if target is None:
            result.errors.append(
                RowError(
                    number,
                    "指标名称",
                    f"{_text(cells['indicator'])} / {_text(cells['unit'])}",
                    _("%(year)d 年没有该单位的这个指标，或不在本账号的填报范围内") % {"year": year},
                )
            )
            continue
        if target.indicator.source == Source.COMPUTED:
            result.errors.append(
                RowError(number, "指标名称", target.indicator.name, _("由系统计算，不需要填报"))
            )
            continue
        month_text = _text(cells["month"]).removesuffix("月")
        if not month_text.isdigit() or not 1 <= int(month_text) <= 12:
            result.errors.append(RowError(number, "月份", _text(cells["month"]), _("应为 1 至 12")))
            continue
        month = int(month_text)
        try:
            value = services.from_shown(target.indicator, cells["value"])
        except ValidationError as exc:
            result.errors.append(
                RowError(number, "本年累计完成", _text(cells["value"]), "；".join(exc.messages))
            )
            continue
        key = (target.pk, month)
        if key in seen:
            result.errors.append(
                RowError(number, "指标名称", target.indicator.name, _("与第 %(n)d 行重复") % {"n": seen[key]})
            )
            continue
        seen[key] = number
        parsed.append((number, target, month, value, _text(cells.get("note"))[:500]))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, target, month, value, note in parsed:
                try:
                    services.enter_actual(
                        target,
                        month,
                        value=value,
                        note=note or _("Excel 导入"),
                        actor=actor,
                        expected_version=ANY_VERSION,
                    )
                    result.saved += 1
                except (ValidationError, PermissionDenied) as exc:
                    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                    result.errors.append(RowError(number, "", target.indicator.name, "；".join(messages)))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.saved = 0
    return result
