from django.contrib import admin

from gongjian.core.admin import AuditedModelAdmin
from gongjian.org.models import Person, Region, Unit, VillageAssignment


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
