"""The stages of a lead through the five links (五个环节), the kinds of its history, the industry chains, the
currencies of foreign capital and the metrics a unit's attraction targets are set on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    TALKS = "talks", _("洽谈")
    SIGNED = "signed", _("签约")
    FUNDED = "funded", _("资金到位")
    STARTED = "started", _("开工")
    PRODUCING = "producing", _("投产达效")
    DROPPED = "dropped", _("已终止")


# The links a lead still in play can stall at (no step for too long): all but the last and the dropped.
LIVE_STAGES = (Stage.TALKS, Stage.SIGNED, Stage.FUNDED, Stage.STARTED)


class StepKind(models.TextChoices):
    FOLLOW = "follow", _("跟进")
    MOVE = "move", _("环节推进")
    DROP = "drop", _("终止")


class Chain(models.TextChoices):
    NEW_ENERGY = "new_energy", _("新能源")
    NEW_MATERIALS = "new_materials", _("新材料")
    EQUIPMENT = "equipment", _("高端装备制造")
    ELECTRONICS = "electronics", _("电子信息")
    BIOMEDICINE = "biomedicine", _("生物医药")
    FOOD = "food", _("绿色食品")
    TEXTILE = "textile", _("纺织服装")
    LOGISTICS = "logistics", _("现代物流")
    TOURISM = "tourism", _("文旅康养")
    DIGITAL = "digital", _("数字经济")
    OTHER = "other", _("其他")


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    HKD = "HKD", _("港元")
    JPY = "JPY", _("日元")
    GBP = "GBP", _("英镑")


class Metric(models.TextChoices):
    """What a unit's attraction is counted by (metric keys are stable: the targets app reads them)."""

    TRIPS = "trips", _("外出招商（次）")
    LEADS = "leads", _("新增意向项目（个）")
    SIGNED_COUNT = "signed_count", _("签约项目（个）")
    SIGNED_AMOUNT = "signed_amount", _("签约金额（元）")
    FUNDS_AMOUNT = "funds_amount", _("到位资金（元）")
    STARTS = "starts", _("开工项目（个）")
    BIG_PROJECTS = "big_projects", _("500万元以上项目（个）")
    FOREIGN_USD = "foreign_usd", _("实际利用外资（美元）")


# Metrics in yuan (shown in 万元), in US dollars (shown in 万美元) and counts.
YUAN_METRICS = frozenset({Metric.SIGNED_AMOUNT, Metric.FUNDS_AMOUNT})
USD_METRICS = frozenset({Metric.FOREIGN_USD})
