"""The daily cycle's pages (工作队日报, 每日部署), under /dispatch/daily/."""

from django.urls import path

from gongjian.daily import views

app_name = "daily"
urlpatterns = [
    path("", views.daily_page, name="daily"),
    path("teams/<int:pk>/", views.daily_team, name="daily_team"),
    path("export.xlsx", views.daily_export, name="daily_export"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("photos/<int:pk>/thumbnail/", views.photo_file, {"thumbnail": True}, name="photo_thumbnail"),
]
