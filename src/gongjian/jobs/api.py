"""Background tasks in the JSON API: follow one by the id a 202 answer gave."""

from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status

from gongjian.jobs import services
from gongjian.jobs.views import result_file, status

router = Router(tags=["tasks"])


class BackgroundTaskOut(Schema):
    id: str
    kind: str
    label: str
    state: str  # queued, running, succeeded, failed
    state_label: str
    done: int
    total: int
    percent: int
    step: str
    finished: bool
    result: dict
    result_url: str
    file_url: str  # the download on the task's page (a signed-in browser)
    file_api_url: str  # the same file for an API client (its token)
    file_name: str
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class TaskStarted(Schema):
    """A 202 answer: the work is queued; follow it at ``url`` (or the page ``page``)."""

    task_id: str
    url: str
    page: str


def accepted(job) -> Status:
    """The answer of a request that queued work: 202 and where to follow it."""
    return Status(
        202,
        {
            "task_id": str(job.pk),
            "url": f"/api/v1/tasks/{job.pk}",
            "page": reverse("jobs:job_detail", args=[job.pk]),
        },
    )


@router.get(
    "/tasks/{task_id}",
    response=BackgroundTaskOut,
    summary="A background task's state, progress, result or error",
)
def get_task(request, task_id: UUID):
    shown = status(get_object_or_404(services.visible_to(request.user), pk=task_id), request.user)
    shown["file_api_url"] = f"/api/v1/tasks/{task_id}/file" if shown["file_url"] else ""
    return shown


@router.get(
    "/tasks/{task_id}/file", summary="A finished task's file (an export), for the person who started it alone"
)
def get_task_file(request, task_id: UUID):
    return result_file(request.user, get_object_or_404(services.visible_to(request.user), pk=task_id))
