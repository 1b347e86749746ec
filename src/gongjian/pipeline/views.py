"""Pages of the pipeline: the reserve (list with filters, detail, form, Excel out and in), the year's plans
(select from the reserve with the totals updating, edit an item's baseline, issue in the background, download) and
the campaigns. Views are thin: every change is a service call, refused changes keep what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.core import excel
from gongjian.core.downloads import attachment
from gongjian.core.forms import add_service_errors
from gongjian.core.locking import Stale, posted_version
from gongjian.core.money import yuan_to_wan
from gongjian.pipeline import exports, importing, queries, services
from gongjian.pipeline.choices import ReserveState
from gongjian.pipeline.filters import ReserveFilterSet
from gongjian.pipeline.forms import (
    CampaignForm,
    CampaignItemFormSet,
    ImportForm,
    PlanItemForm,
    ReserveForm,
    WithdrawForm,
)
from gongjian.pipeline.models import AnnualPlan, Campaign, PlanItem, ReserveProject
from gongjian.projects.choices import ApprovalKind


def _filtered(request):
    filterset = ReserveFilterSet(request.GET, queryset=queries.reserves(request.user))
    rows = filterset.qs if filterset.is_valid() else queries.reserves(request.user).none()
    return filterset, rows


@permission_required("pipeline.view_reserveproject", raise_exception=True)
def reserve_list(request):
    filterset, rows = _filtered(request)
    page = Paginator(rows.order_by("-start_year", "name", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pipeline/reserve_list.html",
        {
            "filterset": filterset,
            "page": page,
            "readiness": queries.by_readiness(rows),
            "count": rows.count(),
            "query": request.GET.copy().urlencode(),
            "can_add": request.user.has_perm("pipeline.add_reserveproject"),
            "can_manage": request.user.has_perm("pipeline.manage_pipeline"),
        },
    )


@permission_required("pipeline.view_reserveproject", raise_exception=True)
def reserve_export(request):
    _filterset, rows = _filtered(request)
    rows = rows.order_by("-start_year", "name", "id")
    return excel.response(
        importing.export_reserve(rows.iterator()), f"项目储备库_{timezone.localdate():%Y%m%d}.xlsx"
    )


@permission_required("pipeline.add_reserveproject", raise_exception=True)
def reserve_template(request):
    return excel.response(importing.template(), "储备项目导入模板.xlsx")


@permission_required("pipeline.add_reserveproject", raise_exception=True)
def reserve_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            result = importing.import_reserve(form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 422
        else:
            if result.ok:
                messages.success(request, _("已导入 %(n)s 个储备项目。") % {"n": result.created})
                return redirect("pipeline:reserve_list")
            status = 422
    return render(request, "pipeline/reserve_import.html", {"form": form, "result": result}, status=status)


@permission_required("pipeline.view_reserveproject", raise_exception=True)
def reserve_detail(request, pk):
    reserve = get_object_or_404(queries.reserves(request.user), pk=pk)
    return render(
        request,
        "pipeline/reserve_detail.html",
        {
            "reserve": reserve,
            "approval_labels": [ApprovalKind(k).label for k in reserve.approvals_done],
            "plan_items": reserve.plan_items.select_related("plan"),
            "campaign_items": reserve.campaign_items.select_related("campaign"),
            "can_edit": reserve.is_open and services.may_edit_reserve(request.user, reserve),
            "can_withdraw": reserve.state == ReserveState.RESERVE
            and services.may_edit_reserve(request.user, reserve),
            "withdraw_form": WithdrawForm(initial={"version": reserve.version}),
        },
    )


def reserve_edit(request, pk=None):
    reserve = get_object_or_404(queries.reserves(request.user), pk=pk) if pk else None
    perm = "pipeline.change_reserveproject" if reserve else "pipeline.add_reserveproject"
    if not request.user.has_perm(perm):
        raise PermissionDenied
    form = ReserveForm(request.POST or None, instance=reserve)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if reserve is None:
                reserve = services.propose(form.service_fields(), actor=request.user)
                messages.success(request, _("已提出储备项目。"))
            else:
                services.update_reserve(
                    reserve,
                    form.service_fields(),
                    actor=request.user,
                    expected_version=posted_version(request.POST),
                )
                messages.success(request, _("已保存修改。"))
            return redirect("pipeline:reserve_detail", pk=reserve.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 409 if isinstance(exc, Stale) else 422
    elif request.method == "POST":
        status = 422
    return render(request, "pipeline/reserve_form.html", {"form": form, "reserve": reserve}, status=status)


@require_POST
@permission_required("pipeline.change_reserveproject", raise_exception=True)
def reserve_withdraw(request, pk):
    reserve = get_object_or_404(queries.reserves(request.user), pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_reserve(
                reserve,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                expected_version=posted_version(request.POST),
            )
            messages.success(request, _("已退出储备。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("请写明退出原因。"))
    return redirect("pipeline:reserve_detail", pk=reserve.pk)


# Plans


@permission_required("pipeline.view_annualplan", raise_exception=True)
def plan_list(request):
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = 0
        try:
            plan = services.create_plan(year, actor=request.user)
            return redirect("pipeline:plan_detail", pk=plan.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    plans = [
        (plan, queries.plan_totals(queries.plan_items(plan))) for plan in AnnualPlan.objects.order_by("-year")
    ]
    return render(
        request,
        "pipeline/plan_list.html",
        {
            "plans": plans,
            "next_year": timezone.localdate().year + 1,
            "can_manage": request.user.has_perm("pipeline.manage_pipeline"),
        },
    )


@permission_required("pipeline.view_annualplan", raise_exception=True)
def plan_detail(request, pk):
    """The plan: its items with the totals by category; on a draft the office adds projects from the reserve
    (the totals of the chosen ones update as they are ticked), takes items off and issues it."""
    plan = get_object_or_404(AnnualPlan, pk=pk)
    can_manage = request.user.has_perm("pipeline.manage_pipeline") and plan.is_draft
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        version = posted_version(request.POST)
        action = request.POST.get("action")
        try:
            if action == "add":
                ids = [int(v) for v in request.POST.getlist("reserve") if v.isdigit()]
                chosen = list(ReserveProject.objects.filter(pk__in=ids))
                services.add_plan_items(plan, chosen, actor=request.user, expected_version=version)
                messages.success(request, _("已列入计划 %(n)s 个项目。") % {"n": len(chosen)})
            elif action == "remove":
                item = get_object_or_404(PlanItem, pk=request.POST.get("item", "0") or 0, plan=plan)
                services.remove_plan_item(item, actor=request.user, expected_version=version)
                messages.success(request, _("已移出计划。"))
            elif action == "issue":
                job = services.start_issue(plan, actor=request.user, expected_version=version)
                return redirect("jobs:job_detail", pk=job.pk)
            return redirect("pipeline:plan_detail", pk=plan.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            status = 409 if isinstance(exc, Stale) else 422
            plan.refresh_from_db()
    items = list(queries.plan_items(plan))
    candidates = []
    if can_manage:
        candidates = list(
            ReserveProject.objects.filter(state=ReserveState.RESERVE)
            .select_related("responsible_unit")
            .order_by("-readiness", "name")[:500]
        )
    return render(
        request,
        "pipeline/plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "totals": queries.plan_totals(items),
            "candidates": candidates,
            "can_manage": can_manage,
        },
        status=status,
    )


@permission_required("pipeline.manage_pipeline", raise_exception=True)
def plan_item_edit(request, pk, item_pk):
    item = get_object_or_404(PlanItem.objects.select_related("plan", "reserve"), pk=item_pk, plan_id=pk)
    form = PlanItemForm(request.POST or None, instance=item)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_plan_item(
                item,
                form.service_fields(),
                actor=request.user,
                expected_version=posted_version(request.POST),
                leaders=form.ordered_leaders(),
            )
            messages.success(request, _("已保存。"))
            return redirect("pipeline:plan_detail", pk=pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 409 if isinstance(exc, Stale) else 422
    elif request.method == "POST":
        status = 422
    return render(request, "pipeline/plan_item_form.html", {"form": form, "item": item}, status=status)


@permission_required("pipeline.view_annualplan", raise_exception=True)
def plan_docx(request, pk):
    plan = get_object_or_404(AnnualPlan, pk=pk)
    suffix = f"_{plan.number}" if plan.number else "_草稿"
    return attachment(exports.docx(plan), f"{plan.title}{suffix}.docx")


# Campaigns


@permission_required("pipeline.view_campaign", raise_exception=True)
def campaign_list(request):
    return render(
        request,
        "pipeline/campaign_list.html",
        {
            "campaigns": queries.campaigns_with_totals()[:200],
            "can_manage": request.user.has_perm("pipeline.manage_pipeline"),
        },
    )


@permission_required("pipeline.view_campaign", raise_exception=True)
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    items = list(campaign.items.select_related("project__responsible_unit", "reserve__responsible_unit"))
    return render(
        request,
        "pipeline/campaign_detail.html",
        {
            "campaign": campaign,
            "items": items,
            "total": sum(i.amount for i in items),
            "can_manage": request.user.has_perm("pipeline.manage_pipeline"),
        },
    )


@permission_required("pipeline.manage_pipeline", raise_exception=True)
def campaign_edit(request, pk=None):
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    initial = []
    if campaign and request.method != "POST":
        initial = [
            {
                "project": i.project_id,
                "reserve": i.reserve_id,
                "amount": yuan_to_wan(i.amount),
                "note": i.note,
            }
            for i in campaign.items.all()
        ]
    form = CampaignForm(request.POST or None, instance=campaign)
    items = CampaignItemFormSet(request.POST or None, initial=initial or None, prefix="items")
    status = 200
    if request.method == "POST" and form.is_valid() and items.is_valid():
        rows = [row for f in items.forms if (row := f.row())]
        fields = {name: form.cleaned_data.get(name) for name in form._meta.fields}
        fields["place"] = fields.get("place") or ""
        fields["note"] = fields.get("note") or ""
        try:
            if campaign is None:
                campaign = services.create_campaign(fields, rows, actor=request.user)
            else:
                services.update_campaign(
                    campaign,
                    fields,
                    actor=request.user,
                    expected_version=posted_version(request.POST),
                    items=rows,
                )
            messages.success(request, _("已保存。"))
            return redirect("pipeline:campaign_detail", pk=campaign.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 409 if isinstance(exc, Stale) else 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "pipeline/campaign_form.html",
        {"form": form, "items": items, "campaign": campaign},
        status=status,
    )
