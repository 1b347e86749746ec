"""Organisation: regions, units, people and who is assigned to which village."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.accounts import access
from gongjian.core import identifiers
from gongjian.org.choices import ENTERPRISE_KINDS, LeadershipBody, RegionLevel, UnitKind


def _check(func, value):
    try:
        return func(value)
    except identifiers.IdentifierError as exc:
        raise ValidationError(str(exc), code="invalid") from exc


def validate_region_code(value: str) -> None:
    _check(identifiers.check_region_code, value)


def validate_credit_code(value: str) -> None:
    _check(identifiers.check_credit_code, value)


def validate_mobile(value: str) -> None:
    _check(identifiers.check_mobile, value)


class Region(models.Model):
    """An administrative division (行政区划) by its GB/T 2260 code, down to township (9 digits) and
    village/community (12 digits, the statistics bureau's codes)."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True, validators=[validate_region_code])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of codes ("320000/320300/320311/"), so "this region and below" is one prefix match.
    path = models.CharField(_("路径"), max_length=120, db_index=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.code:
            return
        expected_parent = identifiers.region_parent_code(self.code)
        if self.parent and expected_parent and self.parent.code != expected_parent:
            raise ValidationError({"parent": _("上级区划代码应为 %(code)s。") % {"code": expected_parent}})
        if not self.level:
            self.level = identifiers.region_level(self.code).value


class Unit(models.Model):
    """A unit (单位): a department, street, park, headquarters (指挥部), service team (服务工作队) or enterprise."""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="unit_credit_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        old_path = self.path
        if not self.pk:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k == "using"}
        self.path = (self.parent.path if self.parent else "") + f"{self.pk}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moved under another parent: every unit below it moves too.
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                Unit.objects.filter(pk=child.pk).update(path=self.path + child.path[len(old_path) :])
            access.bump()  # the units below moved without a signal: scopes are worked out again after it

    def clean(self) -> None:
        if self.kind in ENTERPRISE_KINDS and not self.credit_code:
            raise ValidationError({"credit_code": _("企业须填写统一社会信用代码。")})
        if self.parent_id and self.pk and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})


class Person(models.Model):
    """A person (人员) who works on projects: a leader, a commander, a reporter. May have an account."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    post = models.CharField(_("职务"), max_length=100, blank=True)
    leadership_body = models.CharField(
        _("所属班子"),
        max_length=16,
        choices=LeadershipBody.choices,
        blank=True,
        help_text=_("四套班子领导填写，用于领导分工包挂。"),
    )
    mobile = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）" if self.post else self.name

    @property
    def masked_mobile(self) -> str:
        return identifiers.mask_phone(self.mobile)

    @property
    def is_leader(self) -> bool:
        return bool(self.leadership_body)


class VillageAssignment(models.Model):
    """A leader's assignment to a village or community (分包村居)."""

    person = models.ForeignKey(
        Person, verbose_name=_("分包领导"), on_delete=models.CASCADE, related_name="village_assignments"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("村居"), on_delete=models.CASCADE, related_name="assignments"
    )
    since = models.DateField(_("起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("分包村居")
        verbose_name_plural = _("分包村居")
        constraints = [models.UniqueConstraint(fields=["person", "region"], name="village_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.region.name}"

    def clean(self) -> None:
        if self.region_id and self.region.level != RegionLevel.VILLAGE:
            raise ValidationError({"region": _("分包对象须是村居或社区。")})


class RegionBoundary(models.Model):
    """A region's boundary (行政区划边界) as the project office uploaded it: a GeoJSON FeatureCollection of
    polygons in longitude and latitude, drawn under the projects' points (一张图). Checked on upload
    (:mod:`gongjian.org.geojson`); every upload is a new version, kept as a :class:`RegionBoundaryRevision`."""

    region = models.OneToOneField(
        Region, verbose_name=_("行政区划"), on_delete=models.CASCADE, related_name="boundary"
    )
    geojson = models.TextField(_("边界（GeoJSON）"), editable=False)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True, editable=False)
    sha256 = models.CharField(_("文件校验值（SHA-256）"), max_length=64, editable=False)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0, editable=False)
    features = models.PositiveIntegerField(_("要素数"), default=0, editable=False)
    bbox = models.JSONField(_("范围（西、南、东、北）"), default=list, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("上传时间"), null=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("行政区划边界")
        verbose_name_plural = _("行政区划边界")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return _("%(region)s边界") % {"region": self.region}

    @property
    def centre_latitude(self) -> float:
        """The latitude of the middle of the boundary's extent (a map scales longitude by its cosine)."""
        return (self.bbox[1] + self.bbox[3]) / 2 if len(self.bbox or []) == 4 else 0.0


class RegionBoundaryRevision(models.Model):
    """One upload of a region's boundary, kept as it was (the boundary row holds only the latest)."""

    boundary = models.ForeignKey(
        RegionBoundary, verbose_name=_("行政区划边界"), on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("版本"))
    geojson = models.TextField(_("边界（GeoJSON）"))
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    sha256 = models.CharField(_("文件校验值（SHA-256）"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("行政区划边界版本")
        verbose_name_plural = _("行政区划边界版本")
        ordering = ["boundary", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["boundary", "version"], name="one_boundary_revision_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.boundary} v{self.version}"
