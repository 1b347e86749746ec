import json

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import ListView

from gongjian.core import audit
from gongjian.core.filters import AuditEventFilterSet
from gongjian.core.models import AuditEvent


class AuditEventListView(PermissionRequiredMixin, ListView):
    """The audit trail, for the audit administrator only (三员: nobody else reads it)."""

    permission_required = "core.view_audit_trail"
    template_name = "core/audit_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = AuditEventFilterSet(self.request.GET or None, queryset=AuditEvent.objects.all())
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else AuditEvent.objects.all()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Reading the trail is itself audited (等保 8.1.5: the audit administrator's actions are recorded).
        audit.record("audit.view", actor=request.user, object_type="core.auditevent",
                     note=request.GET.urlencode()[:500])
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for event in context["object_list"]:
            event.before_text = json.dumps(event.before, ensure_ascii=False, indent=1) if event.before else ""
            event.after_text = json.dumps(event.after, ensure_ascii=False, indent=1) if event.after else ""
        context["filterset"] = self.filterset
        return context


def notification_list(request):
    """The signed-in user's notifications; opening the page marks them read."""
    from django.shortcuts import render
    from django.utils import timezone

    from gongjian.core.models import Notification

    items = list(Notification.objects.filter(user=request.user)[:200])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/notification_list.html", {"items": items})


def home(request):
    """Where "/" and a fresh login land: a service team's member on the day's report, everyone else on the
    project list."""
    from django.shortcuts import redirect

    user = request.user
    if user.is_authenticated and user.has_perm("dispatch.add_dailyreport") and not user.has_perm(
            "dispatch.view_meeting"):
        return redirect("dispatch:daily")
    return redirect("projects:project_list")
