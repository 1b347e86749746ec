"""The land acquisition pages (征地拆迁), under /land/."""

from django.urls import path

from gongjian.land import views

app_name = "land"
urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("tasks/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("tasks/<int:pk>/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("tasks/<int:pk>/import/", views.ledger_import, name="ledger_import"),
    path("tasks/<int:pk>/import/template.xlsx", views.import_template, name="import_template"),
    path("tasks/<int:pk>/standard/", views.standard_page, name="standard"),
    path("tasks/<int:pk>/audit/", views.audit_page, name="audit"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/lawful/", views.lawful_step, name="lawful_step"),
    path("households/<int:pk>/files/<slug:kind>/", views.household_file, name="household_file"),
    path("lawful/", views.lawful_list, name="lawful_list"),
    path("tasks/<int:pk>/dispatch/", views.dispatch_page, name="dispatch"),
    path("tasks/<int:pk>/payments/", views.payments_page, name="payments"),
    path("tasks/<int:pk>/wall/publish/", views.wall_publish, name="wall_publish"),
    # 网上公示: open to everyone, masked
    path("public/<int:pk>/", views.public_task, name="public_task"),
    path("public/walls/<int:pk>/", views.public_wall, name="public_wall"),
    path("public/walls/<int:pk>.docx", views.wall_docx, name="wall_docx"),
    path("public/walls/<int:pk>.pdf", views.wall_pdf, name="wall_pdf"),
]
