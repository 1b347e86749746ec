from django.contrib import admin

from gongjian.core.admin import AuditedModelAdmin
from gongjian.reports import services
from gongjian.reports.models import ReportingPeriod


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(AuditedModelAdmin):
    """Opening a period here goes through ``open_period`` (which derives its kind and checks the window)."""

    list_display = ["code", "kind", "opens_at", "deadline"]
    list_filter = ["kind"]
    fields = ["code", "opens_at", "deadline"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            created = services.open_period(
                obj.code, opens_at=obj.opens_at, deadline=obj.deadline, actor=request.user
            )
            obj.pk, obj.kind = created.pk, created.kind
