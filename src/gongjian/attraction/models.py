"""Investment attraction (招商引资) through the five links: trips out (外出招商) that produce leads (意向项目), and each
lead's signing (签约), funds in place (资金到位, foreign capital kept apart), start (开工, as a registry project) and
production (投产达效), with its history; the targets the office hands down to each unit per link."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.attraction.choices import Chain, Currency, Metric, Stage, StepKind
from gongjian.attraction.rules import BIG_YUAN
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project


class Trip(models.Model):
    """A trip out to attract investment (外出招商): when and where, the delegation and the units in it, the
    companies met, what it cost; the leads it produced point back at it. It counts for its organising unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="trips")
    start_date = models.DateField(_("出发日期"))
    end_date = models.DateField(_("返回日期"))
    destination = models.CharField(_("目的地"), max_length=200)
    leader = models.ForeignKey(
        Person, verbose_name=_("带队领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delegation = models.ManyToManyField(Person, verbose_name=_("团组成员"), blank=True, related_name="trips")
    units = models.ManyToManyField(Unit, verbose_name=_("参加单位"), blank=True, related_name="+")
    companies = models.TextField(_("洽谈企业"), blank=True)  # one a line
    cost = models.BigIntegerField(_("费用（元）"), default=0, validators=[MinValueValidator(0)])
    notes = models.TextField(_("情况说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("外出招商")
        verbose_name_plural = _("外出招商")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["unit", "start_date"], name="trip_unit_day"),
            models.Index(fields=["start_date", "unit"], name="trip_day_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date} {self.destination}"

    @property
    def company_list(self) -> list[str]:
        return [line.strip() for line in self.companies.splitlines() if line.strip()]


class Lead(models.Model):
    """A lead (意向项目): an investor's intended project followed by one unit through the five links, credited to
    whoever introduced it (全员招商). Its figures are those of its signing, tranches and production rows."""

    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资方"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    chain = models.CharField(_("产业链"), max_length=20, choices=Chain.choices, default=Chain.OTHER)
    amount = models.BigIntegerField(_("意向投资额（元）"), default=0, validators=[MinValueValidator(0)])
    country = models.CharField(_("资金来源国家/地区"), max_length=50, blank=True)  # blank: domestic capital
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    introducer = models.ForeignKey(
        Person,
        verbose_name=_("引荐人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="introduced_leads",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("跟踪单位"), on_delete=models.PROTECT, related_name="leads")
    trip = models.ForeignKey(
        Trip,
        verbose_name=_("来源外出招商"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    found_on = models.DateField(_("登记日期"))
    next_step = models.CharField(_("下一步工作"), max_length=300, blank=True)
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices, default=Stage.TALKS)
    drop_reason = models.TextField(_("终止原因"), blank=True)
    # The day each link was reached (the monthly figures count by these).
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    funded_on = models.DateField(_("首笔资金到位日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    producing_on = models.DateField(_("投产日期"), null=True, blank=True)
    dropped_on = models.DateField(_("终止日期"), null=True, blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("对应重点项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    # A signed lead proposed into the project reserve (项目储备库); when the year's plan is issued and the reserve
    # project enters the registry, the lead is linked to that project.
    reserve = models.ForeignKey(
        "pipeline.ReserveProject",
        verbose_name=_("储备项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    last_step_on = models.DateField(_("最近跟进日期"))
    stall_reminded_on = models.DateField(_("停滞提醒对应的跟进日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("意向项目")
        verbose_name_plural = _("意向项目")
        ordering = ["-found_on", "-id"]
        permissions = [
            ("manage_leads", _("管理本单位招商项目")),
            ("view_all_leads", _("查看全部招商项目")),
            ("assign_targets", _("下达招商目标")),
        ]
        indexes = [
            models.Index(fields=["unit", "found_on"], name="lead_unit_found"),
            models.Index(fields=["found_on", "unit", "stage"], name="lead_found_unit"),
            models.Index(fields=["started_on", "unit"], name="lead_started_unit"),
            models.Index(fields=["stage", "last_step_on"], name="lead_stage_step"),
            models.Index(fields=["unit", "stage"], name="lead_unit_stage"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_big(self) -> bool:
        """Over 500万元 (the targets' 500万元以上项目), by the contract's amount once signed, else the intention."""
        signing = getattr(self, "signing", None)
        return (signing.amount if signing else self.amount) >= BIG_YUAN

    @property
    def is_foreign(self) -> bool:
        return self.currency != Currency.CNY


class LeadStep(models.Model):
    """One line of a lead's history: a follow-up (跟进) or a move to the next link, or the drop with its reason —
    when, what happened, by whom, and the next step then."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("类型"), max_length=10, choices=StepKind.choices)
    on = models.DateField(_("日期"))
    text = models.TextField(_("情况"))
    stage_from = models.CharField(_("原环节"), max_length=10, choices=Stage.choices, blank=True)
    stage_to = models.CharField(_("新环节"), max_length=10, choices=Stage.choices, blank=True)
    by = models.ForeignKey(
        Person, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_step = models.CharField(_("下一步工作"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["lead", "on"], name="leadstep_lead_on")]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.on} {self.get_kind_display()}"


def _contract_path(signing: Signing, filename: str) -> str:
    return f"attraction/contracts/{signing.lead_id}/{filename}"


def _evidence_path(tranche: Tranche, filename: str) -> str:
    return f"attraction/tranches/{tranche.lead_id}/{filename}"


class Signing(models.Model):
    """The lead's contract (项目签约): date, amount and the scanned contract."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="signing")
    # The lead's following unit, kept here (the services move it with the lead) so that the funnel sums a unit's
    # contracts from one covering index, without joining 50,000 leads.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField(_("签约日期"))
    amount = models.BigIntegerField(_("签约金额（元）"), validators=[MinValueValidator(0)])
    contract = models.FileField(_("合同扫描件"), upload_to=_contract_path, max_length=200, blank=True)
    contract_name = models.CharField(_("文件名"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("项目签约")
        verbose_name_plural = _("项目签约")
        indexes = [models.Index(fields=["date", "unit", "amount"], name="signing_day_unit")]

    def __str__(self) -> str:
        return f"{self.lead} {self.date}"


class Tranche(models.Model):
    """Funds in place (资金到位): one tranche with its date, source and evidence. Foreign capital (实际利用外资)
    keeps its amount in the original currency, the rate used and its US-dollar value; ``amount`` is always the
    yuan equivalent."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tranches")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # as Signing.unit
    date = models.DateField(_("到位日期"))
    amount = models.BigIntegerField(_("到位金额（元）"), validators=[MinValueValidator(0)])
    source = models.CharField(_("资金来源"), max_length=100, blank=True)
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    foreign_amount = models.BigIntegerField(
        _("原币金额"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    rate = models.DecimalField(
        _("折算汇率（元/原币）"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    usd_amount = models.BigIntegerField(
        _("折合美元"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    evidence = models.FileField(_("到位凭证"), upload_to=_evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField(_("文件名"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("资金到位")
        verbose_name_plural = _("资金到位")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["date", "currency", "unit", "amount", "usd_amount"], name="tranche_day_unit")
        ]

    def __str__(self) -> str:
        return f"{self.lead} {self.date}"

    @property
    def is_foreign(self) -> bool:
        return self.currency != Currency.CNY


class Production(models.Model):
    """What a producing lead yields in a year (投产达效): output value, tax and jobs."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="production")
    year = models.PositiveSmallIntegerField(_("年度"))
    output_value = models.BigIntegerField(_("产值（元）"), default=0, validators=[MinValueValidator(0)])
    tax = models.BigIntegerField(_("税收（元）"), default=0, validators=[MinValueValidator(0)])
    jobs = models.PositiveIntegerField(_("就业（人）"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("投产达效")
        verbose_name_plural = _("投产达效")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["lead", "year"], name="one_production_a_year")]

    def __str__(self) -> str:
        return f"{self.lead} {self.year}"


class AttractionTarget(models.Model):
    """A unit's target for a year on one metric of the five links, handed down by the office (招商目标)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="attraction_targets"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=20, choices=Metric.choices)
    value = models.BigIntegerField(_("目标值"), validators=[MinValueValidator(0)])
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("招商目标")
        verbose_name_plural = _("招商目标")
        ordering = ["year", "unit", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "metric"], name="one_attraction_target")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.get_metric_display()}"


class UnitMonth(models.Model):
    """A unit's figures on the five links for one month — its trips, leads registered, signings (count, amount
    and those of 500万元 or more), domestic funds in place, starts and foreign capital — kept by the services from
    the records under them whenever one of those changes, never typed. The funnel, the targets' computed actuals
    and the briefing sum these rows (12 a unit a year) instead of the hundred thousand records they count."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    trips = models.BigIntegerField(Metric.TRIPS.label, default=0)
    leads = models.BigIntegerField(Metric.LEADS.label, default=0)
    signed_count = models.BigIntegerField(Metric.SIGNED_COUNT.label, default=0)
    signed_amount = models.BigIntegerField(Metric.SIGNED_AMOUNT.label, default=0)
    funds_amount = models.BigIntegerField(Metric.FUNDS_AMOUNT.label, default=0)
    starts = models.BigIntegerField(Metric.STARTS.label, default=0)
    big_projects = models.BigIntegerField(Metric.BIG_PROJECTS.label, default=0)
    foreign_usd = models.BigIntegerField(Metric.FOREIGN_USD.label, default=0)

    class Meta:
        verbose_name = _("单位月度招商数据")
        verbose_name_plural = _("单位月度招商数据")
        constraints = [models.UniqueConstraint(fields=["unit", "year", "month"], name="one_unit_month")]
        indexes = [models.Index(fields=["year", "month", "unit"], name="unitmonth_year_month")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年{self.month}月"
