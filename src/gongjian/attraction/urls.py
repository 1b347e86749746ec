"""The pages of investment attraction (under /attraction/)."""

from django.urls import path

from gongjian.attraction import views

app_name = "attraction"
urlpatterns = [
    path("", views.funnel, name="funnel"),
    path("funnel/export/", views.funnel_export, name="funnel_export"),
    path("targets/", views.target_form, name="target_form"),
    path("targets/table/", views.target_table, name="target_table"),
    path("trips/", views.trip_list, name="trip_list"),
    path("trips/new/", views.trip_form, name="trip_new"),
    path("trips/<int:pk>/", views.trip_detail, name="trip_detail"),
    path("trips/<int:pk>/edit/", views.trip_form, name="trip_edit"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/export/", views.lead_export, name="lead_export"),
    path("leads/new/", views.lead_form, name="lead_new"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_form, name="lead_edit"),
    path("leads/<int:pk>/contract/", views.contract_file, name="contract_file"),
    path("leads/<int:pk>/<str:action>/", views.lead_action, name="lead_action"),
    path("tranches/export/", views.tranche_export, name="tranche_export"),
    path("tranches/<int:pk>/evidence/", views.tranche_evidence, name="tranche_evidence"),
]
