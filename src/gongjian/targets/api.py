"""Targets in the JSON API under /api/v1/targets/: the year's indicators, the units' targets with their actual to
date, completion, time-elapsed line and rank, the monthly actuals (entered, changed from the version read — 409
when stale — and reviewed), the contracts with their .docx, and the settlements with their lines. Values are in
the indicator's stored unit: yuan for money, else its measure. Permissions and scope are the services'."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from gongjian.core.bounds import FormText, Id, Year
from gongjian.core.downloads import attachment
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.jobs.api import TaskStarted, accepted
from gongjian.org.models import Unit
from gongjian.targets import queries, services, sources
from gongjian.targets.models import Actual, Contract, Indicator, Settlement, UnitTarget

router = Router(tags=["targets"])

Value = Annotated[
    Decimal,
    Field(max_digits=22, decimal_places=4, ge=-(10**17), le=10**17, description="数值（金额以元计）"),
]
Month = Annotated[int, Field(ge=1, le=12, description="月份（1–12）")]
Short = Annotated[FormText, Field(max_length=100)]
Note = Annotated[FormText, Field(max_length=500)]


def _viewer(request) -> None:
    if not request.user.has_perm("targets.view_indicator"):
        raise PermissionDenied(_("没有查看目标的权限。"))


# Indicators


class IndicatorIn(Schema):
    year: Year
    name: Short
    measure: Annotated[FormText, Field(max_length=20)]
    direction: str = "higher"  # higher, lower
    source: str = "entered"  # entered, computed
    source_key: Annotated[FormText, Field(max_length=60)] = ""
    category: str = "other"  # economy, attraction, construction, greening, other
    order: Annotated[int, Field(ge=0, le=32767)] | None = None
    note: Annotated[FormText, Field(max_length=300)] = ""


class IndicatorPatch(Schema):
    version: int
    name: Short | None = None
    measure: Annotated[FormText, Field(max_length=20)] | None = None
    direction: str | None = None
    source: str | None = None
    source_key: Annotated[FormText, Field(max_length=60)] | None = None
    category: str | None = None
    order: Annotated[int, Field(ge=0, le=32767)] | None = None
    note: Annotated[FormText, Field(max_length=300)] | None = None


class IndicatorOut(Schema):
    id: int
    year: int
    name: str
    measure: str
    money: bool  # values in yuan, shown in the measure
    direction: str
    source: str
    source_key: str
    category: str
    order: int
    note: str
    version: int


def _indicator_out(i: Indicator) -> dict:
    return {
        "id": i.pk,
        "year": i.year,
        "name": i.name,
        "measure": i.measure,
        "money": i.is_money,
        "direction": i.direction,
        "source": i.source,
        "source_key": i.source_key,
        "category": i.category,
        "order": i.order,
        "note": i.note,
        "version": i.version,
    }


class SourceOut(Schema):
    key: str
    label: str
    measure: str


class SourcesOut(Schema):
    items: list[SourceOut]  # the few registered: all of them, in an object as every answer of the API is


@router.get("/sources", response=SourcesOut, summary="The computed sources an indicator may use")
def list_sources(request):
    _viewer(request)
    return {"items": [{"key": s.key, "label": s.label, "measure": s.measure} for s in sources.registered()]}


@router.get("/indicators", response=page_of(IndicatorOut), summary="A year's indicators, in order")
@paginate(Pages, default=100, most=500)
def list_indicators(request, year: Year | None = None):
    _viewer(request)
    rows = Indicator.objects.order_by("year", "order", "id")
    if year is not None:
        rows = rows.filter(year=year)
    return Rows(rows, _indicator_out)


@router.post(
    "/indicators", response={201: IndicatorOut}, summary="Add an indicator to a year's list (office)"
)
def create_indicator(request, payload: IndicatorIn):
    data = payload.dict()
    indicator = services.create_indicator(
        year=data.pop("year"), name=data.pop("name"), measure=data.pop("measure"), actor=request.user, **data
    )
    return Status(201, _indicator_out(indicator))


@router.get("/indicators/{int:indicator_id}", response=IndicatorOut)
def get_indicator(request, indicator_id: Id):
    _viewer(request)
    return _indicator_out(get_object_or_404(Indicator, pk=indicator_id))


@router.patch("/indicators/{int:indicator_id}", response={200: IndicatorOut, 409: StaleOut})
def edit_indicator(request, indicator_id: Id, payload: IndicatorPatch):
    indicator = get_object_or_404(Indicator, pk=indicator_id)
    fields = payload.dict(exclude_none=True)
    version = fields.pop("version")
    return _indicator_out(
        services.update_indicator(indicator, actor=request.user, expected_version=version, **fields)
    )


# Unit targets


class TargetIn(Schema):
    indicator_id: Id
    unit_id: Id
    target: Value
    milestones: Annotated[list[Value], Field(max_length=12)] = []  # 12 months or 4 quarters, cumulative


class TargetPatch(Schema):
    version: int
    target: Value
    milestones: Annotated[list[Value], Field(max_length=12)] = []


class TargetOut(Schema):
    id: int
    indicator_id: int
    unit_id: int
    unit: str
    target: Decimal
    actual: Decimal | None  # latest approved, to date
    actual_month: int | None
    rate: Decimal | None  # completion, percent
    elapsed: Decimal | None  # the time-elapsed line (序时进度), percent
    behind: bool
    rank: int | None  # among the units rated on the indicator
    ranked: int
    version: int  # the target's: send it back to edit it


def _cell_out(c: queries.Cell) -> dict:
    return {
        "id": c.target_id,
        "indicator_id": c.indicator_id,
        "unit_id": c.unit_id,
        "unit": c.unit_name,
        "target": c.target,
        "actual": c.actual,
        "actual_month": c.month,
        "rate": c.rate,
        "elapsed": c.elapsed,
        "behind": c.behind,
        "rank": c.rank,
        "ranked": c.ranked,
        "version": c.version,
    }


@router.get(
    "/targets",
    response=page_of(TargetOut),
    summary="The units' targets of a year with actual to date, completion, time-elapsed line and rank",
)
@paginate(Pages, default=500, most=20000)
def list_targets(
    request, year: Year, indicator_id: Id | None = None, unit_id: Id | None = None, month: Month | None = None
):
    _viewer(request)
    summaries = queries.board(
        year,
        user=request.user,
        through_month=month,
        indicator_ids=None if indicator_id is None else [indicator_id],
        unit_ids=None if unit_id is None else [unit_id],
    )
    return Rows([cell for s in summaries for cell in s.cells], _cell_out)


def _one_cell(request, target: UnitTarget) -> dict:
    [summary] = queries.board(
        target.indicator.year,
        user=request.user,
        indicator_ids=[target.indicator_id],
        unit_ids=[target.unit_id],
    )
    [cell] = summary.cells
    return _cell_out(cell)


@router.post("/targets", response={201: TargetOut, 409: StaleOut}, summary="Give a unit its target (office)")
def create_target(request, payload: TargetIn):
    target = services.set_target(
        get_object_or_404(Indicator, pk=payload.indicator_id),
        get_object_or_404(Unit, pk=payload.unit_id),
        target=payload.target,
        milestones=payload.milestones,
        actor=request.user,
    )
    return Status(201, _one_cell(request, target))


@router.patch("/targets/{int:target_id}", response={200: TargetOut, 409: StaleOut})
def edit_target(request, target_id: Id, payload: TargetPatch):
    target = get_object_or_404(UnitTarget.objects.select_related("indicator", "unit"), pk=target_id)
    services.set_target(
        target.indicator,
        target.unit,
        target=payload.target,
        milestones=payload.milestones,
        actor=request.user,
        expected_version=payload.version,
    )
    return _one_cell(request, target)


# Actuals


class ActualIn(Schema):
    target_id: Id
    month: Month
    value: Value
    note: Note = ""


class ActualPatch(Schema):
    version: int
    value: Value
    note: Note = ""


class ActualReviewIn(Schema):
    version: int
    approve: bool
    reason: Note = ""


class ActualOut(Schema):
    id: int
    target_id: int
    indicator_id: int
    indicator: str
    unit_id: int
    unit: str
    month: int
    value: Decimal
    computed: bool
    state: str  # submitted, approved, returned
    note: str
    evidence: bool
    return_reason: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    version: int


def _actual_out(a: Actual) -> dict:
    return {
        "id": a.pk,
        "target_id": a.unit_target_id,
        "indicator_id": a.unit_target.indicator_id,
        "indicator": a.unit_target.indicator.name,
        "unit_id": a.unit_target.unit_id,
        "unit": a.unit_target.unit.name,
        "month": a.month,
        "value": a.value,
        "computed": a.computed,
        "state": a.state,
        "note": a.note,
        "evidence": bool(a.evidence),
        "return_reason": a.return_reason,
        "submitted_at": a.submitted_at,
        "reviewed_at": a.reviewed_at,
        "version": a.version,
    }


def _actuals(user):
    return queries.visible_actuals(user).select_related("unit_target__indicator", "unit_target__unit")


@router.get("/actuals", response=page_of(ActualOut), summary="Monthly actuals the user sees")
@paginate(Pages, default=100, most=1000)
def list_actuals(
    request,
    year: Year | None = None,
    state: str | None = None,
    unit_id: Id | None = None,
    indicator_id: Id | None = None,
    month: Month | None = None,
):
    _viewer(request)
    rows = _actuals(request.user).order_by(
        "unit_target__indicator__order", "unit_target__unit__name", "month"
    )
    if year is not None:
        rows = rows.filter(unit_target__indicator__year=year)
    if state:
        rows = rows.filter(state=state)
    if unit_id is not None:
        rows = rows.filter(unit_target__unit_id=unit_id)
    if indicator_id is not None:
        rows = rows.filter(unit_target__indicator_id=indicator_id)
    if month is not None:
        rows = rows.filter(month=month)
    return Rows(rows, _actual_out)


@router.get("/actuals/{int:actual_id}", response=ActualOut)
def get_actual(request, actual_id: Id):
    _viewer(request)
    return _actual_out(get_object_or_404(_actuals(request.user), pk=actual_id))


@router.post(
    "/actuals",
    response={201: ActualOut, 409: StaleOut},
    summary="Enter a unit's actual to the end of a month (cumulative); it is submitted for review",
)
def create_actual(request, payload: ActualIn):
    target = get_object_or_404(queries.visible_targets(request.user), pk=payload.target_id)
    actual = services.enter_actual(
        target, payload.month, value=payload.value, note=payload.note, actor=request.user
    )
    return Status(201, _actual_out(get_object_or_404(_actuals(request.user), pk=actual.pk)))


@router.patch(
    "/actuals/{int:actual_id}",
    response={200: ActualOut, 409: StaleOut},
    summary="Change a submitted or returned actual (from its version); it is submitted again",
)
def edit_actual(request, actual_id: Id, payload: ActualPatch):
    actual = get_object_or_404(_actuals(request.user), pk=actual_id)
    services.enter_actual(
        actual.unit_target,
        actual.month,
        value=payload.value,
        note=payload.note,
        actor=request.user,
        expected_version=payload.version,
    )
    return _actual_out(get_object_or_404(_actuals(request.user), pk=actual_id))


@router.post(
    "/actuals/{int:actual_id}/review",
    response={200: ActualOut, 409: StaleOut},
    summary="Approve an actual, or return it with the reason (office)",
)
def review_actual(request, actual_id: Id, payload: ActualReviewIn):
    actual = get_object_or_404(_actuals(request.user), pk=actual_id)
    services.review_actual(
        actual,
        approve=payload.approve,
        reason=payload.reason,
        actor=request.user,
        expected_version=payload.version,
    )
    return _actual_out(get_object_or_404(_actuals(request.user), pk=actual_id))


# Contracts


class ContractOut(Schema):
    id: int
    unit_id: int
    unit: str
    year: int
    state: str  # draft, issued, signed
    number: str
    rules: dict
    issued_at: datetime | None
    signed_at: datetime | None
    signed_scan: bool
    version: int


def _contract_out(c: Contract) -> dict:
    return {
        "id": c.pk,
        "unit_id": c.unit_id,
        "unit": c.unit.name,
        "year": c.year,
        "state": c.state,
        "number": c.number,
        "rules": c.rules,
        "issued_at": c.issued_at,
        "signed_at": c.signed_at,
        "signed_scan": bool(c.scan),
        "version": c.version,
    }


@router.get("/contracts", response=page_of(ContractOut), summary="Contracts the user sees")
@paginate(Pages, default=100, most=1000)
def list_contracts(request, year: Year | None = None, state: str | None = None):
    rows = queries.visible_contracts(request.user).defer("content").order_by("-year", "unit__name")
    if year is not None:
        rows = rows.filter(year=year)
    if state:
        rows = rows.filter(state=state)
    return Rows(rows, _contract_out)


@router.get("/contracts/{int:contract_id}", response=ContractOut)
def get_contract(request, contract_id: Id):
    return _contract_out(
        get_object_or_404(queries.visible_contracts(request.user).defer("content"), pk=contract_id)
    )


class ContractIn(Schema):
    unit_id: Id
    year: Year
    rules: dict | None = None  # {currency, indicators: [{indicator, reward, …}]}; the default rules when None


class ContractPatch(Schema):
    version: int
    rules: dict


class ContractVersionIn(Schema):
    version: int


@router.post("/contracts", response={201: ContractOut}, summary="Draft a unit's contract of a year (office)")
def create_contract(request, payload: ContractIn):
    contract = services.create_contract(
        get_object_or_404(Unit, pk=payload.unit_id), payload.year, actor=request.user, rules=payload.rules
    )
    return Status(201, _contract_out(contract))


@router.patch(
    "/contracts/{int:contract_id}",
    response={200: ContractOut, 409: StaleOut},
    summary="Change a draft contract's rules (office)",
)
def edit_contract(request, contract_id: Id, payload: ContractPatch):
    contract = get_object_or_404(Contract.objects.select_related("unit").defer("content"), pk=contract_id)
    return _contract_out(
        services.update_contract(
            contract, rules=payload.rules, actor=request.user, expected_version=payload.version
        )
    )


@router.post(
    "/contracts/{int:contract_id}/issue",
    response={200: ContractOut, 409: StaleOut},
    summary="Issue a draft contract: numbered, its .docx rendered and kept (office)",
)
def issue_contract(request, contract_id: Id, payload: ContractVersionIn):
    contract = get_object_or_404(Contract.objects.select_related("unit"), pk=contract_id)
    return _contract_out(
        services.issue_contract(contract, actor=request.user, expected_version=payload.version)
    )


@router.get("/contracts/{int:contract_id}/docx", summary="The contract as issued (.docx)")
def contract_docx(request, contract_id: Id):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=contract_id)
    if not contract.content:
        raise ValidationError(_("责任书尚未下达，还没有文件。"), code="state")
    return attachment(bytes(contract.content), f"{contract.year}年{contract.unit.name}目标责任书.docx")


# Settlements


class SettlementIn(Schema):
    year: Year
    through_month: Month = 12
    reason: Annotated[FormText, Field(max_length=300)] = ""
    version: int | None = None  # the year's draft's, when computing it again


class SettlementVersionIn(Schema):
    version: int


class SettlementItem(Schema):
    indicator: int
    name: str
    rule: str  # reward, bonus, penalty, penalty_per_percent, veto, none
    amount: Decimal
    completion: Decimal | None
    text: str


class SettlementLineOut(Schema):
    unit_id: int
    unit: str
    currency: str  # money (yuan) or points
    reward: Decimal
    penalty: Decimal
    total: Decimal
    vetoed: bool
    items: list[SettlementItem]


class SettlementOut(Schema):
    id: int
    year: int
    through_month: int
    revision: int
    supersedes_id: int | None
    reason: str
    state: str  # draft, published, superseded
    created_at: datetime
    published_at: datetime | None
    version: int
    lines: list[SettlementLineOut]


def _settlement_out(s: Settlement, user) -> dict:
    return {
        "id": s.pk,
        "year": s.year,
        "through_month": s.through_month,
        "revision": s.revision,
        "supersedes_id": s.supersedes_id,
        "reason": s.reason,
        "state": s.state,
        "created_at": s.created_at,
        "published_at": s.published_at,
        "version": s.version,
        "lines": [
            {
                "unit_id": line.unit_id,
                "unit": line.unit_name,
                "currency": line.currency,
                "reward": line.reward,
                "penalty": line.penalty,
                "total": line.total,
                "vetoed": line.vetoed,
                "items": line.items,
            }
            for line in queries.settlement_lines(s, user)
        ],
    }


@router.get("/settlements", response=page_of(SettlementOut), summary="Settlements (兑现), latest first")
@paginate(Pages, default=20, most=100)
def list_settlements(request, year: Year | None = None):
    rows = queries.visible_settlements(request.user).order_by("-year", "-revision")
    if year is not None:
        rows = rows.filter(year=year)
    return Rows(rows, lambda s: _settlement_out(s, request.user))


@router.get("/settlements/{int:settlement_id}", response=SettlementOut)
def get_settlement(request, settlement_id: Id):
    s = get_object_or_404(queries.visible_settlements(request.user), pk=settlement_id)
    return _settlement_out(s, request.user)


@router.post(
    "/settlements",
    response={202: TaskStarted, 409: StaleOut},
    summary="Compute a year's settlement in the background (the draft again from its version, or a new revision "
    "with a reason after publishing); follow the task, whose result names the settlement",
)
def run_settlement(request, payload: SettlementIn):
    return accepted(
        services.start_settlement(
            payload.year,
            actor=request.user,
            through_month=payload.through_month,
            reason=payload.reason,
            expected_version=payload.version,
        )
    )


@router.post(
    "/settlements/{int:settlement_id}/publish",
    response={200: SettlementOut, 409: StaleOut},
    summary="Publish a draft settlement (office)",
)
def publish_settlement(request, settlement_id: Id, payload: SettlementVersionIn):
    s = get_object_or_404(queries.visible_settlements(request.user), pk=settlement_id)
    return _settlement_out(
        services.publish_settlement(s, actor=request.user, expected_version=payload.version), request.user
    )
