"""Background work of the lights (relighting; what follows a report's approval; letters) and their scheduled
steps."""

import io
import zipfile

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.jobs.services import Progress, job
from gongjian.lights import exports, queries, services
from gongjian.lights.services import cases, letters
from gongjian.reports.models import Report


@job("lights.recompute", permission="lights.change_lightrule")
def recompute(progress: Progress, *, year: int | None = None) -> dict:
    result = services.recompute(year=year, progress=progress)
    return {
        "summary": _("计算 %(n)d 盏灯，其中 %(c)d 盏有变化，新开督办件 %(o)d 件。")
        % {"n": result.lights, "c": result.changed, "o": result.cases_opened},
        "lights": result.lights,
        "changed": result.changed,
        "cases_opened": result.cases_opened,
        "url": "/lights/",
    }


def relight_year() -> str:
    """Light every project for this year (opening cases for new reds)."""
    result = services.recompute()
    return _("计算 %(n)d 盏灯，%(c)d 盏有变化，新开督办件 %(o)d 件") % {
        "n": result.lights,
        "c": result.changed,
        "o": result.cases_opened,
    }


def climb_and_remind_cases() -> str:
    """Climb the cases unhandled past their deadline; remind the silent ones."""
    handled = cases.tick()
    return _("升级 %(c)d 件，提醒 %(r)d 件") % {"c": handled["climbed"], "r": handled["reminded"]}


@job("lights.report_approved")
def after_report_approved(progress: Progress, *, report_id: int, actor_id: int | None = None) -> dict:
    """An approved report's problems become cases for the units asked to solve them; its project is lit again."""
    report = Report.objects.select_related("project").get(pk=report_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with transaction.atomic():
        opened = cases.open_for_problems(report, actor=actor)
        result = services.recompute([report.project_id])
    return {"summary": _("新开问题督办件 %(o)d 件，重算 %(n)d 盏灯") % {"o": len(opened), "n": result.lights}}


@job("lights.relight")
def relight(progress: Progress, *, project_ids: list[int], year: int | None = None) -> dict:
    """Light some projects again (a case about a problem moved, a baseline changed)."""
    result = services.recompute(project_ids, year=year)
    return {"summary": _("重算 %(n)d 盏灯，%(c)d 盏有变化") % {"n": result.lights, "c": result.changed}}


@job("lights.letters", permission="lights.close_case")
def issue_letters(
    progress: Progress, *, kind: str, case_versions: list[list[int | None]], actor_id: int | None
) -> dict:
    """Issue the letters (all or none, letters.issue_letters) and keep them for download: the .docx of one, or a
    .zip of several."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    wanted = {pk: version for pk, version in case_versions}
    # The letters and the file that hands them out stand or fall together: a letter is never issued unseen.
    with transaction.atomic():
        events = letters.issue_letters(wanted, kind, actor=actor, progress=progress)
        if len(events) == 1:
            with events[0].evidence.open("rb") as document:
                progress.save_file(events[0].evidence_name, document.read())
        else:
            bundle = io.BytesIO()
            with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
                for event in events:
                    with event.evidence.open("rb") as document:
                        archive.writestr(event.evidence_name, document.read())
            progress.save_file(f"{letters.KINDS[kind]}_{timezone.localdate():%Y%m%d}.zip", bundle.getvalue())
    return {
        "summary": _("已印发 %(n)d 件：%(letters)s。")
        % {"n": len(events), "letters": "、".join(event.text for event in events)},
        "letters": [
            {"case_id": event.case_id, "event_id": event.pk, "letter": event.text} for event in events
        ],
        "url": reverse("lights:case_detail", args=[events[0].case_id])
        if len(events) == 1
        else reverse("lights:case_list"),
    }


@job("lights.export_board", permission="lights.view_light")
def export_board(
    progress: Progress, *, period: str | None, group: str, colour: str | None, value: str | None
) -> dict:
    """The board's list as its owner filtered it: the same query, in their scope, as the page would export."""
    actor = progress.job.created_by
    if actor is None or not actor.is_active:  # never export a scope nobody holds any more
        raise PermissionDenied(_("发起导出的账号已不可用。"))
    data = queries.build(actor, period_code=period, group=group, colour=colour, value=value)
    progress.save_file(f"红绿灯_{data.period}.xlsx", exports.board_workbook(data.lights, progress=progress))
    return {"summary": _("导出 %(n)d 盏灯。") % {"n": progress.job.done}, "rows": progress.job.done}
