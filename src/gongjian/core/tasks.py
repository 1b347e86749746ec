"""Scheduled work of the core: check the audit trail's hash chain (the last day's events; the whole chain once a
day)."""

from datetime import timedelta

from django.utils import timezone

from gongjian.core import audit


class ChainBroken(Exception):
    """The audit chain does not verify: the scheduler records the step as failed, naming where."""


def check_audit_chain() -> str:
    verdict = audit.check_and_remember(since=timezone.now() - timedelta(days=1))
    scope = "最近一天"
    if verdict.ok and audit.full_check_due():
        verdict, scope = audit.check_and_remember(), "全部"
    if not verdict.ok:
        raise ChainBroken(f"审计链校验不通过：{verdict.broken}")
    return f"审计链（{scope}）{verdict.checked} 条完好"
