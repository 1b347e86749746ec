from django.contrib import admin

from gongjian.pipeline.models import AnnualPlan, Campaign, ReserveProject


@admin.register(ReserveProject)
class ReserveProjectAdmin(admin.ModelAdmin):
    """Read-only here: reserve projects change through the pipeline's pages and services (audited, versioned)."""

    list_display = ["name", "category", "readiness", "state", "responsible_unit", "start_year"]
    list_filter = ["state", "readiness", "category", "batch"]
    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReserveProjectAdmin):
    list_display = ["title", "year", "state", "number"]
    list_filter = ["state"]
    search_fields = ["title"]


@admin.register(Campaign)
class CampaignAdmin(ReserveProjectAdmin):
    list_display = ["name", "kind", "held_on"]
    list_filter = ["kind"]
    search_fields = ["name"]
