"""Every change to targets and contracts: the office defines the year's indicators and splits them into unit
targets, issues each unit's contract (责任书) as a numbered .docx, reviews the monthly actuals and runs, publishes
and revises the year-end settlement (兑现); a unit's staff enter their unit's actuals and upload the signed scan.

Each function checks the actor's permission and scope, locks the row it changes, checks the version the writer
read (409 when stale), keeps what it replaces and writes its audit event, in one transaction."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core import documents as doc
from gongjian.core.locking import ANY_VERSION, check_version, raced
from gongjian.core.models import issue_document_number
from gongjian.core.periods import Period
from gongjian.jobs import services as jobs
from gongjian.jobs.models import Job
from gongjian.org.models import Unit
from gongjian.org.scope import scope_for
from gongjian.targets import contract as contract_docx
from gongjian.targets import engine, queries, sources
from gongjian.targets import rules as rules_schema
from gongjian.targets.choices import (
    ActualState,
    Category,
    ContractState,
    Direction,
    SettlementState,
    Source,
)
from gongjian.targets.models import (
    VALUE,
    Actual,
    ActualRevision,
    Contract,
    Indicator,
    Settlement,
    SettlementLine,
    UnitTarget,
)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
MAX_SCAN_BYTES = 30 * 1024 * 1024
SCAN_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
_LIMIT = Decimal(10) ** (VALUE["max_digits"] - VALUE["decimal_places"])


# Permissions and scope


def check_office(actor) -> None:
    if actor is not None and not actor.has_perm("targets.manage_targets"):
        raise PermissionDenied(_("只有项目办可以制定目标、下达责任书、审核完成情况和兑现。"))


def check_unit_staff(actor, unit_id: int) -> None:
    """``actor`` is one of the unit's staff (or of a unit above it) who may enter its figures."""
    if actor is None:
        return
    if not actor.has_perm("targets.enter_actuals"):
        raise PermissionDenied(_("没有填报目标完成情况的权限。"))
    if unit_id not in scope_for(actor).unit_ids:
        raise PermissionDenied(_("只能填报本单位的目标完成情况。"))


def refusal(errors: dict, code: str) -> ValidationError:
    """A refusal naming its fields and carrying its code (Django keeps no code on a dict of messages; the API
    answers with it)."""
    exc = ValidationError(errors)
    exc.code = code
    return exc


# Values


def to_value(indicator: Indicator, raw, field: str = "value") -> Decimal:
    """A value as stored for ``indicator`` from what a writer gave (stored units: yuan for money), or a
    ValidationError naming ``field``."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("应为数字。")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("应为有限的数字。")})
    if abs(value) >= _LIMIT:
        raise ValidationError({field: _("数值过大。")})
    if indicator.is_money:
        if value < 0:
            raise ValidationError({field: _("金额不能为负数。")})
        if value != value.to_integral_value():
            raise ValidationError({field: _("金额以元为单位，应为整数。")})
    if value.as_tuple().exponent < -VALUE["decimal_places"]:  # type: ignore[operator]
        raise ValidationError({field: _("最多 4 位小数。")})
    return value


def from_shown(indicator: Indicator, raw, field: str = "value") -> Decimal:
    """A value typed in the indicator's measure (亿元 for money measured so) as stored (yuan, whole)."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("应为数字。")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("应为有限的数字。")})
    if indicator.is_money:
        value = (value * indicator.factor).quantize(Decimal(1), ROUND_HALF_UP)
    return to_value(indicator, value, field)


# Indicators

_INDICATOR_FIELDS = ["name", "measure", "direction", "source", "source_key", "category", "order", "note"]


def _check_indicator(indicator: Indicator) -> None:
    errors = {}
    if not indicator.name.strip():
        errors["name"] = _("请填写指标名称。")
    if not indicator.measure.strip():
        errors["measure"] = _("请填写计量单位。")
    if indicator.direction not in Direction.values:
        errors["direction"] = _("未知的指标方向。")
    if indicator.category not in Category.values:
        errors["category"] = _("未知的指标类别。")
    if indicator.source not in Source.values:
        errors["source"] = _("未知的数据来源。")
    elif indicator.source == Source.COMPUTED:
        source = sources.get(indicator.source_key)
        if source is None:
            errors["source_key"] = _("没有这个计算口径。")
        elif (source.measure == "元") != indicator.is_money:
            errors["measure"] = _("计算口径“%(source)s”以金额计，计量单位应为元、万元或亿元。") % {
                "source": source.label
            }
    elif indicator.source_key:
        errors["source_key"] = _("单位填报的指标不需要计算口径。")
    if not 2000 <= indicator.year <= 2100:
        errors["year"] = _("年度应在 2000 至 2100 之间。")
    clash = Indicator.objects.filter(year=indicator.year, name=indicator.name.strip()).exclude(
        pk=indicator.pk
    )
    if clash.exists():
        errors["name"] = _("%(year)d 年已有名为“%(name)s”的指标。") % {
            "year": indicator.year,
            "name": indicator.name,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_indicator(*, year: int, name: str, measure: str, actor, **fields) -> Indicator:
    """A new indicator of ``year``'s list (fields: direction, source, source_key, category, order, note)."""
    check_office(actor)
    unknown = set(fields) - set(_INDICATOR_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知的字段。")})
    indicator = Indicator(year=year, name=(name or "").strip(), measure=(measure or "").strip(), **fields)
    if fields.get("order") is None:
        indicator.order = (Indicator.objects.filter(year=year).aggregate(n=Max("order"))["n"] or 0) + 1
    _check_indicator(indicator)
    indicator.save()
    queries.changed()
    audit.record(
        "targets.indicator.create",
        actor=actor,
        obj=indicator,
        only_changes=False,
        after=audit.snapshot(indicator, ["year", *_INDICATOR_FIELDS]),
    )
    return indicator


@transaction.atomic
def update_indicator(indicator: Indicator, *, actor, expected_version: int | None, **fields) -> Indicator:
    """Change an indicator's fields from version ``expected_version``. Its measure and source stay as they are
    once it has targets (values already given in them would change meaning)."""
    check_office(actor)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    check_version(current.version, expected_version, _("指标"))
    unknown = set(fields) - set(_INDICATOR_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("未知的字段。")})
    if current.targets.exists():
        for name in ("measure", "source", "source_key"):
            if name in fields and fields[name] != getattr(current, name):
                raise ValidationError({name: _("指标已分解到单位，不能再改计量单位或数据来源。")})
    before = audit.snapshot(current, _INDICATOR_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    _check_indicator(current)
    current.version += 1
    current.save()
    queries.changed()
    audit.record(
        "targets.indicator.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, _INDICATOR_FIELDS),
    )
    return current


# Unit targets


def _milestones(indicator: Indicator, target: Decimal, raw: Sequence) -> list[str]:
    if not raw:
        return []
    if len(raw) not in (4, 12):
        raise ValidationError({"milestones": _("分期目标应为 12 个月或 4 个季度的累计值。")})
    values = [to_value(indicator, v, "milestones") for v in raw]
    if any(v < 0 for v in values):
        raise ValidationError({"milestones": _("分期目标不能为负数。")})
    if indicator.direction == Direction.HIGHER and any(b < a for a, b in itertools.pairwise(values)):
        raise ValidationError({"milestones": _("分期目标是累计值，应逐期不减。")})
    return [str(v) for v in values]


@transaction.atomic
def set_target(
    indicator: Indicator,
    unit: Unit,
    *,
    target,
    actor,
    milestones: Sequence = (),
    expected_version: int | None = None,
) -> UnitTarget:
    """Give ``unit`` its target of ``indicator`` (a new one, ``expected_version`` None) or change it (from the
    version read). A target under a contract already issued is not changed silently: the office changes it
    before issuing or issues the contract again."""
    check_office(actor)
    value = to_value(indicator, target, "target")
    if value < 0:
        raise ValidationError({"target": _("目标值不能为负数。")})
    steps = _milestones(indicator, value, milestones)
    current = UnitTarget.objects.select_for_update().filter(indicator=indicator, unit=unit).first()
    if Contract.objects.filter(unit=unit, year=indicator.year).exclude(state=ContractState.DRAFT).exists():
        raise refusal(
            {"target": _("%(unit)s 的责任书已下达，不能再改目标。") % {"unit": unit.name}}, "issued"
        )
    if current is None:
        if expected_version not in (None, ANY_VERSION):
            raise ValidationError({"version": _("该单位目标不存在。")})
        try:
            with transaction.atomic():
                current = UnitTarget.objects.create(
                    indicator=indicator, unit=unit, target=value, milestones=steps
                )
        except IntegrityError:
            raise raced(_("单位目标")) from None
        queries.changed()
        audit.record(
            "targets.target.create",
            actor=actor,
            obj=current,
            only_changes=False,
            after={"indicator": indicator.name, "unit": unit.name, "target": value, "milestones": steps},
        )
        return current
    check_version(current.version, expected_version, _("单位目标"))
    before = audit.snapshot(current, ["target", "milestones"])
    current.target, current.milestones = value, steps
    current.version += 1
    current.save()
    queries.changed()
    audit.record(
        "targets.target.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, ["target", "milestones"]),
    )
    return current


@transaction.atomic
def split_indicator(indicator: Indicator, targets: Mapping[Unit, object], *, actor) -> list[UnitTarget]:
    """Split ``indicator`` into the units' targets of ``targets`` ({unit: target}) at once: the office's table is
    the truth, so existing targets are overwritten (each audited)."""
    return [
        set_target(indicator, unit, target=value, actor=actor, expected_version=ANY_VERSION)
        for unit, value in targets.items()
    ]


# Contracts


def _check_rules(data, year: int, unit: Unit) -> rules_schema.Rules:
    try:
        parsed = rules_schema.Rules.from_dict(data)
    except rules_schema.RulesError as exc:
        raise ValidationError({f"rules.{exc.path}" if exc.path else "rules": exc.message}) from None
    known = set(
        UnitTarget.objects.filter(unit=unit, indicator__year=year).values_list("indicator_id", flat=True)
    )
    for at, rule in enumerate(parsed.indicators):
        if rule.indicator not in known:
            raise ValidationError(
                {
                    f"rules.indicators[{at}].indicator": _("%(unit)s 在 %(year)d 年没有这个指标的目标。")
                    % {"unit": unit.name, "year": year}
                }
            )
    return parsed


def default_rules(unit: Unit, year: int) -> dict:
    """The rules a new contract starts from: the default rule for each of the unit's indicators."""
    ids = UnitTarget.objects.filter(unit=unit, indicator__year=year).order_by(
        "indicator__order", "indicator_id"
    )
    return rules_schema.Rules(
        rules_schema.Currency.MONEY,
        tuple(rules_schema.default_rule(i) for i in ids.values_list("indicator_id", flat=True)),
    ).as_dict()


@transaction.atomic
def create_contract(unit: Unit, year: int, *, actor, rules: Mapping | None = None) -> Contract:
    """A draft contract of ``unit`` for ``year`` with ``rules`` (the default rules when None)."""
    check_office(actor)
    data = dict(rules) if rules is not None else default_rules(unit, year)
    parsed = _check_rules(data, year, unit)
    try:
        with transaction.atomic():
            contract = Contract.objects.create(unit=unit, year=year, rules=parsed.as_dict())
    except IntegrityError:
        raise refusal(
            {"unit": _("%(unit)s 已有 %(year)d 年的责任书。") % {"unit": unit.name, "year": year}}, "exists"
        ) from None
    audit.record(
        "targets.contract.create",
        actor=actor,
        obj=contract,
        only_changes=False,
        after={"unit": unit.name, "year": year, "rules": contract.rules},
    )
    return contract


@transaction.atomic
def update_contract(contract: Contract, *, rules: Mapping, actor, expected_version: int | None) -> Contract:
    """Change a draft contract's rules, from version ``expected_version``."""
    check_office(actor)
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    check_version(current.version, expected_version, _("责任书"))
    if current.state != ContractState.DRAFT:
        raise ValidationError(_("责任书已下达，不能再改条款。"), code="issued")
    parsed = _check_rules(dict(rules), current.year, current.unit)
    before = {"rules": current.rules}
    current.rules = parsed.as_dict()
    current.version += 1
    current.save()
    audit.record(
        "targets.contract.update", actor=actor, obj=current, before=before, after={"rules": current.rules}
    )
    return current


@transaction.atomic
def issue_contract(contract: Contract, *, actor, expected_version: int | None) -> Contract:
    """Issue a draft contract: its number from the office's counter, the .docx rendered and kept, the unit
    told. From then on its rules and the unit's targets are fixed."""
    check_office(actor)
    current = Contract.objects.select_for_update().select_related("unit").get(pk=contract.pk)
    check_version(current.version, expected_version, _("责任书"), acting=True)
    if current.state != ContractState.DRAFT:
        raise ValidationError(_("责任书已下达。"), code="issued")
    targets = queries.contract_targets(current)
    if not targets:
        raise ValidationError(_("%(unit)s 没有本年度的目标，不能下达责任书。") % {"unit": current.unit.name})
    today = timezone.localdate()
    current.number = issue_document_number(f"{settings.GONGJIAN_DOC_PREFIX}责", today.year)
    current.content = doc.render(contract_docx.build(current, targets, on=today))
    current.state = ContractState.ISSUED
    current.issued_by = audit.actor_or_none(actor)
    current.issued_at = timezone.now()
    current.version += 1
    current.save()
    audit.record(
        "targets.contract.issue",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"number": current.number, "unit": current.unit.name, "targets": len(targets)},
    )
    return current


def check_upload(upload, *, field: str, most: int, kinds: set[str] | None = None) -> None:
    name = getattr(upload, "name", "") or ""
    if not upload.size:
        raise refusal({field: _("%(name)s：文件是空的。") % {"name": name}}, "file_empty")
    if upload.size > most:
        raise refusal(
            {field: _("%(name)s：文件超过 %(mb)d MB。") % {"name": name, "mb": most // (1024 * 1024)}},
            "too_large",
        )
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if kinds is not None and suffix not in kinds:
        raise refusal({field: _("%(name)s：只能上传 PDF 或 JPG、PNG 图片。") % {"name": name}}, "file_type")


@transaction.atomic
def sign_contract(contract: Contract, *, scan, actor, expected_version: int | None) -> Contract:
    """The unit uploads the scan of its signed contract (a PDF or an image); the contract is signed. A scan sent
    again replaces the earlier one, which the audit event names."""
    current = Contract.objects.select_for_update().select_related("unit").get(pk=contract.pk)
    if actor is not None and not actor.has_perm("targets.manage_targets"):
        check_unit_staff(actor, current.unit_id)
    check_version(current.version, expected_version, _("责任书"))
    if current.state == ContractState.DRAFT:
        raise ValidationError(_("责任书尚未下达，不能上传签字扫描件。"), code="state")
    check_upload(scan, field="scan", most=MAX_SCAN_BYTES, kinds=SCAN_TYPES)
    before = {"state": current.state, "scan": current.scan.name}
    current.scan_name = (getattr(scan, "name", "") or "scan")[:200]
    current.scan.save(current.scan_name, scan, save=False)
    current.state = ContractState.SIGNED
    current.signed_by = audit.actor_or_none(actor)
    current.signed_at = timezone.now()
    current.version += 1
    current.save()
    audit.record(
        "targets.contract.sign",
        actor=actor,
        obj=current,
        before=before,
        after={"state": current.state, "scan": current.scan.name},
    )
    return current


# Actuals


def _check_month(year: int, month: int, today: date | None = None) -> None:
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationError({"month": _("月份应为 1 至 12。")})
    if Period(year, month).start > (today or timezone.localdate()):
        raise ValidationError(
            {"month": _("%(year)d年%(month)d月尚未开始，不能填报。") % {"year": year, "month": month}}
        )


def _keep(actual: Actual, actor) -> ActualRevision:
    return ActualRevision.objects.create(
        actual=actual,
        version=actual.version,
        value=actual.value,
        state=actual.state,
        note=actual.note,
        changed_by=audit.actor_or_none(actor),
    )


@transaction.atomic
def enter_actual(
    unit_target: UnitTarget,
    month: int,
    *,
    value,
    actor,
    note: str = "",
    evidence=None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Actual:
    """A unit's actual of a target to the end of ``month`` (本年累计), submitted for the office's review: a new
    one (``expected_version`` None) or a change of one submitted or returned (from the version read; the earlier
    value is kept). An approved actual is the office's: it is not changed. Entered actuals carry evidence or a
    note; computed ones come from the monthly task (:func:`compute_actuals`)."""
    target = UnitTarget.objects.select_related("indicator", "unit").get(pk=unit_target.pk)
    indicator = target.indicator
    check_unit_staff(actor, target.unit_id)
    if indicator.source == Source.COMPUTED:
        raise refusal({"value": _("“%(name)s”由系统计算，不需要填报。") % {"name": indicator.name}}, "state")
    _check_month(indicator.year, month, today)
    stored = to_value(indicator, value)
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("说明最多 500 个字。")})
    if evidence is not None:
        check_upload(evidence, field="evidence", most=MAX_EVIDENCE_BYTES)
    current = Actual.objects.select_for_update().filter(unit_target=target, month=month).first()
    if current is None and evidence is None and not note:
        raise ValidationError({"evidence": _("请上传佐证材料或填写说明。")})
    now = timezone.now()
    user = audit.actor_or_none(actor)
    if current is None:
        if expected_version not in (None, ANY_VERSION):
            raise ValidationError({"version": _("该月完成情况不存在。")})
        current = Actual(
            unit_target=target,
            month=month,
            value=stored,
            note=note,
            state=ActualState.SUBMITTED,
            submitted_by=user,
            submitted_at=now,
        )
        if evidence is not None:
            current.evidence_name = (getattr(evidence, "name", "") or "evidence")[:200]
            current.evidence.save(current.evidence_name, evidence, save=False)
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise raced(_("完成情况")) from None
        queries.changed()
        audit.record(
            "targets.actual.create",
            actor=actor,
            obj=current,
            only_changes=False,
            after={"target": target.pk, "month": month, "value": stored, "note": note},
        )
        return current
    check_version(current.version, expected_version, _("完成情况"))
    if current.state == ActualState.APPROVED:
        raise ValidationError(_("该月完成情况已审核，不能再改；如需更正请联系项目办退回。"), code="state")
    before = audit.snapshot(current, ["value", "note", "state", "evidence"])
    _keep(current, actor)
    current.value, current.state = stored, ActualState.SUBMITTED
    if note:
        current.note = note
    if evidence is not None:
        current.evidence_name = (getattr(evidence, "name", "") or "evidence")[:200]
        current.evidence.save(current.evidence_name, evidence, save=False)
    current.submitted_by, current.submitted_at = user, now
    current.return_reason = ""
    current.version += 1
    current.save()
    queries.changed()
    audit.record(
        "targets.actual.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, ["value", "note", "state", "evidence"]),
    )
    return current


@transaction.atomic
def review_actual(
    actual: Actual, *, approve: bool, actor, reason: str = "", expected_version: int | None
) -> Actual:
    """The office approves a submitted actual, or returns it with the reason (the unit corrects and submits it
    again); an approved one may be returned too when it proves wrong, with the reason."""
    check_office(actor)
    current = Actual.objects.select_for_update().get(pk=actual.pk)
    check_version(current.version, expected_version, _("完成情况"), acting=True)
    reason = (reason or "").strip()
    if approve and current.state != ActualState.SUBMITTED:
        raise ValidationError(_("只有待审核的完成情况可以审核通过。"), code="state")
    if not approve:
        if current.state == ActualState.RETURNED:
            raise ValidationError(_("该完成情况已退回。"), code="state")
        if not reason:
            raise ValidationError({"reason": _("退回须说明原因。")})
        if len(reason) > 500:
            raise ValidationError({"reason": _("原因最多 500 个字。")})
    before = audit.snapshot(current, ["state", "return_reason"])
    _keep(current, actor)
    current.state = ActualState.APPROVED if approve else ActualState.RETURNED
    current.return_reason = "" if approve else reason
    current.reviewed_by, current.reviewed_at = audit.actor_or_none(actor), timezone.now()
    current.version += 1
    current.save()
    queries.changed()
    audit.record(
        "targets.actual.approve" if approve else "targets.actual.return",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, ["state", "return_reason"]),
    )
    return current


@transaction.atomic
def compute_actuals(year: int, month: int, *, actor=None, today: date | None = None) -> int:
    """Fill the computed actuals of ``year`` to the end of ``month`` from their sources: a new figure is
    submitted for review; a changed one goes back to review with the earlier value kept; an unchanged one stays
    as it is. Safe to run twice. Returns how many actuals were written."""
    check_office(actor)
    _check_month(year, month, today)
    written = 0
    indicators = Indicator.objects.filter(year=year, source=Source.COMPUTED)
    for indicator in indicators:
        source = sources.get(indicator.source_key)
        if source is None:
            continue
        targets = {t.unit_id: t for t in indicator.targets.all()}
        if not targets:
            continue
        figures = source.compute(year, month, list(targets))
        existing = {
            a.unit_target_id: a
            for a in Actual.objects.select_for_update().filter(unit_target__in=targets.values(), month=month)
        }
        now = timezone.now()
        for unit_id, target in targets.items():
            value = Decimal(figures.get(unit_id, 0))
            if indicator.is_money:
                value = value.quantize(Decimal(1), ROUND_HALF_UP)
            note = _("由“%(source)s”计算") % {"source": source.label}
            current = existing.get(target.pk)
            if current is None:
                current = Actual.objects.create(
                    unit_target=target,
                    month=month,
                    value=value,
                    computed=True,
                    note=note,
                    submitted_at=now,
                )
                audit.record(
                    "targets.actual.compute",
                    actor=actor,
                    obj=current,
                    only_changes=False,
                    after={"target": target.pk, "month": month, "value": value},
                )
            elif current.value != value:
                before = audit.snapshot(current, ["value", "state"])
                _keep(current, actor)
                current.value, current.state, current.computed = value, ActualState.SUBMITTED, True
                current.note, current.submitted_at, current.return_reason = note, now, ""
                current.version += 1
                current.save()
                audit.record(
                    "targets.actual.compute",
                    actor=actor,
                    obj=current,
                    before=before,
                    after=audit.snapshot(current, ["value", "state"]),
                )
            else:
                continue
            written += 1
    if written:
        queries.changed()
    return written


# Settlement


def _figures_by_unit(year: int, unit_ids: Sequence[int], month: int) -> dict[int, list[engine.Figure]]:
    """Each unit's figures of ``year`` — its targets with the latest actual approved by ``month`` — read in one
    query for every unit (a settlement of 500 contracts is not 500 queries)."""
    latest = queries.latest_approved(month)
    rows = (
        UnitTarget.objects.filter(unit_id__in=unit_ids, indicator__year=year)
        .select_related("indicator")
        .annotate(actual_value=Subquery(latest.values("value")[:1]))
        .order_by("unit_id", "indicator__order", "indicator_id")
    )
    figures: dict[int, list[engine.Figure]] = {unit_id: [] for unit_id in unit_ids}
    for t in rows:
        figures[t.unit_id].append(
            engine.Figure(
                indicator=t.indicator_id,
                name=t.indicator.name,
                # in the indicator's measure (亿元, not yuan), as the contract states them; the rate is the same
                measure=t.indicator.measure,
                direction=engine.Direction(t.indicator.direction),
                target=t.indicator.shown(t.target),
                actual=t.indicator.shown(t.actual_value),
            )
        )
    return figures


def _settle_lines(settlement: Settlement, progress=None) -> list[SettlementLine]:
    contracts = list(
        Contract.objects.filter(year=settlement.year)
        .exclude(state=ContractState.DRAFT)
        .select_related("unit")
        .order_by("unit__name")
    )
    if progress is not None:
        progress(0, len(contracts), _("读取各单位完成情况"))
    figures = _figures_by_unit(settlement.year, [c.unit_id for c in contracts], settlement.through_month)
    lines = []
    for n, contract in enumerate(contracts, 1):
        outcome = engine.settle(rules_schema.Rules.from_dict(contract.rules), figures[contract.unit_id])
        lines.append(
            SettlementLine(
                settlement=settlement,
                unit=contract.unit,
                unit_name=contract.unit.name,
                contract=contract,
                currency=outcome.currency.value,
                reward=outcome.reward,
                penalty=outcome.penalty,
                total=outcome.total,
                vetoed=outcome.vetoed,
                items=[
                    {
                        "indicator": line.indicator,
                        "name": line.name,
                        "rule": line.rule,
                        "amount": str(line.amount),
                        "completion": None if line.completion is None else str(line.completion),
                        "text": line.text,
                    }
                    for line in outcome.lines
                ],
            )
        )
        if progress is not None and (n % 50 == 0 or n == len(contracts)):
            progress(n, len(contracts), _("按责任书计算兑现"))
    return lines


def _check_settlement(year: int, through_month: int, reason: str, expected_version, latest) -> None:
    """What a settlement run refuses, before it computes anything: a month out of range, a reason too long, a
    draft changed since it was read, a revision of a published one without a reason, a year with no contract."""
    if not 1 <= through_month <= 12:
        raise ValidationError({"through_month": _("月份应为 1 至 12。")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("原因最多 300 个字。")})
    if latest is not None and latest.state == SettlementState.DRAFT:
        check_version(latest.version, expected_version, _("兑现结果"))
    elif latest is not None and not reason:
        raise ValidationError({"reason": _("已发布的兑现结果修订须说明原因。")})
    if not Contract.objects.filter(year=year).exclude(state=ContractState.DRAFT).exists():
        raise ValidationError(_("%(year)d 年没有已下达的责任书，无法兑现。") % {"year": year})


def start_settlement(
    year: int,
    *,
    actor,
    through_month: int = 12,
    reason: str = "",
    expected_version: int | None = None,
) -> Job:
    """Queue the settlement of ``year`` (the job ``targets.settle``: every contract of the year is long work)
    after refusing at once what the run would refuse; the job checks again, under lock, when it runs."""
    check_office(actor)
    reason = (reason or "").strip()
    latest = Settlement.objects.filter(year=year).order_by("-revision").first()
    _check_settlement(year, through_month, reason, expected_version, latest)
    if expected_version is None and latest is not None and latest.state == SettlementState.DRAFT:
        expected_version = (
            latest.version
        )  # the draft as it is now: a run started meanwhile makes this one stale
    return jobs.start(
        "targets.settle",
        {
            "year": year,
            "through_month": through_month,
            "reason": reason,
            "expected_version": expected_version,
            "actor_id": getattr(actor, "pk", None),
        },
        actor=actor,
        label=_("计算 %(year)d 年兑现结果（截至 %(m)d 月）") % {"year": year, "m": through_month},
    )


@transaction.atomic
def run_settlement(
    year: int,
    *,
    actor,
    through_month: int = 12,
    reason: str = "",
    expected_version: int | None = None,
    progress=None,
) -> Settlement:
    """Settle ``year``'s issued and signed contracts from the actuals approved by ``through_month`` (12 at year
    end; an earlier month gives a preview). The year's latest draft is computed again (from the version read);
    after a publication the run is a new revision, which needs a reason; the published one stays readable.
    ``progress`` (a job's) hears how many contracts are done."""
    check_office(actor)
    reason = (reason or "").strip()
    latest = Settlement.objects.select_for_update().filter(year=year).order_by("-revision").first()
    _check_settlement(year, through_month, reason, expected_version, latest)
    if latest is not None and latest.state == SettlementState.DRAFT:
        settlement = latest
        settlement.through_month = through_month
        if reason:
            settlement.reason = reason
        settlement.version += 1
        settlement.save()
        settlement.lines.all().delete()
        action = "targets.settlement.recompute"
    else:
        settlement = Settlement.objects.create(
            year=year,
            through_month=through_month,
            revision=(latest.revision + 1) if latest else 1,
            supersedes=latest,
            reason=reason,
            created_by=audit.actor_or_none(actor),
        )
        action = "targets.settlement.run"
    lines = _settle_lines(settlement, progress)
    SettlementLine.objects.bulk_create(lines)
    audit.record(
        action,
        actor=actor,
        obj=settlement,
        only_changes=False,
        after={
            "year": year,
            "revision": settlement.revision,
            "through_month": through_month,
            "units": len(lines),
            "reason": settlement.reason,
        },
    )
    return settlement


@transaction.atomic
def publish_settlement(settlement: Settlement, *, actor, expected_version: int | None) -> Settlement:
    """Publish a draft settlement of the whole year (through December); the revision it corrects is superseded
    and stays readable."""
    check_office(actor)
    current = Settlement.objects.select_for_update().get(pk=settlement.pk)
    check_version(current.version, expected_version, _("兑现结果"), acting=True)
    if current.state != SettlementState.DRAFT:
        raise ValidationError(_("兑现结果已发布。"), code="published")
    if current.through_month != 12:
        raise ValidationError(
            _("截至 %(m)d 月的试算不能发布，请按全年重新计算。") % {"m": current.through_month}, code="state"
        )
    if current.supersedes_id:
        Settlement.objects.filter(pk=current.supersedes_id).update(state=SettlementState.SUPERSEDED)
    current.state = SettlementState.PUBLISHED
    current.published_by, current.published_at = audit.actor_or_none(actor), timezone.now()
    current.version += 1
    current.save()
    audit.record(
        "targets.settlement.publish",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"year": current.year, "revision": current.revision, "supersedes": current.supersedes_id},
    )
    return current
