from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from gongjian.accounts import views as account_views
from gongjian.core import views as core_views
from gongjian.core.bounds import YearConverter

register_converter(YearConverter, "year")  # before the apps' URL modules are read

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

admin.site.site_header = "攻坚 · 系统管理"
admin.site.site_title = "攻坚"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("todo/", core_views.todo_list, name="todo"),
    path("accounts/", include("gongjian.accounts.urls")),
    path("projects/", include("gongjian.projects.urls")),
    path("reports/", include("gongjian.reports.urls")),
    path("lights/", include("gongjian.lights.urls")),
    path("assess/", include("gongjian.assess.urls")),
    path("map/", include("gongjian.onemap.urls")),
    path("land/", include("gongjian.land.urls")),
    path("pipeline/", include("gongjian.pipeline.urls")),
    # The dispatch apps keep the paths they had when they were one app.
    path("dispatch/daily/", include("gongjian.daily.urls")),
    path("dispatch/assignments/", include("gongjian.assignments.urls")),
    path("dispatch/documents/", include("gongjian.documents.urls")),
    path("dispatch/", include("gongjian.meetings.urls")),
    path("cockpit/", include("gongjian.cockpit.urls")),
    path("exchange/", include("gongjian.exchange.urls")),
    path("system/jobs/", include("gongjian.jobs.urls")),
    path("system/", include("gongjian.core.urls")),
    path("api/v1/", include("gongjian.api.urls", namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", account_views.admin_login),
    # Passwords change on the account's own page (audited, with the history); not in the admin.
    path("admin/password_change/", RedirectView.as_view(pattern_name="accounts:password_change")),
    path("admin/", admin.site.urls),
]
