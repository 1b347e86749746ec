"""The registry in the admin, read-only: a project and its children change only through the services (the
project pages, the API, the import), which check the editor's scope and the version, keep children's ids and
write the audit trail."""

from django.contrib import admin

from gongjian.core.admin import AuditedModelAdmin
from gongjian.projects.models import Approval, Milestone, Project, ProjectLeader


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MilestoneInline(ReadOnlyInline):
    model = Milestone


class ApprovalInline(ReadOnlyInline):
    model = Approval


class LeaderInline(ReadOnlyInline):
    model = ProjectLeader


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
