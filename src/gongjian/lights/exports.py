"""The lights' Excel sheets: the board's list of lit projects, each row in its light's colour, and the cases
ledger (督办台账) with late deadlines in red."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import excel
from gongjian.lights.choices import WORKING_STATES, Colour, Dimension
from gongjian.lights.models import Case, Light

_FILLS = {
    Colour.GREEN: excel.FILLS["green"],
    Colour.YELLOW: excel.FILLS["yellow"],
    Colour.RED: excel.FILLS["red"],
}


def board_sheet(lights: Iterable[Light]) -> excel.Sheet:
    """The board's list as the page filters it: a row per light, coloured as it is lit, the project frozen."""
    labels = dict(Colour.choices)

    def dimension(d: Dimension):
        def value(light: Light) -> str:
            colour = light.dimensions.get(d.value)
            return str(labels[colour]) if colour is not None else "—"

        return value

    columns = [
        excel.Column(_("项目编号"), "project.code", width=12),
        excel.Column(_("项目名称"), "project.name", width=30),
        excel.Column(_("责任单位"), "project.responsible_unit.name", width=18),
        excel.Column(_("灯色"), lambda light: str(labels[light.colour])),
        *(excel.Column(str(d.label), dimension(d)) for d in Dimension),
        excel.Column(_("原因"), lambda light: "；".join(light.reasons), width=60),
        excel.Column(_("规则版本"), "rule_version", "auto"),
        excel.Column(_("基准版本"), "baseline", "auto"),
    ]
    return excel.Sheet(
        _("红绿灯"), columns, lights, freeze=(1, 2), row_style=lambda light: _FILLS[light.colour]
    )


def board_workbook(lights: QuerySet[Light], *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The board's list as an .xlsx file, streamed; ``progress`` is told the rows written and the total."""
    total = lights.count() if progress else 0
    book = excel.Workbook(constant_memory=True)
    book.add(
        board_sheet(lights.iterator(chunk_size=2000)),
        progress=(lambda done: progress(done, total)) if progress else None,
    )
    return book.close()


def case_sheet(rows: Iterable[Case], today: dt.date) -> excel.Sheet:
    """The cases as listed: deadlines as dates, in bold red when a working case is past its deadline."""

    def late(case: Case):
        return excel.RED if case.deadline < today and case.state in WORKING_STATES else None

    def moment(name: str):
        def value(case: Case) -> str:
            at = getattr(case, name)
            return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else ""

        return value

    columns = [
        excel.Column(_("督办编号"), "number", width=13),
        excel.Column(_("类型"), lambda c: c.get_kind_display()),
        excel.Column(_("项目"), "about", width=28),
        excel.Column(_("事项"), "title", width=28),
        excel.Column(_("立案原因"), lambda c: "；".join(c.reasons), width=28),
        excel.Column(_("承办单位"), "owner.name", width=14),
        excel.Column(_("督办领导"), lambda c: c.supervisor.name if c.supervisor else "", width=14),
        excel.Column(_("督办层级"), lambda c: c.get_level_display(), width=14),
        excel.Column(_("状态"), lambda c: c.get_state_display(), width=14),
        excel.Column(_("办理时限"), "deadline", "date", width=14, style=late),
        excel.Column(_("立案时间"), moment("opened_at"), width=14),
        excel.Column(_("办结时间"), moment("resolved_at"), width=14),
        excel.Column(_("销号时间"), moment("closed_at"), width=14),
        excel.Column(_("办理结果"), "resolution", width=40),
    ]
    return excel.Sheet(_("督办台账"), columns, rows, freeze=(1, 1))
