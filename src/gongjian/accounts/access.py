"""An account's permissions and data scope, remembered by each process between API requests (issue 14).

Working them out costs three queries a request (the roles' permissions, the person and unit, the units below it),
and they change rarely. The token's query reads the access stamp (``AccessStamp``) along with the token and the
account, so the account itself — revoked token, deactivated or locked account, expired password — is read afresh
on every request; only what follows from roles, people, units and regions is remembered, under the stamp it was
worked out after. Any change to those tables gives the stamp a new random value in the same transaction (the
receivers below, and :func:`bump` where rows change without signals), so the next request of every process reads
the new stamp and works them out again.

What is remembered is only ever worked out right after the stamp was read (:func:`remember`, at authentication),
never later in a request that might have changed roles itself and then roll back. A random value is never
reused, so whatever was remembered under a stamp of a rolled-back transaction is never recalled.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from gongjian.accounts.models import AccessStamp, User

# The per-request memos of the permission backend and of org.scope_for, kept from one request to the next.
MEMOS = ("_perm_cache", "_gongjian_scope")

_remembered: dict[int, tuple[tuple, dict[str, Any]]] = {}


def bump() -> None:
    """Give the stamp a new value: every process works permissions and scopes out again at its next request. Call
    it after changing rows of the tables below in a way that sends no signal (``update``, ``bulk_create``)."""
    value = secrets.token_hex(16)
    try:
        with transaction.atomic():
            if not AccessStamp.objects.filter(pk=1).update(value=value):
                AccessStamp.objects.create(pk=1, value=value)
    except DatabaseError:
        if AccessStamp._meta.db_table in connection.introspection.table_names():
            raise
        # A flush or a migration on a schema from before the stamp: nothing can be remembered without it either.


def _key(user) -> tuple | None:
    stamp = getattr(user, "access_stamp", None)
    return None if stamp is None else (stamp, user.is_active, user.is_superuser)


def recall(user) -> bool:
    """Put on ``user`` what this process remembers of the account under the stamp its request read; False when
    nothing is remembered under it."""
    key = _key(user)
    entry = _remembered.get(user.pk)
    if key is None or entry is None or entry[0] != key:
        return False
    for name, value in entry[1].items():
        setattr(user, name, value)
    return True


def remember(user) -> None:
    """Keep the memos worked out on ``user`` for the next requests; only right after the stamp was read."""
    key = _key(user)
    if key is None:
        return
    memos = {}
    for name in MEMOS:
        if hasattr(user, name):
            value = getattr(user, name)
            memos[name] = frozenset(value) if isinstance(value, set) else value
    _remembered[user.pk] = (key, memos)


def forget_all() -> None:
    """For tests: start from nothing remembered."""
    _remembered.clear()


# Who may do what follows from these rows (org adds people, units and regions): any change moves the stamp. Not a
# business rule, only the remembered copies' expiry.


def _changed(sender, **kwargs) -> None:
    bump()


def _account_added_or_removed(sender, created: bool = True, **kwargs) -> None:
    if created:  # an account's own columns are read with its token on every request; its rows are new here
        bump()


def _membership_changed(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        bump()


def connect() -> None:
    for model in (Group, Permission):
        post_save.connect(_changed, sender=model, dispatch_uid=f"access-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"access-delete-{model.__name__}")
    post_save.connect(_account_added_or_removed, sender=User, dispatch_uid="access-save-user")
    post_delete.connect(_changed, sender=User, dispatch_uid="access-delete-user")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            _membership_changed, sender=through, dispatch_uid=f"access-m2m-{through.__name__}"
        )
