"""Routes of the journal's manual entries (included by journal/urls.py)."""

from django.urls import path

from . import entry_views as views

urlpatterns = [
    path("new/", views.new, name="new"),
    path("new/<slug:kind>/", views.new_entry, name="new-entry"),
    path("trades/<uuid:public_id>/", views.trade_detail, name="trade-detail"),
    path("trades/<uuid:public_id>/edit/", views.trade_edit, name="trade-edit"),
    path("trades/<uuid:public_id>/delete/", views.trade_delete, name="trade-delete"),
    path("entries/<uuid:public_id>/", views.entry_detail, name="entry-detail"),
    path("entries/<uuid:public_id>/edit/", views.entry_edit, name="entry-edit"),
    path("entries/<uuid:public_id>/delete/", views.entry_delete, name="entry-delete"),
]
