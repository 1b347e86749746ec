from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    INDUSTRY = "industry", _("工业")
    COMMERCE = "commerce", _("商贸流通")
    URBAN = "urban", _("城建")
    LIVELIHOOD = "livelihood", _("民生")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    SOCIAL = "social", _("社会事业")
    AGRICULTURE = "agriculture", _("农业农村")
    SERVICES = "services", _("现代服务业")
    OTHER = "other", _("其他")


class Nature(models.TextChoices):
    """建设性质 as the registry uses it: where the project stands this year."""

    NEW = "new", _("新建")
    CONTINUING = "continuing", _("续建")
    PRELIMINARY = "preliminary", _("前期")
    COMPLETED = "completed", _("竣工")


class Level(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    DISTRICT = "district", _("区重点")


class Batch(models.TextChoices):
    """四个一批 (context/002): the batch a project is counted in — attracted, split off an existing enterprise,
    part of a cluster, or on the way to a listing."""

    ATTRACT = "attract", _("招引一批")
    SPINOFF = "spinoff", _("裂变一批")
    CLUSTER = "cluster", _("成群一批")
    LISTING = "listing", _("上市一批")


class Funding(models.TextChoices):
    GOVERNMENT = "government", _("政府投资")
    SOCIAL = "social", _("社会投资")
    MIXED = "mixed", _("混合投资")


class LandStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("无需新增用地")
    PENDING = "pending", _("未供地")
    PARTIAL = "partial", _("部分供地")
    SUPPLIED = "supplied", _("已供地")


class MilestoneKind(models.TextChoices):
    """Nodes of physical progress (形象进度节点)."""

    DELISTING = "delisting", _("摘牌")
    LAND_HANDOVER = "land_handover", _("土地交付")  # reached when the land task's last parcel is handed over
    START = "start", _("开工")
    TOPPING_OUT = "topping_out", _("主体封顶")
    EQUIPMENT = "equipment", _("设备安装")
    COMPLETION = "completion", _("竣工")
    PRODUCTION = "production", _("投产")
    OTHER = "other", _("其他")


class ApprovalKind(models.TextChoices):
    """Pre-construction approvals (前期手续)."""

    PROJECT_APPROVAL = "project_approval", _("立项/备案")
    LAND_PRE_REVIEW = "land_pre_review", _("用地预审")
    LAND_PLANNING = "land_planning", _("用地规划许可")
    LAND_CERTIFICATE = "land_certificate", _("不动产权证（土地）")
    ENGINEERING_PLANNING = "engineering_planning", _("工程规划许可")
    ENVIRONMENT = "environment", _("环评")
    ENERGY = "energy", _("能评")
    CONSTRUCTION_PERMIT = "construction_permit", _("施工许可")
    OTHER = "other", _("其他")


class ApprovalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未办理")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    NOT_REQUIRED = "not_required", _("无需办理")


class LeaderRole(models.TextChoices):
    LEAD = "lead", _("包挂领导")
    DEPUTY = "deputy", _("联系领导")


class ChangeState(models.TextChoices):
    """Where a proposed change of a project's baseline (调整申请) stands."""

    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")
