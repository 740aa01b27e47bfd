from django.urls import include, path

from . import views

app_name = "journal"

# Each part of the journal keeps its routes in its own module; all are named "journal:…".
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, name="export"),
    path("", include("journal.entry_urls")),
    path("", include("journal.import_urls")),
]
