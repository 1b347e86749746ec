"""The responsibility contract (目标责任书) as a GB/T 9704 document: the unit's targets table, the reward and
penalty rules in words, and the signature blocks of both parties, numbered when issued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings

from gongjian.core import documents as doc
from gongjian.targets import rules as rules_schema
from gongjian.targets.models import Contract, UnitTarget, format_value


def _amount(value, currency: rules_schema.Currency) -> str:
    return f"{format_value(value, money=currency is rules_schema.Currency.MONEY)} {currency.label}"


def rule_sentences(contract: Contract, names: dict[int, str]) -> list[str]:
    """Each rule of the contract in words, in the order of its indicators."""
    parsed = rules_schema.Rules.from_dict(contract.rules)
    currency = parsed.currency
    out = []
    for rule in parsed.indicators:
        name = names.get(rule.indicator, f"指标{rule.indicator}")
        parts = []
        if rule.reward:
            parts.append(f"完成目标的，奖励 {_amount(rule.reward, currency)}")
        if rule.bonus_per_percent and rule.bonus_cap:
            parts.append(
                f"超额完成的，每超 1 个百分点加奖 {_amount(rule.bonus_per_percent, currency)}，"
                f"最多加奖 {_amount(rule.bonus_cap, currency)}"
            )
        if rule.penalty or rule.penalty_per_percent:
            text = f"完成率低于 {format_value(rule.threshold)}% 的，扣罚 {_amount(rule.penalty, currency)}"
            if rule.penalty_per_percent and rule.penalty_cap:
                text += (
                    f"，每低 1 个百分点加扣 {_amount(rule.penalty_per_percent, currency)}，"
                    f"最多加扣 {_amount(rule.penalty_cap, currency)}"
                )
            parts.append(text)
        if rule.veto:
            parts.append("本指标实行一票否决，未完成的取消全部奖励")
        out.append(f"{name}：{'；'.join(parts) or '不设奖惩'}。")
    return out


def build(contract: Contract, targets: Sequence[UnitTarget], *, on: dt.date) -> doc.OfficialDocument:
    unit = contract.unit.name
    organ = settings.GONGJIAN_ORGAN
    rows = [
        (
            number,
            t.indicator.name,
            t.indicator.get_category_display(),
            t.indicator.measure,
            t.indicator.display(t.target),
            t.indicator.get_direction_display(),
        )
        for number, t in enumerate(targets, start=1)
    ]
    names = {t.indicator_id: t.indicator.name for t in targets}
    body: list[doc.Block] = [
        f"为全面完成 {contract.year} 年度全区经济社会发展目标任务，落实目标管理责任，经研究，"
        f"{organ}（以下简称甲方）与{unit}（以下简称乙方）签订本责任书。",
        doc.Heading("目标任务"),
        f"乙方 {contract.year} 年度承担以下目标任务，按月报送完成情况并附佐证材料，由甲方审核。",
        doc.Table(
            [
                doc.Column("序号", numeric=True, width=3),
                doc.Column("指标名称", width=10),
                "类别",
                "计量单位",
                doc.Column("年度目标", numeric=True),
                "指标方向",
            ],
            rows,
            caption=f"{unit} {contract.year} 年度目标任务表",
            font_size=12,
        ),
        doc.Heading("奖惩办法"),
        doc.NumberedList(rule_sentences(contract, names) or ["本责任书不设奖惩。"]),
        "年终由甲方根据审核后的全年完成情况，按上述办法兑现奖惩，结果予以公布。",
        doc.Heading("其他"),
        "本责任书一式两份，甲乙双方各执一份，自签订之日起生效。",
        doc.Table(
            ["甲方", "乙方"],
            [
                (f"{organ}（盖章）", f"{unit}（盖章）"),
                ("负责人（签字）：", "负责人（签字）："),
                ("年    月    日", "年    月    日"),
            ],
        ),
    ]
    return doc.OfficialDocument(
        title=f"{contract.year}年度目标管理责任书",
        masthead=doc.Masthead(organ, suffix=""),
        number=contract.number,
        addressee=f"{unit}：",
        body=body,
        signature=organ,
        date=on,
        printed_by=organ,
    )
