"""Briefings (调度情况通报) and minutes (会议纪要): drafted from the data (:mod:`gongjian.documents.queries`),
their text edited by the office, then issued once: the number comes from a counter that never repeats and the .docx
(GB/T 9704 page and fonts) is kept as issued."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core import documents as doc
from gongjian.core.locking import check_version
from gongjian.core.models import issue_document_number, next_serial
from gongjian.core.periods import Period
from gongjian.documents.choices import DocumentKind, DocumentState
from gongjian.documents.exports import build
from gongjian.documents.models import Document
from gongjian.documents.queries import briefing_sections, minutes_sections
from gongjian.jobs import services as jobs
from gongjian.jobs.models import Job
from gongjian.meetings.models import Meeting
from gongjian.meetings.services import check_office


def briefing_period(code: str) -> Period:
    """The ten-day period or month a briefing is of, from its code ("2026-11" or "2026-11-2")."""
    try:
        period = Period.parse(code)
    except ValueError:
        raise ValidationError({"period": _("无法识别的期别，应如 2026-11 或 2026-11-2。")}) from None
    if period.dekad is None and period.month is None:
        raise ValidationError({"period": _("通报期须为某一旬或某一月。")})
    return period


def start_briefing(period_code: str, *, actor) -> Job:
    """Queue the drafting of a briefing of a period (it reads the whole district): the office follows the task,
    which links to the draft when it is done. A period that cannot be one is refused at once."""
    check_office(actor)
    period = briefing_period(period_code)
    return jobs.start(
        "documents.draft_briefing",
        {"period_code": period.code, "actor_id": _actor_id(actor)},
        actor=actor,
        label=_("起草%(period)s调度情况通报") % {"period": period},
    )


def start_issue(row: Document, *, actor, expected_version: int | None = None) -> Job:
    """Queue the issuing of a briefing as read (version ``expected_version``); a draft edited or issued since is
    refused at once (the task checks it again, under lock, when it runs)."""
    check_office(actor)
    current = Document.objects.get(pk=row.pk)
    check_version(current.version, expected_version, _("文件"), acting=True)
    if current.state != DocumentState.DRAFT:
        raise ValidationError(_("该文件已印发。"), code="issued")
    return jobs.start(
        "documents.issue",
        {"document_id": current.pk, "expected_version": current.version, "actor_id": _actor_id(actor)},
        actor=actor,
        label=_("印发%(title)s") % {"title": current.title},
    )


def _actor_id(actor) -> int | None:
    user = audit.actor_or_none(actor)
    return user.pk if user else None


@transaction.atomic
def draft(kind: str, *, actor, period_code: str = "", meeting: Meeting | None = None) -> Document:
    """A draft briefing of a period or minutes of a meeting, from the data as they are now."""
    check_office(actor)
    user = audit.actor_or_none(actor)
    if kind == DocumentKind.BRIEFING:
        period = briefing_period(period_code)
        sections = briefing_sections(period)
        row = Document(
            kind=kind, period_code=period.code, title=f"{period}重点项目建设调度情况通报", created_by=user
        )
    elif kind == DocumentKind.MINUTES:
        if meeting is None:
            raise ValidationError({"meeting": _("请选择会议。")})
        sections = minutes_sections(meeting)
        row = Document(kind=kind, meeting=meeting, title=f"{meeting.title}纪要", created_by=user)
    else:
        raise ValidationError({"kind": _("未知的文件类型。")})
    row.sections = [s.as_dict() for s in sections]
    row.save()
    audit.record(
        "dispatch.document.draft",
        actor=actor,
        obj=row,
        only_changes=False,
        after={"kind": kind, "title": row.title, "sections": len(sections)},
    )
    return row


@transaction.atomic
def edit(
    row: Document, *, title: str, texts: dict[str, str], actor, expected_version: int | None = None
) -> Document:
    """Change the title and the text of sections (by key) of a draft of version ``expected_version``; tables stay
    as the data gave them."""
    check_office(actor)
    current = Document.objects.select_for_update().get(pk=row.pk)
    check_version(current.version, expected_version, _("文件"))
    if current.state != DocumentState.DRAFT:
        raise ValidationError(_("已印发的文件不能修改。"), code="issued")
    if not title.strip():
        raise ValidationError({"title": _("请填写标题。")})
    before = {"title": current.title, "sections": [s["text"] for s in current.sections]}
    current.title = title.strip()[:200]
    current.sections = [
        s | {"text": texts[s["key"]].strip()} if s["key"] in texts else s for s in current.sections
    ]
    current.version += 1
    current.save(update_fields=["title", "sections", "version"])
    audit.record(
        "dispatch.document.edit",
        actor=actor,
        obj=current,
        before=before,
        after={"title": current.title, "sections": [s["text"] for s in current.sections]},
    )
    return current


@transaction.atomic
def issue(row: Document, *, actor, expected_version: int | None = None) -> Document:
    """Issue a draft as read (version ``expected_version``: a text edited since is not issued unseen): number it
    from its counter (a briefing's issue, or the minutes' document number), render the .docx and keep it; from
    now on it does not change."""
    check_office(actor)
    current = Document.objects.select_for_update().get(pk=row.pk)
    check_version(current.version, expected_version, _("文件"), acting=True)
    if current.state != DocumentState.DRAFT:
        raise ValidationError(_("该文件已印发。"), code="issued")
    today = timezone.localdate()
    prefix = settings.GONGJIAN_DOC_PREFIX
    if current.kind == DocumentKind.BRIEFING:
        current.issue = next_serial(f"{prefix}调度通报", today.year)
        current.number = f"{today.year}年第{current.issue}期"
        content = doc.render(build(current, issue=current.issue, on=today))
    else:
        current.number = issue_document_number(f"{prefix}纪", today.year)
        content = doc.render(build(current, number=current.number, on=today))
    current.content = content
    current.state, current.issued_at = DocumentState.ISSUED, timezone.now()
    current.issued_by = audit.actor_or_none(actor)
    current.version += 1
    current.save()
    audit.record(
        "dispatch.document.issue",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"number": current.number, "title": current.title},
    )
    return current
