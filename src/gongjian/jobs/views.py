"""Pages: one job with its progress bar (updated in place), its result or its error; the jobs a person started
(the office sees all, and the scheduler's last runs)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from gongjian.jobs import services
from gongjian.jobs.choices import FINISHED
from gongjian.jobs.models import ScheduleRun


def status(job) -> dict:
    """What the page and the API show of a job."""
    return {
        "id": str(job.pk), "kind": job.kind, "label": job.label, "state": job.state,
        "state_label": str(job.get_state_display()), "done": job.done, "total": job.total, "percent": job.percent,
        "step": job.step, "finished": job.state in FINISHED, "result": job.result, "result_url": job.result_url,
        "file_url": reverse("jobs:job_file", args=[job.pk]) if job.file_name else "", "file_name": job.file_name,
        "error": job.error, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@login_required
def job_detail(request, pk):
    job = get_object_or_404(services.visible_to(request.user), pk=pk)
    return render(request, "jobs/job_detail.html", {
        "job": job, "show_detail": request.user.has_perm("jobs.view_job") and bool(job.detail)})


@login_required
def job_status(request, pk):
    return JsonResponse(status(get_object_or_404(services.visible_to(request.user), pk=pk)))


@login_required
def job_file(request, pk):
    job = get_object_or_404(services.visible_to(request.user), pk=pk)
    path = services.files_dir() / str(job.pk) / "result"
    if not job.file_name or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"))
    response["Content-Disposition"] = content_disposition_header(True, job.file_name)
    return response


@login_required
def job_list(request):
    jobs = services.visible_to(request.user).select_related("created_by")[:100]
    runs = ScheduleRun.objects.all()[:20] if request.user.has_perm("jobs.view_schedulerun") else []
    return render(request, "jobs/job_list.html", {"jobs": jobs, "runs": runs})
