"""The project registry (项目库): key projects, their annual investment plans, milestones, approvals and leaders."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.core import identifiers
from gongjian.core.periods import Period
from gongjian.org.models import Person, Region, Unit
from gongjian.org.scope import scope_for
from gongjian.projects.choices import (
    ApprovalKind,
    ApprovalStatus,
    Batch,
    Category,
    ChangeState,
    Funding,
    LandStatus,
    LeaderRole,
    Level,
    MilestoneKind,
    Nature,
)

DEKADS_PER_YEAR = 36


def validate_national_code(value: str) -> None:
    try:
        identifiers.check_project_code(value)
    except identifiers.IdentifierError as exc:
        raise ValidationError(str(exc), code="invalid") from exc


class ProjectQuerySet(models.QuerySet):
    def in_scope(self, user) -> ProjectQuerySet:
        """The projects ``user`` may see: the one scoping query behind every list, page, export and service."""
        scope = scope_for(user)
        if scope.sees_all:
            return self
        if scope.is_empty:
            return self.none()
        q = Q()
        if scope.unit_ids:
            ids = list(scope.unit_ids)
            q |= (
                Q(responsible_unit_id__in=ids)
                | Q(headquarters_id__in=ids)
                | Q(owner_id__in=ids)
                | Q(park_id__in=ids)
            )
        for path in scope.region_paths:
            q |= Q(region__path__startswith=path)
        if scope.person_id:
            q |= Q(commander_id=scope.person_id)
            q |= Q(pk__in=ProjectLeader.objects.filter(person_id=scope.person_id).values("project_id"))
            q |= Q(region__assignments__person_id=scope.person_id)
        return self.filter(q).distinct() if scope.person_id else self.filter(q)

    def editable_by(self, user) -> ProjectQuerySet:
        if not user.has_perm("projects.change_project"):
            return self.none()
        return self.in_scope(user)

    def with_plan(self, year: int) -> ProjectQuerySet:
        """Annotate ``plan_total``: the annual planned investment of ``year`` (yuan)."""
        plan = AnnualPlan.objects.filter(project=models.OuterRef("pk"), year=year).values("total")[:1]
        return self.annotate(plan_total=models.Subquery(plan, output_field=models.BigIntegerField()))


class Project(models.Model):
    """A key project (重点项目) the government pushes from signature to production and assesses."""

    code = models.CharField(_("项目编号"), max_length=30, unique=True)
    national_code = models.CharField(
        _("全国投资项目代码"),
        max_length=24,
        blank=True,
        validators=[validate_national_code],
        help_text=_("投资项目在线审批监管平台赋予的24位代码，如 2026-320311-04-01-123456。"),
    )
    name = models.CharField(_("项目名称"), max_length=200, db_index=True)
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices, db_index=True)
    nature = models.CharField(_("建设性质"), max_length=20, choices=Nature.choices, db_index=True)
    level = models.CharField(_("项目级别"), max_length=20, choices=Level.choices, db_index=True)
    batch = models.CharField(
        _("四个一批"), max_length=10, choices=Batch.choices, blank=True, default="", db_index=True
    )
    funding = models.CharField(_("投资类型"), max_length=20, choices=Funding.choices, default=Funding.SOCIAL)
    year = models.PositiveSmallIntegerField(
        _("入库年度"), db_index=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="projects"
    )
    park = models.ForeignKey(
        Unit,
        verbose_name=_("所属园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_projects",
        limit_choices_to={"kind": "park"},
    )
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    # The site's centre in CGCS2000 / WGS-84 degrees (天地图 and a phone's GPS agree to within metres), used to
    # check where site photos were taken.
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("项目现场中心点，CGCS2000（天地图）坐标，如 117.184811。"),
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("如 34.261792。"),
    )
    owner = models.ForeignKey(
        Unit,
        verbose_name=_("业主单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="responsible_projects"
    )
    headquarters = models.ForeignKey(
        Unit,
        verbose_name=_("指挥部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hq_projects",
        limit_choices_to={"kind": "headquarters"},
    )
    commander = models.ForeignKey(
        Person,
        verbose_name=_("指挥长"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commanded_projects",
    )
    contact_person = models.CharField(_("项目联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    content = models.TextField(_("建设内容"), blank=True, validators=[MaxLengthValidator(5000)])
    total_investment = models.BigIntegerField(_("总投资（元）"), validators=[MinValueValidator(0)])
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_completion = models.DateField(_("实际竣工"), null=True, blank=True)
    land_area_mu = models.DecimalField(
        _("用地面积（亩）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    land_status = models.CharField(
        _("供地情况"), max_length=20, choices=LandStatus.choices, default=LandStatus.PENDING
    )
    expected_output = models.BigIntegerField(
        _("达产后年产值（元）"), default=0, validators=[MinValueValidator(0)]
    )
    expected_tax = models.BigIntegerField(
        _("达产后年税收（元）"), default=0, validators=[MinValueValidator(0)]
    )
    expected_jobs = models.PositiveIntegerField(_("新增就业（人）"), default=0)
    foreign_investment_usd = models.BigIntegerField(
        _("利用外资（美元）"), default=0, validators=[MinValueValidator(0)]
    )
    party_branch = models.CharField(_("临时党支部"), max_length=100, blank=True)
    party_secretary = models.CharField(_("党支部书记"), max_length=50, blank=True)
    is_archived = models.BooleanField(_("已出库"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Optimistic lock: an edit made on a stale copy is refused instead of silently overwriting another's.
    version = models.PositiveIntegerField(_("版本"), default=1)
    # The yardstick in the fields above (plan, total investment, unit, headquarters, leaders, milestone dates) is
    # baseline number ``baseline``, in force from the ten-day period ``baseline_from`` (blank: since the project
    # was registered); the versions it replaced are kept as :class:`BaselineVersion` rows.
    baseline = models.PositiveIntegerField(_("基准版本"), default=1)
    baseline_from = models.CharField(_("基准生效期别"), max_length=12, blank=True)

    leaders = models.ManyToManyField(
        Person, through="ProjectLeader", related_name="led_projects", verbose_name=_("包挂领导")
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["code"]
        permissions = [
            ("view_all_projects", _("查看全部项目")),
            ("import_projects", _("导入项目")),
            ("export_projects", _("导出项目")),
            ("change_baseline", _("修改基准（计划投资、总投资、责任单位、指挥部、领导、节点计划日期）")),
        ]
        indexes = [
            models.Index(fields=["responsible_unit", "code"]),
            models.Index(fields=["total_investment"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.planned_start and self.planned_completion and self.planned_completion < self.planned_start:
            errors["planned_completion"] = _("计划竣工日期不能早于计划开工日期。")
        if self.actual_start and self.actual_completion and self.actual_completion < self.actual_start:
            errors["actual_completion"] = _("实际竣工日期不能早于实际开工日期。")
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude" if self.latitude is None else "longitude"] = _("经度和纬度须同时填写。")
        if self.national_code:
            self.national_code = self.national_code.strip().upper()
        if errors:
            raise ValidationError(errors)

    def plan_for(self, year: int) -> AnnualPlan | None:
        return next((p for p in self.plans.all() if p.year == year), None)


class AnnualPlan(models.Model):
    """A project's planned investment for one year (年度计划投资), split into its 36 ten-day periods (旬).

    Months are sums of their three dekads; ``total`` is kept for sorting and filtering in SQL.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="plans", verbose_name=_("项目")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    dekads = models.JSONField(_("分旬计划（元）"), default=list)
    total = models.BigIntegerField(_("年度计划投资（元）"), default=0)

    class Meta:
        verbose_name = _("年度投资计划")
        verbose_name_plural = _("年度投资计划")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="annual_plan_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"

    def save(self, *args, **kwargs):
        self.total = sum(self.dekads)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if len(self.dekads) != DEKADS_PER_YEAR or any(not isinstance(v, int) or v < 0 for v in self.dekads):
            raise ValidationError({"dekads": _("分旬计划须为36个非负整数（元）。")})

    @property
    def months(self) -> list[int]:
        return [sum(self.dekads[i * 3 : i * 3 + 3]) for i in range(12)]

    def amount(self, period: Period) -> int:
        """Planned investment of one dekad, month or the whole year."""
        if period.year != self.year:
            return 0
        return sum(self.dekads[p.index_in_year - 1] for p in period.dekads())

    def to_date(self, period: Period) -> int:
        """Planned investment from the start of the year to the end of ``period`` (序时计划)."""
        if period.year != self.year:
            return self.total if period.year > self.year else 0
        last = period.dekads()[-1].index_in_year
        return sum(self.dekads[:last])


class Milestone(models.Model):
    """A node of physical progress (形象进度节点) with its planned and actual dates."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    kind = models.CharField(_("节点类型"), max_length=20, choices=MilestoneKind.choices)
    name = models.CharField(_("节点名称"), max_length=100, blank=True)
    planned_date = models.DateField(_("计划完成"))
    actual_date = models.DateField(_("实际完成"), null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(_("顺序"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("形象进度节点")
        verbose_name_plural = _("形象进度节点")
        ordering = ["project", "sequence", "planned_date"]
        # The milestones due (the cockpit's next 30 days, the project list's filter): not reached, by date.
        indexes = [
            models.Index(
                fields=["planned_date", "kind", "project"],
                condition=Q(actual_date__isnull=True),
                name="milestone_due",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())


class Approval(models.Model):
    """A pre-construction approval (前期手续) and how far it has got."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("项目")
    )
    kind = models.CharField(_("手续类型"), max_length=30, choices=ApprovalKind.choices)
    name = models.CharField(_("手续名称"), max_length=100, blank=True)
    status = models.CharField(
        _("办理状态"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.NOT_STARTED
    )
    document_no = models.CharField(_("批复文号"), max_length=100, blank=True)
    authority = models.CharField(_("审批部门"), max_length=100, blank=True)
    planned_date = models.DateField(_("计划办结"), null=True, blank=True)
    approved_on = models.DateField(_("办结日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("前期手续")
        verbose_name_plural = _("前期手续")
        # In the order they were entered, which follows the approval sequence (立项 before 施工许可).
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())

    def clean(self) -> None:
        if self.status == ApprovalStatus.DONE and not self.approved_on:
            raise ValidationError({"approved_on": _("已办结的手续须填写办结日期。")})


class ProjectLeader(models.Model):
    """A leader's assignment to a project (领导包挂): the four leadership bodies' members each take projects."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="leader_links", verbose_name=_("项目")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="project_links", verbose_name=_("领导")
    )
    role = models.CharField(_("包挂角色"), max_length=10, choices=LeaderRole.choices, default=LeaderRole.LEAD)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("领导包挂")
        verbose_name_plural = _("领导包挂")
        # The lead leader first ("lead" sorts after "deputy"), then deputies in the order they were added.
        ordering = ["-role", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "person"], name="project_leader_unique")]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.project.name}"


class BaselineChange(models.Model):
    """A proposed change of a project's baseline (基准调整申请): a unit asks with a reason, the project office
    approves or refuses it. ``proposed`` holds only what changes, in the shape of :func:`projects.queries.
    baseline_of` (money in yuan, units and people by id, milestone dates by milestone id)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="baseline_changes", verbose_name=_("项目")
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=ChangeState.choices, default=ChangeState.PROPOSED
    )
    effective_from = models.CharField(_("生效期别"), max_length=12)
    reason = models.TextField(_("调整理由"), validators=[MaxLengthValidator(1000)])
    proposed = models.JSONField(_("调整内容"))
    before = models.JSONField(_("调整前"), default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    number = models.PositiveIntegerField(_("形成基准版本"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("基准调整申请")
        verbose_name_plural = _("基准调整申请")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(state="proposed"), name="one_open_baseline_change"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.effective_period}"

    @property
    def effective_period(self) -> Period:
        return Period.parse(self.effective_from)


class BaselineVersion(models.Model):
    """A baseline a project no longer has: what the yardstick was (``content``) and the ten-day periods it was
    in force, ``valid_from`` (blank: since registration) up to, not including, ``valid_until``. Lights and
    assessment of those periods are measured against it."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="baseline_versions", verbose_name=_("项目")
    )
    number = models.PositiveIntegerField(_("基准版本"))
    content = models.JSONField(_("基准内容"))
    valid_from = models.CharField(_("起始期别"), max_length=12, blank=True)
    valid_until = models.CharField(_("截止期别（不含）"), max_length=12)
    # The days the version covers, for the lookups: a period is measured against it when its last day falls
    # on or after ``starts_on`` (or there is none) and before ``ends_on``.
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField()
    replaced_by = models.OneToOneField(
        BaselineChange,
        null=True,
        on_delete=models.PROTECT,
        related_name="replaced",
        verbose_name=_("调整申请"),
    )

    class Meta:
        verbose_name = _("历史基准")
        verbose_name_plural = _("历史基准")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="baseline_version_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number}"
