from django.contrib import admin

from gongjian.core.admin import AuditedModelAdmin
from gongjian.projects.models import Approval, Milestone, Project, ProjectLeader


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0


class LeaderInline(admin.TabularInline):
    model = ProjectLeader
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    """Reference view of the registry; day-to-day editing happens on the project pages."""

    list_display = ["code", "name", "category", "nature", "level", "responsible_unit", "year"]
    list_filter = ["category", "nature", "level", "year"]
    search_fields = ["code", "name", "national_code"]
    autocomplete_fields = ["region", "park", "owner", "responsible_unit", "headquarters", "commander"]
    inlines = [LeaderInline, MilestoneInline, ApprovalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope(request.user)
