from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import ListView

from gongjian.core import audit, todo
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
    """Where "/" and a fresh login land: each role on its work.

    The landings, in their fixed order (registered by the apps in ``AppConfig.ready``, see ``core/todo.py``):

    1. the leaders' cockpit (驾驶舱) — principal leaders and the project office, who see every project;
    2. 我的填报 (the reports due) — reporters; work waiting: reports to file;
    3. 待审核报告 — reviewers; work waiting: reports submitted for review;
    4. their projects' traffic-light board — supervising leaders and commanders; work waiting: their cases and
       decisions;
    5. 综合评价打分 — evaluators (who have subjects assigned); work waiting: scores of the current period;
    6. 今日日报 — service teams' members; work waiting: the day's report not filed.

    A user with several roles lands on the first of their landings where work is waiting, else on the first of
    them. Whoever has none of these: the three administrators each on their own desk (they see no business
    data), anyone else who reads projects on the project list, the rest on their account page.
    """
    user = request.user
    target = todo.landing_for(user) if user.is_authenticated else None
    if target:
        return redirect(target)
    if user.has_perm("core.view_audit_trail"):
        return redirect("core:audit_list")
    if user.has_perm("accounts.manage_credentials"):
        return redirect("accounts:security_users")
    if user.has_perm("projects.view_project"):
        return redirect("projects:project_list")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("accounts:me")


def todo_list(request):
    """待办: each kind of work waiting for the signed-in user, with its count and the list that shows it."""
    items = todo.items(request.user)
    return render(request, "core/todo.html", {"items": items, "total": sum(i.count for i in items)})


# The error pages: in the site's frame, in Chinese, with a way back; under /api/ the API's JSON shape instead.


def _api_error(request, status: int, code: str, message: str) -> JsonResponse | None:
    """The API's answer {code, errors} for a request under /api/, or None for a page."""
    if not request.path_info.startswith("/api/"):
        return None
    return JsonResponse(
        {"code": code, "errors": [{"field": None, "message": message}]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _back_url(request) -> str:
    """The page the person came from, when it is one of ours and not this one (for 返回上一页)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # a request refused for its Host header has no page of ours to go back to
        return ""
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure())
    return referer if safe and referer != request.build_absolute_uri() else ""


@requires_csrf_token
def page_not_found(request, exception=None):
    return _api_error(request, 404, "not_found", _("没有这个地址或记录。")) or render(
        request, "404.html", {"back_url": _back_url(request)}, status=404
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    # A service's refusal says why in Chinese; Django's own (a missing permission) says nothing, and the page
    # gives the general reason.
    reason = str(exception or "")
    return _api_error(request, 403, "forbidden", reason or _("没有权限。")) or render(
        request, "403.html", {"exception": reason, "back_url": _back_url(request)}, status=403
    )


@requires_csrf_token
def csrf_failure(request, reason=""):
    """A form sent from a page opened before signing in or out, or kept open past the session (Django's own
    page is in English)."""
    return _api_error(request, 403, "csrf", _("请求校验失败，请刷新页面后重试。")) or render(
        request, "403_csrf.html", {"back_url": _back_url(request)}, status=403
    )


def bad_request(request, exception=None):
    # Django's page renders without the request: a request refused for its Host header cannot be asked more.
    return _api_error(request, 400, "bad_request", _("请求无效。")) or defaults.bad_request(
        request, exception
    )


def server_error(request):
    # Without the request or a database query: whatever failed may fail again while the page is drawn.
    return _api_error(
        request, 500, "server_error", _("服务器内部错误，请稍后重试。")
    ) or defaults.server_error(request)
