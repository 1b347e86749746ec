"""The pipeline's pages, under /pipeline/."""

from django.urls import path

from gongjian.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.reserve_list, name="reserve_list"),
    path("new/", views.reserve_edit, name="reserve_create"),
    path("export/", views.reserve_export, name="reserve_export"),
    path("import/", views.reserve_import, name="reserve_import"),
    path("template/", views.reserve_template, name="reserve_template"),
    path("<int:pk>/", views.reserve_detail, name="reserve_detail"),
    path("<int:pk>/edit/", views.reserve_edit, name="reserve_edit"),
    path("<int:pk>/withdraw/", views.reserve_withdraw, name="reserve_withdraw"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/docx/", views.plan_docx, name="plan_docx"),
    path("plans/<int:pk>/items/<int:item_pk>/", views.plan_item_edit, name="plan_item_edit"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
]
