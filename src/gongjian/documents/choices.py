"""The kinds and states of official documents drafted from the data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    BRIEFING = "briefing", _("调度情况通报")
    MINUTES = "minutes", _("会议纪要")


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")
