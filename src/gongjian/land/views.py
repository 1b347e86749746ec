"""Pages of land acquisition: the tasks, a task's progress by village, the ledger per village (cadres' households
marked and first), a household's facts, computed lines, agreement and approval, the standard's versions, the
fairness audit; the ledger to Excel (masked but for the team and the office) and the import of a workbook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongjian.core import audit, excel
from gongjian.core.bounds import as_id
from gongjian.core.downloads import attachment
from gongjian.core.forms import add_service_errors
from gongjian.core.locking import Stale
from gongjian.jobs.models import Job
from gongjian.land import access, exports, forms, importing, queries, services, wall, walldocs
from gongjian.land.choices import AgreementState
from gongjian.land.forms import AgreementForm, ApprovalForm, ImportForm, SignForm
from gongjian.land.models import Agreement, Household, LawfulPath, Task, WallList

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
        "can_publish": access.keeps_ledger(request.user, task) and request.user.has_perm("land.add_walllist"),
        "walls": queries.latest_walls(task),
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
    if request.method == "POST" and not hasattr(request, "lawful_bound"):
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
        "lawful": LawfulPath.objects.filter(household=household).first(),
        "can_lawful": keeps and request.user.has_perm("land.add_lawfulpath"),
        "can_edit": keeps and (agreement is None or agreement.state != AgreementState.SIGNED),
    }
    context["lawful_forms"] = (
        lawful_forms(household, context["lawful"], getattr(request, "lawful_bound", None))
        if context["can_lawful"]
        else {}
    )
    if context["lawful"] is not None:
        context["lawful_due"] = services.lawful_due(context["lawful"], today)
    return render(request, "land/household_detail.html", context)


# The documents kept with a household (the appraisal report, the lawful path's): personal data, read only by those
# who read the household in full, each read audited

HOUSEHOLD_FILES = {
    "appraisal": ("appraisal_report", gettext_lazy("评估报告")),
    "decision": ("decision_file", gettext_lazy("补偿决定书")),
    "notice": ("notice_file", gettext_lazy("送达回证")),
    "application": ("application_file", gettext_lazy("强制执行申请书")),
    "ruling": ("ruling_file", gettext_lazy("裁定书")),
}


@permission_required(VIEW, raise_exception=True)
def household_file(request, pk, kind):
    household = get_object_or_404(
        Household.objects.select_related("task"), pk=pk, task__in=access.tasks_for(request.user)
    )
    if kind not in HOUSEHOLD_FILES:
        raise Http404
    field, label = HOUSEHOLD_FILES[kind]
    owner = household if kind == "appraisal" else LawfulPath.objects.filter(household=household).first()
    stored = getattr(owner, field, None) if owner is not None else None
    if not stored:
        raise Http404
    services.read_household_file(
        household, str(label), actor=request.user, request_ip=audit.client_ip(request)
    )
    extension = stored.name[stored.name.rfind(".") :] if "." in stored.name else ""
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=f"{household.number}{label}{extension}"
    )


# The wall list (公开上墙)

WALL_PAGE_SIZE = 500


@permission_required(VIEW, raise_exception=True)
@require_POST
def wall_publish(request, pk):
    """Publish (or correct, with the reason) a village's wall list from the task's page."""
    task = _task(request, pk)
    village_id = as_id(request.POST.get("village"))
    village = task.villages.filter(pk=village_id).first() if village_id else None
    if village is None:
        messages.error(request, _("请选择本任务的村居。"))
        return redirect("land:task_detail", pk=task.pk)
    try:
        kept = services.publish_or_queue_wall_list(
            village,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if isinstance(
            kept, Job
        ):  # a large village: published in the background, its progress on the job's page
            return redirect("jobs:job_detail", pk=kept.pk)
        messages.success(
            request, _("已发布%(village)s公示清单第%(n)d号。") % {"village": village.name, "n": kept.number}
        )
    return redirect("land:task_detail", pk=task.pk)


def _published_task(pk) -> Task:
    # only a task with a published list has a public page: others are not announced to the public
    return get_object_or_404(Task.objects.filter(wall_lists__isnull=False).distinct(), pk=pk)


@login_not_required
def public_task(request, pk):
    """The public page (网上公示) of a task: each village's latest list and all its versions, old ones readable."""
    task = _published_task(pk)
    versions = list(
        WallList.objects.filter(task=task)
        .select_related("village")
        .order_by("village__order", "village_id", "-number")
        .only("id", "number", "published_at", "reason", "totals", "village__name", "village__order")
    )
    villages: dict[int, dict] = {}
    for version in versions:
        entry = villages.setdefault(version.village_id, {"village": version.village, "versions": []})
        entry["versions"].append(version)
    return render(request, "land/public_task.html", {"task": task, "villages": list(villages.values())})


@login_not_required
def public_wall(request, pk):
    """One published version, exactly as published (masked), a page at a time; a later version is pointed to."""
    wall_list = get_object_or_404(WallList.objects.select_related("task", "village"), pk=pk)
    latest = (
        WallList.objects.filter(village_id=wall_list.village_id)
        .order_by("-number")
        .values("id", "number")
        .first()
    )
    page = Paginator(wall_list.rows, WALL_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "wall": wall_list,
        "task": wall_list.task,
        "rows": wall.table_rows(list(page.object_list)),
        "marks": [bool(r["cadre"]) for r in page.object_list],
        "header": wall.header(),
        "page": page,
        "latest": latest if latest and latest["id"] != wall_list.pk else None,
    }
    context["lines"] = list(zip(context["rows"], context["marks"], strict=True))
    return render(request, "land/public_wall.html", context)


# Lists of up to this many rows are rendered on request when their job has not made the files (yet)
SYNC_ROWS = 2000


def _paper(request, pk, ext: str):
    wall_list = get_object_or_404(WallList.objects.select_related("task", "village").defer("rows"), pk=pk)
    stored = wall_list.docx_file if ext == "docx" else wall_list.pdf_file
    filename = f"{wall_list.village.name}公示清单_第{wall_list.number}号.{ext}"
    if stored:
        with stored.open("rb") as handle:
            return attachment(handle.read(), filename)
    if wall_list.totals.get("households", 0) > SYNC_ROWS:
        return render(request, "land/wall_pending.html", {"wall": wall_list}, status=202)
    wall_list = WallList.objects.select_related("task", "village").get(pk=pk)
    url = request.build_absolute_uri(reverse("land:public_wall", args=[wall_list.pk]))
    sheet = wall.sheet_of(wall_list, url)
    render_file = walldocs.render_docx if ext == "docx" else walldocs.render_pdf
    return attachment(render_file(sheet), filename)


@login_not_required
def wall_docx(request, pk):
    """The version on A3 landscape paper (.docx), with the QR code of its public page."""
    return _paper(request, pk, "docx")


@login_not_required
def wall_pdf(request, pk):
    """The version on A3 landscape paper (.pdf), with the QR code of its public page."""
    return _paper(request, pk, "pdf")


# The lawful path (依法征收)


def _lawful_call(step: str, household: Household, path: LawfulPath | None, data: dict, actor):
    document = data.get("document")
    if step == "decision":
        return services.start_lawful_path(
            household,
            actor=actor,
            decision_number=data["decision_number"],
            decided_on=data["decided_on"],
            decision_file=document,
        )
    if path is None:
        raise ValidationError(_("尚未作出补偿决定。"), code="state")
    version = data["version"]
    if step == "serve":
        return services.serve_decision(
            path, actor=actor, served_on=data["served_on"], notice_file=document, version=version
        )
    if step == "challenge":
        return services.record_challenge(
            path,
            actor=actor,
            challenged_on=data["challenged_on"],
            note=data["challenge_note"],
            version=version,
        )
    if step == "court":
        return services.apply_to_court(
            path,
            actor=actor,
            applied_on=data["applied_on"],
            court=data["court"],
            application_file=document,
            version=version,
        )
    return services.record_ruling(
        path,
        actor=actor,
        ruled_on=data["ruled_on"],
        result=data["ruling_result"],
        ruling_file=document,
        version=version,
    )


def lawful_forms(household: Household, path: LawfulPath | None, bound=None) -> dict:
    """The forms of the steps that may come next, in order (a step before its predecessor is not offered;
    the service refuses it anyway, with the reason)."""
    version = path.version if path else None
    steps: list[str] = []
    if path is None:
        steps = ["decision"] if household.signed_on is None else []
    elif path.served_on is None:
        steps = ["serve"]
    elif path.applied_on is None:
        steps = [] if path.challenged_on else ["challenge", "court"]
    elif path.ruled_on is None:
        steps = ["ruling"]
    out = {}
    for step in steps:
        if bound is not None and bound[0] == step:
            out[step] = bound[1]
        else:
            out[step] = forms.LAWFUL_FORMS[step](initial={"version": version})
    return out


@permission_required(VIEW, raise_exception=True)
@require_POST
def lawful_step(request, pk):
    """Record a step of the household's lawful path; the page again with the errors if refused."""
    household = get_object_or_404(
        Household.objects.select_related("task__team", "village"),
        pk=pk,
        task__in=access.tasks_for(request.user),
    )
    step = request.POST.get("step", "")
    if step not in forms.LAWFUL_FORMS:
        messages.error(request, _("未知的程序步骤。"))
        return redirect("land:household_detail", pk=household.pk)
    form = forms.LAWFUL_FORMS[step](request.POST, request.FILES)
    path = LawfulPath.objects.filter(household=household).first()
    if form.is_valid():
        try:
            _lawful_call(step, household, path, form.cleaned_data, request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Stale as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记。"))
            return redirect(f"{reverse('land:household_detail', args=[household.pk])}#lawful")
    request.lawful_bound = (step, form)
    return household_detail(request, household.pk)


@permission_required(VIEW, raise_exception=True)
def lawful_list(request):
    """Every household on the lawful path of the tasks the user sees: its step, the legal deadlines and what is
    due now."""
    today = timezone.localdate()
    rows = [
        {"path": p, "due": services.lawful_due(p, today)}
        for p in queries.lawful_paths(access.tasks_for(request.user))
    ]
    due_only = request.GET.get("due") == "1"  # the to-do's link: only the paths whose next step is due
    if due_only:
        rows = [r for r in rows if r["due"]]
    return render(request, "land/lawful_list.html", {"rows": rows, "due_only": due_only})


# Progress from the ledger


@permission_required(VIEW, raise_exception=True)
def dispatch_page(request, pk):
    """The headquarters' daily 调度 of a task: yesterday's change per village and the gap to the deadline."""
    task = _task(request, pk)
    return render(
        request, "land/dispatch.html", {"task": task, "d": queries.dispatch(task, timezone.localdate())}
    )


@permission_required(VIEW, raise_exception=True)
def payments_page(request, pk):
    """The payments reconciled against the signed agreements: totals and every household not paid in full."""
    task = _task(request, pk)
    result = queries.reconciliation(task, full=access.reads_in_full(request.user, task))
    return render(request, "land/payments.html", {"task": task, **result})


# Tasks and households on the page (the office and the task's team; the same services as the API and the import)

_TASK_ERRORS = {"team_id": "team", "project_id": "project", "park_id": "park"}


def _task_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        field = "villages" if key.startswith("villages[") else _TASK_ERRORS.get(key, key)
        form.add_error(field if field in form.fields else None, errors)


def _task_form_page(request, form, task, status=200):
    return render(request, "land/task_form.html", {"form": form, "task": task}, status=status)


@permission_required("land.add_task", raise_exception=True)
def task_create(request):
    """A new acquisition task with its villages (the office's)."""
    form = forms.TaskForm(request.POST or None, initial={"cadre_first_days": 30, "state": "preparing"})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(
                actor=request.user, villages=form.village_rows(), **form.service_fields()
            )
        except ValidationError as exc:
            _task_errors(form, exc)
        else:
            messages.success(request, _("已新建征收任务。"))
            return redirect("land:task_detail", pk=task.pk)
    return _task_form_page(request, form, None, status=400 if form.errors else 200)


@permission_required("land.change_task", raise_exception=True)
def task_edit(request, pk):
    task = _task(request, pk)
    initial = {
        "name": task.name,
        "project": task.project_id,
        "park": task.park_id,
        "team": task.team_id,
        "area_mu": task.area_mu,
        "deadline": task.deadline,
        "legal_basis": task.legal_basis,
        "announcement_number": task.announcement_number,
        "announcement_date": task.announcement_date,
        "cadre_first_days": task.cadre_first_days,
        "state": task.state,
        "version": task.version,
    }
    form = forms.TaskForm(request.POST or None, initial=initial, creating=False)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(
                task, actor=request.user, version=form.cleaned_data["version"], **form.service_fields()
            )
        except Stale as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            _task_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("land:task_detail", pk=task.pk)
    if form.errors and status == 200:
        status = 400
    return _task_form_page(request, form, task, status=status)


def _household_sets(request, household: Household | None):
    """The household's lists as formsets (members, parcels, buildings, attachments), filled from the ledger."""
    sets = {}
    for key, (formset, label, _fields) in forms.HOUSEHOLD_LISTS.items():
        initial = []
        if household is not None and request.method != "POST":
            if key == "members":
                initial = [
                    {"name": m.name, "id_number": m.id_number, "relation": m.relation}
                    for m in household.members.all()
                ]
            elif key == "parcels":
                initial = [{"category": p.category, "area_mu": p.area_mu} for p in household.parcels.all()]
            elif key == "buildings":
                initial = [
                    {"grade": b.grade, "area": b.area, "legal": "1" if b.legal else "0", "note": b.note}
                    for b in household.buildings.all()
                ]
            else:
                initial = [{"kind": a.kind, "count": a.count} for a in household.attachments.all()]
        sets[key] = (formset(request.POST or None, prefix=key, initial=initial), label)
    return sets


_FORM_FIELD = {"cadre_id": "cadre"}  # the page form picks the cadre by name; the services take their id


def _household_data(form, sets) -> tuple[dict, dict]:
    """What the service reads, and for each list the formset row of each row sent (errors go back to it)."""
    cleaned = form.cleaned_data
    data = {key: cleaned[_FORM_FIELD.get(key, key)] for key in services.HOUSEHOLD_FIELDS}
    data.update(
        village_id=data.pop("village").pk,
        cadre_id=cleaned["cadre"].pk if cleaned["cadre"] else None,
        cadre_relation=cleaned["cadre_relation"] or "",
        business_area=cleaned["business_area"] or 0,
        appraisal_report=cleaned["appraisal_report"],
    )
    where: dict[str, list[int]] = {}
    for key, (formset, _label) in sets.items():
        filled = forms.HOUSEHOLD_LISTS[key][2]
        rows, where[key] = [], []
        for index, row in enumerate(formset.forms):
            values = row.cleaned_data
            if not any(values.get(f) not in (None, "") for f in filled):
                continue
            rows.append(dict(values))
            where[key].append(index)
        data[key] = rows
    return data, where


def _household_errors(form, sets, where, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        head, _dot, field = key.partition(".")
        name, _bracket, index = head.partition("[")
        if index and name in sets:
            row = sets[name][0].forms[where[name][int(index.rstrip("]"))]]
            row.add_error(field if field in row.fields else None, errors)
            continue
        field = "village" if key == "village_id" else key
        form.add_error(field if field in form.fields else None, errors)


def _household_page(request, task, household, form, sets, status=200):
    context = {"task": task, "household": household, "form": form, "sets": list(sets.values())}
    return render(request, "land/household_form.html", context, status=status)


def _household_form(request, task: Task, household: Household | None):
    if not access.keeps_ledger(request.user, task):
        raise PermissionDenied(_("只有本任务的服务工作队和项目办可以维护台账。"))
    initial = {}
    if household is not None:
        initial = {_FORM_FIELD.get(key, key): getattr(household, key) for key in services.HOUSEHOLD_FIELDS}
        initial["version"] = household.version
    form = forms.HouseholdForm(request.POST or None, request.FILES or None, initial=initial, task=task)
    sets = _household_sets(request, household)
    status = 200
    if request.method == "POST":
        if form.is_valid() and all(formset.is_valid() for formset, _label in sets.values()):
            data, where = _household_data(form, sets)
            try:
                saved = services.save_household(
                    task,
                    data,
                    actor=request.user,
                    household=household,
                    version=form.cleaned_data["version"] if household else None,
                )
            except Stale as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                _household_errors(form, sets, where, exc)
            else:
                messages.success(request, _("已保存被征收户 %(n)s。") % {"n": saved.number})
                return redirect("land:household_detail", pk=saved.pk)
        if status == 200:
            status = 400
    return _household_page(request, task, household, form, sets, status=status)


@permission_required(VIEW, raise_exception=True)
def household_create(request, pk):
    return _household_form(request, _task(request, pk), None)


@permission_required(VIEW, raise_exception=True)
def household_edit(request, pk):
    household = get_object_or_404(
        Household.objects.select_related("task"), pk=pk, task__in=access.tasks_for(request.user)
    )
    if request.method != "POST":  # the form shows the ID numbers in full: a read of the unmasked household
        services.read_household(household, actor=request.user, request_ip=audit.client_ip(request))
    return _household_form(request, household.task, household)
