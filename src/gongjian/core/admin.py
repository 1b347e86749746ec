"""Admin plumbing: every save and delete made in the Django admin is audited like any service write."""

from django.contrib import admin

from gongjian.core import audit
from gongjian.core.models import CalendarDay, SystemSetting


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = None
        if change:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old else None
        obj.full_clean()
        super().save_model(request, obj, form, change)
        label = obj._meta.label_lower
        audit.record(f"{label}.{'update' if change else 'create'}", actor=request.user, obj=obj, before=before,
                     after=audit.snapshot(obj), only_changes=change, ip_address=audit.client_ip(request),
                     note="系统管理后台")

    def delete_model(self, request, obj):
        before, pk, text = audit.snapshot(obj), obj.pk, str(obj)
        super().delete_model(request, obj)
        audit.record(f"{obj._meta.label_lower}.delete", actor=request.user, object_type=obj._meta.label_lower,
                     object_id=str(pk), object_repr=text, before=before, only_changes=False, note="系统管理后台",
                     ip_address=audit.client_ip(request))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SystemSetting)
class SystemSettingAdmin(AuditedModelAdmin):
    list_display = ["key", "updated_at"]
    search_fields = ["key"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
