"""Changes to the land ledgers: tasks, standards, households and agreements. Each runs in one transaction, checks
the actor's permission and the task's reach, locks the row it changes, checks the version the writer loaded and
writes an audit event. The amounts come from the engine (:mod:`gongjian.land.engine`), never typed in: an agreed
amount that differs from the computed one is a deviation, which needs a reason and the headquarters' approval
before the agreement can be signed (一把尺子量到底)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit, identifiers
from gongjian.core.locking import check_version
from gongjian.core.models import next_serial
from gongjian.jobs import services as jobs
from gongjian.land import engine, wall
from gongjian.land import standard as standards
from gongjian.land.access import keeps_ledger, reads_in_full, tasks_for
from gongjian.land.choices import (
    AgreementState,
    AttachmentKind,
    CadreRelation,
    LandCategory,
    MemberRelation,
    Option,
    RulingResult,
    StructureGrade,
    TaskState,
)
from gongjian.land.models import (
    Agreement,
    Attachment,
    Building,
    Household,
    LawfulPath,
    Member,
    Parcel,
    Payment,
    Standard,
    Task,
    Village,
    WallList,
    add_months,
)
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.choices import MilestoneKind
from gongjian.projects.models import Milestone, Project

MAX_AREA = Decimal("100000")  # ㎡ or 亩 of one row: more is a typing error
MAX_COUNT = 100_000
MAX_AMOUNT = 10_000_000_000  # yuan of one agreement


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _keeper(actor, task: Task) -> None:
    if not keeps_ledger(actor, task):
        raise _deny(_("只有本任务的服务工作队和项目办可以维护台账。"))


# Tasks


_TASK_FIELDS = [
    "name",
    "project_id",
    "park_id",
    "team_id",
    "area_mu",
    "deadline",
    "legal_basis",
    "announcement_number",
    "announcement_date",
    "cadre_first_days",
    "state",
]


_NULLABLE_TASK_FIELDS = {"project_id", "park_id", "deadline", "announcement_date"}


def _clean_task(task: Task) -> None:
    errors: dict[str, list[str]] = {}
    if not (task.name or "").strip():
        errors.setdefault("name", []).append(_("必填。"))
    team = Unit.objects.filter(pk=task.team_id).first() if task.team_id else None
    if team is None or team.kind != UnitKind.SERVICE_TEAM:
        errors.setdefault("team_id", []).append(_("应为服务工作队。"))
    if task.park_id and not Unit.objects.filter(pk=task.park_id, kind=UnitKind.PARK).exists():
        errors.setdefault("park_id", []).append(_("应为园区。"))
    if task.project_id and not Project.objects.filter(pk=task.project_id).exists():
        errors.setdefault("project_id", []).append(_("项目不存在。"))
    if not task.project_id and not task.park_id:
        errors.setdefault("project_id", []).append(_("请选择项目或园区。"))
    if task.area_mu is None or not 0 <= Decimal(task.area_mu) <= MAX_AREA:
        errors.setdefault("area_mu", []).append(_("征收面积应在 0 至 100000 亩之间。"))
    if task.state not in TaskState.values:
        errors.setdefault("state", []).append(_("状态无效。"))
    if errors:
        raise ValidationError(errors)


def create_task(*, actor, villages: list[dict[str, Any]] | None = None, **fields: Any) -> Task:
    """A new acquisition task with its villages ({name, groups, leader_id}); the office's."""
    if not actor.has_perm("land.add_task"):
        raise _deny(_("没有新建征收任务的权限。"))
    task = Task(**{k: v for k, v in fields.items() if k in _TASK_FIELDS})
    _clean_task(task)
    with transaction.atomic():
        task.save()
        names = set()
        for order, village in enumerate(villages or []):
            if str(village.get("name") or "").strip() in names:
                raise ValidationError({f"villages[{order}].name": [_("村居重复。")]})
            names.add(str(village.get("name") or "").strip())
            _save_village(task, village, order)
        audit.record("land.task.create", actor=actor, obj=task, after=audit.snapshot(task))
    return task


def _save_village(task: Task, data: dict[str, Any], order: int) -> Village:
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError({f"villages[{order}].name": [_("必填。")]})
    leader_id = data.get("leader_id")
    if leader_id and not Person.objects.filter(pk=leader_id).exists():
        raise ValidationError({f"villages[{order}].leader_id": [_("人员不存在。")]})
    region_id = data.get("region_id")
    if region_id and not Region.objects.filter(pk=region_id, level="village").exists():
        raise ValidationError({f"villages[{order}].region_id": [_("应为村居一级的行政区划。")]})
    groups = [str(g).strip()[:50] for g in data.get("groups") or [] if str(g).strip()]
    return Village.objects.create(
        task=task,
        name=name,
        groups=groups,
        leader_id=leader_id or None,
        region_id=data.get("region_id"),
        order=order,
    )


def update_task(task: Task, *, actor, version: int | None, **fields: Any) -> Task:
    if not actor.has_perm("land.change_task") or not tasks_for(actor).filter(pk=task.pk).exists():
        raise _deny(_("没有修改征收任务的权限。"))
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        check_version(task.version, version, _("征收任务"))
        before = audit.snapshot(task)
        for key, value in fields.items():
            if key not in _TASK_FIELDS:
                continue
            if value is None and key not in _NULLABLE_TASK_FIELDS:
                raise ValidationError({key: [_("必填。")]})
            setattr(task, key, value)
        _clean_task(task)
        task.version += 1
        task.save()
        audit.record("land.task.update", actor=actor, obj=task, before=before, after=audit.snapshot(task))
    return task


# The standard


def current_standard(task: Task) -> Standard | None:
    return task.standards.order_by("-version").first()


def add_standard(
    task: Task, *, actor, name: str, content: Any, document_number: str = "", note: str = ""
) -> Standard:
    """A new version of the task's standard; the document is checked whole before it is kept."""
    if not actor.has_perm("land.add_standard") or not tasks_for(actor).filter(pk=task.pk).exists():
        raise _deny(_("没有制定补偿安置方案的权限。"))
    try:
        standards.parse(content)
    except standards.StandardError as exc:
        raise ValidationError({f"content.{exc.field}": [exc.message]}) from None
    if not (name or "").strip():
        raise ValidationError({"name": [_("必填。")]})
    with transaction.atomic():
        Task.objects.select_for_update().get(pk=task.pk)  # one numbering at a time
        last = task.standards.order_by("-version").values_list("version", flat=True).first() or 0
        kept = Standard.objects.create(
            task=task,
            version=last + 1,
            name=name.strip(),
            content=content,
            document_number=document_number,
            note=note,
            created_by=actor,
        )
        audit.record(
            "land.standard.save", actor=actor, obj=kept, after={"version": kept.version, "content": content}
        )
    return kept


# Households


def _decimal(value: Any, field: str, errors: dict[str, list[str]], *, high: Decimal = MAX_AREA) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else "0").strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("应为数字。"))
        return Decimal(0)
    if not number.is_finite() or not Decimal(0) <= number <= high:
        errors.setdefault(field, []).append(_("应在 0 至 %(high)s 之间。") % {"high": high})
        return Decimal(0)
    if number != number.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append(_("最多两位小数。"))
    return number.quantize(Decimal("0.01"))


def _id_number(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    try:
        return identifiers.check_citizen_id(str(value or ""))
    except identifiers.IdentifierError as exc:
        errors.setdefault(field, []).append(str(exc))
        return ""


def _choice(value: Any, choices, field: str, errors: dict[str, list[str]]) -> str:
    if value not in choices.values:
        errors.setdefault(field, []).append(
            _("应为以下之一：%(labels)s。") % {"labels": "、".join(str(label) for label in choices.labels)}
        )
    return str(value)


def clean_household(task: Task, data: dict[str, Any]) -> dict[str, Any]:
    """The household's facts checked field by field; every wrong field named at once (``members[1].id_number``)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    village_id = data.get("village_id")
    village = Village.objects.filter(task=task, pk=village_id).first() if village_id else None
    if village is None:
        errors["village_id"] = [_("应为本任务的村居。")]
    out["village"] = village
    for key, label_max in (("number", 30), ("head_name", 50), ("group", 50)):
        text = str(data.get(key) or "").strip()
        if key != "group" and not text:
            errors.setdefault(key, []).append(_("必填。"))
        if len(text) > label_max:
            errors.setdefault(key, []).append(_("最多 %(n)d 个字符。") % {"n": label_max})
        out[key] = text
    if village is not None and out["group"] and village.groups and out["group"] not in village.groups:
        errors.setdefault("group", []).append(
            _("%(village)s没有这个村民小组（有：%(groups)s）。")
            % {"village": village.name, "groups": "、".join(village.groups)}
        )
    out["head_id_number"] = _id_number(data.get("head_id_number"), "head_id_number", errors)
    relation = data.get("cadre_relation") or ""
    out["cadre_relation"] = _choice(relation, CadreRelation, "cadre_relation", errors)
    cadre_id = data.get("cadre_id")
    if cadre_id and not Person.objects.filter(pk=cadre_id).exists():
        errors.setdefault("cadre_id", []).append(_("人员不存在。"))
    if relation == CadreRelation.RELATIVE and not cadre_id:
        errors.setdefault("cadre_id", []).append(_("干部亲属户须写明是哪位干部的亲属。"))
    out["cadre_id"] = cadre_id or None
    out["cadre_note"] = str(data.get("cadre_note") or "")[:100]
    out["business_name"] = str(data.get("business_name") or "")[:200]
    out["business_area"] = _decimal(data.get("business_area"), "business_area", errors)
    out["appraiser"] = str(data.get("appraiser") or "")[:200]
    out["appraiser_registration"] = str(data.get("appraiser_registration") or "")[:100]
    out["appraised_on"] = data.get("appraised_on") or None
    amount = data.get("appraised_amount")
    if amount not in (None, "") and (not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT):
        errors.setdefault("appraised_amount", []).append(_("应为 0 至 100 亿之间的整数（元）。"))
    out["appraised_amount"] = amount if amount not in (None, "") else None
    out["note"] = str(data.get("note") or "")[:300]
    members = []
    for i, row in enumerate(data.get("members") or []):
        name = str(row.get("name") or "").strip()
        if not name:
            errors.setdefault(f"members[{i}].name", []).append(_("必填。"))
        members.append(
            Member(
                name=name,
                id_number=_id_number(row.get("id_number"), f"members[{i}].id_number", errors),
                relation=_choice(row.get("relation"), MemberRelation, f"members[{i}].relation", errors),
            )
        )
    parcels = [
        Parcel(
            category=_choice(row.get("category"), LandCategory, f"parcels[{i}].category", errors),
            area_mu=_decimal(row.get("area_mu"), f"parcels[{i}].area_mu", errors),
        )
        for i, row in enumerate(data.get("parcels") or [])
    ]
    buildings = [
        Building(
            grade=_choice(row.get("grade"), StructureGrade, f"buildings[{i}].grade", errors),
            area=_decimal(row.get("area"), f"buildings[{i}].area", errors),
            legal=bool(row.get("legal", True)),
            note=str(row.get("note") or "")[:200],
        )
        for i, row in enumerate(data.get("buildings") or [])
    ]
    attachments = []
    for i, row in enumerate(data.get("attachments") or []):
        count = row.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_COUNT:
            errors.setdefault(f"attachments[{i}].count", []).append(_("应为 1 至 100000 的整数。"))
            count = 0
        attachments.append(
            Attachment(
                kind=_choice(row.get("kind"), AttachmentKind, f"attachments[{i}].kind", errors), count=count
            )
        )
    if errors:
        raise ValidationError(errors)
    out.update(members=members, parcels=parcels, buildings=buildings, attachments=attachments)
    return out


# A household's own facts, as the services, the page form and the import name them.
HOUSEHOLD_FIELDS = [
    "village",
    "group",
    "number",
    "head_name",
    "head_id_number",
    "cadre_relation",
    "cadre_id",
    "cadre_note",
    "business_name",
    "business_area",
    "appraiser",
    "appraiser_registration",
    "appraised_on",
    "appraised_amount",
    "note",
]


def _facts_snapshot(household: Household) -> dict[str, Any]:
    data = audit.snapshot(
        household, [f for f in ("village_id", *HOUSEHOLD_FIELDS[1:]) if f != "head_id_number"]
    )
    # the audit trail keeps the ID number masked too: the trail is read by the audit admin
    data["head_id_number"] = identifiers.mask_citizen_id(household.head_id_number)
    data["members"] = [
        [identifiers.mask_name(m.name), identifiers.mask_citizen_id(m.id_number), m.relation]
        for m in household.members.all()
    ]
    data["parcels"] = [[p.category, str(p.area_mu)] for p in household.parcels.all()]
    data["buildings"] = [[b.grade, str(b.area), b.legal] for b in household.buildings.all()]
    data["attachments"] = [[a.kind, a.count] for a in household.attachments.all()]
    data["appraisal_report"] = household.appraisal_report.name or ""
    return data


def _write_children(household: Household, clean: dict[str, Any]) -> None:
    for model, key in (
        (Member, "members"),
        (Parcel, "parcels"),
        (Building, "buildings"),
        (Attachment, "attachments"),
    ):
        model.objects.filter(household=household).delete()
        rows = clean[key]
        for row in rows:
            row.household = household
        model.objects.bulk_create(rows)


def save_household(
    task: Task, data: dict[str, Any], *, actor, household: Household | None = None, version: int | None = None
) -> Household:
    """Create a household of ``task`` or replace an existing one's facts (the lists replace the old ones). A
    household with a signed agreement keeps its facts: they are what was paid."""
    _keeper(actor, task)
    clean = clean_household(task, data)
    with transaction.atomic():
        if household is None:
            household = Household(task=task)
            before = None
        else:
            household = Household.objects.select_for_update().get(pk=household.pk, task=task)
            check_version(household.version, version, _("被征收户"))
            if Agreement.objects.filter(household=household, state=AgreementState.SIGNED).exists():
                raise ValidationError(_("该户协议已签订，补偿事实不能再修改。"), code="state")
            before = _facts_snapshot(household)
            household.version += 1
        for key in HOUSEHOLD_FIELDS:
            setattr(household, key, clean[key])
        if data.get("appraisal_report"):  # a new report replaces the kept one; none sent keeps it
            household.appraisal_report = data["appraisal_report"]
        try:
            with transaction.atomic():
                household.save()
        except IntegrityError:
            raise ValidationError(
                {"number": [_("本任务已有户编号 %(n)s。") % {"n": clean["number"]}]}
            ) from None
        _write_children(household, clean)
        after = _facts_snapshot(household)
        before, after = audit.changes(before, after)
        audit.record(
            "land.household.update" if before else "land.household.create",
            actor=actor,
            obj=household,
            before=before,
            after=after,
        )
    return household


def read_household(household: Household, *, actor, request_ip: str | None = None) -> bool:
    """Whether ``actor`` reads ``household`` in full; a full read is audited (who read whose personal data)."""
    full = reads_in_full(actor, household.task)
    if full:
        audit.record(
            "land.household.read",
            actor=actor,
            obj=household,
            object_repr=str(household),
            note=_("查看未脱敏的户信息"),
            ip_address=request_ip,
        )
    return full


def read_household_file(household: Household, label: str, *, actor, request_ip: str | None = None) -> None:
    """A document kept with ``household`` (its appraisal report, a decision, a ruling) read by ``actor``: only
    those who read the household in full may, and each read is audited."""
    if not reads_in_full(actor, household.task):
        raise _deny(_("只有本任务的服务工作队、项目办和审计监督员可以查看户的文书。"))
    audit.record(
        "land.household.file",
        actor=actor,
        obj=household,
        object_repr=str(household),
        note=_("查看%(what)s") % {"what": label},
        ip_address=request_ip,
    )


# Compensation and agreements


def facts_of(household: Household) -> engine.Facts:
    return engine.Facts(
        persons=1 + household.members.count(),
        parcels=tuple(engine.Parcel(p.category, p.area_mu) for p in household.parcels.all()),
        buildings=tuple(engine.Building(b.grade, b.area, b.legal) for b in household.buildings.all()),
        attachments=tuple(engine.Attachment(a.kind, a.count) for a in household.attachments.all()),
        business_area=household.business_area,
    )


def compute(
    household: Household, kept: Standard, signed_on: dt.date | None, option: str, housing_area: Decimal
) -> engine.Result:
    try:
        return engine.compute(
            facts_of(household), kept.engine_standard(), signed_on, engine.Choice(option, housing_area)
        )
    except engine.EngineError as exc:
        raise ValidationError(str(exc), code="invalid") from None


def lines_json(result: engine.Result) -> list[dict[str, Any]]:
    return [{**asdict(line), "quantity": str(line.quantity)} for line in result.lines]


def draft_agreement(
    household: Household,
    *,
    actor,
    option: str = Option.MONEY,
    housing_area: Any = 0,
    signed_on: dt.date | None = None,
    agreed_total: int | None = None,
    deviation_reason: str = "",
    version: int | None = None,
) -> Agreement:
    """Draft (or redraft) the household's agreement: the engine computes the amount under the task's current
    standard for the planned signing date; an agreed amount other than that is a deviation, which goes to the
    headquarters for approval with its reason."""
    task = household.task
    _keeper(actor, task)
    errors: dict[str, list[str]] = {}
    if option not in Option.values:
        errors["option"] = [_("应为货币安置或产权调换。")]
    area = _decimal(housing_area, "housing_area", errors)
    if option == Option.MONEY and area:
        errors.setdefault("housing_area", []).append(_("货币安置不选安置面积。"))
    if agreed_total is not None and (
        isinstance(agreed_total, bool) or not -MAX_AMOUNT <= agreed_total <= MAX_AMOUNT
    ):
        errors["agreed_total"] = [_("金额超出范围。")]
    if errors:
        raise ValidationError(errors)
    kept = current_standard(task)
    if kept is None:
        raise ValidationError(_("本任务尚未制定补偿安置方案。"), code="state")
    planned = signed_on or timezone.localdate()
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        result = compute(household, kept, planned, option, area)
        agreed = result.total if agreed_total is None else agreed_total
        reason = (deviation_reason or "").strip()
        if agreed != result.total and not reason:
            raise ValidationError({"deviation_reason": [_("协议金额与标准计算金额不一致，须写明偏离理由。")]})
        existing = Agreement.objects.select_for_update().filter(household=household).first()
        if existing is not None:
            check_version(existing.version, version, _("协议"))
            if existing.state == AgreementState.SIGNED:
                raise ValidationError(_("协议已签订，不能再修改。"), code="state")
            agreement, before = existing, audit.snapshot(existing)
            agreement.version += 1
        else:
            number = f"{task.pk}-{next_serial(f'land-agreement-{task.pk}', planned.year):05d}"
            agreement, before = Agreement(household=household, number=number, created_by=actor), None
        agreement.standard = kept
        agreement.option = option
        agreement.housing_area = area
        agreement.computed_on = planned
        agreement.computed_total = result.total
        agreement.lines = lines_json(result)
        agreement.agreed_total = agreed
        agreement.deviation_reason = reason if agreed != result.total else ""
        agreement.state = AgreementState.DRAFT if agreed == result.total else AgreementState.PENDING
        agreement.approved_by, agreement.approved_at, agreement.approval_note = None, None, ""
        agreement.save()
        before, after = audit.changes(before, audit.snapshot(agreement))
        audit.record(
            "land.agreement.update" if before else "land.agreement.create",
            actor=actor,
            obj=agreement,
            before=before,
            after=after,
        )
    return agreement


def decide_deviation(
    agreement: Agreement, *, actor, approve: bool, note: str = "", version: int | None
) -> Agreement:
    """The headquarters approves or refuses a deviation from the standard; the one who drafted it cannot."""
    if (
        not actor.has_perm("land.approve_deviation")
        or not tasks_for(actor).filter(pk=agreement.household.task_id).exists()
    ):
        raise _deny(_("偏离补偿标准须由指挥部审批，您没有审批权限。"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("不予批准须写明意见。")]})
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        check_version(agreement.version, version, _("协议"), acting=True)
        if agreement.state != AgreementState.PENDING:
            raise ValidationError(_("该协议没有待审批的偏离。"), code="state")
        if agreement.created_by_id == actor.pk:
            raise _deny(_("经办人不能审批自己经办的偏离。"))
        before = audit.snapshot(agreement)
        agreement.state = AgreementState.APPROVED if approve else AgreementState.REFUSED
        agreement.approved_by, agreement.approved_at, agreement.approval_note = (
            actor,
            timezone.now(),
            note[:300],
        )
        agreement.version += 1
        agreement.save()
        before, after = audit.changes(before, audit.snapshot(agreement))
        audit.record(
            "land.agreement.approve" if approve else "land.agreement.refuse",
            actor=actor,
            obj=agreement,
            before=before,
            after=after,
            note=note,
        )
    return agreement


def sign_agreement(agreement: Agreement, *, actor, signed_on: dt.date, version: int | None) -> Agreement:
    """Record the signing on ``signed_on``: the amount is computed again for that date (the early-signing reward
    follows the real date); an agreed amount that no longer matches and has no approval for it is refused."""
    household = agreement.household
    _keeper(actor, household.task)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": [_("签约日期不能晚于今天。")]})
    with transaction.atomic():
        # The household first, then its agreement (the order draft_agreement takes them in, or a signing and a
        # redraft at once deadlock); under its lock no edit of the facts slips in before the amount is computed.
        household = Household.objects.select_for_update().get(pk=household.pk)
        agreement = Agreement.objects.select_for_update().select_related("standard").get(pk=agreement.pk)
        check_version(agreement.version, version, _("协议"), acting=True)
        if agreement.state == AgreementState.SIGNED:
            raise ValidationError(_("协议已签订。"), code="state")
        if agreement.state in (AgreementState.PENDING, AgreementState.REFUSED):
            raise ValidationError(_("协议金额偏离补偿标准，须经指挥部批准后才能签约。"), code="state")
        before = audit.snapshot(agreement)
        result = compute(household, agreement.standard, signed_on, agreement.option, agreement.housing_area)
        if result.total != agreement.computed_total:
            if agreement.state == AgreementState.APPROVED:
                raise ValidationError(
                    {
                        "signed_on": [
                            _("按该签约日期计算的金额已变为 %(t)d 元，与批准时不同，须重新报批。")
                            % {"t": result.total}
                        ]
                    },
                    code="state",
                )
            agreement.agreed_total = result.total
            agreement.computed_total = result.total
            agreement.lines = lines_json(result)
        agreement.computed_on = signed_on
        agreement.signed_on = signed_on
        agreement.state = AgreementState.SIGNED
        agreement.version += 1
        agreement.save()
        Household.objects.filter(pk=household.pk).update(signed_on=signed_on, version=F("version") + 1)
        before, after = audit.changes(before, audit.snapshot(agreement))
        audit.record("land.agreement.sign", actor=actor, obj=agreement, before=before, after=after)
    return agreement


def record_moved(household: Household, *, actor, moved_on: dt.date, version: int | None) -> Household:
    """The household has moved out (搬迁); the first step of the progress the later services count."""
    _keeper(actor, household.task)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        check_version(household.version, version, _("被征收户"), acting=True)
        if household.signed_on is None:
            raise ValidationError({"moved_on": [_("未签约的户不能登记搬迁。")]})
        if moved_on < household.signed_on or moved_on > timezone.localdate():
            raise ValidationError({"moved_on": [_("搬迁日期应在签约日期与今天之间。")]})
        household.moved_on = moved_on
        household.version += 1
        household.save(update_fields=["moved_on", "version"])
        audit.record(
            "land.household.move", actor=actor, obj=household, after={"moved_on": moved_on.isoformat()}
        )
    return household


# The wall list (公开上墙)


def _check_publish(village: Village, actor, reason: str) -> str:
    """Who may publish the village's list, and the reason a correction needs; the reason cleaned."""
    if not actor.has_perm("land.add_walllist"):
        raise _deny(_("没有发布公示清单的权限。"))
    _keeper(actor, village.task)
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": [_("最多 300 个字符。")]})
    if WallList.objects.filter(village=village).exists() and not reason:
        raise ValidationError({"reason": [_("该村居已公示过，更正须写明理由。")]})
    if not village.households.exists():
        raise ValidationError(_("该村居还没有被征收户，无可公示。"), code="state")
    return reason


def wall_job_households() -> int:
    """A village with more households than this is published by a background job (a list of 10,000 takes
    seconds to build): ``GONGJIAN_LAND_WALL_JOB_HOUSEHOLDS``."""
    return int(getattr(settings, "GONGJIAN_LAND_WALL_JOB_HOUSEHOLDS", 2000))


def publish_or_queue_wall_list(village: Village, *, actor, reason: str = "", base_url: str = ""):
    """Publish a small village's list at once (the :class:`WallList`), or check a large one's publishing and
    queue it as the ``land.wall_publish`` job (the :class:`Job`, whose page shows its progress). ``base_url`` is
    the site's address the paper lists' QR codes lead to (none: no paper lists)."""
    reason = _check_publish(village, actor, reason)
    if village.households.count() <= wall_job_households():
        return publish_wall_list(village, actor=actor, reason=reason, public_url=wall_url_maker(base_url))
    return jobs.start(
        "land.wall_publish",
        {"village_id": village.pk, "reason": reason, "actor_id": actor.pk, "base_url": base_url},
        actor=actor,
        label=_("发布%(village)s公示清单") % {"village": village.name},
    )


def wall_url_maker(base_url: str):
    """The public page's address of a version, on the site at ``base_url`` (None without one)."""
    if not base_url:
        return None
    return lambda w: base_url.rstrip("/") + reverse("land:public_wall", args=[w.pk])


def publish_wall_list(
    village: Village, *, actor, reason: str = "", public_url=None, progress=None
) -> WallList:
    """Publish the village's wall list as it stands: the rows are built from the ledger and frozen, masked, on a
    new version numbered per task (race-free). A village already published needs the reason of the correction;
    the old version stays readable as it was. With ``public_url`` (the version → its public page's address), a
    background job makes the paper lists (.docx, .pdf) with the QR code of that page."""
    task = village.task
    reason = _check_publish(village, actor, reason)
    with transaction.atomic():
        village = Village.objects.select_for_update().get(pk=village.pk)
        reason = _check_publish(village, actor, reason)  # again under the lock: another may have published
        if progress is not None:
            progress(1, 3, _("汇总台账"))
        rows, totals = wall.build_rows(village)
        if progress is not None:
            progress(2, 3, _("保存公示清单"))
        wall_list = WallList.objects.create(
            task=task,
            village=village,
            number=next_serial(f"land-wall-{task.pk}", 0),
            published_at=timezone.now(),
            published_by=actor,
            reason=reason,
            rows=rows,
            totals=totals,
        )
        audit.record(
            "land.wall.publish",
            actor=actor,
            obj=wall_list,
            after={
                "village": village.name,
                "number": wall_list.number,
                "households": len(rows),
                "reason": reason,
            },
        )
        if public_url is not None:
            # the paper lists, in the background: the QR code leads to the version's public page
            jobs.start(
                "land.wall_documents",
                {"wall_id": wall_list.pk, "url": public_url(wall_list)},
                actor=actor,
                label=_("%(village)s公示清单第%(n)d号（Word、PDF）")
                % {"village": village.name, "n": wall_list.number},
                audited=False,
            )
    return wall_list


# The lawful path (依法征收): decision, service with the notice of rights, court application, ruling

REVIEW_DAYS = 60  # 行政复议法: 知道之日起六十日内申请行政复议
SUIT_MONTHS = 6  # 行政诉讼法第四十六条: 知道之日起六个月内提起诉讼
REMIND_DAYS = 7  # a step that may be taken within this many days is reminded


def _lawful_keeper(actor, household: Household) -> None:
    if not actor.has_perm("land.add_lawfulpath"):
        raise _deny(_("没有办理依法征收程序的权限。"))
    _keeper(actor, household.task)


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: [_("日期不能晚于今天。")]})


def start_lawful_path(
    household: Household, *, actor, decision_number: str, decided_on: dt.date, decision_file=None
) -> LawfulPath:
    """The compensation decision (补偿决定) for a household that did not sign by the task's deadline."""
    _lawful_keeper(actor, household)
    number = (decision_number or "").strip()
    if not number or len(number) > 100:
        raise ValidationError({"decision_number": [_("必填，最多 100 个字符。")]})
    _not_future(decided_on, "decided_on")
    with transaction.atomic():
        household = Household.objects.select_for_update().select_related("task").get(pk=household.pk)
        deadline = household.task.deadline
        if household.signed_on is not None:
            raise ValidationError(_("该户已签订协议，无需作出补偿决定。"), code="state")
        if deadline is None or decided_on <= deadline:
            raise ValidationError(
                {
                    "decided_on": [
                        _("补偿决定须在任务完成时限（%(d)s）之后、该户仍未签约时作出。")
                        % {"d": deadline or _("未设定")}
                    ]
                }
            )
        if LawfulPath.objects.filter(household=household).exists():
            raise ValidationError(_("该户已作出补偿决定。"), code="state")
        path = LawfulPath(household=household, decision_number=number, decided_on=decided_on)
        if decision_file is not None:
            path.decision_file = decision_file
        path.save()
        audit.record(
            "land.lawful.decide",
            actor=actor,
            obj=path,
            after={"household": household.number, "decision_number": number, "decided_on": decided_on},
        )
    return path


_LAWFUL_FIELDS = [
    "decision_number",
    "decided_on",
    "served_on",
    "review_deadline",
    "suit_deadline",
    "challenged_on",
    "challenge_note",
    "applied_on",
    "court",
    "ruled_on",
    "ruling_result",
]
_LAWFUL_FILES = ["decision_file", "notice_file", "application_file", "ruling_file"]


def _lawful_snapshot(path: LawfulPath) -> dict[str, Any]:
    data = audit.snapshot(path, _LAWFUL_FIELDS)
    data.update({name: getattr(path, name).name or "" for name in _LAWFUL_FILES})
    return data


def _lawful_step(path: LawfulPath, *, actor, version: int | None, action: str, change) -> LawfulPath:
    """Lock, check the version, apply ``change`` (which raises on a step out of order), audit."""
    _lawful_keeper(actor, path.household)
    with transaction.atomic():
        path = LawfulPath.objects.select_for_update().select_related("household__task").get(pk=path.pk)
        check_version(path.version, version, _("依法征收程序"), acting=True)
        before = _lawful_snapshot(path)
        change(path)
        path.version += 1
        path.save()
        before, after = audit.changes(before, _lawful_snapshot(path))
        audit.record(action, actor=actor, obj=path, before=before, after=after)
    return path


def serve_decision(
    path: LawfulPath, *, actor, served_on: dt.date, notice_file=None, version: int | None
) -> LawfulPath:
    """The decision served with the notice of the rights to review (60 days) and to sue (6 months); both
    deadlines are computed from the day of service."""
    _not_future(served_on, "served_on")

    def change(p: LawfulPath) -> None:
        if p.served_on is not None:
            raise ValidationError(_("补偿决定已送达。"), code="state")
        if served_on < p.decided_on:
            raise ValidationError(
                {"served_on": [_("送达日期不能早于补偿决定日期（%(d)s）。") % {"d": p.decided_on}]}
            )
        p.served_on = served_on
        p.review_deadline = served_on + dt.timedelta(days=REVIEW_DAYS)
        p.suit_deadline = add_months(served_on, SUIT_MONTHS)
        if notice_file is not None:
            p.notice_file = notice_file

    return _lawful_step(path, actor=actor, version=version, action="land.lawful.serve", change=change)


def record_challenge(
    path: LawfulPath, *, actor, challenged_on: dt.date, note: str, version: int | None
) -> LawfulPath:
    """The household applied for review or sued within the deadlines: no court application until it ends."""
    _not_future(challenged_on, "challenged_on")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"challenge_note": [_("请写明申请复议或提起诉讼的情况。")]})

    def change(p: LawfulPath) -> None:
        if p.served_on is None:
            raise ValidationError(_("补偿决定尚未送达，不能登记复议或诉讼。"), code="state")
        if p.applied_on is not None:
            raise ValidationError(_("已申请强制执行，不能再登记复议或诉讼。"), code="state")
        if not p.served_on <= challenged_on <= max(p.review_deadline, p.suit_deadline):
            raise ValidationError({"challenged_on": [_("应在送达日期至起诉期限之间。")]})
        p.challenged_on, p.challenge_note = challenged_on, note[:300]

    return _lawful_step(path, actor=actor, version=version, action="land.lawful.challenge", change=change)


def apply_to_court(
    path: LawfulPath,
    *,
    actor,
    applied_on: dt.date,
    court: str,
    application_file=None,
    version: int | None,
) -> LawfulPath:
    """The application to the court for enforcement (申请法院强制执行): only once the review and the suit
    deadlines have passed without either, and within three months after (行政强制法第五十三条)."""
    _not_future(applied_on, "applied_on")
    court = (court or "").strip()
    if not court:
        raise ValidationError({"court": [_("请填写受理法院。")]})

    def change(p: LawfulPath) -> None:
        if p.served_on is None:
            raise ValidationError(_("补偿决定尚未送达并告知权利，不能申请强制执行。"), code="state")
        if p.applied_on is not None:
            raise ValidationError(_("已申请强制执行。"), code="state")
        if p.challenged_on is not None:
            raise ValidationError(_("被征收人已申请复议或提起诉讼，不能申请强制执行。"), code="state")
        if applied_on < p.court_from:
            raise ValidationError(
                {
                    "applied_on": [
                        _("复议期限（%(r)s）和起诉期限（%(s)s）届满后，自 %(f)s 起才能申请强制执行。")
                        % {"r": p.review_deadline, "s": p.suit_deadline, "f": p.court_from}
                    ]
                }
            )
        if applied_on > p.court_until:
            raise ValidationError(
                {"applied_on": [_("已超过申请强制执行的期限（%(u)s）。") % {"u": p.court_until}]}
            )
        p.applied_on, p.court = applied_on, court[:100]
        if application_file is not None:
            p.application_file = application_file

    return _lawful_step(path, actor=actor, version=version, action="land.lawful.apply", change=change)


def record_ruling(
    path: LawfulPath, *, actor, ruled_on: dt.date, result: str, ruling_file=None, version: int | None
) -> LawfulPath:
    """The court's ruling (裁定) on the application."""
    _not_future(ruled_on, "ruled_on")
    if result not in RulingResult.values:
        raise ValidationError({"ruling_result": [_("应为准予或不准予强制执行。")]})

    def change(p: LawfulPath) -> None:
        if p.applied_on is None:
            raise ValidationError(_("尚未申请强制执行，不能登记裁定。"), code="state")
        if p.ruled_on is not None:
            raise ValidationError(_("裁定已登记。"), code="state")
        if ruled_on < p.applied_on:
            raise ValidationError(
                {"ruled_on": [_("裁定日期不能早于申请日期（%(d)s）。") % {"d": p.applied_on}]}
            )
        p.ruled_on, p.ruling_result = ruled_on, result
        if ruling_file is not None:
            p.ruling_file = ruling_file

    return _lawful_step(path, actor=actor, version=version, action="land.lawful.rule", change=change)


def lawful_due(path: LawfulPath, today: dt.date) -> str:
    """What the path waits for by law, in words, or "" when nothing is due within :data:`REMIND_DAYS`."""
    if path.ruled_on or path.challenged_on:
        return ""
    if path.served_on is None:
        return _("补偿决定（%(n)s）尚未送达并告知复议、诉讼权利。") % {"n": path.decision_number}
    if path.applied_on is None and path.court_from is not None and path.court_until is not None:
        if today > path.court_until:
            return _("申请强制执行的期限已于 %(u)s 届满。") % {"u": path.court_until}
        if path.court_from - dt.timedelta(days=REMIND_DAYS) <= today:
            return _("复议、起诉期限届满，可于 %(f)s 至 %(u)s 申请法院强制执行。") % {
                "f": path.court_from,
                "u": path.court_until,
            }
    return ""


# Progress from the ledger: demolition, handover, payments


def record_demolished(
    household: Household, *, actor, demolished_on: dt.date, version: int | None
) -> Household:
    """The household's buildings demolished (拆除), after it moved out."""
    _keeper(actor, household.task)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        check_version(household.version, version, _("被征收户"), acting=True)
        if household.moved_on is None:
            raise ValidationError({"demolished_on": [_("未搬迁的户不能登记拆除。")]})
        if not household.moved_on <= demolished_on <= timezone.localdate():
            raise ValidationError({"demolished_on": [_("拆除日期应在搬迁日期与今天之间。")]})
        household.demolished_on = demolished_on
        household.version += 1
        household.save(update_fields=["demolished_on", "version"])
        audit.record(
            "land.household.demolish",
            actor=actor,
            obj=household,
            after={"demolished_on": demolished_on.isoformat()},
        )
    return household


def record_handed_over(
    household: Household, *, actor, handed_over_on: dt.date, version: int | None
) -> Household:
    """The household's land handed over (交地): signed, and its buildings (if any) demolished first."""
    _keeper(actor, household.task)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        check_version(household.version, version, _("被征收户"), acting=True)
        if household.signed_on is None:
            raise ValidationError({"handed_over_on": [_("未签约的户不能登记交地。")]})
        has_buildings = household.buildings.exists()
        after = household.demolished_on if has_buildings else household.signed_on
        if after is None:
            raise ValidationError({"handed_over_on": [_("房屋尚未拆除，不能登记交地。")]})
        if not after <= handed_over_on <= timezone.localdate():
            raise ValidationError({"handed_over_on": [_("交地日期应在 %(d)s 与今天之间。") % {"d": after}]})
        household.handed_over_on = handed_over_on
        household.version += 1
        household.save(update_fields=["handed_over_on", "version"])
        audit.record(
            "land.household.hand_over",
            actor=actor,
            obj=household,
            after={"handed_over_on": handed_over_on.isoformat()},
        )
        _reach_handover_milestone(household.task, actor)
    return household


def _reach_handover_milestone(task: Task, actor) -> None:
    """When the task's last household is handed over, its project's 土地交付 milestone is reached on that day (the
    lights then read it as any milestone)."""
    if task.project_id is None or task.households.filter(handed_over_on__isnull=True).exists():
        return
    last = task.households.aggregate(day=Max("handed_over_on"))["day"]
    milestones = Milestone.objects.select_for_update().filter(
        project_id=task.project_id, kind=MilestoneKind.LAND_HANDOVER
    )
    for milestone in milestones:
        if milestone.actual_date == last:
            continue
        before = {"actual_date": milestone.actual_date}
        milestone.actual_date = last
        milestone.save(update_fields=["actual_date"])
        audit.record(
            "milestone.reach",
            actor=actor,
            obj=milestone,
            before=before,
            after={"actual_date": last},
            note=f"land task {task.pk}",
        )


def record_payment(
    agreement: Agreement,
    *,
    actor,
    amount: int,
    paid_on: dt.date,
    voucher_number: str = "",
    voucher=None,
) -> Payment:
    """A tranche paid on a signed agreement; the tranches never exceed the agreed amount (paid ≤ agreed)."""
    if not actor.has_perm("land.add_payment"):
        raise _deny(_("没有登记补偿款支付的权限。"))
    _keeper(actor, agreement.household.task)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise ValidationError({"amount": [_("应为正整数（元）。")]})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("支付日期不能晚于今天。")]})
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.state != AgreementState.SIGNED:
            raise ValidationError(_("协议尚未签订，不能支付补偿款。"), code="state")
        if agreement.signed_on and paid_on < agreement.signed_on:
            raise ValidationError(
                {"paid_on": [_("支付日期不能早于签约日期（%(d)s）。") % {"d": agreement.signed_on}]}
            )
        paid = sum(agreement.payments.values_list("amount", flat=True))
        if paid + amount > agreement.agreed_total:
            raise ValidationError(
                {
                    "amount": [
                        _("已支付 %(p)d 元，本次 %(a)d 元将超过协议金额 %(t)d 元（最多还可支付 %(r)d 元）。")
                        % {
                            "p": paid,
                            "a": amount,
                            "t": agreement.agreed_total,
                            "r": agreement.agreed_total - paid,
                        }
                    ]
                }
            )
        payment = Payment(
            agreement=agreement,
            tranche=agreement.payments.count() + 1,
            amount=amount,
            paid_on=paid_on,
            voucher_number=(voucher_number or "").strip()[:100],
            recorded_by=actor,
        )
        if voucher is not None:
            payment.voucher = voucher
        payment.save()
        audit.record(
            "land.payment.record",
            actor=actor,
            obj=payment,
            after={
                "agreement": agreement.number,
                "tranche": payment.tranche,
                "amount": amount,
                "paid_on": paid_on,
            },
        )
    return payment
