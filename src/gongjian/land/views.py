"""Pages of land acquisition: the tasks, a task's progress by village, the ledger per village (cadres' households
marked and first), a household's facts, computed lines, agreement and approval, the standard's versions, the
fairness audit; the ledger to Excel (masked but for the team and the office) and the import of a workbook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gongjian.core import audit, excel
from gongjian.core.bounds import as_id
from gongjian.core.forms import add_service_errors
from gongjian.core.locking import Stale
from gongjian.land import access, exports, importing, queries, services
from gongjian.land.choices import AgreementState
from gongjian.land.forms import AgreementForm, ApprovalForm, ImportForm, SignForm
from gongjian.land.models import Agreement, Household, Task

VIEW = "land.view_task"
PAGE_SIZE = 200


def _task(request, pk) -> Task:
    return get_object_or_404(access.tasks_for(request.user), pk=pk)


def _flag(request, name: str) -> bool | None:
    value = request.GET.get(name, "")
    return {"1": True, "0": False}.get(value)


def _filters(request, task: Task) -> queries.LedgerFilters:
    village = request.GET.get("village", "")
    village_id = (
        int(village) if village.isdigit() and task.villages.filter(pk=int(village)).exists() else None
    )
    return queries.LedgerFilters(
        village=village_id,
        signed=_flag(request, "signed"),
        cadre=_flag(request, "cadre"),
        deviation=_flag(request, "deviation"),
        overdue=_flag(request, "overdue"),
    )


@permission_required(VIEW, raise_exception=True)
def task_list(request):
    tasks = list(access.tasks_for(request.user).order_by("-id"))
    rows = [{"task": t, "progress": queries.progress(t)} for t in tasks]
    return render(request, "land/task_list.html", {"rows": rows})


@permission_required(VIEW, raise_exception=True)
def task_detail(request, pk):
    task = _task(request, pk)
    context = {
        "task": task,
        "progress": queries.progress(task),
        "villages": queries.by_village(task),
        "standard": services.current_standard(task),
        "can_import": access.keeps_ledger(request.user, task),
    }
    return render(request, "land/task_detail.html", context)


@permission_required(VIEW, raise_exception=True)
def ledger(request, pk):
    task = _task(request, pk)
    filters = _filters(request, task)
    full = access.reads_in_full(request.user, task)
    total = queries.ledger_count(task, filters)
    paginator = Paginator(range(total), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = queries.ledger(
        task, filters, full=full, offset=page.start_index() - 1 if total else 0, limit=PAGE_SIZE
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
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "task": task,
        "rows": rows,
        "page": page,
        "total": total,
        "full": full,
        "filters": filters,
        "villages": task.villages.all(),
        "query": query.urlencode(),
        "progress": queries.progress(task),
    }
    return render(request, "land/ledger.html", context)


@permission_required(VIEW, raise_exception=True)
def ledger_export(request, pk):
    task = _task(request, pk)
    filters = _filters(request, task)
    full = access.keeps_ledger(request.user, task)  # the team and the office; everyone else masked
    rows = queries.ledger(task, filters, full=full)
    audit.record(
        "land.ledger.export",
        actor=request.user,
        obj=task,
        note=(_("导出未脱敏的台账 %(n)d 户") if full else _("导出脱敏台账 %(n)d 户")) % {"n": len(rows)},
        ip_address=audit.client_ip(request),
    )
    return excel.response(excel.workbook(exports.ledger_sheet(rows)), f"{task.name}_台账.xlsx")


@permission_required(VIEW, raise_exception=True)
def import_template(request, pk):
    task = _task(request, pk)
    return excel.response(importing.template(task), f"{task.name}_导入模板.xlsx")


@permission_required(VIEW, raise_exception=True)
def ledger_import(request, pk):
    task = _task(request, pk)
    if not access.keeps_ledger(request.user, task):
        raise PermissionDenied(_("只有本任务的服务工作队和项目办可以导入台账。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = importing.import_workbook(task, upload, upload.name, actor=request.user)
        if result.ok:
            messages.success(
                request,
                _("已导入 %(h)d 户、%(b)d 处房屋、%(a)d 份协议。")
                % {"h": result.households, "b": result.buildings, "a": result.agreements},
            )
            return redirect("land:ledger", pk=task.pk)
    return render(request, "land/import.html", {"task": task, "form": form, "result": result})


@permission_required(VIEW, raise_exception=True)
def standard_page(request, pk):
    task = _task(request, pk)
    versions = list(task.standards.order_by("-version"))
    chosen = versions[0] if versions else None
    wanted = as_id(request.GET.get("version"))
    if wanted:
        chosen = next((v for v in versions if v.version == wanted), chosen)
    parsed = chosen.engine_standard() if chosen else None
    return render(
        request,
        "land/standard.html",
        {"task": task, "versions": versions, "chosen": chosen, "standard": parsed},
    )


@permission_required(VIEW, raise_exception=True)
def audit_page(request, pk):
    task = _task(request, pk)
    if not request.user.has_perm("land.view_fairness"):
        raise PermissionDenied
    result = queries.fairness(task, full=access.reads_in_full(request.user, task))
    return render(request, "land/audit.html", {"task": task, "result": result, "counts": result.counts()})


def _agreement_action(request, household: Household, agreement: Agreement | None):
    """The POST of the household page: draft, approve/refuse or sign. Returns the forms with errors, or None."""
    action = request.POST.get("action")
    forms = {}
    try:
        if action == "draft":
            form = forms["draft"] = AgreementForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                services.draft_agreement(
                    household,
                    actor=request.user,
                    option=data["option"],
                    housing_area=data["housing_area"] or Decimal(0),
                    signed_on=data["signed_on"],
                    agreed_total=data["agreed_total"],
                    deviation_reason=data["deviation_reason"],
                    version=data["version"],
                )
                return None
        elif action == "approve" and agreement is not None:
            form = forms["approve"] = ApprovalForm(request.POST)
            if form.is_valid():
                services.decide_deviation(
                    agreement,
                    actor=request.user,
                    approve=form.cleaned_data["approve"],
                    note=form.cleaned_data["note"],
                    version=form.cleaned_data["version"],
                )
                return None
        elif action == "sign" and agreement is not None:
            form = forms["sign"] = SignForm(request.POST)
            if form.is_valid():
                services.sign_agreement(
                    agreement,
                    actor=request.user,
                    signed_on=form.cleaned_data["signed_on"],
                    version=form.cleaned_data["version"],
                )
                return None
        else:
            raise PermissionDenied
    except Stale as exc:
        messages.error(request, exc.messages[0])
        return None
    except ValidationError as exc:
        add_service_errors(form, exc)
    return forms


@permission_required(VIEW, raise_exception=True)
def household_detail(request, pk):
    household = get_object_or_404(
        Household.objects.select_related("task__team", "village", "cadre"),
        pk=pk,
        task__in=access.tasks_for(request.user),
    )
    task = household.task
    agreement = (
        Agreement.objects.select_related("standard", "approved_by").filter(household=household).first()
    )
    bound = {}
    if request.method == "POST":
        bound = _agreement_action(request, household, agreement)
        if bound is None:
            return redirect("land:household_detail", pk=household.pk)
    full = services.read_household(household, actor=request.user, request_ip=audit.client_ip(request))
    view = queries.household_view(household, full)
    keeps = access.keeps_ledger(request.user, task)
    today = dt.date.today()
    context = {
        "task": task,
        "household": household,
        "view": view,
        "agreement": agreement,
        "draft_form": bound.get("draft")
        or AgreementForm(
            initial={
                "option": agreement.option if agreement else "money",
                "housing_area": agreement.housing_area if agreement else 0,
                "signed_on": agreement.computed_on if agreement else today,
                "version": agreement.version if agreement else None,
            }
        ),
        "approve_form": bound.get("approve")
        or ApprovalForm(initial={"version": agreement.version if agreement else 0}),
        "sign_form": bound.get("sign")
        or SignForm(initial={"version": agreement.version if agreement else 0, "signed_on": today}),
        "can_draft": keeps and (agreement is None or agreement.state != AgreementState.SIGNED),
        "can_approve": agreement is not None
        and agreement.state == AgreementState.PENDING
        and request.user.has_perm("land.approve_deviation"),
        "can_sign": keeps and agreement is not None and agreement.can_be_signed(),
    }
    return render(request, "land/household_detail.html", context)
