from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "攻坚 · 系统管理"
admin.site.site_title = "攻坚"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:project_list"), name="home"),
    path("accounts/", include("gongjian.accounts.urls")),
    path("projects/", include("gongjian.projects.urls")),
    path("reports/", include("gongjian.reports.urls")),
    path("lights/", include("gongjian.lights.urls")),
    path("assess/", include("gongjian.assess.urls")),
    path("exchange/", include("gongjian.exchange.urls")),
    path("system/", include("gongjian.core.urls")),
    path("api/v1/", include("gongjian.api.urls", namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
