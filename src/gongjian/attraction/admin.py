from django.contrib import admin

from gongjian.attraction.models import AttractionTarget


@admin.register(AttractionTarget)
class AttractionTargetAdmin(admin.ModelAdmin):
    """Read-only: targets are handed down through the attraction pages (audited, versioned)."""

    list_display = ["unit", "year", "metric", "value"]
    list_filter = ["year", "metric"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
