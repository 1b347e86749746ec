"""Pages: dispatch meetings with their drafted agenda and decisions, and the decisions ledger. A meeting's minutes
are drafted from its page through the documents app (its form posts there)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import excel
from gongjian.core.bounds import as_id
from gongjian.core.locking import Stale, posted_version
from gongjian.core.periods import Period
from gongjian.meetings import queries, services
from gongjian.meetings.choices import MeetingKind, MeetingState
from gongjian.meetings.forms import DecisionForm, MeetingForm, MeetingProjectsForm
from gongjian.org.models import Unit


@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_list(request):
    meetings = queries.with_decisions(queries.visible_meetings(request.user), request.user).order_by(
        "-held_at", "-id"
    )
    kind = request.GET.get("kind")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    rows = []
    for meeting in meetings[:200]:
        decisions = meeting.decisions.all()
        rows.append(
            {
                "meeting": meeting,
                "decisions": len(decisions),
                "open": sum(not d.is_closed for d in decisions),
                "late": sum(d.overdue for d in decisions),
            }
        )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "rows": rows,
            "kinds": MeetingKind.choices,
            "kind": kind,
            "can_run": request.user.has_perm("meetings.run_dispatch"),
        },
    )


@permission_required("meetings.run_dispatch", raise_exception=True)
def meeting_new(request):
    """The office creates a meeting; the page it lands on shows the agenda drafted from the data."""
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.create_meeting(actor=request.user, **form.cleaned_data)
                messages.success(request, _("调度会已创建，议程已按最新数据生成。"))
                return redirect("meetings:meeting_detail", pk=meeting.pk)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    else:
        now = timezone.localtime()
        kind = (
            request.GET.get("kind") if request.GET.get("kind") in MeetingKind.values else MeetingKind.MONTHLY
        )
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form = MeetingForm(
            initial={"kind": kind, "held_at": start, "title": _default_title(kind, now.date())}
        )
    return render(request, "meetings/meeting_form.html", {"form": form})


def _default_title(kind: str, day) -> str:
    """A title as the office writes it (data, in Chinese, whatever the page's language)."""
    if kind == MeetingKind.MONTHLY:
        return f"{Period.month_of(day)}重点项目调度会"
    if kind == MeetingKind.DEKAD:
        return f"{Period.dekad_of(day)}重点项目调度会"
    if kind == MeetingKind.DAILY:
        return f"{day:%m月%d日}征迁工作日调度会"
    return {MeetingKind.SPECIAL: "重点项目专题调度会", MeetingKind.ONSITE: "重点项目现场观摩会"}[
        MeetingKind(kind)
    ]


@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_detail(request, pk):
    """A meeting with its agenda and decisions; the office edits the agenda, records the meeting held, adds
    decisions and drafts the minutes here. Each form carries the meeting's version: a change made from an
    outdated page is refused (409) with what was typed kept on the page."""
    user = request.user
    meeting = get_object_or_404(queries.visible_meetings(user).select_related("chair"), pk=pk)
    can_run = user.has_perm("meetings.run_dispatch")
    form = (
        DecisionForm(meeting=meeting, initial={"deadline": timezone.localdate() + timedelta(days=10)})
        if can_run
        else None
    )
    # prefixed: the decision form on the same page has a projects field too
    projects_form = (
        MeetingProjectsForm(initial={"projects": meeting.projects.all()}, prefix="meeting")
        if can_run
        else None
    )
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
                    decision = services.add_decision(
                        meeting, actor=request.user, expected_version=version, **form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("已交办第 %(n)d 项，督办编号 %(number)s。")
                        % {"n": decision.number, "number": decision.case.number},
                    )
                    return redirect("meetings:meeting_detail", pk=meeting.pk)
            elif action == "agenda":
                items = [line.strip() for line in request.POST.get("agenda", "").splitlines() if line.strip()]
                services.update_meeting(
                    meeting,
                    actor=request.user,
                    expected_version=version,
                    agenda=_edited_agenda(meeting.agenda, items),
                )
                messages.success(request, _("议程已保存。"))
                return redirect("meetings:meeting_detail", pk=meeting.pk)
            elif action == "projects":
                projects_form = MeetingProjectsForm(request.POST, prefix="meeting")
                if projects_form.is_valid():
                    services.update_meeting(
                        meeting,
                        actor=request.user,
                        expected_version=version,
                        projects=projects_form.cleaned_data["projects"],
                    )
                    messages.success(request, _("调度项目已保存。"))
                    return redirect("meetings:meeting_detail", pk=meeting.pk)
            elif action == "redraft":
                services.redraft_agenda(meeting, actor=request.user, expected_version=version)
                messages.success(request, _("议程已按最新数据重新生成。"))
                return redirect("meetings:meeting_detail", pk=meeting.pk)
            elif action == "held":
                services.update_meeting(
                    meeting,
                    actor=request.user,
                    expected_version=version,
                    state=MeetingState.HELD,
                    notes=request.POST.get("notes", "").strip(),
                )
                messages.success(request, _("已记录会议情况。"))
                return redirect("meetings:meeting_detail", pk=meeting.pk)
        except Stale as exc:  # the meeting changed since the page was read: say so, keep what was typed
            messages.error(request, exc.messages[0])
            status = 409
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        # only a POST that did not go through gets here: the page keeps what was typed and its version
        kept = {
            "version": "" if version is None else version,
            "action": action,
            "agenda": request.POST.get("agenda"),
            "notes": request.POST.get("notes"),
        }
    decisions = [
        {"d": d, "late": d.overdue}
        for d in queries.with_case_access(queries.visible_decisions(user).filter(meeting=meeting), user)
        .select_related("owner", "assignee", "case", "problem__project")
        .order_by("number")
    ]
    agenda = queries.visible_agendas(user, [meeting])[meeting.pk]
    sections = []
    for key, label in services.SECTIONS.items():
        items = [i for i in agenda if i.get("section", "other") == key]
        if items:
            sections.append({"key": key, "label": label, "items": items})
    agenda_text = "\n".join(i["text"] for i in meeting.agenda) if can_run else ""
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "sections": sections,
            "decisions": decisions,
            "form": form,
            "can_run": can_run,
            # the office edits the whole agenda; nobody else is given it
            "agenda_text": kept["agenda"] if kept.get("agenda") is not None else agenda_text,
            "notes": kept["notes"] if kept.get("notes") is not None else meeting.notes,
            "version": kept["version"] if kept else meeting.version,
            "attendees": meeting.attendees.all(),
            "projects": meeting.projects.count(),
            "projects_form": projects_form,
            "documents": meeting.documents.all() if can_run else (),
        },
        status=status,
    )


def _edited_agenda(old: list[dict], texts: list[str]) -> list[dict]:
    """The office's edited agenda: lines kept as they were keep their section and links; new lines are "other"."""
    known = {item["text"]: item for item in old}
    return [known.get(text, {"section": "other", "text": text}) for text in texts]


@permission_required("meetings.view_decision", raise_exception=True)
def decision_list(request):
    """The decisions ledger (交办事项台账): every decision the user sees, with its state, open ones first."""
    rows = _decisions(request)
    return render(
        request,
        "meetings/decision_list.html",
        {
            "rows": rows,
            "state": request.GET.get("state", ""),
            "units": Unit.objects.filter(pk__in=[r["d"].owner_id for r in rows]).order_by("name"),
            "unit": request.GET.get("unit", ""),
        },
    )


def _decisions(request) -> list[dict]:
    unit = request.GET.get("unit", "")
    state = request.GET.get("state")
    decisions = queries.decision_ledger(
        request.user,
        state=state if state in ("open", "late", "closed", "mine") else None,
        owner_id=as_id(unit),
    )
    return [{"d": d, "late": d.overdue} for d in decisions]


@permission_required("meetings.view_decision", raise_exception=True)
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
    return excel.response(
        excel.workbook(excel.Sheet(_("交办事项"), columns, _decisions(request))), _("交办事项台账.xlsx")
    )


@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_export(request):
    meetings = list(
        queries.with_decisions(queries.visible_meetings(request.user), request.user).order_by("-held_at")
    )
    agendas = queries.visible_agendas(request.user, meetings)
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
    return excel.response(
        excel.workbook(excel.Sheet(_("调度会"), columns, meetings, freeze=(1, 1))), _("调度会.xlsx")
    )
