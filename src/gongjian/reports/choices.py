from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    DEKAD = "dekad", _("旬报")
    MONTH = "month", _("月报")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


class ProblemCategory(models.TextChoices):
    """Kinds of problems a project asks others to solve (需协调解决的问题)."""

    LAND = "land", _("土地")
    APPROVALS = "approvals", _("审批手续")
    FUNDS = "funds", _("资金")
    POWER_WATER = "power_water", _("水电气")
    DEMOLITION = "demolition", _("征迁")
    ENVIRONMENT = "environment", _("施工环境")
    OTHER = "other", _("其他")
