from django.urls import path

from gongjian.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("new/", views.ProjectEditView.as_view(), name="project_create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("<int:pk>/delete/", views.ProjectDeleteView.as_view(), name="project_delete"),
    path("<int:pk>/baseline/propose/", views.BaselineProposeView.as_view(), name="baseline_propose"),
    path("baseline-changes/", views.BaselineChangeListView.as_view(), name="baseline_change_list"),
    path("baseline-changes/<int:pk>/", views.BaselineChangeView.as_view(), name="baseline_change"),
]
