import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongjian.core import excel
from gongjian.core.forms import add_service_errors
from gongjian.core.locking import Stale, posted_version
from gongjian.core.money import format_wan
from gongjian.org.models import Unit
from gongjian.projects.filters import narrow
from gongjian.projects.models import Milestone, Project
from gongjian.reports import exports, queries, rules, services
from gongjian.reports.choices import ProblemCategory
from gongjian.reports.forms import MilestonesReachedForm, PhotosForm, ProblemFormSet, ReportForm
from gongjian.reports.models import Report, ReportingPeriod, ReportPhoto
from gongjian.reports.services import batch as batch_filing


@permission_required("reports.view_report", raise_exception=True)
def due_list(request):
    """My reports due (待填报): every open period × every project in my scope, with where each report stands;
    ``?todo=file`` only those still to file, ``?todo=review`` the reports waiting for my review (of any period) —
    the lists behind the to-do page's counts."""
    todo = request.GET.get("todo")
    if todo == "review":
        rows = queries.review_rows(request.user)
    else:
        rows = queries.due_rows(request.user)
        if todo == "file":
            rows = queries.to_file(rows)
        else:
            todo = None
    periods = list(dict.fromkeys(row["period"] for row in rows)) or list(
        ReportingPeriod.objects.filter(opens_at__lte=timezone.now()).order_by("-deadline")[:3]
    )
    return render(
        request,
        "reports/due_list.html",
        {
            "rows": rows,
            "periods": periods,
            "todo": todo,
            "can_file": request.user.has_perm("reports.submit_report"),
            "can_review": request.user.has_perm("reports.review_report"),
        },
    )


@permission_required("reports.view_report", raise_exception=True)
def period_status(request, pk):
    """One period at a glance (填报情况): by responsible unit, how many reports are approved, submitted,
    returned, in draft, late and missing, within the viewer's scope."""
    period = get_object_or_404(ReportingPeriod, pk=pk)
    now = timezone.now()
    projects = (
        Project.objects.in_scope(request.user).filter(is_archived=False).select_related("responsible_unit")
    )
    # The cockpit's filing rate opens this page filtered as it counted (region, park, category, level).
    projects, narrowed = narrow(request.GET, projects)
    totals = dict.fromkeys(
        ("projects", "filed", "approved", "submitted", "returned", "draft", "late", "missing"), 0
    )
    reports = {r.project_id: r for r in Report.objects.filter(period=period, project__in=projects)}
    units: dict[int, dict] = {}
    missing = []
    for project in projects.order_by("responsible_unit__name", "code"):
        report = reports.get(project.pk)
        row = units.setdefault(
            project.responsible_unit_id,
            {
                "unit": project.responsible_unit,
                "projects": 0,
                "filed": 0,
                "approved": 0,
                "submitted": 0,
                "returned": 0,
                "draft": 0,
                "late": 0,
                "missing": 0,
            },
        )
        row["projects"] += 1
        totals["projects"] += 1
        if report:
            row[report.state] += 1
            totals[report.state] += 1
            if report.first_submitted_at is not None:  # filed (已报送): what the cockpit's filing rate counts
                row["filed"] += 1
                totals["filed"] += 1
        status = rules.filing_status(
            opens_at=period.opens_at,
            deadline=period.deadline,
            submitted_at=report.first_submitted_at if report else None,
            now=now,
        )
        if status in (rules.FilingStatus.LATE, rules.FilingStatus.MISSING):
            row[status.value] += 1
            totals[status.value] += 1
        if status == rules.FilingStatus.MISSING:
            missing.append(project)
    return render(
        request,
        "reports/period_status.html",
        {
            "period": period,
            "units": list(units.values()),
            "totals": totals,
            "narrowed": narrowed,
            "query": request.GET.urlencode(),
            "missing": missing,
            "periods": ReportingPeriod.objects.order_by("-opens_at")[:12],
        },
    )


COMPARED = [
    ("amount", gettext_lazy("本期完成（万元）")),
    ("year_to_date", gettext_lazy("本年累计（万元）")),
    ("progress_percent", gettext_lazy("形象进度")),
    ("workers", gettext_lazy("在岗施工人数")),
    ("progress_text", gettext_lazy("形象进度描述")),
    ("explanation", gettext_lazy("差异说明")),
    ("return_reason", gettext_lazy("退回原因")),
    ("problems", gettext_lazy("需协调问题")),
    ("milestones_reached", gettext_lazy("完成节点")),
]


class _Names:
    """What a revision's ids and codes read as on the page: the units asked and the milestones reached of all the
    versions, fetched once, and the problem categories' labels. A unit or milestone deleted since says so."""

    def __init__(self, revisions) -> None:
        units, milestones = set(), set()
        for revision in revisions:
            units |= {p.get("unit_asked") for p in revision.data.get("problems") or []}
            milestones |= {m.get("milestone") for m in revision.data.get("milestones_reached") or []}
        self.units = dict(Unit.objects.filter(pk__in=units - {None}).values_list("pk", "name"))
        self.milestones = {m.pk: str(m) for m in Milestone.objects.filter(pk__in=milestones - {None})}
        self.categories = dict(ProblemCategory.choices)

    def shown(self, key: str, value) -> str:
        if value in (None, "", []):
            return "—"
        if key in ("amount", "year_to_date"):
            return format_wan(int(value))
        if key == "progress_percent":
            return f"{Decimal(str(value)).normalize():f}%"
        if key == "problems":
            return "；".join(
                _("%(category)s：%(text)s（请%(unit)s协调）")
                % {
                    "category": self.categories.get(p.get("category")) or _("其他"),
                    "text": p.get("description", ""),
                    "unit": self.units.get(p.get("unit_asked")) or _("（已删除的单位）"),
                }
                for p in value
            )
        if key == "milestones_reached":
            return "；".join(
                _("%(milestone)s（%(day)s 完成）")
                % {
                    "milestone": self.milestones.get(m.get("milestone")) or _("（已删除的节点）"),
                    "day": m.get("actual_date", ""),
                }
                for m in value
            )
        return str(value)


def compare_revisions(revisions) -> list[dict]:
    """Every kept version side by side, each value marked when it differs from the version before; values read as
    the form shows them (万元, %, the problem's category, the unit and the milestone by name)."""
    names = _Names(revisions)
    rows, previous = [], None
    for revision in revisions:
        cells = [
            {
                "value": names.shown(key, revision.data.get(key)),
                "changed": previous is not None and previous.data.get(key) != revision.data.get(key),
            }
            for key, _label in COMPARED
        ]
        rows.append({"revision": revision, "cells": cells})
        previous = revision
    return rows


def _report_context(project, period, report, form, milestones, problems, photos_form):
    revisions = list(report.revisions.select_related("actor")) if report else []
    return {
        "project": project,
        "period": period,
        "report": report,
        "form": form,
        "milestones": milestones,
        "problems": problems,
        "photos_form": photos_form,
        "revisions": compare_revisions(revisions),
        "photos": list(report.photos.all()) if report else [],
        "compared": [label for _key, label in COMPARED],
        "problem_list": report.problems.select_related("unit_asked", "case") if report else [],
    }


@permission_required("reports.view_report", raise_exception=True)
def report_edit(request, project_pk, period_pk):
    """Fill, save and submit one project's report for one period; reviewers approve or return it here."""
    project = get_object_or_404(Project.objects.in_scope(request.user), pk=project_pk)
    period = get_object_or_404(ReportingPeriod, pk=period_pk)
    report = Report.objects.filter(project=project, period=period).first()
    data = request.POST or None
    form = ReportForm(data, instance=report or Report(project=project, period=period))
    milestones = MilestonesReachedForm(data, project=project, report=report, prefix="reached")
    initial = (
        [
            {"category": p.category, "description": p.description, "unit_asked": p.unit_asked_id}
            for p in report.problems.all()
        ]
        if report
        else []
    )
    problems = ProblemFormSet(data, initial=initial, prefix="problems")
    photos_form = PhotosForm(data, request.FILES or None, report=report)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("reports.submit_report"):
            raise PermissionDenied
        forms_valid = [f.is_valid() for f in (form, milestones, problems, photos_form)]
        if all(forms_valid):
            kept = [f.cleaned_data for f in problems if f.cleaned_data and f.cleaned_data.get("description")]
            saved = None
            try:
                saved = services.save_draft(
                    project,
                    period,
                    form.service_data(),
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    milestones=milestones.reached(),
                    problems=kept,
                )
                for photo in photos_form.cleaned_data["remove"]:
                    saved = services.remove_photo(photo, actor=request.user, expected_version=saved.version)
                if photos_form.cleaned_data["photos"]:
                    services.add_photos(
                        saved,
                        photos_form.cleaned_data["photos"],
                        actor=request.user,
                        expected_version=saved.version,
                    )
                if "submit" in request.POST:
                    services.submit_report(saved, actor=request.user, expected_version=saved.version)
                    messages.success(request, _("报告已提交。"))
                else:
                    messages.success(request, _("草稿已保存。"))
                return redirect("reports:report_edit", project_pk=project.pk, period_pk=period.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
                if isinstance(
                    exc, services.StaleReport
                ):  # someone saved first: say so, keep the form as typed
                    status = 409
                elif (
                    saved is not None
                ):  # the draft was saved before a later step failed: the form is that version
                    report = saved
                    form.data = form.data.copy()
                    form.data["version"] = str(saved.version)
        status = status if status == 409 else 400
    context = _report_context(project, period, report, form, milestones, problems, photos_form)
    return render(request, "reports/report_form.html", context, status=status)


@permission_required("reports.view_report", raise_exception=True)
def photo_file(request, pk, thumbnail=False):
    """A site photo (or its thumbnail), to whoever may see the report's project; never a public URL."""
    photo = get_object_or_404(
        ReportPhoto.objects.filter(report__project__in=Project.objects.in_scope(request.user)), pk=pk
    )
    stored = photo.thumbnail if thumbnail else photo.image
    response = FileResponse(stored.open("rb"), content_type="image/jpeg" if thumbnail else photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_POST
@permission_required("reports.add_reportingperiod", raise_exception=True)
def period_remind(request, pk):
    period = get_object_or_404(ReportingPeriod, pk=pk)
    count = services.send_reminders(period, actor=request.user)
    messages.success(request, _("已向 %(n)d 名填报员发送催报提醒。") % {"n": count})
    return redirect("reports:period_status", pk=period.pk)


@require_POST
@permission_required("reports.review_report", raise_exception=True)
def report_review(request, pk):
    """Approve or return a report, from the version the reviewer read (the review form's hidden ``version``). When
    it cannot be done, the report's page says why (409 when someone has changed the report since) and keeps the
    reason typed."""
    report = get_object_or_404(
        Report.objects.filter(project__in=Project.objects.in_scope(request.user)).select_related(
            "project", "period"
        ),
        pk=pk,
    )
    version = posted_version(request.POST)
    try:
        if request.POST.get("decision") == "approve":
            services.approve_report(report, actor=request.user, expected_version=version)
            messages.success(request, _("已审核通过。"))
        else:
            services.return_report(
                report, request.POST.get("reason", ""), actor=request.user, expected_version=version
            )
            messages.success(request, _("已退回。"))
    except ValidationError as exc:
        report.refresh_from_db()
        project, period = report.project, report.period
        context = _report_context(
            project,
            period,
            report,
            ReportForm(instance=report),
            MilestonesReachedForm(project=project, report=report, prefix="reached"),
            ProblemFormSet(prefix="problems"),
            PhotosForm(report=report),
        )
        context |= {
            "review_errors": exc.messages,
            "review_reason": request.POST.get("reason", ""),
            "review_version": version if version is not None else "",
        }
        return render(
            request, "reports/report_form.html", context, status=409 if isinstance(exc, Stale) else 400
        )
    return redirect("reports:report_edit", project_pk=report.project_id, period_pk=report.period_id)


@permission_required("reports.submit_report", raise_exception=True)
def batch(request, pk):
    """Batch filing for one period: download the pre-filled sheet, or upload it back."""
    period = get_object_or_404(ReportingPeriod, pk=pk)
    if request.method == "GET" and "download" in request.GET:
        buffer = io.BytesIO()
        projects = Project.objects.in_scope(request.user).filter(is_archived=False).order_by("code")
        exports.write_batch_template(projects, period, buffer)
        return excel.response(buffer, f"批量填报_{period}.xlsx")
    result = None
    if request.method == "POST" and request.FILES.get("file"):
        result = batch_filing.import_batch(
            request.FILES["file"], period=period, actor=request.user, submit=bool(request.POST.get("submit"))
        )
    return render(
        request,
        "reports/batch.html",
        {"period": period, "result": result},
        status=400 if result is not None and not result.ok else 200,
    )
