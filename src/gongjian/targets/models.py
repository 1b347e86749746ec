"""Targets and responsibility contracts (目标责任状): the year's indicators, each unit's targets, the contract each
unit signs (责任书), the monthly actuals units enter or Gongjian computes, and the year-end settlement (兑现).

Values are Decimals in the indicator's measure (公顷, 棵, km, %); an indicator measured in money (元, 万元, 亿元)
keeps its values in whole yuan and shows them in its measure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.org.models import Unit
from gongjian.targets.choices import (
    MONEY_MEASURES,
    ActualState,
    Category,
    ContractState,
    Currency,
    Direction,
    SettlementState,
    Source,
)

VALUE = {"max_digits": 22, "decimal_places": 4}


class Indicator(models.Model):
    """An indicator of a year's list (年度目标指标): GDP, fiscal revenue, greening area… with its measure, whether
    more or less is better, and where its actuals come from — entered by the units with evidence, or computed
    from Gongjian's own data by a registered source (``targets.sources``)."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    name = models.CharField(_("指标名称"), max_length=100)
    measure = models.CharField(_("计量单位"), max_length=20)
    direction = models.CharField(
        _("指标方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField(_("数据来源"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    source_key = models.CharField(_("计算口径"), max_length=60, blank=True)
    category = models.CharField(
        _("指标类别"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["year", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "name"], name="one_indicator_name_a_year")]
        permissions = [
            ("manage_targets", _("制定目标、下达责任书、审核完成情况和兑现")),
            ("enter_actuals", _("填报本单位目标完成情况")),
            ("view_all_targets", _("查看全部单位的目标")),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}（{self.measure}）"

    @property
    def is_money(self) -> bool:
        return self.measure in MONEY_MEASURES

    @property
    def factor(self) -> int:
        """Yuan per unit of the measure for money (亿元: 10⁸), else 1."""
        return MONEY_MEASURES.get(self.measure, 1)

    def shown(self, value: Decimal | None) -> Decimal | None:
        """A stored value in the indicator's measure (yuan to 亿元 for money)."""
        if value is None:
            return None
        return value / self.factor if self.is_money else value

    def display(self, value: Decimal | None) -> str:
        """A stored value as people read it, without the measure: money in the measure to two places, other
        values as entered (trailing zeros dropped), grouped by thousands; "—" for none."""
        return format_value(self.shown(value), money=self.is_money)


def format_value(value: Decimal | None, *, money: bool = False) -> str:
    if value is None:
        return "—"
    if money:
        return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    text = f"{value.normalize():,f}"
    return text


class UnitTarget(models.Model):
    """A unit's target for an indicator (单位目标任务), with its milestones by month (12) or quarter (4) as
    cumulative values; without milestones its time-elapsed line is target × month ÷ 12 (序时进度)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="targets"
    )
    target = models.DecimalField(_("目标值"), **VALUE)
    milestones = models.JSONField(_("分期目标"), default=list, blank=True)  # [str(Decimal)] × 12 or × 4
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("单位目标")
        verbose_name_plural = _("单位目标")
        ordering = ["indicator", "unit"]
        constraints = [models.UniqueConstraint(fields=["indicator", "unit"], name="one_target_per_unit")]
        indexes = [models.Index(fields=["unit", "indicator"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator.name}"

    def milestone_values(self) -> list[Decimal]:
        return [Decimal(str(v)) for v in self.milestones or []]


def _scan_path(contract: Contract, filename: str) -> str:
    return f"targets/contracts/{contract.year}/{contract.unit_id}/{filename}"


class Contract(models.Model):
    """A unit's responsibility contract of a year (目标责任书): its reward and penalty rules (plain data read by
    ``targets.rules``), issued by the office as a numbered .docx (kept) and signed by the unit, whose scan is
    kept."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="target_contracts"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    rules = models.JSONField(_("奖惩条款"), default=dict)
    state = models.CharField(
        _("状态"), max_length=10, choices=ContractState.choices, default=ContractState.DRAFT
    )
    number = models.CharField(_("文号"), max_length=40, blank=True)
    content = models.BinaryField(_("责任书文件"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("下达时间"), null=True, blank=True)
    scan = models.FileField(_("签字扫描件"), upload_to=_scan_path, max_length=200, blank=True)
    scan_name = models.CharField(_("扫描件名称"), max_length=200, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("签订时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["-year", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_contract_a_year")]

    def __str__(self) -> str:
        return f"{self.year}年{self.unit}目标责任书"


def _evidence_path(actual: Actual, filename: str) -> str:
    return f"targets/actuals/{actual.month:02d}/{actual.unit_target_id}/{filename}"


class Actual(models.Model):
    """A unit's actual of a target to the end of a month (本年累计完成), entered with evidence or computed, and
    reviewed by the office: submitted → approved, or returned with the reason. Every earlier value is kept
    (:class:`ActualRevision`)."""

    unit_target = models.ForeignKey(
        UnitTarget, verbose_name=_("单位目标"), on_delete=models.PROTECT, related_name="actuals"
    )
    month = models.PositiveSmallIntegerField(_("月份"))
    value = models.DecimalField(_("本年累计完成"), **VALUE)
    computed = models.BooleanField(_("系统计算"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=ActualState.choices, default=ActualState.SUBMITTED, db_index=True
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=_evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField(_("材料名称"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("目标完成情况")
        verbose_name_plural = _("目标完成情况")
        ordering = ["unit_target", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit_target", "month"], name="one_actual_a_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="actual_month_1_12"),
        ]
        indexes = [models.Index(fields=["unit_target", "state", "month"])]

    def __str__(self) -> str:
        return f"{self.unit_target} {self.month}月"


class ActualRevision(models.Model):
    """An actual as it was before a change (its value, state and note), kept so nothing entered is lost."""

    actual = models.ForeignKey(Actual, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    value = models.DecimalField(_("本年累计完成"), **VALUE)
    state = models.CharField(_("状态"), max_length=10, choices=ActualState.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("完成情况历史")
        verbose_name_plural = _("完成情况历史")
        ordering = ["actual", "-version"]

    def __str__(self) -> str:
        return f"{self.actual} v{self.version}"


class Settlement(models.Model):
    """The year-end settlement of the contracts (责任状兑现) of a year: a draft until published; a published one
    never changes — a correction is a new revision with its reason, the old one stays readable (superseded)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    through_month = models.PositiveSmallIntegerField(_("截至月份"), default=12)
    revision = models.PositiveIntegerField(_("修订号"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("修订自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    reason = models.CharField(_("修订原因"), max_length=300, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=SettlementState.choices, default=SettlementState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("责任状兑现")
        verbose_name_plural = _("责任状兑现")
        ordering = ["-year", "-revision"]
        constraints = [models.UniqueConstraint(fields=["year", "revision"], name="one_settlement_revision")]

    def __str__(self) -> str:
        return f"{self.year}年责任状兑现 第{self.revision}版"


class SettlementLine(models.Model):
    """A unit's outcome in a settlement: its reward, penalty and total in the contract's currency, whether a veto
    took its rewards, and the engine's lines explaining every amount."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("单位名称"), max_length=100)
    contract = models.ForeignKey(
        Contract, verbose_name=_("责任书"), on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(_("计奖方式"), max_length=10, choices=Currency.choices)
    reward = models.DecimalField(_("奖励"), max_digits=16, decimal_places=2)
    penalty = models.DecimalField(_("扣罚"), max_digits=16, decimal_places=2)
    total = models.DecimalField(_("合计"), max_digits=16, decimal_places=2)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    items = models.JSONField(
        _("计算说明"), default=list
    )  # [{indicator, name, rule, amount, completion, text}]

    class Meta:
        verbose_name = _("兑现明细")
        verbose_name_plural = _("兑现明细")
        ordering = ["settlement", "-total", "unit_name"]
        constraints = [models.UniqueConstraint(fields=["settlement", "unit"], name="one_line_per_unit")]

    def __str__(self) -> str:
        return f"{self.settlement} {self.unit_name}"


class BoardStamp(models.Model):
    """What the completion board (``targets.queries.board``) was computed from, as one token that every change of
    the targets, actuals and indicators replaces: a process keeps the board it computed under a token and answers
    from it until the token changes."""

    token = models.CharField(_("版本标记"), max_length=32)

    class Meta:
        verbose_name = _("目标数据版本")
        verbose_name_plural = _("目标数据版本")

    def __str__(self) -> str:
        return self.token
