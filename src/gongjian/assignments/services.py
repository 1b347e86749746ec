"""Assignments (任务交办): one task given to many units at once, in steps with their own deadlines, each unit
handing in text and files for each step. After an on-site review meeting (现场会, context 004) every department
holds its discussion within a week and hands in its report within two: "全区各部门在一周内全部开展了大讨论活动，
并于两周内全部上交了讨论会情况的汇报材料".

Who does what:
- the project office (``meetings.run_dispatch``) gives assignments and sees every one with every hand-in; the
  principal leaders (``projects.view_all_projects``) read them all too;
- a unit user (``assignments.add_submission``) sees the assignments given to their unit or to a unit above it, and
  hands in for that unit; the office may hand in on a unit's behalf (a report that came on paper);
- the hand-in table (units × steps) is shown to everyone who sees the assignment, so a unit sees who has reported;
  the text and files of a hand-in are for the office, the principal leaders and the people of the unit that
  handed it in (a department's self-examination is written for the leadership, not for its peers).

A second hand-in before the deadline replaces the first. After the deadline a first hand-in is still accepted
and marked late; one handed in on time can no longer be replaced (what was on time stays on record), while a
late one may be corrected and stays late. ``remind`` (run by ``gongjian tick``) tells each unit that has not
handed in, once a day, from the day before the deadline until seven days after it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.assignments.models import Assignment, AssignmentStep, Reminder, Submission, SubmissionFile
from gongjian.core import audit
from gongjian.core.locking import check_version
from gongjian.core.notify import notify
from gongjian.meetings.models import Meeting
from gongjian.org.models import Unit
from gongjian.org.queries import person_of

# The two steps the office usually gives after an on-site meeting (context 004), as (name, days from today).
DEFAULT_STEPS = ((gettext_lazy("组织讨论"), 7), (gettext_lazy("报送报告"), 14))
REMIND_BEFORE_DAYS = 1  # remind from the day before the deadline …
REMIND_AFTER_DAYS = 7  # … until a week after it

# Office documents (Microsoft and WPS), PDFs, photos and plain text. Each extension lists the signatures its
# content may begin with; None means any content that is not a program. Legacy .doc/.xls/.wps/.et come from many
# tools (OLE2, zip, RTF, or "Word" HTML exported by other systems), so for them only programs are refused.
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_FILES: dict[str, tuple[bytes, ...] | None] = {
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".doc": None,
    ".xls": None,
    ".wps": None,
    ".et": None,
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".txt": None,
}
_PROGRAMS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")
CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".wps": "application/vnd.ms-works",
    ".et": "application/vnd.ms-excel",
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


class HandInState(models.TextChoices):
    """Where one unit stands on one step."""

    SUBMITTED = "submitted", gettext_lazy("已报")
    LATE = "late", gettext_lazy("逾期报送")
    OVERDUE = "overdue", gettext_lazy("逾期未报")
    MISSING = "missing", gettext_lazy("未报")


def max_file_bytes() -> int:
    return int(getattr(settings, "GONGJIAN_SUBMISSION_FILE_MAX_BYTES", 20 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "GONGJIAN_SUBMISSION_FILES_MAX", 10))


# Who may do what


def _own_unit(user) -> Unit | None:
    person = person_of(user)
    return person.unit if person is not None and person.unit_id else None


def unit_and_above(user) -> list[int]:
    """The ids of the user's unit and every unit above it (a unit's path is the ids from the top down)."""
    unit = _own_unit(user)
    return [int(part) for part in unit.path.strip("/").split("/") if part] if unit else []


def sees_all(user) -> bool:
    return user.has_perm("meetings.run_dispatch") or (
        user.has_perm("assignments.view_assignment") and user.has_perm("projects.view_all_projects")
    )


def visible_assignments(user):
    """The office and the principal leaders: every assignment; a unit user: those given to their unit or to a
    unit above it."""
    if not user.has_perm("assignments.view_assignment"):
        return Assignment.objects.none()
    if sees_all(user):
        return Assignment.objects.all()
    given = Assignment.units.through.objects.filter(unit_id__in=unit_and_above(user)).values("assignment_id")
    return Assignment.objects.filter(pk__in=given)


def _belongs(user, unit: Unit) -> bool:
    own = _own_unit(user)
    return bool(own and own.path.startswith(unit.path))


def can_submit(user, unit: Unit) -> bool:
    """The people of the unit (or of a unit below it) who may hand in, and the office on the unit's behalf."""
    if user.has_perm("meetings.run_dispatch"):
        return True
    return user.has_perm("assignments.add_submission") and _belongs(user, unit)


def can_read_hand_in(user, submission: Submission) -> bool:
    """A hand-in's text and files: the office, the principal leaders and the people of the unit that handed it
    in. The other units given the same assignment see only that it was handed in."""
    if not user.has_perm("assignments.view_assignment"):
        return False
    return sees_all(user) or _belongs(user, submission.unit)


def units_of(user, assignment: Assignment) -> list[Unit]:
    """The units of the assignment the user hands in for: their own unit or one above it."""
    ids = set(unit_and_above(user))
    return [unit for unit in assignment.units.all() if unit.pk in ids]


def _check_office(actor) -> None:
    if actor is not None and not actor.has_perm("meetings.run_dispatch"):
        raise PermissionDenied(_("只有项目办可以下发任务。"))


def _recipients(units: Iterable[Unit]):
    """The active people of the units (and of the units below them) who may hand in."""
    paths = [unit.path for unit in units]
    if not paths:
        return []
    where = Q()
    for path in paths:
        where |= Q(person__unit__path__startswith=path)
    may = (
        Q(is_superuser=True)
        | Q(
            groups__permissions__codename="add_submission",
            groups__permissions__content_type__app_label="assignments",
        )
        | Q(
            user_permissions__codename="add_submission",
            user_permissions__content_type__app_label="assignments",
        )
    )
    return list(get_user_model().objects.filter(where, may, is_active=True).distinct())


def _url(assignment_id: int) -> str:
    return reverse("assignments:assignment_detail", args=[assignment_id])


# Giving an assignment


def default_steps(today: date | None = None) -> list[tuple[str, date]]:
    today = today or timezone.localdate()
    return [(str(name), today + timedelta(days=days)) for name, days in DEFAULT_STEPS]


def _clean_steps(
    steps: Sequence[tuple[str, date | None]], today: date
) -> tuple[list[tuple[str, date]], dict]:
    errors: dict[str, str] = {}
    kept: list[tuple[str, date]] = []
    for i, (name, deadline) in enumerate(steps, start=1):
        name = (name or "").strip()
        if not name and deadline is None:
            continue
        if not name:
            errors[f"step-{i}"] = _("第 %(n)d 个环节缺少名称。") % {"n": i}
        elif deadline is None:
            errors[f"step-{i}"] = _("第 %(n)d 个环节「%(name)s」缺少时限。") % {"n": i, "name": name}
        elif deadline < today:
            errors[f"step-{i}"] = _("第 %(n)d 个环节「%(name)s」的时限 %(deadline)s 早于今天。") % {
                "n": i,
                "name": name,
                "deadline": deadline,
            }
        elif name in {k for k, _d in kept}:
            errors[f"step-{i}"] = _("环节「%(name)s」重复。") % {"name": name}
        else:
            kept.append((name[:100], deadline))
    if not kept and not errors:
        errors["steps"] = _("请至少填写一个环节及其时限。")
    return kept, errors


@transaction.atomic
def create_assignment(
    *,
    title: str,
    instructions: str,
    units: Iterable[Unit],
    steps: Sequence[tuple[str, date | None]],
    meeting: Meeting | None = None,
    actor,
) -> Assignment:
    """Give a task to units in steps with deadlines (none in the past), and tell the units' people."""
    _check_office(actor)
    today = timezone.localdate()
    units = list(dict.fromkeys(units))
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("请填写标题。")
    if not (instructions or "").strip():
        errors["instructions"] = _("请填写任务要求。")
    if not units:
        errors["units"] = _("请至少选择一个承办单位。")
    inactive = [unit.name for unit in units if not unit.is_active]
    if inactive:
        errors["units"] = _("单位已撤销，不能交办：%(names)s。") % {"names": "、".join(inactive)}
    kept, step_errors = _clean_steps(steps, today)
    errors.update(step_errors)
    if errors:
        raise ValidationError(errors)
    assignment = Assignment.objects.create(
        title=title.strip()[:200],
        instructions=instructions.strip(),
        meeting=meeting,
        created_by=audit.actor_or_none(actor),
    )
    assignment.units.set(units)
    AssignmentStep.objects.bulk_create(
        AssignmentStep(assignment=assignment, name=n, deadline=d) for n, d in kept
    )
    audit.record(
        "assignment.create",
        actor=actor,
        obj=assignment,
        only_changes=False,
        after={
            "title": assignment.title,
            "meeting": meeting.pk if meeting else None,
            "units": [unit.name for unit in units],
            "steps": [f"{n}（{d}）" for n, d in kept],
        },
    )
    schedule = "；".join(_("%(name)s：%(deadline)s 前") % {"name": n, "deadline": d} for n, d in kept)
    notify(
        _recipients(units),
        _("新任务：%(title)s") % {"title": assignment.title},
        _("请按要求报送。%(schedule)s。") % {"schedule": schedule},
        url=_url(assignment.pk),
    )
    return assignment


# Handing in


def is_late(submission: Submission, step: AssignmentStep | None = None) -> bool:
    step = step or submission.step
    return timezone.localtime(submission.submitted_at).date() > step.deadline


def _head(upload, size: int = 65536) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):  # the sample may end inside a character
            try:
                head[: len(head) - cut].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def check_file(upload) -> str:
    """Check one uploaded file against the allowed kinds and the size limit; return its extension or raise
    ValidationError naming the file and the reason."""
    name = PurePath(getattr(upload, "name", "") or "").name or _("附件")
    suffix = PurePath(name).suffix.lower()
    limit = max_file_bytes()
    if suffix not in ALLOWED_FILES:
        raise ValidationError(
            _("%(name)s：不支持该文件类型，请上传 Word、Excel、WPS、PDF、JPG、PNG 或 TXT 文件。")
            % {"name": name},
            code="file_type",
        )
    if not upload.size:
        raise ValidationError(_("%(name)s：文件是空的。") % {"name": name}, code="file_empty")
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s：文件超过 %(mb)d MB。") % {"name": name, "mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    head = _head(upload)
    signatures = ALLOWED_FILES[suffix]
    if (
        head.startswith(_PROGRAMS)
        or (signatures and not head.startswith(signatures))
        or (suffix == ".txt" and not _is_text(head))
    ):
        raise ValidationError(
            _("%(name)s：文件内容与扩展名 %(suffix)s 不符。") % {"name": name, "suffix": suffix},
            code="file_content",
        )
    return suffix


def _clean_name(upload) -> str:
    name = PurePath(getattr(upload, "name", "") or "").name or "file"
    if len(name) > 200:
        suffix = PurePath(name).suffix[:20]
        name = name[: 200 - len(suffix)] + suffix
    return name


def _snap(submission: Submission) -> dict:
    return {
        "text": submission.text,
        "submitted_at": submission.submitted_at,
        "submitted_by": submission.submitted_by_id,
        "late": is_late(submission),
        "files": [f"{f.name}（{f.size} B）" for f in submission.files.all()],
    }


@transaction.atomic
def submit(
    step: AssignmentStep,
    unit: Unit,
    *,
    text: str,
    files: Sequence = (),
    actor,
    expected_version: int | None = None,
) -> Submission:
    """Hand in a unit's text and files for a step. Replaces the unit's earlier hand-in until the deadline; after
    it a first hand-in is accepted and marked late, and one handed in on time is final.

    A replacement names the version of the hand-in it replaces (``expected_version``); a first hand-in where the
    unit has handed in already (someone else of the unit, from another page) without it, or from another one, is
    stale: nobody replaces a hand-in they have not seen."""
    if actor is not None and not can_submit(actor, unit):
        raise PermissionDenied(_("只有%(unit)s的人员或项目办可以为%(unit)s报送。") % {"unit": unit.name})
    # Hand-ins to one step wait for each other, so two first hand-ins of a unit cannot both be created.
    step = AssignmentStep.objects.select_for_update().select_related("assignment").get(pk=step.pk)
    labels = {"unit": unit.name, "step": step.name}
    if not step.assignment.units.filter(pk=unit.pk).exists():
        raise ValidationError(
            {
                "unit": _("「%(title)s」未交办给%(unit)s。")
                % {"title": step.assignment.title, "unit": unit.name}
            }
        )
    text, files = (text or "").strip(), [f for f in files or [] if f]
    errors: dict[str, list[str]] = {}
    if not text and not files:
        errors["text"] = [_("请填写%(unit)s「%(step)s」的报送内容或上传附件。") % labels]
    if len(files) > max_files():
        errors["files"] = [_("每次报送最多 %(n)d 个附件。") % {"n": max_files()}]
    else:
        for upload in files:
            try:
                check_file(upload)
            except ValidationError as exc:
                errors.setdefault("files", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    existing = Submission.objects.filter(step=step, unit=unit).select_related("submitted_by").first()
    if existing is not None:
        check_version(existing.version, expected_version, _("报送"))
    if existing is not None and not is_late(existing, step) and timezone.localdate() > step.deadline:
        raise ValidationError(
            {
                "text": _("「%(step)s」的时限 %(deadline)s 已过，%(unit)s 按时报送的材料不能再替换。")
                % {**labels, "deadline": step.deadline}
            },
            code="closed",
        )
    user = audit.actor_or_none(actor)
    before = _snap(existing) if existing else None
    old_names = [f.file.name for f in existing.files.all()] if existing else []
    submission = existing or Submission(step=step, unit=unit)
    submission.text, submission.submitted_by, submission.submitted_at = text, user, now
    if existing:
        submission.version += 1
    submission.save()
    if existing:
        existing.files.all().delete()
    written = []
    try:
        for upload in files:
            suffix = PurePath(upload.name or "").suffix.lower()
            row = SubmissionFile(submission=submission, name=_clean_name(upload), size=upload.size)
            upload.seek(0)
            row.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
            written.append(row.file.name)
            row.save()
    except BaseException:
        storage = SubmissionFile._meta.get_field("file").storage
        for name in written:
            storage.delete(name)
        raise
    if old_names:
        storage = SubmissionFile._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in old_names])
    submission.step = step
    after = _snap(submission)
    if before is None:
        audit.record(
            "assignment.submit",
            actor=actor,
            obj=submission,
            only_changes=False,
            after={"unit": unit.name, "step": step.name, **after},
        )
    else:
        audit.record(
            "assignment.resubmit", actor=actor, obj=submission, before=before, after=after, only_changes=False
        )
    creator = step.assignment.created_by
    if creator is not None:
        title = (
            _("%(unit)s已逾期报送「%(step)s」")
            if after["late"]
            else _("%(unit)s已更正「%(step)s」的报送")
            if existing
            else _("%(unit)s已报送「%(step)s」")
        ) % labels
        notify([creator], title, step.assignment.title, url=_url(step.assignment_id))
    return submission


# The hand-in table


@dataclass
class Cell:
    step: AssignmentStep
    unit: Unit
    state: str
    submission: Submission | None = None

    @property
    def label(self) -> str:
        return str(HandInState(self.state).label)

    @property
    def late(self) -> bool:
        return self.state == HandInState.LATE

    @property
    def handed_in(self) -> bool:
        return self.submission is not None

    @property
    def submitted_at(self) -> datetime | None:
        return self.submission.submitted_at if self.submission else None

    @property
    def submitted_by(self) -> str:
        user = self.submission.submitted_by if self.submission else None
        return user.display_name if user else ""


@dataclass
class Row:
    unit: Unit
    cells: list[Cell]


@dataclass
class StepCount:
    step: AssignmentStep
    submitted: int = 0  # on time
    late: int = 0  # handed in after the deadline
    overdue: int = 0  # not handed in, deadline passed
    missing: int = 0  # not handed in, deadline ahead

    @property
    def handed_in(self) -> int:
        return self.submitted + self.late


@dataclass
class Table:
    assignment: Assignment
    steps: list[AssignmentStep]
    rows: list[Row]
    counts: list[StepCount]
    today: date = field(default_factory=timezone.localdate)

    @property
    def handed_in(self) -> int:
        return sum(c.handed_in for c in self.counts)

    @property
    def expected(self) -> int:
        return len(self.rows) * len(self.steps)

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.counts)

    @property
    def late(self) -> int:
        return sum(c.late for c in self.counts)


def _state(step: AssignmentStep, submission: Submission | None, today: date) -> str:
    if submission is not None:
        return HandInState.LATE if is_late(submission, step) else HandInState.SUBMITTED
    return HandInState.OVERDUE if step.deadline < today else HandInState.MISSING


def table(assignment: Assignment, today: date | None = None) -> Table:
    """For every unit × step: handed in (when, by whom, late or not) or not (overdue once the deadline has
    passed), with each step's counts. Four queries whatever the size."""
    today = today or timezone.localdate()
    steps = list(assignment.steps.all())
    units = sorted(assignment.units.all(), key=lambda u: (u.kind, u.name))
    handed = {
        (s.step_id, s.unit_id): s
        for s in Submission.objects.filter(step__assignment=assignment)
        .select_related("submitted_by")
        .prefetch_related("files")
    }
    counts = {step.pk: StepCount(step) for step in steps}
    rows = []
    for unit in units:
        cells = []
        for step in steps:
            submission = handed.get((step.pk, unit.pk))
            cell = Cell(step, unit, _state(step, submission, today), submission)
            count = counts[step.pk]
            setattr(count, cell.state, getattr(count, cell.state) + 1)
            cells.append(cell)
        rows.append(Row(unit, cells))
    return Table(assignment, steps, rows, [counts[s.pk] for s in steps], today)


@dataclass
class Progress:
    """An assignment's progress as the list shows it: hand-ins over unit × step, overdue, and the viewer's own."""

    handed_in: int = 0
    expected: int = 0
    overdue: int = 0
    late: int = 0
    next_deadline: date | None = None
    mine_handed_in: int = 0
    mine_expected: int = 0
    mine_overdue: int = 0


def progress(assignments: Sequence[Assignment], user=None, today: date | None = None) -> dict[int, Progress]:
    """Each assignment's progress in three queries for the whole list (no query per assignment)."""
    today = today or timezone.localdate()
    ids = [a.pk for a in assignments]
    result = {pk: Progress() for pk in ids}
    if not ids:
        return result
    given: dict[int, set[int]] = defaultdict(set)
    for assignment_id, unit_id in Assignment.units.through.objects.filter(assignment_id__in=ids).values_list(
        "assignment_id", "unit_id"
    ):
        given[assignment_id].add(unit_id)
    steps: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for pk, assignment_id, deadline in AssignmentStep.objects.filter(assignment_id__in=ids).values_list(
        "pk", "assignment_id", "deadline"
    ):
        steps[assignment_id].append((pk, deadline))
    handed: dict[int, set[int]] = defaultdict(set)  # step → units
    late: dict[int, int] = defaultdict(int)
    for step_id, unit_id, at, deadline in Submission.objects.filter(step__assignment_id__in=ids).values_list(
        "step_id", "unit_id", "submitted_at", "step__deadline"
    ):
        handed[step_id].add(unit_id)
        late[step_id] += timezone.localtime(at).date() > deadline
    mine = set(unit_and_above(user)) if user is not None else set()
    for pk in ids:
        row, units = result[pk], given[pk]
        own = units & mine
        for step_id, deadline in steps[pk]:
            done = handed[step_id] & units
            row.handed_in += len(done)
            row.expected += len(units)
            row.late += late[step_id]
            row.mine_handed_in += len(done & own)
            row.mine_expected += len(own)
            if deadline < today:
                row.overdue += len(units - done)
                row.mine_overdue += len(own - done)
            elif row.next_deadline is None or deadline < row.next_deadline:
                row.next_deadline = deadline
    return result


# Reminders (gongjian tick)


def remind(today: date | None = None) -> int:
    """For each step due tomorrow or today, or overdue by up to seven days, tell each unit that has not handed
    in — at most once a day (a Reminder row per step, unit and day). Returns how many units were reminded."""
    today = today or timezone.localdate()
    steps = (
        AssignmentStep.objects.filter(
            deadline__gte=today - timedelta(days=REMIND_AFTER_DAYS),
            deadline__lte=today + timedelta(days=REMIND_BEFORE_DAYS),
        )
        .select_related("assignment")
        .prefetch_related("assignment__units")
    )
    reminded = 0
    for step in steps:
        done = set(step.submissions.values_list("unit_id", flat=True))
        done |= set(step.reminders.filter(day=today).values_list("unit_id", flat=True))
        days = (step.deadline - today).days
        if days > 0:
            when = _("明天（%(deadline)s）到期") % {"deadline": step.deadline}
        elif days == 0:
            when = _("今天（%(deadline)s）到期") % {"deadline": step.deadline}
        else:
            when = _("已逾期 %(n)d 天（时限 %(deadline)s）") % {"n": -days, "deadline": step.deadline}
        for unit in step.assignment.units.all():
            if unit.pk in done or not unit.is_active:
                continue
            try:
                with transaction.atomic():
                    row = Reminder.objects.create(step=step, unit=unit, day=today)
                    audit.record(
                        "assignment.remind",
                        obj=step,
                        only_changes=False,
                        after={"unit": unit.name, "day": today, "reminder": row.pk},
                    )
                    notify(
                        _recipients([unit]),
                        _("催报：%(title)s") % {"title": step.assignment.title},
                        _("「%(step)s」%(when)s，%(unit)s尚未报送。")
                        % {"step": step.name, "when": when, "unit": unit.name},
                        url=_url(step.assignment_id),
                    )
            except IntegrityError:  # another tick reminded this unit today
                continue
            reminded += 1
    return reminded
