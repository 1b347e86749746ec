"""Importing projects from a workbook: check every row, then save all of them or none.

The checks run before anything is written, so a file with one bad row leaves the database as it was and the
person gets every problem at once, by row, column and reason. Rows are matched to existing projects by 项目编号
(or by name within the year when the code is blank), so importing the same file twice updates instead of
duplicating, and rows that change nothing are not touched. Writes are bulk operations in one transaction: a
district's whole registry (thousands of rows) imports in seconds.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from gongjian.core import audit, bulk
from gongjian.core.models import AuditEvent
from gongjian.core.money import format_wan
from gongjian.exchange.columns import (
    APPROVAL_SHEET,
    MAIN_SHEET,
    MILESTONE_SHEET,
    MONTH_KEYS,
    PROJECT_COLUMNS,
    SHEETS,
    Column,
    HeaderBinding,
    bind_headers,
)
from gongjian.exchange.reading import Sheet
from gongjian.lights import services as lights
from gongjian.org.choices import ENTERPRISE_KINDS, UnitKind
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import AnnualPlan, Approval, Milestone, Project, ProjectLeader
from gongjian.projects.services import (
    claim_project_codes,
    dekads_from_months,
    preview_project_code,
    reserve_project_codes,
    sync_children,
)

# SQLite allows 999 parameters in a statement; stay well below it in every IN (...) list.
CHUNK = 500
_PROJECT_FIELDS = {f.name: f for f in Project._meta.concrete_fields}
_DIRECT_KEYS = [
    c.key for c in PROJECT_COLUMNS if c.key in _PROJECT_FIELDS and not _PROJECT_FIELDS[c.key].is_relation
]
_REF_KEYS = [
    c.key for c in PROJECT_COLUMNS if c.key in _PROJECT_FIELDS and _PROJECT_FIELDS[c.key].is_relation
]
# What an audit event of an imported project shows: snapshot_project's fields but the timestamps and the
# version, which the import sets itself.
SNAPSHOT_FIELDS = [
    f.attname
    for f in Project._meta.concrete_fields
    if f.attname not in {"created_at", "updated_at", "version"}
]
_COLUMN = {sheet: {c.key: c for c in columns} for sheet, columns in SHEETS.items()}
_MILESTONE_FIELDS = ["kind", "name", "planned_date", "actual_date", "note"]
_APPROVAL_FIELDS = [
    "kind",
    "name",
    "status",
    "document_no",
    "authority",
    "planned_date",
    "approved_on",
    "note",
]


@dataclass(frozen=True)
class RowError:
    """One problem in the file: where it is (sheet, row, column), what was there and what is wrong."""

    sheet: str
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"「{self.sheet}」表" if self.sheet and self.sheet != MAIN_SHEET else ""
        where += f"第 {self.row} 行" if self.row else ""
        where += f"「{self.column}」" if self.column else ""
        return f"{where}：{self.message}" if where else self.message


@dataclass
class ImportResult:
    """What an import did — or, when ``errors`` is not empty, why it saved nothing."""

    filename: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_units: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The rows that have errors, as they were in the file, for the error report.
    rejected: list[Sheet] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def in_chunks(queryset: models.QuerySet, field_name: str, values: Iterable[Any]) -> Iterator[Any]:
    """``queryset.filter(<field>__in=values)`` in pieces any database accepts."""
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + CHUNK]})


class _Person(NamedTuple):
    id: int
    name: str
    post: str
    unit: str
    unit_short: str


_QUALIFIED_NAME = re.compile(r"(.+?)\s*[（(](.+)[)）]")


class People:
    """People by name, as cells name them: "张伟", or "张伟（工信局）" / "张伟（副区长）" when names are shared."""

    def __init__(self, names: Iterable[str]):
        query = Person.objects.values_list("id", "name", "post", "unit__name", "unit__short_name")
        self.by_name: dict[str, list[_Person]] = defaultdict(list)
        self.by_id: dict[int, _Person] = {}
        for row in in_chunks(query, "name", set(names)):
            person = _Person(row[0], row[1], row[2], row[3] or "", row[4] or "")
            self.by_name[person.name].append(person)
            self.by_id[person.id] = person

    @staticmethod
    def base_name(text: str) -> str:
        match = _QUALIFIED_NAME.fullmatch(text)
        return match.group(1) if match else text

    def find(self, text: str) -> int:
        """The id of the one person ``text`` names; ``ValueError`` naming the candidates otherwise."""
        match = _QUALIFIED_NAME.fullmatch(text)
        name, qualifier = (match.group(1), match.group(2).strip()) if match else (text, "")
        candidates = self.by_name.get(name, [])
        if qualifier:
            candidates = [p for p in candidates if qualifier in {p.unit, p.unit_short, p.post}]
        if not candidates:
            raise ValueError(f"人员不存在：{text}")
        if len(candidates) > 1:
            shown = "、".join(
                f"{p.name}（{'，'.join(filter(None, [p.unit, p.post])) or '无单位'}）" for p in candidates
            )
            raise ValueError(f"「{text}」对应多人：{shown}；请写成“姓名（单位名称）”以区分")
        return candidates[0].id

    def label(self, person_id: int | None) -> str:
        """How a cell names the person so that :meth:`find` finds them again."""
        if person_id is None:
            return ""
        person = self.by_id[person_id]
        if len(self.by_name[person.name]) == 1:
            return person.name
        return f"{person.name}（{person.unit or person.post}）"


@dataclass
class _Row:
    """A data row of a sheet on its way into the database."""

    number: int
    values: dict[str, Any]
    failed: set[str] = field(default_factory=set)
    # Project rows only:
    fields: dict[str, Any] = field(default_factory=dict)  # Project attname → value
    credit_code: str = ""  # the owner's, when given and valid
    new_owner: str = ""  # an enterprise this import registers as the owner
    existing: Project | None = None
    project: Project | None = None
    plan_year: int = 0
    dekads: list[int] | None = None
    leaders: list[tuple[int, str]] | None = None

    def given(self, key: str) -> bool:
        return key in self.values and key not in self.failed


@dataclass
class _Change:
    """A project the import creates (``existing`` is None) or changes, with what it writes besides the project."""

    project: Project
    existing: Project | None
    row: int
    before: dict[str, Any] | None
    after: dict[str, Any]
    new_owner: str = ""
    plan: tuple[int, list[int]] | None = None
    leaders: list[tuple[int, str]] | None = None
    milestones: list[Milestone] | None = None
    approvals: list[Approval] | None = None


class ProjectImport:
    """One import of one file: :meth:`check` finds every problem, :meth:`save` writes when there is none."""

    def __init__(self, sheets: dict[str, Sheet], *, actor, result: ImportResult):
        self.sheets, self.actor, self.result = sheets, actor, result
        self.today = timezone.localdate()
        self.bindings: dict[str, HeaderBinding] = {}
        self.rows: list[_Row] = []
        self.child_rows: dict[str, list[_Row]] = {}
        self.child_only: dict[str, Project] = {}  # existing projects named only by a milestone/approval sheet
        self.new_units: dict[str, tuple[str, int]] = {}  # name → (credit code, first row naming it)
        self.changes: list[_Change] = []
        self.numbered: set[int] = set()  # rows whose code the import gives (from the counter, when saved)
        self._bad: set[tuple[str, int]] = set()

    def error(self, sheet: str, row: int, column: Column | None, value: Any, message: str) -> None:
        self.result.errors.append(
            RowError(sheet, row, column.header if column else "", _shown(value), message)
        )
        self._bad.add((sheet, row))

    # Checking

    def check(self) -> None:
        """Read, resolve and validate every row; afterwards ``result.errors`` holds every problem found."""
        if not self._bind_headers():
            return
        self.rows = [self._parse(MAIN_SHEET, n, cells) for n, cells in self.sheets[MAIN_SHEET].rows]
        for name in (MILESTONE_SHEET, APPROVAL_SHEET):
            if name in self.bindings:
                self.child_rows[name] = [self._parse(name, n, cells) for n, cells in self.sheets[name].rows]
        if not self.rows and not any(self.child_rows.values()):
            self.result.warnings.append("文件中没有项目数据。")
            return
        self._load_references()
        for row in self.rows:
            self._resolve(row)
        self._match()
        self._check_duplicates()
        self._find_child_only_projects()
        self._load_existing()
        for row in self.rows:
            self._build(row)
        children = {name: self._children(name, rows) for name, rows in self.child_rows.items()}
        self._check_new_units()
        if not self.result.errors:
            self._collect_changes(children.get(MILESTONE_SHEET), children.get(APPROVAL_SHEET))
        self.result.errors.sort(key=_in_file_order)
        for name, sheet in self.sheets.items():
            rejected = [(n, cells) for n, cells in sheet.rows if (name, n) in self._bad]
            if rejected:
                self.result.rejected.append(Sheet(name, sheet.header_row, sheet.headers, rejected))

    def _bind_headers(self) -> bool:
        for name, sheet in self.sheets.items():
            if not sheet.header_row:
                continue
            binding = self.bindings[name] = bind_headers(sheet.headers, SHEETS[name])
            for header in binding.unknown:
                self.result.warnings.append(f"「{name}」表的列「{header}」无法识别，已忽略。")
            for header in binding.duplicated:
                self.error(name, sheet.header_row, None, header, f"列「{header}」重复出现")
            if binding.missing:
                missing = "、".join(c.header for c in binding.missing)
                self.error(name, sheet.header_row, None, "", f"缺少必填列：{missing}（请使用系统提供的模板）")
        if MAIN_SHEET not in self.bindings:
            self.bindings[MAIN_SHEET] = bind_headers([], [])
        return not self.result.errors

    def _parse(self, sheet: str, number: int, cells: Sequence[Any]) -> _Row:
        row, columns = _Row(number, {}), _COLUMN[sheet]
        for key, position in self.bindings[sheet].positions.items():
            column, cell = columns[key], cells[position] if position < len(cells) else None
            try:
                row.values[key] = column.parse(cell)
            except ValueError as exc:
                self.error(sheet, number, column, cell, str(exc))
                row.failed.add(key)
                continue
            if column.required and row.values[key] is None:
                self.error(sheet, number, column, cell, "不能为空")
                row.failed.add(key)
        return row

    def _load_references(self) -> None:
        """Everything the rows name — regions, units, people, existing projects — in a few queries."""
        named = defaultdict(set)
        for row in self.rows:
            for key in (
                "region",
                "park",
                "owner",
                "responsible_unit",
                "headquarters",
                "owner_credit_code",
                "commander",
                "code",
            ):
                if row.values.get(key):
                    named[key].add(row.values[key])
            if row.values.get("name") and not row.values.get("code"):  # a row without a code is found by name
                named["name"].add(row.values["name"])
            named["leaders"].update(row.values.get("leaders") or [])
        for rows in self.child_rows.values():
            named["code"].update(row.values["code"] for row in rows if row.values.get("code"))
        self.regions = dict(in_chunks(Region.objects.values_list("code", "id"), "code", named["region"]))
        units = Unit.objects.values_list("name", "id", "kind", "credit_code")
        unit_names = named["park"] | named["owner"] | named["responsible_unit"] | named["headquarters"]
        self.units = {
            name: (pk, kind, credit) for name, pk, kind, credit in in_chunks(units, "name", unit_names)
        }
        credits = {code.upper() for code in named["owner_credit_code"]}
        self.unit_by_credit = dict(
            in_chunks(Unit.objects.values_list("credit_code", "name"), "credit_code", credits)
        )
        self.people = People(People.base_name(n) for n in named["commander"] | named["leaders"])
        self.by_code = {p.code: p for p in in_chunks(Project.objects.all(), "code", named["code"])}
        self.by_name: dict[tuple[int, str], list[Project]] = defaultdict(list)
        for project in in_chunks(Project.objects.all(), "name", named["name"]):
            self.by_name[project.year, project.name].append(project)

    def _resolve(self, row: _Row) -> None:
        """Turn the row's cells into Project field values, looking up what it names."""
        columns = _COLUMN[MAIN_SHEET]
        row.credit_code = self._credit_code(row)
        for key in _DIRECT_KEYS:
            if row.given(key) and key not in {"code", "year"}:
                value = row.values[key]
                row.fields[key] = _PROJECT_FIELDS[key].get_default() if value is None else value
        for key in _REF_KEYS:
            if row.given(key):
                try:
                    row.fields[f"{key}_id"] = self._reference(row, key, row.values[key])
                except ValueError as exc:
                    self.error(MAIN_SHEET, row.number, columns[key], row.values[key], str(exc))
        if row.given("leaders"):
            self._resolve_leaders(row)
        if any(row.values.get(key) is not None for key in MONTH_KEYS):
            row.dekads = dekads_from_months([row.values.get(key) or 0 for key in MONTH_KEYS])

    def _reference(self, row: _Row, key: str, value: str | None) -> int | None:
        if value is None:
            return None
        if key == "region":
            if value not in self.regions:
                raise ValueError(f"区划代码不存在：{value}")
            return self.regions[value]
        if key == "commander":
            return self.people.find(value)
        if key == "owner":
            return self._owner(row, value)
        if value not in self.units:
            raise ValueError(f"单位不存在：{value}")
        pk, kind, _ = self.units[value]
        if key == "park" and kind != UnitKind.PARK:
            raise ValueError(f"「{value}」不是园区")
        if key == "headquarters" and kind != UnitKind.HEADQUARTERS:
            raise ValueError(f"「{value}」不是指挥部")
        if key == "responsible_unit" and kind in ENTERPRISE_KINDS:
            raise ValueError(f"责任单位不能是企业：{value}")
        return pk

    def _owner(self, row: _Row, name: str) -> int | None:
        """The owner unit. An enterprise not registered yet is registered when its credit code is given."""
        credit = row.credit_code
        if name in self.units:
            pk, _, known = self.units[name]
            if credit and known and known != credit:
                raise ValueError(
                    f"业主单位「{name}」登记的统一社会信用代码为 {known}，与填写的 {credit} 不一致"
                )
            return pk
        if "owner_credit_code" in row.failed:
            return None  # the bad credit code is the error to fix
        if not credit:
            raise ValueError(
                f"单位不存在：{name}（如为新企业，请同时填写业主统一社会信用代码，导入时自动登记）"
            )
        if credit in self.unit_by_credit:
            raise ValueError(
                f"统一社会信用代码 {credit} 已属于单位「{self.unit_by_credit[credit]}」，请核对业主单位名称"
            )
        first_credit, first_row = self.new_units.setdefault(name, (credit, row.number))
        if first_credit != credit:
            raise ValueError(f"与第 {first_row} 行同一企业的统一社会信用代码不一致")
        row.new_owner = name
        return None

    def _credit_code(self, row: _Row) -> str:
        """The row's owner credit code, checked by the Unit model's own validator; "" when blank or bad."""
        value = (row.values.get("owner_credit_code") or "").upper() if row.given("owner_credit_code") else ""
        if not value:
            return ""
        try:
            Unit._meta.get_field("credit_code").run_validators(value)
        except ValidationError as exc:
            self.error(
                MAIN_SHEET,
                row.number,
                _COLUMN[MAIN_SHEET]["owner_credit_code"],
                value,
                "；".join(exc.messages),
            )
            row.failed.add("owner_credit_code")
            return ""
        return value

    def _resolve_leaders(self, row: _Row) -> None:
        column, leaders = _COLUMN[MAIN_SHEET]["leaders"], []
        for name in row.values["leaders"] or []:
            try:
                person = self.people.find(name)
            except ValueError as exc:
                self.error(MAIN_SHEET, row.number, column, name, str(exc))
                continue
            if any(person == p for p, _ in leaders):
                self.error(MAIN_SHEET, row.number, column, name, f"包挂领导重复：{name}")
                continue
            # 领导分工包挂: the first named leads, the others are contact leaders.
            leaders.append((person, LeaderRole.DEPUTY if leaders else LeaderRole.LEAD))
        row.leaders = leaders

    def _match(self) -> None:
        """Find each row's project — by code, else by name within the year — and number the new ones."""
        columns = _COLUMN[MAIN_SHEET]
        for row in self.rows:
            code, name, year = row.values.get("code"), row.values.get("name"), row.values.get("year")
            if code:
                row.existing = self.by_code.get(code)
            elif name:
                found = self.by_name.get((year or self.today.year, name), [])
                if len(found) > 1:
                    self.error(
                        MAIN_SHEET,
                        row.number,
                        columns["name"],
                        name,
                        f"系统中有多个同名项目（{'、'.join(p.code for p in found)}），请填写项目编号",
                    )
                row.existing = found[0] if len(found) == 1 else None
            row.fields["year"] = year or (row.existing.year if row.existing else self.today.year)
            row.fields["code"] = code or (row.existing.code if row.existing else "")
        allowed = self._in_scope({row.existing.pk for row in self.rows if row.existing})
        taken = {row.fields["code"] for row in self.rows}
        counters: dict[int, int] = {}
        for row in self.rows:
            if row.existing and row.existing.pk not in allowed:
                column = columns["code"] if row.values.get("code") else columns["name"]
                self.error(MAIN_SHEET, row.number, column, row.existing.code, "无权修改该项目")
            if not row.fields["code"]:
                # A preview: the codes are reserved from the year's counter when the import is saved.
                row.fields["code"] = _next_code(row.fields["year"], taken, counters)
                self.numbered.add(row.number)

    def _in_scope(self, ids: set[int]) -> set[int]:
        """Which of the projects ``ids`` the actor may change (all of them from the command line)."""
        if self.actor is None:
            return ids
        return set(in_chunks(Project.objects.in_scope(self.actor).values_list("pk", flat=True), "pk", ids))

    def _check_duplicates(self) -> None:
        columns, by_code, by_name = _COLUMN[MAIN_SHEET], {}, {}
        for row in self.rows:
            first = by_code.setdefault(row.fields["code"], row.number)
            if first != row.number:
                self.error(
                    MAIN_SHEET,
                    row.number,
                    columns["code"],
                    row.fields["code"],
                    f"与第 {first} 行的项目编号重复",
                )
            if row.values.get("name"):
                first = by_name.setdefault((row.fields["year"], row.values["name"]), row.number)
                if first != row.number:
                    self.error(
                        MAIN_SHEET,
                        row.number,
                        columns["name"],
                        row.values["name"],
                        f"与第 {first} 行的项目名称重复（同一入库年度）",
                    )

    def _find_child_only_projects(self) -> None:
        """Milestone and approval rows name projects of the main sheet or existing ones, which must be in scope."""
        in_main = {row.fields["code"] for row in self.rows}
        for sheet, rows in self.child_rows.items():
            column = _COLUMN[sheet]["code"]
            for row in rows:
                code = row.values.get("code")
                if code and code not in in_main:
                    if code in self.by_code:
                        self.child_only[code] = self.by_code[code]
                    else:
                        self.error(
                            sheet,
                            row.number,
                            column,
                            code,
                            "项目编号不存在（须为项目表中或系统中已有的项目）",
                        )
        allowed = self._in_scope({p.pk for p in self.child_only.values()})
        for sheet, rows in self.child_rows.items():
            for row in rows:
                project = self.child_only.get(row.values.get("code"))
                if project and project.pk not in allowed:
                    self.error(sheet, row.number, _COLUMN[sheet]["code"], project.code, "无权修改该项目")

    def _load_existing(self) -> None:
        """The plans, leaders, milestones and approvals of the existing projects the file touches."""
        ids = {row.existing.pk for row in self.rows if row.existing} | {
            p.pk for p in self.child_only.values()
        }
        self.plans = {
            (pk, year): (plan_id, dekads)
            for plan_id, pk, year, dekads in in_chunks(
                AnnualPlan.objects.values_list("id", "project_id", "year", "dekads"), "project_id", ids
            )
        }
        self.old_lists: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        if "leaders" in self.bindings[MAIN_SHEET].positions:
            links = ProjectLeader.objects.values_list("project_id", "person_id", "role")
            for pk, person, role in in_chunks(links, "project_id", ids):
                self.old_lists["leaders"][pk].append((person, role))
        for sheet, key, model in (
            (MILESTONE_SHEET, "milestones", Milestone),
            (APPROVAL_SHEET, "approvals", Approval),
        ):
            if sheet in self.child_rows:
                ordered = model.objects.order_by("project_id", *model._meta.ordering[1:], "id")
                for item in in_chunks(ordered, "project_id", ids):
                    self.old_lists[key][item.project_id].append(item)

    def _build(self, row: _Row) -> None:
        """The project as the row wants it, validated by the model's own field validators and clean()."""
        project = copy.copy(row.existing) if row.existing else Project()
        for name, value in row.fields.items():
            setattr(project, name, value)
        try:
            # References were resolved against what was loaded in bulk (Django would query once per cell), and a
            # cell that could not be read has been reported already (the model would only add "不能为空").
            project.full_clean(
                exclude=[*_REF_KEYS, *row.failed], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self._model_errors(MAIN_SHEET, row, exc)
        row.project = project
        row.plan_year = row.values.get("plan_year") or project.year
        old = self.plans.get((project.pk, row.plan_year))
        plan = row.dekads if row.dekads is not None else (old[1] if old else None)
        if plan and "total_investment" in row.fields and sum(plan) > project.total_investment:
            self.error(
                MAIN_SHEET,
                row.number,
                _COLUMN[MAIN_SHEET]["total_investment"],
                row.values["total_investment"],
                f"{row.plan_year} 年计划投资 {format_wan(sum(plan))} 万元超过总投资 "
                f"{format_wan(project.total_investment)} 万元",
            )

    def _model_errors(self, sheet: str, row: _Row, exc: ValidationError) -> None:
        columns = _COLUMN[sheet]
        for name, messages in exc.message_dict.items():
            if name in row.failed:
                continue  # the cell could not be read, and that error says it better than the model's
            column = columns.get(name) if name != NON_FIELD_ERRORS else None
            for message in messages:
                self.error(sheet, row.number, column, row.values.get(name), message)

    def _children(self, sheet: str, rows: list[_Row]) -> dict[str, list[models.Model]]:
        """A milestone or approval sheet's rows as model instances grouped by project code, each validated."""
        model, names = (
            (Milestone, _MILESTONE_FIELDS) if sheet == MILESTONE_SHEET else (Approval, _APPROVAL_FIELDS)
        )
        # Only the fields a row can set are checked; the rest are the import's own (ids, order, timestamps).
        others = [f.name for f in model._meta.fields if f.name not in names]
        quick = _QuickCheck(model, names)
        grouped: dict[str, list[models.Model]] = defaultdict(list)
        for row in rows:
            code = row.values.get("code")
            if not code:
                continue
            item = model(**{n: row.values[n] for n in names if row.values.get(n) is not None})
            if model is Milestone:
                item.sequence = len(grouped[code])  # the file's order is the order of the nodes
            if not row.failed and quick.passes(item):
                grouped[code].append(item)
                continue
            try:
                item.full_clean(
                    exclude=[*others, *row.failed], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                self._model_errors(sheet, row, exc)
            grouped[code].append(item)
        return grouped

    def _check_new_units(self) -> None:
        """The enterprises this import would register must be valid units themselves."""
        for name, (credit, number) in self.new_units.items():
            try:
                Unit(name=name, kind=UnitKind.ENTERPRISE, credit_code=credit).full_clean(
                    exclude=["parent", "region"]
                )
            except ValidationError as exc:
                self.error(MAIN_SHEET, number, _COLUMN[MAIN_SHEET]["owner"], name, "；".join(exc.messages))

    def _collect_changes(
        self, milestones: dict[str, list[Milestone]] | None, approvals: dict[str, list[Approval]] | None
    ) -> None:
        """Compare each project with what the file says; keep the ones that differ, count the others."""

        def lists(code: str) -> dict[str, list | None]:
            return {
                "milestones": None if milestones is None else milestones.get(code),
                "approvals": None if approvals is None else approvals.get(code),
            }

        for row in self.rows:
            plan = None
            if row.dekads is not None:
                old = self.plans.get((row.project.pk, row.plan_year))
                plan = (row.plan_year, _keep_dekad_split(row.dekads, old[1] if old else None))
            self._compare(
                row.project,
                row.existing,
                row.number,
                row.new_owner,
                plan=plan,
                leaders=row.leaders,
                **lists(row.project.code),
            )
        for project in self.child_only.values():
            self._compare(copy.copy(project), project, 0, "", plan=None, leaders=None, **lists(project.code))

    def _compare(
        self, project: Project, existing: Project | None, number: int, new_owner: str, **new: Any
    ) -> None:
        """``new`` holds the plan, leaders, milestones and approvals the file gives (None: it says nothing)."""
        change = _Change(project, existing, number, None, _state(project, **new), new_owner, **new)
        if existing is None:
            self.changes.append(change)
            self.result.created += 1
            return
        change.before = _state(
            existing, **{key: self._old(existing.pk, key, value) for key, value in new.items()}
        )
        if change.before == change.after and not new_owner:
            self.result.unchanged += 1
        else:
            self.changes.append(change)
            self.result.updated += 1

    def _old(self, pk: int, key: str, new: Any) -> Any:
        """What the database holds for one of a project's lists, when the file gives a new one."""
        if new is None:
            return None
        if key == "plan":
            old = self.plans.get((pk, new[0]))
            return new[0], old[1] if old else None
        return self.old_lists[key].get(pk, [])

    # Saving

    def save(self) -> None:
        """Write every change in one transaction, with one audit event per project and one for the import."""
        try:
            with transaction.atomic():
                self._save()
        except IntegrityError:
            # Someone saved a project with one of the new codes while this import ran.
            self.result.created_units.clear()
            self.error(
                MAIN_SHEET, 0, None, "", "保存时项目编号与他人同时保存的项目冲突，未导入任何数据，请重新导入"
            )
        except ValidationError as exc:  # a milestone that reports have reached would be dropped
            self.result.created_units.clear()
            self.error(MAIN_SHEET, 0, None, "", "；".join(exc.messages) + "，未导入任何数据")

    def _save(self) -> None:
        if not self._versions_unchanged():
            return
        self._register_units()
        now = timezone.now()
        created = [c for c in self.changes if c.existing is None]
        updated = [c for c in self.changes if c.existing is not None]
        self._number(created, updated)
        bulk.insert_objects(Project, [c.project for c in created], returning=True)
        changed_fields = {"version", "updated_at"}
        for change in updated:
            change.project.version = change.existing.version + 1
            change.project.updated_at = now
            changed_fields.update(
                k for k in change.after if k in SNAPSHOT_FIELDS and change.after[k] != change.before.get(k)
            )
        bulk.update_objects(Project, [c.project for c in updated], sorted(changed_fields))
        if updated:  # bulk writes send no signals: the board hears of the changed projects here
            lights.registry_changed()
        self._save_plans()
        self._replace(
            ProjectLeader,
            "leaders",
            lambda change, item: ProjectLeader(project_id=change.project.pk, person_id=item[0], role=item[1]),
        )
        self._replace(Milestone, "milestones", _attach)
        self._replace(Approval, "approvals", _attach)
        bulk.insert_objects(AuditEvent, [self._event(c) for c in self.changes])
        audit.record(
            "project.import",
            actor=self.actor,
            object_type="projects.project",
            object_repr=self.result.filename[:255],
            note=self.result.filename,
            only_changes=False,
            after={
                "file": self.result.filename,
                "created": self.result.created,
                "updated": self.result.updated,
                "unchanged": self.result.unchanged,
                "units_created": self.result.created_units,
            },
        )

    def _versions_unchanged(self) -> bool:
        """Refuse to overwrite a project someone saved between this import's check and its save."""
        updated = {c.existing.pk: c for c in self.changes if c.existing is not None}
        versions = Project.objects.select_for_update().values_list("pk", "version")
        for pk, version in in_chunks(versions, "pk", updated):
            change = updated[pk]
            if version != change.existing.version:
                self.error(
                    MAIN_SHEET,
                    change.row,
                    _COLUMN[MAIN_SHEET]["code"],
                    change.project.code,
                    "该项目在导入过程中被他人修改，请重新导入",
                )
        return not self.result.errors

    def _register_units(self) -> None:
        """Register the owner enterprises the file introduced, each audited like any new unit."""
        ids = {}
        for name, (credit, _) in self.new_units.items():
            unit = Unit(name=name, kind=UnitKind.ENTERPRISE, credit_code=credit)
            unit.save()
            audit.record(
                "unit.create",
                actor=self.actor,
                obj=unit,
                after=audit.snapshot(unit),
                only_changes=False,
                note=f"导入项目时登记业主单位：{self.result.filename}",
            )
            ids[name] = unit.pk
            self.result.created_units.append(name)
        for change in self.changes:
            if change.new_owner:
                change.project.owner_id = change.after["owner_id"] = ids[change.new_owner]

    def _number(self, created: list[_Change], updated: list[_Change]) -> None:
        """Codes typed in the file move their year's counter past them; the new projects without one get theirs
        from the counter, a block per year (O(1) whatever the registry holds)."""
        claim_project_codes(
            change.project.code for change in created + updated if change.row not in self.numbered
        )
        by_year: dict[int, list[_Change]] = {}
        for change in created:
            if change.row in self.numbered:
                by_year.setdefault(change.project.year, []).append(change)
        for year, changes in by_year.items():
            for change, code in zip(changes, reserve_project_codes(year, len(changes)), strict=True):
                change.project.code = change.after["code"] = code

    def _save_plans(self) -> None:
        new, changed = [], []
        for change in self.changes:
            if change.plan is None:
                continue
            year, dekads = change.plan
            old = self.plans.get((change.project.pk, year)) if change.existing else None
            if old is None:
                new.append(
                    AnnualPlan(project_id=change.project.pk, year=year, dekads=dekads, total=sum(dekads))
                )
            elif old[1] != dekads:
                changed.append(
                    AnnualPlan(
                        pk=old[0], project_id=change.project.pk, year=year, dekads=dekads, total=sum(dekads)
                    )
                )
        bulk.insert_objects(AnnualPlan, new)
        bulk.update_objects(AnnualPlan, changed, ["dekads", "total"])

    def _replace(self, model, slot: str, make) -> None:
        """Make the leaders, milestones or approvals of the projects whose list the file changed what the file
        says, in place: rows that stay keep their ids, so reports that point at a milestone keep their history
        (a milestone a report has reached cannot be dropped: the import then saves nothing and says which)."""
        changes = [
            c
            for c in self.changes
            if getattr(c, slot) is not None and (c.before is None or c.before.get(slot) != c.after.get(slot))
        ]
        new = [c for c in changes if c.existing is None]
        bulk.insert_objects(model, [make(c, item) for c in new for item in getattr(c, slot)])
        for start in range(0, len(changes), CHUNK):
            sync_children(
                model,
                {
                    c.project.pk: [make(c, item) for item in getattr(c, slot)]
                    for c in changes[start : start + CHUNK]
                    if c.existing is not None
                },
            )

    def _event(self, change: _Change) -> AuditEvent:
        """The audit event of one project, saved with the others in one ``bulk_create``."""
        if change.existing is None:
            action, before, after = "project.import_create", None, {**change.after, "id": change.project.pk}
        else:
            action = "project.import_update"
            before, after = audit.changes(change.before, change.after)
            before["version"], after["version"] = change.existing.version, change.project.version
        return audit.build_event(
            action,
            actor=self.actor,
            obj=change.project,
            before=before,
            after=after,
            only_changes=False,
            note=f"导入文件：{self.result.filename}",
        )


class _QuickCheck:
    """What a milestone's or approval's ``full_clean`` would say of the fields a row sets, found without it for
    the plain rows: present where required, within the length, one of the choices, no NUL. A row it cannot
    vouch for goes through ``full_clean``, whose messages the user reads; for the tens of thousands of rows of a
    large file this saves most of the checking time."""

    def __init__(self, model: type[models.Model], names: Sequence[str]):
        self.checks = []
        for name in names:
            field_ = model._meta.get_field(name)
            simple = all(
                isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator) for v in field_.validators
            )
            choices = frozenset(value for value, _ in field_.flatchoices) if field_.choices else None
            self.checks.append(
                (field_.attname, field_.blank, getattr(field_, "max_length", None), choices, simple)
            )

    def passes(self, item: models.Model) -> bool:
        for attname, blank, max_length, choices, simple in self.checks:
            value = getattr(item, attname)
            if value is None or value == "":
                if not blank:
                    return False
                continue
            if not simple or (choices is not None and value not in choices):
                return False
            if type(value) is str and (
                (max_length is not None and len(value) > max_length) or "\x00" in value
            ):
                return False
        try:
            item.clean()
        except ValidationError:
            return False
        return True


def _attach(change: _Change, item: models.Model) -> models.Model:
    item.project_id = change.project.pk
    return item


def _state(project: Project, *, plan=None, leaders=None, milestones=None, approvals=None) -> dict[str, Any]:
    """What an import compares and an audit event shows: the project's fields and, of its plan, leaders,
    milestones and approvals, the ones the file speaks about (the same shape as ``snapshot_project``)."""
    data = audit.snapshot(project, SNAPSHOT_FIELDS)
    if plan is not None:
        data["plans"] = {str(plan[0]): plan[1]}
    if leaders is not None:
        data["leaders"] = sorted(f"{person}:{role}" for person, role in leaders)
    if milestones is not None:
        data["milestones"] = [audit.snapshot(m, _MILESTONE_FIELDS) for m in milestones]
    if approvals is not None:
        data["approvals"] = [audit.snapshot(a, _APPROVAL_FIELDS) for a in approvals]
    return data


def _keep_dekad_split(new: list[int], old: list[int] | None) -> list[int]:
    """A month whose total the file does not change keeps its split over 上/中/下旬 as someone entered it on
    the project page; only changed months are spread evenly again."""
    if not old:
        return new
    result = []
    for month in range(12):
        span = slice(month * 3, month * 3 + 3)
        result += old[span] if sum(old[span]) == sum(new[span]) else new[span]
    return result


def _next_code(year: int, taken: set[str], counters: dict[int, int]) -> str:
    """The next registry code of ``year`` after those in the database and those the file itself uses."""
    if year not in counters:
        counters[year] = int(preview_project_code(year).rsplit("-", 1)[1])
    while True:
        code = f"{year}-{counters[year]:04d}"
        counters[year] += 1
        if code not in taken:
            taken.add(code)
            return code


_SHEET_ORDER = {name: i for i, name in enumerate(SHEETS)}
_COLUMN_ORDER = {(sheet, c.header): i for sheet, columns in SHEETS.items() for i, c in enumerate(columns)}


def _in_file_order(error: RowError) -> tuple[int, int, int]:
    """Errors are listed the way a person goes through the file: sheet by sheet, row by row, left to right."""
    return _SHEET_ORDER.get(error.sheet, -1), error.row, _COLUMN_ORDER.get((error.sheet, error.column), -1)


def _shown(value: Any) -> str:
    """A cell's value as the error list shows it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        value = "、".join(map(str, value))
    return str(value)[:200]
