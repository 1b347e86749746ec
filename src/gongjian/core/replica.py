"""Reads from a PostgreSQL streaming replica (a province's set-up), writes and read-after-write on the primary.

With ``GONGJIAN_DATABASE_REPLICA_URL`` set, settings add the ``replica`` database, this router and the middleware
below. A page or API list read with GET or HEAD goes to the replica; everything else — every write, every read in
a request that writes, the worker, the scheduler, commands — stays on the primary. A browser or client that has
just written is held on the primary for ``GONGJIAN_REPLICA_PIN_SECONDS`` (5 s, longer than a healthy replica's
lag) by a cookie, so it reads back what it saved; an API client without cookies sends ``X-Gongjian-Primary: 1``
when it must read its own write at once (the answer to a write already carries the object written).
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "gongjian_primary"
PIN_HEADER = "HTTP_X_GONGJIAN_PRIMARY"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# True while a request that only reads is being answered; threads and commands start with False.
_reading: ContextVar[bool] = ContextVar("gongjian_replica_reading", default=False)


def configured() -> bool:
    return REPLICA in connections.databases


class ReplicaRouter:
    """Send reads to the replica while a read-only request is answered; nothing else ever goes there."""

    def db_for_read(self, model, **hints) -> str | None:
        return REPLICA if _reading.get() else None

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Rows read from either copy are the same rows: relations between them are allowed.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db != REPLICA


def reads_from_replica(request) -> bool:
    """Whether ``request`` may read from the replica: it only reads, and its sender has not just written."""
    return (
        request.method in SAFE_METHODS
        and PIN_COOKIE not in request.COOKIES
        and request.META.get(PIN_HEADER, "") not in {"1", "true", "yes"}
    )


class ReplicaReadsMiddleware:
    """Route the reads of read-only requests to the replica; pin a writer to the primary for a few seconds."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.pin_seconds = int(getattr(settings, "REPLICA_PIN_SECONDS", 5))

    def __call__(self, request):
        token = _reading.set(reads_from_replica(request))
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=self.pin_seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
