"""Meetings in the JSON API: meetings with their agenda and decisions and the decisions ledger, through the
meetings' services (which check permissions and audit). Mounted under /api/v1/dispatch/ beside the routers of the
daily cycle, the assignments and the documents."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gongjian.core.bounds import Day, Id, Moment
from gongjian.core.locking import StaleOut
from gongjian.core.pagination import Pages, Rows, page_of
from gongjian.meetings import queries, services
from gongjian.meetings.models import Decision, Meeting
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project
from gongjian.reports.models import Problem

router = Router(tags=["dispatch"])


class AgendaItem(Schema):
    section: str  # decisions, red, overdue, bottom, milestones, other
    text: str
    project_id: Id | None = None
    ref: str | None = None


class MeetingIn(Schema):
    kind: str  # daily, dekad, monthly, special, onsite
    title: str
    held_at: Moment
    place: str = ""
    chair_id: Id | None = None
    attendee_ids: list[Id] = []
    other_attendees: str = ""
    project_ids: list[Id] | None = None  # default: every project (monthly) or the agenda's


class MeetingPatch(Schema):
    version: int  # the meeting's, as the caller read it (409 stale when it has changed since)
    title: str | None = None
    held_at: Moment | None = None
    place: str | None = None
    notes: str | None = None
    state: str | None = None  # planned, held
    agenda: list[AgendaItem] | None = None


class DecisionIn(Schema):
    version: int  # the meeting's: a decision is part of its record, and its version goes up
    text: str
    owner_id: Id
    deadline: Day
    assignee_id: Id | None = None
    project_ids: list[Id] = []
    problem_id: Id | None = None  # a problem raised in a report


class DecisionOut(Schema):
    id: int
    meeting_id: int
    number: int
    text: str
    owner_id: int
    owner: str
    assignee: str
    deadline: date
    project_ids: list[int]
    problem_id: int | None
    case_id: int
    case_number: str
    state: str  # the case's: new, accepted, in_hand, resolved, closed
    level: str
    overdue: bool


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    held_at: datetime
    place: str
    chair: str
    attendees: list[str]
    state: str
    notes: str
    project_ids: list[int]
    agenda: list[AgendaItem]
    decisions: list[DecisionOut]
    version: int


def _viewer(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("没有查看调度信息的权限。"))


def _decision_out(d: Decision) -> dict:
    return {
        "id": d.pk,
        "meeting_id": d.meeting_id,
        "number": d.number,
        "text": d.text,
        "owner_id": d.owner_id,
        "owner": d.owner.name,
        "assignee": d.assignee.name if d.assignee else "",
        "deadline": d.deadline,
        "project_ids": [p.pk for p in d.projects.all()],
        "problem_id": d.problem_id,
        "case_id": d.case_id,
        "case_number": d.case.number,
        "state": d.case.state,
        "level": d.case.level,
        "overdue": d.overdue,
    }


def _meetings(queryset, user):
    """Meetings with what their API form shows ``user`` — the decisions they read and the projects of their scope —
    read once for the whole list."""
    decisions = (
        queries.visible_decisions(user)
        .select_related("owner", "assignee", "case")
        .prefetch_related("projects")
    )
    projects = (
        Project.objects.all()
        if queries.sees_every_meeting(user)
        else Project.objects.filter(pk__in=Project.objects.in_scope(user).values("pk"))
    )
    return queryset.select_related("chair").prefetch_related(
        "attendees",
        Prefetch("projects", queryset=projects),
        Prefetch("decisions", queryset=decisions.order_by("number")),
    )


def _meetings_out(user, meetings) -> list[dict]:
    meetings = list(meetings)
    agendas = queries.visible_agendas(user, meetings)
    return [
        {
            "id": m.pk,
            "kind": m.kind,
            "title": m.title,
            "held_at": m.held_at,
            "place": m.place,
            "chair": str(m.chair or ""),
            "attendees": [str(p) for p in m.attendees.all()],
            "state": m.state,
            "notes": m.notes,
            "project_ids": [p.pk for p in m.projects.all()],
            "agenda": agendas[m.pk],
            "decisions": [_decision_out(d) for d in m.decisions.all()],
            "version": m.version,
        }
        for m in meetings
    ]


def _meeting_out(user, pk: int, queryset=Meeting.objects) -> dict:
    [out] = _meetings_out(user, [get_object_or_404(_meetings(queryset, user), pk=pk)])
    return out


@router.get("/meetings", response=page_of(MeetingOut), summary="Meetings the user sees, latest first")
@paginate(Pages, default=50, most=200)
def list_meetings(request, kind: str | None = None):
    _viewer(request, "meetings.view_meeting")
    meetings = _meetings(queries.visible_meetings(request.user), request.user).order_by("-held_at", "-id")
    if kind:
        meetings = meetings.filter(kind=kind)
    return Rows(meetings, page=lambda page: _meetings_out(request.user, page))


@router.post(
    "/meetings", response={201: MeetingOut}, summary="Create a meeting; its agenda is drafted from the data"
)
def create_meeting(request, payload: MeetingIn):
    meeting = services.create_meeting(
        actor=request.user,
        kind=payload.kind,
        title=payload.title,
        held_at=payload.held_at,
        place=payload.place,
        chair=get_object_or_404(Person, pk=payload.chair_id) if payload.chair_id else None,
        attendees=list(Person.objects.filter(pk__in=payload.attendee_ids)),
        other_attendees=payload.other_attendees,
        projects=None
        if payload.project_ids is None
        else list(Project.objects.filter(pk__in=payload.project_ids)),
    )
    return Status(201, _meeting_out(request.user, meeting.pk))


@router.get("/meetings/{int:meeting_id}", response=MeetingOut)
def get_meeting(request, meeting_id: int):
    _viewer(request, "meetings.view_meeting")
    return _meeting_out(request.user, meeting_id, queries.visible_meetings(request.user))


@router.patch(
    "/meetings/{int:meeting_id}",
    response={200: MeetingOut, 409: StaleOut},
    summary="Edit a meeting, its agenda or notes",
)
def edit_meeting(request, meeting_id: int, payload: MeetingPatch):
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    fields = payload.dict(exclude_none=True)
    version = fields.pop("version")
    if "agenda" in fields:
        fields["agenda"] = [{k: v for k, v in item.items() if v is not None} for item in fields["agenda"]]
    services.update_meeting(meeting, actor=request.user, expected_version=version, **fields)
    return _meeting_out(request.user, meeting.pk)


@router.post(
    "/meetings/{int:meeting_id}/decisions",
    response={201: DecisionOut, 409: StaleOut},
    summary="Record a decision of the meeting (version: the meeting's); it is tracked as a case",
)
def add_decision(request, meeting_id: int, payload: DecisionIn):
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    decision = services.add_decision(
        meeting,
        actor=request.user,
        expected_version=payload.version,
        text=payload.text,
        owner=get_object_or_404(Unit, pk=payload.owner_id),
        deadline=payload.deadline,
        assignee=get_object_or_404(Person, pk=payload.assignee_id) if payload.assignee_id else None,
        projects=list(Project.objects.filter(pk__in=payload.project_ids)),
        problem=get_object_or_404(Problem, pk=payload.problem_id) if payload.problem_id else None,
    )
    return Status(201, _decision_out(decision))


@router.get(
    "/decisions", response=page_of(DecisionOut), summary="The decisions ledger (handle them at /cases)"
)
@paginate(Pages)
def list_decisions(request, state: str | None = None, owner_id: Id | None = None):
    _viewer(request, "meetings.view_decision")
    decisions = queries.decision_ledger(request.user, state=state, owner_id=owner_id).prefetch_related(
        "projects"
    )
    return Rows(decisions, _decision_out)
