"""Pages: one job with its progress bar (updated in place), its result or its error; the jobs a person started
(the office sees all, and the scheduler's last runs)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from gongjian.core import excel
from gongjian.jobs import services
from gongjian.jobs.choices import FINISHED
from gongjian.jobs.models import ScheduleRun


def status(job, viewer=None) -> dict:
    """What the page and the API show of a job; its file is offered to its owner alone."""
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "label": job.label,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "step": job.step,
        "finished": job.state in FINISHED,
        "result": job.result,
        "result_url": job.result_url,
        "file_url": reverse("jobs:job_file", args=[job.pk]) if job.file_name and owns(viewer, job) else "",
        "file_name": job.file_name,
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def owns(user, job) -> bool:
    """Whether ``user`` started ``job``: a job's file (an export of what its owner may see) is theirs alone."""
    return user is not None and job.created_by_id is not None and job.created_by_id == user.pk


@login_required
def job_detail(request, pk):
    job = get_object_or_404(services.visible_to(request.user), pk=pk)
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "show_detail": request.user.has_perm("jobs.view_job") and bool(job.detail),
            "can_download": owns(request.user, job),
        },
    )


@login_required
def job_status(request, pk):
    return JsonResponse(status(get_object_or_404(services.visible_to(request.user), pk=pk), request.user))


@login_required
def job_file(request, pk):
    return result_file(request.user, get_object_or_404(services.visible_to(request.user), pk=pk))


def result_file(user, job) -> FileResponse:
    """The file ``job`` produced, for its owner: the office follows every job, but an export is its owner's data."""
    if not owns(user, job):
        raise PermissionDenied(_("只有发起人可以下载该任务的结果文件。"))
    path = services.files_dir() / str(job.pk) / "result"
    if not job.file_name or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"))
    response["Content-Disposition"] = content_disposition_header(True, job.file_name)
    return response


def background_export(request, *, rows: int, kind: str, params: dict, label: str, back: str):
    """How an export page answers when its file is written by a job, or None when it is written at once.

    A GET of an export over ``GONGJIAN_EXPORT_BACKGROUND_ROWS`` rows shows a page offering to start the job (a GET
    changes nothing); its POST — to the same address, the filters in the query string — starts the job with
    ``params`` and goes to the job's page, where the owner downloads the file when it is done."""
    if request.method == "POST":
        job = services.start(kind, params, actor=request.user, label=label)
        return redirect("jobs:job_detail", job.pk)
    if not excel.in_background(rows):
        return None
    return render(
        request,
        "jobs/export_start.html",
        {"label": label, "rows": rows, "limit": settings.GONGJIAN_EXPORT_BACKGROUND_ROWS, "back": back},
    )


@login_required
def job_list(request):
    jobs = services.visible_to(request.user).select_related("created_by")[:100]
    runs = ScheduleRun.objects.all()[:20] if request.user.has_perm("jobs.view_schedulerun") else []
    return render(request, "jobs/job_list.html", {"jobs": jobs, "runs": runs})
