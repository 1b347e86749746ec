"""Report state changes: draft → submitted → approved, or returned → corrected → resubmitted. Each runs in one
transaction, checks the actor's permission and scope, locks the report row, and writes an audit event."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core.locking import ANY_VERSION, Stale, check_version
from gongjian.core.notify import notify
from gongjian.core.periods import Period
from gongjian.jobs import services as jobs
from gongjian.projects.models import Milestone, Project
from gongjian.reports import photos, queries, rules
from gongjian.reports.choices import PeriodKind, ReportState
from gongjian.reports.models import (
    Problem,
    Report,
    ReportedMilestone,
    ReportingPeriod,
    ReportPhoto,
    ReportRevision,
)

EDITABLE_FIELDS = [
    "amount",
    "stated_year_to_date",
    "stated_since_start",
    "explanation",
    "progress_percent",
    "progress_text",
    "workers",
    "next_plan",
]
SNAPSHOT_FIELDS = [*EDITABLE_FIELDS, "state", "year_to_date", "since_start", "return_reason", "version"]


class StaleReport(Stale):
    """Someone else saved the report since the editor loaded it (``current_version`` says which version is there)."""


@transaction.atomic
def open_period(code: str, *, opens_at: datetime, deadline: datetime, actor) -> ReportingPeriod:
    """Open a ten-day period or a month for reporting with its filing window."""
    if actor is not None and not actor.has_perm("reports.add_reportingperiod"):
        raise PermissionDenied(_("只有项目办可以开启填报期。"))
    period = Period.parse(code)
    if period.dekad is None and period.month is None:
        raise ValidationError({"code": _("填报期须为某一旬或某一月。")})
    if deadline <= opens_at:
        raise ValidationError({"deadline": _("填报截止时间须晚于开始时间。")})
    kind = PeriodKind.DEKAD if period.dekad else PeriodKind.MONTH
    if ReportingPeriod.objects.filter(code=period.code).exists():
        raise ValidationError({"code": _("%(period)s 已开启。") % {"period": period}})
    row = ReportingPeriod.objects.create(kind=kind, code=period.code, opens_at=opens_at, deadline=deadline)
    audit.record("period.open", actor=actor, obj=row, after=audit.snapshot(row), only_changes=False)
    return row


def _may_file(actor, project_id: int, in_scope: bool | None = None) -> bool:
    """Whether ``actor`` may file reports of the project (``in_scope``: already read with the filing); remembered
    on the actor for the rest of the request (a filing and its submission in one request ask twice)."""
    checked = actor.__dict__.setdefault("_gongjian_may_file", {})
    if project_id not in checked:
        checked[project_id] = actor.has_perm("reports.submit_report") and (
            in_scope
            if in_scope is not None
            else Project.objects.in_scope(actor).filter(pk=project_id).exists()
        )
    return checked[project_id]


def _check_can_file(project: Project | int, actor, in_scope: bool | None = None) -> None:
    project_id = project if isinstance(project, int) else project.pk
    if actor is not None and not _may_file(actor, project_id, in_scope):
        raise PermissionDenied(_("无权填报该项目。"))


def _lists(report: Report) -> dict[str, list]:
    """The report's milestones reached, problems and photos as kept in revisions and audit events."""
    if not report.pk:
        return {"milestones_reached": [], "problems": [], "photos": []}
    return {
        "milestones_reached": [
            {"milestone": m.milestone_id, "actual_date": m.actual_date.isoformat()}
            for m in report.milestones_reached.order_by("milestone_id")
        ],
        "problems": [
            {"category": p.category, "description": p.description, "unit_asked": p.unit_asked_id}
            for p in report.problems.order_by("id")
        ],
        "photos": [
            {"name": p.original_name, "sha256": p.sha256[:12], "flags": [f["code"] for f in p.flags]}
            for p in report.photos.order_by("id")
        ],
    }


def _snapshot(report: Report, lists: dict[str, list] | None = None) -> dict[str, Any]:
    """The report's fields and lists; pass ``lists`` when they are known not to have changed."""
    return audit.snapshot(report, SNAPSHOT_FIELDS) | (lists if lists is not None else _lists(report))


def _compute(report: Report, earlier: list[tuple[str, int, int, int]] | None = None) -> list[rules.Finding]:
    """Set the report's cumulative figures from the earlier reports (read here unless given: the filing reads
    them with the rest, queries.filing_read) and return what must be explained."""
    kind, code, year = report.period.kind, report.period.code, report.period.period.year
    if earlier is None:
        earlier = list(
            Report.objects.filter(project=report.project_id, period__kind=kind, period__code__lt=code)
            .exclude(pk=report.pk)
            .exclude(state=ReportState.DRAFT)
            .order_by("period__code")
            .values_list("period__code", "amount", "year_to_date", "since_start")
        )
    this_year = [row for row in earlier if row[0].startswith(f"{year}-")]
    before = [row for row in earlier if not row[0].startswith(f"{year}-")]
    opening = before[-1][3] if before else 0
    computed = rules.cumulative(report.amount, [row[1] for row in this_year], opening)
    previous = rules.Cumulative(*this_year[-1][1:]) if this_year else None
    report.year_to_date, report.since_start = computed.year_to_date, computed.since_start
    return rules.check_stated(
        computed,
        previous=previous,
        stated_year_to_date=report.stated_year_to_date,
        stated_since_start=report.stated_since_start,
        total_investment=report.project.total_investment,
    )


def findings(report: Report) -> list[rules.Finding]:
    """What the reporter must explain before the report can be submitted (computes cumulative figures too)."""
    return _compute(report)


# ANY_VERSION (gongjian.core.locking, importable from here) is for a writer that means to overwrite whatever draft
# is there: the Excel batch filing, whose sheet is the truth.


def save_draft(
    project: Project,
    period: ReportingPeriod,
    data: dict[str, Any],
    *,
    actor,
    expected_version: int | None = None,
    milestones: list[tuple[Milestone, date]] | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> Report:
    """Create or change the draft (or returned) report of ``project`` for ``period``. ``milestones`` (reached,
    with actual dates) and ``problems`` (category, description, unit_asked) replace the report's lists when
    given."""
    return save_report(
        project,
        period,
        data,
        actor=actor,
        expected_version=expected_version,
        milestones=milestones,
        problems=problems,
    )


@transaction.atomic
def save_report(
    project: Project | int,
    period: ReportingPeriod | int,
    data: dict[str, Any],
    *,
    actor,
    expected_version: int | None = None,
    milestones: list[tuple[Milestone, date]] | None = None,
    problems: list[dict[str, Any]] | None = None,
    submit: bool = False,
) -> Report:
    """Save the report as :func:`save_draft` does and, with ``submit``, submit it in the same transaction: both
    happen or neither (the API's one-request filing). A new report that is submitted at once is written once.
    ``project`` and ``period`` may be given by id (the API): when either is not there, ``ObjectDoesNotExist``."""
    project_id = project if isinstance(project, int) else project.pk
    period_id = period if isinstance(period, int) else period.pk
    may_ask = actor is not None and actor.has_perm("reports.submit_report")
    read = queries.filing_read(project_id, period_id, scope_of=actor, check_scope=actor is None or may_ask)
    if read is None:
        raise ObjectDoesNotExist(_("不存在，或不在您的数据范围内。"))
    project = project if isinstance(project, Project) else read.project
    period = period if isinstance(period, ReportingPeriod) else read.period
    _check_can_file(project, actor, read.in_scope)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    report = None
    if read.report_id is not None:  # there is one: lock it and read it whole
        report = Report.objects.select_for_update().filter(project=project, period=period).first()
    created = report is None
    if created:
        report = Report(project=project, period=period, author=audit.actor_or_none(actor))
    if not report.is_editable():
        raise ValidationError(
            _("报告%(state)s，不能修改。") % {"state": report.get_state_display()}, code="locked"
        )
    if not created and expected_version is None:
        # The editor did not know the report existed (two forms opened on an empty report, or a create over a
        # draft): saving would overwrite someone's work unseen.
        raise StaleReport(
            _("该报告已由他人先填写（当前版本 %(v)d），请刷新后在其基础上修改。") % {"v": report.version},
            current_version=report.version,
        )
    if not created and expected_version is not ANY_VERSION and report.version != expected_version:
        raise StaleReport(
            _("该报告已被他人修改（当前版本 %(v)d），请刷新后重新填写。") % {"v": report.version},
            current_version=report.version,
        )
    lists_before = _lists(Report()) if created else _lists(report)
    before = None if created else _snapshot(report, lists_before)
    for name, value in data.items():
        setattr(report, name, value)
    if report.amount is None or report.amount < 0:
        raise ValidationError({"amount": _("本期完成投资不能为负数。")})
    unexplained = _compute(report, read.earlier)
    # Project and period were given as rows, and one report per project and period is the table's constraint:
    # checking them again here would cost three queries for nothing.
    report.full_clean(
        exclude=["author", "reviewer", "project", "period"], validate_unique=False, validate_constraints=False
    )
    if submit and unexplained and not report.explanation.strip():
        raise _needs_explanation(unexplained)
    draft_state = report.state
    if submit:
        _mark_submitted(report)
    if created:
        # No savepoint around the insert: a clash raises StaleReport at once, which rolls this transaction (or the
        # caller's savepoint of it, save_report being atomic) back; nothing runs on the failed transaction.
        try:
            report.save(force_insert=True)
        except IntegrityError:  # another request created it a moment ago: this one is a stale edit of it
            raise StaleReport(_("该报告刚被他人创建，请刷新后重新填写。"), code="stale") from None
    else:
        report.version += 1
        report.save()
    _write_lists(report, milestones, problems)
    lists = lists_before if milestones is None and problems is None else _lists(report)
    after = _snapshot(report, lists)
    if submit:  # the audit trail shows the saving and the submission as the two steps they are
        saved = after | {"state": draft_state}
        saving = audit.build_event(
            "report.create" if created else "report.update",
            actor=actor,
            obj=report,
            before=before,
            after=saved,
            only_changes=not created,
        )
        submission = audit.build_event("report.submit", actor=actor, obj=report, before=saved, after=after)
        audit.record_all([saving, submission], rows=[_revision(report, actor, lists, first=created)])
    else:
        audit.record(
            "report.create" if created else "report.update",
            actor=actor,
            obj=report,
            before=before,
            after=after,
            only_changes=not created,
        )
    return report


def _needs_explanation(unexplained: list[rules.Finding]) -> ValidationError:
    error = ValidationError(
        {f.field: f.message for f in unexplained} | {"explanation": _("请填写差异说明。")}
    )
    error.code = "needs_explanation"  # a dict of errors keeps no code of its own; the API reports this one
    return error


def _mark_submitted(report: Report) -> None:
    now = timezone.now()
    report.state = ReportState.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now


def _write_lists(report: Report, milestones, problems) -> None:
    if milestones is not None:
        for milestone, _day in milestones:
            if milestone.project_id != report.project_id:
                raise ValidationError({"milestones": _("节点不属于该项目。")})
        report.milestones_reached.all().delete()
        ReportedMilestone.objects.bulk_create(
            ReportedMilestone(report=report, milestone=m, actual_date=day) for m, day in milestones
        )
    if problems is not None:
        report.problems.all().delete()
        rows = [Problem(report=report, project_id=report.project_id, **p) for p in problems]
        for row in rows:
            row.full_clean(exclude=["report", "project"])
        Problem.objects.bulk_create(rows)


def _photo_limits() -> photos.Limits:
    return photos.Limits(
        max_days_before=settings.GONGJIAN_PHOTO_MAX_DAYS_BEFORE,
        max_distance_m=settings.GONGJIAN_PHOTO_MAX_DISTANCE_M,
    )


def check_photo(upload) -> photos.PhotoMeta:
    """Read an uploaded file as a site photo, or raise ValidationError saying why it is not one."""
    name = getattr(upload, "name", "") or _("照片")
    if upload.size > settings.GONGJIAN_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("%(name)s：文件超过 %(mb)d MB。")
            % {"name": name, "mb": settings.GONGJIAN_PHOTO_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    try:
        return photos.read(upload)
    except photos.NotAPhoto as exc:
        raise ValidationError(f"{name}：{exc}", code="not_a_photo") from None
    finally:
        upload.seek(0)


def _taken(meta: photos.PhotoMeta) -> tuple[datetime | None, datetime | None]:
    """The photo's time as an aware datetime to store, and as naive local time for the checks. A camera that
    wrote no UTC offset is taken to be on local (Asia/Shanghai) time."""
    if meta.taken_at is None:
        return None, None
    aware = meta.taken_at if meta.taken_at.tzinfo else timezone.make_aware(meta.taken_at)
    return aware, timezone.localtime(aware).replace(tzinfo=None)


def store_photos(
    owner,
    uploads: list,
    *,
    model,
    period_start: date,
    site: tuple[Any, Any] | None,
    limits: photos.Limits,
    action: str,
    actor,
    field: str | None = None,
    **extra: Any,
) -> list:
    """Keep ``uploads`` as ``model`` rows (a report's or a team's day's site photos) on ``owner``, already locked
    by the caller: each checked (errors under ``field`` when given), the same file twice kept once, read for its
    time and place and flagged against ``period_start`` and ``site`` by ``limits``, its image and thumbnail
    stored, and each addition audited as ``action``. Should anything fail, the files written so far are removed
    (the rows roll back with the caller's transaction). Returns the rows added."""
    with_distance = any(f.name == "distance_m" for f in model._meta.fields)
    uploaded_local = timezone.localtime().replace(tzinfo=None)
    added, written = [], []
    try:
        for upload in uploads:
            try:
                meta = check_photo(upload)
            except ValidationError as exc:
                if field is None:
                    raise
                raise ValidationError({field: exc.messages}, code="not_a_photo") from None
            content = upload.read()
            digest = hashlib.sha256(content).hexdigest()
            if owner.photos.filter(sha256=digest).exists():
                continue
            taken_at, taken_local = _taken(meta)
            flags, distance = photos.check(
                meta,
                period_start=period_start,
                taken_local=taken_local,
                uploaded_local=uploaded_local,
                site=site,
                limits=limits,
            )
            photo = model(
                report=owner,
                original_name=(getattr(upload, "name", "") or "photo")[:200],
                content_type=meta.content_type,
                size=len(content),
                sha256=digest,
                width=meta.width,
                height=meta.height,
                taken_at=taken_at,
                latitude=None if meta.latitude is None else Decimal(str(meta.latitude)),
                longitude=None if meta.longitude is None else Decimal(str(meta.longitude)),
                flags=[{"code": f.code, "text": f.text} for f in flags],
                uploaded_by=audit.actor_or_none(actor),
                **({"distance_m": distance} if with_distance else {}),
                **extra,
            )
            photo.image.save("photo", ContentFile(content), save=False)
            written.append(photo.image)
            photo.thumbnail.save("thumb", ContentFile(photos.thumbnail(io.BytesIO(content))), save=False)
            written.append(photo.thumbnail)
            photo.save()
            added.append(photo)
            after = {
                "photo": photo.pk,
                "name": photo.original_name,
                "sha256": digest,
                "taken_at": taken_at,
                "latitude": meta.latitude,
                "longitude": meta.longitude,
            }
            if with_distance:
                after["distance_m"] = distance
            after["flags"] = [f.code for f in flags]
            audit.record(action, actor=actor, obj=owner, only_changes=False, after=after)
    except BaseException:
        for stored in written:  # the rows roll back; do not leave their files behind
            stored.storage.delete(stored.name)
        raise
    return added


@transaction.atomic
def add_photos(
    report: Report, uploads: list, *, actor, caption: str = "", expected_version: int | None = None
) -> list[ReportPhoto]:
    """Add site photos to a draft or returned report of version ``expected_version`` (the photos are part of the
    report: the version goes up, and ``report.version`` says the new one). Each is read for its EXIF time and GPS
    position and flagged (never refused) when taken long before the period or far from the project's site. The
    same file twice in one report is kept once."""
    _check_can_file(report.project_id, actor)
    current = Report.objects.select_for_update().select_related("project", "period").get(pk=report.pk)
    if not current.is_editable():
        raise ValidationError(
            _("报告%(state)s，不能再添加照片。") % {"state": current.get_state_display()}, code="locked"
        )
    _check_report_version(current, expected_version)
    if current.photos.count() + len(uploads) > settings.GONGJIAN_PHOTOS_PER_REPORT:
        raise ValidationError(
            _("每份报告最多 %(n)d 张照片。") % {"n": settings.GONGJIAN_PHOTOS_PER_REPORT}, code="too_many"
        )
    project = current.project
    site = (project.latitude, project.longitude) if project.latitude is not None else None
    period_start = current.period.period.start
    added = store_photos(
        current,
        uploads,
        model=ReportPhoto,
        period_start=period_start,
        site=site,
        limits=_photo_limits(),
        action="report.photo.add",
        actor=actor,
        caption=caption[:200],
    )
    if added:
        current.version += 1
        current.save(update_fields=["version"])
    report.version = current.version
    return added


@transaction.atomic
def remove_photo(photo: ReportPhoto, *, actor, expected_version: int | None = None) -> Report:
    """Take a photo off a draft or returned report of version ``expected_version`` (a submitted report's photos
    are locked with it). Returns the report at its new version."""
    report = photo.report
    _check_can_file(report.project_id, actor)
    current = Report.objects.select_for_update().get(pk=report.pk)
    if not current.is_editable():
        raise ValidationError(
            _("报告%(state)s，不能删除照片。") % {"state": current.get_state_display()}, code="locked"
        )
    _check_report_version(current, expected_version)
    files = [photo.image.name, photo.thumbnail.name]
    storage = photo.image.storage
    audit.record(
        "report.photo.remove",
        actor=actor,
        obj=current,
        only_changes=False,
        before={"photo": photo.pk, "name": photo.original_name, "sha256": photo.sha256},
    )
    photo.delete()
    current.version += 1
    current.save(update_fields=["version"])
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])
    return current


def _check_report_version(current: Report, expected_version: int | None, *, acting: bool = False) -> None:
    try:
        check_version(current.version, expected_version, _("报告"), acting=acting)
    except Stale as exc:
        raise StaleReport(exc.messages[0], current_version=exc.current_version) from None


def _apply_milestones(report: Report, actor) -> None:
    """On approval the milestones the report reached get their actual dates in the registry."""
    for reached in report.milestones_reached.select_related("milestone"):
        milestone = reached.milestone
        if milestone.actual_date != reached.actual_date:
            before = {"actual_date": milestone.actual_date}
            milestone.actual_date = reached.actual_date
            milestone.save(update_fields=["actual_date"])
            audit.record(
                "milestone.reach",
                actor=actor,
                obj=milestone,
                before=before,
                after={"actual_date": milestone.actual_date},
                note=f"report {report.pk}",
            )


def _revision(
    report: Report, actor, lists: dict[str, list] | None = None, *, first: bool = False
) -> ReportRevision:
    """The report's next kept version, unsaved: it is written with the change's audit event (audit.record_all)."""
    number = 1 if first else report.revisions.count() + 1
    return ReportRevision(
        report=report,
        number=number,
        state=report.state,
        data=_snapshot(report, lists),
        actor=audit.actor_or_none(actor),
    )


@transaction.atomic
def submit_report(report: Report, *, actor, expected_version: int | None = None) -> Report:
    """Submit a draft or a corrected returned report of version ``expected_version``. A submission changes the
    report's state, not what it says, so the version stays: submitting again from the same version (a double
    click) finds it submitted as it was and answers it as it is, changing nothing. From another version it is
    stale."""
    _check_can_file(report.project_id, actor)
    current = Report.objects.select_for_update().select_related("period", "project").get(pk=report.pk)
    if current.state == ReportState.SUBMITTED and (
        expected_version is ANY_VERSION or current.version == expected_version
    ):
        return current
    if not current.is_editable():
        raise ValidationError(
            _("报告%(state)s，不能再次提交。") % {"state": current.get_state_display()}, code="locked"
        )
    if expected_version is not ANY_VERSION and current.version != expected_version:
        raise StaleReport(
            _("该报告已被他人修改（当前版本 %(v)d），请刷新后再提交。") % {"v": current.version},
            current_version=current.version,
        )
    unexplained = _compute(current)
    if unexplained and not current.explanation.strip():
        raise _needs_explanation(unexplained)
    lists = _lists(current)  # a submission changes the report's state, not its lists
    before = _snapshot(current, lists)
    _mark_submitted(current)
    current.save()
    audit.record_all(
        [
            audit.build_event(
                "report.submit", actor=actor, obj=current, before=before, after=_snapshot(current, lists)
            )
        ],
        rows=[_revision(current, actor, lists)],
    )
    return current


def _check_can_review(report: Report, actor, expected_version: int | None) -> Report:
    if actor is not None and not (
        actor.has_perm("reports.review_report")
        and Project.objects.in_scope(actor).filter(pk=report.project_id).exists()
    ):
        raise PermissionDenied(_("无权审核该报告。"))
    current = Report.objects.select_for_update().get(pk=report.pk)
    # A second reviewer on the same page (the first approved or returned it) is told so, not that it is not
    # submitted: the version is compared first.
    _check_report_version(current, expected_version, acting=True)
    if not current.can_be_reviewed():
        raise ValidationError(
            _("只有已提交的报告可以审核（当前：%(state)s）。") % {"state": current.get_state_display()},
            code="not_submitted",
        )
    if actor is not None and current.author_id == actor.pk:
        raise PermissionDenied(_("不能审核自己填报的报告。"))
    return current


@transaction.atomic
def approve_report(report: Report, *, actor, expected_version: int | None = None) -> Report:
    """Approve a submitted report of version ``expected_version`` (the one the reviewer read)."""
    current = _check_can_review(report, actor, expected_version)
    lists = _lists(current)
    before = _snapshot(current, lists)
    current.state = ReportState.APPROVED
    current.reviewer = audit.actor_or_none(actor)
    current.reviewed_at = timezone.now()
    current.return_reason = ""
    current.version += 1
    current.save()
    _apply_milestones(current, actor)
    audit.record_all(
        [
            audit.build_event(
                "report.approve", actor=actor, obj=current, before=before, after=_snapshot(current, lists)
            )
        ],
        rows=[_revision(current, actor, lists)],
    )
    # What follows an approval (its problems become cases, the project is lit again) is the lights' work, queued
    # with the approval: the worker sees it once the approval has committed, or never.
    jobs.start(
        "lights.report_approved",
        {"report_id": current.pk, "actor_id": getattr(actor, "pk", None)},
        actor=actor,
        label=_("审核通过后的督办与亮灯：%(p)s") % {"p": current.project.name},
        audited=False,
    )
    return current


@transaction.atomic
def return_report(report: Report, reason: str, *, actor, expected_version: int | None = None) -> Report:
    """Return a submitted report of version ``expected_version`` to its reporter, with the reason."""
    if not reason.strip():
        raise ValidationError({"return_reason": _("退回须写明原因。")})
    current = _check_can_review(report, actor, expected_version)
    lists = _lists(current)
    before = _snapshot(current, lists)
    current.state = ReportState.RETURNED
    current.reviewer = audit.actor_or_none(actor)
    current.reviewed_at = timezone.now()
    current.return_reason = reason.strip()
    current.version += 1
    current.save()
    audit.record_all(
        [
            audit.build_event(
                "report.return", actor=actor, obj=current, before=before, after=_snapshot(current, lists)
            )
        ],
        rows=[_revision(current, actor, lists)],
    )
    # The reporter hears of it where they work (站内通知, and mail or the bot where configured): who wrote the
    # report and who submitted it; for a report nobody signed (filed from the office's sheet), the unit's reporters.
    submitter = current.revisions.filter(state=ReportState.SUBMITTED).order_by("-number").values("actor")[:1]
    reporters = list(get_user_model().objects.filter(Q(pk=current.author_id) | Q(pk__in=submitter)))
    if not reporters:
        reporters = list(
            get_user_model().objects.filter(
                is_active=True,
                groups__name="unit_reporter",
                person__unit_id__in={current.project.responsible_unit_id, current.project.headquarters_id}
                - {None},
            )
        )
    notify(
        reporters,
        _("报告被退回，请修改后重新提交：%(project)s（%(period)s）")
        % {"project": current.project.name[:120], "period": current.period},
        _("退回原因：%(reason)s") % {"reason": current.return_reason},
        url=reverse("reports:report_edit", args=[current.project_id, current.period_id]),
    )
    return current


@transaction.atomic
def send_reminders(period: ReportingPeriod, *, actor) -> int:
    """Remind (催报) every reporter whose unit has projects without a submitted report in ``period``: one message
    per reporter listing their projects. Returns the number of reporters reminded."""
    if actor is not None and not actor.has_perm("reports.add_reportingperiod"):
        raise PermissionDenied(_("只有项目办可以催报。"))

    by_unit: dict[int, list[Project]] = {}
    for project in queries.unfiled_projects(period).order_by("code"):
        for unit_id in {project.responsible_unit_id, project.headquarters_id} - {None}:
            by_unit.setdefault(unit_id, []).append(project)
    reporters = (
        get_user_model()
        .objects.filter(is_active=True, groups__name="unit_reporter", person__unit_id__in=by_unit)
        .select_related("person")
    )
    deadline = timezone.localtime(period.deadline)
    for user in reporters:
        projects = by_unit[user.person.unit_id]
        notify(
            [user],
            _("%(period)s 报告尚未提交（%(n)d 个项目）") % {"period": period, "n": len(projects)},
            _("截止时间 %(deadline)s。未提交：%(names)s")
            % {"deadline": f"{deadline:%Y-%m-%d %H:%M}", "names": "、".join(p.name for p in projects)},
            url=reverse("reports:due_list"),
        )
    period.last_reminded_at = timezone.now()
    period.save(update_fields=["last_reminded_at"])
    audit.record(
        "period.remind", actor=actor, obj=period, after={"reporters": len(reporters)}, only_changes=False
    )
    return len(reporters)


def tick(now: datetime | None = None) -> dict[str, Any]:
    """The scheduled checks (`gongjian tick`, run from cron): open the current ten-day period and month when
    they are not open yet (window from their first day to 18:00 on the third day after), and remind once a day
    for periods that close within a day or have passed their deadline within the last week."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    opened = []
    for period in (Period.dekad_of(today), Period.month_of(today)):
        if not ReportingPeriod.objects.filter(code=period.code).exists():
            tz = timezone.get_current_timezone()
            opens = datetime.combine(period.start, datetime.min.time(), tzinfo=tz)
            deadline = datetime.combine(
                period.end + timedelta(days=3), datetime.min.time(), tzinfo=tz
            ).replace(hour=18)
            opened.append(open_period(period.code, opens_at=opens, deadline=deadline, actor=None).code)
    reminded = []
    due = ReportingPeriod.objects.filter(
        opens_at__lte=now, deadline__lte=now + timedelta(days=1), deadline__gte=now - timedelta(days=7)
    )
    for period in due:
        if period.last_reminded_at is None or timezone.localtime(period.last_reminded_at).date() < today:
            send_reminders(period, actor=None)
            reminded.append(period.code)
    return {"opened": opened, "reminded": reminded}
