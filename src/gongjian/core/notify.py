"""Sending notifications: always in the app; by e-mail when SMTP is configured; to a WeCom/DingTalk-style bot
when a webhook is configured. Outside channels go out after the transaction commits, so a rolled-back action
sends nothing, and a failing channel never undoes the action."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from gongjian.core.models import Notification

log = logging.getLogger(__name__)


def sign(body: bytes, secret: str, timestamp: str) -> str:
    """HMAC-SHA256 over ``timestamp.body``: the receiver recomputes it with the shared secret."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post_webhook(payload: dict, *, url: str, secret: str, timeout: float = 5.0) -> int:
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Gongjian-Timestamp": timestamp,
            "X-Gongjian-Signature": "sha256=" + sign(body, secret, timestamp),
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def notify(users: Iterable, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Notify ``users`` in the app and, after commit, by e-mail and webhook where configured."""
    return notify_all([(users, title, body, url)])


def notify_all(messages: Iterable[tuple[Iterable, str, str, str]]) -> list[Notification]:
    """:func:`notify` for many messages at once — (users, title, body, url) each —, their rows written together
    and sent outside after the commit one message after the other."""
    rows: list[Notification] = []
    outside = []
    for users, title, body, url in messages:
        users = [u for u in users if u is not None and u.is_active]
        rows += [Notification(user=u, title=title, body=body, url=url) for u in users]
        outside.append((users, title, body, url))
    if rows:
        rows = Notification.objects.bulk_create(rows, batch_size=2000)

    def send_outside() -> None:
        for users, title, body, url in outside:
            _send_outside(users, title, body, url)

    transaction.on_commit(send_outside)
    return rows


def _send_outside(users: list, title: str, body: str, url: str) -> None:
    emails = [u.email for u in users if u.email]
    if settings.EMAIL_HOST and emails:
        try:
            send_mail(title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, emails)
        except Exception:  # a mail server being down must not break the action
            log.exception("e-mail notification failed")
    if settings.GONGJIAN_WEBHOOK_URL:
        try:
            post_webhook(
                {"title": title, "text": body, "url": url, "to": [u.username for u in users]},
                url=settings.GONGJIAN_WEBHOOK_URL,
                secret=settings.GONGJIAN_WEBHOOK_SECRET,
            )
        except Exception:
            log.exception("webhook notification failed")
