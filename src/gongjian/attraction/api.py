"""Attraction in the JSON API, under /api/v1/attraction/: trips, leads (with their moves through the five links),
their steps and tranches, and the funnel by unit and link with targets and rates — all through the attraction
services (which check permissions, scope and versions, and audit)."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel, Field

from gongjian.attraction import queries, services
from gongjian.attraction.choices import Chain, Currency, Metric
from gongjian.attraction.models import Lead, LeadStep, Tranche, Trip
from gongjian.core.bounds import Count, Day, Id, Year, Yuan
from gongjian.core.identifiers import mask_name, mask_phone
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.models import Project

router = Router(tags=["attraction"])

Text = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=5000)]
Month = Annotated[int, Field(ge=1, le=12, description="截至月份（1–12）")]
Rate = Annotated[
    Decimal, Field(gt=0, lt=1000, max_digits=12, decimal_places=6, description="汇率（元/原币）")
]


def _viewer(request, what: str = "lead") -> None:
    if not request.user.has_perm(f"attraction.view_{what}"):
        raise PermissionDenied(_("没有查看招商引资信息的权限。"))


class TripIn(Schema):
    unit_id: Id
    start_date: Day
    end_date: Day
    destination: Text
    leader_id: Id | None = None
    delegation_ids: list[Id] = []
    unit_ids: list[Id] = []
    companies: LongText = ""
    cost: Yuan = 0
    notes: LongText = ""


class TripPatch(Schema):
    version: int
    start_date: Day | None = None
    end_date: Day | None = None
    destination: Text | None = None
    companies: LongText | None = None
    cost: Yuan | None = None
    notes: LongText | None = None
    delegation_ids: list[Id] | None = None


class TripOut(Schema):
    id: int
    unit_id: int
    unit: str
    start_date: date
    end_date: date
    destination: str
    leader: str
    delegation: list[str]
    companies: list[str]
    cost: int
    notes: str
    lead_ids: list[int]
    version: int


def _trip_out(trip: Trip) -> dict:
    return {
        "id": trip.pk,
        "unit_id": trip.unit_id,
        "unit": trip.unit.name,
        "start_date": trip.start_date,
        "end_date": trip.end_date,
        "destination": trip.destination,
        "leader": trip.leader.name if trip.leader else "",
        "delegation": [p.name for p in trip.delegation.all()],
        "companies": trip.company_list,
        "cost": trip.cost,
        "notes": trip.notes,
        "lead_ids": [lead.pk for lead in trip.leads.all()],
        "version": trip.version,
    }


def _trips(user):
    return (
        queries.visible_trips(user).select_related("unit", "leader").prefetch_related("delegation", "leads")
    )


@router.get("/trips", response=page_of(TripOut), summary="Trips out (外出招商) the user sees, latest first")
@paginate(Pages)
def list_trips(request, unit_id: Id | None = None, year: Year | None = None):
    _viewer(request, "trip")
    trips = _trips(request.user).order_by("-start_date", "-id")
    if unit_id:
        trips = trips.filter(unit_id=unit_id)
    if year:
        trips = trips.filter(start_date__year=year)
    return Rows(trips, _trip_out)


@router.get("/trips/{int:trip_id}", response=TripOut)
def get_trip(request, trip_id: int):
    _viewer(request, "trip")
    return _trip_out(get_object_or_404(_trips(request.user), pk=trip_id))


@router.post("/trips", response={201: TripOut}, summary="Record a trip out")
def create_trip(request, payload: TripIn):
    trip = services.create_trip(
        actor=request.user,
        unit=get_object_or_404(Unit, pk=payload.unit_id),
        start_date=payload.start_date,
        end_date=payload.end_date,
        destination=payload.destination,
        leader=get_object_or_404(Person, pk=payload.leader_id) if payload.leader_id else None,
        delegation=list(Person.objects.filter(pk__in=payload.delegation_ids)),
        units=list(Unit.objects.filter(pk__in=payload.unit_ids)),
        companies=payload.companies,
        cost=payload.cost,
        notes=payload.notes,
    )
    return Status(201, _trip_out(get_object_or_404(_trips(request.user), pk=trip.pk)))


@router.patch("/trips/{int:trip_id}", response={200: TripOut, 409: StaleOut}, summary="Edit a trip")
def edit_trip(request, trip_id: int, payload: TripPatch):
    trip = get_object_or_404(queries.visible_trips(request.user), pk=trip_id)
    fields = payload.dict(exclude_none=True)
    version = fields.pop("version")
    if "delegation_ids" in fields:
        fields["delegation"] = list(Person.objects.filter(pk__in=fields.pop("delegation_ids")))
    services.update_trip(trip, actor=request.user, expected_version=version, **fields)
    return _trip_out(get_object_or_404(_trips(request.user), pk=trip_id))


class LeadIn(Schema):
    name: Text
    investor: Text
    unit_id: Id
    credit_code: Annotated[str, Field(max_length=30)] = ""
    contact_name: Annotated[str, Field(max_length=50)] = ""
    contact_phone: Annotated[str, Field(max_length=20)] = ""
    chain: str = Chain.OTHER.value
    amount: Yuan = 0
    country: Annotated[str, Field(max_length=50)] = ""
    currency: str = Currency.CNY.value
    introducer_id: Id | None = None
    trip_id: Id | None = None
    found_on: Day | None = None
    next_step: Annotated[str, Field(max_length=300)] = ""


class LeadPatch(Schema):
    version: int
    name: Text | None = None
    investor: Text | None = None
    credit_code: Annotated[str, Field(max_length=30)] | None = None
    contact_name: Annotated[str, Field(max_length=50)] | None = None
    contact_phone: Annotated[str, Field(max_length=20)] | None = None
    chain: str | None = None
    amount: Yuan | None = None
    country: Annotated[str, Field(max_length=50)] | None = None
    currency: str | None = None
    introducer_id: Id | None = None
    next_step: Annotated[str, Field(max_length=300)] | None = None


class LeadOut(Schema):
    id: int
    name: str
    investor: str
    credit_code: str
    contact_name: str  # masked for anyone but the following unit
    contact_phone: str
    chain: str
    amount: int
    big: bool
    country: str
    currency: str
    introducer_id: int | None
    introducer: str
    unit_id: int
    unit: str
    trip_id: int | None
    found_on: date
    next_step: str
    stage: str
    stage_label: str
    drop_reason: str
    signed_on: date | None
    signed_amount: int | None
    funded_on: date | None
    started_on: date | None
    producing_on: date | None
    project_id: int | None
    last_step_on: date
    stalled: bool
    version: int


def _lead_out(user):
    def out(lead: Lead) -> dict:
        signing = getattr(lead, "signing", None)
        unmasked = queries.sees_contacts(user, lead)
        return {
            "id": lead.pk,
            "name": lead.name,
            "investor": lead.investor,
            "credit_code": lead.credit_code,
            "contact_name": lead.contact_name if unmasked else mask_name(lead.contact_name),
            "contact_phone": lead.contact_phone if unmasked else mask_phone(lead.contact_phone),
            "chain": lead.chain,
            "amount": lead.amount,
            "big": lead.is_big,
            "country": lead.country,
            "currency": lead.currency,
            "introducer_id": lead.introducer_id,
            "introducer": lead.introducer.name if lead.introducer else "",
            "unit_id": lead.unit_id,
            "unit": lead.unit.name,
            "trip_id": lead.trip_id,
            "found_on": lead.found_on,
            "next_step": lead.next_step,
            "stage": lead.stage,
            "stage_label": str(lead.get_stage_display()),
            "drop_reason": lead.drop_reason,
            "signed_on": lead.signed_on,
            "signed_amount": signing.amount if signing else None,
            "funded_on": lead.funded_on,
            "started_on": lead.started_on,
            "producing_on": lead.producing_on,
            "project_id": lead.project_id,
            "last_step_on": lead.last_step_on,
            "stalled": queries.is_stalled(lead),
            "version": lead.version,
        }

    return out


def _leads(user):
    return queries.visible_leads(user).select_related("unit", "introducer", "signing")


def _lead(request, lead_id: int) -> Lead:
    return get_object_or_404(_leads(request.user), pk=lead_id)


class LeadFilters(Schema):
    stage: str | None = None
    unit_id: Id | None = None
    chain: str | None = None
    year: Year | None = None
    stalled: bool | None = None
    q: Annotated[str, Field(max_length=100)] | None = None


@router.get("/leads", response=page_of(LeadOut), summary="Leads (意向项目) the user sees, filtered")
@paginate(Pages)
def list_leads(request, filters: Query[LeadFilters]):
    _viewer(request)
    params = {k: v for k, v in filters.dict().items() if v is not None}
    if "stalled" in params:
        params["stalled"] = "1" if params["stalled"] else ""
    leads = queries.filtered_leads(request.user, params).select_related("unit", "introducer", "signing")
    return Rows(leads.order_by("-found_on", "-id"), _lead_out(request.user))


@router.get("/leads/{int:lead_id}", response=LeadOut)
def get_lead(request, lead_id: int):
    _viewer(request)
    return _lead_out(request.user)(_lead(request, lead_id))


def _refs(payload: dict) -> dict:
    """The ids of a lead's payload as rows (404 for one that does not exist)."""
    if "unit_id" in payload:
        payload["unit"] = get_object_or_404(Unit, pk=payload.pop("unit_id"))
    if "introducer_id" in payload:
        pk = payload.pop("introducer_id")
        payload["introducer"] = get_object_or_404(Person, pk=pk) if pk else None
    if "trip_id" in payload:
        pk = payload.pop("trip_id")
        payload["trip"] = get_object_or_404(Trip, pk=pk) if pk else None
    return payload


@router.post("/leads", response={201: LeadOut}, summary="Register a lead at 洽谈")
def create_lead(request, payload: LeadIn):
    fields = _refs(payload.dict())
    if fields.get("found_on") is None:
        fields.pop("found_on")
    lead = services.create_lead(actor=request.user, **fields)
    return Status(201, _lead_out(request.user)(_lead(request, lead.pk)))


@router.patch("/leads/{int:lead_id}", response={200: LeadOut, 409: StaleOut}, summary="Edit a lead")
def edit_lead(request, lead_id: int, payload: LeadPatch):
    lead = _lead(request, lead_id)
    fields = _refs(payload.dict(exclude_unset=True))
    version = fields.pop("version")
    services.update_lead(lead, actor=request.user, expected_version=version, **fields)
    return _lead_out(request.user)(_lead(request, lead_id))


class SignIn(Schema):
    version: int  # the lead's
    on: Day
    amount: Yuan
    text: LongText = ""


class StartIn(Schema):
    version: int
    on: Day
    project_id: Id | None = None  # link to this registry project; without it a new one is registered
    region_code: Annotated[str, Field(max_length=12)] | None = (
        None  # for a new project when the unit has none
    )


class ProductionIn(Schema):
    version: int
    year: Year
    output_value: Yuan = 0
    tax: Yuan = 0
    jobs: Count = 0
    on: Day | None = None


class DropIn(Schema):
    version: int
    reason: LongText
    on: Day | None = None


@router.post("/leads/{int:lead_id}/sign", response={200: LeadOut, 409: StaleOut}, summary="项目签约")
def sign_lead(request, lead_id: int, payload: SignIn):
    services.sign_lead(
        _lead(request, lead_id),
        on=payload.on,
        amount=payload.amount,
        text=payload.text,
        actor=request.user,
        expected_version=payload.version,
    )
    return _lead_out(request.user)(_lead(request, lead_id))


@router.post("/leads/{int:lead_id}/start", response={200: LeadOut, 409: StaleOut}, summary="项目开工")
def start_lead(request, lead_id: int, payload: StartIn):
    project = get_object_or_404(Project, pk=payload.project_id) if payload.project_id else None
    extra = {}
    if payload.region_code:
        extra["region"] = get_object_or_404(Region, code=payload.region_code)
    services.start_lead(
        _lead(request, lead_id),
        on=payload.on,
        project=project,
        project_fields=extra,
        actor=request.user,
        expected_version=payload.version,
    )
    return _lead_out(request.user)(_lead(request, lead_id))


@router.post("/leads/{int:lead_id}/production", response={200: LeadOut, 409: StaleOut}, summary="投产达效")
def record_production(request, lead_id: int, payload: ProductionIn):
    services.record_production(
        _lead(request, lead_id),
        year=payload.year,
        output_value=payload.output_value,
        tax=payload.tax,
        jobs=payload.jobs,
        on=payload.on,
        actor=request.user,
        expected_version=payload.version,
    )
    return _lead_out(request.user)(_lead(request, lead_id))


@router.post("/leads/{int:lead_id}/drop", response={200: LeadOut, 409: StaleOut}, summary="终止项目")
def drop_lead(request, lead_id: int, payload: DropIn):
    services.drop_lead(
        _lead(request, lead_id),
        reason=payload.reason,
        on=payload.on,
        actor=request.user,
        expected_version=payload.version,
    )
    return _lead_out(request.user)(_lead(request, lead_id))


class LeadStepIn(Schema):
    version: int  # the lead's
    text: LongText
    on: Day | None = None
    next_step: Annotated[str, Field(max_length=300)] | None = None


class LeadStepPatch(Schema):
    version: int  # the step's
    text: LongText | None = None
    next_step: Annotated[str, Field(max_length=300)] | None = None


class LeadStepOut(Schema):
    id: int
    lead_id: int
    kind: str
    on: date
    text: str
    stage_from: str
    stage_to: str
    by: str
    next_step: str
    version: int


def _step_out(step: LeadStep) -> dict:
    return {
        "id": step.pk,
        "lead_id": step.lead_id,
        "kind": step.kind,
        "on": step.on,
        "text": step.text,
        "stage_from": step.stage_from,
        "stage_to": step.stage_to,
        "by": step.by.name if step.by else "",
        "next_step": step.next_step,
        "version": step.version,
    }


def _steps(user):
    return LeadStep.objects.filter(lead__in=queries.visible_leads(user).values("pk")).select_related("by")


@router.get("/steps", response=page_of(LeadStepOut), summary="Leads' history (follow-ups and moves)")
@paginate(Pages)
def list_steps(request, lead_id: Id | None = None, kind: str | None = None):
    _viewer(request)
    steps = _steps(request.user).order_by("lead_id", "on", "id")
    if lead_id:
        steps = steps.filter(lead_id=lead_id)
    if kind:
        steps = steps.filter(kind=kind)
    return Rows(steps, _step_out)


@router.get("/steps/{int:step_id}", response=LeadStepOut)
def get_step(request, step_id: int):
    _viewer(request)
    return _step_out(get_object_or_404(_steps(request.user), pk=step_id))


@router.post("/leads/{int:lead_id}/steps", response={201: LeadStepOut, 409: StaleOut}, summary="A follow-up")
def add_step(request, lead_id: int, payload: LeadStepIn):
    step = services.add_step(
        _lead(request, lead_id),
        text=payload.text,
        on=payload.on,
        next_step=payload.next_step,
        actor=request.user,
        expected_version=payload.version,
    )
    return Status(201, _step_out(step))


@router.patch(
    "/steps/{int:step_id}", response={200: LeadStepOut, 409: StaleOut}, summary="Correct a step's text"
)
def edit_step(request, step_id: int, payload: LeadStepPatch):
    step = get_object_or_404(_steps(request.user), pk=step_id)
    fields = payload.dict(exclude_none=True)
    version = fields.pop("version")
    step = services.update_step(step, actor=request.user, expected_version=version, **fields)
    return _step_out(step)


class TrancheIn(Schema):
    version: int  # the lead's
    date: Day
    amount: Yuan | None = None  # yuan, for domestic funds
    source: Annotated[str, Field(max_length=100)] = ""
    currency: str = Currency.CNY.value
    foreign_amount: Yuan | None = None  # in the original currency, for foreign capital
    rate: Rate | None = None
    usd_amount: Yuan | None = None  # US-dollar value, when the currency is not USD


class TranchePatch(Schema):
    version: int  # the tranche's
    date: Day | None = None
    amount: Yuan | None = None
    source: Annotated[str, Field(max_length=100)] | None = None
    currency: str | None = None
    foreign_amount: Yuan | None = None
    rate: Rate | None = None
    usd_amount: Yuan | None = None


class TrancheOut(Schema):
    id: int
    lead_id: int
    lead: str
    unit_id: int
    date: date
    amount: int
    source: str
    currency: str
    foreign_amount: int | None
    rate: Decimal | None
    usd_amount: int | None
    foreign: bool
    has_evidence: bool
    version: int


def _tranche_out(t: Tranche) -> dict:
    return {
        "id": t.pk,
        "lead_id": t.lead_id,
        "lead": t.lead.name,
        "unit_id": t.lead.unit_id,
        "date": t.date,
        "amount": t.amount,
        "source": t.source,
        "currency": t.currency,
        "foreign_amount": t.foreign_amount,
        "rate": t.rate,
        "usd_amount": t.usd_amount,
        "foreign": t.is_foreign,
        "has_evidence": bool(t.evidence),
        "version": t.version,
    }


def _tranches(user):
    return queries.visible_tranches(user).select_related("lead")


@router.get("/tranches", response=page_of(TrancheOut), summary="Funds in place (资金到位)")
@paginate(Pages)
def list_tranches(
    request,
    lead_id: Id | None = None,
    unit_id: Id | None = None,
    year: Year | None = None,
    foreign: bool | None = None,
):
    _viewer(request, "tranche")
    tranches = _tranches(request.user).order_by("-date", "-id")
    if lead_id:
        tranches = tranches.filter(lead_id=lead_id)
    if unit_id:
        tranches = tranches.filter(unit_id=unit_id)
    if year:
        tranches = tranches.filter(date__year=year)
    if foreign is not None:
        tranches = tranches.exclude(currency="CNY") if foreign else tranches.filter(currency="CNY")
    return Rows(tranches, _tranche_out)


@router.get("/tranches/{int:tranche_id}", response=TrancheOut)
def get_tranche(request, tranche_id: int):
    _viewer(request, "tranche")
    return _tranche_out(get_object_or_404(_tranches(request.user), pk=tranche_id))


@router.post("/leads/{int:lead_id}/tranches", response={201: TrancheOut, 409: StaleOut}, summary="资金到位")
def add_tranche(request, lead_id: int, payload: TrancheIn):
    fields = payload.dict()
    version = fields.pop("version")
    tranche = services.add_tranche(
        _lead(request, lead_id), actor=request.user, expected_version=version, **fields
    )
    return Status(201, _tranche_out(tranche))


@router.patch(
    "/tranches/{int:tranche_id}", response={200: TrancheOut, 409: StaleOut}, summary="Edit a tranche"
)
def edit_tranche(request, tranche_id: int, payload: TranchePatch):
    tranche = get_object_or_404(_tranches(request.user), pk=tranche_id)
    fields = payload.dict(exclude_none=True)
    version = fields.pop("version")
    tranche = services.update_tranche(tranche, actor=request.user, expected_version=version, **fields)
    return _tranche_out(tranche)


# The funnel's answer is plain pydantic models, built and validated in one pass by pydantic's core: a funnel of 500
# units holds 4,500 link figures, and ninja's Schema reads each nested object through its attribute getter (the
# answer took 60 ms of Python that way, more than the five queries under it).
class LinkFigure(BaseModel):
    value: int
    target: int | None
    rate: float | None  # percent
    rank: int | None


class FunnelUnitOut(BaseModel):
    unit_id: int
    unit: str
    links: dict[str, LinkFigure]  # by metric key: trips, leads, signed_count, signed_amount, funds_amount, …
    overall_rate: float | None
    overall_rank: int | None


class FunnelOut(BaseModel):
    year: int
    through_month: int
    metrics: dict[str, str]  # metric key → its label
    units: list[FunnelUnitOut]
    total: dict[str, LinkFigure]


@router.get(
    "/funnel", response=FunnelOut, summary="The five links by unit: figures, targets, rates and ranks"
)
def funnel(request, year: Year, through_month: Month | None = None):
    _viewer(request)
    data = queries.funnel(request.user, year, through_month)

    def links(row, ranked: bool = True) -> dict:
        return {
            m: {
                "value": row.values[m],
                "target": row.targets.get(m),
                "rate": row.rates[m],
                "rank": row.ranks.get(m) if ranked else None,
            }
            for m in data.metrics
        }

    return FunnelOut.model_validate(
        {
            "year": data.year,
            "through_month": data.through_month,
            "metrics": {m: str(Metric(m).label) for m in data.metrics},
            "units": [
                {
                    "unit_id": r.unit_id,
                    "unit": r.unit,
                    "links": links(r),
                    "overall_rate": r.overall,
                    "overall_rank": r.overall_rank,
                }
                for r in data.rows
            ],
            "total": links(data.total, ranked=False),
        }
    )


class MonthOut(Schema):
    month: int
    value: int  # the month's own figure (yuan, US dollars or a count, as the link)
    cumulative: int  # January to the month's end
    rate: float | None  # the cumulative figure against the year's target, percent


class MonthlyLinkOut(Schema):
    metric: str
    label: str
    target: int | None  # the year's target (the chosen unit's, or the sum of the units')
    months: list[MonthOut]


class MonthlyOut(Schema):
    year: int
    through_month: int
    unit_id: int | None  # None: every unit the reader sees, summed
    unit: str
    links: list[MonthlyLinkOut]


@router.get(
    "/funnel/monthly",
    response=MonthlyOut,
    summary="Monthly completion: each month's figure, the cumulative figure at its end and its rate against "
    "the year's target, for one unit (or every unit the reader sees) and one link (or every one)",
)
def funnel_monthly(
    request,
    year: Year,
    unit: Id | None = None,
    link: str | None = None,
    through_month: Month | None = None,
):
    _viewer(request)
    try:
        data = queries.monthly_completion(
            request.user, year, unit_id=unit, metric=link, through_month=through_month
        )
    except Unit.DoesNotExist:
        raise Http404(_("没有这个单位，或不在您的查看范围内。")) from None
    return {
        "year": data.year,
        "through_month": data.through_month,
        "unit_id": data.unit_id,
        "unit": data.unit,
        "links": [
            {
                "metric": link.metric,
                "label": str(Metric(link.metric).label),
                "target": link.target,
                "months": [vars(f) for f in link.months],
            }
            for link in data.links
        ],
    }
