"""Background work (后台任务) a person asked for — a recompute, an assessment run, an import, an export, a
document — with its progress, its result and, when it failed, why; and the scheduler's runs, step by step."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.jobs.choices import JobState


class Job(models.Model):
    """One piece of background work: queued by a request (which answers at once with its id), run by the worker,
    its progress (``done`` of ``total``, and ``step`` in words) written as it goes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("任务类型"), max_length=60, db_index=True)
    label = models.CharField(_("任务"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    state = models.CharField(_("状态"), max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总量"), default=0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    result = models.JSONField(_("结果"), default=dict)
    result_url = models.CharField(_("结果链接"), max_length=300, blank=True)
    file_name = models.CharField(_("结果文件"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    detail = models.TextField(_("错误详情"), blank=True)  # the traceback, for the office
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_state_display()}）"

    @property
    def percent(self) -> int:
        if self.state == JobState.SUCCEEDED:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class ScheduleRun(models.Model):
    """One run of the scheduler (``gongjian tick``): each step's outcome, in order."""

    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    steps = models.JSONField(
        _("各步骤"), default=list
    )  # [{"name", "label", "ok", "seconds", "summary", "error"}]
    ok = models.BooleanField(_("全部成功"), default=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"
