"""The letters of a case (两函): a reminder (提醒函), an assignment (交办函) and an escalation (督办函), written as
official documents (GB/T 9704) with a document number from the office's counter. Issuing a letter is a step on
the case: the .docx is kept on it, so every download is the letter that was issued, under its one number.

Letters are issued in the background (:func:`start_letters`, the job ``lights.letters``), one or many at once:
the request refuses at once what the issue would refuse, the job issues them all in one transaction (or none)
and keeps the document — or, for several, a .zip of them — for the office to download."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core import documents as doc
from gongjian.core.locking import Stale, check_version
from gongjian.core.models import issue_document_number, work_calendar
from gongjian.jobs import services as jobs
from gongjian.jobs.models import Job
from gongjian.lights.choices import CaseKind, EventKind
from gongjian.lights.models import Case, CaseEvent
from gongjian.lights.queries import visible_cases

KINDS = {"reminder": "提醒函", "assignment": "交办函", "escalation": "督办函"}
MAX_AT_ONCE = 500  # letters issued by one request; a page of the case list holds 50


def _facts(case: Case) -> list[doc.Block]:
    project = case.project
    rows = [
        ("督办编号", case.number),
        *([("项目名称", project.name), ("责任单位", project.responsible_unit.name)] if project else []),
        ("事项", case.title),
        ("原因", "；".join(case.reasons) or "—"),
        ("承办单位", case.owner.name),
        ("督办层级", case.get_level_display()),
        ("办理时限", doc.chinese_date(case.deadline)),
    ]
    return [doc.Table(columns=[doc.Column("项目", width=30), "内容"], rows=rows)]


def build(case: Case, kind: str, number: str, today=None) -> doc.OfficialDocument:
    """The letter of ``kind`` for ``case``, numbered ``number``."""
    today = today or timezone.localdate()
    name = KINDS[kind]
    subject = {CaseKind.LIGHT: "项目亮红灯", CaseKind.PROBLEM: "协调问题"}.get(case.kind, "会议交办")
    deadline = doc.chinese_date(case.deadline)
    if kind == "assignment":
        opening = (
            f"{case.about}{subject}事项（督办编号{case.number}）经梳理，现交由你单位办理。"
            f"请于{deadline}前办结，并将办理结果及佐证材料通过攻坚平台反馈。"
        )
        asks = [
            "明确分管领导和具体责任人，制定整改措施和时间表；",
            "每周在平台报送处置进展；",
            "确需上级协调的，在平台写明理由后上交，不得简单推回。",
        ]
    elif kind == "reminder":
        silent = work_calendar().between(timezone.localtime(case.last_action_at).date(), today)
        opening = (
            f"你单位承办的{case.about}{subject}事项（督办编号{case.number}）已{silent}个工作日"
            f"无处置进展，办理时限为{deadline}。请抓紧办理，并在平台报送进展。"
        )
        asks = ["即日起三个工作日内报送处置进展；", "办理中遇到的困难请一并说明。"]
    else:
        overdue = max(0, work_calendar().between(case.deadline, today))
        opening = (
            f"你单位承办的{case.about}{subject}事项（督办编号{case.number}）"
            + (f"已逾期{overdue}个工作日未办结，" if overdue else "")
            + f"现升级至{case.get_level_display()}督办。请于{deadline}前办结，并将办理结果及佐证材料报送。"
        )
        asks = ["主要负责同志亲自研究，逐项落实整改措施；", "逾期仍未办结的，将按规定予以通报。"]
    body: list[doc.Block] = [
        doc.Paragraph(opening),
        doc.Heading("事项情况"),
        *_facts(case),
        doc.Heading("办理要求"),
        doc.NumberedList(asks),
    ]
    copy_to = []
    if case.supervisor:
        copy_to.append(case.supervisor.name)
    return doc.OfficialDocument(
        title=f"关于{case.about}{subject}事项的{name}",
        masthead=doc.Masthead(settings.GONGJIAN_ORGAN, suffix=""),
        number=number,
        addressee=f"{case.owner.name}：",
        body=body,
        signature=settings.GONGJIAN_ORGAN,
        date=today,
        copy_to=copy_to,
        printed_by=settings.GONGJIAN_ORGAN,
        printed_on=today,
    )


@transaction.atomic
def issue(case: Case, kind: str, *, actor, expected_version: int | None = None) -> CaseEvent:
    """Issue a letter of ``kind`` on ``case`` (the project office): numbered, kept on the case, audited. The letter
    states the case as the office read it (``expected_version``): one about a case that has changed since is
    refused as stale. Issuing changes nothing of the case itself (its history gains the letter), so the version
    stays and the page the letter was downloaded from stays current."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("未知的函件类型：%(kind)s") % {"kind": kind}})
    if actor is not None and not actor.has_perm("lights.close_case"):
        raise PermissionDenied(_("只有项目办可以印发督办函件。"))
    current = (
        Case.objects.select_for_update(of=("self",))
        .select_related("project__responsible_unit", "owner", "supervisor")
        .get(pk=case.pk)
    )
    check_version(current.version, expected_version, _("督办件"), acting=True)
    today = timezone.localdate()
    number = issue_document_number(settings.GONGJIAN_DOC_PREFIX, today.year)
    content = doc.render(build(current, kind, number, today))
    user = audit.actor_or_none(actor)
    event = CaseEvent(
        case=current,
        kind=EventKind.LETTER,
        text=f"{KINDS[kind]} {number}",
        level=current.level,
        actor=user,
        actor_name=user.display_name if user else _("系统"),
        at=timezone.now(),
        evidence_name=f"{number}{KINDS[kind]}.docx",
    )
    event.evidence.save(f"{kind}-{current.number}.docx", ContentFile(content), save=False)
    event.save()
    audit.record(
        "case.letter",
        actor=actor,
        obj=current,
        only_changes=False,
        after={"kind": kind, "number": number, "event": event.pk},
    )
    return event


def check_letters(wanted: Mapping[int, int | None], kind: str, *, actor) -> list[Case]:
    """Refuse now what :func:`issue_letters` would refuse — an unknown kind, no permission, a case ``actor`` does
    not see, one changed since it was read (``wanted``: case id → the version read) — so that the request
    queueing the letters answers at once. Returns the cases, in the order given. Changes nothing."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("未知的函件类型：%(kind)s") % {"kind": kind}})
    if actor is not None and not actor.has_perm("lights.close_case"):
        raise PermissionDenied(_("只有项目办可以印发督办函件。"))
    if not wanted:
        raise ValidationError({"cases": _("请选择要印发函件的督办件。")})
    if len(wanted) > MAX_AT_ONCE:
        raise ValidationError({"cases": _("一次最多印发 %(n)d 件函件。") % {"n": MAX_AT_ONCE}})
    seen = visible_cases(actor) if actor is not None else Case.objects.all()
    found = {case.pk: case for case in seen.filter(pk__in=list(wanted))}
    unknown = [str(pk) for pk in wanted if pk not in found]
    if unknown:
        raise ValidationError({"cases": _("督办件不存在或无权查看：%(ids)s") % {"ids": "、".join(unknown)}})
    for pk, version in wanted.items():
        try:
            check_version(found[pk].version, version, _("督办件"), acting=True)
        except Stale as exc:
            if len(wanted) == 1:
                raise
            raise Stale(
                f"{found[pk].number}：{exc.messages[0]}", current_version=exc.current_version
            ) from None
    return [found[pk] for pk in wanted]


@transaction.atomic
def issue_letters(wanted: Mapping[int, int | None], kind: str, *, actor, progress=None) -> list[CaseEvent]:
    """Issue a letter of ``kind`` on each case of ``wanted`` (case id → the version read), all of them or — when
    one is refused — none. ``progress`` (a background job's) is told each letter as it is written."""
    chosen = check_letters(wanted, kind, actor=actor)
    events = []
    for done, case in enumerate(chosen):
        if progress is not None:
            progress(
                done,
                len(chosen),
                _("印发%(kind)s：%(number)s") % {"kind": KINDS[kind], "number": case.number},
            )
        events.append(issue(case, kind, actor=actor, expected_version=wanted[case.pk]))
    if progress is not None:
        progress(
            len(chosen), len(chosen), _("已印发 %(n)d 件%(kind)s") % {"n": len(chosen), "kind": KINDS[kind]}
        )
    return events


def start_letters(wanted: Mapping[int, int | None], kind: str, *, actor) -> Job:
    """Queue the letters of ``kind`` on the cases of ``wanted`` (case id → the version read) as background work,
    after refusing at once what issuing them would refuse."""
    chosen = check_letters(wanted, kind, actor=actor)
    if len(chosen) == 1:
        label = _("印发%(kind)s：%(number)s") % {"kind": KINDS[kind], "number": chosen[0].number}
    else:
        label = _("印发%(kind)s %(n)d 件") % {"kind": KINDS[kind], "n": len(chosen)}
    return jobs.start(
        "lights.letters",
        {
            "kind": kind,
            "case_versions": [[pk, version] for pk, version in wanted.items()],
            "actor_id": getattr(actor, "pk", None),
        },
        actor=actor,
        label=label,
    )
