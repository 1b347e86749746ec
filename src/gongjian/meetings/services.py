"""Dispatch meetings and their decisions: a meeting's agenda is drafted from the data when it is created (the
previous meeting's open decisions first, then the projects red or newly red, the overdue escalations and
problems, the latest ranking's bottom group, and the milestones due before the next meeting); each decision is
tracked as a case (kind "decision") with the escalations' reminders and ladder.

A meeting is edited by the office from a page or the API: every change to it — its fields, its agenda, a decision
added to it — names the version the editor read (``expected_version``) and bumps it (gongjian.core.locking)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.assess.models import Run, RunState
from gongjian.core import audit
from gongjian.core.locking import check_version
from gongjian.core.notify import notify
from gongjian.core.periods import Period
from gongjian.lights.choices import CaseKind, CaseState
from gongjian.lights.models import Case, Light
from gongjian.lights.services import cases
from gongjian.lights.services.cases import participants
from gongjian.meetings.choices import MeetingKind, MeetingState
from gongjian.meetings.models import Decision, Meeting
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Milestone, Project

# Days to the next meeting of each kind: the milestones due within them go on the agenda.
NEXT_MEETING_DAYS = {
    MeetingKind.DAILY: 1,
    MeetingKind.DEKAD: 10,
    MeetingKind.MONTHLY: 31,
    MeetingKind.SPECIAL: 14,
    MeetingKind.ONSITE: 14,
}
# How many headquarters from the bottom of each ranking group the agenda names.
BOTTOM = 3

SECTIONS = {
    "decisions": gettext_lazy("上次会议交办事项落实情况"),
    "red": gettext_lazy("亮红灯项目"),
    "overdue": gettext_lazy("逾期督办件和协调问题"),
    "bottom": gettext_lazy("考核排名靠后"),
    "milestones": gettext_lazy("近期到期节点"),
    "other": gettext_lazy("其他议题"),
}


def check_office(actor) -> None:
    if actor is not None and not actor.has_perm("meetings.run_dispatch"):
        raise PermissionDenied(_("只有项目办可以组织调度会和交办事项。"))


def previous_meeting(kind: str, held_at: datetime, exclude: int | None = None) -> Meeting | None:
    """The latest meeting before ``held_at``, of the same kind if there is one."""
    earlier = Meeting.objects.filter(held_at__lt=held_at).exclude(pk=exclude).order_by("-held_at", "-id")
    return earlier.filter(kind=kind).first() or earlier.first()


def _light_codes(day: date) -> tuple[str | None, str | None]:
    """The latest lit ten-day period that has started by ``day``, and the one before it."""
    current = Period.dekad_of(day)
    codes = set(
        Light.objects.filter(period_code__startswith=f"{current.year}-")
        .values_list("period_code", flat=True)
        .distinct()
    )
    for period in (current, current.prev()):
        if period.code in codes:
            return period.code, period.prev().code
    return None, None


def draft_agenda(kind: str, held_at: datetime, *, exclude: int | None = None) -> list[dict]:
    """The agenda items the data call for, each {section, text, project_id?, ref?}, in the order of SECTIONS."""
    day = timezone.localtime(held_at).date()
    items: list[dict] = []

    previous = previous_meeting(kind, held_at, exclude)
    if previous:
        for decision in previous.decisions.select_related("case", "owner").order_by("number"):
            case = decision.case
            if case.state == CaseState.CLOSED:
                continue
            late = "，已逾期" if case.deadline < day else ""
            items.append(
                {
                    "section": "decisions",
                    "ref": f"decision:{decision.pk}",
                    "text": (
                        f"{previous.title}第 {decision.number} 项：{decision.text}（{decision.owner.name}，时限 "
                        f"{decision.deadline}，{case.get_state_display()}{late}）"
                    ),
                }
            )

    code, before = _light_codes(day)
    if code:
        was_red = set(Light.objects.filter(period_code=before, colour=2).values_list("project_id", flat=True))
        for light in (
            Light.objects.filter(period_code=code, colour=2, project__is_archived=False)
            .select_related("project__responsible_unit")
            .order_by("project__code")
        ):
            new = "（新亮红灯）" if light.project_id not in was_red else ""
            items.append(
                {
                    "section": "red",
                    "project_id": light.project_id,
                    "text": ("{project}（{unit}）{new}：{reason}").format(
                        project=light.project.name,
                        unit=light.project.responsible_unit.name,
                        new=new,
                        reason="；".join(light.reasons) or "亮红灯",
                    ),
                }
            )

    for case in (
        Case.objects.filter(kind__in=[CaseKind.LIGHT, CaseKind.PROBLEM], deadline__lt=day)
        .exclude(state=CaseState.CLOSED)
        .select_related("owner", "project")
        .order_by("deadline", "id")
    ):
        items.append(
            {
                "section": "overdue",
                "project_id": case.project_id,
                "ref": f"case:{case.pk}",
                "text": (
                    f"{case.number} {case.title}（{case.owner.name}，时限 {case.deadline}，{case.get_level_display()}督办）"
                ),
            }
        )

    run = Run.objects.filter(state=RunState.PUBLISHED).order_by("-period_code", "-revision").first()
    if run:
        scores = list(
            run.scores.filter(subject_kind="headquarters").order_by("group", "-rank", "subject_name")
        )
        shown: dict[str, int] = {}
        for score in scores:
            if shown.get(score.group, 0) >= BOTTOM or score.group_size <= BOTTOM:
                continue
            shown[score.group] = shown.get(score.group, 0) + 1
            items.append(
                {
                    "section": "bottom",
                    "ref": f"score:{score.pk}",
                    "text": (
                        f"{score.subject_name}：{Period.parse(run.period_code)}考核 {score.score:.2f} 分，"
                        f"本组第 {score.rank}/{score.group_size} 名"
                    ),
                }
            )

    until = day + timedelta(days=NEXT_MEETING_DAYS.get(MeetingKind(kind), 14))
    for milestone in (
        Milestone.objects.filter(
            planned_date__gte=day,
            planned_date__lte=until,
            actual_date__isnull=True,
            project__is_archived=False,
        )
        .select_related("project")
        .order_by("planned_date", "project__code")
    ):
        items.append(
            {
                "section": "milestones",
                "project_id": milestone.project_id,
                "text": (
                    f"{milestone.project.name}：{milestone.name or milestone.get_kind_display()}，计划 {milestone.planned_date} 完成"
                ),
            }
        )
    return items


def _check_meeting(title: str, held_at: datetime | None) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写会议名称。")
    if held_at is None:
        errors["held_at"] = _("请填写召开时间。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_meeting(
    *,
    kind: str,
    title: str,
    held_at: datetime,
    actor,
    place: str = "",
    chair: Person | None = None,
    attendees: Sequence[Person] = (),
    other_attendees: str = "",
    projects: Sequence[Project] | None = None,
) -> Meeting:
    """A new meeting with its agenda drafted from the data. Its projects are those given, else every active
    project for a monthly dispatch (001) and the agenda's projects for the others."""
    check_office(actor)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("未知的会议类型。")})
    _check_meeting(title, held_at)
    agenda = draft_agenda(kind, held_at)
    meeting = Meeting.objects.create(
        kind=kind,
        title=title.strip(),
        held_at=held_at,
        place=place.strip(),
        chair=chair,
        other_attendees=other_attendees.strip(),
        agenda=agenda,
        created_by=audit.actor_or_none(actor),
    )
    meeting.attendees.set(attendees)
    if projects is None:
        live = Project.objects.filter(is_archived=False)
        projects = (
            list(live)
            if kind == MeetingKind.MONTHLY
            else list(live.filter(pk__in={i["project_id"] for i in agenda if i.get("project_id")}))
        )
    meeting.projects.set(projects)
    audit.record(
        "dispatch.meeting.create",
        actor=actor,
        obj=meeting,
        only_changes=False,
        after={
            "kind": kind,
            "title": meeting.title,
            "held_at": held_at,
            "agenda": len(agenda),
            "projects": len(projects),
        },
    )
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, *, actor, expected_version: int | None = None, **fields) -> Meeting:
    """Change what the office edits: title, time, place, chair, attendees, the agenda's text (a list of items),
    notes, state (held); from version ``expected_version`` of the meeting."""
    check_office(actor)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_version(current.version, expected_version, _("会议"))
    plain = ["title", "held_at", "place", "chair", "other_attendees", "notes", "state", "agenda"]
    before = audit.snapshot(current, plain)
    for name in plain:
        if name in fields:
            setattr(current, name, fields[name])
    _check_meeting(current.title, current.held_at)
    if current.state not in MeetingState.values:
        raise ValidationError({"state": _("未知的状态。")})
    current.version += 1
    current.save()
    if "attendees" in fields:
        current.attendees.set(fields["attendees"])
    if "projects" in fields:
        current.projects.set(fields["projects"])
    audit.record(
        "dispatch.meeting.update",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, plain),
    )
    return current


@transaction.atomic
def redraft_agenda(meeting: Meeting, *, actor, expected_version: int | None = None) -> Meeting:
    """Draft the agenda again from the data as they are now, replacing the edited one of version
    ``expected_version`` (an agenda edited since is not replaced unseen)."""
    return update_meeting(
        meeting,
        actor=actor,
        expected_version=expected_version,
        agenda=draft_agenda(meeting.kind, meeting.held_at, exclude=meeting.pk),
    )


def may_answer_for(person: Person, unit: Unit) -> bool:
    """Whether ``person`` may be named 责任人 of a decision given to ``unit``: one of its people (or of a unit under
    it), or someone of no unit (a leader given a decision by name)."""
    return person.unit_id is None or person.unit.path.startswith(unit.path)


@transaction.atomic
def add_decision(
    meeting: Meeting,
    *,
    text: str,
    owner: Unit | None,
    deadline: date | None,
    actor,
    assignee: Person | None = None,
    projects: Sequence[Project] = (),
    problem=None,
    expected_version: int | None = None,
) -> Decision:
    """Record a decision of the meeting of version ``expected_version`` (the decisions are part of the meeting's
    record: the same decision entered twice from two pages is refused the second time, and the meeting's version
    goes up) and open its case: the owner unit signs for it, handles it and resolves it; the office closes it;
    unhandled past its deadline it climbs the ladder like any escalation."""
    check_office(actor)
    errors = {}
    if not (text or "").strip():
        errors["text"] = _("请填写交办事项。")
    if owner is None:
        errors["owner"] = _("请选择责任单位。")
    meeting_day = timezone.localtime(meeting.held_at).date()
    if deadline is None:
        errors["deadline"] = _("请填写完成时限。")
    elif deadline < meeting_day:
        errors["deadline"] = _("完成时限不能早于会议日期。")
    if assignee is not None and owner is not None and not may_answer_for(assignee, owner):
        errors["assignee"] = _("%(person)s 不在%(unit)s，请选择该单位的人员。") % {
            "person": assignee,
            "unit": owner.name,
        }
    if errors:
        raise ValidationError(errors)
    assert owner is not None and deadline is not None
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_version(current.version, expected_version, _("会议"))
    current.version += 1
    current.save(update_fields=["version"])
    number = (current.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
    projects = list(projects)
    project = projects[0] if projects else (problem.project if problem else None)
    reasons = [f"{current.title}（{meeting_day}）交办第 {number} 项"]
    if assignee:
        reasons.append(f"责任人：{assignee}")
    case = cases.open_case(
        project,
        kind=CaseKind.DECISION,
        title=text.strip(),
        reasons=reasons,
        owner=owner,
        period_code=Period.dekad_of(meeting_day).code,
        deadline=deadline,
        supervisor=current.chair,
        actor=actor,
    )
    decision = Decision.objects.create(
        meeting=current,
        number=number,
        text=text.strip(),
        owner=owner,
        assignee=assignee,
        deadline=deadline,
        problem=problem,
        case=case,
    )
    decision.projects.set(projects)
    audit.record(
        "dispatch.decision.create",
        actor=actor,
        obj=decision,
        only_changes=False,
        after={
            "meeting": current.pk,
            "number": number,
            "text": decision.text,
            "owner": owner.name,
            "assignee": str(assignee or ""),
            "deadline": deadline,
            "case": case.number,
        },
    )
    _tell(decision)
    return decision


def _tell(decision: Decision) -> None:
    users = participants(decision.case)
    if decision.assignee and decision.assignee.user_id:
        users.append(decision.assignee.user)
    notify(
        {u.pk: u for u in users}.values(),
        _("调度会交办：%(text)s") % {"text": decision.text[:60]},
        _("%(meeting)s交办，时限 %(deadline)s。请在平台签收办理。")
        % {"meeting": decision.meeting.title, "deadline": decision.deadline},
        url=reverse("lights:case_detail", args=[decision.case_id]),
    )
