"""Writing the audit trail. Services call :func:`record` inside their transaction, so an action and its
audit event are saved together or not at all."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from gongjian.core.models import AuditEvent

_PRIMITIVE = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """Turn a field value into something JSON can hold and a person can read."""
    # Fast paths: most values are primitives, and plans are lists of 36 integers.
    if type(value) in _PRIMITIVE:
        return value
    if type(value) is list and all(type(v) in _PRIMITIVE for v in value):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), for the before/after of an event."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys whose values differ, so an event shows what changed and nothing else."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after.keys() | before.keys() if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in sorted(keys)}, {k: after.get(k) for k in sorted(keys)}


def build_event(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    success: bool = True,
    note: str = "",
    ip_address: str | None = None,
    only_changes: bool = True,
) -> AuditEvent:
    """An unsaved audit event, for writers that save many at once with ``bulk_create``."""
    if only_changes:
        before, after = changes(before, after)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=user,
        actor_name=getattr(user, "username", "") or ("system" if actor is None else str(actor)),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=_plain(before),
        after=_plain(after),
        success=success,
        note=note,
        ip_address=ip_address,
    )


def record(action: str, **kwargs: Any) -> AuditEvent:
    """Save one audit event. ``action`` is a dotted verb such as ``project.update``; see :func:`build_event`."""
    event = build_event(action, **kwargs)
    event.save()
    return event
