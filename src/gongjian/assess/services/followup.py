"""What follows a published assessment: interviews (约谈) with their rectification commitments tracked to their
deadlines, the year's red-flag board (红旗榜), and the cadre archive (干部考核档案) — for each leader and commander,
the grades, flags, cards and interviews of the subjects they answer for in a year."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.assess import archive as credit_registry
from gongjian.assess import services
from gongjian.assess.models import (
    Commitment,
    Consequence,
    ConsequenceKind,
    Interview,
    Run,
    RunState,
    Score,
    SubjectKind,
)
from gongjian.core import audit
from gongjian.core import documents as doc
from gongjian.core.locking import Stale, check_version
from gongjian.core.notify import notify
from gongjian.core.periods import Period
from gongjian.org.models import Person
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import Project, ProjectLeader


def _check_office(actor) -> None:
    if actor is not None and not actor.has_perm("assess.run_assessment"):
        raise PermissionDenied(_("只有项目办可以登记约谈和整改情况。"))


def published_runs(year: int | None = None):
    runs = Run.objects.filter(state=RunState.PUBLISHED)
    return runs.filter(period_code__startswith=f"{year}-") if year else runs


# Interviews and commitments


def interviewee_for(subject_kind: str, subject_id: int) -> str:
    """Whom an interview on this subject is with, as the registry knows it: a headquarters' commander, the
    leader themself, a project's commander or contact."""
    if subject_kind == SubjectKind.LEADER:
        person = Person.objects.filter(pk=subject_id).first()
        return str(person) if person else ""
    if subject_kind == SubjectKind.HEADQUARTERS:
        commanders = Counter(
            Project.objects.filter(
                headquarters_id=subject_id, commander__isnull=False, is_archived=False
            ).values_list("commander_id", flat=True)
        )
        if commanders:
            return str(Person.objects.get(pk=commanders.most_common(1)[0][0]))
    if subject_kind == SubjectKind.PROJECT:
        project = Project.objects.select_related("commander").filter(pk=subject_id).first()
        if project:
            return str(project.commander) if project.commander else project.contact_person
    return ""


def interview_queue(year: int | None = None) -> list[dict]:
    """The interviews published results call for, newest period first, each with its record once held."""
    due = (
        Consequence.objects.filter(kind=ConsequenceKind.INTERVIEW, run__in=published_runs(year))
        .select_related("run", "interview_record")
        .order_by("-run__period_code", "subject_name")
    )
    return [
        {
            "consequence": c,
            "period": Period.parse(c.run.period_code),
            "interview": getattr(c, "interview_record", None),
        }
        for c in due
    ]


def interviews_of(year: int):
    """The interviews that belong to ``year``: those on its published results (held then or early the next
    year) and the office's own interviews held in it."""
    return Interview.objects.filter(
        Q(consequence__run__period_code__startswith=f"{year}-")
        | Q(consequence__isnull=True, held_on__year=year)
    )


def _clean_commitments(rows: Sequence[tuple[str, date | None]], held_on: date) -> list[tuple[str, date]]:
    errors, kept = {}, []
    for i, (text, deadline) in enumerate(rows, start=1):
        text = (text or "").strip()
        if not text and deadline is None:
            continue
        if not text:
            errors[f"commitment-{i}"] = _("第 %(n)d 项整改承诺缺少整改事项。") % {"n": i}
        elif deadline is None:
            errors[f"commitment-{i}"] = _("第 %(n)d 项整改承诺缺少整改时限。") % {"n": i}
        elif deadline < held_on:
            errors[f"commitment-{i}"] = _("第 %(n)d 项整改承诺的时限早于约谈日期。") % {"n": i}
        else:
            kept.append((text[:300], deadline))
    if errors:
        raise ValidationError(errors)
    return kept


@transaction.atomic
def record_interview(
    *,
    actor,
    held_on: date,
    interviewer: str,
    interviewee: str,
    content: str,
    commitments: Sequence[tuple[str, date | None]] = (),
    consequence: Consequence | None = None,
    subject: tuple[str, int] | None = None,
) -> Interview:
    """Record an interview held on a published yellow card (``consequence``) or on a subject the office chose,
    with the rectification commitments made in it."""
    _check_office(actor)
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("约谈日期不能晚于今天。")
    for name, value, label in (
        ("interviewer", interviewer, _("约谈人")),
        ("interviewee", interviewee, _("被约谈人")),
        ("content", content, _("约谈内容")),
    ):
        if not (value or "").strip():
            errors[name] = _("请填写%(field)s。") % {"field": label}
    if consequence is not None:
        consequence = Consequence.objects.select_for_update().select_related("run").get(pk=consequence.pk)
        if consequence.kind != ConsequenceKind.INTERVIEW or consequence.run.state != RunState.PUBLISHED:
            errors["consequence"] = _("只能为已发布考核结果中的约谈事项登记。")
        recorded = Interview.objects.filter(consequence=consequence).first()
        if recorded is not None:  # someone recorded it first: a create over it is stale (its version given)
            raise Stale(
                _("该约谈事项已由他人登记（当前版本 %(v)d），请刷新后查看。") % {"v": recorded.version},
                current_version=recorded.version,
            )
        subject = (consequence.subject_kind, consequence.subject_id)
    elif subject is None:
        errors["consequence"] = _("请选择约谈对象。")
    if errors:
        raise ValidationError(errors)
    kept = _clean_commitments(commitments, held_on)
    assert subject is not None
    interview = Interview.objects.create(
        consequence=consequence,
        subject_kind=subject[0],
        subject_id=subject[1],
        held_on=held_on,
        interviewer=interviewer.strip()[:100],
        interviewee=interviewee.strip()[:100],
        content=content.strip(),
        created_by=audit.actor_or_none(actor),
    )
    Commitment.objects.bulk_create(Commitment(interview=interview, text=t, deadline=d) for t, d in kept)
    audit.record(
        "assess.interview.create",
        actor=actor,
        obj=interview,
        only_changes=False,
        after={
            "held_on": held_on,
            "interviewer": interview.interviewer,
            "interviewee": interview.interviewee,
            "commitments": [f"{t}（{d}）" for t, d in kept],
        },
    )
    return interview


@transaction.atomic
def add_commitment(
    interview: Interview, text: str, deadline: date | None, *, actor, expected_version: int | None = None
) -> Commitment:
    """Add a commitment to the interview of version ``expected_version``: the commitments are part of the
    interview's record (the same one entered twice from two pages is refused the second time), and its version
    goes up."""
    _check_office(actor)
    [(text, deadline)] = _clean_commitments([(text, deadline)], interview.held_on) or [("", None)]
    if not text:
        raise ValidationError({"commitment-1": _("请填写整改事项和整改时限。")})
    current = Interview.objects.select_for_update().get(pk=interview.pk)
    check_version(current.version, expected_version, _("约谈记录"))
    current.version += 1
    current.save(update_fields=["version"])
    row = Commitment.objects.create(interview=interview, text=text, deadline=deadline)
    audit.record(
        "assess.commitment.create",
        actor=actor,
        obj=row,
        only_changes=False,
        after={"text": text, "deadline": deadline},
    )
    return row


@transaction.atomic
def complete_commitment(
    commitment: Commitment, *, done_on: date | None, result: str, actor, expected_version: int | None = None
) -> Commitment:
    """Mark a commitment done (with the date and what was done), or reopen it (``done_on`` None), from the
    version of it the office read (``expected_version``)."""
    _check_office(actor)
    row = Commitment.objects.select_for_update().select_related("interview").get(pk=commitment.pk)
    check_version(row.version, expected_version, _("整改承诺"), acting=True)
    before = {"done_on": row.done_on, "result": row.result}
    if done_on is not None:
        errors = {}
        if not result.strip():
            errors["result"] = _("请填写完成情况。")
        if done_on > timezone.localdate():
            errors["done_on"] = _("完成日期不能晚于今天。")
        elif done_on < row.interview.held_on:
            errors["done_on"] = _("完成日期早于约谈日期。")
        if errors:
            raise ValidationError(errors)
    row.done_on, row.result = done_on, result.strip()[:300] if done_on else ""
    row.version += 1
    row.save(update_fields=["done_on", "result", "version"])
    audit.record(
        "assess.commitment.complete" if done_on else "assess.commitment.reopen",
        actor=actor,
        obj=row,
        before=before,
        after={"done_on": row.done_on, "result": row.result},
    )
    return row


def commitment_state(row: Commitment, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if row.done_on:
        return "late" if row.done_on > row.deadline else "done"
    return "overdue" if row.deadline < today else "open"


def remind_overdue(today: date | None = None) -> int:
    """The scheduled part (`gongjian tick`): tell the project office, once, of each commitment past its deadline
    and not done. Returns how many were reminded."""
    today = today or timezone.localdate()
    overdue = list(
        Commitment.objects.select_related("interview").filter(
            done_on__isnull=True, deadline__lt=today, reminded_on__isnull=True
        )
    )
    if not overdue:
        return 0
    office = (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="run_assessment")
            | Q(groups__permissions__codename="run_assessment"),
            is_active=True,
        )
        .distinct()
    )
    for row in overdue:
        notify(
            office,
            _("整改承诺逾期：%(who)s") % {"who": row.interview.interviewee},
            _("%(text)s，时限 %(deadline)s，尚未完成。") % {"text": row.text, "deadline": row.deadline},
            url=reverse("assess:interview_detail", args=[row.interview_id]),
        )
    Commitment.objects.filter(pk__in=[r.pk for r in overdue]).update(reminded_on=today)
    return len(overdue)


# The red-flag board

_MARKS = {
    ConsequenceKind.RED_FLAG: "flags",
    ConsequenceKind.REWARD: "rewards",
    ConsequenceKind.YELLOW_CARD: "yellow",
    ConsequenceKind.BLACK_CARD: "black",
    ConsequenceKind.PUBLIC_CRITICISM: "criticised",
}


@dataclass
class Tally:
    subject_kind: str
    subject_id: int
    name: str
    flags: int = 0
    rewards: int = 0
    reward_amount: int = 0
    yellow: int = 0
    black: int = 0
    criticised: int = 0
    marks: dict[str, list[str]] = field(default_factory=dict)  # period code → consequence kinds


def flag_board(year: int, subject_kind: str = SubjectKind.HEADQUARTERS) -> tuple[list[Period], list[Tally]]:
    """The year's published periods and, for each subject of the kind, its red flags, rewards and cards
    period by period, most flags first."""
    runs = list(published_runs(year).order_by("period_code"))
    periods = sorted({Period.parse(r.period_code) for r in runs})
    tallies: dict[int, Tally] = {}
    for model in (Score, Consequence):
        for sid, name in (
            model.objects.filter(run__in=runs, subject_kind=subject_kind)
            .order_by()
            .values_list("subject_id", "subject_name")
            .distinct()
        ):
            tallies.setdefault(sid, Tally(subject_kind, sid, name))
    for code, sid, kind, amount in Consequence.objects.filter(
        run__in=runs, subject_kind=subject_kind, kind__in=list(_MARKS)
    ).values_list("run__period_code", "subject_id", "kind", "amount"):
        tally = tallies[sid]
        setattr(tally, _MARKS[kind], getattr(tally, _MARKS[kind]) + 1)
        tally.reward_amount += amount if kind == ConsequenceKind.REWARD else 0
        tally.marks.setdefault(code, []).append(kind)
    ordered = sorted(tallies.values(), key=lambda t: (-t.flags, -t.rewards, t.yellow + t.black, t.name))
    return periods, ordered


@dataclass
class PeriodMarks:
    """One published period of the red-flag board: who got each kind of consequence, rewards with amounts."""

    period: Period
    names: dict[str, list[str]] = field(default_factory=dict)  # consequence kind → "name" or "name 5,000元"


def flags_by_period(year: int, subject_kind: str = SubjectKind.HEADQUARTERS) -> list[PeriodMarks]:
    """The year's published periods, latest first, each with the subjects of the kind that got a red flag, a
    reward (with its amount in 元), a yellow or a black card or public criticism; one query."""
    rows: dict[str, PeriodMarks] = {
        r.period_code: PeriodMarks(Period.parse(r.period_code)) for r in published_runs(year)
    }
    for code, kind, name, amount in (
        Consequence.objects.filter(
            run__in=published_runs(year), subject_kind=subject_kind, kind__in=list(_MARKS)
        )
        .order_by("run__period_code", "kind", "subject_name")
        .values_list("run__period_code", "kind", "subject_name", "amount")
    ):
        text = f"{name} {amount:,}元" if kind == ConsequenceKind.REWARD and amount else name
        rows[code].names.setdefault(kind, []).append(text)
    return sorted(rows.values(), key=lambda row: row.period, reverse=True)


# The cadre archive


@dataclass
class SubjectRecord:
    subject_kind: str
    subject_id: int
    name: str
    role: str
    grade: str = ""
    rank: str = ""
    mean_score: float | None = None
    grade_explanation: str = ""
    flags: int = 0
    reward_amount: int = 0
    yellow: list[str] = field(default_factory=list)
    black: list[str] = field(default_factory=list)
    criticised: list[str] = field(default_factory=list)
    interviews: list[Interview] = field(default_factory=list)


@dataclass
class ArchiveEntry:
    year: int
    person: Person
    subjects: list[SubjectRecord]
    # Credit the apps above record for the person (gongjian.assess.archive): [(label, text)], e.g. 招商引资.
    credits: list[tuple[str, str]] = field(default_factory=list)

    @property
    def commitments(self) -> tuple[int, int, int]:
        """(made, done, overdue) over the year's interviews."""
        rows = [c for s in self.subjects for i in s.interviews for c in i.commitments.all()]
        states = Counter(commitment_state(c) for c in rows)
        return len(rows), states["done"] + states["late"], states["overdue"]


def _answerable(person_ids: set[int] | None = None) -> dict[int, list[tuple[str, int, str]]]:
    """For each person, the subjects they answer for and in what role: the leader subject for a lead leader,
    the headquarters of the projects they command (or the projects themselves where there is none)."""
    roles: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    leads = ProjectLeader.objects.filter(role=LeaderRole.LEAD, project__is_archived=False)
    for pid in sorted(set(leads.values_list("person_id", flat=True))):
        roles[pid].append((SubjectKind.LEADER, pid, _("包挂领导")))
    commanded = Project.objects.filter(is_archived=False, commander__isnull=False).values_list(
        "commander_id", "headquarters_id", "pk"
    )
    seen = set()
    for person_id, hq, project_id in commanded.order_by("commander_id", "headquarters_id", "pk"):
        key = (
            (person_id, SubjectKind.HEADQUARTERS, hq) if hq else (person_id, SubjectKind.PROJECT, project_id)
        )
        if key not in seen:
            seen.add(key)
            roles[person_id].append((key[1], key[2], _("指挥长")))
    if person_ids is not None:
        return {pid: subjects for pid, subjects in roles.items() if pid in person_ids}
    return roles


def archive(year: int, person_ids: set[int] | None = None) -> list[ArchiveEntry]:
    """The cadre archive entries of ``year`` (of everyone who answers for a subject, or of ``person_ids``)."""
    roles = _answerable(person_ids)
    wanted = {(kind, sid) for subjects in roles.values() for kind, sid, _role in subjects}
    grades = {(r["subject_kind"], r["subject_id"]): r for r in services.year_end(year).iter_rows(named=True)}
    runs = published_runs(year)
    marks: dict[tuple[str, int], list[tuple[str, str, int]]] = defaultdict(list)
    for code, kind, sid, what, amount in Consequence.objects.filter(run__in=runs).values_list(
        "run__period_code", "subject_kind", "subject_id", "kind", "amount"
    ):
        if (kind, sid) in wanted:
            marks[(kind, sid)].append((code, what, amount))
    interviews: dict[tuple[str, int], list[Interview]] = defaultdict(list)
    for interview in interviews_of(year).prefetch_related("commitments"):
        interviews[(interview.subject_kind, interview.subject_id)].append(interview)
    names = services.subject_names()
    credited = credit_registry.credits(year, person_ids)
    people = Person.objects.select_related("unit").in_bulk(list(roles) + list(credited))
    # A cadre with credit but no subject (全员招商: any cadre brings leads) has an entry of their credit alone.
    roles = {**{pid: [] for pid in credited if pid in people}, **roles}
    entries = []
    for person_id, subjects in roles.items():
        records = []
        for kind, sid, role in subjects:
            record = SubjectRecord(kind, sid, names.get((kind, sid), str(sid)), role)
            graded = grades.get((kind, sid))
            if graded:
                record.grade, record.mean_score = graded["grade"], graded["mean_score"]
                record.rank = f"{graded['rank']}/{graded['group_size']}"
                record.grade_explanation = graded["explanation"]
            for code, what, amount in sorted(marks.get((kind, sid), [])):
                label = str(Period.parse(code))
                if what == ConsequenceKind.RED_FLAG:
                    record.flags += 1
                elif what == ConsequenceKind.REWARD:
                    record.reward_amount += amount
                elif what == ConsequenceKind.YELLOW_CARD:
                    record.yellow.append(label)
                elif what == ConsequenceKind.BLACK_CARD:
                    record.black.append(label)
                elif what == ConsequenceKind.PUBLIC_CRITICISM:
                    record.criticised.append(label)
            record.interviews = interviews.get((kind, sid), [])
            records.append(record)
        entries.append(ArchiveEntry(year, people[person_id], records, credited.get(person_id, [])))
    entries.sort(key=lambda e: (e.person.unit_id or 0, e.person.name))
    return entries


def archive_document(entries: Sequence[ArchiveEntry]) -> bytes:
    """The archive entries as one .docx (GB/T 9704 page and fonts), a section per person."""
    year = entries[0].year if entries else timezone.localdate().year
    body: list[doc.Block] = []
    for entry in entries:
        person = entry.person
        unit = person.unit.name if person.unit_id else ""
        body.append(doc.Heading(f"{person.name}（{'，'.join(filter(None, [unit, person.post]))}）"))
        body.append(
            doc.Table(
                columns=[
                    doc.Column("考核对象", width=12),
                    doc.Column("职责", width=6),
                    doc.Column("年终等次", width=6),
                    doc.Column("名次", width=5),
                    doc.Column("红旗", numeric=True, width=4),
                    doc.Column("黄牌", width=8),
                    doc.Column("黑牌", width=8),
                ],
                rows=[
                    (
                        s.name,
                        s.role,
                        s.grade or "—",
                        s.rank or "—",
                        s.flags,
                        "、".join(s.yellow) or "—",
                        "、".join(s.black) or "—",
                    )
                    for s in entry.subjects
                ],
                font_size=12,
            )
        )
        made, done, overdue = entry.commitments
        lines = []
        for s in entry.subjects:
            if s.grade_explanation:
                lines.append(f"{s.name}：{s.grade_explanation}。")
            if s.reward_amount:
                lines.append(f"{s.name}获经济奖励 {s.reward_amount} 元。")
            if s.criticised:
                lines.append(f"{s.name}于{'、'.join(s.criticised)}被通报批评。")
            for interview in s.interviews:
                lines.append(
                    f"{interview.held_on:%Y年%m月%d日}，{interview.interviewer}约谈{interview.interviewee}"
                    f"（{s.name}）：{interview.content}"
                )
        lines.extend(f"{label}：{text}" for label, text in entry.credits)
        lines.append(f"全年整改承诺 {made} 项，已完成 {done} 项，逾期未完成 {overdue} 项。")
        body.extend(doc.Paragraph(line) for line in lines)
    if not entries:
        body.append(doc.Paragraph("本年度无考核档案记录。"))

    return doc.render(
        doc.OfficialDocument(
            title=f"{year}年度重点项目建设干部考核档案",
            body=body,
            signature=settings.GONGJIAN_ORGAN,
            date=timezone.localdate(),
        )
    )
