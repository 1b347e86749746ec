"""Batch filing (批量填报): a unit downloads an Excel sheet pre-filled with its projects for a period
(``exports.py``), fills it and uploads it. Every row goes through the same services as the form; any error anywhere saves nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from python_calamine import CalamineError, CalamineWorkbook

from gongjian.core.money import wan_to_yuan
from gongjian.projects.models import Project
from gongjian.reports import services
from gongjian.reports.models import ReportingPeriod

SHEET = "填报"
# (header, report field, kind, required)
COLUMNS = [
    ("项目编号", "code", "text", True),
    ("项目名称", "name", "info", False),
    ("本期完成投资（万元）", "amount", "money", True),
    ("形象进度（%）", "progress_percent", "decimal", False),
    ("形象进度描述", "progress_text", "text", False),
    ("在岗施工人数", "workers", "int", False),
    ("下期计划", "next_plan", "text", False),
    ("差异说明", "explanation", "text", False),
]


@dataclass
class BatchError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class BatchResult:
    saved: int = 0
    submitted: int = 0
    errors: list[BatchError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value: Any, kind: str) -> Any:
    if value in (None, ""):
        return None
    if kind == "money":
        return wan_to_yuan(value)
    if kind == "decimal":
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"不是有效的数字：{value}") from exc
        if not 0 <= number <= 100:
            raise ValueError("形象进度应在 0 到 100 之间")
        return number
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) and not str(value).strip().isdigit():
            raise ValueError(f"不是有效的人数：{value}")
        return int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_batch(file: IO[bytes], *, period: ReportingPeriod, actor, submit: bool = False) -> BatchResult:
    """Check every row, then save every row as a draft (and submit it when ``submit``) in one transaction."""
    if actor is not None and not actor.has_perm("reports.submit_report"):
        raise PermissionDenied("无权填报。")
    result = BatchResult()
    try:
        rows = CalamineWorkbook.from_filelike(file).get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    except (CalamineError, KeyError, ValueError) as exc:
        result.errors.append(BatchError(0, "", "", f"无法读取文件或找不到“{SHEET}”工作表（{exc}）"))
        return result
    if not rows:
        return result
    headers = [str(h).strip().rstrip("*") for h in rows[0]]
    missing = [h for h, _n, _k, required in COLUMNS if required and h not in headers]
    if missing:
        result.errors.append(BatchError(1, "、".join(missing), "", "缺少必填列"))
        return result
    index = {h: headers.index(h) for h, *_ in COLUMNS if h in headers}
    projects = (
        {p.code: p for p in Project.objects.in_scope(actor).select_related("responsible_unit")}
        if actor is not None
        else {p.code: p for p in Project.objects.all()}
    )
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        if all(v in (None, "") for v in row):
            continue
        values: dict[str, Any] = {}
        for header, name, kind, required in COLUMNS:
            if kind == "info" or header not in index:
                continue
            raw = row[index[header]] if index[header] < len(row) else None
            try:
                value = _cell(raw, kind)
            except ValueError as exc:
                result.errors.append(BatchError(number, header, str(raw), str(exc)))
                continue
            if value is None and required:
                result.errors.append(BatchError(number, header, "", "必填"))
            elif value is not None:
                values[name] = value
        code = values.pop("code", None)
        if code is not None and code not in projects:
            result.errors.append(
                BatchError(number, "项目编号", code, "没有这个项目，或不在本账号的填报范围内")
            )
        elif code is not None:
            parsed.append((number, projects[code], values))
    seen: dict[int, int] = {}
    for number, project, _values in parsed:
        if project.pk in seen:
            result.errors.append(
                BatchError(number, "项目编号", project.code, f"与第 {seen[project.pk]} 行重复")
            )
        seen[project.pk] = number
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, project, values in parsed:
                try:
                    report = services.save_draft(
                        project, period, values, actor=actor, expected_version=services.ANY_VERSION
                    )
                    if submit:
                        services.submit_report(report, actor=actor, expected_version=report.version)
                        result.submitted += 1
                    result.saved += 1
                except ValidationError as exc:
                    for message in exc.messages:
                        result.errors.append(BatchError(number, "", project.code, message))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.saved = result.submitted = 0
    return result


class _Rollback(Exception):
    """Raised inside the transaction to undo every row when any row failed in a service."""
