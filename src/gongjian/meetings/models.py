"""Dispatch meetings (调度会) with an agenda drafted from the data, and the decisions (交办事项) they take, each
tracked to closure as a case (督办件) with the escalations' reminders and ladder."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.lights.choices import CaseState
from gongjian.meetings.choices import MeetingKind, MeetingState
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project


class Meeting(models.Model):
    """A dispatch meeting: when, who chaired and attended, the projects it covered, its agenda (drafted from the
    data when it was created, then edited), and what was said."""

    kind = models.CharField(_("会议类型"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    chair = models.ForeignKey(
        Person,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    attendees = models.ManyToManyField(
        Person, verbose_name=_("参会人员"), blank=True, related_name="meetings"
    )
    other_attendees = models.CharField(_("其他参会人员"), max_length=500, blank=True)
    projects = models.ManyToManyField(
        Project, verbose_name=_("调度项目"), blank=True, related_name="meetings"
    )
    agenda = models.JSONField(_("议程"), default=list)  # [{"section", "text", "project_id", "ref"}]
    notes = models.TextField(_("会议情况"), blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("调度会")
        verbose_name_plural = _("调度会")
        ordering = ["-held_at", "-id"]
        permissions = [("run_dispatch", _("组织调度会、交办事项和通报"))]

    def __str__(self) -> str:
        return f"{self.title}（{timezone.localtime(self.held_at):%Y-%m-%d}）"


class Decision(models.Model):
    """A decision taken at a meeting (部署事项/交办事项): for a unit and a person, by a deadline, about projects or a
    problem; it is tracked as a case of kind "decision", so it is signed for, handled, closed and climbs the
    ladder like any escalation."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("调度会"), on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveIntegerField(_("序号"))
    text = models.TextField(_("事项"))
    owner = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="decisions"
    )
    assignee = models.ForeignKey(
        Person,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    deadline = models.DateField(_("完成时限"))
    projects = models.ManyToManyField(
        Project, verbose_name=_("相关项目"), blank=True, related_name="decisions"
    )
    problem = models.ForeignKey(
        "reports.Problem",
        verbose_name=_("相关问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    case = models.OneToOneField(
        "lights.Case", verbose_name=_("督办件"), on_delete=models.PROTECT, related_name="decision"
    )

    class Meta:
        verbose_name = _("交办事项")
        verbose_name_plural = _("交办事项")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_decision_number")]

    def __str__(self) -> str:
        return f"{self.meeting.title} 第{self.number}项"

    @property
    def is_closed(self) -> bool:
        return self.case.state == CaseState.CLOSED

    @property
    def overdue(self) -> bool:
        """Past its deadline today (Asia/Shanghai) and not closed."""
        return not self.is_closed and self.deadline < timezone.localdate()
