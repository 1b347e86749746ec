"""The service teams' daily cycle (每天一调度、一总结、一部署、一汇报): each team's report of the day and the tasks
the headquarters deploys to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.org.models import Unit


class DailyReport(models.Model):
    """A service team's report of one day (每天一汇报): what was done, the day's figures, what is planned for
    tomorrow and what it needs the headquarters for."""

    team = models.ForeignKey(
        Unit, verbose_name=_("工作队"), on_delete=models.PROTECT, related_name="daily_reports"
    )
    day = models.DateField(_("日期"))
    done = models.TextField(_("今日完成"))
    households_signed = models.PositiveIntegerField(_("签约户数"), default=0)
    buildings_demolished = models.PositiveIntegerField(_("拆除房屋（处）"), default=0)
    problems_solved = models.PositiveIntegerField(_("解决问题（个）"), default=0)
    plan = models.TextField(_("明日计划"), blank=True)
    needs = models.TextField(_("需指挥部协调"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("填报时间"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("工作队日报")
        verbose_name_plural = _("工作队日报")
        ordering = ["-day", "team"]
        constraints = [models.UniqueConstraint(fields=["team", "day"], name="one_daily_report")]

    def __str__(self) -> str:
        return f"{self.team} {self.day}"


class DailyTask(models.Model):
    """A task the headquarters deploys to a team for a day (每天一部署)."""

    team = models.ForeignKey(
        Unit, verbose_name=_("工作队"), on_delete=models.PROTECT, related_name="daily_tasks"
    )
    day = models.DateField(_("日期"))
    text = models.CharField(_("任务"), max_length=300)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("部署人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deployed_at = models.DateTimeField(_("部署时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("每日部署")
        verbose_name_plural = _("每日部署")
        ordering = ["day", "team", "id"]

    def __str__(self) -> str:
        return self.text
