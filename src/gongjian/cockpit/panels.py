"""The cockpit's own panels, registered like any domain's (``gongjian.core.panels``): investment against the
plan, lights now and their trend, red projects, the headquarters' ranking, milestones due, overdue cases by unit
and the filing rate. Each figure carries the link of the list that shows it, filtered as it was counted."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.cockpit import queries
from gongjian.core import charts
from gongjian.core.money import format_wan, format_yi, yuan_to_wan
from gongjian.core.panels import View, register
from gongjian.core.periods import Period
from gongjian.lights.choices import CaseKind, Colour
from gongjian.projects.choices import MilestoneKind

LIGHT_COLOURS = {
    Colour.GREEN: charts.LIGHT_COLOURS["green"],
    Colour.YELLOW: charts.LIGHT_COLOURS["yellow"],
    Colour.RED: charts.LIGHT_COLOURS["red"],
}
DEKAD_NAMES = {1: "上旬", 2: "中旬", 3: "下旬"}


def _projects(view: View, **params) -> str:
    """The project list of the cockpit's (active) projects, filtered as a figure counted them."""
    return view.link(reverse("projects:project_list"), state="active", **params)


def _short(period: Period) -> str:
    """A ten-day period as an axis reads it: ``11月下旬`` (the year is the cockpit's)."""
    return f"{period.month}月{DEKAD_NAMES[period.dekad]}" if period.dekad else f"{period.month}月"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@register("investment", title="年度投资完成", template="cockpit/panels/investment.html", order=10, wide=True)
def investment_panel(view: View) -> dict:
    inv = queries.investment(view)
    months = [f"{m}月" for m in inv.months]
    done_rates = [inv.rate(v) for v in inv.done_to_date]
    plan_rates = [inv.rate(v) for v in inv.plan_to_date]
    board = [view.link(reverse("lights:board"), period=code) for code in inv.codes]
    rates = charts.line(
        _("累计完成率与序时进度（按月）"),
        months,
        [
            charts.Series(_("累计完成率"), done_rates, colour="#d93025", links=board),
            charts.Series(_("序时进度"), plan_rates, colour="#5b636b", dashed=True, links=board),
        ],
        unit="%",
        decimals=1,
        key="investment-rates",
        category_label=_("月份"),
        height=300,
    )
    amounts = charts.bar(
        _("累计完成与序时计划投资（万元）"),
        months,
        [
            charts.Series(_("序时计划"), [float(yuan_to_wan(v)) for v in inv.plan_to_date], colour="#9aa5b1"),
            charts.Series(_("累计完成"), [float(yuan_to_wan(v)) for v in inv.done_to_date], colour="#0b57d0"),
        ],
        unit="万元",
        key="investment-amounts",
        category_label=_("月份"),
        height=300,
    )
    return {
        "plan": format_yi(inv.plan_year),
        "plan_link": _projects(view, plan_year=view.year),
        "done": format_yi(inv.done),
        "done_wan": format_wan(inv.done),
        "done_rate": _percent(inv.rate(inv.done)),
        "time_rate": _percent(inv.rate(inv.planned_now)),
        "done_link": board[-1] if board else "",
        "behind": inv.plan_year and inv.done < inv.planned_now,
        "charts": [rates, amounts],
    }


@register("lights", title="红绿灯", template="cockpit/panels/lights.html", order=20)
def lights_panel(view: View) -> dict:
    periods = queries.year_dekads(view)
    counts = queries.light_counts(view)
    now = periods[-1]
    labels = dict(Colour.choices)
    totals = counts[now.code]
    links = {c: _projects(view, light=c, light_period=now.code) for c in Colour.values}
    donut = charts.donut(
        _("%(period)s 亮灯") % {"period": now},
        [(str(labels[c]), totals.get(c, 0)) for c in Colour.values],
        name=_("项目数"),
        colours=[LIGHT_COLOURS[c] for c in Colour.values],
        links=[links[c] for c in Colour.values],
        unit="个",
        key="lights-now",
        category_label=_("灯色"),
        height=240,
    )
    trend = charts.stacked_bar(
        _("各旬亮灯走势"),
        [_short(p) for p in periods],
        [
            charts.Series(
                str(labels[c]),
                [counts[p.code].get(c, 0) for p in periods],
                colour=LIGHT_COLOURS[c],
                links=[_projects(view, light=c, light_period=p.code) for p in periods],
            )
            for c in Colour.values
        ],
        unit="个",
        key="lights-trend",
        category_label=_("期别"),
        height=260,
    )
    return {
        "period": now,
        "counts": [
            {"colour": c, "label": labels[c], "n": totals.get(c, 0), "link": links[c]} for c in Colour.values
        ],
        "board": view.link(reverse("lights:board"), period=now.code),
        "charts": [donut, trend],
    }


@register("red", title="红灯项目", template="cockpit/panels/red.html", order=30)
def red_panel(view: View) -> dict:
    period = queries.current_period(view)
    total, rows = queries.red_projects(view)
    return {
        "period": period,
        "total": total,
        "link": _projects(view, light=Colour.RED, light_period=period.code),
        "rows": [
            {
                "name": r.name,
                "unit": r.unit,
                "age": r.age_days,
                "link": reverse("lights:light_detail", args=[r.project_id, period.code]),
            }
            for r in rows
        ],
    }


@register(
    "ranking",
    title="指挥部考核排名",
    template="cockpit/panels/ranking.html",
    order=40,
    permission="assess.view_run",
)
def ranking_panel(view: View) -> dict:
    ranking = queries.ranking(view)
    chart = None
    if ranking.rows:
        chart = charts.bar(
            _("指挥部得分"),
            [r["name"] for r in ranking.rows],
            [charts.Series(_("得分"), [round(r["score"], 2) for r in ranking.rows], colour="#a8071a")],
            unit="分",
            horizontal=True,
            key="ranking",
            category_label=_("指挥部"),
            height=max(200, 32 * len(ranking.rows) + 60),
        )
    return {
        "run": ranking.run,
        "period": ranking.period,
        "rows": ranking.rows,
        "link": reverse("assess:run_detail", args=[ranking.run.pk]) + "?kind=headquarters"
        if ranking.run
        else "",
        "charts": [chart] if chart else [],
    }


@register("milestones", title="近30天到期节点", template="cockpit/panels/milestones.html", order=50)
def milestones_panel(view: View) -> dict:
    due = queries.milestones_due(view)
    labels = dict(MilestoneKind.choices)
    return {
        "days": queries.MILESTONE_DAYS,
        "counts": [
            {
                "kind": kind,
                "label": labels[kind],
                "n": n,
                "link": _projects(view, milestone=kind, due_within=queries.MILESTONE_DAYS),
            }
            for kind, n in due.projects.items()
        ],
        "rows": [r | {"link": reverse("projects:project_detail", args=[r["project_id"]])} for r in due.rows],
    }


@register("overdue", title="逾期督办与交办（按承办单位）", template="cockpit/panels/overdue.html", order=60)
def overdue_panel(view: View) -> dict:
    total, units = queries.overdue_by_unit(view)
    labels = dict(CaseKind.choices)
    base = reverse("lights:case_list")
    chart = None
    if units:
        chart = charts.stacked_bar(
            _("逾期件数（按承办单位）"),
            [u.name for u in units],
            [
                charts.Series(
                    str(labels[kind]),
                    [u.counts.get(kind, 0) for u in units],
                    colour=colour,
                    links=[view.link(base, overdue=1, owner=u.unit_id, kind=kind) for u in units],
                )
                for kind, colour in zip(CaseKind.values, ("#d93025", "#e8b400", "#0b57d0"), strict=True)
            ],
            unit="件",
            horizontal=True,
            key="overdue",
            category_label=_("承办单位"),
            height=max(200, 32 * len(units) + 60),
        )
    return {
        "total": total,
        "link": view.link(base, overdue=1),
        "units": [
            {
                "name": u.name,
                "total": u.total,
                "link": view.link(base, overdue=1, owner=u.unit_id),
                "kinds": [
                    {
                        "label": labels[k],
                        "n": u.counts.get(k, 0),
                        "link": view.link(base, overdue=1, owner=u.unit_id, kind=k),
                    }
                    for k in CaseKind.values
                ],
            }
            for u in units
        ],
        "kinds": [labels[k] for k in CaseKind.values],
        "charts": [chart] if chart else [],
    }


@register("filing", title="本期填报", template="cockpit/panels/filing.html", order=70)
def filing_panel(view: View) -> dict:
    f = queries.filing(view)
    link = view.link(reverse("reports:period_status", args=[f.period.pk])) if f.period else ""
    chart = None
    if f.period and f.projects:
        chart = charts.donut(
            _("%(period)s 报送情况") % {"period": f.period},
            [(_("已报送"), f.filed), (_("未报送"), f.projects - f.filed)],
            name=_("项目数"),
            colours=["#2e9d57", "#d93025"],
            links=[link, link],
            unit="个",
            key="filing",
            category_label=_("报送"),
            height=220,
        )
    return {
        "period": f.period,
        "projects": f.projects,
        "filed": f.filed,
        "unfiled": f.projects - f.filed,
        "rate": _percent(f.rate),
        "link": link,
        "charts": [chart] if chart else [],
    }
