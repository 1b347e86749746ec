"""Pages of investment attraction (under /attraction/): trips, leads with their history and the forms that move
them through the five links, the funnel by unit and link with targets, rates and ranks, and the Excel exports.
Views parse, call one service and render; permissions and scope are the services' and queries' own."""

from __future__ import annotations

import html
import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongjian.attraction import exports, queries, services
from gongjian.attraction.choices import USD_METRICS, YUAN_METRICS, Metric, Stage
from gongjian.attraction.forms import (
    DropForm,
    LeadFilterForm,
    LeadForm,
    ProductionForm,
    ReserveForm,
    SignForm,
    StartForm,
    StepForm,
    TargetForm,
    TrancheForm,
    TripForm,
    yuan,
)
from gongjian.attraction.models import AttractionTarget, Signing, Trip
from gongjian.core import excel
from gongjian.core.bounds import query_year
from gongjian.core.forms import add_service_errors
from gongjian.core.identifiers import mask_name, mask_phone
from gongjian.core.locking import Stale, posted_version
from gongjian.core.money import format_wan, wan_to_yuan, yuan_to_wan
from gongjian.jobs.views import background_export
from gongjian.org.choices import UnitKind
from gongjian.org.models import Unit
from gongjian.projects.models import Project


def _dated(name: str) -> str:
    return f"{name}_{timezone.localdate():%Y-%m-%d}.xlsx"


def _stale(request, exc: Stale) -> None:
    messages.error(request, "；".join(exc.messages))


@require_GET
@permission_required("attraction.view_trip", raise_exception=True)
def trip_list(request):
    trips = (
        queries.visible_trips(request.user)
        .select_related("unit", "leader")
        .annotate(lead_count=Count("leads"))
        .order_by("-start_date", "-id")
    )
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        trips = trips.filter(start_date__year=int(year))
    page = Paginator(trips, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "attraction/trip_list.html",
        {"page": page, "year": year, "can_manage": request.user.has_perm("attraction.manage_leads")},
    )


@require_GET
@permission_required("attraction.view_trip", raise_exception=True)
def trip_detail(request, pk):
    trip = get_object_or_404(
        queries.visible_trips(request.user)
        .select_related("unit", "leader")
        .prefetch_related("delegation", "units"),
        pk=pk,
    )
    leads = queries.visible_leads(request.user).filter(trip=trip).select_related("unit")
    return render(
        request,
        "attraction/trip_detail.html",
        {"trip": trip, "leads": leads, "can_edit": queries.may_manage(request.user, trip.unit_id)},
    )


@require_http_methods(["GET", "POST"])
@permission_required("attraction.manage_leads", raise_exception=True)
def trip_form(request, pk=None):
    trip = get_object_or_404(queries.visible_trips(request.user), pk=pk) if pk else None
    if request.method == "POST":
        form = TripForm(request.POST)
        if form.is_valid():
            try:
                if trip is None:
                    trip = services.create_trip(actor=request.user, **form.service_fields())
                else:
                    services.update_trip(
                        trip,
                        actor=request.user,
                        expected_version=posted_version(request.POST),
                        **form.service_fields(),
                    )
                messages.success(request, _("外出招商记录已保存。"))
                return redirect("attraction:trip_detail", pk=trip.pk)
            except Stale as exc:
                _stale(request, exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
    elif trip is not None:
        form = TripForm(
            initial={
                "unit": trip.unit,
                "start_date": trip.start_date,
                "end_date": trip.end_date,
                "destination": trip.destination,
                "leader": trip.leader,
                "delegation": list(trip.delegation.all()),
                "units": list(trip.units.all()),
                "companies": trip.companies,
                "cost": yuan_to_wan(trip.cost),
                "notes": trip.notes,
            }
        )
    else:
        form = TripForm(initial={"start_date": timezone.localdate(), "end_date": timezone.localdate()})
    return render(
        request,
        "attraction/form.html",
        {
            "form": form,
            "title": _("编辑外出招商") if trip else _("登记外出招商"),
            "version": trip.version if trip else None,
            "back": reverse("attraction:trip_detail", args=[trip.pk])
            if trip
            else reverse("attraction:trip_list"),
        },
    )


def _units_of(user):
    ids = queries.unit_ids_of(user)
    units = Unit.objects.filter(is_active=True)
    return units if ids is None else units.filter(pk__in=ids)


@require_GET
@permission_required("attraction.view_lead", raise_exception=True)
def lead_list(request):
    form = LeadFilterForm(request.GET or None, units=_units_of(request.user))
    params = request.GET
    leads = (
        queries.filtered_leads(request.user, params)
        .select_related("unit", "introducer", "signing")
        .order_by("-found_on", "-id")
    )
    page = Paginator(leads, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "attraction/lead_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(lead, queries.is_stalled(lead)) for lead in page.object_list],
            "query": query.urlencode(),
            "carried": [(k, request.GET[k]) for k in ("link", "through") if request.GET.get(k)],
            "stall_days": queries.stall_days(),
            "can_manage": request.user.has_perm("attraction.manage_leads"),
        },
    )


@require_GET
@permission_required("attraction.view_lead", raise_exception=True)
def lead_detail(request, pk):
    lead = get_object_or_404(
        queries.visible_leads(request.user).select_related(
            "unit", "introducer", "trip", "project", "reserve"
        ),
        pk=pk,
    )
    signing = Signing.objects.filter(lead=lead).first()
    can_edit = queries.may_manage(request.user, lead.unit_id)
    unmasked = queries.sees_contacts(request.user, lead)
    return render(
        request,
        "attraction/lead_detail.html",
        {
            "lead": lead,
            "signing": signing,
            "steps": lead.steps.select_related("by").order_by("on", "id"),
            "tranches": lead.tranches.order_by("date", "id"),
            "production": lead.production.order_by("year"),
            "contact_name": lead.contact_name if unmasked else mask_name(lead.contact_name),
            "contact_phone": lead.contact_phone if unmasked else mask_phone(lead.contact_phone),
            "stalled": queries.is_stalled(lead),
            "can_edit": can_edit,
            "can_propose": can_edit
            and lead.stage in services.SIGNED_STAGES
            and lead.reserve_id is None
            and request.user.has_perm("pipeline.add_reserveproject"),
            "project_visible": lead.project_id
            and Project.objects.in_scope(request.user).filter(pk=lead.project_id).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("attraction.manage_leads", raise_exception=True)
def lead_form(request, pk=None):
    lead = get_object_or_404(queries.visible_leads(request.user), pk=pk) if pk else None
    trips = queries.visible_trips(request.user).order_by("-start_date")[:200]
    trips = Trip.objects.filter(pk__in=[t.pk for t in trips])
    if request.method == "POST":
        form = LeadForm(request.POST, trips=trips)
        if form.is_valid():
            try:
                if lead is None:
                    lead = services.create_lead(actor=request.user, **form.service_fields())
                else:
                    services.update_lead(
                        lead,
                        actor=request.user,
                        expected_version=posted_version(request.POST),
                        **form.service_fields(),
                    )
                messages.success(request, _("意向项目已保存。"))
                return redirect("attraction:lead_detail", pk=lead.pk)
            except Stale as exc:
                _stale(request, exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
    elif lead is not None:
        initial = {name: getattr(lead, name) for name in services.LEAD_FIELDS}
        initial["amount"] = yuan_to_wan(lead.amount)
        form = LeadForm(initial=initial, trips=trips)
    else:
        initial = {"found_on": timezone.localdate()}
        trip = request.GET.get("trip", "")
        if trip.isdigit() and len(trip) < 10:
            found = trips.filter(pk=int(trip)).first()
            if found:
                initial.update(trip=found, unit=found.unit)
        form = LeadForm(initial=initial, trips=trips)
    return render(
        request,
        "attraction/form.html",
        {
            "form": form,
            "title": _("编辑意向项目") if lead else _("登记意向项目"),
            "version": lead.version if lead else None,
            "back": reverse("attraction:lead_detail", args=[lead.pk])
            if lead
            else reverse("attraction:lead_list"),
        },
    )


# The forms that move a lead: (form, title, call the service with the lead and the form's data).
def _do_step(lead, data, files, actor, version):
    services.add_step(
        lead,
        text=data["text"],
        on=data["on"],
        next_step=data["next_step"],
        actor=actor,
        expected_version=version,
    )


def _do_sign(lead, data, files, actor, version):
    services.sign_lead(
        lead,
        on=data["on"],
        amount=yuan(data["amount"]),
        contract=files.get("contract"),
        text=data["text"],
        actor=actor,
        expected_version=version,
    )


def _do_tranche(lead, data, files, actor, version):
    fields = {k: v for k, v in data.items() if k != "evidence"}
    for name in ("amount", "foreign_amount", "usd_amount"):
        fields[name] = yuan(fields.get(name))
    services.add_tranche(
        lead, evidence=files.get("evidence"), actor=actor, expected_version=version, **fields
    )


def _do_start(lead, data, files, actor, version):
    services.start_lead(lead, on=data["on"], project=data["project"], actor=actor, expected_version=version)


def _do_production(lead, data, files, actor, version):
    services.record_production(
        lead,
        year=data["year"],
        output_value=yuan(data["output_value"]),
        tax=yuan(data["tax"]),
        jobs=data["jobs"],
        on=data["on"],
        actor=actor,
        expected_version=version,
    )


def _do_drop(lead, data, files, actor, version):
    services.drop_lead(lead, reason=data["reason"], on=data["on"], actor=actor, expected_version=version)


def _do_reserve(lead, data, files, actor, version):
    services.propose_reserve(lead, actor=actor, expected_version=version, **data)


ACTIONS = {
    "step": (StepForm, _("登记跟进"), _do_step),
    "sign": (SignForm, _("项目签约"), _do_sign),
    "tranche": (TrancheForm, _("资金到位"), _do_tranche),
    "start": (StartForm, _("项目开工"), _do_start),
    "production": (ProductionForm, _("投产达效"), _do_production),
    "drop": (DropForm, _("终止项目"), _do_drop),
    "reserve": (ReserveForm, _("提交项目储备"), _do_reserve),
}


@require_http_methods(["GET", "POST"])
@permission_required("attraction.manage_leads", raise_exception=True)
def lead_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    lead = get_object_or_404(queries.visible_leads(request.user), pk=pk)
    if not queries.may_manage(request.user, lead.unit_id):
        raise PermissionDenied(_("只能管理本单位（及下属单位）的招商项目。"))
    form_class, title, do = ACTIONS[action]
    extra = (
        {"projects": Project.objects.in_scope(request.user).filter(is_archived=False)}
        if action == "start"
        else {}
    )
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **extra)
        if form.is_valid():
            try:
                do(lead, form.cleaned_data, request.FILES, request.user, posted_version(request.POST))
                messages.success(request, _("已保存：%(t)s。") % {"t": title})
                return redirect("attraction:lead_detail", pk=lead.pk)
            except Stale as exc:
                _stale(request, exc)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    form.add_error(None, str(exc))
                else:
                    add_service_errors(form, exc)
    else:
        today = timezone.localdate()
        initial = {"on": today, "date": today, "year": today.year, "start_year": today.year + 1}
        form = form_class(initial=initial, **extra)
    return render(
        request,
        "attraction/form.html",
        {
            "form": form,
            "title": f"{title}：{lead.name}",
            "version": lead.version,
            "multipart": True,
            "back": reverse("attraction:lead_detail", args=[lead.pk]),
        },
    )


@require_GET
@permission_required("attraction.view_lead", raise_exception=True)
def contract_file(request, pk):
    lead = get_object_or_404(queries.visible_leads(request.user), pk=pk)
    signing = get_object_or_404(Signing.objects.exclude(contract=""), lead=lead)
    return FileResponse(
        signing.contract.open("rb"), as_attachment=True, filename=signing.contract_name or "contract"
    )


@require_GET
@permission_required("attraction.view_lead", raise_exception=True)
def tranche_evidence(request, pk):
    tranche = get_object_or_404(queries.visible_tranches(request.user).exclude(evidence=""), pk=pk)
    return FileResponse(
        tranche.evidence.open("rb"), as_attachment=True, filename=tranche.evidence_name or "evidence"
    )


def _through(request, year: int) -> int:
    text = request.GET.get("through", "")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    today = timezone.localdate()
    return today.month if year == today.year else 12


def _display(metric: str, value):
    if value is None:
        return None
    if metric in YUAN_METRICS or metric in USD_METRICS:
        return yuan_to_wan(value)
    return value


def _monthly(request, year: int, data) -> dict:
    """The funnel page's month-by-month view, when a unit or a link is chosen (``unit``, ``link``): each month's
    figure, the cumulative figure at its end and its rate against the year's target."""
    unit_text, link = request.GET.get("unit", ""), request.GET.get("link", "")
    unit_id = int(unit_text) if unit_text.isdigit() else None
    metric = link if link in queries.METRICS else None
    context = {
        # The unit picker's 500 options, written here for the same reason as the funnel's rows.
        "unit_options": mark_safe(
            "".join(
                f'<option value="{r.unit_id}"{" selected" if r.unit_id == unit_id else ""}>{html.escape(r.unit)}</option>'
                for r in sorted(data.rows, key=lambda r: r.unit)
            )
        ),
        "links": [(m, _money_label(m)) for m in queries.METRICS],
        "chosen_link": metric or "",
        "monthly": None,
    }
    if unit_id is None and metric is None and "monthly" not in request.GET:
        return context
    try:
        monthly = queries.monthly_completion(
            request.user, year, unit_id=unit_id, metric=metric, through_month=data.through_month
        )
    except Unit.DoesNotExist:
        raise Http404(_("没有这个单位，或不在您的查看范围内。")) from None
    money = YUAN_METRICS | USD_METRICS

    def shown(m: str, value: int | None) -> str:
        if value is None:
            return "—"
        return format_wan(value) if m in money else str(value)

    context["monthly"] = monthly
    context["monthly_links"] = [
        {
            "label": _money_label(link.metric),
            "target": shown(link.metric, link.target),
            "months": [
                {
                    "value": shown(link.metric, f.value),
                    "cumulative": shown(link.metric, f.cumulative),
                    "rate": "—" if f.rate is None else f"{f.rate:.1f}%",
                }
                for f in link.months
            ],
        }
        for link in monthly.links
    ]
    context["monthly_rows"] = [
        (month, [link["months"][month - 1] for link in context["monthly_links"]])
        for month in range(1, monthly.through_month + 1)
    ]
    return context


def _money_label(metric: str) -> str:
    label = str(Metric(metric).label)
    if metric in YUAN_METRICS:
        return label.replace("（元）", "（万元）")
    if metric in USD_METRICS:
        return label.replace("（美元）", "（万美元）")
    return label


@require_GET
@permission_required("attraction.view_lead", raise_exception=True)
def funnel(request):
    year = query_year(request)
    data = queries.funnel(request.user, year, _through(request, year))
    base = reverse("attraction:lead_list")

    target_base = reverse("attraction:target_form")
    can_assign = request.user.has_perm("attraction.assign_targets")

    # The links, made once and relative to this page (/attraction/): only integers and metric keys go into them,
    # so they need no escaping beyond the ampersands. The table is marked as one of figures (class "nums"), so its
    # 8,500 cells carry no class each: a funnel of 500 units is 0.8 MB of HTML even so.
    figure_query = f"{base.removeprefix(request.path)}?year={year}&amp;through={data.through_month}&amp;link="
    target_query = f"{target_base.removeprefix(request.path)}?year={year}&amp;metric="
    money = YUAN_METRICS | USD_METRICS
    plan = [(m, m in money, m != Metric.TRIPS) for m in data.metrics]

    def cells(row, unit_id) -> str:
        """The row's cells as HTML written here: a funnel of 500 units has 8,000 of them, too many for a
        template's per-cell tags (and for format_html's per-call cost)."""
        out = []
        unit = f"&amp;unit={int(unit_id)}" if unit_id else ""
        linked_goal = can_assign and unit_id
        values, targets, rates, ranks = row.values, row.targets, row.rates, row.ranks
        for m, is_money, linked in plan:
            value, target = values[m], targets.get(m)
            shown = format_wan(value) if is_money else str(value)
            goal = "—" if target is None else (format_wan(target) if is_money else str(target))
            figure = f'<a href="{figure_query}{m}{unit}">{shown}</a>' if linked else shown
            if linked_goal:
                goal = f'<a href="{target_query}{m}{unit}">{goal}</a>'
            rate, rank = rates[m], ranks.get(m)
            rated = "—" if rate is None else f"{rate:.1f}%（{rank}）" if rank else f"{rate:.1f}%"
            out.append(f"<td>{figure} / {goal}</td><td>{rated}</td>")
        if unit_id:
            overall = "—" if row.overall is None else f"{row.overall:.1f}%"
            out.append(f"<td>{overall}</td><td>{row.overall_rank or '—'}</td>")
        return mark_safe("".join(out))

    headers = [_money_label(m) for m in data.metrics]
    counts = queries.stage_counts(queries.visible_leads(request.user).filter(found_on__year=year))
    query = urlencode({"year": year, "through": data.through_month})
    unit_link = f'<tr><td><a href="?{html.escape(query)}&amp;unit=%d#monthly" title="{html.escape(_("逐月完成情况"))}">'
    return render(
        request,
        "attraction/funnel.html",
        {
            **_monthly(request, year, data),
            "data": data,
            "headers": headers,
            "rows": mark_safe(
                "\n".join(
                    f"{unit_link % r.unit_id}{html.escape(r.unit)}</a></td>{cells(r, r.unit_id)}</tr>"
                    for r in data.rows
                )
            ),
            "total": cells(data.total, None),
            "year": year,
            "months": range(1, 13),
            "query": query,
            "can_assign": can_assign,
            "stages": [(value, label, counts.get(value, 0)) for value, label in Stage.choices],
            "colspan": len(headers) * 2 + 3,
        },
    )


@require_GET
@permission_required("attraction.view_lead", raise_exception=True)
def funnel_export(request):
    year = query_year(request)
    data = queries.funnel(request.user, year, _through(request, year))
    return excel.response(exports.write_funnel(data, actor=request.user), _dated(_("招商引资五个环节")))


@require_http_methods(["GET", "POST"])
@permission_required("attraction.view_lead", raise_exception=True)
def lead_export(request):
    leads = queries.filtered_leads(request.user, request.GET).order_by("-found_on", "-id")
    query = dict(request.GET.lists())
    started = background_export(
        request,
        rows=leads.count(),
        kind="attraction.export_leads",
        params={"query": query},
        label=_("导出意向项目"),
        back=reverse("attraction:lead_list") + (f"?{request.GET.urlencode()}" if query else ""),
    )
    if started is not None:
        return started
    buffer = io.BytesIO()
    exports.write_leads(leads, buffer, actor=request.user, filters=query)
    return excel.response(buffer, _dated(_("意向项目")))


@require_GET
@permission_required("attraction.view_tranche", raise_exception=True)
def tranche_export(request):
    tranches = queries.visible_tranches(request.user).order_by("date", "id")
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        tranches = tranches.filter(date__year=int(year))
    buffer = io.BytesIO()
    exports.write_tranches(tranches, buffer, actor=request.user, filters=dict(request.GET.lists()))
    return excel.response(buffer, _dated(_("资金到位")))


TARGET_UNIT_KINDS = (
    UnitKind.DEPARTMENT,
    UnitKind.PARK,
    UnitKind.STREET,
    UnitKind.TOWNSHIP,
    UnitKind.HEADQUARTERS,
)


def _cell(metric: str, value: int) -> str:
    """A target as the table's cell shows it: 5000 (万元), 300.5 (万美元), 12 — no trailing zeros."""
    return format(Decimal(_display(metric, value)).normalize(), "f")


@require_http_methods(["GET", "POST"])
@permission_required("attraction.assign_targets", raise_exception=True)
def target_table(request):
    """The office hands down a year's targets for every unit and link in one table (counts as they are, money in
    万元 / 万美元); a blank cell is no target, a cell left as it was is not touched."""
    year = query_year(request)
    # 全员招商: every department, park, street, township and headquarters takes targets; not the enterprises,
    # the service teams or the leadership bodies
    units = list(
        Unit.objects.filter(is_active=True, kind__in=TARGET_UNIT_KINDS)
        .order_by("kind", "path", "name")
        .only("pk", "name", "kind")
    )
    kept = {
        (t.unit_id, t.metric): t
        for t in AttractionTarget.objects.filter(year=year, unit__in=[u.pk for u in units])
    }
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        cells = {}
        for unit in units:
            for metric in Metric.values:
                key = f"{unit.pk}-{metric}"
                text = (request.POST.get(f"t-{key}") or "").strip()[:30]
                posted[key] = text
                target = kept.get((unit.pk, metric))
                if not text:
                    if target is not None:
                        errors[key] = _("已下达的目标不能清空，可改为 0。")
                    continue
                try:
                    value = wan_to_yuan(text) if metric in YUAN_METRICS | USD_METRICS else int(text)
                except ValueError:
                    money = metric in YUAN_METRICS | USD_METRICS
                    errors[key] = _("应为数字。") if money else _("应为整数（个数）。")
                    continue
                if target is None or target.value != value:  # a cell left as it was is not touched
                    cells[(unit, metric)] = (value, posted_version(request.POST, f"v-{key}"))
        if not errors:
            try:
                count = services.set_targets(year, cells, actor=request.user)
            except ValidationError as exc:
                errors = {
                    key: "；".join(m for e in errs for m in e.messages)
                    for key, errs in exc.error_dict.items()
                }
                if any(e.code == "stale" for errs in exc.error_dict.values() for e in errs):
                    status = 409
            else:
                messages.success(request, _("已下达 %(n)d 项招商目标。") % {"n": count})
                return redirect(f"{reverse('attraction:target_table')}?year={year}")
        status = status if status != 200 else 400
        messages.error(
            request, _("有 %(n)d 项目标未能下达，均未保存，请按标红的格子修改。") % {"n": len(errors)}
        )
    headers = [
        label.replace("（元）", "（万元）").replace("（美元）", "（万美元）")
        for _value, label in Metric.choices
    ]
    rows = []
    for unit in units:
        cells_shown = []
        for metric, header in zip(Metric.values, headers, strict=True):
            key = f"{unit.pk}-{metric}"
            target = kept.get((unit.pk, metric))
            value = posted.get(key, "" if target is None else _cell(metric, target.value))
            cells_shown.append(
                {
                    "key": key,
                    "label": header,
                    "value": value,
                    "version": target.version if target else "",
                    "error": errors.get(key),
                }
            )
        rows.append((unit, cells_shown))
    return render(
        request,
        "attraction/target_table.html",
        {"year": year, "rows": rows, "headers": headers},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@permission_required("attraction.assign_targets", raise_exception=True)
def target_form(request):
    """The office hands down one unit's target on one metric (counts as they are, money in 万元 / 万美元)."""
    if request.method == "POST":
        form = TargetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            value = data["value"]
            value = wan_to_yuan(value) if data["metric"] in YUAN_METRICS | USD_METRICS else int(value)
            try:
                services.set_target(
                    unit=data["unit"],
                    year=data["year"],
                    metric=data["metric"],
                    value=value,
                    actor=request.user,
                    expected_version=posted_version(request.POST),
                )
                messages.success(request, _("招商目标已下达。"))
                return redirect(f"{reverse('attraction:funnel')}?year={data['year']}")
            except Stale as exc:
                _stale(request, exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
        version = posted_version(request.POST)
    else:
        initial, version = {"year": timezone.localdate().year}, None
        unit, year, metric = (
            request.GET.get("unit", ""),
            request.GET.get("year", ""),
            request.GET.get("metric", ""),
        )
        if (
            unit.isdigit()
            and len(unit) < 10
            and year.isdigit()
            and len(year) == 4
            and metric in Metric.values
        ):
            initial.update(unit=unit, year=int(year), metric=metric)
            target = AttractionTarget.objects.filter(unit_id=int(unit), year=int(year), metric=metric).first()
            if target:
                version = target.version
                initial["value"] = _display(metric, target.value)
        form = TargetForm(initial=initial)
    return render(
        request,
        "attraction/form.html",
        {
            "form": form,
            "title": _("下达招商目标"),
            "version": version,
            "help": _("同一单位、年度和指标再次下达即修改原目标。"),
            "back": reverse("attraction:funnel"),
        },
    )
