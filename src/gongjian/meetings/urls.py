from django.urls import path

from gongjian.dispatch import assignment_urls, daily_urls, views

app_name = "dispatch"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/export/", views.meeting_export, name="meeting_export"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/export/", views.decision_export, name="decision_export"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views.document_new, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/docx/", views.document_docx, name="document_docx"),
    *daily_urls.urlpatterns,
    *assignment_urls.urlpatterns,
]
