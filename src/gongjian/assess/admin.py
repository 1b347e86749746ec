from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from gongjian.assess import services
from gongjian.assess.models import (
    Adjustment,
    Commitment,
    EvaluatorAssignment,
    Interview,
    Scheme,
    SchemeYear,
)
from gongjian.core.admin import AuditedModelAdmin


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """Versions are kept as they are: a new version comes from copying one (an action) or importing YAML."""

    list_display = ["name", "version", "note", "created_by", "created_at"]
    readonly_fields = ["name", "version", "content", "note", "created_by", "created_at"]
    actions = ["copy_as_new_version", "export_yaml"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("复制为新版本"))
    def copy_as_new_version(self, request, queryset):
        for row in queryset:
            try:
                copy = services.save_scheme(row.content, actor=request.user, note=f"复制自 v{row.version}")
                messages.success(request, str(copy))
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))

    @admin.action(description=_("导出 YAML"))
    def export_yaml(self, request, queryset):
        text = "\n---\n".join(services.export_yaml(row) for row in queryset)
        response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="scheme.yaml"'
        return response


@admin.register(SchemeYear)
class SchemeYearAdmin(AuditedModelAdmin):
    list_display = ["year", "scheme", "activated_at"]


@admin.register(EvaluatorAssignment)
class EvaluatorAssignmentAdmin(AuditedModelAdmin):
    list_display = ["rater", "subject_kind", "subject_id"]
    list_filter = ["subject_kind"]


@admin.register(Adjustment)
class AdjustmentAdmin(AuditedModelAdmin):
    list_display = ["period_code", "subject_kind", "subject_id", "points", "reason", "created_by"]
    list_filter = ["period_code", "subject_kind"]

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 2


@admin.register(Interview)
class InterviewAdmin(AuditedModelAdmin):
    list_display = ["held_on", "interviewee", "interviewer", "subject_kind", "subject_id"]
    inlines = [CommitmentInline]
