"""Optimistic locking (乐观锁). Every object a person edits carries a ``version``; a write names the version the
writer loaded, the service locks the row, compares, and refuses the write as stale (:class:`Stale`, answered 409
by the API and by the pages) when someone else has saved since. Every write that goes through bumps the version.

A create that finds the object already there (an upsert: a daily report for the same team and day, a hand-in for
the same step) is a write to that object too: without a version it is refused as stale, with the version there
now, so that nobody overwrites work they have not seen.

:data:`ANY_VERSION` is for the writers that overwrite whatever is there on purpose and say so: a batch filing
whose sheet is the truth, the command line, the demo loader and the system's own scheduled checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Schema


class Stale(ValidationError):
    """Someone else changed the object since the writer loaded it; ``current_version`` is the version there now."""

    def __init__(self, message, *, code: str = "stale", current_version: int | None = None):
        super().__init__(message, code=code)
        self.code = code  # kept for a dict of messages too (one per object of a batch), which Django drops
        self.current_version = current_version


class _AnyVersion:
    def __repr__(self) -> str:
        return "ANY_VERSION"


# For a writer that means to overwrite whatever is there (see the module's docstring).
ANY_VERSION: Any = _AnyVersion()


def check_version(current: int, expected: int | None, what: str, *, acting: bool = False) -> None:
    """Refuse a write made from version ``expected`` of an object (named ``what`` in the message: "会议") that is
    at version ``current`` now. ``expected`` None means the writer did not know the object was there."""
    if expected is ANY_VERSION or (expected is not None and expected == current):
        return
    if expected is None:
        message = _("该%(what)s已由他人先行保存（当前版本 %(v)d），请刷新后在其基础上修改。")
    elif acting:
        message = _("该%(what)s已被他人处理（当前版本 %(v)d），请刷新后再操作。")
    else:
        message = _("该%(what)s已被他人修改（当前版本 %(v)d），请刷新后重新编辑。")
    raise Stale(message % {"what": what, "v": current}, current_version=current)


def raced(what: str, current: int | None = None) -> Stale:
    """A create that lost the race with another one for the same key (the database refused the second row): it is
    a stale write of the row the other one made."""
    return Stale(
        _("该%(what)s刚被他人创建，请刷新后在其基础上修改。") % {"what": what}, current_version=current
    )


def posted_version(data, name: str = "version") -> int | None:
    """The version a page's form carried (a hidden input), or None when it carried none or garbage."""
    text = (data.get(name) or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


class StaleMessage(Schema):
    field: str | None
    message: str


class StaleOut(Schema):
    """The API's answer to a stale write (409): the same shape as every error, plus the version to reload."""

    code: str  # "stale"
    errors: list[StaleMessage]
    current_version: int | None = None
