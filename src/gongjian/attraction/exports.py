"""Attraction as Excel: the funnel by unit and link, the leads (investor contacts masked for anyone but the unit
following the lead) and the tranches. Every export is audited (it carries personal data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.utils.translation import gettext as _

from gongjian.attraction import queries
from gongjian.attraction.choices import USD_METRICS, YUAN_METRICS, Metric
from gongjian.attraction.models import Lead
from gongjian.core import audit, excel
from gongjian.core.identifiers import mask_name, mask_phone


def _metric_kind(metric: str) -> str:
    return "money" if metric in YUAN_METRICS or metric in USD_METRICS else "int"


def funnel_sheet(data: queries.Funnel) -> excel.Sheet:
    columns = [excel.Column(_("单位"), lambda r: r.unit, width=24)]
    for metric in data.metrics:
        label = str(Metric(metric).label)
        if metric in YUAN_METRICS:
            label = label.replace("（元）", "（万元）")
        elif metric in USD_METRICS:
            label = label.replace("（美元）", "（万美元）")
        kind = _metric_kind(metric)
        columns += [
            excel.Column(label, lambda r, m=metric: r.values[m], kind),
            excel.Column(_("目标"), lambda r, m=metric: r.targets.get(m), kind),
            excel.Column(
                _("完成率"), lambda r, m=metric: None if r.rates[m] is None else r.rates[m] / 100, "percent"
            ),
            excel.Column(_("排名"), lambda r, m=metric: r.ranks.get(m), "int"),
        ]
    columns += [
        excel.Column(_("综合完成率"), lambda r: None if r.overall is None else r.overall / 100, "percent"),
        excel.Column(_("综合排名"), lambda r: r.overall_rank, "int"),
    ]
    return excel.Sheet(
        _("招商引资五个环节（%(y)d年1-%(m)d月）") % {"y": data.year, "m": data.through_month},
        columns,
        [*data.rows, data.total],
        freeze=(1, 1),
    )


def write_funnel(data: queries.Funnel, *, actor) -> bytes:
    audit.record(
        "attraction.funnel.export",
        actor=actor,
        only_changes=False,
        after={"year": data.year, "through_month": data.through_month, "units": len(data.rows)},
    )
    return excel.workbook(funnel_sheet(data))


def lead_columns(user) -> list[excel.Column]:
    def contact(getter: Callable[[Lead], str], mask: Callable[[str], str]) -> Callable[[Lead], str]:
        return lambda lead: getter(lead) if queries.sees_contacts(user, lead) else mask(getter(lead))

    return [
        excel.Column(_("项目名称"), "name", width=30),
        excel.Column(_("投资方"), "investor", width=26),
        excel.Column(_("统一社会信用代码"), "credit_code", width=20),
        excel.Column(_("联系人"), contact(lambda x: x.contact_name, mask_name)),
        excel.Column(_("联系电话"), contact(lambda x: x.contact_phone, mask_phone), width=14),
        excel.Column(_("产业链"), lambda x: x.get_chain_display()),
        excel.Column(_("意向投资额（万元）"), "amount", "money"),
        excel.Column(_("币种"), lambda x: x.get_currency_display()),
        excel.Column(_("资金来源国家/地区"), "country"),
        excel.Column(_("跟踪单位"), "unit.name", width=20),
        excel.Column(_("引荐人"), lambda x: x.introducer.name if x.introducer else ""),
        excel.Column(_("登记日期"), "found_on", "date"),
        excel.Column(_("环节"), lambda x: x.get_stage_display()),
        excel.Column(_("签约日期"), "signed_on", "date"),
        excel.Column(
            _("签约金额（万元）"), lambda x: x.signing.amount if hasattr(x, "signing") else None, "money"
        ),
        excel.Column(_("首笔资金到位"), "funded_on", "date"),
        excel.Column(_("开工日期"), "started_on", "date"),
        excel.Column(_("投产日期"), "producing_on", "date"),
        excel.Column(_("对应重点项目"), lambda x: x.project.code if x.project else ""),
        excel.Column(_("最近跟进"), "last_step_on", "date"),
        excel.Column(_("下一步工作"), "next_step", width=30),
        excel.Column(_("终止原因"), "drop_reason", width=30),
    ]


def write_leads(leads, stream: IO[bytes], *, actor, filters: dict, progress=None) -> int:
    rows = list(leads.select_related("unit", "introducer", "signing", "project"))
    audit.record(
        "attraction.lead.export",
        actor=actor,
        only_changes=False,
        after={"filters": filters, "rows": len(rows)},
    )
    excel.workbook(excel.Sheet(_("意向项目"), lead_columns(actor), rows, freeze=(1, 1)), stream=stream)
    return len(rows)


TRANCHE_COLUMNS = [
    excel.Column(_("项目名称"), "lead.name", width=30),
    excel.Column(_("跟踪单位"), "lead.unit.name", width=20),
    excel.Column(_("到位日期"), "date", "date"),
    excel.Column(_("到位金额（万元）"), "amount", "money"),
    excel.Column(_("资金来源"), "source"),
    excel.Column(_("币种"), lambda t: t.get_currency_display()),
    excel.Column(_("原币金额（万）"), "foreign_amount", "money"),
    excel.Column(_("折算汇率"), lambda t: float(t.rate) if t.rate is not None else None, "number"),
    excel.Column(_("折合美元（万美元）"), "usd_amount", "money"),
]


def write_tranches(tranches, stream: IO[bytes], *, actor, filters: dict) -> int:
    rows = list(tranches.select_related("lead__unit"))
    audit.record(
        "attraction.tranche.export",
        actor=actor,
        only_changes=False,
        after={"filters": filters, "rows": len(rows)},
    )
    excel.workbook(excel.Sheet(_("资金到位"), TRANCHE_COLUMNS, rows, freeze=(1, 1)), stream=stream)
    return len(rows)
