"""Background and scheduled work of the targets: fill a month's computed actuals from their sources (the office
asks for a month, or the daily schedule fills last month's), and compute a year's settlement (兑现) over every
contract, which the office follows on the task's page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.jobs.services import Progress, job
from gongjian.targets import services


@job("targets.compute", permission="targets.manage_targets")
def compute(progress: Progress, *, year: int, month: int, actor_id: int | None = None) -> dict:
    """The computed actuals of ``year`` to the end of ``month``, each submitted for the office's review."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    progress(0, 1, _("计算"))
    written = services.compute_actuals(year, month, actor=actor)
    progress(1, 1)
    return {
        "summary": _("已计算 %(year)d年%(month)d月的系统计算指标 %(n)d 项，等待审核。")
        % {"year": year, "month": month, "n": written},
        "url": reverse("targets:review"),
    }


@job("targets.settle", permission="targets.manage_targets")
def settle(
    progress: Progress,
    *,
    year: int,
    through_month: int = 12,
    reason: str = "",
    expected_version: int | None = None,
    actor_id: int | None = None,
) -> dict:
    """The settlement of ``year`` through ``through_month`` (see services.run_settlement), in one transaction."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    settlement = services.run_settlement(
        year,
        actor=actor,
        through_month=through_month,
        reason=reason,
        expected_version=expected_version,
        progress=progress,
    )
    return {
        "summary": _("已计算 %(year)d 年第 %(rev)d 版兑现结果（截至 %(m)d 月，%(n)d 个单位），待发布。")
        % {
            "year": year,
            "rev": settlement.revision,
            "m": settlement.through_month,
            "n": settlement.lines.count(),
        },
        "settlement_id": settlement.pk,
        "url": reverse("targets:settlement_detail", args=[settlement.pk]),
    }


def compute_last_month() -> str:
    """The schedule's step: last month's computed actuals of its year (safe to run every day)."""
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return _("写入 %(n)d 项") % {"n": services.compute_actuals(year, month, actor=None)}
