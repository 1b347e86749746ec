"""Land acquisition in the JSON API (/api/v1/land/): tasks, their standards, the household ledger (masked unless
the reader is entitled; a full read is audited), agreements with the headquarters' approval of a deviation, and
the fairness audit — through the same services and reach (``land.access``) as the pages."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from gongjian.core import audit
from gongjian.core.bounds import Day, Id
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.land import access, queries, services
from gongjian.land.models import Agreement, Household, Task

router = Router(tags=["land"])

Area = Decimal  # checked by the services: 0 to 100,000 with two decimals, the field named in the error


class LandVillageIn(Schema):
    name: str = Field(max_length=100)
    groups: list[str] = Field(default_factory=list, max_length=50)
    leader_id: Id | None = None
    region_id: Id | None = None


class LandVillageOut(Schema):
    id: int
    name: str
    groups: list[str]
    leader: str
    total: int
    signed: int
    moved: int
    cadre: int
    cadre_signed: int


class LandProgressOut(Schema):
    total: int
    signed: int
    moved: int
    percent: int
    cadre: int
    cadre_signed: int
    cadre_overdue: int  # cadre households not signed after the task's set days
    cadre_deadline: date | None


class LandWallListOut(Schema):
    """A village's current wall list (公开上墙): its number and where the public reads it and prints it."""

    village_id: int
    village: str
    number: int
    published_at: datetime
    reason: str
    url: str
    pdf_url: str
    docx_url: str


class LandTaskOut(Schema):
    id: int
    name: str
    project_id: int | None
    park_id: int | None
    park: str
    team_id: int
    team: str
    area_mu: Decimal
    deadline: date | None
    legal_basis: str
    announcement_number: str
    announcement_date: date | None
    cadre_first_days: int
    state: str
    state_label: str
    standard_version: int | None
    progress: LandProgressOut
    villages: list[LandVillageOut]
    public_url: str | None  # the task's public page (网上公示), once a list is published
    wall_lists: list[LandWallListOut]
    version: int


class LandTaskIn(Schema):
    name: str = Field(max_length=200)
    project_id: Id | None = None
    park_id: Id | None = None
    team_id: Id
    area_mu: Decimal = Field(ge=0, le=100000, max_digits=12, decimal_places=2)
    deadline: Day | None = None
    legal_basis: str = ""
    announcement_number: str = Field("", max_length=100)
    announcement_date: Day | None = None
    cadre_first_days: int = Field(15, ge=1, le=365)
    villages: list[LandVillageIn] = Field(default_factory=list, max_length=100)


class LandTaskPatch(Schema):
    version: int
    name: str | None = Field(None, max_length=200)
    area_mu: Decimal | None = Field(None, ge=0, le=100000, max_digits=12, decimal_places=2)
    deadline: Day | None = None
    legal_basis: str | None = None
    announcement_number: str | None = Field(None, max_length=100)
    announcement_date: Day | None = None
    cadre_first_days: int | None = Field(None, ge=1, le=365)
    state: str | None = None


class CompensationStandardIn(Schema):
    name: str = Field(max_length=200)
    document_number: str = Field("", max_length=100)
    note: str = Field("", max_length=300)
    content: dict[str, Any]


class CompensationStandardOut(Schema):
    id: int
    version: int
    name: str
    document_number: str
    note: str
    content: dict[str, Any]
    created_at: datetime


class HouseholdMemberIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=30)
    relation: str


class LandParcelIn(Schema):
    category: str
    area_mu: Area


class LandBuildingIn(Schema):
    grade: str
    area: Area
    legal: bool = True
    note: str = Field("", max_length=200)


class LandAttachmentIn(Schema):
    kind: str
    count: int


class HouseholdIn(Schema):
    village_id: Id
    group: str = ""
    number: str = Field(max_length=30)
    head_name: str = Field(max_length=50)
    head_id_number: str = Field(max_length=30)
    cadre_relation: str = ""
    cadre_id: Id | None = None
    cadre_note: str = Field("", max_length=100)
    business_name: str = Field("", max_length=200)
    business_area: Area = Decimal(0)
    appraiser: str = Field("", max_length=200)
    appraiser_registration: str = Field("", max_length=100)
    appraised_on: Day | None = None
    appraised_amount: int | None = None
    note: str = Field("", max_length=300)
    members: list[HouseholdMemberIn] = Field(default_factory=list, max_length=30)
    parcels: list[LandParcelIn] = Field(default_factory=list, max_length=100)
    buildings: list[LandBuildingIn] = Field(default_factory=list, max_length=100)
    attachments: list[LandAttachmentIn] = Field(default_factory=list, max_length=100)


class HouseholdPut(HouseholdIn):
    version: int


class LedgerRowOut(Schema):
    id: int
    number: str
    village_id: int
    village: str
    group: str
    head_name: str
    head_id_number: str
    persons: int
    cadre_relation: str
    relation_label: str
    land_mu: Decimal
    legal_area: Decimal
    illegal_area: Decimal
    computed_total: int | None
    agreed_total: int | None
    deviation: int
    agreement_state: str
    signed_on: date | None
    moved_on: date | None
    demolished_on: date | None
    handed_over_on: date | None
    version: int


class CompensationLineOut(Schema):
    item: str
    basis: str
    quantity: str
    rate: int
    amount: int
    rule: str


class AgreementOut(Schema):
    id: int
    number: str
    household_id: int
    standard_version: int
    option: str
    housing_area: Decimal
    computed_on: date
    computed_total: int
    agreed_total: int
    deviation: int
    deviation_reason: str
    state: str
    state_label: str
    approved_by: str
    approved_at: datetime | None
    approval_note: str
    signed_on: date | None
    lines: list[CompensationLineOut]
    version: int


class HouseholdMemberOut(Schema):
    name: str
    id_number: str
    relation: str


class HouseholdOut(Schema):
    id: int
    task_id: int
    village_id: int
    village: str
    group: str
    number: str
    head_name: str
    head_id_number: str
    masked: bool  # the names and ID numbers are masked for this reader
    cadre_relation: str
    cadre: str
    cadre_note: str
    members: list[HouseholdMemberOut]
    parcels: list[dict[str, Any]]
    buildings: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    business_name: str
    business_area: Decimal
    appraiser: str
    appraiser_registration: str
    appraised_on: date | None
    appraised_amount: int | None
    signed_on: date | None
    moved_on: date | None
    demolished_on: date | None
    handed_over_on: date | None
    standard_lines: list[
        CompensationLineOut
    ]  # computed now under the current standard (money option, today's reward)
    standard_total: int | None
    agreement: AgreementOut | None
    version: int


class AgreementIn(Schema):
    option: str = "money"
    housing_area: Area = Decimal(0)
    signed_on: Day | None = None  # the planned signing date (today when left out)
    agreed_total: int | None = None  # left out: the standard's amount
    deviation_reason: str = Field("", max_length=2000)
    version: int | None = None  # the agreement's, when redrafting one


class DeviationApprovalIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)
    version: int


class AgreementSignIn(Schema):
    signed_on: Day
    version: int


class FairnessAuditOut(Schema):
    task_id: int
    counts: dict[str, int]
    deviations: list[dict[str, Any]]
    similar_paid_differently: list[dict[str, Any]]
    late_paid_more: list[dict[str, Any]]


def _viewer(request) -> None:
    if not request.user.has_perm("land.view_task"):
        raise PermissionDenied(_("没有查看征地拆迁台账的权限。"))


def _task(request, task_id: int) -> Task:
    _viewer(request)
    return get_object_or_404(access.tasks_for(request.user), pk=task_id)


def _household(request, household_id: int) -> Household:
    _viewer(request)
    visible = access.tasks_for(request.user)
    return get_object_or_404(
        Household.objects.select_related("task__team", "village", "cadre"), pk=household_id, task__in=visible
    )


def _walls_out(request, task: Task) -> tuple[str | None, list[dict[str, Any]]]:
    walls = queries.latest_walls(task)
    if not walls:
        return None, []
    url = request.build_absolute_uri
    return url(reverse("land:public_task", args=[task.pk])), [
        {
            "village_id": w.village_id,
            "village": w.village.name,
            "number": w.number,
            "published_at": w.published_at,
            "reason": w.reason,
            "url": url(reverse("land:public_wall", args=[w.pk])),
            "pdf_url": url(reverse("land:wall_pdf", args=[w.pk])),
            "docx_url": url(reverse("land:wall_docx", args=[w.pk])),
        }
        for w in walls
    ]


def _task_out(task: Task, request) -> dict[str, Any]:
    counts = queries.progress(task)
    public_url, walls = _walls_out(request, task)
    kept = services.current_standard(task)
    return {
        "id": task.pk,
        "name": task.name,
        "project_id": task.project_id,
        "park_id": task.park_id,
        "park": task.park.name if task.park else "",
        "team_id": task.team_id,
        "team": task.team.name,
        "area_mu": task.area_mu,
        "deadline": task.deadline,
        "legal_basis": task.legal_basis,
        "announcement_number": task.announcement_number,
        "announcement_date": task.announcement_date,
        "cadre_first_days": task.cadre_first_days,
        "state": task.state,
        "state_label": task.get_state_display(),
        "standard_version": kept.version if kept else None,
        "progress": {
            **{k: counts[k] for k in ("total", "signed", "moved", "percent", "cadre", "cadre_signed")},
            "cadre_overdue": counts["overdue"],
            "cadre_deadline": counts["deadline"],
        },
        "villages": [
            {**v, "leader": v.pop("leader__name") or "", "groups": []} for v in queries.by_village(task)
        ],
        "public_url": public_url,
        "wall_lists": walls,
        "version": task.version,
    }


@router.get(
    "/tasks", response=page_of(LandTaskOut), summary="Acquisition tasks the user sees, with their progress"
)
@paginate(Pages, default=50, most=200)
def list_tasks(request):
    _viewer(request)
    return Rows(access.tasks_for(request.user).order_by("-id"), lambda task: _task_out(task, request))


@router.post("/tasks", response={201: LandTaskOut}, summary="Create an acquisition task with its villages")
def create_task(request, payload: LandTaskIn):
    data = payload.dict()
    villages = data.pop("villages")
    task = services.create_task(actor=request.user, villages=villages, **data)
    return Status(201, _task_out(task, request))


@router.get("/tasks/{int:task_id}", response=LandTaskOut)
def get_task(request, task_id: int):
    return _task_out(_task(request, task_id), request)


@router.patch("/tasks/{int:task_id}", response={200: LandTaskOut, 409: StaleOut}, summary="Edit a task")
def edit_task(request, task_id: int, payload: LandTaskPatch):
    task = _task(request, task_id)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    return _task_out(services.update_task(task, actor=request.user, version=version, **fields), request)


class CompensationStandardsOut(Schema):
    items: list[
        CompensationStandardOut
    ]  # a task's few versions: all of them, in an object as every answer is


@router.get(
    "/tasks/{int:task_id}/standards",
    response=CompensationStandardsOut,
    summary="The standard's versions, newest first",
)
def list_standards(request, task_id: int):
    task = _task(request, task_id)
    return {"items": list(task.standards.order_by("-version"))}


@router.post(
    "/tasks/{int:task_id}/standards",
    response={201: CompensationStandardOut},
    summary="Add a version of the standard",
)
def add_standard(request, task_id: int, payload: CompensationStandardIn):
    task = _task(request, task_id)
    return Status(201, services.add_standard(task, actor=request.user, **payload.dict()))


@router.get(
    "/tasks/{int:task_id}/households",
    response=page_of(LedgerRowOut),
    summary="The ledger: masked unless the reader is the task's team, the office or the auditor (then audited)",
)
@paginate(Pages, default=100, most=500)
def list_households(
    request,
    task_id: int,
    village_id: Id | None = None,
    signed: bool | None = None,
    cadre: bool | None = None,
    deviation: bool | None = None,
    overdue: bool | None = None,
):
    task = _task(request, task_id)
    full = access.reads_in_full(request.user, task)
    filters = queries.LedgerFilters(village_id, signed, cadre, deviation, overdue)

    class _Ledger:
        def __len__(self) -> int:
            return queries.ledger_count(task, filters)

        def __getitem__(self, window: slice) -> list[dict[str, Any]]:
            rows = queries.ledger(
                task,
                filters,
                full=full,
                offset=window.start or 0,
                limit=(window.stop or 0) - (window.start or 0),
            )
            if full and rows:
                audit.record(
                    "land.ledger.read",
                    actor=request.user,
                    obj=task,
                    note=_("查看未脱敏的台账 %(n)d 户") % {"n": len(rows)},
                    after={"households": [r["id"] for r in rows]},
                    ip_address=audit.client_ip(request),
                )
            return rows

    def out(r: dict[str, Any]) -> dict[str, Any]:
        return {
            **r,
            "village": r["village__name"],
            "computed_total": r["agreement__computed_total"],
            "agreed_total": r["agreement__agreed_total"],
            "agreement_state": r["agreement__state"] or "",
        }

    return Rows(_Ledger(), out)


@router.post(
    "/tasks/{int:task_id}/households", response={201: HouseholdOut}, summary="Add a household to the ledger"
)
def create_household(request, task_id: int, payload: HouseholdIn):
    task = _task(request, task_id)
    household = services.save_household(task, payload.dict(), actor=request.user)
    return Status(201, queries.household_view(household, access.reads_in_full(request.user, task)))


@router.get(
    "/households/{int:household_id}", response=HouseholdOut, summary="A household (a full read is audited)"
)
def get_household(request, household_id: int):
    household = _household(request, household_id)
    full = services.read_household(household, actor=request.user, request_ip=audit.client_ip(request))
    return queries.household_view(household, full)


@router.put(
    "/households/{int:household_id}",
    response={200: HouseholdOut, 409: StaleOut},
    summary="Replace a household's facts",
)
def edit_household(request, household_id: int, payload: HouseholdPut):
    household = _household(request, household_id)
    data = payload.dict()
    version = data.pop("version")
    household = services.save_household(
        household.task, data, actor=request.user, household=household, version=version
    )
    return queries.household_view(household, access.reads_in_full(request.user, household.task))


@router.post(
    "/households/{int:household_id}/agreement",
    response={200: AgreementOut, 409: StaleOut},
    summary="Draft the household's agreement: the standard's amount, or a deviation with its reason",
)
def draft_agreement(request, household_id: int, payload: AgreementIn):
    household = _household(request, household_id)
    agreement = services.draft_agreement(household, actor=request.user, **payload.dict())
    return queries.agreement_view(agreement)


def _agreement(request, agreement_id: int) -> Agreement:
    _viewer(request)
    return get_object_or_404(
        Agreement.objects.select_related("household__task__team", "standard", "approved_by"),
        pk=agreement_id,
        household__task__in=access.tasks_for(request.user),
    )


@router.post(
    "/agreements/{int:agreement_id}/approval",
    response={200: AgreementOut, 409: StaleOut},
    summary="The headquarters approves or refuses a deviation",
)
def decide_deviation(request, agreement_id: int, payload: DeviationApprovalIn):
    agreement = services.decide_deviation(
        _agreement(request, agreement_id),
        actor=request.user,
        approve=payload.approve,
        note=payload.note,
        version=payload.version,
    )
    return queries.agreement_view(agreement)


@router.post(
    "/agreements/{int:agreement_id}/sign",
    response={200: AgreementOut, 409: StaleOut},
    summary="Record the signing",
)
def sign_agreement(request, agreement_id: int, payload: AgreementSignIn):
    agreement = services.sign_agreement(
        _agreement(request, agreement_id),
        actor=request.user,
        signed_on=payload.signed_on,
        version=payload.version,
    )
    return queries.agreement_view(agreement)


def _audit_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "household_id": row["household_id"],
        "number": row["household__number"],
        "head_name": row["household__head_name"],
        "village": row["household__village__name"],
        "cadre": bool(row["household__cadre_relation"]),
        "computed_total": row["computed_total"],
        "agreed_total": row["agreed_total"],
        "deviation": row["deviation"],
        "reason": row["deviation_reason"],
        "approved": row["approved"],
        "state": row["state_label"],
        "signed_on": row["signed_on"].isoformat() if row["signed_on"] else None,
        **{
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in row.items()
            if k.startswith(("earlier_", "compared_with", "group_size"))
        },
    }


@router.get(
    "/tasks/{int:task_id}/audit", response=FairnessAuditOut, summary="The fairness audit: counts and rows"
)
def fairness_audit(request, task_id: int):
    task = _task(request, task_id)
    if not request.user.has_perm("land.view_fairness"):
        raise PermissionDenied(_("没有查看公平性审查的权限。"))
    result = queries.fairness(task, full=access.reads_in_full(request.user, task))
    return {
        "task_id": task.pk,
        "counts": result.counts(),
        "deviations": [_audit_row(r) for r in result.deviations],
        "similar_paid_differently": [_audit_row(r) for r in result.similar_paid_differently],
        "late_paid_more": [_audit_row(r) for r in result.late_paid_more],
    }


class ReconciliationTotalsOut(Schema):
    agreements: int
    agreed: int
    paid: int
    balance: int
    differences: int


class ReconciliationRowOut(Schema):
    agreement_id: int
    agreement_number: str
    household_id: int
    household_number: str
    head_name: str
    village: str
    agreed_total: int
    paid: int
    tranches: int
    balance: int


class ReconciliationOut(Schema):
    task_id: int
    totals: ReconciliationTotalsOut
    differences: list[ReconciliationRowOut]


@router.get(
    "/tasks/{int:task_id}/reconciliation",
    response=ReconciliationOut,
    summary="Payments reconciled against the signed agreements: totals and the households not paid in full",
)
def reconciliation(request, task_id: int):
    task = _task(request, task_id)
    result = queries.reconciliation(task, full=access.reads_in_full(request.user, task))
    return {
        "task_id": task.pk,
        "totals": result["totals"],
        "differences": [
            {
                "agreement_id": r["id"],
                "agreement_number": r["number"],
                "household_id": r["household_id"],
                "household_number": r["household__number"],
                "head_name": r["household__head_name"],
                "village": r["household__village__name"],
                "agreed_total": r["agreed_total"],
                "paid": r["paid"],
                "tranches": r["tranches"],
                "balance": r["balance"],
            }
            for r in result["differences"]
        ],
    }
