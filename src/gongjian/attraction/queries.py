"""Reads of attraction: who sees which leads (the data scope), and a unit's figures — always the sum of its
leads, trips, signings and tranches, never typed twice — per link, month and unit, against the targets the office
handed down. The services keep each unit's figures by month (:class:`UnitMonth`, counted from the records by
:func:`counted_months` whenever one changes), so a funnel over 50,000 leads and 500 units sums 6,000 rows."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.attraction import rules
from gongjian.attraction.choices import LIVE_STAGES, Metric
from gongjian.attraction.models import AttractionTarget, Lead, LeadStep, Signing, Tranche, Trip, UnitMonth
from gongjian.attraction.rules import BIG_YUAN
from gongjian.core.money import format_wan
from gongjian.org.models import Unit
from gongjian.org.queries import person_of
from gongjian.org.scope import scope_for

METRICS: tuple[str, ...] = tuple(Metric.values)


def sees_all(user) -> bool:
    """The office and the principal leaders see every unit's attraction."""
    return user.has_perm("attraction.view_all_leads") or scope_for(user).sees_all


def unit_ids_of(user) -> frozenset[int] | None:
    """The units whose attraction ``user`` reads (their own and those below it); None for all."""
    if sees_all(user):
        return None
    return scope_for(user).unit_ids


def visible_leads(user) -> QuerySet[Lead]:
    if not user.has_perm("attraction.view_lead"):
        return Lead.objects.none()
    ids = unit_ids_of(user)
    return Lead.objects.all() if ids is None else Lead.objects.filter(unit_id__in=ids)


def visible_trips(user) -> QuerySet[Trip]:
    if not user.has_perm("attraction.view_trip"):
        return Trip.objects.none()
    ids = unit_ids_of(user)
    return Trip.objects.all() if ids is None else Trip.objects.filter(unit_id__in=ids)


def visible_tranches(user) -> QuerySet[Tranche]:
    return Tranche.objects.filter(lead__in=visible_leads(user).values("pk"))


def may_manage(user, unit_id: int) -> bool:
    """Whether ``user`` may change the leads and trips of ``unit_id``: the unit's staff (and those of a unit above
    it) with the permission to manage leads; the office for every unit."""
    if not user.has_perm("attraction.manage_leads"):
        return False
    ids = unit_ids_of(user)
    return ids is None or unit_id in ids


def sees_contacts(user, lead: Lead) -> bool:
    """An investor's contacts are personal data: read unmasked only by the unit following the lead."""
    person = person_of(user)
    return person is not None and person.unit_id == lead.unit_id


def stall_days() -> int:
    return settings.GONGJIAN_LEAD_STALL_DAYS


def stalled(leads: QuerySet[Lead], today: date | None = None) -> QuerySet[Lead]:
    """The leads still in play with no step for longer than the stall setting."""
    today = today or timezone.localdate()
    return leads.filter(stage__in=LIVE_STAGES, last_step_on__lt=today - timedelta(days=stall_days()))


def is_stalled(lead: Lead, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return lead.stage in LIVE_STAGES and lead.last_step_on < today - timedelta(days=stall_days())


def stalled_count_for(user) -> int:
    """The 待办 count: stalled leads of the user's own unit (the unit that must follow them)."""
    person = person_of(user)
    if person is None or person.unit_id is None or not user.has_perm("attraction.manage_leads"):
        return 0
    return stalled(Lead.objects.filter(unit_id=person.unit_id)).count()


def _span(year: int, through_month: int, from_month: int = 1) -> tuple[date, date]:
    last = calendar.monthrange(year, through_month)[1]
    return date(year, from_month, 1), date(year, through_month, last)


def counted_months(unit_ids=None) -> dict[tuple[int, int, int], dict[str, int]]:
    """{(unit_id, year, month): {metric: value}} counted from the records themselves — trips, leads (by the day
    registered), starts, signings (count, amount, those of 500万元 or more), tranches (domestic yuan; foreign
    capital in US dollars) — for ``unit_ids`` or every unit; months with nothing are left out. What the services
    keep in :class:`UnitMonth`; five GROUP BY queries over the units' records."""
    out: dict[tuple[int, int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))

    def rows(queryset, date_field: str, **values):
        if unit_ids is not None:
            queryset = queryset.filter(unit_id__in=list(unit_ids))
        return (
            queryset.filter(**{f"{date_field}__isnull": False})
            .annotate(y=ExtractYear(date_field), m=ExtractMonth(date_field))
            .order_by()
            .values("unit_id", "y", "m")
            .annotate(**values)
            .values_list("unit_id", "y", "m", *values)
        )

    for unit_id, y, m, n in rows(Trip.objects.all(), "start_date", n=Count("id")):
        out[unit_id, y, m]["trips"] = n
    for unit_id, y, m, n in rows(Lead.objects.all(), "found_on", n=Count("id")):
        out[unit_id, y, m]["leads"] = n
    for unit_id, y, m, n in rows(Lead.objects.all(), "started_on", n=Count("id")):
        out[unit_id, y, m]["starts"] = n
    for unit_id, y, m, n, amount, big in rows(
        Signing.objects.all(),
        "date",
        n=Count("id"),
        signed=Sum("amount"),
        big=Count("id", filter=Q(amount__gte=BIG_YUAN)),
    ):
        row = out[unit_id, y, m]
        row["signed_count"], row["signed_amount"], row["big_projects"] = n, int(amount or 0), big
    for unit_id, y, m, funds, usd in rows(
        Tranche.objects.all(),
        "date",
        funds=Sum("amount", filter=Q(currency="CNY")),
        usd=Sum("usd_amount", filter=~Q(currency="CNY")),
    ):
        out[unit_id, y, m]["funds_amount"], out[unit_id, y, m]["foreign_usd"] = int(funds or 0), int(usd or 0)
    return {key: row for key, row in out.items() if any(row.values())}


def kept_months(unit_ids=None) -> dict[tuple[int, int, int], dict[str, int]]:
    """What :class:`UnitMonth` keeps, in the shape of :func:`counted_months`."""
    rows = UnitMonth.objects.all()
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    return {
        (unit_id, y, m): dict(zip(METRICS, values, strict=True))
        for unit_id, y, m, *values in rows.values_list("unit_id", "year", "month", *METRICS)
    }


def unit_totals(
    year: int, through_month: int = 12, unit_ids=None, *, from_month: int = 1
) -> dict[int, dict[str, int]]:
    """{unit_id: {metric: value}} for the months ``from_month``…``through_month`` of ``year``: trips, leads,
    signed_count, signed_amount (yuan), funds_amount (yuan, domestic), starts, big_projects (signed at 500万元 or
    more), foreign_usd (US dollars). Units with nothing are left out. The metric keys are stable.

    One GROUP BY over the units' monthly rows (:class:`UnitMonth`, at most 12 a unit)."""
    rows = UnitMonth.objects.filter(year=year, month__gte=from_month, month__lte=through_month)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    sums = {f"sum_{m}": Sum(m) for m in METRICS}
    totals = {}
    for unit_id, *values in rows.order_by().values("unit_id").annotate(**sums).values_list("unit_id", *sums):
        if any(values):
            totals[unit_id] = {m: int(v or 0) for m, v in zip(METRICS, values, strict=True)}
    return totals


def monthly(year: int, unit_ids=None) -> dict[int, dict[str, list[int]]]:
    """{unit_id: {metric: [value of January … December]}} (not cumulative) for ``year``."""
    out: dict[int, dict[str, list[int]]] = defaultdict(lambda: {m: [0] * 12 for m in METRICS})
    rows = UnitMonth.objects.filter(year=year)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    for unit_id, month, *values in rows.values_list("unit_id", "month", *METRICS):
        for metric, value in zip(METRICS, values, strict=True):
            out[unit_id][metric][month - 1] = value
    return dict(out)


def targets(year: int, unit_ids=None) -> dict[int, dict[str, int]]:
    rows = AttractionTarget.objects.filter(year=year).order_by()  # (the model's order joins the units)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, metric, value in rows.values_list("unit_id", "metric", "value"):
        out[unit_id][metric] = value
    return dict(out)


@dataclass
class FunnelRow:
    unit_id: int
    unit: str
    values: dict[str, int]
    targets: dict[str, int]
    rates: dict[str, float | None]
    ranks: dict[str, int | None] = field(default_factory=dict)
    overall: float | None = None
    overall_rank: int | None = None


@dataclass
class Funnel:
    year: int
    through_month: int
    rows: list[FunnelRow]
    total: FunnelRow
    metrics: tuple[str, ...] = METRICS


def funnel(user, year: int, through_month: int | None = None, unit_ids=None) -> Funnel:
    """The funnel the ``user`` reads: per unit of their scope (those with figures or targets) each metric, its
    target, rate and rank among the units, and the total. ``through_month`` defaults to the current month for the
    current year and December for another."""
    today = timezone.localdate()
    if through_month is None:
        through_month = today.month if year == today.year else 12
    scope = unit_ids_of(user)
    wanted = scope if unit_ids is None else (set(unit_ids) if scope is None else set(unit_ids) & set(scope))
    values = unit_totals(year, through_month, wanted)
    goals = targets(year, wanted)
    ids = set(values) | set(goals)
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    nothing = dict.fromkeys(METRICS, 0)  # read, never written
    for unit_id in ids:
        v = values.get(unit_id) or nothing
        t = goals.get(unit_id, {})
        rates = {m: rules.rate(v[m], t.get(m)) for m in METRICS}
        rows.append(
            FunnelRow(unit_id, names.get(unit_id, ""), v, t, rates, overall=rules.overall_rate(rates))
        )
    for metric in METRICS:
        ranked = rules.ranks({r.unit_id: r.rates[metric] for r in rows})
        for r in rows:
            r.ranks[metric] = ranked[r.unit_id]
    overall = rules.ranks({r.unit_id: r.overall for r in rows})
    for r in rows:
        r.overall_rank = overall[r.unit_id]
    rows.sort(key=lambda r: (r.overall_rank is None, r.overall_rank or 0, r.unit))
    sums = {m: sum(r.values[m] for r in rows) for m in METRICS}
    goal_sums = {m: sum(r.targets.get(m, 0) for r in rows) for m in METRICS}
    total = FunnelRow(0, "合计", sums, goal_sums, {m: rules.rate(sums[m], goal_sums[m]) for m in METRICS})
    return Funnel(year, through_month, rows, total)


@dataclass
class MonthFigure:
    month: int
    value: int  # the month's own figure
    cumulative: int  # January to the month's end
    rate: float | None  # the cumulative figure against the year's target, in percent


@dataclass
class MonthlyLink:
    metric: str
    target: int | None
    months: list[MonthFigure]


@dataclass
class Monthly:
    year: int
    through_month: int
    unit_id: int | None  # None: every unit the reader sees, summed
    unit: str
    links: list[MonthlyLink]


def monthly_completion(
    user,
    year: int,
    *,
    unit_id: int | None = None,
    metric: str | None = None,
    through_month: int | None = None,
) -> Monthly:
    """Month by month to ``through_month`` (as :func:`funnel`), for one unit of the reader's scope or all of them
    summed, and for one link or every one: each month's figure, the cumulative figure at its end and its rate
    against the year's target. A unit outside the scope is not found; an unknown link is refused."""
    if metric is not None and metric not in METRICS:
        raise ValidationError({"link": _("没有这个环节：%(link)s") % {"link": metric}})
    today = timezone.localdate()
    if through_month is None:
        through_month = today.month if year == today.year else 12
    scope = unit_ids_of(user)
    if unit_id is not None:
        if scope is not None and unit_id not in scope:
            raise Unit.DoesNotExist
        unit = Unit.objects.get(pk=unit_id).name
        wanted: frozenset[int] | set[int] | None = {unit_id}
    else:
        unit, wanted = _("全部单位"), scope
    by_unit = monthly(year, wanted)
    goals = targets(year, wanted)
    links = []
    for m in (metric,) if metric else METRICS:
        values = [sum(row[m][i] for row in by_unit.values()) for i in range(through_month)]
        set_goals = [g[m] for g in goals.values() if m in g]
        target = sum(set_goals) if set_goals else None
        months, running = [], 0
        for i, value in enumerate(values):
            running += value
            months.append(MonthFigure(i + 1, value, running, rules.rate(running, target)))
        links.append(MonthlyLink(m, target, months))
    return Monthly(year, through_month, unit_id, unit, links)


def stage_counts(leads: QuerySet[Lead]) -> dict[str, int]:
    """How many of ``leads`` stand at each stage now."""
    return dict(leads.order_by().values("stage").annotate(n=Count("id")).values_list("stage", "n"))


def credit_by_introducer(year: int) -> dict[int, dict[str, int]]:
    """全员招商 credit per introducer (person id) in ``year``: leads introduced, signed (count and amount) and
    domestic funds in place for their leads."""
    out: dict[int, dict[str, int]] = defaultdict(
        lambda: {"leads": 0, "signed_count": 0, "signed_amount": 0, "funds_amount": 0}
    )
    leads = Lead.objects.filter(introducer__isnull=False, found_on__year=year).order_by()
    for pk, n in leads.values("introducer_id").annotate(n=Count("id")).values_list("introducer_id", "n"):
        out[pk]["leads"] = n
    signings = Signing.objects.filter(lead__introducer__isnull=False, date__year=year).order_by()
    for pk, n, amount in (
        signings.values("lead__introducer_id")
        .annotate(n=Count("id"), a=Sum("amount"))
        .values_list("lead__introducer_id", "n", "a")
    ):
        out[pk]["signed_count"], out[pk]["signed_amount"] = n, int(amount or 0)
    tranches = Tranche.objects.filter(
        lead__introducer__isnull=False, date__year=year, currency="CNY"
    ).order_by()
    for pk, amount in (
        tranches.values("lead__introducer_id")
        .annotate(a=Sum("amount"))
        .values_list("lead__introducer_id", "a")
    ):
        out[pk]["funds_amount"] = int(amount or 0)
    return dict(out)


def filtered_leads(user, params) -> QuerySet[Lead]:
    """The leads list's filters (page, API and export alike): stage, unit (and below), chain, year (registered),
    stalled, q (name or investor)."""
    leads = visible_leads(user)
    stage = params.get("stage") or ""
    if stage:
        leads = leads.filter(stage=stage)
    unit = str(params.get("unit") or params.get("unit_id") or "")
    if unit.isdigit() and len(unit) < 10:
        path = Unit.objects.filter(pk=int(unit)).values_list("path", flat=True).first()
        leads = leads.filter(unit__path__startswith=path) if path else leads.none()
    chain = params.get("chain") or ""
    if chain:
        leads = leads.filter(chain=chain)
    year = str(params.get("year") or "")
    link = params.get("link") or ""
    if year.isdigit() and len(year) == 4:
        month = str(params.get("through") or "")
        through = int(month) if month.isdigit() and 1 <= int(month) <= 12 else 12
        leads = _by_link(leads, link or Metric.LEADS, int(year), through)
    if str(params.get("stalled") or "") in {"1", "true", "True"}:
        leads = stalled(leads)
    if str(params.get("mine") or "") == "1":  # the 待办's: the leads of the reader's own unit
        person = person_of(user)
        leads = leads.filter(unit_id=person.unit_id) if person and person.unit_id else leads.none()
    q = (params.get("q") or "").strip()
    if q:
        leads = leads.filter(Q(name__contains=q) | Q(investor__contains=q))
    return leads


def _by_link(leads, link: str, year: int, through: int):
    """The leads a funnel figure of ``link`` counted in ``year`` up to month ``through`` (registered, signed,
    funded, started in that span)."""
    start, end = _span(year, through)

    def within(name: str) -> Q:
        return Q(**{f"{name}__gte": start, f"{name}__lte": end})

    if link in (Metric.SIGNED_COUNT, Metric.SIGNED_AMOUNT):
        return leads.filter(within("signing__date"))
    if link == Metric.BIG_PROJECTS:
        return leads.filter(within("signing__date"), signing__amount__gte=BIG_YUAN)
    if link == Metric.STARTS:
        return leads.filter(within("started_on"))
    if link in (Metric.FUNDS_AMOUNT, Metric.FOREIGN_USD):
        tranches = Tranche.objects.filter(within("date"))
        if link == Metric.FUNDS_AMOUNT:
            tranches = tranches.filter(currency="CNY")
        else:
            tranches = tranches.exclude(currency="CNY")
        return leads.filter(pk__in=tranches.values("lead_id"))
    return leads.filter(within("found_on"))


def credit_lines(year: int) -> dict[int, str]:
    """The cadre archive's line of 全员招商 credit per introducer (gongjian.assess.archive)."""
    lines = {}
    for person_id, c in credit_by_introducer(year).items():
        lines[person_id] = (
            f"{year}年引荐意向项目 {c['leads']} 个，签约 {c['signed_count']} 个、金额 "
            f"{format_wan(c['signed_amount'])} 万元，到位资金 {format_wan(c['funds_amount'])} 万元。"
        )
    return lines


def project_leads(project, user) -> dict | None:
    """What a registry project's page shows of the leads it came from: each lead (that the reader may see) and
    its history; None when it came from none."""
    if not user.has_perm("attraction.view_lead"):
        return None
    leads = list(visible_leads(user).filter(project=project).select_related("unit", "introducer"))
    if not leads:
        return None
    steps = LeadStep.objects.filter(lead__in=leads).select_related("by").order_by("lead_id", "on", "id")
    by_lead: dict[int, list] = defaultdict(list)
    for step in steps:
        by_lead[step.lead_id].append(step)
    return {"leads": [(lead, by_lead[lead.pk]) for lead in leads]}
