"""The pages of assignments to many units and their hand-ins, under /dispatch/assignments/."""

from django.urls import path

from gongjian.assignments import views

app_name = "assignments"
urlpatterns = [
    path("", views.assignment_list, name="assignment_list"),
    path("new/", views.assignment_new, name="assignment_new"),
    path("<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("<int:pk>/export.xlsx", views.assignment_export, name="assignment_export"),
    path("files/<int:pk>/", views.submission_file, name="submission_file"),
]
