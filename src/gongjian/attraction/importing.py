"""Importing leads and tranches from a sheet: the columns (what a person types: money in 万元, choices by their
Chinese label, units and people by name) and the row checks. Every row goes through the attraction services —
the same permission, scope and rule checks as a page — inside one transaction that is rolled back when any row
is wrong (or for a dry run), so a file imports whole or not at all and every problem is reported by row and
column. Reading the file (xlsx/csv, its limits) and the error report are the exchange app's (it calls this)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gongjian.attraction import queries, services
from gongjian.attraction.choices import Chain, Currency, Stage
from gongjian.attraction.models import Lead
from gongjian.core.money import wan_to_yuan
from gongjian.org.models import Person, Unit

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return "" if value is None else str(value).strip()


def parse_text(value: Any) -> str:
    return _text(value)


def parse_date(value: Any) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20_000 <= value <= 80_000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    match = _DATE.fullmatch(_text(value)) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", _text(value))
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise ValueError(f"不是有效的日期：{_text(value)}")


def parse_wan(value: Any) -> int | None:
    """万元 (or 万 of another currency) as whole units."""
    if _blank(value):
        return None
    try:
        amount = wan_to_yuan(value if isinstance(value, int | float) else _text(value).replace(",", ""))
    except (ValueError, ArithmeticError):
        raise ValueError(f"不是有效的金额：{_text(value)}") from None
    if amount < 0:
        raise ValueError(f"金额不能为负数：{_text(value)}")
    return amount


def parse_rate(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(_text(value))
    except InvalidOperation:
        raise ValueError(f"不是有效的汇率：{_text(value)}") from None


def _choice(choices) -> Callable[[Any], str | None]:
    labels = {str(label): value for value, label in choices.choices} | {
        value: value for value in choices.values
    }

    def parse(value: Any) -> str | None:
        if _blank(value):
            return None
        text = _text(value)
        if text not in labels:
            raise ValueError(f"应为以下之一：{'、'.join(str(label) for _v, label in choices.choices)}")
        return labels[text]

    return parse


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable[[Any], Any]
    required: bool = False
    help: str = ""


LEAD_SHEET = "意向项目"
TRANCHE_SHEET = "资金到位"
LEAD_COLUMNS = [
    Column("项目名称", "name", parse_text, True),
    Column("投资方", "investor", parse_text, True),
    Column("统一社会信用代码", "credit_code", parse_text),
    Column("联系人", "contact_name", parse_text),
    Column("联系电话", "contact_phone", parse_text),
    Column("产业链", "chain", _choice(Chain)),
    Column("意向投资额（万元）", "amount", parse_wan, True),
    Column("币种", "currency", _choice(Currency)),
    Column("资金来源国家/地区", "country", parse_text),
    Column("跟踪单位", "unit", parse_text, True, "单位全称或简称"),
    Column("引荐人", "introducer", parse_text, False, "姓名；重名时写成“姓名（单位名称）”"),
    Column("登记日期", "found_on", parse_date, True),
    Column("下一步工作", "next_step", parse_text),
]
TRANCHE_COLUMNS = [
    Column("项目名称", "lead", parse_text, True, "已登记的意向项目名称"),
    Column("跟踪单位", "unit", parse_text, True),
    Column("到位日期", "date", parse_date, True),
    Column("到位金额（万元）", "amount", parse_wan, False, "人民币资金填写"),
    Column("资金来源", "source", parse_text),
    Column("币种", "currency", _choice(Currency)),
    Column("原币金额（万）", "foreign_amount", parse_wan, False, "外资填写"),
    Column("折算汇率", "rate", parse_rate, False, "元/原币，外资填写"),
    Column("折合美元（万美元）", "usd_amount", parse_wan, False, "非美元外资填写"),
]
COLUMNS = {LEAD_SHEET: LEAD_COLUMNS, TRANCHE_SHEET: TRANCHE_COLUMNS}


def _fold(text: Any) -> str:
    return re.sub(r"[\s*＊]", "", unicodedata.normalize("NFKC", _text(text))).lower()


@dataclass
class Outcome:
    """What an import did, or — when ``errors`` is not empty — why it saved nothing. An error is (row, column
    header, value, message); row 0 is the file or its header."""

    created: int = 0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def bind(headers: Sequence[Any], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    """Each column's position in the header row, and the required columns that are missing."""
    wanted = {_fold(c.header): c for c in columns}
    positions = {}
    for i, header in enumerate(headers):
        column = wanted.get(_fold(header))
        if column is not None and column.key not in positions:
            positions[column.key] = i
    missing = [c.header for c in columns if c.required and c.key not in positions]
    return positions, missing


class _Names:
    """Units and people by the names a sheet gives them (a person by “姓名” or “姓名（单位）”)."""

    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        for unit in Unit.objects.filter(is_active=True):
            self.units.setdefault(unit.name, unit)
            if unit.short_name:
                self.units.setdefault(unit.short_name, unit)
        self.people: dict[str, list[Person]] = {}
        for person in Person.objects.select_related("unit"):
            self.people.setdefault(person.name, []).append(person)
            if person.unit_id:
                self.people.setdefault(f"{person.name}（{person.unit.name}）", []).append(person)

    def unit(self, name: str) -> Unit:
        unit = self.units.get(name)
        if unit is None:
            raise ValueError(f"没有名为“{name}”的单位")
        return unit

    def person(self, text: str) -> Person:
        text = unicodedata.normalize("NFKC", text).replace("(", "（").replace(")", "）")
        found = self.people.get(text, [])
        if not found:
            raise ValueError(f"没有名为“{text}”的人员")
        if len(found) > 1:
            raise ValueError(f"“{text}”有 {len(found)} 人重名，请写成“姓名（单位名称）”")
        return found[0]


def _parse_row(
    number: int, cells: Sequence[Any], columns, positions, outcome: Outcome, names: _Names
) -> dict | None:
    """The row's values, units and people found by name; None (its errors noted, every one) when any is wrong."""
    values, ok = {}, True
    for column in columns:
        at = positions.get(column.key)
        raw = cells[at] if at is not None and at < len(cells) else None
        try:
            value = column.parse(raw)
        except ValueError as exc:
            outcome.errors.append((number, column.header, _text(raw), str(exc)))
            ok = False
            continue
        if column.required and (value is None or value == ""):
            outcome.errors.append((number, column.header, "", "必填"))
            ok = False
        values[column.key] = value
    for key, header, find in (("unit", "跟踪单位", names.unit), ("introducer", "引荐人", names.person)):
        if values.get(key):
            try:
                values[key] = find(values[key])
            except ValueError as exc:
                outcome.errors.append((number, header, values[key], str(exc)))
                ok = False
    return values if ok else None


def _service_errors(number: int, exc: Exception, columns, outcome: Outcome) -> None:
    headers = {c.key: c.header for c in columns} | {"on": "到位日期", "stage": "项目名称"}
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            for message in messages:
                outcome.errors.append((number, headers.get(key, ""), "", message))
    elif isinstance(exc, ValidationError):
        outcome.errors.extend((number, "", "", m) for m in exc.messages)
    else:
        outcome.errors.append((number, "", "", str(exc) or "无权操作"))


def import_rows(
    kind: str, headers: Sequence[Any], rows: Sequence[tuple[int, Sequence[Any]]], *, actor, dry_run=False
) -> Outcome:
    """Import the data ``rows`` (row number, cells) of a sheet of ``kind`` (LEAD_SHEET or TRANCHE_SHEET) with
    its header row: every row or, when any is wrong (or for a dry run), none."""
    outcome = Outcome()
    if actor is not None and not actor.has_perm("attraction.manage_leads"):
        raise PermissionDenied("没有管理招商项目的权限。")
    columns = COLUMNS[kind]
    positions, missing = bind(headers, columns)
    for header in missing:
        outcome.errors.append((0, header, "", "缺少这一列"))
    if missing:
        return outcome
    names = _Names()
    with transaction.atomic():
        for number, cells in rows:
            values = _parse_row(number, cells, columns, positions, outcome, names)
            if values is None:
                continue
            try:
                with transaction.atomic():
                    if kind == LEAD_SHEET:
                        _lead(values, actor)
                    else:
                        _tranche(values, actor)
                outcome.created += 1
            except ValueError as exc:
                outcome.errors.append((number, "", "", str(exc)))
            except (ValidationError, PermissionDenied) as exc:
                _service_errors(number, exc, columns, outcome)
        if outcome.errors or dry_run:
            transaction.set_rollback(True)
    order = {c.header: i for i, c in enumerate(columns)}
    outcome.errors.sort(key=lambda e: (e[0], order.get(e[1], -1)))
    return outcome


def _lead(values: dict, actor) -> None:
    services.create_lead(actor=actor, **{k: v for k, v in values.items() if v not in (None, "")})


def _tranche(values: dict, actor) -> None:
    unit = values["unit"]
    leads = list(Lead.objects.filter(unit=unit, name=values["lead"]).exclude(stage=Stage.DROPPED)[:2])
    if not leads:
        raise ValueError(f"{unit.name}没有名为“{values['lead']}”的在跟项目")
    if len(leads) > 1:
        raise ValueError(f"{unit.name}有多个名为“{values['lead']}”的项目，请在页面上登记")
    lead = leads[0]
    if actor is not None and not queries.may_manage(actor, lead.unit_id):
        raise PermissionDenied("只能管理本单位（及下属单位）的招商项目。")
    fields = {
        k: values.get(k)
        for k in ("date", "amount", "source", "currency", "foreign_amount", "rate", "usd_amount")
    }
    fields["currency"] = fields["currency"] or Currency.CNY
    services.add_tranche(lead, actor=actor, expected_version=lead.version, **fields)
