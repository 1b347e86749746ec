"""Sections of a project's page added by the apps above projects (the import floors keep projects from naming
them): attraction shows the lead a project came from and its history. An app registers in its
``AppConfig.ready`` a ``build(project, user)`` giving its template's context, or None to show nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Extra:
    key: str
    template: str
    build: Callable[[Any, Any], dict[str, Any] | None]


_EXTRAS: dict[str, Extra] = {}


def register(key: str, *, template: str, build: Callable[[Any, Any], dict[str, Any] | None]) -> None:
    _EXTRAS[key] = Extra(key, template, build)


def sections(project, user) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every registered section with something to show for ``user``."""
    out = []
    for extra in _EXTRAS.values():
        data = extra.build(project, user)
        if data is not None:
            out.append((extra.template, data))
    return out
