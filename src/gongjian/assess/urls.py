from django.urls import path

from gongjian.assess import views

app_name = "assess"
urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("run/", views.run_period, name="run_period"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/export/", views.run_export, name="run_export"),
    path("runs/<int:pk>/<str:action>/", views.run_action, name="run_action"),
    path("scores/<int:pk>/", views.score_detail, name="score_detail"),
    path("evaluate/", views.evaluate, name="evaluate"),
    path("runs/<int:pk>/notice.docx", views.run_notice, name="run_notice"),
    path("public/", views.public, name="public"),
    path("what-if/", views.what_if, name="what_if"),
    path("year/<year:year>/", views.year_end, name="year_end"),
    path("interviews/", views.interviews, name="interviews"),
    path("interviews/new/<int:consequence>/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("flags/<year:year>/", views.flags, name="flags"),
    path("flags/<year:year>/consequences.xlsx", views.consequences_export, name="consequences_export"),
    path("archive/<year:year>/", views.archive, name="archive"),
    path("archive/<year:year>/export.xlsx", views.archive_export, name="archive_export"),
    path("archive/<year:year>/archive.docx", views.archive_docx, name="archive_docx"),
    path("archive/<year:year>/<int:person>/", views.archive_person, name="archive_person"),
    path("archive/<year:year>/<int:person>.docx", views.archive_docx, name="archive_person_docx"),
]
