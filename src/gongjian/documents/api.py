"""Briefings and minutes in the JSON API: drafted, edited, issued, downloaded, through the documents' services
(which check permissions and audit). A briefing reads the whole district, so drafting or issuing one answers 202
with the task to follow (its result's ``url`` is the document); minutes are drafted and issued at once."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gongjian.core.bounds import Id
from gongjian.core.downloads import attachment
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.documents import exports, queries, services
from gongjian.documents.choices import DocumentKind
from gongjian.documents.models import Document
from gongjian.jobs.api import TaskStarted, accepted
from gongjian.meetings.models import Meeting

router = Router(tags=["dispatch"])


class DocumentIn(Schema):
    kind: str  # briefing (with period) or minutes (with meeting_id)
    period: str = ""
    meeting_id: Id | None = None


class DocumentPatch(Schema):
    version: int  # the document's, as the caller read it
    title: str
    texts: dict[str, str] = {}  # section key → text


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    period_code: str
    meeting_id: int | None
    state: str
    number: str
    sections: list[dict]
    issued_at: datetime | None
    version: int


class DocumentVersionIn(Schema):
    version: int  # the draft's, as the caller read it (409 stale when it has been edited since)


def _viewer(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("没有查看调度信息的权限。"))


def _document_out(d: Document) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "title": d.title,
        "period_code": d.period_code,
        "meeting_id": d.meeting_id,
        "state": d.state,
        "number": d.number,
        "sections": d.sections,
        "issued_at": d.issued_at,
        "version": d.version,
    }


@router.get("/documents", response=page_of(DocumentOut), summary="Briefings and minutes, latest first")
@paginate(Pages, default=200, most=200)
def list_documents(request, kind: str | None = None):
    _viewer(request, "documents.view_document")
    documents = queries.visible_documents(request.user).order_by("-created_at", "-id")
    return Rows(documents.filter(kind=kind) if kind else documents, _document_out)


@router.post(
    "/documents",
    response={201: DocumentOut, 202: TaskStarted},
    summary="Draft a meeting's minutes (201), or a briefing of a period in the background (202: follow "
    "the task)",
)
def draft_document(request, payload: DocumentIn):
    if payload.kind == DocumentKind.BRIEFING:
        return accepted(services.start_briefing(payload.period, actor=request.user))
    meeting = get_object_or_404(Meeting, pk=payload.meeting_id) if payload.meeting_id else None
    row = services.draft(payload.kind, period_code=payload.period, meeting=meeting, actor=request.user)
    return Status(201, _document_out(row))


@router.get("/documents/{int:document_id}", response=DocumentOut)
def get_document(request, document_id: int):
    _viewer(request, "documents.view_document")
    return _document_out(get_object_or_404(queries.visible_documents(request.user), pk=document_id))


@router.patch(
    "/documents/{int:document_id}",
    response={200: DocumentOut, 409: StaleOut},
    summary="Edit a draft's title and texts",
)
def edit_document(request, document_id: int, payload: DocumentPatch):
    row = services.edit(
        get_object_or_404(Document, pk=document_id),
        title=payload.title,
        texts=payload.texts,
        actor=request.user,
        expected_version=payload.version,
    )
    return _document_out(row)


@router.post(
    "/documents/{int:document_id}/issue",
    response={200: DocumentOut, 202: TaskStarted, 409: StaleOut},
    summary="Issue a draft as read (version): numbered once, the .docx kept as issued; minutes at once "
    "(200), a briefing in the background (202: follow the task)",
)
def issue_document(request, document_id: int, payload: DocumentVersionIn):
    row = get_object_or_404(Document, pk=document_id)
    if row.kind == DocumentKind.BRIEFING:
        return accepted(services.start_issue(row, actor=request.user, expected_version=payload.version))
    return _document_out(services.issue(row, actor=request.user, expected_version=payload.version))


@router.get("/documents/{int:document_id}/docx", summary="The .docx (as issued, or a draft's preview)")
def document_docx(request, document_id: int):
    _viewer(request, "documents.view_document")
    row = get_object_or_404(queries.visible_documents(request.user), pk=document_id)
    return attachment(exports.docx(row), f"{row.title}.docx")
