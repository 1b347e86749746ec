from django.urls import path

from gongjian.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.due_list, name="due_list"),
    path("<int:project_pk>/<int:period_pk>/", views.report_edit, name="report_edit"),
    path("<int:pk>/review/", views.report_review, name="report_review"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("photos/<int:pk>/thumbnail/", views.photo_file, {"thumbnail": True}, name="photo_thumbnail"),
    path("periods/<int:pk>/", views.period_status, name="period_status"),
    path("periods/<int:pk>/remind/", views.period_remind, name="period_remind"),
    path("periods/<int:pk>/batch/", views.batch, name="batch"),
]
