"""The wall list (公开上墙) of a village: its rows, built once at publication from the ledger and the agreements
and frozen on the :class:`~gongjian.land.models.WallList`, every name and ID number masked (张*三,
320102********1234). Each row carries the facts that set the compensation (land by category, buildings by grade),
the amounts by item, the total, the resettlement option and any approved deviation with its reason; cadres' and
key persons' households are marked and carry every computed line in full (context/003: 干部和关键人员的要详细公开).
Written over ``values()`` rows so that a village of 20,000 households is built in about a second."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import identifiers
from gongjian.land import walldocs
from gongjian.land.choices import AgreementState, CadreRelation, LandCategory, Option, StructureGrade
from gongjian.land.models import Agreement, Building, Household, Parcel, Village, WallList

# The amount columns of the list, in order, and which computed lines each adds up (by the line's item).
ITEMS: list[tuple[str, str]] = [
    ("land", "土地补偿"),
    ("building", "房屋补偿"),
    ("attachment", "附属物补偿"),
    ("allowance", "搬迁过渡及补助"),
    ("reward", "签约奖励"),
    ("housing", "购房款抵扣"),
]

# An agreement's deviation is published once the headquarters approved it (and so when it was signed).
_DEVIATION_SHOWN = {AgreementState.APPROVED, AgreementState.SIGNED}


def item_of(line_item: str) -> str:
    """The column a computed line adds to: ``土地补偿·耕地`` → land, ``提前签约奖励`` → reward…"""
    if line_item.startswith("土地补偿"):
        return "land"
    if line_item.startswith(("房屋补偿", "违法建筑")):
        return "building"
    if line_item.startswith("附属物"):
        return "attachment"
    if line_item.startswith("提前签约奖励"):
        return "reward"
    if "购房款" in line_item:
        return "housing"
    return "allowance"


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _areas(values: dict[str, Decimal], labels: dict[str, str], unit: str) -> str:
    return "；".join(f"{labels.get(k, k)} {v:.2f}{unit}" for k, v in values.items() if v)


def build_rows(village: Village) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The village's rows as published, and the list's totals."""
    households = list(
        Household.objects.filter(village=village).values(
            "id", "number", "group", "head_name", "head_id_number", "cadre_relation", "signed_on"
        )
    )
    # cadres' and key persons' households first, as on the ledger
    households.sort(key=lambda h: (not h["cadre_relation"], h["number"]))
    ids = [h["id"] for h in households]
    land: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    legal: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    illegal: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    agreements: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for p in Parcel.objects.filter(household_id__in=chunk).values("household_id", "category", "area_mu"):
            land[p["household_id"]][p["category"]] += p["area_mu"]
        for b in Building.objects.filter(household_id__in=chunk).values(
            "household_id", "grade", "area", "legal"
        ):
            (legal if b["legal"] else illegal)[b["household_id"]][b["grade"]] += b["area"]
        for a in Agreement.objects.filter(household_id__in=chunk).values(
            "household_id",
            "number",
            "option",
            "housing_area",
            "computed_total",
            "agreed_total",
            "deviation_reason",
            "state",
            "lines",
        ):
            agreements[a["household_id"]] = a
    categories = {k: str(v) for k, v in LandCategory.choices}
    grades = {k: str(v) for k, v in StructureGrade.choices}
    options = {k: str(v) for k, v in Option.choices}
    relations = {k: str(v) for k, v in CadreRelation.choices}
    states = {k: str(v) for k, v in AgreementState.choices}
    unsigned = _("未签约")
    not_paid = _("违法建筑，不予补偿")
    totals: dict[str, Any] = {key: 0 for key, _label in ITEMS}
    totals.update(households=len(households), agreed=0, total=0, deviations=0)
    rows = []
    for h in households:
        hid = h["id"]
        buildings = _areas(legal[hid], grades, "㎡")
        if illegal[hid]:
            buildings = "；".join(
                [b for b in (buildings, f"{_areas(illegal[hid], grades, '㎡')}（{not_paid}）") if b]
            )
        row: dict[str, Any] = {
            "number": h["number"],
            "group": h["group"],
            "name": identifiers.mask_name(h["head_name"]),
            "id_number": identifiers.mask_citizen_id(h["head_id_number"]),
            "cadre": relations.get(h["cadre_relation"], "") if h["cadre_relation"] else "",
            "land": _areas(land[hid], categories, "亩"),
            "buildings": buildings,
            "items": {key: None for key, _label in ITEMS},
            "total": None,
            "option": "",
            "housing_area": "",
            "deviation": 0,
            "deviation_reason": "",
            "state": unsigned,
            "detail": [],
        }
        a = agreements.get(hid)
        if a is not None:
            amounts = {key: 0 for key, _label in ITEMS}
            for line in a["lines"]:
                amounts[item_of(line["item"])] += int(line["amount"])
            shown = a["state"] in _DEVIATION_SHOWN
            deviation = (a["agreed_total"] - a["computed_total"]) if shown else 0
            row.update(
                items=amounts,
                total=a["agreed_total"] if shown else a["computed_total"],
                option=options.get(a["option"], ""),
                housing_area=f"{a['housing_area']:.2f}" if a["option"] == Option.HOUSING else "",
                deviation=deviation,
                deviation_reason=a["deviation_reason"] if deviation else "",
                state=states[AgreementState.SIGNED] if a["state"] == AgreementState.SIGNED else unsigned,
            )
            if h["cadre_relation"]:
                row["detail"] = [
                    _("%(item)s：%(basis)s × %(rate)s元 = %(amount)s元")
                    % {
                        "item": line["item"],
                        "basis": line["basis"],
                        "rate": line["rate"],
                        "amount": line["amount"],
                    }
                    for line in a["lines"]
                ]
            totals["agreed"] += 1
            totals["total"] += row["total"]
            totals["deviations"] += 1 if deviation else 0
            for key, value in amounts.items():
                totals[key] += value
        rows.append(row)
    return rows, totals


def money(value: int | None) -> str:
    """Yuan with thousands separators, as the notice board prints them (公示以元为单位)."""
    return "" if value is None else f"{value:,}"


def header() -> list[str]:
    return [
        _("户编号"),
        _("户主"),
        _("身份证号"),
        _("干部关系"),
        _("土地（亩）"),
        _("房屋（㎡）"),
        *[_(label) for _key, label in ITEMS],
        _("合计（元）"),
        _("安置方式"),
        _("经批准的偏离及理由"),
        _("签约"),
    ]


WIDTHS = [6, 5, 10, 5, 12, 14, 7, 7, 6, 7, 6, 7, 8, 7, 16, 5]


def table_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Each frozen row as the cells printed, in :func:`header`'s order; a cadre's lines in full under the
    facts."""
    out = []
    for row in rows:
        facts = row["buildings"]
        if row["detail"]:
            facts = "\n".join([facts, *row["detail"]]) if facts else "\n".join(row["detail"])
        option = row["option"]
        if row["housing_area"]:
            option = f"{option} {row['housing_area']}㎡"
        deviation = ""
        if row["deviation"]:
            deviation = f"{row['deviation']:+,}元：{row['deviation_reason']}"
        out.append(
            [
                row["number"],
                row["name"],
                row["id_number"],
                row["cadre"],
                row["land"],
                facts,
                *[money(row["items"][key]) for key, _label in ITEMS],
                money(row["total"]),
                option,
                deviation,
                row["state"],
            ]
        )
    return out


def sheet_of(wall_list: WallList, url: str) -> walldocs.Sheet:
    """The version as printed on paper, its QR code leading to ``url``."""
    task, village = wall_list.task, wall_list.village
    published = timezone.localtime(wall_list.published_at)
    subtitle = [
        _("%(task)s · 第%(number)d号 · 公示日期 %(date)s")
        % {"task": task.name, "number": wall_list.number, "date": f"{published:%Y年%m月%d日}"},
    ]
    subtitle.append(_("金额单位：元"))
    if wall_list.reason:
        subtitle.append(_("更正说明：%(reason)s") % {"reason": wall_list.reason})
    t = wall_list.totals
    footer = [
        _("共 %(n)d 户，已签约 %(a)d 户，补偿合计 %(total)s 元，其中经指挥部批准偏离补偿标准 %(d)d 户。")
        % {
            "n": t.get("households", 0),
            "a": t.get("agreed", 0),
            "total": money(t.get("total", 0)),
            "d": t.get("deviations", 0),
        },
        _(
            "标色行为干部、党员及干部亲属户，逐项列明补偿明细。姓名、身份证号已脱敏。对公示内容有异议的，请向服务工作队或指挥部反映。"
        ),
    ]
    if task.announcement_number:
        footer.insert(0, _("征收公告：%(n)s") % {"n": task.announcement_number})
    return walldocs.Sheet(
        title=_("%(village)s征收补偿安置公示清单") % {"village": village.name},
        subtitle=subtitle,
        header=header(),
        widths=WIDTHS,
        rows=table_rows(wall_list.rows),
        marked=[bool(r["cadre"]) for r in wall_list.rows],
        footer=footer,
        url=url,
        qr_caption=_("扫码查看网上公示："),
    )
