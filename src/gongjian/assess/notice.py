"""The notice (通报) of a published assessment, as an official document (GB/T 9704): the ranking, the red
flags and rewards, the yellow and black cards. Its number is issued once, from the office's counter, when the
run is published."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongjian.assess.models import ConsequenceKind, Run, RunState
from gongjian.core import audit
from gongjian.core import documents as doc
from gongjian.core.models import issue_document_number
from gongjian.core.periods import Period


def build(run: Run, kind: str = "headquarters") -> doc.OfficialDocument:
    period = Period.parse(run.period_code)
    scores = list(run.scores.filter(subject_kind=kind).order_by("group", "rank", "subject_name"))
    consequences = list(run.consequences.filter(subject_kind=kind).order_by("kind", "subject_name"))
    by_kind: dict[str, list[str]] = {}
    for c in consequences:
        by_kind.setdefault(c.kind, []).append(c.subject_name + (f"（{c.amount} 元）" if c.amount else ""))
    label = dict(run.scores.model._meta.get_field("subject_kind").choices).get(kind, kind)
    body: list[doc.Block] = [
        doc.Paragraph(f"根据《{run.scheme.name}》，现将{period}重点项目建设推进工作考核结果通报如下。")
    ]
    body.append(doc.Heading("考核排名"))
    body.append(
        doc.Table(
            columns=[
                doc.Column("名次", numeric=True, width=14),
                doc.Column(str(label)),
                doc.Column("得分", numeric=True, width=22),
            ],
            rows=[(f"{s.rank}", s.subject_name, f"{s.score:.2f}") for s in scores],
        )
    )
    names = dict(ConsequenceKind.choices)
    body.append(doc.Heading("奖惩情况"))
    lines = [f"{names[k]}：{'、'.join(v)}。" for k, v in by_kind.items() if k in names]
    body.extend(doc.Paragraph(line) for line in lines or ["本期无奖惩。"])
    body.append(
        doc.Paragraph("希望受到表彰的单位再接再厉；被亮牌的单位要认真查找差距，制定整改措施，按期销号。")
    )
    return doc.OfficialDocument(
        title=f"关于{period}重点项目建设考核结果的通报",
        masthead=doc.Masthead(settings.GONGJIAN_ORGAN, suffix=""),
        number=run.notice_number,
        addressee="各指挥部、各有关单位：",
        body=body,
        signature=settings.GONGJIAN_ORGAN,
        date=timezone.localtime(run.published_at).date() if run.published_at else timezone.localdate(),
        printed_by=settings.GONGJIAN_ORGAN,
    )


def render(run: Run) -> bytes:
    """The notice of a published run, under the number issued when it was published. Read-only."""
    if run.state != RunState.PUBLISHED:
        raise ValidationError("只有已发布的考核结果可以生成通报。", code="state")
    return doc.render(build(run))


def issue_number(run: Run, *, actor) -> None:
    """Give a run being published its notice number (发文字号), once, from the office's counter; called inside
    the publishing transaction, so a number is never issued by merely reading the notice."""
    if run.notice_number:
        return
    run.notice_number = issue_document_number(settings.GONGJIAN_DOC_PREFIX, timezone.localdate().year)
    run.save(update_fields=["notice_number"])
    audit.record(
        "assess.notice", actor=actor, obj=run, only_changes=False, after={"number": run.notice_number}
    )
