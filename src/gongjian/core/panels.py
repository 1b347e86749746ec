"""The cockpit's panels (驾驶舱面板), registered by the apps that own their figures.

The registry sits in ``core`` so that any domain can add a panel without the cockpit importing it and without
reaching up to the cockpit (the import floors): a domain app writes a ``panels.py`` that calls :func:`register`,
and the cockpit reads every app's ``panels`` module at start (``autodiscover_modules("panels")``).

A panel's ``build(view)`` gets a :class:`View` — who looks, the year, today, the filters and the viewer's
filtered projects — and returns what its template shows (a dict), or None to stay hidden (nothing to show).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.http import urlencode


@dataclass(frozen=True)
class View:
    """What a panel is built for: ``projects`` are the viewer's active projects with the filters applied (a
    query set, to use as a subquery), ``filters`` the filters as given ({name: value}, empty ones left out)."""

    user: Any
    year: int
    today: date
    filters: Mapping[str, str]
    projects: QuerySet
    screen: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        return bool(self.filters)

    def link(self, base: str, **params: Any) -> str:
        """``base`` with the cockpit's filters and ``params`` as its query string (None values left out): the list
        behind a figure, filtered as the figure was counted. The filters are encoded once per view (a cockpit
        writes some two hundred links); the result is ``urlencode(sorted(query.items()))``."""
        encoded = self._encoded_filters
        pairs = dict(encoded)
        for key, value in params.items():
            if value is not None:
                pairs[key] = urlencode([(key, value)])
        return f"{base}?{'&'.join(pairs[key] for key in sorted(pairs))}" if pairs else base

    @cached_property
    def _encoded_filters(self) -> dict[str, str]:
        return {key: urlencode([(key, value)]) for key, value in self.filters.items()}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    build: Callable[[View], dict[str, Any] | None]
    order: int = 100
    permission: str | None = None  # who may see it beside the cockpit's own permission
    wide: bool = False
    on_screen: bool = True  # shown on the wall screen (大屏) too


_PANELS: dict[str, Panel] = {}


def register(
    key: str,
    *,
    title: str,
    template: str,
    order: int = 100,
    permission: str | None = None,
    wide: bool = False,
    on_screen: bool = True,
) -> Callable[[Callable[[View], dict[str, Any] | None]], Callable[[View], dict[str, Any] | None]]:
    """Register ``build`` as the panel ``key`` (a decorator); registering a key again replaces it."""

    def decorate(build: Callable[[View], dict[str, Any] | None]) -> Callable[[View], dict[str, Any] | None]:
        _PANELS[key] = Panel(key, title, template, build, order, permission, wide, on_screen)
        return build

    return decorate


def unregister(key: str) -> None:
    _PANELS.pop(key, None)


def registered(user=None, *, screen: bool = False) -> list[Panel]:
    """The panels in their order; those ``user`` may see (and those for the wall screen) when given."""
    panels = sorted(_PANELS.values(), key=lambda p: (p.order, p.key))
    if user is not None:
        panels = [p for p in panels if p.permission is None or user.has_perm(p.permission)]
    if screen:
        panels = [p for p in panels if p.on_screen]
    return panels
