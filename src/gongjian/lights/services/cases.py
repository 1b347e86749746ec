"""Cases (督办件): a red light or a coordination problem handed to the unit that must solve it, tracked to closure.

new (待签收) → accepted (签收) → in hand (办理中) → resolved, awaiting acceptance (待销号) → closed (销号)

The owner records actions; resolving needs a written result and, for a red light, evidence; the reviewer (the
project office, or for a problem the unit that raised it) closes the case or sends it back. A case unhandled by
its deadline climbs the ladder unit → supervising leader → headquarters → principal leaders, with notifications
at each step (``tick``); a case whose owner has done nothing for N working days is reminded. The owner may pass
a case up before its deadline only with a reason, and that reason is shown to everyone on the case (context 003:
"不能让问题左手进、右手出"). Every step is a :class:`CaseEvent` and an audit event.

Every action a person takes names the version of the case they read (``expected_version``) and bumps it, so two
people acting on the same page do not both succeed: the second is told the case has changed (stale, 409), even
when both pressed the same button ("close" twice would drop the second one's note). The system's own climbing
and reminding (``tick``) take no version, and climbing bumps it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit, bulk
from gongjian.core.locking import check_version
from gongjian.core.models import next_serial, work_calendar
from gongjian.core.notify import notify, notify_all
from gongjian.core.periods import Period
from gongjian.jobs import services as jobs
from gongjian.lights.choices import LADDER, WORKING_STATES, CaseKind, CaseState, EventKind, Level
from gongjian.lights.models import Case, CaseEvent, Light
from gongjian.org.models import Unit
from gongjian.org.queries import person_of
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import Project, ProjectLeader

# 佐证材料 (photos, scans, documents) may be as large as an assignment's hand-in file (assignments), no larger.
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _workdays(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def deadline_after(workdays: int, start: date | None = None) -> date:
    return work_calendar().add(start or timezone.localdate(), workdays)


def _prefix(kind: str, year: int) -> str:
    return f"{ {CaseKind.LIGHT: '督', CaseKind.PROBLEM: '协'}.get(kind, '交') }{year}-"


def _serials(prefix: str, year: int, count: int = 1) -> int:
    """The first of ``count`` consecutive case numbers of ``prefix`` (督2026-), from a counter row locked to the end
    of the transaction."""

    def highest() -> int:  # the numbers used before the counter existed
        last = Case.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
        return int(last.removeprefix(prefix)) if last else 0

    return next_serial(f"督办件{prefix}", year, count=count, floor=highest)


def _number(kind: str, year: int) -> str:
    """The next case number of its kind and year (督2026-0012), from a counter row locked for the update."""
    prefix = _prefix(kind, year)
    return f"{prefix}{_serials(prefix, year):04d}"


def check_evidence(evidence) -> None:
    """Refuse an empty evidence file or one over MAX_EVIDENCE_BYTES, naming it."""
    name = getattr(evidence, "name", "") or _("佐证材料")
    if not evidence.size:
        raise ValidationError({"evidence": _("%(name)s：文件是空的。") % {"name": name}})
    if evidence.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            {
                "evidence": _("%(name)s：文件超过 %(mb)d MB。")
                % {"name": name, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)}
            }
        )


def _event(case: Case, kind: str, text: str = "", actor=None, evidence=None) -> CaseEvent:
    user = audit.actor_or_none(actor)
    event = CaseEvent(
        case=case,
        kind=kind,
        text=text,
        level=case.level,
        actor=user,
        actor_name=(user.display_name if user else _("系统")),
        at=timezone.now(),
    )
    if evidence is not None:
        event.evidence_name = getattr(evidence, "name", "")[:200]
        event.evidence.save(event.evidence_name or "evidence", evidence, save=False)
    event.save()
    return event


# Who is on a case


def _unit_users(unit: Unit | None):
    if unit is None:
        return []
    User = get_user_model()
    return list(User.objects.filter(is_active=True, person__unit__path__startswith=unit.path))


def participants(case: Case) -> list:
    """Everyone a case's notifications go to at its current level: the owner unit, and from the leader level up
    the supervising leader, the headquarters and its commander, the principal leaders."""
    users = _unit_users(case.owner)
    rank = LADDER.index(Level(case.level))
    project = case.project
    if rank >= 1 and case.supervisor and case.supervisor.user_id:
        users.append(case.supervisor.user)
    if rank >= 2 and project is not None:
        users += _unit_users(project.headquarters)
        if project.commander and project.commander.user_id:
            users.append(project.commander.user)
    if rank >= 3:
        users += list(get_user_model().objects.filter(is_active=True, groups__name="principal_leader"))
    return list({u.pk: u for u in users}.values())


def _is_owner(user, case: Case) -> bool:
    person = person_of(user)
    return bool(person and person.unit_id and case.owner.path.startswith(person.unit.path))


def can_handle(user, case: Case) -> bool:
    """The owner unit's people, the people of the level the case has climbed to, and the project office."""
    if user.has_perm("lights.close_case"):
        return True
    if not user.has_perm("lights.handle_case"):
        return False
    return _is_owner(user, case) or user.pk in {u.pk for u in participants(case)}


def can_close(user, case: Case) -> bool:
    """The project office closes red-light cases; a problem is confirmed also by the unit that raised it."""
    if user.has_perm("lights.close_case"):
        return True
    unit = _raiser(case)
    if unit is not None:
        person = person_of(user)
        return bool(
            person
            and person.unit_id
            and unit.path.startswith(person.unit.path)
            and user.has_perm("lights.handle_case")
        )
    return False


def _raiser(case: Case) -> Unit | None:
    """The unit that raised a problem case (and confirms it solved): the daily report's team, or the project's
    responsible unit; none for red lights and meeting decisions."""
    if case.kind != CaseKind.PROBLEM:
        return None
    if case.raised_by_id:
        return case.raised_by
    return case.project.responsible_unit if case.project_id else None


def _lock(case: Case, actor, check, expected_version: int | None) -> Case:
    # Only the case row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of a join (supervisor).
    current = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner", "project", "supervisor")
        .get(pk=case.pk)
    )
    if actor is not None and not check(actor, current):
        raise PermissionDenied(_("无权办理该督办件。"))
    check_version(current.version, expected_version, _("督办件"), acting=True)
    return current


def _save(current: Case, action: str, actor, before: dict, **kwargs) -> Case:
    current.version += 1
    current.save()
    if (
        current.kind == CaseKind.PROBLEM and current.project_id
    ):  # the problem dimension of the project's light may change
        jobs.start(
            "lights.relight",
            {"project_ids": [current.project_id]},
            actor=actor,
            label=_("重算项目红绿灯：%(p)s") % {"p": current.project.name},
            audited=False,
        )
    audit.record(
        f"case.{action}",
        actor=actor,
        obj=current,
        before=before,
        after=audit.snapshot(current, ["state", "level", "deadline", "resolution"]),
        **kwargs,
    )
    return current


def _snap(case: Case) -> dict:
    return audit.snapshot(case, ["state", "level", "deadline", "resolution"])


def _url(case: Case) -> str:
    return reverse("lights:case_detail", args=[case.pk])


# Opening


def _lead_leader(project: Project):
    link = project.leader_links.filter(role=LeaderRole.LEAD).select_related("person__user").first()
    return link.person if link else None


def _opening_audit(case: Case, reasons: list[str], actor):
    """The audit event of a case opened (unsaved)."""
    return audit.build_event(
        "case.open",
        actor=actor,
        obj=case,
        only_changes=False,
        after={
            "kind": case.kind,
            "project": case.project_id,
            "owner": case.owner_id,
            "deadline": case.deadline,
            "reasons": reasons,
        },
    )


def _opening_notice(case: Case, owner: Unit, reasons: list[str]) -> tuple[str, str, str]:
    """The notification of a case opened: title, text and link."""
    return (
        _("新督办件 %(number)s：%(title)s") % {"number": case.number, "title": case.title},
        _("承办单位：%(owner)s，办理时限 %(deadline)s。%(reasons)s")
        % {"owner": owner.name, "deadline": case.deadline, "reasons": "；".join(reasons)},
        _url(case),
    )


def open_case(
    project: Project | None,
    *,
    kind: str,
    title: str,
    reasons: list[str],
    owner: Unit,
    period_code: str,
    light: Light | None = None,
    problem=None,
    actor=None,
    deadline=None,
    supervisor=None,
    raised_by: Unit | None = None,
) -> Case:
    """Open a case; its deadline is ``GONGJIAN_CASE_WORKDAYS`` working days away and its supervisor the project's
    lead leader unless given (a meeting's decision brings its own)."""
    now = timezone.now()
    case = Case.objects.create(
        kind=kind,
        number=_number(kind, timezone.localdate().year),
        project=project,
        light=light,
        problem=problem,
        raised_by=raised_by,
        period_code=period_code,
        title=title[:300],
        reasons=reasons,
        owner=owner,
        supervisor=supervisor or (_lead_leader(project) if project else None),
        deadline=deadline or deadline_after(_workdays("GONGJIAN_CASE_WORKDAYS", 10)),
        opened_at=now,
        last_action_at=now,
    )
    _event(case, EventKind.OPENED, "；".join(reasons), actor)
    audit.record_all([_opening_audit(case, reasons, actor)])
    title, body, url = _opening_notice(case, owner, reasons)
    notify(participants(case), title, body, url=url)
    return case


def open_for_reds(project_ids: list[int], period_code: str) -> int:
    """Open a case for each red project without an open red-light case; a project already on one that is red in
    a new period gets that noted on its case. Returns the number of cases opened.

    What :func:`open_case` does for one, done for all at once (issue 14: a recompute after a burst of new projects
    opens thousands): the same cases, numbered in the order of the projects' codes from one block claimed from
    the year's counter, the same events, audit events and notifications — each kind written in a few statements,
    and the projects, lights, leaders and units read once for all."""
    if not project_ids:
        return 0
    # Whoever opens red-light cases queues here first, on the year's counter row (locked to the commit): a
    # recompute running at the same time reads the cases this one opens once it commits, and opens none twice.
    year = timezone.localdate().year
    _serials(_prefix(CaseKind.LIGHT, year), year, count=0)
    # a project's open case: the oldest (the last in the model's order), as a dict of the cases kept it before
    on_case = {
        pid: (pk, code, level)
        for pid, pk, code, level in Case.objects.filter(kind=CaseKind.LIGHT, project_id__in=project_ids)
        .exclude(state=CaseState.CLOSED)
        .values_list("project_id", "pk", "period_code", "level")
    }
    again = {pid: found for pid, found in on_case.items() if found[1] != period_code}
    if again:
        noted = set(
            CaseEvent.objects.filter(
                # the period as people read it; as a code in the events written before issue 15
                Q(text__startswith=f"{Period.parse(period_code)}：") | Q(text__startswith=f"{period_code}："),
                case_id__in=[pk for pk, _code, _level in again.values()],
                kind=EventKind.RED_AGAIN,
            ).values_list("case_id", flat=True)
        )
        again = {pid: found for pid, found in again.items() if found[0] not in noted}
    fresh = [pid for pid in project_ids if pid not in on_case]
    if not fresh and not again:
        return 0
    lights = {
        pid: (pk, reasons)
        for pid, pk, reasons in Light.objects.filter(
            project_id__in=[*fresh, *again], period_code=period_code
        ).values_list("project_id", "pk", "reasons")
    }
    projects = list(
        Project.objects.filter(pk__in=[*fresh, *again]).values_list("pk", "name", "responsible_unit_id")
    )
    leads: dict[int, int] = {}
    for pid, person in (
        ProjectLeader.objects.filter(project_id__in=fresh, role=LeaderRole.LEAD)
        .order_by("id")
        .values_list("project_id", "person_id")
    ):
        leads.setdefault(pid, person)  # the first lead link, as _lead_leader takes it
    units = Unit.objects.in_bulk({unit for pid, _name, unit in projects if pid not in on_case})
    now, year = timezone.now(), timezone.localdate().year
    deadline = deadline_after(_workdays("GONGJIAN_CASE_WORKDAYS", 10))
    opened = [row for row in projects if row[0] not in on_case]  # in the order of their codes
    prefix = _prefix(CaseKind.LIGHT, year)
    first = _serials(prefix, year, len(opened)) if opened else 0
    new_cases = []
    for serial, (pid, name, unit) in enumerate(opened, start=first):
        light, reasons = lights.get(pid, (None, []))
        new_cases.append(
            Case(
                kind=CaseKind.LIGHT,
                number=f"{prefix}{serial:04d}",
                project_id=pid,
                light_id=light,
                period_code=period_code,
                title=(_("%(name)s 亮红灯") % {"name": name})[:300],
                reasons=reasons,
                owner_id=unit,
                supervisor_id=leads.get(pid),
                deadline=deadline,
                opened_at=now,
                last_action_at=now,
            )
        )
    bulk.insert_objects(Case, new_cases, returning=True)
    by_project = {case.project_id: case for case in new_cases}
    system = _("系统")
    events = []
    for pid, _name, _unit in projects:  # in the order of the codes, as one project after the other wrote them
        reasons = lights.get(pid, (None, []))[1]
        if pid in by_project:
            case = by_project[pid]
            text, kind, case_id, level = "；".join(reasons), EventKind.OPENED, case.pk, case.level
        else:
            case_id, _code, level = again[pid]
            text, kind = f"{Period.parse(period_code)}：" + "；".join(reasons), EventKind.RED_AGAIN
        events.append(
            CaseEvent(case_id=case_id, kind=kind, text=text, level=level, actor_name=system, at=now)
        )
    bulk.insert_objects(CaseEvent, events)
    for at in range(0, len(new_cases), 1000):  # one statement each, under the databases' limit of parameters
        audit.record_all([_opening_audit(case, case.reasons, None) for case in new_cases[at : at + 1000]])
    users: dict[int, list] = {}
    messages = []
    for case in new_cases:
        if case.owner_id not in users:
            users[case.owner_id] = _unit_users(units[case.owner_id])
        # a new case is at the unit's level: participants() is the owner unit's people
        messages.append((users[case.owner_id], *_opening_notice(case, units[case.owner_id], case.reasons)))
    notify_all(messages)
    return len(new_cases)


def open_for_problems(report, *, actor) -> list[Case]:
    """Each problem of an approved report becomes a case for the unit asked to solve it."""
    cases = []
    for problem in report.problems.select_related("unit_asked").filter(case__isnull=True):
        cases.append(
            open_case(
                report.project,
                kind=CaseKind.PROBLEM,
                title=problem.description,
                reasons=[f"{problem.get_category_display()}：{problem.description}"],
                owner=problem.unit_asked,
                period_code=report.period.code,
                problem=problem,
                actor=actor,
            )
        )
    return cases


# Handling


@transaction.atomic
def accept(case: Case, *, actor, expected_version: int | None = None) -> Case:
    """The owner signs for the case (签收)."""
    current = _lock(case, actor, can_handle, expected_version)
    if current.state != CaseState.NEW:
        raise ValidationError(_("督办件已签收。"), code="state")
    before = _snap(current)
    current.state, current.accepted_at = CaseState.ACCEPTED, timezone.now()
    current.last_action_at = current.accepted_at
    _event(current, EventKind.ACCEPTED, "", actor)
    return _save(current, "accept", actor, before)


@transaction.atomic
def act(case: Case, text: str, *, actor, evidence=None, expected_version: int | None = None) -> Case:
    """Record what was done (处置进展); the case is then in hand."""
    if not text.strip():
        raise ValidationError({"text": _("请填写处置情况。")})
    if evidence is not None:
        check_evidence(evidence)
    current = _lock(case, actor, can_handle, expected_version)
    if current.state not in WORKING_STATES:
        raise ValidationError(
            _("督办件%(state)s，不能再记录处置。") % {"state": current.get_state_display()}, code="state"
        )
    before = _snap(current)
    current.state = CaseState.IN_HAND
    current.accepted_at = current.accepted_at or timezone.now()
    current.last_action_at = timezone.now()
    _event(current, EventKind.ACTION, text.strip(), actor, evidence)
    return _save(current, "act", actor, before)


@transaction.atomic
def resolve(case: Case, result: str, *, actor, evidence=None, expected_version: int | None = None) -> Case:
    """Report the case solved (办结) for the reviewer to accept; a red-light case needs evidence."""
    if not result.strip():
        raise ValidationError({"result": _("请填写办理结果。")})
    current = _lock(case, actor, can_handle, expected_version)
    if current.state not in WORKING_STATES:
        raise ValidationError(
            _("督办件%(state)s，不能办结。") % {"state": current.get_state_display()}, code="state"
        )
    if current.kind == CaseKind.LIGHT and evidence is None:
        raise ValidationError({"evidence": _("红灯督办件办结须上传佐证材料（照片、文件等）。")})
    if evidence is not None:
        check_evidence(evidence)
    before = _snap(current)
    now = timezone.now()
    current.state, current.resolution, current.resolved_at, current.last_action_at = (
        CaseState.RESOLVED,
        result.strip(),
        now,
        now,
    )
    current.accepted_at = current.accepted_at or now
    _event(current, EventKind.RESOLVED, result.strip(), actor, evidence)
    _save(current, "resolve", actor, before)
    reviewers = get_user_model().objects.filter(is_active=True, groups__name="project_office")
    # a problem is confirmed also by the unit that raised it; red lights and meeting decisions by the office
    raiser = _raiser(current)
    raisers = _unit_users(raiser) if raiser is not None else []
    notify(
        list(reviewers) + raisers,
        _("督办件 %(number)s 已办结，待销号") % {"number": current.number},
        result.strip(),
        url=_url(current),
    )
    return current


@transaction.atomic
def close(case: Case, *, actor, note: str = "", expected_version: int | None = None) -> Case:
    """Accept the result and close the case (销号)."""
    current = _lock(case, actor, can_close, expected_version)
    if current.state != CaseState.RESOLVED:
        raise ValidationError(_("只有已办结的督办件可以销号。"), code="state")
    before = _snap(current)
    current.state, current.closed_at = CaseState.CLOSED, timezone.now()
    _event(current, EventKind.CLOSED, note.strip(), actor)
    _save(current, "close", actor, before)
    notify(
        participants(current),
        _("督办件 %(number)s 已销号") % {"number": current.number},
        note,
        url=_url(current),
    )
    return current


@transaction.atomic
def reopen(case: Case, reason: str, *, actor, expected_version: int | None = None) -> Case:
    """Send a resolved case back to its owner (退回重办) with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("退回须写明原因。")})
    current = _lock(case, actor, can_close, expected_version)
    if current.state != CaseState.RESOLVED:
        raise ValidationError(_("只有已办结的督办件可以退回。"), code="state")
    before = _snap(current)
    current.state, current.resolved_at = CaseState.IN_HAND, None
    current.last_action_at = timezone.now()
    _event(current, EventKind.REOPENED, reason.strip(), actor)
    _save(current, "reopen", actor, before)
    notify(
        participants(current),
        _("督办件 %(number)s 被退回重办") % {"number": current.number},
        reason,
        url=_url(current),
    )
    return current


def _climb(current: Case, kind: str, text: str, actor) -> Case:
    rank = LADDER.index(Level(current.level))
    before = _snap(current)
    current.level = LADDER[rank + 1]
    current.deadline = deadline_after(_workdays("GONGJIAN_LADDER_WORKDAYS", 5))
    _event(current, kind, text, actor)
    _save(current, kind, actor, before, note=text)
    title = (
        _("督办件 %(number)s 上交至%(level)s")
        if kind == EventKind.PASSED_UP
        else _("督办件 %(number)s 逾期未办结，升级至%(level)s督办")
    ) % {"number": current.number, "level": current.get_level_display()}
    notify(participants(current), title, text, url=_url(current))
    return current


@transaction.atomic
def pass_up(case: Case, reason: str, *, actor, expected_version: int | None = None) -> Case:
    """Hand the case to the next level up before its deadline. Needs a reason, which everyone on it sees."""
    if not reason.strip():
        raise ValidationError({"reason": _("上交须写明理由，理由对督办件上的所有人可见。")})
    current = _lock(case, actor, can_handle, expected_version)
    if current.state not in WORKING_STATES:
        raise ValidationError(
            _("督办件%(state)s，不能上交。") % {"state": current.get_state_display()}, code="state"
        )
    if current.level == LADDER[-1]:
        raise ValidationError(_("已在最高层级督办。"), code="top")
    return _climb(current, EventKind.PASSED_UP, reason.strip(), actor)


def tick(today: date | None = None) -> dict[str, int]:
    """Daily: climb every case unhandled past its deadline; remind owners silent for N working days."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    climbed = reminded = 0
    remind_after = _workdays("GONGJIAN_REMIND_WORKDAYS", 5)
    for case in Case.objects.filter(state__in=WORKING_STATES).select_related(
        "owner", "project", "supervisor"
    ):
        with transaction.atomic():
            current = (
                Case.objects.select_for_update(of=("self",))
                .select_related("owner", "project", "supervisor")
                .get(pk=case.pk)
            )
            if current.deadline < today and current.level != LADDER[-1]:
                _climb(
                    current,
                    EventKind.CLIMBED,
                    _("办理时限 %(deadline)s 已过，未办结。") % {"deadline": current.deadline},
                    None,
                )
                climbed += 1
                continue
            last = timezone.localtime(
                max(filter(None, [current.last_action_at, current.last_reminded_at]))
            ).date()
            if calendar.between(last, today) >= remind_after:
                current.last_reminded_at = timezone.now()
                current.save(update_fields=["last_reminded_at"])
                days = calendar.between(timezone.localtime(current.last_action_at).date(), today)
                text = _("已 %(n)d 个工作日无处置进展，办理时限 %(deadline)s。") % {
                    "n": days,
                    "deadline": current.deadline,
                }
                _event(current, EventKind.REMINDED, text)
                notify(
                    participants(current),
                    _("催办：督办件 %(number)s") % {"number": current.number},
                    text,
                    url=_url(current),
                )
                reminded += 1
    return {"climbed": climbed, "reminded": reminded}
