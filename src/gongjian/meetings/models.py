"""Dispatch (调度): meetings with an agenda drafted from the data and the decisions they take, each tracked to
closure as a case (督办件) with the escalations' reminders and ladder; the service teams' daily cycle (每天一调度、
一总结、一部署、一汇报); assignments to many units at once with per-unit hand-ins (现场会: discussion within a
week, report within two); and the briefings (情况通报) and minutes (会议纪要) issued as official documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.lights.choices import CaseState
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project


class MeetingKind(models.TextChoices):
    DAILY = "daily", _("日调度")
    DEKAD = "dekad", _("旬调度")
    MONTHLY = "monthly", _("月度调度")
    SPECIAL = "special", _("专题调度")
    ONSITE = "onsite", _("现场会")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已召开")


class Meeting(models.Model):
    """A dispatch meeting: when, who chaired and attended, the projects it covered, its agenda (drafted from the
    data when it was created, then edited), and what was said."""

    kind = models.CharField(_("会议类型"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    chair = models.ForeignKey(Person, verbose_name=_("主持人"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="chaired_meetings")
    attendees = models.ManyToManyField(Person, verbose_name=_("参会人员"), blank=True, related_name="meetings")
    other_attendees = models.CharField(_("其他参会人员"), max_length=500, blank=True)
    projects = models.ManyToManyField(Project, verbose_name=_("调度项目"), blank=True, related_name="meetings")
    agenda = models.JSONField(_("议程"), default=list)  # [{"section", "text", "project_id", "ref"}]
    notes = models.TextField(_("会议情况"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
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

    meeting = models.ForeignKey(Meeting, verbose_name=_("调度会"), on_delete=models.CASCADE,
                                related_name="decisions")
    number = models.PositiveIntegerField(_("序号"))
    text = models.TextField(_("事项"))
    owner = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                              related_name="decisions")
    assignee = models.ForeignKey(Person, verbose_name=_("责任人"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="decisions")
    deadline = models.DateField(_("完成时限"))
    projects = models.ManyToManyField(Project, verbose_name=_("相关项目"), blank=True, related_name="decisions")
    problem = models.ForeignKey("reports.Problem", verbose_name=_("相关问题"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="decisions")
    case = models.OneToOneField("lights.Case", verbose_name=_("督办件"), on_delete=models.PROTECT,
                                related_name="decision")

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


class DailyReport(models.Model):
    """A service team's report of one day (每天一汇报): what was done, the day's figures, what is planned for
    tomorrow and what it needs the headquarters for."""

    team = models.ForeignKey(Unit, verbose_name=_("工作队"), on_delete=models.PROTECT, related_name="daily_reports")
    day = models.DateField(_("日期"))
    done = models.TextField(_("今日完成"))
    households_signed = models.PositiveIntegerField(_("签约户数"), default=0)
    buildings_demolished = models.PositiveIntegerField(_("拆除房屋（处）"), default=0)
    problems_solved = models.PositiveIntegerField(_("解决问题（个）"), default=0)
    plan = models.TextField(_("明日计划"), blank=True)
    needs = models.TextField(_("需指挥部协调"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
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

    team = models.ForeignKey(Unit, verbose_name=_("工作队"), on_delete=models.PROTECT, related_name="daily_tasks")
    day = models.DateField(_("日期"))
    text = models.CharField(_("任务"), max_length=300)
    deployed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("部署人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    deployed_at = models.DateTimeField(_("部署时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("每日部署")
        verbose_name_plural = _("每日部署")
        ordering = ["day", "team", "id"]

    def __str__(self) -> str:
        return self.text


class Assignment(models.Model):
    """A task given to many units at once, in steps with their own deadlines (e.g. after an on-site review:
    "each department: discussion within one week, report within two")."""

    title = models.CharField(_("标题"), max_length=200)
    instructions = models.TextField(_("要求"))
    meeting = models.ForeignKey(Meeting, verbose_name=_("来源会议"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="assignments")
    units = models.ManyToManyField(Unit, verbose_name=_("承办单位"), related_name="assignments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
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
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="submissions")
    text = models.TextField(_("报送内容"), blank=True)  # files alone are a hand-in too
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
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
    file = models.FileField(_("附件"), upload_to="dispatch/%Y/%m/")
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


class DocumentKind(models.TextChoices):
    BRIEFING = "briefing", _("调度情况通报")
    MINUTES = "minutes", _("会议纪要")


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


class Document(models.Model):
    """A briefing (情况通报) of a period or the minutes (会议纪要) of a meeting: drafted from the data, its text
    edited by the office, then issued once with a number from the counter; the issued .docx is kept."""

    kind = models.CharField(_("类型"), max_length=10, choices=DocumentKind.choices)
    period_code = models.CharField(_("期别"), max_length=12, blank=True)
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="documents")
    title = models.CharField(_("标题"), max_length=200)
    sections = models.JSONField(_("正文"), default=list)  # [{"heading", "text", "table": {"columns", "rows"}}]
    state = models.CharField(_("状态"), max_length=10, choices=DocumentState.choices, default=DocumentState.DRAFT)
    number = models.CharField(_("文号"), max_length=40, blank=True)
    issue = models.PositiveIntegerField(_("期数"), null=True, blank=True)
    content = models.BinaryField(_("印发文件"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("通报与纪要")
        verbose_name_plural = _("通报与纪要")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
