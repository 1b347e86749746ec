"""The kinds and states of dispatch meetings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    DAILY = "daily", _("日调度")
    DEKAD = "dekad", _("旬调度")
    MONTHLY = "monthly", _("月度调度")
    SPECIAL = "special", _("专题调度")
    ONSITE = "onsite", _("现场会")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已召开")
