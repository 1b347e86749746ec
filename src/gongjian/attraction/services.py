"""Every change to attraction: trips, leads and their history, the moves through the five links (each checked
against the order of the links, naming the rule broken), signings, tranches, production and the targets the
office hands down. Each function checks the actor's permission and data scope, locks the row, checks the version
the actor read (gongjian.core.locking), writes its audit event, all in one transaction.

An actor of None is the system itself (the demo loader, the scheduler): it is allowed everything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.attraction import queries, rules
from gongjian.attraction.choices import Chain, Currency, Metric, Stage, StepKind
from gongjian.attraction.models import (
    AttractionTarget,
    Lead,
    LeadStep,
    Production,
    Signing,
    Tranche,
    Trip,
    UnitMonth,
)
from gongjian.core import audit
from gongjian.core.bounds import MAX_YUAN
from gongjian.core.identifiers import IdentifierError, check_credit_code
from gongjian.core.locking import check_version, raced
from gongjian.core.notify import notify_all
from gongjian.lights.services.cases import check_evidence
from gongjian.org.models import Person, Unit
from gongjian.org.queries import person_of
from gongjian.pipeline import services as pipeline
from gongjian.pipeline.choices import Origin
from gongjian.projects import services as projects
from gongjian.projects.choices import Category, Level, Nature
from gongjian.projects.models import Project

LEAD_FIELDS = [
    "name",
    "investor",
    "credit_code",
    "contact_name",
    "contact_phone",
    "chain",
    "amount",
    "country",
    "currency",
    "introducer",
    "unit",
    "trip",
    "found_on",
    "next_step",
]
TRIP_FIELDS = ["unit", "start_date", "end_date", "destination", "leader", "companies", "cost", "notes"]


def _check_manage(actor, unit_id: int | None) -> None:
    if actor is None:
        return
    if not actor.has_perm("attraction.manage_leads"):
        raise PermissionDenied(_("没有管理招商项目的权限。"))
    if unit_id is not None and not queries.may_manage(actor, unit_id):
        raise PermissionDenied(_("只能管理本单位（及下属单位）的招商项目。"))


def _check_office(actor) -> None:
    if actor is not None and not actor.has_perm("attraction.assign_targets"):
        raise PermissionDenied(_("只有项目办可以下达招商目标。"))


def _money(errors: dict, name: str, value, label: str, *, required: bool = True) -> None:
    if value is None:
        if required:
            errors[name] = _("请填写%(label)s。") % {"label": label}
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_YUAN:
        errors[name] = _("%(label)s须为 0 至 10¹³ 之间的整数（元）。") % {"label": label}


def _clean_lead(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for name, label in (("name", _("项目名称")), ("investor", _("投资方"))):
        values[name] = (values.get(name) or "").strip()
        if not values[name]:
            errors[name] = _("请填写%(label)s。") % {"label": label}
    code = (values.get("credit_code") or "").strip()
    if code:
        try:
            values["credit_code"] = check_credit_code(code)
        except IdentifierError as exc:
            errors["credit_code"] = str(exc)
    else:
        values["credit_code"] = ""
    if values.get("chain") not in Chain.values:
        errors["chain"] = _("未知的产业链。")
    if values.get("currency") not in Currency.values:
        errors["currency"] = _("未知的币种。")
    _money(errors, "amount", values.get("amount"), _("意向投资额"))
    if values.get("unit") is None:
        errors["unit"] = _("请选择跟踪单位。")
    if values.get("found_on") is None:
        errors["found_on"] = _("请填写登记日期。")
    if values.get("currency") not in (None, Currency.CNY) and not (values.get("country") or "").strip():
        errors["country"] = _("外资项目请填写资金来源国家或地区。")
    if errors:
        raise ValidationError(errors)


def _step(
    lead: Lead, kind: str, on: date, text: str, actor, *, by=None, frm="", to="", next_step=""
) -> LeadStep:
    user = audit.actor_or_none(actor)
    step = LeadStep.objects.create(
        lead=lead,
        kind=kind,
        on=on,
        text=text,
        stage_from=frm,
        stage_to=to,
        by=by if by is not None else (person_of(user) if user else None),
        next_step=next_step,
        actor=user,
    )
    if on > lead.last_step_on:
        lead.last_step_on = on
    return step


@transaction.atomic
def refresh_figures(unit_ids: Iterable[int | None]) -> None:
    """Recount the monthly figures (:class:`UnitMonth`) of ``unit_ids`` from their records. Every write that
    changes a trip, a lead's registration or start, a signing or a tranche calls it before it returns, inside its
    transaction, for each unit whose figures it moved (a lead handed to another unit moves two).

    The units' rows are locked first (FOR NO KEY UPDATE, which the foreign keys' own share locks don't block):
    two writes for one unit recount one after the other, the second seeing the first's records once it commits,
    so no recount keeps a figure that misses a change made beside it."""
    ids = sorted({pk for pk in unit_ids if pk is not None})
    if not ids:
        return
    list(Unit.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
    UnitMonth.objects.filter(unit_id__in=ids).delete()
    UnitMonth.objects.bulk_create(
        UnitMonth(unit_id=unit_id, year=year, month=month, **values)
        for (unit_id, year, month), values in queries.counted_months(ids).items()
    )


@transaction.atomic
def create_trip(*, actor, delegation: Sequence[Person] = (), units: Sequence[Unit] = (), **fields) -> Trip:
    """Record a trip out (外出招商) of ``unit`` with its delegation and the units in it."""
    values = {k: v for k, v in fields.items() if k in TRIP_FIELDS}
    values.setdefault("cost", 0)
    unit = values.get("unit")
    _check_manage(actor, unit.pk if unit else None)
    _clean_trip(values)
    trip = Trip.objects.create(**values, created_by=audit.actor_or_none(actor))
    trip.delegation.set(delegation)
    trip.units.set(units)
    refresh_figures([trip.unit_id])
    audit.record(
        "attraction.trip.create",
        actor=actor,
        obj=trip,
        only_changes=False,
        after={
            **audit.snapshot(trip, ["unit_id", *TRIP_FIELDS[1:]]),
            "delegation": [p.pk for p in delegation],
        },
    )
    return trip


def _clean_trip(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if values.get("unit") is None:
        errors["unit"] = _("请选择组织单位。")
    values["destination"] = (values.get("destination") or "").strip()
    if not values["destination"]:
        errors["destination"] = _("请填写目的地。")
    start, end = values.get("start_date"), values.get("end_date")
    if start is None:
        errors["start_date"] = _("请填写出发日期。")
    if end is None:
        errors["end_date"] = _("请填写返回日期。")
    elif start is not None and end < start:
        errors["end_date"] = _("返回日期不能早于出发日期。")
    _money(errors, "cost", values.get("cost"), _("费用"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_trip(trip: Trip, *, actor, expected_version: int | None, **fields) -> Trip:
    current = Trip.objects.select_for_update().get(pk=trip.pk)
    _check_manage(actor, current.unit_id)
    check_version(current.version, expected_version, _("外出招商记录"))
    names = ["unit_id", *TRIP_FIELDS[1:]]
    was_unit = current.unit_id
    before = audit.snapshot(current, names)
    values = {name: fields.get(name, getattr(current, name)) for name in TRIP_FIELDS}
    if values["unit"].pk != current.unit_id:
        _check_manage(actor, values["unit"].pk)
    _clean_trip(values)
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    if "delegation" in fields:
        current.delegation.set(fields["delegation"])
    if "units" in fields:
        current.units.set(fields["units"])
    refresh_figures([was_unit, current.unit_id])
    audit.record(
        "attraction.trip.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, names),
    )
    return current


@transaction.atomic
def create_lead(*, actor, **fields) -> Lead:
    """Register a lead (意向项目) at 洽谈, followed by ``unit``; its history starts with the registration."""
    values = {k: v for k, v in fields.items() if k in LEAD_FIELDS}
    values.setdefault("found_on", timezone.localdate())
    values.setdefault("chain", Chain.OTHER)
    values.setdefault("currency", Currency.CNY)
    values.setdefault("amount", 0)
    unit = values.get("unit")
    _check_manage(actor, unit.pk if unit else None)
    _clean_lead(values)
    lead = Lead(
        **values, stage=Stage.TALKS, last_step_on=values["found_on"], created_by=audit.actor_or_none(actor)
    )
    lead.save()
    _step(
        lead,
        StepKind.FOLLOW,
        lead.found_on,
        _("登记意向项目"),
        actor,
        to=Stage.TALKS,
        next_step=lead.next_step,
    )
    refresh_figures([lead.unit_id])
    audit.record(
        "attraction.lead.create",
        actor=actor,
        obj=lead,
        only_changes=False,
        after=audit.snapshot(lead, _lead_snapshot_fields()),
    )
    return lead


def _lead_snapshot_fields() -> list[str]:
    return [f.attname for f in Lead._meta.concrete_fields if f.attname not in {"created_at", "version"}]


def _locked_lead(lead: Lead, actor, expected_version: int | None, *, acting: bool = True) -> Lead:
    current = Lead.objects.select_for_update().get(pk=lead.pk)
    _check_manage(actor, current.unit_id)
    check_version(current.version, expected_version, _("意向项目"), acting=acting)
    return current


def _save_lead(lead: Lead) -> None:
    lead.version += 1
    lead.save()


@transaction.atomic
def update_lead(lead: Lead, *, actor, expected_version: int | None, **fields) -> Lead:
    """Change what describes a lead (not its stage: that moves through the links' services)."""
    current = _locked_lead(lead, actor, expected_version, acting=False)
    was_unit = current.unit_id
    names = _lead_snapshot_fields()
    before = audit.snapshot(current, names)
    values = {name: fields.get(name, getattr(current, name)) for name in LEAD_FIELDS}
    if values["unit"] is not None and values["unit"].pk != current.unit_id:
        _check_manage(actor, values["unit"].pk)
    _clean_lead(values)
    for name, value in values.items():
        setattr(current, name, value)
    _save_lead(current)
    # The lead's contract and tranches count for its following unit (their copy of it moves along).
    Signing.objects.filter(lead=current).exclude(unit_id=current.unit_id).update(unit_id=current.unit_id)
    Tranche.objects.filter(lead=current).exclude(unit_id=current.unit_id).update(unit_id=current.unit_id)
    refresh_figures([was_unit, current.unit_id])
    audit.record(
        "attraction.lead.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, names),
    )
    return current


@transaction.atomic
def add_step(
    lead: Lead,
    *,
    text: str,
    actor,
    on: date | None = None,
    by: Person | None = None,
    next_step: str | None = None,
    expected_version: int | None,
) -> LeadStep:
    """A follow-up (跟进) of the lead: what happened, and the next step (which becomes the lead's)."""
    current = _locked_lead(lead, actor, expected_version)
    on = on or timezone.localdate()
    errors = {}
    if not (text or "").strip():
        errors["text"] = _("请填写跟进情况。")
    if on > timezone.localdate():
        errors["on"] = _("跟进日期不能晚于今天。")
    if on < current.found_on:
        errors["on"] = _("跟进日期不能早于登记日期（%(d)s）。") % {"d": current.found_on}
    if errors:
        raise ValidationError(errors)
    if next_step is not None:
        current.next_step = next_step.strip()[:300]
    step = _step(current, StepKind.FOLLOW, on, text.strip(), actor, by=by, next_step=current.next_step)
    _save_lead(current)
    audit.record(
        "attraction.step.create",
        actor=actor,
        obj=step,
        only_changes=False,
        after={"lead": current.pk, "on": on, "text": step.text, "next_step": step.next_step},
    )
    return step


@transaction.atomic
def update_step(step: LeadStep, *, actor, expected_version: int | None, **fields) -> LeadStep:
    """Correct a follow-up's text or next step (a move's date and stages stay as recorded)."""
    current = LeadStep.objects.select_for_update().select_related("lead").get(pk=step.pk)
    _check_manage(actor, current.lead.unit_id)
    check_version(current.version, expected_version, _("跟进记录"))
    before = audit.snapshot(current, ["text", "next_step"])
    if "text" in fields:
        if not (fields["text"] or "").strip():
            raise ValidationError({"text": _("请填写跟进情况。")})
        current.text = fields["text"].strip()
    if "next_step" in fields:
        current.next_step = (fields["next_step"] or "").strip()[:300]
    current.version += 1
    current.save()
    audit.record(
        "attraction.step.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, ["text", "next_step"]),
    )
    return current


def _move(lead: Lead, target: str, on: date, text: str, actor) -> LeadStep:
    """Move the (locked) lead to ``target``, refused naming the rule of the links it would break."""
    problem = rules.move_problem(lead.stage, target)
    if problem:
        raise ValidationError({"stage": problem}, code="state")
    if on > timezone.localdate():
        raise ValidationError({"on": _("日期不能晚于今天。")})
    frm = lead.stage
    lead.stage = target
    dates = {
        Stage.SIGNED: "signed_on",
        Stage.FUNDED: "funded_on",
        Stage.STARTED: "started_on",
        Stage.PRODUCING: "producing_on",
        Stage.DROPPED: "dropped_on",
    }
    setattr(lead, dates[Stage(target)], on)
    kind = StepKind.DROP if target == Stage.DROPPED else StepKind.MOVE
    return _step(lead, kind, on, text, actor, frm=frm, to=target, next_step=lead.next_step)


def _check_file(file, field: str) -> None:
    if file is None:
        return
    try:
        check_evidence(file)
    except ValidationError as exc:
        raise ValidationError({field: exc.message_dict["evidence"]}) from None


@transaction.atomic
def sign_lead(
    lead: Lead, *, on: date, amount: int, actor, contract=None, text: str = "", expected_version: int | None
) -> Signing:
    """项目签约: the contract's date, amount and scan; the lead moves from 洽谈 to 签约."""
    current = _locked_lead(lead, actor, expected_version)
    errors: dict[str, str] = {}
    _money(errors, "amount", amount, _("签约金额"))
    if on is None:
        errors["on"] = _("请填写签约日期。")
    elif on < current.found_on:
        errors["on"] = _("签约日期不能早于登记日期（%(d)s）。") % {"d": current.found_on}
    if errors:
        raise ValidationError(errors)
    _check_file(contract, "contract")
    step = _move(current, Stage.SIGNED, on, text.strip() or _("签订投资合同"), actor)
    signing = Signing(lead=current, unit_id=current.unit_id, date=on, amount=amount)
    if contract is not None:
        signing.contract_name = getattr(contract, "name", "")[:200]
        signing.contract.save(signing.contract_name or "contract", contract, save=False)
    signing.save()
    _save_lead(current)
    refresh_figures([current.unit_id])
    audit.record(
        "attraction.lead.sign",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"on": on, "amount": amount, "contract": signing.contract_name, "step": step.pk},
    )
    return signing


def _tranche_values(values: dict[str, Any]) -> None:
    """Check a tranche's figures; a foreign one gets its yuan equivalent from the original amount and rate."""
    errors: dict[str, str] = {}
    currency = values.get("currency") or Currency.CNY
    values["currency"] = currency
    if currency not in Currency.values:
        errors["currency"] = _("未知的币种。")
    elif currency == Currency.CNY:
        _money(errors, "amount", values.get("amount"), _("到位金额"))
        values["foreign_amount"] = values["rate"] = values["usd_amount"] = None
    else:
        _money(errors, "foreign_amount", values.get("foreign_amount"), _("原币金额"))
        rate = values.get("rate")
        try:
            rate = None if rate in (None, "") else Decimal(str(rate))
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0 or rate >= 1000:
            errors["rate"] = _("外资须填写折算汇率（元/原币，大于 0 小于 1000）。")
        else:
            values["rate"] = rate.quantize(Decimal("0.000001"))
        if currency == Currency.USD:
            values["usd_amount"] = values.get("foreign_amount")
        else:
            _money(errors, "usd_amount", values.get("usd_amount"), _("折合美元"))
        if not errors:
            yuan = (Decimal(values["foreign_amount"]) * values["rate"]).quantize(Decimal(1), ROUND_HALF_UP)
            values["amount"] = int(yuan)
            if values["amount"] > MAX_YUAN:
                errors["foreign_amount"] = _("折合人民币超过上限。")
    if values.get("date") is None:
        errors["date"] = _("请填写到位日期。")
    elif values["date"] > timezone.localdate():
        errors["date"] = _("到位日期不能晚于今天。")
    values["source"] = (values.get("source") or "").strip()[:100]
    if errors:
        raise ValidationError(errors)


TRANCHE_FIELDS = ["date", "amount", "source", "currency", "foreign_amount", "rate", "usd_amount"]


@transaction.atomic
def add_tranche(lead: Lead, *, actor, evidence=None, expected_version: int | None, **fields) -> Tranche:
    """资金到位: a tranche of a signed lead (the lead's version goes up); the first moves it from 签约 to 资金到位.
    Foreign capital gives ``currency``, ``foreign_amount`` and ``rate`` (and ``usd_amount`` unless in USD)."""
    current = _locked_lead(lead, actor, expected_version)
    values = {k: v for k, v in fields.items() if k in TRANCHE_FIELDS}
    if current.stage in (Stage.TALKS, Stage.DROPPED):
        raise ValidationError(
            {"stage": rules.move_problem(current.stage, Stage.FUNDED) or _("该项目不能登记资金到位。")},
            code="state",
        )
    _tranche_values(values)
    if current.signed_on and values["date"] < current.signed_on:
        raise ValidationError({"date": _("到位日期不能早于签约日期（%(d)s）。") % {"d": current.signed_on}})
    _check_file(evidence, "evidence")
    tranche = Tranche(lead=current, unit_id=current.unit_id, created_by=audit.actor_or_none(actor), **values)
    if evidence is not None:
        tranche.evidence_name = getattr(evidence, "name", "")[:200]
        tranche.evidence.save(tranche.evidence_name or "evidence", evidence, save=False)
    tranche.save()
    text = _("资金到位 %(amount)s 元（%(source)s）") % {
        "amount": f"{tranche.amount:,}",
        "source": tranche.source or "—",
    }
    if current.stage == Stage.SIGNED:
        _move(current, Stage.FUNDED, tranche.date, text, actor)
    else:
        _step(current, StepKind.FOLLOW, tranche.date, text, actor, next_step=current.next_step)
    _save_lead(current)
    refresh_figures([current.unit_id])
    audit.record(
        "attraction.tranche.create",
        actor=actor,
        obj=tranche,
        only_changes=False,
        after={
            "lead": current.pk,
            **audit.snapshot(tranche, TRANCHE_FIELDS),
            "evidence": tranche.evidence_name,
        },
    )
    return tranche


@transaction.atomic
def update_tranche(
    tranche: Tranche, *, actor, expected_version: int | None, evidence=None, **fields
) -> Tranche:
    current = Tranche.objects.select_for_update().select_related("lead").get(pk=tranche.pk)
    _check_manage(actor, current.lead.unit_id)
    check_version(current.version, expected_version, _("资金到位记录"))
    before = audit.snapshot(current, TRANCHE_FIELDS)
    values = {name: fields.get(name, getattr(current, name)) for name in TRANCHE_FIELDS}
    _tranche_values(values)
    for name, value in values.items():
        setattr(current, name, value)
    _check_file(evidence, "evidence")
    if evidence is not None:
        current.evidence_name = getattr(evidence, "name", "")[:200]
        current.evidence.save(current.evidence_name or "evidence", evidence, save=False)
    current.version += 1
    current.save()
    refresh_figures([current.unit_id])
    audit.record(
        "attraction.tranche.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, TRANCHE_FIELDS),
    )
    return current


@transaction.atomic
def start_lead(
    lead: Lead,
    *,
    on: date,
    actor,
    project: Project | None = None,
    project_fields: dict[str, Any] | None = None,
    expected_version: int | None,
) -> Lead:
    """开工: the lead joins the registry — linked to an existing ``project``, or made a new one through the
    registry's own service (``project_fields`` override what the lead gives: name, responsible unit, investment,
    region of the unit, industry category, new, district level). Its history stays on the lead, shown on the
    project's page."""
    current = _locked_lead(lead, actor, expected_version)
    problem = rules.move_problem(current.stage, Stage.STARTED)
    if problem:
        raise ValidationError({"stage": problem}, code="state")
    if project is None:
        project = _new_project(current, on, project_fields or {}, actor)
    elif actor is not None and not Project.objects.in_scope(actor).filter(pk=project.pk).exists():
        raise ValidationError({"project": _("所选重点项目不在您的数据范围内。")})
    current.project = project
    step = _move(current, Stage.STARTED, on, _("项目开工，纳入重点项目库：%(p)s") % {"p": project}, actor)
    _save_lead(current)
    refresh_figures([current.unit_id])
    audit.record(
        "attraction.lead.start",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"on": on, "project": project.pk, "step": step.pk},
    )
    return current


SIGNED_STAGES = (Stage.SIGNED, Stage.FUNDED, Stage.STARTED, Stage.PRODUCING)


@transaction.atomic
def propose_reserve(lead: Lead, *, actor, expected_version: int | None, **fields) -> Lead:
    """A signed lead proposed into the project reserve (项目储备库, origin 招商签约) by the unit following it or
    the office: the reserve project takes the lead's name, investor, unit and signed amount unless ``fields``
    say otherwise (region, category, start_year, readiness…); the lead links to it and records the step."""
    current = _locked_lead(lead, actor, expected_version)
    if current.stage not in SIGNED_STAGES:
        raise ValidationError({"stage": _("签约后的招商项目才能提交项目储备。")}, code="state")
    if current.reserve_id is not None:
        raise ValidationError({"reserve": _("本项目已提交项目储备。")}, code="state")
    signing = Signing.objects.filter(lead=current).first()
    values = {
        "name": current.name,
        "category": Category.INDUSTRY,
        "nature": Nature.NEW,
        "level": Level.DISTRICT,
        "region": current.unit.region,
        "responsible_unit": current.unit,
        "investor": current.investor[:200],
        "total_investment": signing.amount if signing else current.amount,
        "start_year": timezone.localdate().year,
        "content": _("招商引资签约项目，投资方：%(i)s") % {"i": current.investor},
        **{k: v for k, v in fields.items() if v not in (None, "")},
    }
    if values["region"] is None:
        raise ValidationError({"region": _("跟踪单位没有所在区划，请选择项目所在区划。")})
    reserve = pipeline.propose(
        values, actor=actor, origin=Origin.ATTRACTION, origin_ref=_("招商项目：%(n)s") % {"n": current.name}
    )
    current.reserve = reserve
    on = timezone.localdate()
    step = _step(current, StepKind.FOLLOW, on, _("提交项目储备库：%(r)s") % {"r": reserve.name}, actor)
    _save_lead(current)
    audit.record(
        "attraction.lead.propose",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"reserve": reserve.pk, "step": step.pk},
    )
    return current


def link_registered(reserve) -> int:
    """The reserve project entered the registry (the year's plan was issued): its leads not yet linked to a
    project are linked to it, their history going with them (the project's page shows it). Returns how many."""
    if reserve.project_id is None:
        return 0
    linked = 0
    for lead in Lead.objects.select_for_update().filter(reserve=reserve, project__isnull=True):
        lead.project_id = reserve.project_id
        _step(
            lead,
            StepKind.FOLLOW,
            timezone.localdate(),
            _("列入年度重点项目计划，纳入重点项目库：%(p)s") % {"p": reserve.project},
            None,
        )
        lead.version += 1
        lead.save(update_fields=["project", "last_step_on", "version"])
        audit.record(
            "attraction.lead.registered",
            obj=lead,
            only_changes=False,
            after={"reserve": reserve.pk, "project": reserve.project_id},
        )
        linked += 1
    return linked


def _new_project(lead: Lead, on: date, overrides: dict[str, Any], actor) -> Project:
    signing = Signing.objects.filter(lead=lead).first()
    region = overrides.get("region") or lead.unit.region
    if region is None:
        raise ValidationError({"region": _("跟踪单位没有所在区划，请选择项目所在区划。")})
    fields = {
        "name": lead.name,
        "category": Category.INDUSTRY,
        "nature": Nature.NEW,
        "level": Level.DISTRICT,
        "region": region,
        "responsible_unit": lead.unit,
        "total_investment": signing.amount if signing else lead.amount,
        "actual_start": on,
        "year": on.year,
        "content": _("招商引资项目，投资方：%(i)s") % {"i": lead.investor},
        **overrides,
    }
    return projects.create_project(fields, actor=actor)


@transaction.atomic
def record_production(
    lead: Lead,
    *,
    year: int,
    output_value: int,
    tax: int,
    jobs: int,
    actor,
    on: date | None = None,
    expected_version: int | None,
) -> Production:
    """投产达效: a year's output value, tax and jobs of a started lead (a year given again replaces its figures);
    the first moves the lead from 开工 to 投产达效 on ``on`` (today by default)."""
    current = _locked_lead(lead, actor, expected_version)
    if current.stage not in (Stage.STARTED, Stage.PRODUCING):
        raise ValidationError(
            {"stage": rules.move_problem(current.stage, Stage.PRODUCING) or _("该项目不能登记投产达效。")},
            code="state",
        )
    errors: dict[str, str] = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("年度须在 2000 到 2100 之间。")
    _money(errors, "output_value", output_value, _("产值"))
    _money(errors, "tax", tax, _("税收"))
    if not isinstance(jobs, int) or not 0 <= jobs <= 1_000_000:
        errors["jobs"] = _("就业人数须为 0 至 1000000 的整数。")
    if errors:
        raise ValidationError(errors)
    row, created = Production.objects.select_for_update().get_or_create(
        lead=current, year=year, defaults={"output_value": output_value, "tax": tax, "jobs": jobs}
    )
    before = None if created else audit.snapshot(row, ["output_value", "tax", "jobs"])
    if not created:
        row.output_value, row.tax, row.jobs = output_value, tax, jobs
        row.version += 1
        row.save()
    text = _("%(y)d年产值 %(o)s 元、税收 %(t)s 元、就业 %(j)d 人") % {
        "y": year,
        "o": f"{output_value:,}",
        "t": f"{tax:,}",
        "j": jobs,
    }
    on = on or timezone.localdate()
    if current.stage == Stage.STARTED:
        if on < (current.started_on or on):
            raise ValidationError(
                {"on": _("投产日期不能早于开工日期（%(d)s）。") % {"d": current.started_on}}
            )
        _move(current, Stage.PRODUCING, on, text, actor)
    else:
        _step(
            current, StepKind.FOLLOW, min(on, timezone.localdate()), text, actor, next_step=current.next_step
        )
    _save_lead(current)
    audit.record(
        "attraction.production.record",
        actor=actor,
        obj=row,
        before=before,
        after={"lead": current.pk, "year": year, "output_value": output_value, "tax": tax, "jobs": jobs},
        only_changes=before is not None,
    )
    return row


@transaction.atomic
def drop_lead(
    lead: Lead, *, reason: str, actor, on: date | None = None, expected_version: int | None
) -> Lead:
    """终止: the lead is dropped, with its reason kept (required)."""
    current = _locked_lead(lead, actor, expected_version)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("终止项目须填写原因。")})
    on = on or timezone.localdate()
    current.drop_reason = reason.strip()
    step = _move(current, Stage.DROPPED, on, _("项目终止：%(r)s") % {"r": current.drop_reason}, actor)
    _save_lead(current)
    audit.record(
        "attraction.lead.drop",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"on": on, "reason": current.drop_reason, "step": step.pk},
    )
    return current


@transaction.atomic
def set_target(
    *, unit: Unit, year: int, metric: str, value: int, actor, expected_version: int | None = None
) -> AttractionTarget:
    """Hand down (下达) ``unit``'s target for ``year`` on ``metric``; changing one names the version read."""
    _check_office(actor)
    errors: dict[str, str] = {}
    if metric not in Metric.values:
        errors["metric"] = _("未知的招商指标。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("年度须在 2000 到 2100 之间。")
    _money(errors, "value", value, _("目标值"))
    if errors:
        raise ValidationError(errors)
    target = AttractionTarget.objects.select_for_update().filter(unit=unit, year=year, metric=metric).first()
    if target is None:
        try:
            with transaction.atomic():
                target = AttractionTarget.objects.create(unit=unit, year=year, metric=metric, value=value)
        except IntegrityError:
            raise raced(_("招商目标")) from None
        audit.record(
            "attraction.target.create",
            actor=actor,
            obj=target,
            only_changes=False,
            after={"unit": unit.pk, "year": year, "metric": metric, "value": value},
        )
        return target
    check_version(target.version, expected_version, _("招商目标"))
    before = {"value": target.value}
    target.value = value
    target.version += 1
    target.save()
    audit.record("attraction.target.update", actor=actor, obj=target, before=before, after={"value": value})
    return target


def set_targets(year: int, cells: Mapping[tuple[Unit, str], tuple[int, int | None]], *, actor) -> int:
    """Hand down many units' targets of ``year`` at once (the office's table of units × links): ``cells`` maps
    (unit, metric) to (value, version read — None for a target not yet set). All or none: a wrong value or a
    target changed meanwhile refuses the whole table, each error keyed ``"{unit id}-{metric}"``. Returns how many
    targets were set."""
    _check_office(actor)
    errors: dict[str, ValidationError] = {}
    with transaction.atomic():
        for (unit, metric), (value, version) in cells.items():
            try:
                with transaction.atomic():
                    set_target(
                        unit=unit,
                        year=year,
                        metric=metric,
                        value=value,
                        actor=actor,
                        expected_version=version,
                    )
            except ValidationError as exc:  # a stale cell keeps its code: the table answers 409
                errors[f"{unit.pk}-{metric}"] = ValidationError(
                    "；".join(exc.messages), code=getattr(exc, "code", None) or "invalid"
                )
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)
    return len(cells)


def remind_stalled(today: date | None = None) -> int:
    """Remind each unit of its leads stalled (no step for longer than the setting), once per stall: a lead is
    reminded again only after a new step and a new stall. Returns how many leads were reminded."""
    today = today or timezone.localdate()
    leads = list(
        queries.stalled(Lead.objects.all(), today)
        .exclude(stall_reminded_on=F("last_step_on"))
        .select_related("unit")
        .order_by("unit_id", "last_step_on")
    )
    if not leads:
        return 0
    by_unit: dict[int, list[Lead]] = {}
    for lead in leads:
        by_unit.setdefault(lead.unit_id, []).append(lead)
    staff = _unit_staff(by_unit.keys())
    messages = []
    for unit_id, items in by_unit.items():
        users = staff.get(unit_id, [])
        if not users:
            continue
        names = "、".join(lead.name for lead in items[:5]) + ("等" if len(items) > 5 else "")
        messages.append(
            (
                users,
                _("招商项目停滞提醒：%(n)d 个项目超过 %(d)d 天未跟进")
                % {"n": len(items), "d": queries.stall_days()},
                _("%(names)s 已超过 %(d)d 天没有跟进记录，请及时跟进并登记。")
                % {"names": names, "d": queries.stall_days()},
                reverse("attraction:lead_list") + f"?stalled=1&unit={unit_id}",
            )
        )
    notify_all(messages)
    for lead in leads:
        Lead.objects.filter(pk=lead.pk).update(stall_reminded_on=lead.last_step_on)
    audit.record(
        "attraction.lead.stall_remind",
        only_changes=False,
        after={"leads": [lead.pk for lead in leads], "units": sorted(by_unit)},
    )
    return len(leads)


def _unit_staff(unit_ids) -> dict[int, list]:
    """The active accounts of each unit that manage its leads."""
    out: dict[int, list] = {}
    for person in Person.objects.filter(
        unit_id__in=list(unit_ids), user__isnull=False, user__is_active=True
    ).select_related("user"):
        if person.user.has_perm("attraction.manage_leads"):
            out.setdefault(person.unit_id, []).append(person.user)
    return out
