"""Sign-in (password, then the second factor where one is needed), the account's own page, and the security
administrator's pages. Each change is one service call; pages only read."""

import ipaddress
import time
from base64 import b32encode
from datetime import timedelta
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts import services
from gongjian.accounts.forms import CodeForm, LoginForm, PasswordChangeForm, TokenForm
from gongjian.accounts.models import ApiToken, RolePolicy, User
from gongjian.accounts.roles import ADMIN_ROLES, Role, role_label
from gongjian.core.audit import AuditEvent, action_label, client_ip
from gongjian.core.models import SystemSetting

PENDING = "gongjian_pending_login"
ENROL_KEY = "gongjian_otp_key"
LOGIN_ACTIONS = [
    "login.success",
    "login.failed",
    "login.locked",
    "login.otp_failed",
    "logout",
    "user.unlock",
    "user.sign_out_all",
    "password.reset",
    "otp.remove",
]


class LoginView(auth_views.LoginView):
    """The first step: the password. Where a second factor is needed the account is not signed in yet: the
    session remembers who passed the first step, for a few minutes, and the second step finishes it."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not services.needs_second_factor(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
            "stamp": _fingerprint(user),
        }
        return redirect("accounts:login_otp")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The demo district stores its accounts so the login page can say which account plays which role.
        demo = SystemSetting.get("demo_accounts") or {}
        context["demo_accounts"] = [
            {**account, "role_label": role_label(account["role"])} for account in demo.get("accounts", [])
        ]
        context["demo_password"] = demo.get("password", "")
        return context


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > settings.GONGJIAN_OTP_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, {}
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    # A reset, a forced sign-out or a role change since the password step ends the half-done sign-in too.
    if user is None or user.is_locked() or pending.get("stamp") != _fingerprint(user):
        request.session.pop(PENDING, None)
        return None, {}
    return user, pending


def _fingerprint(user: User) -> str:
    return user.get_session_auth_hash()


def _finish_login(request, user: User, pending: dict, device):
    request.session.pop(PENDING, None)
    request.session.pop(ENROL_KEY, None)
    user.backend = pending["backend"]
    user.otp_device = device  # django-otp keeps the verifying device in the session on login
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    auth_login(request, user)
    target = pending.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = settings.LOGIN_REDIRECT_URL
    return redirect(target)


def _enrolment_context(request, user: User) -> dict:
    """A key for a new authenticator, kept in the session until it is confirmed (nothing is stored before)."""
    key = request.session.get(ENROL_KEY)
    if not key:
        key = request.session[ENROL_KEY] = services.new_otp_key()
    uri = TOTPDevice(user=user, key=key).config_url
    text = b32encode(bytes.fromhex(key)).decode()
    return {
        "qr": segno.make(uri, error="m").svg_inline(scale=4, dark="#1f2d3d"),
        "manual_key": " ".join(text[i : i + 4] for i in range(0, len(text), 4)),
    }


@never_cache
@login_not_required
def login_second_factor(request):
    """The second step of signing in: a code from the authenticator app (or a recovery code); an account whose
    role requires a second factor and has none enrols one here first."""
    user, pending = _pending_user(request)
    if user is None:
        messages.error(request, _("登录已超时，请重新输入账号和密码。"))
        return redirect("accounts:login")
    enrolling = services.otp_device(user) is None
    form = CodeForm(request.POST or None)
    ip = client_ip(request)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if enrolling:
            try:
                codes = services.enrol_otp(user, request.session.get(ENROL_KEY, ""), code, ip=ip)
            except ValidationError as exc:
                form.add_error("code", exc.message_dict.get("code", exc.messages))
            else:
                response = _finish_login(request, user, pending, services.otp_device(user))
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": response.url})
        else:
            try:
                device = services.verify_second_factor(user, code, ip=ip)
            except ValidationError as exc:
                form.add_error("code", exc.message_dict["code"])
            else:
                if device is not None:
                    return _finish_login(request, user, pending, device)
                user.refresh_from_db(fields=["locked_until"])
                if user.is_locked():
                    request.session.pop(PENDING, None)
                    messages.error(request, LoginForm.error_messages["locked"])
                    return redirect("accounts:login")
                form.add_error("code", _("动态口令或恢复码不正确。"))
    context = {"form": form, "enrolling": enrolling, "account": user}
    if enrolling:
        form.fields["code"].label = _("动态口令")
        context.update(_enrolment_context(request, user))
    return render(request, "accounts/login_otp.html", context)


@login_not_required
def admin_login(request):
    """The admin site signs in through the same two steps as every other page."""
    target = request.GET.get("next", reverse("admin:index"))
    return redirect(f"{reverse('accounts:login')}?next={quote(target)}")


# The account's own page


def my_account(request):
    user = request.user
    expires = None
    if settings.GONGJIAN_PASSWORD_MAX_DAYS and user.password_changed_at:
        expires = user.password_changed_at + timedelta(days=settings.GONGJIAN_PASSWORD_MAX_DAYS)
    recovery_left = 0
    device = services.otp_device(user)
    if device is not None:
        recovery_left = user.staticdevice_set.aggregate(n=Count("token_set"))["n"]
    return render(
        request,
        "accounts/my_account.html",
        {
            "roles": [role_label(c) for c in sorted(user.role_codes())],
            "password_expires": expires,
            "device": device,
            "otp_required": services.otp_required(user),
            "recovery_left": recovery_left,
            "logins": AuditEvent.objects.filter(
                action__in=["login.success", "login.failed", "login.otp_failed"],
                object_type="accounts.user",
                object_id=str(user.pk),
            )[:10],
        },
    )


def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_password(
                request.user,
                form.cleaned_data["old_password"],
                form.cleaned_data["new_password"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("accounts:me")
            return redirect(target)
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "forced": request.user.must_change_password_now(),
            "max_days": settings.GONGJIAN_PASSWORD_MAX_DAYS,
        },
    )


@never_cache
def second_factor(request):
    """Enrol an authenticator app, see how many recovery codes are left, make new ones, or unbind it."""
    user = request.user
    device = services.otp_device(user)
    form = CodeForm(request.POST or None)
    ip = client_ip(request)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "enrol" and form.is_valid():
                codes = services.enrol_otp(
                    user, request.session.get(ENROL_KEY, ""), form.cleaned_data["code"], ip=ip
                )
                request.session.pop(ENROL_KEY, None)
                return render(
                    request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:me")}
                )
            if action == "recovery":
                codes = services.regenerate_recovery_codes(user, ip=ip)
                return render(
                    request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:me")}
                )
            if action == "remove":
                services.remove_otp(user, actor=user, ip=ip)
                messages.success(request, _("已解除动态口令。"))
                return redirect("accounts:me")
        except ValidationError as exc:
            if action != "enrol":
                messages.error(request, "；".join(exc.messages))
                return redirect("accounts:second_factor")
            form.add_error("code", exc.messages)  # the form was validated above
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("accounts:me")
    context = {"form": form, "device": device, "otp_required": services.otp_required(user)}
    if device is None:
        form.fields["code"].label = _("动态口令")
        context.update(_enrolment_context(request, user))
    return render(request, "accounts/second_factor.html", context)


@never_cache
def api_tokens(request):
    """The signed-in user's personal API tokens: create one (its secret is shown once) or revoke one."""
    secret = None
    form = TokenForm(request.POST or None)
    ip = client_ip(request)
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=_int(request.POST["revoke"]), user=request.user)
            services.revoke_api_token(token, actor=request.user, ip=ip)
            messages.success(request, _("令牌已吊销。"))
            return redirect("accounts:api_tokens")
        if form.is_valid():
            try:
                _token, secret = services.create_api_token(
                    request.user,
                    form.cleaned_data["name"],
                    actor=request.user,
                    days=form.cleaned_data["days"] or None,
                    ip=ip,
                )
                form = TokenForm()
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        else:
            messages.error(
                request, "；".join(f"{form.fields[f].label}：{'；'.join(e)}" for f, e in form.errors.items())
            )
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": request.user.api_tokens.all(),
            "secret": secret,
            "form": form,
        },
    )


# The security administrator's pages


@permission_required("accounts.manage_credentials", raise_exception=True)
def security_users(request):
    """Every account with what its credentials look like: roles, lock, second factor, password age, tokens."""
    q = request.GET.get("q", "").strip()[:50]
    users = (
        User.objects.order_by("username")
        .prefetch_related(Prefetch("groups"))
        .annotate(
            has_otp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            live_tokens=Count(
                "api_tokens",
                filter=Q(api_tokens__revoked_at__isnull=True, api_tokens__expires_at__gt=timezone.now()),
            ),
        )
    )
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    for user in page:
        user.role_names = "、".join(role_label(g.name) for g in user.groups.all())
    return render(request, "accounts/security_users.html", {"page": page, "q": q})


@never_cache
@permission_required("accounts.manage_credentials", raise_exception=True)
def security_user(request, pk: int):
    """One account: reset its password, unlock it, sign it out everywhere, remove its second factor, revoke its
    tokens; and its recent sign-ins."""
    target = get_object_or_404(User, pk=pk)
    temporary = None
    if request.method == "POST" and target.pk == request.user.pk:
        messages.error(request, _("不能这样修改自己的账号；请在“我的账号”中操作。"))
        return redirect("accounts:security_user", pk=target.pk)
    if request.method == "POST":
        action, ip = request.POST.get("action"), client_ip(request)
        try:
            if action == "reset":
                temporary = services.reset_password(target, actor=request.user, ip=ip)
                messages.success(request, _("密码已重置，该账号已被强制下线，下次登录须修改密码。"))
            elif action == "unlock":
                services.unlock_user(target, actor=request.user, ip=ip)
                messages.success(request, _("已解锁。"))
            elif action == "sign_out":
                services.sign_out_everywhere(target, actor=request.user, ip=ip)
                messages.success(request, _("该账号的所有会话已下线。"))
            elif action == "remove_otp":
                services.remove_otp(target, actor=request.user, ip=ip)
                messages.success(request, _("已移除动态口令，该账号下次登录时重新绑定。"))
            elif action == "revoke":
                token = get_object_or_404(ApiToken, pk=_int(request.POST.get("token")), user=target)
                services.revoke_api_token(token, actor=request.user, ip=ip)
                messages.success(request, _("令牌已吊销。"))
            else:
                messages.error(request, _("未知操作。"))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        if temporary is None:
            return redirect("accounts:security_user", pk=target.pk)
        target.refresh_from_db()
    return render(
        request,
        "accounts/security_user.html",
        {
            "target": target,
            "temporary": temporary,
            "roles": [role_label(c) for c in sorted(target.role_codes())],
            "is_admin_account": target.is_administrator(),
            "is_self": target.pk == request.user.pk,
            "device": services.otp_device(target),
            "tokens": target.api_tokens.all(),
            "events": AuditEvent.objects.filter(
                action__in=LOGIN_ACTIONS, object_type="accounts.user", object_id=str(target.pk)
            )[:30],
        },
    )


@permission_required("accounts.change_rolepolicy", raise_exception=True)
def security_policy(request):
    """Which roles must sign in with a second factor."""
    if request.method == "POST":
        # The 三员's second factor, once on, stays on from the web.
        on = set(
            RolePolicy.objects.filter(role__in=ADMIN_ROLES, require_otp=True).values_list("role", flat=True)
        )
        wanted = set(request.POST.getlist("require_otp")) | on
        for role in Role:
            services.set_role_policy(
                role, require_otp=role.value in wanted, actor=request.user, ip=client_ip(request)
            )
        messages.success(request, _("安全策略已保存。"))
        return redirect("accounts:security_policy")
    policies = {p.role: p for p in RolePolicy.objects.all()}
    rows = [
        {
            "role": role,
            "label": role.label,
            "policy": policies.get(role.value),
            "fixed": role in ADMIN_ROLES and policies.get(role.value) and policies[role.value].require_otp,
        }
        for role in Role
    ]
    return render(
        request,
        "accounts/security_policy.html",
        {
            "rows": rows,
            "password_max_days": settings.GONGJIAN_PASSWORD_MAX_DAYS,
            "failure_limit": settings.LOGIN_FAILURE_LIMIT,
            "lock_minutes": settings.LOGIN_LOCK_MINUTES,
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "token_days": settings.GONGJIAN_TOKEN_DAYS,
        },
    )


@permission_required("accounts.manage_credentials", raise_exception=True)
def security_logins(request):
    """Sign-ins, failures, lockouts, unlocks and forced sign-outs, by account and address."""
    events = AuditEvent.objects.filter(action__in=LOGIN_ACTIONS)
    account = request.GET.get("account", "").strip()[:150]
    address = request.GET.get("ip", "").strip()[:45]
    kind = request.GET.get("action", "")
    if account:
        events = events.filter(Q(object_repr__icontains=account) | Q(actor_name__icontains=account))
    if address:
        events = events.filter(ip_address=address) if _is_ip(address) else events.none()
    if kind in LOGIN_ACTIONS:
        events = events.filter(action=kind)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/security_logins.html",
        {
            "page": page,
            "account": account,
            "ip": address,
            "kind": kind,
            "kinds": [(a, action_label(a)) for a in LOGIN_ACTIONS],
        },
    )


def _int(text) -> int | None:
    """A posted id, or None (then the lookup answers 404) when it is not a plain number."""
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 19 else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
