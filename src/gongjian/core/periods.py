"""The reporting calendar: years, months and ten-day periods (旬).

Key projects (重点项目) report progress not by week but by *旬*, the traditional ten-day part of a month:

* 上旬 (early): days 1–10,
* 中旬 (mid): days 11–20,
* 下旬 (late): day 21 to the month's last day, so it is 8, 9, 10 or 11 days long.

A year therefore has 36 旬, and every date falls in exactly one of them. Plans and statistics are also
kept by month (月) and by year (年度), so a :class:`Period` is one of three kinds:

=========  =================  ============  ================
kind       Chinese form       code          English label
=========  =================  ============  ================
dekad      ``2026年11月中旬``  ``2026-11-2``  ``2026 Nov mid``
month      ``2026年11月``      ``2026-11``    ``2026 Nov``
year       ``2026年``          ``2026``       ``2026``
=========  =================  ============  ================

``str(period)`` is the Chinese form people read on screens and in exported sheets; ``period.code`` is the
short machine form for URLs, database columns and file names; its month is zero-padded (``2026-03-1``) so
codes of one kind sort as text. :meth:`Period.parse` reads both, as well as what people actually type into
spreadsheets: full-width digits (２０２６年１１月), stray spaces, ``2026年度``, ``2026年11月份``, ``2026.11``,
``2026/11``, ``2026-11-上旬`` and the English label.

This module is plain Python (no Django) so that importers, reports and tests can use it anywhere.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

__all__ = [
    "DEKADS_PER_YEAR",
    "DEKAD_NAMES",
    "DEKAD_NAMES_EN",
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodKind",
]

MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2200
DEKADS_PER_YEAR: Final = 36

#: 旬 number → Chinese name.
DEKAD_NAMES: Final[dict[int, str]] = {1: "上旬", 2: "中旬", 3: "下旬"}
#: 旬 number → English word used in :attr:`Period.label_en`.
DEKAD_NAMES_EN: Final[dict[int, str]] = {1: "early", 2: "mid", 3: "late"}

# Fixed English month abbreviations; ``calendar.month_abbr`` would follow the process locale.
_MONTH_ABBR: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The first day of each 旬 within a month.
_DEKAD_FIRST_DAY: Final[dict[int, int]] = {1: 1, 2: 11, 3: 21}

# How a 旬 may be written after "2026-11-" besides its number.
_DEKAD_WORDS: Final[dict[str, int]] = {"上": 1, "中": 2, "下": 3, "上旬": 1, "中旬": 2, "下旬": 3}

# "2026年", "2026年度", "2026年11月", "2026年11月份", "2026年11月中旬"; whitespace is removed beforehand.
_CHINESE_RE: Final = re.compile(r"(?P<year>\d{4})年(?:度|(?P<month>\d{1,2})月份?(?:(?P<dekad>[上中下])旬)?)?")
# "2026", "2026-11", "2026-11-2", "2026.11", "2026/11", "2026-11-上旬", "2026-11-中".
_CODE_RE: Final = re.compile(
    r"(?P<year>\d{4})(?:[-./](?P<month>\d{1,2})(?:[-./](?P<dekad>\d|[上中下]旬?))?)?"
)
# "2026 Nov mid", "2026 Nov", as printed by ``label_en``; matched case-insensitively before spaces go.
_ENGLISH_RE: Final = re.compile(
    r"(?P<year>\d{4})\s+(?P<month>[a-z]{3})(?:\s+(?P<dekad>early|mid|late))?", re.I
)


class PeriodKind(StrEnum):
    """How long a :class:`Period` is. The values are what gets stored in the database."""

    YEAR = "year"
    MONTH = "month"
    DEKAD = "dekad"


def _check_int(name: str, value: object) -> int:
    # bool is an int subclass, but Period(True) is always a mistake.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    return value


def _validate(year: object, month: object, dekad: object) -> tuple[int, int | None, int | None]:
    y = _check_int("year", year)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}, got {y}")
    m = None if month is None else _check_int("month", month)
    if m is not None and not 1 <= m <= 12:
        raise ValueError(f"month must be between 1 and 12, got {m}")
    d = None if dekad is None else _check_int("dekad", dekad)
    if d is not None:
        if m is None:
            raise ValueError(f"a dekad (旬) needs a month, got dekad={d} without one")
        if not 1 <= d <= 3:
            raise ValueError(f"dekad must be 1 (上旬), 2 (中旬) or 3 (下旬), got {d}")
    return y, m, d


def _merge(name: str, parsed: int | None, given: int | None) -> int | None:
    """Combine a part read from text with the same part passed as an argument; they must not disagree."""
    if given is None:
        return parsed
    if parsed is not None and parsed != given:
        raise ValueError(f"conflicting {name}: the text says {parsed} but {name}={given} was passed")
    return given


@dataclass(frozen=True, slots=True, init=False, order=False)
class Period:
    """A year, a month or a 旬 (dekad). Immutable and hashable, so it can key dicts and sit in sets.

    Build one from numbers or from text::

        Period(2026, 11, 2) == Period("2026-11", dekad=2) == Period.parse("2026年11月中旬")
        Period(2026, 11) == Period("2026-11")    # a month
        Period(2026) == Period("2026年度")         # a year

    Ordering is chronological by ``(year, month or 0, dekad or 0)``. For periods of the same kind that is
    simply earlier-before-later. Mixing kinds is allowed and puts a period *before* the parts it contains
    (``2026年 < 2026年1月 < 2026年1月上旬 < 2026年1月中旬``), i.e. sorting by start date, container first.
    """

    year: int
    month: int | None
    dekad: int | None

    def __init__(self, year: int | str, month: int | None = None, dekad: int | None = None) -> None:
        if isinstance(year, str):
            parsed = Period.parse(year)
            month = _merge("month", parsed.month, month)
            dekad = _merge("dekad", parsed.dekad, dekad)
            year = parsed.year
        y, m, d = _validate(year, month, dekad)
        object.__setattr__(self, "year", y)
        object.__setattr__(self, "month", m)
        object.__setattr__(self, "dekad", d)

    # Parsing

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a period from any of the forms described in the module docstring.

        Raises :class:`ValueError` naming ``text`` when it is not a period or names an impossible one
        (``2026-13``).
        """
        if not isinstance(text, str):
            raise TypeError(f"Period.parse() needs a string, got {text!r}")
        # NFKC turns full-width digits and punctuation (２０２６－１１) into ASCII.
        normal = unicodedata.normalize("NFKC", text).strip()
        english = _ENGLISH_RE.fullmatch(normal)
        compact = re.sub(r"\s+", "", normal)
        match = english or _CHINESE_RE.fullmatch(compact) or _CODE_RE.fullmatch(compact)
        if match is None:
            raise ValueError(
                f"cannot read a period from {text!r}; expected a form like "
                "'2026年11月中旬', '2026年11月', '2026年', '2026-11-2', '2026-11' or '2026'"
            )
        year = int(match["year"])
        month_text: str | None = match["month"]
        dekad_text: str | None = match["dekad"]
        month: int | None
        if month_text is None:
            month = None
        elif match is english:
            abbrs = [a.lower() for a in _MONTH_ABBR]
            if month_text.lower() not in abbrs:
                raise ValueError(f"cannot read a period from {text!r}: unknown month {month_text!r}")
            month = abbrs.index(month_text.lower()) + 1
        else:
            month = int(month_text)
        dekad: int | None
        if dekad_text is None:
            dekad = None
        elif match is english:
            dekad = {v: k for k, v in DEKAD_NAMES_EN.items()}[dekad_text.lower()]
        else:
            dekad = _DEKAD_WORDS[dekad_text] if dekad_text in _DEKAD_WORDS else int(dekad_text)
        try:
            return cls(year, month, dekad)
        except ValueError as exc:
            raise ValueError(f"invalid period {text!r}: {exc}") from None

    # Display

    def __str__(self) -> str:
        """The Chinese form: ``2026年11月中旬``, ``2026年11月``, ``2026年``."""
        if self.month is None:
            return f"{self.year}年"
        if self.dekad is None:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年{self.month}月{DEKAD_NAMES[self.dekad]}"

    @property
    def code(self) -> str:
        """The machine form: ``2026-11-2``, ``2026-11``, ``2026``. Sorts as text within one kind."""
        if self.month is None:
            return f"{self.year}"
        if self.dekad is None:
            return f"{self.year}-{self.month:02d}"
        return f"{self.year}-{self.month:02d}-{self.dekad}"

    @property
    def label_en(self) -> str:
        """An English label for logs and foreign readers: ``2026 Nov mid``, ``2026 Nov``, ``2026``."""
        parts = [str(self.year)]
        if self.month is not None:
            parts.append(_MONTH_ABBR[self.month - 1])
        if self.dekad is not None:
            parts.append(DEKAD_NAMES_EN[self.dekad])
        return " ".join(parts)

    # Ordering

    def _sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.dekad or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() >= other._sort_key()

    # Extent

    @property
    def kind(self) -> PeriodKind:
        if self.month is None:
            return PeriodKind.YEAR
        if self.dekad is None:
            return PeriodKind.MONTH
        return PeriodKind.DEKAD

    @property
    def start(self) -> date:
        """The first day of the period."""
        if self.month is None:
            return date(self.year, 1, 1)
        return date(self.year, self.month, _DEKAD_FIRST_DAY[self.dekad or 1])

    @property
    def end(self) -> date:
        """The last day of the period, inclusive. 下旬 and months end on the month's last day (Feb 28/29)."""
        if self.month is None:
            return date(self.year, 12, 31)
        if self.dekad is None or self.dekad == 3:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, self.month, _DEKAD_FIRST_DAY[self.dekad] + 9)

    @property
    def days(self) -> int:
        """How many days the period has: 10 for 上旬/中旬, 8–11 for 下旬, 28–31 for a month, 365/366."""
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        """Whether the day ``d`` lies in this period (a ``datetime`` counts by its date)."""
        return self.start <= _as_date(d) <= self.end

    def __contains__(self, d: object) -> bool:
        """``d in period`` for dates; ``sub in period`` for a period wholly inside this one."""
        if isinstance(d, Period):
            return self.start <= d.start and d.end <= self.end
        if isinstance(d, date):
            return self.contains(d)
        return False

    def elapsed_fraction(self, d: date) -> float:
        """The share of the period that is over by the *end* of day ``d``: 0.0 before it starts, 1.0 from
        its last day on.

        This is the 序时进度 ("progress the calendar expects"): a plan of 300 for November is expected to be
        at 100 by the end of 10 November.
        """
        d = _as_date(d)
        if d < self.start:
            return 0.0
        if d >= self.end:
            return 1.0
        return ((d - self.start).days + 1) / self.days

    # Navigation

    def next(self) -> Period:
        """The following period of the same kind (2026年12月下旬 → 2027年1月上旬)."""
        return self._shift(1)

    def prev(self) -> Period:
        """The preceding period of the same kind (2027年1月上旬 → 2026年12月下旬)."""
        return self._shift(-1)

    def _shift(self, steps: int) -> Period:
        if self.month is None:
            return Period(self.year + steps)
        if self.dekad is None:
            y, m0 = divmod(self.year * 12 + self.month - 1 + steps, 12)
            return Period(y, m0 + 1)
        y, rest = divmod(self.year * DEKADS_PER_YEAR + self.index_in_year - 1 + steps, DEKADS_PER_YEAR)
        m0, d0 = divmod(rest, 3)
        return Period(y, m0 + 1, d0 + 1)

    def parent(self) -> Period:
        """The period one level up: a 旬's month, a month's year. A year has none (:class:`ValueError`)."""
        if self.month is None:
            raise ValueError(f"{self} is a year and has no parent period")
        if self.dekad is None:
            return Period(self.year)
        return Period(self.year, self.month)

    def children(self) -> list[Period]:
        """The periods one level down: a year's 12 months, a month's 3 旬; a 旬 has none (empty list)."""
        if self.month is None:
            return [Period(self.year, m) for m in range(1, 13)]
        if self.dekad is None:
            return [Period(self.year, self.month, d) for d in (1, 2, 3)]
        return []

    def dekads(self) -> list[Period]:
        """Every 旬 inside this period, in order: 36 for a year, 3 for a month, itself for a 旬."""
        if self.month is None:
            return [Period(self.year, m, d) for m in range(1, 13) for d in (1, 2, 3)]
        if self.dekad is None:
            return self.children()
        return [self]

    @property
    def index_in_year(self) -> int:
        """Position within the year, counting from 1: 1..36 for a 旬, 1..12 for a month, 1 for a year."""
        if self.month is None:
            return 1
        if self.dekad is None:
            return self.month
        return (self.month - 1) * 3 + self.dekad

    # From dates

    @classmethod
    def of(cls, d: date, kind: PeriodKind | str) -> Period:
        """The period of the given kind that contains the day ``d``."""
        kind = PeriodKind(kind)
        d = _as_date(d)
        if kind is PeriodKind.YEAR:
            return cls(d.year)
        if kind is PeriodKind.MONTH:
            return cls(d.year, d.month)
        return cls(d.year, d.month, min(3, (d.day - 1) // 10 + 1))

    @classmethod
    def dekad_of(cls, d: date) -> Period:
        """The 旬 containing ``d``; days 31 (and 21–30) belong to 下旬."""
        return cls.of(d, PeriodKind.DEKAD)

    @classmethod
    def month_of(cls, d: date) -> Period:
        return cls.of(d, PeriodKind.MONTH)

    @classmethod
    def year_of(cls, d: date) -> Period:
        return cls.of(d, PeriodKind.YEAR)

    @staticmethod
    def range(first: Period, last: Period) -> Iterator[Period]:
        """Every period from ``first`` through ``last`` inclusive, both of the same kind.

        Yields nothing when ``last`` comes before ``first``; raises :class:`ValueError` for mixed kinds.
        """
        if first.kind != last.kind:
            raise ValueError(
                f"cannot range from {first} ({first.kind}) to {last} ({last.kind}): kinds differ"
            )
        current = first
        while current <= last:
            yield current
            if current == last:
                return
            current = current.next()


def _as_date(d: date) -> date:
    # datetime is a subclass of date, but comparing one with a date raises TypeError, so take its day.
    return d.date() if isinstance(d, datetime) else d
