"""Excel import of a task's ledger: households, buildings and agreements, with every wrong row reported by
sheet, row and field and why — and nothing saved unless the whole workbook is right (a half-imported ledger is
worse than none). The rows go through the same services as the pages.

Read with python-calamine, as the project import does (exchange/reading.py); the land app sits below exchange in
the import floors, so it reads the workbook itself with the same library and limits of its own.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core import audit, excel
from gongjian.core.locking import ANY_VERSION
from gongjian.core.workbook_limits import UnreadableFile, read_sheets
from gongjian.land import access, services
from gongjian.land.choices import (
    AttachmentKind,
    CadreRelation,
    LandCategory,
    MemberRelation,
    Option,
    StructureGrade,
)
from gongjian.land.models import Agreement, Household, Task

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
HOUSEHOLDS, BUILDINGS, AGREEMENTS = "被征收户", "房屋", "协议"

HOUSEHOLD_COLUMNS = [
    "户编号",
    "村居",
    "村民小组",
    "户主姓名",
    "户主身份证号",
    "干部关系",
    "家庭成员",
    *[f"{label}（亩）" for label in LandCategory.labels],
    *[str(label) for label in AttachmentKind.labels],
    "经营项目",
    "经营面积（㎡）",
]
BUILDING_COLUMNS = ["户编号", "结构等级", "面积（㎡）", "合法建筑", "说明"]
AGREEMENT_COLUMNS = ["户编号", "安置方式", "安置面积（㎡）", "签约日期", "协议金额（元）", "偏离理由"]


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    field: str
    message: str


@dataclass
class Result:
    households: int = 0
    buildings: int = 0
    agreements: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template(task: Task) -> bytes:
    """An empty workbook with the three sheets' headers (the villages and choices in the notes of the headers)."""
    villages = "、".join(task.villages.values_list("name", flat=True))
    household = [excel.Column(name, lambda r: "", width=14) for name in HOUSEHOLD_COLUMNS]
    household[1] = excel.Column("村居", lambda r: "", width=12, note=villages, required=True)
    household[5] = excel.Column(
        "干部关系", lambda r: "", note="、".join(str(x) for x in CadreRelation.labels[1:])
    )
    household[6] = excel.Column(
        "家庭成员", lambda r: "", width=40, note=_("每人一段：姓名/身份证号/关系，以分号分隔")
    )
    buildings = [excel.Column(name, lambda r: "", width=14) for name in BUILDING_COLUMNS]
    buildings[1] = excel.Column("结构等级", lambda r: "", choices=[str(x) for x in StructureGrade.labels])
    buildings[3] = excel.Column("合法建筑", lambda r: "", choices=["是", "否"])
    agreements = [excel.Column(name, lambda r: "", width=14) for name in AGREEMENT_COLUMNS]
    agreements[1] = excel.Column("安置方式", lambda r: "", choices=[str(x) for x in Option.labels])
    return excel.workbook(
        excel.Sheet(HOUSEHOLDS, household),
        excel.Sheet(BUILDINGS, buildings),
        excel.Sheet(AGREEMENTS, agreements),
    )


def _rows(
    book: dict[str, list[list[Any]]], name: str, wanted: list[str]
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    data = book.get(name)
    if not data:
        return [], []
    headers = [str(h).strip() for h in data[0]]
    missing = [w for w in wanted[:1] if w not in headers]
    if missing:
        return [], [RowError(name, 1, missing[0], _("缺少表头「%(h)s」。") % {"h": missing[0]})]
    rows = []
    for index, values in enumerate(data[1:], start=2):
        row = {h: v for h, v in zip(headers, values, strict=False) if h}
        if all(v in ("", None) for v in row.values()):
            continue
        rows.append((index, row))
    return rows, []


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _label_code(choices, value: Any) -> str | None:
    text = _text(value)
    for code, label in choices.choices:
        if text in (str(label), code):
            return code
    return None


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(_text(value) or "0")
    except InvalidOperation:
        return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        return None


def _household_data(
    task: Task, row: dict[str, Any], villages: dict[str, int], errors: list[RowError], line: int
) -> dict[str, Any]:
    def wrong(column: str, message: str) -> None:
        errors.append(RowError(HOUSEHOLDS, line, column, message))

    village = _text(row.get("村居"))
    if village not in villages:
        wrong(
            "村居",
            _("「%(v)s」不是本任务的村居（有：%(all)s）。") % {"v": village, "all": "、".join(villages)},
        )
    relation = _label_code(CadreRelation, row.get("干部关系")) if _text(row.get("干部关系")) else ""
    if relation is None:
        wrong("干部关系", _("应为干部、党员或干部亲属，或留空。"))
    members = []
    for n, part in enumerate(
        p for p in _text(row.get("家庭成员")).replace("；", ";").split(";") if p.strip()
    ):
        bits = [b.strip() for b in part.replace("／", "/").split("/")]
        if len(bits) != 3:
            wrong("家庭成员", _("第 %(n)d 人应写作 姓名/身份证号/关系。") % {"n": n + 1})
            continue
        members.append(
            {
                "name": bits[0],
                "id_number": bits[1],
                "relation": _label_code(MemberRelation, bits[2]) or bits[2],
            }
        )
    parcels = []
    for code, label in LandCategory.choices:
        area = _number(row.get(f"{label}（亩）"))
        if area is None:
            wrong(f"{label}（亩）", _("应为数字。"))
        elif area:
            parcels.append({"category": code, "area_mu": area})
    attachments = []
    for code, label in AttachmentKind.choices:
        count = _number(row.get(str(label)))
        if count is None or count != count.to_integral_value():
            wrong(str(label), _("应为整数。"))
        elif count:
            attachments.append({"kind": code, "count": int(count)})
    business = _number(row.get("经营面积（㎡）"))
    if business is None:
        wrong("经营面积（㎡）", _("应为数字。"))
    return {
        "village_id": villages.get(village),
        "group": _text(row.get("村民小组")),
        "number": _text(row.get("户编号")),
        "head_name": _text(row.get("户主姓名")),
        "head_id_number": _text(row.get("户主身份证号")),
        "cadre_relation": relation or "",
        "members": members,
        "parcels": parcels,
        "attachments": attachments,
        "business_name": _text(row.get("经营项目")),
        "business_area": business or 0,
        "buildings": [],
    }


# The service's field names → the workbook's columns, so an error names what the person sees.
_COLUMN_OF = {
    "number": "户编号",
    "village_id": "村居",
    "group": "村民小组",
    "head_name": "户主姓名",
    "head_id_number": "户主身份证号",
    "cadre_relation": "干部关系",
    "cadre_id": "干部关系",
    "business_area": "经营面积（㎡）",
}


def _column(field_name: str) -> str:
    if field_name.startswith("members"):
        return f"家庭成员（{field_name}）"
    if field_name.startswith("buildings"):
        return "房屋"
    return _COLUMN_OF.get(field_name, field_name)


def import_workbook(task: Task, file: IO[bytes], filename: str, *, actor) -> Result:
    """Import the workbook's sheets into ``task``; on any wrong row, nothing is saved and every error is listed."""
    result = Result()
    if not access.keeps_ledger(actor, task):
        raise PermissionDenied(_("只有本任务的服务工作队和项目办可以导入台账。"))
    content = file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        result.errors.append(RowError("", 0, "file", _("文件超过 20 MB。")))
        return result
    try:
        # checked against the registry import's limits (a zip bomb or a cell at XFD1048576 is refused unread)
        book = read_sheets(io.BytesIO(content), filename, (HOUSEHOLDS, BUILDINGS, AGREEMENTS))
    except UnreadableFile as exc:
        result.errors.append(RowError("", 0, "file", str(exc)))
        return result
    households, errors = _rows(book, HOUSEHOLDS, HOUSEHOLD_COLUMNS)
    buildings, more = _rows(book, BUILDINGS, BUILDING_COLUMNS)
    agreements, most = _rows(book, AGREEMENTS, AGREEMENT_COLUMNS)
    result.errors += errors + more + most
    if len(households) + len(buildings) + len(agreements) > MAX_ROWS:
        result.errors.append(RowError("", 0, "file", _("行数超过 %(n)d。") % {"n": MAX_ROWS}))
    if result.errors:
        return result
    villages = dict(task.villages.values_list("name", "id"))
    existing = {h.number: h for h in Household.objects.filter(task=task)}
    data_by_number: dict[str, tuple[int, dict[str, Any]]] = {}
    for line, row in households:
        data = _household_data(task, row, villages, result.errors, line)
        if data["number"] in data_by_number:
            result.errors.append(
                RowError(
                    HOUSEHOLDS,
                    line,
                    "户编号",
                    _("与第 %(n)d 行重复。") % {"n": data_by_number[data["number"]][0]},
                )
            )
        data_by_number[data["number"]] = (line, data)
    built: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line, row in buildings:
        number = _text(row.get("户编号"))
        grade = _label_code(StructureGrade, row.get("结构等级"))
        area = _number(row.get("面积（㎡）"))
        legal = _text(row.get("合法建筑")) or "是"
        if number not in data_by_number and number not in existing:
            result.errors.append(
                RowError(BUILDINGS, line, "户编号", _("户编号 %(n)s 不在台账中。") % {"n": number})
            )
        if grade is None:
            result.errors.append(RowError(BUILDINGS, line, "结构等级", _("应为框架、砖混、砖木或简易。")))
        if area is None or area <= 0:
            result.errors.append(RowError(BUILDINGS, line, "面积（㎡）", _("应为大于 0 的数字。")))
        if legal not in ("是", "否"):
            result.errors.append(
                RowError(BUILDINGS, line, "合法建筑", _("应为「是」或「否」（违建填「否」，不予补偿）。"))
            )
        built[number].append(
            {"grade": grade, "area": area, "legal": legal == "是", "note": _text(row.get("说明"))[:200]}
        )
    with transaction.atomic():
        for number, (line, data) in data_by_number.items():
            data["buildings"] = built.get(number, [])
            household = existing.get(number)
            try:
                saved = services.save_household(
                    task, data, actor=actor, household=household, version=ANY_VERSION if household else None
                )
            except ValidationError as exc:
                for name, messages in (
                    exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
                ):
                    result.errors += [RowError(HOUSEHOLDS, line, _column(name), m) for m in messages]
                continue
            existing[number] = saved
            result.households += 1
            result.buildings += len(data["buildings"])
        for number in built:  # buildings of households not in this workbook's household sheet
            if number in data_by_number or number not in existing or result.errors:
                continue
            result.errors.append(
                RowError(
                    BUILDINGS,
                    0,
                    "户编号",
                    _("户编号 %(n)s 的房屋须与该户一并导入（被征收户表中列出该户）。") % {"n": number},
                )
            )
        for line, row in agreements:
            number = _text(row.get("户编号"))
            household = existing.get(number)
            if household is None:
                result.errors.append(
                    RowError(AGREEMENTS, line, "户编号", _("户编号 %(n)s 不在台账中。") % {"n": number})
                )
                continue
            option = _label_code(Option, row.get("安置方式")) or ""
            signed_on = _date(row.get("签约日期")) if _text(row.get("签约日期")) else None
            if _text(row.get("签约日期")) and signed_on is None:
                result.errors.append(RowError(AGREEMENTS, line, "签约日期", _("应为日期，如 2026-09-30。")))
                continue
            agreed_text = _text(row.get("协议金额（元）"))
            if agreed_text and not agreed_text.lstrip("-").isdigit():
                result.errors.append(RowError(AGREEMENTS, line, "协议金额（元）", _("应为整数（元）。")))
                continue
            current = Agreement.objects.filter(household=household).first()
            try:
                agreement = services.draft_agreement(
                    household,
                    actor=actor,
                    option=option,
                    housing_area=_number(row.get("安置面积（㎡）")) or 0,
                    signed_on=signed_on,
                    agreed_total=int(agreed_text) if agreed_text else None,
                    deviation_reason=_text(row.get("偏离理由")),
                    version=ANY_VERSION if current else None,
                )
                if signed_on is not None and agreement.can_be_signed():
                    services.sign_agreement(
                        agreement, actor=actor, signed_on=signed_on, version=agreement.version
                    )
            except ValidationError as exc:
                names = {
                    "option": "安置方式",
                    "housing_area": "安置面积（㎡）",
                    "signed_on": "签约日期",
                    "agreed_total": "协议金额（元）",
                    "deviation_reason": "偏离理由",
                }
                for name, messages in (
                    exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
                ):
                    result.errors += [RowError(AGREEMENTS, line, names.get(name, name), m) for m in messages]
                continue
            result.agreements += 1
        if result.errors:
            transaction.set_rollback(True)
            result.households = result.buildings = result.agreements = 0
        else:
            audit.record(
                "land.import",
                actor=actor,
                obj=task,
                note=_("导入 %(h)d 户、%(a)d 份协议") % {"h": result.households, "a": result.agreements},
            )
    result.errors.sort(
        key=lambda e: (
            [HOUSEHOLDS, BUILDINGS, AGREEMENTS, ""].index(e.sheet)
            if e.sheet in (HOUSEHOLDS, BUILDINGS, AGREEMENTS)
            else 3,
            e.row,
        )
    )
    return result
