from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from gongjian.core import audit
from gongjian.core.admin import AuditedModelAdmin, VersionedForm
from gongjian.org import geojson, services
from gongjian.org.models import (
    Person,
    Region,
    RegionBoundary,
    Unit,
    VillageAssignment,
)


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "parent", "region", "credit_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]
    autocomplete_fields = ["parent", "region"]


class VillageAssignmentInline(admin.TabularInline):
    model = VillageAssignment
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ["name", "post", "unit", "leadership_body", "masked_mobile"]
    list_filter = ["leadership_body", "unit__kind"]
    search_fields = ["name", "post", "unit__name"]
    autocomplete_fields = ["unit", "user"]
    inlines = [VillageAssignmentInline]


class BoundaryForm(VersionedForm):
    """The upload of a region's boundary: the file is read and checked here, so what is wrong with it is said at
    the field; the service writes it (version, revision, audit)."""

    upload = forms.FileField(
        label=_("边界文件（GeoJSON）"),
        help_text=_(
            "UTF-8 编码的 GeoJSON（FeatureCollection、Feature、Polygon 或 MultiPolygon），经纬度坐标"
            "（CGCS2000 或 WGS-84），不超过 %(mb)d MB。"
        )
        % {"mb": geojson.MAX_BYTES // 1024 // 1024},
    )

    class Meta:
        model = RegionBoundary
        fields = ["region"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            geojson.check_size(upload.size)  # said before a huge file is read into memory
        except geojson.BoundaryError as exc:
            raise ValidationError(str(exc), code="too_big") from None
        self.boundary = services.read_boundary(upload.read())
        return upload


@admin.register(RegionBoundary)
class RegionBoundaryAdmin(AuditedModelAdmin):
    form = BoundaryForm
    list_display = ["region", "file_name", "features", "size", "version", "uploaded_by", "uploaded_at"]
    search_fields = ["region__name", "region__code"]
    autocomplete_fields = ["region"]
    summary_fields = [
        "file_name",
        "sha256",
        "size",
        "features",
        "bbox",
        "version",
        "uploaded_by",
        "uploaded_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["region", *self.summary_fields, "history"] if obj else []

    @admin.display(description=_("历次上传"))
    def history(self, obj):
        rows = obj.revisions.select_related("uploaded_by").defer("geojson")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("版本"),
            _("文件名"),
            _("文件校验值（SHA-256）"),
            _("上传人"),
            _("上传时间"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        r.version,
                        r.file_name or "—",
                        r.sha256,
                        r.uploaded_by or "—",
                        date_format(localtime(r.uploaded_at), "Y-m-d H:i"),
                    )
                    for r in rows
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["upload"]
        saved = services.save_boundary(
            obj.region,
            form.boundary,
            file_name=upload.name,
            actor=request.user,
            expected_version=form.cleaned_data.get("loaded_version") if change else None,
            ip_address=audit.client_ip(request),
        )
        obj.pk = saved.pk
        obj.version = saved.version

    def delete_model(self, request, obj):
        before, pk, text = audit.snapshot(obj, ["region_id", *self.summary_fields]), obj.pk, str(obj)
        obj.delete()
        audit.record(
            "org.regionboundary.delete",
            actor=request.user,
            object_type="org.regionboundary",
            object_id=str(pk),
            object_repr=text,
            before=before,
            only_changes=False,
            note="系统管理后台",
            ip_address=audit.client_ip(request),
        )
