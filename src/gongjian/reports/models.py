"""Periodic reports (旬报/月报): the reporting periods the office opens and each project's report in them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.core.periods import Period
from gongjian.org.models import Unit
from gongjian.projects.models import Milestone, Project
from gongjian.reports.choices import PeriodKind, ProblemCategory, ReportState


class ReportingPeriod(models.Model):
    """A ten-day period or month the project office opened for reporting, with its filing window (填报时间)."""

    kind = models.CharField(_("类型"), max_length=10, choices=PeriodKind.choices)
    code = models.CharField(
        _("期别"), max_length=12, unique=True, help_text=_("如 2026-11-2（11月中旬）、2026-11（11月）")
    )
    opens_at = models.DateTimeField(_("开始填报"))
    deadline = models.DateTimeField(_("填报截止"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_reminded_at = models.DateTimeField(_("最近催报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return str(self.period)

    @property
    def period(self) -> Period:
        return Period.parse(self.code)


class Report(models.Model):
    """One project's report for one period (项目旬报/月报). Money in yuan; cumulative figures are computed."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("填报期"), on_delete=models.PROTECT, related_name="reports"
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT, db_index=True
    )
    amount = models.BigIntegerField(_("本期完成投资（元）"), default=0)
    year_to_date = models.BigIntegerField(_("本年累计完成（元）"), default=0)
    since_start = models.BigIntegerField(_("开工累计完成（元）"), default=0)
    stated_year_to_date = models.BigIntegerField(_("填报的本年累计（元）"), null=True, blank=True)
    stated_since_start = models.BigIntegerField(_("填报的开工累计（元）"), null=True, blank=True)
    explanation = models.TextField(_("差异说明"), blank=True, validators=[MaxLengthValidator(2000)])
    progress_percent = models.DecimalField(
        _("形象进度（%）"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    progress_text = models.TextField(_("形象进度描述"), blank=True, validators=[MaxLengthValidator(5000)])
    workers = models.PositiveIntegerField(_("在岗施工人数"), default=0)
    next_plan = models.TextField(_("下期计划"), blank=True, validators=[MaxLengthValidator(5000)])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True, validators=[MaxLengthValidator(2000)])
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("项目报告")
        verbose_name_plural = _("项目报告")
        ordering = ["period", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="one_report_per_period")]
        permissions = [("submit_report", _("填报并提交报告")), ("review_report", _("审核报告"))]

    def __str__(self) -> str:
        return f"{self.project.name} {self.period}"

    def is_editable(self) -> bool:
        return self.state in {ReportState.DRAFT, ReportState.RETURNED}

    def can_be_reviewed(self) -> bool:
        return self.state == ReportState.SUBMITTED


class ReportRevision(models.Model):
    """A kept version of a report (每一版都留存): written at every submission, return and approval."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(_("状态"), max_length=12, choices=ReportState.choices)
    data = models.JSONField(_("内容"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报告版本")
        verbose_name_plural = _("报告版本")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_revision_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"


class ReportedMilestone(models.Model):
    """A milestone the report says was reached, with its actual date; applied to the project on approval."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="milestones_reached")
    # PROTECT: a report's history never disappears with a milestone (the registry edits milestones in place).
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("节点"), on_delete=models.PROTECT, related_name="+"
    )
    actual_date = models.DateField(_("实际完成日期"))

    class Meta:
        verbose_name = _("报告的节点完成")
        verbose_name_plural = _("报告的节点完成")
        constraints = [
            models.UniqueConstraint(fields=["report", "milestone"], name="reported_milestone_unique")
        ]

    def __str__(self) -> str:
        return f"{self.milestone} {self.actual_date}"


class Problem(models.Model):
    """A problem needing coordination (需协调解决的问题) raised in a report, addressed to the unit that should
    solve it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="problems")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    category = models.CharField(_("问题类别"), max_length=20, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"), validators=[MaxLengthValidator(2000)])
    unit_asked = models.ForeignKey(
        Unit, verbose_name=_("请求协调单位"), on_delete=models.PROTECT, related_name="problems_asked"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需协调问题")
        verbose_name_plural = _("需协调问题")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:30]}"


def _photo_path(photo: ReportPhoto, filename: str) -> str:
    return f"photos/{photo.report.period.code}/{photo.report.project_id}/{photo.sha256[:16]}{_suffix(photo)}"


def _thumbnail_path(photo: ReportPhoto, filename: str) -> str:
    return f"photos/{photo.report.period.code}/{photo.report.project_id}/{photo.sha256[:16]}.thumb.jpg"


def _suffix(photo: ReportPhoto) -> str:
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(photo.content_type, "")


class ReportPhoto(models.Model):
    """A site photo (现场照片) of a report, with the time and place its EXIF gives and what about them the
    reviewer should look at (``flags``: photos are flagged, never refused). Files are served only through a
    view that checks the viewer's scope."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=_photo_path, max_length=200)
    thumbnail = models.FileField(_("缩略图"), upload_to=_thumbnail_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=20)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("拍摄纬度"), max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("拍摄经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("距项目现场（米）"), null=True, blank=True)
    flags = models.JSONField(_("提示"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["report", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "sha256"], name="report_photo_once")]

    def __str__(self) -> str:
        return self.original_name
