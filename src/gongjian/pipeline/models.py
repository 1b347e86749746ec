"""The project pipeline (谋划/储备): proposed projects in reserve with their readiness, the year's key-project plan
(年度重点项目计划) selected from the reserve and issued as a numbered document — each listed project then enters the
registry with its baseline — and the campaign batches (集中签约/开工/投产)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.org.models import Person, Region, Unit
from gongjian.org.scope import scope_for
from gongjian.pipeline.choices import CampaignKind, Origin, PlanState, Readiness, ReserveState
from gongjian.projects.choices import Batch, Category, Level, Nature
from gongjian.projects.models import Project

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class ReserveQuerySet(models.QuerySet):
    def in_scope(self, user) -> ReserveQuerySet:
        """The reserve projects ``user`` may see: the office and principal leaders all of them, a unit those it
        is responsible for, owns or hosts in its park (and its sub-units'), a street those in its territory."""
        scope = scope_for(user)
        if scope.sees_all:
            return self
        if not scope.unit_ids and not scope.region_paths:
            return self.none()
        ids = list(scope.unit_ids)
        q = Q(responsible_unit_id__in=ids) | Q(owner_id__in=ids) | Q(park_id__in=ids)
        for path in scope.region_paths:
            q |= Q(region__path__startswith=path)
        return self.filter(q)


class ReserveProject(models.Model):
    """A proposed project in the reserve (项目储备库): planned by a unit or brought by a signed lead, ripening
    through its preparation (前期工作深度) until the office lists it in a year's key-project plan."""

    name = models.CharField(_("项目名称"), max_length=200, db_index=True)
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices, db_index=True)
    nature = models.CharField(_("建设性质"), max_length=20, choices=Nature.choices, default=Nature.NEW)
    level = models.CharField(_("拟定级别"), max_length=20, choices=Level.choices, default=Level.DISTRICT)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="reserve_projects"
    )
    park = models.ForeignKey(
        Unit,
        verbose_name=_("所属园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_reserve_projects",
        limit_choices_to={"kind": "park"},
    )
    owner = models.ForeignKey(
        Unit,
        verbose_name=_("业主单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_reserve_projects",
    )
    investor = models.CharField(
        _("投资方"), max_length=200, blank=True, help_text=_("尚未在系统中登记的投资企业，填写名称。")
    )
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="reserve_projects"
    )
    content = models.TextField(_("建设内容"), blank=True, validators=[MaxLengthValidator(5000)])
    total_investment = models.BigIntegerField(_("预计总投资（元）"), validators=[MinValueValidator(0)])
    start_year = models.PositiveSmallIntegerField(
        _("预计开工年度"), validators=YEAR_VALIDATORS, db_index=True
    )
    planned_start = models.DateField(_("预计开工"), null=True, blank=True)
    planned_completion = models.DateField(_("预计竣工"), null=True, blank=True)
    readiness = models.CharField(
        _("前期工作深度"), max_length=20, choices=Readiness.choices, default=Readiness.CONCEPT, db_index=True
    )
    # The pre-construction approvals (前期手续, projects.ApprovalKind) obtained so far.
    approvals_done = models.JSONField(_("已办结手续"), default=list, blank=True)
    origin = models.CharField(_("项目来源"), max_length=20, choices=Origin.choices, default=Origin.PLANNED)
    origin_ref = models.CharField(
        _("来源说明"), max_length=200, blank=True, help_text=_("如招商项目的签约编号或谋划依据。")
    )
    batch = models.CharField(
        _("四个一批"), max_length=10, choices=Batch.choices, blank=True, default="", db_index=True
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=ReserveState.choices, default=ReserveState.RESERVE, db_index=True
    )
    withdraw_reason = models.CharField(_("退出原因"), max_length=500, blank=True)
    project = models.OneToOneField(
        Project,
        verbose_name=_("入库项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reserve",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = _("储备项目")
        verbose_name_plural = _("储备项目")
        ordering = ["-start_year", "name", "id"]
        permissions = [
            ("manage_pipeline", _("编制和印发年度重点项目计划、组织集中签约开工投产")),
            ("import_reserve", _("导入储备项目")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        """Still editable by its unit: in reserve or listed in a draft plan."""
        return self.state in (ReserveState.RESERVE, ReserveState.PLANNED)


class AnnualPlan(models.Model):
    """The year's key-project plan (年度重点项目计划): drafted by the office from the reserve, issued once as a
    numbered document; issuing enters each listed project in the registry with its baseline."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True, validators=YEAR_VALIDATORS)
    title = models.CharField(_("计划名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    number = models.CharField(_("文号"), max_length=40, blank=True)
    content = models.BinaryField(_("印发文件"), null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("年度重点项目计划")
        verbose_name_plural = _("年度重点项目计划")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.state == PlanState.DRAFT


class PlanItem(models.Model):
    """A project listed in a year's plan, with what the registry's baseline needs: the year's planned investment
    (and its split by month), planned dates, level, responsible unit, headquarters and leaders."""

    plan = models.ForeignKey(
        AnnualPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="items"
    )
    reserve = models.ForeignKey(
        ReserveProject, verbose_name=_("储备项目"), on_delete=models.PROTECT, related_name="plan_items"
    )
    sequence = models.PositiveIntegerField(_("序号"), default=0)
    planned_investment = models.BigIntegerField(_("年度计划投资（元）"), validators=[MinValueValidator(0)])
    # Twelve monthly amounts (yuan) summing to planned_investment; empty: spread evenly over the months from the
    # planned start (or January) to the planned completion (or December) of the year.
    months = models.JSONField(_("分月计划（元）"), default=list, blank=True)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工"), null=True, blank=True)
    level = models.CharField(_("项目级别"), max_length=20, choices=Level.choices, default=Level.DISTRICT)
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="plan_items"
    )
    headquarters = models.ForeignKey(
        Unit,
        verbose_name=_("指挥部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hq_plan_items",
        limit_choices_to={"kind": "headquarters"},
    )
    leaders = models.ManyToManyField(
        Person, verbose_name=_("包挂领导"), blank=True, related_name="plan_items"
    )  # the first by id is the lead leader (包挂领导), the others deputies (联系领导)

    class Meta:
        verbose_name = _("计划项目")
        verbose_name_plural = _("计划项目")
        ordering = ["plan", "sequence", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "reserve"], name="plan_item_once")]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.reserve.name}"

    def ordered_leaders(self) -> list[Person]:
        """The leaders in the order they were given: the first is the lead leader (包挂领导)."""
        through = PlanItem.leaders.through
        links = through.objects.filter(planitem=self).select_related("person").order_by("id")
        return [link.person for link in links]


class Campaign(models.Model):
    """A campaign batch (集中签约/集中开工/集中投产): a dated event with its projects and amounts."""

    kind = models.CharField(_("类型"), max_length=12, choices=CampaignKind.choices)
    name = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("举行日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True, validators=[MaxLengthValidator(2000)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("集中活动")
        verbose_name_plural = _("集中活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.name


class CampaignItem(models.Model):
    """A project in a campaign — from the registry or from the reserve — with its amount (signed, invested at
    the start, or the output value at production, as the campaign's kind says)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("集中活动"), on_delete=models.CASCADE, related_name="items"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("库内项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_items",
    )
    reserve = models.ForeignKey(
        ReserveProject,
        verbose_name=_("储备项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_items",
    )
    amount = models.BigIntegerField(_("金额（元）"), validators=[MinValueValidator(0)])
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("活动项目")
        verbose_name_plural = _("活动项目")
        ordering = ["campaign", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, reserve__isnull=True)
                | Q(project__isnull=True, reserve__isnull=False),
                name="campaign_item_one_source",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.project.name if self.project_id else self.reserve.name
