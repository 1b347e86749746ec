"""Assessment schemes (考核方案): who is assessed, on what, how it is scored, and what follows from the score.

A scheme is configuration, not code. The office creates or copies one in the admin or imports it as YAML,
and activates it for a year; every result records the scheme's name and version. This module holds the
scheme as frozen dataclasses, checks it (:class:`SchemeError` names the field at fault, e.g.
``indicators[2].floor``), and reads and writes it as a plain dict (:meth:`Scheme.as_dict`,
:meth:`Scheme.from_dict`) and as YAML (:func:`load_yaml`, :func:`dump_yaml`). The engine that applies a
scheme is :mod:`gongjian.assess.engine`.

What a scheme names:

subjects      the kinds of subject assessed — projects, and, aggregated from their projects, headquarters
              (指挥部), responsible units (责任单位), supervising leaders (包挂领导) and areas (街道/园区) — and
              whether each kind is ranked within groups (streets apart from departments apart from SOEs) or
              all together
indicators    what is scored and how: investment completed against the plan to date (投资完成), milestones
              met against those due (形象进度), the comprehensive evaluation (综合评价), deductions for missing
              and late reports and for red lights, and bonus/penalty items the office enters with a reason;
              and what a subject with no plan for the period gets from the investment indicator (``no_plan``:
              left out, its weight carried by the other scored indicators, by default)
weighting     how a subject's rates are aggregated from its projects (by annual planned investment, or
              equally)
consequences  red flags (红旗), rewards (经济奖励) and yellow cards (黄牌) per period kind and group, with the
              interview (约谈) and the black card (黑牌) and public criticism (通报批评) that follow a yellow card
year_end      the year-end grades (优秀/良好/一般/较差) from the mean of the monthly scores, by rank or score bands

:func:`default_scheme` is the 考核办法 of the source (context/000) with the numbers chosen in its docstring.
Pure: no Django.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Final, TypeVar

import yaml

__all__ = [
    "AdjustmentIndicator",
    "Band",
    "Consequence",
    "ConsequenceKind",
    "Curve",
    "EvaluationIndicator",
    "Indicator",
    "IndicatorKind",
    "InvestmentIndicator",
    "Mode",
    "NoPlan",
    "ProgressIndicator",
    "RedLightsIndicator",
    "ReportsIndicator",
    "Scheme",
    "SchemeError",
    "ScoredIndicator",
    "Subject",
    "SubjectKind",
    "TargetsIndicator",
    "Weighting",
    "YearEnd",
    "YearEndBasis",
    "default_scheme",
    "dump_yaml",
    "load_yaml",
]


class SchemeError(ValueError):
    """A scheme that cannot be used. ``path`` names the field (``consequences[1].subjects[0]``)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)

    def within(self, prefix: str) -> SchemeError:
        """The same error seen from the object holding this one under ``prefix``."""
        if not self.path:
            return SchemeError(prefix, self.message)
        joiner = "" if self.path.startswith("[") else "."
        return SchemeError(f"{prefix}{joiner}{self.path}", self.message)


# Vocabulary


class SubjectKind(StrEnum):
    """What is assessed. Aggregate kinds are read from the projects' ``<kind>_id`` column."""

    PROJECT = "project"
    HEADQUARTERS = "headquarters"
    UNIT = "unit"
    LEADER = "leader"
    AREA = "area"

    @property
    def label(self) -> str:
        return _SUBJECT_LABELS[self]


_SUBJECT_LABELS: Final = {
    SubjectKind.PROJECT: "项目",
    SubjectKind.HEADQUARTERS: "指挥部",
    SubjectKind.UNIT: "责任单位",
    SubjectKind.LEADER: "包挂领导",
    SubjectKind.AREA: "街道/园区",
}


class IndicatorKind(StrEnum):
    """What an indicator scores. The engine's points columns are ``<kind>_points``."""

    INVESTMENT = "investment"
    PROGRESS = "progress"
    EVALUATION = "evaluation"
    REPORTS = "reports"
    RED_LIGHTS = "red_lights"
    ADJUSTMENT = "adjustment"
    TARGETS = "targets"

    @property
    def label(self) -> str:
        return _INDICATOR_LABELS[self]


_INDICATOR_LABELS: Final = {
    IndicatorKind.INVESTMENT: "投资完成",
    IndicatorKind.PROGRESS: "形象进度",
    IndicatorKind.EVALUATION: "综合评价",
    IndicatorKind.REPORTS: "报送",
    IndicatorKind.RED_LIGHTS: "红灯",
    IndicatorKind.ADJUSTMENT: "加减分",
    IndicatorKind.TARGETS: "目标完成",
}


class Mode(StrEnum):
    """Absolute: points follow the subject's own rate. Relative: the best of the group gets full marks."""

    ABSOLUTE = "absolute"
    RELATIVE = "relative"


class Curve(StrEnum):
    """How attainment (0–1) turns into a share of the marks: as it is, or its square root (early progress
    counts more)."""

    LINEAR = "linear"
    SQRT = "sqrt"

    @property
    def label(self) -> str:
        return "线性" if self is Curve.LINEAR else "开方曲线"


class NoPlan(StrEnum):
    """What the investment indicator gives a subject with no plan for the period (序时计划为 0): nothing can be
    measured against a zero plan, so the scheme says which of these it means."""

    REWEIGHT = "reweight"  # left out of the indicator; the other scored indicators carry its weight
    ZERO = "zero"  # no points
    FULL = "full"  # counted as complete: full attainment

    @property
    def label(self) -> str:
        return _NO_PLAN_LABELS[self]


_NO_PLAN_LABELS: Final = {
    NoPlan.REWEIGHT: "不计该指标，其余指标按权重折算",
    NoPlan.ZERO: "计 0 分",
    NoPlan.FULL: "视为完成",
}


class Weighting(StrEnum):
    """How a headquarters', unit's, leader's or area's rates are averaged over its projects."""

    PLANNED = "planned"  # by each project's annual planned investment
    EQUAL = "equal"  # every project counts the same


class ConsequenceKind(StrEnum):
    """What follows from a score. The first three are chosen by rule; the others follow a yellow card."""

    RED_FLAG = "red_flag"
    REWARD = "reward"
    YELLOW_CARD = "yellow_card"
    INTERVIEW = "interview"
    BLACK_CARD = "black_card"
    PUBLIC_CRITICISM = "public_criticism"

    @property
    def label(self) -> str:
        return _CONSEQUENCE_LABELS[self]


_CONSEQUENCE_LABELS: Final = {
    ConsequenceKind.RED_FLAG: "红旗",
    ConsequenceKind.REWARD: "经济奖励",
    ConsequenceKind.YELLOW_CARD: "黄牌",
    ConsequenceKind.INTERVIEW: "约谈",
    ConsequenceKind.BLACK_CARD: "黑牌",
    ConsequenceKind.PUBLIC_CRITICISM: "通报批评",
}

#: The consequences a scheme's rules give; the others follow a yellow card.
RULE_KINDS: Final = (ConsequenceKind.RED_FLAG, ConsequenceKind.REWARD, ConsequenceKind.YELLOW_CARD)

#: The period kinds assessed (a 旬 or a month; a year is graded by :class:`YearEnd`).
PERIOD_KINDS: Final = ("dekad", "month")


class YearEndBasis(StrEnum):
    """Year-end grades by rank within the group (shares of the group) or by the mean score (bands)."""

    RANK = "rank"
    SCORE = "score"


# Checks

_E = TypeVar("_E", bound=StrEnum)


def _choice(path: str, value: object, enum: type[_E]) -> _E:
    try:
        return enum(value)  # type: ignore[arg-type]  # anything else is refused just below
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise SchemeError(path, f"must be one of {allowed}, got {value!r}") from None


def _number(
    path: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemeError(path, f"must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise SchemeError(path, f"must be a finite number, got {value!r}")
    if minimum is not None and number < minimum:
        raise SchemeError(path, f"must be at least {minimum:g}, got {value!r}")
    if maximum is not None and number > maximum:
        raise SchemeError(path, f"must be at most {maximum:g}, got {value!r}")
    if above is not None and number <= above:
        raise SchemeError(path, f"must be more than {above:g}, got {value!r}")
    if below is not None and number >= below:
        raise SchemeError(path, f"must be less than {below:g}, got {value!r}")
    return number


def _integer(path: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemeError(path, f"must be a whole number, got {value!r}")
    if value < minimum:
        raise SchemeError(path, f"must be at least {minimum}, got {value!r}")
    return value


def _flag(path: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise SchemeError(path, f"must be true or false, got {value!r}")
    return value


def _text(path: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SchemeError(path, f"must be a non-empty text, got {value!r}")
    return value


def _set(obj: object, name: str, value: object) -> None:
    # Frozen dataclasses normalise their own fields (40 → 40.0, "linear" → Curve.LINEAR) in __post_init__.
    object.__setattr__(obj, name, value)


def _plain(value: object) -> object:
    """A field's value as YAML/JSON holds it: enums as their values, tuples as lists, whole floats as ints."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields_dict(value)
    return value


def _fields_dict(obj: object) -> dict[str, Any]:
    assert dataclasses.is_dataclass(obj)
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _mapping(path: str, data: object) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SchemeError(path, f"must be a mapping of fields, got {data!r}")
    return data


def _sequence(path: str, data: object) -> Sequence[Any]:
    if isinstance(data, str | bytes) or not isinstance(data, Sequence):
        raise SchemeError(path, f"must be a list, got {data!r}")
    return data


_T = TypeVar("_T")


def _build(cls: type[_T], path: str, data: object, *, skip: frozenset[str] = frozenset()) -> _T:
    """``cls(**data)`` with unknown and missing fields reported by name and errors placed under ``path``."""
    values = dict(_mapping(path, data))
    assert dataclasses.is_dataclass(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in values:
        if key not in fields and key not in skip:
            raise SchemeError(f"{path}.{key}" if path else str(key), "unknown field")
    for name, f in fields.items():
        if (
            f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and name not in values
        ):
            raise SchemeError(f"{path}.{name}" if path else name, "is required")
    for key in skip:
        values.pop(key, None)
    try:
        return cls(**values)
    except SchemeError as exc:
        raise exc.within(path) if path else exc from None


def _items(path: str, data: object, read: Callable[[str, object], _T]) -> tuple[_T, ...]:
    return tuple(read(f"{path}[{i}]", item) for i, item in enumerate(_sequence(path, data)))


def _in_list(path: str, items: Sequence[object], check: Callable[[str, object], _T]) -> tuple[_T, ...]:
    """Check every item of a tuple field, naming the item at fault (``subjects[1]``)."""
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise SchemeError(path, f"must be a list, got {items!r}")
    return tuple(check(f"{path}[{i}]", item) for i, item in enumerate(items))


# Subjects


@dataclass(frozen=True, kw_only=True)
class Subject:
    """A kind of subject assessed. When ``grouped``, subjects are ranked within the groups named by the
    projects' ``<kind>_group`` column (e.g. ``unit_group``: department, street, soe); otherwise all together."""

    kind: SubjectKind
    grouped: bool = False

    def __post_init__(self) -> None:
        _set(self, "kind", _choice("kind", self.kind, SubjectKind))
        _flag("grouped", self.grouped)


# Indicators


@dataclass(frozen=True, kw_only=True)
class _Scoped:
    """Whom an indicator scores: the kinds of subject in ``subjects``, or every kind assessed when empty. A
    responsibility unit (责任单位) may be scored on its targets (目标完成) and its projects' investment, a
    headquarters on its projects alone; each kind's full marks are the points of the indicators that score it,
    and everything else about the indicator (its formula, its explanation) is the same for every kind."""

    subjects: tuple[SubjectKind, ...] = ()

    def scores(self, kind: SubjectKind | str) -> bool:
        return not self.subjects or kind in self.subjects


@dataclass(frozen=True, kw_only=True)
class ScoredIndicator(_Scoped):
    """An indicator worth ``points`` full marks, scored from a rate.

    The rate (investment done over the plan to date, milestones met over those due, the evaluation score over
    100) is capped at ``cap`` and divided by it, giving an attainment between 0 and 1 (full attainment at the
    cap: ``cap`` 0.9 gives full marks from 90 %). The ``curve`` turns attainment into a share (linear: as it
    is; sqrt: its square root). Absolute scoring gives ``points × (floor + (1 − floor) × share)``; relative
    scoring the same with the share divided by the best share in the group, so the best gets full marks and
    the others between ``floor`` and full marks in proportion (when nobody in the group attained anything,
    everyone gets the floor).
    """

    kind: ClassVar[IndicatorKind]

    points: float
    mode: Mode = Mode.ABSOLUTE
    floor: float = 0.0
    cap: float = 1.0
    curve: Curve = Curve.LINEAR

    def __post_init__(self) -> None:
        _set(self, "points", _number("points", self.points, above=0))
        _set(self, "mode", _choice("mode", self.mode, Mode))
        _set(self, "floor", _number("floor", self.floor, minimum=0, below=1))
        _set(self, "cap", _number("cap", self.cap, above=0))
        _set(self, "curve", _choice("curve", self.curve, Curve))


@dataclass(frozen=True, kw_only=True)
class InvestmentIndicator(ScoredIndicator):
    """投资完成: investment done this year to date over the plan to date (序时计划).

    A subject with nothing planned to date has no rate, and ``no_plan`` says what it gets. ``reweight`` (the
    default): it is left out of this indicator, and the other scored indicators (形象进度, 综合评价) carry its
    weight, scaled up in proportion so that their full marks add up to the scheme's total (see
    :meth:`Scheme.reweighted`); a headquarters, unit, leader or area leaves such projects out of its mean and
    is itself left out when none of its projects plans anything. ``zero``: no points. ``full``: counted as
    complete (full attainment).
    """

    kind: ClassVar[IndicatorKind] = IndicatorKind.INVESTMENT

    no_plan: NoPlan = NoPlan.REWEIGHT

    def __post_init__(self) -> None:
        super().__post_init__()
        _set(self, "no_plan", _choice("no_plan", self.no_plan, NoPlan))


@dataclass(frozen=True, kw_only=True)
class ProgressIndicator(ScoredIndicator):
    """形象进度: milestones met on time over milestones due by the period's end. None due counts as complete."""

    kind: ClassVar[IndicatorKind] = IndicatorKind.PROGRESS


@dataclass(frozen=True, kw_only=True)
class EvaluationIndicator(ScoredIndicator):
    """综合评价: the evaluators' scores (0–100). From ``trim_from`` raters on, the highest and the lowest score
    are dropped before the mean (去掉一个最高分和一个最低分); with fewer, the plain mean."""

    kind: ClassVar[IndicatorKind] = IndicatorKind.EVALUATION

    trim_from: int = 5

    def __post_init__(self) -> None:
        super().__post_init__()
        _integer("trim_from", self.trim_from, minimum=3)


@dataclass(frozen=True, kw_only=True)
class TargetsIndicator(ScoredIndicator):
    """目标完成: a subject's completion of its targets to date (目标责任状: GDP, fiscal revenue, the attraction
    links…), as the targets module works it out — the mean completion rate of the subject's target indicators
    named in ``indicators`` (all of them when empty), each against its target — and gives it with the words
    that explain it. A subject with no target among them has no rate and gets no points from it, said so.

    The rate comes from outside the projects' facts (the engine's ``completions`` input), so a scheme for
    departments can score what they are asked to do beside their projects: signings and funds in place for the
    attraction units, fiscal revenue for the finance bureau."""

    kind: ClassVar[IndicatorKind] = IndicatorKind.TARGETS

    indicators: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        names = self.indicators
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise SchemeError("indicators", f"must be a list of indicator names, got {names!r}")
        for i, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                raise SchemeError(f"indicators[{i}]", f"must be an indicator's name, got {name!r}")
        if len(set(names)) != len(names):
            raise SchemeError("indicators", "names an indicator twice")
        _set(self, "indicators", tuple(name.strip() for name in names))


@dataclass(frozen=True, kw_only=True)
class ReportsIndicator(_Scoped):
    """报送: ``missing`` points off per missing report and ``late`` per late one, at most ``max_points`` in all
    (no limit when absent). A headquarters or unit answers for its projects' reports: their counts add up."""

    kind: ClassVar[IndicatorKind] = IndicatorKind.REPORTS

    missing: float = 2.0
    late: float = 1.0
    max_points: float | None = None

    def __post_init__(self) -> None:
        _set(self, "missing", _number("missing", self.missing, minimum=0))
        _set(self, "late", _number("late", self.late, minimum=0))
        if self.max_points is not None:
            _set(self, "max_points", _number("max_points", self.max_points, above=0))


@dataclass(frozen=True, kw_only=True)
class RedLightsIndicator(_Scoped):
    """红灯: ``per_light`` points off per red light of the period, at most ``max_points`` in all. Counts add up
    from projects to their headquarters or unit."""

    kind: ClassVar[IndicatorKind] = IndicatorKind.RED_LIGHTS

    per_light: float = 3.0
    max_points: float | None = None

    def __post_init__(self) -> None:
        _set(self, "per_light", _number("per_light", self.per_light, minimum=0))
        if self.max_points is not None:
            _set(self, "max_points", _number("max_points", self.max_points, above=0))


@dataclass(frozen=True, kw_only=True)
class AdjustmentIndicator(_Scoped):
    """加减分: bonus and penalty items the office enters for a subject and period, each with a reason, counted
    as entered; their sum is held within ±``max_points`` when given."""

    kind: ClassVar[IndicatorKind] = IndicatorKind.ADJUSTMENT

    max_points: float | None = None

    def __post_init__(self) -> None:
        if self.max_points is not None:
            _set(self, "max_points", _number("max_points", self.max_points, above=0))


Indicator = (
    InvestmentIndicator
    | ProgressIndicator
    | EvaluationIndicator
    | TargetsIndicator
    | ReportsIndicator
    | RedLightsIndicator
    | AdjustmentIndicator
)

_INDICATOR_CLASSES: Final[dict[IndicatorKind, type[Indicator]]] = {
    cls.kind: cls
    for cls in (
        InvestmentIndicator,
        ProgressIndicator,
        EvaluationIndicator,
        TargetsIndicator,
        ReportsIndicator,
        RedLightsIndicator,
        AdjustmentIndicator,
    )
}


def _indicator_from_dict(path: str, data: object) -> Indicator:
    values = _mapping(path, data)
    if "kind" not in values:
        raise SchemeError(f"{path}.kind", "is required")
    kind = _choice(f"{path}.kind", values["kind"], IndicatorKind)
    cls: type[Indicator] = _INDICATOR_CLASSES[kind]
    return _build(cls, path, values, skip=frozenset({"kind"}))


def _indicator_as_dict(indicator: Indicator) -> dict[str, Any]:
    fields = _fields_dict(indicator)
    if not fields["subjects"]:
        del fields["subjects"]  # every kind: as schemes were written before indicators could name theirs
    return {"kind": indicator.kind.value, **fields}


# Consequences


@dataclass(frozen=True, kw_only=True)
class Consequence:
    """Who in each group gets a red flag, a reward or a yellow card, for periods of ``period_kind``.

    Red flags and rewards go to the top of the group, yellow cards to the bottom. A subject is chosen when
    it meets every condition given: ``count`` (the first N by rank, or for a yellow card the last N), ``percent``
    (the first or last X % of the group, rounded half up, at least one) and ``score`` (at least S for the top,
    below S for a yellow card). Ties share a rank, so tied subjects are chosen together. A subject nobody is
    ahead of is never "last" by count or percent (a group of one, or a group all tied).

    A laggard is not also an advanced one (落后者/先进者): a subject given a yellow card for a period gets no red
    flag or reward for periods of the same kind.

    A reward pays ``amounts`` by rank (yuan): rank r gets the r-th amount, or the last one past the list.
    A yellow card brings an ``interview`` (约谈) of the subject's head when set; yellow cards in
    ``black_card_after`` consecutive months bring a black card (黑牌) — every further month in the run brings
    another — and with ``public_criticism`` a public criticism (通报批评).
    """

    kind: ConsequenceKind
    period_kind: str
    subjects: tuple[SubjectKind, ...]
    count: int | None = None
    percent: float | None = None
    score: float | None = None
    amounts: tuple[int, ...] = ()
    interview: bool = False
    black_card_after: int | None = None
    public_criticism: bool = False

    def __post_init__(self) -> None:
        kind = _choice("kind", self.kind, ConsequenceKind)
        if kind not in RULE_KINDS:
            allowed = ", ".join(k.value for k in RULE_KINDS)
            raise SchemeError(
                "kind", f"must be one of {allowed} (the others follow a yellow card), got {kind}"
            )
        _set(self, "kind", kind)
        if self.period_kind not in PERIOD_KINDS:
            raise SchemeError("period_kind", f"must be dekad or month, got {self.period_kind!r}")
        subjects = _in_list("subjects", self.subjects, lambda p, v: _choice(p, v, SubjectKind))
        if not subjects:
            raise SchemeError("subjects", "must name at least one kind of subject")
        for i, s in enumerate(subjects):
            if s in subjects[:i]:
                raise SchemeError(f"subjects[{i}]", f"{s} is named twice")
        _set(self, "subjects", subjects)
        if self.count is None and self.percent is None and self.score is None:
            raise SchemeError("count", "give at least one of count, percent and score")
        if self.count is not None:
            _integer("count", self.count, minimum=1)
        if self.percent is not None:
            _set(self, "percent", _number("percent", self.percent, above=0, maximum=100))
        if self.score is not None:
            _set(self, "score", _number("score", self.score))
        _set(self, "amounts", _in_list("amounts", self.amounts, lambda p, v: _integer(p, v, minimum=0)))
        if self.amounts and kind is not ConsequenceKind.REWARD:
            raise SchemeError("amounts", "only a reward has amounts")
        if kind is ConsequenceKind.REWARD and not self.amounts:
            raise SchemeError("amounts", "a reward needs at least one amount")
        _flag("interview", self.interview)
        _flag("public_criticism", self.public_criticism)
        yellow_only = {
            "interview": self.interview,
            "black_card_after": self.black_card_after is not None,
            "public_criticism": self.public_criticism,
        }
        for name, given in yellow_only.items():
            if given and kind is not ConsequenceKind.YELLOW_CARD:
                raise SchemeError(name, "only a yellow card has this")
        if self.black_card_after is not None:
            _integer("black_card_after", self.black_card_after, minimum=1)
            if self.period_kind != "month":
                raise SchemeError(
                    "black_card_after", "a black card counts months: the yellow card must be monthly"
                )
        if self.public_criticism and self.black_card_after is None:
            raise SchemeError(
                "public_criticism", "public criticism follows a black card: set black_card_after"
            )

    @property
    def from_top(self) -> bool:
        return self.kind is not ConsequenceKind.YELLOW_CARD

    def condition_text(self) -> str:
        """The conditions in words: 「前 1 名」, 「倒数 1 名且低于 60 分」."""
        parts = []
        if self.count is not None:
            parts.append(f"前 {self.count} 名" if self.from_top else f"倒数 {self.count} 名")
        if self.percent is not None:
            parts.append(f"前 {self.percent:g}%" if self.from_top else f"后 {self.percent:g}%")
        if self.score is not None:
            parts.append(f"不低于 {self.score:g} 分" if self.from_top else f"低于 {self.score:g} 分")
        return "且".join(parts)


# Year end


@dataclass(frozen=True, kw_only=True)
class Band:
    """A year-end grade: by rank, the next ``share`` of the group (0–1); by score, a mean of at least
    ``min_score`` (the last band takes everyone left and has no threshold)."""

    grade: str
    share: float | None = None
    min_score: float | None = None

    def __post_init__(self) -> None:
        _text("grade", self.grade)
        if self.share is not None:
            _set(self, "share", _number("share", self.share, above=0, maximum=1))
        if self.min_score is not None:
            _set(self, "min_score", _number("min_score", self.min_score))


@dataclass(frozen=True, kw_only=True)
class YearEnd:
    """How the year is graded from the monthly scores: each subject's mean monthly score, ranked within its
    group, graded by ``bands`` in order (best first).

    By rank, band k covers ranks up to ``n × (share₁ + … + share_k)`` rounded half up (n: the group's size),
    so ties share a grade; the shares add up to 1. By score, the first band whose ``min_score`` the mean
    reaches; the last band has none.
    """

    basis: YearEndBasis = YearEndBasis.RANK
    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        basis = _choice("basis", self.basis, YearEndBasis)
        _set(self, "basis", basis)
        bands = _in_list("bands", self.bands, _band)
        _set(self, "bands", bands)
        if not bands:
            raise SchemeError("bands", "must have at least one grade")
        for i, band in enumerate(bands):
            if band.grade in [b.grade for b in bands[:i]]:
                raise SchemeError(f"bands[{i}].grade", f"{band.grade} is named twice")
            last = i == len(bands) - 1
            if basis is YearEndBasis.RANK:
                if band.share is None:
                    raise SchemeError(f"bands[{i}].share", "is required when grading by rank")
                if band.min_score is not None:
                    raise SchemeError(f"bands[{i}].min_score", "is for grading by score, not by rank")
            else:
                if band.share is not None:
                    raise SchemeError(f"bands[{i}].share", "is for grading by rank, not by score")
                if last and band.min_score is not None:
                    raise SchemeError(
                        f"bands[{i}].min_score", "the last band takes everyone left: no threshold"
                    )
                if not last and band.min_score is None:
                    raise SchemeError(f"bands[{i}].min_score", "is required when grading by score")
                previous = bands[i - 1].min_score if i else None
                if band.min_score is not None and previous is not None and band.min_score >= previous:
                    raise SchemeError(f"bands[{i}].min_score", "must be below the band before it")
        if basis is YearEndBasis.RANK and abs(sum(b.share or 0 for b in bands) - 1) > 1e-9:
            raise SchemeError("bands", "the shares must add up to 1")

    def cutoffs(self, group_size: int) -> list[int]:
        """By rank: the last rank each band reaches in a group of ``group_size`` (the last band reaches all)."""
        reached, total = [], 0.0
        for band in self.bands:
            total += band.share or 0
            reached.append(math.floor(group_size * total + 0.5 + 1e-9))
        reached[-1] = group_size
        return reached


def _band(path: str, value: object) -> Band:
    if isinstance(value, Band):
        return value
    return _build(Band, path, value)


# Scheme


@dataclass(frozen=True, kw_only=True)
class Scheme:
    """A version of an assessment scheme (考核方案). Equal schemes give equal results on equal inputs."""

    name: str
    version: int = 1
    description: str = ""
    subjects: tuple[Subject, ...]
    weighting: Weighting = Weighting.PLANNED
    indicators: tuple[Indicator, ...]
    consequences: tuple[Consequence, ...] = ()
    year_end: YearEnd

    def __post_init__(self) -> None:
        _text("name", self.name)
        _integer("version", self.version, minimum=1)
        if not isinstance(self.description, str):
            raise SchemeError("description", f"must be a text, got {self.description!r}")
        _set(self, "weighting", _choice("weighting", self.weighting, Weighting))
        subjects = _in_list("subjects", self.subjects, _of_type(Subject))
        if not subjects:
            raise SchemeError("subjects", "must name at least one kind of subject")
        for i, s in enumerate(subjects):
            if s.kind in [t.kind for t in subjects[:i]]:
                raise SchemeError(f"subjects[{i}].kind", f"{s.kind} is assessed twice")
        _set(self, "subjects", subjects)
        indicators = _in_list("indicators", self.indicators, _of_type(*_INDICATOR_CLASSES.values()))
        if not indicators:
            raise SchemeError("indicators", "must have at least one indicator")
        assessed = {s.kind for s in subjects}
        for i, ind in enumerate(indicators):
            if ind.kind in [j.kind for j in indicators[:i]]:
                raise SchemeError(f"indicators[{i}].kind", f"{ind.kind} is scored twice")
            kinds = _in_list(
                f"indicators[{i}].subjects", ind.subjects, lambda p, v: _choice(p, v, SubjectKind)
            )
            for j, kind in enumerate(kinds):
                if kind not in assessed:
                    raise SchemeError(
                        f"indicators[{i}].subjects[{j}]", f"{kind} is not among the subjects assessed"
                    )
                if kind in kinds[:j]:
                    raise SchemeError(f"indicators[{i}].subjects[{j}]", f"{kind} is named twice")
            _set(ind, "subjects", kinds)
        for kind in sorted(assessed, key=list(SubjectKind).index):
            if not any(ind.scores(kind) for ind in indicators):
                raise SchemeError("indicators", f"no indicator scores {kind}")
        _set(self, "indicators", indicators)
        consequences = _in_list("consequences", self.consequences, _of_type(Consequence))
        for i, c in enumerate(consequences):
            for j, s in enumerate(c.subjects):
                if s not in assessed:
                    raise SchemeError(
                        f"consequences[{i}].subjects[{j}]", f"{s} is not among the subjects assessed"
                    )
            for earlier in consequences[:i]:
                if (earlier.kind, earlier.period_kind) == (c.kind, c.period_kind):
                    raise SchemeError(
                        f"consequences[{i}].kind", f"two {c.kind} rules for {c.period_kind} periods"
                    )
        _set(self, "consequences", consequences)
        if not isinstance(self.year_end, YearEnd):
            raise SchemeError("year_end", f"must be a YearEnd, got {self.year_end!r}")

    def for_subjects(self, kind: SubjectKind | str) -> Scheme:
        """The scheme as it scores subjects of ``kind``: the indicators that score them (itself when all do)."""
        kept = tuple(i for i in self.indicators if i.scores(kind))
        if len(kept) == len(self.indicators):
            return self
        view = copy.copy(self)  # not checked again: it is this scheme, seen by one kind of subject
        _set(view, "indicators", kept)
        return view

    def indicator(self, kind: IndicatorKind | str) -> Indicator | None:
        """The indicator of ``kind``, or None when the scheme does not score it."""
        return next((i for i in self.indicators if i.kind == kind), None)

    def subject(self, kind: SubjectKind | str) -> Subject | None:
        return next((s for s in self.subjects if s.kind == kind), None)

    def scored_total(self) -> float:
        """The full marks of the scored indicators together (100 in the default scheme); deductions and the
        office's items come on top."""
        return math.fsum(i.points for i in self.indicators if isinstance(i, ScoredIndicator))

    def reweighted(self, left_out: IndicatorKind | str) -> dict[IndicatorKind, float]:
        """The full marks of each other scored indicator when the one of kind ``left_out`` is not scored for a
        subject: each scaled up in proportion, so that together they keep the scheme's total (40/30/30 without
        investment: progress 50, evaluation 50). Empty when the scheme does not score ``left_out`` or scores
        nothing else."""
        out = self.indicator(left_out)
        if not isinstance(out, ScoredIndicator):
            return {}
        total = self.scored_total()
        rest = total - out.points
        return {
            i.kind: i.points * total / rest
            for i in self.indicators
            if isinstance(i, ScoredIndicator) and i.kind != left_out and rest > 0
        }

    # Plain form

    def as_dict(self) -> dict[str, Any]:
        """Plain data (texts, numbers, lists, mappings) in a fixed order, read back by :meth:`from_dict`."""
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "subjects": [_fields_dict(s) for s in self.subjects],
            "weighting": self.weighting.value,
            "indicators": [_indicator_as_dict(i) for i in self.indicators],
            "consequences": [_fields_dict(c) for c in self.consequences],
            "year_end": _fields_dict(self.year_end),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        """A scheme from plain data; :class:`SchemeError` names the field at fault."""
        values = dict(_mapping("", data))
        parts: dict[str, Callable[[str, object], object]] = {
            "subjects": lambda p, v: _items(p, v, lambda q, w: _build(Subject, q, w)),
            "indicators": lambda p, v: _items(p, v, _indicator_from_dict),
            "consequences": lambda p, v: _items(p, v, _consequence_from_dict),
            "year_end": _year_end_from_dict,
        }
        for key, read in parts.items():
            if key in values:
                values[key] = read(key, values[key])
        return _build(cls, "", values)


def _of_type(*classes: type) -> Callable[[str, object], Any]:
    def check(path: str, value: object) -> object:
        if not isinstance(value, classes):
            names = " or ".join(c.__name__ for c in classes)
            raise SchemeError(path, f"must be a {names}, got {value!r}")
        return value

    return check


def _consequence_from_dict(path: str, data: object) -> Consequence:
    values = dict(_mapping(path, data))
    for key in ("subjects", "amounts"):
        if key in values:
            values[key] = tuple(_sequence(f"{path}.{key}", values[key]))
    return _build(Consequence, path, values)


def _year_end_from_dict(path: str, data: object) -> YearEnd:
    values = dict(_mapping(path, data))
    if "bands" in values:
        values["bands"] = _items(f"{path}.bands", values["bands"], lambda p, v: _build(Band, p, v))
    return _build(YearEnd, path, values)


# YAML


def load_yaml(text: str) -> Scheme:
    """A scheme from its YAML form (as :func:`dump_yaml` writes it, or typed by hand)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError("", f"not valid YAML: {exc}") from None
    return Scheme.from_dict(_mapping("", data))


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes text with a Unicode line break (NEL, LS, PS) double-quoted, where they are
    escaped: unquoted, PyYAML writes them as they are and reads them back as line breaks."""


def _text_scalar(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text_scalar)


def dump_yaml(scheme: Scheme) -> str:
    """The scheme as YAML, fields in a fixed order and Chinese as it is; ``load_yaml`` reads it back equal."""
    return yaml.dump(scheme.as_dict(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


# Default


def default_scheme() -> Scheme:
    """The 考核办法 of context/000, with the numbers it leaves open chosen as follows.

    "建立包含投资完成额、形象进度、综合评价等三方面每旬每月考核考评制度": projects are scored every 旬 and every month,
    and headquarters (指挥部) from their projects, weighted by annual planned investment, all headquarters in
    one group. The three named parts share 100 points, investment first as the part the source names first and
    the one the district's targets are set in: investment 40, physical progress 30, comprehensive evaluation 30,
    all absolute and linear, investment capped at 100 % of the plan to date (over-completion is not carried
    over to hide a later lag). A project with no plan for a period is left out of the investment indicator
    and its progress and evaluation count 50 each (nothing done against nothing planned earns no points, nor
    loses any). The evaluation drops the highest and the lowest score from 5 raters on.
    Deductions keep reporting and red lights honest: −2 per missing report, −1 per late one, −3 per red light;
    the office's bonus and penalty items count as entered.

    "每旬对先进指挥部张贴红旗表彰": a red flag to the first headquarters each 旬. "每月对先进者进行经济奖励": the
    first three each month get 30,000, 20,000 and 10,000 yuan. "对落后者亮黄牌并约谈指挥长": a yellow card to
    the last headquarters each month, with an interview of its commander. "连续三月落后者亮黑牌并通报批评": yellow
    cards in 3 consecutive months bring a black card and public criticism. "年终参照月考核结果进行打分排名": the
    year is graded from the mean monthly score by rank: 优秀 the first 20 %, 良好 the next 30 %, 一般 the next
    40 %, 较差 the last 10 %.
    """
    headquarters = (SubjectKind.HEADQUARTERS,)
    return Scheme(
        name="项目建设推进工作考核办法",
        version=1,
        description="投资完成额、形象进度、综合评价每旬每月考核；旬红旗、月奖励、黄牌约谈、连续三月黑牌通报；年终按月考核排名（context/000）",
        subjects=(Subject(kind=SubjectKind.PROJECT), Subject(kind=SubjectKind.HEADQUARTERS)),
        weighting=Weighting.PLANNED,
        indicators=(
            InvestmentIndicator(points=40),
            ProgressIndicator(points=30),
            EvaluationIndicator(points=30, trim_from=5),
            ReportsIndicator(missing=2, late=1),
            RedLightsIndicator(per_light=3),
            AdjustmentIndicator(),
        ),
        consequences=(
            Consequence(kind=ConsequenceKind.RED_FLAG, period_kind="dekad", subjects=headquarters, count=1),
            Consequence(
                kind=ConsequenceKind.REWARD,
                period_kind="month",
                subjects=headquarters,
                count=3,
                amounts=(30_000, 20_000, 10_000),
            ),
            Consequence(
                kind=ConsequenceKind.YELLOW_CARD,
                period_kind="month",
                subjects=headquarters,
                count=1,
                interview=True,
                black_card_after=3,
                public_criticism=True,
            ),
        ),
        year_end=YearEnd(
            basis=YearEndBasis.RANK,
            bands=(
                Band(grade="优秀", share=0.2),
                Band(grade="良好", share=0.3),
                Band(grade="一般", share=0.4),
                Band(grade="较差", share=0.1),
            ),
        ),
    )
