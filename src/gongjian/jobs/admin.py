from django.contrib import admin

from gongjian.jobs.models import Job, ScheduleRun


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["label", "state", "done", "total", "created_by", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "ok"]
    readonly_fields = ["started_at", "finished_at", "steps", "ok"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
