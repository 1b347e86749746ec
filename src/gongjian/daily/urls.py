"""The daily cycle's pages (工作队日报, 每日部署)."""

from django.urls import path

from gongjian.dispatch import daily_views

urlpatterns = [
    path("daily/", daily_views.daily_page, name="daily"),
    path("daily/teams/<int:pk>/", daily_views.daily_team, name="daily_team"),
    path("daily/export.xlsx", daily_views.daily_export, name="daily_export"),
]
