"""Background work of the documents: a briefing reads the whole district, so it is drafted and issued as a task
(the office follows it on the task's page, which links to the document when it is done)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.documents import services
from gongjian.documents.choices import DocumentKind
from gongjian.documents.models import Document
from gongjian.jobs.services import Progress, job


def _actor(actor_id: int | None) -> User | None:
    return User.objects.get(pk=actor_id) if actor_id else None


@job("documents.draft_briefing", permission="meetings.run_dispatch")
def draft_briefing(progress: Progress, *, period_code: str, actor_id: int | None = None) -> dict:
    """Draft the briefing of a period from the data as they are now (one transaction: all of it, or nothing)."""
    progress(0, 1, _("按最新数据起草通报"))
    row = services.draft(DocumentKind.BRIEFING, period_code=period_code, actor=_actor(actor_id))
    return {
        "summary": _("已起草《%(title)s》，请审改后印发。") % {"title": row.title},
        "document_id": row.pk,
        "url": reverse("documents:document_detail", args=[row.pk]),
    }


@job("documents.issue", permission="meetings.run_dispatch")
def issue(
    progress: Progress, *, document_id: int, expected_version: int, actor_id: int | None = None
) -> dict:
    """Issue a draft as it was read: numbered once, the .docx rendered and kept (one transaction)."""
    progress(0, 1, _("编号并生成 Word 文件"))
    row = services.issue(
        Document.objects.get(pk=document_id), actor=_actor(actor_id), expected_version=expected_version
    )
    return {
        "summary": _("已印发《%(title)s》，编号 %(number)s。") % {"title": row.title, "number": row.number},
        "document_id": row.pk,
        "number": row.number,
        "url": reverse("documents:document_detail", args=[row.pk]),
    }
