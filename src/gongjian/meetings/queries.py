"""What of the meetings a user reads, one rule per object, used alike by the pages, the exports and the API: the
office and the principal leaders read everything as it is; anyone else reads what their scope
(``Project.objects.in_scope``) and their own unit and person reach."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Value
from django.utils import timezone

from gongjian.assess.queries import scores_in_scope
from gongjian.lights.choices import WORKING_STATES, CaseState
from gongjian.lights.queries import visible_cases
from gongjian.meetings.models import Decision, Meeting
from gongjian.org.queries import person_of
from gongjian.projects.models import Project


def sees_every_meeting(user) -> bool:
    """The office and the principal leaders read every meeting, decision and agenda item as it is."""
    return user.has_perm("projects.view_all_projects") or user.has_perm("meetings.run_dispatch")


def visible_decisions(user):
    """The decisions (交办事项) a user reads: those whose case they see (of a project in their scope, owned by
    their unit or a unit below it, or supervised by them), those about any project in their scope (a case names
    only the first), and those given to their unit or to them by name."""
    if sees_every_meeting(user):
        return Decision.objects.all()
    about = Decision.projects.through.objects.filter(project__in=Project.objects.in_scope(user).values("pk"))
    query = Q(case__in=visible_cases(user).values("pk")) | Q(pk__in=about.values("decision_id"))
    person = person_of(user)
    if person is not None:
        query |= Q(assignee=person)
        if person.unit_id:
            query |= Q(owner__path__startswith=person.unit.path)
    return Decision.objects.filter(query)


def visible_meetings(user):
    """Meetings a user sees: those covering a project in their scope, giving them a decision they read, or that
    they chaired or attended. What of a meeting they read is :func:`visible_decisions` and
    :func:`visible_agendas`."""
    if sees_every_meeting(user):
        return Meeting.objects.all()
    covering = Meeting.projects.through.objects.filter(
        project__in=Project.objects.in_scope(user).values("pk")
    )
    query = Q(pk__in=covering.values("meeting_id")) | Q(pk__in=visible_decisions(user).values("meeting_id"))
    person = person_of(user)
    if person is not None:
        attended = Meeting.attendees.through.objects.filter(person=person)
        query |= Q(chair=person) | Q(pk__in=attended.values("meeting_id"))
    return Meeting.objects.filter(query)


# What an agenda item may name, by the prefix of its ref ("decision:12"), and a project by its project_id.
_READABLE = ("decision", "case", "score", "project")


def visible_agendas(user, meetings: Iterable[Meeting]) -> dict[int, list[dict]]:
    """Each meeting's agenda as ``user`` reads it, by meeting id. An item that names a decision, a case or a score
    (its ``ref``) is read by those who read that decision, case or score; one that names only a project, by those
    with the project in their scope; a line of the office's own (naming neither) by everyone who sees the meeting.
    An item naming something else is left out. Four queries at most, however many meetings."""
    meetings = list(meetings)
    if sees_every_meeting(user):
        return {m.pk: list(m.agenda) for m in meetings}
    wanted: dict[str, set[int]] = {kind: set() for kind in _READABLE}
    for meeting in meetings:
        for item in meeting.agenda:
            link = _agenda_link(item)
            if link and link[0] in wanted:
                wanted[link[0]].add(link[1])
    rules = {
        "decision": visible_decisions,
        "case": visible_cases,
        "score": scores_in_scope,
        "project": Project.objects.in_scope,
    }
    read = {
        kind: set(rules[kind](user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        for kind, ids in wanted.items()
    }

    def readable(item: dict) -> bool:
        link = _agenda_link(item)
        return link is None or link[1] in read.get(link[0], ())

    return {m.pk: [item for item in m.agenda if readable(item)] for m in meetings}


def _agenda_link(item: dict) -> tuple[str, int] | None:
    """What an agenda item names: ("decision" | "case" | "score", id) by its ref, else ("project", id), else None
    for a line of the office's own; ("unknown", 0) for anything else (never read)."""
    ref = item.get("ref")
    if ref:
        kind, _sep, pk = str(ref).partition(":")
        return (kind, int(pk)) if kind in _READABLE and pk.isdigit() else ("unknown", 0)
    project = item.get("project_id")
    if project is None:
        return None
    return ("project", project) if isinstance(project, int) else ("unknown", 0)


def with_case_access(decisions, user):
    """``decisions`` annotated ``case_readable``: whether ``user`` may open the decision's case (someone named on
    a decision, or whose project is its second, may not), so that a page links to a case only where it opens."""
    if user.has_perm("projects.view_all_projects"):
        return decisions.annotate(case_readable=Value(True))
    return decisions.annotate(case_readable=Exists(visible_cases(user).filter(pk=OuterRef("case_id"))))


def my_decisions(user):
    """The decisions waiting for ``user`` (the ledger's "我的待办"): given to their own unit or to them by name,
    and still with the owner (to sign for or being handled; one resolved waits for the office to close it)."""
    if not user.has_perm("meetings.view_decision"):
        return Decision.objects.none()
    person = person_of(user)
    if person is None:
        return Decision.objects.none()
    mine = Q(assignee=person)
    if person.unit_id:
        mine |= Q(owner_id=person.unit_id)
    return Decision.objects.filter(mine, case__state__in=WORKING_STATES)


def my_decision_count(user) -> int:
    return my_decisions(user).count()


def decision_ledger(user, *, state: str | None = None, owner_id: int | None = None):
    """The decisions a user sees, for the ledger: "open", "late" (open past the deadline), "closed" or a case
    state, or "mine" (:func:`my_decisions`); of one owner unit; soonest deadline first."""
    decisions = with_case_access(
        my_decisions(user) if state == "mine" else visible_decisions(user), user
    ).select_related("meeting", "owner", "assignee", "case")
    if state in ("open", "late"):
        decisions = decisions.exclude(case__state=CaseState.CLOSED)
        if state == "late":
            decisions = decisions.filter(deadline__lt=timezone.localdate())
    elif state and state != "mine":
        decisions = decisions.filter(case__state=state)
    if owner_id:
        decisions = decisions.filter(owner_id=owner_id)
    return decisions.order_by("deadline", "meeting__held_at", "number")


def with_decisions(meetings, user):
    """``meetings`` with the decisions ``user`` reads of each (and their cases) and the number of projects each
    covers, read in two queries for the whole list."""
    return (
        meetings.select_related("chair")
        .annotate(project_count=Count("projects", distinct=True))
        .prefetch_related(Prefetch("decisions", queryset=visible_decisions(user).select_related("case")))
    )
