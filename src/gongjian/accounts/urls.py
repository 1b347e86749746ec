from django.contrib.auth import views as auth_views
from django.urls import path

from gongjian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.login_second_factor, name="login_otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.my_account, name="me"),
    path("password/", views.password_change, name="password_change"),
    path("otp/", views.second_factor, name="second_factor"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("security/", views.security_users, name="security_users"),
    path("security/users/<int:pk>/", views.security_user, name="security_user"),
    path("security/policy/", views.security_policy, name="security_policy"),
    path("security/logins/", views.security_logins, name="security_logins"),
]
