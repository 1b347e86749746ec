"""Charts declared from Python data (图表): a page builds a :class:`Chart` from plain series with Chinese labels,
writes it with ``{% chart c %}`` (one line), and ``core/charts.js`` draws every one with the vendored Apache
ECharts. The same figures go into a real table under the chart (数据表), for screen readers and for copying.

Kinds: line, bar, stacked bar (``stacked=True``) and pie or donut. Values may be None (no figure: a gap in a line,
a dash in the table). ``links`` give a cell of the table (and a click on the chart) the address of the list
behind that figure.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Colours that read on a white page, in print and on the wall screen's dark ground alike.
PALETTE = ["#0b57d0", "#d93025", "#e8b400", "#2e9d57", "#8e44ad", "#00897b", "#f57c00", "#5b636b"]
LIGHT_COLOURS = {"green": "#2e9d57", "yellow": "#e8b400", "red": "#d93025"}

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One named run of figures: a value per category (None where there is none)."""

    name: str
    values: Sequence[float | int | None]
    colour: str | None = None
    links: Sequence[str | None] | None = None  # the list behind each figure
    dashed: bool = False


@dataclass
class Chart:
    """A chart and its table. ``unit`` is how the figures read (``万元``, ``%``, ``个``), in the axis and table."""

    title: str
    kind: str  # "line" | "bar" | "pie"
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    stacked: bool = False
    donut: bool = False
    horizontal: bool = False
    height: int = 280
    decimals: int = 2
    key: str = ""
    category_label: str = ""
    slice_colours: Sequence[str] | None = None  # a pie's slices one by one (lights: green, yellow, red)
    chart_id: str = field(default="")

    def __post_init__(self) -> None:
        if self.kind not in ("line", "bar", "pie"):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.categories)}")
        if not self.chart_id:
            self.chart_id = f"chart-{self.key or next(_ids)}"

    @property
    def script_id(self) -> str:
        return f"{self.chart_id}-data"

    def number(self, value: float | int | None) -> str:
        """A figure as the table shows it: grouped thousands, the chart's decimals, its unit when it is %."""
        if value is None:
            return "—"
        if isinstance(value, int) and not isinstance(value, bool):
            text = f"{value:,}"
        else:
            text = f"{value:,.{self.decimals}f}"
        return f"{text}%" if self.unit == "%" else text

    def table(self) -> dict[str, Any]:
        """The figures as a table: a row per category, a column per series, each cell (text, link)."""
        unit = f"（{self.unit}）" if self.unit and self.unit != "%" else ""
        head = [self.category_label or ""] + [f"{s.name}{unit}" for s in self.series]
        rows = []
        for i, category in enumerate(self.categories):
            cells = []
            for s in self.series:
                link = s.links[i] if s.links else None
                cells.append({"text": self.number(s.values[i]), "link": link})
            rows.append({"label": category, "cells": cells})
        return {"head": head, "rows": rows}

    def option(self) -> dict[str, Any]:
        """The ECharts option: plain JSON (no functions), so it travels in the page with json_script."""
        colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(self.series)]
        base: dict[str, Any] = {
            "animation": False,  # a wall screen redraws every few minutes; printing must not catch a half-drawn bar
            "color": colours,
            "tooltip": {"trigger": "item" if self.kind == "pie" else "axis"},
            "legend": {"type": "scroll", "top": 0},
            "toolbox": {
                "right": 0,
                "feature": {
                    "saveAsImage": {
                        "type": "png",
                        "title": "保存图片",
                        "name": self.title,
                        "pixelRatio": 2,
                        "backgroundColor": "#fff",
                    }
                },
            },
        }
        if self.kind == "pie":
            s = self.series[0]
            data: list[dict[str, Any]] = [
                {"name": c, "value": v} for c, v in zip(self.categories, s.values, strict=True)
            ]
            for item, colour in zip(data, self.slice_colours or [], strict=False):
                item["itemStyle"] = {"color": colour}
            base["series"] = [
                {
                    "type": "pie",
                    "name": s.name,
                    "radius": ["45%", "70%"] if self.donut else "70%",
                    "center": ["50%", "55%"],
                    "data": data,
                    "label": {"formatter": "{b}：{c}（{d}%）"},
                }
            ]
            return base
        category_axis = {"type": "category", "data": list(self.categories)}
        value_axis: dict[str, Any] = {"type": "value", "name": self.unit}
        if self.unit == "%":
            value_axis["axisLabel"] = {"formatter": "{value}%"}
        base["grid"] = {"left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": True}
        base["xAxis"], base["yAxis"] = (
            (value_axis, category_axis | {"inverse": True})
            if self.horizontal
            else (category_axis, value_axis)
        )
        base["series"] = [
            {
                "type": self.kind,
                "name": s.name,
                "data": list(s.values),
                **({"stack": "total"} if self.stacked else {}),
                **({"lineStyle": {"type": "dashed"}} if s.dashed else {}),
                **({"connectNulls": False, "symbolSize": 6} if self.kind == "line" else {}),
            }
            for s in self.series
        ]
        return base

    def links(self) -> list[list[str | None]] | None:
        """For a click on the chart: the link of each (series, category), or None when no series has links."""
        if not any(s.links for s in self.series):
            return None
        return [list(s.links) if s.links else [None] * len(self.categories) for s in self.series]

    def payload(self) -> dict[str, Any]:
        return {"option": self.option(), "links": self.links()}


def line(title: str, categories: Sequence[str], series: Sequence[Series], **kw: Any) -> Chart:
    return Chart(title, "line", categories, series, **kw)


def bar(title: str, categories: Sequence[str], series: Sequence[Series], **kw: Any) -> Chart:
    return Chart(title, "bar", categories, series, **kw)


def stacked_bar(title: str, categories: Sequence[str], series: Sequence[Series], **kw: Any) -> Chart:
    return Chart(title, "bar", categories, series, stacked=True, **kw)


def pie(
    title: str,
    slices: Sequence[tuple[str, float | int]],
    *,
    name: str = "",
    colours: Sequence[str] | None = None,
    links: Sequence[str | None] | None = None,
    donut: bool = False,
    **kw: Any,
) -> Chart:
    """A pie (or donut) of (label, value) slices, optionally coloured one by one (lights: green, yellow, red)."""
    return Chart(
        title,
        "pie",
        [label for label, _value in slices],
        [Series(name or title, [value for _label, value in slices], links=links)],
        donut=donut,
        slice_colours=colours,
        **kw,
    )


def donut(title: str, slices: Sequence[tuple[str, float | int]], **kw: Any) -> Chart:
    return pie(title, slices, donut=True, **kw)
