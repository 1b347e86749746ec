"""Attraction's background work: the long exports of leads, and the scheduled reminder of stalled leads (run by
``gongjian tick`` through gongjian.schedule)."""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.attraction import exports, queries, services
from gongjian.jobs.services import Progress, job


def _query(query: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in query.items():
        data.setlist(key, values)
    return data


@job("attraction.export_leads", permission="attraction.view_lead")
def export_leads(progress: Progress, *, query: dict[str, list[str]]) -> dict:
    actor = progress.job.created_by
    if actor is None or not actor.is_active:
        raise PermissionDenied(_("发起导出的账号已不可用。"))
    buffer = io.BytesIO()
    leads = queries.filtered_leads(actor, _query(query)).order_by("-found_on", "-id")
    count = exports.write_leads(leads, buffer, actor=actor, filters=query)
    progress.save_file(f"意向项目_{timezone.localdate():%Y-%m-%d}.xlsx", buffer.getvalue())
    return {"summary": _("导出 %(n)d 个意向项目。") % {"n": count}, "rows": count}


def remind_stalled() -> str:
    count = services.remind_stalled()
    return _("提醒停滞招商项目 %(n)d 个") % {"n": count}
