"""The ranges every input lies in (issue 12 item 6): years, days and moments, amounts, percentages, counts and
ids. For the API they are pydantic types, so a value outside its range answers 422 naming the field and the
OpenAPI document states the range; for the pages, the query-string readers below fall back to a default (with a
message) or answer 404, so that no value reaches a date computation or the database that would fail there."""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

MIN_YEAR, MAX_YEAR = 2000, 2100
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
# 10¹³ yuan = 10 亿万元: beyond any project, far inside a BigIntegerField even summed over a year's reports.
MAX_YUAN = 10**13
MAX_ID = 2**63 - 1  # BigAutoField; SQLite cannot even bind a larger integer
MAX_COUNT = 1_000_000  # people on a site, households, buildings, problems: within PositiveIntegerField
# C0 controls but tab, line feed and carriage return; DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(_("日期须在 %(first)s 至 %(last)s 之间。") % {"first": FIRST_DAY, "last": LAST_DAY})
    return value


def _moment_in_range(value: datetime) -> datetime:
    _day_in_range(value.date())
    return value


def _plain(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError(_("不能包含控制字符（如 NUL）。"))
    return value


Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description="年度（2000–2100）")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Yuan = Annotated[int, Field(ge=0, le=MAX_YUAN, description="金额（元，0 至 10¹³）")]
Percent = Annotated[
    Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, description="百分比（0–100）")
]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Colour = Annotated[int, Field(ge=0, le=2, description="0 绿灯，1 黄灯，2 红灯")]
Day = Annotated[date, AfterValidator(_day_in_range), Field(description="日期（2000-01-01 至 2100-12-31）")]
Moment = Annotated[
    datetime, AfterValidator(_moment_in_range), Field(description="时间（2000-01-01 至 2100-12-31）")
]
# A multipart form's text (the middleware leaves the API's uploads unread, so the API checks their fields).
FormText = Annotated[str, AfterValidator(_plain)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6, description="经度")]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=8, decimal_places=6, description="纬度")]


def in_range(value: date) -> bool:
    return FIRST_DAY <= value <= LAST_DAY


def as_id(text: str | None) -> int | None:
    """An id typed into a query string (``?unit=12``), or None when it is none (a word, 0, beyond 2⁶³ − 1)."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None


class YearConverter:
    """``<year:year>`` in a page's path (``/assess/archive/<year:year>/``): 2000–2100, so that any other number
    finds no page (404) instead of reaching a date computation."""

    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        if not MIN_YEAR <= int(value) <= MAX_YEAR:
            raise ValueError(value)
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def query_year(request, name: str = "year", default: int | None = None) -> int:
    """``?year=`` of a page, or ``default`` (this year) when it is missing — or not a year in 2000–2100, which
    the page then says in a message."""
    default = default or timezone.localdate().year
    text = (request.GET.get(name) or "").strip()
    if not text:
        return default
    if text.isdigit() and len(text) <= 4 and MIN_YEAR <= int(text) <= MAX_YEAR:
        return int(text)
    messages.error(
        request,
        _("年度“%(text)s”无效（应在 %(min)d 到 %(max)d 之间），已显示 %(year)d 年。")
        % {"text": text[:20], "min": MIN_YEAR, "max": MAX_YEAR, "year": default},
    )
    return default
