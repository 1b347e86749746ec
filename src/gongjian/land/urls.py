"""The land acquisition pages (征地拆迁), under /land/."""

from django.urls import path

from gongjian.land import views

app_name = "land"
urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("tasks/<int:pk>/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("tasks/<int:pk>/import/", views.ledger_import, name="ledger_import"),
    path("tasks/<int:pk>/import/template.xlsx", views.import_template, name="import_template"),
    path("tasks/<int:pk>/standard/", views.standard_page, name="standard"),
    path("tasks/<int:pk>/audit/", views.audit_page, name="audit"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
]
