"""Land acquisition (征地拆迁): the tasks, their villages, the household ledger (户), the compensation standard of
each task and the households' agreements (协议). Progress dates (signed, moved, demolished, handed over) are on the
household, filled by the services that record them."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.core import identifiers
from gongjian.land import standard as standards
from gongjian.land.choices import (
    AgreementState,
    AttachmentKind,
    CadreRelation,
    LandCategory,
    LawfulStep,
    MemberRelation,
    Option,
    RulingResult,
    StructureGrade,
    TaskState,
)
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.models import Project

# 先签约先搬迁: a cadre household not signed this many days after the announcement is flagged (context/003).
CADRE_FIRST_DAYS = 15


def validate_citizen_id(value: str) -> None:
    try:
        identifiers.check_citizen_id(value)
    except identifiers.IdentifierError as exc:
        raise ValidationError(str(exc), code="invalid") from exc


_AREA = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Task(models.Model):
    """An acquisition task (征收任务) of a project or a park: the land to clear, the villages, the service team
    and the leader who takes each village (分包村居), the deadline, the legal basis and the announcement."""

    name = models.CharField(_("任务名称"), max_length=200)
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="land_tasks",
    )
    park = models.ForeignKey(
        Unit,
        verbose_name=_("园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="land_tasks",
        limit_choices_to={"kind": "park"},
    )
    team = models.ForeignKey(
        Unit,
        verbose_name=_("服务工作队"),
        on_delete=models.PROTECT,
        related_name="land_team_tasks",
        limit_choices_to={"kind": "service_team"},
    )
    area_mu = models.DecimalField(_("征收面积（亩）"), **_AREA)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    announcement_number = models.CharField(_("征收公告文号"), max_length=100, blank=True)
    announcement_date = models.DateField(_("公告日期"), null=True, blank=True)
    cadre_first_days = models.PositiveSmallIntegerField(
        _("干部带头签约期限（天）"),
        default=CADRE_FIRST_DAYS,
        help_text=_("公告后超过该天数仍未签约的干部、党员及亲属户在驾驶舱提示。"),
    )
    state = models.CharField(_("状态"), max_length=16, choices=TaskState.choices, default=TaskState.PREPARING)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("征收任务")
        verbose_name_plural = _("征收任务")
        ordering = ["-created_at", "id"]
        permissions = [
            ("view_all_tasks", _("查看全部征收任务")),
            ("view_identity", _("查看完整身份信息")),
            ("approve_deviation", _("审批偏离补偿标准")),
            ("view_fairness", _("查看公平性审查")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.team_id and self.team.kind != "service_team":
            raise ValidationError({"team": _("应为服务工作队。")})
        if self.park_id and self.park.kind != "park":
            raise ValidationError({"park": _("应为园区。")})
        if not self.project_id and not self.park_id:
            raise ValidationError({"project": _("请选择项目或园区。")})


class Village(models.Model):
    """A village (村居) of a task, with its groups (村民小组) and the leader who takes it (分包村居)."""

    task = models.ForeignKey(
        Task, verbose_name=_("征收任务"), on_delete=models.CASCADE, related_name="villages"
    )
    name = models.CharField(_("村居"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("行政区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "village"},
    )
    groups = models.JSONField(_("村民小组"), default=list, blank=True)
    leader = models.ForeignKey(
        Person, verbose_name=_("分包领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("征收村居")
        verbose_name_plural = _("征收村居")
        ordering = ["task", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "name"], name="land_village_once")]

    def __str__(self) -> str:
        return self.name


class Standard(models.Model):
    """One version of a task's compensation standard (补偿安置方案), as :mod:`gongjian.land.standard` reads it.
    Versions are never edited: a change is a new version, and an agreement keeps the version it was computed on."""

    task = models.ForeignKey(
        Task, verbose_name=_("征收任务"), on_delete=models.CASCADE, related_name="standards"
    )
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("方案名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    content = models.JSONField(_("方案内容"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("补偿安置方案")
        verbose_name_plural = _("补偿安置方案")
        ordering = ["task", "-version"]
        constraints = [models.UniqueConstraint(fields=["task", "version"], name="land_standard_version_once")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def engine_standard(self) -> standards.Standard:
        return standards.parse(self.content)


class Household(models.Model):
    """A household (户) of the ledger: who, where, its relation to any cadre, and the facts that set its
    compensation (land, buildings, attachments, business, appraisal). The dates of its progress are filled by the
    services that record them."""

    task = models.ForeignKey(
        Task, verbose_name=_("征收任务"), on_delete=models.CASCADE, related_name="households"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("村居"), on_delete=models.PROTECT, related_name="households"
    )
    group = models.CharField(_("村民小组"), max_length=50, blank=True)
    number = models.CharField(_("户编号"), max_length=30)
    head_name = models.CharField(_("户主姓名"), max_length=50)
    head_id_number = models.CharField(_("户主身份证号"), max_length=18, validators=[validate_citizen_id])
    cadre_relation = models.CharField(
        _("干部关系"), max_length=16, choices=CadreRelation.choices, blank=True, default=CadreRelation.NONE
    )
    cadre = models.ForeignKey(
        Person, verbose_name=_("关联干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cadre_note = models.CharField(_("关系说明"), max_length=100, blank=True)
    business_name = models.CharField(_("经营项目"), max_length=200, blank=True)
    business_area = models.DecimalField(_("经营面积（㎡）"), default=Decimal(0), **_AREA)
    appraiser = models.CharField(_("评估机构"), max_length=200, blank=True)
    appraiser_registration = models.CharField(_("评估机构备案号"), max_length=100, blank=True)
    appraised_on = models.DateField(_("评估日期"), null=True, blank=True)
    appraised_amount = models.BigIntegerField(_("评估金额（元）"), null=True, blank=True)
    appraisal_report = models.FileField(
        _("评估报告"), upload_to="land/appraisals/", blank=True, max_length=200
    )
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    moved_on = models.DateField(_("搬迁日期"), null=True, blank=True)
    demolished_on = models.DateField(_("拆除日期"), null=True, blank=True)
    handed_over_on = models.DateField(_("交地日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("被征收户")
        verbose_name_plural = _("被征收户")
        ordering = ["task", "village", "number"]
        constraints = [models.UniqueConstraint(fields=["task", "number"], name="land_household_number_once")]
        indexes = [models.Index(fields=["task", "village", "signed_on"], name="land_household_signed")]

    def __str__(self) -> str:
        return f"{self.number} {identifiers.mask_name(self.head_name)}"

    @property
    def is_cadre(self) -> bool:
        return bool(self.cadre_relation)


class Member(models.Model):
    """A member of a household (家庭成员) besides its head."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_citizen_id])
    relation = models.CharField(_("与户主关系"), max_length=16, choices=MemberRelation.choices)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return identifiers.mask_name(self.name)


class Parcel(models.Model):
    """Land of a household by category (地块), in 亩."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="parcels")
    category = models.CharField(_("地类"), max_length=16, choices=LandCategory.choices)
    area_mu = models.DecimalField(_("面积（亩）"), **_AREA)

    class Meta:
        verbose_name = _("土地")
        verbose_name_plural = _("土地")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.area_mu}"


class Building(models.Model):
    """A building of a household (房屋) by structure grade; an illegal one (违建) is recorded and never paid."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="buildings")
    grade = models.CharField(_("结构等级"), max_length=16, choices=StructureGrade.choices)
    area = models.DecimalField(_("面积（㎡）"), **_AREA)
    legal = models.BooleanField(_("合法建筑"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.area}"


class Attachment(models.Model):
    """Attachments on a household's land (地上附着物): trees, wells, graves… by count."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("附属物"), max_length=16, choices=AttachmentKind.choices)
    count = models.PositiveIntegerField(_("数量"))

    class Meta:
        verbose_name = _("附属物")
        verbose_name_plural = _("附属物")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.count}"


class Agreement(models.Model):
    """A household's compensation agreement (补偿安置协议): the amount the engine computed under a version of the
    standard, the option chosen, the agreed amount — a difference is a deviation that needs a reason and the
    headquarters' approval before it can be signed."""

    household = models.OneToOneField(
        Household, verbose_name=_("被征收户"), on_delete=models.CASCADE, related_name="agreement"
    )
    number = models.CharField(_("协议编号"), max_length=40, unique=True)
    standard = models.ForeignKey(
        Standard, verbose_name=_("补偿方案"), on_delete=models.PROTECT, related_name="agreements"
    )
    option = models.CharField(_("安置方式"), max_length=16, choices=Option.choices, default=Option.MONEY)
    housing_area = models.DecimalField(_("安置面积（㎡）"), default=Decimal(0), **_AREA)
    computed_on = models.DateField(_("计算所用签约日期"))
    computed_total = models.BigIntegerField(_("按标准计算金额（元）"))
    lines = models.JSONField(_("计算明细"), default=list)
    agreed_total = models.BigIntegerField(_("协议金额（元）"))
    deviation_reason = models.TextField(_("偏离理由"), blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=AgreementState.choices, default=AgreementState.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("补偿安置协议")
        verbose_name_plural = _("补偿安置协议")
        ordering = ["household"]

    def __str__(self) -> str:
        return self.number

    @property
    def deviation(self) -> int:
        return self.agreed_total - self.computed_total

    def can_be_signed(self) -> bool:
        if self.state == AgreementState.SIGNED:
            return False
        return self.deviation == 0 or self.state == AgreementState.APPROVED


class WallList(models.Model):
    """A published version of a village's wall list (公开上墙): its rows frozen at publication, masked, so a
    version stays readable exactly as it was posted. Versions are numbered per task; a correction is a new
    version with its reason, and the old one stays."""

    task = models.ForeignKey(
        Task, verbose_name=_("征收任务"), on_delete=models.CASCADE, related_name="wall_lists"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("村居"), on_delete=models.PROTECT, related_name="wall_lists"
    )
    number = models.PositiveIntegerField(_("公示编号"))
    published_at = models.DateTimeField(_("公示时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("更正理由"), max_length=300, blank=True)
    rows = models.JSONField(_("公示内容"), default=list)
    totals = models.JSONField(_("合计"), default=dict)
    # The paper lists, made once by a background job after publication (a village of thousands takes seconds)
    docx_file = models.FileField(_("公示清单（Word）"), upload_to="land/walls/", blank=True, max_length=200)
    pdf_file = models.FileField(_("公示清单（PDF）"), upload_to="land/walls/", blank=True, max_length=200)

    class Meta:
        verbose_name = _("公示清单")
        verbose_name_plural = _("公示清单")
        ordering = ["task", "-number"]
        constraints = [models.UniqueConstraint(fields=["task", "number"], name="land_wall_number_once")]
        indexes = [models.Index(fields=["village", "-number"], name="land_wall_latest")]

    def __str__(self) -> str:
        return f"{self.village.name} 第{self.number}号"


class LawfulPath(models.Model):
    """The lawful path (依法征收) of a household that did not sign by the task's deadline: the compensation
    decision (补偿决定), its service with the notice of the rights to administrative review (60 days) and to sue
    (6 months), the application to the court for enforcement once both have passed unused, and the court's
    ruling (裁定) — each with its date and document, recorded in this order. Only what the procedure needs."""

    household = models.OneToOneField(
        Household, verbose_name=_("被征收户"), on_delete=models.CASCADE, related_name="lawful_path"
    )
    decision_number = models.CharField(_("补偿决定文号"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    decision_file = models.FileField(_("补偿决定书"), upload_to="land/lawful/", blank=True, max_length=200)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    notice_file = models.FileField(
        _("送达回证及权利告知书"), upload_to="land/lawful/", blank=True, max_length=200
    )
    review_deadline = models.DateField(_("申请行政复议期限"), null=True, blank=True)
    suit_deadline = models.DateField(_("提起行政诉讼期限"), null=True, blank=True)
    challenged_on = models.DateField(_("申请复议或起诉日期"), null=True, blank=True)
    challenge_note = models.CharField(_("复议或诉讼情况"), max_length=300, blank=True)
    applied_on = models.DateField(_("申请强制执行日期"), null=True, blank=True)
    court = models.CharField(_("受理法院"), max_length=100, blank=True)
    application_file = models.FileField(
        _("强制执行申请书"), upload_to="land/lawful/", blank=True, max_length=200
    )
    ruled_on = models.DateField(_("裁定日期"), null=True, blank=True)
    ruling_result = models.CharField(_("裁定结果"), max_length=16, choices=RulingResult.choices, blank=True)
    ruling_file = models.FileField(_("裁定书"), upload_to="land/lawful/", blank=True, max_length=200)
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("依法征收程序")
        verbose_name_plural = _("依法征收程序")
        ordering = ["household"]

    def __str__(self) -> str:
        return self.decision_number

    @property
    def step(self) -> str:
        """The last step recorded."""
        if self.ruled_on:
            return LawfulStep.RULING
        if self.applied_on:
            return LawfulStep.COURT
        if self.served_on:
            return LawfulStep.NOTICE
        return LawfulStep.DECISION

    @property
    def step_label(self) -> str:
        return str(LawfulStep(self.step).label)

    @property
    def court_from(self) -> dt.date | None:
        """The first day the court may be asked: both the review and the suit deadlines passed."""
        if self.review_deadline is None or self.suit_deadline is None:
            return None
        return max(self.review_deadline, self.suit_deadline) + dt.timedelta(days=1)

    @property
    def court_until(self) -> dt.date | None:
        """行政强制法第五十三条: within three months after the deadlines passed."""
        start = self.court_from
        return None if start is None else add_months(start, 3) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has none (8月31日 + 6个月 → 2月28日)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


class Payment(models.Model):
    """A payment tranche (分期支付) of a signed agreement, with its voucher (凭证); the tranches of an agreement
    never add up to more than its agreed amount."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("补偿安置协议"), on_delete=models.PROTECT, related_name="payments"
    )
    tranche = models.PositiveSmallIntegerField(_("期次"))
    amount = models.BigIntegerField(_("支付金额（元）"), validators=[MinValueValidator(1)])
    paid_on = models.DateField(_("支付日期"))
    voucher = models.FileField(_("支付凭证"), upload_to="land/vouchers/", blank=True, max_length=200)
    voucher_number = models.CharField(_("凭证号"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("补偿款支付")
        verbose_name_plural = _("补偿款支付")
        ordering = ["agreement", "tranche"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "tranche"], name="land_payment_tranche_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} 第{self.tranche}期"
