"""Pages: dispatch meetings with their drafted agenda and decisions, the decisions ledger, and the briefings and
minutes drafted, edited and issued by the office."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.core import excel
from gongjian.core.bounds import as_id
from gongjian.core.downloads import attachment
from gongjian.core.locking import Stale, posted_version
from gongjian.core.periods import Period
from gongjian.dispatch import briefings, services
from gongjian.dispatch.models import DocumentKind, Meeting, MeetingKind, MeetingState
from gongjian.lights.choices import CaseState
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project
from gongjian.reports.models import Problem


def _date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=gettext_lazy("会议名称"), max_length=200)
    held_at = forms.DateTimeField(label=gettext_lazy("召开时间"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=gettext_lazy("地点"), max_length=200, required=False)
    chair = forms.ModelChoiceField(label=gettext_lazy("主持人"), required=False, queryset=Person.objects.none())
    attendees = forms.ModelMultipleChoiceField(label=gettext_lazy("参会人员"), required=False,
                                               queryset=Person.objects.none(),
                                               widget=forms.SelectMultiple(attrs={"size": 8}))
    other_attendees = forms.CharField(label=gettext_lazy("其他参会人员"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.select_related("unit").order_by("unit__name", "name")
        self.fields["chair"].queryset = people
        self.fields["attendees"].queryset = people


class DecisionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("交办事项"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=gettext_lazy("责任单位"), queryset=Unit.objects.none())
    assignee = forms.ModelChoiceField(label=gettext_lazy("责任人"), required=False, queryset=Person.objects.none())
    deadline = forms.DateField(label=gettext_lazy("完成时限"), widget=_date_input())
    projects = forms.ModelMultipleChoiceField(label=gettext_lazy("相关项目"), required=False,
                                              queryset=Project.objects.none(),
                                              widget=forms.SelectMultiple(attrs={"size": 6}))
    problem = forms.ModelChoiceField(label=gettext_lazy("相关问题"), required=False, queryset=Problem.objects.none(),
                                     help_text=gettext_lazy("报告中提出、尚未销号的协调问题"))

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Unit.objects.filter(is_active=True).exclude(
            kind__in=[UnitKind.ENTERPRISE, UnitKind.LEADERSHIP]).order_by("kind", "name")
        self.fields["assignee"].queryset = Person.objects.select_related("unit").order_by("unit__name", "name")
        covered = meeting.projects.all()
        self.fields["projects"].queryset = covered if covered.exists() else Project.objects.filter(
            is_archived=False)
        self.fields["problem"].queryset = Problem.objects.filter(
            project__in=self.fields["projects"].queryset, case__isnull=False).exclude(
            case__state=CaseState.CLOSED).select_related("project").order_by("project__code", "id")
        self.fields["problem"].label_from_instance = lambda p: f"{p.project.name}：{p.description[:40]}"


@permission_required("dispatch.view_meeting", raise_exception=True)
def meeting_list(request):
    meetings = services.with_decisions(services.visible_meetings(request.user), request.user) \
        .order_by("-held_at", "-id")
    kind = request.GET.get("kind")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    rows = []
    for meeting in meetings[:200]:
        decisions = meeting.decisions.all()
        rows.append({"meeting": meeting, "decisions": len(decisions),
                     "open": sum(not d.is_closed for d in decisions), "late": sum(d.overdue for d in decisions)})
    return render(request, "dispatch/meeting_list.html", {
        "rows": rows, "kinds": MeetingKind.choices, "kind": kind,
        "can_run": request.user.has_perm("dispatch.run_dispatch")})


@permission_required("dispatch.run_dispatch", raise_exception=True)
def meeting_new(request):
    """The office creates a meeting; the page it lands on shows the agenda drafted from the data."""
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.create_meeting(actor=request.user, **form.cleaned_data)
                messages.success(request, _("调度会已创建，议程已按最新数据生成。"))
                return redirect("dispatch:meeting_detail", pk=meeting.pk)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    else:
        now = timezone.localtime()
        kind = request.GET.get("kind") if request.GET.get("kind") in MeetingKind.values else MeetingKind.MONTHLY
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form = MeetingForm(initial={"kind": kind, "held_at": start, "title": _default_title(kind, now.date())})
    return render(request, "dispatch/meeting_form.html", {"form": form})


def _default_title(kind: str, day) -> str:
    """A title as the office writes it (data, in Chinese, whatever the page's language)."""
    if kind == MeetingKind.MONTHLY:
        return f"{Period.month_of(day)}重点项目调度会"
    if kind == MeetingKind.DEKAD:
        return f"{Period.dekad_of(day)}重点项目调度会"
    if kind == MeetingKind.DAILY:
        return f"{day:%m月%d日}征迁工作日调度会"
    return {MeetingKind.SPECIAL: "重点项目专题调度会", MeetingKind.ONSITE: "重点项目现场观摩会"}[MeetingKind(kind)]


@permission_required("dispatch.view_meeting", raise_exception=True)
def meeting_detail(request, pk):
    """A meeting with its agenda and decisions; the office edits the agenda, records the meeting held, adds
    decisions and drafts the minutes here. Each form carries the meeting's version: a change made from an
    outdated page is refused (409) with what was typed kept on the page."""
    user = request.user
    meeting = get_object_or_404(services.visible_meetings(user).select_related("chair"), pk=pk)
    can_run = user.has_perm("dispatch.run_dispatch")
    form = DecisionForm(meeting=meeting, initial={"deadline": timezone.localdate() + timedelta(days=10)}) \
        if can_run else None
    status, kept = 200, {}
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        action = request.POST.get("action")
        version = posted_version(request.POST)
        try:
            if action == "decision":
                form = DecisionForm(request.POST, meeting=meeting)
                if form.is_valid():
                    decision = services.add_decision(meeting, actor=request.user, expected_version=version,
                                                     **form.cleaned_data)
                    messages.success(request, _("已交办第 %(n)d 项，督办编号 %(number)s。") % {
                        "n": decision.number, "number": decision.case.number})
                    return redirect("dispatch:meeting_detail", pk=meeting.pk)
            elif action == "agenda":
                items = [line.strip() for line in request.POST.get("agenda", "").splitlines() if line.strip()]
                services.update_meeting(meeting, actor=request.user, expected_version=version,
                                        agenda=_edited_agenda(meeting.agenda, items))
                messages.success(request, _("议程已保存。"))
                return redirect("dispatch:meeting_detail", pk=meeting.pk)
            elif action == "redraft":
                services.redraft_agenda(meeting, actor=request.user, expected_version=version)
                messages.success(request, _("议程已按最新数据重新生成。"))
                return redirect("dispatch:meeting_detail", pk=meeting.pk)
            elif action == "held":
                services.update_meeting(meeting, actor=request.user, expected_version=version,
                                        state=MeetingState.HELD, notes=request.POST.get("notes", "").strip())
                messages.success(request, _("已记录会议情况。"))
                return redirect("dispatch:meeting_detail", pk=meeting.pk)
            elif action == "minutes":
                document = briefings.draft(DocumentKind.MINUTES, meeting=meeting, actor=request.user)
                return redirect("dispatch:document_detail", pk=document.pk)
        except Stale as exc:  # the meeting changed since the page was read: say so, keep what was typed
            messages.error(request, exc.messages[0])
            status = 409
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        # only a POST that did not go through gets here: the page keeps what was typed and its version
        kept = {"version": "" if version is None else version, "action": action,
                "agenda": request.POST.get("agenda"), "notes": request.POST.get("notes")}
    decisions = [{"d": d, "late": d.overdue} for d in services.with_case_access(
        services.visible_decisions(user).filter(meeting=meeting), user)
        .select_related("owner", "assignee", "case", "problem__project").order_by("number")]
    agenda = services.visible_agendas(user, [meeting])[meeting.pk]
    sections = []
    for key, label in services.SECTIONS.items():
        items = [i for i in agenda if i.get("section", "other") == key]
        if items:
            sections.append({"key": key, "label": label, "items": items})
    agenda_text = "\n".join(i["text"] for i in meeting.agenda) if can_run else ""
    return render(request, "dispatch/meeting_detail.html", {
        "meeting": meeting, "sections": sections, "decisions": decisions, "form": form, "can_run": can_run,
        # the office edits the whole agenda; nobody else is given it
        "agenda_text": kept["agenda"] if kept.get("agenda") is not None else agenda_text,
        "notes": kept["notes"] if kept.get("notes") is not None else meeting.notes,
        "version": kept["version"] if kept else meeting.version,
        "attendees": meeting.attendees.all(), "projects": meeting.projects.count(),
        "documents": meeting.documents.all() if can_run else ()}, status=status)


def _edited_agenda(old: list[dict], texts: list[str]) -> list[dict]:
    """The office's edited agenda: lines kept as they were keep their section and links; new lines are "other"."""
    known = {item["text"]: item for item in old}
    return [known.get(text, {"section": "other", "text": text}) for text in texts]


@permission_required("dispatch.view_decision", raise_exception=True)
def decision_list(request):
    """The decisions ledger (交办事项台账): every decision the user sees, with its state, open ones first."""
    rows = _decisions(request)
    return render(request, "dispatch/decision_list.html", {
        "rows": rows, "state": request.GET.get("state", ""), "units": Unit.objects.filter(
            pk__in=[r["d"].owner_id for r in rows]).order_by("name"), "unit": request.GET.get("unit", "")})


def _decisions(request) -> list[dict]:
    unit = request.GET.get("unit", "")
    state = request.GET.get("state")
    decisions = services.decision_ledger(request.user, state=state if state in ("open", "late", "closed") else None,
                                         owner_id=as_id(unit))
    return [{"d": d, "late": d.overdue} for d in decisions]


@permission_required("dispatch.view_decision", raise_exception=True)
def decision_export(request):
    columns = [
        excel.Column(_("会议"), lambda r: r["d"].meeting.title, width=28),
        excel.Column(_("会议日期"), lambda r: timezone.localtime(r["d"].meeting.held_at).date().isoformat()),
        excel.Column(_("序号"), lambda r: r["d"].number, "auto"),
        excel.Column(_("事项"), lambda r: r["d"].text, width=50),
        excel.Column(_("责任单位"), lambda r: r["d"].owner.name, width=18),
        excel.Column(_("责任人"), lambda r: r["d"].assignee.name if r["d"].assignee else ""),
        excel.Column(_("完成时限"), lambda r: r["d"].deadline.isoformat()),
        excel.Column(_("督办编号"), lambda r: r["d"].case.number),
        excel.Column(_("状态"), lambda r: r["d"].case.get_state_display()),
        excel.Column(_("督办层级"), lambda r: r["d"].case.get_level_display()),
        excel.Column(_("是否逾期"), lambda r: _("是") if r["late"] else ""),
        excel.Column(_("办理结果"), lambda r: r["d"].case.resolution, width=40),
    ]
    return excel.response(excel.workbook(excel.Sheet(_("交办事项"), columns, _decisions(request))),
                          _("交办事项台账.xlsx"))


@permission_required("dispatch.view_meeting", raise_exception=True)
def meeting_export(request):
    meetings = list(services.with_decisions(services.visible_meetings(request.user), request.user)
                    .order_by("-held_at"))
    agendas = services.visible_agendas(request.user, meetings)
    columns = [
        excel.Column(_("会议名称"), "title", width=30),
        excel.Column(_("类型"), lambda m: m.get_kind_display()),
        excel.Column(_("召开时间"), lambda m: timezone.localtime(m.held_at).strftime("%Y-%m-%d %H:%M")),
        excel.Column(_("地点"), "place"),
        excel.Column(_("主持人"), lambda m: m.chair.name if m.chair else ""),
        excel.Column(_("状态"), lambda m: m.get_state_display()),
        excel.Column(_("调度项目数"), "project_count", "auto"),
        excel.Column(_("交办事项"), lambda m: len(m.decisions.all()), "auto"),
        excel.Column(_("未办结"), lambda m: sum(not d.is_closed for d in m.decisions.all()), "auto"),
        excel.Column(_("议程"), lambda m: "\n".join(item["text"] for item in agendas[m.pk]), width=80),
    ]
    return excel.response(excel.workbook(excel.Sheet(_("调度会"), columns, meetings, freeze=(1, 1))), _("调度会.xlsx"))


# -- briefings and minutes -----------------------------------------------------------------------------------------


@permission_required("dispatch.view_document", raise_exception=True)
def document_list(request):
    today = timezone.localdate()
    return render(request, "dispatch/document_list.html", {
        "documents": briefings.visible_documents(request.user).select_related("meeting")[:200],
        "periods": [Period.month_of(today).prev(), Period.dekad_of(today).prev(), Period.month_of(today),
                    Period.dekad_of(today)],
        "can_run": request.user.has_perm("dispatch.run_dispatch")})


@permission_required("dispatch.run_dispatch", raise_exception=True)
def document_new(request):
    if request.method != "POST":
        return redirect("dispatch:document_list")
    try:
        document = briefings.draft(DocumentKind.BRIEFING, period_code=request.POST.get("period", ""),
                                   actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("dispatch:document_list")
    messages.success(request, _("通报草稿已按最新数据生成，请审改后印发。"))
    return redirect("dispatch:document_detail", pk=document.pk)


@permission_required("dispatch.view_document", raise_exception=True)
def document_detail(request, pk):
    """A briefing or minutes: the office edits a draft's title and texts and issues it, from the version the page
    showed; a change refused (409 when the draft was edited or issued since) keeps what was typed."""
    document = get_object_or_404(briefings.visible_documents(request.user).select_related("meeting"), pk=pk)
    can_run = request.user.has_perm("dispatch.run_dispatch")
    status, version = 200, document.version
    title = document.title
    sections = document.sections
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        version = posted_version(request.POST)
        texts = {s["key"]: request.POST.get(f"text-{s['key']}", s["text"]) for s in document.sections}
        try:
            if request.POST.get("action") == "issue":
                document = briefings.issue(document, actor=request.user, expected_version=version)
                messages.success(request, _("已印发，编号 %(number)s。") % {"number": document.number})
            else:
                briefings.edit(document, title=request.POST.get("title", ""), texts=texts, actor=request.user,
                               expected_version=version)
                messages.success(request, _("已保存修改。"))
            return redirect("dispatch:document_detail", pk=document.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            status = 409 if isinstance(exc, Stale) else 200
            document.refresh_from_db()
            if request.POST.get("action") != "issue":  # the edit is kept as typed
                title = request.POST.get("title", "")
                sections = [s | {"text": texts[s["key"]]} if s["key"] in texts else s for s in document.sections]
            else:
                title, sections = document.title, document.sections
    return render(request, "dispatch/document_detail.html", {
        "document": document, "can_run": can_run, "draft": document.state == "draft", "title": title,
        "sections": sections, "version": "" if version is None else version}, status=status)


@permission_required("dispatch.view_document", raise_exception=True)
def document_docx(request, pk):
    document = get_object_or_404(briefings.visible_documents(request.user), pk=pk)
    return attachment(briefings.docx(document),
                      f"{document.title}{'_' + document.number if document.number else '_草稿'}.docx")
