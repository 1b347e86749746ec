"""What the apps above assess add to the cadre archive (干部考核档案): a registry of credit sources, so that the
archive names no app above it (the import floors). An app registers in its ``AppConfig.ready`` a function of the
year giving, per person id, a line of credit — e.g. attraction's 全员招商: the leads a cadre introduced and what
they came to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    label: str  # the archive's heading for it: 招商引资
    lines: Callable[[int], dict[int, str]]  # year → {person_id: the line of credit}


_SOURCES: dict[str, Source] = {}


def register_credit(key: str, label: str, lines: Callable[[int], dict[int, str]]) -> None:
    """Add (or replace, on a second ``ready``) a source of credit."""
    _SOURCES[key] = Source(key, label, lines)


def credits(year: int, person_ids: set[int] | None = None) -> dict[int, list[tuple[str, str]]]:
    """Each person's credit lines of ``year`` as (label, text), in the order the sources were registered."""
    out: dict[int, list[tuple[str, str]]] = {}
    for source in _SOURCES.values():
        for person_id, text in source.lines(year).items():
            if person_ids is None or person_id in person_ids:
                out.setdefault(person_id, []).append((source.label, text))
    return out
