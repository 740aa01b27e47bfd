from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/status/", views.status, name="status"),
    path("<uuid:public_id>/card/", views.card, name="card"),
    path("<uuid:public_id>/edit/", views.replace, name="edit"),
    path("<uuid:public_id>/disconnect/", views.disconnect, name="disconnect"),
    path("<uuid:public_id>/sync/", views.sync_now, name="sync-now"),
    path("<uuid:public_id>/move/", views.move, name="move"),
]
