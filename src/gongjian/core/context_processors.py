from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.core import todo
from gongjian.core.models import Notification


def navigation(request):
    """The menu of the signed-in user: only the pages their roles can open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.has_perm("projects.view_project"):
        # The leaders' cockpit: principal leaders and the office land there; everyone else reaches it here.
        if user.has_perm("lights.view_light"):  # its figures open the light board and the lists behind it
            items.append((_("驾驶舱"), reverse("cockpit:home"), "cockpit"))
        items.append((_("项目库"), reverse("projects:project_list"), "projects"))
        items.append((_("一张图"), reverse("onemap:map"), "map"))
    if user.has_perm("pipeline.view_reserveproject"):
        items.append((_("项目储备"), reverse("pipeline:reserve_list"), "pipeline"))
    if user.has_perm("reports.view_report"):
        items.append((_("旬报月报"), reverse("reports:due_list"), "reports"))
    if user.has_perm("lights.view_light"):
        items.append((_("红绿灯"), reverse("lights:board"), "lights"))
    if user.has_perm("lights.view_case"):
        items.append((_("督办"), reverse("lights:case_list"), "cases"))
    if user.has_perm("assess.view_run"):
        items.append((_("考核"), reverse("assess:run_list"), "assess"))
    if user.has_perm("meetings.view_meeting"):
        items.append((_("调度"), reverse("meetings:meeting_list"), "dispatch"))
    elif user.has_perm("daily.add_dailyreport"):  # a service team's member: straight to the day's report
        items.append((_("工作日报"), reverse("daily:daily"), "daily"))
    if user.has_perm("land.view_task"):
        items.append((_("征地拆迁"), reverse("land:task_list"), "land"))
    if user.has_perm("assess.add_evaluation"):
        items.append((_("综合评价"), reverse("assess:evaluate"), "evaluate"))
    if user.has_perm("projects.import_projects"):
        items.append((_("导入导出"), reverse("exchange:import_projects"), "exchange"))
    if user.has_perm("accounts.manage_credentials"):
        items.append((_("安全管理"), reverse("accounts:security_users"), "security"))
    if user.has_perm("core.view_audit_trail"):
        items.append((_("审计记录"), reverse("core:audit_list"), "audit"))
    if user.is_staff:
        items.append((_("系统管理"), reverse("admin:index"), "admin"))

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    # The to-do total is counted only when a page draws the header (a callable: the template calls it), once per
    # request (kept on the user).
    return {
        "nav_items": items,
        "unread_notifications": unread,
        "todo_total": lambda: todo.total(user),
    }
