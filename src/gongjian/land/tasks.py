"""Scheduled work of land acquisition: reminders of the lawful path's legal deadlines (run by ``gongjian tick``)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core.notify import notify
from gongjian.jobs.services import Progress, job
from gongjian.land import services, wall, walldocs
from gongjian.land.models import LawfulPath, Village, WallList


@job("land.wall_documents", permission="land.add_walllist")
def wall_documents(progress: Progress, *, wall_id: int, url: str) -> dict:
    """The paper lists of a published version (.docx and .pdf, A3 landscape, the QR code leading to ``url``),
    kept on the version for everyone to download."""
    wall_list = WallList.objects.select_related("task", "village").get(pk=wall_id)
    sheet = wall.sheet_of(wall_list, url)
    progress(0, 2, _("生成 Word 文件"))
    name = f"wall-{wall_list.task_id}-{wall_list.number}"
    wall_list.docx_file.save(f"{name}.docx", ContentFile(walldocs.render_docx(sheet)), save=False)
    progress(1, 2, _("生成 PDF 文件"))
    wall_list.pdf_file.save(f"{name}.pdf", ContentFile(walldocs.render_pdf(sheet)), save=False)
    WallList.objects.filter(pk=wall_list.pk).update(
        docx_file=wall_list.docx_file.name, pdf_file=wall_list.pdf_file.name
    )
    progress(2, 2)
    return {"url": url, "rows": len(wall_list.rows)}


@job("land.wall_publish", permission="land.add_walllist")
def wall_publish(progress: Progress, *, village_id: int, reason: str, actor_id: int, base_url: str) -> dict:
    """Publish a large village's wall list (``services.publish_or_queue_wall_list``): the same checks and the
    same version as at once, as the person who asked; the paper lists follow as their own job."""
    progress(0, 3, _("核对发布条件"))
    actor = get_user_model().objects.get(pk=actor_id)
    village = Village.objects.select_related("task").get(pk=village_id)
    wall_list = services.publish_wall_list(
        village,
        actor=actor,
        reason=reason,
        public_url=services.wall_url_maker(base_url),
        progress=progress,
    )
    progress(3, 3)
    return {
        "url": reverse("land:task_detail", args=[village.task_id]),
        "wall_id": wall_list.pk,
        "number": wall_list.number,
        "rows": len(wall_list.rows),
    }


def _keepers(task) -> list:
    """The active accounts of the task's team (and the units below it) who carry the lawful path."""
    may = Q(is_superuser=True) | Q(
        groups__permissions__codename="add_lawfulpath", groups__permissions__content_type__app_label="land"
    )
    users = get_user_model().objects.filter(
        may, is_active=True, person__unit__path__startswith=task.team.path
    )
    return list(users.distinct())


def remind_lawful_paths(today: dt.date | None = None) -> int:
    """Tell the team of each household whose next legal step is due (service not recorded; the court
    application's window open or closing) — at most once a day per household. Returns how many were reminded."""
    today = today or timezone.localdate()
    reminded = 0
    paths = LawfulPath.objects.select_related("household__task__team").exclude(reminded_on=today)
    for path in paths.filter(ruled_on__isnull=True, challenged_on__isnull=True):
        due = services.lawful_due(path, today)
        if not due:
            continue
        household = path.household
        with transaction.atomic():
            LawfulPath.objects.filter(pk=path.pk).update(reminded_on=today)
            notify(
                _keepers(household.task),
                _("依法征收提醒：%(n)s户") % {"n": household.number},
                due,
                url=reverse("land:household_detail", args=[household.pk]),
            )
            audit.record("land.lawful.remind", obj=path, only_changes=False, after={"day": today, "due": due})
        reminded += 1
    return reminded


def remind_lawful() -> str:
    return _("提醒 %(n)d 户") % {"n": remind_lawful_paths()}
