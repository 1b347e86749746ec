"""Excel copies for the office: a scheme version as tables (indicators, consequence rules, year-end grades) to
print or send round for comment, the year's consequences ledger (奖惩台账) with each interview's state, a run's
scores, and the cadre archive (干部考核档案)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.assess import queries
from gongjian.assess.models import (
    Consequence,
    ConsequenceKind,
    Run,
    Scheme,
    SubjectKind,
    indicator_keys,
    indicator_label,
)
from gongjian.assess.scheme import NoPlan
from gongjian.assess.services.followup import SubjectRecord, archive, commitment_state, published_runs
from gongjian.core import excel
from gongjian.core.periods import Period

# Column titles for the keys of a scheme's parts; keys not listed keep their name.
_TITLES = {
    "kind": "类型",
    "points": "分值",
    "mode": "计分方式",
    "floor": "保底比例",
    "cap": "封顶比例",
    "curve": "折算曲线",
    "trim_from": "去最高最低分的最少评委数",
    "missing": "缺报每次扣分",
    "late": "迟报每次扣分",
    "max_points": "扣分上限",
    "per_light": "每盏红灯扣分",
    "period_kind": "期别类型",
    "subjects": "考核对象",
    "count": "名额",
    "percent": "比例（%）",
    "score": "分数线",
    "amounts": "奖励金额（元）",
    "interview": "约谈",
    "black_card_after": "连续黄牌月数→黑牌",
    "public_criticism": "通报批评",
    "grade": "等次",
    "share": "名次比例",
    "min_score": "最低分",
    "grouped": "分组排名",
    "no_plan": "本期无计划投资时",
}


# Words for the scheme's codes, as the office reads them (the YAML keeps the codes).
_WORDS = {
    "investment": "投资完成",
    "progress": "形象进度",
    "evaluation": "综合评价",
    "reports": "报送情况",
    "red_lights": "红灯",
    "adjustment": "加减分",
    "absolute": "绝对计分",
    "relative": "组内相对计分",
    "linear": "线性",
    "sqrt": "平方根",
    "dekad": "旬",
    "month": "月",
    **{k.value: k.label for k in NoPlan},
    **{k.value: str(k.label) for k in SubjectKind},
    **{k.value: str(k.label) for k in ConsequenceKind},
}


def _cell(value):
    if isinstance(value, str):
        return _WORDS.get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(_cell(v)) for v in value)
    return value


def _table(name: str, rows: list[dict]) -> excel.Sheet:
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)

    def value(key: str):
        return lambda row: _cell(row.get(key))

    return excel.Sheet(
        name, [excel.Column(_TITLES.get(k, k), value(k), "auto", width=14) for k in keys], rows, freeze=(1, 1)
    )


def scheme_workbook(row: Scheme) -> bytes:
    content = row.engine_scheme().as_dict()
    about = [
        ("方案名称", row.name),
        ("版本", row.version),
        ("说明", content.get("description", "")),
        ("汇总方式", "按年度计划投资加权" if content.get("weighting") == "planned" else "按项目平均"),
        ("年终等次依据", "名次比例" if content["year_end"]["basis"] == "rank" else "分数线"),
        ("版本备注", row.note),
    ]
    return excel.workbook(
        excel.Sheet(
            "方案",
            [excel.Column("", 0, "auto", width=16), excel.Column("", 1, "auto", width=80)],
            about,
            header=False,
            freeze=None,
        ),
        _table("考核对象", content["subjects"]),
        _table("考核指标", content["indicators"]),
        _table("奖惩规则", content["consequences"]),
        _table("年终等次", content["year_end"]["bands"]),
    )


CONSEQUENCE_COLUMNS = [
    excel.Column("考核期", "period"),
    excel.Column("通报文号", "notice"),
    excel.Column("考核对象类型", "subject_kind"),
    excel.Column("考核对象", "subject"),
    excel.Column("奖惩", "kind"),
    excel.Column("金额（元）", "amount", "number"),
    excel.Column("依据", "reason"),
    excel.Column("约谈日期", "interviewed"),
    excel.Column("整改承诺", "commitments", "number"),
    excel.Column("已完成", "done", "number"),
    excel.Column("逾期未完成", "overdue", "number"),
]


def consequences_workbook(year: int) -> bytes:
    """Every consequence of the year's published results, period by period, with its interview's state."""
    kinds, subjects = dict(ConsequenceKind.choices), dict(SubjectKind.choices)
    consequences = (
        Consequence.objects.filter(run__in=published_runs(year))
        .select_related("run", "interview_record")
        .prefetch_related("interview_record__commitments")
        .order_by("run__period_code", "kind", "subject_name")
    )

    def rows():
        for c in consequences:
            interview = getattr(c, "interview_record", None)
            states = [commitment_state(x) for x in interview.commitments.all()] if interview else []
            yield {
                "period": str(Period.parse(c.run.period_code)),
                "notice": c.run.notice_number,
                "subject_kind": str(subjects.get(c.subject_kind)),
                "subject": c.subject_name,
                "kind": str(kinds.get(c.kind)),
                "amount": c.amount or None,
                "reason": c.reason,
                "interviewed": interview.held_on.isoformat()
                if interview
                else ("待约谈" if c.kind == ConsequenceKind.INTERVIEW else ""),
                "commitments": len(states) if interview else None,
                "done": sum(s in ("done", "late") for s in states) if interview else None,
                "overdue": states.count("overdue") if interview else None,
            }

    return excel.workbook(excel.Sheet(str(year), CONSEQUENCE_COLUMNS, rows()))


def run_workbook(run: Run, *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """A run's scores of every kind of subject, with their consequences and how each score was made; streamed,
    since a district's run scores every project; ``progress`` is told the rows written and the total."""
    scores = run.scores.order_by("subject_kind", "group", "rank", "subject_name")
    first = scores.first()
    indicators = indicator_keys(first.points) if first else []
    marks: dict[tuple[str, int], list[str]] = {}
    for c in run.consequences.all():
        marks.setdefault((c.subject_kind, c.subject_id), []).append(
            c.get_kind_display() + (f" {c.amount}元" if c.amount else "")
        )

    def points(indicator: str):
        return lambda s: s.points.get(indicator)

    # Written from the run's figures all at once; a run from before issue 14 kept them with its scores.
    written = queries.run_explanations(run.pk)

    def explained(score) -> str:
        lines = (
            score.stored_explanation
            if written is None
            else written.get((score.subject_kind, score.subject_id))
        )
        return "\n".join(lines or [])

    columns = [
        excel.Column(_("考核对象类型"), lambda s: s.get_subject_kind_display(), width=12),
        excel.Column(_("分组"), lambda s: s.group_label, width=12),
        excel.Column(_("名次"), "rank", "auto"),
        excel.Column(_("组内数"), "group_size", "auto"),
        excel.Column(_("考核对象"), "subject_name", "auto", width=30),
        excel.Column(_("得分"), "score", "auto"),
        *(excel.Column(indicator_label(i), points(i), "auto") for i in indicators),
        excel.Column(_("奖惩"), lambda s: "、".join(marks.get((s.subject_kind, s.subject_id), []))),
        excel.Column(_("计分说明"), explained, width=80),
    ]
    total = scores.count() if progress else 0
    book = excel.Workbook(constant_memory=True)
    book.add(
        excel.Sheet(
            str(Period.parse(run.period_code)), columns, scores.iterator(chunk_size=2000), freeze=(1, 5)
        ),
        progress=(lambda done: progress(done, total)) if progress else None,
    )
    return book.close()


def run_filename(run: Run) -> str:
    return f"考核结果_{Period.parse(run.period_code)}_第{run.revision}版.xlsx"


def archive_workbook(year: int) -> bytes:
    """The cadre archive (干部考核档案) of ``year``: a row per person and subject they answer for."""
    today = timezone.localdate()

    def rows():
        for entry in archive(year):
            # A cadre with credit alone (全员招商) has one row, for the credit.
            for s in entry.subjects or [SubjectRecord("", 0, "", "")]:
                commitments = [c for i in s.interviews for c in i.commitments.all()]
                yield entry, s, commitments, [commitment_state(c, today) for c in commitments]

    columns = [
        excel.Column(_("姓名"), lambda r: r[0].person.name, width=14),
        excel.Column(_("职务"), lambda r: r[0].person.post, width=14),
        excel.Column(_("所在单位"), lambda r: r[0].person.unit.name if r[0].person.unit_id else "", width=14),
        excel.Column(_("考核对象"), lambda r: r[1].name, "auto", width=30),
        excel.Column(_("职责"), lambda r: str(r[1].role)),
        excel.Column(_("年终等次"), lambda r: r[1].grade, "auto"),
        excel.Column(_("名次"), lambda r: r[1].rank, "auto"),
        excel.Column(_("月均得分"), lambda r: r[1].mean_score, "auto"),
        excel.Column(_("红旗"), lambda r: r[1].flags, "auto"),
        excel.Column(_("经济奖励（元）"), lambda r: r[1].reward_amount, "auto"),
        excel.Column(_("黄牌"), lambda r: "、".join(r[1].yellow), width=24),
        excel.Column(_("黑牌"), lambda r: "、".join(r[1].black), width=24),
        excel.Column(_("通报批评"), lambda r: "、".join(r[1].criticised), width=24),
        excel.Column(
            _("约谈"), lambda r: "；".join(f"{i.held_on} {i.interviewer}" for i in r[1].interviews), width=24
        ),
        excel.Column(_("整改承诺"), lambda r: len(r[2]), "auto"),
        excel.Column(_("已完成"), lambda r: sum(st in ("done", "late") for st in r[3]), "auto"),
        excel.Column(_("逾期未完成"), lambda r: r[3].count("overdue"), "auto"),
        excel.Column(
            _("其他实绩（招商引资等）"), lambda r: "；".join(f"{k}：{t}" for k, t in r[0].credits), width=40
        ),
    ]
    return excel.workbook(excel.Sheet(str(year), columns, rows(), freeze=(1, 1)))
