from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    ANNOUNCED = "announced", _("已公告")
    ACTIVE = "active", _("实施中")
    HANDED_OVER = "handed_over", _("已交地")
    CLOSED = "closed", _("已结束")


class LandCategory(models.TextChoices):
    ARABLE = "arable", _("耕地")
    GARDEN = "garden", _("园地")
    FOREST = "forest", _("林地")
    HOMESTEAD = "homestead", _("宅基地")
    CONSTRUCTION = "construction", _("集体建设用地")
    UNUSED = "unused", _("未利用地")


class StructureGrade(models.TextChoices):
    FRAME = "frame", _("框架")
    BRICK_CONCRETE = "brick_concrete", _("砖混")
    BRICK_WOOD = "brick_wood", _("砖木")
    SIMPLE = "simple", _("简易")


class AttachmentKind(models.TextChoices):
    TREE = "tree", _("树木")
    WELL = "well", _("水井")
    GRAVE = "grave", _("坟墓")
    WALL = "wall", _("围墙")
    SHED = "shed", _("棚圈")
    POND = "pond", _("鱼塘")


class CadreRelation(models.TextChoices):
    NONE = "", _("无")
    CADRE = "cadre", _("干部")
    PARTY = "party", _("党员")
    RELATIVE = "relative", _("干部亲属")


class MemberRelation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Option(models.TextChoices):
    MONEY = "money", _("货币安置")
    HOUSING = "housing", _("产权调换")


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("草拟")
    PENDING = "pending", _("待指挥部审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    SIGNED = "signed", _("已签约")


class LawfulStep(models.TextChoices):
    """The steps of the lawful path (依法征收) for a household that did not sign by the task's deadline, in order."""

    DECISION = "decision", _("作出补偿决定")
    NOTICE = "notice", _("送达并告知复议、诉讼权利")
    COURT = "court", _("申请法院强制执行")
    RULING = "ruling", _("法院裁定")


class RulingResult(models.TextChoices):
    GRANTED = "granted", _("准予强制执行")
    REFUSED = "refused", _("不准予强制执行")
