from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView

from gongjian.core import audit
from gongjian.core.exports import audit_workbook
from gongjian.core.filters import AuditEventFilterSet
from gongjian.core.models import AuditEvent, Notification


class AuditEventListView(PermissionRequiredMixin, ListView):
    """The audit trail, for the audit administrator only (三员: nobody else reads it)."""

    permission_required = "core.view_audit_trail"
    template_name = "core/audit_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = AuditEventFilterSet(self.request.GET or None, queryset=AuditEvent.objects.all())
        return (
            self.filterset.qs
            if self.filterset.is_bound and self.filterset.is_valid()
            else AuditEvent.objects.all()
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Reading the trail is itself audited (等保 8.1.5: the audit administrator's actions are recorded).
        audit.record(
            "audit.view",
            actor=request.user,
            object_type="core.auditevent",
            note=request.GET.urlencode()[:500],
            ip_address=audit.client_ip(request),
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The same check as `gongjian audit verify` over the latest events (read-only, so the page stays quick at
        # millions of events; the whole chain is checked by the tick once a day and by the command), and the last
        # whole check: either broken shows a red banner.
        context["chain"] = verdict = audit.verify_chain(last=settings.GONGJIAN_AUDIT_PAGE_EVENTS)
        context["last_check"] = last = audit.last_full_check()
        broken = None
        if verdict.broken:
            broken = {"id": verdict.broken.id, "kind": verdict.broken.kind}
        elif last and last.check_ok is False:
            broken = {"id": last.broken_id, "kind": last.broken_kind}
        if broken:
            context["broken"] = broken | {"label": audit.BREAK_LABELS.get(broken["kind"], "")}
        context["unsealed"] = audit.unsealed_since()
        for event in context["object_list"]:
            event.before_text = audit.readable_json(event.before)
            event.after_text = audit.readable_json(event.after)
        context["filterset"] = self.filterset
        return context


@permission_required("core.view_audit_trail", raise_exception=True)
def audit_export(request):
    """The audit trail of a date range (the page's filters) as Excel; the export itself is audited."""
    filterset = AuditEventFilterSet(request.GET or None, queryset=AuditEvent.objects.all())
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            _("日期格式不正确，请按 年-月-日 填写。"), content_type="text/plain; charset=utf-8"
        )
    audit.record(
        "audit.export",
        actor=request.user,
        object_type="core.auditevent",
        ip_address=audit.client_ip(request),
        note=request.GET.urlencode()[:500],
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return audit_workbook(filterset.qs, f"审计记录_{stamp}.xlsx")


def notification_list(request):
    """The signed-in user's notifications, unread first in bold; "全部标为已读" marks them read (a POST)."""
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("core:notification_list")
    items = list(Notification.objects.filter(user=request.user)[:200])
    return render(
        request,
        "core/notification_list.html",
        {"items": items, "unread": any(n.read_at is None for n in items)},
    )


def home(request):
    """Where "/" and a fresh login land: a service team's member on the day's report, whoever reads projects on
    the project list, an administrator on their own page."""
    user = request.user
    if (
        user.is_authenticated
        and user.has_perm("daily.add_dailyreport")
        and not user.has_perm("meetings.view_meeting")
    ):
        return redirect("daily:daily")
    if user.has_perm("projects.view_project"):
        return redirect("projects:project_list")
    # The three administrators see no business data: each lands on their own desk.
    if user.has_perm("core.view_audit_trail"):
        return redirect("core:audit_list")
    if user.has_perm("accounts.manage_credentials"):
        return redirect("accounts:security_users")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("accounts:me")
