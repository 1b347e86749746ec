"""Pages of the targets: the year's board (each indicator's completion against the time-elapsed line), an
indicator's units ranked, a unit's page (its targets, actuals and contract, where its staff enter the month's
figures and upload the signed scan), the office's review queue, the contracts, the settlements, and the Excel
export and import. Views parse, call one service and render; refusals keep what was typed and answer 4xx."""

from __future__ import annotations

import html

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.core import excel
from gongjian.core.bounds import as_id
from gongjian.core.downloads import attachment
from gongjian.core.locking import Stale, posted_version
from gongjian.jobs import services as jobs
from gongjian.org.models import Unit
from gongjian.targets import exports, importing, queries, services, sources
from gongjian.targets.choices import ContractState, Source
from gongjian.targets.forms import ActualForm, ImportForm, IndicatorForm
from gongjian.targets.models import Actual, Contract, Indicator, Settlement, UnitTarget
from gongjian.targets.templatetags.targets import pct

VIEW = "targets.view_indicator"


def _year(request) -> int:
    text = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


def _month(request, year: int) -> int:
    text = (request.GET.get("month") or "").strip()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return queries.current_month(year) or 1


def _years() -> list[int]:
    years = set(Indicator.objects.values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def _refused(request, exc: ValidationError) -> int:
    """Put a service's refusal on the page; the status to answer with (409 stale, else 422)."""
    for message in exc.messages:
        messages.error(request, message)
    return 409 if isinstance(exc, Stale) else 422


@permission_required(VIEW, raise_exception=True)
def board(request):
    year = _year(request)
    month = _month(request, year)
    summaries = queries.board(year, user=request.user, through_month=month)
    office = request.user.has_perm("targets.manage_targets")
    context = {
        "year": year,
        "month": month,
        "months": range(1, 13),
        "years": _years(),
        "summaries": summaries,
        "office": office,
        "waiting": queries.review_count(request.user) if office else 0,
        "form": IndicatorForm(sources=sources.registered()) if office else None,
        "own_units": _own_units(request.user),
    }
    return render(request, "targets/board.html", context)


def _own_units(user) -> list[Unit]:
    ids = queries.unit_ids_of(user)
    if ids is None or not ids:
        return []
    return list(Unit.objects.filter(pk__in=ids, targets__isnull=False).distinct().order_by("name"))


@permission_required("targets.manage_targets", raise_exception=True)
def indicator_create(request):
    year = _year(request)
    form = IndicatorForm(request.POST or None, sources=sources.registered())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                indicator = services.create_indicator(
                    year=year, name=data.pop("name"), measure=data.pop("measure"), actor=request.user, **data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("已添加指标“%(name)s”，请分解到单位。") % {"name": indicator.name}
                )
                return redirect("targets:indicator_split", indicator.pk)
        status = 422
    return render(request, "targets/indicator_form.html", {"form": form, "year": year}, status=status)


@permission_required(VIEW, raise_exception=True)
def indicator_detail(request, pk):
    indicator = get_object_or_404(Indicator, pk=pk)
    month = _month(request, indicator.year)
    [summary] = queries.board(indicator.year, user=request.user, through_month=month, indicator_ids=[pk])
    cells = sorted(summary.cells, key=lambda c: (c.rank is None, c.rank or 0, c.unit_name))
    return render(
        request,
        "targets/indicator_detail.html",
        {
            "indicator": indicator,
            "summary": summary,
            "rows": _unit_rows(indicator, cells, month),
            "month": month,
            "months": range(1, 13),
        },
    )


def _unit_rows(indicator: Indicator, cells, month: int) -> str:
    """The indicator page's rows, every unit ranked, as HTML written here: 500 units are 4,500 cells, and the
    template's tags for each (a URL reversed per row) took most of the page's time."""
    unit_base = reverse("targets:unit_detail", args=[0]).removesuffix("0/")
    query = f"?year={indicator.year}&amp;month={month}"
    not_reported, behind, on_line = _("未报"), _("落后序时"), _("达到序时")
    rows = []
    for c in cells:
        rank = f"{c.rank}/{c.ranked}" if c.rank else "—"
        if c.behind:
            line = f'<span class="tag status-not_started">{behind}</span>'
        else:
            line = "" if c.rate is None else f'<span class="tag">{on_line}</span>'
        rows.append(
            f'<tr><td class="num">{rank}</td><td><a href="{unit_base}{c.unit_id}/{query}">'
            f"{html.escape(c.unit_name)}</a></td>"
            f'<td class="num">{html.escape(indicator.display(c.target))}</td>'
            f'<td class="num">{html.escape(indicator.display(c.actual))}</td>'
            f'<td class="num">{f"{c.month}月" if c.month else not_reported}</td>'
            f'<td class="num">{pct(c.rate)}</td><td class="num">{pct(c.elapsed)}</td><td>{line}</td></tr>'
        )
    return mark_safe("\n".join(rows))


@permission_required("targets.manage_targets", raise_exception=True)
def indicator_split(request, pk):
    """The office's table of every unit's target of an indicator (in its measure); blank leaves a unit out."""
    indicator = get_object_or_404(Indicator, pk=pk)
    existing = {t.unit_id: t for t in indicator.targets.all()}
    units = list(Unit.objects.filter(is_active=True).order_by("kind", "name"))
    errors: dict[int, str] = {}
    typed: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        values = {}
        for unit in units:
            text = (request.POST.get(f"unit-{unit.pk}") or "").strip()
            typed[unit.pk] = text
            if not text:
                continue
            try:
                values[unit] = services.from_shown(indicator, text, "target")
            except ValidationError as exc:
                errors[unit.pk] = "；".join(exc.messages)
        if not errors:
            try:
                services.split_indicator(indicator, values, actor=request.user)
            except ValidationError as exc:
                status = _refused(request, exc)
            else:
                messages.success(request, _("已分解到 %(n)d 个单位。") % {"n": len(values)})
                return redirect("targets:indicator_detail", indicator.pk)
        else:
            status = 422
    rows = [
        {
            "unit": unit,
            # exact, in the measure: a target shown rounded and saved again would lose its remainder
            "value": typed.get(
                unit.pk, _plain(indicator.shown(existing[unit.pk].target)) if unit.pk in existing else ""
            ),
            "error": errors.get(unit.pk, ""),
        }
        for unit in units
    ]
    return render(
        request, "targets/indicator_split.html", {"indicator": indicator, "rows": rows}, status=status
    )


def _plain(value) -> str:
    """A Decimal as typed into a form: every digit, no exponent, no trailing zeros (30, 0.33333333)."""
    return format(value.normalize(), "f")


def _unit_targets(unit: Unit, year: int):
    return list(
        UnitTarget.objects.filter(unit=unit, indicator__year=year)
        .select_related("indicator", "unit")
        .order_by("indicator__order", "indicator_id")
    )


def _unit_page(request, unit: Unit, year: int, *, form=None, status: int = 200, version: int | None = None):
    ids = queries.unit_ids_of(request.user)
    if ids is not None and unit.pk not in ids:
        raise Http404
    month = _month(request, year)
    summaries = queries.board(year, user=request.user, through_month=month, unit_ids=[unit.pk])
    rows = [(s.indicator, s.cells[0]) for s in summaries if s.cells]
    targets = _unit_targets(unit, year)
    can_enter = request.user.has_perm("targets.enter_actuals") and unit.pk in (ids or ())
    entered = [t for t in targets if t.indicator.source == Source.ENTERED]
    actuals = (
        Actual.objects.filter(unit_target__in=targets)
        .select_related("unit_target__indicator")
        .order_by("unit_target__indicator__order", "unit_target__indicator_id", "-month")
    )
    contract = queries.visible_contracts(request.user).filter(unit=unit, year=year).defer("content").first()
    editing = as_id(request.GET.get("edit")) if can_enter and form is None else None
    if editing is not None:
        actual = next((a for a in actuals if a.pk == editing and a.unit_target in entered), None)
        if actual is not None:
            indicator = actual.unit_target.indicator
            form = ActualForm(
                targets=entered,
                initial={
                    "target": actual.unit_target_id,
                    "month": actual.month,
                    "value": _plain(indicator.shown(actual.value)),
                    "note": actual.note,
                },
            )
            version = actual.version
    context = {
        "unit": unit,
        "year": year,
        "month": month,
        "rows": rows,
        "actuals": actuals,
        "contract": contract,
        "can_enter": can_enter,
        "form": form or (ActualForm(targets=entered, initial={"month": month}) if can_enter else None),
        "version": version,
        "can_sign": contract is not None
        and contract.state != ContractState.DRAFT
        and (can_enter or request.user.has_perm("targets.manage_targets")),
    }
    return render(request, "targets/unit_detail.html", context, status=status)


@permission_required(VIEW, raise_exception=True)
def unit_detail(request, pk):
    return _unit_page(request, get_object_or_404(Unit, pk=pk), _year(request))


@require_POST
@permission_required("targets.enter_actuals", raise_exception=True)
def actual_enter(request, pk):
    unit = get_object_or_404(Unit, pk=pk)
    year = _year(request)
    targets = [t for t in _unit_targets(unit, year) if t.indicator.source == Source.ENTERED]
    form = ActualForm(request.POST, request.FILES, targets=targets)
    if not form.is_valid():
        return _unit_page(request, unit, year, form=form, status=422)
    data = form.cleaned_data
    target = next(t for t in targets if t.pk == data["target"])
    existing = Actual.objects.filter(unit_target=target, month=data["month"]).first()
    try:
        services.enter_actual(
            target,
            data["month"],
            value=services.from_shown(target.indicator, data["value"]),
            note=data["note"],
            evidence=data["evidence"],
            actor=request.user,
            expected_version=posted_version(request.POST) if existing else None,
        )
    except (
        Stale
    ) as exc:  # changed since the page was read: say so, keep what was typed, offer the version now
        messages.error(request, exc.messages[0])
        return _unit_page(request, unit, year, form=form, status=409, version=exc.current_version)
    except ValidationError as exc:
        for field, errors in (
            exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        ):
            form.add_error(field if field in form.fields else None, errors)
        return _unit_page(request, unit, year, form=form, status=422)
    messages.success(request, _("已报送，等待项目办审核。"))
    return redirect(f"{reverse('targets:unit_detail', args=[unit.pk])}?year={year}")


@permission_required(VIEW, raise_exception=True)
def actual_evidence(request, pk):
    actual = get_object_or_404(queries.visible_actuals(request.user).exclude(evidence=""), pk=pk)
    return FileResponse(
        actual.evidence.open("rb"), as_attachment=True, filename=actual.evidence_name or "evidence"
    )


@permission_required("targets.manage_targets", raise_exception=True)
def review(request):
    rows = list(queries.review_queue(request.user)[:500])
    return render(
        request,
        "targets/review.html",
        {"rows": rows, "total": queries.review_count(request.user), "year": timezone.localdate().year},
    )


@require_POST
@permission_required("targets.manage_targets", raise_exception=True)
def actual_review(request, pk):
    actual = get_object_or_404(Actual, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.review_actual(
            actual,
            approve=approve,
            reason=request.POST.get("reason", ""),
            actor=request.user,
            expected_version=posted_version(request.POST),
        )
    except ValidationError as exc:
        status = _refused(request, exc)
        rows = list(queries.review_queue(request.user)[:500])
        return render(
            request,
            "targets/review.html",
            {"rows": rows, "total": len(rows), "typed": {actual.pk: request.POST.get("reason", "")}},
            status=status,
        )
    messages.success(request, _("已审核通过。") if approve else _("已退回。"))
    return redirect("targets:review")


@require_POST
@permission_required("targets.manage_targets", raise_exception=True)
def compute(request):
    year = _year(request)
    text = request.POST.get("month", "")
    month = int(text) if text.isdigit() and 1 <= int(text) <= 12 else queries.current_month(year)
    job = jobs.start(
        "targets.compute",
        {"year": year, "month": month, "actor_id": request.user.pk},
        actor=request.user,
        label=_("计算 %(year)d年%(month)d月系统计算指标") % {"year": year, "month": month},
    )
    return redirect("jobs:job_detail", job.pk)


@permission_required("targets.view_contract", raise_exception=True)
def contract_list(request):
    year = _year(request)
    contracts = (
        queries.visible_contracts(request.user).filter(year=year).defer("content").order_by("unit__name")
    )
    office = request.user.has_perm("targets.manage_targets")
    missing = 0
    if office:
        missing = (
            Unit.objects.filter(targets__indicator__year=year)
            .exclude(target_contracts__year=year)
            .distinct()
            .count()
        )
    counts = contracts.aggregate(
        issued=Count("pk", filter=Q(state=ContractState.ISSUED)),
        signed=Count("pk", filter=Q(state=ContractState.SIGNED)),
    )
    return render(
        request,
        "targets/contract_list.html",
        {
            "year": year,
            "years": _years(),
            "contracts": contracts,
            "office": office,
            "missing": missing,
            **counts,
        },
    )


@require_POST
@permission_required("targets.manage_targets", raise_exception=True)
def contract_draft(request):
    """Draft a contract with the default rules for every unit that has targets of the year and no contract."""
    year = _year(request)
    units = Unit.objects.filter(targets__indicator__year=year).exclude(target_contracts__year=year).distinct()
    made = 0
    for unit in units:
        try:
            services.create_contract(unit, year, actor=request.user)
            made += 1
        except ValidationError as exc:
            messages.error(request, f"{unit.name}：{'；'.join(exc.messages)}")
    messages.success(request, _("已起草 %(n)d 份责任书。") % {"n": made})
    return redirect(f"{reverse('targets:contract_list')}?year={year}")


@require_POST
@permission_required("targets.manage_targets", raise_exception=True)
def contract_issue(request, pk):
    contract = get_object_or_404(Contract, pk=pk)
    try:
        services.issue_contract(contract, actor=request.user, expected_version=posted_version(request.POST))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已下达责任书。"))
    return redirect(f"{reverse('targets:contract_list')}?year={contract.year}")


@permission_required("targets.view_contract", raise_exception=True)
def contract_docx(request, pk):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    if not contract.content:
        raise Http404
    return attachment(bytes(contract.content), f"{contract.year}年{contract.unit.name}目标责任书.docx")


@permission_required("targets.view_contract", raise_exception=True)
def contract_scan(request, pk):
    contract = get_object_or_404(queries.visible_contracts(request.user).exclude(scan=""), pk=pk)
    return FileResponse(contract.scan.open("rb"), as_attachment=True, filename=contract.scan_name or "scan")


@require_POST
@permission_required("targets.view_contract", raise_exception=True)
def contract_sign(request, pk):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    back = f"{reverse('targets:unit_detail', args=[contract.unit_id])}?year={contract.year}"
    scan = request.FILES.get("scan")
    if scan is None:
        messages.error(request, _("请选择签字扫描件。"))
        return redirect(back)
    try:
        services.sign_contract(
            contract, scan=scan, actor=request.user, expected_version=posted_version(request.POST)
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已上传签字扫描件。"))
    return redirect(back)


@permission_required("targets.view_settlement", raise_exception=True)
def settlement_list(request):
    settlements = queries.visible_settlements(request.user).annotate(units=Count("lines"))
    return render(
        request,
        "targets/settlement_list.html",
        {
            "settlements": settlements,
            "office": request.user.has_perm("targets.manage_targets"),
            "year": _year(request),
            "months": range(1, 13),
        },
    )


@permission_required("targets.view_settlement", raise_exception=True)
def settlement_detail(request, pk):
    settlement = get_object_or_404(queries.visible_settlements(request.user), pk=pk)
    lines = list(queries.settlement_lines(settlement, request.user))
    return render(
        request,
        "targets/settlement_detail.html",
        {
            "settlement": settlement,
            "lines": lines,
            "office": request.user.has_perm("targets.manage_targets"),
            "later": Settlement.objects.filter(supersedes=settlement).first(),
        },
    )


@require_POST
@permission_required("targets.manage_targets", raise_exception=True)
def settlement_run(request):
    year = _year(request)
    text = request.POST.get("through_month", "12")
    try:
        job = services.start_settlement(
            year,
            actor=request.user,
            through_month=int(text) if text.isdigit() else 0,
            reason=request.POST.get("reason", ""),
            expected_version=posted_version(request.POST),
        )
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("targets:settlement_list")
    return redirect("jobs:job_detail", pk=job.pk)


@require_POST
@permission_required("targets.manage_targets", raise_exception=True)
def settlement_publish(request, pk):
    settlement = get_object_or_404(Settlement, pk=pk)
    try:
        services.publish_settlement(
            settlement, actor=request.user, expected_version=posted_version(request.POST)
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已发布兑现结果。"))
    return redirect("targets:settlement_detail", settlement.pk)


@permission_required(VIEW, raise_exception=True)
def export_targets(request):
    year = _year(request)
    month = _month(request, year)
    return excel.response(
        exports.targets_workbook(year, request.user, month), f"{year}年目标完成情况（截至{month}月）.xlsx"
    )


@permission_required("targets.enter_actuals", raise_exception=True)
def import_template(request):
    year = _year(request)
    month = _month(request, year)
    targets = (
        queries.visible_targets(request.user)
        .filter(indicator__year=year, indicator__source=Source.ENTERED)
        .select_related("indicator", "unit")
        .order_by("unit__name", "indicator__order")
    )
    return excel.response(
        exports.actuals_template(year, month, targets), f"{year}年{month}月目标完成情况表.xlsx"
    )


@permission_required("targets.enter_actuals", raise_exception=True)
def import_actuals(request):
    year = _year(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = importing.import_actuals(upload, upload.name, year=year, actor=request.user)
            if result.ok:
                messages.success(request, _("已导入 %(n)d 条，等待项目办审核。") % {"n": result.saved})
                return redirect(f"{reverse('targets:board')}?year={year}")
        status = 422
    return render(
        request,
        "targets/import.html",
        {"form": form, "result": result, "year": year, "month": _month(request, year)},
        status=status,
    )
