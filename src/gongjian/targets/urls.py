from django.urls import path

from gongjian.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.board, name="board"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/split/", views.indicator_split, name="indicator_split"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/actual/", views.actual_enter, name="actual_enter"),
    path("actuals/<int:pk>/evidence/", views.actual_evidence, name="actual_evidence"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/", views.actual_review, name="actual_review"),
    path("compute/", views.compute, name="compute"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/draft/", views.contract_draft, name="contract_draft"),
    path("contracts/<int:pk>/issue/", views.contract_issue, name="contract_issue"),
    path("contracts/<int:pk>/docx/", views.contract_docx, name="contract_docx"),
    path("contracts/<int:pk>/scan/", views.contract_scan, name="contract_scan"),
    path("contracts/<int:pk>/sign/", views.contract_sign, name="contract_sign"),
    path("settlements/", views.settlement_list, name="settlement_list"),
    path("settlements/run/", views.settlement_run, name="settlement_run"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
    path("settlements/<int:pk>/publish/", views.settlement_publish, name="settlement_publish"),
    path("export.xlsx", views.export_targets, name="export"),
    path("import/", views.import_actuals, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
