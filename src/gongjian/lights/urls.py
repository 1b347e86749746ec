from django.urls import path

from gongjian.lights import views

app_name = "lights"
urlpatterns = [
    path("", views.board, name="board"),
    path("export/", views.board_export, name="board_export"),
    path("projects/<int:project_pk>/<str:code>/", views.light_detail, name="light_detail"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export/", views.case_export, name="case_export"),
    path("cases/letters/", views.case_letters, name="case_letters"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/letters/<str:kind>/", views.case_letter, name="case_letter"),
    path("cases/<int:pk>/<str:action>/", views.case_action, name="case_action"),
    path("cases/<int:pk>/evidence/<int:event_pk>/", views.case_evidence, name="case_evidence"),
]
