"""Assignments (任务交办) given to many units at once in steps with deadlines — after an on-site review meeting
(现场会): discussion within a week, report within two — and each unit's hand-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.org.models import Unit


class Assignment(models.Model):
    """A task given to many units at once, in steps with their own deadlines (e.g. after an on-site review:
    "each department: discussion within one week, report within two")."""

    title = models.CharField(_("标题"), max_length=200)
    instructions = models.TextField(_("要求"))
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("来源会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    units = models.ManyToManyField(Unit, verbose_name=_("承办单位"), related_name="assignments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("下发时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务交办")
        verbose_name_plural = _("任务交办")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AssignmentStep(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("环节"), max_length=100)
    deadline = models.DateField(_("时限"))

    class Meta:
        verbose_name = _("交办环节")
        verbose_name_plural = _("交办环节")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.deadline}）"


class Submission(models.Model):
    """A unit's hand-in for one step: text and files, once (a correction replaces it before the deadline)."""

    step = models.ForeignKey(AssignmentStep, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="submissions"
    )
    text = models.TextField(_("报送内容"), blank=True)  # files alone are a hand-in too
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")
        constraints = [models.UniqueConstraint(fields=["step", "unit"], name="one_submission")]

    def __str__(self) -> str:
        return f"{self.unit} {self.step}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("附件"), upload_to="assignments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """That a unit was reminded of a step (once a day at most)."""

    step = models.ForeignKey(AssignmentStep, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "unit", "day"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.step_id} {self.day}"
