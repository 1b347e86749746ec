"""Pages: the briefings and minutes drafted, edited and issued by the office. A briefing reads the whole district,
so drafting or issuing one runs in the background: the button opens the task's page, which links to the document
when it is done. Minutes read one meeting and are drafted (from the meeting's page) and issued at once."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core.bounds import as_id
from gongjian.core.downloads import attachment
from gongjian.core.locking import Stale, posted_version
from gongjian.core.periods import Period
from gongjian.documents import exports, queries, services
from gongjian.documents.choices import DocumentKind, DocumentState
from gongjian.meetings.queries import visible_meetings


@permission_required("documents.view_document", raise_exception=True)
def document_list(request):
    today = timezone.localdate()
    return render(
        request,
        "documents/document_list.html",
        {
            "documents": queries.visible_documents(request.user).select_related("meeting")[:200],
            "periods": [
                Period.month_of(today).prev(),
                Period.dekad_of(today).prev(),
                Period.month_of(today),
                Period.dekad_of(today),
            ],
            "can_run": request.user.has_perm("meetings.run_dispatch"),
        },
    )


@permission_required("meetings.run_dispatch", raise_exception=True)
def document_new(request):
    """Draft the minutes of a meeting (its page posts here) at once, or queue the briefing of a period."""
    if request.method != "POST":
        return redirect("documents:document_list")
    if request.POST.get("kind") == DocumentKind.MINUTES:
        meeting = get_object_or_404(visible_meetings(request.user), pk=as_id(request.POST.get("meeting", "")))
        document = services.draft(DocumentKind.MINUTES, meeting=meeting, actor=request.user)
        return redirect("documents:document_detail", pk=document.pk)
    try:
        job = services.start_briefing(request.POST.get("period", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("documents:document_list")
    return redirect("jobs:job_detail", pk=job.pk)


@permission_required("documents.view_document", raise_exception=True)
def document_detail(request, pk):
    """A briefing or minutes: the office edits a draft's title and texts and issues it, from the version the page
    showed; a change refused (409 when the draft was edited or issued since) keeps what was typed."""
    document = get_object_or_404(queries.visible_documents(request.user).select_related("meeting"), pk=pk)
    can_run = request.user.has_perm("meetings.run_dispatch")
    status, version = 200, document.version
    title = document.title
    sections = document.sections
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        version = posted_version(request.POST)
        texts = {s["key"]: request.POST.get(f"text-{s['key']}", s["text"]) for s in document.sections}
        try:
            if request.POST.get("action") == "issue" and document.kind == DocumentKind.BRIEFING:
                job = services.start_issue(document, actor=request.user, expected_version=version)
                return redirect("jobs:job_detail", pk=job.pk)
            if request.POST.get("action") == "issue":
                document = services.issue(document, actor=request.user, expected_version=version)
                messages.success(request, _("已印发，编号 %(number)s。") % {"number": document.number})
            else:
                services.edit(
                    document,
                    title=request.POST.get("title", ""),
                    texts=texts,
                    actor=request.user,
                    expected_version=version,
                )
                messages.success(request, _("已保存修改。"))
            return redirect("documents:document_detail", pk=document.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            status = 409 if isinstance(exc, Stale) else 200
            document.refresh_from_db()
            if request.POST.get("action") != "issue":  # the edit is kept as typed
                title = request.POST.get("title", "")
                sections = [
                    s | {"text": texts[s["key"]]} if s["key"] in texts else s for s in document.sections
                ]
            else:
                title, sections = document.title, document.sections
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "can_run": can_run,
            "draft": document.state == DocumentState.DRAFT,
            "title": title,
            "sections": sections,
            "version": "" if version is None else version,
        },
        status=status,
    )


@permission_required("documents.view_document", raise_exception=True)
def document_docx(request, pk):
    document = get_object_or_404(queries.visible_documents(request.user), pk=pk)
    return attachment(
        exports.docx(document),
        f"{document.title}{'_' + document.number if document.number else '_草稿'}.docx",
    )
