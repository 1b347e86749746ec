"""Official documents drafted from the data: briefings (调度情况通报) of a period and minutes (会议纪要) of a
meeting, edited by the office and issued once as .docx."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.documents.choices import DocumentKind, DocumentState


class Document(models.Model):
    """A briefing (情况通报) of a period or the minutes (会议纪要) of a meeting: drafted from the data, its text
    edited by the office, then issued once with a number from the counter; the issued .docx is kept."""

    kind = models.CharField(_("类型"), max_length=10, choices=DocumentKind.choices)
    period_code = models.CharField(_("期别"), max_length=12, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField(_("标题"), max_length=200)
    sections = models.JSONField(
        _("正文"), default=list
    )  # [{"heading", "text", "table": {"columns", "rows"}}]
    state = models.CharField(
        _("状态"), max_length=10, choices=DocumentState.choices, default=DocumentState.DRAFT
    )
    number = models.CharField(_("文号"), max_length=40, blank=True)
    issue = models.PositiveIntegerField(_("期数"), null=True, blank=True)
    content = models.BinaryField(_("印发文件"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("通报与纪要")
        verbose_name_plural = _("通报与纪要")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
