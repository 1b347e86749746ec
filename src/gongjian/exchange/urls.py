from django.urls import path

from gongjian.exchange import views

app_name = "exchange"
urlpatterns = [
    path("projects/import/", views.import_projects, name="import_projects"),
    path("projects/import/errors/<str:token>/", views.import_error_report, name="import_error_report"),
    path("projects/export/", views.export_projects, name="export_projects"),
    path("projects/template/", views.project_template, name="project_template"),
    path(
        "attraction/import/errors/<str:token>/", views.attraction_error_report, name="attraction_error_report"
    ),
    path("attraction/<str:what>/import/", views.import_attraction, name="import_attraction"),
    path("attraction/<str:what>/template/", views.attraction_template, name="attraction_template"),
]
