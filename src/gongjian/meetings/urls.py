"""The pages of dispatch meetings and the decisions ledger (under /dispatch/)."""

from django.urls import path

from gongjian.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/export/", views.meeting_export, name="meeting_export"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/export/", views.decision_export, name="decision_export"),
]
