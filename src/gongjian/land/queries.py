"""Reads of the land ledgers: the ledger per task and village (masked unless the reader is entitled), each task's
progress and cadre-first flags, and the fairness audit (公平性审查). Written over ``values()`` rows so that a task
of 20,000 households reads in well under a second."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import identifiers
from gongjian.land import access, services
from gongjian.land.choices import AgreementState, CadreRelation
from gongjian.land.models import (
    Agreement,
    Attachment,
    Building,
    Household,
    LawfulPath,
    Member,
    Parcel,
    Payment,
    Task,
    WallList,
)
from gongjian.projects.choices import MilestoneKind


@dataclass
class LedgerFilters:
    village: int | None = None
    signed: bool | None = None
    cadre: bool | None = None
    deviation: bool | None = None
    overdue: bool | None = None  # cadre households not signed after the task's N days


def cadre_deadline(task: Task) -> dt.date | None:
    if task.announcement_date is None:
        return None
    return task.announcement_date + dt.timedelta(days=task.cadre_first_days)


def _filtered(task: Task, filters: LedgerFilters):
    rows = Household.objects.filter(task=task)
    if filters.village:
        rows = rows.filter(village_id=filters.village)
    if filters.signed is not None:
        rows = rows.filter(signed_on__isnull=not filters.signed)
    if filters.cadre is not None:
        rows = rows.exclude(cadre_relation="") if filters.cadre else rows.filter(cadre_relation="")
    if filters.deviation is not None:
        deviating = Q(agreement__isnull=False) & ~Q(agreement__agreed_total=F("agreement__computed_total"))
        rows = rows.filter(deviating) if filters.deviation else rows.exclude(deviating)
    if filters.overdue:
        deadline = cadre_deadline(task)
        today = timezone.localdate()
        if deadline is None or deadline >= today:
            return rows.none()
        rows = rows.exclude(cadre_relation="").filter(signed_on__isnull=True)
    return rows


RELATION_LABELS = dict(CadreRelation.choices)
STATE_LABELS = dict(AgreementState.choices)


def ledger(
    task: Task, filters: LedgerFilters, *, full: bool, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The ledger's rows (cadre households first within each village), names and ID numbers masked unless
    ``full``; each row with its areas, the agreement's amounts and the dates of its progress."""
    rows = list(
        _filtered(task, filters)
        .order_by("village__order", "village_id", F("cadre_relation").desc(), "number")
        .values(
            "id",
            "number",
            "village_id",
            "village__name",
            "group",
            "head_name",
            "head_id_number",
            "cadre_relation",
            "cadre__name",
            "signed_on",
            "moved_on",
            "demolished_on",
            "handed_over_on",
            "version",
            "agreement__computed_total",
            "agreement__agreed_total",
            "agreement__state",
            "agreement__option",
        )[offset : (offset + limit) if limit else None]
    )
    ids = [r["id"] for r in rows]
    legal: dict[int, Decimal] = defaultdict(Decimal)
    illegal: dict[int, Decimal] = defaultdict(Decimal)
    land: dict[int, Decimal] = defaultdict(Decimal)
    members: dict[int, int] = {}
    for chunk in _chunks(ids):
        for b in Building.objects.filter(household_id__in=chunk).values("household_id", "area", "legal"):
            (legal if b["legal"] else illegal)[b["household_id"]] += b["area"]
        for p in Parcel.objects.filter(household_id__in=chunk).values("household_id", "area_mu"):
            land[p["household_id"]] += p["area_mu"]
        members.update(
            Member.objects.filter(household_id__in=chunk)
            .values_list("household_id")
            .annotate(n=Count("id"))
            .values_list("household_id", "n")
        )
    relations = {code: str(label) for code, label in RELATION_LABELS.items()}
    states = {code: str(label) for code, label in STATE_LABELS.items()}
    for r in rows:
        r["persons"] = 1 + members.get(r["id"], 0)
        r["legal_area"] = legal[r["id"]]
        r["illegal_area"] = illegal[r["id"]]
        r["land_mu"] = land[r["id"]]
        r["is_cadre"] = bool(r["cadre_relation"])
        r["relation_label"] = relations.get(r["cadre_relation"], "") if r["cadre_relation"] else ""
        r["state_label"] = states.get(r["agreement__state"] or "", "")
        computed, agreed = r["agreement__computed_total"], r["agreement__agreed_total"]
        r["deviation"] = (agreed - computed) if computed is not None and agreed is not None else 0
        if not full:
            r["head_name"] = identifiers.mask_name(r["head_name"])
            r["head_id_number"] = identifiers.mask_citizen_id(r["head_id_number"])
            if r["cadre__name"]:
                r["cadre__name"] = identifiers.mask_name(r["cadre__name"])
    return rows


def ledger_count(task: Task, filters: LedgerFilters) -> int:
    return _filtered(task, filters).count()


def _chunks(ids: list[int], size: int = 900):
    # SQLite limits a statement's parameters; 900 stays well inside every version's limit
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def progress(task: Task) -> dict[str, Any]:
    """Households in total, signed (agreed), moved, and the cadre households flagged for not signing first."""
    today = timezone.localdate()
    deadline = cadre_deadline(task)
    late = Q(cadre_relation__gt="", signed_on__isnull=True)
    counts = Household.objects.filter(task=task).aggregate(
        total=Count("id"),
        signed=Count("id", filter=Q(signed_on__isnull=False)),
        moved=Count("id", filter=Q(moved_on__isnull=False)),
        cadre=Count("id", filter=Q(cadre_relation__gt="")),
        cadre_signed=Count("id", filter=Q(cadre_relation__gt="", signed_on__isnull=False)),
        cadre_unsigned=Count("id", filter=late),
    )
    counts["overdue"] = counts["cadre_unsigned"] if deadline is not None and deadline < today else 0
    counts["deadline"] = deadline
    counts["percent"] = round(100 * counts["signed"] / counts["total"]) if counts["total"] else 0
    return counts


def by_village(task: Task) -> list[dict[str, Any]]:
    return list(
        task.villages.order_by("order", "id")
        .annotate(
            total=Count("households"),
            signed=Count("households", filter=Q(households__signed_on__isnull=False)),
            moved=Count("households", filter=Q(households__moved_on__isnull=False)),
            cadre=Count("households", filter=Q(households__cadre_relation__gt="")),
            cadre_signed=Count(
                "households", filter=Q(households__cadre_relation__gt="", households__signed_on__isnull=False)
            ),
        )
        .values("id", "name", "leader__name", "total", "signed", "moved", "cadre", "cadre_signed")
    )


# The fairness audit


@dataclass
class Fairness:
    """The audit of one task: deviations (with or without approval), similar households paid differently, and
    late signers paid more than early signers for the same facts (must be none)."""

    households: int = 0
    agreements: int = 0
    deviations: list[dict[str, Any]] = field(default_factory=list)
    unapproved: int = 0
    similar_paid_differently: list[dict[str, Any]] = field(default_factory=list)
    late_paid_more: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "households": self.households,
            "agreements": self.agreements,
            "deviations": len(self.deviations),
            "deviations_unapproved": self.unapproved,
            "similar_paid_differently": len(self.similar_paid_differently),
            "late_paid_more": len(self.late_paid_more),
        }


def facts_vectors(task: Task, ids: list[int] | None = None) -> dict[int, tuple]:
    """Each household's facts as one comparable value: persons, land per category, buildings per grade and
    legality, attachments per kind, business area — areas to the 0.01 the ledger keeps (so "similar" means the
    same facts as measured; the tolerance is the measurement's). One query per table for the whole task."""
    land: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    built: dict[int, dict[tuple[str, bool], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    things: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    persons: dict[int, int] = defaultdict(lambda: 1)
    mine: dict[str, Any] = {"household__task": task}
    if ids is not None and len(ids) < 5000:  # a few candidates: read only theirs
        mine["household_id__in"] = ids
    for hid, category, area in Parcel.objects.filter(**mine).values_list(
        "household_id", "category", "area_mu"
    ):
        land[hid][category] += area
    for hid, grade, legal, area in Building.objects.filter(**mine).values_list(
        "household_id", "grade", "legal", "area"
    ):
        built[hid][(grade, legal)] += area
    for hid, kind, count in Attachment.objects.filter(**mine).values_list("household_id", "kind", "count"):
        things[hid][kind] += count
    for hid, n in (
        Member.objects.filter(**mine)
        .order_by()
        .values_list("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    ):
        persons[hid] = 1 + n
    homes = Household.objects.filter(task=task)
    if "household_id__in" in mine:
        homes = homes.filter(pk__in=ids)
    business = dict(homes.values_list("id", "business_area"))
    return {
        hid: (
            persons[hid],
            tuple(sorted(land[hid].items())),
            tuple(sorted(built[hid].items())),
            tuple(sorted(things[hid].items())),
            area,
        )
        for hid, area in business.items()
    }


def _signatures(task: Task) -> dict[int, tuple]:
    """A cheap summary of each household's facts, summed in the database (persons, land, legal and illegal
    building area, attachments, business area): households with different summaries cannot have the same facts,
    so only those sharing one are compared in detail (a task of 20,000 households has few such)."""
    mine = {"household__task": task}
    number = FloatField()
    sums: dict[int, list[Any]] = {
        hid: [1, 0.0, 0.0, 0.0, 0, round(area or 0.0, 2)]
        for hid, area in Household.objects.filter(task=task).values_list("id", Cast("business_area", number))
    }
    for hid, n in (
        Member.objects.filter(**mine)
        .order_by()
        .values_list("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    ):
        sums[hid][0] = 1 + n
    for hid, area in (
        Parcel.objects.filter(**mine)
        .order_by()
        .values_list("household_id")
        .annotate(a=Cast(Sum("area_mu"), number))
        .values_list("household_id", "a")
    ):
        sums[hid][1] = round(area, 2)
    for hid, legal, area in (
        Building.objects.filter(**mine)
        .order_by()
        .values_list("household_id", "legal")
        .annotate(a=Cast(Sum("area"), number))
        .values_list("household_id", "legal", "a")
    ):
        sums[hid][2 if legal else 3] = round(area, 2)
    for hid, count in (
        Attachment.objects.filter(**mine)
        .order_by()
        .values_list("household_id")
        .annotate(c=Sum("count"))
        .values_list("household_id", "c")
    ):
        sums[hid][4] = count
    return {hid: tuple(values) for hid, values in sums.items()}


def fairness(task: Task, *, full: bool) -> Fairness:
    result = Fairness(households=Household.objects.filter(task=task).count())
    agreements = list(
        Agreement.objects.filter(household__task=task).values(
            "id",
            "number",
            "household_id",
            "household__number",
            "household__head_name",
            "household__village__name",
            "household__cadre_relation",
            "option",
            "computed_total",
            "agreed_total",
            "deviation_reason",
            "state",
            "approved_by_id",
            "signed_on",
            "standard__version",
            area=Cast("housing_area", FloatField()),
        )
    )
    result.agreements = len(agreements)
    labels = {code: str(label) for code, label in STATE_LABELS.items()}  # once, not once a row
    for a in agreements:
        a["deviation"] = a["agreed_total"] - a["computed_total"]
        a["approved"] = a["approved_by_id"] is not None and a["state"] in (
            AgreementState.APPROVED,
            AgreementState.SIGNED,
        )
        a["state_label"] = labels.get(a["state"], "")
        if not full:
            a["household__head_name"] = identifiers.mask_name(a["household__head_name"])
        if a["deviation"]:
            result.deviations.append(a)
            result.unapproved += not a["approved"]
    summaries = _signatures(task)
    rough: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for a in agreements:
        rough[(summaries[a["household_id"]], a["option"], round(a["area"] or 0.0, 2))].append(a)
    candidates = [a for same in rough.values() if len(same) > 1 for a in same]
    vectors = facts_vectors(task, [a["household_id"] for a in candidates])
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for a in candidates:
        groups[(vectors[a["household_id"]], a["option"], round(a["area"] or 0.0, 2))].append(a)
    for members in groups.values():
        if len(members) < 2:
            continue
        # Same facts, same computed amount, different agreed amounts. (The group spans the standard's versions on
        # purpose: a later version that pays more is a late signer paid more, below.)
        by_computed: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for a in members:
            by_computed[a["computed_total"]].append(a)
        for same in by_computed.values():
            amounts = {a["agreed_total"] for a in same}
            if len(amounts) > 1:
                low = min(amounts)
                for a in same:
                    if a["agreed_total"] != low:
                        result.similar_paid_differently.append(
                            {**a, "compared_with": low, "group_size": len(same)}
                        )
        # Late signers paid more than an earlier signer of the same facts: must be none.
        signed = sorted((a for a in members if a["signed_on"]), key=lambda a: a["signed_on"])
        cheapest_before: dict[str, Any] | None = None
        index = 0
        while index < len(signed):
            day = signed[index]["signed_on"]
            same_day = [a for a in signed[index:] if a["signed_on"] == day]
            if cheapest_before is not None:
                for a in same_day:
                    if a["agreed_total"] > cheapest_before["agreed_total"]:
                        result.late_paid_more.append(
                            {
                                **a,
                                "earlier_number": cheapest_before["household__number"],
                                "earlier_signed_on": cheapest_before["signed_on"],
                                "earlier_total": cheapest_before["agreed_total"],
                            }
                        )
            for a in same_day:
                if cheapest_before is None or a["agreed_total"] < cheapest_before["agreed_total"]:
                    cheapest_before = a
            index += len(same_day)
    return result


# Read models shared by the API and the pages


def agreement_view(agreement: Agreement) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "number": agreement.number,
        "household_id": agreement.household_id,
        "standard_version": agreement.standard.version,
        "option": agreement.option,
        "housing_area": agreement.housing_area,
        "computed_on": agreement.computed_on,
        "computed_total": agreement.computed_total,
        "agreed_total": agreement.agreed_total,
        "deviation": agreement.deviation,
        "deviation_reason": agreement.deviation_reason,
        "state": agreement.state,
        "state_label": agreement.get_state_display(),
        "approved_by": agreement.approved_by.display_name if agreement.approved_by else "",
        "approved_at": agreement.approved_at,
        "approval_note": agreement.approval_note,
        "signed_on": agreement.signed_on,
        "lines": agreement.lines,
        "version": agreement.version,
    }


def household_view(household: Household, full: bool) -> dict[str, Any]:
    """The household as ``full`` or masked; the service decided (and audited) which."""
    name = (lambda v: v) if full else identifiers.mask_name
    number = (lambda v: v) if full else identifiers.mask_citizen_id
    kept = services.current_standard(household.task)
    lines: list[dict[str, Any]] = []
    total = None
    if kept is not None:
        try:
            result = services.compute(household, kept, None, "money", Decimal(0))
            lines, total = services.lines_json(result), result.total
        except ValidationError:  # a fact the standard lacks: shown without a computation, never a 500
            lines, total = [], None
    agreement = (
        Agreement.objects.select_related("standard", "approved_by").filter(household=household).first()
    )
    return {
        "id": household.pk,
        "task_id": household.task_id,
        "village_id": household.village_id,
        "village": household.village.name,
        "group": household.group,
        "number": household.number,
        "head_name": name(household.head_name),
        "head_id_number": number(household.head_id_number),
        "masked": not full,
        "cadre_relation": household.cadre_relation,
        "cadre": household.cadre.name if household.cadre else "",
        "cadre_note": household.cadre_note,
        "members": [
            {"name": name(m.name), "id_number": number(m.id_number), "relation": m.get_relation_display()}
            for m in household.members.all()
        ],
        "parcels": [
            {"category": p.category, "label": p.get_category_display(), "area_mu": str(p.area_mu)}
            for p in household.parcels.all()
        ],
        "buildings": [
            {
                "grade": b.grade,
                "label": b.get_grade_display(),
                "area": str(b.area),
                "legal": b.legal,
                "note": b.note,
            }
            for b in household.buildings.all()
        ],
        "attachments": [
            {"kind": a.kind, "label": a.get_kind_display(), "count": a.count}
            for a in household.attachments.all()
        ],
        "business_name": household.business_name,
        "business_area": household.business_area,
        "appraiser": household.appraiser,
        "appraiser_registration": household.appraiser_registration,
        "appraised_on": household.appraised_on,
        "appraised_amount": household.appraised_amount,
        "signed_on": household.signed_on,
        "moved_on": household.moved_on,
        "demolished_on": household.demolished_on,
        "handed_over_on": household.handed_over_on,
        "standard_lines": lines,
        "standard_total": total,
        "agreement": agreement_view(agreement) if agreement else None,
        "version": household.version,
    }


def latest_walls(task: Task) -> list[WallList]:
    """Each village's current wall list (its highest number), in the villages' order; rows not loaded."""
    latest: dict[int, WallList] = {}
    for version in (
        WallList.objects.filter(task=task).select_related("village").defer("rows").order_by("-number")
    ):
        latest.setdefault(version.village_id, version)
    return sorted(latest.values(), key=lambda w: (w.village.order, w.village_id))


# The lawful path


def lawful_paths(tasks) -> list[LawfulPath]:
    """The lawful paths of ``tasks`` (a queryset), the household and task loaded."""
    return list(
        LawfulPath.objects.filter(household__task__in=tasks)
        .select_related("household__task", "household__village")
        .order_by("household__task_id", "household__number")
    )


def lawful_tasks(user) -> list[int]:
    """The tasks whose ledger ``user`` keeps, and with it the lawful path of their holdouts: a team's members keep
    their task's, the office every task's. A service team without a land task keeps none."""
    if not user.has_perm("land.add_lawfulpath"):
        return []
    return [t.pk for t in access.tasks_for(user) if access.keeps_ledger(user, t)]


def lawful_waiting(user, today: dt.date | None = None) -> list[LawfulPath]:
    """The paths of the tasks ``user`` keeps whose next legal step is due (see services.lawful_due)."""
    today = today or timezone.localdate()
    kept = lawful_tasks(user)
    if not kept:
        return []
    return [p for p in lawful_paths(Task.objects.filter(pk__in=kept)) if services.lawful_due(p, today)]


# Progress from the ledger and the payments


def reconciliation(task: Task, *, full: bool) -> dict[str, Any]:
    """The payments against the agreements (对账): per signed agreement the agreed amount, the paid sum and the
    unpaid balance (nothing to pay out on an agreement at or below zero); ``differences`` lists those not paid in
    full. Totals for the task."""
    rows = list(
        Agreement.objects.filter(household__task=task, state=AgreementState.SIGNED)
        .annotate(paid=Sum("payments__amount"), tranches=Count("payments"))
        .order_by("household__village__order", "household__number")
        .values(
            "id",
            "number",
            "agreed_total",
            "paid",
            "tranches",
            "household_id",
            "household__number",
            "household__head_name",
            "household__village__name",
        )
    )
    differences = []
    totals = {"agreements": len(rows), "agreed": 0, "paid": 0, "balance": 0, "differences": 0}
    for r in rows:
        r["paid"] = r["paid"] or 0
        # an agreement at or below zero (the resettlement flat costs more than the compensation) is paid by the
        # household, not to it: nothing to pay out
        r["balance"] = max(r["agreed_total"], 0) - r["paid"]
        if not full:
            r["household__head_name"] = identifiers.mask_name(r["household__head_name"])
        totals["agreed"] += r["agreed_total"]
        totals["paid"] += r["paid"]
        totals["balance"] += r["balance"]
        if r["balance"]:
            differences.append(r)
    totals["differences"] = len(differences)
    return {"totals": totals, "differences": differences}


_STEPS = {
    "signed": "signed_on",
    "moved": "moved_on",
    "demolished": "demolished_on",
    "handed_over": "handed_over_on",
}


def counts_on(task: Task, day: dt.date, *, team=None) -> dict[str, int]:
    """What the ledger records on ``day`` (signed, moved, demolished, handed over) and the money paid that day,
    for the task (or every task of ``team``)."""
    households = (
        Household.objects.filter(task__team=team) if team is not None else Household.objects.filter(task=task)
    )
    counts = households.aggregate(
        **{key: Count("id", filter=Q(**{field: day})) for key, field in _STEPS.items()}
    )
    payments = Payment.objects.filter(agreement__household__in=households, paid_on=day)
    counts["paid"] = payments.aggregate(total=Sum("amount"))["total"] or 0
    return counts


def dispatch(task: Task, today: dt.date) -> dict[str, Any]:
    """The headquarters' daily 调度 of a task: per village the totals to date and yesterday's change, and the gap
    to the deadline (remaining households ÷ remaining days)."""
    yesterday = today - dt.timedelta(days=1)
    villages = []
    for v in task.villages.order_by("order", "id"):
        households = Household.objects.filter(village=v)
        totals = households.aggregate(
            total=Count("id"),
            **{
                key: Count("id", filter=Q(**{f"{field}__isnull": False, f"{field}__lte": yesterday}))
                for key, field in _STEPS.items()
            },
            **{
                f"{key}_yesterday": Count("id", filter=Q(**{field: yesterday}))
                for key, field in _STEPS.items()
            },
        )
        villages.append({"village": v, **totals})
    total = sum(v["total"] for v in villages)
    signed = sum(v["signed"] for v in villages)
    remaining = total - signed
    days = (task.deadline - today).days + 1 if task.deadline else None
    gap = None
    if days is not None and days > 0:
        gap = round(remaining / days, 1)
    handed = sum(v["handed_over"] for v in villages)
    return {
        "yesterday": yesterday,
        "villages": villages,
        "total": total,
        "signed": signed,
        "remaining": remaining,
        "days_left": days,
        "per_day_needed": gap,
        "overdue": days is not None and days <= 0 and remaining > 0,
        "handed_over": handed,
        "stays": stays_until_landed(task, handed_all=total > 0 and handed == total),
    }


def stays_until_landed(task: Task, *, handed_all: bool) -> bool:
    """工作队驻守至项目落地: the task stays open until every household's land is handed over and the project
    started (its 开工 milestone reached; a park's task has no project and ends at the handover)."""
    if not handed_all:
        return True
    if task.project_id is None:
        return False
    return not task.project.milestones.filter(kind=MilestoneKind.START, actual_date__isnull=False).exists()


# The assessment's 目标完成 indicator (context/000: the incentive of the acquisition work)

TARGET_NAME = "land.households_agreed"


def team_completions(periods, names: tuple[str, ...]):
    """Each service team's rate to each period's end: households agreed ÷ households of its tasks' villages, with
    the words (已签约 120/150 户); registered with :mod:`gongjian.assess.sources`."""
    import polars as pl  # noqa: PLC0415  (only the assessment reads this)

    from gongjian.assess import engine  # noqa: PLC0415

    rows: list[dict[str, Any]] = []
    if names and TARGET_NAME not in names:
        return pl.DataFrame(rows, schema=dict(engine.COMPLETION_COLUMNS))
    teams = list(Household.objects.values_list("task__team_id", flat=True).distinct())
    for period in periods:
        end = period.end
        counts = (
            Household.objects.filter(task__team_id__in=teams)
            .values("task__team_id")
            .annotate(total=Count("id"), agreed=Count("id", filter=Q(signed_on__lte=end)))
        )
        for c in counts:
            rows.append(
                {
                    "period_code": period.code,
                    "subject_kind": "unit",
                    "subject_id": c["task__team_id"],
                    "rate": c["agreed"] / c["total"] if c["total"] else 0.0,
                    "detail": _("已签约 %(a)d/%(t)d 户") % {"a": c["agreed"], "t": c["total"]},
                }
            )
    return pl.DataFrame(rows, schema=dict(engine.COMPLETION_COLUMNS))


def team_project(team, day: dt.date):
    """The project a service team works for on ``day``: its latest task's that has a project (None for a team
    without a task or with a park's task only; registered with gongjian.daily.services)."""
    task = (
        Task.objects.filter(team=team, project__isnull=False, created_at__date__lte=day)
        .select_related("project")
        .order_by("-created_at", "-id")
        .first()
    ) or Task.objects.filter(team=team, project__isnull=False).select_related("project").order_by(
        "-id"
    ).first()
    return task.project if task else None


def team_day_figures(team, day: dt.date) -> dict[str, int] | None:
    """The daily report's figures of a service team with a land task, counted from the ledger: households
    signed and buildings demolished that day (registered with gongjian.daily.services)."""
    households = Household.objects.filter(task__team=team)
    if not Task.objects.filter(team=team).exists():
        return None
    counts = households.aggregate(
        signed=Count("id", filter=Q(signed_on=day)), demolished=Count("id", filter=Q(demolished_on=day))
    )
    return {"households_signed": counts["signed"], "buildings_demolished": counts["demolished"]}
