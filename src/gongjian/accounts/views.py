from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gongjian.accounts import services
from gongjian.accounts.forms import LoginForm
from gongjian.accounts.models import ApiToken
from gongjian.accounts.roles import role_label
from gongjian.core.models import SystemSetting


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The demo district stores its accounts so the login page can say which account plays which role.
        demo = SystemSetting.get("demo_accounts") or {}
        context["demo_accounts"] = [
            {**account, "role_label": role_label(account["role"])} for account in demo.get("accounts", [])
        ]
        context["demo_password"] = demo.get("password", "")
        return context


def api_tokens(request):
    """The signed-in user's personal API tokens: create one (its secret is shown once) or revoke one."""
    secret = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=request.user)
            services.revoke_api_token(token, actor=request.user)
            messages.success(request, _("令牌已吊销。"))
            return redirect("accounts:api_tokens")
        try:
            _token, secret = services.create_api_token(request.user, request.POST.get("name", ""), actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(request, "accounts/api_tokens.html", {
        "tokens": request.user.api_tokens.all(), "secret": secret,
    })
