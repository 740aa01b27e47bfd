from django.urls import path

from . import manage_views, views

app_name = "portfolio"

urlpatterns = [
    path("", views.index, name="index"),
]
urlpatterns += [
    path("manage/", manage_views.manage, name="manage"),
    path("new/", manage_views.new, name="new"),
    path("<uuid:public_id>/edit/", manage_views.edit, name="edit"),
    path("<uuid:public_id>/archive/", manage_views.archive, name="archive"),
    path("<uuid:public_id>/unarchive/", manage_views.unarchive, name="unarchive"),
]
