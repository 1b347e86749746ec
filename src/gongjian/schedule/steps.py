"""The scheduler: what ``gongjian tick`` (cron, e.g. hourly) does, in order, one step per app's ``tasks.py`` entry
point. Each step runs in its own transaction and error boundary — a failing step is recorded and the next ones
still run — and the run's outcome, step by step, is kept for the office (后台任务 page)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongjian.accounts import tasks as accounts
from gongjian.assess import tasks as assess
from gongjian.assignments import tasks as assignments
from gongjian.attraction import tasks as attraction
from gongjian.core import tasks as core
from gongjian.jobs import tasks as jobs
from gongjian.jobs.models import ScheduleRun
from gongjian.land import tasks as land
from gongjian.lights import tasks as lights
from gongjian.reports import tasks as reports
from gongjian.targets import tasks as targets

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[], str]
    # In one transaction (a failure changes nothing); a step whose record must survive its own failure (the audit
    # chain's check result) says False.
    atomic: bool = True


STEPS = [
    Step("reports.open_and_remind", "开放填报期、催报", reports.open_periods_and_remind),
    Step("lights.relight", "重算本年度红绿灯", lights.relight_year),
    Step("lights.cases", "督办件升级与提醒", lights.climb_and_remind_cases),
    Step("assess.draft", "起草到期考核", assess.draft_due_runs),
    Step("assess.commitments", "逾期整改承诺提醒", assess.remind_overdue_commitments),
    Step("assignments.remind", "交办报送提醒", assignments.remind_assignments),
    Step("attraction.stalled", "停滞招商项目提醒", attraction.remind_stalled),
    Step("targets.compute", "计算上月系统计算指标", targets.compute_last_month),
    Step("land.lawful", "依法征收期限提醒", land.remind_lawful),
    Step("accounts.tokens", "接口令牌过期", accounts.record_token_expiries),
    Step("jobs.files", "清理过期任务文件", jobs.remove_old_files),
    Step("core.audit_chain", "审计链校验", core.check_audit_chain, atomic=False),
]


def run(steps: list[Step] | None = None) -> ScheduleRun:
    """Run every step in order and keep the outcome of each."""
    record = ScheduleRun.objects.create()
    outcomes = []
    for step in steps or STEPS:
        clock = time.perf_counter()
        try:
            with transaction.atomic() if step.atomic else nullcontext():
                summary, ok, error = step.run(), True, ""
        except Exception as exc:  # recorded; the next steps still run
            logger.exception("scheduled step %s failed", step.name)
            summary, ok, error = "", False, (str(exc) or type(exc).__name__)[:500]
        outcomes.append(
            {
                "name": step.name,
                "label": step.label,
                "ok": ok,
                "summary": summary,
                "error": error,
                "seconds": round(time.perf_counter() - clock, 3),
            }
        )
    record.steps, record.ok, record.finished_at = outcomes, all(o["ok"] for o in outcomes), timezone.now()
    record.save()
    return record
