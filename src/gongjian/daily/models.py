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


def _photo_path(photo: DailyPhoto, filename: str) -> str:
    report = photo.report
    return f"photos/daily/{report.team_id}/{report.day:%Y-%m-%d}/{photo.sha256[:16]}{_suffix(photo)}"


def _thumbnail_path(photo: DailyPhoto, filename: str) -> str:
    report = photo.report
    return f"photos/daily/{report.team_id}/{report.day:%Y-%m-%d}/{photo.sha256[:16]}.thumb.jpg"


def _suffix(photo: DailyPhoto) -> str:
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(photo.content_type, "")


class DailyPhoto(models.Model):
    """A photo of a team's day (现场照片) attached to its daily report, with the time and place its EXIF gives and
    what about them the headquarters should look at (``flags``: flagged, never refused), as the reports' site
    photos. Files are served only through a view that checks the reader's reach."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=_photo_path, max_length=200)
    thumbnail = models.FileField(_("缩略图"), upload_to=_thumbnail_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=20)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("拍摄纬度"), max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("拍摄经度"), max_digits=9, decimal_places=6, null=True, blank=True)
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
        verbose_name = _("日报照片")
        verbose_name_plural = _("日报照片")
        ordering = ["report", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "sha256"], name="daily_photo_once")]

    def __str__(self) -> str:
        return self.original_name


class DailyProblem(models.Model):
    """A problem a team asked the headquarters to coordinate (需指挥部协调) in its daily report: one line of the
    report's needs, opened once as a case (督办件, gongjian.lights) owned by the team's headquarters."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="problems")
    text = models.CharField(_("问题"), max_length=300)
    case = models.OneToOneField(
        "lights.Case",
        verbose_name=_("督办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="daily_problem",
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日报协调问题")
        verbose_name_plural = _("日报协调问题")
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "text"], name="daily_problem_once")]

    def __str__(self) -> str:
        return self.text
