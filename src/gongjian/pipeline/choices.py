from django.db import models
from django.utils.translation import gettext_lazy as _


class Readiness(models.TextChoices):
    """前期工作深度: how far a reserve project's preparation has got, from an idea to ready to start."""

    CONCEPT = "concept", _("谋划/概念")
    PROPOSAL = "proposal", _("项目建议书")
    FEASIBILITY = "feasibility", _("可行性研究")
    APPROVALS = "approvals", _("手续办理中")
    READY = "ready", _("具备开工条件")


class Origin(models.TextChoices):
    """Where a reserve project came from: planned (谋划) by a unit, or a lead signed by investment attraction."""

    PLANNED = "planned", _("单位谋划")
    ATTRACTION = "attraction", _("招商签约")
    OTHER = "other", _("其他")


class ReserveState(models.TextChoices):
    RESERVE = "reserve", _("储备")
    PLANNED = "planned", _("列入计划")
    REGISTERED = "registered", _("已入库")
    WITHDRAWN = "withdrawn", _("已退出")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


class CampaignKind(models.TextChoices):
    """集中签约/集中开工/集中投产: the district's dated campaign events."""

    SIGNING = "signing", _("集中签约")
    START = "start", _("集中开工")
    PRODUCTION = "production", _("集中投产")
