"""Routes of the journal's CSV import (included by journal/urls.py)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("import/", import_views.start, name="import"),
    path("import/template.csv", import_views.template, name="import-template"),
    path("import/preview/<str:token>/", import_views.preview, name="import-preview"),
    path("import/preview/<str:token>/cancel/", import_views.cancel, name="import-cancel"),
    path("import/<uuid:public_id>/undo/", import_views.undo, name="import-undo"),
]
