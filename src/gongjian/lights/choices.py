from django.db import models
from django.utils.translation import gettext_lazy as _


class Colour(models.IntegerChoices):
    """Worse is larger, as in the rules engine (``rules.Colour``)."""

    GREEN = 0, _("绿灯")
    YELLOW = 1, _("黄灯")
    RED = 2, _("红灯")


class Dimension(models.TextChoices):
    INVESTMENT = "investment", _("投资完成")
    MILESTONE = "milestone", _("形象进度节点")
    MISSING = "missing", _("未按期报送")
    PROBLEM = "problem", _("问题逾期")
    START = "start", _("开工")


class CaseKind(models.TextChoices):
    LIGHT = "light", _("红灯督办")
    PROBLEM = "problem", _("问题协调")
    DECISION = "decision", _("会议交办")


class Level(models.TextChoices):
    """The ladder an unhandled case climbs (督办层级), in order."""

    UNIT = "unit", _("责任单位")
    LEADER = "leader", _("包挂领导")
    HEADQUARTERS = "headquarters", _("指挥部")
    PRINCIPAL = "principal", _("主要领导")


LADDER = [Level.UNIT, Level.LEADER, Level.HEADQUARTERS, Level.PRINCIPAL]


class CaseState(models.TextChoices):
    NEW = "new", _("待签收")
    ACCEPTED = "accepted", _("已签收")
    IN_HAND = "in_hand", _("办理中")
    RESOLVED = "resolved", _("待销号")
    CLOSED = "closed", _("已销号")


OPEN_STATES = frozenset({CaseState.NEW, CaseState.ACCEPTED, CaseState.IN_HAND, CaseState.RESOLVED})


class EventKind(models.TextChoices):
    OPENED = "opened", _("立案")
    ACCEPTED = "accepted", _("签收")
    ACTION = "action", _("处置进展")
    RESOLVED = "resolved", _("办结申请销号")
    CLOSED = "closed", _("销号")
    REOPENED = "reopened", _("退回重办")
    CLIMBED = "climbed", _("逾期升级督办")
    PASSED_UP = "passed_up", _("上交")
    REMINDED = "reminded", _("催办")
    RED_AGAIN = "red_again", _("再亮红灯")
    LETTER = "letter", _("生成函件")


# A case in one of these is still with its owner (its deadline runs).
WORKING_STATES = (CaseState.NEW, CaseState.ACCEPTED, CaseState.IN_HAND)
