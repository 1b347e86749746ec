"""The registry export in the JSON API: the projects the caller sees, filtered as on the list page, as .xlsx —
at once when the list is short, by a background job when it is long (202: follow the task, then download its
file from ``/api/v1/tasks/{id}/file``)."""

import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from gongjian.core import excel
from gongjian.exchange import services
from gongjian.jobs import services as jobs
from gongjian.jobs.api import TaskStarted, accepted
from gongjian.projects.api import ProjectFilters
from gongjian.projects.views import filtered_projects

router = Router(tags=["projects"])


@router.post(
    "/export",
    response={202: TaskStarted},
    summary="Export projects (filters as on the list page) to .xlsx: the file at once, or 202 when long",
    openapi_extra={
        "responses": {
            200: {
                "description": "The .xlsx file",
                "content": {excel.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_projects(request, filters: Query[ProjectFilters]):
    """A list longer than GONGJIAN_EXPORT_BACKGROUND_ROWS is written by a background job with the caller's scope
    and these filters; the file is the caller's alone."""
    if not request.user.has_perm("projects.export_projects"):
        raise PermissionDenied
    filterset, queryset, year = filtered_projects(request)
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    query = dict(request.GET.lists())
    if excel.in_background(queryset.count()):
        return accepted(
            jobs.start(
                "exchange.export_projects", {"query": query}, actor=request.user, label=_("导出重点项目")
            )
        )
    buffer = io.BytesIO()
    services.export_projects(queryset, year, buffer, actor=request.user, filters=query)
    return excel.response(buffer, f"重点项目_{timezone.localdate():%Y-%m-%d}.xlsx")
