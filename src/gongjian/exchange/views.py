import io

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongjian.core import excel
from gongjian.exchange import attraction, exports, services
from gongjian.exchange.forms import ImportForm
from gongjian.jobs.views import background_export
from gongjian.projects.views import filtered_projects

# The page lists this many errors; the downloadable report has all of them.
ERRORS_SHOWN = 500


def _dated(name: str) -> str:
    return f"{name}_{timezone.localdate():%Y-%m-%d}.xlsx"


@permission_required("projects.import_projects", raise_exception=True)
def import_projects(request):
    """Upload a file; show what was imported, or every error with a downloadable report. A file of many rows
    (GONGJIAN_IMPORT_BACKGROUND_ROWS) is imported in the background: the task's page follows it."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = report_token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if services.in_background(upload, upload.name):
            job = services.start_import(
                upload, filename=upload.name, actor=request.user, dry_run=form.cleaned_data["dry_run"]
            )
            return redirect("jobs:job_detail", pk=job.pk)
        result = services.import_projects(
            upload, filename=upload.name, actor=request.user, dry_run=form.cleaned_data["dry_run"]
        )
        if not result.ok:
            report_token = services.save_error_report(result, user=request.user)
    failed = request.method == "POST" and (result is None or not result.ok)
    return render(
        request,
        "exchange/import.html",
        {
            "form": form,
            "result": result,
            "report_token": report_token,
            "errors_shown": ERRORS_SHOWN,
        },
        status=400 if failed else 200,
    )


@require_GET
@permission_required("projects.import_projects", raise_exception=True)
def import_error_report(request, token):
    report = services.open_error_report(token, user=request.user)
    if report is None:
        raise Http404
    return FileResponse(
        report, as_attachment=True, filename=_dated("导入错误报告"), content_type=excel.XLSX_CONTENT_TYPE
    )


@require_http_methods(["GET", "POST"])
@permission_required("projects.export_projects", raise_exception=True)
def export_projects(request):
    """The project list as the query string filters it, as .xlsx; a long list is written by a background job."""
    _filterset, queryset, year = filtered_projects(request)
    query = dict(request.GET.lists())
    started = background_export(
        request,
        rows=queryset.count(),
        kind="exchange.export_projects",
        params={"query": query},
        label=_("导出重点项目"),
        back=reverse("projects:project_list") + (f"?{request.GET.urlencode()}" if query else ""),
    )
    if started is not None:
        return started
    buffer = io.BytesIO()
    services.export_projects(queryset, year, buffer, actor=request.user, filters=query)
    return excel.response(buffer, _dated("重点项目"))


@require_GET
@permission_required("projects.import_projects", raise_exception=True)
def project_template(request):
    buffer = io.BytesIO()
    exports.write_template(buffer)
    return excel.response(buffer, _dated("重点项目导入模板"))


@require_http_methods(["GET", "POST"])
@permission_required("attraction.manage_leads", raise_exception=True)
def import_attraction(request, what):
    """Upload a workbook of leads or tranches (招商引资); every row through the attraction services, all or none,
    every error by row and column with the downloadable report. A long file is imported in the background."""
    if what not in attraction.KINDS:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result = report_token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if services.in_background(upload, upload.name):
            job = attraction.start_import(
                what, upload, filename=upload.name, actor=request.user, dry_run=form.cleaned_data["dry_run"]
            )
            return redirect("jobs:job_detail", pk=job.pk)
        result = attraction.import_attraction(
            what, upload, filename=upload.name, actor=request.user, dry_run=form.cleaned_data["dry_run"]
        )
        if not result.ok:
            report_token = services.save_error_report(result, user=request.user)
    failed = request.method == "POST" and (result is None or not result.ok)
    return render(
        request,
        "exchange/import_attraction.html",
        {
            "form": form,
            "what": what,
            "kind": attraction.KINDS[what],
            "result": result,
            "report_token": report_token,
            "errors_shown": ERRORS_SHOWN,
        },
        status=400 if failed else 200,
    )


@require_GET
@permission_required("attraction.manage_leads", raise_exception=True)
def attraction_template(request, what):
    if what not in attraction.KINDS:
        raise Http404
    return excel.response(attraction.template(what), _dated(f"{attraction.KINDS[what]}导入模板"))


@require_GET
@permission_required("attraction.manage_leads", raise_exception=True)
def attraction_error_report(request, token):
    report = services.open_error_report(token, user=request.user)
    if report is None:
        raise Http404
    return FileResponse(
        report, as_attachment=True, filename=_dated("导入错误报告"), content_type=excel.XLSX_CONTENT_TYPE
    )
