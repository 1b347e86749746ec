from django.urls import path

from gongjian.onemap import views

app_name = "onemap"
urlpatterns = [
    path("", views.MapView.as_view(), name="map"),
    path("projects/<int:pk>/card/", views.card, name="card"),
]
