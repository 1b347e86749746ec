from django.urls import path

from gongjian.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.AuditEventListView.as_view(), name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("notifications/", views.notification_list, name="notification_list"),
]
