"""The pages of briefings and minutes, under /dispatch/documents/."""

from django.urls import path

from gongjian.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_new, name="document_new"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/docx/", views.document_docx, name="document_docx"),
]
