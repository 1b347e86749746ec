"""The pages of assignments to many units and their hand-ins."""

from django.urls import path

from gongjian.dispatch import assignment_views as views

urlpatterns = [
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/new/", views.assignment_new, name="assignment_new"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/export.xlsx", views.assignment_export, name="assignment_export"),
    path("assignments/files/<int:pk>/", views.submission_file, name="submission_file"),
]
