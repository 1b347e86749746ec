"""The to-do list (待办) and each role's landing page: two small registries that the apps above fill in their
``AppConfig.ready``, so that core names none of them.

A to-do kind (:func:`register`) is one kind of work waiting for a user — reports to file, reports to review, cases,
decisions, assignments, scores — with the app's own count (a COUNT query or two in its ``queries.py``) and the link
to the app's list filtered to exactly what was counted. The header shows the total; the to-do page (``/todo/``) a
line per kind. The counts are worked out once per request (kept on the user object the request carries).

A landing (:func:`register_landing`) is where ``/`` sends the users it applies to, with the to-do kinds that tell
whether work is waiting there; :func:`landing_for` picks among them (see there for the rule and the order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Kind:
    """A kind of work: ``applies(user)`` whether the user does this kind at all (the page lists it even at 0),
    ``count(user)`` how many wait, ``url(user)`` the list that shows exactly those."""

    key: str
    label: Any  # a lazy translation
    order: int
    applies: Callable[[Any], bool]
    count: Callable[[Any], int]
    url: Callable[[Any], str]


@dataclass(frozen=True)
class Item:
    kind: Kind
    count: int
    url: str

    @property
    def label(self):
        return self.kind.label


@dataclass(frozen=True)
class Landing:
    """Where ``/`` sends a user it ``applies`` to (``url(user)`` — None when the page is not installed), and the
    to-do kinds (``work``) that tell whether something waits there."""

    key: str
    order: int
    applies: Callable[[Any], bool]
    url: Callable[[Any], str | None]
    work: tuple[str, ...] = field(default=())


_kinds: dict[str, Kind] = {}
_landings: dict[str, Landing] = {}


def register(
    key: str,
    *,
    label,
    order: int,
    applies: Callable[[Any], bool],
    count: Callable[[Any], int],
    url: Callable[[Any], str],
) -> None:
    """Add (or replace, on a second ``ready``) a to-do kind."""
    _kinds[key] = Kind(key, label, order, applies, count, url)


def register_landing(
    key: str,
    *,
    order: int,
    applies: Callable[[Any], bool],
    url: Callable[[Any], str | None],
    work: tuple[str, ...] = (),
) -> None:
    """Add (or replace) a landing page; ``order`` is its place in the fixed order (smaller first)."""
    _landings[key] = Landing(key, order, applies, url, tuple(work))


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.key))


def landings() -> list[Landing]:
    return sorted(_landings.values(), key=lambda landing: (landing.order, landing.key))


def items(user) -> list[Item]:
    """The kinds of work of ``user`` with their counts and links, in order; worked out once per request (the
    user object lives as long as the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    kept = getattr(user, "_gongjian_todo", None)
    if kept is None:
        kept = [Item(kind, kind.count(user), kind.url(user)) for kind in kinds() if kind.applies(user)]
        user._gongjian_todo = kept
    return kept


def total(user) -> int:
    return sum(item.count for item in items(user))


def waiting(user, keys: tuple[str, ...]) -> int:
    counts = {item.kind.key: item.count for item in items(user)}
    return sum(counts.get(key, 0) for key in keys)


def landing_for(user) -> str | None:
    """The page ``/`` opens for ``user``: among the landings that apply to them, the first (in the fixed order)
    where work is waiting; if none has work waiting, the first of them; None when none applies. A landing whose
    page is not installed is passed over."""
    mine = []
    for landing in landings():
        if landing.applies(user):
            url = landing.url(user)
            if url:
                mine.append((landing, url))
    for landing, url in mine:
        if landing.work and waiting(user, landing.work):
            return url
    return mine[0][1] if mine else None


def reverse_or_none(name: str, query: str = "") -> str | None:
    """The path of a URL name, or None when no installed app answers to it."""
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None
