from django.contrib.auth import views as auth_views
from django.urls import path

from gongjian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.api_tokens, name="api_tokens"),
]
