from django.contrib.auth import views as auth_views

from gongjian.accounts.forms import LoginForm
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
