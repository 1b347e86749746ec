"""Excel copies for the office: a scheme version as tables (indicators, consequence rules, year-end grades) to
print or send round for comment, and the year's consequences ledger (奖惩台账) with each interview's state."""

from __future__ import annotations

import io

from gongjian.assess.models import Consequence, ConsequenceKind, Scheme, SubjectKind
from gongjian.assess.scheme import NoPlan

# Column titles for the keys of a scheme's parts; keys not listed keep their name.
_TITLES = {
    "kind": "类型", "points": "分值", "mode": "计分方式", "floor": "保底比例", "cap": "封顶比例", "curve": "折算曲线",
    "trim_from": "去最高最低分的最少评委数", "missing": "缺报每次扣分", "late": "迟报每次扣分", "max_points": "扣分上限",
    "per_light": "每盏红灯扣分", "period_kind": "期别类型", "subjects": "考核对象", "count": "名额",
    "percent": "比例（%）", "score": "分数线", "amounts": "奖励金额（元）", "interview": "约谈",
    "black_card_after": "连续黄牌月数→黑牌", "public_criticism": "通报批评", "grade": "等次", "share": "名次比例",
    "min_score": "最低分", "grouped": "分组排名", "no_plan": "本期无计划投资时",
}


# Words for the scheme's codes, as the office reads them (the YAML keeps the codes).
_WORDS = {
    "investment": "投资完成", "progress": "形象进度", "evaluation": "综合评价", "reports": "报送情况",
    "red_lights": "红灯", "adjustment": "加减分", "absolute": "绝对计分", "relative": "组内相对计分",
    "linear": "线性", "sqrt": "平方根", "dekad": "旬", "month": "月",
    **{k.value: k.label for k in NoPlan},
    **{k.value: str(k.label) for k in SubjectKind}, **{k.value: str(k.label) for k in ConsequenceKind},
}


def _cell(value):
    if isinstance(value, str):
        return _WORDS.get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(_cell(v)) for v in value)
    return value


def _table(book, name: str, rows: list[dict], header) -> None:
    sheet = book.add_worksheet(name)
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    sheet.write_row(0, 0, [_TITLES.get(k, k) for k in keys], header)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, [_cell(row.get(k)) for k in keys])
    sheet.set_column(0, max(len(keys) - 1, 0), 14)
    sheet.freeze_panes(1, 1)


def scheme_workbook(row: Scheme) -> bytes:
    import xlsxwriter

    content = row.engine_scheme().as_dict()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    about = book.add_worksheet("方案")
    for i, (label, value) in enumerate([
            ("方案名称", row.name), ("版本", row.version), ("说明", content.get("description", "")),
            ("汇总方式", "按年度计划投资加权" if content.get("weighting") == "planned" else "按项目平均"),
            ("年终等次依据", "名次比例" if content["year_end"]["basis"] == "rank" else "分数线"),
            ("版本备注", row.note)]):
        about.write_row(i, 0, [label, value])
    about.set_column(0, 0, 16)
    about.set_column(1, 1, 80)
    _table(book, "考核对象", content["subjects"], header)
    _table(book, "考核指标", content["indicators"], header)
    _table(book, "奖惩规则", content["consequences"], header)
    _table(book, "年终等次", content["year_end"]["bands"], header)
    book.close()
    return buffer.getvalue()


def consequences_workbook(year: int) -> bytes:
    """Every consequence of the year's published results, period by period, with its interview's state."""
    from gongjian.assess.followup import commitment_state, published_runs
    from gongjian.core.excel import Export
    from gongjian.core.periods import Period

    kinds, subjects = dict(ConsequenceKind.choices), dict(SubjectKind.choices)
    export = Export(str(year), ["考核期", "通报文号", "考核对象类型", "考核对象", "奖惩", "金额（元）", "依据",
                                "约谈日期", "整改承诺", "已完成", "逾期未完成"])
    rows = (Consequence.objects.filter(run__in=published_runs(year)).select_related("run", "interview_record")
            .prefetch_related("interview_record__commitments").order_by("run__period_code", "kind", "subject_name"))
    for i, c in enumerate(rows, start=1):
        interview = getattr(c, "interview_record", None)
        states = [commitment_state(x) for x in interview.commitments.all()] if interview else []
        export.sheet.write_row(i, 0, [
            str(Period.parse(c.run.period_code)), c.run.notice_number, str(subjects.get(c.subject_kind)),
            c.subject_name, str(kinds.get(c.kind)), c.amount or None, c.reason,
            interview.held_on.isoformat() if interview else ("待约谈" if c.kind == ConsequenceKind.INTERVIEW else ""),
            len(states) if interview else None, sum(s in ("done", "late") for s in states) if interview else None,
            states.count("overdue") if interview else None])
    export.book.close()
    return export.buffer.getvalue()
