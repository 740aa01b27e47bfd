from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("", views.index, name="index"),
]
