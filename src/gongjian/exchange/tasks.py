"""Background work of the registry exchange: an export too long to write inside a request."""

import io

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.exchange import services
from gongjian.jobs.services import Progress, job
from gongjian.projects.filters import filter_projects


def query_dict(query: dict[str, list[str]]) -> QueryDict:
    """The query string a job was started with (kept as lists, as ``dict(request.GET.lists())`` gives them)."""
    data = QueryDict(mutable=True)
    for key, values in query.items():
        data.setlist(key, values)
    return data


@job("exchange.export_projects", permission="projects.export_projects")
def export_projects(progress: Progress, *, query: dict[str, list[str]]) -> dict:
    """The project list as its owner filtered it: the same query, in their scope, as the page would export."""
    actor = progress.job.created_by
    if actor is None or not actor.is_active:  # never export a scope nobody holds any more
        raise PermissionDenied(_("发起导出的账号已不可用。"))
    _filterset, queryset, year = filter_projects(actor, query_dict(query))
    buffer = io.BytesIO()
    count = services.export_projects(queryset, year, buffer, actor=actor, filters=query, progress=progress)
    progress.save_file(f"重点项目_{timezone.localdate():%Y-%m-%d}.xlsx", buffer.getvalue())
    return {"summary": _("导出 %(n)d 个项目。") % {"n": count}, "rows": count}
