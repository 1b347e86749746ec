"""The kinds and states of targets, contracts, actuals and settlements."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Source(models.TextChoices):
    ENTERED = "entered", _("单位填报")
    COMPUTED = "computed", _("系统计算")


class Category(models.TextChoices):
    ECONOMY = "economy", _("经济指标")
    ATTRACTION = "attraction", _("招商引资")
    CONSTRUCTION = "construction", _("城建")
    GREENING = "greening", _("绿化")
    OTHER = "other", _("其他")


class ContractState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已下达")
    SIGNED = "signed", _("已签订")


class ActualState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class SettlementState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被修订")


class Currency(models.TextChoices):
    MONEY = "money", _("奖金（元）")
    POINTS = "points", _("分值")


# Measures whose values are money: stored in yuan (integers), shown in the measure named.
MONEY_MEASURES = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
