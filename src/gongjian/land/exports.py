"""The ledger to Excel: one row per household, the areas that set its compensation, the amounts and the dates."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongjian.core import excel


def ledger_sheet(rows: list[dict[str, Any]]) -> excel.Sheet:
    columns = [
        excel.Column(_("户编号"), "number", width=10),
        excel.Column(_("村居"), "village__name", width=12),
        excel.Column(_("村民小组"), "group", width=10),
        excel.Column(_("户主"), "head_name", width=10),
        excel.Column(_("身份证号"), "head_id_number", width=20),
        excel.Column(_("人口"), "persons", "int", width=6),
        excel.Column(
            _("干部关系"), "relation_label", width=10, style=lambda r: excel.RED if r["is_cadre"] else None
        ),
        excel.Column(_("土地（亩）"), "land_mu", "decimal", width=10),
        excel.Column(_("合法建筑（㎡）"), "legal_area", "decimal", width=12),
        excel.Column(_("违建（㎡）"), "illegal_area", "decimal", width=10),
        excel.Column(_("标准金额（万元）"), "agreement__computed_total", "money", width=14),
        excel.Column(_("协议金额（万元）"), "agreement__agreed_total", "money", width=14),
        excel.Column(
            _("偏离（万元）"),
            "deviation",
            "money",
            width=12,
            style=lambda r: excel.RED if r["deviation"] else None,
        ),
        excel.Column(_("协议状态"), "state_label", width=12),
        excel.Column(_("签约日期"), "signed_on", "date", width=11),
        excel.Column(_("搬迁日期"), "moved_on", "date", width=11),
        excel.Column(_("拆除日期"), "demolished_on", "date", width=11),
        excel.Column(_("交地日期"), "handed_over_on", "date", width=11),
    ]
    return excel.Sheet(_("征收台账"), columns, rows, freeze=(1, 4))
