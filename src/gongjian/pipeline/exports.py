"""The plan as an official document (GB/T 9704 .docx): the notice issuing the year's key-project plan, with the plan
as its attachment — the projects by category, each category's totals and the plan's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings

from gongjian.core import documents as doc
from gongjian.core.money import format_wan
from gongjian.pipeline.models import AnnualPlan, PlanItem
from gongjian.projects.choices import Category

COLUMNS = [
    doc.Column("序号", numeric=True, width=2.5),
    doc.Column("项目名称", width=8),
    doc.Column("业主单位", width=6),
    doc.Column("建设内容", width=12),
    doc.Column("总投资（万元）", numeric=True, width=5),
    doc.Column("年度计划投资（万元）", numeric=True, width=5),
    doc.Column("建设起止年月", width=5),
    doc.Column("责任单位", width=5),
    doc.Column("包挂领导", width=4),
]


def _span(item: PlanItem) -> str:
    start, end = item.planned_start, item.planned_completion
    if not start and not end:
        return ""
    return (f"{start:%Y.%m}" if start else "") + "—" + (f"{end:%Y.%m}" if end else "")


def category_groups(items: Sequence[PlanItem]) -> list[tuple[str, list[PlanItem]]]:
    """The items by category, in the categories' order, each group in the plan's order."""
    groups: dict[str, list[PlanItem]] = {}
    for item in items:
        groups.setdefault(item.reserve.category, []).append(item)
    return [(str(label), groups[value]) for value, label in Category.choices if value in groups]


def plan_document(
    plan: AnnualPlan, items: Sequence[PlanItem], *, number: str = "", on: dt.date | None = None
) -> doc.OfficialDocument:
    """The notice 关于印发《…》的通知 with the plan attached (``items`` with reserve and units read)."""
    on = on or dt.date.today()
    organ = settings.GONGJIAN_ORGAN
    total = sum(i.reserve.total_investment for i in items)
    annual = sum(i.planned_investment for i in items)
    body: list[doc.Block] = []
    attachment: list[doc.Block] = [
        doc.Paragraph(
            f"{plan.year}年全区共安排重点项目{len(items)}个，总投资{format_wan(total)}万元，"
            f"年度计划投资{format_wan(annual)}万元。"
        )
    ]
    serial = 0
    for label, group in category_groups(items):
        group_total = sum(i.reserve.total_investment for i in group)
        group_annual = sum(i.planned_investment for i in group)
        attachment.append(doc.Heading(f"{label}项目（{len(group)}个）"))
        rows: list[list[doc.CellValue]] = []
        for item in group:
            serial += 1
            reserve = item.reserve
            rows.append(
                [
                    str(serial),
                    reserve.name,
                    reserve.owner.name if reserve.owner_id else reserve.investor,
                    reserve.content,
                    format_wan(reserve.total_investment),
                    format_wan(item.planned_investment),
                    _span(item),
                    item.responsible_unit.name,
                    "、".join(p.name for p in item.ordered_leaders()),
                ]
            )
        rows.append(
            [
                "",
                f"{label}小计（{len(group)}个）",
                "",
                "",
                format_wan(group_total),
                format_wan(group_annual),
                "",
                "",
                "",
            ]
        )
        attachment.append(doc.Table(columns=COLUMNS, rows=rows, font_size=10.5))
    attachment.append(
        doc.Paragraph(
            f"合计：{len(items)}个项目，总投资{format_wan(total)}万元，年度计划投资{format_wan(annual)}万元。"
        )
    )
    body.append(
        doc.Paragraph(
            f"经研究，现将《{plan.title}》印发给你们，请认真抓好落实。各责任单位要按照计划确定的年度投资、"
            "开工和竣工时间，倒排工期、压实责任，确保项目按期开工建设、早日投产达效；项目纳入重点项目库，"
            "实行旬报、月报和红绿灯管理。"
        )
    )
    return doc.OfficialDocument(
        title=f"关于印发《{plan.title}》的通知",
        masthead=doc.Masthead(organ),
        number=number or None,
        addressee="各街道、园区，区直各有关单位：",
        body=body,
        attachments=[doc.Attachment(plan.title, attachment)],
        signature=organ,
        date=on,
        printed_by=organ,
        printed_on=on,
    )


def docx(plan: AnnualPlan) -> bytes:
    """The issued .docx as issued, or a draft's preview (unnumbered)."""
    if not plan.is_draft and plan.content:
        return bytes(plan.content)
    items = list(plan.items.select_related("reserve__owner", "responsible_unit").order_by("sequence", "id"))
    return doc.render(plan_document(plan, items))
