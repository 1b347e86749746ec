"""The rules of the five links (五个环节), pure: which stage may follow which, and a unit's completion rates and
ranks against its targets. No Django; the services and queries call these with plain values."""

from __future__ import annotations

from collections.abc import Mapping

# The links in order (Stage values); "dropped" is off the line.
ORDER: tuple[str, ...] = ("talks", "signed", "funded", "started", "producing")
DROPPED = "dropped"
NAMES: dict[str, str] = {
    "talks": "洽谈",
    "signed": "签约",
    "funded": "资金到位",
    "started": "开工",
    "producing": "投产达效",
    "dropped": "已终止",
}
# 500万元: the projects counted in the attraction targets (context/001: “500万元以上项目100个以上”).
BIG_YUAN = 5_000_000


def move_problem(current: str, target: str) -> str | None:
    """Why a lead at ``current`` may not move to ``target`` (None when it may): the links are taken one after the
    other — no funds before a signed contract, no start before funds are in place, no production before the start
    — and a dropped or producing lead moves no more; any live lead may be dropped."""
    if current not in NAMES or target not in NAMES:
        return f"未知的环节：{target if current in NAMES else current}"
    if current == DROPPED:
        return "项目已终止，不能再推进环节。"
    if target == DROPPED:
        return None if current != "producing" else "项目已投产达效，不能终止。"
    at, to = ORDER.index(current), ORDER.index(target)
    if to <= at:
        return f"项目已处于“{NAMES[current]}”环节，不能回到“{NAMES[target]}”。"
    if to > at + 1:
        missing = NAMES[ORDER[at + 1]]
        return f"项目尚未完成“{missing}”，不能直接进入“{NAMES[target]}”（环节须依次推进：{'→'.join(NAMES[s] for s in ORDER)}）。"
    return None


def reached(current: str, stage: str) -> bool:
    """Whether a lead at ``current`` has passed through ``stage`` (a dropped one is judged by its own dates)."""
    return current in ORDER and ORDER.index(current) >= ORDER.index(stage)


def rate(actual: int, target: int | None) -> float | None:
    """Completion in percent of a target (None without a positive target)."""
    if not target or target <= 0:
        return None
    return round(actual * 100.0 / target, 1)


def ranks(rates: Mapping[int, float | None]) -> dict[int, int | None]:
    """Competition ranks (1, 2, 2, 4) of units by their rate, highest first; a unit without a rate has none."""
    ordered = sorted((r for r in rates.values() if r is not None), reverse=True)
    first: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {unit: (None if r is None else first[r]) for unit, r in rates.items()}


def overall_rate(rates: Mapping[str, float | None]) -> float | None:
    """A unit's overall completion: the mean of its rates on the metrics it has targets for, each capped at 100 %
    so that one figure far over its target does not hide others behind theirs."""
    known = [min(r, 100.0) for r in rates.values() if r is not None]
    return round(sum(known) / len(known), 1) if known else None
